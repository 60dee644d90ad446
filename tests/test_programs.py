"""Exercises and programmes: data validation and pages in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape

from webapp import create_app
from webapp.core.articles import ContentError, load_library
from webapp.core.catalogue import Dose, load_catalogue
from webapp.core.textstats import lix, load_seed_hashes, shared_runs
from webapp.programs import dose_text

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
DRAWINGS = ROOT / "static" / "img" / "exercises"
ARTICLES = set(load_library(CONTENT).articles["nb"])
CATALOGUE = load_catalogue(CONTENT, DRAWINGS, ARTICLES)
EXERCISES = sorted(CATALOGUE.exercises)
PROGRAMS = sorted(CATALOGUE.programs)
PREFIX = {"nb": ("/nb/ovelser/", "/nb/programmer/"), "en": ("/en/exercises/", "/en/programmes/")}


def test_the_library_covers_what_the_issue_asks():
    assert len(EXERCISES) >= 16
    assert PROGRAMS == sorted(
        [
            "acute-back",
            "subacute-back",
            "sciatica",
            "spinal-stenosis",
            "piriformis",
            "foot-nerves",
            "plantar-heel",
            "achilles",
            "ankle-sprain",
        ]
    )
    needed = {"walking", "pelvic-tilt", "knee-to-chest", "cat-camel", "press-up-lying",
              "sciatic-nerve-glide", "piriformis-stretch", "hamstring-stretch", "toe-spread",
              "towel-curl", "calf-stretch", "tibial-nerve-glide", "sole-stretch"}  # fmt: skip
    assert needed <= set(EXERCISES)
    assert {"core", "stenosis"} <= {e.category for e in CATALOGUE.exercises.values()}


def test_acute_programme_is_stay_active_first():
    """The guideline: no specific exercises in the first weeks of acute non-specific pain."""
    first = CATALOGUE.programs["acute-back"].weeks[0]
    assert "walking" in first.exercises
    assert not {"bird-dog", "bridge", "sit-to-stand"} & set(first.exercises)
    assert CATALOGUE.programs["subacute-back"].length_weeks == 6


@pytest.mark.parametrize("exercise_id", EXERCISES)
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_exercise_page_renders(reading_client, lang, exercise_id):
    ex = CATALOGUE.exercises[exercise_id]
    response = reading_client.get(PREFIX[lang][0] + exercise_id)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1 and ex.text[lang]["name"] in html
    assert html.count("<svg") >= 2 and ' style="' not in html
    assert f'role="img" aria-label="{escape(ex.text[lang]["alt"])}"' in html
    assert ("Stopp hvis:" if lang == "nb" else "Stop if:") in html
    sitemap = reading_client.get("/sitemap.xml").get_data(as_text=True)
    assert f"{PREFIX[lang][0]}{exercise_id}</loc>" in sitemap


@pytest.mark.parametrize("program_id", PROGRAMS)
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_programme_and_sessions_render(reading_client, lang, program_id):
    prog = CATALOGUE.programs[program_id]
    html = reading_client.get(PREFIX[lang][1] + program_id).get_data(as_text=True)
    html = html.replace("\u00a0", " ")  # a phone number's no-break spaces (i18n.whole_numbers)
    assert prog.text[lang]["title"] in html and prog.text[lang]["aim"] in html
    for item in prog.text[lang]["see_someone_first"]:
        assert str(escape(item)) in html
    for week in prog.weeks:
        session = re.search(rf'href="({PREFIX[lang][1]}{program_id}/[a-z]+-{week.first})"', html)
        assert session, f"no session link for week {week.first}"
        page = reading_client.get(session.group(1))
        assert page.status_code == 200
        assert page.get_data(as_text=True).count('class="app-session__item"') == len(week.exercises)
    assert 'data-offline-pages="' in html
    sitemap = reading_client.get("/sitemap.xml").get_data(as_text=True)
    assert f"{PREFIX[lang][1]}{program_id}</loc>" in sitemap


def test_every_article_programme_link_resolves(reading_client):
    library = load_library(CONTENT)
    for article in library.articles["nb"].values():
        if article.program:
            assert reading_client.get(f"/nb/programmer/{article.program}").status_code == 200


def test_unknown_programme_week_or_exercise_is_404(reading_client):
    assert reading_client.get("/nb/programmer/yoga").status_code == 404
    assert reading_client.get("/nb/programmer/sciatica/uke-99").status_code == 404
    assert reading_client.get("/en/exercises/headstand").status_code == 404


def test_diary_page_says_where_the_data_lives(reading_client):
    html = reading_client.get("/nb/dagbok").get_data(as_text=True)
    assert "Dagboken lagres bare i nettleseren på denne telefonen" in html
    assert "Slett dataene mine" in html
    assert "Set-Cookie" not in reading_client.get("/nb/dagbok").headers


def exercise_texts(lang: str) -> str:
    parts = []
    for ex in CATALOGUE.exercises.values():
        t = ex.text[lang]
        parts += [
            t["name"],
            t["purpose"],
            t["start"],
            *t["steps"],
            t["easier"],
            t["harder"],
            *t["stop_if"],
        ]
    for prog in CATALOGUE.programs.values():
        t = prog.text[lang]
        parts += [t["title"], t["aim"], t["who_for"], *t["see_someone_first"]]
        parts += [w.focus[lang] for w in prog.weeks]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_exercise_texts_are_our_own_and_readable(lang):
    text = exercise_texts(lang)
    assert shared_runs(text, load_seed_hashes()) == []
    if lang == "nb":
        assert lix(text) <= 38


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "exercises/bridge.toml",
            'category = "core"',
            'category = "magic"',
            "bridge.toml: category",
        ),
        (
            "exercises/bridge.toml",
            "times_per_day = ",
            "times_per_week = ",
            "bridge.toml: dose.times_per_week: unknown key",
        ),
        ("exercises/bridge.toml", 'name = "', 'navn = "', "bridge.toml: nb.navn: unknown key"),
        (
            "exercises/bridge.toml",
            'drawing_end = "bridge-end.svg"',
            'drawing_end = "nope.svg"',
            "bridge.toml: drawing_end",
        ),
        (
            "programs/sciatica.toml",
            '"relief-position"',
            '"levitation"',
            "sciatica.toml: weeks[1].exercises",
        ),
        ("programs/sciatica.toml", "week = 3", "week = 4", "sciatica.toml: weeks[2].week"),
        (
            "exercises/bridge.toml",
            "per_side = false",
            'per_side = "no"',
            "bridge.toml: dose.per_side: must be true or false",
        ),
        ("exercises/bridge.toml", "reps = 8", "reps = 0", "bridge.toml: dose.reps: must be a"),
        (
            "exercises/bridge.toml",
            'easier = "Løft bare noen centimeter."',
            "easier = 5",
            "bridge.toml: nb.easier: must be a string",
        ),
        (
            "programs/sciatica.toml",
            'related_articles = ["',
            'related_articles = ["nowhere", "',
            "sciatica.toml: related_articles",
        ),
    ],
)
def test_broken_data_file_stops_start_up(content_copy, tmp_path, file, old, new, message):
    path = content_copy / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError, match=re.escape(message)):
        create_app({"INSTANCE_PATH": str(tmp_path / "inst"), "CONTENT_DIR": str(content_copy)})


def test_a_data_file_that_is_not_utf8_is_named(content_copy):
    path = content_copy / "exercises" / "bridge.toml"
    path.write_bytes(path.read_bytes().replace("ø".encode(), b"\xf8"))  # saved as Latin-1
    with pytest.raises(ContentError, match=re.escape(f"{path}: (file): not UTF-8")):
        load_catalogue(content_copy, DRAWINGS, ARTICLES)


@pytest.mark.parametrize(
    ("lang", "dose", "words"),
    [
        ("nb", Dose("hold", 3, seconds=300, sets=1), "Hold i 5 minutter. 3 ganger om dagen."),
        (
            "nb",
            Dose("hold", 2, seconds=30, sets=2, per_side=True),
            "Hold i 30 sekunder på hver side, 2 runder. 2 ganger om dagen.",
        ),
        (
            "nb",
            Dose("reps", 1, reps=8, sets=2, hold_seconds=3),
            "8 ganger, 2 runder. Hold i 3 sekunder hver gang. Én gang om dagen.",
        ),
        ("nb", Dose("reps", 2, reps=10, sets=1), "10 ganger. 2 ganger om dagen."),
        (
            "nb",
            Dose("hold", 1, seconds=90, sets=1),
            "Hold i 1 minutt 30 sekunder. Én gang om dagen.",
        ),
        ("nb", Dose("time", 2, minutes=10), "10 minutter. 2 ganger om dagen."),
        ("en", Dose("hold", 3, seconds=300, sets=1), "Hold 5 minutes. 3 times a day."),
        (
            "en",
            Dose("reps", 1, reps=6, sets=2, hold_seconds=5, per_side=True),
            "6 times on each side, 2 rounds. Hold 5 seconds each time. Once a day.",
        ),
        ("en", Dose("hold", 1, seconds=61, sets=1), "Hold 1 minute 1 second. Once a day."),
    ],
)
def test_doses_read_as_people_say_them(reading_app, lang, dose, words):
    """No «× 1 runde», no «300 sekunder»: the dose as a physiotherapist would say it."""
    with reading_app.test_request_context(f"/{lang}/"):
        assert dose_text(dose) == words
