"""The production set-up of deploy/ as it runs: Debian's nginx in front of gunicorn (real
processes on free ports, started by deploy/local.py as scripts/serve-prod.sh does).

Slow clients wait in nginx, not in gunicorn's two sync workers; nginx's own error pages carry
the security headers; static files come from nginx's folder, precompressed; and neither access
log holds a query string. scripts/test.sh installs nginx where it is missing: never a skip.
"""

from __future__ import annotations

import contextlib
import gzip
import importlib.util
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from webapp.assets import load_assets

ROOT = Path(__file__).resolve().parent.parent
SLOW_CLIENTS = 8
WORKERS = 2

_spec = importlib.util.spec_from_file_location("deploy_local", ROOT / "deploy" / "local.py")
assert _spec and _spec.loader
local = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(local)


def _started(folder: Path, **options) -> Iterator:
    try:
        stack = local.start(folder, workers=WORKERS, **options)
    except local.StartError as exc:
        pytest.fail(f"the production set-up did not start ({exc}); scripts/test.sh installs nginx")
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """nginx in front of gunicorn with two sync workers."""
    yield from _started(tmp_path_factory.mktemp("prod"))


@pytest.fixture(scope="module")
def no_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """nginx alone: nothing listens where it sends what it does not serve itself."""
    yield from _started(tmp_path_factory.mktemp("prod-no-app"), app=False)


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 5):
    """(status, headers, body) of a GET, error statuses included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def timed_get(url: str, timeout: float = 5) -> tuple[int | None, float]:
    """The status of a GET (None: no answer within the timeout) and the seconds it took."""
    began = time.monotonic()
    try:
        status = get(url, timeout=timeout)[0]
    except OSError:
        status = None
    return status, time.monotonic() - began


class SlowClients:
    """Connections that send a request a byte at a time and never finish it: half of them stop
    in the headers, half in a POST body (both as a slowloris attack does)."""

    def __init__(self, port: int, count: int) -> None:
        self.sockets = []
        for i in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i % 2:
                sock.sendall(b"GET /nb/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the headers never end
            else:
                sock.sendall(
                    b"POST /api/v1/triage HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"
                )
            self.sockets.append(sock)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        while not self.stopped.wait(0.2):
            for i, sock in enumerate(self.sockets):
                with contextlib.suppress(OSError):  # nginx may have given up on it
                    sock.sendall(b"X" if i % 2 else b" ")  # a header line, JSON space

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()

    def __enter__(self) -> SlowClients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def test_slow_clients_do_not_stop_the_site(stack) -> None:
    assert get(stack.url + "/nb/")[0] == 200  # warm: the page cache, the first worker's start-up

    with SlowClients(stack.port, SLOW_CLIENTS):
        time.sleep(0.5)  # they are all connected and sending
        answers = [timed_get(stack.url + "/nb/") for _ in range(5)]
    assert [status for status, _ in answers] == [200] * 5
    slowest = max(seconds for _, seconds in answers)
    print(f"{SLOW_CLIENTS} slow clients: /nb/ through nginx answered in ≤ {slowest * 1000:.0f} ms")
    assert slowest < 1.0

    # The same attack on gunicorn without nginx: two slow clients take both sync workers.
    with SlowClients(stack.app_port, WORKERS):
        time.sleep(0.5)
        status, seconds = timed_get(stack.app_url + "/nb/", timeout=1)
    assert status is None, f"gunicorn alone answered in {seconds:.2f} s; is the check still real?"
    # And once they are gone the workers serve again.
    assert get(stack.url + "/nb/")[0] == 200


SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
)


def assert_security_headers(headers) -> None:
    for name in SECURITY_HEADERS:
        assert len(headers.get_all(name) or []) == 1, f"{name}: {headers.get_all(name)}"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_proxy_error_page_carries_the_security_headers(no_app) -> None:
    status, headers, body = get(no_app.url + "/nb/")
    assert status == 502
    assert headers["Server"].startswith("nginx")
    assert_security_headers(headers)
    assert headers["Cache-Control"] == "no-store"
    assert b'<html lang="nb"' in body and b"113" in body  # the app's error page, emergency number

    status, headers, body = get(no_app.url + "/en/conditions/")
    assert status == 502 and b'<html lang="en"' in body
    assert_security_headers(headers)


def test_error_nginx_answers_itself_carries_the_security_headers(stack) -> None:
    """A body larger than the app takes: nginx refuses it before gunicorn sees anything."""
    with socket.create_connection(("127.0.0.1", stack.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/v1/triage HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"
        )
        answer = b""
        while b"\r\n\r\n" not in answer and (chunk := sock.recv(65536)):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode()
    assert head.startswith("HTTP/1.1 413")
    for name in SECURITY_HEADERS:
        assert f"\r\n{name}: " in head


def test_pages_and_the_app_headers_pass_through_once(stack) -> None:
    status, headers, body = get(stack.url + "/nb/")
    assert status == 200
    assert_security_headers(headers)  # the app's, not doubled by nginx


def test_static_files_are_served_by_nginx(stack, no_app) -> None:
    page = get(stack.url + "/nb/")[2].decode()
    stylesheet = re.search(r'<link rel="stylesheet" href="(/static/[^"]+)"', page)
    assert stylesheet, "the page links no stylesheet"
    path = stylesheet.group(1)
    asset = load_assets()[path.removeprefix("/static/")]
    assert path == "/static/" + asset.fingerprinted and asset.gzipped is not None

    # No Python behind this nginx at all, and the page's stylesheet still comes.
    status, headers, body = get(no_app.url + path, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Server"].startswith("nginx")
    assert headers["Content-Encoding"] == "gzip"
    assert body == asset.gzipped  # the precompressed copy, as written (gzip_static)
    assert gzip.decompress(body) == asset.body
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Accept-Encoding" in headers["Vary"]
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Last-Modified"] and headers["ETag"]
    assert_security_headers(headers)

    status, headers, body = get(no_app.url + path)
    assert status == 200 and body == asset.body and "Content-Encoding" not in headers

    # An unfingerprinted name is the app's to answer (here: nobody's).
    assert get(no_app.url + "/static/css/app.css")[0] == 502


def test_access_logs_hold_no_query_string(stack) -> None:
    status, _, body = get(stack.url + "/nb/sok?q=secret-words")
    assert status == 200 and b"secret-words" in body  # the search itself saw the words
    time.sleep(0.3)  # gunicorn's worker writes its line after the answer
    nginx_log = (stack.logs / "nginx-access.log").read_text()
    gunicorn_log = (stack.logs / "gunicorn.log").read_text()
    for log in (nginx_log, gunicorn_log):
        assert '"GET /nb/sok HTTP/1.' in log  # the request is logged, by its path alone
        assert "secret-words" not in log and "q=" not in log
        for line in (line for line in log.splitlines() if "/nb/sok" in line):
            assert "127.0.0.1" not in line and "Python-urllib" not in line  # who: not kept


def test_tls_configuration_is_accepted_by_nginx(reading_app, tmp_path: Path) -> None:
    """The HTTPS variant (certificate, 443, a redirect on 80) as rendered for a server."""
    from webapp.deploy import nginx_config

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=www.example.no", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    text = nginx_config(
        reading_app,
        root=tmp_path / "public",
        names=["www.example.no", "example.no"],
        access_log=tmp_path / "access.log",
        tls_cert=cert,
        tls_key=key,
    )
    assert (
        "listen 443 ssl http2;" in text and "return 301 https://www.example.no$request_uri;" in text
    )
    assert text.count("add_header Strict-Transport-Security") == 2  # static files, error pages
    (tmp_path / "webapp.conf").write_text(text)
    local.checked_nginx(tmp_path)  # nginx -t: raises with nginx's complaint
