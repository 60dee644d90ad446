"""The symptom checker's web flow: one step per screen, answers carried in the form.

Nothing is stored on the server and no session is used: every step posts all earlier answers
back as hidden fields, and the answers travel in POST bodies, never in URLs. Without JavaScript
each step is a plain form; with htmx the step is swapped in place. The same engine answers the
web flow and the JSON API (webapp/api.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from sqlite_utils import Database
from werkzeug.datastructures import MultiDict

from . import sitemap
from .caching import cache_pages
from .core.triage import (
    LEVELS,
    Advice,
    Checker,
    InputError,
    Question,
    Result,
    TriageInput,
    load_checker,
)
from .core.triage.model import AnswerValue
from .db import Counts, register_schema
from .i18n import enabled_languages, localized_route

bp = Blueprint("checker", __name__)

ANSWERS: tuple[AnswerValue, ...] = ("yes", "no", "unsure")

# How long the pain has lasted: the choice a patient taps, and the weeks the engine gets.
DURATIONS: dict[str, tuple[float, object]] = {
    "under-1w": (0.5, _l("Less than a week")),
    "1-2w": (1.5, _l("1 to 2 weeks")),
    "2-6w": (4.0, _l("2 to 6 weeks")),
    "6-12w": (9.0, _l("6 to 12 weeks")),
    "over-3m": (16.0, _l("3 months or more")),
}


# The title and general advice of each result level, the same for the web flow and the API.
# A rule's own advice (rules.toml [[advice]]) replaces them where the finding calls for it.
OUTCOME_TEXT: dict[tuple[str, str | None], tuple[object, object]] = {
    ("urgent", "emergency"): (
        _l("Call 113 now, or the out-of-hours service"),
        _l(
            "What you describe must be checked by a doctor now. Call 113, or the out-of-hours "
            "service (legevakt) on 116 117."
        ),
    ),
    ("urgent", "today"): (
        _l("Be seen by a doctor today"),
        _l(
            "Something you told us should be checked by a doctor today, within hours. Call your "
            "GP (fastlege) now and ask to be seen today. If they cannot see you today, call the "
            "out-of-hours service (legevakt) on 116 117."
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
            "Your answers fit a problem that should be examined, so that you get the right "
            "treatment. Book an appointment at the clinic or with your GP."
        ),
    ),
    ("selfcare", None): (
        _l("You can most likely manage this yourself"),
        _l(
            "Your answers fit a common problem that usually gets better with time and the right "
            "exercises. The exercise programme shows you how. If it gets worse, for example with "
            "a fever, pain you cannot get under control, or new numbness or weakness, call your "
            "GP (fastlege) or the out-of-hours service (legevakt) on 116 117 the same day."
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


def finding_text(
    result: Result, lang: str, advice: Mapping[str, Advice], default: tuple[str, str]
) -> tuple[str, str]:
    """The result's title and advice: the finding's own advice where a rule names one, else
    `default` (the level's words from OUTCOME_TEXT). The web flow and the API both use this."""
    own = advice.get(result.advice or "")
    if own is None:
        return default
    return own.title[lang] or default[0], own.text[lang]


@dataclass(frozen=True)
class Step:
    """One screen. `kind` says how its questions are shown:

    - "signs": the emergency checklist (tick the signs, «none» or «not sure»);
    - "about", "where": age and duration; the body map;
    - "checklist": the questions that apply as one list to tick, with «None of these» and «I
      am not sure about some», which shows each of them with yes / no / «I don't know» (the
      step's detail view);
    - "questions": each question with yes / no / «I don't know».
    `radios` are asked with yes / no / «I don't know» under a checklist.
    """

    id: str
    title: object
    kind: str
    questions: tuple[str, ...] = ()
    radios: tuple[str, ...] = ()

    @property
    def asks(self) -> tuple[str, ...]:
        return self.questions + self.radios


# The order of the flow. Emergency signs first; then age, duration and the body map, which
# decide which questions apply; then the red flags and who the checker is for, as one list; the
# pregnancy warning signs where they apply; then what shapes clinic or self-care. Every
# question of the data must be in exactly one step; init_app checks it.
STEPS: tuple[Step, ...] = (
    Step("emergency", _l("Do you have any of these?"), "signs"),
    Step("about", _l("About you and the pain"), "about"),
    Step("where", _l("Where do you feel pain, numbness or tingling?"), "where"),
    Step(
        "flags",
        _l("Does any of this fit you?"),
        "checklist",
        (
            "fever_or_unwell",
            "swollen_calf",
            "hot_red_swollen",
            "injury_cannot_bear_weight",
            "heel_snap",
            "foot_sore_or_colour",
            "flank_urine",
            "significant_trauma",
            "constant_pain",
            "widespread_neuro",
            "first_episode_or_different",
            "weight_loss",
            "cancer_history",
            "steroids_or_immunosuppressants",
            "drug_injection",
            "spinal_deformity",
            "morning_stiffness",
            "diabetes",
            "pregnant",
        ),
    ),
    Step("pregnancy", _l("About the pregnancy"), "questions", ("pregnancy_warning",)),
    Step(
        "more",
        _l("About the pain and how you are getting on"),
        "checklist",
        (
            "first_step_heel_pain",
            "numbness_tingling",
            "numb_both_feet",
            "leg_weakness",
            "cough_sneeze_pain",
            "walking_leg_pain",
            "calf_pain_eases_standing",
            "both_legs",
            "fear_of_movement",
            "low_mood",
            "off_work",
        ),
        ("getting_better",),
    ),
)
STEP_IDS = tuple(s.id for s in STEPS)
STEP_BY_ID = {s.id: s for s in STEPS}
# After these steps the result may already be an emergency: then it is shown at once.
STOP_AFTER = frozenset({"emergency", "flags", "pregnancy"})

AGE_RE = re.compile(r"^(\d{1,3})\s*(?:år|ar|years?|yrs?|y)?\.?\s*[,.]?$", re.IGNORECASE)


def parse_age(raw: str) -> int | None:
    """Age as people type it: «68», « 68 », «68,», «68 år», «68 years»; None if it is not one."""
    match = AGE_RE.match(raw.strip())
    if match is None:
        return None
    age = int(match.group(1))
    return age if 0 <= age <= 120 else None


class BadForm(Exception):
    """The carried answers were tampered with or are broken: never a guess."""


@dataclass
class Flow:
    """Everything answered so far, as carried in the form."""

    answers: dict[str, AnswerValue] = field(default_factory=dict)
    age: int | None = None
    duration: str | None = None
    areas: list[str] = field(default_factory=list)
    raw_age: str | None = None  # what was typed, shown again with the error when it was no age

    def hidden_fields(self, step: Step | None = None) -> list[tuple[str, str]]:
        """Hidden inputs that carry every answer, except those the current step shows."""
        step_id = step.id if step else None
        shown = set(step.asks) if step else set()
        if step is not None and step.kind == "signs":
            shown |= set(emergency_ids())
        fields: list[tuple[str, str]] = [
            (f"q_{q}", v) for q, v in self.answers.items() if q not in shown
        ]
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

    def checklist_choice(self, step: Step) -> set[str]:
        """What was ticked on a checklist step: question ids, or «none» when all were no."""
        shown = [q.id for q in applying(step, self)]
        if not shown or any(q not in self.answers for q in shown):
            return set()
        ticked = {q for q in shown if self.answers[q] == "yes"}
        return ticked or {"none"}

    @property
    def weeks(self) -> float | None:
        return DURATIONS[self.duration][0] if self.duration else None

    def payload(self, lang: str) -> dict:
        """The API request for these answers: the web flow and the API share one engine.

        Only answers to questions that apply to this person now are sent: an answer given
        before the person went back and changed their age or areas no longer counts.
        """
        applicable = self.applicable_ids()
        return {
            "age": self.age,
            "duration_weeks": self.weeks,
            "pain_areas": list(self.areas),
            "answers": {q: v for q, v in self.answers.items() if q in applicable},
            "lang": lang,
        }

    def applicable_ids(self) -> set[str]:
        if self.age is None or self.duration is None or not self.areas:
            return set(emergency_ids())
        return {
            q.id
            for q in checker().applicable(self.age, self.weeks or 0.0, self.areas, self.answers)
        }


def checker() -> Checker:
    return current_app.extensions["checker"]


def emergency_ids() -> list[str]:
    return [q.id for q in checker().questions if q.group == "emergency"]


def applying(step: Step, flow: Flow, ids: tuple[str, ...] | None = None) -> list[Question]:
    """The questions of a step that apply to this person, in the step's order."""
    applicable = flow.applicable_ids()
    return [checker().questions_by_id[q] for q in (ids or step.questions) if q in applicable]


def step_applies(step: Step, flow: Flow) -> bool:
    if step.kind in ("signs", "about", "where"):
        return True
    return bool(applying(step, flow, step.asks))


def steps_for(flow: Flow) -> list[Step]:
    """The steps this person meets, as far as their answers so far tell."""
    return [s for s in STEPS if step_applies(s, flow)]


def read_flow(form: MultiDict[str, str], skip: Step | None = None) -> Flow:
    """Read the carried answers; anything that is not ours is a bad request.

    The fields of `skip` (the step being posted) are read by read_step, with friendly errors.
    """
    known = checker().questions_by_id
    own = set(skip.asks) if skip else set()
    flow = Flow()
    for name in form:
        if name.startswith("q_"):
            qid, value = name[2:], form[name]
            if qid not in known or value not in ANSWERS:
                raise BadForm(name)
            if qid not in own:
                flow.answers[qid] = value
    if skip is None or skip.id != "about":
        if form.get("age"):
            age = parse_age(form["age"])
            if age is None:
                raise BadForm("age")
            flow.age = age
        if form.get("duration"):
            if form["duration"] not in DURATIONS:
                raise BadForm("duration")
            flow.duration = form["duration"]
    if skip is None or skip.id != "where":
        areas = form.getlist("area")
        if len(set(areas)) != len(areas) or not set(areas) <= set(checker().regions_by_id):
            raise BadForm("area")
        flow.areas = areas
    return flow


def answer_error(q: Question, lang: str) -> str:
    return str(_l("Answer the question «%(question)s»", question=q.text[lang]))


def read_step(
    step: Step, form: MultiDict[str, str], flow: Flow, lang: str
) -> tuple[dict[str, str], bool]:
    """Take this step's own inputs into the flow.

    Returns the errors by field id, and whether the step must be shown again in its detail view
    («I am not sure about some of these» on a checklist).
    """
    errors: dict[str, str] = {}
    if step.kind == "signs" and form.get("detail") == "1":
        errors.update(_read_radios(tuple(emergency_ids()), form, flow, lang))
    elif step.kind == "signs":
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
        elif "unsure" in chosen:
            for qid in signs:
                flow.answers.pop(qid, None)
                if qid in chosen:
                    flow.answers[qid] = "yes"
            return errors, True
        else:
            for qid in signs:
                flow.answers[qid] = "yes" if qid in chosen else "no"
    elif step.kind == "about":
        flow.age, flow.duration = None, None
        raw_age = form.get("age", "")
        flow.age = parse_age(raw_age)
        if flow.age is None:
            errors["age"] = str(_l("Write your age in whole years, for example 45."))
            flow.raw_age = raw_age[:20]
        if form.get("duration") in DURATIONS:
            flow.duration = form["duration"]
        elif form.get("duration"):
            raise BadForm("duration")
        else:
            errors["duration"] = str(_l("Choose how long you have had the pain."))
    elif step.kind == "where":
        areas = form.getlist("area")
        if not set(areas) <= set(checker().regions_by_id):
            raise BadForm("area")
        flow.areas = list(dict.fromkeys(areas))
        if not flow.areas:
            errors["area"] = str(_l("Choose at least one place where it hurts or feels numb."))
    elif step.kind == "checklist" and form.get("detail") != "1":
        shown = applying(step, flow)
        chosen = form.getlist("sign")
        allowed = {q.id for q in shown} | {"none", "unsure"}
        for qid in step.questions:
            flow.answers.pop(qid, None)
        if not set(chosen) <= allowed:
            raise BadForm("sign")
        if shown and not chosen:
            errors["sign"] = str(_l("Tick what fits you, or «None of these»."))
        elif "none" in chosen and len(chosen) > 1:
            errors["sign"] = str(_l("You chose «None of these» and something else. Choose again."))
        elif "unsure" in chosen:
            for q in shown:
                if q.id in chosen:
                    flow.answers[q.id] = "yes"
            errors.update(_read_radios(step.radios, form, flow, lang))
            return errors, True
        else:
            for q in shown:
                flow.answers[q.id] = "yes" if q.id in chosen else "no"
        errors.update(_read_radios(step.radios, form, flow, lang))
    else:  # a "questions" step, or a checklist's detail view
        ids = step.asks
        errors.update(_read_radios(ids, form, flow, lang))
    return errors, False


def _read_radios(
    ids: tuple[str, ...], form: MultiDict[str, str], flow: Flow, lang: str
) -> dict[str, str]:
    """Questions answered yes / no / «I don't know»; every one that applies needs an answer."""
    errors: dict[str, str] = {}
    applicable = flow.applicable_ids()
    for qid in ids:
        value = form.get(f"q_{qid}")
        flow.answers.pop(qid, None)
        if value in ANSWERS:
            flow.answers[qid] = value
        elif value:
            raise BadForm(qid)
        elif qid in applicable:
            errors[f"q_{qid}"] = answer_error(checker().questions_by_id[qid], lang)
    return errors


def next_step(current: Step, flow: Flow) -> Step | None:
    later = STEPS[STEP_IDS.index(current.id) + 1 :]
    return next((s for s in later if step_applies(s, flow)), None)


def previous_step(current: Step, flow: Flow) -> Step:
    earlier = STEPS[: STEP_IDS.index(current.id)]
    return next((s for s in reversed(earlier) if step_applies(s, flow)), STEPS[0])


def early_result(flow: Flow) -> Result | None:
    """The result when it is already an emergency: no later answer can make it more urgent.

    The questions not asked yet are read as "no" only to find out whether the result is
    already the highest level; if it is not, the flow goes on and asks them.
    """
    if flow.age is None or flow.duration is None or not flow.areas:
        return checker().emergency_stop(flow.answers)
    applicable = flow.applicable_ids()
    answers = {q.id: flow.answers.get(q.id, "no") if q.id in applicable else "no"
               for q in checker().questions}  # fmt: skip
    inp = TriageInput(
        age=flow.age,
        duration_weeks=flow.weeks or 0.0,
        pain_areas=frozenset(flow.areas),
        answers=answers,
    )
    result = checker().evaluate(inp)
    return result if result.urgency == "emergency" else None


def first_gap(flow: Flow, missing: dict[str, str], lang: str) -> tuple[Step, dict[str, str], bool]:
    """The first step with an answer missing, its errors, and whether to show it in its detail
    view (a checklist then shows each question, so each error names and links its question)."""
    if "age" in missing or "duration_weeks" in missing:
        errors = {}
        if flow.age is None:
            errors["age"] = str(_l("Write your age in whole years, for example 45."))
        if flow.duration is None:
            errors["duration"] = str(_l("Choose how long you have had the pain."))
        return STEP_BY_ID["about"], errors, False
    if "pain_areas" in missing:
        return (
            STEP_BY_ID["where"],
            {"area": str(_l("Choose at least one place where it hurts or feels numb."))},
            False,
        )
    ids = {key.split(".", 1)[1] for key in missing if key.startswith("answers.")}
    for step in STEPS:
        gap = [q for q in step.asks if q in ids]
        if step.kind == "signs" and ids & set(emergency_ids()):
            gap = [q for q in emergency_ids() if q in ids]
        if gap:
            errors = {f"q_{q}": answer_error(checker().questions_by_id[q], lang) for q in gap}
            return step, errors, step.kind != "questions"
    return STEPS[0], {}, False


@localized_route(
    bp, {"nb": "/nb/symptomsjekk", "en": "/en/symptom-checker"}, methods=["GET", "POST"]
)
def flow(lang: str) -> Response:
    """GET starts afresh; POST takes one step forward or back with all answers in the form."""
    if request.method != "POST":
        return render_step(STEPS[0], Flow(), {}, lang)
    try:
        current = STEP_BY_ID.get(request.form.get("step", ""))
        if current is None:
            raise BadForm("step")
        state = read_flow(request.form, skip=current)
        going_back = request.form.get("nav") == "back"
        if going_back:  # keep what was filled in on this step, answered or not
            read_step(current, request.form, state, lang)
            return render_step(previous_step(current, state), state, {}, lang)
        errors, detail = read_step(current, request.form, state, lang)
    except BadForm:
        return render_step(STEPS[0], Flow(), {}, lang, status=400, restarted=True)
    if errors or detail:
        return render_step(current, state, errors, lang, status=422 if errors else 200,
                           detail=detail or request.form.get("detail") == "1")  # fmt: skip
    if current.id in STOP_AFTER:
        stop = early_result(state)
        if stop is not None:
            return render_result(stop, state, lang, stopped=True)
    following = next_step(current, state)
    if following is not None:
        return render_step(following, state, {}, lang)
    try:
        inp = checker().parse(state.payload(lang))
    except InputError as exc:  # a skipped or tampered step: show that step again
        step, errors, detail = first_gap(state, exc.fields, lang)
        return render_step(step, state, errors, lang, status=422, detail=detail)
    return render_result(checker().evaluate(inp), state, lang)


def _respond(template: str, status: int = 200, **context) -> Response:
    fragment = request.headers.get("HX-Target") == "checker"
    name = f"checker/_{template}.html" if fragment else f"checker/{template}.html"
    response = make_response(render_template(name, **context), status)
    response.vary.add("HX-Target")
    # The page holds the patient's answers: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


def render_step(
    step: Step,
    state: Flow,
    errors: dict[str, str],
    lang: str,
    status: int = 200,
    detail: bool = False,
    restarted: bool = False,
):
    route = steps_for(state)
    number = route.index(step) + 1 if step in route else STEP_IDS.index(step.id) + 1
    if step.kind == "signs":
        shown = [checker().questions_by_id[q] for q in emergency_ids()] if detail else []
    else:
        shown = applying(step, state) if step.kind in ("checklist", "questions") else []
    return _respond(
        "step",
        status,
        step=step,
        number=number,
        total=max(len(route), number),
        flow=state,
        hidden=state.hidden_fields(step),
        errors=errors,
        detail=detail,
        restarted=restarted,
        questions=shown,
        radios=applying(step, state, step.radios) if step.radios else [],
        emergency=[checker().questions_by_id[q] for q in emergency_ids()],
        regions=checker().regions,
        durations=DURATIONS,
        answer_labels=ANSWER_LABELS,
    )


def summary_context(state: Flow, lang: str) -> dict:
    """What checker/_summary.html shows: the answers given so far, in words."""
    answered = [q for q in checker().questions if q.id in state.answers]
    return {
        "flow": state,
        "answered": answered,
        "said_yes": [q for q in answered if state.answers[q.id] != "no"],
        "said_no": [q for q in answered if state.answers[q.id] == "no"],
        "area_labels": [checker().regions_by_id[a].label[lang] for a in state.areas],
        "duration_label": DURATIONS[state.duration][1] if state.duration else None,
        "answer_labels": ANSWER_LABELS,
    }


def render_result(result: Result, state: Flow, lang: str, stopped: bool = False) -> Response:
    count_outcome(result.outcome)
    library = current_app.extensions["library"]
    level_title, level_advice = OUTCOME_TEXT[(result.outcome, result.urgency)]
    default = (str(level_title), str(level_advice))
    title, advice = finding_text(result, lang, checker().advice, default)
    back_areas = checker().sets["back_any"] & set(state.areas)
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
        title=title,
        advice=advice,
        back_pain=bool(back_areas) or not state.areas,
        today=dt.date.today(),
    )


@localized_route(bp, {"nb": "/nb/slik-vurderer-vi", "en": "/en/how-we-assess"})
def rules(lang: str) -> str:
    """Every rule in plain words with its source: generated from the data, never out of date."""
    return render_template("checker/rules.html", checker=checker(), steps=STEPS)


# --- anonymous outcome counts (outcome and date only) ----------------------------------------


@register_schema
def _outcome_table(db: Database) -> None:
    db.table("outcome_counts").create(
        {"day": str, "outcome": str, "count": int}, pk=("day", "outcome"), if_not_exists=True
    )


def count_outcome(outcome: str) -> None:
    """Add one to today's count for this outcome (in memory; written in the background).
    Nothing else about the check is kept."""
    current_app.extensions["outcome_counts"].add(dt.date.today().isoformat(), outcome)


def _sitemap_pages() -> list[dict[str, str]]:
    return [
        {lang: url_for(endpoint, lang=lang) for lang in enabled_languages()}
        for endpoint in ("checker.flow", "checker.rules")
    ]


def init_app(app: Flask) -> None:
    app.extensions["outcome_counts"] = Counts(
        app,
        "INSERT INTO outcome_counts (day, outcome, count) VALUES (?, ?, ?) "
        "ON CONFLICT (day, outcome) DO UPDATE SET count = count + excluded.count",
    )
    folder = Path(app.config["CONTENT_DIR"]) / "triage"
    app.extensions["checker"] = loaded = load_checker(folder)
    placed = [q for step in STEPS for q in step.asks]
    emergency = [q.id for q in loaded.questions if q.group == "emergency"]
    expected = sorted(q.id for q in loaded.questions if q.id not in emergency)
    if sorted(placed) != expected:
        raise RuntimeError(
            f"webapp/checker_flow.py STEPS must place every question once: {expected}"
        )
    unsigned = [q for s in STEPS if s.kind == "checklist" for q in s.questions
                if not loaded.questions_by_id[q].sign["nb"]]  # fmt: skip
    if unsigned:
        raise RuntimeError(
            f"{folder / 'questions.toml'}: checklist questions need a sign: {unsigned}"
        )
    missing_text = {key for key in OUTCOME_TEXT} ^ set(LEVELS)
    if missing_text:
        raise RuntimeError(f"webapp/checker_flow.py OUTCOME_TEXT: {sorted(map(str, missing_text))}")
    unknown = set(loaded.vocabulary.patterns) - set(PATTERN_LABELS)
    if unknown:
        raise RuntimeError(f"webapp/checker_flow.py PATTERN_LABELS lacks {sorted(unknown)}")
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
