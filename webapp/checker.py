"""The symptom checker's web flow: one step per screen, answers carried in the form.

Nothing is stored on the server and no session is used: every step posts all earlier answers
back as hidden fields, and the answers travel in POST bodies, never in URLs. Without JavaScript
each step is a plain form; with htmx the step is swapped in place. The same engine answers the
web flow and the JSON API (webapp/api.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l

from . import sitemap
from .caching import cache_pages
from .db import Counts, database_path, register_schema
from .i18n import LANGUAGES, localized_route
from .triage import Checker, Result, load_checker

bp = Blueprint("checker", __name__)

ANSWERS = ("yes", "no", "unsure")

# How long the pain has lasted: the choice a patient taps, and the weeks the engine gets.
DURATIONS: dict[str, tuple[float, object]] = {
    "under-1w": (0.5, _l("Less than a week")),
    "1-2w": (1.5, _l("1 to 2 weeks")),
    "2-6w": (4.0, _l("2 to 6 weeks")),
    "6-12w": (9.0, _l("6 to 12 weeks")),
    "over-3m": (16.0, _l("3 months or more")),
}


# The title and advice of each result, the same for the web flow and the API.
OUTCOME_TEXT: dict[tuple[str, str | None], tuple[object, object]] = {
    ("urgent", "emergency"): (
        _l("Call 113 now, or the out-of-hours service"),
        _l(
            "What you describe can mean that the nerves low in your back are badly squeezed. "
            "A doctor must see you now. Call 113, or the out-of-hours service (legevakt) on "
            "116 117."
        ),
    ),
    ("urgent", "soon"): (
        _l("Contact a doctor today or tomorrow"),
        _l(
            "Something you told us should be checked by a doctor soon, to rule out a serious "
            "cause. Call your GP (fastlege). If you cannot reach them, call the out-of-hours "
            "service (legevakt) on 116 117."
        ),
    ),
    ("clinic", None): (
        _l("Book an appointment to be examined"),
        _l(
            "Your answers fit a problem that should be examined, for example a nerve that is "
            "pinched or irritated. It is not urgent. Book an appointment at the clinic or with "
            "your GP."
        ),
    ),
    ("selfcare", None): (
        _l("You can most likely manage this yourself"),
        _l(
            "Your answers fit ordinary back pain, which usually gets better by itself. Stay as "
            "active as you can. The exercise programme shows you how."
        ),
    ),
}
PATTERN_LABELS = {
    "L4": _l("L4 nerve root pattern"),
    "L5": _l("L5 nerve root pattern"),
    "S1": _l("S1 nerve root pattern"),
    "stenosis": _l("leg pain when walking (narrow spinal canal)"),
    "morton": _l("between the toes (Morton's neuroma)"),
    "tarsal_tunnel": _l("inside of the ankle and the sole (tarsal tunnel)"),
    "peroneal": _l("outside of the shin and top of the foot (peroneal nerve)"),
    "sural": _l("outer ankle and outer edge of the foot (sural nerve)"),
    "non_specific": _l("back pain that stays above the knee"),
}
# Where each nerve root is felt: the same words as the legend of the figure on the hub page.
ROOT_AREAS = {
    "L4": _l("L4: front of the thigh, inside of the shin, inner edge of the foot"),
    "L5": _l("L5: outside of the shin, top of the foot, big toe"),
    "S1": _l("S1: calf, sole, outer edge of the foot, little toe"),
}
ANSWER_LABELS = {"yes": _l("Yes"), "no": _l("No"), "unsure": _l("I don't know")}


@dataclass(frozen=True)
class Step:
    id: str
    title: object
    questions: tuple[str, ...] = ()


# The order of the flow. Emergency signs first, then age and duration, then the body map, then
# the red flags (always asked) and the other questions. Every question of the data must be in
# exactly one step; init_app checks it, so a new question cannot be left out silently.
STEPS: tuple[Step, ...] = (
    Step("emergency", _l("Do you have any of these?")),
    Step("about", _l("About you and the pain")),
    Step("where", _l("Where do you feel pain, numbness or tingling?")),
    Step(
        "pain",
        _l("About the pain"),
        ("first_episode_or_different", "constant_pain", "morning_stiffness", "spinal_deformity"),
    ),
    Step(
        "health",
        _l("About your health"),
        ("fever_or_unwell", "weight_loss", "cancer_history", "steroids_or_immunosuppressants"),
    ),
    Step(
        "injury",
        _l("Injuries, medicines and nerves"),
        ("significant_trauma", "drug_injection", "widespread_neuro"),
    ),
    Step(
        "legs",
        _l("About your legs and feet"),
        ("numbness_tingling", "leg_weakness", "cough_sneeze_pain", "walking_leg_pain", "both_legs"),
    ),
    Step(
        "everyday",
        _l("How you are getting on"),
        ("getting_better", "fear_of_movement", "low_mood", "off_work"),
    ),
)
STEP_IDS = tuple(s.id for s in STEPS)


class BadForm(Exception):
    """The carried answers were tampered with or are broken: a 400, never a guess."""


@dataclass
class Flow:
    """Everything answered so far, as carried in the form."""

    answers: dict[str, str] = field(default_factory=dict)
    age: int | None = None
    duration: str | None = None
    areas: list[str] = field(default_factory=list)

    def hidden_fields(self, step: Step | None = None) -> list[tuple[str, str]]:
        """Hidden inputs that carry every answer, except those the current step shows."""
        step_id = step.id if step else None
        shown = set(step.questions) if step else set()
        if step_id == "emergency":
            shown |= set(emergency_ids())
        fields = [(f"q_{q}", v) for q, v in self.answers.items() if q not in shown]
        if step_id != "about":
            if self.age is not None:
                fields.append(("age", str(self.age)))
            if self.duration:
                fields.append(("duration", self.duration))
        if step_id != "where":
            fields += [("area", a) for a in self.areas]
        return fields

    def emergency_choice(self) -> set[str]:
        """What was ticked on the emergency screen: signs, «none» or «not sure»."""
        answers = [self.answers.get(q) for q in emergency_ids()]
        if None in answers:
            return set()
        ticked = {q for q in emergency_ids() if self.answers[q] == "yes"}
        if "unsure" in answers:
            ticked.add("unsure")
        return ticked or {"none"}

    def payload(self, lang: str) -> dict:
        """The API request for these answers: the web flow and the API share one engine."""
        return {
            "age": self.age,
            "duration_weeks": DURATIONS[self.duration][0] if self.duration else None,
            "pain_areas": list(self.areas),
            "answers": dict(self.answers),
            "lang": lang,
        }


def checker() -> Checker:
    return current_app.extensions["checker"]


def emergency_ids() -> list[str]:
    return [q.id for q in checker().questions if q.group == "emergency"]


def read_flow(form) -> Flow:  # type: ignore[no-untyped-def]
    """Read the carried answers; anything that is not ours is a bad request."""
    known = checker().questions_by_id
    flow = Flow()
    for name in form:
        if name.startswith("q_"):
            qid, value = name[2:], form[name]
            if qid not in known or value not in ANSWERS:
                raise BadForm(name)
            flow.answers[qid] = value
    if form.get("age"):
        try:
            flow.age = int(form["age"])
        except ValueError:
            raise BadForm("age") from None
        if not 0 <= flow.age <= 120:
            raise BadForm("age")
    if form.get("duration"):
        if form["duration"] not in DURATIONS:
            raise BadForm("duration")
        flow.duration = form["duration"]
    areas = form.getlist("area")
    if len(set(areas)) != len(areas) or not set(areas) <= set(checker().regions_by_id):
        raise BadForm("area")
    flow.areas = areas
    return flow


def read_step(step: Step, form, flow: Flow) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Take this step's own inputs into the flow; return errors by field id."""
    errors: dict[str, str] = {}
    if step.id == "emergency":
        chosen = form.getlist("sign")
        signs = emergency_ids()
        if not chosen:
            errors["sign"] = str(_l("Choose the signs you have, or «No, none of these»."))
        elif not set(chosen) <= {*signs, "none", "unsure"}:
            raise BadForm("sign")
        elif "none" in chosen and len(chosen) > 1:
            errors["sign"] = str(
                _l("You chose «No, none of these» and something else. Choose again.")
            )
        else:
            rest = "unsure" if "unsure" in chosen else "no"
            for qid in signs:
                flow.answers[qid] = "yes" if qid in chosen else rest
    elif step.id == "about":
        flow.age, flow.duration = None, None
        raw_age = form.get("age", "").strip()
        if not raw_age.isdigit() or not 0 <= int(raw_age) <= 120:
            errors["age"] = str(_l("Write your age in whole years, for example 45."))
        else:
            flow.age = int(raw_age)
        if form.get("duration") in DURATIONS:
            flow.duration = form["duration"]
        elif form.get("duration"):
            raise BadForm("duration")
        else:
            errors["duration"] = str(_l("Choose how long you have had the pain."))
    elif step.id == "where":
        areas = form.getlist("area")
        if not set(areas) <= set(checker().regions_by_id):
            raise BadForm("area")
        flow.areas = list(dict.fromkeys(areas))
        if not flow.areas:
            errors["area"] = str(_l("Choose at least one place where it hurts or feels numb."))
    else:
        for qid in step.questions:
            value = form.get(f"q_{qid}")
            flow.answers.pop(qid, None)
            if value in ANSWERS:
                flow.answers[qid] = value
            elif value:
                raise BadForm(qid)
            elif checker().questions_by_id[qid].required:
                errors[f"q_{qid}"] = str(_l("Answer this question: yes, no or «I don't know»."))
    return errors


@localized_route(
    bp, {"nb": "/nb/symptomsjekk", "en": "/en/symptom-checker"}, methods=["GET", "POST"]
)
def flow(lang: str) -> Response:
    """GET starts afresh; POST takes one step forward or back with all answers in the form."""
    if request.method == "GET":
        return render_step(STEPS[0], Flow(), {}, lang)
    try:
        current = STEPS[STEP_IDS.index(request.form.get("step", ""))]
        state = read_flow(request.form)
        going_back = request.form.get("nav") == "back"
        errors = {} if going_back else read_step(current, request.form, state)
    except (ValueError, BadForm):
        abort(400)
    index = STEP_IDS.index(current.id)
    if going_back:
        return render_step(STEPS[max(index - 1, 0)], state, {}, lang)
    if errors:
        return render_step(current, state, errors, lang, status=422)
    if current.id == "emergency":
        stop = checker().emergency_stop(state.answers)
        if stop is not None:
            return render_result(stop, state, lang, stopped=True)
    if index + 1 < len(STEPS):
        return render_step(STEPS[index + 1], state, {}, lang)
    inp = checker().parse(state.payload(lang))
    return render_result(checker().evaluate(inp), state, lang)


def _respond(template: str, status: int = 200, **context) -> Response:
    fragment = request.headers.get("HX-Target") == "checker"
    name = f"checker/_{template}.html" if fragment else f"checker/{template}.html"
    response = make_response(render_template(name, **context), status)
    response.vary.add("HX-Target")
    # The page holds the patient's answers: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


def render_step(step: Step, state: Flow, errors: dict[str, str], lang: str, status: int = 200):
    return _respond(
        "step",
        status,
        step=step,
        number=STEP_IDS.index(step.id) + 1,
        total=len(STEPS),
        flow=state,
        hidden=state.hidden_fields(step),
        errors=errors,
        questions=[checker().questions_by_id[q] for q in step.questions],
        emergency=[checker().questions_by_id[q] for q in emergency_ids()],
        regions=checker().regions,
        durations=DURATIONS,
        answer_labels=ANSWER_LABELS,
    )


def summary_context(state: Flow, lang: str) -> dict:
    """What checker/_summary.html shows: the answers given so far, in words."""
    return {
        "flow": state,
        "answered": [q for q in checker().questions if q.id in state.answers],
        "area_labels": [checker().regions_by_id[a].label[lang] for a in state.areas],
        "duration_label": DURATIONS[state.duration][1] if state.duration else None,
        "answer_labels": ANSWER_LABELS,
    }


def render_result(result: Result, state: Flow, lang: str, stopped: bool = False) -> Response:
    count_outcome(result.outcome)
    library = current_app.extensions["library"]
    return _respond(
        "result",
        **summary_context(state, lang),
        result=result,
        stopped=stopped,
        conditions=[library.get(lang, key) for key in result.conditions],
        pattern_labels=[PATTERN_LABELS[p] for p in result.patterns],
        root_areas=[ROOT_AREAS[p] for p in result.patterns if p in ROOT_AREAS],
        hub=library.get(lang, "foot-and-back"),
        not_answered=[checker().questions_by_id[q].text[lang] for q in result.not_answered],
        title=OUTCOME_TEXT[(result.outcome, result.urgency)][0],
        advice=OUTCOME_TEXT[(result.outcome, result.urgency)][1],
        today=dt.date.today(),
    )


@localized_route(bp, {"nb": "/nb/slik-vurderer-vi", "en": "/en/how-we-assess"})
def rules(lang: str) -> str:
    """Every rule in plain words with its source: generated from the data, never out of date."""
    return render_template("checker/rules.html", checker=checker(), steps=STEPS)


# --- anonymous outcome counts (outcome and date only) ----------------------------------------


@register_schema
def _outcome_table(db) -> None:  # type: ignore[no-untyped-def]
    db["outcome_counts"].create(
        {"day": str, "outcome": str, "count": int}, pk=("day", "outcome"), if_not_exists=True
    )


class OutcomeCounts(Counts):
    def add_outcome(self, outcome: str) -> None:
        """Add one to today's count for this outcome. Nothing else about the check is kept."""
        self.add(dt.date.today().isoformat(), outcome)


def count_outcome(outcome: str) -> None:
    current_app.extensions["outcome_counts"].add_outcome(outcome)


def _sitemap_pages() -> list[dict[str, str]]:
    return [
        {lang: url_for(endpoint, lang=lang) for lang in LANGUAGES}
        for endpoint in ("checker.flow", "checker.rules")
    ]


def init_app(app: Flask) -> None:
    app.extensions["outcome_counts"] = OutcomeCounts(
        database_path(app),
        "INSERT INTO outcome_counts (day, outcome, count) VALUES (?, ?, ?) "
        "ON CONFLICT (day, outcome) DO UPDATE SET count = count + excluded.count",
        float(app.config["COUNT_FLUSH_SECONDS"]),
    )
    folder = Path(app.config["CONTENT_DIR"]) / "triage"
    app.extensions["checker"] = loaded = load_checker(folder)
    placed = [q for step in STEPS for q in step.questions]
    emergency = [q.id for q in loaded.questions if q.group == "emergency"]
    expected = sorted(q.id for q in loaded.questions if q.id not in emergency)
    if sorted(placed) != expected:
        raise RuntimeError(f"webapp/checker.py STEPS must place every question once: {expected}")
    unknown = set(loaded.vocabulary.patterns) - set(PATTERN_LABELS)
    if unknown:
        raise RuntimeError(f"webapp/checker.py PATTERN_LABELS lacks {sorted(unknown)}")
    library = app.extensions["library"]
    for key in loaded.vocabulary.conditions:
        library.get("nb", key)  # every page a rule can suggest exists (KeyError otherwise)
    missing = set(loaded.vocabulary.programs) - set(app.extensions["catalogue"].programs)
    if missing:
        raise RuntimeError(
            f"{folder / 'rules.toml'}: vocabulary.programs: no programme {sorted(missing)}"
        )
    app.register_blueprint(bp)
    sitemap.register(app, _sitemap_pages)
    cache_pages(app, {"checker.rules"})
