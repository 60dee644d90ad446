"""Six languages in real Chromium at 390 px (issue #14): axe-core in Arabic and Ukrainian, right
to left without text overflowing or cut, and a language menu that works without JavaScript."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import choose_language, overflowing

pytestmark = pytest.mark.browser

# Pages of every kind, as paths after the language; nn and nb have their own words.
PAGES = {
    "home": "",
    "checker": "symptom-checker",
    "conditions": "conditions/",
    "article": "conditions/sciatica",
    "hub": "conditions/foot-and-back-pain",
    "programme": "programmes/sciatica",
    "session": "programmes/sciatica/week-1",
    "exercise": "exercises/sciatic-nerve-glide",
    "diary": "diary",
    "book": "book",
    "privacy": "privacy",
    "offline": "offline",
    "how-we-assess": "how-we-assess",
    "search": "search?q=isjias",
}

SHOTS = Path(os.environ.get("SCREENSHOTS", "")) if os.environ.get("SCREENSHOTS") else None


@pytest.mark.parametrize("name", sorted(PAGES))
def test_arabic_right_to_left_nothing_overflows_or_is_cut(page, live_server, name):
    page.goto(f"{live_server}/ar/{PAGES[name]}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert overflowing(page) == []
    # the text starts at the right: the main heading's right edge is near the screen's
    box = page.get_by_role("heading", level=1).bounding_box()
    assert box and box["x"] + box["width"] > page.viewport_size["width"] - 40
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"ar-{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["ar", "uk"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_axe_in_arabic_and_ukrainian(page, axe, live_server, lang, name):
    page.goto(f"{live_server}/{lang}/{PAGES[name]}")
    assert axe(page) == []


def test_phone_numbers_read_left_to_right_in_arabic(page, live_server):
    page.goto(f"{live_server}/ar/")
    link = page.locator('footer a[href="tel:116117"]')
    # drawn left to right: the first group of digits is left of the second
    boxes = link.evaluate("""(a) => {
      const range = document.createRange();
      const text = [...a.querySelectorAll("*"), a].flatMap(n => [...n.childNodes])
        .find(n => n.nodeType === 3 && n.textContent.includes("116"));
      const start = text.textContent.indexOf("116");
      range.setStart(text, start); range.setEnd(text, start + 3);
      const first = range.getBoundingClientRect().left;
      range.setStart(text, start + 4); range.setEnd(text, start + 7);
      return [first, range.getBoundingClientRect().left];
    }""")
    assert boxes[0] < boxes[1]


def test_language_menu_works_without_javascript(nojs_page, live_server):
    nojs_page.goto(f"{live_server}/nb/symptomsjekk")
    nojs_page.locator("details.app-lang summary").click()
    names = nojs_page.locator("details.app-lang a").all_inner_texts()
    assert names == ["Norsk bokmål", "Norsk nynorsk", "English", "Polski", "Українська", "العربية"]
    choose_language(nojs_page, "Polski")
    assert nojs_page.url.endswith("/pl/symptom-checker")
    assert nojs_page.locator("html").get_attribute("lang") == "pl"


@pytest.mark.parametrize("lang", ["nn", "pl", "uk", "ar"])
def test_every_translated_page_offers_norwegian(page, live_server, lang):
    page.goto(f"{live_server}/{lang}/")
    note = page.locator(".app-translation-note")
    assert note.is_visible()
    note.get_by_role("link").click()
    page.wait_for_load_state()
    assert page.url.endswith("/nb/")
