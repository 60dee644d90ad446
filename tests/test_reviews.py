"""Honest review (issue #12): no page claims a clinical review unless a clinician's sign-off is
recorded for its very text; `flask content sign-off` records one; reviews that are due show on
the dashboard and in the start-up log."""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from webapp import create_app
from webapp.core.articles import load_library
from webapp.core.languages import LANGUAGES
from webapp.core.review import add_sign_off, text_hash
from webapp.core.validation import ContentError

ROOT = Path(__file__).resolve().parent.parent
HTTPS = "https://localhost"
SIGNER = ["--name", "Kari Nordmann", "--role", "fysioterapeut", "--hpr", "1234567",
          "--scope", "tekst, råd og kilder", "--date", "2026-12-01"]  # fmt: skip


def every_reviewed_page(app) -> list[str]:
    with app.test_request_context():
        from flask import url_for

        pages = [url_for("checker.rules", lang=lang) for lang in LANGUAGES]
        for lang, articles in app.extensions["library"].articles.items():
            pages += [url_for("library.article", lang=lang, slug=a.slug) for a in articles.values()]
        catalogue = app.extensions["catalogue"]
        for lang in LANGUAGES:
            pages += [
                url_for("programs.program", lang=lang, program_id=p) for p in catalogue.programs
            ]
            pages += [url_for("programs.exercise", lang=lang, exercise_id=e)
                      for e in catalogue.exercises]  # fmt: skip
    return pages


def _in(lang: str, msgid: str) -> str:
    if lang == "en":
        return msgid
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle).get(msgid).string


LAST_UPDATED = {lang: _in(lang, "Last updated:") for lang in LANGUAGES}
# The claim in every language: the words before the reviewer's name.
CLAIMS = re.compile(
    "|".join(
        re.escape(
            _in(lang, "Clinically reviewed by %(name)s, %(role)s (HPR %(hpr)s),").split("%(")[0]
        )
        for lang in LANGUAGES
    )
    + "|gjennomgått av|reviewed by",
    re.IGNORECASE,
)


def test_no_page_claims_a_clinical_review_nobody_signed(reading_client):
    pages = every_reviewed_page(reading_client.application)
    assert len(pages) > 100
    for path in pages:
        html = reading_client.get(path).get_data(as_text=True)
        assert not CLAIMS.search(html), path
        lang = path.split("/")[1]
        assert LAST_UPDATED[lang] in html, path


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    return folder


def app_on(content: Path, tmp_path: Path, name: str = "i"):
    return create_app({"INSTANCE_PATH": str(tmp_path / name), "CONTENT_DIR": str(content),
                       "COUNT_FLUSH_SECONDS": 0})  # fmt: skip


def test_a_sign_off_round_trips_and_ends_when_the_text_changes(content, tmp_path):
    article = content / "nb" / "articles" / "sciatica.md"
    rules = content / "triage" / "rules.toml"
    before = text_hash(article.read_text())
    result = (
        app_on(content, tmp_path)
        .test_cli_runner()
        .invoke(args=["content", "sign-off", str(article), str(rules), *SIGNER])
    )
    assert result.exit_code == 0, result.output
    assert text_hash(article.read_text()) == before  # signing does not change the signed text
    client = app_on(content, tmp_path, "j").test_client()
    page = client.get("/nb/tilstander/isjias").get_data(as_text=True)
    assert "Faglig gjennomgått av Kari Nordmann, fysioterapeut (HPR 1234567)" in page
    assert "1. desember 2026" in page
    assert "Faglig gjennomgått av Kari Nordmann" in client.get("/nb/slik-vurderer-vi").get_data(
        as_text=True
    )
    assert not CLAIMS.search(client.get("/en/conditions/sciatica").get_data(as_text=True))
    # One word changed: the sign-off no longer covers the page.
    article.write_text(article.read_text().replace("Isjias", "Isjias ", 1))
    page = app_on(content, tmp_path, "k").test_client().get("/nb/tilstander/isjias")
    html = page.get_data(as_text=True)
    assert not CLAIMS.search(html) and "Sist oppdatert" in html


def test_a_sign_off_needs_a_real_hpr_number(content):
    path = content / "exercises" / "bridge.toml"
    with pytest.raises(ValueError, match="6 to 9 digits"):
        add_sign_off(path, "Kari", "lege", "12ab", "alt", dt.date(2026, 12, 1))
    path.write_text(path.read_text() + '\n[[sign_off]]\nname = "Kari"\nrole = "lege"\nhpr = "1"\n'
                    'date = 2026-12-01\nscope = "alt"\nsha256 = "x"\n')  # fmt: skip
    with pytest.raises(ContentError, match=re.escape("sign_off[0].hpr")):
        app_on(content, path.parent.parent.parent)


def test_due_reviews_show_on_the_dashboard_and_in_the_log(content, tmp_path, caplog):
    article = content / "en" / "articles" / "ankle-sprain.md"
    text = re.sub(r"(?m)^reviewed = .*$", "reviewed = 2025-01-01", article.read_text())
    article.write_text(re.sub(r"(?m)^next_review = .*$", "next_review = 2025-06-01", text))
    caplog.set_level(logging.WARNING)
    app = app_on(content, tmp_path)
    assert "Review overdue since 2025-06-01" in caplog.text and "ankle-sprain.md" in caplog.text
    app.test_cli_runner().invoke(
        args=["admin", "set-password", "--password-stdin"], input="correct horse battery\n"
    )
    admin = app.test_client()
    login = admin.get("/admin/login", base_url=HTTPS).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    admin.post("/admin/login", data={"csrf_token": token, "password": "correct horse battery"},
               base_url=HTTPS)  # fmt: skip
    html = admin.get("/admin/", base_url=HTTPS).get_data(as_text=True)
    section = html.split('id="reviews"')[1].split("<h2")[0]
    assert "Forfalt:" in section and "en/articles/ankle-sprain.md" in section
    assert "sciatica.md" not in section  # not due for a year


def test_the_library_has_no_sign_offs_yet():
    """A reminder that signing is a clinician's act: when one is recorded, this test is updated
    with it, so a sign-off never appears in the content unnoticed."""
    library = load_library(ROOT / "content")
    assert [a.key for lang in library.articles.values() for a in lang.values() if a.signed] == []
