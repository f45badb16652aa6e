"""Exploring a design: run many fault schedules and shrink the first failure.

Owns: ``explore(design, examples=..., seed=..., paths=...)`` and ``ExploreResult``.
Hypothesis generates schedules (``strategies.schedules``); each runs in a fresh lab on
the virtual clock; the property is "every paid order ends with exactly one coupon". On
the first violation Hypothesis shrinks the schedule to a minimal one, which is replayed
once more so that its outcome, trace and timeline come with the result. The same seed
explores the same schedules in the same order.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample

from minimq.testing.design import LoadedDesign, load_design
from minimq.testing.lab import Outcome, run_schedule
from minimq.testing.schedule import Schedule
from minimq.testing.strategies import check_paths, schedules


@dataclass
class ExploreResult:
    design: str
    seed: int
    paths: list[str]
    examples: int  # schedules run before the first failure (all of them if none failed)
    runs: int  # every run, shrinking included
    counterexample: Outcome | None = None
    paths_seen: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return self.counterexample is None


def explore(
    design: LoadedDesign | str | Path,
    *,
    examples: int = 200,
    seed: int = 0,
    paths: Iterable[str] | None = None,
    max_orders: int = 3,
) -> ExploreResult:
    """Look for a schedule under which ``design`` issues a coupon twice, or none."""
    loaded = design if isinstance(design, LoadedDesign) else load_design(design)
    chosen = check_paths(paths)
    result = ExploreResult(loaded.name, seed, chosen, 0, 0)
    failed_at: list[int] = []

    def violates(schedule: Schedule) -> bool:
        result.runs += 1
        result.paths_seen.update(schedule.paths())
        bad = not run_schedule(loaded, schedule, seed).ok
        if bad and not failed_at:
            failed_at.append(result.runs)
        return bad

    config = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    try:
        minimal = find(schedules(chosen, max_orders), violates, settings=config, random=random.Random(seed))
    except NoSuchExample:
        result.examples = result.runs
        return result
    result.examples = failed_at[0]
    result.counterexample = run_schedule(loaded, minimal, seed)
    return result


def replay(design: LoadedDesign | str | Path, schedule: Schedule, seed: int = 0) -> Outcome:
    """Run one stored schedule again, exactly."""
    loaded = design if isinstance(design, LoadedDesign) else load_design(design)
    return run_schedule(loaded, schedule, seed)
