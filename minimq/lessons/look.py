"""A lesson's own pictures, for a lesson whose world is not the one of lessons 1 to 3.

Owns: ``Look`` and the data it hands the view: ``Label`` (a catalog key with its values),
``StateTable``, ``VerdictLine`` and ``SummaryColumn``. A lesson puts its ``Look`` in
``Lesson.extra["look"]``; the view (``minimq.render.lesson_view``) draws it in the
learner's language. A lesson without one is drawn as lessons 1 to 3 are: the coupon and
red-packet lanes, the queues and coupons tables, the coupon verdict for ``Lesson.order``.
Lesson 10 (broadcasting) uses one for its dashboard instances and their offsets files.
Words stay in the catalog (``minimq.i18n``), pictures in ``minimq.render``: a ``Look``
holds catalog keys, numbers and names only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from minimq.apps.shop import Shop
from minimq.lessons.runner import RunSummary


@dataclass(frozen=True)
class Label:
    """A line of the catalog, ``key``, with the ``values`` it is filled with."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class StateTable:
    """A table of state after a step: a title, column headers, and rows of cells (names,
    numbers and times as they are, words as a ``Label``), the first column left-aligned
    and the others right-aligned."""

    title: Label
    columns: tuple[Label, ...]
    rows: tuple[tuple[str | Label, ...], ...]


@dataclass(frozen=True)
class VerdictLine:
    """One line of a run's verdict; ``bad`` marks a duplicate or a loss."""

    text: Label
    bad: bool = False


@dataclass(frozen=True)
class SummaryColumn:
    """A column of the closing table: its header (a catalog key) and its number per run."""

    title: str
    value: Callable[[RunSummary], int]


@dataclass(frozen=True)
class Look:
    """What a lesson draws instead of the defaults.

    ``lanes`` maps a trace lane (a client id, a system, a ledger) to a column title's
    catalog key, and ``columns`` orders those titles (a lane not mapped is left out of the
    step events and the timeline, and a column with nothing in a run is left out of that
    run's timeline); ``tables`` builds the state tables a step names in ``Step.show``;
    ``verdict`` says how a run ended; ``summary`` gives the closing table's columns
    between the design and the virtual time; the events of the ``hidden_groups`` (a group
    that runs as always and is not the lesson's subject) are left out of the pictures."""

    lanes: Mapping[str, str]
    columns: tuple[str, ...]
    tables: Mapping[str, Callable[[Shop], StateTable]]
    verdict: Callable[[Shop], tuple[VerdictLine, ...]]
    summary: tuple[SummaryColumn, ...]
    hidden_groups: frozenset[str] = frozenset()
