"""The condition library: Markdown articles with TOML front matter, loaded once at start-up.

Plain Python, no Flask. `load_library(folder)` reads `<folder>/<lang>/articles/*.md`, validates
every field and renders the Markdown to HTML once. A broken file raises ContentError naming the
file and the key. See docs/content-format.md.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

LANGUAGES = ("nb", "en")
KINDS = ("hub", "condition", "guide")
BODY_AREAS = ("back", "buttock_hip", "leg", "foot")
CARE_LEVELS = ("emergency", "urgent", "routine")
_SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_H2_RE = re.compile(r"^## ", re.MULTILINE)

# Raw HTML in articles is off: the Markdown is trusted content, but escaping keeps the CSP promise
# (no inline style or script can slip in through an article).
_markdown = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


class ContentError(ValueError):
    """A content file is broken; the message names the file and the key."""


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    year: int
    url: str


@dataclass(frozen=True)
class Care:
    emergency: tuple[str, ...]
    urgent: tuple[str, ...]
    routine: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    key: str
    lang: str
    slug: str
    kind: str
    title: str
    summary: str
    body_areas: tuple[str, ...]
    synonyms: tuple[str, ...]
    reviewed: dt.date
    next_review: dt.date
    related: tuple[str, ...]
    program: str | None
    care: Care | None
    sources: tuple[Source, ...]
    body: str  # the Markdown, for search and readability checks
    intro_html: str  # up to the end of the first section (symptoms on a condition page)
    rest_html: str  # the remaining sections
    path: Path


@dataclass(frozen=True)
class Library:
    articles: dict[str, dict[str, Article]]  # lang -> key -> article
    by_slug: dict[tuple[str, str], Article]  # (lang, slug) -> article

    def get(self, lang: str, key: str) -> Article:
        return self.articles[lang][key]

    def in_language(self, lang: str) -> list[Article]:
        """All articles of a language, A–Z by title (Norwegian letters last, as in the alphabet)."""
        return sorted(self.articles[lang].values(), key=lambda a: sort_key(a.title))

    def alternates(self, key: str) -> dict[str, Article]:
        return {lang: self.articles[lang][key] for lang in LANGUAGES}


def sort_key(text: str) -> str:
    """Sort æ, ø, å after z, as Norwegian dictionaries do."""
    return text.lower().translate(str.maketrans({"æ": "{", "ø": "|", "å": "}"}))


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    if not text.startswith("+++\n"):
        raise ContentError(f"{path}: front matter: the file must start with a +++ line")
    try:
        front, body = text[4:].split("\n+++\n", 1)
    except ValueError:
        raise ContentError(f"{path}: front matter: no closing +++ line") from None
    try:
        return tomllib.loads(front), body
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path}: front matter: not valid TOML: {exc}") from None


class _Fields:
    """Typed access to front matter that names the file and key in every error."""

    def __init__(self, data: dict[str, Any], path: Path) -> None:
        self.data = data
        self.path = path

    def fail(self, key: str, problem: str) -> ContentError:
        return ContentError(f"{self.path}: {key}: {problem}")

    def text(self, key: str, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "missing" if value is None else "must be non-empty text")
        return value.strip()

    def texts(
        self, key: str, required: bool = True, table: dict[str, Any] | None = None
    ) -> tuple[str, ...]:
        source = self.data if table is None else table
        value = source.get(key)
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not value:
            raise self.fail(key, "missing" if value is None else "must be a non-empty list")
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, "every item must be non-empty text")
        return tuple(v.strip() for v in value)

    def date(self, key: str) -> dt.date:
        value = self.data.get(key)
        if value is None:
            raise self.fail(key, "missing")
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise self.fail(key, "must be a date like 2026-11-22 (without quotes)")
        return value


ALLOWED_KEYS = {
    "key", "slug", "kind", "title", "summary", "body_areas", "synonyms", "reviewed",
    "next_review", "related", "program", "care", "sources",
}  # fmt: skip


def parse_article(path: Path, lang: str, programs: frozenset[str] = frozenset()) -> Article:
    data, body = split_front_matter(path.read_text(encoding="utf-8"), path)
    f = _Fields(data, path)
    for key in data:
        if key not in ALLOWED_KEYS:
            raise f.fail(key, "unknown key")
    key = f.text("key")
    if key != path.stem:
        raise f.fail("key", f"must equal the file name {path.stem!r}")
    slug = f.text("slug")
    if not _SLUG_RE.match(slug):
        raise f.fail("slug", "use a-z, 0-9 and single hyphens")
    kind = f.text("kind")
    if kind not in KINDS:
        raise f.fail("kind", f"must be one of {', '.join(KINDS)}")
    body_areas = f.texts("body_areas")
    for area in body_areas:
        if area not in BODY_AREAS:
            raise f.fail("body_areas", f"unknown area {area!r}; use {', '.join(BODY_AREAS)}")
    reviewed, next_review = f.date("reviewed"), f.date("next_review")
    if next_review <= reviewed:
        raise f.fail("next_review", "must be after reviewed")
    program = f.text("program", required=False) or None
    if program is not None and program not in programs:
        raise f.fail("program", f"unknown programme {program!r}")
    care = _parse_care(f, kind)
    sources = _parse_sources(f)
    if re.search(r"^# ", body, re.MULTILINE):
        raise f.fail("body", "use ## headings; the title is the page's only level-1 heading")
    sections = _H2_RE.split(body)
    if kind == "condition" and len(sections) < 4:
        raise f.fail("body", "a condition page needs at least three ## sections")
    intro = sections[0] + ("## " + sections[1] if len(sections) > 1 else "")
    rest = "".join("## " + s for s in sections[2:])
    return Article(
        key=key,
        lang=lang,
        slug=slug,
        kind=kind,
        title=f.text("title"),
        summary=f.text("summary"),
        body_areas=body_areas,
        synonyms=f.texts("synonyms", required=False),
        reviewed=reviewed,
        next_review=next_review,
        related=f.texts("related", required=False),
        program=program,
        care=care,
        sources=sources,
        body=body,
        intro_html=render_markdown(intro),
        rest_html=render_markdown(rest),
        path=path,
    )


def _parse_care(f: _Fields, kind: str) -> Care | None:
    table = f.data.get("care")
    if kind != "condition":
        if table is not None:
            raise f.fail("care", "only condition pages have care cards")
        return None
    if not isinstance(table, dict):
        raise f.fail("care", "missing" if table is None else "must be a table")
    for level in table:
        if level not in CARE_LEVELS:
            raise f.fail(f"care.{level}", "unknown key")
    values = {}
    for level in CARE_LEVELS:
        try:
            values[level] = f.texts(level, table=table)
        except ContentError as exc:
            raise f.fail(f"care.{level}", str(exc).rsplit(": ", 1)[-1]) from None
    return Care(**values)


def _parse_sources(f: _Fields) -> tuple[Source, ...]:
    raw = f.data.get("sources")
    if not isinstance(raw, list) or not raw:
        raise f.fail("sources", "at least one source is needed")
    sources = []
    for i, item in enumerate(raw, start=1):
        where = f"sources[{i}]"
        if not isinstance(item, dict):
            raise f.fail(where, "must be a table")
        unknown = set(item) - {"title", "publisher", "year", "url"}
        if unknown:
            raise f.fail(f"{where}.{sorted(unknown)[0]}", "unknown key")
        title, publisher, year = item.get("title"), item.get("publisher", ""), item.get("year")
        url = item.get("url", "")
        if not isinstance(title, str) or not title.strip():
            raise f.fail(f"{where}.title", "missing")
        if not isinstance(publisher, str):
            raise f.fail(f"{where}.publisher", "must be text")
        if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2100:
            raise f.fail(f"{where}.year", "must be a year like 2007")
        if not isinstance(url, str) or (url and not url.startswith("https://")):
            raise f.fail(f"{where}.url", "must start with https://")
        sources.append(Source(title.strip(), publisher.strip(), year, url))
    return tuple(sources)


def render_markdown(text: str) -> str:
    html = _markdown.render(text)
    # Give each section heading an id, so a section can be linked to.
    return re.sub(
        r"<h2>(.*?)</h2>",
        lambda m: f'<h2 id="{slugify(re.sub(r"<[^>]+>", "", m.group(1)))}">{m.group(1)}</h2>',
        html,
    )


def slugify(text: str) -> str:
    text = text.lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "section"


def load_library(folder: Path) -> Library:
    """Read, validate and render every article in every language.

    An article's `program` must name a file in content/programs/ (the exercise catalogue checks
    the programme itself).
    """
    programs = frozenset(p.stem for p in (folder / "programs").glob("*.toml"))
    articles: dict[str, dict[str, Article]] = {}
    by_slug: dict[tuple[str, str], Article] = {}
    for lang in LANGUAGES:
        articles[lang] = {}
        for path in sorted((folder / lang / "articles").glob("*.md")):
            article = parse_article(path, lang, programs)
            if (lang, article.slug) in by_slug:
                other = by_slug[(lang, article.slug)].path
                raise ContentError(f"{path}: slug: {article.slug!r} is already used by {other}")
            articles[lang][article.key] = article
            by_slug[(lang, article.slug)] = article
    _check_languages_match(articles, folder)
    return Library(articles, by_slug)


def _check_languages_match(articles: dict[str, dict[str, Article]], folder: Path) -> None:
    for lang in LANGUAGES:
        for other in LANGUAGES:
            missing = set(articles[lang]) - set(articles[other])
            if missing:
                key = sorted(missing)[0]
                raise ContentError(
                    f"{folder / other / 'articles' / (key + '.md')}: key: missing, "
                    f"but {lang} has {key!r}; every article exists in both languages"
                )
    for lang_articles in articles.values():
        for article in lang_articles.values():
            for key in article.related:
                if key not in lang_articles:
                    raise ContentError(f"{article.path}: related: no article with key {key!r}")
    for key, article in articles["nb"].items():
        english = articles["en"][key]
        for field in ("kind", "body_areas", "related", "program"):
            if getattr(article, field) != getattr(english, field):
                raise ContentError(f"{english.path}: {field}: differs from the nb article")
