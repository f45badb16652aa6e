"""``minimq demo``: the engine's smoke scenario, told all at once or as it happens.

Owns: the command and its pacing. Without ``--realtime`` the simulated minute passes at
once and the whole story is printed after it (setting, timeline, coupons, queues,
verdict). With ``--realtime SPEED`` the setting comes first, then the minute passes in
slices of about ``SLICE_WALL_MS`` of wall time each: after each slice the command sleeps
until the wall clock has caught up with the virtual one (``SPEED`` virtual seconds a wall
second), then prints the events the slice recorded, so each appears about when the run
reaches it. The sleeping happens here, between slices, outside the world (with
``no_wall_sleep.wall_sleep``, the real ``time.sleep``; reading ``time.monotonic`` here is
allowed by tests/test_architecture.py's ``PACING``): the loop runs
on virtual time only, with no thread, and the trace is the one a run without pacing
writes (``minimq.demo.run``). The summary and the verdict follow the minute.
Ctrl-C is ``main``'s: one line, exit 130.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from minimq import demo as scenario
from minimq.i18n import default_lang
from minimq.render.console import Console, make_console
from minimq.sim.no_wall_sleep import wall_sleep

SLICE_WALL_MS = 50  # how late, in wall time, an event may be printed after the run reaches it


def run(
    args: argparse.Namespace,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = wall_sleep,
) -> int:
    lang = args.lang or default_lang()
    console = None if args.json else make_console(args.width, args.no_color)
    if args.realtime is None:
        demo = scenario.run(seed=args.seed)
    else:
        demo = _paced(args.seed, args.realtime, console, lang, clock, sleep)
    world = demo.world
    if args.trace_out:
        world.trace.write(args.trace_out)
    if console is None:
        summary = {
            "scenario": "demo",
            "seed": args.seed,
            "coupons": len(demo.coupons),
            **demo.report().summary(),
            "virtual_ms": world.now_ms,
            "trace_sha256": world.trace.sha256(),
        }
        print(json.dumps(summary, indent=2))
    else:
        from minimq.render import demo_view

        if args.realtime is None:
            demo_view.render(demo, console, lang)
        else:
            demo_view.summary(demo, console, lang)
    world.close()
    return 0


def _paced(
    seed: int,
    speed: float,
    console: Console | None,
    lang: str,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> scenario.Demo:
    """Run the demo at ``speed`` virtual seconds a wall second, printing its events on
    ``console`` as they happen (only pacing with ``--json``: no console)."""
    from minimq.i18n import t
    from minimq.render.demo_live import LiveFeed
    from minimq.render.demo_view import setting

    feed = None
    if console is not None:
        console.print(setting(lang, console.width))
        console.print(t("demo.live", lang, speed=f"{speed:g}", seed=seed), style="bold", markup=False)
        feed = LiveFeed(console, lang)
    start = clock()

    def between(demo: scenario.Demo) -> None:
        behind = start + demo.world.now_ms / 1000 / speed - clock()
        if behind > 0:
            sleep(behind)
        if feed is not None:
            feed.show(demo.world.trace.events, demo.world.now_ms)

    demo = scenario.run(seed, slice_ms=max(1, round(speed * SLICE_WALL_MS)), between=between)
    if feed is not None:
        feed.close(demo.world.now_ms)
    return demo
