"""Security headers on every response, and friendly error pages without stack traces."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def security_headers(app: Flask) -> dict[str, str]:
    """The headers every response carries (the static export writes the same ones)."""
    return {
        "Content-Security-Policy": CSP,
        "Strict-Transport-Security": f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        # same-origin: no referrer ever leaves the site; our own form posts keep their Origin
        # header (with no-referrer the browser sends "Origin: null"), which feedback checks.
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "X-Frame-Options": "DENY",
    }


class SecurityHeaders:
    """WSGI middleware that adds the headers to every response, including the pages the page
    cache serves in front of Flask; it must be the outermost layer."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.headers = list(security_headers(app).items())
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info=None):  # type: ignore[no-untyped-def]
            # A new list: the page cache passes its stored headers, which must stay as they are.
            return start_response(status, headers + self.headers, exc_info)

        return self.wsgi_app(environ, start)


def init_app(app: Flask) -> None:
    """Call after every other layer that wraps app.wsgi_app (the page cache)."""
    app.wsgi_app = SecurityHeaders(app, app.wsgi_app)  # type: ignore[method-assign]

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int]:
        code = error.code or 500
        if request.path.startswith("/api/"):
            return jsonify(error=error.description or error.name, fields={}), code
        return render_template("error.html", code=code, error=error), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[Response | str, int]:
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return http_error(InternalServerError())
