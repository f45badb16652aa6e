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
- ``lost_effects``: paid orders with no effect in a group's ledger;
- for the run only, over every group: ``retries``, deliveries of a retry copy
  (``reconsumeTimes`` > 0), and ``dead_lettered``, messages moved to ``%DLQ%<group>``;
  ``effects``, every ledger's effects per key, expected keys included
  (``{"coupon DB": {"order-1001": 2}, "SMS": {...}}``).
A group's ledgers are ``Shop.ledgers``: its database, and for the coupon group with the
SMS gateway (lesson 6) the SMS too: a second SMS for one order is a duplicate effect.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from minimq.apps.shop import Shop
from minimq.check import duplicate_keys, effect_counts, effects_by_key
from minimq.events import EffectExpected, Event, MessageDeadLettered, MessageDelivered
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
    retries: int
    dead_lettered: int
    groups: dict[str, GroupSummary]
    effects: dict[str, dict[str, int]]
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
            duplicate_effects=sum(e.count - 1 for e in duplicated if e.ledger in ledgers),
            lost_effects=sum(1 for e in lost if e.ledger in ledgers),
        )
        for group, ledgers in shop.ledgers.items()
    }
    applied = effects_by_key(trace)
    effects: dict[str, dict[str, int]] = {}
    for ledger, key in sorted({(e.ledger, e.key) for e in trace.of(EffectExpected)} | set(applied)):
        effects.setdefault(ledger, {})[key] = applied[(ledger, key)]
    return RunSummary(
        design=run.design,
        duplicate_deliveries=sum(g.duplicate_deliveries for g in groups.values()),
        duplicate_effects=sum(g.duplicate_effects for g in groups.values()),
        lost_effects=sum(g.lost_effects for g in groups.values()),
        retries=sum(1 for e in trace.of(MessageDelivered) if e.reconsume_times > 0),
        dead_lettered=len(trace.of(MessageDeadLettered)),
        groups=groups,
        effects=effects,
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
