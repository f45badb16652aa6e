"""``minimq lessons``, ``minimq lesson N`` and ``minimq tour``.

Owns: choosing lessons, language, pausing and export for the command line. Step mode
(``minimq.cli.pager``: Enter, ``b`` back, a page number, ``q`` quit) is the default on a
terminal; ``--no-pause``, ``--json`` or a stdout/stdin that is not a terminal run straight
through, printing exactly what they printed before step mode had keys. ``--export FILE`` writes
the whole run; a ``{n}`` in FILE writes one numbered file per step instead (slides). One
lesson exported to .html is its lesson-site page (``minimq.site``), not a transcript.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, cast

from minimq.cli.pager import Pager, QuitLesson
from minimq.i18n import default_lang, t
from minimq.lessons import LESSONS, TOUR, AnyLesson, find
from minimq.lessons.fix_matrix import MatrixLesson, run_matrix_lesson, summary
from minimq.lessons.runner import NullView, run_lesson
from minimq.render.console import make_console, print_paragraph

EXPORT_SUFFIXES = (".svg", ".html", ".htm", ".txt")


def _listing(lang: str) -> list[str]:
    """One line a lesson: number, name, the paths of docs/semantics.md it shows, title; * in the short tour."""
    slug = max(len(lesson.slug) for lesson in LESSONS)
    paths = max(len(" ".join(lesson.paths)) for lesson in LESSONS)
    return [
        f"{'*' if lesson in TOUR else ' '}{lesson.number:>3}  {lesson.slug:<{slug}}  "
        f"{' '.join(lesson.paths):<{paths}}  {t(lesson.title, lang)}"
        for lesson in LESSONS
    ]


def list_lessons(args: argparse.Namespace) -> int:
    lang = args.lang or default_lang()
    print(t("ui.lessons_title", lang))
    print("\n".join(_listing(lang)))
    print(t("ui.lessons_hint", lang))
    return 0


def _chosen(args: argparse.Namespace, lang: str) -> list[AnyLesson] | None:
    if args.command == "tour":
        return list(LESSONS if args.all else TOUR)
    lesson = find(args.name)
    if lesson is None:
        print(f"minimq: error: {t('ui.unknown_lesson', lang, name=args.name)}", file=sys.stderr)
        print("\n".join(_listing(lang)), file=sys.stderr)
        return None
    return [lesson]


SVG_WIDTH = 120  # columns of an exported SVG unless --width says otherwise


def _check_export(path: str | None, lang: str) -> str | None:
    """An error message for an export path we cannot write, or None. A missing folder is
    made (``--export 'slides/l1-{n}.svg'`` on a fresh clone)."""
    if path is None:
        return None
    first = Path(path.replace("{n}", "01"))
    if first.suffix.lower() not in EXPORT_SUFFIXES:
        return t("ui.export_suffix", lang, path=path)
    parent = first.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return t("ui.export_dir", lang, path=str(parent))
    return None


def run_lessons(args: argparse.Namespace) -> int:
    lang = args.lang or default_lang()
    lessons = _chosen(args, lang)
    if lessons is None:
        return 2
    problem = _check_export(args.export, lang)
    if args.json and args.export:
        problem = t("ui.json_and_export", lang)
    if problem:
        print(f"minimq: error: {problem}", file=sys.stderr)
        return 2
    if args.json:
        out = [_summary(lesson, args.seed) for lesson in lessons]
        print(json.dumps(out[0] if args.command == "lesson" else {"lessons": out}, indent=2))
        return 0
    return _narrate(args, lessons, lang)


def _summary(lesson: AnyLesson, seed: int) -> dict[str, object]:
    if isinstance(lesson, MatrixLesson):
        return summary(lesson, seed, run_matrix_lesson(lesson, seed))
    runs = run_lesson(lesson, seed, NullView())
    return {"lesson": lesson.slug, "seed": seed, "paths": list(lesson.paths), "runs": [r.as_dict() for r in runs]}


def _narrate(args: argparse.Namespace, lessons: list[AnyLesson], lang: str) -> int:
    from minimq.render import matrix_view
    from minimq.render.export import export
    from minimq.render.lesson_view import LessonView

    width = args.width
    if width is None and args.export and args.export.lower().endswith(".svg"):
        width = SVG_WIDTH  # a slide, not a terminal: wide enough for the timelines' lanes
    interactive = sys.stdout.isatty() and sys.stdin.isatty() and not args.no_pause
    pager = None
    if interactive:
        pager = Pager(sys.stdout, page_total(lessons), lang, width=width, no_color=args.no_color)
    tape = cast("IO[str]", pager.tape) if pager is not None else None  # a TextIOBase; typeshed wants IO
    console = make_console(width, args.no_color, record=args.export is not None, file=tape)
    title = "minimq tour" if args.command == "tour" else t(lessons[0].title, lang)
    pages: list[str] = []

    def page() -> None:
        """With ``--export 'slides/{n}.svg'``: one file per step, written as it ends."""
        if args.export and "{n}" in args.export:
            pages.append(args.export.replace("{n}", f"{len(pages) + 1:02d}"))
            export(console, pages[-1], title, clear=True)
        if pager is not None:
            pager.pause()

    view = LessonView(console, lang, args.seed, page)
    finished = False
    try:
        for lesson in lessons:
            if isinstance(lesson, MatrixLesson):
                matrix_view.render(console, lesson, args.seed, run_matrix_lesson(lesson, args.seed, lang), lang)
                page()
            else:
                run_lesson(lesson, args.seed, view)
    except QuitLesson as stop:  # raised by the pager only; the runner has closed its shop
        if pager is not None:
            pager.finish()
            pager.say(t("ui.step_quit", lang, n=stop.page, total=pager.total))
    else:
        finished = True
        if pager is not None:
            pager.finish()
        if args.command == "tour":
            print_paragraph(console, _closing(lessons, args.all, lang))
    if args.export and pages:
        if args.command == "tour" and finished:  # the closing line gets a page of its own
            pages.append(args.export.replace("{n}", f"{len(pages) + 1:02d}"))
            export(console, pages[-1], title, clear=True)
        print(t("ui.exported", lang, path=f"{pages[0]} .. {pages[-1]} ({len(pages)})"), file=sys.stderr)
    elif args.export and finished and _player_page(args):
        from minimq.site.build import lesson_file

        lesson_file(lessons[0], Path(args.export), lang, args.seed)
        print(t("ui.exported", lang, path=args.export), file=sys.stderr)
    elif args.export:
        export(console, args.export, title)
        print(t("ui.exported", lang, path=args.export), file=sys.stderr)
    return 0


def _player_page(args: argparse.Namespace) -> bool:
    """``minimq lesson N --export x.html`` writes the lesson site's page for it (a player that
    steps through the lesson, prints as a handout); a tour's .html stays the transcript."""
    export: str = args.export
    return args.command == "lesson" and export.lower().endswith((".html", ".htm"))


def page_total(lessons: list[AnyLesson]) -> int:
    """The pages the lessons are told in: one for the fix matrix, ``page_count`` for a story."""
    from minimq.render.lesson_view import page_count

    return sum(1 if isinstance(lesson, MatrixLesson) else page_count(lesson) for lesson in lessons)


def _closing(lessons: list[AnyLesson], whole: bool, lang: str) -> str:
    """The tour's last words: the short route points to the rest, the whole one sums them up."""
    if whole:
        return t("ui.tour_done_all", lang, n=len(lessons))
    return t("ui.tour_done", lang, more=len(LESSONS) - len(lessons))
