"""Vondt i foten og ryggen: a Norwegian-first web app for people with foot and back pain.

Layout: `core/` is the Flask-free core (settings, articles, exercises and programmes, the
clinic, search, the symptom checker's engine): it loads and checks data and computes answers.
The modules here are the web layer, one blueprint per capability (`library.py`,
`checker_flow.py`, `programs.py`, `booking.py`, `feedback.py`, `admin.py`, `api.py`,
`pages.py`) and the plumbing (`db.py`, `caching.py`, `security.py`, `i18n.py`, `assets.py`).
`create_app` wires them, and builds the stack of WSGI layers around Flask in one place, at
its end.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .core.settings import DEFAULTS, ROOT, from_environment

__all__ = ["ROOT", "create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then <instance>/config.py, then WEBAPP_* variables, then tests."""
    instance = os.environ.get("WEBAPP_INSTANCE") or (test_config or {}).get("INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(Path(instance).resolve()) if instance else None,
        instance_relative_config=True,
        static_folder=None,  # served by webapp.assets with fingerprinted names
        template_folder="templates",
    )
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(from_environment(os.environ))
    if test_config:
        app.config.from_mapping({k: v for k, v in test_config.items() if k != "INSTANCE_PATH"})
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from . import (
        admin,
        api,
        assets,
        booking,
        caching,
        checker_flow,
        db,
        export,
        feedback,
        i18n,
        library,
        programs,
        reviews,
        security,
    )
    from .pages import bp as pages_bp

    security.init_app(app)  # hosts, error pages
    i18n.init_app(app)
    caching.init_app(app)
    assets.init_app(app)
    booking.init_clinic(app)
    db.init_app(app)
    app.register_blueprint(pages_bp)
    library.init_app(app)
    programs.init_app(app)
    checker_flow.init_app(app)
    booking.init_app(app)
    feedback.init_app(app)
    admin.init_app(app)
    reviews.init_app(app)  # after the content it reviews: logs what is due
    api.init_app(app)
    export.init_app(app)

    # The WSGI layers around Flask, innermost first. The page cache answers public pages
    # without running Flask; ProxyFix, when there is a proxy, sets the client's address and
    # scheme before anything reads them; the security headers go on every response, cached or
    # not, and a last guard turns anything that escapes into a 500 with those headers.
    stack = caching.PageCache(app, app.wsgi_app)
    stack.on_hit = feedback.count_view  # a page served from the cache is a view too
    app.extensions["page_cache"] = stack
    outer: Any = stack
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        outer = ProxyFix(outer, x_for=count, x_proto=count)
    app.wsgi_app = security.SecurityHeaders(app, outer)  # type: ignore[method-assign]
    return app
