"""Security headers on every response, and friendly error pages without stack traces."""

from __future__ import annotations

import secrets
import sqlite3
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

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
    """The outermost WSGI layer: the headers on every response, including the pages the page
    cache serves in front of Flask; and a last guard, so that an error escaping every inner
    layer still gets a plain 500 with these headers, never the server's bare one."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.headers = list(security_headers(app).items())
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(
            status: str, headers: list[tuple[str, str]], exc_info: object = None
        ) -> Callable[[bytes], object]:
            # A new list: the page cache passes its stored headers, which must stay as they are.
            return start_response(status, headers + self.headers, exc_info)

        try:
            return self.wsgi_app(environ, start)
        except Exception:
            self.app.logger.exception(
                "Unhandled error outside Flask on %s", environ.get("PATH_INFO")
            )
            body = b"Something went wrong on our side. Please try again.\n"
            start_response(
                "500 INTERNAL SERVER ERROR",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Cache-Control", "no-store"),
                    ("Content-Length", str(len(body))),
                    *self.headers,
                ],  # fmt: skip
                sys.exc_info(),
            )
            return [body]


def trusted_hosts(app: Flask) -> list[str] | None:
    """TRUSTED_HOSTS, else the host of BASE_URL; None (any host) when neither is set."""
    hosts = list(app.config["TRUSTED_HOSTS"])
    if not hosts and app.config["BASE_URL"]:
        hosts = [urlsplit(app.config["BASE_URL"]).hostname or ""]
    return hosts or None


def secret_key(app: Flask) -> str:
    """SECRET_KEY, or a random key kept in the instance folder (shared by all workers); without
    a writable instance folder, a key for this process only (admin sign-in then holds only on
    one worker, which the degraded dashboard says anyway)."""
    if app.config["SECRET_KEY"]:
        return app.config["SECRET_KEY"]
    path = Path(app.instance_path) / "secret_key"
    try:
        with path.open("x") as handle:  # only the first worker to start writes it
            handle.write(secrets.token_urlsafe(48))
        path.chmod(0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        app.logger.error(
            "Cannot keep a secret key in %s (%s): using one for this process", path, exc
        )
        return secrets.token_urlsafe(48)
    return path.read_text().strip()


def secret_bytes(app: Flask) -> bytes:
    """The secret key as bytes, for keyed hashes (Flask allows it as str or bytes)."""
    key = app.secret_key
    if key is None:
        raise RuntimeError("SECRET_KEY is not set (security.init_app sets it)")
    return key if isinstance(key, bytes) else key.encode()


def init_app(app: Flask) -> None:
    """The secret key, which hosts the site answers to, and its error pages (the headers are a
    WSGI layer that `create_app` puts around everything)."""
    app.config["SECRET_KEY"] = secret_key(app)
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app)  # Flask answers any other Host with 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        if request.path.startswith("/api/"):
            response = jsonify(error=error.description or error.name, fields={})
        elif request.url_rule is None and code == 400 and not request.blueprints:
            # Refused before routing (an unknown Host): no links can be built, so plain words.
            response = make_response(f"{code} {error.name}\n")
            response.mimetype = "text/plain"
        else:
            response = make_response(render_template("error.html", code=code, error=error))
        response.status_code = code
        # The exception's own headers say what to do next: Allow on 405, Retry-After on 429.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        if code >= 500 or code in (413, 429):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(sqlite3.Error)
    def database_error(error: sqlite3.Error) -> Response:
        """The database could not be read or written: say so (503), never a 500."""
        app.logger.error("Database error on %s %s: %s", request.method, request.path, error)
        return http_error(DatabaseUnavailable())

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return http_error(InternalServerError())


class DatabaseUnavailable(ServiceUnavailable):
    description = "We cannot save anything right now. Please try again later."
