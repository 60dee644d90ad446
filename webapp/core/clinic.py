"""The clinic that runs the site: name, departments, phones, e-mail and booking links.

One TOML file: `content/clinic.toml`, or `clinic.toml` in the instance folder, which wins.
A bad file stops start-up with a ContentError (webapp.core.validation) naming the file and key.
The web layer loads it at start-up (`webapp.booking.init_clinic`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from .languages import DEFAULT_LANGUAGE, LANGUAGES, WRITTEN, fallbacks
from .validation import ContentError, Where, read_toml

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PHONE_RE = re.compile(r"^\+?[0-9 ]{8,20}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_ID_RE = re.compile(r"^[a-z0-9-]+$")


def tel_uri(phone: str) -> str:
    """A `tel:` link in international form (Norwegian numbers get +47)."""
    digits = phone.replace(" ", "")
    return "tel:" + (digits if digits.startswith("+") else "+47" + digits)


# The old name of the error, kept for code and tests that still import it.
ClinicConfigError = ContentError


@dataclass(frozen=True)
class OpeningHours:
    days: tuple[str, ...]  # e.g. ("mon", "tue", "wed", "thu", "fri")
    opens: str
    closes: str


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    area: str  # part of town or place, e.g. "Lambertseter, Oslo"
    street: str  # may be empty when not known
    postcode: str
    city: str
    phone: str
    email: str
    booking_url: str  # empty: book by phone or e-mail
    opening_hours: tuple[OpeningHours, ...]

    @property
    def address(self) -> str:
        parts = [self.street, " ".join(p for p in (self.postcode, self.city) if p)]
        return ", ".join(p for p in parts if p) or self.area

    @property
    def map_url(self) -> str:
        """A plain link to a map search; nothing is embedded or loaded from the map site."""
        where = (self.street, self.postcode, self.city) if self.street else (self.area, self.city)
        query = ", ".join(p for p in (self.name, *where) if p)
        return "https://www.openstreetmap.org/search?query=" + quote_plus(query)

    @property
    def phone_uri(self) -> str:
        return tel_uri(self.phone)


@dataclass(frozen=True)
class Clinic:
    name: str
    site_name: dict[str, str]  # per language
    phone: str
    email: str
    departments: tuple[Department, ...]
    # The languages the site is served in: all of webapp/core/languages.py but those the
    # clinic switched off with `languages_off` (nb cannot be).
    languages: tuple[str, ...] = LANGUAGES

    @property
    def phone_uri(self) -> str:
        return tel_uri(self.phone)


DEPARTMENT_KEYS = {"id", "name", "area", "street", "postcode", "city", "phone", "email",
                   "booking_url", "opening_hours"}  # fmt: skip


def parse_clinic(data: dict[str, Any], source: str | Path) -> Clinic:
    """Check the data of a clinic file; `source` is the file's name, for the error messages."""
    where = Where(str(source))
    where.only(data, {"name", "site_name", "phone", "email", "departments", "languages_off"})
    name = where.get(data, "name", str)
    site_at = where.child("site_name")
    site_table = where.get(data, "site_name", dict)
    site_at.only(site_table, LANGUAGES)
    # nb and en are required; another language may give its own name, else it borrows one.
    given: dict[str, Any] = {
        lang: site_at.get(site_table, lang, str, required=lang in WRITTEN) for lang in LANGUAGES
    }
    site_name: dict[str, str] = {
        lang: next(given[code] for code in fallbacks(lang) if given.get(code)) for lang in LANGUAGES
    }
    off = where.strings(data, "languages_off", required=False)
    for lang in off:
        if lang not in LANGUAGES:
            raise where.child("languages_off").fail(
                f"unknown language {lang!r}; use {', '.join(LANGUAGES)}"
            )
        if lang == DEFAULT_LANGUAGE:
            raise where.child("languages_off").fail(f"{lang} is the default language")
    languages = tuple(lang for lang in LANGUAGES if lang not in off)
    phone = where.get(data, "phone", str)
    if not _PHONE_RE.match(phone):
        raise where.child("phone").fail(f"not a phone number: {phone!r}")
    email = where.get(data, "email", str)
    if not _EMAIL_RE.match(email):
        raise where.child("email").fail(f"not an e-mail address: {email!r}")
    raw_departments = where.get(data, "departments", list, empty_ok=True)
    if not raw_departments:
        raise where.child("departments").fail("at least one department is needed")
    departments = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_departments):
        at = where.child("departments").index(i)
        dept = _department(raw, at, phone, email)
        if dept.id in seen:
            raise at.child("id").fail(f"{dept.id!r} is used twice")
        seen.add(dept.id)
        departments.append(dept)
    return Clinic(name, site_name, phone, email, tuple(departments), languages)


def _department(dept: object, at: Where, phone: str, email: str) -> Department:
    """One [[departments]] table; a department without its own phone or e-mail uses the clinic's."""
    table: dict[str, Any] = at.check(dept, dict, empty_ok=True)
    at.only(table, DEPARTMENT_KEYS)
    dept_id = at.get(table, "id", str)
    if not _ID_RE.match(dept_id):
        raise at.child("id").fail("use a-z, 0-9 and -")
    d_phone = at.get(table, "phone", str, required=False, default="", empty_ok=True) or phone
    if not _PHONE_RE.match(d_phone):
        raise at.child("phone").fail(f"not a phone number: {d_phone!r}")
    d_email = at.get(table, "email", str, required=False, default="", empty_ok=True) or email
    if not _EMAIL_RE.match(d_email):
        raise at.child("email").fail("not an e-mail address")
    booking_url = at.get(table, "booking_url", str, required=False, default="", empty_ok=True)
    if booking_url and not booking_url.startswith("https://"):
        raise at.child("booking_url").fail("must start with https://")
    hours = []
    rows = at.get(table, "opening_hours", list, required=False, default=[], empty_ok=True)
    for j, row in enumerate(rows):
        h_at = at.child("opening_hours").index(j)
        h_table = h_at.check(row, dict, empty_ok=True)
        h_at.only(h_table, {"days", "opens", "closes"})
        days = h_at.strings(h_table, "days")
        if not all(d in DAYS for d in days):
            raise h_at.child("days").fail(f"use {', '.join(DAYS)}")
        opens = h_at.get(h_table, "opens", str)
        closes = h_at.get(h_table, "closes", str)
        if not _TIME_RE.match(opens):
            raise h_at.child("opens").fail("use HH:MM")
        if not _TIME_RE.match(closes) or closes <= opens:
            raise h_at.child("closes").fail("use HH:MM after opens")
        hours.append(OpeningHours(days, opens, closes))
    return Department(
        id=dept_id,
        name=at.get(table, "name", str),
        area=at.get(table, "area", str),
        street=at.get(table, "street", str, required=False, default="", empty_ok=True),
        postcode=at.get(table, "postcode", str, required=False, default="", empty_ok=True),
        city=at.get(table, "city", str),
        phone=d_phone,
        email=d_email,
        booking_url=booking_url,
        opening_hours=tuple(hours),
    )


def load_clinic(path: Path) -> Clinic:
    """Read and check a clinic file; raises ContentError naming the file and the key."""
    data, _ = read_toml(path)
    return parse_clinic(data, path)
