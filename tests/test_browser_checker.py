"""The symptom checker in real Chromium at a phone viewport, with and without JavaScript."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

TEXT = {
    "nb": {
        "path": "/nb/symptomsjekk",
        "none": "Nei, ingen av disse",
        "saddle": "Nummenhet rundt endetarmen, kjønnsorganene eller innsiden av lårene",
        "continue": "Fortsett",
        "back": "Tilbake",
        "age": "Hvor gammel er du?",
        "short": "Mindre enn en uke",
        "medium": "2 til 6 uker",
        "no": "Nei",
        "areas": {
            "lower_back": "Korsryggen",
            "calf": "Leggen",
            "foot_sole": "Fotsålen",
            "little_toe": "Lilletåen",
        },
        "selfcare": "Du kan trolig ta hånd om dette selv",
        "clinic": "Bestill time for en undersøkelse",
        "emergency": "Ring 113 nå, eller ring legevakten",
        "program": "Start treningsprogrammet",
    },
    "en": {
        "path": "/en/symptom-checker",
        "none": "No, none of these",
        "saddle": "Numbness around your back passage, genitals or inner thighs",
        "continue": "Continue",
        "back": "Go back",
        "age": "How old are you?",
        "short": "Less than a week",
        "medium": "2 to 6 weeks",
        "no": "No",
        "areas": {
            "lower_back": "Lower back",
            "calf": "Calf",
            "foot_sole": "Sole of the foot",
            "little_toe": "Little toe",
        },
        "selfcare": "You can most likely manage this yourself",
        "clinic": "Book an appointment to be examined",
        "emergency": "Call 113 now, or the out-of-hours service",
        "program": "Start the exercise programme",
    },
}

# A point inside a body-map region that a finger would hit (the shapes are clipped to the body).
FIND_POINT = """(id) => {
  const g = document.querySelector(`[data-region="${id}"]`);
  const r = g.getBoundingClientRect();
  for (let y = r.top + 2; y < r.bottom; y += 3)
    for (let x = r.left + 2; x < r.right; x += 3) {
      const hit = document.elementFromPoint(x, y);
      if (hit && hit.closest("[data-region]") === g) return [x, y];
    }
  return null;
}"""


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip().lstrip("!i✓").strip()


def next_step(page, t, expected_step: int | None = None):
    page.get_by_role("button", name=t["continue"]).click()
    if expected_step:
        page.locator(f'#checker[data-step-number="{expected_step}"]').wait_for()
    else:
        page.locator('#checker[data-step="result"]').wait_for()


def answer_no_to_the_rest(page, t, axe, js: bool):
    for number in range(4, 9):
        assert axe is None or axe(page) == []
        for radio in page.get_by_role("radio", name=t["no"], exact=True).all():
            radio.check()
        next_step(page, t, number + 1 if number < 8 else None)


def tap_region(page, region: str):
    page.locator(f'[data-region="{region}"]').scroll_into_view_if_needed()
    x, y = page.evaluate(FIND_POINT, region)
    page.mouse.click(x, y)


def run_path(page, live_server, lang, path, axe=None, js=True):
    t = TEXT[lang]
    page.goto(live_server + t["path"])
    assert axe is None or axe(page) == []
    if path == "emergency":
        page.get_by_label(t["saddle"]).check()
        next_step(page, t)
        return t
    page.get_by_label(t["none"]).check()
    next_step(page, t, 2)
    assert axe is None or axe(page) == []
    page.get_by_label(t["age"]).fill("47" if path == "clinic" else "30")
    page.get_by_label(t["medium"] if path == "clinic" else t["short"]).check()
    next_step(page, t, 3)
    assert axe is None or axe(page) == []
    regions = (
        ["lower_back", "calf", "foot_sole", "little_toe"] if path == "clinic" else ["lower_back"]
    )
    for region in regions:
        if js:
            tap_region(page, region)  # the drawing ticks the same checkbox the list shows
        else:
            page.get_by_role("checkbox", name=t["areas"][region], exact=True).check()
    for region in regions:
        assert page.get_by_role("checkbox", name=t["areas"][region], exact=True).is_checked()
    if js:
        assert page.locator('[data-region="calf"].is-selected').count() == (path == "clinic")
    next_step(page, t, 4)
    answer_no_to_the_rest(page, t, axe, js)
    return t


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("path", ["selfcare", "clinic", "emergency"])
def test_paths_with_javascript(page, axe, live_server, lang, path):
    t = run_path(page, live_server, lang, path, axe=axe)
    assert heading(page) == t[path]
    assert axe(page) == []
    if path == "emergency":
        assert page.locator('a[href="tel:113"]').first.is_visible()
    if path == "selfcare":
        page.get_by_role("link", name=t["program"]).click()
        page.wait_for_load_state()
        assert "/programmer/acute-back" in page.url or "/programmes/acute-back" in page.url
    assert page.context.cookies() == []


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("path", ["selfcare", "clinic", "emergency"])
def test_paths_without_javascript(nojs_page, live_server, lang, path):
    t = run_path(nojs_page, live_server, lang, path, js=False)
    assert heading(nojs_page) == t[path]


def test_browser_back_returns_to_the_previous_step(page, live_server):
    t = TEXT["nb"]
    page.goto(live_server + t["path"])
    page.get_by_label(t["none"]).check()
    next_step(page, t, 2)
    page.go_back()
    page.locator('#checker[data-step-number="1"]').wait_for()
    assert page.get_by_label(t["none"]).is_checked()
    page.go_forward()
    page.locator('#checker[data-step-number="2"]').wait_for()


def test_in_page_back_button_and_error_summary(context, axe, live_server):
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    t = TEXT["en"]
    page.goto(live_server + t["path"])
    next_step(page, t, 1)  # nothing ticked: the error summary appears and takes focus
    summary = page.get_by_role("alert")
    assert "Choose the signs you have" in summary.inner_text()
    assert summary.evaluate("el => el === document.activeElement")
    assert axe(page) == []
    summary.get_by_role("link").click()
    assert page.evaluate("() => document.activeElement.id") == "sign-first"
    page.get_by_label(t["none"]).check()
    next_step(page, t, 2)
    page.get_by_label(t["age"]).fill("52")
    page.get_by_role("button", name=t["back"]).click()
    page.locator('#checker[data-step-number="1"]').wait_for()
    assert page.get_by_label(t["none"]).is_checked()
    # Chromium logs the 422 of the form with errors; nothing else may appear.
    assert [e for e in errors if "status of 422" not in e] == []


def test_none_of_these_unticks_the_signs(page, live_server):
    t = TEXT["en"]
    page.goto(live_server + t["path"])
    page.get_by_label(t["saddle"]).check()
    page.get_by_label(t["none"]).check()
    assert not page.get_by_label(t["saddle"]).is_checked()
    page.get_by_label(t["saddle"]).check()
    assert not page.get_by_label(t["none"]).is_checked()


def test_result_prints_the_summary(page, live_server):
    run_path(page, live_server, "nb", "clinic")
    page.emulate_media(media="print")
    assert not page.locator(".app-header").is_visible()
    assert page.get_by_role("heading", name="Oppsummering til timen").is_visible()
