"""What the parent and a worker process say to each other over their pipe.

Owns: one frozen record per kind of message, pickled through the pipe. The parent
sends a ``Job`` (``ExploreShard`` or ``Replay``), or ``None`` when it has no more work;
a worker answers ``Ready`` once it has loaded the design, then ``Progress`` while it
runs a shard and ``ShardDone`` or ``Replayed`` at the end of a job. Instead of an
answer, a worker may report that it cannot go on: ``Failed`` (the design's fault, a
``DesignError``), ``Hung`` (the design swallowed the watchdog's interruptions) or
``Crashed`` (a bug of ours, with its traceback).
"""

from __future__ import annotations

from dataclasses import dataclass

from minimq.testing.design import DesignError
from minimq.testing.outcome import Outcome
from minimq.testing.schedule import Schedule
from minimq.testing.shards import Shard, ShardResult


# -- from the parent -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class ExploreShard:
    """Explore ``shard`` over ``paths``, with up to ``max_orders`` orders a schedule."""

    shard: Shard
    paths: list[str]
    max_orders: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Replay:
    """Run ``schedule`` once, in full."""

    schedule: Schedule


Job = ExploreShard | Replay


# -- from a worker -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class Ready:
    """The design is loaded: the worker takes jobs."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress:
    """Shard ``index`` has run ``runs`` more schedules."""

    index: int
    runs: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ShardDone:
    """A shard explored: its result (a counterexample's outcome made portable)."""

    result: ShardResult


@dataclass(frozen=True, slots=True, kw_only=True)
class Replayed:
    """A schedule replayed: its outcome, made portable."""

    outcome: Outcome


@dataclass(frozen=True, slots=True, kw_only=True)
class Failed:
    """The design cannot be checked (its import, its ``setup``, a usage error): the worker
    stops."""

    error: DesignError


@dataclass(frozen=True, slots=True, kw_only=True)
class Hung:
    """The design went on after the watchdog's last interruption, ``where`` (a
    file:line, "" if unknown) at ``code``: the worker exits."""

    where: str
    code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Crashed:
    """minimq itself failed inside the worker: the ``traceback`` to report."""

    traceback: str


Report = Ready | Progress | ShardDone | Replayed | Failed | Hung | Crashed
