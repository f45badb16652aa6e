"""The ``minimq`` command line.

Owns: argument parsing and exit codes. ``minimq tour`` runs every lesson, ``minimq
lesson N`` one, ``minimq lessons`` lists them; ``minimq demo`` runs the engine's smoke
scenario; ``minimq trace FILE`` reads a JSON-lines trace back and runs the checkers.
Exit codes: 0 done; 1 the checkers found a problem (``trace --strict``); 2 bad usage or
bad input, always with one line that names the problem and the value, never a traceback:
a bad flag (argparse), any ``MinimqError`` (a trace file that is not UTF-8 JSON lines of
well-typed events, or that holds no event at all: ``minimq.trace`` says what is refused;
an argument the engine refuses), or a file that cannot be read (missing, a directory,
no permission).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence

from minimq import __version__
from minimq.errors import MinimqError, ValidationError


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite positive number, got {text!r}")
    return value


def _lesson_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("en", "zh"), default=None, help="language (default: from the locale)")
    p.add_argument("--seed", type=int, default=1, help="seed of every run (default 1)")
    p.add_argument("--no-pause", action="store_true", help="run straight through (the default when not on a terminal)")
    p.add_argument(
        "--export",
        metavar="FILE",
        help="also write the whole run to FILE (.svg, .html or .txt); "
        "with {n} in FILE, one numbered file per step (slides)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON summary instead of the narration")
    p.add_argument("--width", type=int, default=None, help="console width in columns")
    p.add_argument("--no-color", action="store_true", help="plain text, no colour")


def _check_options(p: argparse.ArgumentParser) -> None:
    from minimq.testing.schedule import PATHS  # no Hypothesis needed to parse arguments

    p.add_argument("design", help="a Python file defining handle(msg, db) and optionally setup(db)")
    p.add_argument("--examples", type=int, default=200, help="schedules to try (default 200)")
    p.add_argument("--seed", type=int, default=0, help="seed of the exploration (default 0)")
    p.add_argument(
        "--paths", default=None, help=f"comma-separated duplication paths to explore (default all: {','.join(PATHS)})"
    )
    p.add_argument("--replay", metavar="TOKEN", help="run only this stored schedule (from a failure report)")
    p.add_argument(
        "--jobs", type=int, default=None, help="worker processes (default: one per core); the result is the same"
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="wall-clock limit of one schedule's run: a design stuck longer is reported (default 10)",
    )
    p.add_argument("--lang", choices=("en", "zh"), default=None, help="language (default: from the locale)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--width", type=int, default=None, help="console width in columns")
    p.add_argument("--no-color", action="store_true", help="plain text, no colour")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minimq",
        description="A deterministic, virtual-time teaching broker that delivers like RocketMQ.",
    )
    parser.add_argument("--version", action="version", version=f"minimq {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("lessons", help="list the lessons").add_argument(
        "--lang", choices=("en", "zh"), default=None, help="language (default: from the locale)"
    )
    lesson = sub.add_parser("lesson", help="run one lesson step by step")
    lesson.add_argument("name", help="lesson number or name, e.g. 1 or upstream-retry")
    _lesson_options(lesson)
    _lesson_options(sub.add_parser("tour", help="run every lesson, one after another"))

    _check_options(sub.add_parser("check", help="property-test a coupon consumer design against every fault"))

    demo = sub.add_parser("demo", help="one order paid, one reply lost, two coupons")
    demo.add_argument("--seed", type=int, default=42, help="seed of the simulation (default 42)")
    demo.add_argument("--json", action="store_true", help="print a JSON summary instead of the narration")
    demo.add_argument("--trace-out", metavar="FILE", help="also write the trace as JSON lines to FILE")
    demo.add_argument(
        "--realtime",
        type=_positive_float,
        metavar="SPEED",
        help="pace virtual time against the wall clock (1 = real time, 10 = ten times faster)",
    )
    demo.add_argument("--width", type=int, default=None, help="console width in columns")
    demo.add_argument("--no-color", action="store_true", help="plain text, no colour")

    trace = sub.add_parser("trace", help="read a JSON-lines trace back and check it")
    trace.add_argument("file", help="a trace written by --trace-out")
    trace.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    trace.add_argument("--timeline", action="store_true", help="also draw the timeline")
    trace.add_argument(
        "--strict", action="store_true", help="exit 1 if a message was lost or an effect duplicated or lost"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "lessons":
            from minimq.lessons.cli import list_lessons

            return list_lessons(args)
        if args.command in ("lesson", "tour"):
            from minimq.lessons.cli import run_lessons

            return run_lessons(args)
        if args.command == "check":
            try:
                from minimq.testing.check_cli import run as check
            except ModuleNotFoundError as exc:
                from minimq.i18n import default_lang, t

                lang = args.lang or default_lang()
                print(t("err.prefix", lang, message=t("err.hypothesis", lang, module=exc.name)), file=sys.stderr)
                return 2
            return check(args)
        if args.command == "demo":
            return _demo(args)
        if args.command == "trace":
            return _trace(args)
        parser.print_help()
        return 0
    except MinimqError as exc:
        print(f"minimq: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"minimq: error: {exc.strerror or exc}: {exc.filename!r}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nminimq: interrupted", file=sys.stderr)
        return 130


def _demo(args: argparse.Namespace) -> int:
    from minimq import demo as scenario

    demo = scenario.run(seed=args.seed, realtime_speed=args.realtime)
    world = demo.world
    if args.trace_out:
        world.trace.write(args.trace_out)
    report = demo.report()
    if args.json:
        summary = {
            "scenario": "demo",
            "seed": args.seed,
            "coupons": len(demo.coupons),
            **report.summary(),
            "virtual_ms": world.now_ms,
            "trace_sha256": world.trace.sha256(),
        }
        print(json.dumps(summary, indent=2))
    else:
        from minimq.render.console import make_console
        from minimq.render.demo_view import render

        render(demo, make_console(args.width, args.no_color))
    world.close()
    return 0


def _trace(args: argparse.Namespace) -> int:
    from minimq.check import check
    from minimq.trace import Trace

    trace = Trace.read(args.file)
    if not trace.events:
        raise ValidationError(
            "a trace file must hold at least one event (a world's trace starts with WorldStarted)", args.file
        )
    report = check(trace)
    summary = report.summary()
    if args.json:
        print(json.dumps({"file": args.file, "events": len(trace), **summary}, indent=2))
    else:
        from minimq.render.console import make_console

        console = make_console()
        if args.timeline:
            from minimq.render.timeline import timeline

            table = timeline(trace.events, title=args.file)
            # The title and the lane names come from the command line and the trace: show
            # them as written, not as rich markup (a lane named "[/]" is a MarkupError).
            table.title = console.render_str(args.file, markup=False, emoji=False)
            for column in table.columns:
                if isinstance(column.header, str):
                    column.header = console.render_str(column.header, markup=False, emoji=False)
            console.print(table)
        console.print(f"{args.file}: {len(trace)} events", markup=False, emoji=False)
        for name, value in summary.items():
            console.print(f"  {name.replace('_', ' ')}: {value}")
    bad = report.lost or report.duplicated_effects or report.lost_effects
    return 1 if args.strict and bad else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
