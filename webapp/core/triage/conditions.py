"""The small condition language of rules.toml (`when = {...}`): checked at load, then evaluated.

Every key of a `when` table must hold (logical AND):

- `answer = {question_id = ["yes", "unsure"], ...}`: each listed question has one of these answers.
- `any_answer = {question_id = [...], ...}`: at least one listed question has one of its answers.
- `regions_any`, `regions_all`, `regions_none`, `regions_only = [region ids]`: at least one / all /
  none of these areas are marked, or every marked area is in the list. A region set's id
  (regions.toml `[[set]]`, for example "foot") stands for all its regions.
- `zones_any`, `zones_none`, `zones_only = [zone ids]`: the same for zones (groups of areas).
- `age_below = 20`, `age_above = 55`: age in whole years, strictly below / above.
- `age_between = [12, 55]`: age in whole years from the first to the second, both included.
- `duration_weeks_below = 6`, `duration_weeks_at_least = 6`.
- `any = [{...}, {...}]`: at least one of these `when` tables holds.
- `not_fired = [rule ids]`: none of these earlier rules has fired.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..validation import Where
from .model import ANSWER_VALUES, Facts, Predicate


@dataclass(frozen=True)
class Known:
    """The ids a condition may refer to."""

    questions: frozenset[str]
    regions: frozenset[str]
    zones: frozenset[str]
    earlier_rules: frozenset[str]
    sets: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))


Compiled = tuple[Predicate, frozenset[str]]
Handler = Callable[[object, Known, Where], Compiled]


def _id_list(value: object, allowed: frozenset[str], what: str, where: Where) -> frozenset[str]:
    if not isinstance(value, list) or not value:
        raise where.fail(f"must be a non-empty list of {what} ids")
    seen: set[str] = set()
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise where.index(i).fail(f"must be a {what} id (a string)")
        if item not in allowed:
            raise where.index(i).fail(f"unknown {what} id {item!r}")
        if item in seen:
            raise where.index(i).fail(f"{what} id {item!r} is listed twice")
        seen.add(item)
    return frozenset(value)


def _answer_table(value: object, known: Known, where: Where) -> dict[str, frozenset[str]]:
    if not isinstance(value, dict) or not value:
        raise where.fail('must be a non-empty table: {question_id = ["yes", ...]}')
    table: dict[str, frozenset[str]] = {}
    for qid, values in value.items():
        if qid not in known.questions:
            raise where.child(qid).fail(f"unknown question id {qid!r}")
        table[qid] = _id_list(values, frozenset(ANSWER_VALUES), "answer", where.child(qid))
    return table


def _answer(value: object, known: Known, where: Where) -> Compiled:
    table = _answer_table(value, known, where)
    if len(table) == 1:  # the common case, kept cheap: the checker runs every rule per request
        ((qid, values),) = table.items()
        return (lambda f: f.answers[qid] in values), frozenset(table)
    pairs = tuple(table.items())
    return (lambda f: all(f.answers[q] in vs for q, vs in pairs)), frozenset(table)


def _any_answer(value: object, known: Known, where: Where) -> Compiled:
    table = _answer_table(value, known, where)
    return (lambda f: any(f.answers[q] in vs for q, vs in table.items())), frozenset(table)


def _set_test(attr: str, kind: str, mode: str) -> Handler:
    def handler(value: object, known: Known, where: Where) -> Compiled:
        if kind == "region":
            ids = expand_regions(
                _id_list(value, known.regions | set(known.sets), kind, where), known
            )
        else:
            ids = _id_list(value, known.zones, kind, where)

        def marked(f: Facts) -> frozenset[str]:
            return f.areas if attr == "areas" else f.zones

        tests: dict[str, Predicate] = {
            "any": lambda f: bool(marked(f) & ids),
            "all": lambda f: ids <= marked(f),
            "none": lambda f: not (marked(f) & ids),
            "only": lambda f: marked(f) <= ids,
        }
        return tests[mode], frozenset()

    return handler


def expand_regions(ids: frozenset[str], known: Known) -> frozenset[str]:
    """Region ids with every region set's id replaced by the regions it stands for."""
    out: set[str] = set()
    for item in ids:
        out |= known.sets.get(item, {item})
    return frozenset(out)


def _number(value: object, where: Where, *, whole: bool) -> float:
    ok_types = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, ok_types):
        raise where.fail("must be a whole number" if whole else "must be a number")
    if not math.isfinite(value) or value < 0:
        raise where.fail("must be a finite number of 0 or more")
    return float(value)


def _age_below(value: object, known: Known, where: Where) -> Compiled:
    limit = _number(value, where, whole=True)
    return (lambda f: f.age < limit), frozenset()


def _age_above(value: object, known: Known, where: Where) -> Compiled:
    limit = _number(value, where, whole=True)
    return (lambda f: f.age > limit), frozenset()


def _age_between(value: object, known: Known, where: Where) -> Compiled:
    if not isinstance(value, list) or len(value) != 2:
        raise where.fail("must be two whole numbers: [lowest, highest]")
    low, high = (_number(v, where.index(i), whole=True) for i, v in enumerate(value))
    if high < low:
        raise where.fail("the second number must not be below the first")
    return (lambda f: low <= f.age <= high), frozenset()


def _duration_below(value: object, known: Known, where: Where) -> Compiled:
    limit = _number(value, where, whole=False)
    return (lambda f: f.duration_weeks < limit), frozenset()


def _duration_at_least(value: object, known: Known, where: Where) -> Compiled:
    limit = _number(value, where, whole=False)
    return (lambda f: f.duration_weeks >= limit), frozenset()


def _any(value: object, known: Known, where: Where) -> Compiled:
    if not isinstance(value, list) or not value:
        raise where.fail("must be a non-empty list of condition tables")
    parts = [compile_when(item, known, where.index(i)) for i, item in enumerate(value)]
    tests = [test for test, _ in parts]
    questions = frozenset().union(*(qs for _, qs in parts))
    return (lambda f: any(t(f) for t in tests)), questions


def _not_fired(value: object, known: Known, where: Where) -> Compiled:
    ids = _id_list(value, known.earlier_rules, "earlier rule", where)
    return (lambda f: not (f.fired & ids)), frozenset()


HANDLERS: Mapping[str, Handler] = {
    "answer": _answer,
    "any_answer": _any_answer,
    "regions_any": _set_test("areas", "region", "any"),
    "regions_all": _set_test("areas", "region", "all"),
    "regions_none": _set_test("areas", "region", "none"),
    "regions_only": _set_test("areas", "region", "only"),
    "zones_any": _set_test("zones", "zone", "any"),
    "zones_none": _set_test("zones", "zone", "none"),
    "zones_only": _set_test("zones", "zone", "only"),
    "age_below": _age_below,
    "age_above": _age_above,
    "age_between": _age_between,
    "duration_weeks_below": _duration_below,
    "duration_weeks_at_least": _duration_at_least,
    "any": _any,
    "not_fired": _not_fired,
}


def compile_when(table: object, known: Known, where: Where) -> Compiled:
    """Check a `when` table and turn it into a test; also return the question ids it reads."""
    if not isinstance(table, dict) or not table:
        raise where.fail("must be a non-empty table of conditions")
    tests: list[Predicate] = []
    questions: set[str] = set()
    for key, value in table.items():
        handler = HANDLERS.get(key)
        if handler is None:
            raise where.child(key).fail(
                f"unknown condition {key!r}; known: {', '.join(sorted(HANDLERS))}"
            )
        test, qs = handler(value, known, where.child(key))
        tests.append(test)
        questions |= qs
    if len(tests) == 1:
        return tests[0], frozenset(questions)
    chain = tuple(tests)

    def every(f: Facts) -> bool:
        for test in chain:  # noqa: SIM110 - a plain loop is cheaper than all() over a generator
            if not test(f):
                return False
        return True

    return every, frozenset(questions)
