"""The registry of public pages for /sitemap.xml (and, later, the static export).

Each capability registers a function that yields one dict per page: language → URL path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask

PageSource = Callable[[], Iterable[dict[str, str]]]


def register(app: Flask, source: PageSource) -> None:
    app.extensions.setdefault("sitemap", []).append(source)


def public_pages(app: Flask) -> list[dict[str, str]]:
    """Every public page with its language alternates, in registration order."""
    return [page for source in app.extensions.get("sitemap", []) for page in source()]
