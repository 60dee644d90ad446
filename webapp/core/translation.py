"""Texts in the languages we do not write in: one overlay file per language and kind.

The team writes every text in nb and en, inline in the content files. A translated language
(nn, pl, uk, ar) keeps its texts apart, keyed by the id of what they translate:

    content/<lang>/checker.toml      the symptom checker: questions, body regions, rules, advice
    content/<lang>/programmes.toml   exercises and programmes
    content/<lang>/articles.toml     a "core" language only: each article's title, summary and
                                     care box (a "full" language has the articles themselves,
                                     content/<lang>/articles/*.md)

    [question.saddle_numbness]
    text = "…"
    sign = "…"

The loaders merge an overlay into the data before they check it, so a missing text stops
start-up naming the language, the overlay file and the key. What must be there depends on the
language's scope (webapp/core/languages.py): a "full" language needs every text, a "core"
language the safety-critical ones (REQUIRED_CORE); the rest comes from its fallback language.

`python -m webapp.core.translation skeleton <lang>` writes the files with every key to fill in
(the nb and en texts as comments; texts already translated are kept),
`python -m webapp.core.translation stamp <lang> [<key> …]` records that translations match
today's nb and en texts, and `python -m webapp.core.translation check [<lang>]` lists what is
missing or stale (an nb or en text changed after it was translated).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .languages import BY_CODE, LANGUAGES, WRITTEN
from .validation import ContentError, Where, read_text, read_toml

CONTENT = Path(__file__).resolve().parents[2] / "content"

# Kind of overlay -> the files it translates, section by section: (section, fields).
# A section is an array of tables with an `id` ([[question]]) or, for `fallback`, one table.
CHECKER: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "triage/questions.toml": (("question", ("text", "help", "sign")),),
    "triage/regions.toml": (
        ("region", ("label", "description")),
        ("zone", ("description",)),
        ("set", ("description",)),
    ),
    "triage/rules.toml": (
        ("advice", ("title", "text")),
        ("fallback", ("reason", "description", "source")),
        ("rule", ("reason", "description", "source")),
    ),
}
EXERCISE_FIELDS = ("name", "purpose", "start", "steps", "easier", "harder", "stop_if", "alt")
PROGRAM_FIELDS = ("title", "aim", "who_for", "see_someone_first")
# What a "core" language must have; everything else may come from its fallback language.
REQUIRED_CORE: dict[str, frozenset[str]] = {
    "question": frozenset({"text", "help", "sign"}),
    "region": frozenset({"label", "description"}),
    "zone": frozenset({"description"}),
    "set": frozenset({"description"}),
    "advice": frozenset({"title", "text"}),
    "fallback": frozenset({"reason"}),
    "rule": frozenset({"reason"}),
    "exercise": frozenset({"name", "stop_if"}),
    "program": frozenset({"title", "aim", "see_someone_first"}),
    "week": frozenset(),
    "article": frozenset({"title", "summary", "emergency", "urgent", "routine"}),
}
ARTICLE_FIELDS = ("title", "summary", "emergency", "urgent", "routine")
KINDS = ("checker", "programmes", "articles")
# Lists a language writes for itself, not translations of one text: (section, field). An
# article's search words in a "core" language: what its readers type (any number).
OWN_WORDS = {("article", "search_words")}


def kinds(lang: str) -> tuple[str, ...]:
    """The overlay files a language has: a "full" language writes its articles in full."""
    if BY_CODE[lang].scope == "full":
        return ("checker", "programmes")
    return KINDS


@dataclass(frozen=True)
class Entry:
    """One text to translate: `[section.ident] field`, with the texts it is written in."""

    section: str
    ident: str
    field: str
    written: dict[str, Any]  # nb and en: a string or a list of strings

    @property
    def key(self) -> str:
        return f"{self.section}.{self.ident}.{self.field}"

    def required(self, lang: str) -> bool:
        if BY_CODE[lang].scope == "full":
            return True
        return self.field in REQUIRED_CORE[self.section]


def overlay_path(content: Path, lang: str, kind: str) -> Path:
    return content / lang / f"{kind}.toml"


def translated_languages() -> tuple[str, ...]:
    return tuple(lang for lang in LANGUAGES if lang not in WRITTEN)


# --- What there is to translate -----------------------------------------------------------


def _items(doc: dict[str, Any], section: str) -> list[dict[str, Any]]:
    value = doc.get(section)
    if isinstance(value, dict):
        return [value]
    return [item for item in value or [] if isinstance(item, dict)]


def checker_entries(relative: str, doc: dict[str, Any]) -> Iterator[Entry]:
    """The texts of one checker file (`relative` as in CHECKER) that need translating."""
    for section, fields in CHECKER[relative]:
        for item in _items(doc, section):
            for field in fields:
                value = item.get(field)
                if isinstance(value, dict) and value.get("nb"):
                    written = {lang: value.get(lang) for lang in WRITTEN}
                    yield Entry(section, str(item.get("id")), field, written)


def _table_entries(
    section: str, ident: str, data: dict[str, Any], fields: tuple[str, ...]
) -> Iterator[Entry]:
    texts: dict[str, dict[str, Any]] = {}
    for lang in WRITTEN:
        table = data.get(lang)
        texts[lang] = table if isinstance(table, dict) else {}
    for field in fields:
        if texts["nb"].get(field):
            yield Entry(section, ident, field, {lang: texts[lang].get(field) for lang in WRITTEN})


def exercise_entries(ident: str, data: dict[str, Any]) -> Iterator[Entry]:
    yield from _table_entries("exercise", ident, data, EXERCISE_FIELDS)


def program_entries(ident: str, data: dict[str, Any]) -> Iterator[Entry]:
    yield from _table_entries("program", ident, data, PROGRAM_FIELDS)
    for week in data.get("weeks") or []:
        if isinstance(week, dict):
            yield from _table_entries("week", f"{ident}.{week.get('week')}", week, ("focus",))


def article_entries(content: Path) -> Iterator[Entry]:
    from .articles import split_front_matter  # the article loader imports this module

    for path in sorted((content / "nb" / "articles").glob("*.md")):
        files = {lang: content / lang / "articles" / path.name for lang in WRITTEN}
        heads = {lang: split_front_matter(read_text(f), f)[0] for lang, f in files.items()}
        texts = {lang: {**head, **head.get("care", {})} for lang, head in heads.items()}
        yield from _table_entries("article", path.stem, texts, ARTICLE_FIELDS)


def all_entries(content: Path, kind: str) -> Iterator[Entry]:
    if kind == "articles":
        yield from article_entries(content)
        return
    if kind == "checker":
        for relative in CHECKER:
            doc, _ = read_toml(content / relative)
            yield from checker_entries(relative, doc)
        return
    for path in sorted((content / "exercises").glob("*.toml")):
        yield from exercise_entries(path.stem, read_toml(path)[0])
    for path in sorted((content / "programs").glob("*.toml")):
        yield from program_entries(path.stem, read_toml(path)[0])


# --- Reading an overlay and merging it -----------------------------------------------------


class Overlay:
    """The texts of one language and kind, as read from its file ({} when there is none)."""

    def __init__(self, content: Path, lang: str, kind: str) -> None:
        self.lang = lang
        self.path = overlay_path(content, lang, kind)
        self.where = Where(str(self.path))
        self.texts: dict[tuple[str, str, str], Any] = {}
        self.used: set[tuple[str, str, str]] = set()
        if not self.path.exists():
            return
        doc, where = read_toml(self.path)
        for section, idents in doc.items():
            where.child(section).check(idents, dict)
            for ident, fields in _flatten(idents):
                at = where.child(section).child(ident)
                at.check(fields, dict)
                for field, value in fields.items():
                    if isinstance(value, list):
                        if not all(isinstance(item, str) for item in value):
                            raise at.child(field).fail("every item must be a string")
                    elif not isinstance(value, str):
                        raise at.child(field).fail("must be a string or a list of strings")
                    self.texts[(section, ident, field)] = value

    def text(self, entry: Entry) -> Any:
        """The translation of `entry`: None when missing and allowed to be; ContentError when
        it is required, empty, or a list of the wrong length."""
        at = self.where.child(entry.key)
        value = self.texts.get((entry.section, entry.ident, entry.field))
        self.used.add((entry.section, entry.ident, entry.field))
        if value in (None, "", []) or (isinstance(value, list) and "" in value):
            if entry.required(self.lang):
                name = BY_CODE[self.lang].name
                raise at.fail(f"missing: the {self.lang} ({name}) text is required")
            return None
        nb = entry.written["nb"]
        if isinstance(nb, list) != isinstance(value, list):
            raise at.fail("must be a list like the nb text" if isinstance(nb, list) else
                          "must be a string like the nb text")  # fmt: skip
        if isinstance(nb, list) and len(value) != len(nb):
            raise at.fail(f"must have {len(nb)} items, as many as the nb text")
        return value

    def own_words(self, section: str, ident: str, field: str) -> tuple[str, ...]:
        """A list the language writes for itself, not a translation of one text (an article's
        search words): any number of non-empty strings, () when absent."""
        key = (section, ident, field)
        self.used.add(key)
        value = self.texts.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.where.child(".".join(key)).fail("must be a list of words or phrases")
        return tuple(v.strip() for v in value)

    def check_unused(self) -> None:
        """Refuse a text that translates nothing (a renamed id, a typo in a field). A list the
        language writes for itself (OWN_WORDS) belongs to an id that has translated texts."""
        known = {(section, ident) for section, ident, _ in self.used}
        for key in sorted(set(self.texts) - self.used):
            section, ident, field = key
            if (section, field) in OWN_WORDS and (section, ident) in known:
                continue
            raise self.where.child(".".join(key)).fail("translates nothing: no such text in nb")


def _flatten(idents: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """`[week.sciatica.1]` is read by TOML as {"sciatica": {"1": {...}}}: join the id back."""
    for ident, fields in idents.items():
        if (
            isinstance(fields, dict)
            and fields
            and all(isinstance(v, dict) for v in fields.values())
        ):
            for sub, sub_fields in fields.items():
                yield f"{ident}.{sub}", sub_fields
        else:
            yield ident, fields


def checker_overlays(content: Path) -> dict[str, Overlay]:
    return {lang: Overlay(content, lang, "checker") for lang in translated_languages()}


def merge_checker(relative: str, doc: dict[str, Any], overlays: dict[str, Overlay]) -> None:
    """Put the translated languages' texts into a checker file's data, in place:
    `text = {nb, en}` becomes `{nb, en, nn, pl, …}`. A "core" language's optional texts come
    from its fallback language. Pass the same `overlays` (checker_overlays) for every file,
    then call their `check_unused()`."""
    entries = list(checker_entries(relative, doc))
    by_key = {(e.section, e.ident, e.field): e for e in entries}
    for lang, overlay in overlays.items():
        values = {key: overlay.text(entry) for key, entry in by_key.items()}
        for section, fields in CHECKER[relative]:
            for item in _items(doc, section):
                for field in fields:
                    value = item.get(field)
                    if not isinstance(value, dict) or lang in value:
                        continue
                    translated = values.get((section, str(item.get("id")), field))
                    if translated is None:
                        translated = _fallback(value, lang)
                    value[lang] = translated


def _fallback(value: dict[str, Any], lang: str) -> Any:
    for other in BY_CODE[lang].fallback:
        if other in value:
            return value[other]
    return value.get("nb", "")


def overlay_errors(content: Path, langs: Iterable[str]) -> Iterator[ContentError]:
    """What is wrong in the languages' overlay files: a missing or malformed text, or one that
    translates a text that is gone."""
    for kind in KINDS:
        entries = list(all_entries(content, kind))
        for lang in langs:
            if kind not in kinds(lang):
                continue
            try:
                overlay = Overlay(content, lang, kind)
            except ContentError as error:
                yield error
                continue
            for entry in entries:
                try:
                    overlay.text(entry)
                except ContentError as error:
                    yield error
            try:
                overlay.check_unused()
            except ContentError as error:
                yield error


def check_overlays(content: Path) -> None:
    """Every overlay file: complete for its language, and nothing in it translates a text that
    is gone. Raises the first ContentError."""
    for error in overlay_errors(content, translated_languages()):
        raise error


# --- Stale translations -----------------------------------------------------------------------
#
# content/<lang>/translated-from.json holds, for every translated text, a fingerprint of the nb
# and en texts it was translated from. When a writer changes an nb or en text, its translations
# no longer match: `check` and the tests name them until they are translated again and stamped.

STAMP_FILE = "translated-from.json"


def fingerprint(entry: Entry) -> str:
    written = json.dumps(entry.written, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(written.encode()).hexdigest()[:12]


def _stamps(content: Path, lang: str) -> dict[str, dict[str, str]]:
    path = content / lang / STAMP_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _translated(content: Path, lang: str) -> Iterator[tuple[str, Entry, bool]]:
    """Every text the language translates: (kind, entry, whether it is translated). A language
    written in full also translates each nb article file as a whole ("article_files")."""
    for kind in kinds(lang):
        overlay = Overlay(content, lang, kind)
        for entry in all_entries(content, kind):
            yield kind, entry, bool(overlay.texts.get((entry.section, entry.ident, entry.field)))
    if BY_CODE[lang].scope == "full":
        for path in sorted((content / "nb" / "articles").glob("*.md")):
            entry = Entry("article", path.stem, "file", {"nb": read_text(path)})
            yield "article_files", entry, (content / lang / "articles" / path.name).exists()


def stale(content: Path, lang: str) -> list[str]:
    """Translated texts whose nb or en text changed since (kind: key), or that were never
    stamped."""
    stamps = _stamps(content, lang)
    return [
        f"{kind}: {entry.key}"
        for kind, entry, translated in _translated(content, lang)
        if translated and stamps.get(kind, {}).get(entry.key) != fingerprint(entry)
    ]


def stamp(content: Path, lang: str, keys: set[str] | None = None) -> int:
    """Record that the translations of `keys` (all when None) match today's nb and en texts."""
    old = _stamps(content, lang)
    new: dict[str, dict[str, str]] = {}
    count = 0
    for kind, entry, translated in _translated(content, lang):
        table = new.setdefault(kind, {})
        if translated and (keys is None or entry.key in keys):
            table[entry.key] = fingerprint(entry)
            count += 1
        elif entry.key in old.get(kind, {}):
            table[entry.key] = old[kind][entry.key]  # kept as it was: still stale if it was
    stamps = {kind: dict(sorted(table.items())) for kind, table in new.items()}
    text = json.dumps(stamps, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    (content / lang / STAMP_FILE).write_text(text, encoding="utf-8")
    return count


# --- Skeleton for translators ----------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        items = "".join(f"  {json.dumps(item, ensure_ascii=False)},\n" for item in value)
        return f"[\n{items}]"
    return json.dumps(value, ensure_ascii=False)


def _comment(lang: str, value: Any) -> str:
    lines = value if isinstance(value, list) else [value]
    return "".join(f"# {lang}: {line}\n" for line in lines if line is not None)


def skeleton(content: Path, lang: str, kind: str) -> str:
    """The overlay file for `lang` with every key; existing translations are kept."""
    existing = Overlay(content, lang, kind)
    language = BY_CODE[lang]
    out = [
        f"# {language.name} ({lang}): texts of the {kind}, translated from nb and en.\n",
        "# Written by `python -m webapp.core.translation skeleton` (run it again after the nb\n",
        '# texts change: it keeps what is translated). Fill in every ""; see docs/languages.md.\n',
    ]
    section_ident: tuple[str, str] | None = None

    def own_words() -> None:  # kept at the end of their section
        for section, field in sorted(OWN_WORDS):
            words = existing.texts.get((*section_ident, field)) if section_ident else None
            if section_ident and section_ident[0] == section and words:
                out.append(f"{field} = {_toml_value(words)}\n")

    for entry in all_entries(content, kind):
        if (
            not entry.required(lang)
            and (entry.section, entry.ident, entry.field) not in existing.texts
        ):
            continue
        if (entry.section, entry.ident) != section_ident:
            own_words()
            section_ident = (entry.section, entry.ident)
            out.append(f"\n[{entry.section}.{entry.ident}]\n")
        for written_lang, value in entry.written.items():
            out.append(_comment(written_lang, value))
        current = existing.texts.get((entry.section, entry.ident, entry.field))
        if current is None:
            nb = entry.written["nb"]
            current = [""] * len(nb) if isinstance(nb, list) else ""
        out.append(f"{entry.field} = {_toml_value(current)}\n")
    own_words()
    return "".join(out)


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "skeleton":
        lang = argv[1]
        for kind in kinds(lang):
            path = overlay_path(CONTENT, lang, kind)
            path.parent.mkdir(parents=True, exist_ok=True)
            text = skeleton(CONTENT, lang, kind)
            tomllib.loads(text)  # never write a file that does not parse
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
        return 0
    if len(argv) >= 2 and argv[0] == "stamp":
        count = stamp(CONTENT, argv[1], set(argv[2:]) or None)
        print(f"stamped {count} text(s) of {argv[1]} as translated from today's nb and en")
        return 0
    if argv and argv[0] == "check":
        langs = argv[1:] or list(translated_languages())
        problems = 0
        for error in overlay_errors(CONTENT, langs):
            print(error)
            problems += 1
        for lang in langs:
            for key in stale(CONTENT, lang):
                print(f"{lang}: {key}: the nb or en text changed since it was translated")
                problems += 1
        print(f"{problems} problem(s)")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


# --- Review state ----------------------------------------------------------------------------

REVIEW_FILE = "review.toml"


REVIEW_KEYS = ("reviewed_by", "reviewer_role", "reviewed_on", "reviewed_files")


@dataclass(frozen=True)
class TranslationReview:
    """Who translated a language and whether a qualified person has checked it
    (translations/<lang>/review.toml). Until `reviewed`, every page in the language says so.
    A review covers the language's files as they were (`reviewed_files`, a fingerprint): a
    later change to a translation ends it, as a change to a text ends a clinician's sign-off."""

    lang: str
    translated_by: str
    translated_on: Any  # dt.date
    method: str
    reviewed_by: str = ""
    reviewer_role: str = ""
    reviewed_on: Any = None  # dt.date
    reviewed_files: str = ""
    current_files: str = ""

    @property
    def reviewed(self) -> bool:
        return bool(self.reviewed_by and self.reviewed_files == self.current_files)


def language_files(content: Path, translations: Path, lang: str) -> str:
    """A fingerprint of everything a language's translation is: its catalogue and its content
    texts (what a reviewer reads)."""
    digest = hashlib.sha256()
    files = [translations / lang / "LC_MESSAGES" / "messages.po"]
    files += sorted(p for p in (content / lang).rglob("*") if p.is_file() and p.name != STAMP_FILE)
    for path in files:
        digest.update(str(path.relative_to(path.parents[1])).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def load_review(content: Path, translations: Path, lang: str) -> TranslationReview:
    import datetime as dt

    path = translations / lang / REVIEW_FILE
    data, at = read_toml(path)
    at.only(data, {"translated_by", "translated_on", "method", *REVIEW_KEYS})
    reviewer = {
        "reviewed_by": at.get(data, "reviewed_by", str, required=False, default=""),
        "reviewer_role": at.get(data, "reviewer_role", str, required=False, default=""),
        "reviewed_on": at.get(data, "reviewed_on", dt.date, required=False),
        "reviewed_files": at.get(data, "reviewed_files", str, required=False, default=""),
    }
    given = [key for key, value in reviewer.items() if value]
    if given and len(given) != len(reviewer):
        missing = sorted(set(reviewer) - set(given))[0]
        raise at.child(missing).fail(
            "a review names who, their role, the date and the files it covers "
            "(`flask content translation-reviewed` writes them)"
        )
    return TranslationReview(
        lang=lang,
        translated_by=at.get(data, "translated_by", str),
        translated_on=at.get(data, "translated_on", dt.date),
        method=at.get(data, "method", str),
        current_files=language_files(content, translations, lang) if given else "",
        **reviewer,
    )


def load_reviews(content: Path, translations: Path) -> dict[str, TranslationReview]:
    return {lang: load_review(content, translations, lang) for lang in translated_languages()}


def record_review(content: Path, translations: Path, lang: str, name: str, role: str,
                  day: Any) -> str:  # fmt: skip
    """Write a qualified reviewer's check of a language, as its files are now, into its
    review.toml (an earlier review is replaced). Returns the files' fingerprint."""
    path = translations / lang / REVIEW_FILE
    kept = [
        line
        for line in read_text(path).splitlines()
        if not line.split("=")[0].strip().lstrip("# ").startswith(REVIEW_KEYS)
    ]
    files = language_files(content, translations, lang)
    lines = [
        f"reviewed_by = {json.dumps(name, ensure_ascii=False)}",
        f"reviewer_role = {json.dumps(role, ensure_ascii=False)}",
        f"reviewed_on = {day.isoformat()}",
        f'reviewed_files = "{files}"  # what was reviewed: a change to a translation ends it',
    ]
    path.write_text("\n".join([*kept, *lines]) + "\n", encoding="utf-8")
    load_review(content, translations, lang)  # the file still reads
    return files
