"""Conditional GET (ETag → 304), gzip, and a cache of finished pages for dynamic responses.

Content is loaded once at start-up, so a public page is the same bytes for the same host, path
and encoding until the app restarts: each worker renders and compresses it once, then serves
the stored bytes. Pages that hold a patient's answers are never cached (they are POST and
no-store), and a capability names the endpoints it allows with `cache_pages`.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, Response, current_app, request
from werkzeug.http import parse_etags

COMPRESSIBLE = {
    "text/html",
    "text/css",
    "text/plain",
    "text/xml",
    "application/json",
    "application/xml",
    "application/javascript",
    "text/javascript",
    "application/manifest+json",
    "image/svg+xml",
}
MIN_SIZE = 1400  # a response that fits in one packet is not worth compressing


def accepts_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


@dataclass(frozen=True)
class Entry:
    status: str  # e.g. "200 OK"
    headers: list[tuple[str, str]]  # as Flask finished them (the security headers come later)
    body: bytes
    etag: str
    endpoint: str


class PageCache:
    """Finished public pages, served in front of Flask (WSGI) without running a view or a hook.

    Flask marks a page it may keep (`mark_cacheable`); this layer keeps the finished response
    when it is a 200 without `no-store` or a cookie, and serves those bytes next time. Keyed by
    (host, path, gzip?) and cleared when full, so odd Host headers cannot grow it. The security
    headers are added by the layer outside this one, on cached and fresh responses alike.
    """

    def __init__(self, app: Flask, wsgi_app: Callable, limit: int = 2048) -> None:
        self.app, self.wsgi_app, self.limit = app, wsgi_app, limit
        self.entries: dict[tuple[str, str, bool], Entry] = {}
        self.lock = threading.Lock()
        self.on_hit: Callable[[Flask, str, str], None] | None = None  # (app, endpoint, path)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] in ("GET", "HEAD") and not environ.get("QUERY_STRING"):
            gz = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "").lower()
            entry = self.entries.get((environ.get("HTTP_HOST", ""), environ["PATH_INFO"], gz))
            if entry is not None:
                if self.on_hit is not None:
                    self.on_hit(self.app, entry.endpoint, environ["PATH_INFO"])
                if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains(entry.etag):
                    start_response(
                        "304 NOT MODIFIED", [h for h in entry.headers if h[0] in KEPT_ON_304]
                    )
                    return []
                start_response(entry.status, entry.headers)
                return [] if environ["REQUEST_METHOD"] == "HEAD" else [entry.body]
        sent: list[tuple[str, list[tuple[str, str]]]] = []

        def start(
            status: str, headers: list[tuple[str, str]], exc_info: object = None
        ) -> Callable[[bytes], object]:
            sent.append((status, headers))
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, start)
        marked = environ.get(MARK)
        if marked is None or not sent or not storable(*sent[-1]):
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        status, headers = sent[-1]
        key, endpoint = marked
        etag = next((v.strip('"') for k, v in headers if k == "ETag"), "")
        with self.lock:
            if len(self.entries) >= self.limit:
                self.entries.clear()
            self.entries[key] = Entry(status, list(headers), data, etag, endpoint)
        return [data]


MARK = "webapp.page_cache"  # set in the WSGI environ by Flask for a page that may be kept


def storable(status: str, headers: list[tuple[str, str]]) -> bool:
    names = {name.lower(): value for name, value in headers}
    return (
        status.startswith("200")
        and "no-store" not in names.get("cache-control", "")
        and "set-cookie" not in names
        and "etag" in names
    )


KEPT_ON_304 = {"ETag", "Cache-Control", "Vary"}


def cache_pages(app: Flask, endpoints: set[str]) -> None:
    """Allow these endpoints' GET responses to be kept (they must not depend on anything but the
    host and the path)."""
    app.extensions.setdefault("cached_endpoints", set()).update(endpoints)


def mark_cacheable() -> None:
    if (
        request.method == "GET"  # a HEAD response has no body to keep
        and not request.query_string
        and request.endpoint in current_app.extensions.get("cached_endpoints", ())
    ):
        key = (request.environ.get("HTTP_HOST", ""), request.path, accepts_gzip())
        request.environ[MARK] = (key, request.endpoint)


def finish(response: Response) -> Response:
    """Add an ETag, answer 304 when the client has it, and gzip when the client accepts it.

    The gzip variant gets its own ETag ("…-gz"), so a cache never mixes up the two encodings.
    """
    if (
        response.direct_passthrough
        or response.status_code != 200
        or "Content-Encoding" in response.headers
        or "ETag" in response.headers
        or response.mimetype not in COMPRESSIBLE
    ):
        return response
    body = response.get_data()
    storable = request.method in ("GET", "HEAD") and "no-store" not in (
        response.headers.get("Cache-Control") or ""
    )
    if not storable and len(body) < MIN_SIZE:
        return response  # no validator and never compressed: nothing to add (the API's answers)
    gz = accepts_gzip() and len(body) >= MIN_SIZE
    response.vary.add("Accept-Encoding")
    if storable:
        tag = hashlib.blake2b(body, digest_size=12).hexdigest() + ("-gz" if gz else "")
        response.set_etag(tag)
        if request.if_none_match.contains(tag):
            response.status_code = 304
            response.set_data(b"")
            response.headers.pop("Content-Length", None)
            return response
        if not response.cache_control.public and not response.cache_control.max_age:
            response.cache_control.no_cache = True
    if gz:
        response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app: Flask) -> None:
    """Conditional GET and gzip for every response; `create_app` puts the page cache around
    Flask with the other WSGI layers."""
    app.before_request(mark_cacheable)
    app.after_request(finish)
