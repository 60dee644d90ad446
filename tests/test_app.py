"""The foundation: factory and configuration, languages, headers, caching, PWA files, errors."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from flask import Flask

from webapp import create_app
from webapp.core.clinic import ClinicConfigError
from webapp.core.languages import LANGUAGES

PAGES = ["/nb/", "/en/", "/nb/personvern", "/en/privacy", "/nb/offline", "/en/offline"]


def test_factory_uses_test_config_and_instance(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "inst"), "TESTING": True})
    assert app.testing
    assert Path(app.instance_path) == (tmp_path / "inst").resolve()
    assert (tmp_path / "inst" / "webapp.sqlite3").exists()


def test_environment_variables_override_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("WEBAPP_INSTANCE", str(tmp_path / "from-env"))
    monkeypatch.setenv("WEBAPP_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert Path(app.instance_path) == (tmp_path / "from-env").resolve()


def test_instance_config_file_is_read(tmp_path):
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "config.py").write_text("HSTS_SECONDS = 31536000\n")
    app = create_app({"INSTANCE_PATH": str(inst)})
    assert app.config["HSTS_SECONDS"] == 31536000


def test_database_uses_wal_and_tables_are_idempotent(tmp_path):
    from webapp.db import connect, create_tables

    path = tmp_path / "db.sqlite3"
    create_tables(path)
    create_tables(path)
    db = connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert "app_meta" in db.table_names()
    finally:
        db.conn.close()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("nb-NO,nb;q=0.9,en;q=0.8", "/nb/"),
        ("no", "/nb/"),
        ("nn-NO", "/nn/"),  # Nynorsk has its own pages (issue #14)
        ("nn-NO,nn;q=0.9", "/nn/"),
        ("pl-PL,pl;q=0.9,en;q=0.5", "/pl/"),
        ("uk-UA", "/uk/"),
        ("ar-SY,ar;q=0.9", "/ar/"),
        ("de-DE,lt;q=0.8", "/nb/"),
        ("en-GB,en;q=0.9", "/en/"),
        ("de-DE,de;q=0.9,en;q=0.5", "/en/"),
        ("fr-FR", "/nb/"),
        ("", "/nb/"),
    ],
)
def test_root_redirects_by_accept_language(reading_client, header, expected):
    response = reading_client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 302
    assert response.headers["Location"] == expected
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_with_language_and_alternates(reading_client, path):
    lang = path.split("/")[1]
    response = reading_client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert html.count("<h1") == 1
    assert 'hreflang="nb"' in html and 'hreflang="en"' in html
    assert '<main id="main-content"' in html
    assert 'class="app-skip-link" href="#main-content"' in html


def test_language_switch_keeps_the_page(reading_client):
    html = reading_client.get("/nb/personvern").get_data(as_text=True)
    assert 'href="/en/privacy" hreflang="en" lang="en"' in html
    html = reading_client.get("/en/privacy").get_data(as_text=True)
    assert 'href="/nb/personvern" hreflang="nb" lang="nb"' in html


def test_norwegian_is_translated(reading_client):
    html = reading_client.get("/nb/").get_data(as_text=True)
    assert "Hopp til innholdet" in html
    assert "Ring 113 hvis du har noe av dette:" in html
    html = reading_client.get("/en/").get_data(as_text=True)
    assert "Skip to main content" in html
    assert "Call 113 if you have any of these:" in html


def test_security_headers_on_every_response(reading_client):
    for path in [*PAGES, "/", "/sitemap.xml", "/sw.js", "/manifest.webmanifest", "/nope"]:
        headers = reading_client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp
        assert (
            "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        )
        assert "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp
        max_age = int(re.search(r"max-age=(\d+)", headers["Strict-Transport-Security"]).group(1))
        assert max_age >= 31536000
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] in (
            "same-origin",
            "no-referrer",
            "strict-origin-when-cross-origin",
        )
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
        assert "camera=()" in headers["Permissions-Policy"]


@pytest.mark.parametrize("path", PAGES)
def test_no_cookie_and_no_inline_script_or_style(reading_client, path):
    response = reading_client.get(path)
    assert "Set-Cookie" not in response.headers
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    loaded = re.findall(r'src="([^"]+)"', html)
    loaded += re.findall(
        r'<link rel="(?:stylesheet|icon|manifest|apple-touch-icon)" href="([^"]+)"', html
    )
    assert loaded and all(url.startswith("/") and not url.startswith("//") for url in loaded)


def test_htmx_is_not_loaded_where_no_page_uses_it(reading_client):
    assert "htmx" not in reading_client.get("/nb/").get_data(as_text=True)


def test_404_is_friendly_and_in_the_language(reading_client):
    response = reading_client.get("/en/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="en"' in html and "Page not found" in html
    response = reading_client.get("/nb/finnes-ikke")
    assert "Fant ikke siden" in response.get_data(as_text=True)


def test_500_is_friendly_without_stack_trace(app):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.testing = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "secret internals" not in html and "Traceback" not in html
    assert "Noe gikk galt" in html


def test_html_has_etag_and_answers_304(reading_client):
    first = reading_client.get("/nb/")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    second = reading_client.get("/nb/", headers={"If-None-Match": etag})
    assert second.status_code == 304
    assert second.data == b""


def test_html_is_gzipped_when_accepted(reading_client):
    response = reading_client.get("/nb/", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(response.data)
    assert "Accept-Encoding" in response.headers["Vary"]


def test_static_files_are_fingerprinted_and_immutable(reading_client):
    html = reading_client.get("/nb/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{10}\.css)"', html).group(1)
    response = reading_client.get(css, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert response.headers["Content-Encoding"] == "gzip"
    again = reading_client.get(
        css, headers={"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    assert reading_client.get("/static/css/nothing.css").status_code == 404


def test_first_visit_weight_within_budget(reading_client):
    """HTML + its CSS, JS and images, compressed, ≤ 60 KB."""
    for path in ("/nb/", "/en/"):
        html = reading_client.get(path, headers={"Accept-Encoding": "gzip"})
        total = len(html.data)
        text = gzip.decompress(html.data).decode()
        for url in set(re.findall(r'(?:src|href)="(/static/[^"]+)"', text)):
            total += len(reading_client.get(url, headers={"Accept-Encoding": "gzip"}).data)
        assert total <= 60 * 1024, f"{path}: {total} bytes"


def test_manifest(reading_client):
    data = json.loads(reading_client.get("/manifest.webmanifest").data)
    assert data["lang"] == "nb" and data["display"] == "standalone"
    assert data["name"] == "Vondt i foten og ryggen"
    assert data["start_url"] == "/nb/"
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        assert reading_client.get(icon["src"]).status_code == 200


def test_service_worker_is_served_at_root_and_precaches_the_shell(reading_client):
    response = reading_client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    body = response.get_data(as_text=True)
    assert '"/nb/offline"' in body and '"/en/offline"' in body
    assert "/api/" in body  # the API is excluded from caching
    for url in re.findall(r'"(/static/[^"]+)"', body):
        assert reading_client.get(url).status_code == 200


def test_offline_page_shows_emergency_numbers(reading_client):
    for path in ("/nb/offline", "/en/offline"):
        html = reading_client.get(path).get_data(as_text=True)
        assert 'href="tel:113"' in html and 'href="tel:116117"' in html


def test_sitemap_lists_every_page_with_alternates(reading_client):
    xml = reading_client.get("/sitemap.xml").get_data(as_text=True)
    for path in ("/nb/", "/en/", "/nb/personvern", "/en/privacy"):
        assert f"<loc>http://localhost{path}</loc>" in xml
    assert 'hreflang="en" href="http://localhost/en/privacy"' in xml


def test_robots_and_healthz(reading_client):
    assert "Sitemap: http://localhost/sitemap.xml" in reading_client.get("/robots.txt").get_data(
        as_text=True
    )
    response = reading_client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_clinic_defaults_from_the_guide(reading_app):
    clinic = reading_app.extensions["clinic"]
    assert clinic.phone == "62 80 90 30"
    assert {d.id for d in clinic.departments} == {
        "lambertseter",
        "eidsvoll-sundet",
        "raholt",
        "grimstad",
    }
    assert clinic.departments[0].phone_uri == "tel:+4762809030"


def test_instance_clinic_file_wins(tmp_path):
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "clinic.toml").write_text(
        'name = "Testklinikken"\nphone = "22 22 22 22"\nemail = "post@example.no"\n'
        '[site_name]\nnb = "Test"\nen = "Test"\n'
        '[[departments]]\nid = "sentrum"\nname = "Sentrum"\narea = "Sentrum"\ncity = "Oslo"\n'
        'booking_url = "https://booking.example.no/sentrum"\n'
        '[[departments.opening_hours]]\ndays = ["mon", "tue"]\nopens = "08:00"\ncloses = "16:00"\n'
    )
    clinic = create_app({"INSTANCE_PATH": str(inst)}).extensions["clinic"]
    assert clinic.name == "Testklinikken"
    assert clinic.departments[0].opening_hours[0].closes == "16:00"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ('phone = "62 80 90 30"', "phone"),
        ('name = "Vondtklinikkene Tverrfaglig Helse"', "name: missing"),
        ('id = "grimstad"', "departments[3].id"),
        ('city = "Oslo"', "departments[0].city: missing"),
    ],
)
def test_bad_clinic_file_stops_start_up_naming_the_key(tmp_path, change, key):
    text = (Path(__file__).parent.parent / "content" / "clinic.toml").read_text()
    replacement = {"phone": 'phone = "not a phone"', "departments[3].id": 'id = "Grim stad"'}.get(
        key, ""
    )
    bad = tmp_path / "clinic.toml"
    bad.write_text(text.replace(change, replacement, 1))
    with pytest.raises(ClinicConfigError, match=re.escape(key)):
        create_app({"INSTANCE_PATH": str(tmp_path / "inst"), "CLINIC_FILE": str(bad)})


def test_public_pages_are_served_from_the_page_cache(app, client):
    first = client.get("/nb/tilstander/isjias", headers={"Accept-Encoding": "gzip"})
    cache = app.extensions["page_cache"].entries
    assert ("localhost", "/nb/tilstander/isjias", True) in cache
    assert "Set-Cookie" not in dict(cache[("localhost", "/nb/tilstander/isjias", True)].headers)
    second = client.get("/nb/tilstander/isjias", headers={"Accept-Encoding": "gzip"})
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    again = client.get(
        "/nb/tilstander/isjias",
        headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304 and again.data == b""


def test_pages_with_answers_or_queries_are_never_cached(app, client):
    client.get("/nb/symptomsjekk")
    client.post("/nb/symptomsjekk", data={"step": "emergency", "sign": "none"})
    client.get("/nb/sok?q=isjias")
    paths = {key[1] for key in app.extensions["page_cache"].entries}
    assert not paths & {"/nb/symptomsjekk", "/nb/sok"}


@pytest.mark.parametrize(
    "path", ["/nb/", "/en/", "/nb/tilstander/isjias", "/en/conditions/foot-and-back-pain"]
)
def test_first_screen_fits_in_one_round_trip(reading_client, path):
    """HTML and its one stylesheet, compressed, within 14 KB (TCP's first flight)."""
    html = reading_client.get(path, headers={"Accept-Encoding": "gzip"})
    text = gzip.decompress(html.data).decode()
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)
    assert len(sheets) == 1
    css = reading_client.get(sheets[0], headers={"Accept-Encoding": "gzip"})
    assert len(html.data) + len(css.data) <= 14 * 1024
    for script in re.findall(r"<script[^>]*>", text):
        assert " defer" in script  # no script blocks the first render
    for img in re.findall(r"<img[^>]*>", text):
        assert "width=" in img and "height=" in img  # no layout shift


def test_counts_are_batched_and_added_up(tmp_path):
    import webapp.checker_flow  # noqa: F401 - registers the outcome_counts table
    from webapp.db import Counts, connect, create_tables

    path = tmp_path / "db.sqlite3"
    create_tables(path)
    sql = (
        "INSERT INTO outcome_counts (day, outcome, count) VALUES (?, ?, ?) "
        "ON CONFLICT (day, outcome) DO UPDATE SET count = count + excluded.count"
    )
    app = Flask(__name__, instance_path=str(tmp_path))
    app.config.update(DATABASE=path.name, COUNT_FLUSH_SECONDS=3600)
    first, second = Counts(app, sql), Counts(app, sql)
    for _ in range(3):
        first.add("2026-11-22", "clinic")
    second.add("2026-11-22", "clinic")
    db = connect(path)
    try:
        assert db["outcome_counts"].count == 0  # nothing written until the batch is due
        first.flush()
        second.flush()
        assert [r["count"] for r in db["outcome_counts"].rows] == [4]
    finally:
        db.conn.close()


def test_workers_starting_together_create_the_database_once(tmp_path):
    """gunicorn starts its workers at the same moment on a database that does not exist yet."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    instance = tmp_path / "inst"
    with ProcessPoolExecutor(4, mp_context=get_context("spawn")) as pool:
        names = list(pool.map(_start_app, [str(instance)] * 16))
    assert names == ["webapp"] * 16


def _start_app(instance: str) -> str:
    return create_app({"INSTANCE_PATH": instance}).name


def test_cached_pages_keep_exactly_one_set_of_security_headers(reading_client):
    for _ in range(3):
        response = reading_client.get("/en/")
    assert len(response.headers.getlist("Content-Security-Policy")) == 1
    assert len(response.headers.getlist("X-Frame-Options")) == 1


def test_every_ui_string_in_the_code_is_translated(tmp_path):
    """A string added to a template or module must reach every catalogue (nb, nn, pl, uk, ar),
    translated and not fuzzy."""
    import subprocess
    import sys

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            "--no-location",
            "--omit-header",
            ".",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    for lang in LANGUAGES:
        if lang == "en":  # the msgids' own language
            continue
        with (root / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle)
        done = {
            m.id if isinstance(m.id, str) else m.id[0]
            for m in catalog
            if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string])
        }
        assert sorted(wanted - done) == [], lang
