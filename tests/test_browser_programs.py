"""Programmes, the session player and the pain diary in real Chromium at a phone viewport."""

from __future__ import annotations

import pytest
from conftest import wait_until_cached

pytestmark = pytest.mark.browser

STORAGE = """() => ({
  local: Object.keys(localStorage).length,
  session: Object.keys(sessionStorage).length,
  cookies: document.cookie,
})"""


@pytest.mark.parametrize(
    "path",
    [
        "/nb/programmer/",
        "/nb/programmer/sciatica",
        "/en/programmes/foot-nerves/week-1",
        "/nb/ovelser/bird-dog",
        "/nb/dagbok",
    ],  # fmt: skip
)
def test_programme_pages_have_no_axe_violations(page, axe, live_server, path):
    page.goto(live_server + path)
    assert axe(page) == []


def test_player_counts_down_a_hold_with_the_clock(page, axe, live_server):
    page.clock.install()
    # Foot nerves week 1 starts with exercises; find one held for seconds in the session.
    page.goto(live_server + "/en/programmes/foot-nerves/week-1")
    player = page.locator(".app-player")
    player.wait_for()
    assert axe(page) == []
    assert page.locator(".app-session__item.is-current").count() == 1
    assert player.get_by_text("Exercise 1 of").is_visible()
    # Move to the first exercise that is held (dose kind "hold") or timed.
    items = page.locator(".app-session__item")
    kinds = [items.nth(i).get_attribute("data-kind") for i in range(items.count())]
    target = next(i for i, kind in enumerate(kinds) if kind in ("hold", "time"))
    for _ in range(target):
        page.get_by_role("button", name="Next exercise").click()
    current = page.locator(".app-session__item.is-current")
    seconds = (
        int(current.get_attribute("data-hold") or 0)
        or int(current.get_attribute("data-minutes")) * 60
    )
    count = current.locator(".app-player__count")
    assert count.inner_text().replace(":", "") in (str(seconds), f"{seconds // 60}00")
    current.get_by_role("button", name="Start", exact=True).click()
    page.clock.run_for(3000)
    shown = count.inner_text()
    left = int(shown.split(":")[0]) * 60 + int(shown.split(":")[1]) if ":" in shown else int(shown)
    assert left == seconds - 3
    current.get_by_role("button", name="Pause").click()
    page.clock.run_for(5000)
    assert count.inner_text() == shown  # paused: the clock moved, the countdown did not
    current.get_by_role("button", name="Go on").click()
    page.clock.run_for(seconds * 1000)
    if int(current.get_attribute("data-sets") or 1) > 1:
        assert "is done" in current.locator(".app-player__status").inner_text()
    else:
        assert count.inner_text() == "✓"  # done: the tick, the message and the next step


def test_player_counts_repetitions_and_finishes(page, live_server):
    page.goto(live_server + "/nb/programmer/acute-back/uke-1")
    page.locator(".app-player").wait_for()
    items = page.locator(".app-session__item")
    for i in range(items.count() - 1):
        page.get_by_role("button", name="Neste øvelse").click()
    page.get_by_role("button", name="Ferdig").last.click()
    page.get_by_text("Godt gjort! Økten er ferdig.").wait_for()


def test_player_rep_counter(page, live_server):
    page.goto(live_server + "/en/programmes/subacute-back/week-1")
    page.locator(".app-player").wait_for()
    items = page.locator(".app-session__item")
    kinds = [
        (items.nth(i).get_attribute("data-kind"), items.nth(i).get_attribute("data-hold"))
        for i in range(items.count())
    ]
    target = next(i for i, (kind, hold) in enumerate(kinds) if kind == "reps" and hold == "0")
    for _ in range(target):
        page.get_by_role("button", name="Next exercise").click()
    current = page.locator(".app-session__item.is-current")
    reps = int(current.get_attribute("data-reps"))
    current.get_by_role("button", name="Done one").click()
    current.get_by_role("button", name="Done one").click()
    assert current.locator(".app-player__count").inner_text() == f"2 / {reps}"


def test_session_is_a_plain_list_without_javascript(nojs_page, live_server):
    nojs_page.goto(live_server + "/nb/programmer/sciatica/uke-1")
    items = nojs_page.locator(".app-session__item")
    assert items.count() >= 2
    for i in range(items.count()):
        assert items.nth(i).is_visible()
    assert nojs_page.locator(".app-player").count() == 0


def test_programme_opens_offline_after_one_visit(page, live_server):
    page.goto(live_server + "/nb/programmer/spinal-stenosis")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    assert wait_until_cached(page, "/nb/programmer/spinal-stenosis/uke-3")
    page.context.set_offline(True)
    try:
        page.goto(live_server + "/nb/programmer/spinal-stenosis/uke-3")
        assert "Uke 3" in page.get_by_role("heading", level=1).inner_text()
        assert page.locator(".app-session__item svg").count() >= 2  # the drawings are inline
    finally:
        page.context.set_offline(False)


def test_diary_writes_nothing_before_opt_in_and_nothing_after_deletion(page, axe, live_server):
    page.goto(live_server + "/en/diary")
    assert page.evaluate(STORAGE) == {"local": 0, "session": 0, "cookies": ""}
    page.get_by_role("button", name="Start the diary").click()
    page.get_by_role("radio", name="6", exact=True).check()
    page.get_by_label("I did my exercises today").check()
    page.get_by_role("button", name="Save today").click()
    page.get_by_text("Saved on this phone.").wait_for()
    assert page.evaluate(STORAGE)["local"] == 1
    assert page.locator("svg.app-diary__chart circle").count() == 1
    assert page.locator("svg.app-diary__chart rect").count() == 1
    assert axe(page) == []
    page.reload()
    assert page.get_by_role("radio", name="6", exact=True).is_checked()
    page.get_by_role("button", name="Delete my data").click()
    page.get_by_role("button", name="Yes, delete everything").click()
    page.get_by_text("Your diary is deleted.").wait_for()
    assert page.evaluate(STORAGE) == {"local": 0, "session": 0, "cookies": ""}
    assert page.context.cookies() == []


def test_diary_nudges_follow_the_guideline(page, live_server):
    page.goto(live_server + "/nb/dagbok")
    page.evaluate(
        """() => localStorage.setItem("painDiary", JSON.stringify({version: 1,
             started: "2026-01-01",
             days: {"2026-01-01": {pain: 5, normal: false}, "2026-01-20": {pain: 5, normal: false},
                    "2026-02-05": {pain: 5, normal: false}}}))"""
    )
    page.reload()
    assert page.get_by_text("Smertene er ikke bedre etter 1 til 2 uker.").is_visible()
    assert page.get_by_text("Det har gått 4 uker eller mer").is_visible()
    page.get_by_role("radio", name="8", exact=True).check()
    page.get_by_label("Jeg har fått nye smerter, nummenhet eller prikking i et bein").check()
    page.get_by_role("button", name="Lagre i dag").click()
    assert page.get_by_text(
        "Smertene blir verre, eller du har fått nye plager i beinet."
    ).is_visible()
    page.evaluate("() => localStorage.clear()")


def test_diary_download(page, live_server):
    page.goto(live_server + "/en/diary")
    page.get_by_role("button", name="Start the diary").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the diary as a file").click()
    assert download.value.suggested_filename.startswith("pain-diary-")
    page.evaluate("() => localStorage.clear()")


@pytest.mark.parametrize(
    "program",
    ["acute-back", "subacute-back", "sciatica", "spinal-stenosis", "piriformis", "foot-nerves"],
)
def test_programme_prints_on_one_or_two_pages(page, live_server, program):
    import re

    page.goto(live_server + f"/nb/programmer/{program}")
    pdf = page.pdf(format="A4")
    assert 1 <= len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 2
