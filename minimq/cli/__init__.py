"""The ``minimq`` command line: the top of the layers, where commands meet presentation.

Owns: ``main`` and its exit codes. ``minimq tour`` runs every lesson, ``minimq lesson N``
one, ``minimq lessons`` lists them (``cli.lessons``); ``minimq check`` explores a design
(``cli.check``); ``minimq demo`` runs the engine's smoke scenario (``cli.demo``); ``minimq trace FILE``
reads a JSON-lines trace back and runs the checkers; ``minimq site OUT_DIR`` writes
the lesson site (``cli.site``). The parser is ``cli.parser``.
Exit codes: 0 done; 1 the checkers found a problem (``trace --strict``: a lost message, a
duplicated or lost effect, a broken retry rule); 2 bad usage or
bad input, always with one line that names the problem and the value, never a traceback:
a bad flag (argparse), any ``MinimqError`` (a trace file that is not UTF-8 JSON lines of
well-typed events, or that holds no event at all: ``minimq.trace`` says what is refused;
an argument the engine refuses), or a file that cannot be read (missing, a directory,
no permission); 130 interrupted.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from collections.abc import Sequence

from minimq.cli.parser import argparse_words, build_parser, requested_lang
from minimq.errors import MinimqError, ValidationError
from minimq.i18n import default_lang, t

__all__ = ["build_parser", "main", "requested_lang"]


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = requested_lang(argv)
    with argparse_words(lang):  # argparse words its groups and -h as the parser is built
        parser = build_parser(lang)
        args = parser.parse_args(argv)
    try:
        if args.command == "lessons":
            from minimq.cli.lessons import list_lessons

            return list_lessons(args)
        if args.command in ("lesson", "tour"):
            from minimq.cli.lessons import run_lessons

            return run_lessons(args)
        if args.command == "check":
            try:
                from minimq.cli.check import run as check
            except ModuleNotFoundError as exc:
                lang = getattr(args, "lang", None) or default_lang()
                print(t("err.prefix", lang, message=t("err.hypothesis", lang, module=exc.name)), file=sys.stderr)
                return 2
            return check(args)
        if args.command == "demo":
            from minimq.cli.demo import run as demo

            return demo(args)
        if args.command == "trace":
            return _trace(args)
        if args.command == "site":
            from minimq.cli.site import run as site

            return site(args, lang)
        parser.print_help()
        return 0
    except MinimqError as exc:
        print(t("err.prefix", lang, message=str(exc)), file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (``minimq lesson 1 --json | head``): stop quietly
        _quiet_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a killed pipe writer
    except OSError as exc:
        print(t("err.prefix", lang, message=_os_error(exc, lang)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{t('err.interrupted', lang)}", file=sys.stderr)
        return 130


_OS_ERRORS = {errno.ENOENT: "err.no_file", errno.EACCES: "err.not_allowed", errno.EISDIR: "err.is_dir"}


def _os_error(exc: OSError, lang: str) -> str:
    """A file that cannot be read or written, said in ``lang`` with its path."""
    key = _OS_ERRORS.get(exc.errno or 0)
    if key is not None:
        return t(key, lang, path=exc.filename)
    return t("err.os", lang, problem=exc.strerror or str(exc), path=exc.filename)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that Python's own flush at exit does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test's capture)
        pass
    finally:
        os.close(devnull)


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
    if args.svg:
        from pathlib import Path

        from minimq.render.sequence import sequence_svg
        from minimq.render.timeline import lanes_of

        columns = lanes_of(trace.events)
        lang = getattr(args, "lang", None) or default_lang()
        svg = sequence_svg(trace.events, lanes={c: c for c in columns}, columns=columns, lang=lang, title=args.file)
        Path(args.svg).write_text(svg, encoding="utf-8")
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
    bad = report.lost or report.duplicated_effects or report.lost_effects or report.retry_violations
    return 1 if args.strict and bad else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
