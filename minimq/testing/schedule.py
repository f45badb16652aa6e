"""Fault schedules: one concrete run of the coupon system, as data.

Owns: ``Schedule``, its JSON form (so a counterexample can be stored and
replayed exactly), and the duplication paths a schedule can exercise (``PATHS``). A
schedule is what Hypothesis generates and shrinks; ``minimq.testing.lab`` runs it.

The kinds of step, and what each does, are in ``steps`` (one record per kind; a step's
JSON is tagged with its ``kind``: ``{"at_ms": 0, "kind": "pay", "order": "order-1"}``).
A copy that arrives an hour or more after the first (a late callback, the coupon system down for
hours, an outage, a reset) is a late redelivery: it outlives a dedupe record with a TTL.

``read`` schedules with ``schedule_check.read_schedule``: every field is checked.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, assert_never

from minimq.testing.schedule_check import parse_schedule, read_schedule
from minimq.testing.steps import (
    KINDS,
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
    Restart,
    Send,
    Slow,
    Step,
    UpstreamRetry,
    order_of,
)

__all__ = ["KINDS", "LATE_MS", "PATHS", "READY_MS", "Schedule", "Step"]

PATHS: dict[str, str] = {
    "upstream-retry": "the payment system calls the order callback twice (two messages, two msg ids)",
    "lost-reply": "the broker stores the message, the reply is lost, the producer sends again",
    "crash": "a consumer crashes at a chosen point (between two statements too) and restarts",
    "rebalance": "a consumer joins or leaves the group",
    "reconsume-later": "a database statement fails after part of the work was done",
    "consume-timeout": "a handler runs past the 15 min consume timeout",
    "late-redelivery": "a copy arrives an hour or more later: a late callback, the coupon system down for hours, "
    "the database down (the retry ladder), an offset reset",
}
LATE_MS = 3_600_000  # a copy this much later than its first is a late redelivery
CONSUME_TIMEOUT_MS = 15 * 60_000  # a hold longer than this is the consume-timeout path
# The lab starts the coupon system's first process at 0; it rebalances 1 s later and its
# first pulls wait at the broker from about 1.5 s on (RebalanceService minInterval, the
# 500 ms pull delay). The hand-written schedules and the drawn ones begin at READY_MS, so
# a message paid then is delivered at once, as to a consumer that has been running.
READY_MS = 2000


@dataclass(frozen=True)
class Schedule:
    orders: tuple[str, ...]
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        data = {"orders": list(self.orders), "steps": [_compact({"kind": s.kind, **asdict(s)}) for s in self.steps]}
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    def token(self) -> str:
        """A one-word, copy-pasteable form for ``minimq check --replay``."""
        return base64.urlsafe_b64encode(self.to_json().encode()).decode().rstrip("=")

    @classmethod
    def from_json(cls, text: str) -> Schedule:
        """Read a schedule's JSON; every field is checked (``schedule_check``)."""
        return cls(*parse_schedule(text))

    @classmethod
    def from_token(cls, token: str) -> Schedule:
        """Read a replay token (or the JSON itself); every field is checked."""
        return cls(*read_schedule(token))

    def without_order(self, order: str) -> Schedule:
        """The same schedule without ``order`` and every step about it; the orders after
        it are renamed down (``order-3`` becomes ``order-2``) so the names stay 1..n."""
        kept = [o for o in self.orders if o != order]
        renames = {o: f"order-{i}" for i, o in enumerate(kept, 1)} if _numbered(self.orders) else {o: o for o in kept}
        steps = tuple(_renamed(s, renames) for s in self.steps if order_of(s) != order)
        return Schedule(tuple(renames[o] for o in kept), steps)

    def sends_every_order(self) -> bool:
        """Whether every order of the schedule is paid (sent at least once)."""
        sent = {s.order for s in self.steps if isinstance(s, Send)}
        return all(o in sent for o in self.orders)

    def paths(self) -> list[str]:
        """The duplication paths this schedule exercises."""
        found = {_path(s) for s in self.steps}
        if self._late():
            found.add("late-redelivery")
        return [path for path in PATHS if path in found]

    def _late(self) -> bool:
        """A callback an hour after the order's first send, or consumers down for an hour."""
        first = {s.order: s.at_ms for s in sorted(self.steps, key=lambda s: -s.at_ms) if isinstance(s, Send)}
        for s in self.steps:
            match s:
                case UpstreamRetry() if s.at_ms - first.get(s.order, s.at_ms) >= LATE_MS:
                    return True
                case Kill() | Crash() | Down() if s.restart_after >= LATE_MS:
                    return True
        return False


def _path(step: Step) -> str | None:
    """The duplication path a step exercises by its kind alone."""
    match step:
        case Pay() | Restart():
            return None
        case UpstreamRetry():
            return "upstream-retry"
        case LostReply():
            return "lost-reply"
        case Crash() | Kill() | Down():
            return "crash"
        case Join() | Leave():
            return "rebalance"
        case Fail():
            return "reconsume-later"
        case Slow():
            return "consume-timeout" if step.delay_ms > CONSUME_TIMEOUT_MS else None  # else a slow call
        case Outage() | Reset():
            return "late-redelivery"
        case _:
            assert_never(step)


def _renamed(step: Step, renames: dict[str, str]) -> Step:
    match step:
        case Pay() | UpstreamRetry() | LostReply() | Crash() | Fail() | Slow():
            return replace(step, order=renames[step.order])
        case Kill() | Down() | Restart() | Join() | Leave() | Outage() | Reset():
            return step
        case _:
            assert_never(step)


def _numbered(orders: tuple[str, ...]) -> bool:
    return orders == tuple(f"order-{i}" for i in range(1, len(orders) + 1))


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in ("", 0) or k in ("at_ms", "kind")}
