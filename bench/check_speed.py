"""How fast `minimq check` explores, and how soon it finds query-then-insert's bug.

    python bench/check_speed.py [--seeds 20] [--examples 200] [--design PATH]

For each seed it runs `explore()` on the design (default: examples/designs/
query_then_insert.py) over every path, as `minimq check` does, and records:
- schedules explored per second: every lab run (generation and shrinking) divided by the
  wall time of the exploration (target: at least 200/s on one core);
- examples needed: schedules generated up to and including the first violation (target:
  median at most 100 over 20 seeds).
A second line measures the same rate on a design that never fails
(examples/designs/unique_key.py), where every run is a fresh generated schedule.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from minimq.testing import explore, load_design

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--design", default=str(ROOT / "examples/designs/query_then_insert.py"))
    parser.add_argument("--right", default=str(ROOT / "examples/designs/unique_key.py"))
    args = parser.parse_args()

    design = load_design(args.design)
    explore(design, examples=5, seed=10_000)  # warm up imports
    needed, runs, wall, cpu, found = [], 0, 0.0, 0.0, 0
    for seed in range(args.seeds):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = explore(design, examples=args.examples, seed=seed)
        wall += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        runs += result.runs
        if not result.ok:
            found += 1
            needed.append(result.examples)
    rate = runs / wall
    print(f"design {Path(args.design).name}: counterexample found for {found} of {args.seeds} seeds")
    print(
        f"  examples needed: median {statistics.median(needed) if needed else 'n/a'}, "
        f"max {max(needed) if needed else 'n/a'} (target: median <= 100)"
    )
    print(f"  schedules explored per second: {rate:.0f} ({runs} runs in {wall:.2f} s) (target >= 200)")
    print(f"  the same in CPU time: {runs / cpu:.0f}/s ({cpu:.2f} s of CPU; the machine is shared)")

    right = load_design(args.right)
    start = time.perf_counter()
    result = explore(right, examples=args.examples, seed=0)
    elapsed = time.perf_counter() - start
    print(
        f"design {Path(args.right).name}: ok={result.ok}, {result.runs} schedules in {elapsed:.2f} s, "
        f"{result.runs / elapsed:.0f}/s, paths seen: {', '.join(sorted(result.paths_seen))}"
    )


if __name__ == "__main__":
    main()
