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

from flask import Flask, Response, current_app, g, request

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
MIN_SIZE = 512


def accepts_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


class PageCache:
    """Finished responses by (host, path, gzip?); cleared when full so it cannot grow unbounded."""

    def __init__(self, limit: int = 2048) -> None:
        self.limit = limit
        self.entries: dict[tuple[str, str, bool], tuple[int, list[tuple[str, str]], bytes]] = {}
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str, bool]) -> tuple[int, list[tuple[str, str]], bytes] | None:
        return self.entries.get(key)

    def put(self, key: tuple[str, str, bool], response: Response) -> None:
        with self.lock:
            if len(self.entries) >= self.limit:
                self.entries.clear()
            self.entries[key] = (response.status_code, list(response.headers), response.get_data())


def cache_pages(app: Flask, endpoints: set[str]) -> None:
    """Allow these endpoints' GET responses to be kept (they must not depend on anything but the
    host and the path)."""
    app.extensions.setdefault("cached_endpoints", set()).update(endpoints)


def serve_cached() -> Response | None:
    if (
        request.method not in ("GET", "HEAD")
        or request.query_string
        or request.endpoint not in current_app.extensions.get("cached_endpoints", ())
    ):
        return None
    key = (request.host, request.path, accepts_gzip())
    g.page_cache_key = key
    entry = current_app.extensions["page_cache"].get(key)
    if entry is None:
        return None
    status, headers, body = entry
    response = Response(body, status=status, headers=headers)
    if request.if_none_match.contains(response.get_etag()[0] or ""):
        response.status_code = 304
        response.set_data(b"")
    return response


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
    gz = accepts_gzip() and len(body) >= MIN_SIZE
    response.vary.add("Accept-Encoding")
    if request.method in ("GET", "HEAD") and "no-store" not in (
        response.headers.get("Cache-Control") or ""
    ):
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
    key = g.get("page_cache_key")
    if key is not None and "no-store" not in (response.headers.get("Cache-Control") or ""):
        current_app.extensions["page_cache"].put(key, response)
    return response


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = PageCache()
    app.before_request(serve_cached)
    app.after_request(finish)
