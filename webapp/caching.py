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

from flask import Flask, Response, current_app, g, request
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
    headers: list[tuple[str, str]]  # the final headers, security headers included
    body: bytes
    etag: str
    endpoint: str


class PageCache:
    """Finished public pages, served in front of Flask (WSGI) without running a view or a hook.

    Keyed by (host, path, gzip?); cleared when full, so odd Host headers cannot grow it.
    """

    def __init__(self, app: Flask, limit: int = 2048) -> None:
        self.app, self.limit = app, limit
        self.entries: dict[tuple[str, str, bool], Entry] = {}
        self.lock = threading.Lock()
        self.on_hit: list[Callable[[str, str], None]] = []  # (endpoint, path), e.g. view counts
        self.wsgi_app = app.wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] in ("GET", "HEAD") and not environ.get("QUERY_STRING"):
            gz = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "").lower()
            entry = self.entries.get((environ.get("HTTP_HOST", ""), environ["PATH_INFO"], gz))
            if entry is not None:
                for hook in self.on_hit:
                    hook(entry.endpoint, environ["PATH_INFO"])
                if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains(entry.etag):
                    start_response(
                        "304 NOT MODIFIED", [h for h in entry.headers if h[0] in KEPT_ON_304]
                    )
                    return []
                start_response(entry.status, entry.headers)
                return [] if environ["REQUEST_METHOD"] == "HEAD" else [entry.body]
        return self.wsgi_app(environ, start_response)

    def store(self, response: Response) -> Response:
        """After every other hook: keep a public page's finished response."""
        key = g.get("page_cache_key")
        if (
            key is not None
            and response.status_code == 200
            and "no-store" not in (response.headers.get("Cache-Control") or "")
            and "Set-Cookie" not in response.headers
            and not response.direct_passthrough
        ):
            entry = Entry(response.status, list(response.headers), response.get_data(),
                          response.get_etag()[0] or "", request.endpoint or "")  # fmt: skip
            with self.lock:
                if len(self.entries) >= self.limit:
                    self.entries.clear()
                self.entries[key] = entry
        return response


KEPT_ON_304 = {"ETag", "Cache-Control", "Vary"}


def cache_pages(app: Flask, endpoints: set[str]) -> None:
    """Allow these endpoints' GET responses to be kept (they must not depend on anything but the
    host and the path)."""
    app.extensions.setdefault("cached_endpoints", set()).update(endpoints)


def mark_cacheable() -> None:
    if (
        request.method in ("GET", "HEAD")
        and not request.query_string
        and request.endpoint in current_app.extensions.get("cached_endpoints", ())
    ):
        g.page_cache_key = (request.host, request.path, accepts_gzip())


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
    cache = PageCache(app)
    app.extensions["page_cache"] = cache
    app.wsgi_app = cache  # type: ignore[method-assign]
    app.before_request(mark_cacheable)
    app.after_request(finish)
    # After-request hooks run last-registered first: at index 0, `store` runs after all of them
    # (security headers included), so a cached page is sent exactly as it was finished.
    app.after_request_funcs.setdefault(None, []).insert(0, cache.store)
