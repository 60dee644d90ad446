"""The site's frame: home, privacy, offline page, language redirect, PWA files, sitemap."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import cast

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import force_locale, gettext
from werkzeug.wrappers import Response as BaseResponse

from . import db, sitemap
from .assets import asset_url, static_file
from .caching import cache_pages
from .core import search_index
from .i18n import enabled_languages, language_from_accept_header, localized_route

bp = Blueprint("pages", __name__)

THEME_COLOUR = "#00695c"


@bp.route("/")
def root() -> BaseResponse:
    """Send the visitor to their language; the URL then carries it, so links can be shared."""
    response = redirect(url_for("pages.home", lang=language_from_accept_header()), 302)
    response.vary.add("Accept-Language")
    return response


@localized_route(bp, {"nb": "/nb/", "en": "/en/"})
def home(lang: str) -> str:
    return render_template("home.html", library=current_app.extensions["library"])


@localized_route(bp, {"nb": "/nb/personvern", "en": "/en/privacy"})
def privacy(lang: str) -> str:
    return render_template("privacy.html")


@localized_route(bp, {"nb": "/nb/offline", "en": "/en/offline"})
def offline(lang: str) -> str:
    return render_template("offline.html")


@bp.route("/healthz")
def healthz() -> Response:
    """For monitoring: 200 when every part works; 503 with what is wrong when the site runs
    degraded (patients are still served: content, the checker and booking need no database)."""
    checks = {"database": database_state(), "search": search_state(), "counts": counts_state()}
    degraded = any(value != "ok" for value in checks.values())
    response = jsonify(status="degraded" if degraded else "ok", **checks)
    response.status_code = 503 if degraded else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def database_state() -> str:
    trouble = db.problem(current_app)
    if trouble:
        return trouble
    try:
        db.get_db().execute("select count(*) from app_meta").fetchone()
    except sqlite3.Error as exc:
        return f"{db.shown(current_app, db.database_path(current_app))}: {exc}"
    return "ok"


def search_state() -> str:
    path = current_app.extensions["search_index"]
    if search_index.usable(path):
        return "ok"
    return f"{db.shown(current_app, path)}: the index does not answer"


def counts_state() -> str:
    """The last write of the counts failed (a full or read-only disk): they are being lost."""
    failing = [c.failing for c in db.counters(current_app) if c.failing]
    return f"counts are not being saved: {failing[0]}" if failing else "ok"


@bp.route("/robots.txt")
def robots() -> Response:
    root = sitemap.site_root()
    lines = [
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /admin",
        f"Sitemap: {root}/sitemap.xml",
        "",
    ]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.route("/sitemap.xml")
def sitemap_xml() -> Response:
    xml = render_template(
        "sitemap.xml", pages=sitemap.public_pages(current_app), root=sitemap.site_root()
    )
    return Response(xml, mimetype="application/xml")


@bp.route("/manifest.webmanifest")
def manifest() -> Response:
    clinic = current_app.extensions["clinic"]
    with force_locale("nb"):
        description = gettext("Explainers, a symptom checker and exercises for foot and back pain.")
    data = {
        "name": clinic.site_name["nb"],
        "short_name": "Fot og rygg",
        "description": description,
        "lang": "nb",
        "dir": "ltr",
        "start_url": "/nb/",
        "scope": "/",
        "id": "/nb/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            {"src": asset_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": asset_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": asset_url("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": asset_url("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return Response(json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json")


def shell_urls() -> list[str]:
    """What the service worker precaches: the offline pages and the files every page needs."""
    urls = [url_for("pages.offline", lang=lang) for lang in enabled_languages()]
    # The scripts of the pages that must work offline (programmes and the diary) come along.
    names = ("css/app.css", "css/figures.css", "js/app.js", "js/player.js", "js/diary.js",
             "icons/icon.svg", "icons/favicon-32.png")  # fmt: skip
    urls += [asset_url(name) for name in names]
    return urls


@bp.route("/sw.js")
def service_worker() -> Response:
    urls = shell_urls()
    version = hashlib.sha256(json.dumps(urls).encode()).hexdigest()[:12]
    body = render_template("sw.js", version=version, shell=urls)
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/favicon.ico")
def favicon() -> Response:
    return static_file("favicon.ico")


def _pages() -> list[dict[str, str]]:
    return [
        {lang: url_for(endpoint, lang=lang) for lang in enabled_languages()}
        for endpoint in ("pages.home", "pages.privacy")
    ]


@bp.record_once
def _register(state: BlueprintSetupState) -> None:
    app = cast(Flask, state.app)  # typed as Flask's base App; a Flask blueprint gets a Flask app
    sitemap.register(app, _pages)
    names = ("home", "privacy", "offline", "robots", "sitemap_xml", "manifest", "service_worker")
    cache_pages(app, {f"pages.{name}" for name in names})
