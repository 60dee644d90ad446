"""The registry of public pages for /sitemap.xml and the static export, and the site's root.

Each capability registers a function that yields one dict per page: language → URL path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, current_app, request

PageSource = Callable[[], Iterable[dict[str, str]]]


def register(app: Flask, source: PageSource) -> None:
    app.extensions.setdefault("sitemap", []).append(source)


def public_pages(app: Flask) -> list[dict[str, str]]:
    """Every public page with its language alternates, in registration order; only the
    languages this site serves (the clinic may switch some off)."""
    enabled = app.config["LANGUAGES"]
    return [
        {lang: url for lang, url in page.items() if lang in enabled}
        for source in app.extensions.get("sitemap", [])
        for page in source()
    ]


def startup_url(app: Flask) -> str:
    """A root URL the app itself accepts, for building links outside a request (start-up,
    commands): BASE_URL, else the first trusted host, else localhost."""
    if app.config["BASE_URL"]:
        return app.config["BASE_URL"]
    hosts = app.config.get("TRUSTED_HOSTS") or ["localhost"]
    return "http://" + hosts[0].lstrip(".")


def site_root() -> str:
    """The public address absolute links start with: BASE_URL when set (production: never the
    request's Host header), else this request's scheme and host (development, tests)."""
    return (current_app.config["BASE_URL"] or request.host_url).rstrip("/")
