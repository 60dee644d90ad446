"""Never fail a patient: a full disk, a damaged database or search index, bad input, stolen
admin sessions, forged Host headers, settings from the environment (issue #13)."""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import logging
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import serve

from webapp import create_app
from webapp.core.settings import SETTINGS, SettingError
from webapp.db import connect, database_path

ROOT = Path(__file__).resolve().parent.parent
VIGNETTES = json.loads((Path(__file__).parent / "data" / "triage-vignettes.json").read_text())
ARTICLE = "/nb/tilstander/isjias"
HTTPS = "https://localhost"
PASSWORD = "correct horse battery"
HEADERS = ("Content-Security-Policy", "Strict-Transport-Security", "X-Content-Type-Options")
SADDLE = next(v["request"] for v in VIGNETTES if v["id"] == "P01")  # saddle numbness: call 113
assert SADDLE["answers"]["saddle_numbness"] == "yes"


def fetch(url: str, data: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of a real HTTP request; errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


# --- a full disk ------------------------------------------------------------------------------


@contextlib.contextmanager
def small_filesystem(tmp_path: Path):
    """A real filesystem of 64 MB (tmpfs) where one can mount; else a folder made read-only
    after start (as root, permissions do not stop writes, so root mounts)."""
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() == 0:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)],
                       check=True)  # fmt: skip
        try:
            yield folder, fill_disk
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
    else:
        yield folder, make_read_only


def fill_disk(folder: Path) -> None:
    with (folder / "filler").open("wb") as handle:
        chunk = b"\0" * (1 << 20)
        try:
            while True:
                handle.write(chunk)
                handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    with contextlib.suppress(OSError), (folder / "filler2").open("wb") as handle:
        while True:  # the last few bytes too
            handle.write(b"\0" * 512)
            handle.flush()


def make_read_only(folder: Path) -> None:
    for path in [*folder.rglob("*"), folder]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def test_a_full_disk_never_stops_a_page_or_an_answer(tmp_path):
    with small_filesystem(tmp_path) as (folder, break_writes):
        instance = folder / "instance"
        instance.mkdir()
        server = serve(instance, workers=2, extra_env={"WEBAPP_COUNT_FLUSH_SECONDS": "0.2"})
        url = next(server)
        try:
            assert fetch(url + ARTICLE)[0] == 200  # cached by one worker before the disk fills
            break_writes(folder)
            answers = [
                fetch(url + ARTICLE),
                fetch(url + ARTICLE),
                fetch(url + "/en/conditions/sciatica"),
                fetch(url + "/nb/sok?q=ingentingfinnes"),
                fetch(url + "/nb/sok?q=isjias"),
                fetch(url + "/nb/bestill-time"),
                fetch(
                    url + "/api/v1/triage",
                    json.dumps(SADDLE).encode(),
                    {"Content-Type": "application/json"},
                ),  # fmt: skip
                fetch(
                    url + "/nb/symptomsjekk",
                    b"step=emergency&sign=saddle_numbness",
                    {"Content-Type": "application/x-www-form-urlencoded"},
                ),  # fmt: skip
            ]
            for status, headers, _body in answers:
                assert status == 200
                for name in HEADERS:
                    assert headers[name]
            assert json.loads(answers[6][2])["urgency"] == "emergency"
            assert 'href="tel:113"' in answers[7][2]
            # Feedback, which the person asked to save, says plainly that it was not saved.
            status, headers, body = fetch(
                url + "/nb/tilbakemelding",
                b"page=%2Fnb%2Ftilstander%2Fisjias&helpful=yes",
                {"Content-Type": "application/x-www-form-urlencoded", "Origin": url},
            )
            assert status == 503 and "Vi kunne ikke lagre dette nå" in body
            assert headers["Content-Security-Policy"]
            # The counts' background write fails, and health says so (each worker knows its own
            # writes: ask until the one that counted answers).
            deadline = time.monotonic() + 5
            while True:
                status, _, body = fetch(url + "/healthz")
                if json.loads(body)["counts"] != "ok" or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert status == 503 and json.loads(body)["counts"] != "ok"
        finally:
            server.close()
        log = next(instance.glob("gunicorn-*.log")).read_text()
        assert "Dropped" in log and "Traceback" not in log.split("Dropped")[0][-2000:]


def test_counts_are_written_on_a_timer_not_on_the_next_request(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "COUNT_FLUSH_SECONDS": 0.2})
    app.test_client().get(ARTICLE)
    time.sleep(0.7)  # no further request
    db = connect(database_path(app))
    try:
        assert [r["count"] for r in db["page_views"].rows] == [1]
    finally:
        db.conn.close()


# --- a damaged database or search index ------------------------------------------------------


def good_database(tmp_path: Path) -> Path:
    instance = tmp_path / "instance"
    create_app({"INSTANCE_PATH": str(instance)})
    return instance


@pytest.mark.parametrize("damage", ["truncated", "garbled", "empty"])
def test_a_damaged_database_leaves_the_site_up_and_says_what_is_wrong(tmp_path, damage, caplog):
    instance = good_database(tmp_path)
    path = instance / "webapp.sqlite3"
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    data = path.read_bytes()
    path.write_bytes({"truncated": data[:1000], "garbled": os.urandom(len(data)),
                      "empty": b""}[damage])  # fmt: skip
    app = create_app({"INSTANCE_PATH": str(instance), "COUNT_FLUSH_SECONDS": 0})
    client = app.test_client()
    for page in ("/nb/", ARTICLE, "/nb/bestill-time", "/nb/offline", "/nb/symptomsjekk"):
        assert client.get(page).status_code == 200
    assert client.get("/nb/sok?q=ingentingfinnes").status_code == 200
    answer = client.post("/api/v1/triage", json=SADDLE)
    assert answer.status_code == 200 and answer.json["urgency"] == "emergency"
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["status"] == "degraded"
    said = health.json["database"]
    assert "$WEBAPP_INSTANCE/webapp.sqlite3" in said and "flask db backup" in said
    assert str(instance) not in said  # the server's folders are nobody's business
    feedback = client.post("/nb/tilbakemelding", data={"page": ARTICLE, "helpful": "yes"},
                           headers={"Origin": "http://localhost"})  # fmt: skip
    assert feedback.status_code == 503
    login = client.get("/admin/login", base_url=HTTPS)
    html = login.get_data(as_text=True)
    assert login.status_code == 503 and "webapp.sqlite3" in html and "flask db backup" in html
    assert path.read_bytes()[:16] != b"SQLite format 3\0" or damage == "truncated"  # untouched


def test_a_broken_search_index_is_written_again_from_the_content(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"INSTANCE_PATH": str(instance), "COUNT_FLUSH_SECONDS": 0})
    index = app.extensions["search_index"]
    index.write_bytes(os.urandom(index.stat().st_size))
    client = app.test_client()
    assert client.get("/healthz").json["search"] != "ok"
    response = client.get("/nb/sok?q=isjias")
    assert response.status_code == 200 and "/nb/tilstander/isjias" in response.get_data(
        as_text=True
    )
    assert client.get("/healthz").status_code == 200
    # At start-up too: a damaged file is replaced, and no half-written .tmp file is left.
    app.extensions["search_index"].write_bytes(b"not a database")
    again = create_app({"INSTANCE_PATH": str(instance), "COUNT_FLUSH_SECONDS": 0})
    assert again.test_client().get("/nb/sok?q=isjias").status_code == 200
    assert list(instance.glob("*.tmp")) == []


# --- the API and the request path ------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory):
    """Not the reading app: the fuzzing posts feedback and failed sign-ins (rate limits, rows),
    and `flask routes` starts a second app on this instance folder."""
    instance = tmp_path_factory.mktemp("robust")
    return create_app({"INSTANCE_PATH": str(instance), "COUNT_FLUSH_SECONDS": 0}).test_client()


def test_deeply_nested_json_is_a_422_not_a_500(reading_client):
    response = reading_client.post(
        "/api/v1/triage", data="[" * 60000, content_type="application/json"
    )
    assert response.status_code == 422 and response.json["fields"] == {"body": "nested too deeply"}


@pytest.mark.parametrize(("age", "status"), [(45.0, 200), (45, 200), (45.5, 422), (1e300, 422)])
def test_a_whole_number_age_may_be_written_as_a_float(reading_client, age, status):
    body = {**VIGNETTES[0]["request"], "age": age}
    assert reading_client.post("/api/v1/triage", json=body).status_code == status


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("get", "/api/v1/triage", "POST"),
        ("put", "/nb/sok", "GET"),
        ("post", "/nb/", "GET"),
        ("delete", "/nb/tilbakemelding", "POST"),
    ],  # fmt: skip
)
def test_405_names_the_allowed_methods(reading_client, method, path, allow):
    response = getattr(reading_client, method)(path)
    assert response.status_code == 405 and allow in response.headers["Allow"]


def test_the_check_is_a_flask_route(shared_client):
    app = shared_client.application
    rules = {rule.rule: rule.methods for rule in app.url_map.iter_rules()}
    assert "POST" in rules["/api/v1/triage"]
    env = {**os.environ, "WEBAPP_INSTANCE": app.instance_path}
    command = [sys.executable, "-m", "flask", "--app", "webapp", "routes"]
    output = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"api\.triage\s+POST\s+/api/v1/triage", output)


def chunked_post(url: str, path: str, body: bytes) -> int:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        for start in range(0, len(body), 4096):
            chunk = body[start : start + 4096]
            conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        conn.send(b"0\r\n\r\n")
        return conn.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        return 413  # the server answered and closed before the rest was sent
    finally:
        conn.close()


def test_a_chunked_body_over_the_limit_is_a_413_under_gunicorn(live_server):
    valid = json.dumps(VIGNETTES[0]["request"]).encode()
    assert chunked_post(live_server, "/api/v1/triage", valid) == 200
    padded = valid + b" " * (70 * 1024)  # still valid JSON if it were cut at 64 KiB
    assert chunked_post(live_server, "/api/v1/triage", padded) == 413


# --- settings ---------------------------------------------------------------------------------


def test_settings_from_the_environment_are_typed(tmp_path, monkeypatch):
    monkeypatch.setenv("WEBAPP_MAX_CONTENT_LENGTH", "3000")
    monkeypatch.setenv("WEBAPP_COUNT_FLUSH_SECONDS", "0")
    monkeypatch.setenv("WEBAPP_TRUSTED_HOSTS", "localhost, www.example.no")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["MAX_CONTENT_LENGTH"] == 3000
    assert app.config["TRUSTED_HOSTS"] == ["localhost", "www.example.no"]
    client = app.test_client()
    small = client.post("/api/v1/triage", json=VIGNETTES[0]["request"])
    assert small.status_code == 200
    assert client.post("/api/v1/triage", json={"pad": "x" * 4000}).status_code == 413
    form = {"page": ARTICLE, "helpful": "yes"}
    assert client.post("/nb/tilbakemelding", data=form,
                       headers={"Origin": "http://localhost"}).status_code == 200  # fmt: skip


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("WEBAPP_MAX_CONTENT_LENGTH", "lots", "WEBAPP_MAX_CONTENT_LENGTH='lots': must be int"),
        ("WEBAPP_PROXY_COUNT", "1.5", "must be int"),
        ("WEBAPP_MAX_CONTENT", "1000", "WEBAPP_MAX_CONTENT: not a setting"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_it(tmp_path, monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError, match=re.escape(message)):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_every_setting_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for name in SETTINGS:
        assert f"`WEBAPP_{name}`" in readme


# --- Host header and proxies ------------------------------------------------------------------


@pytest.fixture(scope="module")
def production_client(tmp_path_factory):
    app = create_app({"INSTANCE_PATH": str(tmp_path_factory.mktemp("prod")),
                      "BASE_URL": "https://www.example.no", "COUNT_FLUSH_SECONDS": 0})  # fmt: skip
    return app.test_client()


@pytest.mark.parametrize("path", ["/nb/", ARTICLE, "/sitemap.xml", "/robots.txt", "/nb", "/"])
def test_an_unknown_host_is_a_400(production_client, path):
    response = production_client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)
    assert "evil.example" not in response.headers.get("Location", "")


def test_absolute_links_come_from_base_url_not_the_host(production_client):
    get = production_client.get
    home = get("/nb/", headers={"Host": "www.example.no"}).get_data(as_text=True)
    assert '<link rel="canonical" href="https://www.example.no/nb/">' in home
    assert 'hreflang="en" href="https://www.example.no/en/"' in home
    sitemap = get("/sitemap.xml", headers={"Host": "www.example.no"}).get_data(as_text=True)
    assert "<loc>https://www.example.no/nb/</loc>" in sitemap
    robots = get("/robots.txt", headers={"Host": "www.example.no"}).get_data(as_text=True)
    assert "Sitemap: https://www.example.no/sitemap.xml" in robots
    assert "Disallow: /admin" in robots


def test_forwarded_for_is_trusted_only_from_a_configured_proxy(tmp_path):
    form = {"page": ARTICLE, "helpful": "yes"}
    origin = {"Origin": "http://localhost"}

    def posts(app, addresses):
        client = app.test_client()
        return [client.post("/nb/tilbakemelding", data=form,
                            headers={**origin, "X-Forwarded-For": a}).status_code
                for a in addresses]  # fmt: skip

    proxied = create_app({"INSTANCE_PATH": str(tmp_path / "a"), "PROXY_COUNT": 1,
                          "FEEDBACK_RATE_LIMIT": "2/600", "COUNT_FLUSH_SECONDS": 0})  # fmt: skip
    # Behind the proxy each visitor is their own address: a third visitor is not refused.
    assert posts(proxied, ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1", "10.0.0.1"]) == [
        200, 200, 200, 200, 429]  # fmt: skip
    direct = create_app({"INSTANCE_PATH": str(tmp_path / "b"),
                         "FEEDBACK_RATE_LIMIT": "2/600", "COUNT_FLUSH_SECONDS": 0})  # fmt: skip
    # Without a proxy the header is anyone's to forge, so it is ignored.
    assert posts(direct, ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) == [200, 200, 429]


# --- admin sessions ---------------------------------------------------------------------------


@pytest.fixture
def admin(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "COUNT_FLUSH_SECONDS": 0,
                      "LOGIN_LIMIT": "3/300", "LOGIN_LIMIT_ALL": "5/900"})  # fmt: skip
    result = app.test_cli_runner().invoke(
        args=["admin", "set-password", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0
    return app


def sign_in(client, password=PASSWORD, address="127.0.0.1"):
    env = {"REMOTE_ADDR": address}
    html = client.get("/admin/login", base_url=HTTPS, environ_base=env).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post("/admin/login", data={"csrf_token": token, "password": password},
                       base_url=HTTPS, environ_base=env)  # fmt: skip


def stolen_cookie(client) -> str:
    return client.get_cookie("__Host-admin", domain="localhost").value


def replay(app, cookie: str) -> int:
    thief = app.test_client()
    thief.set_cookie("__Host-admin", cookie, domain="localhost", secure=True)
    return thief.get("/admin/", base_url=HTTPS).status_code


def test_signing_out_ends_every_session_even_a_copied_cookie(admin):
    client = admin.test_client()
    sign_in(client)
    cookie = stolen_cookie(client)
    assert replay(admin, cookie) == 200
    html = client.get("/admin/", base_url=HTTPS).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/admin/logout", data={"csrf_token": token}, base_url=HTTPS)
    assert replay(admin, cookie) == 302


def test_a_new_password_ends_every_session(admin):
    client = admin.test_client()
    sign_in(client)
    cookie = stolen_cookie(client)
    admin.test_cli_runner().invoke(
        args=["admin", "set-password", "--password-stdin"], input="another long password\n"
    )
    assert replay(admin, cookie) == 302


def test_a_session_ends_after_its_absolute_lifetime(admin, monkeypatch):
    client = admin.test_client()
    sign_in(client)
    assert client.get("/admin/", base_url=HTTPS).status_code == 200
    later = time.time() + 8 * 3600 + 1
    monkeypatch.setattr("webapp.admin.time.time", lambda: later)
    assert client.get("/admin/", base_url=HTTPS).status_code == 302


def test_failed_sign_ins_are_throttled_per_address_and_overall(admin):
    client = admin.test_client()
    codes = [sign_in(client, "wrong password!", "10.0.0.1").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    refused = sign_in(client, PASSWORD, "10.0.0.1")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 300
    assert "flask admin unlock" in refused.get_data(as_text=True)
    # Someone else's failures do not lock out the right password from another address ...
    assert sign_in(admin.test_client(), PASSWORD, "10.0.0.2").status_code == 302
    # ... until the failures from all addresses together reach the overall cap.
    for address in ("10.0.0.3", "10.0.0.4"):
        sign_in(admin.test_client(), "wrong password!", address)
    assert sign_in(admin.test_client(), PASSWORD, "10.0.0.5").status_code == 429
    result = admin.test_cli_runner().invoke(args=["admin", "unlock"])
    assert result.exit_code == 0 and "5 failed" in result.output
    assert sign_in(admin.test_client(), PASSWORD, "10.0.0.1").status_code == 302


def test_admin_pages_are_not_indexed(admin):
    response = admin.test_client().get("/admin/login", base_url=HTTPS)
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["=cmd|' /C calc'!A0", "+SUM(A1)", "-rm", "@import", "\tx"])
def test_csv_exports_neutralise_formulas(admin, typed):
    db = connect(database_path(admin))
    try:
        db["feedback"].insert({"day": "2026-11-28", "page": ARTICLE, "lang": "nb",
                               "helpful": 0, "comment": typed})  # fmt: skip
    finally:
        db.conn.close()
    client = admin.test_client()
    sign_in(client)
    csv_text = client.get("/admin/export/comments.csv", base_url=HTTPS).get_data(as_text=True)
    cell = csv_text.splitlines()[1].split(",", 4)[4].strip('"')
    assert cell.startswith("'")


def test_the_logger_never_sees_the_answers(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "COUNT_FLUSH_SECONDS": 0})
    app.test_client().post("/api/v1/triage", json=SADDLE)
    assert "saddle" not in caplog.text


# --- bad input everywhere ---------------------------------------------------------------------


def test_bad_input_never_gets_a_5xx(shared_client):
    """The generator of benchmarks/fuzz.py (14,000 requests against gunicorn there), smaller."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from fuzz import requests
    finally:
        sys.path.pop(0)
    failures = []
    for method, path, headers, body in requests(1500, seed=7):
        if "Host" in headers:
            continue  # the test client cannot send an odd Host; the gunicorn run does
        path = "/" + path.lstrip("/")  # "//x" would be a host name to the test client
        response = shared_client.open(path, method=method, headers=headers, data=body)
        if response.status_code >= 500:
            failures.append((response.status_code, method, path[:60], body[:60]))
    assert failures == []


def test_a_csrf_token_in_any_script_is_a_400_not_a_500(admin):
    data = {"csrf_token": "٦٨ѷ", "password": PASSWORD}
    response = admin.test_client().post("/admin/login", data=data, base_url=HTTPS)
    assert response.status_code == 400
