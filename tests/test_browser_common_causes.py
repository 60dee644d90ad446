"""The common causes (issue #11) in real Chromium at a phone viewport: a new explainer, a new
programme and its session player pass axe-core, and the explainer leads on to its programme."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "path",
    [
        "/nb/tilstander/smerter-under-haelen",
        "/en/conditions/ankle-sprain",
        "/nb/programmer/plantar-heel",
        "/en/programmes/achilles/week-1",
        "/nb/programmer/ankle-sprain/uke-1",
        "/nb/sok?q=h%C3%A6lspore",
    ],
)
def test_new_pages_have_no_axe_violations(page, axe, live_server, path):
    page.goto(live_server + path)
    assert axe(page) == []


def test_a_heel_pain_search_leads_to_the_programme_in_three_taps(page, live_server):
    page.goto(live_server + "/nb/sok")
    page.get_by_role("searchbox").fill("vondt i hælen")
    page.get_by_role("searchbox").press("Enter")
    page.get_by_role("link", name="Vondt under hælen").first.click()  # tap 1
    page.get_by_role("link", name="programmet for vondt under hælen").click()  # tap 2
    assert page.url.endswith("/nb/programmer/plantar-heel")
    page.get_by_role("link", name="Start").first.click()  # tap 3: the session player
    assert page.locator(".app-player, .app-session").first.is_visible()
