"""The lessons: each duplication path of the coupon incident, reproduced and then fixed.

Owns: the lesson scripts (``lesson1`` .. ``lesson16``, and the fix matrix ``fix_matrix``,
lesson 17, the capstone that closes the course), the step runner (``runner``) and the
registry (``LESSONS``, in the order of their numbers, ``TOUR``, ``find``). Words live in
``minimq.i18n``; pictures in ``minimq.render``.
"""

from __future__ import annotations

from minimq.lessons.base import Lesson
from minimq.lessons.fix_matrix import FIX_MATRIX, MatrixLesson
from minimq.lessons.lesson1 import LESSON as LESSON1
from minimq.lessons.lesson2 import LESSON as LESSON2
from minimq.lessons.lesson3 import LESSON as LESSON3
from minimq.lessons.lesson4 import LESSON as LESSON4
from minimq.lessons.lesson5 import LESSON as LESSON5
from minimq.lessons.lesson6 import LESSON as LESSON6
from minimq.lessons.lesson7 import LESSON as LESSON7
from minimq.lessons.lesson8 import LESSON as LESSON8
from minimq.lessons.lesson9 import LESSON as LESSON9
from minimq.lessons.lesson10 import LESSON as LESSON10
from minimq.lessons.lesson11 import LESSON as LESSON11
from minimq.lessons.lesson12 import LESSON as LESSON12
from minimq.lessons.lesson13 import LESSON as LESSON13
from minimq.lessons.lesson14 import LESSON as LESSON14
from minimq.lessons.lesson15 import LESSON as LESSON15
from minimq.lessons.lesson16 import LESSON as LESSON16

AnyLesson = Lesson | MatrixLesson
LESSONS: tuple[AnyLesson, ...] = (
    LESSON1,
    LESSON2,
    LESSON3,
    LESSON4,
    LESSON5,
    LESSON6,
    LESSON7,
    LESSON8,
    LESSON9,
    LESSON10,
    LESSON11,
    LESSON12,
    LESSON13,
    LESSON14,
    LESSON15,
    LESSON16,
    FIX_MATRIX,
)
TOUR: tuple[AnyLesson, ...] = (LESSON1, LESSON2, LESSON3, FIX_MATRIX)  # the short route: the seed's three, the matrix


def find(name: str) -> AnyLesson | None:
    """A lesson by number ("1"), slug ("upstream-retry") or file stem ("01_upstream_retry")."""
    key = name.strip().lower().replace("_", "-")
    for lesson in LESSONS:
        stem = f"{lesson.number:02d}-{lesson.slug}"
        if key in (str(lesson.number), f"{lesson.number:02d}", lesson.slug, stem):
            return lesson
    return None
