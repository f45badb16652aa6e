"""``minimq site OUT_DIR``: every lesson page in each language, the index, the fix matrix.

Owns: ``build_site`` and ``lesson_file`` (one page alone). Each lesson runs once per
language with the same seed (the trace is the same; only the words differ). The index
gives each lesson the time docs/workshop.md's half-day plan gives it (``Lesson.minutes``;
the fix matrix ``MATRIX_MINUTES``), which a test holds to the guide.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from minimq.i18n import t
from minimq.lessons import LESSONS, AnyLesson
from minimq.lessons.base import Lesson
from minimq.lessons.fix_matrix import run_matrix_lesson
from minimq.site.collect import collect_lesson
from minimq.site.page import index_name, index_page, lesson_page, matrix_page, page_name

MATRIX_MINUTES = 15


def lesson_file(lesson: AnyLesson, path: Path, lang: str, seed: int = 1) -> None:
    """One lesson's page on its own (``minimq lesson N --export x.html``): the site's page
    for it, without the index and language links a page only has inside the site."""
    if isinstance(lesson, Lesson):
        text = lesson_page(collect_lesson(lesson, lang, seed), None, None)
    else:
        text = matrix_page(lesson, seed, run_matrix_lesson(lesson, seed, lang), lang, None, None)
    path.write_text(text, encoding="utf-8")


def build_site(out_dir: Path, langs: Sequence[str], seed: int = 1) -> list[Path]:
    """Write the site into ``out_dir`` (created if missing); returns the files written."""
    out_dir.mkdir(exist_ok=True)
    written: list[Path] = []
    first = langs[0]

    def other(name_of: Any, lang: str) -> str | None:
        rest = [x for x in langs if x != lang]
        return name_of(rest[0]) if rest else None

    def write(name: str, text: str) -> None:
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)

    for lang in langs:
        index = index_name(lang, first)
        entries: list[dict[str, Any]] = []
        for lesson in LESSONS:
            name = page_name(lesson.number, lesson.slug, lang)
            switch = other(lambda x, lesson=lesson: page_name(lesson.number, lesson.slug, x), lang)
            if isinstance(lesson, Lesson):
                data = collect_lesson(lesson, lang, seed)
                write(name, lesson_page(data, index, switch))
                # what goes wrong (the naive run's moral) and the run that fixes it
                moral, fix, length = data["runs"][0]["moral"], data["runs"][-1]["title"], lesson.minutes
            else:
                rows = run_matrix_lesson(lesson, seed, lang)
                write(name, matrix_page(lesson, seed, rows, lang, index, switch))
                moral, fix, length = t(lesson.setting, lang).split("\n\n")[0], "", MATRIX_MINUTES
            entries.append(
                {
                    "number": lesson.number,
                    "title": t(lesson.title, lang).split(" · ", 1)[-1],  # the number has its column
                    "href": name,
                    "paths": list(lesson.paths),
                    "moral": moral.split("\n\n")[0],
                    "fix": fix,
                    "minutes": length,
                }
            )
        write(index, index_page(entries, lang, other(lambda x: index_name(x, first), lang)))
    return written
