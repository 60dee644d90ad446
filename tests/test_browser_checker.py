"""The symptom checker in real Chromium at a phone viewport, with and without JavaScript."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import overflowing

from webapp.core.languages import LANGUAGES
from webapp.core.triage import load_checker

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
        "yes": "Ja",
        "none_list": "Ingen av disse",
        "areas": {
            "lower_back": "Korsryggen",
            "calf": "Leggen",
            "foot_sole": "Fotsålen",
            "little_toe": "Lilletåen",
            "heel": "Hælen",
        },
        "signs": {
            "swollen_calf": "Den ene leggen eller det ene beinet er hovent, varmt og ømt",
            "pregnant": "Du er gravid, eller du har født de siste 6 ukene",
            "first_step": "Hælen er vondest de første skrittene om morgenen eller etter at du "
            "har sittet",
        },
        "selfcare": "Du kan trolig ta hånd om dette selv",
        "heel": "Du kan trolig ta hånd om dette selv",
        "clinic": "Bestill time for en undersøkelse",
        "emergency": "Ring 113 nå, eller ring legevakten",
        "today": "En lege bør se deg i dag",
        "pregnancy": "Ring fødeavdelingen nå",
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
        "yes": "Yes",
        "none_list": "None of these",
        "areas": {
            "lower_back": "Lower back",
            "calf": "Calf",
            "foot_sole": "Sole of the foot",
            "little_toe": "Little toe",
            "heel": "Heel",
        },
        "signs": {
            "swollen_calf": "One calf or one leg is swollen, warm and tender",
            "pregnant": "You are pregnant, or you have given birth in the last 6 weeks",
            "first_step": "Your heel hurts most with the first steps in the morning or after "
            "sitting",
        },
        "selfcare": "You can most likely manage this yourself",
        "heel": "You can most likely manage this yourself",
        "clinic": "Book an appointment to be examined",
        "emergency": "Call 113 now, or the out-of-hours service",
        "today": "Be seen by a doctor today",
        "pregnancy": "Call the maternity unit now",
        "program": "Start the exercise programme",
    },
}


def _translated(lang: str) -> dict:
    """TEXT for a translated language: each English label as the app shows it in `lang`, from
    the language's catalogue and the checker's texts (their completeness is tested apart)."""
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        po = {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and m.id}
    content: dict[str, str] = {}
    for q in CHECKER.questions:
        content |= {q.sign["en"]: q.sign[lang], q.text["en"]: q.text[lang]}
    content |= {r.label["en"]: r.label[lang] for r in CHECKER.regions}
    content |= {a.title["en"]: a.title[lang] for a in CHECKER.advice.values() if a.title["en"]}

    def tr(value):
        if isinstance(value, dict):
            return {k: tr(v) for k, v in value.items()}
        return po.get(value) or content[value]

    texts = {k: tr(v) for k, v in TEXT["en"].items() if k != "path"}
    path = "/nn/symptomsjekk" if lang == "nn" else f"/{lang}/symptom-checker"
    return {"path": path, **texts}


ROOT = Path(__file__).resolve().parent.parent
CHECKER = load_checker(ROOT / "content" / "triage")
TRANSLATED = [lang for lang in LANGUAGES if lang not in TEXT]
TEXT |= {lang: _translated(lang) for lang in TRANSLATED}

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


class Taps:
    """Counts what a person taps: each tick, answer, field and «Continue»."""

    def __init__(self) -> None:
        self.count = 0
        self.screens = 0


def next_step(page, t, expected: str | int | None = None, taps: Taps | None = None):
    page.get_by_role("button", name=t["continue"]).click()
    if taps:
        taps.count += 1
        taps.screens += 1
    if isinstance(expected, int):
        page.locator(f'#checker[data-step-number="{expected}"]').wait_for()
    else:
        page.locator(f'#checker[data-step="{expected or "result"}"]').wait_for()


def tick(page, label: str, taps: Taps, role: str = "checkbox", exact: bool = True) -> None:
    page.get_by_role(role, name=label, exact=exact).first.check()
    taps.count += 1


def tap_region(page, region: str):
    page.locator(f'[data-region="{region}"]').scroll_into_view_if_needed()
    x, y = page.evaluate(FIND_POINT, region)
    page.mouse.click(x, y)


# Each path: age, duration, areas, what is ticked on the list of warning signs, the pregnancy
# answer, what is ticked on the last list, and «has it got better» where it is asked.
PATHS = {
    "selfcare": ("30", "short", ["lower_back"], [], None, [], None),
    "clinic": (
        "47",
        "medium",
        ["lower_back", "calf", "foot_sole", "little_toe"],
        [],
        None,
        [],
        "no",
    ),  # fmt: skip
    "today": ("48", "short", ["calf"], ["swollen_calf"], None, [], None),
    "pregnancy": ("31", "short", ["lower_back"], ["pregnant"], "yes", None, None),
    "heel": ("42", "medium", ["heel"], [], None, ["first_step"], "yes"),
}


def run_path(page, live_server, lang, path, axe=None, js=True, taps: Taps | None = None):
    t = TEXT[lang]
    taps = taps or Taps()
    page.goto(live_server + t["path"])
    assert axe is None or axe(page) == []
    if path == "emergency":
        tick(page, t["saddle"], taps, exact=False)
        next_step(page, t, taps=taps)
        return t
    tick(page, t["none"], taps)
    next_step(page, t, "about", taps)
    assert axe is None or axe(page) == []
    age, duration, regions, flags, pregnancy, more, better = PATHS[path]
    page.get_by_label(t["age"]).fill(age)
    tick(page, t[duration], taps, "radio")
    taps.count += 1  # the age field
    next_step(page, t, "where", taps)
    assert axe is None or axe(page) == []
    for region in regions:
        if js:
            tap_region(page, region)  # the drawing ticks the same checkbox the list shows
            taps.count += 1
        else:
            tick(page, t["areas"][region], taps)
    for region in regions:
        assert page.get_by_role("checkbox", name=t["areas"][region], exact=True).is_checked()
    if js:
        assert page.locator('[data-region="calf"].is-selected').count() == ("calf" in regions)
    next_step(page, t, "flags", taps)
    assert axe is None or axe(page) == []
    for sign in flags or [None]:
        tick(page, t["signs"][sign] if sign else t["none_list"], taps, exact=not sign)
    if pregnancy:
        next_step(page, t, "pregnancy", taps)
        assert axe is None or axe(page) == []
        tick(page, t[pregnancy], taps, "radio")
        next_step(page, t, taps=taps)
        return t
    if more is None:
        next_step(page, t, taps=taps)
        return t
    next_step(page, t, "more", taps)
    assert axe is None or axe(page) == []
    for sign in more or [None]:
        tick(page, t["signs"][sign] if sign else t["none_list"], taps, exact=not sign)
    if better:
        tick(page, t[better], taps, "radio")
    next_step(page, t, taps=taps)
    return t


# What a person taps on a phone, per path (the targets: a typical self-care path ≤ 14,
# a nerve-root clinic path ≤ 18, an emergency ≤ 2). README «Symptom checker: taps» has them.
TAP_TARGETS = {"emergency": 2, "selfcare": 14, "heel": 14, "clinic": 18}


@pytest.mark.parametrize("path", sorted(TAP_TARGETS))
def test_taps_per_path(page, live_server, path):
    taps = Taps()
    run_path(page, live_server, "nb", path, taps=taps)
    assert heading(page) == TEXT["nb"][path]
    assert taps.count <= TAP_TARGETS[path], (path, taps.count, taps.screens)
    print(f"{path}: {taps.count} taps, {taps.screens} screens")


ALL_PATHS = ["selfcare", "clinic", "emergency", "today", "pregnancy", "heel"]


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("path", ALL_PATHS)
def test_paths_with_javascript(page, axe, live_server, lang, path):
    t = run_path(page, live_server, lang, path, axe=axe)
    assert heading(page) == t[path]
    assert axe(page) == []
    if path == "emergency":
        assert page.locator('a[href="tel:113"]').first.is_visible()
    if path in ("emergency", "pregnancy"):
        assert page.locator('a[href="tel:113"]').first.is_visible()
    if path == "today":
        assert page.locator('a[href="tel:116117"]').first.is_visible()
    if path in ("selfcare", "heel"):
        page.get_by_role("link", name=t["program"]).click()
        page.wait_for_load_state()
        expected = "acute-back" if path == "selfcare" else "plantar-heel"
        assert page.url.endswith(expected)
    assert page.context.cookies() == []


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("path", ALL_PATHS)
def test_paths_without_javascript(nojs_page, live_server, lang, path):
    t = run_path(nojs_page, live_server, lang, path, js=False)
    assert heading(nojs_page) == t[path]


# Issue #14: the four kinds of result in every translated language, with and without JavaScript.
CORE_PATHS = ["emergency", "today", "clinic", "selfcare"]


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("path", CORE_PATHS)
def test_translated_paths_with_javascript(page, axe, live_server, lang, path):
    t = run_path(page, live_server, lang, path, axe=axe if lang in ("ar", "uk") else None)
    assert heading(page) == t[path]
    assert page.locator("html").get_attribute("lang") == lang
    assert overflowing(page) == []  # long translated buttons wrap, right to left included
    if lang in ("ar", "uk"):
        assert axe(page) == []
    if path == "selfcare":
        page.get_by_role("link", name=t["program"]).click()
        page.wait_for_load_state()
        assert page.url.endswith("acute-back")


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("path", CORE_PATHS)
def test_translated_paths_without_javascript(nojs_page, live_server, lang, path):
    t = run_path(nojs_page, live_server, lang, path, js=False)
    assert heading(nojs_page) == t[path]


def test_browser_back_returns_to_the_previous_step(page, live_server):
    t = TEXT["nb"]
    page.goto(live_server + t["path"])
    page.get_by_label(t["none"]).check()
    next_step(page, t, "about")
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
    next_step(page, t, "emergency")  # nothing ticked: the error summary appears and takes focus
    summary = page.get_by_role("alert")
    assert "Choose the signs you have" in summary.inner_text()
    assert summary.evaluate("el => el === document.activeElement")
    assert axe(page) == []
    summary.get_by_role("link").click()
    assert page.evaluate("() => document.activeElement.id") == "sign-first"
    page.get_by_label(t["none"]).check()
    next_step(page, t, "about")
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
