"""The clinic that runs the site: name, departments, phones, e-mail and booking links.

One TOML file: `content/clinic.toml`, or `clinic.toml` in the instance folder, which wins.
A bad file stops start-up with an error that names the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from flask import Flask

from . import ROOT

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PHONE_RE = re.compile(r"^\+?[0-9 ]{8,20}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_ID_RE = re.compile(r"^[a-z0-9-]+$")


def tel_uri(phone: str) -> str:
    """A `tel:` link in international form (Norwegian numbers get +47)."""
    digits = phone.replace(" ", "")
    return "tel:" + (digits if digits.startswith("+") else "+47" + digits)


class ClinicConfigError(ValueError):
    """The clinic file is missing a key or has a wrong value; the message names both."""


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

    @property
    def phone_uri(self) -> str:
        return tel_uri(self.phone)


def _get(table: dict[str, Any], key: str, where: str, kind: type, required: bool = True) -> Any:
    if key not in table:
        if required:
            raise ClinicConfigError(f"{where}{key}: missing")
        return kind()
    value = table[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ClinicConfigError(f"{where}{key}: must be a {kind.__name__}")
    return value


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ClinicConfigError(message)


def parse_clinic(data: dict[str, Any], source: str) -> Clinic:
    known = {"name", "site_name", "phone", "email", "departments"}
    for key in data:
        _check(key in known, f"{source}: {key}: unknown key")
    where = f"{source}: "
    name = _get(data, "name", where, str)
    site_name = _get(data, "site_name", where, dict)
    for lang in ("nb", "en"):
        _check(
            isinstance(site_name.get(lang), str) and site_name[lang],
            f"{where}site_name.{lang}: missing",
        )
    phone = _get(data, "phone", where, str)
    _check(bool(_PHONE_RE.match(phone)), f"{where}phone: not a phone number: {phone!r}")
    email = _get(data, "email", where, str)
    _check(bool(_EMAIL_RE.match(email)), f"{where}email: not an e-mail address: {email!r}")
    raw_departments = _get(data, "departments", where, list)
    _check(bool(raw_departments), f"{where}departments: at least one department is needed")
    departments = []
    seen: set[str] = set()
    for i, dept in enumerate(raw_departments):
        at = f"{source}: departments[{i}]."
        _check(isinstance(dept, dict), f"{at[:-1]}: must be a table")
        dept_known = {"id", "name", "area", "street", "postcode", "city", "phone", "email",
                      "booking_url", "opening_hours"}  # fmt: skip
        for key in dept:
            _check(key in dept_known, f"{at}{key}: unknown key")
        dept_id = _get(dept, "id", at, str)
        _check(bool(_ID_RE.match(dept_id)), f"{at}id: use a-z, 0-9 and -")
        _check(dept_id not in seen, f"{at}id: {dept_id!r} is used twice")
        seen.add(dept_id)
        d_phone = _get(dept, "phone", at, str, required=False) or phone
        _check(bool(_PHONE_RE.match(d_phone)), f"{at}phone: not a phone number: {d_phone!r}")
        d_email = _get(dept, "email", at, str, required=False) or email
        _check(bool(_EMAIL_RE.match(d_email)), f"{at}email: not an e-mail address")
        booking_url = _get(dept, "booking_url", at, str, required=False)
        _check(
            not booking_url or booking_url.startswith("https://"),
            f"{at}booking_url: must start with https://",
        )
        hours = []
        for j, row in enumerate(_get(dept, "opening_hours", at, list, required=False)):
            h_at = f"{at}opening_hours[{j}]."
            _check(isinstance(row, dict), f"{h_at[:-1]}: must be a table")
            days = _get(row, "days", h_at, list)
            _check(bool(days) and all(d in DAYS for d in days), f"{h_at}days: use {DAYS}")
            opens = _get(row, "opens", h_at, str)
            closes = _get(row, "closes", h_at, str)
            _check(bool(_TIME_RE.match(opens)), f"{h_at}opens: use HH:MM")
            _check(
                bool(_TIME_RE.match(closes)) and closes > opens,
                f"{h_at}closes: use HH:MM after opens",
            )
            hours.append(OpeningHours(tuple(days), opens, closes))
        departments.append(
            Department(
                id=dept_id,
                name=_get(dept, "name", at, str),
                area=_get(dept, "area", at, str),
                street=_get(dept, "street", at, str, required=False),
                postcode=_get(dept, "postcode", at, str, required=False),
                city=_get(dept, "city", at, str),
                phone=d_phone,
                email=d_email,
                booking_url=booking_url,
                opening_hours=tuple(hours),
            )
        )
    return Clinic(name, dict(site_name), phone, email, tuple(departments))


def load_clinic(path: Path) -> Clinic:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ClinicConfigError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ClinicConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_clinic(data, str(path))


def clinic_file(app: Flask) -> Path:
    if app.config.get("CLINIC_FILE"):
        return Path(app.config["CLINIC_FILE"])
    local = Path(app.instance_path) / "clinic.toml"
    return local if local.exists() else ROOT / "content" / "clinic.toml"


def init_app(app: Flask) -> None:
    clinic = load_clinic(clinic_file(app))
    app.extensions["clinic"] = clinic
    app.jinja_env.globals["clinic"] = clinic
