"""Running a lesson: each run of the shop, step by step, told through a view.

Owns: ``run_lesson`` and the per-run summary that ``--json`` prints. The runner knows
nothing of terminals or languages: it advances the virtual clock step by step and hands
each step's new events and the shop to a ``View`` (``minimq.render.lesson_view`` for
people, ``NullView`` for ``--json``).

What the summary counts, over every consumer group (every group gets every duplicate, so
each must be idempotent on its own) and per group in ``groups``, read from the checkers of
``minimq.check`` like every other verdict:
- ``duplicate_deliveries``: deliveries to a group beyond the first, per order (business
  key), so that two messages with two msg ids count too;
- ``duplicate_effects``: effects (coupons, red packets) beyond the first, per paid order;
- ``lost_effects``: paid orders with no effect in a group's ledger.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from minimq.apps.shop import Shop
from minimq.check import duplicate_keys, effect_counts
from minimq.events import Event
from minimq.lessons.base import Lesson, Run, Step


@dataclass(frozen=True)
class GroupSummary:
    """One consumer group's share of a run's duplicates and losses."""

    duplicate_deliveries: int
    duplicate_effects: int
    lost_effects: int


@dataclass(frozen=True)
class RunSummary:
    design: str
    duplicate_deliveries: int
    duplicate_effects: int
    lost_effects: int
    groups: dict[str, GroupSummary]
    virtual_ms: int
    trace_sha256: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class View(Protocol):
    def lesson_start(self, lesson: Lesson) -> None: ...
    def run_start(self, lesson: Lesson, n: int, run: Run) -> None: ...
    def step(self, lesson: Lesson, run: Run, n: int, step: Step, events: list[Event], shop: Shop) -> None: ...
    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None: ...
    def lesson_end(self, lesson: Lesson, summaries: list[RunSummary]) -> None: ...


class NullView:
    """Tells nothing (``--json``)."""

    def lesson_start(self, lesson: Lesson) -> None:
        return None

    def run_start(self, lesson: Lesson, n: int, run: Run) -> None:
        return None

    def step(self, lesson: Lesson, run: Run, n: int, step: Step, events: list[Event], shop: Shop) -> None:
        return None

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        return None

    def lesson_end(self, lesson: Lesson, summaries: list[RunSummary]) -> None:
        return None


def summarize(run: Run, shop: Shop) -> RunSummary:
    trace = shop.world.trace
    duplicated, lost = effect_counts(trace)
    repeats = duplicate_keys(trace)
    groups = {
        group: GroupSummary(
            duplicate_deliveries=sum(d.deliveries - 1 for d in repeats if d.group == group),
            duplicate_effects=sum(e.count - 1 for e in duplicated if e.ledger == ledger),
            lost_effects=sum(1 for e in lost if e.ledger == ledger),
        )
        for group, ledger in shop.ledgers.items()
    }
    return RunSummary(
        design=run.design,
        duplicate_deliveries=sum(g.duplicate_deliveries for g in groups.values()),
        duplicate_effects=sum(g.duplicate_effects for g in groups.values()),
        lost_effects=sum(g.lost_effects for g in groups.values()),
        groups=groups,
        virtual_ms=shop.world.now_ms,
        trace_sha256=trace.sha256(),
    )


def run_lesson(lesson: Lesson, seed: int, view: View) -> list[RunSummary]:
    """Run every design of ``lesson`` with the same seed, naive first, fix last."""
    view.lesson_start(lesson)
    summaries: list[RunSummary] = []
    for n, run in enumerate(lesson.runs, 1):
        shop = Shop(seed, **run.shop)
        try:
            view.run_start(lesson, n, run)
            run.setup(shop)
            seen = len(shop.world.trace)
            for number, step in enumerate(run.steps, 1):
                if step.action is not None:
                    step.action(shop)
                shop.world.run_until(step.until_ms)
                events = shop.world.trace.events[seen:]
                seen = len(shop.world.trace)
                view.step(lesson, run, number, step, events, shop)
            summary = summarize(run, shop)
            summaries.append(summary)
            view.run_end(lesson, n, run, shop, summary)
        finally:
            shop.close()
    view.lesson_end(lesson, summaries)
    return summaries
