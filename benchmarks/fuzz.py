"""Bad input at every route: count the answers, and every 5xx (there must be none).

    .venv/bin/python benchmarks/fuzz.py [--requests 14000] [--seed 1] [--url http://127.0.0.1:8000]

Without --url it starts the app under gunicorn (2 sync workers, a fresh instance folder) on a
free port. Requests mix every GET route with odd paths and query strings, every form the app
takes (the checker's steps with tampered, missing and repeated fields, feedback, admin sign-in)
and the API with random JSON: nesting, wrong types, huge numbers, unknown ids, bad content
types, chunked bodies. The same generator runs in the test suite on a smaller scale
(tests/test_robustness.py).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["/", "/nb/", "/en/", "/nb/tilstander/", "/nb/tilstander/isjias", "/en/conditions/",
         "/nb/sok", "/en/search", "/nb/symptomsjekk", "/en/symptom-checker", "/nb/bestill-time",
         "/nb/programmer/", "/nb/dagbok", "/nb/personvern", "/nb/offline", "/healthz",
         "/robots.txt", "/sitemap.xml", "/sw.js", "/manifest.webmanifest", "/admin/",
         "/admin/login", "/api/v1/triage", "/api/v1/triage/questions", "/api/v1/openapi.json",
         "/static/css/app.css", "/nb/slik-vurderer-vi", "/nb/tilbakemelding"]  # fmt: skip
STEPS = ["emergency", "about", "where", "flags", "pregnancy", "more", "result", "", "x" * 300]
QUESTIONS = ["saddle_numbness", "pregnant", "diabetes", "first_step_heel_pain", "nope", ""]
WEIRD = ["", "0", "-1", "1e309", "NaN", "68,", "٦٨", "\u202e", "<script>", "../../etc/passwd",
         "%00", "' OR 1=1 --", "x" * 5000, "😀", "\x00", "null", "[]", "{}", "true"]  # fmt: skip


def weird(rng: random.Random) -> str:
    return (
        rng.choice(WEIRD)
        if rng.random() < 0.7
        else "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(1, 40)))
    )


def json_value(rng: random.Random, depth: int = 0) -> object:
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -1, 45, 45.0, 45.5, 10**30, 1e308, 120, 121])
    if kind == 2:
        return weird(rng)
    if kind == 3:
        return rng.choice(["yes", "no", "unsure", "lower_back", "heel", "nb", "en"])
    if kind == 4:
        return rng.choice(QUESTIONS)
    if kind == 5:
        return [json_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["age", "duration_weeks", "pain_areas", "answers", "lang", *QUESTIONS]):
            json_value(rng, depth + 1) for _ in range(rng.randrange(5))}  # fmt: skip


def requests(count: int, seed: int) -> Iterator[tuple[str, str, dict[str, str], bytes]]:
    """(method, path, headers, body) of `count` bad requests."""
    rng = random.Random(seed)
    for _ in range(count):
        kind = rng.randrange(6)
        if kind == 0:  # odd GETs
            path = rng.choice(PATHS) + rng.choice(["", "/", "x", "/../..", "%2e%2e", ";a"])
            query = urlencode({rng.choice(["q", "step", "lang", "a"]): weird(rng)})
            method = rng.choice(["GET", "HEAD", "GET", "PUT", "DELETE", "OPTIONS", "PATCH"])
            yield method, path + "?" + query, {}, b""
        elif kind in (1, 2):  # the checker's form, tampered
            fields = [("step", rng.choice(STEPS))]
            for _ in range(rng.randrange(12)):
                name = rng.choice(["sign", "age", "duration", "area", "detail", "flag", "more",
                                   *(f"q_{q}" for q in QUESTIONS)])  # fmt: skip
                fields.append((name, rng.choice([weird(rng), "yes", "no", "unsure", "none"])))
            path = rng.choice(["/nb/symptomsjekk", "/en/symptom-checker"])
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if rng.random() < 0.3:
                headers |= {"HX-Request": "true", "HX-Target": "checker"}
            yield "POST", path, headers, urlencode(fields).encode()
        elif kind == 3:  # the API
            body = json.dumps(json_value(rng)).encode()
            if rng.random() < 0.1:
                body = b"[" * rng.choice([100, 10000, 60000])
            ctype = rng.choice(
                ["application/json"] * 4 + ["text/plain", "", "application/json; charset=latin1"]
            )
            yield "POST", "/api/v1/triage", {"Content-Type": ctype}, body
        elif kind == 4:  # feedback and sign-in
            path = rng.choice(
                ["/nb/tilbakemelding", "/en/feedback", "/admin/login", "/admin/prune"]
            )
            data = {"page": rng.choice(["/nb/tilstander/isjias", weird(rng)]),
                    "helpful": rng.choice(["yes", "no", weird(rng)]), "comment": weird(rng),
                    "csrf_token": weird(rng), "password": weird(rng)}  # fmt: skip
            origin = rng.choice(["", "null", "http://evil.example", "http://127.0.0.1"])
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin}
            yield "POST", path, headers, urlencode(data).encode()
        else:  # odd headers
            name = rng.choice(["Host", "Accept-Language", "If-None-Match", "Accept-Encoding",
                               "Cookie", "X-Forwarded-For"])  # fmt: skip
            headers = {name: quote(weird(rng))[:200]}
            yield "GET", rng.choice(PATHS), headers, b""


def send(url: str, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers)
        return conn.getresponse().status
    except (ConnectionError, http.client.HTTPException):
        return 0  # the server closed the connection (e.g. after a 413 it did not read)
    finally:
        conn.close()


def start_app() -> tuple[str, subprocess.Popen]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    instance = tempfile.mkdtemp(prefix="fuzz-")
    env = {**os.environ, "WEBAPP_INSTANCE": instance}
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}"]
    with (Path(instance) / "gunicorn.log").open("wb") as log:  # the child keeps its own copy
        proc = subprocess.Popen([*command, "webapp:create_app()"], cwd=ROOT, env=env, stderr=log)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            return url, proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the app did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=14000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    url, proc = (args.url, None) if args.url else start_app()
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    try:
        for method, path, headers, body in requests(args.requests, args.seed):
            status = send(url, method, path, headers, body)
            statuses[status] += 1
            if status >= 500:
                failures.append(f"{status} {method} {path[:80]} {body[:80]!r}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
    print(f"{sum(statuses.values())} requests; answers: {dict(sorted(statuses.items()))}")
    print(f"5xx: {len(failures)}")
    for line in failures[:20]:
        print("  " + line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
