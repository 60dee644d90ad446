"""Vondt i foten og ryggen: a Norwegian-first web app for people with foot and back pain."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,  # WEBAPP_SECRET_KEY, else a random key kept in the instance folder
    "DATABASE": "webapp.sqlite3",  # relative to the instance folder
    "CONTENT_DIR": str(ROOT / "content"),
    "CLINIC_FILE": None,  # None: <instance>/clinic.toml if present, else content/clinic.toml
    "LANGUAGES": ("nb", "en"),
    "BABEL_DEFAULT_LOCALE": "nb",
    "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
    "HSTS_SECONDS": 63072000,  # two years
    "SEND_FILE_MAX_AGE_DEFAULT": 0,  # fingerprinted static files set their own long cache
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "RETENTION_DAYS": 396,  # anonymous rows are kept 13 months
    "COUNT_FLUSH_SECONDS": 2.0,  # outcome and page-view counts are written in batches
    "FEEDBACK_RATE_LIMIT": "10/600",  # feedback posts per client per seconds (in memory)
}


def _env_config(environ: dict[str, str]) -> dict[str, Any]:
    """WEBAPP_FOO=bar becomes FOO='bar' (WEBAPP_INSTANCE is handled by the factory)."""
    prefix = "WEBAPP_"
    return {
        key[len(prefix) :]: value
        for key, value in environ.items()
        if key.startswith(prefix) and key != "WEBAPP_INSTANCE"
    }


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
    app.config.from_mapping(_env_config(dict(os.environ)))
    if test_config:
        app.config.from_mapping({k: v for k, v in test_config.items() if k != "INSTANCE_PATH"})
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from . import (
        admin,
        api,
        assets,
        booking,
        caching,
        checker,
        clinic,
        db,
        export,
        feedback,
        i18n,
        library,
        programs,
        security,
    )
    from .pages import bp as pages_bp

    i18n.init_app(app)
    caching.init_app(app)
    assets.init_app(app)
    clinic.init_app(app)
    db.init_app(app)
    app.register_blueprint(pages_bp)
    library.init_app(app)
    programs.init_app(app)
    checker.init_app(app)
    booking.init_app(app)
    feedback.init_app(app)
    admin.init_app(app)
    api.init_app(app)  # after the routes it links to
    export.init_app(app)
    security.init_app(app)  # last: its headers wrap every layer, cached pages and the API too
    return app
