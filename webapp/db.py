"""SQLite through sqlite-utils: one connection per request or command, WAL and a busy timeout.

Capabilities register their tables with `register_schema`; every table is created idempotently
when the app starts. Nothing about a patient is ever written here.
"""

from __future__ import annotations

import atexit
import fcntl
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from flask import Flask, current_app, g

BUSY_TIMEOUT_MS = 5000
SCHEMA_VERSION = 1

SchemaFn = Callable[[sqlite_utils.Database], None]
_schemas: list[SchemaFn] = []


def register_schema(fn: SchemaFn) -> SchemaFn:
    """Decorator: fn(db) creates its tables with if_not_exists=True."""
    _schemas.append(fn)
    return fn


@register_schema
def _meta(db: sqlite_utils.Database) -> None:
    db["app_meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
    db["app_meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")


def database_path(app: Flask) -> Path:
    return Path(app.instance_path) / app.config["DATABASE"]


def connect(path: Path) -> sqlite_utils.Database:
    """Open the database with WAL and a busy timeout, so concurrent workers wait, not fail."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


@contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A short write transaction that takes the write lock at once (no upgrade deadlocks)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def get_db() -> sqlite_utils.Database:
    """This request's database connection, opened on first use."""
    if "db" not in g:
        g.db = connect(database_path(current_app))
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def create_tables(path: Path) -> None:
    db = connect(path)
    try:
        for fn in _schemas:
            fn(db)
    finally:
        db.conn.close()


@contextmanager
def startup_lock(app: Flask) -> Iterator[None]:
    """One worker at a time does the start-up work (tables, pruning): gunicorn starts them
    together, and two of them switching a new database to WAL at once get «locked»."""
    with (Path(app.instance_path) / ".startup.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Counts:
    """Additive counts kept in memory and written in one short transaction now and then.

    A write per request would put the database lock on the path of every check and every page
    view; batched, each worker writes about once per `every` seconds. Concurrent workers lose
    nothing (the upsert adds); a worker that crashes loses its last few seconds of counts,
    which anonymous statistics can live with. `sql` takes the key columns and then the count.
    """

    def __init__(self, path: Path, sql: str, every: float) -> None:
        self.path, self.sql, self.every = path, sql, every
        self.counts: Counter[tuple[str, ...]] = Counter()
        self.lock = threading.Lock()
        self.last = time.monotonic()
        atexit.register(self.flush)

    def add(self, *key: str) -> None:
        with self.lock:
            self.counts[key] += 1
            due = time.monotonic() - self.last >= self.every
        if due:
            self.flush()

    def flush(self) -> None:
        with self.lock:
            counts, self.counts = self.counts, Counter()
            self.last = time.monotonic()
        if not counts:
            return
        db = connect(self.path)
        try:
            with immediate(db):
                for key, n in counts.items():
                    db.execute(self.sql, [*key, n])
        finally:
            db.conn.close()


def init_app(app: Flask) -> None:
    with startup_lock(app):
        create_tables(database_path(app))
    app.teardown_appcontext(close_db)
