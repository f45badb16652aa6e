"""The sequence diagram of a run (``minimq.render.sequence``): well-formed, one lane per
column, the duplicate drawn red with its reason, every step tagged, nothing remote,
byte-identical from the same events."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache

import pytest
from sequence_runs import sequence

from minimq import events as ev
from minimq.i18n import t
from minimq.lessons import LESSON1, LESSON3
from minimq.render.lesson_view import lane_columns
from minimq.render.sequence import sequence_svg

SVG = "{http://www.w3.org/2000/svg}"


@cache
def drawn(number: int, lang: str) -> str:
    return sequence({1: LESSON1, 3: LESSON3}[number], 1, lang)


def groups(svg: str, *classes: str) -> list[ET.Element]:
    """The ``<g>`` elements that have every one of ``classes``."""
    root = ET.fromstring(svg)
    return [g for g in root.iter(f"{SVG}g") if set(classes) <= set((g.get("class") or "").split())]


def said(element: ET.Element) -> str:
    return " ".join("".join(text.itertext()) for text in element.iter(f"{SVG}text"))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("number", [1, 3])
def test_well_formed_with_one_lane_per_column(number: int, lang: str) -> None:
    svg = drawn(number, lang)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    columns = lane_columns({1: LESSON1, 3: LESSON3}[number], lang)
    (head,) = groups(svg, "sq-head")
    assert [said(rect) for rect in head.iter(f"{SVG}text")][1:] == columns
    xs = {line.get("x1") for line in root.iter(f"{SVG}line") if line.get("class") == "sq-lane"}
    assert len(xs) == len(columns)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson1_duplicate_is_red_with_its_reason(lang: str) -> None:
    svg = drawn(1, lang)
    dups = groups(svg, "sq-ev", "sq-dup")
    deliveries = [g for g in dups if t("ui.dup_mark", lang) in said(g)]
    effects = [g for g in dups if t("ui.dup_effect_mark", lang) in said(g)]
    assert deliveries and effects  # the second message's deliveries, and the second coupon row
    why = "why:" if lang == "en" else "原因："
    assert all(why in said(g) and "order-1001" in said(g) for g in dups)
    red = re.search(r"\.sq \.sq-dup line \{([^}]*)\}", svg)
    assert red is not None and "#d1242f" in red.group(1) and "dasharray" in red.group(1)  # colour and pattern
    assert all(g.find(f"{SVG}polygon[@class='sq-warn']") is not None for g in dups)  # and a shape


@pytest.mark.parametrize("number", [1, 3])
def test_every_step_is_tagged(number: int) -> None:
    lesson = {1: LESSON1, 3: LESSON3}[number]
    svg = drawn(number, "en")
    tagged = {g.get("data-step") for g in groups(svg, "sq-ev")}
    expected = {str(n) for n in range(1, len(lesson.runs[0].steps) + 1)}
    assert tagged == expected
    bands = {
        r.get("data-step") for r in ET.fromstring(svg).iter(f"{SVG}rect") if "sq-step-bg" in (r.get("class") or "")
    }
    assert bands == expected


def test_lesson3_crash_is_marked() -> None:
    faults = groups(drawn(3, "en"), "sq-ev", "sq-fault")
    assert any("KILLED" in said(g) for g in faults)
    assert all(g.find(f"{SVG}path") is not None for g in faults)  # the cross


@pytest.mark.parametrize("number", [1, 3])
def test_nothing_remote(number: int) -> None:
    for lang in ("en", "zh"):
        svg = drawn(number, lang)
        assert re.findall(r"https?://[^\s\"')]+", svg) == ["http://www.w3.org/2000/svg"]
        assert "<script" not in svg and "@import" not in svg and "url(" not in svg


def test_deterministic() -> None:
    assert sequence(LESSON1, 1, "zh") == drawn(1, "zh")
    assert sequence(LESSON3, 1, "en") == drawn(3, "en")


def test_text_is_escaped_and_long_quiet_stretches_are_broken() -> None:
    events: list[ev.Event] = [
        ev.AppEvent(at_ms=0, system="payment", action="design", args=(("design", "<a & b>"),)),
        ev.AppEvent(at_ms=30 * 60_000, system="payment", action="design", args=(("design", '"x"'),)),
    ]
    svg = sequence_svg(events, lanes={"payment": "pay <1>"}, columns=["pay <1>"], lang="en", steps=[(1, 10**8)])
    root = ET.fromstring(svg)
    assert "&lt;a &amp; b&gt;" in svg and "pay &lt;1&gt;" in svg
    (gap,) = groups(svg, "sq-break")
    assert "30 min later" in said(gap)
    assert int(root.get("height") or 0) < 400  # not 30 minutes drawn to scale


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("number", [1, 3])
def test_a_narrow_picture_keeps_every_box_inside_its_width(number: int, lang: str) -> None:
    """At 700 px (a step slide's panel) labels wrap onto more lines; no box leaves the
    picture nor does the legend (a second row if need be), and the lane headings say where they end."""
    wide, narrow = drawn(number, lang), sequence({1: LESSON1, 3: LESSON3}[number], 1, lang, width=700)
    root = ET.fromstring(narrow)
    assert root.get("viewBox", "").split()[2] == "700"
    (head,) = groups(narrow, "sq-head")
    top = float(next(head.iter(f"{SVG}rect")).get("y", 0))
    assert root.get("data-head") == f"{top - 4:g} {top + 34:g}"  # the headings' boxes, 30 px tall
    for rect in root.iter(f"{SVG}rect"):
        left, width = float(rect.get("x", 0)), float(rect.get("width", 0))
        assert left >= 0 and left + width <= 700, ET.tostring(rect)
    assert int(root.get("height", 0)) > int(ET.fromstring(wide).get("height", 0))
    (legend,) = groups(narrow, "sq-legend")
    ends = [float(line.get("x2", 0)) for line in legend.iter(f"{SVG}line")]
    assert len(ends) == 5 and max(ends) <= 700  # each entry's arrow on the picture, on a second row if need be
