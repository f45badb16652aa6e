"""How fast `minimq check` explores, how soon it finds query-then-insert's bug, and how
well it uses both cores.

    python bench/check_speed.py [--seeds 20] [--rate-seeds 100] [--repeat 3] [--examples 200] [--design PATH]
                                [--jobs-examples 1000] [--jobs-seeds 3] [--paths p1,p2]

For each seed it runs `explore()` on the design (default: minimq/designs/
query_then_insert.py) over every path, as `minimq check` does, and records:
- examples needed: schedules generated up to and including the first violation (target:
  median at most 100 over 20 seeds, seeds 0..19);
- schedules explored per second: lab runs (generation and shrinking; a schedule
  generated again is not run again) divided by the time of the whole exploration,
  Hypothesis included (target: at least 200/s on one core). One seed's exploration may
  shrink through a few 31-minute consume-timeout schedules and another's not, so the
  rate is measured over more seeds (``--rate-seeds``, seeds 0..N-1); the rate of the
  first 20 alone is printed too.
Each seed's exploration is deterministic (the same runs every time), so it is timed
``--repeat`` times, interleaved with the other seeds, and the rate is given from the
fastest time of each seed (what the code costs when nothing else gets in its way, as
``timeit`` reports) and from the median time. Wall time and CPU time are both printed:
the machine is shared, and CPU time is the steadier of the two. A line measures a design that never fails
(minimq/designs/unique_key.py), where every run is a freshly generated schedule.

Then the same for the plain ``def`` version of query-then-insert (examples needed, target:
median at most 100 over seeds 0..19, as fast as the async one), and the rate of
``--jobs 2`` against one worker process on the right design (``--jobs-examples``
schedules per seed, ``--jobs-seeds`` seeds, each timed interleaved; target: at least 1.7x
on an idle two-core machine). Both use worker processes as ``minimq check`` does, so the
ratio is of the same code with one or two workers; the verdict and the figures of the
two are checked identical.

``--paths`` limits every exploration to those paths (default: all of them, as ``minimq
check``); to compare this code with an older one on the paths both have, run both with
the same list, the older one through ``PYTHONPATH``:

    PYTHONPATH=/path/to/old python bench/check_speed.py --paths upstream-retry,lost-reply,...
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from minimq.testing import explore, load_design
from minimq.testing.design import LoadedDesign

ROOT = Path(__file__).resolve().parent.parent


PATHS: list[str] | None = None  # --paths (None: every path)


def _explore(design: LoadedDesign, seed: int, examples: int) -> tuple[int | None, int, float, float]:
    """(examples needed or None, runs, wall s, cpu s) of one seed."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = explore(design, examples=examples, seed=seed, paths=PATHS)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return (None if result.ok else result.examples), result.runs, wall, cpu


def _timed(
    design: LoadedDesign, seeds: int, examples: int, repeat: int
) -> list[list[tuple[int | None, int, float, float]]]:
    """Per seed, ``repeat`` timings of the same exploration, the rounds interleaved."""
    rows: list[list[tuple[int | None, int, float, float]]] = [[] for _ in range(seeds)]
    for _ in range(repeat):
        for seed in range(seeds):
            rows[seed].append(_explore(design, seed, examples))
    return rows


def _rate(rows: list[list[tuple[int | None, int, float, float]]]) -> str:
    runs = sum(r[0][1] for r in rows)
    best_wall, best_cpu = sum(min(t[2] for t in r) for r in rows), sum(min(t[3] for t in r) for r in rows)
    med_wall, med_cpu = (
        sum(statistics.median(t[2] for t in r) for r in rows),
        sum(statistics.median(t[3] for t in r) for r in rows),
    )
    return (
        f"best {runs / best_wall:.0f}/s wall, {runs / best_cpu:.0f}/s CPU; "
        f"median {runs / med_wall:.0f}/s wall, {runs / med_cpu:.0f}/s CPU ({runs} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds for the examples-needed median")
    parser.add_argument("--rate-seeds", type=int, default=100, help="seeds for the rate (at least --seeds)")
    parser.add_argument("--repeat", type=int, default=3, help="timings of each seed (the rate takes the fastest)")
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--design", default=str(ROOT / "minimq/designs/query_then_insert.py"))
    parser.add_argument("--right", default=str(ROOT / "minimq/designs/unique_key.py"))
    parser.add_argument("--sync", default=str(ROOT / "minimq/designs/query_then_insert_sync.py"))
    parser.add_argument("--jobs-examples", type=int, default=1000, help="schedules per seed for the --jobs ratio")
    parser.add_argument("--jobs-seeds", type=int, default=3, help="seeds for the --jobs ratio")
    parser.add_argument("--paths", default=None, help="comma-separated paths to explore (default: all)")
    args = parser.parse_args()
    global PATHS
    PATHS = args.paths.split(",") if args.paths else None
    if min(args.seeds, args.rate_seeds, args.repeat) < 1:
        parser.error(
            f"--seeds, --rate-seeds and --repeat must be at least 1, got {args.seeds}, {args.rate_seeds}, {args.repeat}"
        )

    print(f"python {platform.python_version()} ({platform.python_implementation()}), one process")
    print(f"paths: {args.paths or 'all'}")
    design = load_design(args.design)
    explore(design, examples=5, seed=10_000)  # warm up imports
    rows = _timed(design, max(args.seeds, args.rate_seeds), args.examples, args.repeat)
    if any(len({t[:2] for t in r}) != 1 for r in rows):
        raise SystemExit("an exploration did different work when repeated: it is not deterministic")
    needed = [r[0][0] for r in rows[: args.seeds] if r[0][0] is not None]
    print(f"design {Path(args.design).name}: counterexample found for {len(needed)} of {args.seeds} seeds")
    if needed:
        print(
            f"  examples needed: median {statistics.median(needed)}, max {max(needed)} "
            f"over seeds 0..{args.seeds - 1} (target: median <= 100)"
        )
    print(f"  schedules explored per second, seeds 0..{len(rows) - 1} x {args.repeat}: {_rate(rows)} (target >= 200)")
    if len(rows) > args.seeds:
        print(f"  the same, seeds 0..{args.seeds - 1} only: {_rate(rows[: args.seeds])}")

    right = load_design(args.right)
    start = time.perf_counter()
    result = explore(right, examples=args.examples, seed=0, paths=PATHS)
    elapsed = time.perf_counter() - start
    print(
        f"design {Path(args.right).name}: ok={result.ok}, {result.examples} schedules generated, "
        f"{result.runs} distinct run in {elapsed:.2f} s = {result.runs / elapsed:.0f}/s; "
        f"paths seen: {', '.join(sorted(result.paths_seen))}"
    )
    _sync(args)
    _jobs(args)


def _sync(args: argparse.Namespace) -> None:
    design = load_design(args.sync)
    needed = [explore(design, examples=args.examples, seed=seed, paths=PATHS).examples for seed in range(args.seeds)]
    print(
        f"design {Path(args.sync).name} (plain def): examples needed: median {statistics.median(needed)}, "
        f"max {max(needed)} over seeds 0..{args.seeds - 1} (target: median <= 100)"
    )


def _jobs(args: argparse.Namespace) -> None:
    """One worker process against two, on the right design, seeds interleaved."""
    times: dict[int, list[float]] = {1: [], 2: []}
    results: dict[int, list[tuple[object, ...]]] = {1: [], 2: []}
    runs = 0
    for seed in range(args.jobs_seeds):
        for jobs in (1, 2):
            start = time.perf_counter()
            r = explore(
                args.right, examples=args.jobs_examples, seed=seed, jobs=jobs, isolate=True, timeout_s=60, paths=PATHS
            )
            times[jobs].append(time.perf_counter() - start)
            results[jobs].append((r.ok, r.examples, r.runs, r.stats.to_dict()))
        runs += r.runs
    if results[1] != results[2]:
        raise SystemExit("--jobs 2 explored differently from --jobs 1: the result must not depend on it")
    one, two = sum(times[1]), sum(times[2])
    print(
        f"--jobs on {Path(args.right).name}, {args.jobs_seeds} seeds x {args.jobs_examples} examples, "
        f"{os.cpu_count()} cores: one worker {runs / one:.0f} runs/s, two workers {runs / two:.0f} runs/s, "
        f"ratio {one / two:.2f}x (target >= 1.7x on an idle 2-core machine); results identical"
    )


if __name__ == "__main__":
    main()
