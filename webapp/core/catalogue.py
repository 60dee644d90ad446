"""Exercises and programmes: TOML data checked once at start-up (see docs/exercise-format.md).

Plain Python, no Flask. A broken file raises ContentError (from webapp.core.validation) naming the
file and the key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .languages import BY_CODE, LANGUAGES, WRITTEN, fallbacks
from .review import SignOff, signed
from .translation import Entry, Overlay, exercise_entries, program_entries, translated_languages
from .validation import Where, cached_load, read_toml

CATEGORIES = ("walking", "mobility", "core", "nerve", "stretch", "stenosis", "foot")
DOSE_KEYS = {
    "reps": ({"reps", "sets", "times_per_day"}, {"hold_seconds", "per_side"}),
    "hold": ({"seconds", "sets", "times_per_day"}, {"per_side"}),
    "time": ({"minutes", "times_per_day"}, set()),
}
EXERCISE_TEXTS = ("name", "purpose", "start", "easier", "harder", "alt")
EXERCISE_LISTS = ("steps", "stop_if")
PROGRAM_TEXTS = ("title", "aim", "who_for")


@dataclass(frozen=True)
class Dose:
    kind: str  # reps | hold | time
    times_per_day: int
    reps: int = 0
    sets: int = 0
    hold_seconds: int = 0
    seconds: int = 0
    minutes: int = 0
    per_side: bool = False


@dataclass(frozen=True)
class Exercise:
    id: str
    category: str
    drawing_start: str
    drawing_end: str
    reviewed: dt.date
    next_review: dt.date
    source: dict[str, str]  # lang -> where the exercise comes from
    dose: Dose
    text: dict[str, dict[str, Any]]  # lang -> name, purpose, start, steps, easier, harder, ...
    signed: SignOff | None = None  # a clinician's sign-off that covers this text, if any
    path: str = ""
    # lang -> the fields shown in its fallback language (a "core" language translates only
    # the name and the stop rules; webapp/core/translation.py)
    borrowed: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Week:
    first: int
    last: int
    exercises: tuple[str, ...]
    focus: dict[str, str]


@dataclass(frozen=True)
class Program:
    id: str
    reviewed: dt.date
    next_review: dt.date
    sources: dict[str, tuple[str, ...]]  # lang -> where the programme comes from
    related_articles: tuple[str, ...]
    text: dict[str, dict[str, Any]]  # lang -> title, aim, who_for, see_someone_first
    weeks: tuple[Week, ...]
    signed: SignOff | None = None  # a clinician's sign-off that covers this text, if any
    path: str = ""
    borrowed: dict[str, frozenset[str]] = field(default_factory=dict)  # as Exercise.borrowed

    @property
    def length_weeks(self) -> int:
        return self.weeks[-1].last


@dataclass(frozen=True)
class Catalogue:
    exercises: dict[str, Exercise]
    programs: dict[str, Program]


def _count(at: Where, table: dict[str, Any], key: str, *, required: bool = True) -> Any:
    """A whole number of 1 or more; None when optional and absent."""
    value = at.get(table, key, int, required=required)
    if value is not None and value < 1:
        raise at.child(key).fail("must be a whole number of 1 or more")
    return value


def _dates(data: dict[str, Any], at: Where) -> tuple[dt.date, dt.date]:
    reviewed = at.get(data, "reviewed", dt.date)
    next_review = at.get(data, "next_review", dt.date)
    if next_review <= reviewed:
        raise at.child("next_review").fail("must be after reviewed")
    return reviewed, next_review


def _texts(
    data: dict[str, Any], at: Where, strings: tuple[str, ...], lists: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """The texts of every language: `strings` are text, `lists` lists of text of equal length."""
    texts: dict[str, dict[str, Any]] = {}
    for lang in LANGUAGES:
        table, lang_at = at.get(data, lang, dict), at.child(lang)
        lang_at.only(table, set(strings) | set(lists))
        texts[lang] = {k: lang_at.get(table, k, str) for k in strings}
        texts[lang] |= {k: lang_at.strings(table, k) for k in lists}
    first, *others = LANGUAGES
    for key in lists:
        for lang in others:
            if len(texts[lang][key]) != len(texts[first][key]):
                raise at.child(lang).child(key).fail(f"must have as many items as {first}")
    return texts


Overlays = dict[str, Overlay]


def _per_language(data: dict[str, Any], at: Where, key: str, kind: type) -> dict[str, Any]:
    """`source.nb` and `source.en` (text, or a list of text when `kind` is list), both
    required; another language shows its fallback's (nn the nb one, pl the en one)."""
    table, key_at = at.get(data, key, dict), at.child(key)
    key_at.only(table, WRITTEN)
    given = {
        lang: key_at.get(table, lang, str) if kind is str else key_at.strings(table, lang)
        for lang in WRITTEN
    }
    first, *others = WRITTEN
    for lang in others:
        if kind is list and len(given[lang]) != len(given[first]):
            raise key_at.child(lang).fail(f"must have as many items as {first}")
    return {lang: next(given[c] for c in fallbacks(lang) if c in given) for lang in LANGUAGES}


def _merge_translations(
    data: dict[str, Any], entries: list[Entry], overlays: Overlays
) -> dict[str, frozenset[str]]:
    """Put each translated language's texts (content/<lang>/programmes.toml) into `data`,
    in place, as if written there: `[pl]` beside `[nb]` and `[en]`, a week's `[weeks.pl]`.
    A text a "core" language leaves out comes from its fallback language; what came from there
    is returned, lang -> fields."""
    borrowed: dict[str, set[str]] = {}
    for lang, overlay in overlays.items():
        fallback = BY_CODE[lang].fallback[0]
        for entry in entries:
            table = data
            if entry.section == "week":
                number = int(entry.ident.rsplit(".", 1)[1])
                table = next(w for w in data["weeks"] if w.get("week") == number)
            value = overlay.text(entry)
            if value is None:
                value = (table.get(fallback) or {}).get(entry.field)
                if value is None:
                    continue  # the fallback's own check names what is missing there
                borrowed.setdefault(lang, set()).add(entry.field)
            table.setdefault(lang, {})[entry.field] = value
    return {lang: frozenset(fields) for lang, fields in borrowed.items()}


def load_exercise(path: Path, drawings: Path, overlays: Overlays) -> Exercise:
    data, at = read_toml(path)
    borrowed = _merge_translations(data, list(exercise_entries(path.stem, data)), overlays)
    at.only(data, {"id", "category", "drawing_start", "drawing_end", "reviewed", "next_review",
                   "source", "dose", "sign_off", *LANGUAGES})  # fmt: skip
    ex_id = at.get(data, "id", str)
    if ex_id != path.stem:
        raise at.child("id").fail(f"must equal the file name {path.stem!r}")
    category = at.get(data, "category", str)
    if category not in CATEGORIES:
        raise at.child("category").fail(f"must be one of {', '.join(CATEGORIES)}")
    drawing = {}
    for key in ("drawing_start", "drawing_end"):
        drawing[key] = at.get(data, key, str)
        if not (drawings / drawing[key]).is_file():
            raise at.child(key).fail(f"no drawing static/img/exercises/{drawing[key]}")
    reviewed, next_review = _dates(data, at)
    dose_table, dose_at = at.get(data, "dose", dict), at.child("dose")
    kind = dose_at.get(dose_table, "kind", str)
    if kind not in DOSE_KEYS:
        raise dose_at.child("kind").fail(f"must be one of {', '.join(DOSE_KEYS)}")
    required, optional = DOSE_KEYS[kind]
    dose_at.only(dose_table, required | optional | {"kind"})
    numbers = {k: _count(dose_at, dose_table, k) for k in required}
    numbers |= {
        k: _count(dose_at, dose_table, k) for k in optional - {"per_side"} if k in dose_table
    }
    per_side = dose_at.get(dose_table, "per_side", bool, required=False, default=False)
    if (
        category == "nerve"
        and kind == "reps"
        and ("hold_seconds" in numbers or numbers["reps"] > 10)
    ):
        raise dose_at.fail("a nerve glide has no hold and at most 10 reps")
    return Exercise(
        id=ex_id,
        category=category,
        drawing_start=drawing["drawing_start"],
        drawing_end=drawing["drawing_end"],
        reviewed=reviewed,
        next_review=next_review,
        source=_per_language(data, at, "source", str),
        dose=Dose(kind=kind, per_side=per_side, **numbers),
        text=_texts(data, at, EXERCISE_TEXTS, EXERCISE_LISTS),
        signed=signed(path, data, at),
        path=str(path),
        borrowed=borrowed,
    )


def load_program(
    path: Path, exercises: dict[str, Exercise], articles: set[str], overlays: Overlays
) -> Program:
    data, at = read_toml(path)
    at.only(data, {"id", "reviewed", "next_review", "sources", "related_articles", "weeks",
                   "sign_off", *LANGUAGES})  # fmt: skip
    prog_id = at.get(data, "id", str)
    if prog_id != path.stem:
        raise at.child("id").fail(f"must equal the file name {path.stem!r}")
    reviewed, next_review = _dates(data, at)
    related = at.strings(data, "related_articles")
    for key in related:
        if key not in articles:
            raise at.child("related_articles").fail(f"no article with key {key!r}")
    raw_weeks = data.get("weeks")
    if not isinstance(raw_weeks, list) or not raw_weeks:
        raise at.child("weeks").fail("at least one [[weeks]] table is needed")
    blocks, expected = [], 1
    for i, table in enumerate(raw_weeks, start=1):
        week_at = at.child("weeks").index(i)
        week_at.check(table, dict, empty_ok=True)
        week_at.only(table, {"week", "until_week", "exercises", *LANGUAGES})
        first = _count(week_at, table, "week")
        last = _count(week_at, table, "until_week", required=False) or first
        if first != expected or last < first:
            raise week_at.child("week").fail(
                f"weeks must follow on without gaps (expected {expected})"
            )
        expected = last + 1
        ids = week_at.strings(table, "exercises")
        for ex_id in ids:
            if ex_id not in exercises:
                raise week_at.child("exercises").fail(f"no exercise with id {ex_id!r}")
        blocks.append((week_at, table, first, last, ids))
    # The translations are keyed by week number: merge them once the weeks are known to be
    # numbered right, so a wrong number is named as such, not as a missing translation.
    borrowed = _merge_translations(data, list(program_entries(path.stem, data)), overlays)
    weeks = []
    for week_at, table, first, last, ids in blocks:
        focus: dict[str, str] = {
            lang: week_at.child(lang).get(week_at.get(table, lang, dict), "focus", str)
            for lang in LANGUAGES
        }
        weeks.append(Week(first, last, ids, focus))
    return Program(
        id=prog_id,
        reviewed=reviewed,
        next_review=next_review,
        sources=_per_language(data, at, "sources", list),
        related_articles=related,
        text=_texts(data, at, PROGRAM_TEXTS, ("see_someone_first",)),
        weeks=tuple(weeks),
        signed=signed(path, data, at),
        path=str(path),
        borrowed=borrowed,
    )


@cached_load(lambda content, drawings, articles: [content, drawings])
def load_catalogue(content: Path, drawings: Path, articles: set[str]) -> Catalogue:
    overlays = {lang: Overlay(content, lang, "programmes") for lang in translated_languages()}
    exercises = {
        p.stem: load_exercise(p, drawings, overlays)
        for p in sorted((content / "exercises").glob("*.toml"))
    }
    programs = {
        p.stem: load_program(p, exercises, articles, overlays)
        for p in sorted((content / "programs").glob("*.toml"))
    }
    for overlay in overlays.values():
        overlay.check_unused()
    return Catalogue(exercises, programs)
