"""A lesson's run drawn as ``minimq.render.sequence`` draws it, with the events, lanes,
columns and steps that ``minimq.render.lesson_view`` gives its timeline."""

from __future__ import annotations

from minimq.apps.shop import Shop
from minimq.events import Event
from minimq.lessons.base import Lesson, Run
from minimq.lessons.runner import NullView, RunSummary, run_lesson
from minimq.render.lesson_view import lane_columns, lane_names, set_up, shown
from minimq.render.sequence import sequence_svg


class _Keep(NullView):
    def __init__(self) -> None:
        self.traces: list[list[Event]] = []

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        self.traces.append(list(shop.world.trace.events))


def picture_events(lesson: Lesson, run: Run, trace: list[Event]) -> tuple[list[Event], set[int]]:
    """The events a run's picture is drawn from, and the indexes among them left undrawn:
    the scene (the first steps that list no events) and the busy stretches of later ones."""
    events = [e for e in trace if not set_up(e) and shown(lesson, e)]
    skip: set[int] = set()
    start, listed = 0, False
    for step in run.steps:
        inside = [i for i, e in enumerate(events) if start < e.at_ms <= step.until_ms or (start == 0 and e.at_ms == 0)]
        if not step.events:
            skip.update(i for i in inside if listed is False or events[i].kind not in step.only)
        else:
            listed = True
        start = step.until_ms
    return events, skip


def sequence(lesson: Lesson, n: int, lang: str, seed: int = 1, width: int = 1280) -> str:
    """Run ``n`` (from 1) of ``lesson`` as an SVG sequence diagram."""
    keep = _Keep()
    run_lesson(lesson, seed, keep)
    run = lesson.runs[n - 1]
    events, skip = picture_events(lesson, run, keep.traces[n - 1])
    return sequence_svg(
        events,
        lanes=lane_names(lesson, lang),
        columns=lane_columns(lesson, lang),
        lang=lang,
        steps=[(k, step.until_ms) for k, step in enumerate(run.steps, 1)],
        title=f"{lesson.number}.{n} {run.design}",
        skip=skip,
        width=width,
    )
