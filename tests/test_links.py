"""Pages that lead on (issue #11, item 3): a page that names a programme or a figure links to
it; the body-area index and the checker's rules reach every condition page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from markupsafe import escape

from webapp.core.articles import load_library
from webapp.core.triage import load_checker
from webapp.core.validation import ContentError

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = load_library(ROOT / "content")
# How the pages name one of our programmes in running text (the definite form: "an exercise
# programme for the hip", which the clinic makes for you, is not one of ours).
NAMES_A_PROGRAMME = re.compile(
    r"\b(?:trenings)?programmet for|\bthe \[?(?:exercise )?programme for"
    r"|\bthe \[?(?:sciatica|piriformis exercise) programme",
    re.IGNORECASE,
)
LINK = {"nb": re.compile(r'href="/nb/programmer/[a-z-]+"'),
        "en": re.compile(r'href="/en/programmes/[a-z-]+"')}  # fmt: skip


def article_html(client, article) -> str:
    prefix = "/nb/tilstander/" if article.lang == "nb" else "/en/conditions/"
    return client.get(prefix + article.slug).get_data(as_text=True)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_page_that_names_a_programme_links_to_it(reading_client, lang):
    naming = [a for a in LIBRARY.in_language(lang) if NAMES_A_PROGRAMME.search(a.body)]
    assert len(naming) >= 10
    for article in naming:
        html = article_html(reading_client, article)
        for sentence in NAMES_A_PROGRAMME.finditer(article.body):
            line = article.body[sentence.start() : article.body.find("\n", sentence.start())]
            if "](program:" not in line:
                pytest.fail(f"{article.path}: names a programme without linking it: {line}")
        assert LINK[lang].search(html), article.path


@pytest.mark.parametrize(("lang", "slug"), [("nb", "isjias"), ("en", "sciatica")])
def test_the_figure_named_on_the_sciatica_page_is_a_link_to_it(reading_client, lang, slug):
    prefix = "/nb/tilstander/" if lang == "nb" else "/en/conditions/"
    html = reading_client.get(prefix + slug).get_data(as_text=True)
    href = re.search(r'href="([^"]+#figure)"', html).group(1)
    assert 'id="figure"' in reading_client.get(href).get_data(as_text=True)


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("program:nope", "program:nope: no such programme"),
        ("article:nope", "article:nope: no such article"),
    ],  # fmt: skip
)
def test_a_link_to_a_page_that_does_not_exist_stops_start_up(tmp_path, link, message):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    page = content / "nb" / "articles" / "sciatica.md"
    page.write_text(page.read_text() + f"\nSe [her]({link}).\n")
    with pytest.raises(ContentError, match=re.escape(message)) as caught:
        load_library(content)
    assert str(caught.value.file) == str(page)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_condition_page_is_in_the_body_area_index(reading_client, lang):
    html = reading_client.get("/nb/tilstander/" if lang == "nb" else "/en/conditions/").get_data(
        as_text=True
    )
    by_area = html.split('id="a-z"')[0]
    for article in LIBRARY.in_language(lang):
        if article.kind == "condition":
            assert str(escape(article.title)) in by_area, article.key


def test_every_condition_page_can_be_suggested_by_the_checker():
    checker = load_checker(ROOT / "content" / "triage")
    conditions = {a.key for a in LIBRARY.in_language("nb") if a.kind == "condition"}
    assert conditions - set(checker.vocabulary.conditions) == set()
