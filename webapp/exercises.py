"""Exercises and programmes: TOML data checked once at start-up (see docs/exercise-format.md).

Plain Python, no Flask. A broken file raises ContentError naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .content import LANGUAGES, ContentError

CATEGORIES = ("walking", "mobility", "core", "nerve", "stretch", "stenosis", "foot")
DOSE_KEYS = {
    "reps": ({"reps", "sets", "times_per_day"}, {"hold_seconds", "per_side"}),
    "hold": ({"seconds", "sets", "times_per_day"}, {"per_side"}),
    "time": ({"minutes", "times_per_day"}, set()),
}
EXERCISE_TEXTS = ("name", "purpose", "start", "easier", "harder", "alt")
EXERCISE_LISTS = ("steps", "stop_if")
PROGRAM_TEXTS = ("title", "aim", "who_for")
_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


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
    source: str
    dose: Dose
    text: dict[str, dict[str, Any]]  # lang -> name, purpose, start, steps, easier, harder, ...


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
    sources: tuple[str, ...]
    related_articles: tuple[str, ...]
    text: dict[str, dict[str, Any]]  # lang -> title, aim, who_for, see_someone_first
    weeks: tuple[Week, ...]

    @property
    def length_weeks(self) -> int:
        return self.weeks[-1].last


@dataclass(frozen=True)
class Catalogue:
    exercises: dict[str, Exercise]
    programs: dict[str, Program]


class _Reader:
    """Typed access that names the file and the key in every error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ContentError(f"{path}: not valid TOML: {exc}") from None

    def fail(self, key: str, problem: str) -> ContentError:
        return ContentError(f"{self.path}: {key}: {problem}")

    def only(self, table: dict[str, Any], allowed: set[str], where: str = "") -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(where + key, "unknown key")

    def get(self, table: dict[str, Any], key: str, kind: type, where: str = "") -> Any:
        if key not in table:
            raise self.fail(where + key, "missing")
        value = table[key]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise self.fail(where + key, "must be a whole number of 1 or more")
        if kind is str and (not isinstance(value, str) or not value.strip()):
            raise self.fail(where + key, "must be non-empty text")
        if kind is list and (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v.strip() for v in value)
        ):
            raise self.fail(where + key, "must be a non-empty list of text")
        if kind is dt.date and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            raise self.fail(where + key, "must be a date like 2026-11-22")
        if kind is dict and not isinstance(value, dict):
            raise self.fail(where + key, "must be a table")
        return value

    def dates(self) -> tuple[dt.date, dt.date]:
        reviewed = self.get(self.data, "reviewed", dt.date)
        next_review = self.get(self.data, "next_review", dt.date)
        if next_review <= reviewed:
            raise self.fail("next_review", "must be after reviewed")
        return reviewed, next_review

    def texts(self, strings: tuple[str, ...], lists: tuple[str, ...]) -> dict[str, dict[str, Any]]:
        texts = {}
        for lang in LANGUAGES:
            table = self.get(self.data, lang, dict)
            self.only(table, set(strings) | set(lists), f"{lang}.")
            texts[lang] = {k: self.get(table, k, str, f"{lang}.").strip() for k in strings}
            texts[lang] |= {k: tuple(self.get(table, k, list, f"{lang}.")) for k in lists}
        for key in lists:
            if len(texts["nb"][key]) != len(texts["en"][key]):
                raise self.fail(f"en.{key}", "must have as many items as nb")
        return texts


def load_exercise(path: Path, drawings: Path) -> Exercise:
    r = _Reader(path)
    r.only(r.data, {"id", "category", "drawing_start", "drawing_end", "reviewed", "next_review",
                    "source", "dose", "nb", "en"})  # fmt: skip
    ex_id = r.get(r.data, "id", str)
    if ex_id != path.stem:
        raise r.fail("id", f"must equal the file name {path.stem!r}")
    category = r.get(r.data, "category", str)
    if category not in CATEGORIES:
        raise r.fail("category", f"must be one of {', '.join(CATEGORIES)}")
    for key in ("drawing_start", "drawing_end"):
        name = r.get(r.data, key, str)
        if not (drawings / name).is_file():
            raise r.fail(key, f"no drawing static/img/exercises/{name}")
    reviewed, next_review = r.dates()
    dose_table = r.get(r.data, "dose", dict)
    kind = r.get(dose_table, "kind", str, "dose.")
    if kind not in DOSE_KEYS:
        raise r.fail("dose.kind", f"must be one of {', '.join(DOSE_KEYS)}")
    required, optional = DOSE_KEYS[kind]
    r.only(dose_table, required | optional | {"kind"}, "dose.")
    numbers = {k: r.get(dose_table, k, int, "dose.") for k in required}
    numbers |= {
        k: r.get(dose_table, k, int, "dose.") for k in optional - {"per_side"} if k in dose_table
    }
    per_side = dose_table.get("per_side", False)
    if not isinstance(per_side, bool):
        raise r.fail("dose.per_side", "must be true or false")
    if (
        category == "nerve"
        and kind == "reps"
        and ("hold_seconds" in numbers or numbers["reps"] > 10)
    ):
        raise r.fail("dose", "a nerve glide has no hold and at most 10 reps")
    return Exercise(
        id=ex_id,
        category=category,
        drawing_start=r.data["drawing_start"],
        drawing_end=r.data["drawing_end"],
        reviewed=reviewed,
        next_review=next_review,
        source=r.get(r.data, "source", str),
        dose=Dose(kind=kind, per_side=per_side, **numbers),
        text=r.texts(EXERCISE_TEXTS, EXERCISE_LISTS),
    )


def load_program(path: Path, exercises: dict[str, Exercise], articles: set[str]) -> Program:
    r = _Reader(path)
    r.only(r.data, {"id", "reviewed", "next_review", "sources", "related_articles", "nb", "en",
                    "weeks"})  # fmt: skip
    prog_id = r.get(r.data, "id", str)
    if prog_id != path.stem:
        raise r.fail("id", f"must equal the file name {path.stem!r}")
    reviewed, next_review = r.dates()
    related = tuple(r.get(r.data, "related_articles", list))
    for key in related:
        if key not in articles:
            raise r.fail("related_articles", f"no article with key {key!r}")
    raw_weeks = r.data.get("weeks")
    if not isinstance(raw_weeks, list) or not raw_weeks:
        raise r.fail("weeks", "at least one [[weeks]] table is needed")
    weeks, expected = [], 1
    for i, table in enumerate(raw_weeks, start=1):
        at = f"weeks[{i}]."
        r.only(table, {"week", "until_week", "exercises", "nb", "en"}, at)
        first = r.get(table, "week", int, at)
        last = table.get("until_week", first)
        if first != expected or not isinstance(last, int) or last < first:
            raise r.fail(at + "week", f"weeks must follow on without gaps (expected {expected})")
        expected = last + 1
        ids = tuple(r.get(table, "exercises", list, at))
        for ex_id in ids:
            if ex_id not in exercises:
                raise r.fail(at + "exercises", f"no exercise with id {ex_id!r}")
        focus = {
            lang: r.get(r.get(table, lang, dict, at), "focus", str, f"{at}{lang}.")
            for lang in LANGUAGES
        }
        weeks.append(Week(first, last, ids, focus))
    return Program(
        id=prog_id,
        reviewed=reviewed,
        next_review=next_review,
        sources=tuple(r.get(r.data, "sources", list)),
        related_articles=related,
        text=r.texts(PROGRAM_TEXTS, ("see_someone_first",)),
        weeks=tuple(weeks),
    )


def load_catalogue(content: Path, drawings: Path, articles: set[str]) -> Catalogue:
    exercises = {
        p.stem: load_exercise(p, drawings) for p in sorted((content / "exercises").glob("*.toml"))
    }
    programs = {
        p.stem: load_program(p, exercises, articles)
        for p in sorted((content / "programs").glob("*.toml"))
    }
    return Catalogue(exercises, programs)
