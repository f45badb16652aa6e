"""The ``minimq`` argument parser: every command, its options, and its help in en or zh.

Owns: ``build_parser(lang)`` and ``requested_lang(argv)``. The help (description,
commands, options) comes from the catalog (``minimq/i18n/text_cli.py``) in the language
``main`` reads from the argv before parsing: the last ``--lang en|zh`` anywhere in it,
else the locale. argparse's own words ("usage:", "positional arguments", "options:",
"show this help message and exit" and its error messages) stay English. Help is wrapped
by display width (``_HelpFormatter``), so Chinese lines fit the terminal.
"""

from __future__ import annotations

import argparse
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from minimq import __version__
from minimq.i18n import CATALOG, LANGS, default_lang, t


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
        # one paragraph per line of ``text``; a line that starts with spaces (an item of a
        # list, as in check's list of paths) keeps them, and its wrapped lines hang under it
        lines = []
        for part in text.split("\n"):
            lead = part[: len(part) - len(part.lstrip())]
            hang = lead + "  " if lead else ""
            wrapped = self._split_lines(part, width - len(indent) - len(hang)) or [""]
            lines += [indent + (lead if i == 0 else hang) + line for i, line in enumerate(wrapped)]
        return "\n".join(lines)

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None) -> str:
        # argparse measures its "usage: " prefix in characters; "用法：" takes twice as many
        # columns, so the usage lines get that much less room.
        if prefix is None:
            module: Any = argparse
            prefix = str(module._("usage: "))
        extra = _cells(prefix) - len(prefix)
        self._width -= extra
        try:
            return str(super()._format_usage(usage, actions, groups, prefix))
        finally:
            self._width += extra


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


MIN_WIDTH = 20  # narrower, no table or timeline can hold its columns (check asks 40 of its own)


def _width(lang: str) -> Callable[[str], int]:
    """``--width``: a whole number of columns, at least ``MIN_WIDTH``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < MIN_WIDTH:
            raise argparse.ArgumentTypeError(t("ui.bad_width", lang, value=text, least=MIN_WIDTH))
        return value

    return parse


def _lang_option(p: argparse.ArgumentParser, lang: str, default: object = argparse.SUPPRESS) -> None:
    # A subcommand's --lang only overrides a top-level one: an unset one must not reset it.
    p.add_argument("--lang", choices=LANGS, default=default, help=t("cli.lang", lang))


def _lesson_options(p: argparse.ArgumentParser, lang: str) -> None:
    _lang_option(p, lang)
    p.add_argument("--seed", type=int, default=1, help=t("cli.lesson_seed", lang))
    p.add_argument("--no-pause", action="store_true", help=t("cli.no_pause", lang))
    p.add_argument("--export", metavar="FILE", help=t("cli.export", lang))
    p.add_argument("--json", action="store_true", help=t("cli.json_summary", lang))
    p.add_argument("--width", type=_width(lang), default=None, help=t("cli.width", lang))
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


def _paths_epilog(lang: str) -> str:
    """What each duplication path of ``--paths`` plays, one a line, in ``lang``."""
    from minimq.testing.schedule import path_words

    return "\n".join([t("cli.paths_title", lang), *(f"  {name}: {said}" for name, said in path_words(lang).items())])


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
    tour = command("tour", "cli.cmd_tour")
    tour.add_argument("--all", action="store_true", help=t("cli.tour_all", lang))
    _lesson_options(tour, lang)

    _check_options(command("check", "cli.cmd_check"), lang)
    sub.choices["check"].epilog = _paths_epilog(lang)

    demo = command("demo", "cli.cmd_demo")
    _lang_option(demo, lang)
    demo.add_argument("--seed", type=int, default=42, help=t("cli.demo_seed", lang))
    demo.add_argument("--json", action="store_true", help=t("cli.json_summary", lang))
    demo.add_argument("--trace-out", metavar="FILE", help=t("cli.trace_out", lang))
    demo.add_argument("--realtime", type=_positive_float, metavar="SPEED", help=t("cli.realtime", lang))
    demo.add_argument("--width", type=_width(lang), default=None, help=t("cli.width", lang))
    demo.add_argument("--no-color", action="store_true", help=t("cli.no_color", lang))

    site = command("site", "cli.cmd_site")
    site.add_argument("out_dir", metavar="OUT_DIR", help=t("cli.site_out", lang))
    site.add_argument("--lang", choices=(*LANGS, "both"), default="both", help=t("cli.site_lang", lang))
    site.add_argument("--seed", type=int, default=1, help=t("cli.lesson_seed", lang))

    trace = command("trace", "cli.cmd_trace")
    trace.add_argument("file", help=t("cli.trace_file", lang))
    trace.add_argument("--json", action="store_true", help=t("cli.json_verdicts", lang))
    trace.add_argument("--timeline", action="store_true", help=t("cli.timeline", lang))
    trace.add_argument("--svg", metavar="OUT", help=t("cli.trace_svg", lang))
    trace.add_argument("--strict", action="store_true", help=t("cli.strict", lang))
    return parser


@contextmanager
def argparse_words(lang: str) -> Iterator[None]:
    """argparse's own words ("usage:", "options", its error lines) in ``lang``: argparse
    looks each up through its module's gettext ``_``, swapped here for the catalog's."""
    if lang != "zh":
        yield
        return
    said = {CATALOG[key][0]: CATALOG[key][1] for key in CATALOG if key.startswith("ap.")}
    module: Any = argparse  # typeshed does not list argparse's gettext alias
    original: Callable[[str], str] = module._
    module._ = lambda message: said.get(message, original(message))
    try:
        yield
    finally:
        module._ = original


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
