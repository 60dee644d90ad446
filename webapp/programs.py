"""Exercise programmes, their weekly sessions, the exercise pages and the pain diary page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, render_template, request, url_for
from flask_babel import gettext, ngettext
from markupsafe import Markup

from . import sitemap
from .caching import cache_pages
from .core.catalogue import Catalogue, Dose, Exercise, Program, load_catalogue
from .core.languages import DEFAULT_LANGUAGE, LANGUAGES
from .core.settings import ROOT
from .core.validation import ContentError
from .i18n import borrowed_attrs, current_language, enabled_languages, localized_route

bp = Blueprint("programs", __name__)

DRAWINGS = ROOT / "static" / "img" / "exercises"


def catalogue() -> Catalogue:
    return current_app.extensions["catalogue"]


def program_or_404(program_id: str) -> Program:
    program = catalogue().programs.get(program_id)
    if program is None:
        abort(404)
    return program


def program_url(program_id: str, lang: str | None = None) -> str:
    return url_for("programs.program", lang=lang or current_language(), program_id=program_id)


def drawing(name: str) -> Markup:
    """An exercise drawing inlined, so its lines follow the text colour in light and dark mode."""
    return current_app.extensions["drawings"][name]


def duration_text(seconds: int) -> str:
    """A length of time as people say it: «30 sekunder», «5 minutter», «1 minutt 30 sekunder»."""
    minutes, rest = divmod(seconds, 60)
    parts = []
    if minutes:
        parts.append(ngettext("%(num)d minute", "%(num)d minutes", minutes))
    if rest or not minutes:
        parts.append(ngettext("%(num)d second", "%(num)d seconds", rest))
    return " ".join(parts)


def dose_text(dose: Dose) -> str:
    """The dose in words, as a physiotherapist would say it: «10 ganger, 2 runder. Hold i
    3 sekunder hver gang. 2 ganger om dagen.» One round is not mentioned, and times read as
    people say them («Hold i 5 minutter», never «300 sekunder»)."""
    side = " " + gettext("on each side") if dose.per_side else ""
    rounds = ", " + ngettext("%(num)d round", "%(num)d rounds", dose.sets) if dose.sets > 1 else ""
    if dose.kind == "reps":
        text = ngettext("%(num)d time", "%(num)d times", dose.reps) + side + rounds + "."
        if dose.hold_seconds:
            text += " " + gettext("Hold %(time)s each time.", time=duration_text(dose.hold_seconds))
    elif dose.kind == "hold":
        text = gettext("Hold %(time)s", time=duration_text(dose.seconds)) + side + rounds + "."
    else:
        text = duration_text(dose.minutes * 60) + "."
    if dose.times_per_day == 1:
        return text + " " + gettext("Once a day.")
    return text + " " + ngettext("%(num)d time a day.", "%(num)d times a day.", dose.times_per_day)


@localized_route(bp, {"nb": "/nb/programmer/", "nn": "/nn/program/", "en": "/en/programmes/"})
def index(lang: str) -> str:
    return render_template("programs/index.html", programs=list(catalogue().programs.values()))


@localized_route(
    bp,
    {
        "nb": "/nb/programmer/<program_id>",
        "nn": "/nn/program/<program_id>",
        "en": "/en/programmes/<program_id>",
    },
)
def program(lang: str, program_id: str) -> str:
    prog = program_or_404(program_id)
    library = current_app.extensions["library"]
    return render_template(
        "programs/program.html",
        program=prog,
        exercises=catalogue().exercises,
        related=[library.get(lang, key) for key in prog.related_articles],
        # The service worker keeps these on the phone once the programme is opened.
        offline_pages=[request.path]
        + [
            url_for("programs.session", lang=lang, program_id=prog.id, week=w.first)
            for w in prog.weeks
        ],
    )


@localized_route(
    bp,
    {
        "nb": "/nb/programmer/<program_id>/uke-<int:week>",
        "nn": "/nn/program/<program_id>/veke-<int:week>",
        "en": "/en/programmes/<program_id>/week-<int:week>",
    },
)
def session(lang: str, program_id: str, week: int) -> str:
    """Today's exercises: a list without JavaScript, a one-at-a-time player with it."""
    prog = program_or_404(program_id)
    block = next((w for w in prog.weeks if w.first == week), None)
    if block is None:
        abort(404)
    return render_template(
        "programs/session.html",
        program=prog,
        block=block,
        exercises=[catalogue().exercises[e] for e in block.exercises],
    )


@localized_route(
    bp,
    {
        "nb": "/nb/ovelser/<exercise_id>",
        "nn": "/nn/ovingar/<exercise_id>",
        "en": "/en/exercises/<exercise_id>",
    },
)
def exercise(lang: str, exercise_id: str) -> str:
    ex: Exercise | None = catalogue().exercises.get(exercise_id)
    if ex is None:
        abort(404)
    used_in = [
        p for p in catalogue().programs.values() if any(ex.id in w.exercises for w in p.weeks)
    ]
    return render_template("programs/exercise.html", exercise=ex, used_in=used_in)


@localized_route(bp, {"nb": "/nb/dagbok", "en": "/en/diary"})
def diary(lang: str) -> str:
    return render_template("programs/diary.html", programs=catalogue().programs)


def _sitemap_pages() -> list[dict[str, str]]:
    cat = catalogue()
    pages: list[dict[str, str]] = [
        {lang: url_for(endpoint, lang=lang) for lang in enabled_languages()}
        for endpoint in ("programs.index", "programs.diary")
    ]
    for prog in cat.programs.values():
        pages.append({lang: program_url(prog.id, lang) for lang in enabled_languages()})
        for block in prog.weeks:
            pages.append(
                {
                    lang: url_for(
                        "programs.session", lang=lang, program_id=prog.id, week=block.first
                    )
                    for lang in enabled_languages()
                }
            )
    for ex_id in cat.exercises:
        pages.append(
            {
                lang: url_for("programs.exercise", lang=lang, exercise_id=ex_id)
                for lang in enabled_languages()
            }
        )
    return pages


def lang_of(item: Exercise | Program, field: str, direction: bool = True) -> Markup:
    """borrowed_attrs() on an element whose `field` of `item` the page's language borrows
    from its fallback language; else nothing."""
    if field in item.borrowed.get(current_language(), ()):
        return borrowed_attrs(direction)
    return Markup("")


def init_app(app: Flask) -> None:
    library = app.extensions["library"]
    cat = load_catalogue(
        Path(app.config["CONTENT_DIR"]), DRAWINGS, set(library.articles[DEFAULT_LANGUAGE])
    )
    app.extensions["catalogue"] = cat
    app.extensions["drawings"] = {
        # our own drawings from the repository, checked by the tests: trusted markup
        p.name: Markup(p.read_text(encoding="utf-8"))  # noqa: S704
        for p in sorted(DRAWINGS.glob("*.svg"))
    }
    for lang in LANGUAGES:
        for article in library.articles[lang].values():
            if article.program and article.program not in cat.programs:
                raise ContentError(article.path, "program", f"no programme {article.program!r}")
    app.jinja_env.globals.update(
        program_url=program_url, drawing=drawing, dose_text=dose_text, lang_of=lang_of
    )
    app.register_blueprint(bp)
    sitemap.register(app, _sitemap_pages)
    cache_pages(
        app, {f"programs.{name}" for name in ("index", "program", "session", "exercise", "diary")}
    )
