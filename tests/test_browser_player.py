"""Issue #12 in real Chromium at a phone viewport: the session player keeps real time and says
when a hold, a round or an exercise is done; the pain diary counts from when the pain started,
sees a trend, and shows the 113 card for the warning signs; print, offline and small fixes."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from conftest import wait_until_cached

pytestmark = pytest.mark.browser

START = dt.datetime(2026, 11, 28, 9, 0, 0)


def install_clock(page, when: dt.datetime = START) -> None:
    """A fake clock that stands still until the test moves it (run_for, fast_forward)."""
    page.clock.install(time=when)


def stop_clock(page, when: dt.datetime = START) -> None:
    page.clock.pause_at(when + dt.timedelta(minutes=1))


def open_session(page, live_server, path: str):
    install_clock(page)
    page.goto(live_server + path)
    page.locator(".app-player").wait_for()
    stop_clock(page)
    return page.locator(".app-session__item.is-current")


def go_to(page, name: str, next_label: str) -> None:
    """Tap «Next exercise» until the exercise called `name` is on the screen."""
    for _ in range(10):
        title = page.locator(".app-session__item.is-current h2").inner_text()
        if name in title:
            return
        page.get_by_role("button", name=next_label).click()
    raise AssertionError(f"no exercise {name!r}")


def said(item) -> str:
    """What the live region says now (what a screen reader hears)."""
    return item.locator(".app-player [role=status]").inner_text()


# --- the player ------------------------------------------------------------------------------


def test_a_five_minute_hold_keeps_real_time_through_a_locked_screen(page, axe, live_server):
    item = open_session(page, live_server, "/nb/programmer/sciatica/uke-1")
    assert "Hvil med leggene på en stol" in item.locator("h2").inner_text()
    count = item.locator(".app-player__count")
    assert count.inner_text() == "5:00"
    assert item.locator(".app-player__label").inner_text() == "igjen"  # never «5:00 sekunder»
    assert "5 minutter igjen" in item.locator(".app-player").inner_text()
    item.get_by_role("button", name="Start", exact=True).click()
    assert said(item) == "Tiden går: 5 minutter."
    page.clock.run_for(3000)
    assert count.inner_text() == "4:57"
    # The phone locks the screen: the page's timers stand still, the clock does not.
    page.clock.fast_forward(207_000)
    assert count.inner_text() == "1:30"
    assert said(item) == "1 minutt 30 sekunder igjen"
    page.clock.run_for(30_000)
    assert said(item) == "1 minutt igjen"  # once a minute, not every second
    page.clock.run_for(60_000)
    assert said(item).startswith("Øvelsen er ferdig.")
    assert item.locator(".app-player__status").inner_text().startswith("Øvelsen er ferdig.")
    assert count.inner_text() == "✓"
    page.clock.resume()  # axe-core waits on timers of its own
    assert axe(page) == []
    # The next step is offered, and it works.
    item.get_by_role("button", name="Neste øvelse").click()
    assert "Gåtur" in page.locator(".app-session__item.is-current h2").inner_text()


def test_pause_stops_the_countdown_and_go_on_takes_it_up(page, live_server):
    item = open_session(page, live_server, "/en/programmes/sciatica/week-1")
    go_to(page, "Walking", "Next exercise")
    item = page.locator(".app-session__item.is-current")
    count = item.locator(".app-player__count")
    assert count.inner_text() == "10:00"
    item.get_by_role("button", name="Start", exact=True).click()
    page.clock.run_for(61_000)
    assert count.inner_text() == "8:59"
    item.get_by_role("button", name="Pause").click()
    page.clock.run_for(30_000)
    assert count.inner_text() == "8:59"
    item.get_by_role("button", name="Go on").click()
    page.clock.run_for(539_000)
    assert said(item) == "Time is up. Go on to the next exercise when you are ready."
    assert item.get_by_role("button", name="Next exercise").count() == 1  # no second one


def test_repetitions_with_a_hold_run_through_with_one_tap(page, axe, live_server):
    item = open_session(page, live_server, "/en/programmes/sciatica/week-1")
    go_to(page, "Pelvic tilt", "Next exercise")
    item = page.locator(".app-session__item.is-current")
    assert int(item.get_attribute("data-reps")) == 10
    assert int(item.get_attribute("data-hold")) == 3
    item.get_by_role("button", name="Start", exact=True).click()
    assert said(item) == "Get ready."
    page.clock.run_for(3000)  # three seconds to get ready
    assert said(item) == "Repetition 1 of 10. Hold."
    assert item.locator(".app-player__phase").inner_text() == "Hold"
    page.clock.run_for(3000)
    assert item.locator(".app-player__phase").inner_text() == "Relax"
    page.clock.run_for(3000)
    assert said(item) == "Repetition 2 of 10. Hold."
    assert item.locator(".app-player__reps").inner_text() == "Repetition 2 of 10"
    # The rest of the round: 8 more holds and 9 pauses of 3 seconds, with no tap.
    page.clock.run_for(3000 + 8 * 3000 + 8 * 3000 - 1000)
    assert said(item) == "Repetition 10 of 10. Hold."
    page.clock.run_for(1000)
    assert said(item) == "The exercise is done. Go on to the next exercise when you are ready."
    assert item.get_by_role("button", name="Next exercise").is_visible()
    page.clock.resume()  # axe-core waits on timers of its own
    assert axe(page) == []


def test_a_screen_lock_in_the_middle_of_a_round_does_not_lose_count(page, live_server):
    item = open_session(page, live_server, "/nb/programmer/sciatica/uke-1")
    go_to(page, "Vippe bekkenet", "Neste øvelse")
    item = page.locator(".app-session__item.is-current")
    item.get_by_role("button", name="Start", exact=True).click()
    page.clock.run_for(1000)
    # 3 s to get ready, then hold 3 s and relax 3 s: 20 s in, the third hold is done and the
    # pause after it runs; the page's timers missed all of it.
    page.clock.fast_forward(19_000)
    assert item.locator(".app-player__reps").inner_text() == "Gang 3 av 10"
    assert item.locator(".app-player__phase").inner_text() == "Slapp av"
    page.clock.run_for(1000)
    assert said(item) == "Gang 4 av 10. Hold."


def test_rounds_and_sides_offer_the_next_step(page, live_server):
    # Calf stretch: 30 seconds on each side, 2 rounds; switch sides after each hold.
    item = open_session(page, live_server, "/en/programmes/foot-nerves/week-1")
    go_to(page, "Calf stretch", "Next exercise")
    item = page.locator(".app-session__item.is-current")
    assert item.locator(".app-player__round").inner_text() == "Round 1 of 2 · first side"
    assert item.locator(".app-player__count").inner_text() == "30"
    assert item.locator(".app-player__label").inner_text() == "seconds left"
    item.get_by_role("button", name="Start", exact=True).click()
    page.clock.run_for(30_000)
    assert said(item) == "The first side is done. Switch sides, and start when you are ready."
    item.get_by_role("button", name="Start the other side").click()
    assert item.locator(".app-player__round").inner_text() == "Round 1 of 2 · other side"
    page.clock.run_for(30_000)
    assert said(item) == (
        "Round 1 of 2 is done. Rest a little, and start round 2 when you are ready."
    )
    item.get_by_role("button", name="Start round 2").click()
    page.clock.run_for(30_000)
    item.get_by_role("button", name="Start the other side").click()
    page.clock.run_for(30_000)
    assert said(item).startswith("The exercise is done.")


def test_repetitions_on_each_side_alternate_and_round_two_follows(page, live_server):
    # Bird dog: 6 times on each side, 2 rounds, hold 5 seconds: 12 holds a round.
    item = open_session(page, live_server, "/en/programmes/sciatica/week-5")
    go_to(page, "Bird dog", "Next exercise")
    item = page.locator(".app-session__item.is-current")
    item.get_by_role("button", name="Start", exact=True).click()
    page.clock.run_for(3000)
    assert said(item) == "Repetition 1 of 12, first side. Hold."
    page.clock.run_for(8000)
    assert said(item) == "Repetition 2 of 12, other side. Hold."
    page.clock.run_for(10 * 8000)
    assert said(item) == "Repetition 12 of 12, other side. Hold."
    page.clock.run_for(5000)
    assert said(item) == (
        "Round 1 of 2 is done. Rest a little, and start round 2 when you are ready."
    )
    item.get_by_role("button", name="Start round 2").click()
    assert item.locator(".app-player__round").inner_text() == "Round 2 of 2"


def test_counted_repetitions_end_the_round_by_themselves(page, live_server):
    item = open_session(page, live_server, "/en/programmes/foot-nerves/week-1")
    go_to(page, "Sole roll", "Next exercise")
    item = page.locator(".app-session__item.is-current")
    reps = int(item.get_attribute("data-reps"))
    for _ in range(reps):
        item.get_by_role("button", name="Done one").click()
    assert said(item).startswith("The exercise is done.")
    assert item.get_by_role("button", name="Finish").is_visible()
    item.get_by_role("button", name="Finish").click()
    page.get_by_text("Well done! The session is finished.").wait_for()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_doses_read_as_people_say_them(nojs_page, live_server, lang):
    paths = {"nb": "/nb/programmer/sciatica", "en": "/en/programmes/sciatica"}
    nojs_page.goto(live_server + paths[lang])
    text = nojs_page.locator("main").inner_text()
    assert "×" not in text and "1 runde" not in text and "1 round" not in text
    assert not re.search(r"\d:\d\d (sekunder|seconds)", text)
    assert not re.search(r"\b300 (sekunder|seconds)", text)
    expected = {
        "nb": ["Hold i 5 minutter. 3 ganger om dagen.", "8 ganger, 2 runder.", "Én gang om dagen."],
        "en": ["Hold 5 minutes. 3 times a day.", "8 times, 2 rounds.", "Once a day."],
    }
    for words in expected[lang]:
        assert words in text


def test_session_is_a_plain_list_without_javascript(nojs_page, live_server):
    nojs_page.goto(live_server + "/en/programmes/sciatica/week-1")
    items = nojs_page.locator(".app-session__item")
    assert items.count() == 4
    for i in range(items.count()):
        assert items.nth(i).is_visible()
        assert items.nth(i).locator(".app-dose").is_visible()
    assert nojs_page.locator(".app-player").count() == 0
    assert nojs_page.get_by_role("button").count() == 0


@pytest.mark.parametrize(
    "path", ["/nb/programmer/sciatica/uke-1", "/en/programmes/sciatica/week-5"]
)
def test_player_has_no_axe_violations(page, axe, live_server, path):
    page.goto(live_server + path)
    page.locator(".app-player").wait_for()
    assert axe(page) == []


# --- the pain diary --------------------------------------------------------------------------


def put_diary(page, diary: dict) -> None:
    page.evaluate("(d) => localStorage.setItem('painDiary', JSON.stringify(d))", diary)
    page.reload()


def open_diary(page, live_server, path: str = "/en/diary") -> None:
    page.clock.install(time=dt.datetime(2026, 11, 28, 12, 0, 0))
    page.goto(live_server + path)
    page.clock.pause_at(dt.datetime(2026, 11, 28, 12, 1, 0))


def days(pains: list[int], last: str = "2026-11-27", normal: bool = True) -> dict:
    end = dt.date.fromisoformat(last)
    start = end - dt.timedelta(days=len(pains) - 1)
    return {
        (start + dt.timedelta(days=i)).isoformat(): {"pain": p, "normal": normal}
        for i, p in enumerate(pains)
    }


def nudges(page) -> set[str]:
    shown = page.locator("[data-nudge]:visible")
    return {shown.nth(i).get_attribute("data-nudge") for i in range(shown.count())}


@pytest.mark.parametrize(
    ("pains", "worse"),
    [
        ([3, 3, 3, 5, 6, 6], True),  # the last three days average 5.7 against 3: worse
        ([3, 3, 3, 3, 3, 6], False),  # one bad day: a mean of 4 against 3
        ([3, 3, 3, 5], False),  # a jump of 2 from yesterday alone: 4 against 3
        ([2, 2, 5, 5], True),  # two days against two: 5 against 2
        ([3, 7], False),  # too few days to see a trend
    ],
)
def test_diary_sees_worse_as_a_trend_over_days(page, live_server, pains, worse):
    open_diary(page, live_server)
    put_diary(page, {"version": 1, "started": "2026-11-20", "onset": None, "days": days(pains)})
    assert ("worse" in nudges(page)) is worse
    page.evaluate("() => localStorage.clear()")


def test_diary_counts_the_weeks_from_when_the_pain_started(page, live_server):
    open_diary(page, live_server, "/nb/dagbok")
    two_days = days([5, 5], normal=False)
    put_diary(page, {"version": 1, "started": "2026-11-26", "onset": None, "days": two_days})
    assert nudges(page) == set()  # counted from the first day saved: two days
    put_diary(
        page, {"version": 1, "started": "2026-11-26", "onset": "2026-10-20", "days": two_days}
    )
    assert nudges(page) == {"no-better", "book"}  # the pain started five weeks ago
    assert page.get_by_text("Smertene begynte 20. oktober.").is_visible()
    # Dates as people write them.
    assert page.locator("[data-diary-days] li").first.inner_text() == "26. november: smerte 5"
    page.evaluate("() => localStorage.clear()")


def test_diary_asks_once_when_the_pain_started_and_dates_read_naturally(page, axe, live_server):
    open_diary(page, live_server)
    page.clock.resume()  # axe-core waits on timers of its own; the day stays the same
    assert axe(page) == []  # before opt-in
    assert page.evaluate("() => localStorage.length") == 0
    page.get_by_label("When did the pain start? (optional)").fill("2026-11-02")
    page.get_by_role("button", name="Start the diary").click()
    stored = json.loads(page.evaluate("() => localStorage.getItem('painDiary')"))
    assert stored["onset"] == "2026-11-02" and stored["days"] == {}
    assert page.get_by_text("The pain started on 2 November.").is_visible()
    page.get_by_role("radio", name="4", exact=True).check()
    page.get_by_role("button", name="Save today").click()
    assert page.locator("[data-diary-days] li").first.inner_text() == "28 November: pain 4"
    assert axe(page) == []  # after opt-in
    page.evaluate("() => localStorage.clear()")


def test_diary_warning_signs_show_the_113_card_at_once(page, axe, live_server):
    open_diary(page, live_server, "/nb/dagbok")
    page.get_by_role("button", name="Start dagboken").click()
    card = page.locator("[data-diary-emergency]")
    assert not card.is_visible()
    tick = page.get_by_label("Jeg har fått nummenhet rundt endetarmen", exact=False)
    tick.check()
    assert card.is_visible()  # before anything is saved
    assert card.get_by_role("link", name="Ring 113").get_attribute("href") == "tel:113"
    assert page.locator("[data-diary-status]").inner_text().startswith("Ring 113 nå.")
    page.clock.resume()  # axe-core waits on timers of its own
    assert axe(page) == []
    tick.uncheck()
    assert not card.is_visible()
    tick.check()
    page.get_by_role("radio", name="7", exact=True).check()
    page.get_by_role("button", name="Lagre i dag").click()
    page.reload()
    assert card.is_visible()  # saved with today's entry, and still shown
    assert "worse" in nudges(page)
    page.evaluate("() => localStorage.clear()")


def test_diary_delete_asks_first_and_can_be_cancelled(page, live_server):
    open_diary(page, live_server)
    page.get_by_role("button", name="Start the diary").click()
    page.get_by_role("radio", name="3", exact=True).check()
    page.get_by_role("button", name="Save today").click()
    page.get_by_role("button", name="Delete my data").click()
    assert page.get_by_text("This deletes the whole diary").is_visible()
    page.get_by_role("button", name="No, keep the diary").click()
    assert not page.get_by_text("This deletes the whole diary").is_visible()
    assert page.evaluate("() => document.activeElement.textContent") == "Delete my data"
    assert page.evaluate("() => localStorage.length") == 1
    page.get_by_role("button", name="Delete my data").click()
    page.get_by_role("button", name="Yes, delete everything").click()
    page.get_by_text("Your diary is deleted.").wait_for()
    assert page.evaluate("() => localStorage.length") == 0


@pytest.mark.parametrize("width", [320, 360, 390])
def test_the_ten_on_the_pain_scale_stays_on_one_line(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(live_server + "/nb/dagbok")
        page.get_by_role("button", name="Start dagboken").click()
        heights = page.eval_on_selector_all(
            ".app-scale .app-choice__text",
            "(els) => els.map((e) => e.getBoundingClientRect().height)",
        )
        assert len(heights) == 11 and max(heights) == min(heights)  # «10» is as tall as «0»
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        page.evaluate("() => localStorage.clear()")
    finally:
        context.close()


# --- print -----------------------------------------------------------------------------------


def pages_of(page) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(format="A4")))


def checker_result(page, live_server) -> None:
    """The clinic result with the longest summary: four places, every other sign «no»."""
    page.goto(live_server + "/nb/symptomsjekk")
    page.get_by_label("Nei, ingen av disse").check()

    def go_on(step: str) -> None:
        page.get_by_role("button", name="Fortsett").click()
        page.locator(f'#checker[data-step="{step}"]').wait_for()

    go_on("about")
    page.get_by_label("Hvor gammel er du?").fill("47")
    page.get_by_role("radio", name="2 til 6 uker").check()
    go_on("where")
    for place in ["Korsryggen", "Leggen", "Fotsålen", "Lilletåen"]:
        page.get_by_role("checkbox", name=place, exact=True).check()
    go_on("flags")
    page.get_by_role("checkbox", name="Ingen av disse", exact=True).check()
    go_on("more")
    page.get_by_role("checkbox", name="Ingen av disse", exact=True).check()
    page.get_by_role("radio", name="Nei", exact=True).check()
    go_on("result")


def test_checker_result_prints_on_at_most_two_pages(page, live_server):
    checker_result(page, live_server)
    # The result heading has the focus after the step: no focus ring on paper.
    page.locator(".app-result__title").focus()
    page.emulate_media(media="print")
    ring = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, s.boxShadow]; }"""
    )
    assert ring == ["none", "none"]
    body = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    sources = page.eval_on_selector_all(
        ".app-reasons .app-meta",
        "(els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize))",
    )
    assert sources and max(sources) <= body
    assert 1 <= pages_of(page) <= 2


def test_session_prints_every_exercise_not_the_player(page, live_server):
    page.goto(live_server + "/nb/programmer/sciatica/uke-1")
    page.locator(".app-player").wait_for()
    page.emulate_media(media="print")
    items = page.locator(".app-session__item")
    assert all(items.nth(i).is_visible() for i in range(items.count()))
    assert not page.locator(".app-player").is_visible()


# --- small things patients saw ---------------------------------------------------------------


def test_home_page_title_is_the_site_name_once(page, live_server):
    page.goto(live_server + "/nb/")
    assert page.title() == "Vondt i foten og ryggen"
    page.goto(live_server + "/en/")
    assert page.title() == "Foot and back pain"
    page.goto(live_server + "/nb/dagbok")
    assert page.title() == "Smertedagbok – Vondt i foten og ryggen"


def test_breadcrumb_separator_stays_with_its_item(page, live_server):
    page.goto(live_server + "/nb/programmer/sciatica/uke-1")
    rows = page.eval_on_selector_all(
        ".app-breadcrumbs li",
        """(els) => els.map((li) => [li.getBoundingClientRect().height,
                                     li.querySelector('a').getBoundingClientRect().height])""",
    )
    assert len(rows) == 3
    for li_height, link_height in rows:
        assert li_height <= link_height + 1  # «›» has no line of its own


@pytest.mark.parametrize("width", [320, 390])
def test_phone_number_and_email_do_not_break_in_the_middle(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(live_server + "/nb/")
        footer = page.locator(".app-footer")
        for link in footer.locator('a[href^="tel:"]').all():
            assert link.evaluate("(a) => a.getClientRects().length") == 1
        mail = footer.locator('a[href^="mailto:"]')
        lines = mail.evaluate(
            """(a) => { const r = document.createRange(); r.selectNodeContents(a);
                        return Array.from(r.getClientRects()).length; }"""
        )
        assert mail.evaluate("(a) => a.querySelector('wbr') !== null")
        if lines > 1:  # it breaks after the @, not inside a word
            first = mail.evaluate(
                """(a) => { const r = document.createRange(); r.setStart(a.firstChild, 0);
                            r.setEnd(a.firstChild, a.firstChild.length);
                            return r.getClientRects().length; }"""
            )
            assert first == 1
    finally:
        context.close()


def test_focus_moves_to_the_thanks_after_feedback(page, live_server):
    page.goto(live_server + "/en/programmes/sciatica")
    page.locator("#feedback").get_by_label("Yes").check()
    page.locator("#feedback").get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Thank you for your answer").wait_for()
    page.wait_for_function("() => document.activeElement.id === 'feedback'")


def test_programme_keeps_its_exercise_pages_and_the_offline_page_lists_them(page, axe, live_server):
    page.goto(live_server + "/nb/programmer/sciatica")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    assert wait_until_cached(page, "/nb/ovelser/relief-position", "/nb/programmer/sciatica/uke-5")
    page.context.set_offline(True)
    try:
        page.goto(live_server + "/nb/ovelser/relief-position")
        assert page.get_by_role("heading", level=1).inner_text() == "Hvil med leggene på en stol"
        page.goto(live_server + "/nb/ovelser/heel-drop")  # never opened: the offline page
        assert page.get_by_role("heading", level=1).inner_text() == "Du er ikke på nett"
        saved = page.locator("[data-offline-links]")
        saved.get_by_role("link", name="Hvil med leggene på en stol").wait_for()
        names = saved.get_by_role("link").all_inner_texts()
        assert names[0].startswith("Isjias")  # the programme first, then its sessions
        assert "Smertedagbok" in names
        assert "Du er ikke på nett" not in names
        assert axe(page) == []
    finally:
        page.context.set_offline(False)


def test_offline_page_without_javascript_says_so(nojs_page, live_server):
    # (axe-core needs JavaScript; the offline page with it is checked above.)
    nojs_page.goto(live_server + "/en/offline")
    assert nojs_page.get_by_text("Without JavaScript this page cannot see").is_visible()
    assert not nojs_page.locator("[data-offline-list]").is_visible()
    assert nojs_page.get_by_role("link", name="Call 113").is_visible()
