"""The static export, served by a plain static file server: every page and link resolves."""

from __future__ import annotations

import re
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.request import urlopen

import pytest

from webapp.export import export_site, file_for

APP_ORIGIN = "https://app.example.no"


class StaticHandler(SimpleHTTPRequestHandler):
    """A plain file server with the one rule the export asks for, as nginx's
    `try_files $uri $uri.html $uri/index.html`: /a/b → a/b.html when a/b is not a file."""

    def translate_path(self, path: str) -> str:
        local = super().translate_path(path)
        if not Path(local).is_file() and Path(local + ".html").is_file():
            return local + ".html"
        return local

    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from webapp import create_app

    folder = tmp_path_factory.mktemp("export")
    app = create_app({"INSTANCE_PATH": str(tmp_path_factory.mktemp("inst"))})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(StaticHandler, directory=str(folder)))
    base = f"http://127.0.0.1:{server.server_port}"
    pages = export_site(app, folder, base, APP_ORIGIN)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, folder, pages, app
    server.shutdown()
    server.server_close()


def fetch(url: str) -> tuple[int, str]:
    with urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8", "replace")


def test_file_names():
    assert file_for("/nb/") == "nb/index.html"
    assert file_for("/nb/tilstander/isjias") == "nb/tilstander/isjias.html"
    assert file_for("/en/conditions/") == "en/conditions/index.html"


def test_every_sitemap_page_and_every_link_resolves(exported):
    base, folder, pages, app = exported
    status, sitemap = fetch(base + "/sitemap.xml")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert status == 200 and len(locs) >= 130
    links: set[str] = set()
    for loc in locs:
        assert loc.startswith(base)
        status, html = fetch(loc)
        assert status == 200, loc
        links |= set(re.findall(r'(?:href|src)="([^"#]+)', html))
    app_client = app.test_client()
    for link in sorted(links):
        if link.startswith(base):  # canonical and hreflang alternates are absolute
            link = link[len(base) :]
        if link.startswith("/") and not link.startswith("//"):
            assert fetch(base + link)[0] == 200, link
        elif link.startswith(APP_ORIGIN):
            # only what needs the app points there, and the app answers it
            path = link[len(APP_ORIGIN) :]
            assert path in ("/nb/sok", "/nn/sok") or path.endswith("/search"), link
            assert app_client.get(path).status_code == 200
        else:
            assert link.startswith(("https://", "tel:", "mailto:")), link


def test_forms_that_need_the_app_post_to_it(exported):
    base, *_ = exported
    _, article = fetch(base + "/nb/tilstander/isjias")
    assert f'action="{APP_ORIGIN}/nb/tilbakemelding"' in article
    assert "hx-post" not in article and "htmx" not in article
    _, checker = fetch(base + "/en/symptom-checker")
    assert f'action="{APP_ORIGIN}/en/symptom-checker"' in checker
    _, headers = fetch(base + "/_headers")
    assert f"form-action 'self' {APP_ORIGIN}" in headers


def test_service_worker_manifest_and_offline_pages_are_there(exported):
    base, folder, *_ = exported
    status, worker = fetch(base + "/sw.js")
    assert status == 200
    for url in re.findall(r'"(/[^"]+)"', worker.split("const SHELL = ")[1].split(";")[0]):
        assert fetch(base + url)[0] == 200, url
    assert fetch(base + "/manifest.webmanifest")[0] == 200
    assert (folder / "404.html").read_text().count("<h1") == 1


def test_feedback_from_the_static_copy_is_accepted_by_the_app(tmp_path):
    from webapp import create_app

    app = create_app({"INSTANCE_PATH": str(tmp_path), "SITE_ORIGINS": "https://www.example.no"})
    response = app.test_client().post(
        "/nb/tilbakemelding",
        data={"page": "/nb/tilstander/isjias", "helpful": "yes"},
        headers={"Origin": "https://www.example.no"},
    )
    assert response.status_code == 200


@pytest.mark.browser
def test_service_worker_works_on_the_static_copy(browser, exported):
    base, *_ = exported
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(base + "/nb/tilstander/isjias")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.goto(base + "/en/conditions/sural-nerve-entrapment")  # never opened: the offline page
    assert page.get_by_role("heading", level=1).inner_text() == "You are offline"
    page.goto(base + "/nb/tilstander/isjias")  # opened before: the saved copy
    assert page.get_by_role("heading", level=1).inner_text() == "Isjias"
    context.close()
