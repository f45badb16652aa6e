"""One shard of an exploration: a Hypothesis search, shrinking, minimising, combining.

Owns: ``plan`` (the shards of an exploration: a function of the number of examples and
the seed only), ``explore_shard`` (Hypothesis generates ``SHARD_EXAMPLES`` schedules with
the shard's seed; the first failure is shrunk, then ``minimize`` drops every order and
step it does not need, and that schedule is run once in full for its story), ``Runs``
(a design's runs in one process, each run once) and ``combine`` (the shards' results in
index order, up to and including the first that failed). Any process can explore any
shard: ``explore`` runs them in this process, ``workers`` in forked ones.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample

from minimq.errors import ValidationError
from minimq.testing.design import LoadedDesign
from minimq.testing.lab import GROUP, TOPIC, run_schedule
from minimq.testing.outcome import Outcome
from minimq.testing.schedule import Schedule
from minimq.testing.stats import Statistics, run_statistics
from minimq.testing.strategies import schedules

SHARD_EXAMPLES = 25
MAX_EXAMPLES = 1_000_000


@dataclass
class ExploreResult:
    design: str
    seed: int
    paths: list[str]
    examples: int  # schedules generated up to the first failure (all of them if none failed)
    runs: int  # schedules run, shrinking included; one generated again in a shard is not run again
    counterexample: Outcome | None = None
    paths_seen: set[str] = field(default_factory=set)
    shrink_runs: int = 0  # of the runs, those after the first failure (shrinking it)
    stats: Statistics = field(default_factory=Statistics)
    shards: int = 0  # shards the result is made of

    @property
    def ok(self) -> bool:
        return self.counterexample is None


@dataclass(frozen=True)
class Shard:
    index: int
    seed: int
    examples: int


@dataclass
class ShardResult:
    """What one shard found; plain values, so it crosses a process boundary."""

    index: int
    examples: int  # generated up to its first failure, or all
    runs: int
    shrink_runs: int
    paths_seen: set[str]
    stats: Statistics
    minimal: Schedule | None = None
    outcome: Outcome | None = None  # the complete run of ``minimal``


def plan(examples: int, seed: int) -> list[Shard]:
    """The shards of an exploration: a function of ``examples`` and ``seed`` only."""
    if not isinstance(examples, int) or not 1 <= examples <= MAX_EXAMPLES:
        raise ValidationError(f"examples must be an integer from 1 to {MAX_EXAMPLES:,}", examples)
    count = math.ceil(examples / SHARD_EXAMPLES)
    shards = []
    for index in range(count):
        size = min(SHARD_EXAMPLES, examples - index * SHARD_EXAMPLES)
        shards.append(Shard(index, random.Random(f"minimq-shard:{seed}:{index}").getrandbits(64), size))
    return shards


class _Hung(Exception):
    """A schedule ran into the wall-clock watchdog: stop exploring (every shrinking step
    could cost the whole timeout again) and report that schedule as it is."""

    def __init__(self, schedule: Schedule, outcome: Outcome) -> None:
        super().__init__("the design ran past the wall-clock timeout")
        self.schedule, self.outcome = schedule, outcome


class Runs:
    """A design's runs in this process: a run is a function of (schedule, seed), so one
    seen before (shrinking often rebuilds one it tried, and every shard starts from the
    simplest schedule) is not run again. Keeps the verdict kinds and statistics of each."""

    def __init__(self, design: LoadedDesign, seed: int, timeout_s: float | None) -> None:
        self.design, self.seed, self.timeout_s = design, seed, timeout_s
        self.known: dict[Schedule, tuple[frozenset[str], Statistics]] = {}
        self.hung: dict[Schedule, _Hung] = {}  # Hypothesis replays a raising example: no second wait

    def judge(self, schedule: Schedule) -> tuple[frozenset[str], Statistics]:
        if schedule in self.hung:
            raise self.hung[schedule]
        found = self.known.get(schedule)
        if found is None:
            outcome = run_schedule(self.design, schedule, self.seed, fail_fast=True, timeout_s=self.timeout_s)
            if "timed_out" in outcome.kinds():
                self.hung[schedule] = _Hung(schedule, outcome)
                raise self.hung[schedule]
            stats = run_statistics(outcome.trace, GROUP, TOPIC, outcome.coupons, schedule.paths(), outcome.sms)
            found = self.known[schedule] = (frozenset(outcome.kinds()), stats)
        return found


class _Property:
    """What Hypothesis searches with, for one shard: does a schedule break the design?"""

    def __init__(self, runs: Runs, progress: Callable[[int], None] | None) -> None:
        self.runs = runs
        self.progress = progress
        self.calls = 0  # schedules Hypothesis asked about, repeats included
        self.first_failure = 0  # the call that first failed, 0 while none has
        self.seen: set[Schedule] = set()  # distinct schedules of this shard
        self.shrink_runs = 0
        self.paths_seen: set[str] = set()
        self.stats = Statistics()

    def kinds(self, schedule: Schedule) -> frozenset[str]:
        kinds, stats = self.runs.judge(schedule)
        if schedule not in self.seen:
            self.seen.add(schedule)
            self.shrink_runs += bool(self.first_failure)
            if not self.first_failure:
                self.paths_seen.update(schedule.paths())
                self.stats.add(stats)
            if self.progress is not None:
                self.progress(len(self.seen))
        return kinds

    def __call__(self, schedule: Schedule) -> bool:
        self.calls += 1
        try:
            bad = bool(self.kinds(schedule))
        except _Hung:
            self.first_failure = self.first_failure or self.calls
            raise
        if bad and not self.first_failure:
            self.first_failure = self.calls
        return bad


def explore_shard(
    design: LoadedDesign,
    shard: Shard,
    runs: Runs,
    paths: list[str],
    max_orders: int,
    progress: Callable[[int], None] | None = None,
) -> ShardResult:
    """Explore one shard; shrink and minimise its first failure, and run that in full."""
    violates = _Property(runs, progress)
    config = settings(
        max_examples=shard.examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    strategy = schedules(paths, max_orders)
    try:
        shrunk = find(strategy, violates, settings=config, random=random.Random(shard.seed))
        minimal = minimize(shrunk, violates.kinds)
    except NoSuchExample:
        return ShardResult(shard.index, violates.calls, len(violates.seen), 0, violates.paths_seen, violates.stats)
    except _Hung as hung:
        seen = len(violates.seen) + 1
        return ShardResult(
            shard.index,
            violates.first_failure,
            seen,
            0,
            violates.paths_seen,
            violates.stats,
            hung.schedule,
            hung.outcome,
        )
    outcome = run_schedule(design, minimal, runs.seed, timeout_s=runs.timeout_s)  # complete, for the story
    return ShardResult(
        shard.index,
        violates.first_failure,
        len(violates.seen),
        violates.shrink_runs,
        violates.paths_seen,
        violates.stats,
        minimal,
        outcome,
    )


def minimize(schedule: Schedule, kinds: Callable[[Schedule], frozenset[str]]) -> Schedule:
    """Drop every order and every step the violation does not need (Hypothesis cannot
    always: removing an order renames the others). A smaller schedule is kept when it
    still shows one of the kinds of violation the first one showed."""
    wanted = kinds(schedule)
    improved = True
    while improved:
        improved = False
        for candidate in _smaller(schedule):
            if kinds(candidate) & wanted:
                schedule, improved = candidate, True
                break
    return schedule


def _smaller(schedule: Schedule) -> Iterable[Schedule]:
    for order in schedule.orders:
        yield schedule.without_order(order)
    for i in range(len(schedule.steps)):
        candidate = schedule.without_step(i)
        if candidate.sends_every_order():
            yield candidate


def combine(design: str, seed: int, paths: list[str], results: Iterable[ShardResult]) -> ExploreResult:
    """The shards' results, in index order, up to the first that failed."""
    result = ExploreResult(design, seed, paths, 0, 0)
    for shard in sorted(results, key=lambda r: r.index):
        result.shards += 1
        result.examples += shard.examples
        result.runs += shard.runs
        result.paths_seen |= shard.paths_seen
        result.stats.add(shard.stats)
        if shard.outcome is not None:
            result.shrink_runs = shard.shrink_runs
            result.counterexample = shard.outcome
            break
    return result
