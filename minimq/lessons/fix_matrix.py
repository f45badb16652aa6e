"""The capstone lesson: the fix matrix, every design of the ladder against every path.

Owns: ``MatrixLesson``, ``FIX_MATRIX`` and ``run_matrix_lesson``. Where the other lessons
tell one path through the shop step by step, this one runs the lab of ``minimq check``
(``minimq.testing.matrix``) for every shipped design under one schedule per path, with the
same seed, and hands the measured table to a view: a cell per design and path (one
coupon, a duplicate, a lost coupon, or one coupon with a wrong answer), and for each
wrong cell the one-line reason and the ``minimq check --replay`` command that runs it
again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minimq.testing.design import load_design
from minimq.testing.matrix import COLUMNS, Cell, run_matrix

LADDER = (  # from wrong to right, as docs/story.md tells it
    "no_dedupe",
    "memory_set",
    "query_then_insert",
    "mark_first",
    "redis_do_then_mark",
    "msgid_table",
    "unique_key",
    "conditional_state",
)


@dataclass(frozen=True)
class MatrixLesson:
    number: int
    slug: str
    title: str  # catalog key
    setting: str  # catalog key
    diagnosis: str  # catalog key
    limits: str  # catalog key
    designs: tuple[str, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        """The duplication paths of docs/semantics.md its columns show."""
        return tuple(sorted({c.path for c in COLUMNS if c.path.startswith("P")}, key=lambda p: int(p[1:])))


FIX_MATRIX = MatrixLesson(
    number=17,
    slug="fix-matrix",
    title="lm.title",
    setting="lm.setting",
    diagnosis="lm.diagnosis",
    limits="lm.limits",
    designs=LADDER,
)


def run_matrix_lesson(lesson: MatrixLesson, seed: int, lang: str = "en") -> list[list[Cell]]:
    """Every design of ``lesson`` under every column's schedule, with ``seed``."""
    return run_matrix([load_design(name) for name in lesson.designs], seed, lang)


def summary(lesson: MatrixLesson, seed: int, rows: list[list[Cell]]) -> dict[str, Any]:
    """What ``--json`` prints: the columns, and per design its cells."""
    return {
        "lesson": lesson.slug,
        "seed": seed,
        "paths": list(lesson.paths),
        "columns": [{"code": c.code, "path": c.path} for c in COLUMNS],
        "designs": {
            row[0].design: {
                cell.column: {"coupons": cell.coupons, "outcome": cell.outcome, "kinds": list(cell.kinds)}
                for cell in row
            }
            for row in rows
        },
    }
