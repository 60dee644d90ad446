"""SQLite through sqlite-utils: one connection per request or command, WAL and a busy timeout.

Capabilities register their tables with `register_schema`; every table is created idempotently
when the app starts. Nothing about a patient is ever written here.
"""

from __future__ import annotations

import atexit
import fcntl
import os
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
    db.table("app_meta").create({"key": str, "value": str}, pk="key", if_not_exists=True)
    db.table("app_meta").upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")


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


class DatabaseProblem(sqlite3.DatabaseError):
    """The database cannot be used: the site runs without it (degraded), saying why."""


def problem(app: Flask) -> str | None:
    """What is wrong with the database, or None when it works."""
    return app.extensions.get("db_problem")


def get_db() -> sqlite_utils.Database:
    """This request's database connection, opened on first use; a DatabaseProblem (answered
    with 503) when the site runs without its database."""
    if "db" not in g:
        trouble = problem(current_app)
        if trouble:
            raise DatabaseProblem(trouble)
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


def check_database(path: Path) -> None:
    """Refuse a file SQLite cannot read, or an empty one where the data should be (SQLite would
    quietly start a new database in it, and the admin password would be gone)."""
    if path.exists() and path.stat().st_size == 0:
        raise DatabaseProblem("the file is empty (0 bytes); its data is gone")
    if not path.exists():
        return
    db = connect(path)
    try:
        result = db.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        db.conn.close()
    if result != "ok":
        raise DatabaseProblem(f"the file is damaged ({result})")


@contextmanager
def startup_lock(app: Flask) -> Iterator[None]:
    """One worker at a time does the start-up work (tables, pruning, the search index): gunicorn
    starts them together, and two of them switching a new database to WAL at once get «locked».
    Without a writable instance folder there is nothing to share, and no lock is needed."""
    try:
        handle = (Path(app.instance_path) / ".startup.lock").open("a")
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Counts:
    """Additive counts kept in memory and written now and then, off the request path.

    `add` only counts in memory; a background thread of each process writes the counts every
    `every` seconds in one short transaction (and once more when the process exits). Nothing a
    patient waits for depends on the write: when it fails (a full disk, a read-only or damaged
    database) the counts are dropped with one log line and the pages keep answering. Concurrent
    workers lose nothing (the upsert adds); a worker that is killed loses at most its last
    `every` seconds. `sql` takes the key columns and then the count. With `every` = 0 (tests)
    each count is written at once, still without raising.
    """

    def __init__(self, app: Flask, sql: str) -> None:
        self.app, self.path, self.sql = app, database_path(app), sql
        self.every: float = app.config["COUNT_FLUSH_SECONDS"]
        self.logger = app.logger
        self.failing = ""  # why the last write failed; empty when it worked
        self.counts: Counter[tuple[str, ...]] = Counter()
        self.lock = threading.Lock()
        self.enabled = True
        self.thread_pid = 0  # the process whose flusher thread runs (gunicorn forks workers)
        atexit.register(self.flush)

    def add(self, *key: str) -> None:
        if not self.enabled:
            return
        with self.lock:
            self.counts[key] += 1
        if self.every <= 0:
            self.flush()
        elif self.thread_pid != os.getpid():
            self.start_flusher()

    def write(self, db: sqlite_utils.Database, counts: Counter[tuple[str, ...]]) -> None:
        for key, n in counts.items():
            db.execute(self.sql, [*key, n])

    def start_flusher(self) -> None:
        with self.lock:
            if self.thread_pid == os.getpid():
                return
            self.thread_pid = os.getpid()
        threading.Thread(target=self.run, name="counts-flush", daemon=True).start()

    def run(self) -> None:
        while True:
            time.sleep(self.every)
            self.flush()

    def flush(self) -> None:
        with self.lock:
            counts, self.counts = self.counts, Counter()
        if not counts:
            return
        if problem(self.app):  # never open a damaged file: SQLite would start writing into it
            self.failing = "the database cannot be used"
            return
        try:
            db = connect(self.path)
            try:
                with immediate(db):
                    self.write(db, counts)
            finally:
                db.conn.close()
        except (sqlite3.Error, OSError) as exc:
            self.failing = f"{shown(self.app, self.path)}: {exc}"
            self.logger.warning("Dropped %d counts (%s): %s", sum(counts.values()), self.path, exc)
        else:
            self.failing = ""


def shown(app: Flask, path: Path) -> str:
    """A file as the public pages name it (/healthz, the dashboard's sign-in): relative to the
    instance folder, so the server's own folders are not told to anyone who asks."""
    try:
        return "$WEBAPP_INSTANCE/" + str(path.relative_to(app.instance_path))
    except ValueError:
        return path.name


def counters(app: Flask) -> list[Counts]:
    return [value for value in app.extensions.values() if isinstance(value, Counts)]


def init_app(app: Flask) -> None:
    """Create the tables; with a database that cannot be used, start without it (degraded):
    content, the checker and booking need no database, and /healthz and the dashboard say what
    is wrong."""
    path = database_path(app)
    try:
        with startup_lock(app):
            check_database(path)
            create_tables(path)
    except (sqlite3.Error, OSError) as exc:
        app.extensions["db_problem"] = (
            f"{shown(app, path)}: {exc}. The site runs without its database: nothing is counted "
            f"or saved. Move the file aside and restore the last copy made with `flask db backup`."
        )
        app.logger.error("Database unusable: %s: %s", path, exc)
    app.teardown_appcontext(close_db)
