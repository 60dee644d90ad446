"""Lighthouse (mobile, simulated slow 4G) on the pages the issue names, with Debian's Chromium.

    .venv/bin/python benchmarks/lighthouse.py [--json benchmarks/lighthouse.json]

Installs npm's lighthouse@12 into benchmarks/.lighthouse on first use (it runs offline after
that), starts the app under gunicorn on a free loopback port, and prints the four category
scores per page. Exit code 1 with --strict when any score is below 100.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "benchmarks" / ".lighthouse"
PAGES = {
    "home": "/nb/",
    "condition page": "/nb/tilstander/isjias",
    "checker, first step": "/nb/symptomsjekk",
    "programme page": "/nb/programmer/sciatica",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = " ".join(
    ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
     "--disable-background-networking", "--disable-component-update", "--disable-sync"]
)  # fmt: skip


def lighthouse_bin() -> Path:
    binary = TOOL / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        TOOL.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(TOOL), "lighthouse@12"],
            check=True,
        )
    return binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(instance: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(os.cpu_count() or 2),
            "-b",
            f"127.0.0.1:{port}",
            "webapp:create_app()",
        ],  # fmt: skip
        cwd=ROOT,
        env={**os.environ, "WEBAPP_INSTANCE": instance},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the app did not start")


def audit(binary: Path, url: str, chromium: str) -> dict[str, float]:
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run(
            [
                str(binary),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report.name}",
                f"--chrome-flags={CHROME_FLAGS}",
                "--form-factor=mobile",
                "--throttling-method=simulate",
                f"--only-categories={','.join(CATEGORIES)}",
            ],  # fmt: skip
            check=True,
            env={**os.environ, "CHROME_PATH": chromium},
        )
        data = json.loads(Path(report.name).read_text())
    return {c: round(data["categories"][c]["score"] * 100) for c in CATEGORIES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "lighthouse.json"))
    parser.add_argument("--strict", action="store_true", help="exit 1 when a score is below 100")
    args = parser.parse_args()
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or ""
    if not chromium:
        raise SystemExit("Debian's chromium is needed: apt-get install -y chromium")
    binary = lighthouse_bin()
    with tempfile.TemporaryDirectory() as instance:
        proc, base = start_app(instance)
        try:
            scores = {name: audit(binary, base + path, chromium) for name, path in PAGES.items()}
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"{'page':<22}" + "".join(f"{c:>16}" for c in CATEGORIES))
    for name, row in scores.items():
        print(f"{name:<22}" + "".join(f"{row[c]:>16}" for c in CATEGORIES))
    Path(args.json).write_text(
        json.dumps({"date": time.strftime("%Y-%m-%d"), "scores": scores}, indent=2)
    )
    below = [(n, c) for n, row in scores.items() for c, v in row.items() if v < 100]
    return 1 if args.strict and below else 0


if __name__ == "__main__":
    sys.exit(main())
