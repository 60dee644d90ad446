"""Booking, «was this page helpful?», the clinic dashboard, retention, backup and concurrency."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest
from conftest import serve
from werkzeug.datastructures import MultiDict

from webapp import create_app
from webapp.admin import prune
from webapp.core.clinic import load_clinic
from webapp.core.validation import ContentError
from webapp.db import connect, database_path

HTTPS = "https://localhost"
PASSWORD = "correct horse battery"
ARTICLE = "/nb/tilstander/isjias"
SAME = {"Origin": "http://localhost"}

TEST_CLINIC = """
name = "Testklinikken"
phone = "22 22 22 22"
email = "post@test.example"
[site_name]
nb = "Testklinikken"
en = "Test clinic"
[[departments]]
id = "sentrum"
name = "Testklinikken Sentrum"
area = "Sentrum"
street = "Storgata 1"
postcode = "0155"
city = "Oslo"
booking_url = "https://booking.test.example/sentrum"
[[departments.opening_hours]]
days = ["mon", "tue", "wed", "thu", "fri"]
opens = "08:00"
closes = "16:00"
[[departments]]
id = "nord"
name = "Testklinikken Nord"
area = "Nordby"
city = "Tromsø"
phone = "77 77 77 77"
[[departments]]
id = "vest"
name = "Testklinikken Vest"
area = "Vestby"
city = "Bergen"
email = "vest@test.example"
"""


def db_rows(app, table):
    db = connect(database_path(app))
    try:
        return list(db[table].rows)
    finally:
        db.conn.close()


# --- booking ----------------------------------------------------------------------------------


def test_booking_lists_every_department_of_the_configuration(tmp_path):
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "clinic.toml").write_text(TEST_CLINIC)
    client = create_app({"INSTANCE_PATH": str(inst)}).test_client()
    for path in ("/nb/bestill-time", "/en/book"):
        html = client.get(path).get_data(as_text=True)
        for name in ("Testklinikken Sentrum", "Testklinikken Nord", "Testklinikken Vest"):
            assert name in html
        assert 'href="tel:+4777777777"' in html  # a department's own phone
        assert 'href="tel:+4722222222"' in html  # the clinic's phone where none is given
        assert 'href="mailto:vest@test.example"' in html
        assert 'href="https://booking.test.example/sentrum"' in html
        assert "https://www.openstreetmap.org/search?query=" in html  # a plain link, no embed
        assert "<iframe" not in html
    html = client.get("/nb/bestill-time").get_data(as_text=True)
    assert "Mandag–fredag: 08:00–16:00" in html
    assert "Ring oss for åpningstider." in html


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('nb = "Testklinikken"', "nb = 5", "site_name.nb: must be a string"),
        ('en = "Test clinic"', "", "site_name.en: missing"),
        ('phone = "22 22 22 22"', 'phone = "not a phone"', "phone: not a phone number"),
        ('city = "Oslo"', "city = 5", "departments[0].city: must be a string"),
        ('id = "nord"', 'id = "sentrum"', "departments[1].id: 'sentrum' is used twice"),
        ("days = [", 'days = ["someday", ', "departments[0].opening_hours[0].days: use mon"),
        ('closes = "16:00"', 'closes = "07:00"', "departments[0].opening_hours[0].closes: use"),
    ],
)
def test_a_bad_clinic_file_names_the_file_and_the_key(tmp_path, old, new, message):
    path = tmp_path / "clinic.toml"
    assert old in TEST_CLINIC
    path.write_text(TEST_CLINIC.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape(f"{path}: {message}")):
        load_clinic(path)


def test_a_clinic_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "clinic.toml"
    path.write_bytes(TEST_CLINIC.encode("latin-1"))  # «Tromsø» as one byte
    with pytest.raises(ContentError) as info:
        load_clinic(path)
    assert (info.value.file, info.value.key) == (str(path), "(file)")
    assert info.value.problem.startswith("not UTF-8")
    with pytest.raises(ContentError, match=re.escape(f"{tmp_path / 'none.toml'}: (file): cannot")):
        load_clinic(tmp_path / "none.toml")


def test_booking_from_the_checker_carries_the_summary(reading_client):
    form = MultiDict(
        [("q_saddle_numbness", "no"), ("age", "47"), ("duration", "2-6w"), ("area", "calf")]
    )
    response = reading_client.post("/nb/bestill-time", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Oppsummering til timen" in html
    assert "Leggen" in html and "47" in html
    assert response.headers["Cache-Control"] == "no-store"
    assert reading_client.post("/nb/bestill-time", data={"q_nonsense": "yes"}).status_code == 400
    assert reading_client.post("/nb/bestill-time", data={}).status_code == 400


def test_the_clinic_result_books_with_a_post(reading_client):
    from test_checker import VIGNETTES, walk

    html = walk(reading_client, VIGNETTES[12]["request"]).get_data(as_text=True)  # Morton: clinic
    form = re.search(
        r'<form class="app-inline-form" action="/nb/bestill-time" method="post">', html
    )
    assert form, "the result books through a form, so the answers stay out of the URL"


# --- feedback ---------------------------------------------------------------------------------


def test_feedback_stores_page_language_and_day_only(app, client):
    page = client.get(ARTICLE).get_data(as_text=True)
    assert "Var denne siden nyttig?" in page and 'name="comment"' in page
    response = client.post(
        "/nb/tilbakemelding",
        data={"page": ARTICLE, "helpful": "no", "comment": "  Savner  mer om  øvelser "},
        headers={**SAME, "User-Agent": "secret-agent", "X-Forwarded-For": "10.1.2.3"},
    )
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    rows = db_rows(app, "feedback")
    assert rows == [
        {
            "id": 1,
            "day": dt.date.today().isoformat(),
            "page": ARTICLE,
            "lang": "nb",
            "helpful": 0,
            "comment": "Savner mer om øvelser",
        }  # fmt: skip
    ]
    assert "secret-agent" not in json.dumps(rows) and "10.1.2.3" not in json.dumps(rows)


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}, {}],
)
def test_feedback_from_another_origin_is_refused(app, client, headers):
    response = client.post(ARTICLE.replace("tilstander/isjias", "tilbakemelding"),
                           data={"page": ARTICLE, "helpful": "yes"}, headers=headers)  # fmt: skip
    assert response.status_code == 403
    assert db_rows(app, "feedback") == []


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "same-origin"}, {"Origin": "null", "Sec-Fetch-Site": "same-origin"}],
)
def test_feedback_same_site_fetch_metadata_is_accepted(client, headers):
    response = client.post(
        "/en/feedback", data={"page": "/en/conditions/sciatica", "helpful": "yes"}, headers=headers
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"page": "/nb/not-a-page", "helpful": "yes"},
        {"page": ARTICLE, "helpful": "maybe"},
        {"page": ARTICLE, "helpful": "yes", "comment": "x" * 501},
    ],
)
def test_bad_feedback_is_a_400(client, data):
    assert client.post("/nb/tilbakemelding", data=data, headers=SAME).status_code == 400


def test_feedback_is_rate_limited(client):
    codes = [
        client.post(
            "/nb/tilbakemelding", data={"page": ARTICLE, "helpful": "yes"}, headers=SAME
        ).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]


def test_feedback_answers_htmx_inline(client):
    response = client.post(
        "/nb/tilbakemelding",
        data={"page": ARTICLE, "helpful": "yes"},
        headers={**SAME, "HX-Request": "true", "HX-Target": "feedback"},
    )
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Takk for svaret" in html


def search_on_days(client, monkeypatch, query: str, days: int) -> None:
    """The same search that finds nothing, once on each of `days` different days."""
    for n in range(days):
        day = (dt.date(2026, 11, 1) + dt.timedelta(days=n)).isoformat()
        monkeypatch.setattr("webapp.feedback.today", lambda day=day: day)
        client.get("/nb/sok", query_string={"q": query})


def test_page_views_are_counted(app, client):
    client.get(ARTICLE)
    client.get(ARTICLE)
    assert [(r["page"], r["count"]) for r in db_rows(app, "page_views")] == [(ARTICLE, 2)]


def test_a_missed_search_is_kept_only_after_three_days_and_without_digits(app, client, monkeypatch):
    query = "akillessene 12345678901 ola@example.no"
    search_on_days(client, monkeypatch, query, 2)
    search_on_days(client, monkeypatch, "kari nordmann prolaps", 1)
    assert db_rows(app, "search_misses") == []  # twice is not yet a pattern
    stored = " ".join(str(r) for r in db_rows(app, "search_miss_days"))
    assert "akillessene" not in stored and "kari" not in stored  # fingerprints, not words
    search_on_days(client, monkeypatch, query, 3)  # days 1 and 2 again, and a third
    assert [r["query"] for r in db_rows(app, "search_misses")] == ["akillessene"]


def test_search_pages_are_not_stored_by_browsers_or_caches(reading_client):
    response = reading_client.get("/nb/sok", query_string={"q": "isjias"})
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Ring meg på 912 34 567", "Ring meg på"),
        ("ola@example.no skrev dette", "skrev dette"),
        ("fødselsnr 010190 12345 ok", "fødselsnr ok"),
        ("bidi\u202etxt.exe og\x00null", "bidi txt.exe og null"),
        ("   mange    mellomrom  ", "mange mellomrom"),
    ],
)
def test_a_comment_is_kept_without_numbers_addresses_or_hidden_characters(app, client, typed, kept):
    data = {"page": ARTICLE, "helpful": "no", "comment": typed}
    assert client.post("/nb/tilbakemelding", data=data, headers=SAME).status_code == 200
    assert [r["comment"] for r in db_rows(app, "feedback")] == [kept]


# --- the dashboard ----------------------------------------------------------------------------


@pytest.fixture
def admin_app(app, runner):
    result = runner.invoke(
        args=["admin", "set-password", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    return app


def csrf(client, path="/admin/login"):
    html = client.get(path, base_url=HTTPS).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, password=PASSWORD):
    return client.post(
        "/admin/login", data={"csrf_token": csrf(client), "password": password}, base_url=HTTPS
    )


def test_password_must_be_long_and_is_stored_as_a_hash(app, runner):
    result = runner.invoke(args=["admin", "set-password", "--password-stdin"], input="short\n")
    assert result.exit_code != 0 and "at least 12" in result.output
    runner.invoke(args=["admin", "set-password", "--password-stdin"], input=PASSWORD + "\n")
    stored = db_rows(app, "admin_credentials")[0]["password_hash"]
    assert stored.startswith("scrypt:") and PASSWORD not in stored


ADMIN_GETS = ["/admin/", "/admin/export/outcomes.csv", "/admin/export/pages.csv",
              "/admin/export/searches.csv", "/admin/export/feedback.csv",
              "/admin/export/comments.csv"]  # fmt: skip


@pytest.mark.parametrize("path", ADMIN_GETS)
def test_every_admin_page_refuses_without_sign_in(admin_app, path):
    response = admin_app.test_client().get(path, base_url=HTTPS)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/login"


@pytest.mark.parametrize("path", ["/admin/prune", "/admin/logout"])
def test_every_admin_form_refuses_without_sign_in(admin_app, path):
    response = admin_app.test_client().post(path, base_url=HTTPS)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/login"


def test_sign_in_sets_a_strict_host_cookie_and_shows_the_dashboard(admin_app):
    client = admin_app.test_client()
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-admin=")
    for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
        assert flag in cookie
    assert "Domain" not in cookie
    page = client.get("/admin/", base_url=HTTPS)
    assert page.status_code == 200 and "Klinikkens oversikt" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    for path in ADMIN_GETS[1:]:
        assert client.get(path, base_url=HTTPS).status_code == 200


def test_patient_pages_never_get_the_admin_cookie(admin_app):
    client = admin_app.test_client()
    for path in ("/nb/", ARTICLE, "/nb/symptomsjekk", "/nb/bestill-time"):
        assert "Set-Cookie" not in client.get(path, base_url=HTTPS).headers


@pytest.mark.parametrize("path", ["/admin/login", "/admin/prune", "/admin/logout"])
def test_admin_forms_without_a_csrf_token_are_refused(admin_app, path):
    client = admin_app.test_client()
    if path != "/admin/login":
        sign_in(client)
    response = client.post(path, data={"password": PASSWORD}, base_url=HTTPS)
    assert response.status_code == 400


def test_ten_wrong_passwords_give_429(admin_app):
    client = admin_app.test_client()
    codes = [sign_in(client, "wrong password!").status_code for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    assert sign_in(client).status_code == 429  # even the right password waits


def test_sign_out(admin_app):
    client = admin_app.test_client()
    sign_in(client)
    token = csrf(client, "/admin/")
    assert (
        client.post("/admin/logout", data={"csrf_token": token}, base_url=HTTPS).status_code == 302
    )
    assert client.get("/admin/", base_url=HTTPS).status_code == 302


def test_dashboard_shows_counts_charts_and_csv(admin_app, client, monkeypatch):
    feedback = {"page": ARTICLE, "helpful": "yes", "comment": "Nyttig"}
    client.post("/nb/tilbakemelding", data=feedback, headers=SAME)
    vignettes = json.loads((Path(__file__).parent / "data" / "triage-vignettes.json").read_text())
    client.post("/api/v1/triage", json=vignettes[0]["request"])
    search_on_days(client, monkeypatch, "tannverk", 3)
    admin = admin_app.test_client()
    sign_in(admin)
    html = admin.get("/admin/", base_url=HTTPS).get_data(as_text=True)
    assert '<svg class="app-chart"' in html and "tannverk" in html and "Nyttig" in html
    csv_text = admin.get("/admin/export/feedback.csv", base_url=HTTPS).get_data(as_text=True)
    assert csv_text.splitlines() == ["page,yes,no", f"{ARTICLE},1,0"]
    outcomes = admin.get("/admin/export/outcomes.csv", base_url=HTTPS).get_data(as_text=True)
    assert outcomes.splitlines()[0] == "week,urgent,clinic,selfcare"


# --- retention and backup ---------------------------------------------------------------------


def test_old_anonymous_rows_are_pruned(app):
    db = connect(database_path(app))
    try:
        old = (dt.date.today() - dt.timedelta(days=400)).isoformat()
        db["feedback"].insert(
            {"day": old, "page": ARTICLE, "lang": "nb", "helpful": 1, "comment": ""}
        )
        db["outcome_counts"].insert({"day": old, "outcome": "clinic", "count": 3})
        db["feedback"].insert({"day": dt.date.today().isoformat(), "page": ARTICLE, "lang": "nb",
                               "helpful": 1, "comment": ""})  # fmt: skip
        assert prune(db, app.config) == 2
        assert db["feedback"].count == 1 and db["outcome_counts"].count == 0
    finally:
        db.conn.close()


def test_comments_are_blanked_after_90_days_and_the_answer_stays(app):
    db = connect(database_path(app))
    try:
        for age in (91, 89):
            day = (dt.date.today() - dt.timedelta(days=age)).isoformat()
            db["feedback"].insert(
                {"day": day, "page": ARTICLE, "lang": "nb", "helpful": 0, "comment": f"{age}"}
            )
        assert prune(db, app.config) == 1
        assert [(r["helpful"], r["comment"]) for r in db["feedback"].rows] == [(0, ""), (0, "89")]
    finally:
        db.conn.close()


def test_backup_restores(app, runner, client, tmp_path):
    for _ in range(3):
        client.post("/nb/tilbakemelding", data={"page": ARTICLE, "helpful": "yes"}, headers=SAME)
    target = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 0 and "integrity check: ok" in result.output
    restored = tmp_path / "restored"
    restored.mkdir()
    target.rename(restored / "webapp.sqlite3")
    again = create_app({"INSTANCE_PATH": str(restored)})
    assert len(db_rows(again, "feedback")) == 3


# --- many workers writing at once -------------------------------------------------------------


def _post_many(url: str, count: int) -> list[int]:
    body = urllib.parse.urlencode({"page": ARTICLE, "helpful": "yes"}).encode()

    def one(_: int) -> int:
        request = urllib.request.Request(url, data=body, headers={"Origin": url.split("/nb/")[0]})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=25) as pool:
        return list(pool.map(one, range(count)))


def test_four_processes_post_1000_feedbacks_and_nothing_is_lost(tmp_path):
    instance = tmp_path / "inst"
    instance.mkdir()
    server = serve(instance, workers=4, extra_env={"WEBAPP_FEEDBACK_RATE_LIMIT": "100000/1"})
    url = next(server)
    try:
        with get_context("spawn").Pool(4) as pool:
            results = pool.starmap(_post_many, [(url + "/nb/tilbakemelding", 250)] * 4)
    finally:
        server.close()
    assert [code for codes in results for code in codes] == [200] * 1000
    conn = sqlite3.connect(instance / "webapp.sqlite3")
    try:
        assert conn.execute("SELECT count(*) FROM feedback").fetchone()[0] == 1000
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
