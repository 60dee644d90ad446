"""Booking: every department of the clinic, and the checker's summary one tap away."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l

from . import sitemap
from .caching import cache_pages
from .checker_flow import BadForm, read_flow, summary_context
from .core.clinic import load_clinic
from .core.settings import ROOT
from .i18n import enabled_languages, localized_route

bp = Blueprint("booking", __name__)


def clinic_file(app: Flask) -> Path:
    """CLINIC_FILE, else `clinic.toml` in the instance folder, else `content/clinic.toml`."""
    if app.config["CLINIC_FILE"]:
        return Path(app.config["CLINIC_FILE"])
    local = Path(app.instance_path) / "clinic.toml"
    return local if local.exists() else ROOT / "content" / "clinic.toml"


def init_clinic(app: Flask) -> None:
    """Load the clinic file at start-up: every page shows its name and phone numbers."""
    clinic = load_clinic(clinic_file(app))
    app.extensions["clinic"] = clinic
    app.config["LANGUAGES"] = clinic.languages  # without those the clinic switched off
    app.jinja_env.globals["clinic"] = clinic


DAY_NAMES = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}


def days_label(days: tuple[str, ...]) -> str:
    """«Monday–Friday» for a run of days in a row, else «Monday, Wednesday»."""
    order = list(DAY_NAMES)
    index = sorted(order.index(d) for d in days)
    if len(index) > 2 and index == list(range(index[0], index[-1] + 1)):
        return f"{DAY_NAMES[order[index[0]]]}–{str(DAY_NAMES[order[index[-1]]]).lower()}"
    return ", ".join(str(DAY_NAMES[order[i]]) for i in index)


@localized_route(bp, {"nb": "/nb/bestill-time", "en": "/en/book"}, methods=["GET", "POST"])
def book(lang: str) -> Response:
    """GET: the departments. POST (from the checker's result): the same, with the summary.

    The answers come in the POST body, as everywhere in the checker, and are not stored.
    """
    summary: dict = {}
    if request.method == "POST":
        try:
            flow = read_flow(request.form)
        except BadForm:
            abort(400)
        if not flow.answers:
            abort(400)
        summary = summary_context(flow, lang)
    response = make_response(render_template("booking/book.html", days_label=days_label, **summary))
    if summary:
        response.headers["Cache-Control"] = "no-store"
    return response


def _sitemap_pages() -> list[dict[str, str]]:
    return [{lang: url_for("booking.book", lang=lang) for lang in enabled_languages()}]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    sitemap.register(app, _sitemap_pages)
    cache_pages(app, {"booking.book"})  # GET only: the POST with a summary is never cached
