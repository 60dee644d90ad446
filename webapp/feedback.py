"""«Var denne siden nyttig?», and the anonymous counts the clinic sees on its dashboard.

Stored (the privacy page says the same in plain words):
- feedback: the page, the language, the day and yes/no, 13 months; a comment for 90 days,
  with digits, e-mail addresses, control and direction characters taken out;
- page views: the page, the day and a count, 13 months;
- searches that found nothing: for 90 days a keyed fingerprint of the words and the day (the
  words cannot be read back from it); the words themselves only once the same words were
  searched on three different days, never digits or e-mail addresses, 13 months.
Never an IP address, a user agent or a cookie. Rate limits are kept in memory only. Counting is
best-effort: it is written in the background, and a failed write loses counts, never a page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import sqlite3
import threading
import time
from collections import Counter, deque
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
from sqlite_utils import Database

from . import sitemap
from .core.settings import rate
from .db import Counts, get_db, immediate, register_schema
from .i18n import localized_route
from .security import secret_bytes

bp = Blueprint("feedback", __name__)

MAX_COMMENT = 500


@register_schema
def _tables(db: Database) -> None:
    db.table("feedback").create(
        {"id": int, "day": str, "page": str, "lang": str, "helpful": int, "comment": str},
        pk="id",
        if_not_exists=True,
    )
    db.table("page_views").create(
        {"day": str, "page": str, "count": int}, pk=("day", "page"), if_not_exists=True
    )
    db.table("search_misses").create(
        {"day": str, "lang": str, "query": str, "count": int},
        pk=("day", "lang", "query"),
        if_not_exists=True,
    )
    db.table("search_miss_days").create(
        {"fingerprint": str, "day": str}, pk=("fingerprint", "day"), if_not_exists=True
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
    value = current_app.config["SITE_ORIGINS"]
    if isinstance(value, str):  # from config.py as one string
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
    raw = request.form.get("comment", "")
    if page not in public_paths() or helpful not in ("yes", "no") or len(raw) > MAX_COMMENT:
        abort(400)
    row = {"day": today(), "page": page, "lang": lang, "helpful": int(helpful == "yes"),
           "comment": clean_comment(raw)}  # fmt: skip
    fragment = request.headers.get("HX-Target") == "feedback"
    try:
        with immediate(get_db()) as db:
            db.table("feedback").insert(row)
    except sqlite3.Error as exc:  # asked for, so the person is told: a 503 that says so
        current_app.logger.error("Feedback not saved: %s", exc)
        if not fragment:
            raise
        response = make_response(render_template("feedback/_failed.html"), 503)
    else:
        template = "feedback/_thanks.html" if fragment else "feedback/thanks.html"
        response = make_response(render_template(template, page=page))
    response.vary.add("HX-Target")
    response.headers["Cache-Control"] = "no-store"
    return response


# --- page views and empty searches ------------------------------------------------------------


# Pages whose views the dashboard counts, whether rendered or served from the page cache.
COUNTED = {"library.article", "programs.program", "programs.exercise"}


def count_view(app: Flask, endpoint: str, path: str) -> None:
    """The one place a page view is counted: a page Flask answered, or one the page cache did."""
    if endpoint in COUNTED:
        app.extensions["view_counts"].add(today(), path)


def count_response(response: Response) -> Response:
    if request.method == "GET" and response.status_code in (200, 304):
        count_view(current_app, request.endpoint or "", request.path)
    return response


# Never kept from a search or a comment: e-mail addresses, digits (phone and identity numbers),
# control characters and the invisible ones that change the direction of text.
_EMAIL = re.compile(r"\S*@\S*")
_DIGITS = re.compile(r"\d+")  # every script's digits
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def scrub(text: str) -> str:
    text = _INVISIBLE.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    return " ".join(_DIGITS.sub(" ", text).split())


def clean_comment(text: str) -> str:
    return scrub(text)[:MAX_COMMENT]


def search_words(query: str) -> str:
    return scrub(query.lower())[:60]


class SearchMisses(Counts):
    """Searches that found nothing, buffered like the other counts. The words are kept only
    once the same words have been searched on `min_days` different days; until then only a
    keyed fingerprint of them and the day are."""

    def __init__(self, app: Flask) -> None:
        super().__init__(app, "")
        self.key = secret_bytes(app)
        self.min_days: int = app.config["SEARCH_MISS_DAYS"]

    def fingerprint(self, lang: str, words: str) -> str:
        return hmac.new(self.key, f"{lang}\0{words}".encode(), hashlib.sha256).hexdigest()

    def write(self, db: Database, counts: Counter[tuple[str, ...]]) -> None:
        for (day, lang, words), n in counts.items():
            mark = self.fingerprint(lang, words)
            db.execute("INSERT OR IGNORE INTO search_miss_days VALUES (?, ?)", [mark, day])
            days = db.execute(
                "SELECT count(*) FROM search_miss_days WHERE fingerprint = ?", [mark]
            ).fetchone()[0]
            if days >= self.min_days:
                db.execute(
                    "INSERT INTO search_misses (day, lang, query, count) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (day, lang, query) DO UPDATE SET count = count + excluded.count",
                    [day, lang, words, n],
                )


def record_search_miss(lang: str, query: str) -> None:
    """Note a search that found nothing (best-effort, in the background)."""
    words = search_words(query)
    if words:
        current_app.extensions["search_misses"].add(today(), lang, words)


def init_app(app: Flask) -> None:
    app.extensions["feedback_limit"] = RateLimit(
        *rate(app.config["FEEDBACK_RATE_LIMIT"], "FEEDBACK_RATE_LIMIT")
    )
    app.extensions["view_counts"] = Counts(
        app,
        "INSERT INTO page_views (day, page, count) VALUES (?, ?, ?) "
        "ON CONFLICT (day, page) DO UPDATE SET count = count + excluded.count",
    )
    app.extensions["search_misses"] = SearchMisses(app)
    app.after_request(count_response)
    app.register_blueprint(bp)
