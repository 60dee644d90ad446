"""Real Chromium at a phone viewport against the real app under gunicorn."""

from __future__ import annotations

import pytest
from conftest import choose_language

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "lang", "heading"),
    [
        ("/nb/", "nb", "Vondt i foten, ryggen eller begge"),
        ("/en/", "en", "Pain in your foot, your back, or both"),
    ],
)
def test_home_renders_without_axe_violations(page, axe, live_server, path, lang, heading):
    page.goto(live_server + path)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert axe(page) == []


def test_language_switch_keeps_the_page(page, live_server):
    page.goto(live_server + "/nb/personvern")
    choose_language(page, "English")
    page.wait_for_url(live_server + "/en/privacy")
    assert page.locator("html").get_attribute("lang") == "en"
    choose_language(page, "Norsk bokmål")
    page.wait_for_url(live_server + "/nb/personvern")


def test_root_redirect_follows_browser_language(browser, live_server):
    ctx = browser.new_context(locale="en-GB")
    page = ctx.new_page()
    page.goto(live_server + "/")
    assert page.url == live_server + "/en/"
    ctx.close()


def test_404_page_is_friendly(context, axe, live_server):
    page = context.new_page()  # Chromium logs the 404 itself, so no console check here
    response = page.goto(live_server + "/nb/finnes-ikke")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Fant ikke siden"
    assert axe(page) == []


def test_skip_link_is_first_and_moves_focus(page, live_server):
    page.goto(live_server + "/en/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["height"] >= 44
    page.keyboard.press("Enter")
    assert page.url.endswith("#main-content")


@pytest.mark.parametrize("path", ["/nb/", "/nb/symptomsjekk", "/en/programmes/sciatica/week-1"])
def test_tap_targets_are_at_least_44px(page, live_server, path):
    page.goto(live_server + path)
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                 'header a, nav a, .app-button, footer li a, .app-choice, .app-player button')]
              .map(el => [el.textContent.trim(), el.getBoundingClientRect().height])
              .filter(([, h]) => h < 44)"""
    )
    assert small == []


def test_security_headers_reach_the_browser(page, live_server):
    response = page.goto(live_server + "/nb/")
    headers = response.all_headers()
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "max-age=" in headers["strict-transport-security"]
    assert headers["x-content-type-options"] == "nosniff"
    assert page.context.cookies() == []


def test_service_worker_installs_and_offline_page_shows(page, live_server):
    page.goto(live_server + "/nb/")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    try:
        page.goto(live_server + "/nb/personvern")  # never visited: the offline page answers
        assert page.get_by_role("heading", level=1).inner_text() == "Du er ikke på nett"
        assert page.locator('a[href="tel:113"]').first.is_visible()
        page.goto(live_server + "/nb/")  # visited: the cached copy answers
        assert (
            page.get_by_role("heading", level=1).inner_text() == "Vondt i foten, ryggen eller begge"
        )
    finally:
        page.context.set_offline(False)


def test_privacy_page_deletes_the_offline_copy(page, live_server):
    page.goto(live_server + "/en/privacy")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.get_by_role("button", name="Delete the saved pages").click()
    page.get_by_text("The saved pages are deleted from this phone.").wait_for()
    assert page.evaluate("() => caches.keys()") == []
    assert (
        page.evaluate("() => navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    )


def test_pages_work_without_javascript(nojs_page, live_server):
    nojs_page.goto(live_server + "/nb/")
    choose_language(nojs_page, "English")
    nojs_page.wait_for_url(live_server + "/en/")
    assert (
        nojs_page.get_by_role("heading", level=1).inner_text()
        == "Pain in your foot, your back, or both"
    )
    # the delete button needs JavaScript, so it is not shown without it
    nojs_page.goto(live_server + "/en/privacy")
    assert not nojs_page.get_by_role("button", name="Delete the saved pages").is_visible()


@pytest.mark.parametrize(
    "path",
    [
        "/nb/",
        "/nb/tilstander/isjias",
        "/en/privacy",
        "/nb/symptomsjekk",
        "/nb/programmer/sciatica/uke-1",
    ],
)
def test_readable_at_200_percent_zoom(browser, live_server, path):
    """At 200 % zoom a 390 px phone has 195 CSS pixels: text reflows, nothing scrolls sideways."""
    ctx = browser.new_context(viewport={"width": 195, "height": 422})
    page = ctx.new_page()
    page.goto(live_server + path)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    ctx.close()
    assert overflow <= 0


def test_dark_mode_follows_the_system(browser, axe, live_server):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = ctx.new_page()
    page.goto(live_server + "/nb/tilstander/isjias")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 23, 25)"
    assert axe(page) == []
    ctx.close()


def test_repeat_visit_gets_static_files_from_the_service_worker(page, live_server):
    page.goto(live_server + "/nb/tilstander/isjias")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()  # the second visit under the worker: its static files come from its cache
    static = []
    page.on("response", lambda r: static.append(r) if "/static/" in r.url else None)
    page.reload()
    page.wait_for_load_state("load")
    assert static, "the page loads static files"
    assert all(r.from_service_worker for r in static)
    navigations = []
    page.on("request", lambda r: navigations.append(r) if r.is_navigation_request() else None)
    page.reload()
    assert navigations  # pages are network-first: always fresh when online
