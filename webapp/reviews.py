"""Reviews in the web layer: what is due for review (dashboard, start-up log), the rules'
sign-off, and `flask content sign-off`. The rules for what a sign-off covers are in
webapp/core/review.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .core import review, translation
from .core.validation import read_toml

content_cli = AppGroup("content", help="The content clinicians review.")


def reviewable(app: Flask) -> list[tuple[str, str, dt.date]]:
    """Everything with a next review date: (what, file, next_review)."""
    items: list[tuple[str, str, dt.date]] = []
    for lang, articles in app.extensions["library"].articles.items():
        for a in articles.values():
            items.append((f"{a.title} ({lang})", str(a.path), a.next_review))
    catalogue = app.extensions["catalogue"]
    for ex in catalogue.exercises.values():
        items.append((f"{ex.text['nb']['name']} (exercise)", ex.path, ex.next_review))
    for prog in catalogue.programs.values():
        items.append((f"{prog.text['nb']['title']} (programme)", prog.path, prog.next_review))
    checker = app.extensions["checker"]
    rules = str(Path(app.config["CONTENT_DIR"]) / "triage" / "rules.toml")
    if checker.next_review:
        items.append(("The symptom checker's rules", rules, checker.next_review))
    return items


def due(app: Flask) -> list[review.Due]:
    return review.due(reviewable(app))


@content_cli.command("sign-off")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--name", required=True, help="The clinician's full name.")
@click.option("--role", required=True, help="E.g. fysioterapeut, lege, kiropraktor.")
@click.option("--hpr", required=True, help="Their number in Helsepersonellregisteret (HPR).")
@click.option("--scope", required=True, help="What they reviewed, e.g. «tekst, råd og kilder».")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The day of the review (default: today).")  # fmt: skip
def sign_off_command(
    files: tuple[Path, ...], name: str, role: str, hpr: str, scope: str, day: dt.datetime | None
) -> None:
    """Record a clinician's sign-off of FILES as they are now (articles, exercises, programmes,
    content/triage/rules.toml). A later change to a file's text ends its sign-off."""
    when = day.date() if day else dt.date.today()
    for path in files:
        try:
            digest = review.add_sign_off(path, name, role, hpr, scope, when)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Signed {path} ({digest[:12]}) by {name}, {role}, HPR {hpr}, {when}")
    click.echo("Restart the app to show the sign-off on the pages.")


@content_cli.command("translation-reviewed")
@click.argument("lang", type=click.Choice(translation.translated_languages()))
@click.option("--name", required=True, help="The reviewer's full name.")
@click.option(
    "--role", required=True, help="Their qualification, e.g. «statsautorisert translatør»."
)
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The day of the review (default: today).")  # fmt: skip
@with_appcontext
def translation_reviewed_command(lang: str, name: str, role: str, day: dt.datetime | None) -> None:
    """Record that a qualified person has checked the LANG translation as it is now (its
    catalogue and content texts). The pages in LANG then stop saying they are unchecked; a
    later change to a translation brings the line back until it is reviewed again."""
    when = day.date() if day else dt.date.today()
    content = Path(current_app.config["CONTENT_DIR"])
    translations = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
    files = translation.record_review(content, translations, lang, name, role, when)
    click.echo(f"Reviewed {lang} ({files}) by {name}, {role}, {when}")
    click.echo("Restart the app to drop the «not yet checked» line from its pages.")


def rules_sign_off(app: Flask) -> review.SignOff | None:
    path = Path(app.config["CONTENT_DIR"]) / "triage" / "rules.toml"
    data, at = read_toml(path)
    return review.signed(path, data, at)


def init_app(app: Flask) -> None:
    """After the library, the programmes and the checker: log what is due for review."""
    app.extensions["checker"].signed = rules_sign_off(app)
    for item in due(app):
        state = "overdue since" if item.overdue else "due on"
        app.logger.warning("Review %s %s: %s (%s)", state, item.next_review, item.what, item.path)
    app.cli.add_command(content_cli)
