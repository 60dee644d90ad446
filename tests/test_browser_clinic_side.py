"""Booking, feedback and the dashboard in real Chromium at a phone viewport."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize("path", ["/nb/bestill-time", "/en/book"])
def test_booking_page_has_no_axe_violations(page, axe, live_server, path):
    page.goto(live_server + path)
    assert page.locator(".app-department").count() == 4
    assert axe(page) == []


def test_feedback_inline_with_htmx_and_no_cookie(page, axe, live_server):
    page.goto(live_server + "/nb/tilstander/mortons-nevrom")
    form = page.locator("#feedback")
    form.get_by_label("Ja").check()
    form.get_by_label("Vil du fortelle oss noe mer? (valgfritt)").fill("Klar og grei side")
    assert axe(page) == []
    form.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Takk for svaret").wait_for()
    assert page.url == live_server + "/nb/tilstander/mortons-nevrom"  # no page change
    assert axe(page) == []
    assert page.context.cookies() == []


def test_feedback_without_javascript(nojs_page, live_server):
    nojs_page.goto(live_server + "/en/programmes/sciatica")
    nojs_page.locator("#feedback").get_by_label("No").check()
    nojs_page.get_by_role("button", name="Send").click()
    assert nojs_page.get_by_role("heading", level=1).inner_text() == "Thank you for your answer"
    nojs_page.get_by_role("link", name="Back to the page you read").click()
    assert nojs_page.url.endswith("/en/programmes/sciatica")


def test_dashboard_sign_in_and_axe(browser, axe, live_server, live_instance):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "webapp",
            "admin",
            "set-password",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        env={**os.environ, "WEBAPP_INSTANCE": str(live_instance)},
    )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server + "/admin/")
    assert page.url.endswith("/admin/login")
    assert axe(page) == []
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.get_by_role("heading", name="Klinikkens oversikt").wait_for()
    assert axe(page) == []
    cookie = next(c for c in context.cookies() if c["name"] == "__Host-admin")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(live_server + "/admin/login")
    context.close()
