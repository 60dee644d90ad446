"""«Var denne siden nyttig?», and the anonymous counts the clinic sees on its dashboard.

Stored: the page, the language, the day, yes/no and an optional comment for feedback; the
page and the day for page views; the words of searches that found nothing. Never an IP
address, a user agent or a cookie. Rate limits are kept in memory only.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections import deque
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
)

from . import sitemap
from .db import Counts, database_path, get_db, immediate, register_schema
from .i18n import localized_route

bp = Blueprint("feedback", __name__)

MAX_COMMENT = 500


@register_schema
def _tables(db) -> None:  # type: ignore[no-untyped-def]
    db["feedback"].create(
        {"id": int, "day": str, "page": str, "lang": str, "helpful": int, "comment": str},
        pk="id",
        if_not_exists=True,
    )
    db["page_views"].create(
        {"day": str, "page": str, "count": int}, pk=("day", "page"), if_not_exists=True
    )
    db["search_misses"].create(
        {"day": str, "lang": str, "query": str, "count": int},
        pk=("day", "lang", "query"),
        if_not_exists=True,
    )


def today() -> str:
    return dt.date.today().isoformat()


# --- same-origin check and rate limit ---------------------------------------------------------


def same_origin() -> bool:
    """Patient pages set no cookie for a CSRF token, so a post must show it comes from us:
    this host, or a static copy of the site named in SITE_ORIGINS (see `flask export`)."""
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc == request.host or origin in site_origins()
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


def site_origins() -> set[str]:
    value = current_app.config.get("SITE_ORIGINS") or ()
    if isinstance(value, str):  # WEBAPP_SITE_ORIGINS="https://a.example https://b.example"
        value = value.replace(",", " ").split()
    return {origin.rstrip("/") for origin in value}


class RateLimit:
    """At most `count` events per `seconds` per client, in this process's memory only."""

    def __init__(self, count: int, seconds: float) -> None:
        self.count, self.seconds = count, seconds
        self.events: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self.lock:
            if len(self.events) > 10_000:  # forget everyone rather than grow without bound
                self.events.clear()
            seen = self.events.setdefault(client, deque())
            while seen and now - seen[0] > self.seconds:
                seen.popleft()
            if len(seen) >= self.count:
                return False
            seen.append(now)
            return True


# --- feedback ---------------------------------------------------------------------------------


def public_paths() -> set[str]:
    """Pages feedback may be about: the sitemap, computed once."""
    paths = current_app.extensions.get("public_paths")
    if paths is None:
        paths = {p for page in sitemap.public_pages(current_app) for p in page.values()}
        current_app.extensions["public_paths"] = paths
    return paths


@localized_route(bp, {"nb": "/nb/tilbakemelding", "en": "/en/feedback"}, methods=["POST"])
def submit(lang: str) -> Response:
    if not same_origin():
        abort(403)
    if not current_app.extensions["feedback_limit"].allow(request.remote_addr or ""):
        abort(429)
    page = request.form.get("page", "")
    helpful = request.form.get("helpful")
    comment = " ".join(request.form.get("comment", "").split())
    if page not in public_paths() or helpful not in ("yes", "no") or len(comment) > MAX_COMMENT:
        abort(400)
    with immediate(get_db()) as db:
        db["feedback"].insert(
            {
                "day": today(),
                "page": page,
                "lang": lang,
                "helpful": int(helpful == "yes"),
                "comment": comment,
            }  # fmt: skip
        )
    fragment = request.headers.get("HX-Target") == "feedback"
    template = "feedback/_thanks.html" if fragment else "feedback/thanks.html"
    response = make_response(render_template(template, page=page))
    response.vary.add("HX-Target")
    response.headers["Cache-Control"] = "no-store"
    return response


# --- page views and empty searches ------------------------------------------------------------


# Pages whose views the dashboard counts, whether rendered or served from the page cache.
COUNTED = {"library.article", "programs.program", "programs.exercise"}


class ViewCounts(Counts):
    enabled = True

    def add_view(self, endpoint: str, path: str) -> None:
        if endpoint in COUNTED and self.enabled:
            self.add(today(), path)


def count_view(response: Response) -> Response:
    if request.method == "GET" and response.status_code in (200, 304):
        current_app.extensions["view_counter"].add_view(request.endpoint or "", request.path)
    return response


_NOT_WORDS = re.compile(r"\S*@\S*|\d+")


def record_search_miss(lang: str, query: str) -> None:
    """Keep the words of a search that found nothing; digits and e-mail addresses are dropped,
    so a phone or national identity number typed by mistake is never stored."""
    words = " ".join(_NOT_WORDS.sub(" ", query.lower()).split())[:60]
    if not words:
        return
    with immediate(get_db()) as db:
        db.execute(
            "INSERT INTO search_misses (day, lang, query, count) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (day, lang, query) DO UPDATE SET count = count + 1",
            [today(), lang, words],
        )


def init_app(app: Flask) -> None:
    limit = app.config["FEEDBACK_RATE_LIMIT"]  # (count, seconds), or "count/seconds" from the env
    count, seconds = limit.split("/") if isinstance(limit, str) else limit
    app.extensions["feedback_limit"] = RateLimit(int(count), float(seconds))
    views = ViewCounts(
        database_path(app),
        "INSERT INTO page_views (day, page, count) VALUES (?, ?, ?) "
        "ON CONFLICT (day, page) DO UPDATE SET count = count + excluded.count",
        float(app.config["COUNT_FLUSH_SECONDS"]),
    )
    app.extensions["view_counter"] = views
    app.extensions["page_cache"].on_hit.append(views.add_view)  # pages served from the cache
    app.after_request(count_view)
    app.register_blueprint(bp)
