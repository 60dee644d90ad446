"""The condition library in real Chromium at a phone viewport."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "path",
    [
        "/nb/tilstander/",
        "/nb/tilstander/vondt-i-foten-og-ryggen",
        "/nb/tilstander/isjias",
        "/en/conditions/foot-and-back-pain",
        "/en/conditions/mortons-neuroma",
        "/nb/sok?q=isjias",
    ],
)
def test_library_pages_have_no_axe_violations(page, axe, live_server, path):
    page.goto(live_server + path)
    assert page.get_by_role("heading", level=1).count() == 1
    assert axe(page) == []


def test_search_as_you_type_with_htmx(page, live_server):
    page.goto(live_server + "/nb/sok")
    page.get_by_label("Søk på sidene").press_sequentially("ischias", delay=30)
    page.get_by_role("link", name="Isjias", exact=True).wait_for()
    assert page.url.endswith("/nb/sok?q=ischias")  # the address can be shared


def test_search_without_javascript(nojs_page, live_server):
    nojs_page.goto(live_server + "/en/conditions/")
    nojs_page.get_by_label("Search the pages").fill("tarsal tunnel")
    nojs_page.get_by_role("button", name="Search").click()
    nojs_page.get_by_role("link", name="tarsal tunnel syndrome", exact=False).first.click()
    assert "/en/conditions/tarsal-tunnel-syndrome" in nojs_page.url


def test_condition_page_links_to_related_and_back(page, live_server):
    page.goto(live_server + "/nb/tilstander/isjias")
    breadcrumbs = page.get_by_role("navigation", name="Brødsmulesti")
    breadcrumbs.get_by_role("link", name="Tilstander").click()
    page.wait_for_url(live_server + "/nb/tilstander/")
    page.get_by_role("link", name="Fot", exact=True).click()
    assert page.url.endswith("#area-foot")
