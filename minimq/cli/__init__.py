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

Language: the help (description, commands, options) comes from the catalog
(``minimq/i18n/text_cli.py``) in the language ``main`` reads from the argv before parsing:
the last ``--lang en|zh`` anywhere in it, else the locale. argparse's own words ("usage:",
"positional arguments", "options:", "show this help message and exit" and its error
messages) stay English. Help is wrapped by display width (``_HelpFormatter``).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import unicodedata
from collections.abc import Sequence

from minimq import __version__
from minimq.errors import MinimqError, ValidationError
from minimq.i18n import LANGS, default_lang, t


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite positive number, got {text!r}")
    return value


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's layout, wrapped by display width: a Chinese character takes two columns,
    a line may break between two of them or after a comma, never inside an English word or
    an option name (argparse's textwrap counts characters and breaks at hyphens)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return _wrap(self._whitespace_matcher.sub(" ", text).strip(), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in self._split_lines(text, width - len(indent)))


_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
_CLOSING = "，。；：、）！？"  # may not start a line: kept with what precedes it
_ATOM = re.compile(
    rf"（?[^\s{_CJK}]+?(?:,|(?=[\s{_CJK}])|$)[{_CLOSING}]*"  # an English word, or its part up to a comma
    rf"|（?[{_CJK}][{_CLOSING}]*"  # one Chinese character
    r"|\s+"
)


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for atom in _ATOM.findall(text):
        if atom.isspace():
            line += " " if line else ""
        elif line and _cells(line + atom) > width:
            lines.append(line.rstrip())
            line = atom
        else:
            line += atom
    return [*lines, line.rstrip()] if line.strip() else lines


def _lang_option(p: argparse.ArgumentParser, lang: str, default: object = argparse.SUPPRESS) -> None:
    # A subcommand's --lang only overrides a top-level one: an unset one must not reset it.
    p.add_argument("--lang", choices=LANGS, default=default, help=t("cli.lang", lang))


def _lesson_options(p: argparse.ArgumentParser, lang: str) -> None:
    _lang_option(p, lang)
    p.add_argument("--seed", type=int, default=1, help=t("cli.lesson_seed", lang))
    p.add_argument("--no-pause", action="store_true", help=t("cli.no_pause", lang))
    p.add_argument("--export", metavar="FILE", help=t("cli.export", lang))
    p.add_argument("--json", action="store_true", help=t("cli.json_summary", lang))
    p.add_argument("--width", type=int, default=None, help=t("cli.width", lang))
    p.add_argument("--no-color", action="store_true", help=t("cli.no_color", lang))


def _check_options(p: argparse.ArgumentParser, lang: str) -> None:
    from minimq.testing.schedule import PATHS  # no Hypothesis needed to parse arguments

    p.add_argument("design", help=t("cli.design", lang))
    p.add_argument("--examples", type=int, default=200, help=t("cli.examples", lang))
    p.add_argument("--seed", type=int, default=0, help=t("cli.check_seed", lang))
    p.add_argument("--paths", default=None, help=t("cli.paths", lang, paths=",".join(PATHS)))
    p.add_argument("--replay", metavar="TOKEN", help=t("cli.replay", lang))
    p.add_argument("--jobs", type=int, default=None, help=t("cli.jobs", lang))
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help=t("cli.timeout", lang))
    _lang_option(p, lang)
    p.add_argument("--json", action="store_true", help=t("cli.json_result", lang))
    p.add_argument("--width", type=int, default=None, help=t("cli.width", lang))
    p.add_argument("--no-color", action="store_true", help=t("cli.no_color", lang))


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """The whole command line, its help in ``lang`` (``main`` picks it from the argv)."""
    parser = argparse.ArgumentParser(
        prog="minimq", description=t("cli.description", lang), formatter_class=_HelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"minimq {__version__}", help=t("cli.version", lang))
    _lang_option(parser, lang, default=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, key: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=t(key, lang), formatter_class=_HelpFormatter)

    _lang_option(command("lessons", "cli.cmd_lessons"), lang)
    lesson = command("lesson", "cli.cmd_lesson")
    lesson.add_argument("name", help=t("cli.lesson_name", lang))
    _lesson_options(lesson, lang)
    _lesson_options(command("tour", "cli.cmd_tour"), lang)

    _check_options(command("check", "cli.cmd_check"), lang)

    demo = command("demo", "cli.cmd_demo")
    demo.add_argument("--seed", type=int, default=42, help=t("cli.demo_seed", lang))
    demo.add_argument("--json", action="store_true", help=t("cli.json_summary", lang))
    demo.add_argument("--trace-out", metavar="FILE", help=t("cli.trace_out", lang))
    demo.add_argument("--realtime", type=_positive_float, metavar="SPEED", help=t("cli.realtime", lang))
    demo.add_argument("--width", type=int, default=None, help=t("cli.width", lang))
    demo.add_argument("--no-color", action="store_true", help=t("cli.no_color", lang))

    trace = command("trace", "cli.cmd_trace")
    trace.add_argument("file", help=t("cli.trace_file", lang))
    trace.add_argument("--json", action="store_true", help=t("cli.json_verdicts", lang))
    trace.add_argument("--timeline", action="store_true", help=t("cli.timeline", lang))
    trace.add_argument("--strict", action="store_true", help=t("cli.strict", lang))
    return parser


def requested_lang(argv: Sequence[str]) -> str:
    """The language of the command line: the last ``--lang en|zh`` (or ``--lang=zh``, or a
    prefix argparse would accept, ``--la zh``) anywhere before ``--``, else the locale.
    Read before parsing, so that ``minimq check --help --lang zh`` is already in Chinese."""
    chosen = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        name, eq, value = arg.partition("=")
        if len(name) > 2 and "--lang".startswith(name):
            value = value if eq else (argv[i + 1] if i + 1 < len(argv) else "")
            chosen = value if value in LANGS else chosen
    return chosen or default_lang()


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(requested_lang(argv))
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
