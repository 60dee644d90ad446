"""The clinic's dashboard at /admin: anonymous counts and feedback, never a patient.

Sign-in with one password whose scrypt hash is set by `flask admin set-password`. The session
cookie is `__Host-admin` (Secure, HttpOnly, SameSite=Strict); every form carries a CSRF token.
A session holds the sign-in time and the server's session generation: signing out or a new
password raises the generation, which ends every session at once, and a session ends
ADMIN_SESSION_HOURS after sign-in however active it is. Failed sign-ins are counted in SQLite
(so the limits hold across gunicorn workers) per address and for all addresses together; over
either limit the answer is 429 with Retry-After, and `flask admin unlock` clears the count.
Only admin pages ever set a cookie, and none of them is indexed by search engines.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import hmac
import io
import secrets
import sqlite3
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ParamSpec

import click
from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.cli import AppGroup
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape
from sqlite_utils import Database
from werkzeug.exceptions import TooManyRequests
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response as BaseResponse

from . import reviews
from .core import triage
from .core.settings import rate
from .db import connect, database_path, get_db, immediate, problem, register_schema, startup_lock
from .security import secret_bytes

bp = Blueprint("admin", __name__, url_prefix="/admin")

MIN_PASSWORD = 12
OUTCOMES = tuple(reversed(triage.OUTCOMES))  # most urgent first, as the dashboard shows them


@register_schema
def _tables(db: Database) -> None:
    credentials = db.table("admin_credentials")
    credentials.create(
        {"id": int, "password_hash": str, "updated": str}, pk="id", if_not_exists=True
    )
    if "generation" not in credentials.columns_dict:
        credentials.add_column("generation", int, not_null_default=0)
    db.table("login_failures").create(
        {"id": int, "client": str, "at": str}, pk="id", if_not_exists=True
    )


# --- helpers ----------------------------------------------------------------------------------


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def client_key() -> str:
    """The address that failed, as a keyed hash: enough to count, useless to anyone else."""
    secret = secret_bytes(current_app)
    return hmac.new(secret, (request.remote_addr or "").encode(), hashlib.sha256).hexdigest()


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    sent = request.form.get("csrf_token", "").encode()  # bytes: any text compares, no TypeError
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "").encode()):
        abort(400)


def generation(db: Database) -> int | None:
    """The server's session generation; None while no password is set."""
    row = db.execute("SELECT generation FROM admin_credentials WHERE id = 1").fetchone()
    return None if row is None else row[0]


def end_all_sessions(db: Database) -> None:
    with immediate(db):
        db.execute("UPDATE admin_credentials SET generation = generation + 1 WHERE id = 1")


def session_valid() -> bool:
    """Signed in, in the current generation, and within the absolute lifetime."""
    if not session.get("admin"):
        return False
    hours = current_app.config["ADMIN_SESSION_HOURS"]
    since = session.get("since", 0)
    if not isinstance(since, int | float) or time.time() - since > hours * 3600:
        return False
    return session.get("generation") == generation(get_db())


P = ParamSpec("P")


def signed_in(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if problem(current_app):
            return unavailable()
        if not session_valid():
            session.clear()
            return redirect(url_for("admin.login"))
        return view(*args, **kwargs)

    return wrapper


def unavailable() -> tuple[str, int]:
    """The dashboard without its database: what is wrong and what to do (503)."""
    return render_template("admin/unavailable.html", problem=problem(current_app)), 503


@bp.after_request
def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- sign-in ----------------------------------------------------------------------------------


def retry_after(db: Database) -> int:
    """Seconds until a sign-in may be tried again; 0 when it may be tried now.

    Two limits: failures from this address, and failures from all addresses together (one
    account, so this is also the per-account limit). Someone else's failures never lock out
    the right password for more than the global window, and `flask admin unlock` ends it."""
    wait = 0
    for client, limit in ((client_key(), "LOGIN_LIMIT"), (None, "LOGIN_LIMIT_ALL")):
        count, seconds = rate(current_app.config[limit], limit)
        since = now() - dt.timedelta(seconds=seconds)
        rows = db.execute(
            "SELECT at FROM login_failures WHERE at > ? AND (? IS NULL OR client = ?) ORDER BY at",
            [since.isoformat(), client, client],
        ).fetchall()
        times = [row[0] for row in rows]
        if len(times) >= count:
            oldest = dt.datetime.fromisoformat(times[len(times) - count])
            wait = max(wait, int((oldest - since).total_seconds()) + 1)
    return wait


class TooManyAttempts(TooManyRequests):
    description = "Too many failed sign-ins. Wait, or run `flask admin unlock` on the server."


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if problem(current_app):
        return unavailable()
    if request.method == "POST":
        check_csrf()
        db = get_db()
        wait = retry_after(db)
        if wait:
            raise TooManyAttempts(retry_after=wait)
        row = db.execute(
            "SELECT password_hash, generation FROM admin_credentials WHERE id = 1"
        ).fetchone()
        password = request.form.get("password", "")
        if row and password and check_password_hash(row[0], password):
            session.clear()
            session.update(admin=True, generation=row[1], since=int(time.time()))
            session.permanent = True
            csrf_token()
            return redirect(url_for("admin.dashboard"))
        with immediate(db):
            db.table("login_failures").insert({"client": client_key(), "at": now().isoformat()})
        return render_template("admin/login.html", error=True, csrf=csrf_token()), 401
    return render_template("admin/login.html", error=None, csrf=csrf_token())


@bp.post("/logout")
@signed_in
def logout() -> BaseResponse:
    """Sign out: this session and every other one end (one account, one generation)."""
    check_csrf()
    end_all_sessions(get_db())
    session.clear()
    return redirect(url_for("admin.login"))


# --- dashboard --------------------------------------------------------------------------------


def iso_week(day: str) -> str:
    year, week, _ = dt.date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def outcomes_per_week(db: Database) -> list[dict]:
    weeks: dict[str, dict[str, int]] = {}
    for row in db["outcome_counts"].rows:
        counts = weeks.setdefault(iso_week(row["day"]), dict.fromkeys(OUTCOMES, 0))
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + row["count"]
    return [{"week": week, **counts} for week, counts in sorted(weeks.items())]


def most_read(db: Database, limit: int = 20) -> list[dict]:
    rows = db.execute(
        "SELECT page, sum(count) AS views FROM page_views GROUP BY page "
        "ORDER BY views DESC, page LIMIT ?",
        [limit],
    ).fetchall()
    return [{"page": page, "views": views} for page, views in rows]


def empty_searches(db: Database, limit: int = 50) -> list[dict]:
    rows = db.execute(
        "SELECT query, lang, sum(count) AS times FROM search_misses GROUP BY query, lang "
        "ORDER BY times DESC, query LIMIT ?",
        [limit],
    ).fetchall()
    return [{"query": q, "lang": lang, "times": n} for q, lang, n in rows]


def feedback_per_page(db: Database) -> list[dict]:
    rows = db.execute(
        "SELECT page, sum(helpful) AS yes, sum(1 - helpful) AS no FROM feedback "
        "GROUP BY page ORDER BY (yes + no) DESC, page"
    ).fetchall()
    return [{"page": page, "yes": yes, "no": no} for page, yes, no in rows]


def comments(db: Database, limit: int = 100) -> list[dict]:
    rows = db.execute(
        "SELECT day, page, lang, helpful, comment FROM feedback WHERE comment != '' "
        "ORDER BY day DESC, id DESC LIMIT ?",
        [limit],
    ).fetchall()
    return [
        {"day": d, "page": p, "lang": lang, "helpful": "yes" if h else "no", "comment": c}
        for d, p, lang, h, c in rows
    ]


REPORTS: dict[str, Callable] = {
    "outcomes": outcomes_per_week,
    "pages": most_read,
    "searches": empty_searches,
    "feedback": feedback_per_page,
    "comments": comments,
}


def bar_chart(
    rows: list[tuple[str, dict[str, int]]], series: tuple[str, ...], label: str
) -> Markup:
    """A horizontal stacked bar chart as SVG, drawn here so the page needs no script."""
    if not rows:
        return Markup("")
    width, bar, gap, left = 320, 18, 8, 110
    top = max(sum(values.values()) for _, values in rows) or 1
    height = len(rows) * (bar + gap)
    parts = [
        f'<svg class="app-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}">'
    ]
    for i, (name, values) in enumerate(rows):
        y = i * (bar + gap)
        parts.append(
            f'<text class="app-chart__label" x="0" y="{y + 13}">{escape(name[-18:])}</text>'
        )
        x = float(left)
        for key in series:
            w = (width - left - 30) * values.get(key, 0) / top
            parts.append(
                f'<rect class="app-chart__bar app-chart__bar--{key}" x="{x:.1f}" y="{y}" '
                f'width="{w:.1f}" height="{bar}"></rect>'
            )
            x += w
        total = sum(values.values())
        parts.append(f'<text class="app-chart__value" x="{x + 4:.1f}" y="{y + 13}">{total}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


@bp.get("/")
@signed_in
def dashboard() -> str:
    db = get_db()
    weeks = outcomes_per_week(db)[-12:]
    pages = most_read(db)
    per_page = feedback_per_page(db)
    return render_template(
        "admin/dashboard.html",
        csrf=csrf_token(),
        weeks=weeks,
        weeks_chart=bar_chart(
            [(w["week"], {k: w[k] for k in OUTCOMES}) for w in weeks], OUTCOMES, "outcomes per week"
        ),
        pages=pages,
        pages_chart=bar_chart(
            [(p["page"], {"views": p["views"]}) for p in pages], ("views",), "views"
        ),
        searches=empty_searches(db),
        feedback=per_page,
        feedback_chart=bar_chart(
            [(f["page"], {"yes": f["yes"], "no": f["no"]}) for f in per_page[:20]],
            ("yes", "no"),
            "feedback",
        ),
        comments=comments(db),
        reviews=reviews.due(current_app),
        retention_days=current_app.config["RETENTION_DAYS"],
    )


@bp.get("/export/<name>.csv")
@signed_in
def export(name: str) -> Response:
    report = REPORTS.get(name)
    if report is None:
        abort(404)
    rows = report(get_db())
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def csv_cell(value: object) -> object:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection): text that starts
    with = + - @, a tab or a carriage return gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


@bp.post("/prune")
@signed_in
def prune_now() -> BaseResponse:
    check_csrf()
    prune(get_db(), current_app.config)
    return redirect(url_for("admin.dashboard"))


# --- retention, backup, password: used by the dashboard and the CLI ---------------------------

PRUNED = {"outcome_counts": "day", "page_views": "day", "search_misses": "day", "feedback": "day"}
FINGERPRINT_DAYS = 90  # how long the fingerprints of missed searches are kept


def prune(db: Database, config: Mapping[str, Any]) -> int:
    """Delete what is past its time: anonymous rows after RETENTION_DAYS, feedback comments
    after COMMENT_DAYS (the yes/no stays), fingerprints of missed searches after 90 days and
    sign-in failures after a day. Returns the number of rows deleted or blanked."""

    def before(days: int) -> str:
        return (dt.date.today() - dt.timedelta(days=days)).isoformat()

    cutoff = before(config["RETENTION_DAYS"])
    removed = 0
    with immediate(db):
        for table, column in PRUNED.items():
            removed += db.execute(f"DELETE FROM {table} WHERE {column} < ?", [cutoff]).rowcount  # noqa: S608
        removed += db.execute(
            "UPDATE feedback SET comment = '' WHERE comment != '' AND day < ?",
            [before(config["COMMENT_DAYS"])],
        ).rowcount
        removed += db.execute(
            "DELETE FROM search_miss_days WHERE day < ?", [before(FINGERPRINT_DAYS)]
        ).rowcount
        old = (now() - dt.timedelta(days=1)).isoformat()
        removed += db.execute("DELETE FROM login_failures WHERE at < ?", [old]).rowcount
    return removed


def backup(source: Path, target: Path) -> str:
    """Copy the live database with SQLite's online backup; return the copy's integrity check."""
    src = connect(source)
    dest = None
    try:
        dest = sqlite3.connect(target)
        src.conn.backup(dest)
        return dest.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        src.conn.close()
        if dest is not None:
            dest.close()


def set_password(db: Database, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise click.BadParameter(f"use at least {MIN_PASSWORD} characters", param_hint="password")
    # A new password also raises the session generation: every open session ends.
    with immediate(db):
        db.execute(
            "INSERT INTO admin_credentials (id, password_hash, updated, generation) "
            "VALUES (1, ?, ?, 1) ON CONFLICT (id) DO UPDATE SET "
            "password_hash = excluded.password_hash, updated = excluded.updated, "
            "generation = generation + 1",
            [generate_password_hash(password, method="scrypt"), now().isoformat()],
        )


admin_cli = AppGroup("admin", help="The clinic's dashboard.")
db_cli = AppGroup("db", help="The database.")


@admin_cli.command("set-password")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password_command(password_stdin: bool) -> None:
    """Set the dashboard password (at least 12 characters); only its scrypt hash is stored."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = connect(database_path(current_app))
    try:
        set_password(db, password)
    finally:
        db.conn.close()
    click.echo("The dashboard password is set.")


@admin_cli.command("unlock")
def unlock_command() -> None:
    """Forget failed sign-ins, so the dashboard can be signed in to at once (after a 429)."""
    db = connect(database_path(current_app))
    try:
        with immediate(db):
            removed = db.execute("DELETE FROM login_failures").rowcount
    finally:
        db.conn.close()
    click.echo(f"Sign-in is open again ({removed} failed attempts forgotten).")


@db_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent copy of the database to PATH, even while the app is writing."""
    result = backup(database_path(current_app), path)
    click.echo(f"Backup written to {path}; integrity check: {result}")
    if result != "ok":
        raise SystemExit(1)


@db_cli.command("prune")
def prune_command() -> None:
    """Delete what is past its time (RETENTION_DAYS, COMMENT_DAYS; see the privacy page)."""
    db = connect(database_path(current_app))
    try:
        removed = prune(db, current_app.config)
    finally:
        db.conn.close()
    click.echo(f"Removed {removed} old rows.")


class AdminOnlySessions(SecureCookieSessionInterface):
    """Sessions exist under /admin only. Everywhere else the session is a NullSession: a patient
    page can never set a cookie, even by mistake, and no request pays for reading one."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.path.startswith("/admin"):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.config.update(
        SESSION_COOKIE_NAME="__Host-admin",
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=app.config["ADMIN_SESSION_HOURS"]),
    )
    app.session_interface = AdminOnlySessions()
    if not problem(app):
        try:
            with startup_lock(app):
                db = connect(database_path(app))
                try:
                    prune(db, app.config)
                finally:
                    db.conn.close()
        except sqlite3.Error as exc:  # a read-only or full disk: the site still starts
            app.logger.error("Could not delete old rows at start-up: %s", exc)
    app.register_blueprint(bp)
    app.cli.add_command(admin_cli)
    app.cli.add_command(db_cli)
