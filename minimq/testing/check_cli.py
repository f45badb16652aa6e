"""``minimq check DESIGN``: explore a design, or replay one stored schedule.

Owns: the command's output and exit codes. 0: no violation found (and how many schedules,
over which paths); 1: a counterexample, shrunk, in words, with its timeline and the one
command that replays it exactly; 2: a usage error (file missing, syntax error, no
``handle``, wrong signature, unknown path, bad replay token), named clearly.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys

from minimq.render.console import Console, make_console
from minimq.render.describe import lane
from minimq.render.timeline import timeline
from minimq.testing.design import LoadedDesign, load_design
from minimq.testing.explore import explore, replay
from minimq.testing.lab import Outcome
from minimq.testing.schedule import Schedule
from minimq.testing.story import schedule_in_words, violation_in_words

LANES = {"order-system": "order", "broker": "broker", "c1": "c1", "c2": "c2", "coupon DB": "coupon DB"}


def replay_command(design: str, seed: int, schedule: Schedule) -> str:
    return f"minimq check {shlex.quote(design)} --seed {seed} --replay {schedule.token()}"


def run(args: argparse.Namespace) -> int:
    if args.examples < 1:
        print(f"minimq: error: --examples must be at least 1, got {args.examples}", file=sys.stderr)
        return 2
    design = load_design(args.design)
    paths = [p.strip() for p in args.paths.split(",") if p.strip()] if args.paths else None
    if args.replay:
        outcome = replay(design, Schedule.from_token(args.replay), args.seed)
        return _report_replay(args, design, outcome)
    result = explore(design, examples=args.examples, seed=args.seed, paths=paths)
    bad = result.counterexample
    if args.json:
        data: dict[str, object] = {
            "design": args.design,
            "ok": result.ok,
            "seed": result.seed,
            "examples": result.examples,
            "runs": result.runs,
            "paths": result.paths,
            "paths_seen": sorted(result.paths_seen),
        }
        if bad is not None:
            data["counterexample"] = _bad_json(args, bad)
        print(json.dumps(data, indent=2))
        return 0 if result.ok else 1
    console = make_console(args.width, args.no_color)
    if bad is None:
        distinct = f", {result.runs} distinct" if result.runs != result.examples else ""
        console.print(
            f"[green]OK[/] {args.design}: no violation in {result.examples} schedules "
            f"(seed {result.seed}{distinct}); every paid order got exactly one coupon."
        )
        console.print(f"Paths explored: {', '.join(sorted(result.paths_seen)) or 'none'}.")
        return 0
    console.print(
        f"[red]FAIL[/] {args.design}: a counterexample after {result.examples} schedule(s); "
        f"shrunk in {result.shrink_runs} more run(s)."
    )
    _show(console, args, design, bad)
    return 1


def _bad_json(args: argparse.Namespace, bad: Outcome) -> dict[str, object]:
    return {
        "coupons": bad.coupons,
        "schedule": json.loads(bad.schedule.to_json()),
        "token": bad.schedule.token(),
        "story": schedule_in_words(bad.schedule),
        "what_happened": violation_in_words(bad),
        "replay": replay_command(args.design, args.seed, bad.schedule),
    }


def _show(console: Console, args: argparse.Namespace, design: LoadedDesign, bad: Outcome) -> None:
    console.print("\n[bold]The minimal schedule[/]")
    for line in schedule_in_words(bad.schedule):
        console.print(f"  {line}")
    console.print("\n[bold]What went wrong[/]")
    for line in violation_in_words(bad):
        console.print(f"  {line}")
    events = bad.trace.events
    present = {LANES[r] for e in events if (r := lane(e)) in LANES}
    columns = [c for c in dict.fromkeys(LANES.values()) if c in present]
    console.print(timeline(events, title="Timeline of the counterexample", lanes=LANES, columns=columns, brief=True))
    console.print("\n[bold]Replay it exactly[/]")
    console.print(replay_command(args.design, args.seed, bad.schedule), soft_wrap=True)


def _report_replay(args: argparse.Namespace, design: LoadedDesign, outcome: Outcome) -> int:
    if args.json:
        data = {
            "design": args.design,
            "ok": outcome.ok,
            "coupons": outcome.coupons,
            "what_happened": violation_in_words(outcome),
        }
        print(json.dumps(data, indent=2))
        return 0 if outcome.ok else 1
    console = make_console(args.width, args.no_color)
    if outcome.ok:
        console.print(f"[green]OK[/] {args.design}: this schedule gives every paid order exactly one coupon.")
        return 0
    console.print(f"[red]FAIL[/] {args.design}: the stored schedule still breaks the design.")
    _show(console, args, design, outcome)
    return 1
