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

Every strategy object is built once per set of paths (``_Parts``) and reused by every
draw: Hypothesis validates a strategy the first time it draws from it, and a schedule
makes about forty draws, so building them afresh for each draw would cost more than
the draws themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from hypothesis import strategies as st

from minimq.errors import ValidationError
from minimq.testing.schedule import PATHS, READY_MS, Schedule
from minimq.testing.steps import (
    Crash,
    Down,
    Fail,
    Join,
    Kill,
    Leave,
    LostReply,
    Outage,
    Pay,
    Reset,
    Slow,
    Step,
    UpstreamRetry,
)

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
)
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
        kinds = [k for k, p, w in FAULT_WEIGHTS if p in paths for _ in range(w)]
        self.fault_kinds = st.sampled_from(kinds) if kinds else None
        self.two_clients = "rebalance" in paths  # otherwise every fault hits c1
        self.orders = {n: st.sampled_from(tuple(f"order-{i}" for i in range(1, n + 1))) for n in range(1, 10)}


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


@functools.lru_cache(maxsize=64)
def _fault(n_orders: int, paths: tuple[str, ...]) -> st.SearchStrategy[list[Step]]:
    parts = _parts(paths)
    assert parts.fault_kinds is not None
    kinds, orders = parts.fault_kinds, parts.orders[n_orders]

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
        if kind == "late":
            return [_late(detail % 4, at, order, client, DOWN_MS[restart])]
        return [Slow(at_ms=at, order=order, statement=detail % 4, delay_ms=SLOW_MS)]  # held before the n-th

    return fault()


def _late(variant: int, at: int, order: str, client: str, down_ms: int) -> Step:
    """A copy of ``order`` (or of everything) delivered an hour (or a day) after ``at``."""
    if variant == 0:  # the payment system calls back again, late
        return UpstreamRetry(at_ms=at + LATE_MS, order=order)
    if variant == 1:  # the coupon system is down that long, then comes back
        return Down(at_ms=at, restart_after=down_ms)
    if variant == 2:  # the store is down: copies delivered meanwhile climb the retry ladder
        return Outage(at_ms=at, delay_ms=LATE_MS)
    return Reset(at_ms=at + LATE_MS, delay_ms=0)  # an operator re-consumes from the start


@functools.lru_cache(maxsize=64)
def _schedules(paths: tuple[str, ...], max_orders: int) -> st.SearchStrategy[Schedule]:
    parts = _parts(paths)
    counts = st.integers(1, max_orders)
    faults_drawn = parts.fault_kinds is not None
    faults = {n: st.lists(_fault(n, paths), max_size=3) for n in range(1, max_orders + 1)} if faults_drawn else {}

    @st.composite
    def schedule(draw: st.DrawFn) -> Schedule:
        n = draw(counts)
        orders = tuple(f"order-{i}" for i in range(1, n + 1))
        steps: list[Step] = []
        for order in orders:
            steps += draw(_send(order, paths))
        if faults_drawn:
            for fault in draw(faults[n]):
                steps += fault
        return Schedule(orders, tuple(steps))

    return schedule()


def schedules(paths: Iterable[str] | None = None, max_orders: int = 3) -> st.SearchStrategy[Schedule]:
    """One schedule: orders in flight and faults from ``paths`` (all by default)."""
    if not 1 <= max_orders <= 9:
        raise ValidationError("max_orders must be between 1 and 9", str(max_orders))
    return _schedules(tuple(check_paths(paths)), max_orders)
