"""Exercise figures: one small body of our own, posed by data, drawn as compact inline SVG.

Each exercise has `content/figures/<id>.toml` (described in docs/exercise-format.md, "Drawings"):
the view, the props, and the start and end pose as joint angles a clinician can read («hip 90,
knee 45»). This module turns them into `static/img/exercises/<id>-start.svg` and `<id>-end.svg`:

    .venv/bin/python -m webapp.core.figures           # write every figure
    .venv/bin/python -m webapp.core.figures --check   # fail if a committed figure is stale

The body is a skeleton in centimetres for a person 170 cm tall: pelvis, lumbar and thoracic
spine, neck and head, and on each side a thigh, shin, foot (heel, ball) and toes, an upper arm,
forearm and hand. A pose sets its joint angles; the body is seen from the side (near limbs solid,
far limbs lighter) or from the front, each part drawn as a tapered capsule. Feet seen from above
(toes spread, a band around the feet) have their own small model.

Motion: a figure with `moves = true` draws its end still from the start pose's shapes in nested
groups, one per body part, each turned about its joint (and the whole figure moved) by
`transform` attributes that give the end pose. static/css/figures.css animates each group from no
turn to its attribute's turn and back, only under `prefers-reduced-motion: no-preference`;
otherwise the attributes show the end pose as a still image. Turns and moves are split into
powers of two (`app-fig__r16` + `app-fig__r4` = 20°), so one fixed set of CSS rules moves every
figure and no figure needs CSS of its own.

Plain Python, no Flask.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .settings import ROOT
from .validation import ContentError, Where, read_toml

FIGURES = ROOT / "content" / "figures"
EXERCISES = ROOT / "content" / "exercises"
DRAWINGS = ROOT / "static" / "img" / "exercises"

WIDTH, HEIGHT = 320, 200
ORIGIN = (0.0, 186.0)  # where the scene's (0, 0) lands in the drawing: the floor's left end
MAX_BYTES = 10_000

Vec = tuple[float, float, float]
Mat = tuple[Vec, Vec, Vec]
Pt = tuple[float, float]

# --- the body --------------------------------------------------------------------------------

THIGH, SHIN = 41.7, 41.8
UPPER_ARM, FOREARM = 31.6, 24.8
HIP_HALF, SHOULDER_HALF = 8.5, 16.0  # half the distance between the hip / shoulder joints
SIDES = ("near", "far")
TRUNK_ANGLES = ("pelvis", "lumbar", "thoracic", "neck")
LIMB_ANGLES = (
    "hip", "hip_out", "hip_turn", "knee", "ankle", "toes",
    "shoulder", "shoulder_out", "elbow", "wrist",
)  # fmt: skip
FOOT_ANGLES = ("turn", "spread")
FEET = ("left", "right")


def _rot(axis: str, deg: float) -> Mat:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    if axis == "x":
        return ((1, 0, 0), (0, c, -s), (0, s, c))
    if axis == "y":
        return ((c, 0, s), (0, 1, 0), (-s, 0, c))
    return ((c, -s, 0), (s, c, 0), (0, 0, 1))


def _mul(a: Mat, b: Mat) -> Mat:
    def row(i: int) -> Vec:
        return (
            a[i][0] * b[0][0] + a[i][1] * b[1][0] + a[i][2] * b[2][0],
            a[i][0] * b[0][1] + a[i][1] * b[1][1] + a[i][2] * b[2][1],
            a[i][0] * b[0][2] + a[i][1] * b[1][2] + a[i][2] * b[2][2],
        )

    return (row(0), row(1), row(2))


def _at(m: Mat, origin: Vec, v: Vec) -> Vec:
    """`origin` + `m` · `v`."""
    return (
        origin[0] + m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        origin[1] + m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        origin[2] + m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


def _turn(m: Mat, *rotations: tuple[str, float]) -> Mat:
    for axis, deg in rotations:
        if deg:
            m = _mul(m, _rot(axis, deg))
    return m


@dataclass(frozen=True)
class Capsule:
    """A tapered capsule from point `a` (radius `ra`) to `b` (`rb`); a circle when a == b."""

    a: str
    b: str
    ra: float
    rb: float


@dataclass(frozen=True)
class PartSpec:
    """A rigid part of the figure: it turns about `pivot`, the joint it shares with `parent`."""

    name: str
    pivot: str
    parent: str | None
    group: str  # "trunk", "near.leg", "far.arm", "right.foot" …: drawn together
    side: tuple[Capsule, ...]  # the shapes seen from the side (or from above, for feet)
    front: tuple[Capsule, ...] = ()
    fill: tuple[str, ...] = ()  # a polygon that fills between the capsules (the foot)
    outline: tuple[str, ...] = ()  # a smooth closed outline (a foot seen from above)
    gap: bool = False  # drawn with a thin gap around it, to stand out where it crosses


def _c(a: str, b: str, ra: float, rb: float | None = None) -> Capsule:
    return Capsule(a, b, ra, ra if rb is None else rb)


def _body_parts() -> tuple[PartSpec, ...]:
    parts = [
        PartSpec(
            "pelvis", "pelvis", None, "trunk",
            (_c("pelvis", "buttock", 9, 10.5), _c("buttock", "waist", 10.5, 9)),
            (_c("near.hip", "far.hip", 10), _c("buttock", "waist", 16, 13)),
        ),
        PartSpec(
            "lumbar", "waist", "pelvis", "trunk",
            (_c("waist", "chest", 9, 11.5),), (_c("waist", "chest", 13, 15),),
        ),
        PartSpec(
            "thorax", "chest", "lumbar", "trunk",
            (_c("chest", "breast", 11.5), _c("breast", "neck", 11.5, 7)),
            (_c("chest", "breast", 15, 16), _c("near.shoulder", "far.shoulder", 6.5),
             _c("breast", "neck", 10, 6)),
        ),
        PartSpec(
            "head", "neck", "thorax", "trunk",
            (_c("neck", "throat", 5), _c("head", "head", 10.5), _c("nose", "nose", 2.6)),
            (_c("neck", "throat", 5), _c("head", "head", 10.5)),
        ),
    ]  # fmt: skip
    for s in SIDES:

        def part(name: str, pivot: str, parent: str, *shapes: Capsule, s: str = s) -> PartSpec:
            group = f"{s}.arm" if name in ("upperarm", "forearm", "hand") else f"{s}.leg"
            parent = parent if parent == "thorax" or parent == "pelvis" else f"{s}.{parent}"
            return PartSpec(f"{s}.{name}", f"{s}.{pivot}", parent, group, shapes)

        def c(a: str, b: str, ra: float, rb: float, s: str = s) -> Capsule:
            return Capsule(f"{s}.{a}", f"{s}.{b}", ra, rb)

        heel, sole = c("ankle", "heel_c", 3.6, 3.2), c("heel_c", "mtp", 3.2, 2.4)
        foot = part("foot", "ankle", "shin", heel, sole, c("ankle", "mtp", 3.6, 2.4))
        parts += [
            part("thigh", "hip", "pelvis", c("hip", "knee", 8.5, 5.8)),
            part(
                "shin", "knee", "thigh", c("knee", "ankle", 5.5, 3.5), c("calf", "calf_low", 6.2, 4)
            ),
            replace(foot, fill=(f"{s}.ankle", f"{s}.heel_c", f"{s}.mtp")),
            part("toes", "mtp", "foot", c("mtp", "toe_c", 2.4, 1.9)),
            part("upperarm", "shoulder", "thorax", c("shoulder", "elbow", 4.8, 3.6)),
            part("forearm", "elbow", "upperarm", c("elbow", "wrist", 3.6, 2.5)),
            part("hand", "wrist", "forearm", c("wrist", "hand_c", 2.5, 2.7)),
        ]
    return tuple(parts)


BODY_PARTS = _body_parts()

# A right foot seen from above, in cm: the heel's centre at (0, 3), toes towards +y, the big toe
# on the left (-x). The left foot is its mirror image.
_FOOT_OUTLINE: tuple[Pt, ...] = (
    (0.0, -0.3), (3.0, 1.2), (3.7, 6.0), (4.3, 11.5), (5.1, 16.5), (4.6, 18.6),
    (1.5, 20.4), (-1.5, 20.8), (-4.2, 19.8), (-4.6, 16.5), (-3.2, 11.0), (-3.3, 5.0), (-2.8, 1.2),
)  # fmt: skip
# base, length, radius at the base and the tip, angle from straight ahead (+ towards the little
# toe), how much of the `spread` the toe takes (big toe -1: away from the others)
_TOES: tuple[tuple[Pt, float, float, float, float, float], ...] = (
    ((-2.7, 19.6), 4.6, 1.55, 1.35, -3, -1.0),
    ((-0.2, 20.4), 3.9, 1.0, 0.85, 1, -0.2),
    ((1.5, 20.0), 3.4, 0.95, 0.8, 5, 0.3),
    ((2.9, 19.2), 2.9, 0.9, 0.75, 10, 0.65),
    ((4.1, 17.9), 2.4, 0.85, 0.7, 16, 1.0),
)  # fmt: skip
BAND_Y = 10.5  # where a band crosses the foot, cm from the heel


def _feet_parts() -> tuple[PartSpec, ...]:
    parts = []
    for f in FEET:
        parts.append(
            PartSpec(f"{f}.foot", f"{f}.heel", None, f"{f}.foot", (), outline=tuple(
                f"{f}.o{i}" for i in range(len(_FOOT_OUTLINE))))
        )  # fmt: skip
        for i in range(5, 0, -1):  # the little toe first, so the big toe lies on top
            parts.append(
                PartSpec(
                    f"{f}.toe{i}", f"{f}.toe{i}_base", f"{f}.foot", f"{f}.foot",
                    (_c(f"{f}.toe{i}_base", f"{f}.toe{i}_c", _TOES[i - 1][2], _TOES[i - 1][3]),),
                    gap=True,
                )
            )  # fmt: skip
    return tuple(parts)


FEET_PARTS = _feet_parts()


# --- data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A point: a named point of the pose (`name`) moved by (dx, dy), or (dx, dy) itself."""

    name: str | None
    dx: float = 0.0
    dy: float = 0.0


@dataclass(frozen=True)
class Pose:
    angles: Mapping[str, float]  # "pelvis", "near.knee", "right.turn" …, in degrees
    anchor: str  # the point placed at `at`
    at: Pt
    drop: bool  # move the figure down until it rests on the floor
    facing: str  # "right" or "left"
    reach: Mapping[str, Ref]  # side → the point that side's hand holds
    places: Mapping[str, Pt]  # feet seen from above: where each heel is
    steps: Mapping[str, tuple[str, Ref]] = field(default_factory=dict)  # side → heel/ball, place
    flat: frozenset[str] = frozenset()  # sides whose sole is level (the ankle follows)
    tilts: Mapping[str, Ref] = field(default_factory=dict)  # side → where the ball rests


@dataclass(frozen=True)
class Prop:
    kind: str
    pose: str  # "start", "end" or "both"
    front: bool  # drawn in front of the figure
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Arrow:
    pose: str
    inset: bool
    start: Ref | None = None
    end: Ref | None = None
    bend: float = 0.0
    around: Ref | None = None
    radius: float = 0.0
    angles: Pt = (0.0, 0.0)
    head: bool = True  # False: a plain line in the accent colour that points something out


@dataclass(frozen=True)
class Inset:
    box: tuple[float, float, float, float]
    focus: Ref
    zoom: float
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    id: str
    path: Path
    view: str  # "side", "front" or "feet"
    zoom: float
    origin: Pt
    moves: bool
    root: str
    parts: tuple[str, ...]  # the parts drawn (a close-up leaves some out)
    order: tuple[str, ...]  # the order the groups are drawn in (side view)
    props: tuple[Prop, ...]
    arrows: tuple[Arrow, ...]
    inset: Inset | None
    start: Pose
    end: Pose
    specs: tuple[PartSpec, ...] = field(default=(), repr=False)


DEFAULT_ORDER = ("far.leg", "far.arm", "trunk", "near.leg", "near.arm")
VIEWS = ("side", "front", "feet")
PROP_KEYS: dict[str, dict[str, type]] = {
    "wall": {"x": float, "top": float},
    "chair": {"x": float, "seat": float, "depth": float, "back": float, "facing": str},
    "bench": {"x": float, "seat": float, "depth": float},
    "ball": {"at": list, "r": float},
    "step": {"x": float, "height": float, "depth": float},
    "towel": {"points": list},
    "band": {"points": list},
    "line": {"points": list, "smooth": bool, "closed": bool},
    "bike": {"crank": list, "saddle": list, "bars": list},
}
PROP_REQUIRED = {
    "wall": {"x"},
    "chair": {"x", "seat"},
    "bench": {"x", "seat"},
    "ball": {"at", "r"},
    "step": {"x", "height"},
    "towel": {"points"},
    "band": {"points"},
    "line": {"points"},
    "bike": {"crank", "saddle", "bars"},
}


def _ref(where: Where, value: Any, names: set[str]) -> Ref:
    """[x, y], "near.knee" or ["near.knee", dx, dy]."""
    if isinstance(value, str):
        if value not in names:
            raise where.fail(f"no point {value!r}; points: {', '.join(sorted(names))}")
        return Ref(value)
    if isinstance(value, list) and len(value) == 2:
        return Ref(None, where.check(value[0], float), where.check(value[1], float))
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        ref = _ref(where, value[0], names)
        return Ref(ref.name, where.check(value[1], float), where.check(value[2], float))
    raise where.fail('must be [x, y], a point such as "near.knee", or ["near.knee", dx, dy]')


def _pair(where: Where, value: Any) -> Pt:
    if not (isinstance(value, list) and len(value) == 2):
        raise where.fail("must be [x, y]")
    return (where.check(value[0], float), where.check(value[1], float))


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _pose(where: Where, table: dict[str, Any], view: str, names: set[str]) -> Pose:
    sides = FEET if view == "feet" else SIDES
    keys = {"anchor", "at", "drop", "facing", *sides}
    if view != "feet":
        keys |= set(TRUNK_ANGLES)
    where.only(table, keys)
    angles: dict[str, float] = {}
    reach: dict[str, Ref] = {}
    steps: dict[str, tuple[str, Ref]] = {}
    tilts: dict[str, Ref] = {}
    flat: set[str] = set()
    places: dict[str, Pt] = {}
    for key in TRUNK_ANGLES if view != "feet" else ():
        angles[key] = _angle(where, table, key)
    near: dict[str, Any] = {}
    for side in sides:
        if view == "feet":
            if side not in table:
                continue
            at = where.child(side)
            foot = at.check(table[side], dict)
            at.only(foot, {"at", *FOOT_ANGLES})
            places[side] = _pair(at.child("at"), at.get(foot, "at", list))
            for key in FOOT_ANGLES:
                angles[f"{side}.{key}"] = _angle(at, foot, key)
            continue
        limb = where.get(table, side, dict, required=False, default={}, empty_ok=True)
        at = where.child(side)
        at.only(limb, {*LIMB_ANGLES, "reach", "heel_at", "ball_at", "flat"})
        if at.get(limb, "flat", bool, required=False, default=False):
            flat.add(side)
        if side == "near":
            near = limb
        for key in LIMB_ANGLES:
            source = limb if key in limb or side == "near" else near
            angles[f"{side}.{key}"] = _angle(
                at if source is limb else where.child("near"), source, key
            )
        if limb.get("reach", False) is not False:  # false: the end pose lets go
            reach[side] = _ref(at.child("reach"), limb["reach"], names)
        for key in ("heel_at", "ball_at"):
            if limb.get(key, False) is not False:
                if side in steps:  # both: the heel is placed, the sole points at the ball
                    if side in flat:
                        raise at.child(key).fail("a foot on two points cannot also be flat")
                    tilts[side] = _ref(at.child(key), limb[key], names)
                else:
                    steps[side] = (key[:-3], _ref(at.child(key), limb[key], names))
    if view == "feet":
        if not places:
            raise where.fail("no foot: give [start.left] and/or [start.right]")
        return Pose(angles, "", (0, 0), False, "right", {}, places)
    anchor = where.get(table, "anchor", str)
    if anchor not in names:
        raise where.child("anchor").fail(f"no point {anchor!r}")
    facing = where.get(table, "facing", str, required=False, default="right")
    if facing not in ("right", "left"):
        raise where.child("facing").fail('must be "right" or "left"')
    return Pose(
        angles,
        anchor,
        _pair(where.child("at"), where.get(table, "at", list)),
        where.get(table, "drop", bool, required=False, default=False),
        facing,
        reach,
        {},
        steps,
        frozenset(flat),
        tilts,
    )


def _angle(where: Where, table: Mapping[str, Any], key: str) -> float:
    value: float = where.get(table, key, float, required=False, default=0.0)
    if not -360 <= value <= 360:
        raise where.child(key).fail("an angle in degrees, between -360 and 360")
    return float(value)


def point_names(view: str) -> set[str]:
    """The named points a pose of this view has (for anchors, props and arrows)."""
    if view == "feet":
        pts, _ = _solve_feet(
            Pose({f"{f}.{k}": 0.0 for f in FEET for k in FOOT_ANGLES}, "", (0, 0), False, "right",
                 {}, {f: (0.0, 0.0) for f in FEET})
        )  # fmt: skip
        return set(pts)
    return set(_solve_body(_neutral()))


def _neutral() -> Pose:
    angles = {k: 0.0 for k in TRUNK_ANGLES} | {f"{s}.{k}": 0.0 for s in SIDES for k in LIMB_ANGLES}
    return Pose(angles, "pelvis", (0, 0), False, "right", {}, {})


def load_figure(path: Path) -> Figure:
    """One figure file, checked: errors name the file and the key."""
    data, where = read_toml(path)
    where.only(
        data,
        {"view", "zoom", "origin", "moves", "root", "parts", "hide", "order", "props", "arrows",
         "inset", "start", "end"},
    )  # fmt: skip
    view = where.get(data, "view", str, required=False, default="side")
    if view not in VIEWS:
        raise where.child("view").fail(f"one of {', '.join(VIEWS)}")
    specs = FEET_PARTS if view == "feet" else BODY_PARTS
    names = point_names(view)
    start_table = where.get(data, "start", dict)
    end_table = _merge(
        start_table, where.get(data, "end", dict, required=False, default={}, empty_ok=True)
    )
    start = _pose(where.child("start"), start_table, view, names)
    end = _pose(where.child("end"), end_table, view, names)
    if view == "feet":
        specs = tuple(p for p in specs if p.name.split(".")[0] in start.places)
        if set(start.places) != set(end.places):
            raise where.child("end").fail("the same feet as the start")
    part_names = [p.name for p in specs]
    zoom = where.get(data, "zoom", float, required=False, default=1.0)
    if not 0.2 <= zoom <= 10:
        raise where.child("zoom").fail("between 0.2 and 10")
    origin = _pair(where.child("origin"), data["origin"]) if "origin" in data else ORIGIN
    moves = where.get(data, "moves", bool, required=False, default=False)
    root = where.get(data, "root", str, required=False, default=part_names[0])
    if root not in part_names:
        raise where.child("root").fail(f"no part {root!r}; parts: {', '.join(part_names)}")
    parts = tuple(where.strings(data, "parts", required=False)) or tuple(part_names)
    for name in parts:
        if name not in part_names:
            raise where.child("parts").fail(f"no part {name!r}; parts: {', '.join(part_names)}")
    hide = where.strings(data, "hide", required=False)
    groups = {p.group for p in specs}
    for name in hide:
        if name not in part_names and name not in groups:
            raise where.child("hide").fail(f"no part or group {name!r}")
    parts = tuple(
        n
        for n in parts
        if n not in hide and next(p.group for p in specs if p.name == n) not in hide
    )
    order = tuple(where.strings(data, "order", required=False)) or DEFAULT_ORDER
    if view == "side" and sorted(order) != sorted(DEFAULT_ORDER):
        raise where.child("order").fail(f"the groups {', '.join(DEFAULT_ORDER)} in some order")
    props = tuple(
        _prop(where.child("props").index(i), p, names)
        for i, p in enumerate(where.get(data, "props", list, required=False, default=[]))
    )
    arrows = tuple(
        _arrow(where.child("arrows").index(i), a, names)
        for i, a in enumerate(where.get(data, "arrows", list, required=False, default=[]))
    )
    inset = None
    if "inset" in data:
        at = where.child("inset")
        table = at.check(data["inset"], dict)
        at.only(table, {"box", "focus", "zoom", "parts"})
        box = at.get(table, "box", list)
        if len(box) != 4:
            raise at.child("box").fail("must be [x, y, width, height]")
        inset_parts = at.strings(table, "parts")
        for name in inset_parts:
            if name not in part_names:
                raise at.child("parts").fail(f"no part {name!r}")
        x, y, w, h = (at.child("box").index(i).check(v, float) for i, v in enumerate(box))
        inset = Inset(
            (x, y, w, h),
            _ref(at.child("focus"), at.get(table, "focus", object), names),
            at.get(table, "zoom", float),
            inset_parts,
        )
    figure = Figure(
        path.stem, path, view, zoom, origin, moves, root, parts, order, props, arrows, inset,
        start, end, specs,
    )  # fmt: skip
    try:
        render(figure)  # a pose the hands cannot reach, a motion out of the drawing plane …
    except FigureError as exc:
        raise where.child(exc.key).fail(str(exc)) from None
    return figure


def _prop(where: Where, table: Any, names: set[str]) -> Prop:
    table = where.check(table, dict)
    kind = where.get(table, "kind", str)
    if kind not in PROP_KEYS:
        raise where.child("kind").fail(f"one of {', '.join(sorted(PROP_KEYS))}")
    allowed = PROP_KEYS[kind]
    where.only(table, {"kind", "pose", "front", *allowed})
    values: dict[str, Any] = {}
    missing = sorted(PROP_REQUIRED[kind] - set(table))
    if missing:
        raise where.child(missing[0]).fail("missing")
    for key, kind_of in allowed.items():
        if key not in table:
            continue
        value = where.get(table, key, kind_of)
        if key == "points":
            value = [_ref(where.child(key).index(i), v, names) for i, v in enumerate(value)]
        elif kind_of is list:
            value = _ref(where.child(key), value, names)
        values[key] = value
    if values.get("facing", "right") not in ("right", "left"):
        raise where.child("facing").fail('must be "right" or "left"')
    front = where.get(table, "front", bool, required=False, default=False)
    return Prop(kind, _which(where, table, "both"), front, values)


def _which(where: Where, table: Mapping[str, Any], default: str) -> str:
    pose: str = where.get(table, "pose", str, required=False, default=default)
    if pose not in ("start", "end", "both"):
        raise where.child("pose").fail('"start", "end" or "both"')
    return pose


def _arrow(where: Where, table: Any, names: set[str]) -> Arrow:
    table = where.check(table, dict)
    where.only(table, {"from", "to", "bend", "around", "radius", "angles", "pose", "inset", "head"})
    pose = _which(where, table, "end")
    inset = where.get(table, "inset", bool, required=False, default=False)
    head = where.get(table, "head", bool, required=False, default=True)
    if "around" in table:
        angles = _pair(where.child("angles"), where.get(table, "angles", list))
        return Arrow(
            pose, inset, around=_ref(where.child("around"), table["around"], names),
            radius=where.get(table, "radius", float), angles=angles, head=head,
        )  # fmt: skip
    return Arrow(
        pose,
        inset,
        _ref(where.child("from"), where.get(table, "from", object), names),
        _ref(where.child("to"), where.get(table, "to", object), names),
        where.get(table, "bend", float, required=False, default=0.0),
        head=head,
    )


class FigureError(ValueError):
    """A figure cannot be drawn as its data says; `key` names the place in the file."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        super().__init__(problem)


# --- posing ----------------------------------------------------------------------------------


# The foot in its own frame (cm): the ankle joint at 0, x along the sole towards the toes.
HEEL_C, HEEL = (-2.5, -3.5, 0.0), (-2.5, -6.7, 0.0)  # the heel's centre, and under it
MTP, BALL = (14.3, -4.2, 0.0), (14.3, -6.6, 0.0)  # the ball's joint, and under it
TOE_C, TOE_TIP = (5.0, -0.5, 0.0), (5.0, -2.4, 0.0)  # from the ball's joint


def _solve_body(pose: Pose, targets: Mapping[str, Pt] | None = None) -> dict[str, Vec]:
    """Every named point of the body, in cm, the pelvis (between the hip joints) at 0.

    `targets` gives the fixed places a hand ("near.reach") or foot ("near.step") reaches (a wall,
    the floor), in the body's own frame; without them those limbs keep their angles."""
    a = pose.angles
    targets = targets or {}
    p: dict[str, Vec] = {}
    zero: Vec = (0.0, 0.0, 0.0)
    r0 = _rot("z", -a["pelvis"])
    p["pelvis"] = zero
    p["buttock"] = _at(r0, zero, (-3, 5, 0))
    p["waist"] = _at(r0, zero, (-1.5, 13, 0))
    p["seat"] = _at(r0, zero, (-3, -8, 0))
    r1 = _turn(r0, ("z", -a["lumbar"]))
    p["chest"] = _at(r1, p["waist"], (0.5, 14, 0))
    r2 = _turn(r1, ("z", -a["thoracic"]))
    p["breast"] = _at(r2, p["chest"], (0.5, 12, 0))
    p["back"] = _at(r2, p["breast"], (-11.5, 0, 0))  # the upper back, between the shoulder blades
    p["neck"] = _at(r2, p["chest"], (-1.5, 23, 0))
    r3 = _turn(r2, ("z", -a["neck"]))
    p["throat"] = _at(r3, p["neck"], (0.8, 6, 0))
    p["head"] = _at(r3, p["neck"], (1.8, 14.5, 0))
    p["nose"] = _at(r3, p["head"], (10, -1.5, 0))
    for side, sgn in (("near", 1), ("far", -1)):
        hip = p[f"{side}.hip"] = _at(r0, zero, (0, 0, sgn * HIP_HALF))
        flex, knee = a[f"{side}.hip"], a[f"{side}.knee"]
        ankle = a[f"{side}.ankle"]
        step = pose.steps.get(side)
        tilt = pose.tilts.get(side)
        toward = _step_target(p, tilt, targets.get(f"{side}.tilt")) if tilt else None
        for _ in range(8 if side in pose.flat or toward else 1):
            if step is not None:
                where_to = _step_target(p, step[1], targets.get(f"{side}.step"))
                if where_to is not None:
                    point = HEEL if step[0] == "heel" else BALL
                    c, s = math.cos(math.radians(ankle)), math.sin(math.radians(ankle))
                    second = (c * point[0] - s * point[1], -SHIN + s * point[0] + c * point[1])
                    local = _local(r0, (where_to[0] - hip[0], where_to[1] - hip[1], 0.0))
                    flex, knee = _two_link(THIGH, second, -1, local, f"{side}.{step[0]}_at")
            rh = _turn(r0, ("z", flex), ("x", -sgn * a[f"{side}.hip_out"]),
                       ("y", -sgn * a[f"{side}.hip_turn"]))  # fmt: skip
            rs = _turn(rh, ("z", -knee))
            down = _at(rs, zero, (0, -1, 0))
            shin = math.degrees(math.atan2(down[1], down[0]))
            if side in pose.flat:  # the sole level: the foot points along +x
                ankle = _wrap(-(shin + 90))
            elif toward is not None and step is not None:  # the sole from the heel to the ball
                start = _step_target(p, step[1], targets.get(f"{side}.step"))
                if start is not None:
                    sole = math.degrees(math.atan2(toward[1] - start[1], toward[0] - start[0]))
                    ankle = _wrap(sole - shin - 90)
        p[f"{side}.knee"] = _at(rh, hip, (0, -THIGH, 0))
        p[f"{side}.ankle"] = _at(rs, p[f"{side}.knee"], (0, -SHIN, 0))
        p[f"{side}.calf"] = _at(rs, p[f"{side}.knee"], (-1.8, -9, 0))
        p[f"{side}.calf_low"] = _at(rs, p[f"{side}.knee"], (-0.6, -27, 0))
        rf = _turn(rs, ("z", ankle))
        for name, v in (("heel_c", HEEL_C), ("heel", HEEL), ("mtp", MTP), ("ball", BALL)):
            p[f"{side}.{name}"] = _at(rf, p[f"{side}.ankle"], v)
        rt = _turn(rf, ("z", a[f"{side}.toes"]))
        p[f"{side}.toe_c"] = _at(rt, p[f"{side}.mtp"], TOE_C)
        p[f"{side}.toes"] = _at(rt, p[f"{side}.mtp"], TOE_TIP)
    arms: dict[str, Mat] = {}
    for side, sgn in (("near", 1), ("far", -1)):
        shoulder = p[f"{side}.shoulder"] = _at(r2, p["chest"], (0.5, 19.5, sgn * SHOULDER_HALF))
        arms[side] = _turn(r2, ("x", -sgn * a[f"{side}.shoulder_out"]))
        _arm(p, side, arms[side], shoulder, a[f"{side}.shoulder"], a[f"{side}.elbow"],
             a[f"{side}.wrist"])  # fmt: skip
    for side, target in pose.reach.items():
        where_to = _step_target(p, target, targets.get(f"{side}.reach"))
        if where_to is not None:
            _reach(p, side, arms[side], pose, where_to)
    return p


def _step_target(p: Mapping[str, Vec], ref: Ref, fixed: Pt | None) -> Pt | None:
    """Where a limb reaches, in the body's frame: a point of the body (moved by dx, dy), or
    a fixed place once the body is placed (None before)."""
    if ref.name is not None:
        x, y, _ = p[ref.name]
        return (x + ref.dx, y + ref.dy)
    return fixed


def _arm(p: dict[str, Vec], side: str, base: Mat, shoulder: Vec, flex: float, elbow: float,
         wrist: float) -> None:  # fmt: skip
    ra = _turn(base, ("z", flex))
    p[f"{side}.elbow"] = _at(ra, shoulder, (0, -UPPER_ARM, 0))
    rf = _turn(ra, ("z", elbow))
    p[f"{side}.wrist"] = _at(rf, p[f"{side}.elbow"], (0, -FOREARM, 0))
    rw = _turn(rf, ("z", wrist))
    p[f"{side}.hand_c"] = _at(rw, p[f"{side}.wrist"], (0, -9.5, 0))
    p[f"{side}.hand"] = _at(rw, p[f"{side}.wrist"], (0, -12.2, 0))
    p[f"{side}.palm"] = _at(rw, p[f"{side}.wrist"], (0, -6, 0))


def _local(base: Mat, d: Vec) -> Pt:
    """`d` in the frame `base` (a rotation: its transpose undoes it), in that frame's x-y plane."""
    return (
        base[0][0] * d[0] + base[1][0] * d[1] + base[2][0] * d[2],
        base[0][1] * d[0] + base[1][1] * d[1] + base[2][1] * d[2],
    )


def _two_link(first: float, second: Pt, bend: int, target: Pt, key: str) -> tuple[float, float]:
    """Angles for a two-part limb whose first part hangs down (0, -first) and whose second part
    is `second` from the joint: turn the limb by a (anticlockwise) and bend the joint by j
    (`bend` gives its way round) so the tip lands on `target`. Returns (a, j) in degrees."""

    def tip(j: float) -> Pt:
        c, s = math.cos(math.radians(bend * j)), math.sin(math.radians(bend * j))
        return (c * second[0] - s * second[1], -first + s * second[0] + c * second[1])

    want = math.hypot(*target)
    if math.hypot(*tip(0.0)) < want - 2:
        raise FigureError(key, f"cannot reach that point ({want:.0f} cm away)")
    lo, hi = 0.0, 175.0
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if math.hypot(*tip(mid)) > want else (lo, mid)
    t = tip(lo)
    return math.degrees(math.atan2(target[1], target[0]) - math.atan2(t[1], t[0])), lo


def _reach(p: dict[str, Vec], side: str, base: Mat, pose: Pose, target: Pt) -> None:
    """Bend the shoulder and elbow so the palm lies on `target` (in the plane of the arm)."""
    shoulder = p[f"{side}.shoulder"]
    local = _local(base, (target[0] - shoulder[0], target[1] - shoulder[1], 0.0))
    wrist = pose.angles[f"{side}.wrist"]
    w = math.radians(wrist)
    palm = (6 * math.sin(w), -FOREARM - 6 * math.cos(w))
    flex, elbow = _two_link(UPPER_ARM, palm, 1, local, f"{side}.reach")
    _arm(p, side, base, shoulder, flex, elbow, wrist)


def _solve_feet(pose: Pose) -> tuple[dict[str, Pt], dict[str, float]]:
    """Feet seen from above: every named point, in cm, and no depth."""
    p: dict[str, Pt] = {}
    for f, (hx, hy) in pose.places.items():
        m = 1 if f == "right" else -1  # the left foot is the mirror image
        turn = math.radians(-m * pose.angles[f"{f}.turn"])
        c, s = math.cos(turn), math.sin(turn)

        def put(x: float, y: float, m: int = m, c: float = c, s: float = s,
                hx: float = hx, hy: float = hy) -> Pt:  # fmt: skip
            x, y = m * x, y - 3.0  # relative to the heel's centre
            return (hx + c * x - s * y, hy + s * x + c * y)

        p[f"{f}.heel"] = put(0, 3)
        for i, (x, y) in enumerate(_FOOT_OUTLINE):
            p[f"{f}.o{i}"] = put(x, y)
        p[f"{f}.outer"] = put(4.2, BAND_Y)
        p[f"{f}.inner"] = put(-3.3, BAND_Y)
        p[f"{f}.front"] = put(-1.0, 26.0)
        spread = pose.angles[f"{f}.spread"]
        for i, ((bx, by), length, _r0, r1, angle, share) in enumerate(_TOES, start=1):
            a = math.radians(angle + share * spread)
            p[f"{f}.toe{i}_base"] = put(bx, by)
            reach = length - r1
            p[f"{f}.toe{i}_c"] = put(bx + reach * math.sin(a), by + reach * math.cos(a))
            p[f"{f}.toe{i}"] = put(bx + length * math.sin(a), by + length * math.cos(a))
    return p, {}


# --- drawing ---------------------------------------------------------------------------------


@dataclass
class View:
    """Scene (cm, y up) → drawing (y down)."""

    zoom: float
    ox: float
    oy: float

    def __call__(self, pt: Pt) -> Pt:
        return (self.ox + self.zoom * pt[0], self.oy - self.zoom * pt[1])


@dataclass
class Drawn:
    """One part in one pose, in drawing units."""

    spec: PartSpec
    pivot: Pt
    capsules: list[tuple[Pt, Pt, float, float]]
    fill: list[Pt]
    outline: list[Pt]
    depth: float

    def points(self) -> list[Pt]:
        pts = [self.pivot, *self.fill, *self.outline]
        for a, b, _, _ in self.capsules:
            pts += [a, b]
        return pts


@dataclass
class Scene:
    """A pose solved and placed: named points in scene cm, and each part's depth."""

    points: dict[str, Pt]
    depth: dict[str, float]
    specs: tuple[PartSpec, ...]
    view: str

    def ref(self, ref: Ref) -> Pt:
        if ref.name is None:
            return (ref.dx, ref.dy)
        x, y = self.points[ref.name]
        return (x + ref.dx, y + ref.dy)

    def drawn(self, view: View, names: Iterable[str]) -> dict[str, Drawn]:
        out: dict[str, Drawn] = {}
        wanted = set(names)
        for spec in self.specs:
            if spec.name not in wanted:
                continue
            shapes = spec.front if self.view == "front" and spec.front else spec.side
            out[spec.name] = Drawn(
                spec,
                view(self.points[spec.pivot]),
                [(view(self.points[c.a]), view(self.points[c.b]), c.ra * view.zoom,
                  c.rb * view.zoom) for c in shapes],
                [view(self.points[n]) for n in spec.fill],
                [view(self.points[n]) for n in spec.outline],
                self.depth.get(spec.name, 0.0),
            )  # fmt: skip
        return out


def _scene(figure: Figure, pose: Pose) -> Scene:
    if figure.view == "feet":
        pts, depth = _solve_feet(pose)
        return Scene(pts, depth, figure.specs, "feet")
    body = _solve_body(pose)
    flip = -1 if pose.facing == "left" else 1
    fixed = {f"{side}.reach": ref for side, ref in pose.reach.items() if ref.name is None}
    fixed |= {f"{side}.step": ref for side, (_, ref) in pose.steps.items() if ref.name is None}
    fixed |= {f"{side}.tilt": ref for side, ref in pose.tilts.items() if ref.name is None}
    if fixed:  # a hand on a wall, a foot on the floor: place the body, then reach
        if pose.drop or figure.view != "side":
            raise FigureError(
                "anchor", "a limb reaches a fixed place only from the side without drop"
            )
        ax, ay = flip * body[pose.anchor][0], body[pose.anchor][1]
        dx, dy = pose.at[0] - ax, pose.at[1] - ay
        body = _solve_body(pose, {k: (flip * (r.dx - dx), r.dy - dy) for k, r in fixed.items()})
        if math.dist((flip * body[pose.anchor][0] + dx, body[pose.anchor][1] + dy), pose.at) > 0.5:
            raise FigureError("anchor", "the anchor is on a limb that reaches a fixed place")
    if figure.view == "front":
        flat = {k: (v[2], v[1]) for k, v in body.items()}
        depth_of = {k: v[0] for k, v in body.items()}
    else:
        flat = {k: (flip * v[0], v[1]) for k, v in body.items()}
        depth_of = {k: v[2] for k, v in body.items()}
    ax, ay = flat[pose.anchor]
    dx, dy = pose.at[0] - ax, pose.at[1] - ay
    pts = {k: (x + dx, y + dy) for k, (x, y) in flat.items()}
    depth = {
        spec.name: sum(depth_of[c.a] + depth_of[c.b] for c in spec.side) / (2 * len(spec.side))
        for spec in figure.specs
    }
    if pose.drop:
        drawn = [s for s in figure.specs if s.name in figure.parts]
        low = min(
            pts[n][1] - r
            for s in drawn
            for c in (s.front if figure.view == "front" and s.front else s.side)
            for n, r in ((c.a, c.ra), (c.b, c.rb))
        )
        pts = {k: (x, y - low) for k, (x, y) in pts.items()}
    return Scene(pts, depth, figure.specs, figure.view)


def _n(v: float) -> str:
    """A number for the SVG: one decimal, no trailing zero, no leading zero."""
    text = f"{round(v, 1):.1f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        return "0"
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def _nums(*values: float | str) -> str:
    """Numbers for path data, a space between them only where a sign does not separate them."""
    out = ""
    for v in values:
        text = v if isinstance(v, str) else _n(v)
        if out and not text.startswith("-") and out[-1] not in "MLAaCcHhVvZzml":
            out += " "
        out += text
    return out


def _p(pt: Pt) -> str:
    return _nums(pt[0], pt[1])


def _capsule(a: Pt, b: Pt, ra: float, rb: float) -> str:
    """Path data for a tapered capsule: two circles joined by their outer tangents."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    d = math.hypot(dx, dy)
    if d < 0.05 or abs(ra - rb) >= d:
        c, r = (a, ra) if ra >= rb else (b, rb)
        return _circle_d(c, r)
    ux, uy = dx / d, dy / d
    nx, ny = -uy, ux
    s = (ra - rb) / d
    k = math.sqrt(1 - s * s)
    m1 = (ux * s + nx * k, uy * s + ny * k)
    m2 = (ux * s - nx * k, uy * s - ny * k)
    a1 = (round(a[0] + ra * m1[0], 1), round(a[1] + ra * m1[1], 1))
    b1 = (round(b[0] + rb * m1[0], 1), round(b[1] + rb * m1[1], 1))
    b2 = (round(b[0] + rb * m2[0], 1), round(b[1] + rb * m2[1], 1))
    a2 = (round(a[0] + ra * m2[0], 1), round(a[1] + ra * m2[1], 1))
    # the arc at b goes round b's far side, the arc at a round a's far side
    sweep = "1" if (m1[0] * uy - m1[1] * ux) > 0 else "0"
    large_b, large_a = ("1", "0") if s < 0 else ("0", "1")
    return (
        "M" + _nums(*a1)
        + "l" + _nums(b1[0] - a1[0], b1[1] - a1[1])
        + "a" + _nums(rb, rb, "0", large_b, sweep, b2[0] - b1[0], b2[1] - b1[1])
        + "l" + _nums(a2[0] - b2[0], a2[1] - b2[1])
        + "a" + _nums(ra, ra, "0", large_a, sweep, a1[0] - a2[0], a1[1] - a2[1])
        + "z"
    )  # fmt: skip


def _circle_d(c: Pt, r: float) -> str:
    return (
        "M" + _nums(c[0] - r, c[1])
        + "a" + _nums(r, r, "0", "1", "0", 2 * r, "0")
        + "a" + _nums(r, r, "0", "1", "0", -2 * r, "0") + "z"
    )  # fmt: skip


def _smooth(points: Sequence[Pt], closed: bool) -> str:
    """A smooth path through the points (Catmull-Rom as cubic Béziers)."""
    n = len(points)
    if n < 3:
        return "M" + "L".join(_p(p) for p in points)
    pts = list(points)
    out = [f"M{_p(pts[0])}"]
    last = n if closed else n - 1
    for i in range(last):
        p0 = pts[(i - 1) % n] if closed or i > 0 else pts[0]
        p1, p2 = pts[i], pts[(i + 1) % n]
        p3 = pts[(i + 2) % n] if closed or i + 2 < n else p2
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        out.append(f"C{_p(c1)} {_p(c2)} {_p(p2)}")
    return "".join(out) + ("Z" if closed else "")


def _part_d(part: Drawn, shift: Pt = (0.0, 0.0)) -> str:
    """The outline of a part as one path's data, moved by -shift (local to its pivot)."""

    def m(pt: Pt) -> Pt:
        return (pt[0] - shift[0], pt[1] - shift[1])

    d = "".join(_capsule(m(a), m(b), ra, rb) for a, b, ra, rb in part.capsules)
    if part.fill:
        d += "M" + "L".join(_p(m(p)) for p in part.fill) + "Z"
    if part.outline:
        d += _smooth([m(p) for p in part.outline], closed=True)
    return d


# Motion: each turn or move is split into powers of two, each a group app.css animates.
POWERS = (128, 64, 32, 16, 8, 4, 2, 1)


def _split(value: float) -> list[int]:
    """The fewest signed powers of two that add up to round(value): 28 → [32, -4]."""
    n = int(round(value))
    if abs(n) > 255:
        raise FigureError("end", f"a turn or move of {abs(n)} is too large to animate")
    out = []
    power = 1
    while n:
        if n % 2:
            digit = 2 - (n % 4)  # 1 or -1: the non-adjacent form
            out.append(digit * power)
            n -= digit
        n //= 2
        power *= 2
    if any(abs(k) > 128 for k in out):  # 255 = 256 - 1: plain binary stays within 128
        m = int(round(value))
        out = [(1 if m > 0 else -1) * p for p in POWERS if abs(m) & p]
    return out[::-1]


def _turn_groups(deg: float) -> tuple[str, int]:
    parts = _split(deg)
    return (
        "".join(f'<g class="app-fig__m app-fig__r{k}" transform="rotate({k})">' for k in parts),
        len(parts),
    )


def _move_groups(dx: float, dy: float) -> tuple[str, int]:
    xs, ys = _split(dx), _split(dy)
    text = "".join(f'<g class="app-fig__m app-fig__x{k}" transform="translate({k})">' for k in xs)
    text += "".join(
        f'<g class="app-fig__m app-fig__y{k}" transform="translate(0 {k})">' for k in ys
    )
    return text, len(xs) + len(ys)


def _angle_of(a: Pt, b: Pt) -> float:
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))


def _wrap(deg: float) -> float:
    return (deg + 180) % 360 - 180


@dataclass
class Motion:
    """How each part moves from the start pose to the end pose, as a tree of turns."""

    parent: dict[str, str | None]
    pivot: dict[str, Pt]  # in the start pose
    turn: dict[str, float]  # relative to the parent, degrees (drawing's clockwise +)
    move: dict[str, Pt]  # roots only: how far the pivot moves


def _motion(specs: Sequence[PartSpec], root: str, a: Scene, b: Scene, view: View) -> Motion:
    """Re-root the skeleton at `root` (the part that stays put) and find each part's turn about
    the joint it shares with its parent in that tree."""
    links: dict[str, list[tuple[str, str]]] = {s.name: [] for s in specs}
    for s in specs:
        if s.parent is not None:
            links[s.name].append((s.parent, s.pivot))
            links[s.parent].append((s.name, s.pivot))
    parent: dict[str, str | None] = {}
    joint: dict[str, str] = {}
    for r in [root] + [s.name for s in specs if s.parent is None]:
        if r in parent:
            continue
        parent[r] = None
        joint[r] = next(s.pivot for s in specs if s.name == r)
        queue = [r]
        while queue:
            cur = queue.pop(0)
            for other, via in links[cur]:
                if other not in parent:
                    parent[other] = cur
                    joint[other] = via
                    queue.append(other)
    names = [s.name for s in specs]
    drawn_a, drawn_b = a.drawn(view, names), b.drawn(view, names)
    pivot = {n: view(a.points[joint[n]]) for n in names}
    absolute: dict[str, float] = {}
    move: dict[str, Pt] = {}
    for n in names:
        pa, pb = pivot[n], view(b.points[joint[n]])
        pts_a, pts_b = drawn_a[n].points(), drawn_b[n].points()
        i = max(range(len(pts_a)), key=lambda k: math.dist(pts_a[k], pa))
        absolute[n] = _wrap(_angle_of(pb, pts_b[i]) - _angle_of(pa, pts_a[i]))
        _check_rigid(n, pts_a, pts_b, pa, pb, absolute[n])
        if parent[n] is None:
            move[n] = (pb[0] - pa[0], pb[1] - pa[1])
    turn = {
        n: _wrap(absolute[n] - (absolute[p] if (p := parent[n]) is not None else 0.0))
        for n in names
    }
    return Motion(parent, pivot, turn, move)


def _check_rigid(name: str, a: list[Pt], b: list[Pt], pa: Pt, pb: Pt, turn: float) -> None:
    """The end shape is the start shape turned and moved: the motion stays in the drawing."""
    t = math.radians(turn)
    c, s = math.cos(t), math.sin(t)
    for p, q in zip(a, b, strict=True):
        x, y = p[0] - pa[0], p[1] - pa[1]
        moved = (pb[0] + c * x - s * y, pb[1] + s * x + c * y)
        if math.dist(moved, q) > 1.5:
            raise FigureError(
                "moves", f"{name} does not move in the plane of the drawing; set moves = false"
            )


# --- the SVG ---------------------------------------------------------------------------------

SVG_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
    ' class="app-fig" fill="currentColor" stroke-linecap="round" stroke-linejoin="round">'
)
PROP_OPEN = '<g class="app-fig__prop" fill="none" stroke="currentColor" stroke-width="4">'
ARROW_OPEN = '<g class="app-drawing__accent" fill="none" stroke="currentColor" stroke-width="5">'


def _groups(figure: Figure, drawn: Mapping[str, Drawn]) -> list[tuple[str, list[str]]]:
    """The groups of parts in drawing order, each with its style ("far", "near" or "")."""
    groups: dict[str, list[str]] = {}
    for spec in figure.specs:
        if spec.name in drawn:
            groups.setdefault(spec.group, []).append(spec.name)
    if figure.view == "side":
        names = [g for g in figure.order if g in groups]
    elif figure.view == "front":

        def depth(g: str) -> float:
            return sum(drawn[n].depth for n in groups[g]) / len(groups[g])

        names = sorted(groups, key=depth)
    else:
        names = list(groups)
    out = []
    for g in names:
        style = "far" if g.startswith("far.") else ("near" if g != "trunk" else "")
        if figure.view == "front" and g != "trunk":
            style = "near"
        if figure.view == "feet":
            style = ""
        out.append((style, groups[g]))
    return out


def _items(figure: Figure, drawn: Mapping[str, Drawn]) -> list[tuple[str, list[str]]]:
    """Runs of parts with one style each: the far limbs in one lighter group; a near limb's
    parts each with a gap round it, so it stands out where it crosses the body."""
    runs: list[tuple[str, list[str]]] = []
    for style, names in _groups(figure, drawn):
        for name in names:
            if runs and RUN_OPEN[runs[-1][0]] == RUN_OPEN[style]:
                runs[-1][1].append(name)
                continue
            runs.append((style, [name]))
    return runs


RUN_OPEN = {"": "", "far": '<g class="app-fig__far">', "near": ""}


def _item_svg(part: Drawn, near: bool, shift: Pt = (0.0, 0.0)) -> str:
    d = _part_d(part, shift)
    if near or part.spec.gap:
        return f'<path class="app-fig__cut" d="{d}"/>'
    return f'<path d="{d}"/>'


def _near(figure: Figure, drawn: Mapping[str, Drawn]) -> set[str]:
    return {n for style, names in _groups(figure, drawn) if style == "near" for n in names}


def _still_figure(figure: Figure, drawn: Mapping[str, Drawn]) -> str:
    near = _near(figure, drawn)
    out = []
    for style, names in _items(figure, drawn):
        body = "".join(_item_svg(drawn[n], n in near) for n in names)
        out.append(RUN_OPEN[style] + body + ("</g>" if RUN_OPEN[style] else ""))
    return "".join(out)


def _moving_figure(figure: Figure, a: Mapping[str, Drawn], motion: Motion) -> str:
    """The start shapes in nested groups whose transforms give the end pose."""

    def chain(name: str) -> list[str]:
        out = [name]
        while (p := motion.parent[out[-1]]) is not None:
            out.append(p)
        return out[::-1]

    near = _near(figure, a)
    out: list[str] = []
    for style, names in _items(figure, a):
        out.append(RUN_OPEN[style])
        # (part, groups opened for it, the drawing's origin inside them)
        stack: list[tuple[str, int, Pt]] = []
        for name in names:
            want = chain(name)
            keep = 0
            while keep < len(stack) and keep < len(want) and stack[keep][0] == want[keep]:
                keep += 1
            while len(stack) > keep:
                out.append("</g>" * stack.pop()[1])
            for link in want[keep:]:
                origin = stack[-1][2] if stack else (0.0, 0.0)
                text, count = "", 0
                if motion.parent[link] is None:
                    text, count = _move_groups(*motion.move[link])
                turn_text, turns = _turn_groups(motion.turn[link])
                if turns:
                    px, py = motion.pivot[link]
                    if (round(px - origin[0], 1), round(py - origin[1], 1)) != (0, 0):
                        text += f'<g transform="translate({_p((px - origin[0], py - origin[1]))})">'
                        count += 1
                    text += turn_text
                    count += turns
                    origin = (px, py)
                out.append(text)
                stack.append((link, count, origin))
            out.append(_item_svg(a[name], name in near, stack[-1][2]))
        while stack:
            out.append("</g>" * stack.pop()[1])
        if RUN_OPEN[style]:
            out.append("</g>")
    return "".join(out)


def _prop_svg(prop: Prop, scene: Scene, view: View) -> str:
    v = prop.values

    def pt(ref: Ref) -> Pt:
        return view(scene.ref(ref))

    def line(*pts: Pt) -> str:
        return "M" + "L".join(_p(p) for p in pts)

    z = view.zoom
    kind = prop.kind
    if kind == "wall":
        x, y0 = view((v["x"], 0))
        y1 = max(view((v["x"], v.get("top", 400.0)))[1], -4)
        return f'<path d="M{_p((x, y0))}V{_n(y1)}"/>'
    if kind == "chair":
        x, seat = v["x"], v["seat"]
        depth = v.get("depth", 42.0)
        back = v.get("back", seat + 42.0)
        f = -1 if v.get("facing", "right") == "left" else 1
        if scene.view == "front":
            half = depth / 2
            corners = [view((x - half, 0)), view((x - half, seat)), view((x + half, seat))]
            return f'<path d="{line(*corners, view((x + half, 0)))}"/>'
        rear = x - f * depth
        d = line(view((x - f * 2, 0)), view((x - f * 2, seat)), view((rear, seat)))
        d += line(view((rear + f * 2, 0)), view((rear + f * 2, back)))
        return f'<path d="{d}"/>'
    if kind == "bench":
        x, seat = v["x"], v["seat"]
        depth = v.get("depth", 40.0)
        d = line(view((x - depth, seat)), view((x, seat)))
        d += line(view((x - 4, seat)), view((x - 4, 0)))
        d += line(view((x - depth + 4, seat)), view((x - depth + 4, 0)))
        return f'<path d="{d}"/>'
    if kind == "ball":
        c = pt(v["at"])
        return f'<circle cx="{_n(c[0])}" cy="{_n(c[1])}" r="{_n(v["r"] * z)}"/>'
    if kind == "step":
        x, h = v["x"], v["height"]
        depth = v.get("depth", 60.0)
        return f'<path d="{line(view((x - depth, h)), view((x, h)), view((x, 0)))}"/>'
    if kind == "towel":
        return f'<path stroke-width="6" d="{_smooth([pt(r) for r in v["points"]], False)}"/>'
    if kind == "band":  # a flat elastic band: a hollow ribbon with a gap round it
        d = "M" + "L".join(_p(pt(r)) for r in v["points"])
        gap = 'class="app-fig__halo" stroke-width'
        return (
            f'<path {gap}="13" d="{d}"/><path stroke-width="9" d="{d}"/><path {gap}="4" d="{d}"/>'
        )
    if kind == "line":
        pts = [pt(r) for r in v["points"]]
        closed = bool(v.get("closed", False))
        if v.get("smooth", False):
            d = _smooth(pts, closed)
        else:
            d = "M" + "L".join(_p(p) for p in pts) + ("Z" if closed else "")
        return f'<path d="{d}"/>'
    if kind == "bike":  # an exercise bike: base, seat post, front post, flywheel, cranks
        cx, cy = scene.ref(v["crank"])
        sx, sy = scene.ref(v["saddle"])
        bx, by = scene.ref(v["bars"])
        d = line(view((cx - 42, 2)), view((cx + 44, 2)))
        d += line(view((cx - 30, 2)), view((cx, cy)), view((sx, sy - 3)))
        d += line(view((sx - 11, sy)), view((sx + 9, sy)))
        d += line(view((cx + 34, 2)), view((bx - 4, by - 3)), view((bx + 3, by)))
        d += line(view((cx, cy)), view((cx + 22, cy)))
        crank = pt(v["crank"])
        for s in SIDES:
            if f"{s}.ball" in scene.points:
                d += line(crank, view(scene.points[f"{s}.ball"]))
        wheel = view((cx + 30, 17))
        return (
            f'<path d="{d}"/><circle cx="{_n(wheel[0])}" cy="{_n(wheel[1])}" r="{_n(14 * z)}"/>'
            f'<circle cx="{_n(crank[0])}" cy="{_n(crank[1])}" r="{_n(3 * z)}"/>'
        )
    raise AssertionError(kind)


def _arrow_svg(arrow: Arrow, scene: Scene, view: View) -> str:
    if arrow.around is not None:
        c = view(scene.ref(arrow.around))
        r = arrow.radius * view.zoom
        a0, a1 = (math.radians(a) for a in arrow.angles)
        steps = max(2, int(abs(a1 - a0) / 0.35))
        pts = [
            (c[0] + r * math.cos(a0 + (a1 - a0) * i / steps),
             c[1] - r * math.sin(a0 + (a1 - a0) * i / steps))
            for i in range(steps + 1)
        ]  # fmt: skip
        d = _smooth(pts, False)
        end, before = pts[-1], pts[-2]
    else:
        assert arrow.start is not None and arrow.end is not None
        s, e = view(scene.ref(arrow.start)), view(scene.ref(arrow.end))
        if arrow.bend:
            mx, my = (s[0] + e[0]) / 2, (s[1] + e[1]) / 2
            length = math.dist(s, e) or 1
            nx, ny = (e[1] - s[1]) / length, -(e[0] - s[0]) / length
            ctrl = (mx + nx * arrow.bend * view.zoom * 2, my + ny * arrow.bend * view.zoom * 2)
            d = f"M{_p(s)}Q{_p(ctrl)} {_p(e)}"
            before = ctrl
        else:
            d = f"M{_p(s)}L{_p(e)}"
            before = s
        end = e
    if not arrow.head:
        return f'<path d="{d}"/>'
    ang = math.atan2(end[1] - before[1], end[0] - before[0])
    head = [
        (end[0] - 11 * math.cos(ang + side * 0.5), end[1] - 11 * math.sin(ang + side * 0.5))
        for side in (-1, 1)
    ]
    return f'<path d="{d}M{_p(head[0])}L{_p(end)}L{_p(head[1])}"/>'


def _shows(item_pose: str, pose: str) -> bool:
    return item_pose == "both" or item_pose == pose


def _props(figure: Figure, scene: Scene, view: View, pose: str, front: bool,
           moving: bool = False) -> str:  # fmt: skip
    """The props for one pose; in a moving figure the start's and end's own props fade."""
    out = []
    for prop in figure.props:
        if prop.front != front:
            continue
        if moving and prop.pose != "both":
            fade = "in" if prop.pose == "end" else "out"
            hidden = ' opacity="0"' if fade == "out" else ""
            drawn = _prop_svg(prop, scene, view)
            out.append(f'<g class="app-fig__m app-fig__{fade}"{hidden}>{drawn}</g>')
        elif _shows(prop.pose, pose):
            out.append(_prop_svg(prop, scene, view))
    if not out:
        return ""
    if front and figure.view == "feet":
        return '<g fill="none" stroke="currentColor">' + "".join(out) + "</g>"
    return PROP_OPEN + "".join(out) + "</g>"


def _floor(view: View, left: float = 8, right: float = WIDTH - 8) -> str:
    y = view.oy
    if not 0 <= y <= HEIGHT:
        return ""
    return f'<path d="M{_n(left)} {_n(y)}H{_n(right)}"/>'


def render(figure: Figure) -> dict[str, str]:
    """The start and end drawing of a figure: {"start": svg, "end": svg}."""
    view = View(figure.zoom, *figure.origin)
    scenes = {}
    for pose in ("start", "end"):
        try:
            scenes[pose] = _scene(figure, figure.start if pose == "start" else figure.end)
        except FigureError as exc:
            raise FigureError(f"{pose}.{exc.key}", str(exc)) from None
    out = {}
    for pose in ("start", "end"):
        moving = figure.moves and pose == "end"
        out[pose] = _svg(figure, scenes, view, pose, moving)
    return out


def _svg(figure: Figure, scenes: dict[str, Scene], view: View, pose: str, moving: bool) -> str:
    scene = scenes[pose]
    parts = [SVG_OPEN.format(w=WIDTH, h=HEIGHT)]
    parts.append(_frame(figure, scenes, view, figure.parts, pose, moving, main=True))
    if figure.inset is not None:
        inset = figure.inset
        x, y, w, h = inset.box
        focus = scenes["start"].ref(inset.focus)
        iview = View(
            inset.zoom, x + w / 2 - inset.zoom * focus[0], y + h / 2 + inset.zoom * focus[1]
        )
        clip = f"app-fig-{figure.id}-{pose}"
        box = f'x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="8"'
        parts.append(f'<clipPath id="{clip}"><rect {box}/></clipPath>')
        parts.append(f'<rect class="app-fig__inset" {box} fill="none"/>')
        parts.append(f'<g clip-path="url(#{clip})">')
        parts.append(_frame(figure, scenes, iview, inset.parts, pose, moving, main=False))
        parts.append("</g>")
        border = 'fill="none" stroke="currentColor" stroke-width="3" class="app-fig__prop"'
        parts.append(f"<rect {box} {border}/>")
    arrows = [
        _arrow_svg(a, scene, view if not a.inset else _inset_view(figure, scenes))
        for a in figure.arrows
        if _shows(a.pose, pose)
    ]
    if arrows:
        parts.append(ARROW_OPEN + "".join(arrows) + "</g>")
    parts.append("</svg>")
    return "".join(parts)


def _inset_view(figure: Figure, scenes: dict[str, Scene]) -> View:
    assert figure.inset is not None
    inset = figure.inset
    x, y, w, h = inset.box
    focus = scenes["start"].ref(inset.focus)
    return View(inset.zoom, x + w / 2 - inset.zoom * focus[0], y + h / 2 + inset.zoom * focus[1])


def _frame(figure: Figure, scenes: dict[str, Scene], view: View, names: Sequence[str], pose: str,
           moving: bool, main: bool) -> str:  # fmt: skip
    """Floor, props and figure as seen through one view (the drawing, or its inset)."""
    scene = scenes[pose]
    out = []
    floor = _floor(view) if figure.view != "feet" else ""
    back = _props(figure, scene, view, pose, front=False, moving=moving)
    if floor:
        back = (back[: -len("</g>")] + floor + "</g>") if back else PROP_OPEN + floor + "</g>"
    out.append(back)
    if moving:
        motion = _motion(figure.specs, figure.root, scenes["start"], scenes["end"], view)
        out.append(_moving_figure(figure, scenes["start"].drawn(view, names), motion))
    else:
        out.append(_still_figure(figure, scene.drawn(view, names)))
    out.append(_props(figure, scene, view, pose, front=True, moving=moving))
    return "".join(out)


# --- measuring (for the tests) ---------------------------------------------------------------


def foot_length(figure: Figure) -> float:
    """The length of the largest foot drawn, heel to toe tip, in drawing units (of 320)."""
    scenes = {"start": _scene(figure, figure.start), "end": _scene(figure, figure.end)}
    views = [(View(figure.zoom, *figure.origin), figure.parts)]
    if figure.inset is not None:
        views.append((_inset_view(figure, scenes), figure.inset.parts))
    best = 0.0
    pts = scenes["start"].points
    for view, parts in views:
        if figure.view == "feet":
            for f in FEET:
                if f"{f}.foot" in parts and f"{f}.heel" in pts:
                    heel = view(pts[f"{f}.o0"])
                    best = max(best, math.dist(heel, view(pts[f"{f}.toe1"])))
        else:
            for s in SIDES:
                if f"{s}.foot" in parts and f"{s}.toes" in parts:
                    heel, toe = view(pts[f"{s}.heel_c"]), view(pts[f"{s}.toe_c"])
                    best = max(best, math.dist(heel, toe) + (3.2 + 1.9) * view.zoom)
    return best


# --- files -----------------------------------------------------------------------------------


def load_figures(folder: Path = FIGURES) -> dict[str, Figure]:
    return {p.stem: load_figure(p) for p in sorted(folder.glob("*.toml"))}


def expected_files(folder: Path = FIGURES) -> dict[str, str]:
    """Every drawing the figure data gives: file name → SVG text."""
    out = {}
    for fid, figure in load_figures(folder).items():
        for pose, svg in render(figure).items():
            out[f"{fid}-{pose}.svg"] = svg + "\n"
    return out


def stale(folder: Path = FIGURES, drawings: Path = DRAWINGS) -> list[str]:
    """The drawings that differ from what the data gives (or are missing)."""
    out = []
    for name, svg in expected_files(folder).items():
        path = drawings / name
        if not path.is_file() or path.read_text(encoding="utf-8") != svg:
            out.append(name)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m webapp.core.figures", description="Draw the exercise figures from data."
    )
    parser.add_argument("--check", action="store_true", help="fail if a drawing is out of date")
    args = parser.parse_args(argv)
    try:
        files = expected_files()
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 2
    missing = sorted(
        {p.stem for p in EXERCISES.glob("*.toml")} - {n.rsplit("-", 1)[0] for n in files}
    )
    if missing:
        print("no figure data for: " + ", ".join(missing), file=sys.stderr)
        return 1
    if args.check:
        bad = stale()
        for name in bad:
            print(f"static/img/exercises/{name} differs from content/figures/", file=sys.stderr)
        if bad:
            print("run: .venv/bin/python -m webapp.core.figures", file=sys.stderr)
        return 1 if bad else 0
    sizes = []
    for name, svg in files.items():
        path = DRAWINGS / name
        if not path.is_file() or path.read_text(encoding="utf-8") != svg:
            path.write_text(svg, encoding="utf-8")
            print("wrote", path.relative_to(ROOT))
        sizes.append(len(svg.encode()))
    print(
        f"{len(files)} drawings, {max(sizes)} bytes at most, {sum(sizes) // len(sizes)} on average"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
