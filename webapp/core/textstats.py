"""Readability (LIX) and seed-overlap checks for patient-facing text.

Plain Python, no Flask. Used by the content tests and by writers:

    python -m webapp.core.textstats content/nb/articles/sciatica.md
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
SENTENCE_END_RE = re.compile(r"[.!?:;]+(?=\s|$)")
RUN_LENGTH = 8
SEED_HASHES = (
    Path(__file__).resolve().parent.parent.parent / "tests" / "data" / "seed_8word_runs.txt"
)


def words(text: str) -> list[str]:
    """The words of a text, lower-cased, without digits or punctuation."""
    return [w.lower() for w in WORD_RE.findall(text)]


def markdown_to_plain(text: str) -> str:
    """Strip the Markdown markup that would distort word and sentence counts."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"[*_`#>|]", " ", text)
    return text


def lix(text: str) -> float:
    """LIX = words per sentence + 100 × share of words longer than six letters.

    Each non-empty line (a heading, a list item, a paragraph line) ends at least one sentence,
    so that headings and bullet points without a full stop are not glued to the next line.
    """
    plain = markdown_to_plain(text)
    n_words = n_long = n_sentences = 0
    for line in plain.splitlines():
        line_words = WORD_RE.findall(line)
        if not line_words:
            continue
        n_words += len(line_words)
        n_long += sum(1 for w in line_words if len(w) > 6)
        ends = len(SENTENCE_END_RE.findall(line.strip()))
        if not SENTENCE_END_RE.search(line.strip()[-1:] or " "):
            ends += 1  # a line without a final stop still ends a sentence
        n_sentences += max(ends, 1)
    if n_words == 0:
        return 0.0
    return n_words / n_sentences + 100.0 * n_long / n_words


def run_hash(run: list[str]) -> str:
    """A short stable hash of an 8-word run (the seeds' text is never stored)."""
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:16]


def runs(text: str, n: int = RUN_LENGTH) -> list[list[str]]:
    ws = words(text)
    return [ws[i : i + n] for i in range(len(ws) - n + 1)]


def load_seed_hashes(path: Path = SEED_HASHES) -> set[str]:
    return {line.strip() for line in path.read_text().splitlines() if line.strip()}


def shared_runs(text: str, seed_hashes: set[str]) -> list[str]:
    """The 8-word runs of text whose hash is among the seeds' runs."""
    return [" ".join(r) for r in runs(text) if run_hash(r) in seed_hashes]


def write_seed_hashes(seed_files: list[Path], out: Path = SEED_HASHES) -> int:
    hashes = sorted({run_hash(r) for f in seed_files for r in runs(f.read_text())})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(hashes) + "\n")
    return len(hashes)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--make-seed-hashes"]:
        print(write_seed_hashes([Path(p) for p in argv[1:]]), "hashes written to", SEED_HASHES)
        return 0
    seeds = load_seed_hashes()
    status = 0
    for name in argv:
        text = Path(name).read_text()
        if text.startswith("+++"):
            text = text.split("+++", 2)[2]  # the body only; front matter is checked on its own
        overlap = shared_runs(Path(name).read_text(), seeds)
        print(f"{name}: LIX {lix(text):.1f}, runs shared with the seeds: {len(overlap)}")
        for run in overlap:
            print("   shared:", run)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
