"""Hypothesis strategies for fault schedules over every duplication path minimq models.

Owns: ``schedules(paths=..., max_orders=3)``. Each example is 1..``max_orders`` orders
in flight, each sent normally, twice by an upstream retry, or with a lost reply; plus up
to three faults drawn from the enabled paths (a consume-timeout hold a quarter as often
as the others: it has one variant and costs 30+ virtual minutes a run). Numbers come from small lists that shrink
towards 0 and towards the simplest fault, so a failure shrinks to a short story.
"""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import strategies as st

from minimq.errors import ValidationError
from minimq.testing.schedule import PATHS, Schedule, Step

TIMES = st.sampled_from([0, 1, 2, 5, 10, 20, 50, 200, 1000, 3000])
RESTARTS = st.sampled_from([500, 2000, 6000])
CRASH_POINTS = ["AFTER_HANDLER", "BEFORE_STATEMENT", "AFTER_LOCAL_COMMIT", "BEFORE_HANDLER", "IN_HANDLER"]
SLOW_MS = 31 * 60_000  # past the consume-timeout scan at 30 min


def check_paths(paths: Iterable[str] | None) -> list[str]:
    chosen = list(PATHS) if paths is None else list(paths)
    unknown = [p for p in chosen if p not in PATHS]
    if unknown:
        raise ValidationError(f"unknown path(s); choose from {', '.join(PATHS)}", ", ".join(unknown))
    return chosen


@st.composite
def _send(draw: st.DrawFn, order: str, paths: list[str]) -> list[Step]:
    at = draw(TIMES)
    kinds = ["pay"] + [k for k, p in (("upstream_retry", "upstream-retry"), ("lost_reply", "lost-reply")) if p in paths]
    kind = draw(st.sampled_from(kinds))
    if kind == "pay":
        return [Step(at, "pay", order)]
    if kind == "upstream_retry":
        return [Step(at, "pay", order), Step(at + draw(TIMES), "upstream_retry", order)]
    how = draw(st.sampled_from(["fast_fail", "timeout"]))
    return [Step(at, "lost_reply", order, how=how, resend=draw(st.sampled_from(["same", "new"])))]


@st.composite
def _fault(draw: st.DrawFn, orders: tuple[str, ...], paths: list[str]) -> list[Step]:
    # The consume-timeout path is one mechanism with one knob and costs 30+ virtual
    # minutes a run, so it is drawn a quarter as often as the paths with many variants.
    weights = (
        ("crash", "crash", 4),
        ("rebalance", "rebalance", 4),
        ("fail", "reconsume-later", 4),
        ("slow", "consume-timeout", 1),
    )
    kinds = [k for k, p, w in weights if p in paths for _ in range(w)]
    kind = draw(st.sampled_from(kinds))
    at, order = draw(TIMES), draw(st.sampled_from(orders))
    client = draw(st.sampled_from(["c1", "c2"])) if "rebalance" in paths else "c1"
    if kind == "crash":
        if draw(st.booleans()):
            point = draw(st.sampled_from(CRASH_POINTS))
            statement = draw(st.integers(1, 4)) if point == "BEFORE_STATEMENT" else 0
            return [Step(at, "crash", order, client, point=point, statement=statement, restart_after=draw(RESTARTS))]
        return [Step(at, "kill", client=client, restart_after=draw(RESTARTS))]
    if kind == "rebalance":
        steps = [Step(at, "join", client="c2")]
        if draw(st.booleans()):
            steps.append(Step(at + draw(TIMES), "leave", client=draw(st.sampled_from(["c1", "c2"]))))
        return steps
    if kind == "fail":
        return [Step(at, "fail", order, statement=draw(st.integers(1, 4)), times=draw(st.integers(1, 2)))]
    # Held before the handler (0) or before its n-th statement, in the middle of its work.
    return [Step(at, "slow", order, statement=draw(st.sampled_from([0, 1, 2, 3])), delay_ms=SLOW_MS)]


@st.composite
def schedules(draw: st.DrawFn, paths: Iterable[str] | None = None, max_orders: int = 3) -> Schedule:
    """One schedule: orders in flight and faults from ``paths`` (all by default)."""
    chosen = check_paths(paths)
    n = draw(st.integers(1, max_orders))
    orders = tuple(f"order-{i}" for i in range(1, n + 1))
    steps: list[Step] = []
    for order in orders:
        steps += draw(_send(order, chosen))
    if any(p in chosen for p in ("crash", "rebalance", "reconsume-later", "consume-timeout")):
        for fault in draw(st.lists(_fault(orders, chosen), max_size=3)):
            steps += fault
    return Schedule(orders, tuple(steps))
