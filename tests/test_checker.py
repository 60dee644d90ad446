"""The symptom checker's two doors: the JSON API and the web flow, over one engine."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from webapp.checker_flow import DURATIONS
from webapp.core.languages import LANGUAGES
from webapp.core.triage import level, load_checker

VIGNETTES = json.loads((Path(__file__).parent / "data" / "triage-vignettes.json").read_text())
CHECKER = load_checker(Path(__file__).resolve().parent.parent / "content" / "triage")
QUESTIONS = [q.id for q in CHECKER.questions]
EMERGENCY = [q.id for q in CHECKER.questions if q.group == "emergency"]
REGIONS = [r.id for r in CHECKER.regions]
ORDER = {"selfcare": 0, "clinic": 1, "urgent": 2}


def api(client, body, **headers):
    return client.post("/api/v1/triage", json=body, headers=headers)


# --- the API ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_every_vignette_through_the_api(reading_client, case):
    response = api(reading_client, case["request"])
    assert response.status_code == 200
    data = response.get_json()
    assert data["outcome"] in case["accept"]
    assert ORDER[data["outcome"]] >= ORDER[case["min"]]
    if case.get("urgency"):
        assert data["urgency"] == case["urgency"]
    assert data["reasons"] and all(r["source"] for r in data["reasons"])
    assert response.headers["Cache-Control"] == "no-store"
    for condition in data["conditions"]:
        assert reading_client.get(condition["url"]).status_code == 200
    for key in ("program", "booking", "summary"):
        if key in data["links"] and data["links"][key].startswith("/"):
            assert reading_client.get(data["links"][key]).status_code == 200
    if data["outcome"] == "selfcare":
        assert data["links"]["program"].startswith("/nb/programmer/")


def test_api_language_and_texts(reading_client):
    body = {**VIGNETTES[14]["request"], "lang": "en"}
    data = api(reading_client, body).get_json()
    assert data["title"] == "You can most likely manage this yourself"
    assert data["conditions"][0]["url"].startswith("/en/conditions/")
    nb = api(reading_client, VIGNETTES[14]["request"]).get_json()
    assert nb["title"] == "Du kan trolig ta hånd om dette selv"


def test_omitted_optional_answers_are_listed(reading_client):
    body = json.loads(json.dumps(VIGNETTES[14]["request"]))
    del body["answers"]["low_mood"]
    data = api(reading_client, body).get_json()
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
def test_bad_input_names_the_field(reading_client, change, field):
    body = {**VIGNETTES[14]["request"], **change}
    if "answers" in change:
        body["answers"] = {**VIGNETTES[14]["request"]["answers"], **change["answers"]}
    response = api(reading_client, body)
    assert response.status_code == 422
    data = response.get_json()
    assert field in data["fields"] and data["error"]


def test_unanswered_red_flag_is_an_error_not_a_no(reading_client):
    body = json.loads(json.dumps(VIGNETTES[14]["request"]))
    del body["answers"]["cancer_history"]
    response = api(reading_client, body)
    assert response.status_code == 422
    assert "answers.cancer_history" in response.get_json()["fields"]


def test_body_that_is_not_json_or_too_large(reading_client):
    response = reading_client.post("/api/v1/triage", data="age=4", content_type="text/plain")
    assert response.status_code == 415 and response.get_json()["fields"] == {"body": "not JSON"}
    response = reading_client.post(
        "/api/v1/triage", data="{not json", content_type="application/json"
    )
    assert response.status_code == 415
    big = json.dumps({**VIGNETTES[0]["request"], "pad": "x" * 70000})
    response = reading_client.post("/api/v1/triage", data=big, content_type="application/json")
    assert response.status_code == 413
    assert "error" in response.get_json()
    response = reading_client.get("/api/v1/triage")
    assert response.status_code == 405 and "error" in response.get_json()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)  # every example on the one reading_app
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
def test_fuzzed_bodies_never_give_a_server_error(reading_app, body):
    response = reading_app.test_client().post(
        "/api/v1/triage", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert response.get_json()["fields"]


def test_questions_and_openapi(reading_client):
    data = reading_client.get("/api/v1/triage/questions").get_json()
    assert [q["id"] for q in data["questions"]] == QUESTIONS
    assert len(data["regions"]) == 24
    applies = {q["id"]: q["applies"] for q in data["questions"]}
    assert applies["pregnant"] == {"age_between": [12, 55]}
    assert applies["pregnancy_warning"] == {"answer": {"pregnant": ["yes", "unsure"]}}
    assert "heel" in applies["diabetes"]["regions_any"] and applies["saddle_numbness"] is None
    assert applies["morning_stiffness"] == {
        "regions_any": sorted(["lower_back", "buttock", "mid_back", "flank"])}  # fmt: skip
    doc = reading_client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    schema = doc["components"]["schemas"]["Request"]
    assert schema["properties"]["pain_areas"]["items"]["enum"] == REGIONS
    assert set(schema["properties"]["answers"]["required"]) == {
        q.id for q in CHECKER.questions if q.required and not q.applies
    }
    urgency = doc["components"]["schemas"]["Result"]["properties"]["urgency"]["enum"]
    assert urgency == ["emergency", "today", "soon", None]


# --- the web flow -----------------------------------------------------------------------------


def hidden(html: str) -> list[tuple[str, str]]:
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)
    return [(n, v) for n, v in fields if n != "step"]


def post(client, lang, step, fields, **headers):
    path = {"nb": "/nb/symptomsjekk", "nn": "/nn/symptomsjekk"}.get(
        lang, f"/{lang}/symptom-checker"
    )
    return client.post(path, data=MultiDict([("step", step), *fields]), headers=headers)


STEP_RE = re.compile(r'data-step="([a-z]+)"')


def walk(client, body, lang="nb", duration="under-1w", taps=None, seen=None):
    """Answer every step of the web flow as `body` does; return the last response.

    `taps`, a list, gets what a person taps on each screen (each tick, answer, area, the age
    field, the duration and «Continue»), so paths can be measured.
    """
    taps = [] if taps is None else taps
    seen = [] if seen is None else seen
    answers = body["answers"]
    signs = [q for q in EMERGENCY if answers.get(q) == "yes"]
    ticked = signs + (["unsure"] if any(answers.get(q) == "unsure" for q in EMERGENCY) else [])
    response = post(client, lang, "emergency", [("sign", s) for s in ticked or ["none"]])
    taps.append(len(ticked or ["none"]) + 1)
    if "unsure" in ticked:
        html = response.get_data(as_text=True)
        fields = hidden(html) + [(f"q_{q}", answers.get(q, "no")) for q in EMERGENCY]
        response = post(client, lang, "emergency", fields)
        taps.append(len(EMERGENCY) + 1)
    for _ in range(12):
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        html = response.get_data(as_text=True)
        step = STEP_RE.search(html).group(1)
        if step == "result":
            return response
        fields = hidden(html)
        if step == "about":
            fields += [("age", str(body["age"])), ("duration", duration)]
            taps.append(3)
        elif step == "where":
            fields += [("area", a) for a in body["pain_areas"]]
            taps.append(len(body["pain_areas"]) + 1)
        else:
            detail = ("detail", "1") in fields
            shown = [v for v in re.findall(r'name="sign" value="([a-z_]+)"', html)
                     if v not in ("none", "unsure")]  # fmt: skip
            radios = list(dict.fromkeys(re.findall(r'type="radio" name="q_([a-z_]+)"', html)))
            seen += shown + radios
            chosen: list[str] = []
            if shown and not detail:
                yes = [q for q in shown if answers.get(q) == "yes"]
                unsure = any(answers.get(q) == "unsure" for q in shown)
                chosen = yes + ["unsure"] if unsure else yes or ["none"]
            fields += [("sign", v) for v in chosen]
            fields += [(f"q_{q}", answers.get(q, "no")) for q in radios]
            taps.append(len(chosen) + len(radios) + 1)
        response = post(client, lang, step, fields + [("nav", "next")])
    raise AssertionError("the flow did not end")


def outcome_of(html: str) -> str:
    return re.search(r'class="app-care-card app-care-card--([a-z]+)"', html).group(1)


CARD = {("urgent", "emergency"): "emergency", ("urgent", "today"): "urgent",
        ("urgent", "soon"): "urgent", ("clinic", None): "routine",
        ("selfcare", None): "selfcare"}  # fmt: skip


def applicable_only(body: dict) -> dict:
    """The request as the web flow sends it: answers only to the questions that apply. Dropping
    an answer can make a follow-up question stop applying (no pregnancy under 12, so no
    pregnancy warning signs either), so repeat until nothing more drops."""
    answers = dict(body["answers"])
    while True:
        ids = {q.id for q in CHECKER.applicable(body["age"], body["duration_weeks"],
                                                body["pain_areas"], answers)}  # fmt: skip
        kept = {q: v for q, v in answers.items() if q in ids}
        if kept == answers:
            return {**body, "answers": kept}
        answers = kept


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_every_vignette_through_the_web_flow(reading_client, case, lang):
    """The same answers give the same result in every language (issue #14: safety the same)."""
    request = case["request"]
    duration = min(DURATIONS, key=lambda k: abs(DURATIONS[k][0] - request["duration_weeks"]))
    response = walk(reading_client, request, lang=lang, duration=duration)
    html = response.get_data(as_text=True)
    assert 'data-step="result"' in html
    assert f'<html lang="{lang}"' in html
    assert response.headers["Cache-Control"] == "no-store"
    body = applicable_only({**request, "duration_weeks": DURATIONS[duration][0]})
    data = api(reading_client, {**body, "lang": lang}).get_json()
    assert outcome_of(html) == CARD[(data["outcome"], data["urgency"])]
    assert data["outcome"] in case["accept"]
    if case.get("urgency"):
        assert data["urgency"] == case["urgency"]


@settings(max_examples=60, deadline=None)  # every example on the one reading_app
@given(
    age=st.integers(0, 120),
    duration=st.sampled_from(sorted(DURATIONS)),
    areas=st.lists(st.sampled_from(REGIONS), min_size=1, max_size=5, unique=True),
    changed=st.dictionaries(
        st.sampled_from(QUESTIONS), st.sampled_from(["yes", "no", "unsure"]), max_size=4
    ),
)
def test_web_flow_and_api_agree(reading_app, age, duration, areas, changed):
    client = reading_app.test_client()
    body = {"age": age, "duration_weeks": DURATIONS[duration][0], "pain_areas": areas,
            "answers": {q: "no" for q in QUESTIONS} | changed}  # fmt: skip
    html = unescape(walk(client, body, duration=duration).get_data(as_text=True))
    html = html.replace("\u00a0", " ")  # a phone number's no-break spaces (i18n.whole_numbers)
    data = api(client, applicable_only(body)).get_json()
    assert outcome_of(html) == CARD[(data["outcome"], data["urgency"])]
    shown = [r["text"] for r in data["reasons"] if r["text"] in html]
    if data["urgency"] == "emergency":
        assert shown  # the flow stopped at the emergency screen: its reasons are among the API's
    else:
        assert shown == [r["text"] for r in data["reasons"]]


def test_emergency_sign_stops_the_flow_at_once(reading_client):
    response = post(reading_client, "nb", "emergency", [("sign", "bladder_bowel_change")])
    html = response.get_data(as_text=True)
    assert "Ring 113 nå" in html
    assert 'href="tel:113"' in html and 'href="tel:116117"' in html
    assert "Cauda equina" in html  # the emergency explainer is offered


def test_emergency_unsure_is_never_a_no(reading_client):
    response = post(reading_client, "en", "emergency", [("sign", "unsure")])
    html = response.get_data(as_text=True)
    assert 'name="q_chest_or_breathing"' in html and ("detail", "1") in hidden(html)
    fields = [(f"q_{q}", "no") for q in EMERGENCY if q != "chest_or_breathing"]
    response = post(reading_client, "en", "emergency",
                    hidden(html) + fields + [("q_chest_or_breathing", "unsure")])  # fmt: skip
    html = unescape(response.get_data(as_text=True))
    assert outcome_of(html) == "emergency" and "Call the out-of-hours service now" in html
    assert "nerves" not in html.split("app-care-card__content")[1].split("</div>")[0]


@pytest.mark.parametrize(
    ("signs", "message"),
    [
        ([], "Kryss av for det du har"),
        (["none", "saddle_numbness"], "Du valgte «Nei, ingen av disse»"),
    ],
)
def test_emergency_screen_needs_an_explicit_answer(reading_client, signs, message):
    response = post(reading_client, "nb", "emergency", [("sign", s) for s in signs])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'role="alert"' in html and 'href="#sign-first"' in html


BASE = [(f"q_{q}", "no") for q in EMERGENCY]


def test_unanswered_red_flag_list_in_the_web_flow_asks_again(reading_client):
    fields = BASE + [("age", "40"), ("duration", "1-2w"), ("area", "lower_back")]
    response = post(reading_client, "nb", "flags", fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#sign-first"' in html and "Kryss av for det som passer" in html


def test_the_last_step_with_answers_missing_shows_the_step_again(reading_client):
    """A skipped or tampered step never gives a 500 (v1 gave 500 every time) and never a no."""
    fields = BASE + [("age", "40"), ("duration", "1-2w"), ("area", "lower_back")]
    response = post(reading_client, "nb", "more", fields + [("sign", "none")])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-step="flags"' in html and 'role="alert"' in html
    # the list is shown question by question, so each error links to its own question
    assert 'href="#q_fever_or_unwell-first"' in html and 'id="q_fever_or_unwell-first"' in html
    response = post(reading_client, "nb", "more", [("sign", "none")])
    assert response.status_code == 422 and 'data-step="about"' in response.get_data(as_text=True)


def test_a_missing_answer_is_named_in_the_error_summary(reading_client):
    fields = BASE + [("age", "40"), ("duration", "1-2w"), ("area", "lower_back"),
                     ("detail", "1"), ("q_fever_or_unwell", "no")]  # fmt: skip
    response = post(reading_client, "en", "flags", fields)
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert 'href="#q_weight_loss-first"' in html
    assert "Answer the question «Have you lost weight without trying?»" in html
    links = re.findall(r'<li><a href="#[^"]+">([^<]+)</a></li>', html)
    assert len(links) == len(set(links)) > 3  # each link names its own question


@pytest.mark.parametrize("typed", ["68", "68 år", " 68 ", "68,", "68 years"])
def test_age_as_people_type_it(reading_client, typed):
    fields = BASE + [("age", typed), ("duration", "1-2w")]
    response = post(reading_client, "nb", "about", fields)
    assert response.status_code == 200
    assert ("age", "68") in hidden(response.get_data(as_text=True))


@pytest.mark.parametrize("typed", ["sek", "200", "-4", "6 8"])
def test_an_age_that_is_not_one_gets_the_field_error_on_the_same_step(reading_client, typed):
    response = post(reading_client, "nb", "about", BASE + [("age", typed), ("duration", "1-2w")])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (
        'data-step="about"' in html and "Skriv alderen din" in html and 'href="#age-first"' in html
    )


def test_head_on_the_checker_is_200(reading_client):
    assert reading_client.head("/nb/symptomsjekk").status_code == 200


def test_a_heel_is_never_asked_about_the_back(reading_client):
    body = {"age": 42, "duration_weeks": 4, "pain_areas": ["heel"],
            "answers": {"first_step_heel_pain": "yes"}}  # fmt: skip
    seen = []
    taps: list[int] = []
    response = walk(reading_client, body, duration="2-6w", taps=taps, seen=seen)
    html = response.get_data(as_text=True)
    assert outcome_of(html) == "selfcare" and "/nb/programmer/" in html
    for back_only in ("morning_stiffness", "spinal_deformity", "cough_sneeze_pain",
                      "walking_leg_pain", "flank_urine"):  # fmt: skip
        assert back_only not in seen


def test_back_keeps_the_answers(reading_client):
    fields = [(f"q_{q}", "no") for q in EMERGENCY] + [
        ("age", "61"),
        ("duration", "2-6w"),
        ("area", "calf"),
    ]
    response = post(reading_client, "nb", "where", fields + [("nav", "back")])
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
def test_tampered_form_is_a_clear_400(reading_client, fields):
    response = post(reading_client, "nb", "flags", fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Traceback" not in html and 'data-step="emergency"' in html
    assert "startet på nytt" in html


def test_unknown_step_is_a_400(reading_client):
    assert post(reading_client, "nb", "nowhere", []).status_code == 400


def test_answers_never_travel_in_urls(reading_client):
    html = reading_client.get("/nb/symptomsjekk").get_data(as_text=True)
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


def test_htmx_gets_the_step_fragment(reading_client):
    response = post(
        reading_client,
        "nb",
        "emergency",
        [("sign", "none")],
        **{"HX-Request": "true", "HX-Target": "checker"},
    )
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<form id="checker"') and "<html" not in html
    assert "HX-Target" in response.headers["Vary"]


def test_transparency_page_lists_every_rule_with_its_source(reading_client):
    html = reading_client.get("/nb/slik-vurderer-vi").get_data(as_text=True)
    for rule in CHECKER.rules:
        assert f'id="rule-{rule.id}"' in html
    assert html.count("Kilde:") >= len(CHECKER.rules)


def test_every_step_has_one_h1_and_no_inline_script(reading_client):
    response = walk(reading_client, VIGNETTES[9]["request"])  # a clinic result
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "Oppsummering til timen" in html and "Dette er veiledning, ikke en diagnose." in html


def test_levels_are_ordered():
    assert (
        level("urgent", "emergency")
        > level("urgent", "today")
        > level("urgent", "soon")
        > level("clinic", None)
        > level("selfcare", None)
    )


def test_checker_texts_are_plain_norwegian():
    """Questions, signs and reasons a patient reads stay within the readability budget."""
    from webapp.core.textstats import lix, load_seed_hashes, shared_runs

    texts = [q.text["nb"] for q in CHECKER.questions] + [q.help["nb"] for q in CHECKER.questions]
    texts += [q.sign["nb"] for q in CHECKER.questions if q.sign["nb"]]
    texts += [r.reason["nb"] for r in CHECKER.rules]
    assert lix("\n".join(t for t in texts if t)) <= 38
    assert shared_runs("\n".join(texts), load_seed_hashes()) == []


def test_rules_carry_review_dates(reading_client):
    assert CHECKER.reviewed < CHECKER.next_review
    html = reading_client.get("/en/how-we-assess").get_data(as_text=True)
    assert f'datetime="{CHECKER.next_review.isoformat()}"' in html


def test_first_step_says_who_it_is_for(reading_client):
    html = reading_client.get("/nb/symptomsjekk").get_data(as_text=True)
    assert "For voksne (16 år og eldre)" in html


@pytest.mark.parametrize(
    "path", ["/nb/symptomsjekk", "/en/how-we-assess", "/api/v1/triage/questions"]
)
def test_checker_pages_set_no_cookie(reading_client, path):
    assert "Set-Cookie" not in reading_client.get(path).headers
    response = api(reading_client, VIGNETTES[0]["request"])
    assert "Set-Cookie" not in response.headers


def test_a_nerve_root_pattern_is_explained_with_the_figure(reading_client):
    html = walk(reading_client, VIGNETTES[9]["request"]).get_data(as_text=True)  # L5 pattern
    assert "Hva mønsteret kan bety" in html
    assert "L5: utsiden av leggen, oversiden av foten, stortåen" in html
    assert 'href="/nb/tilstander/vondt-i-foten-og-ryggen#figure"' in html


def test_an_unexpected_api_error_is_a_500_without_details(app, client, monkeypatch, caplog):
    def broken(inp):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.extensions["checker"], "evaluate", broken)
    response = api(client, VIGNETTES[0]["request"])
    assert response.status_code == 500
    assert "secret" not in response.get_data(as_text=True)
    assert response.get_json()["error"]
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "secret internals" in caplog.text
