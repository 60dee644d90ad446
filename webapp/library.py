"""The condition library: index by body area and A–Z, article pages, and search."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from . import sitemap
from .caching import cache_pages
from .core import search_index
from .core.articles import BODY_AREAS, OWN_LINK_RE, Article, Library, load_library
from .db import startup_lock
from .feedback import record_search_miss
from .i18n import enabled_languages, localized_route

bp = Blueprint("library", __name__)

HUB_KEY = "foot-and-back"
AREA_LABELS = {
    "back": _l("Back"),
    "buttock_hip": _l("Buttock and hip"),
    "leg": _l("Leg"),
    "foot": _l("Foot"),
}
MAX_QUERY = 100


def library() -> Library:
    return current_app.extensions["library"]


def article_url(article: Article) -> str:
    return url_for("library.article", lang=article.lang, slug=article.slug)


def own_links(html: str, lang: str) -> Markup:
    """An article's rendered Markdown with its links to our own pages made real:
    `program:ID` → the programme's page, `article:KEY#anchor` → that article (in `lang`).
    The targets were checked to exist when the content loaded."""
    from .programs import program_url

    def href(match: re.Match[str]) -> str:
        kind, target, anchor = match.groups()
        url = (
            program_url(target, lang)
            if kind == "program"
            else article_url(library().get(lang, target))
        )
        return f'href="{url}{anchor or ""}"'

    return Markup(OWN_LINK_RE.sub(href, html))  # noqa: S704 - our own rendered Markdown


@localized_route(bp, {"nb": "/nb/tilstander/", "nn": "/nn/tilstandar/", "en": "/en/conditions/"})
def index(lang: str) -> str:
    lib = library()
    conditions = [a for a in lib.in_language(lang) if a.kind == "condition"]
    by_area = {area: [a for a in conditions if area in a.body_areas] for area in BODY_AREAS}
    return render_template(
        "library/index.html",
        hub=lib.get(lang, HUB_KEY),
        by_area=by_area,
        area_labels=AREA_LABELS,
        a_to_z=lib.in_language(lang),
    )


@localized_route(
    bp,
    {"nb": "/nb/tilstander/<slug>", "nn": "/nn/tilstandar/<slug>", "en": "/en/conditions/<slug>"},
)
def article(lang: str, slug: str) -> str:
    lib = library()
    found = lib.by_slug.get((lang, slug))
    if found is None:
        abort(404)
    g.alternates = {code: article_url(a) for code, a in lib.alternates(found.key).items()}
    return render_template(
        "library/article.html",
        article=found,
        related=[lib.get(lang, key) for key in found.related],
        area_labels=AREA_LABELS,
    )


@localized_route(bp, {"nb": "/nb/sok", "en": "/en/search"})
def search(lang: str) -> Response:
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    found = find(lang, query) if query else search_index.Found([], query)
    results = [library().get(lang, hit.key) for hit in found.hits]
    if query and not results:
        record_search_miss(lang, query)
    fragment = request.headers.get("HX-Target") == "search-results"
    template = "library/_results.html" if fragment else "library/search.html"
    corrected = found.query if found.query != query else None
    response = make_response(
        render_template(template, query=query, results=results, corrected=corrected)
    )
    response.vary.add("HX-Target")
    response.headers["Cache-Control"] = "no-store"  # what a person searched for stays theirs
    return response


def find(lang: str, query: str) -> search_index.Found:
    """Search; when the index file fails, write it again from the content and search again."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        return search_index.find(app.extensions["search_index"], lang, query)
    except sqlite3.DatabaseError as exc:
        app.logger.error("Search index failed (%s); writing it again from the content", exc)
        with startup_lock(app):
            path = search_index.rebuild(app.extensions["search_index"], library())
            app.extensions["search_index"] = path
        return search_index.find(app.extensions["search_index"], lang, query)


def _sitemap_pages() -> list[dict[str, str]]:
    lib = library()
    pages: list[dict[str, str]] = [
        {lang: url_for("library.index", lang=lang) for lang in enabled_languages()}
    ]
    for key in lib.articles["nb"]:
        pages.append({code: article_url(a) for code, a in lib.alternates(key).items()})
    return pages


def init_app(app: Flask) -> None:
    lib = load_library(Path(app.config["CONTENT_DIR"]))
    app.extensions["library"] = lib
    with startup_lock(app):
        app.extensions["search_index"] = search_index.build_index(Path(app.instance_path), lib)
    app.jinja_env.globals["article_url"] = article_url
    app.jinja_env.filters["own_links"] = own_links
    app.register_blueprint(bp)
    sitemap.register(app, _sitemap_pages)
    cache_pages(app, {"library.index", "library.article"})
