"""Wall time of each lesson run unattended (target: under 1 s each, narration included).

    python bench/lessons.py [--repeat 5] [--lang en|zh]

Each lesson is run through the same code path as `minimq lesson N --no-pause` (every
design, every step, timelines and tables rendered at 100 columns into memory), and also
as `--json` (simulation only). Best and median of the repeats are printed; the machine
is shared, so read the best.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from rich.console import Console

from minimq.lessons import LESSONS, AnyLesson
from minimq.lessons.fix_matrix import MatrixLesson, run_matrix_lesson
from minimq.lessons.runner import NullView, run_lesson
from minimq.render import matrix_view
from minimq.render.lesson_view import LessonView


def narrated(lesson: AnyLesson, lang: str) -> float:
    start = time.perf_counter()
    console = Console(file=io.StringIO(), width=100, no_color=True, record=False)
    if isinstance(lesson, MatrixLesson):
        matrix_view.render(console, lesson, 1, run_matrix_lesson(lesson, 1, lang), lang)
    else:
        run_lesson(lesson, 1, LessonView(console, lang, 1))
    return time.perf_counter() - start


def simulated(lesson: AnyLesson) -> float:
    start = time.perf_counter()
    if isinstance(lesson, MatrixLesson):
        run_matrix_lesson(lesson, 1)
    else:
        run_lesson(lesson, 1, NullView())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lang", default="en", choices=("en", "zh"))
    args = parser.parse_args()
    narrated(LESSONS[0], args.lang)  # warm up imports and caches once
    print(f"{'lesson':<22}{'narrated best':>15}{'median':>10}{'json best':>12}{'median':>10}   target < 1 s")
    for lesson in LESSONS:
        told, bare = [], []
        for _ in range(args.repeat):
            told.append(narrated(lesson, args.lang))
            bare.append(simulated(lesson))
        verdict = "met" if min(told) < 1.0 else "NOT met"
        print(
            f"{lesson.number} {lesson.slug:<20}{min(told):>13.3f} s{statistics.median(told):>8.3f} s"
            f"{min(bare):>10.3f} s{statistics.median(bare):>8.3f} s   {verdict}"
        )


if __name__ == "__main__":
    main()
