"""Read and check the checker's TOML data (questions, regions, rules) in content/triage/."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from ..translation import Overlay, checker_overlays, merge_checker
from ..validation import Where, read_toml
from .conditions import Known, compile_when, expand_regions
from .model import (
    GROUPS,
    LANGS,
    OUTCOMES,
    REQUIRED_GROUPS,
    URGENCIES,
    VIEWS,
    Advice,
    Question,
    Region,
    Rule,
    Vocabulary,
    Zone,
)

QUESTIONS_FILE = "questions.toml"
REGIONS_FILE = "regions.toml"
RULES_FILE = "rules.toml"

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Content:
    """Everything the checker reads from its content folder, checked."""

    questions: list[Question]
    zones: list[Zone]
    regions: list[Region]
    vocabulary: Vocabulary
    rules: list[Rule]
    fallback: Rule
    reviewed: dt.date
    next_review: dt.date
    advice: dict[str, Advice]
    sets: dict[str, frozenset[str]]


def _keys(table: Mapping[str, Any], where: Where, required: Iterable[str], optional: Iterable[str]):
    required = tuple(required)
    where.only(table, (*required, *optional))
    for key in required:
        if key not in table:
            raise where.child(key).fail("missing")


def _table(value: object, where: Where) -> dict[str, Any]:
    return where.check(value, dict, empty_ok=True)


def _tables(doc: Mapping[str, Any], name: str, where: Where) -> list[dict[str, Any]]:
    value = doc.get(name)
    if not isinstance(value, list) or not value:
        raise where.child(name).fail(f"must be a non-empty array of tables ([[{name}]])")
    return [_table(item, where.child(name).index(i)) for i, item in enumerate(value)]


def _str(value: object, where: Where, *, empty_ok: bool = False) -> str:
    return where.check(value, str, empty_ok=empty_ok)


def _ident(value: object, where: Where, pattern: re.Pattern[str] = ID_RE) -> str:
    text = _str(value, where)
    if not pattern.match(text):
        raise where.fail(f"{text!r} is not a valid id ({pattern.pattern})")
    return text


Choice = TypeVar("Choice", bound=str)


def _choice(value: object, choices: Iterable[Choice], where: Where) -> Choice:
    options = tuple(choices)
    for option in options:
        if option == value:
            return option
    raise where.fail(f"must be one of: {', '.join(options)}")


def _text(value: object, where: Where, *, empty_ok: bool = False) -> dict[str, str]:
    table = _table(value, where)
    _keys(table, where, LANGS, ())
    return {lang: _str(table[lang], where.child(lang), empty_ok=empty_ok) for lang in LANGS}


def _unique(items: list[tuple[str, Where]]) -> None:
    seen: set[str] = set()
    for ident, where in items:
        if ident in seen:
            raise where.fail(f"id {ident!r} is used twice")
        seen.add(ident)


def _key_list(value: object, allowed: Iterable[str], what: str, where: Where) -> tuple[str, ...]:
    allowed = frozenset(allowed)
    if not isinstance(value, list):
        raise where.fail(f"must be a list of {what} keys")
    out: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or item not in allowed:
            raise where.index(i).fail(f"unknown {what} key {item!r}; add it to [vocabulary] first")
        if item in out:
            raise where.index(i).fail(f"{what} key {item!r} is listed twice")
        out.append(item)
    return tuple(out)


APPLIES_KEYS = ("age_between", "regions_any", "answer", "duration_weeks_at_least", "any")


def _applies(value: object, known: Known, where: Where) -> Any:
    """Check an `applies` table (a small part of the `when` language) and return it JSON-ready,
    with region sets written out as the regions they stand for."""
    table = _table(value, where)
    if not table:
        raise where.fail("must not be empty (leave `applies` out when a question always applies)")
    out: dict[str, Any] = {}
    for key, item in table.items():
        if key not in APPLIES_KEYS:
            raise where.child(key).fail(f"unknown key; allowed: {', '.join(APPLIES_KEYS)}")
        if key == "any":
            if not isinstance(item, list) or not item:
                raise where.child(key).fail("must be a non-empty list of tables")
            out[key] = [_applies(v, known, where.child(key).index(i)) for i, v in enumerate(item)]
        elif key == "regions_any":
            if not isinstance(item, list):
                raise where.child(key).fail("must be a list of region or set ids")
            ids = expand_regions(frozenset(str(v) for v in item), known)
            out[key] = sorted(ids)
        else:
            out[key] = item
    return out


def _read(path: Path, overlays: dict[str, Overlay]) -> tuple[dict[str, Any], Where]:
    """A checker file with the translated languages' texts merged in (webapp/core/translation)."""
    doc, where = read_toml(path)
    merge_checker(f"{path.parent.name}/{path.name}", doc, overlays)
    return doc, where


def load_questions(path: Path, known: Known, overlays: dict[str, Overlay]) -> list[Question]:
    doc, where = _read(path, overlays)
    _keys(doc, where, ("question",), ())
    questions: list[Question] = []
    ids: list[tuple[str, Where]] = []
    tables = _tables(doc, "question", where)
    ids_in_file = frozenset(str(t.get("id", "")) for t in tables)
    known = Known(ids_in_file, known.regions, known.zones, frozenset(), known.sets)
    for i, table in enumerate(tables):
        at = where.child("question").index(i)
        _keys(table, at, ("id", "group", "text"), ("help", "reassuring", "sign", "applies"))
        qid = _ident(table["id"], at.child("id"))
        at = Where(at.file, f"question[{i}]({qid})")
        group = _choice(table["group"], GROUPS, at.child("group"))
        text = _text(table["text"], at.child("text"))
        help_text = (
            _text(table["help"], at.child("help"), empty_ok=True)
            if "help" in table
            else dict.fromkeys(LANGS, "")
        )
        reassuring = table.get("reassuring", False)
        if not isinstance(reassuring, bool):
            raise at.child("reassuring").fail("must be true or false")
        if "sign" in table:
            sign = _text(table["sign"], at.child("sign"))
        elif group in REQUIRED_GROUPS:
            raise at.child("sign").fail(
                "missing (emergency, red-flag and scope questions need a short sign)"
            )
        else:
            sign = dict.fromkeys(LANGS, "")
        if reassuring and group != "other":
            raise at.child("reassuring").fail(
                "emergency and red-flag questions cannot be reassuring"
            )
        applies: Any = {}
        applies_to = None
        if "applies" in table:
            if group == "emergency":
                raise at.child("applies").fail("emergency questions always apply")
            test, _ = compile_when(table["applies"], known, at.child("applies"))
            applies = _applies(table["applies"], known, at.child("applies"))
            applies_to = test
        ids.append((qid, at.child("id")))
        extra = {"applies_to": applies_to} if applies_to else {}
        questions.append(
            Question(qid, group, text, help_text, reassuring, sign, _frozen(applies), **extra)
        )
    _unique(ids)
    return questions


def load_regions(
    path: Path, overlays: dict[str, Overlay]
) -> tuple[list[Zone], list[Region], dict[str, frozenset[str]]]:
    doc, where = _read(path, overlays)
    _keys(doc, where, ("zone", "region"), ("set",))
    zones: list[Zone] = []
    for i, table in enumerate(_tables(doc, "zone", where)):
        at = where.child("zone").index(i)
        _keys(table, at, ("id", "description"), ())
        zones.append(
            Zone(
                _ident(table["id"], at.child("id")),
                _text(table["description"], at.child("description")),
            )
        )
    _unique([(z.id, where.child("zone").index(i)) for i, z in enumerate(zones)])
    zone_ids = [z.id for z in zones]
    regions: list[Region] = []
    for i, table in enumerate(_tables(doc, "region", where)):
        at = where.child("region").index(i)
        _keys(table, at, ("id", "view", "zone", "label"), ())
        rid = _ident(table["id"], at.child("id"))
        at = Where(at.file, f"region[{i}]({rid})")
        view = _choice(table["view"], VIEWS, at.child("view"))
        zone = _choice(table["zone"], zone_ids, at.child("zone"))
        regions.append(Region(rid, view, _text(table["label"], at.child("label")), zone))
    _unique([(r.id, where.child("region").index(i)) for i, r in enumerate(regions)])
    region_ids = {r.id for r in regions}
    sets: dict[str, frozenset[str]] = {}
    for i, table in enumerate(_tables(doc, "set", where) if "set" in doc else []):
        at = where.child("set").index(i)
        _keys(table, at, ("id", "description", "regions"), ())
        sid = _ident(table["id"], at.child("id"))
        if sid in region_ids or sid in sets:
            raise at.child("id").fail(f"id {sid!r} is already a region or a set")
        _text(table["description"], at.child("description"))
        sets[sid] = frozenset(
            _key_list(table["regions"], region_ids, "region", at.child("regions"))
        )
    return zones, regions, sets


def _vocabulary(doc: Mapping[str, Any], where: Where) -> Vocabulary:
    at = where.child("vocabulary")
    table = _table(doc["vocabulary"], at)
    _keys(table, at, ("conditions", "patterns", "programs"), ())
    lists: dict[str, tuple[str, ...]] = {}
    for name in ("conditions", "patterns", "programs"):
        value = table[name]
        if not isinstance(value, list) or not value:
            raise at.child(name).fail("must be a non-empty list of keys")
        keys = [_ident(v, at.child(name).index(i), KEY_RE) for i, v in enumerate(value)]
        _unique([(k, at.child(name).index(i)) for i, k in enumerate(keys)])
        lists[name] = tuple(keys)
    return Vocabulary(**lists)


RULE_REQUIRED = ("id", "outcome", "source", "reason", "description", "when")
RULE_OPTIONAL = (
    "urgency",
    "conditions",
    "patterns",
    "program",
    "ordinary_pain",
    "no_program",
    "advice",
)


def _rule_head(
    table: dict[str, Any], at: Where, vocab: Vocabulary, advice: Mapping[str, Advice]
) -> dict[str, Any]:
    """The parts every rule (and the fallback) has: outcome, urgency, texts, source, keys."""
    outcome = _choice(table["outcome"], OUTCOMES, at.child("outcome"))
    urgency = table.get("urgency")
    if outcome == "urgent":
        if urgency is None:
            raise at.child("urgency").fail(
                'missing (urgent rules need "emergency", "today" or "soon")'
            )
        urgency = _choice(urgency, URGENCIES, at.child("urgency"))
    elif urgency is not None:
        raise at.child("urgency").fail("is only allowed when outcome is urgent")
    program = table.get("program")
    if program is not None:
        program = _choice(program, vocab.programs, at.child("program"))
        if outcome == "urgent":
            raise at.child("program").fail("an urgent result never suggests a programme")
    advice_id = table.get("advice")
    if advice_id is not None:
        advice_id = _choice(advice_id, advice, at.child("advice"))
    return {
        "advice": advice_id,
        "outcome": outcome,
        "urgency": urgency,
        "source": _text(table["source"], at.child("source")),
        "reason": _text(table["reason"], at.child("reason")),
        "description": _text(table["description"], at.child("description")),
        "conditions": _key_list(
            table.get("conditions", []), vocab.conditions, "condition", at.child("conditions")
        ),
        "patterns": _key_list(
            table.get("patterns", []), vocab.patterns, "pattern", at.child("patterns")
        ),
        "program": program,
    }


def _frozen(value: Any) -> Any:
    """A read-only copy of a TOML value, so a rule's `when` cannot be changed after loading."""
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _review(table: dict[str, Any], at: Where) -> tuple[dt.date, dt.date]:
    """When a clinician last reviewed the rules, and when they must be reviewed again."""
    _keys(table, at, ("reviewed", "next_review"), ())
    dates = []
    for key in ("reviewed", "next_review"):
        value = table[key]
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise at.child(key).fail("must be a date like 2026-11-22 (without quotes)")
        dates.append(value)
    if dates[1] <= dates[0]:
        raise at.child("next_review").fail("must be after reviewed")
    return dates[0], dates[1]


def _advice(doc: Mapping[str, Any], where: Where) -> dict[str, Advice]:
    out: dict[str, Advice] = {}
    for i, table in enumerate(_tables(doc, "advice", where)):
        at = where.child("advice").index(i)
        _keys(table, at, ("id", "text"), ("title",))
        aid = _ident(table["id"], at.child("id"))
        if aid in out:
            raise at.child("id").fail(f"id {aid!r} is used twice")
        at = Where(at.file, f"advice[{i}]({aid})")
        title = (
            _text(table["title"], at.child("title"))
            if "title" in table
            else dict.fromkeys(LANGS, "")
        )
        out[aid] = Advice(aid, title, _text(table["text"], at.child("text")))
    return out


def load_rules(
    path: Path,
    questions: list[Question],
    zones: list[Zone],
    regions: list[Region],
    sets: Mapping[str, frozenset[str]],
    overlays: dict[str, Overlay],
) -> tuple[Vocabulary, list[Rule], Rule, tuple[dt.date, dt.date], dict[str, Advice]]:
    doc, where = _read(path, overlays)
    _keys(doc, where, ("vocabulary", "fallback", "rule", "review", "advice"), ("sign_off",))
    review = _review(_table(doc["review"], where.child("review")), where.child("review"))
    vocab = _vocabulary(doc, where)
    advice = _advice(doc, where)
    order = {q.id: i for i, q in enumerate(questions)}
    rules: list[Rule] = []
    for i, table in enumerate(_tables(doc, "rule", where)):
        at = where.child("rule").index(i)
        _keys(table, at, RULE_REQUIRED, RULE_OPTIONAL)
        rid = _ident(table["id"], at.child("id"))
        at = Where(at.file, f"rule[{i}]({rid})")
        if rid in {r.id for r in rules}:
            raise at.child("id").fail(f"id {rid!r} is used twice")
        head = _rule_head(table, at, vocab, advice)
        ordinary = table.get("ordinary_pain", False)
        if not isinstance(ordinary, bool):
            raise at.child("ordinary_pain").fail("must be true or false")
        no_program = table.get("no_program", False)
        if not isinstance(no_program, bool):
            raise at.child("no_program").fail("must be true or false")
        if no_program and (head["outcome"] == "selfcare" or head["program"]):
            raise at.child("no_program").fail(
                "only for clinic or urgent rules without a program: self-care needs a programme"
            )
        known = Known(
            questions=frozenset(order),
            regions=frozenset(r.id for r in regions),
            zones=frozenset(z.id for z in zones),
            earlier_rules=frozenset(r.id for r in rules),
            sets=MappingProxyType(dict(sets)),
        )
        test, qs = compile_when(table["when"], known, at.child("when"))
        rules.append(
            Rule(
                id=rid,
                when=_frozen(table["when"]),
                questions=tuple(sorted(qs, key=order.__getitem__)),
                test=test,
                ordinary_pain=ordinary,
                no_program=no_program,
                **head,
            )
        )

    at = where.child("fallback")
    table = _table(doc["fallback"], at)
    _keys(
        table,
        at,
        ("id", "outcome", "source", "reason", "description"),
        ("urgency", "conditions", "patterns", "advice"),
    )
    fid = _ident(table["id"], at.child("id"))
    if fid in {r.id for r in rules}:
        raise at.child("id").fail(f"id {fid!r} is also used by a rule")
    head = _rule_head(table, at, vocab, advice)
    if head["outcome"] == "selfcare":
        raise at.child("outcome").fail(
            "the fallback must send the person to the clinic or a doctor"
        )
    fallback = Rule(id=fid, **head)
    return vocab, rules, fallback, review, advice


def load_content(folder: Path) -> Content:
    """Load and check all three files; raises ContentError naming the file and the key."""
    folder = Path(folder)
    overlays = checker_overlays(folder.parent)
    zones, regions, sets = load_regions(folder / REGIONS_FILE, overlays)
    known = Known(
        questions=frozenset(),
        regions=frozenset(r.id for r in regions),
        zones=frozenset(z.id for z in zones),
        earlier_rules=frozenset(),
        sets=MappingProxyType(dict(sets)),
    )
    questions = load_questions(folder / QUESTIONS_FILE, known, overlays)
    vocab, rules, fallback, review, advice = load_rules(
        folder / RULES_FILE, questions, zones, regions, sets, overlays
    )
    for overlay in overlays.values():
        overlay.check_unused()
    return Content(questions, zones, regions, vocab, rules, fallback, *review, advice, sets)
