"""Conditional GET (ETag → 304) and gzip for dynamic responses."""

from __future__ import annotations

import gzip
import hashlib

from flask import Flask, Response, request

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
    return response


def init_app(app: Flask) -> None:
    app.after_request(finish)
