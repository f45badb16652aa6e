"""Exploring a design: run many fault schedules and shrink the first failure.

Owns: ``explore(design, examples=..., seed=..., paths=...)`` and ``ExploreResult``.
Hypothesis generates schedules (``strategies.schedules``); each runs in a fresh lab on
the virtual clock; the property is "every paid order ends with exactly one coupon". On
the first violation Hypothesis shrinks the schedule to a minimal one, whose outcome, trace
and timeline come with the result. The same seed explores the same schedules in the same
order.
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
    examples: int  # schedules generated up to the first failure (all of them if none failed)
    runs: int  # schedules run, shrinking included; one generated again is not run again
    counterexample: Outcome | None = None
    paths_seen: set[str] = field(default_factory=set)
    shrink_runs: int = 0  # of the runs, those after the first failure (shrinking it)

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
    # A run is a function of (schedule, seed), so a schedule seen before is not run again:
    # shrinking often rebuilds one it tried already. Failing outcomes are kept for the report.
    verdicts: dict[Schedule, bool] = {}  # a Schedule is a frozen value: it is its own key
    failures: dict[Schedule, Outcome] = {}

    calls = 0

    def violates(schedule: Schedule) -> bool:
        nonlocal calls
        calls += 1
        if schedule in verdicts:
            return verdicts[schedule]
        result.runs += 1
        result.shrink_runs += bool(failed_at)
        result.paths_seen.update(schedule.paths())
        outcome = run_schedule(loaded, schedule, seed)
        bad = verdicts[schedule] = not outcome.ok
        if bad:
            failures[schedule] = outcome
            if not failed_at:
                failed_at.append(calls)
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
        result.examples = calls
        return result
    result.examples = failed_at[0]
    result.counterexample = failures.get(minimal) or run_schedule(loaded, minimal, seed)
    return result


def replay(design: LoadedDesign | str | Path, schedule: Schedule, seed: int = 0) -> Outcome:
    """Run one stored schedule again, exactly."""
    loaded = design if isinstance(design, LoadedDesign) else load_design(design)
    return run_schedule(loaded, schedule, seed)
