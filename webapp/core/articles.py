"""The condition library: Markdown articles with TOML front matter, loaded once at start-up.

Plain Python, no Flask. `load_library(folder)` reads `<folder>/<lang>/articles/*.md`, validates
every field and renders the Markdown to HTML once. A broken file raises ContentError (from
webapp.core.validation) naming the file and the key. See docs/content-format.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from .languages import BY_CODE, LANGUAGES
from .review import SignOff, signed
from .validation import ContentError, Where, cached_load, parse_toml, read_text

KINDS = ("hub", "condition", "guide")
BODY_AREAS = ("back", "buttock_hip", "leg", "foot")
CARE_LEVELS = ("emergency", "urgent", "routine")
_SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_H2_RE = re.compile(r"^## ", re.MULTILINE)

# Raw HTML in articles is off: the Markdown is trusted content, but escaping keeps the CSP promise
# (no inline style or script can slip in through an article).
_markdown = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


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
    # Links to our own pages written as [text](program:ID) or [text](article:KEY#anchor), which
    # the web layer turns into URLs: (kind, target), checked to exist when the content loads.
    links: tuple[tuple[str, str], ...] = ()
    signed: SignOff | None = None  # a clinician's sign-off that covers this text, if any
    # The language of the body: `lang`, except in a "core" language, whose pages show the
    # title, summary and care box translated and the body in its fallback language.
    body_lang: str = ""

    @property
    def text_lang(self) -> str:
        return self.body_lang or self.lang


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


# æ, ø, å after z ({|} follow z in ASCII), and as plain letters in the slugs of headings.
_NORWEGIAN_LAST = str.maketrans("æøå", "{|}")
_ASCII_LETTERS = {ord("æ"): "ae", ord("ø"): "o", ord("å"): "a"}


def sort_key(text: str) -> str:
    """Sort æ, ø, å after z, as Norwegian dictionaries do."""
    return text.lower().translate(_NORWEGIAN_LAST)


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    where = Where(str(path), "front matter")
    if not text.startswith("+++\n"):
        raise where.fail("the file must start with a +++ line")
    try:
        front, body = text[4:].split("\n+++\n", 1)
    except ValueError:
        raise where.fail("no closing +++ line") from None
    return parse_toml(front, where), body


ALLOWED_KEYS = {
    "key", "slug", "kind", "title", "summary", "body_areas", "synonyms", "reviewed",
    "next_review", "related", "program", "care", "sources", "sign_off",
}  # fmt: skip


def parse_article(path: Path, lang: str, programs: frozenset[str] = frozenset()) -> Article:
    data, body = split_front_matter(read_text(path), path)
    at = Where(str(path))
    at.only(data, ALLOWED_KEYS)
    key = at.get(data, "key", str)
    if key != path.stem:
        raise at.child("key").fail(f"must equal the file name {path.stem!r}")
    slug = at.get(data, "slug", str)
    if not _SLUG_RE.match(slug):
        raise at.child("slug").fail("use a-z, 0-9 and single hyphens")
    kind = at.get(data, "kind", str)
    if kind not in KINDS:
        raise at.child("kind").fail(f"must be one of {', '.join(KINDS)}")
    body_areas = at.strings(data, "body_areas")
    for area in body_areas:
        if area not in BODY_AREAS:
            raise at.child("body_areas").fail(f"unknown area {area!r}; use {', '.join(BODY_AREAS)}")
    reviewed, next_review = at.get(data, "reviewed", dt.date), at.get(data, "next_review", dt.date)
    if next_review <= reviewed:
        raise at.child("next_review").fail("must be after reviewed")
    program = at.get(data, "program", str, required=False)
    if program is not None and program not in programs:
        raise at.child("program").fail(f"unknown programme {program!r}")
    care = _parse_care(data, at, kind)
    sources = _parse_sources(data, at)
    if re.search(r"^# ", body, re.MULTILINE):
        raise at.child("body").fail("use ## headings; the title is the page's only level-1 heading")
    sections = _H2_RE.split(body)
    if kind == "condition" and len(sections) < 4:
        raise at.child("body").fail("a condition page needs at least three ## sections")
    links = tuple((to, target) for to, target, _ in OWN_LINK_RE.findall(render_markdown(body)))
    for to, target in links:
        if to == "program" and target not in programs:
            raise at.child("body").fail(f"program:{target}: no such programme")
    intro = sections[0] + ("## " + sections[1] if len(sections) > 1 else "")
    rest = "".join("## " + s for s in sections[2:])
    return Article(
        key=key,
        lang=lang,
        slug=slug,
        kind=kind,
        title=at.get(data, "title", str),
        summary=at.get(data, "summary", str),
        body_areas=body_areas,
        synonyms=at.strings(data, "synonyms", required=False),
        reviewed=reviewed,
        next_review=next_review,
        related=at.strings(data, "related", required=False),
        program=program,
        care=care,
        sources=sources,
        body=body,
        intro_html=render_markdown(intro),
        rest_html=render_markdown(rest),
        path=path,
        links=links,
        signed=signed(path, data, at),
    )


def _parse_care(data: dict[str, Any], at: Where, kind: str) -> Care | None:
    if kind != "condition":
        if "care" in data:
            raise at.child("care").fail("only condition pages have care cards")
        return None
    table = at.get(data, "care", dict)
    at.child("care").only(table, CARE_LEVELS)
    return Care(**{level: at.child("care").strings(table, level) for level in CARE_LEVELS})


def _parse_sources(data: dict[str, Any], at: Where) -> tuple[Source, ...]:
    raw = data.get("sources")
    if not isinstance(raw, list) or not raw:
        raise at.child("sources").fail("at least one source is needed")
    sources = []
    for i, item in enumerate(raw, start=1):
        src = at.child("sources").index(i)
        src.check(item, dict, empty_ok=True)
        src.only(item, {"title", "publisher", "year", "url"})
        title = src.get(item, "title", str)
        publisher = src.get(item, "publisher", str, required=False, default="", empty_ok=True)
        year = src.get(item, "year", int)
        if not 1900 <= year <= 2100:
            raise src.child("year").fail("must be a year like 2007")
        url = src.get(item, "url", str, required=False, default="", empty_ok=True)
        if url and not url.startswith("https://"):
            raise src.child("url").fail("must start with https://")
        sources.append(Source(title, publisher, year, url))
    return tuple(sources)


# An href to one of our own pages, as the Markdown writes it: program:ID or article:KEY#anchor.
OWN_LINK_RE = re.compile(r'href="(program|article):([a-z0-9-]+)(#[a-z0-9-]+)?"')


def render_markdown(text: str) -> str:
    html = _markdown.render(text)
    # Give each section heading an id, so a section can be linked to.
    return re.sub(
        r"<h2>(.*?)</h2>",
        lambda m: f'<h2 id="{slugify(re.sub(r"<[^>]+>", "", m.group(1)))}">{m.group(1)}</h2>',
        html,
    )


def slugify(text: str) -> str:
    text = text.lower().translate(_ASCII_LETTERS)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "section"


@cached_load(lambda folder: [folder])
def load_library(folder: Path) -> Library:
    """Read, validate and render every article in every language.

    An article's `program` must name a file in content/programs/ (the exercise catalogue checks
    the programme itself).
    """
    programs = frozenset(p.stem for p in (folder / "programs").glob("*.toml"))
    articles: dict[str, dict[str, Article]] = {}
    by_slug: dict[tuple[str, str], Article] = {}
    full: list[str] = [lang for lang in LANGUAGES if BY_CODE[lang].scope == "full"]
    for lang in full:
        articles[lang] = {}
        for path in sorted((folder / lang / "articles").glob("*.md")):
            article = parse_article(path, lang, programs)
            if (lang, article.slug) in by_slug:
                other = by_slug[(lang, article.slug)].path
                raise ContentError(path, "slug", f"{article.slug!r} is already used by {other}")
            articles[lang][article.key] = article
            by_slug[(lang, article.slug)] = article
    _check_languages_match(articles, folder, full)
    for lang in LANGUAGES:
        if lang not in full:
            articles[lang] = _translated(folder, lang, articles)
            by_slug |= {(lang, a.slug): a for a in articles[lang].values()}
    return Library(articles, by_slug)


def _translated(
    folder: Path, lang: str, articles: dict[str, dict[str, Article]]
) -> dict[str, Article]:
    """A "core" language's articles: the fallback language's article with the title, summary
    and care box of content/<lang>/articles.toml. Search finds it by the words of both, and by
    the language's own `search_words` (optional: what a patient types, any number)."""
    from .translation import Overlay, article_entries

    source_lang = BY_CODE[lang].fallback[0]
    overlay = Overlay(folder, lang, "articles")
    texts: dict[tuple[str, str], Any] = {}
    for entry in article_entries(folder):
        texts[(entry.ident, entry.field)] = overlay.text(entry)
    own_words = {key: overlay.own_words("article", key, "search_words") for key in articles["nb"]}
    overlay.check_unused()
    out: dict[str, Article] = {}
    for key, source in articles[source_lang].items():
        care = None
        if source.care is not None:
            care = Care(*(tuple(texts.get((key, level)) or ()) for level in CARE_LEVELS))
        synonyms = {*articles["nb"][key].synonyms, *source.synonyms, *own_words[key]}
        out[key] = replace(
            source,
            lang=lang,
            title=texts[(key, "title")],
            summary=texts[(key, "summary")],
            synonyms=tuple(sorted(synonyms)),
            care=care,
            body_lang=source_lang,
        )
    return out


def _check_languages_match(
    articles: dict[str, dict[str, Article]], folder: Path, languages: list[str]
) -> None:
    for lang in languages:
        for other in languages:
            missing = set(articles[lang]) - set(articles[other])
            if missing:
                key = sorted(missing)[0]
                raise ContentError(
                    folder / other / "articles" / f"{key}.md",
                    "key",
                    f"missing, but {lang} has {key!r}; every article exists in every language "
                    "written in full",
                )
    for lang_articles in articles.values():
        for article in lang_articles.values():
            for key in article.related:
                if key not in lang_articles:
                    raise ContentError(article.path, "related", f"no article with key {key!r}")
            for kind, target in article.links:
                if kind == "article" and target not in lang_articles:
                    raise ContentError(article.path, "body", f"article:{target}: no such article")
    first, *others = languages
    for key, article in articles[first].items():
        for lang in others:
            translation = articles[lang][key]
            for field in ("kind", "body_areas", "related", "program"):
                if getattr(article, field) != getattr(translation, field):
                    raise ContentError(translation.path, field, f"differs from the {first} article")
