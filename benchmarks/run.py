"""Speed benchmark: the app against a Flask hello world and nginx, side by side, on loopback.

Run from the repository root with the project's virtualenv:

    .venv/bin/python benchmarks/run.py [--seconds 10] [--json benchmarks/results.json] [--strict]

It serves the app and a hello-world Flask app with gunicorn (sync workers, one per core), and a
static export of the app with nginx, each on a free port of 127.0.0.1, loads them one after the
other with wrk and prints requests/s and latency side by side. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HOST = "127.0.0.1"
MIME_TYPES = Path("/etc/nginx/mime.types")

CONDITION_PATH = "/nb/tilstander/isjias"
HOME_PATH = "/nb/"
TRIAGE_PATH = "/api/v1/triage"
QUESTIONS_PATH = "/api/v1/triage/questions"

# Thresholds from the issue: the app against the hello world, and latency at 50 connections.
CONDITION_MIN_RATIO = 0.8
TRIAGE_MIN_RATIO = 0.5  # a Flask view since issue #13 (one request path); was 0.7 as lean WSGI
P99_MAX_MS = 50.0

# Every request says it takes gzip, as a browser does.
BROWSER_HEADERS = {"Accept-Encoding": "gzip"}


class BenchmarkError(Exception):
    """A part of the benchmark could not run; the message says why and what to do."""


@dataclass
class Target:
    key: str
    label: str
    server: str  # "app", "hello" or "nginx"
    method: str
    path: str
    result: dict[str, Any] | None = None
    check: dict[str, Any] | None = None
    error: str | None = None
    command: list[str] = field(default_factory=list)


# --- machine and versions --------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def tool_version(command: list[str], pattern: str) -> str | None:
    """First match of pattern in the command's output (wrk -v exits 1, nginx -v uses stderr)."""
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(pattern, proc.stdout + proc.stderr)
    return match.group(1) if match else None


def machine_info(wrk: str | None, nginx: str | None) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "hostname": socket.gethostname(),
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "loadavg_before": [round(x, 2) for x in os.getloadavg()],
        "versions": {
            "python": platform.python_version(),
            "gunicorn": package_version("gunicorn"),
            "flask": package_version("flask"),
            "werkzeug": package_version("werkzeug"),
            "wrk": tool_version([wrk, "-v"], r"wrk (\S+)") if wrk else None,
            "nginx": tool_version([nginx, "-v"], r"nginx/(\S+)") if nginx else None,
        },
    }


# --- tools -----------------------------------------------------------------------------------


def find_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def ensure_tools(install: bool) -> tuple[str | None, str | None]:
    """wrk and nginx, installed from Debian's archive when missing (and allowed, and root)."""
    wanted = {"wrk": "wrk", "nginx": "nginx-light"}
    missing = [package for tool, package in wanted.items() if not find_tool(tool)]
    if missing and install and shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        print(f"Installing {' '.join(missing)} with apt-get …", flush=True)
        command = ["apt-get", "install", "-y", *missing]

        def quiet(args: list[str]) -> int:
            out = subprocess.DEVNULL
            return subprocess.run(args, check=False, env=env, stdout=out, stderr=out).returncode

        if quiet(command) != 0:
            quiet(["apt-get", "update"])
            quiet(command)
    return find_tool("wrk"), find_tool("nginx")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- servers ---------------------------------------------------------------------------------


class Server:
    """A child process in its own process group, stopped (TERM, then KILL) on close."""

    def __init__(self, name: str, command: list[str], cwd: Path, env: dict[str, str], log: Path):
        self.name = name
        self.command = command
        self.log_path = log
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,  # a file, not a pipe: a full pipe would stall the server
            start_new_session=True,  # Ctrl-C reaches only us; we stop the server ourselves
        )

    def log_tail(self, lines: int = 20) -> str:
        self._log.flush()
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_ready(self, url: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise BenchmarkError(
                    f"{self.name} exited with code {self.proc.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers; the check decides whether the answer is right
            except OSError:
                if time.monotonic() > deadline:
                    raise BenchmarkError(
                        f"{self.name} did not answer {url} within {timeout:.0f} s:\n"
                        + self.log_tail()
                    ) from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        else:
            # The leader is gone; make sure no worker of its group is left behind.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def gunicorn(
    name: str, spec: str, cwd: Path, port: int, workers: int, env: dict[str, str], tmp: Path
):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",  # no access log: gunicorn writes none unless --access-logfile is given
        spec,
    ]
    return Server(name, command, cwd, env, tmp / f"{name}.log")


def nginx_config(tmp: Path, site: Path, port: int, workers: int) -> Path:
    text = (HERE / "nginx.conf.template").read_text()
    for key, value in {
        "@WORKERS@": str(workers),
        "@TMP@": str(tmp),
        "@PORT@": str(port),
        "@ROOT@": str(site),
        "@MIME_TYPES@": str(MIME_TYPES),
    }.items():
        text = text.replace(key, value)
    path = tmp / "nginx.conf"
    path.write_text(text)
    return path


# --- requests --------------------------------------------------------------------------------


def fetch(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and the (gunzipped) body; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers={**BROWSER_HEADERS, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, head, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        status, head, raw = exc.code, dict(exc.headers), exc.read()
    except OSError as exc:
        raise BenchmarkError(f"{url}: no answer ({exc})") from exc
    encoding = {k.lower(): v for k, v in head.items()}.get("content-encoding", "")
    body = gzip.decompress(raw) if encoding == "gzip" else raw
    return status, {"content-encoding": encoding, "bytes": str(len(raw))}, body


def check_ok(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> dict:
    status, head, body = fetch(url, data, headers)
    if status != 200:
        raise BenchmarkError(f"{url} answered {status}, not 200: {body[:300]!r}")
    return {
        "status": status,
        "content_encoding": head["content-encoding"] or None,
        "bytes_on_wire": int(head["bytes"]),
        "bytes": len(body),
        "body": body,
    }


def triage_body(base_url: str) -> dict[str, Any]:
    """A valid request: a 38-year-old, two weeks of low back and buttock pain, every answer no."""
    status, _, body = fetch(base_url + QUESTIONS_PATH)
    if status != 200:
        raise BenchmarkError(f"{QUESTIONS_PATH} answered {status}, not 200")
    questions = json.loads(body)["questions"]
    return {
        "age": 38,
        "duration_weeks": 2,
        "pain_areas": ["lower_back", "buttock"],
        "answers": {q["id"]: "no" for q in questions},
    }


# --- wrk -------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/s, the latency percentiles (in ms), and the error counters from wrk --latency."""
    result: dict[str, Any] = {}
    match = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if not match:
        raise BenchmarkError("could not read Requests/sec from wrk's output:\n" + output)
    result["req_per_s"] = float(match.group(1))
    distribution = output.split("Latency Distribution", 1)
    if len(distribution) != 2:
        raise BenchmarkError("wrk printed no latency distribution (run with --latency):\n" + output)
    for pct, value, unit in re.findall(
        r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m|h)\s*$", distribution[1], re.M
    ):
        result[f"p{pct}_ms"] = round(_ms(value, unit), 3)
    if "p50_ms" not in result or "p99_ms" not in result:
        raise BenchmarkError("could not read the 50% and 99% latencies from wrk:\n" + output)
    match = re.search(
        r"^\s+Latency\s+([\d.]+)(us|ms|s|m|h)\s+([\d.]+)(us|ms|s|m|h)\s+([\d.]+)(us|ms|s|m|h)",
        output,
        re.M,
    )
    if match:
        result["mean_ms"] = round(_ms(match.group(1), match.group(2)), 3)
        result["max_ms"] = round(_ms(match.group(5), match.group(6)), 3)
    match = re.search(
        r"^\s+(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)([KMGT]?B) read", output, re.M
    )
    if match:
        result["requests"] = int(match.group(1))
        result["duration_s"] = round(_ms(match.group(2), match.group(3)) / 1000, 3)
        result["read"] = match.group(4) + match.group(5)
    match = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, match.groups()), strict=True))
        if match
        else {}
    )
    result["socket_errors"] = sum(errors.values())
    result["socket_errors_by_kind"] = errors or {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(match.group(1)) if match else 0
    return result


def wrk_command(
    wrk: str, args: argparse.Namespace, url: str, seconds: float, script: list[str]
) -> list[str]:
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds:g}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for name, value in BROWSER_HEADERS.items():
        command += ["-H", f"{name}: {value}"]
    return command + script[:2] + [url] + script[2:]


def load(wrk: str, args: argparse.Namespace, target: Target, url: str, script: list[str]) -> None:
    """Warm up, then measure; the warm-up's figures are thrown away."""
    if args.warmup > 0:
        subprocess.run(
            wrk_command(wrk, args, url, args.warmup, script),
            capture_output=True,
            timeout=args.warmup + 30,
            check=False,
        )
    target.command = wrk_command(wrk, args, url, args.seconds, script)
    print(f"  {target.label}: {args.seconds:g} s at {args.connections} connections …", flush=True)
    proc = subprocess.run(
        target.command, capture_output=True, text=True, timeout=args.seconds + 60, check=False
    )
    if proc.returncode != 0:
        raise BenchmarkError(f"wrk failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    target.result = parse_wrk(proc.stdout)
    target.result["wrk_output"] = proc.stdout


# --- the three parts -------------------------------------------------------------------------


def run_app(wrk: str, args: argparse.Namespace, tmp: Path, targets: dict[str, Target]) -> None:
    instance = tmp / "instance"
    instance.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "WEBAPP_INSTANCE": str(instance)}
    # Create the instance's database once, in one process, as a deployed instance already has
    # it: this run measures serving, not first boot (where the workers would all create it).
    init = subprocess.run(
        [sys.executable, "-c", "import webapp; webapp.create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if init.returncode != 0:
        raise BenchmarkError(f"the app failed to start:\n{init.stderr[-2000:]}")
    port = free_port()
    base = f"http://{HOST}:{port}"
    with gunicorn("app", "webapp:create_app()", ROOT, port, args.workers, env, tmp) as server:
        server.wait_ready(base + "/healthz")
        body = json.dumps(triage_body(base)).encode()
        body_file = tmp / "triage-body.json"
        body_file.write_bytes(body)
        for key in ("condition", "home", "triage"):
            target = targets[key]
            try:
                url = base + target.path
                if key == "triage":
                    check = check_ok(url, body, {"Content-Type": "application/json"})
                    answer = json.loads(check.pop("body"))
                    if not isinstance(answer, dict) or "outcome" not in answer:
                        raise BenchmarkError(f"{url} answered JSON without an outcome: {answer!r}")
                    check["outcome"] = answer["outcome"]
                    check["request"] = json.loads(body)
                    script = ["-s", str(HERE / "triage.lua"), "--", str(body_file)]
                else:
                    check = check_ok(url)
                    check.pop("body")
                    script = []
                target.check = check
                load(wrk, args, target, url, script)
            except BenchmarkError as exc:
                target.error = str(exc)
                print(f"  {target.label}: ERROR {exc}", flush=True)


def run_hello(wrk: str, args: argparse.Namespace, tmp: Path, target: Target) -> None:
    port = free_port()
    url = f"http://{HOST}:{port}/"
    with gunicorn("hello", "hello:app", HERE, port, args.workers, dict(os.environ), tmp) as server:
        server.wait_ready(url)
        check = check_ok(url)
        check.pop("body")
        target.check = check
        load(wrk, args, target, url, [])


def export_site(tmp: Path, port: int) -> tuple[Path, list[str]]:
    """The app's own static export, made for the URL nginx will serve it on."""
    site = tmp / "site"
    instance = tmp / "export-instance"
    instance.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "WEBAPP_INSTANCE": str(instance)}
    flask = [sys.executable, "-m", "flask", "--app", "webapp"]
    probe = subprocess.run(
        [*flask, "export", "--help"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        raise BenchmarkError(
            "the app has no static export command yet ('flask --app webapp export --help' says: "
            + (probe.stderr.strip().splitlines() or ["nothing"])[-1]
            + "), so the nginx ceiling cannot be measured"
        )
    command = [*flask, "export", str(site), "--base-url", f"http://{HOST}:{port}"]
    proc = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    if proc.returncode != 0:
        raise BenchmarkError(
            f"'{' '.join(command[1:])}' failed ({proc.returncode}):\n{proc.stderr[-2000:]}"
        )
    page = site / (CONDITION_PATH.lstrip("/") + ".html")
    if not page.is_file():
        raise BenchmarkError(f"the export has no {page.relative_to(site)}")
    # nginx's workers run as "nobody" when started by root: let them read the export.
    for folder in (tmp, site, *[p for p in site.rglob("*") if p.is_dir()]):
        folder.chmod(folder.stat().st_mode | 0o755)
    for path in site.rglob("*"):
        if path.is_file():
            path.chmod(path.stat().st_mode | 0o644)
    return site, ["flask", *command[3:]]


def run_nginx(
    wrk: str, nginx: str | None, args: argparse.Namespace, tmp: Path, target: Target
) -> None:
    if not nginx:
        raise BenchmarkError("nginx is not installed (apt-get install nginx-light)")
    if not MIME_TYPES.is_file():
        raise BenchmarkError(f"{MIME_TYPES} is missing (it comes with Debian's nginx packages)")
    port = free_port()
    started = time.monotonic()
    site, export_command = export_site(tmp, port)
    exported = {"export_command": export_command, "export_s": round(time.monotonic() - started, 1)}
    config = nginx_config(tmp, site, port, args.workers)
    command = [nginx, "-p", str(tmp), "-c", str(config), "-e", str(tmp / "nginx-error.log")]
    test = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    if test.returncode != 0:
        raise BenchmarkError(f"nginx rejected {config}:\n{test.stderr}")
    url = f"http://{HOST}:{port}{CONDITION_PATH}"
    with Server("nginx", command, tmp, dict(os.environ), tmp / "nginx.log") as server:
        server.wait_ready(url)
        check = check_ok(url)
        check.pop("body")
        target.check = {**check, **exported}
        load(wrk, args, target, url, [])


# --- report ----------------------------------------------------------------------------------


def ratio(a: Target, b: Target) -> float | None:
    if a.result and b.result and b.result["req_per_s"]:
        return round(a.result["req_per_s"] / b.result["req_per_s"], 3)
    return None


def evaluate(targets: dict[str, Target]) -> tuple[dict[str, dict], list[dict]]:
    hello, nginx = targets["hello"], targets["nginx"]
    ratios = {
        key: {"vs_hello": ratio(targets[key], hello), "vs_nginx": ratio(targets[key], nginx)}
        for key in ("condition", "home", "triage")
    }
    checks: list[dict] = []

    def clean(t: Target) -> bool:
        return bool(t.result and t.result["non_2xx"] == 0)

    for key, minimum in (("condition", CONDITION_MIN_RATIO), ("triage", TRIAGE_MIN_RATIO)):
        value = ratios[key]["vs_hello"]
        checks.append(
            {
                "target": f"{targets[key].label}: req/s ≥ {minimum} × hello world",
                "value": value,
                "pass": value is not None and value >= minimum and clean(targets[key]),
            }
        )
    for key in ("condition", "home", "triage"):
        t = targets[key]
        value = t.result["p99_ms"] if t.result else None
        checks.append(
            {
                "target": f"{t.label}: p99 < {P99_MAX_MS:g} ms",
                "value": value,
                "pass": value is not None and value < P99_MAX_MS and clean(t),
            }
        )
    return ratios, checks


def fmt(value: float | None, spec: str, width: int = 0) -> str:
    return format("—" if value is None else format(value, spec), f">{width}")


def print_report(
    info: dict,
    args: argparse.Namespace,
    targets: dict[str, Target],
    ratios: dict,
    checks: list[dict],
) -> None:
    v = info["versions"]
    print()
    print(f"{info['date']}  {info['hostname']}  {info['cpu_model']}  ({info['cores']} cores)")
    print(
        f"Python {v['python']}, Flask {v['flask']}, gunicorn {v['gunicorn']} "
        f"({args.workers} sync workers), wrk {v['wrk']}, nginx {v['nginx']}"
    )
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.seconds:g}s --latency, "
        f"after {args.warmup:g} s warm-up"
    )
    print()
    print(f"{'target':<34}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'sock err':>10}")
    for t in targets.values():
        name = f"{t.label} ({t.server})"
        if t.result:
            r = t.result
            print(
                f"{name:<34}{r['req_per_s']:>10.1f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
                f"{r['non_2xx']:>9}{r['socket_errors']:>10}"
            )
        else:
            print(f"{name:<34}{'not measured':>47}")
    print()
    print(f"{'ratio of req/s':<34}{'/ hello':>10}{'/ nginx':>10}")
    for key, pair in ratios.items():
        print(
            f"{targets[key].label:<34}"
            f"{fmt(pair['vs_hello'], '.2f', 10)}{fmt(pair['vs_nginx'], '.3f', 10)}"
        )
    print()
    for c in checks:
        print(f"{'PASS' if c['pass'] else 'FAIL'}  {c['target']}  ({fmt(c['value'], '.2f')})")
    errors: dict[str, list[str]] = {}
    for t in targets.values():
        if t.error:
            errors.setdefault(t.error, []).append(t.label)
    for error, labels in errors.items():
        print(f"\nERROR  {', '.join(labels)}: {error}")
    for t in targets.values():
        if t.result and (t.result["non_2xx"] or t.result["socket_errors"]):
            print(
                f"\nNOTE  {t.label}: {t.result['non_2xx']} non-2xx/3xx answers, socket errors "
                f"{t.result['socket_errors_by_kind']}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=10, help="length of each measured wrk run (10)"
    )
    parser.add_argument(
        "--warmup", type=float, default=2, help="warm-up seconds before each run (2)"
    )
    parser.add_argument("--connections", type=int, default=50, help="wrk connections (50)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="gunicorn workers and nginx worker processes (cores)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=HERE / "results.json",
        help="where to write the results (benchmarks/results.json)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--no-install", action="store_true", help="never run apt-get")
    args = parser.parse_args(argv)

    # A TERM (from a CI timeout, say) unwinds like Ctrl-C, so every server is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    wrk, nginx = ensure_tools(not args.no_install)
    if not wrk:
        print(
            "wrk is not installed: apt-get install wrk (as root), then run again.", file=sys.stderr
        )
        return 2
    info = machine_info(wrk, nginx)
    targets = {
        "condition": Target("condition", "condition page", "app", "GET", CONDITION_PATH),
        "home": Target("home", "home page", "app", "GET", HOME_PATH),
        "triage": Target("triage", "triage API", "app", "POST", TRIAGE_PATH),
        "hello": Target("hello", "hello world", "hello", "GET", "/"),
        "nginx": Target("nginx", "condition page, static", "nginx", "GET", CONDITION_PATH),
    }
    if info["loadavg_before"][0] > 0.5:
        print(
            f"Note: the machine is already busy (load {info['loadavg_before'][0]}); "
            "other work on the same cores lowers every figure and makes the ratios noisy.",
            flush=True,
        )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="webapp-bench-") as name:
        tmp = Path(name)
        parts = [
            ("nginx", lambda: run_nginx(wrk, nginx, args, tmp, targets["nginx"])),
            ("hello", lambda: run_hello(wrk, args, tmp, targets["hello"])),
            ("app", lambda: run_app(wrk, args, tmp, targets)),
        ]
        for server, part in parts:
            print(f"{server}:", flush=True)
            try:
                part()
            except (BenchmarkError, subprocess.TimeoutExpired, OSError) as exc:
                for t in targets.values():
                    if t.server == server and t.result is None and t.error is None:
                        t.error = str(exc)
                print(f"  ERROR {exc}", flush=True)
    info["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    ratios, checks = evaluate(targets)
    print_report(info, args, targets, ratios, checks)

    report = {
        **info,
        "command": [Path(sys.executable).name, *sys.argv],
        "settings": {
            "seconds": args.seconds,
            "warmup_seconds": args.warmup,
            "connections": args.connections,
            "wrk_threads": args.threads,
            "gunicorn_workers": args.workers,
            "gunicorn_worker_class": "sync",
            "nginx_worker_processes": args.workers,
            "request_headers": BROWSER_HEADERS,
        },
        "elapsed_s": round(time.monotonic() - started, 1),
        "results": {
            key: {
                "label": t.label,
                "server": t.server,
                "method": t.method,
                "path": t.path,
                "check": t.check,
                "wrk_command": t.command,
                "error": t.error,
                **(t.result or {}),
            }
            for key, t in targets.items()
        },
        "ratios": ratios,
        "targets": checks,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nWritten: {args.json}  ({report['elapsed_s']:.0f} s)")

    if any(t.error for t in targets.values()):
        return 2
    if args.strict and not all(c["pass"] for c in checks):
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nInterrupted; every server this run started has been stopped.", file=sys.stderr)
        sys.exit(130)
