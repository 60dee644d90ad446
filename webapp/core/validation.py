"""One way to say what is wrong with a data file: the file, the key and the problem.

Plain Python, no Flask. Every loader (articles, exercises and programmes, the clinic file, the
symptom checker's rules) raises ContentError, and finds its way through a file with Where:

    doc, where = read_toml(path)
    where.only(doc, {"name", "phone"})
    name = where.get(doc, "name", str)          # "clinic.toml: name: missing"
    nb = where.child("site_name").get(doc["site_name"], "nb", str)
    raise where.child("phone").fail("not a phone number")
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

TOP_LEVEL = "(top level)"
FILE_KEY = "(file)"  # the file as a whole: cannot be read, not UTF-8
SYNTAX_KEY = "(syntax)"  # not valid TOML

_KIND_NAMES: dict[type, str] = {
    str: "a string",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
    dt.date: "a date like 2026-11-22 (without quotes)",
}


class ContentError(ValueError):
    """A data file is broken. `str()` is "file: key: problem"."""

    def __init__(self, file: object, key: str, problem: str) -> None:
        self.file = str(file)
        self.key = key or TOP_LEVEL
        self.problem = problem
        super().__init__(f"{self.file}: {self.key}: {problem}")

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        return type(self), (self.file, self.key, self.problem)


@dataclass(frozen=True)
class Where:
    """A place in a data file: the file and the key path ("departments[0].phone")."""

    file: str
    key: str = ""

    def child(self, name: object) -> Where:
        return Where(self.file, f"{self.key}.{name}" if self.key else str(name))

    def index(self, i: int) -> Where:
        """An item of the list at this key; `i` is written as given (callers count from 0 or 1)."""
        return Where(self.file, f"{self.key}[{i}]")

    def fail(self, problem: str) -> ContentError:
        return ContentError(self.file, self.key, problem)

    def only(self, table: Mapping[str, Any], allowed: Iterable[str]) -> None:
        """Every key of `table` is one of `allowed`."""
        allowed = set(allowed)
        for key in table:
            if key not in allowed:
                raise self.child(key).fail(f"unknown key; allowed: {', '.join(sorted(allowed))}")

    def get(
        self,
        table: Mapping[str, Any],
        key: str,
        kind: type,
        *,
        required: bool = True,
        default: Any = None,
        empty_ok: bool = False,
    ) -> Any:
        """`table[key]` checked with `check`; "missing" when required and absent, else `default`."""
        if key not in table:
            if required:
                raise self.child(key).fail("missing")
            return default
        return self.child(key).check(table[key], kind, empty_ok=empty_ok)

    def check(self, value: Any, kind: type, *, empty_ok: bool = False) -> Any:
        """`value` is of `kind` (str, int, float, bool, list, dict or dt.date).

        True and false are not numbers, a date-time is not a date, an int is a float. Strings,
        lists and tables must not be empty unless `empty_ok`; strings come back stripped.
        """
        if kind in (int, float) and isinstance(value, bool):
            ok = False
        elif kind is float:
            ok = isinstance(value, int | float)
        elif kind is dt.date:
            ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
        else:
            ok = isinstance(value, kind)
        if not ok:
            raise self.fail(f"must be {_KIND_NAMES.get(kind, kind.__name__)}")
        if kind is str:
            value = value.strip()
        if kind in (str, list, dict) and not empty_ok and not value:
            raise self.fail("must not be empty")
        return value

    def strings(
        self, table: Mapping[str, Any], key: str, *, required: bool = True
    ) -> tuple[str, ...]:
        """A non-empty list of non-empty strings, stripped; () when optional and absent."""
        value = self.get(table, key, list, required=required, default=[])
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise self.child(key).fail("every item must be a non-empty string")
        return tuple(v.strip() for v in value)


def read_text(path: Path) -> str:
    """A UTF-8 text file; a file that cannot be read or is not UTF-8 is a ContentError."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(
            path, FILE_KEY, f"not UTF-8 (byte {exc.start}); save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise ContentError(path, FILE_KEY, f"cannot be read: {exc.strerror or exc}") from None


def parse_toml(text: str, where: Where) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise where.fail(f"not valid TOML: {exc}") from None


def read_toml(path: Path) -> tuple[dict[str, Any], Where]:
    """A TOML file and the place of its top level, for the errors that follow."""
    data = parse_toml(read_text(path), Where(str(path), SYNTAX_KEY))
    return data, Where(str(path))


def files_stamp(*folders: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file under `folders` with its size and change time: what parsed content depends on."""
    found = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                stat = path.stat()
                found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


Loaded = TypeVar("Loaded")


def cached_load(
    roots: Callable[..., Iterable[Path]], size: int = 4
) -> Callable[[Callable[..., Loaded]], Callable[..., Loaded]]:
    """Keep what a content loader returned while none of its files changed (`roots(*args)`
    names the folders it reads). The content is read, checked and rendered once per process,
    not once per app: the tests build a hundred apps. Loaders return frozen data; a broken file
    raises each time."""

    def decorate(load: Callable[..., Loaded]) -> Callable[..., Loaded]:
        cache: dict[Any, Loaded] = {}

        @functools.wraps(load)
        def wrapper(*args: Any) -> Loaded:
            key = (
                tuple(frozenset(a) if isinstance(a, set) else a for a in args),
                files_stamp(*roots(*args)),
            )
            if key not in cache:
                if len(cache) >= size:
                    cache.pop(next(iter(cache)))
                cache[key] = load(*args)
            return cache[key]

        return wrapper

    return decorate
