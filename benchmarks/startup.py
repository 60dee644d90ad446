"""How long building the app takes: the first time in a process (reads, checks and renders all the
content in six languages, writes the search index) and again in the same process (content and
index cached on their files' size and change time), as the tests and a gunicorn worker restart do.

    .venv/bin/python benchmarks/startup.py [--runs 5]

Each build gets its own empty instance folder, so the search index is never found ready there.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app  # noqa: E402


def build(root: Path, n: int) -> float:
    start = time.perf_counter()
    create_app({"INSTANCE_PATH": str(root / f"instance-{n}"), "TESTING": True})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        first = build(root, 0)
        again = [build(root, n) for n in range(1, args.runs + 1)]
    print(f"first app in a process: {first:.2f} s")
    print(f"each further app: median {statistics.median(again):.3f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
