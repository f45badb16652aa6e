"""Helpers for the lesson tests: a lesson's ``--json`` summary and each run's trace."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest

from minimq.apps.shop import Shop
from minimq.cli import main
from minimq.events import Event
from minimq.lessons import find
from minimq.lessons.base import Lesson, Run
from minimq.lessons.runner import NullView, RunSummary, run_lesson


def summary(capsys: pytest.CaptureFixture[str], lesson: Lesson, seed: int) -> dict[str, Any]:
    """What ``minimq lesson N --json --seed S`` prints."""
    assert main(["lesson", str(lesson.number), "--json", "--seed", str(seed)]) == 0
    parsed: dict[str, Any] = json.loads(capsys.readouterr().out)
    return parsed


class _Runs(NullView):
    def __init__(self) -> None:
        self.runs: dict[str, tuple[dict[str, Any], list[Event]]] = {}

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        self.runs[run.design] = (summary.as_dict(), list(shop.world.trace.events))


def runs(lesson: Lesson, seed: int) -> dict[str, tuple[dict[str, Any], list[Event]]]:
    """Every run's ``--json`` summary and trace, by design name (one lesson run per seed,
    shared by the tests that read it)."""
    return _runs(lesson.number, seed)


@functools.cache
def _runs(number: int, seed: int) -> dict[str, tuple[dict[str, Any], list[Event]]]:
    lesson = find(str(number))
    assert isinstance(lesson, Lesson)
    view = _Runs()
    run_lesson(lesson, seed, view)
    return view.runs


def of(events: list[Event], kind: type[Event]) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


def traces(lesson: Lesson, seed: int) -> dict[str, list[Event]]:
    """Every run's trace, by design name."""
    return {design: events for design, (_, events) in runs(lesson, seed).items()}
