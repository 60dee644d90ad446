"""Six languages (issue #14): every part of a language present, the right language chosen,
the review state shown honestly, right to left done properly, and a language switched off."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import app_config

from webapp import create_app
from webapp.core.articles import load_library
from webapp.core.languages import BY_CODE, LANGUAGES, WRITTEN
from webapp.core.translation import (
    KINDS,
    check_overlays,
    kinds,
    load_review,
    overlay_path,
    skeleton,
    stale,
    stamp,
    translated_languages,
)
from webapp.core.triage import load_checker
from webapp.core.validation import ContentError

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TRANSLATIONS = ROOT / "translations"
TRANSLATED = translated_languages()
NAMES = {"nb": "Norsk bokmål", "nn": "Norsk nynorsk", "en": "English", "pl": "Polski",
         "uk": "Українська", "ar": "العربية"}  # fmt: skip


# --- Every part of every language -----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_all_its_parts(lang):
    """What a half-done language lacks: a catalogue with every string translated, its review
    state, the content overlays, and (for a language written in full) every article."""
    assert lang in NAMES and BY_CODE[lang].name == NAMES[lang]
    if lang != "en":  # the catalogue's own language
        po = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
        assert po.exists(), f"no catalogue for {lang}"
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for m in catalog:
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            assert not m.id or (all(strings) and not m.fuzzy), (lang, m.id)
        assert (po.with_suffix(".mo")).exists()
    if lang in WRITTEN:
        return
    review = load_review(CONTENT, TRANSLATIONS, lang)
    assert review.translated_by and review.method
    for kind in kinds(lang):
        assert overlay_path(CONTENT, lang, kind).exists()
    if BY_CODE[lang].scope == "full":
        nb = {p.name for p in (CONTENT / "nb" / "articles").glob("*.md")}
        assert {p.name for p in (CONTENT / lang / "articles").glob("*.md")} == nb


def test_overlays_are_complete_and_translate_nothing_that_is_gone():
    check_overlays(CONTENT)


def test_every_checker_text_is_there_in_every_language():
    checker = load_checker(CONTENT / "triage")
    for lang in LANGUAGES:
        for q in checker.questions:
            assert q.text[lang].strip(), (lang, q.id)
            if q.required:
                assert q.sign[lang].strip(), (lang, q.id)
            assert bool(q.help[lang]) == bool(q.help["nb"]), (lang, q.id)
        for region in checker.regions:
            assert region.label[lang].strip(), (lang, region.id)
        for advice in checker.advice.values():
            assert advice.text[lang].strip(), (lang, advice.id)
        for rule in checker.rules:
            assert rule.reason[lang].strip(), (lang, rule.id)


def _content_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


def _blank(path: Path, section: str, field: str) -> None:
    """Empty one translated text in an overlay file, as a half-finished translation would."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"[{section}]\n")
    match = re.compile(rf'^{field} = (".*"|\[\n(?:  ".*",\n)*\])$', re.M).search(text, start)
    assert match, (section, field)
    empty = '""' if match.group(1).startswith('"') else "[]"
    path.write_text(text[: match.start(1)] + empty + text[match.end(1) :], encoding="utf-8")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_missing_safety_text_stops_start_up_naming_language_file_and_key(tmp_path, lang):
    content = _content_copy(tmp_path)
    overlay = overlay_path(content, lang, "checker")
    _blank(overlay, "question.saddle_numbness", "sign")
    with pytest.raises(ContentError) as caught:
        load_checker(content / "triage")
    assert caught.value.file == str(overlay)
    assert caught.value.key == "question.saddle_numbness.sign"
    assert lang in caught.value.problem and BY_CODE[lang].name in caught.value.problem


@pytest.mark.parametrize(
    ("kind", "section", "field"),
    [
        ("checker", "advice.cauda_equina", "text"),
        ("checker", "rule.sudden_severe_pain", "reason"),
        ("programmes", "exercise.bridge", "stop_if"),
        ("programmes", "program.sciatica", "see_someone_first"),
        ("articles", "article.sciatica", "emergency"),
    ],
)
def test_start_up_refuses_any_missing_safety_text(tmp_path, kind, section, field):
    content = _content_copy(tmp_path)
    _blank(overlay_path(content, "ar", kind), section, field)
    with pytest.raises(ContentError, match=re.escape(f"{section}.{field}")):
        create_app(app_config(tmp_path / "instance") | {"CONTENT_DIR": str(content)})


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_translation_is_stale(lang):
    """Every translation was made from today's nb and en texts (`translation stamp`)."""
    assert stale(CONTENT, lang) == []


def test_a_changed_nb_text_makes_its_translations_stale_until_stamped(tmp_path):
    content = _content_copy(tmp_path)
    questions = content / "triage" / "questions.toml"
    text = questions.read_text(encoding="utf-8")
    questions.write_text(
        text.replace("innsiden av lårene?", "innsiden av lårene nå?", 1), encoding="utf-8"
    )
    article = content / "nb" / "articles" / "sciatica.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nEn ny setning.\n", "utf-8")
    for lang in TRANSLATED:
        assert "checker: question.saddle_numbness.text" in stale(content, lang)
    assert "article_files: article.sciatica.file" in stale(content, "nn")
    stamp(content, "pl", {"question.saddle_numbness.text"})
    assert stale(content, "pl") == []
    assert "checker: question.saddle_numbness.text" in stale(content, "uk")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_skeleton_keeps_every_translation_and_search_word(lang):
    """Running `translation skeleton` after an nb change must not lose any translated text."""
    for kind in kinds(lang):
        path = overlay_path(CONTENT, lang, kind)
        assert tomllib.loads(skeleton(CONTENT, lang, kind)) == tomllib.loads(
            path.read_text(encoding="utf-8")
        )


def test_a_translation_of_something_that_is_gone_is_refused(tmp_path):
    content = _content_copy(tmp_path)
    overlay = overlay_path(content, "pl", "checker")
    with overlay.open("a", encoding="utf-8") as handle:
        handle.write('\n[question.no_such_question]\ntext = "Czy?"\n')
    with pytest.raises(ContentError, match="translates nothing"):
        load_checker(content / "triage")


def test_a_core_language_borrows_articles_but_translates_their_care_box():
    library = load_library(CONTENT)
    for lang in LANGUAGES:
        assert set(library.articles[lang]) == set(library.articles["nb"])
    pl, en = library.get("pl", "sciatica"), library.get("en", "sciatica")
    assert pl.body_lang == "en" and pl.rest_html == en.rest_html
    assert pl.title != en.title and pl.care.emergency != en.care.emergency
    assert len(pl.care.emergency) == len(en.care.emergency)
    assert library.get("nn", "sciatica").text_lang == "nn"


# --- Choosing the language ---------------------------------------------------------------------


def test_every_page_names_its_six_languages(reading_client):
    html = reading_client.get("/pl/symptom-checker").get_data(as_text=True)
    for lang in LANGUAGES:
        assert re.search(rf'<link rel="alternate" hreflang="{lang}" href="[^"]+/{lang}/', html)
        # the language menu names each language in itself, marked with its language
        assert re.search(rf'lang="{lang}" dir="[a-z]+"[^>]*>{NAMES[lang]}</a>', html), lang
    assert 'hreflang="x-default"' in html
    assert '<html lang="pl" dir="ltr">' in html
    sitemap = reading_client.get("/sitemap.xml").get_data(as_text=True)
    for lang in LANGUAGES:
        assert f"/{lang}/" in sitemap


def test_nynorsk_has_its_own_addresses(reading_client):
    assert reading_client.get("/nn/tilstandar/").status_code == 200
    assert reading_client.get("/nn/program/sciatica").status_code == 200
    assert reading_client.get("/nn/ovingar/bridge").status_code == 200
    html = reading_client.get("/nn/program/sciatica").get_data(as_text=True)
    assert '<html lang="nn"' in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_checker_api_answers_in_every_language(reading_client, lang):
    checker = load_checker(CONTENT / "triage")
    answers = {q.id: "no" for q in checker.questions} | {"saddle_numbness": "yes"}
    body = {"age": 40, "duration_weeks": 1, "pain_areas": ["lower_back"], "answers": answers,
            "lang": lang}  # fmt: skip
    response = reading_client.post("/api/v1/triage", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["urgency"] == "emergency"
    reasons = {r.id: r.reason[lang] for r in checker.rules} | {
        q.id: r.reason[lang] for r in checker.rules for q in checker.questions if q.id == r.id
    }
    assert data["reasons"][0]["text"] in reasons.values()


# --- Honest about translation --------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_unreviewed_translation_says_so_with_a_link_to_norwegian(reading_client, lang):
    html = reading_client.get(f"/{lang}/").get_data(as_text=True)
    note = re.search(r'<p class="app-translation-note[^"]*">(.*?)</p>', html, re.S)
    if lang in WRITTEN:
        assert note is None
    else:
        assert note and 'href="/nb/"' in note.group(1) and 'lang="nb"' in note.group(1)


def test_a_recorded_review_drops_the_note_until_a_translation_changes(tmp_path):
    translations, content = tmp_path / "translations", _content_copy(tmp_path)
    shutil.copytree(TRANSLATIONS, translations)
    config = app_config(tmp_path / "instance") | {
        "BABEL_TRANSLATION_DIRECTORIES": str(translations),
        "CONTENT_DIR": str(content),
    }
    result = (
        create_app(config)
        .test_cli_runner()
        .invoke(
            args=[
                "content",
                "translation-reviewed",
                "pl",
                "--name",
                "A. Nowak",
                "--role",
                "tłumacz przysięgły",
                "--date",
                "2026-12-01",
            ]  # fmt: skip
        )
    )
    assert result.exit_code == 0, result.output
    review = load_review(content, translations, "pl")
    assert review.reviewed and review.reviewed_by == "A. Nowak"
    client = create_app(config).test_client()
    assert "app-translation-note" not in client.get("/pl/").get_data(as_text=True)
    assert "app-translation-note" in client.get("/uk/").get_data(as_text=True)
    # a later change to a Polish text ends the review: the line is back
    overlay = overlay_path(content, "pl", "checker")
    overlay.write_text(overlay.read_text(encoding="utf-8").replace("Czy", "Czy ", 1), "utf-8")
    assert not load_review(content, translations, "pl").reviewed
    client = create_app(config).test_client()
    assert "app-translation-note" in client.get("/pl/").get_data(as_text=True)


def test_a_review_names_who_their_role_and_the_date(tmp_path):
    (tmp_path / "pl").mkdir()
    (tmp_path / "pl" / "review.toml").write_text(
        'translated_by = "x"\ntranslated_on = 2026-11-28\nmethod = "x"\nreviewed_by = "A. Nowak"\n'
    )
    with pytest.raises(ContentError, match="reviewed_files|reviewed_on|reviewer_role"):
        load_review(CONTENT, tmp_path, "pl")


def test_pages_a_core_language_borrows_say_so_and_mark_the_borrowed_language(reading_client):
    html = reading_client.get("/pl/conditions/sciatica").get_data(as_text=True)
    assert html.count('<div lang="en" dir="ltr">') == 2  # the article's sections
    care = html[html.index("app-care-card") :]
    assert load_library(CONTENT).get("pl", "sciatica").care.emergency[0] in care
    html = reading_client.get("/pl/exercises/bridge").get_data(as_text=True)
    assert '<p lang="en" dir="ltr">' in html  # the purpose and how-to, not yet in Polish
    stop = html[html.index('class="app-stop"') :]
    assert 'lang="en"' not in stop[: stop.index("</div>")]  # the stop rules are Polish
    assert html.count('class="app-translation-note') == 2  # the page's note and the review note
    nb = reading_client.get("/nb/ovelser/bridge").get_data(as_text=True)
    assert 'lang="en"' not in nb.split("<main", 1)[1]


# --- Right to left ---------------------------------------------------------------------------


def test_arabic_is_right_to_left_with_numbers_kept_left_to_right(reading_client):
    # the result after an emergency sign: 116 117 in the advice text (content), in the
    # buttons (translated sentences) and in the footer (the template)
    data = {"step": "emergency", "sign": "saddle_numbness", "nav": "next"}
    html = reading_client.post("/ar/symptom-checker", data=data).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    html = re.sub(r'<bdi dir="ltr">(.*?)</bdi>', "\u2066\\1\u2069", html)
    text = re.sub(r"<[^>]+>", "", html)
    runs = re.findall(r"[\u2066]?\d+(?:[ \u00a0]\d+)+", text)
    assert len(runs) >= 4 and all(run.startswith("\u2066") for run in runs), runs
    assert "\u2066" not in reading_client.get("/nb/").get_data(as_text=True)


def test_the_stylesheet_uses_logical_properties():
    css = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
    physical = re.findall(
        r"(?:margin|padding|border)-(?:left|right)\b|(?<![-\w])(?:left|right)\s*:"
        r"|text-align:\s*(?:left|right)|float:\s*(?:left|right)",
        css,
    )
    assert physical == []


# --- A language switched off ---------------------------------------------------------------------


def test_the_clinic_can_switch_a_language_off(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    clinic = (CONTENT / "clinic.toml").read_text(encoding="utf-8")
    (instance / "clinic.toml").write_text('languages_off = ["ar"]\n' + clinic, encoding="utf-8")
    client = create_app(app_config(instance)).test_client()
    assert client.get("/ar/").status_code == 404
    assert client.get("/ar/symptom-checker").status_code == 404
    html = client.get("/nb/").get_data(as_text=True)
    assert "العربية" not in html and 'hreflang="ar"' not in html
    assert "/ar/" not in client.get("/sitemap.xml").get_data(as_text=True)
    assert client.get("/", headers={"Accept-Language": "ar"}).headers["Location"] == "/nb/"
    assert client.post("/api/v1/triage", json={"lang": "ar"}).status_code == 422
    assert client.get("/pl/").status_code == 200


def test_the_default_language_cannot_be_switched_off(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    clinic = (CONTENT / "clinic.toml").read_text(encoding="utf-8")
    (instance / "clinic.toml").write_text('languages_off = ["nb"]\n' + clinic, encoding="utf-8")
    with pytest.raises(ContentError, match="default language"):
        create_app(app_config(instance))


def test_kinds_cover_every_overlay():
    assert set(KINDS) == {"checker", "programmes", "articles"}
    for lang in TRANSLATED:
        for kind in KINDS:
            assert overlay_path(CONTENT, lang, kind).exists() == (kind in kinds(lang))
