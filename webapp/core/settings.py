"""Every setting of the app in one place: its default, its type and what it does.

Read in this order, later ones winning: the defaults below, `config.py` in the instance folder,
then `WEBAPP_<NAME>` environment variables (and a test's own mapping). An environment value is a
string; it is converted to the setting's type here, and one that cannot be converted, or a
`WEBAPP_` name that is not a setting, stops start-up with a message naming the variable.
`WEBAPP_INSTANCE` (the instance folder) is read by the app factory itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .languages import DEFAULT_LANGUAGE, LANGUAGES

ROOT = Path(__file__).resolve().parent.parent.parent
PREFIX = "WEBAPP_"


@dataclass(frozen=True)
class Setting:
    default: Any
    kind: type  # str, int, float, bool, or tuple (words separated by spaces or commas)
    help: str


SETTINGS: dict[str, Setting] = {
    "SECRET_KEY": Setting(
        "", str, "secret for the admin session; empty: a random key kept in the instance folder"
    ),
    "DATABASE": Setting("webapp.sqlite3", str, "database file name inside the instance folder"),
    "CONTENT_DIR": Setting(str(ROOT / "content"), str, "the articles, programmes and rules"),
    "CLINIC_FILE": Setting(
        "",
        str,
        "the clinic file; empty: `clinic.toml` in the instance "
        "folder if present, else `content/clinic.toml`",
    ),
    "BASE_URL": Setting(
        "",
        str,
        "public address, e.g. `https://www.example.no`, for absolute "
        "links (canonical, hreflang, sitemap, robots.txt); empty: the request's",
    ),
    "TRUSTED_HOSTS": Setting(
        (),
        tuple,
        "host names the site answers to; any other `Host` gets "
        "400; empty: the host of BASE_URL, or any host if that is empty",
    ),
    "PROXY_COUNT": Setting(
        0,
        int,
        "proxies in front that set `X-Forwarded-For`/`-Proto` (1 "
        "behind the nginx in `deploy/`); 0: the headers are ignored",
    ),
    "SITE_ORIGINS": Setting(
        (), tuple, "origins of static copies whose feedback posts are accepted (see `flask export`)"
    ),
    "HSTS_SECONDS": Setting(63072000, int, "max-age of Strict-Transport-Security (two years)"),
    "MAX_CONTENT_LENGTH": Setting(64 * 1024, int, "largest request body in bytes; more: 413"),
    "RETENTION_DAYS": Setting(396, int, "days anonymous counts are kept (13 months)"),
    "COMMENT_DAYS": Setting(90, int, "days feedback comments are kept"),
    "SEARCH_MISS_DAYS": Setting(
        3,
        int,
        "a search that found nothing is kept word for word "
        "only after the same words were searched on this many days",
    ),
    "COUNT_FLUSH_SECONDS": Setting(
        2.0, float, "counts are written in the background this often; 0: at once (tests)"
    ),
    "FEEDBACK_RATE_LIMIT": Setting("10/600", str, "feedback posts per address, `count/seconds`"),
    "LOGIN_LIMIT": Setting("10/300", str, "failed admin sign-ins per address, `count/seconds`"),
    "LOGIN_LIMIT_ALL": Setting(
        "50/900",
        str,
        "failed admin sign-ins from all addresses "
        "together, `count/seconds`; `flask admin unlock` clears both",
    ),
    "ADMIN_SESSION_HOURS": Setting(8.0, float, "an admin session ends this long after sign-in"),
}
# Fixed for the app; not settings anyone should change per deployment.
FRAMEWORK: dict[str, Any] = {
    "LANGUAGES": LANGUAGES,
    "BABEL_DEFAULT_LOCALE": DEFAULT_LANGUAGE,
    "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
    "SEND_FILE_MAX_AGE_DEFAULT": 0,  # fingerprinted static files set their own long cache
    "STATIC_EXPORT": False,  # set by `flask export` while it writes the copy
    "APP_ORIGIN": "",  # ditto: where the forms of a static copy post to
}
DEFAULTS: dict[str, Any] = {name: s.default for name, s in SETTINGS.items()} | FRAMEWORK


class SettingError(ValueError):
    """A setting that cannot be used; the message names the variable."""


def convert(name: str, value: str) -> Any:
    """An environment string as the setting's type."""
    kind = SETTINGS[name].kind
    try:
        if kind is bool:
            lowered = value.strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(value)
            return lowered in ("1", "true", "yes")
        if kind is tuple:
            return tuple(value.replace(",", " ").split())
        return kind(value.strip()) if kind is not str else value
    except ValueError:
        raise SettingError(
            f"{PREFIX}{name}={value!r}: must be {kind.__name__} ({SETTINGS[name].help})"
        ) from None


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The WEBAPP_* variables as typed settings."""
    found: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(PREFIX) or key == PREFIX + "INSTANCE":
            continue
        name = key[len(PREFIX) :]
        if name not in SETTINGS:
            raise SettingError(f"{key}: not a setting; known: {', '.join(sorted(SETTINGS))}")
        found[name] = convert(name, value)
    return found


def rate(value: str | tuple[int, float], name: str) -> tuple[int, float]:
    """A `count/seconds` limit as numbers."""
    if not isinstance(value, str):
        return int(value[0]), float(value[1])
    try:
        count, seconds = value.split("/")
        return int(count), float(seconds)
    except ValueError:
        raise SettingError(f"{PREFIX}{name}={value!r}: use count/seconds, e.g. 10/600") from None
