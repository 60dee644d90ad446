"""The symptom checker's two doors: the JSON API and the web flow, over one engine."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from webapp import create_app
from webapp.checker import DURATIONS, STEPS
from webapp.triage import level, load_checker

VIGNETTES = json.loads((Path(__file__).parent / "data" / "triage-vignettes.json").read_text())
CHECKER = load_checker(Path(__file__).resolve().parent.parent / "content" / "triage")
QUESTIONS = [q.id for q in CHECKER.questions]
EMERGENCY = [q.id for q in CHECKER.questions if q.group == "emergency"]
REGIONS = [r.id for r in CHECKER.regions]
ORDER = {"selfcare": 0, "clinic": 1, "urgent": 2}


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory):
    """One app for the property tests (hypothesis reruns a test many times)."""
    return create_app({"INSTANCE_PATH": str(tmp_path_factory.mktemp("inst")), "TESTING": True})


def api(client, body, **headers):
    return client.post("/api/v1/triage", json=body, headers=headers)


# --- the API ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_every_vignette_through_the_api(client, case):
    response = api(client, case["request"])
    assert response.status_code == 200
    data = response.get_json()
    assert data["outcome"] in case["accept"]
    assert ORDER[data["outcome"]] >= ORDER[case["min"]]
    if case.get("urgency"):
        assert data["urgency"] == case["urgency"]
    assert data["reasons"] and all(r["source"] for r in data["reasons"])
    assert response.headers["Cache-Control"] == "no-store"
    for condition in data["conditions"]:
        assert client.get(condition["url"]).status_code == 200
    for key in ("program", "booking", "summary"):
        if key in data["links"] and data["links"][key].startswith("/"):
            assert client.get(data["links"][key]).status_code == 200
    if data["outcome"] == "selfcare":
        assert data["links"]["program"].startswith("/nb/programmer/")


def test_api_language_and_texts(client):
    body = {**VIGNETTES[14]["request"], "lang": "en"}
    data = api(client, body).get_json()
    assert data["title"] == "You can most likely manage this yourself"
    assert data["conditions"][0]["url"].startswith("/en/conditions/")
    nb = api(client, VIGNETTES[14]["request"]).get_json()
    assert nb["title"] == "Du kan trolig ta hånd om dette selv"


def test_omitted_optional_answers_are_listed(client):
    body = json.loads(json.dumps(VIGNETTES[14]["request"]))
    del body["answers"]["low_mood"]
    data = api(client, body).get_json()
    assert data["not_answered"] == ["low_mood"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"age": 121}, "age"),
        ({"age": "40"}, "age"),
        ({"age": True}, "age"),
        ({"duration_weeks": -1}, "duration_weeks"),
        ({"duration_weeks": 2000}, "duration_weeks"),
        ({"pain_areas": []}, "pain_areas"),
        ({"pain_areas": ["neck"]}, "pain_areas"),
        ({"pain_areas": ["calf", "calf"]}, "pain_areas"),
        ({"colour": "blue"}, "colour"),
        ({"lang": "de"}, "lang"),
        ({"answers": {"saddle_numbness": "maybe"}}, "answers.saddle_numbness"),
    ],
)
def test_bad_input_names_the_field(client, change, field):
    body = {**VIGNETTES[14]["request"], **change}
    if "answers" in change:
        body["answers"] = {**VIGNETTES[14]["request"]["answers"], **change["answers"]}
    response = api(client, body)
    assert response.status_code == 422
    data = response.get_json()
    assert field in data["fields"] and data["error"]


def test_unanswered_red_flag_is_an_error_not_a_no(client):
    body = json.loads(json.dumps(VIGNETTES[14]["request"]))
    del body["answers"]["cancer_history"]
    response = api(client, body)
    assert response.status_code == 422
    assert "answers.cancer_history" in response.get_json()["fields"]


def test_body_that_is_not_json_or_too_large(client):
    response = client.post("/api/v1/triage", data="age=4", content_type="text/plain")
    assert response.status_code == 415 and response.get_json()["fields"] == {"body": "not JSON"}
    response = client.post("/api/v1/triage", data="{not json", content_type="application/json")
    assert response.status_code == 415
    big = json.dumps({**VIGNETTES[0]["request"], "pad": "x" * 70000})
    response = client.post("/api/v1/triage", data=big, content_type="application/json")
    assert response.status_code == 413
    assert "error" in response.get_json()
    response = client.get("/api/v1/triage")
    assert response.status_code == 405 and "error" in response.get_json()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        JSON_VALUES,
        st.fixed_dictionaries(
            {
                "age": JSON_VALUES,
                "duration_weeks": JSON_VALUES,
                "pain_areas": JSON_VALUES,
                "answers": st.dictionaries(st.sampled_from(QUESTIONS), JSON_VALUES),
            }
        ),
    )
)
def test_fuzzed_bodies_never_give_a_server_error(shared_app, body):
    response = shared_app.test_client().post(
        "/api/v1/triage", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert response.get_json()["fields"]


def test_questions_and_openapi(client):
    data = client.get("/api/v1/triage/questions").get_json()
    assert [q["id"] for q in data["questions"]] == QUESTIONS
    assert len(data["regions"]) == 20
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    schema = doc["components"]["schemas"]["Request"]
    assert schema["properties"]["pain_areas"]["items"]["enum"] == REGIONS
    assert set(schema["properties"]["answers"]["required"]) == {
        q.id for q in CHECKER.questions if q.required
    }


# --- the web flow -----------------------------------------------------------------------------


def hidden(html: str) -> list[tuple[str, str]]:
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)
    return [(n, v) for n, v in fields if n != "step"]


def post(client, lang, step, fields, **headers):
    path = {"nb": "/nb/symptomsjekk", "en": "/en/symptom-checker"}[lang]
    return client.post(path, data=MultiDict([("step", step), *fields]), headers=headers)


def walk(client, body, lang="nb", duration="under-1w"):
    """Answer every step of the web flow as `body` does; return the last response."""
    answers = body["answers"]
    signs = [q for q in EMERGENCY if answers.get(q) == "yes"]
    ticked = signs + (["unsure"] if any(answers.get(q) == "unsure" for q in EMERGENCY) else [])
    response = post(client, lang, "emergency", [("sign", s) for s in ticked or ["none"]])
    for step in STEPS[1:]:
        html = response.get_data(as_text=True)
        if 'data-step="result"' in html:
            return response
        fields = hidden(html)
        if step.id == "about":
            fields += [("age", str(body["age"])), ("duration", duration)]
        elif step.id == "where":
            fields += [("area", a) for a in body["pain_areas"]]
        else:
            fields += [(f"q_{q}", answers[q]) for q in step.questions if q in answers]
        response = post(client, lang, step.id, fields + [("nav", "next")])
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response


def outcome_of(html: str) -> str:
    return re.search(r'class="app-care-card app-care-card--([a-z]+)"', html).group(1)


CARD = {("urgent", "emergency"): "emergency", ("urgent", "soon"): "urgent",
        ("clinic", None): "routine", ("selfcare", None): "selfcare"}  # fmt: skip


@pytest.mark.parametrize("case", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_every_vignette_through_the_web_flow(client, case):
    request = case["request"]
    duration = min(DURATIONS, key=lambda k: abs(DURATIONS[k][0] - request["duration_weeks"]))
    response = walk(client, request, duration=duration)
    html = response.get_data(as_text=True)
    assert 'data-step="result"' in html
    assert response.headers["Cache-Control"] == "no-store"
    body = {**request, "duration_weeks": DURATIONS[duration][0]}
    data = api(client, body).get_json()
    assert outcome_of(html) == CARD[(data["outcome"], data["urgency"])]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    age=st.integers(0, 120),
    duration=st.sampled_from(sorted(DURATIONS)),
    areas=st.lists(st.sampled_from(REGIONS), min_size=1, max_size=5, unique=True),
    changed=st.dictionaries(
        st.sampled_from(QUESTIONS), st.sampled_from(["yes", "no", "unsure"]), max_size=4
    ),
)
def test_web_flow_and_api_agree(shared_app, age, duration, areas, changed):
    client = shared_app.test_client()
    body = {"age": age, "duration_weeks": DURATIONS[duration][0], "pain_areas": areas,
            "answers": {q: "no" for q in QUESTIONS} | changed}  # fmt: skip
    html = unescape(walk(client, body, duration=duration).get_data(as_text=True))
    data = api(client, body).get_json()
    assert outcome_of(html) == CARD[(data["outcome"], data["urgency"])]
    shown = [r["text"] for r in data["reasons"] if r["text"] in html]
    if data["urgency"] == "emergency":
        assert shown  # the flow stopped at the emergency screen: its reasons are among the API's
    else:
        assert shown == [r["text"] for r in data["reasons"]]


def test_emergency_sign_stops_the_flow_at_once(client):
    response = post(client, "nb", "emergency", [("sign", "bladder_bowel_change")])
    html = response.get_data(as_text=True)
    assert "Ring 113 nå" in html
    assert 'href="tel:113"' in html and 'href="tel:116117"' in html
    assert "Cauda equina" in html  # the emergency explainer is offered


def test_emergency_unsure_is_never_a_no(client):
    response = post(client, "en", "emergency", [("sign", "unsure")])
    html = response.get_data(as_text=True)
    assert outcome_of(html) == "emergency"


@pytest.mark.parametrize(
    ("signs", "message"),
    [
        ([], "Kryss av for det du har"),
        (["none", "saddle_numbness"], "Du valgte «Nei, ingen av disse»"),
    ],
)
def test_emergency_screen_needs_an_explicit_answer(client, signs, message):
    response = post(client, "nb", "emergency", [("sign", s) for s in signs])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'role="alert"' in html and 'href="#sign-first"' in html


def test_unanswered_red_flag_in_the_web_flow_asks_again(client):
    fields = [(f"q_{q}", "no") for q in EMERGENCY] + [
        ("age", "40"),
        ("duration", "1-2w"),
        ("area", "lower_back"),
    ]
    response = post(client, "nb", "health", fields + [("q_fever_or_unwell", "no")])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#q_weight_loss-first"' in html
    assert "Svar på dette spørsmålet" in html


def test_back_keeps_the_answers(client):
    fields = [(f"q_{q}", "no") for q in EMERGENCY] + [
        ("age", "61"),
        ("duration", "2-6w"),
        ("area", "calf"),
    ]
    response = post(client, "nb", "where", fields + [("nav", "back")])
    html = response.get_data(as_text=True)
    assert 'value="61"' in html and 'value="2-6w" checked' in html
    assert ("area", "calf") in hidden(html)


@pytest.mark.parametrize(
    "fields",
    [
        [("q_nonsense", "yes")],
        [("q_saddle_numbness", "maybe")],
        [("age", "abc")],
        [("area", "neck")],
        [("duration", "forever")],
    ],  # fmt: skip
)
def test_tampered_form_is_a_clear_400(client, fields):
    response = post(client, "nb", "pain", fields)
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_unknown_step_is_a_400(client):
    assert post(client, "nb", "nowhere", []).status_code == 400


def test_answers_never_travel_in_urls(client):
    html = client.get("/nb/symptomsjekk").get_data(as_text=True)
    assert 'method="post"' in html and 'method="get"' not in html.split('id="checker"')[1]


def test_only_the_outcome_and_date_are_counted(app, client):
    walk(client, VIGNETTES[14]["request"])
    api(client, VIGNETTES[0]["request"])
    from webapp.db import connect, database_path

    db = connect(database_path(app))
    try:
        rows = sorted((r["outcome"], r["count"]) for r in db["outcome_counts"].rows)
        assert rows == [("selfcare", 1), ("urgent", 1)]
        # No table holds answers: the others are feedback, counts and the admin's sign-in.
        assert "outcome_counts" in db.table_names()
        for table in db.table_names():
            columns = set(db[table].columns_dict)
            assert not columns & {"answers", "age", "pain_areas", "ip", "user_agent"}, table
        assert db["outcome_counts"].columns_dict == {"day": str, "outcome": str, "count": int}
    finally:
        db.conn.close()


def test_htmx_gets_the_step_fragment(client):
    response = post(
        client,
        "nb",
        "emergency",
        [("sign", "none")],
        **{"HX-Request": "true", "HX-Target": "checker"},
    )
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<form id="checker"') and "<html" not in html
    assert "HX-Target" in response.headers["Vary"]


def test_transparency_page_lists_every_rule_with_its_source(client):
    html = client.get("/nb/slik-vurderer-vi").get_data(as_text=True)
    for rule in CHECKER.rules:
        assert f'id="rule-{rule.id}"' in html
    assert html.count("Kilde:") >= len(CHECKER.rules)


def test_every_step_has_one_h1_and_no_inline_script(client):
    response = walk(client, VIGNETTES[9]["request"])  # a clinic result
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "Oppsummering til timen" in html and "Dette er veiledning, ikke en diagnose." in html


def test_levels_are_ordered():
    assert (
        level("urgent", "emergency")
        > level("urgent", "soon")
        > level("clinic", None)
        > level("selfcare", None)
    )


def test_checker_texts_are_plain_norwegian():
    """Questions, signs and reasons a patient reads stay within the readability budget."""
    from webapp.textstats import lix, load_seed_hashes, shared_runs

    texts = [q.text["nb"] for q in CHECKER.questions] + [q.help["nb"] for q in CHECKER.questions]
    texts += [q.sign["nb"] for q in CHECKER.questions if q.sign["nb"]]
    texts += [r.reason["nb"] for r in CHECKER.rules]
    assert lix("\n".join(t for t in texts if t)) <= 38
    assert shared_runs("\n".join(texts), load_seed_hashes()) == []


def test_rules_carry_review_dates(client):
    assert CHECKER.reviewed < CHECKER.next_review
    html = client.get("/en/how-we-assess").get_data(as_text=True)
    assert f'datetime="{CHECKER.next_review.isoformat()}"' in html


def test_first_step_says_who_it_is_not_for(client):
    html = client.get("/nb/symptomsjekk").get_data(as_text=True)
    assert "Er du gravid, gjelder det et barn" in html


@pytest.mark.parametrize(
    "path", ["/nb/symptomsjekk", "/en/how-we-assess", "/api/v1/triage/questions"]
)
def test_checker_pages_set_no_cookie(client, path):
    assert "Set-Cookie" not in client.get(path).headers
    response = api(client, VIGNETTES[0]["request"])
    assert "Set-Cookie" not in response.headers


def test_a_nerve_root_pattern_is_explained_with_the_figure(client):
    html = walk(client, VIGNETTES[9]["request"]).get_data(as_text=True)  # L5 pattern
    assert "Hva mønsteret kan bety" in html
    assert "L5: utsiden av leggen, oversiden av foten, stortåa" in html
    assert 'href="/nb/tilstander/vondt-i-foten-og-ryggen#figure"' in html


def test_an_unexpected_api_error_is_a_500_without_details(app, client, monkeypatch, caplog):
    endpoint = app.wsgi_app
    while not hasattr(endpoint, "checker"):  # find the API layer among the WSGI layers
        endpoint = endpoint.wsgi_app

    def broken(inp):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(endpoint.checker, "evaluate", broken)
    response = api(client, VIGNETTES[0]["request"])
    assert response.status_code == 500
    assert "secret" not in response.get_data(as_text=True)
    assert response.get_json()["error"]
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "secret internals" in caplog.text
