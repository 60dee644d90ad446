"""Data types of the symptom checker: questions, regions, rules, input, result and errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..languages import DEFAULT_LANGUAGE, LANGUAGES, Lang
from ..validation import ContentError as ContentError  # the one error of every data loader

AnswerValue = Literal["yes", "no", "unsure"]
Outcome = Literal["urgent", "clinic", "selfcare"]
Urgency = Literal["emergency", "today", "soon"]
Group = Literal["emergency", "red_flag", "scope", "other"]
View = Literal["back", "front", "sole"]

LANGS: tuple[str, ...] = LANGUAGES
ANSWER_VALUES: tuple[str, ...] = ("yes", "no", "unsure")
GROUPS: tuple[Group, ...] = ("emergency", "red_flag", "scope", "other")
# Questions of these groups must be answered wherever they apply; "other" ones may be left out.
REQUIRED_GROUPS: frozenset[str] = frozenset({"emergency", "red_flag", "scope"})
VIEWS: tuple[View, ...] = ("back", "front", "sole")
# The outcomes from lowest to highest (`level` counts on the order); from highest, as the
# dashboard lists them: tuple(reversed(OUTCOMES)).
OUTCOMES: tuple[str, ...] = ("selfcare", "clinic", "urgent")
URGENCIES: tuple[str, ...] = ("soon", "today", "emergency")  # from lowest to highest
LEVELS: tuple[tuple[str, str | None], ...] = (
    ("selfcare", None),
    ("clinic", None),
    ("urgent", "soon"),
    ("urgent", "today"),
    ("urgent", "emergency"),
)


def level(outcome: str, urgency: str | None) -> int:
    """Severity as one number: selfcare 0, clinic 1, urgent/soon 2, today 3, emergency 4."""
    if outcome == "urgent":
        return 2 + URGENCIES.index(urgency or "soon")
    return OUTCOMES.index(outcome)


class InputError(ValueError):
    """A request does not follow the contract; `fields` lists every bad field."""

    def __init__(self, message: str, fields: Mapping[str, str]) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields)


@dataclass(frozen=True)
class Question:
    """One question of the questionnaire; `yes` is the worrying answer unless `reassuring`."""

    id: str
    group: Group
    text: dict[str, str]
    help: dict[str, str]
    reassuring: bool = False
    # Short label for the checklists («Har du noe av dette?»); empty when never in a checklist.
    sign: dict[str, str] = field(default_factory=lambda: dict.fromkeys(LANGUAGES, ""))
    # When the question applies, as written in questions.toml (JSON-ready, region sets
    # expanded); empty = always. `applies_to` is the compiled test of the same condition.
    applies: Mapping[str, Any] = field(default_factory=dict)
    applies_to: Callable[[Facts], bool] = field(
        default=lambda facts: True, repr=False, compare=False
    )

    @property
    def required(self) -> bool:
        """Must be answered wherever it applies (emergency, red-flag and scope questions)."""
        return self.group in REQUIRED_GROUPS


@dataclass(frozen=True)
class Advice:
    """What to do, for one kind of finding: a title (optional) and a text, nb and en."""

    id: str
    title: dict[str, str]
    text: dict[str, str]


@dataclass(frozen=True)
class Zone:
    """A named part of the body map that rules can refer to (for example "knee_and_below")."""

    id: str
    description: dict[str, str]


@dataclass(frozen=True)
class Region:
    """One pain area on the body map."""

    id: str
    view: View
    label: dict[str, str]
    zone: str = ""


@dataclass(frozen=True)
class Facts:
    """What a rule's condition may look at. `fired` grows as rules are tried in file order."""

    age: int
    duration_weeks: float
    areas: frozenset[str]
    zones: frozenset[str]
    answers: Mapping[str, str]
    fired: set[str] = field(default_factory=set)


Predicate = Callable[[Facts], bool]


@dataclass(frozen=True)
class Rule:
    """One clinician-readable rule: when its condition holds, the outcome is at least this."""

    id: str
    outcome: Outcome
    urgency: Urgency | None
    source: dict[str, str]  # lang -> where the rule comes from, in that language
    reason: dict[str, str]
    description: dict[str, str]
    conditions: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    program: str | None = None
    # True for rules that describe ordinary (non-specific) pain. Like self-care rules, they add
    # nothing to an urgent result: a serious cause has not been ruled out there.
    ordinary_pain: bool = False
    # True when no exercise programme may be suggested once this rule has fired (for example
    # for children: the programmes are written for adults).
    no_program: bool = False
    # The advice (what to do) that fits this finding; the first winning rule with one decides.
    advice: str | None = None
    when: Mapping[str, Any] = field(default_factory=dict)
    # The question ids the condition reads; a rule about exactly one question reports that id.
    questions: tuple[str, ...] = ()
    test: Predicate = field(default=lambda facts: False, repr=False, compare=False)

    @property
    def level(self) -> int:
        return level(self.outcome, self.urgency)

    @property
    def reason_id(self) -> str:
        return self.questions[0] if len(self.questions) == 1 else self.id


@dataclass(frozen=True)
class Vocabulary:
    """The keys rules may point to: explainer articles, body patterns and exercise programmes."""

    conditions: tuple[str, ...]
    patterns: tuple[str, ...]
    programs: tuple[str, ...]


@dataclass(frozen=True)
class TriageInput:
    """A validated request. Omitted optional answers are filled in as "no"."""

    age: int
    duration_weeks: float
    pain_areas: frozenset[str]
    answers: Mapping[str, AnswerValue] = field(hash=False)
    lang: Lang = DEFAULT_LANGUAGE
    not_answered: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    """Why the result is what it is: one fired rule, in words a patient can read."""

    id: str
    rule_id: str
    text: dict[str, str]
    source: dict[str, str]  # lang -> where the rule comes from


@dataclass(frozen=True)
class Result:
    """The checker's answer. `reasons` explain the outcome and are never empty."""

    outcome: Outcome
    urgency: Urgency | None
    reasons: list[Reason]
    conditions: list[str]
    program: str | None
    patterns: list[str]
    not_answered: list[str]
    # Rules that fired below the winning outcome but still matter (for example a nerve-root
    # pattern behind an urgent result). Self-care and ordinary-pain rules are never listed here.
    also_noted: list[Reason] = field(default_factory=list)
    # The id of the advice that fits the finding (rules.toml [[advice]]); None = the outcome's.
    advice: str | None = None

    @property
    def level(self) -> int:
        return level(self.outcome, self.urgency)
