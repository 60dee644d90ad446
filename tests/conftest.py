"""Fixtures: an app on a temporary instance folder, its test client, and a real browser
against the real app (gunicorn on a free port) for the browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from webapp import create_app

ROOT = Path(__file__).resolve().parent.parent
PHONE = {"width": 390, "height": 844}


def app_config(instance: Path) -> dict:
    # Counts are written at once here (in production they are batched every few seconds).
    return {"INSTANCE_PATH": str(instance), "TESTING": True, "COUNT_FLUSH_SECONDS": 0}


@pytest.fixture
def app(tmp_path: Path):
    """A fresh app on its own empty instance folder: for a test that writes (feedback, admin,
    counts, retention, backup, rate limits), looks at what was stored, or changes the app."""
    return create_app(app_config(tmp_path / "instance"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def reading_app(tmp_path_factory: pytest.TempPathFactory):
    """One app for the whole run, for tests that only read: pages, the API's answers, the
    checker's steps. Building an app takes about a third of a second (it loads and checks all
    the content), so a fresh one for each of these tests was most of the suite's time.

    Such a test may leave what any visitor leaves (a page in the page cache, a view or an
    outcome counted, a missed search), but must not look at it, post feedback (its rate limit
    is in memory), sign in, or change the app: those tests take the function-scoped `app`."""
    return create_app(app_config(tmp_path_factory.mktemp("reading") / "instance"))


@pytest.fixture
def reading_client(reading_app):
    """A test client (its own cookies) of the shared `reading_app`; a test that changed the
    app's configuration or routes fails, as it would change the tests after it."""
    config, rules = dict(reading_app.config), len(list(reading_app.url_map.iter_rules()))
    yield reading_app.test_client()
    assert dict(reading_app.config) == config, "a reading test changed the shared app's config"
    assert len(list(reading_app.url_map.iter_rules())) == rules, "a reading test added a route"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A copy of content/ that a test may break, to see start-up refuse it."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    return folder


# --- browser tests -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The instance folder of the live server (its database and local configuration)."""
    return tmp_path_factory.mktemp("live-instance")


@pytest.fixture(scope="session")
def live_server(live_instance: Path) -> Iterator[str]:
    """The real app under gunicorn, as in production, on a free loopback port."""
    yield from serve(live_instance)


def serve(
    instance: Path, workers: int = 2, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run the app under gunicorn on a free port until the generator is closed."""
    port = _free_port()
    env = {**os.environ, "WEBAPP_INSTANCE": str(instance), **(extra_env or {})}
    log_path = instance / f"gunicorn-{port}.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "webapp:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,  # a file, not a pipe: a full pipe would stall the server
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.close()
                raise RuntimeError("the app did not start: " + log_path.read_text()) from None
            time.sleep(0.2)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def chromium_path() -> str | None:
    """Debian's Chromium (or $CHROMIUM); None means Playwright's own download is used."""
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    return path if path and Path(path).exists() else None


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(
                executable_path=chromium_path(),
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
        except Exception as exc:  # a missing browser fails the run; it is never a skip
            pytest.fail(f"Chromium could not start ({exc}); run scripts/test.sh to install it")
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors: list[str] = []  # console errors and uncaught page errors; none are allowed
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert errors == [], f"console errors: {errors}"


@pytest.fixture
def nojs_page(browser):
    ctx = browser.new_context(viewport=PHONE, java_script_enabled=False, is_mobile=True)
    page = ctx.new_page()
    yield page
    ctx.close()


# Every element whose content is wider than its box, or that sticks out of the page: what a
# reader sees as text running off the screen or cut in half. Elements meant to scroll
# (overflow auto/scroll, like a wide table) are allowed.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    if (el.closest("details:not([open]) > :not(summary)")) continue;
    if (el.closest(".app-visually-hidden, .app-skip-link, svg, [hidden]")) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const scrolls = ["auto", "scroll"].includes(style.overflowX);
    if (!scrolls && !el.closest("[data-scrolls], .app-table-wrap") &&
        (r.right > width + 1 || r.left < -1))
      bad.push(`${el.tagName}.${el.className} sticks out (${r.left}–${r.right})`);
    const clips = ["hidden", "clip"].includes(style.overflowX);
    if (!scrolls && clips && el.scrollWidth > el.clientWidth + 1)
      bad.push(`${el.tagName}.${el.className} cut (${el.scrollWidth} > ${el.clientWidth})`);
  }
  if (document.documentElement.scrollWidth > width + 1)
    bad.push(`page scrolls sideways (${document.documentElement.scrollWidth} > ${width})`);
  return bad;
}"""


def overflowing(page) -> list[str]:
    """What sticks out of the page or is cut at the current viewport (empty when nothing)."""
    return page.evaluate(_OVERFLOW)


def choose_language(page, name: str) -> None:
    """Open the language menu (a <details>, no JavaScript needed) and pick a language."""
    menu = page.locator("details.app-lang")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    menu.get_by_role("link", name=name, exact=True).click()


@pytest.fixture(scope="session")
def axe():
    """axe(page) → the page's axe-core WCAG 2.1 A/AA violations (empty when none)."""
    return axe_violations


def axe_violations(page) -> list[dict]:
    """axe-core WCAG 2.1 A/AA violations on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results.response["violations"]
    ]


def wait_until_cached(page, *paths: str) -> bool:
    """Wait (up to 5 s) until the service worker has kept these pages; True when it has.
    `evaluate` awaits the promise; `wait_for_function` would not."""
    kept = """async (paths) => {
      const cache = await caches.open("pages-v1");
      const found = await Promise.all(paths.map((p) => cache.match(p)));
      return found.every(Boolean);
    }"""
    for _ in range(50):
        if page.evaluate(kept, list(paths)):
            return True
        page.wait_for_timeout(100)
    return bool(page.evaluate(kept, list(paths)))
