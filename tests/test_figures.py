"""Exercise figures: drawn from content/figures/ by webapp.core.figures, safe to inline."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from webapp.core import figures
from webapp.core.validation import ContentError

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = sorted(p.stem for p in (ROOT / "content" / "exercises").glob("*.toml"))
FIGURES = figures.load_figures()
SVGS = sorted((ROOT / "static" / "img" / "exercises").glob("*.svg"))
CSS = "".join(
    (ROOT / "static" / "css" / name).read_text(encoding="utf-8")
    for name in ("app.css", "figures.css")
)
# The exercises about the foot: their foot must be large enough to read on a phone.
FOOT_EXERCISES = [
    "sole-stretch", "towel-curl", "toe-spread", "ankle-circles", "heel-raise", "heel-drop",
    "ankle-band-eversion", "single-leg-balance", "calf-stretch", "tibial-nerve-glide",
]  # fmt: skip
MIN_FOOT = 64  # drawing units of 320: a fifth of the drawing's width, about 34 px on a phone
NS = "{http://www.w3.org/2000/svg}"
TAGS = {"svg", "g", "path", "circle", "rect", "clipPath"}
ATTRIBUTES = {
    "xmlns", "viewBox", "width", "height", "class", "fill", "stroke", "stroke-width",
    "stroke-linecap", "stroke-linejoin", "d", "cx", "cy", "r", "x", "y", "rx", "transform",
    "opacity", "id", "clip-path",
}  # fmt: skip


def test_every_exercise_has_figure_data():
    assert EXERCISES == sorted(FIGURES)


def test_every_drawing_is_what_the_data_gives():
    assert figures.stale() == [], "run: .venv/bin/python -m webapp.core.figures"
    assert {p.name for p in SVGS} == set(figures.expected_files())


def test_the_command_checks(capsys):
    assert figures.main(["--check"]) == 0


@pytest.mark.parametrize("path", SVGS, ids=lambda p: p.name)
def test_drawing_is_small_and_safe_to_inline(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.encode()) < figures.MAX_BYTES
    assert " style=" not in text and "<style" not in text and "<script" not in text
    assert "href" not in text and "http" not in text.replace("http://www.w3.org/2000/svg", "")
    root = ET.fromstring(text)
    for el in root.iter():
        tag = el.tag.removeprefix(NS)
        assert tag in TAGS, f"{path.name}: <{tag}>"
        assert set(el.attrib) <= ATTRIBUTES, f"{path.name}: {set(el.attrib) - ATTRIBUTES}"
        for key in ("fill", "stroke"):  # colours follow the text: light and dark mode
            assert el.get(key, "none") in ("none", "currentColor"), f"{path.name}: {key}"
        if "clip-path" in el.attrib:  # only its own clip, named after the file
            assert el.get("clip-path") == f"url(#app-fig-{path.stem})"
        if "id" in el.attrib:
            assert el.get("id") == f"app-fig-{path.stem}"


def test_every_class_a_drawing_uses_is_styled():
    classes = [re.findall(r'class="([^"]+)"', p.read_text(encoding="utf-8")) for p in SVGS]
    used = {name for found in classes for value in found for name in value.split()}
    missing = sorted(c for c in used if f".{c} " not in CSS and f".{c}," not in CSS)
    assert missing == []


def test_motion_only_without_reduced_motion():
    """Every animation in the figures' CSS block is switched on inside the media query."""
    block = CSS[CSS.index("/* === Exercise figures") : CSS.index("/* === end of exercise figures")]
    outside = re.sub(
        r"@media \(prefers-reduced-motion: no-preference\) \{.*?\n\}", "", block, flags=re.S
    )
    assert "animation" not in outside.replace("@keyframes", "")
    assert re.search(r"animation: 3s ease-in-out infinite alternate", block)


@pytest.mark.parametrize("exercise_id", FOOT_EXERCISES)
def test_foot_exercises_show_a_foot_large_enough(exercise_id):
    assert figures.foot_length(FIGURES[exercise_id]) >= MIN_FOOT


def test_moving_figures_animate_and_still_ones_do_not():
    for fid, figure in FIGURES.items():
        svg = figures.render(figure)
        assert "app-fig__m" not in svg["start"], fid
        assert ("app-fig__m" in svg["end"]) == figure.moves, fid
    moving = {fid for fid, figure in FIGURES.items() if figure.moves}
    assert {"heel-raise", "pelvic-tilt", "cat-camel", "bridge", "ankle-circles",
            "sciatic-nerve-glide", "tibial-nerve-glide"} <= moving  # fmt: skip


@pytest.mark.parametrize("value", [0, 1, -3, 21, 28, 127, 128, 180, -180, 255, -255])
def test_turns_split_into_powers_of_two_that_add_up(value):
    parts = figures._split(value)
    assert sum(parts) == value
    assert all(abs(p) in figures.POWERS for p in parts)


def _broken(tmp_path: Path, name: str, text: str) -> ContentError:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        figures.load_figure(path)
    return info.value


START = '[start]\nanchor = "pelvis"\nat = [1, 2]\n'


@pytest.mark.parametrize(
    "text, key, problem",
    [
        (START + '[start.near]\nknee = "bent"', "start.near.knee", "must be a number"),
        (START + "[start.near]\nelbow = 400", "start.near.elbow", "between -360 and 360"),
        ('[start]\nanchor = "nose tip"\nat = [1, 2]', "start.anchor", "no point"),
        (START + "spin = 3", "start.spin", "unknown key"),
        ('view = "top"\n' + START, "view", "one of"),
        (START + '[[props]]\nkind = "sofa"', "props[0].kind", "one of"),
        (START + "[start.near]\nreach = [900, 0]", "start.near.reach", "cannot reach"),
    ],
)
def test_broken_figure_data_names_the_file_and_key(tmp_path, text, key, problem):
    error = _broken(tmp_path, "bridge", text)
    assert error.file.endswith("bridge.toml")
    assert key in error.key and problem in error.problem


@pytest.mark.browser
def test_figures_are_visible_and_move_only_when_motion_is_welcome(page, live_server):
    """At 390 px both drawings show; with reduced motion nothing moves, otherwise the end
    drawing moves, and ends where the still end drawing is."""
    drawings = page.locator(".app-drawings")
    boxes = """el => Array.from(el.querySelectorAll('svg path')).map(p => {
        const b = p.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; })"""
    animations = "el => el.getAnimations({subtree: true}).length"

    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server + "/nb/ovelser/heel-raise")
    for svg in drawings.locator("svg").all():
        box = svg.bounding_box()
        assert svg.is_visible() and box is not None and box["width"] > 140
    assert drawings.evaluate(animations) == 0
    still = drawings.evaluate(boxes)

    page.emulate_media(reduced_motion="no-preference")
    assert drawings.evaluate(animations) > 0
    drawings.evaluate(
        "el => el.getAnimations({subtree: true}).forEach(a => { a.pause(); a.currentTime = 3000; })"
    )  # the end of the forward stroke: the end pose
    moved = drawings.evaluate(boxes)
    assert len(moved) == len(still)
    for a, b in zip(still, moved, strict=True):
        assert all(abs(x - y) < 1.5 for x, y in zip(a, b, strict=True))
