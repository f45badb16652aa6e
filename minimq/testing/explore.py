"""Exploring a design: run many fault schedules and shrink the first failure.

Owns: ``explore(design, examples=..., seed=..., paths=..., jobs=...)`` and ``replay``.
Hypothesis generates schedules (``strategies.schedules``); each runs in a fresh lab on
the virtual clock; the property is "every verdict of ``verdict`` holds". The exploration
is split into shards (``shards.plan``) fixed by the seed and the number of examples
alone; they run in this process, or in worker processes (``workers``, with ``jobs`` > 1
or ``isolate``), and the result is made of the shards in index order up to and including
the first that failed, so the same seed gives the same verdict, counterexample and
figures with one process or eight. A shard's first failure is shrunk, minimised, and run
once more in full: its outcome, trace and timeline come with the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from minimq.errors import ValidationError
from minimq.testing.design import LoadedDesign, load_design
from minimq.testing.lab import run_schedule
from minimq.testing.outcome import Outcome
from minimq.testing.schedule import Schedule
from minimq.testing.shards import MAX_EXAMPLES, ExploreResult, Runs, ShardResult, combine, explore_shard, plan
from minimq.testing.strategies import check_paths

__all__ = ["MAX_EXAMPLES", "ExploreResult", "explore", "replay"]

Progress = Callable[[int, int], None]  # (schedules run in this shard so far, including shrinking; shard index)


def explore(
    design: LoadedDesign | str | Path,
    *,
    examples: int = 200,
    seed: int = 0,
    paths: Iterable[str] | None = None,
    max_orders: int = 3,
    jobs: int = 1,
    isolate: bool = False,
    timeout_s: float | None = None,
    progress: Progress | None = None,
) -> ExploreResult:
    """Look for a schedule under which ``design`` breaks a verdict (``verdict``).

    ``jobs`` > 1 runs the shards in that many worker processes (the result is the same);
    ``isolate`` runs even one job in a worker process, so that nothing the design does
    (``os._exit``, printing, hanging in C code) reaches the caller's process; ``timeout_s``
    stops a run whose design takes longer than that in wall-clock time. ``progress(runs,
    shard)`` is told, now and then, how many schedules shard ``shard`` has run."""
    if not isinstance(jobs, int) or jobs < 1:
        raise ValidationError("jobs must be a whole number of processes, at least 1", jobs)
    chosen = check_paths(paths)
    shards = plan(examples, seed)
    if jobs > 1 or isolate:
        from minimq.testing.workers import explore_in_workers

        return explore_in_workers(design, shards, seed, chosen, max_orders, jobs, timeout_s, progress)
    loaded = design if isinstance(design, LoadedDesign) else load_design(design, timeout_s=timeout_s)
    runs = Runs(loaded, seed, timeout_s)
    found: list[ShardResult] = []
    for shard in shards:
        report = None if progress is None else (lambda n, i=shard.index: progress(n, i))
        found.append(explore_shard(loaded, shard, runs, chosen, max_orders, report))
        if found[-1].outcome is not None:
            break
    return combine(loaded.name, seed, chosen, found)


def replay(
    design: LoadedDesign | str | Path, schedule: Schedule, seed: int = 0, *, timeout_s: float | None = None
) -> Outcome:
    """Run one stored schedule again, exactly."""
    loaded = design if isinstance(design, LoadedDesign) else load_design(design, timeout_s=timeout_s)
    return run_schedule(loaded, schedule, seed, timeout_s=timeout_s)
