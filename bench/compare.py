"""This checkout against another one, counted in CPU instructions instead of seconds.

    .venv/bin/python bench/compare.py --against DIR [--scenarios ladder,throughput,check] [--runs 2]

DIR is another checkout of minimq (say, ``git worktree add /tmp/old <commit>``). Each
scenario runs the same work on both codes, each in a process of its own under
``valgrind --tool=cachegrind --cache-sim=no`` (Debian package ``valgrind``), which counts
the instructions the process executes. A count does not depend on what else the machine
is doing, so two versions a few per cent apart can be told apart on a shared, noisy
machine, where the wall and CPU times of the other benches move by more than that from
one run to the next. The same work always executes nearly the same instructions
(``PYTHONHASHSEED=0`` fixes string hashing; what is left is allocation addresses).

Each code runs a scenario once (``1``) and ``1 + runs`` times in a fresh process; the
difference divided by ``runs`` is the scenario's cost without the interpreter's start-up
and the imports, which differ between versions and are not what is compared. Printed: the
instructions of one run of each code (millions) and their ratio, this checkout over DIR
(below 1: this one executes fewer).

Scenarios (each runs each code's own bench helpers, so both do the work that code calls
by that name):
- ``ladder``: ``bench/scenarios.py``'s retry ladder (17 deliveries over 4 h 45 min 40 s).
- ``throughput``: ``bench/throughput.py``'s ``run_minimq(1000)``.
- ``check``: ``explore()`` of minimq/designs/unique_key.py, seed 0, 30 schedules, on the
  seven paths every version of ``minimq check`` has (a newer version's extra paths would
  make it do other work).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("ladder", "throughput", "check")
OLD_PATHS = "upstream-retry,lost-reply,crash,rebalance,reconsume-later,consume-timeout,late-redelivery"


def run_scenario(name: str, root: Path, times: int) -> None:
    """Run scenario ``name`` ``times`` times with the code of checkout ``root``."""
    sys.path[:0] = [str(root), str(root / "bench")]
    if name == "ladder":
        from scenarios import ladder

        for _ in range(times):
            world, play = ladder(1)
            world.run(play)
            world.close()
    elif name == "throughput":
        from throughput import run_minimq

        for _ in range(times):
            run_minimq(1000)
    else:
        from minimq.testing import explore, load_design

        design = load_design(str(root / "minimq" / "designs" / "unique_key.py"))
        explore(design, examples=3, seed=5, paths=OLD_PATHS.split(","))  # its imports and caches
        for _ in range(times):
            explore(design, examples=30, seed=0, paths=OLD_PATHS.split(","))


def instructions(name: str, root: Path, times: int) -> int:
    """Instructions executed by a process that runs scenario ``name`` ``times`` times."""
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        str(Path(__file__).resolve()),
        "--run",
        name,
        str(root),
        str(times),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"scenario {name} with {root} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_run(name: str, root: Path, runs: int) -> float:
    """Instructions of one run of scenario ``name``, start-up and imports taken out."""
    return (instructions(name, root, 1 + runs) - instructions(name, root, 1)) / runs


def main() -> None:
    parser = argparse.ArgumentParser(description="this checkout against another, in instructions")
    parser.add_argument("--against", type=Path, help="the other checkout of minimq")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated: {', '.join(SCENARIOS)}")
    parser.add_argument("--runs", type=int, default=2, help="extra runs per process (default 2)")
    parser.add_argument("--run", nargs=3, metavar=("SCENARIO", "ROOT", "TIMES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_scenario(args.run[0], Path(args.run[1]), int(args.run[2]))
        return
    names = [s for s in args.scenarios.split(",") if s]
    unknown = [s for s in names if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {unknown[0]!r}; choose from {', '.join(SCENARIOS)}")
    if args.against is None or not (args.against / "minimq" / "__init__.py").is_file():
        parser.error(f"--against must be a checkout of minimq, got {args.against}")
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind); it counts the instructions")
    print(f"this checkout {ROOT}  against {args.against.resolve()}  ({args.runs} runs counted per process)")
    print(f"{'scenario':<12} {'this (M instr)':>15} {'against':>10} {'ratio':>7}")
    for name in names:
        mine, theirs = per_run(name, ROOT, args.runs), per_run(name, args.against.resolve(), args.runs)
        print(f"{name:<12} {mine / 1e6:>15,.1f} {theirs / 1e6:>10,.1f} {mine / theirs:>7.3f}")


if __name__ == "__main__":
    main()
