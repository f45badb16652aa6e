"""The fix matrix: every design of the ladder against one schedule per duplication path.

Owns: ``COLUMNS`` (one hand-written schedule for each way a coupon message is duplicated,
named by the path it takes: the story's path A, docs/semantics.md's P1 to P10, and
RocketMQ 5's: G1 the coupon system on POP (P17), H1 "order paid" sent in a transaction
(P16), R1 an operator's offset reset (P15), I1 a broker crash and a coupon process
restarted while it is down (P13), J1 a master lost while the coupon system reads from its
slave, and a deploy after it is back (P14)), ``Cell`` and ``run_matrix``. Each cell is
one lab run (``run_schedule``) of one design under one schedule, with the same seed for
every cell, so the table is measured, not asserted:
- ``ok``: exactly one coupon, and the design answered like a RocketMQ listener must;
- ``duplicate``: two coupons for the order; ``lost``: none;
- ``wrong``: one coupon, but a verdict all the same (a duplicate answered with
  RECONSUME_LATER and dead-lettered, a value that is not a status, ...).
A wrong cell carries the replay token, so ``minimq check <design> --replay <token>`` runs
exactly that schedule again and tells its story.
"""

from __future__ import annotations

from dataclasses import dataclass

from minimq.testing.design import LoadedDesign
from minimq.testing.lab import run_schedule
from minimq.testing.schedule import READY_MS, Schedule
from minimq.testing.steps import (
    BrokerCrash,
    Crash,
    Down,
    Fail,
    Join,
    Kill,
    LostReply,
    MasterDown,
    Pay,
    Reset,
    Slow,
    SlowTx,
    Step,
    UpstreamRetry,
)
from minimq.testing.story import violation_in_words

ORDER = "order-1"
T0 = READY_MS  # every column starts once the coupon system's first process owns its queues
_PAY = Pay(at_ms=T0, order=ORDER)
_HELD_MS = 31 * 60_000  # past the 15-minute consume timeout and its scan
# D1: four orders, one to each queue (the producer takes the queues in turn), so that
# whatever queue the first lands in, two of them are on the queues the join moves (c1
# keeps the first half of the sorted queues, AllocateMessageQueueAveragely). Each handler
# waits 3 s on a slow call before its 2nd statement, so it is still busy when c1 gives
# its queue up (the join's rebalance) and when c2 delivers it again (1.5 s after it
# joined: its first rebalance, then the 500 ms pull delay).
_D1_ORDERS = tuple(f"order-{n}" for n in range(1, 5))
_D1: tuple[Step, ...] = (
    *(Pay(at_ms=T0 + 10 * i, order=order) for i, order in enumerate(_D1_ORDERS)),
    *(Slow(at_ms=T0, order=order, statement=1, delay_ms=3000) for order in _D1_ORDERS),
    Join(at_ms=T0 + 500, client="c2"),
)


# G1: on POP, the handler waits 40 s before its 2nd statement (past its 30 s invisible
# duration) while c2 runs too: the message is revived at about 35 s and c2 receives it
# while c1 still works.
_G1: tuple[Step, ...] = (
    _PAY,
    Slow(at_ms=T0, order=ORDER, statement=2, delay_ms=40_000),
    Join(at_ms=T0, client="c2"),
)
# R1: the handler waits 3 s before its 2nd statement; the operator's reset comes 2 ms
# after the pay, as the message was just delivered: the next pull is answered
# OFFSET_MOVED, the queue is dropped and pulled again, and the copy is delivered again
# while the first still works (a reset that comes once the pull is held is learned only
# 15 s later, after the first copy is done).
_R1: tuple[Step, ...] = (
    _PAY,
    Slow(at_ms=T0, order=ORDER, statement=2, delay_ms=3000),
    Reset(at_ms=T0 + 2, delay_ms=0),
)


# I1: the broker crashes at 11 s, after coupon-system's first offset persist (10 s) and
# before its own flush of it (15 s): it comes back at 21 s with no offset for the queue
# (its 10 s flush came first). c1 is killed at 12 s while the broker is down and comes
# back at 12.5 s: the new process has no offset of its own, so once it reaches the broker
# it starts the queue where the broker says, and order-1 is delivered again (lesson 14's
# shape).
_I1: tuple[Step, ...] = (
    _PAY,
    BrokerCrash(at_ms=11_000),
    Kill(at_ms=12_000, client="c1", restart_after=500),
)


# J1: lesson 16's shape. The coupon system is down from 2 s (killed as order-1 is
# sent, before it arrives) to 90 s, so the order waits on the master; the
# master is lost at 68 s, after the slave's offset sync at 61 s, and the coupon system
# consumes from the slave (slaveReadEnable=true) from 90 s on, persisting its offsets
# there. The master is back at 305 s with its older offsets, which the slave's sync puts
# over its own at 313 s; c1 is deployed at 315 s (killed, back a second later), before its
# next route poll, and asks the master where to start: order-1 comes again.
_J1: tuple[Step, ...] = (
    _PAY,
    Down(at_ms=T0, restart_after=90_000 - T0),
    MasterDown(at_ms=68_000, restart_after=237_000),
    Kill(at_ms=315_000, client="c1", restart_after=1000),
)


@dataclass(frozen=True)
class Column:
    """One way the message is duplicated: ``code`` heads the column, ``label`` (a catalog
    key) says what happens, ``path`` names it (docs/semantics.md), ``steps`` play it, with
    the shop's ``consumer`` and ``producer`` (``minimq.testing.schedule.Schedule``)."""

    code: str
    label: str
    path: str
    steps: tuple[Step, ...]
    orders: tuple[str, ...] = (ORDER,)  # the orders it pays; a cell counts the one that went worst
    consumer: str = "push"
    producer: str = "plain"


def _crash_before(statement: int) -> Crash:
    return Crash(at_ms=T0, order=ORDER, client="c1", point="BEFORE_STATEMENT", statement=statement, restart_after=500)


COLUMNS: tuple[Column, ...] = (
    Column("A1", "matrix.col.A1", "A", (_PAY, UpstreamRetry(at_ms=T0, order=ORDER))),
    Column("A2", "matrix.col.A2", "A", (_PAY, UpstreamRetry(at_ms=T0 + 3000, order=ORDER))),
    Column("B1", "matrix.col.B1", "P2", (LostReply(at_ms=T0, order=ORDER, how="timeout", resend="same"),)),
    Column("B2", "matrix.col.B2", "P2", (LostReply(at_ms=T0, order=ORDER, how="timeout", resend="new"),)),
    Column("B3", "matrix.col.B3", "P1", (LostReply(at_ms=T0, order=ORDER, how="fast_fail"),)),
    Column(
        "C1",
        "matrix.col.C1",
        "P5",
        (_PAY, Crash(at_ms=T0, order=ORDER, client="c1", point="AFTER_HANDLER", restart_after=500)),
    ),
    Column("C2", "matrix.col.C2", "P5", (_PAY, _crash_before(1))),
    Column("C3", "matrix.col.C3", "P5", (_PAY, _crash_before(2))),
    Column("C4", "matrix.col.C4", "P5", (_PAY, _crash_before(4))),
    Column("D1", "matrix.col.D1", "P7", _D1, _D1_ORDERS),
    Column("E1", "matrix.col.E1", "P8", (_PAY, Fail(at_ms=T0, order=ORDER, statement=1))),
    Column("E2", "matrix.col.E2", "P8", (_PAY, Fail(at_ms=T0, order=ORDER, statement=2))),
    Column("E3", "matrix.col.E3", "P8", (_PAY, Fail(at_ms=T0, order=ORDER, statement=2, how="after"))),
    Column("E4", "matrix.col.E4", "P8", (_PAY, Fail(at_ms=T0, order=ORDER, statement=3, how="after"))),
    Column("F1", "matrix.col.F1", "P10", (_PAY, Slow(at_ms=T0, order=ORDER, delay_ms=_HELD_MS))),
    Column("F2", "matrix.col.F2", "P10", (_PAY, Slow(at_ms=T0, order=ORDER, statement=2, delay_ms=_HELD_MS))),
    Column("G1", "matrix.col.G1", "P17", _G1, consumer="pop"),
    Column(
        "H1",
        "matrix.col.H1",
        "P16",
        (_PAY, SlowTx(at_ms=T0, order=ORDER, delay_ms=40_000)),
        producer="transaction",
    ),
    Column("R1", "matrix.col.R1", "P15", _R1),
    Column("I1", "matrix.col.I1", "P13", _I1),
    Column("J1", "matrix.col.J1", "P14", _J1),
)


@dataclass(frozen=True)
class Cell:
    """One design under one column's schedule: what the run left."""

    design: str
    column: str
    coupons: int
    outcome: str  # ok, duplicate, lost or wrong
    kinds: tuple[str, ...]  # the verdicts' kinds, sorted
    token: str  # the schedule, for ``minimq check --replay``
    reason: str  # the first sentence of the verdict, in the language asked for ("" when ok)


def schedule_of(column: Column) -> Schedule:
    return Schedule(column.orders, column.steps, column.consumer, column.producer)


def column_named(code: str) -> Column | None:
    """The column ``code`` names (``A1`` .. ``J1``, any case), or None."""
    return next((c for c in COLUMNS if c.code == code.strip().upper()), None)


def run_cell(design: LoadedDesign, column: Column, seed: int, lang: str = "en") -> Cell:
    """Run ``design`` under ``column``'s schedule and sort what it left."""
    schedule = schedule_of(column)
    result = run_schedule(design, schedule, seed)
    counts = [result.coupons.get(order, 0) for order in column.orders]
    coupons = max(counts) if max(counts) > 1 else min(counts)  # the order that went worst
    if result.ok:
        outcome = "ok"
    elif coupons > 1:
        outcome = "duplicate"
    elif coupons == 0:
        outcome = "lost"
    else:
        outcome = "wrong"
    reason = "" if result.ok else (violation_in_words(result, lang) or [""])[0]
    return Cell(design.name, column.code, coupons, outcome, tuple(sorted(result.kinds())), schedule.token(), reason)


def run_matrix(designs: list[LoadedDesign], seed: int, lang: str = "en") -> list[list[Cell]]:
    """One row per design, one cell per column, every cell with ``seed``."""
    return [[run_cell(design, column, seed, lang) for column in COLUMNS] for design in designs]
