"""Hypothesis strategies for fault schedules over every duplication path minimq models.

Owns: ``schedules(paths=..., max_orders=3)``. Each example is 1..``max_orders`` orders
in flight, each sent normally, twice by an upstream retry, or with a lost reply; plus up
to three faults drawn from the enabled paths (a consume-timeout hold and a late
redelivery a quarter as often as the others: they cost 30 virtual minutes to a day of
simulation a run). A late redelivery comes an hour after the first copy: the payment
system's callback retried late (WeChat Pay retries for 24 h 4 min), the coupon system
down that long (or a day) before it comes back, the coupon database down for an hour (the copies
delivered meanwhile climb the retry ladder: 10 s, 30 s, ... 1 h 15 min), or an operator
resetting the group's offsets back to the start. A dedupe record whose TTL is shorter
than that is found through the TTL itself. Numbers come
from small lists that shrink towards 0 and towards the simplest fault, so a failure
shrinks to a short story. Every fault draws the same seven choices whatever its kind,
so that shrinking a hold into a crash does not reshape the rest of the example (which
makes Hypothesis re-randomise it, running many more 30-minute schedules).

The paths of RocketMQ 5 add two choices of the whole schedule, drawn first and only
when they can go either way (so the paths before them draw exactly what they drew):
with ``pop`` the coupon system runs on SimpleConsumers, and with ``transaction`` the
order system sends in a transaction, each in one schedule of four (``MODE_WEIGHT``), and
in every schedule when it is the only path explored. On POP the
faults are those that mean something there (a consume-timeout hold does not: there is
no consume timeout; nor does a database outage of an hour, which would dead-letter
every message after 17 receives in 10 minutes, the deploy's doing, not the design's),
plus POP's own: a call held past the 30 s invisible duration (40 s, 65 s or 150 s, well
under the 17 revivals that dead-letter a message), a failed call or a crash before the
ack, each with or without a second process. With the transactional producer: a local
transaction of 40 s, 27 s (it ends just before the 30 s check-back scan, whose op record
is not written yet) or 100 s, and a lost END_TRANSACTION. An operator's reset
(``reset``) comes 1 s (while a handler is still busy, with the flag), 10 s or 5 min
after the faults' time, back to the start.

Every strategy object is built once per set of paths (``_Parts``) and reused by every
draw: Hypothesis validates a strategy the first time it draws from it, and a schedule
makes about forty draws, so building them afresh for each draw would cost more than
the draws themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import replace

from hypothesis import strategies as st

from minimq.errors import ValidationError
from minimq.testing.schedule import PATHS, READY_MS, Schedule
from minimq.testing.schedule_check import down_ms
from minimq.testing.steps import (
    BrokerCrash,
    Crash,
    Down,
    Fail,
    Join,
    Kill,
    Leave,
    LostEnd,
    LostReply,
    MasterDown,
    Outage,
    Pay,
    Reset,
    Slow,
    SlowTx,
    Step,
    UpstreamRetry,
)
from minimq.testing.supervisor import RESTART_MS

# After READY_MS: the coupon system has been running (its first pulls wait at the broker).
TIMES = st.sampled_from([READY_MS + t for t in (0, 1, 2, 5, 10, 20, 50, 200, 1000, 3000)])
RESTARTS = st.sampled_from([500, 2000, 6000])
CRASH_POINTS = ["AFTER_HANDLER", "BEFORE_STATEMENT", "AFTER_LOCAL_COMMIT", "BEFORE_HANDLER", "IN_HANDLER"]
SLOW_MS = 31 * 60_000  # past the consume-timeout scan at 30 min
# A rebalance redelivers a message only if it is still in flight when its queue moves: the
# new owner takes it 1 s after it joined and pulls 500 ms later, so the handler waits this
# long on a slow call (the old owner is mid-flight).
BUSY_MS = 3000
# The consume-timeout path is one mechanism with one knob and costs 30+ virtual minutes
# a run, so it is drawn a quarter as often as the paths with many variants.
FAULT_WEIGHTS: tuple[tuple[str, str, int], ...] = (
    ("crash", "crash", 4),
    ("rebalance", "rebalance", 4),
    ("fail", "reconsume-later", 4),
    ("slow", "consume-timeout", 1),
    ("late", "late-redelivery", 1),
    ("invisible", "pop", 4),  # POP only
    ("slow_tx", "transaction", 3),  # transactional producer only
    ("lost_end", "transaction", 1),  # transactional producer only
    ("reset", "reset", 2),
    ("broker_crash", "broker-crash", 4),
    ("failover", "failover", 1),  # 5 min 40 s of virtual time a run
)
# POP and the transactional producer are ways to deploy, not faults: drawn once in four
# schedules each, so that a bug of the push consumer's paths is found about as fast with
# every path explored as with those alone
MODE_WEIGHT = 3
PUSH_ONLY = frozenset({"slow", "broker_crash", "failover"})  # no consume timeout on POP; a broker crash: see below
# A broker crash is drawn with the push consumer and the plain producer only: what it
# does to POP checkpoints and half messages is lessons 12 to 14's, not this path's.
PLAIN_ONLY = frozenset({"broker_crash", "failover"})
POP_ONLY = frozenset({"invisible"})
TX_ONLY = frozenset({"slow_tx", "lost_end"})
HOUR = 3_600_000
LATE_MS = 65 * 60_000  # just past an hour
# The coupon system down for a day, by the ``restart`` choice (so it shrinks towards an
# hour): just past the payment platform's 24 h 4 min callback window. The other late
# copies come an hour late only: a day of idle consumers costs the lab about 0.7 s of wall
# time, a day with every consumer down almost nothing.
DOWN_MS = {500: LATE_MS, 2000: LATE_MS, 6000: 24 * HOUR + 5 * 60_000}
CLIENTS = st.sampled_from(["c1", "c2"])
BOOLEANS = st.booleans()
HOW = st.sampled_from(["fast_fail", "timeout"])
RESEND = st.sampled_from(["same", "new"])
# Where a crash hits: a crash point, or before the n-th statement (a COMMIT and a Redis
# command count as statements).
CRASHES = [(p, 0) for p in CRASH_POINTS if p != "BEFORE_STATEMENT"]
CRASHES[1:1] = [("BEFORE_STATEMENT", n) for n in range(1, 5)]
DETAILS = st.integers(0, len(CRASHES) - 1)
# POP: how long a call is held, by the ``restart`` choice: past the 30 s invisible
# duration once, twice, five times (a revival every 33 s or so, far from the 17 that
# dead-letter a message)
POP_HOLD_MS = {500: 40_000, 2000: 65_000, 6000: 150_000}
# a local transaction longer than transactionTimeOut (6 s), by the ``restart`` choice: the
# 30 s scan in its middle; ending just before that scan, its op record not written yet;
# three scans in its middle
SLOW_TX_MS = {500: 40_000, 2000: 27_000, 6000: 100_000}
RESET_AFTER_MS = {500: 1_000, 2000: 10_000, 6000: 5 * 60_000}  # an operator's reset, this long after
# A broker crash, by the ``restart`` choice: after every send is done (the last, a lost
# reply's resend, by about 9 s), after the coupon process's first offset persist (10 s)
# but before the broker's flush of it (15 s), or after that flush (nothing comes again).
BROKER_CRASH_MS = {500: 11_000, 2000: 13_000, 6000: 16_000}
# the coupon process c1 killed 1 s into the 10 s outage, 1 s after the restart (before its
# next persist), or not at all; by the ``detail`` choice
BROKER_KILL_AFTER_MS = (1_000, 11_000, None)
# Failover, lesson 16's shape: the coupon system down from the faults' time (just after
# its first payments) to 90 s, so the orders wait on the master; the master lost at 68 s
# (after the slave's offset sync at 61 s) and back at 305 s (the slave learns it at its
# next route poll and syncs at 313 s); the coupon system consumes from the slave from
# 90 s on. Then a deploy (c1 killed, back 1 s later), by the ``restart`` choice: at 315 s,
# before the old process's next route poll, with the master's older offsets over the
# slave's; at 340 s, after it (its offsets reached the master: nothing comes again); or
# none.
FAILOVER_DOWN_MS, FAILOVER_BACK_MS, FAILOVER_COUPON_MS = 68_000, 305_000, 90_000
FAILOVER_DEPLOY_MS = {500: 315_000, 2000: 340_000, 6000: None}


def check_paths(paths: Iterable[str] | None) -> list[str]:
    chosen = list(PATHS) if paths is None else list(paths)
    unknown = [p for p in chosen if p not in PATHS]
    if unknown:
        raise ValidationError(f"unknown path(s); choose from {', '.join(PATHS)}", ", ".join(unknown))
    return chosen


class _Parts:
    """The strategies one set of paths draws from, built once."""

    def __init__(self, paths: tuple[str, ...]) -> None:
        self.paths = paths
        sends = (("upstream_retry", "upstream-retry"), ("lost_reply", "lost-reply"))
        self.send_kinds = st.sampled_from(["pay"] + [k for k, p in sends if p in paths])
        self.consumers = _modes(paths, "pop", ("push", "pop"))
        self.producers = _modes(paths, "transaction", ("plain", "transaction"))
        self.consumer = _weighted(self.consumers)
        self.producer = _weighted(self.producers)
        self.fault_kinds: dict[tuple[str, str], st.SearchStrategy[str] | None] = {}
        for consumer in self.consumers:
            for producer in self.producers:
                fits = [(k, w) for k, p, w in FAULT_WEIGHTS if p in paths and _fits(k, consumer, producer)]
                kinds = [k for k, w in fits for _ in range(w)]
                self.fault_kinds[(consumer, producer)] = st.sampled_from(kinds) if kinds else None
        self.two_clients = "rebalance" in paths or "pop" in paths  # otherwise every fault hits c1
        self.orders = {n: st.sampled_from(tuple(f"order-{i}" for i in range(1, n + 1))) for n in range(1, 10)}


def _modes(paths: tuple[str, ...], path: str, choices: tuple[str, str]) -> tuple[str, ...]:
    """How the shop may run: the default alone without ``path``; the other alone when
    ``path`` is the only one; either when other paths are explored too."""
    if path not in paths:
        return choices[:1]
    return choices[1:] if len(paths) == 1 else choices


def _weighted(choices: tuple[str, ...]) -> st.SearchStrategy[str] | None:
    """The default deploy three times in four, the other once; no draw when there is no
    choice."""
    if len(choices) == 1:
        return None
    return st.sampled_from([choices[0]] * MODE_WEIGHT + list(choices[1:]))


def _fits(kind: str, consumer: str, producer: str) -> bool:
    """Whether a kind of fault means something with this consumer and producer."""
    if kind in TX_ONLY:
        return producer == "transaction"
    if kind in PLAIN_ONLY and producer != "plain":
        return False
    return kind not in (PUSH_ONLY if consumer == "pop" else POP_ONLY)


@functools.lru_cache(maxsize=64)
def _parts(paths: tuple[str, ...]) -> _Parts:
    return _Parts(paths)


@functools.lru_cache(maxsize=64)
def _send(order: str, paths: tuple[str, ...]) -> st.SearchStrategy[list[Step]]:
    parts = _parts(paths)

    @st.composite
    def send(draw: st.DrawFn) -> list[Step]:
        at = draw(TIMES)
        kind = draw(parts.send_kinds)
        if kind == "pay":
            return [Pay(at_ms=at, order=order)]
        if kind == "upstream_retry":
            return [Pay(at_ms=at, order=order), UpstreamRetry(at_ms=at + draw(TIMES), order=order)]
        return [LostReply(at_ms=at, order=order, how=draw(HOW), resend=draw(RESEND))]

    return send()


@functools.lru_cache(maxsize=256)
def _fault(n_orders: int, paths: tuple[str, ...], consumer: str, producer: str) -> st.SearchStrategy[list[Step]]:
    parts = _parts(paths)
    drawn = parts.fault_kinds[(consumer, producer)]
    assert drawn is not None
    kinds, orders = drawn, parts.orders[n_orders]
    pop = consumer == "pop"

    @st.composite
    def fault(draw: st.DrawFn) -> list[Step]:
        # Every kind draws the same seven choices, so changing the kind never changes the
        # shape of what follows: Hypothesis can then shrink the kind (towards a crash, the
        # first) like any other number. Each kind reads the choices it needs.
        kind, at, order = draw(kinds), draw(TIMES), draw(orders)
        client = draw(CLIENTS) if parts.two_clients else "c1"
        flag, detail, restart = draw(BOOLEANS), draw(DETAILS), draw(RESTARTS)
        if kind == "crash" and not flag:
            return [Kill(at_ms=at, client=client, restart_after=restart)]
        if kind == "crash":
            point, statement = CRASHES[detail]
            crash = Crash(at_ms=at, order=order, client=client, point=point, statement=statement, restart_after=restart)
            return [crash]
        if kind == "rebalance":  # c2 joins while a handler is busy; with the flag, one of them leaves later
            busy = Slow(at_ms=at, order=order, statement=detail % 4, delay_ms=BUSY_MS)
            join = Join(at_ms=at, client="c2")
            return [busy, join, Leave(at_ms=at + restart, client=client)] if flag else [busy, join]
        if kind == "fail":  # statement 1..4 fails (before it runs, or after: its reply is lost)
            after = "after" if detail >= 4 else ""
            return [Fail(at_ms=at, order=order, statement=1 + detail % 4, times=1 + flag, how=after)]
        if kind == "late":  # on POP, no outage of an hour (see the module docstring)
            variant = LATE_VARIANTS[detail % 4] if not pop else LATE_VARIANTS_POP[detail % 3]
            return [_late(variant, at, order, client, DOWN_MS[restart])]
        if kind == "invisible":
            return _invisible(detail % 5, at, order, POP_HOLD_MS[restart], second=flag)
        if kind == "slow_tx":  # armed before any local transaction of the order runs
            return [SlowTx(at_ms=READY_MS, order=order, delay_ms=SLOW_TX_MS[restart])]
        if kind == "lost_end":
            return [LostEnd(at_ms=READY_MS, order=order)]
        if kind == "broker_crash":  # with the flag, an OS crash (see _os_crash)
            return _broker_crash(BROKER_CRASH_MS[restart], BROKER_KILL_AFTER_MS[detail % 3], os=flag)
        if kind == "failover":
            return _failover(at, FAILOVER_DEPLOY_MS[restart])
        if kind == "reset":  # with the flag, while a handler of the order is still busy
            reset = Reset(at_ms=at + RESET_AFTER_MS[restart], delay_ms=0)
            return [Slow(at_ms=at, order=order, statement=detail % 4, delay_ms=BUSY_MS), reset] if flag else [reset]
        return [Slow(at_ms=at, order=order, statement=detail % 4, delay_ms=SLOW_MS)]  # held before the n-th

    return fault()


LATE_VARIANTS = ("callback", "down", "outage", "reset")
LATE_VARIANTS_POP = ("callback", "down", "reset")


def _late(variant: str, at: int, order: str, client: str, down_ms: int) -> Step:
    """A copy of ``order`` (or of everything) delivered an hour (or a day) after ``at``."""
    if variant == "callback":  # the payment system calls back again, late
        return UpstreamRetry(at_ms=at + LATE_MS, order=order)
    if variant == "down":  # the coupon system is down that long, then comes back
        return Down(at_ms=at, restart_after=down_ms)
    if variant == "outage":  # the store is down: copies delivered meanwhile climb the retry ladder
        return Outage(at_ms=at, delay_ms=LATE_MS)
    return Reset(at_ms=at + LATE_MS, delay_ms=0)  # an operator re-consumes from the start


def _invisible(variant: int, at: int, order: str, hold_ms: int, *, second: bool) -> list[Step]:
    """POP: the message is not acked within its invisible duration, so it is revived: the
    call held before it starts or before statement 1 or 2, a failed statement 2, or a
    crash after the handler, before the ack; with ``second``, process c2 runs too and may
    receive the revived copy while the first call still works."""
    steps: list[Step]
    if variant < 3:
        steps = [Slow(at_ms=at, order=order, statement=variant, delay_ms=hold_ms)]
    elif variant == 3:
        steps = [Fail(at_ms=at, order=order, statement=2)]
    else:
        steps = [Crash(at_ms=at, order=order, client="c1", point="AFTER_HANDLER", restart_after=RESTART_MS)]
    return [*steps, Join(at_ms=at, client="c2")] if second else steps


def _broker_crash(at: int, kill_after: int | None, *, os: bool) -> list[Step]:
    """The broker down 10 s from ``at`` (its machine too with ``os``), and coupon process
    c1 killed ``kill_after`` ms after the crash (back 500 ms later)."""
    crash = BrokerCrash(at_ms=at, how="os" if os else "")
    return [crash] if kill_after is None else [crash, Kill(at_ms=at + kill_after, client="c1", restart_after=500)]


def _failover(at: int, deploy: int | None) -> list[Step]:
    """The coupon system down from ``at`` while the orders wait, the master lost and back,
    a deploy at ``deploy``."""
    steps: list[Step] = [
        Down(at_ms=at, restart_after=FAILOVER_COUPON_MS - at),
        MasterDown(at_ms=FAILOVER_DOWN_MS, restart_after=FAILOVER_BACK_MS - FAILOVER_DOWN_MS),
    ]
    return steps if deploy is None else [*steps, Kill(at_ms=deploy, client="c1", restart_after=1000)]


def _broker_crashes_fit(steps: list[Step]) -> list[Step]:
    """The drawn steps with every broker crash that would come while the broker is still
    down left out, and an OS crash made a process crash unless the schedule's only
    faults are kills: what an OS crash cuts from the commit log (a retry copy, a message
    not consumed yet) is lost whatever the design, which is not what ``minimq check``
    asks of it."""
    down_until = -1
    kept: list[Step] = []
    failover = any(isinstance(s, MasterDown) for s in steps)  # then no other broker crash
    for step in steps:
        if isinstance(step, BrokerCrash | MasterDown):
            if step.at_ms <= down_until or (failover and isinstance(step, BrokerCrash)):
                continue
            down_until = step.at_ms + down_ms(step)
        kept.append(step)
    quiet = all(isinstance(s, Pay | UpstreamRetry | LostReply | Kill | BrokerCrash) for s in kept)
    return [replace(s, how="") if isinstance(s, BrokerCrash) and not quiet else s for s in kept]


@functools.lru_cache(maxsize=64)
def _schedules(paths: tuple[str, ...], max_orders: int) -> st.SearchStrategy[Schedule]:
    parts = _parts(paths)
    counts = st.integers(1, max_orders)
    faults = {
        (n, mode): st.lists(_fault(n, paths, *mode), max_size=3)
        for n in range(1, max_orders + 1)
        for mode, kinds in parts.fault_kinds.items()
        if kinds is not None
    }

    @st.composite
    def schedule(draw: st.DrawFn) -> Schedule:
        # how the shop runs, drawn only when it can go either way
        consumer = draw(parts.consumer) if parts.consumer is not None else parts.consumers[0]
        producer = draw(parts.producer) if parts.producer is not None else parts.producers[0]
        n = draw(counts)
        orders = tuple(f"order-{i}" for i in range(1, n + 1))
        steps: list[Step] = []
        for order in orders:
            steps += draw(_send(order, paths))
        drawn = faults.get((n, (consumer, producer)))
        if drawn is not None:
            for fault in draw(drawn):
                steps += fault
        return Schedule(orders, tuple(_broker_crashes_fit(steps)), consumer, producer)

    return schedule()


def schedules(paths: Iterable[str] | None = None, max_orders: int = 3) -> st.SearchStrategy[Schedule]:
    """One schedule: orders in flight and faults from ``paths`` (all by default)."""
    if not 1 <= max_orders <= 9:
        raise ValidationError("max_orders must be between 1 and 9", str(max_orders))
    return _schedules(tuple(check_paths(paths)), max_orders)
