"""Clinical sign-off as data: who signed what, and whether it still covers the text.

Plain Python, no Flask. Every reviewable file (an article, an exercise, a programme, the
checker's rules) may end with sign-offs:

    [[sign_off]]
    name = "Kari Nordmann"
    role = "fysioterapeut"
    hpr = "1234567"            # the number in Helsepersonellregisteret (HPR)
    date = 2026-12-01
    scope = "tekst, råd og kilder"
    sha256 = "…"               # the file's text without its sign-offs, when it was signed

`flask content sign-off FILE… --name … --role … --hpr … --scope …` writes them. A page says
"Faglig gjennomgått av …" only while its text is the one that was signed (the hash matches);
change a word and the page says "Sist oppdatert" again until someone signs the new text.
`reviewed` in the same file is the date the team last checked the text; it is never shown as a
clinical review.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .validation import Where, read_text

HPR_RE = re.compile(r"^[0-9]{6,9}$")
# A sign-off block: the line break before its header, the header, and its `key = value` lines.
BLOCK_RE = re.compile(r"\n\[\[sign_off\]\]\n(?:[a-z0-9_]+ *= *.*\n)*")
KEYS = {"name", "role", "hpr", "date", "scope", "sha256"}
DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class SignOff:
    name: str
    role: str
    hpr: str
    date: dt.date
    scope: str
    sha256: str


def text_hash(text: str) -> str:
    """The hash a sign-off covers: the file's text without any sign-off block."""
    return hashlib.sha256(BLOCK_RE.sub("", text).encode()).hexdigest()


def parse_sign_offs(data: dict[str, Any], at: Where) -> tuple[SignOff, ...]:
    raw = data.get("sign_off", [])
    if not isinstance(raw, list):
        raise at.child("sign_off").fail("write each sign-off as a [[sign_off]] table")
    found = []
    for i, table in enumerate(raw):
        here = at.child("sign_off").index(i)
        if not isinstance(table, dict):
            raise here.fail("must be a table")
        here.only(table, KEYS)
        hpr = here.get(table, "hpr", str)
        if not HPR_RE.match(hpr):
            raise here.child("hpr").fail("the HPR number has 6 to 9 digits")
        found.append(
            SignOff(
                name=here.get(table, "name", str),
                role=here.get(table, "role", str),
                hpr=hpr,
                date=here.get(table, "date", dt.date),
                scope=here.get(table, "scope", str),
                sha256=here.get(table, "sha256", str),
            )
        )
    return tuple(found)


def current(sign_offs: tuple[SignOff, ...], text: str) -> SignOff | None:
    """The latest sign-off that covers this very text, or None."""
    digest = text_hash(text)
    valid = [s for s in sign_offs if s.sha256 == digest]
    return max(valid, key=lambda s: s.date) if valid else None


def signed(path: Path, data: dict[str, Any], at: Where) -> SignOff | None:
    """The sign-offs in a loaded file, checked, and the one that covers its text now."""
    return current(parse_sign_offs(data, at), read_text(path))


def block(sign: SignOff) -> str:
    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return (
        "[[sign_off]]\n"
        f"name = {quoted(sign.name)}\n"
        f"role = {quoted(sign.role)}\n"
        f"hpr = {quoted(sign.hpr)}\n"
        f"date = {sign.date.isoformat()}\n"
        f"scope = {quoted(sign.scope)}\n"
        f"sha256 = {quoted(sign.sha256)}\n"
    )


def add_sign_off(path: Path, name: str, role: str, hpr: str, scope: str, date: dt.date) -> str:
    """Write a sign-off of the file's current text into the file; returns the hash signed.

    In an article it goes at the end of the front matter (before the closing +++), in a TOML
    file at its end: both are top-level [[sign_off]] tables."""
    if not HPR_RE.match(hpr):
        raise ValueError("the HPR number has 6 to 9 digits")
    text = read_text(path)
    if not text.endswith("\n"):
        text += "\n"
    digest = text_hash(text)
    entry = block(SignOff(name, role, hpr, date, scope, digest))
    if path.suffix == ".md":
        head, sep, rest = text[3:].partition("\n+++")
        if not text.startswith("+++") or not sep:
            raise ValueError(f"{path}: no front matter between +++ lines")
        new = "+++" + head + "\n\n" + entry.rstrip("\n") + sep + rest
    else:
        new = text + "\n" + entry
    if text_hash(new) != digest:  # the signed text must be the text as it was
        raise ValueError(f"{path}: the sign-off would change the signed text")
    path.write_text(new, encoding="utf-8")
    return digest


@dataclass(frozen=True)
class Due:
    """Something whose next review is past or near."""

    what: str  # e.g. "article sciatica (nb)"
    path: str
    next_review: dt.date

    @property
    def overdue(self) -> bool:
        return self.next_review < dt.date.today()


def due(items: list[tuple[str, str, dt.date]], today: dt.date | None = None) -> list[Due]:
    """Of (what, path, next_review), those past or within 30 days, soonest first."""
    limit = (today or dt.date.today()) + dt.timedelta(days=DUE_SOON_DAYS)
    return sorted(
        (Due(what, path, when) for what, path, when in items if when <= limit),
        key=lambda d: (d.next_review, d.what),
    )
