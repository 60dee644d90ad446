"""The symptom checker: validate a request, run the rules, combine what fired into a result.

The engine is generic. Which answers and pain areas lead where lives in content/triage/*.toml,
where a clinician can read and review it. The engine only fixes how fired rules combine:

- The highest level wins: urgent/emergency > urgent/soon > clinic > selfcare.
- `reasons` are the rules that fired at the winning outcome (most severe first, then file order).
- `conditions` and `patterns` come from every fired rule, most severe first, then file order. When
  the outcome is urgent, self-care rules and rules marked `ordinary_pain` add nothing: they
  describe ordinary back pain, and an urgent answer means a serious cause is not ruled out.
- `also_noted`: rules that fired below the winning outcome, except self-care rules and, under an
  urgent result, ordinary-pain rules.
- `program`: none when urgent or when a fired rule says `no_program`; otherwise the first
  programme among the rules at the winning outcome, and for a clinic result without one, the
  first among the self-care rules (the app shows it "while you wait").
- `advice`: the first rule at the winning level (file order) that names one; else none, and the
  app shows the outcome's own words.
- If no rule fires, or self-care has no programme, the data has a gap: the `[fallback]` rule
  (clinic or higher) answers instead of guessing. The tests show the shipped data has no gap.

Which questions must be answered depends on the request (version 2 of the contract): the
emergency questions always; a red-flag or scope question wherever it applies (its `applies`
condition in questions.toml, over age, duration, areas and earlier answers). A missing answer
to a question that applies is an InputError naming it, never a "no". Questions that do not apply
and were left out count as "no" and are not listed as not answered.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from ..languages import DEFAULT_LANGUAGE
from ..review import SignOff
from ..validation import cached_load
from .loader import load_content
from .model import (
    ANSWER_VALUES,
    LANGS,
    Advice,
    AnswerValue,
    Facts,
    InputError,
    Question,
    Reason,
    Region,
    Result,
    Rule,
    TriageInput,
    Vocabulary,
    Zone,
)

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent.parent.parent / "content" / "triage"

MAX_AGE = 120
MAX_DURATION_WEEKS = 1040
REQUEST_KEYS = ("age", "duration_weeks", "pain_areas", "answers")
OPTIONAL_REQUEST_KEYS = ("lang",)


def _reason(rule: Rule) -> Reason:
    return Reason(
        id=rule.reason_id, rule_id=rule.id, text=dict(rule.reason), source=dict(rule.source)
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


class Checker:
    """The loaded, checked rule set. Build it with `load_checker(folder)`."""

    def __init__(
        self,
        questions: list[Question],
        zones: list[Zone],
        regions: list[Region],
        vocabulary: Vocabulary,
        rules: list[Rule],
        fallback: Rule,
        reviewed: dt.date | None = None,
        next_review: dt.date | None = None,
        advice: Mapping[str, Advice] | None = None,
        sets: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.questions = list(questions)
        self.zones = list(zones)
        self.regions = list(regions)
        self.vocabulary = vocabulary
        self.rules = list(rules)
        self.fallback = fallback
        self.reviewed = reviewed  # when the team last checked the rules
        self.next_review = next_review
        self.signed: SignOff | None = None  # set by the web layer from rules.toml's sign-offs
        self.advice: Mapping[str, Advice] = MappingProxyType(dict(advice or {}))
        self.sets: Mapping[str, frozenset[str]] = MappingProxyType(dict(sets or {}))
        self.questions_by_id: Mapping[str, Question] = MappingProxyType(
            {q.id: q for q in self.questions}
        )
        self.regions_by_id: Mapping[str, Region] = MappingProxyType({r.id: r for r in self.regions})

    # ----------------------------------------------------------------------------- input

    def parse(self, payload: object) -> TriageInput:
        """Check a decoded JSON body against the contract; InputError lists every bad field."""
        if not isinstance(payload, dict):
            raise InputError(
                "The request body must be a JSON object.", {"body": "must be a JSON object"}
            )
        fields: dict[str, str] = {}
        for key in payload:
            if key not in REQUEST_KEYS and key not in OPTIONAL_REQUEST_KEYS:
                fields[str(key)] = "unknown field"
        for key in REQUEST_KEYS:
            if key not in payload:
                fields[key] = "is required"

        age = self._age(payload.get("age"), fields) if "age" in payload else 0
        duration = (
            self._duration(payload.get("duration_weeks"), fields)
            if "duration_weeks" in payload
            else 0.0
        )
        areas = self._areas(payload.get("pain_areas"), fields) if "pain_areas" in payload else None
        # Which questions apply depends on age, duration and areas: with one of them missing or
        # wrong, only the questions that always apply can be checked.
        context = None if {"age", "duration_weeks", "pain_areas"} & set(fields) else (
            age, duration, areas)  # fmt: skip
        answers, not_answered = (
            self._answers(payload.get("answers"), fields, context)
            if "answers" in payload
            else ({}, ())
        )
        lang = payload.get("lang", DEFAULT_LANGUAGE)
        if lang not in LANGS:
            fields["lang"] = "must be " + " or ".join(f'"{code}"' for code in LANGS)

        if fields:
            names = sorted(fields)
            listed = ", ".join(names[:5]) + (
                f" and {len(names) - 5} more" if len(names) > 5 else ""
            )
            raise InputError(f"Some fields are missing or not valid: {listed}.", fields)
        assert areas is not None
        return TriageInput(
            age=age,
            duration_weeks=duration,
            pain_areas=areas,
            answers=MappingProxyType(answers),
            lang=lang,
            not_answered=not_answered,
        )

    @staticmethod
    def _age(value: object, fields: dict[str, str]) -> int:
        # JSON Schema's "integer" (the OpenAPI document) is any number without a fraction: 45.0
        # is 45, as a client that stores numbers as floats will send it.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            fields["age"] = "must be a whole number of years"
            return 0
        if not 0 <= value <= MAX_AGE:
            fields["age"] = f"must be between 0 and {MAX_AGE}"
            return 0
        return value

    @staticmethod
    def _duration(value: object, fields: dict[str, str]) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            fields["duration_weeks"] = "must be a number of weeks"
            return 0.0
        if isinstance(value, float) and not math.isfinite(value):
            fields["duration_weeks"] = "must be a finite number"
            return 0.0
        if not 0 <= value <= MAX_DURATION_WEEKS:
            fields["duration_weeks"] = f"must be between 0 and {MAX_DURATION_WEEKS}"
            return 0.0
        return float(value)

    def _areas(self, value: object, fields: dict[str, str]) -> frozenset[str] | None:
        if not isinstance(value, list) or not value:
            fields["pain_areas"] = "must be a non-empty list of area ids"
            return None
        problems: list[str] = []
        seen: set[str] = set()
        for item in value:
            if not isinstance(item, str):
                problems.append("every area id must be a string")
            elif item not in self.regions_by_id:
                problems.append(f"unknown area {item[:40]!r}")
            elif item in seen:
                problems.append(f"area {item!r} is listed twice")
            else:
                seen.add(item)
        if problems:
            fields["pain_areas"] = "; ".join(_unique(problems)[:5])
            return None
        return frozenset(seen)

    def _answers(
        self,
        value: object,
        fields: dict[str, str],
        context: tuple[int, float, frozenset[str] | None] | None,
    ) -> tuple[dict[str, AnswerValue], tuple[str, ...]]:
        if not isinstance(value, dict):
            fields["answers"] = "must be an object of question id to answer"
            return {}, ()
        for key, answer in value.items():
            if key not in self.questions_by_id:
                fields[f"answers.{str(key)[:60]}"] = "unknown question"
            elif not isinstance(answer, str) or answer not in ANSWER_VALUES:
                fields[f"answers.{key}"] = 'must be "yes", "no" or "unsure"'
        given = {k: v for k, v in value.items() if k in self.questions_by_id and v in ANSWER_VALUES}
        if context is None:
            applying = {q.id for q in self.questions if not q.applies}
        else:
            applying = {q.id for q in self.applicable(*context, given)}
        answers: dict[str, AnswerValue] = {}
        not_answered: list[str] = []
        for q in self.questions:
            if q.id in value:
                answers[q.id] = value[q.id]
            elif q.id not in applying:
                answers[q.id] = "no"  # does not apply to this person: asked of no one like them
            elif q.required:
                fields[f"answers.{q.id}"] = (
                    "is required: every emergency question, and every red-flag and scope "
                    "question that applies to this age, duration and these areas"
                )
            else:
                answers[q.id] = "no"
                not_answered.append(q.id)
        return answers, tuple(not_answered)

    def applicable(
        self,
        age: int,
        duration_weeks: float,
        areas: frozenset[str] | list[str] | None,
        answers: Mapping[str, str],
    ) -> list[Question]:
        """The questions that apply to this person, in questionnaire order.

        A condition on an earlier answer (pregnancy_warning after pregnant) reads the answer as
        given; a question not yet answered counts as not "yes"/"unsure" there.
        """
        so_far = {q.id: "" for q in self.questions} | dict(answers)
        facts = self._facts(age, duration_weeks, frozenset(areas or ()), so_far)
        return [q for q in self.questions if q.applies_to(facts)]

    def _facts(
        self, age: int, duration_weeks: float, areas: frozenset[str], answers: Mapping[str, str]
    ) -> Facts:
        """The facts a rule or an `applies` condition looks at."""
        return Facts(
            age=age,
            duration_weeks=float(duration_weeks),
            areas=areas,
            zones=frozenset(self.regions_by_id[a].zone for a in areas),
            answers=answers,
        )

    # ----------------------------------------------------------------------------- rules

    def fired_rules(self, inp: TriageInput) -> list[Rule]:
        """The rules whose condition holds, in file order."""
        self._check_complete(inp)
        facts = self._facts(inp.age, inp.duration_weeks, frozenset(inp.pain_areas), inp.answers)
        fired: list[Rule] = []
        for rule in self.rules:
            if rule.test(facts):
                fired.append(rule)
                facts.fired.add(rule.id)
        return fired

    def _check_complete(self, inp: TriageInput) -> None:
        """A TriageInput built by hand must still answer everything: no answer is ever guessed."""
        bad: dict[str, str] = {}
        for q in self.questions:
            if inp.answers.get(q.id) not in ANSWER_VALUES:
                bad[f"answers.{q.id}"] = "missing or not yes/no/unsure"
        for area in inp.pain_areas:
            if area not in self.regions_by_id:
                bad["pain_areas"] = f"unknown area {area!r}"
        if not inp.pain_areas:
            bad["pain_areas"] = "must not be empty"
        if bad:
            raise InputError("The input is incomplete; build it with Checker.parse().", bad)

    def evaluate(self, inp: TriageInput) -> Result:
        """Run every rule and combine those that fired into one result."""
        fired = self.fired_rules(inp)
        top = max((r.level for r in fired), default=-1)
        outcome = next((r.outcome for r in fired if r.level == top), None)
        winning = [r for r in fired if r.outcome == outcome]
        program = self._program(fired, winning, outcome)
        if not fired or (outcome == "selfcare" and program is None):
            return self._fallback_result(fired, inp)
        assert outcome is not None  # a rule fired, so one of them is at the top level

        by_severity = sorted(fired, key=lambda r: -r.level)  # sorted() is stable: file order
        if outcome == "urgent":
            contributing = [
                r for r in by_severity if r.outcome != "selfcare" and not r.ordinary_pain
            ]
        else:
            contributing = by_severity
        winning_sorted = [r for r in by_severity if r.outcome == outcome]
        return Result(
            outcome=outcome,
            urgency=winning_sorted[0].urgency,
            reasons=[_reason(r) for r in winning_sorted],
            conditions=_unique([c for r in contributing for c in r.conditions]),
            program=program,
            patterns=_unique([p for r in contributing for p in r.patterns]),
            not_answered=list(inp.not_answered),
            also_noted=[_reason(r) for r in contributing if r.outcome not in (outcome, "selfcare")],
            advice=next((r.advice for r in winning_sorted if r.level == top and r.advice), None),
        )

    def emergency_stop(self, answers: Mapping[str, str]) -> Result | None:
        """The result when the emergency questions alone already decide it, else None.

        The web flow asks the emergency questions first and stops at once when one of them
        makes the answer urgent: no later answer can change that result. Only rules that read
        nothing but emergency answers are tried, so the missing age, duration and areas are never
        guessed. A test checks that `evaluate` agrees for every full input.
        """
        emergency = {q.id for q in self.questions if q.group == "emergency"}
        rules = [
            r
            for r in self.rules
            if r.questions
            and set(r.questions) <= emergency
            and set(r.when) <= {"answer", "any_answer"}
        ]
        filled = {q.id: "no" for q in self.questions} | {
            k: v for k, v in answers.items() if k in emergency
        }
        facts = Facts(0, 0.0, frozenset(), frozenset(), MappingProxyType(filled))
        fired = sorted((r for r in rules if r.test(facts)), key=lambda r: -r.level)
        if not fired or fired[0].outcome != "urgent":
            return None
        top = fired[0].level
        return Result(
            outcome="urgent",
            urgency=fired[0].urgency,
            reasons=[_reason(r) for r in fired if r.level == top],
            conditions=_unique([c for r in fired for c in r.conditions]),
            program=None,
            patterns=_unique([p for r in fired for p in r.patterns]),
            not_answered=[],
            advice=next((r.advice for r in fired if r.level == top and r.advice), None),
        )

    @staticmethod
    def _program(fired: list[Rule], winning: list[Rule], outcome: str | None) -> str | None:
        if outcome == "urgent" or any(r.no_program for r in fired):
            return None
        program = next((r.program for r in winning if r.program), None)
        if program is None and outcome == "clinic":
            program = next(
                (r.program for r in fired if r.outcome == "selfcare" and r.program), None
            )
        return program

    def _fallback_result(self, fired: list[Rule], inp: TriageInput) -> Result:
        rule = self.fallback
        noted = [r for r in sorted(fired, key=lambda r: -r.level) if r.outcome != "selfcare"]
        return Result(
            outcome=rule.outcome,
            urgency=rule.urgency,
            reasons=[_reason(rule)],
            conditions=list(rule.conditions),
            program=None,
            patterns=list(rule.patterns),
            not_answered=list(inp.not_answered),
            also_noted=[_reason(r) for r in noted],
            advice=rule.advice,
        )


def load_checker(folder: Path | str = DEFAULT_CONTENT_DIR) -> Checker:
    """Load and check the data in `folder`; raises ContentError naming the file and the key."""
    return _load_checker(Path(folder))


# The translated languages' texts live beside the folder (content/<lang>/checker.toml).
@cached_load(lambda folder: [folder.parent])
def _load_checker(folder: Path) -> Checker:
    content = load_content(folder)
    return Checker(
        content.questions,
        content.zones,
        content.regions,
        content.vocabulary,
        content.rules,
        content.fallback,
        content.reviewed,
        content.next_review,
        content.advice,
        content.sets,
    )


@lru_cache(maxsize=1)
def default_checker() -> Checker:
    """The checker for <repo>/content/triage, loaded once."""
    return load_checker(DEFAULT_CONTENT_DIR)


def evaluate(answers: object) -> Result:
    """Evaluate a request body (a dict as in the API contract) with the default content."""
    checker = default_checker()
    inp = answers if isinstance(answers, TriageInput) else checker.parse(answers)
    return checker.evaluate(inp)
