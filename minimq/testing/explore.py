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


class _Property:
    """What Hypothesis searches with: does a schedule make ``design`` issue a coupon twice,
    or none? A run is a function of (schedule, seed), so a schedule seen before is not run
    again (shrinking often rebuilds one it tried); failing outcomes are kept for the report."""

    def __init__(self, design: LoadedDesign, seed: int, result: ExploreResult) -> None:
        self.design, self.seed, self.result = design, seed, result
        self.calls = 0  # schedules Hypothesis asked about, repeats included
        self.first_failure = 0  # the call that first failed, 0 while none has
        self.verdicts: dict[Schedule, bool] = {}  # a Schedule is a frozen value: its own key
        self.failures: dict[Schedule, Outcome] = {}

    def __call__(self, schedule: Schedule) -> bool:
        self.calls += 1
        if schedule in self.verdicts:
            return self.verdicts[schedule]
        result = self.result
        result.runs += 1
        result.shrink_runs += bool(self.first_failure)
        result.paths_seen.update(schedule.paths())
        outcome = run_schedule(self.design, schedule, self.seed)
        bad = self.verdicts[schedule] = not outcome.ok
        if bad:
            self.failures[schedule] = outcome
            self.first_failure = self.first_failure or self.calls
        return bad


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
    violates = _Property(loaded, seed, result)
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
        result.examples = violates.calls
        return result
    result.examples = violates.first_failure
    result.counterexample = violates.failures.get(minimal) or run_schedule(loaded, minimal, seed)
    return result


def replay(design: LoadedDesign | str | Path, schedule: Schedule, seed: int = 0) -> Outcome:
    """Run one stored schedule again, exactly."""
    loaded = design if isinstance(design, LoadedDesign) else load_design(design)
    return run_schedule(loaded, schedule, seed)
