"""Fault schedules: one concrete run of the coupon system, as data.

Owns: ``Schedule``, its JSON form (so a counterexample can be stored and
replayed exactly), and the duplication paths a schedule can exercise (``PATHS``). A
schedule is what Hypothesis generates and shrinks; ``minimq.testing.lab`` runs it.

The kinds of step, and what each does, are in ``steps`` (one record per kind; a step's
JSON is tagged with its ``kind``: ``{"at_ms": 0, "kind": "pay", "order": "order-1"}``).
A copy that arrives an hour or more after the first (a late callback, the coupon system down for
hours, an outage, a reset an hour back) is a late redelivery: it outlives a dedupe record with a TTL.

Two settings of the whole run say how the shop is deployed, each left out of the JSON
at its default, so a token stored before they existed reads back to the same schedule
and the same token: ``consumer`` (``push``, the 4.x-style push consumer, or ``pop``:
the coupon system on RocketMQ 5.x SimpleConsumers, path ``pop``) and ``producer``
(``plain``, or ``transaction``: the order system sends "order paid" as a transactional
message, path ``transaction``). On POP every consumer-side fault (a crash, a kill, a
failed statement, a slow call, a second process) ends the same way, in a revival after
the invisible duration, so it counts as path ``pop``.

A ``master_down`` step (path ``failover``) also says how the broker runs: with a slave
that serves reads, for that schedule only; nothing else in its JSON changes. A schedule
refuses two broker crashes that overlap, a ``master_down`` with POP or the
transactional producer, and an OS crash of a broker with a slave.

``read`` schedules with ``schedule_check.read_schedule``: every field is checked.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, assert_never

from minimq.errors import ValidationError
from minimq.i18n import t
from minimq.testing.schedule_check import (
    BROKER_DOWN_MS,
    CONSUMERS,
    PRODUCERS,
    broker_crash_overlap,
    parse_schedule,
    read_schedule,
)
from minimq.testing.steps import (
    KINDS,
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
    Restart,
    Send,
    Slow,
    SlowTx,
    Step,
    TxStep,
    UpstreamRetry,
    order_of,
)

__all__ = [
    "BROKER_DOWN_MS",
    "CONSUMERS",
    "KINDS",
    "LATE_MS",
    "PATHS",
    "PRODUCERS",
    "READY_MS",
    "Schedule",
    "Step",
    "path_words",
]

# The duplication paths, in the order they are listed; what each means is in the catalog
# (``path.<name>``, English and Chinese), so ``minimq check --help`` says it in either.
PATH_NAMES = (
    "upstream-retry",
    "lost-reply",
    "crash",
    "rebalance",
    "reconsume-later",
    "consume-timeout",
    "late-redelivery",
    "pop",
    "transaction",
    "reset",
    "broker-crash",
    "failover",
)
PATHS: dict[str, str] = {name: t(f"path.{name}", "en") for name in PATH_NAMES}


def path_words(lang: str) -> dict[str, str]:
    """What each path of ``PATHS`` plays, in ``lang`` (en or zh)."""
    return {name: t(f"path.{name}", lang) for name in PATHS}


LATE_MS = 3_600_000  # a copy this much later than its first is a late redelivery
CONSUME_TIMEOUT_MS = 15 * 60_000  # a hold longer than this is the consume-timeout path
INVISIBLE_MS = 30_000  # on POP, the invisible duration each receive asks for: a longer hold is path pop
# The lab starts the coupon system's first process at 0; it rebalances 1 s later and its
# first pulls wait at the broker from about 1.5 s on (RebalanceService minInterval, the
# 500 ms pull delay). The hand-written schedules and the drawn ones begin at READY_MS, so
# a message paid then is delivered at once, as to a consumer that has been running.
READY_MS = 2000


@dataclass(frozen=True)
class Schedule:
    """Orders in flight and the steps that happen to them; ``consumer`` (``push`` or
    ``pop``) and ``producer`` (``plain`` or ``transaction``) say how the shop runs."""

    orders: tuple[str, ...]
    steps: tuple[Step, ...] = field(default_factory=tuple)
    consumer: str = "push"
    producer: str = "plain"

    def __post_init__(self) -> None:
        if self.consumer not in CONSUMERS:
            raise ValidationError(f"consumer must be one of {', '.join(CONSUMERS)}", self.consumer)
        if self.producer not in PRODUCERS:
            raise ValidationError(f"producer must be one of {', '.join(PRODUCERS)}", self.producer)
        if any(isinstance(s, MasterDown) for s in self.steps) and (self.consumer, self.producer) != ("push", "plain"):
            raise ValidationError("a master_down step needs the push consumer and the plain producer", self.consumer)
        if self.slave() and any(isinstance(s, BrokerCrash) and s.how == "os" for s in self.steps):
            raise ValidationError("a broker with a slave (a master_down step) takes no OS crash", "os")
        if self.producer != "transaction" and any(isinstance(s, TxStep) for s in self.steps):
            raise ValidationError("slow_tx and lost_end steps need producer='transaction'", self.producer)
        overlap = broker_crash_overlap(self.steps)
        if overlap is not None:
            raise ValidationError("a broker crash while the broker is still down from the one at", overlap[1])

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "orders": list(self.orders),
            "steps": [_compact({"kind": s.kind, **asdict(s)}) for s in self.steps],
        }
        if self.consumer != CONSUMERS[0]:  # left out at its default: old tokens read back the same
            data["consumer"] = self.consumer
        if self.producer != PRODUCERS[0]:
            data["producer"] = self.producer
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
        return replace(self, orders=tuple(renames[o] for o in kept), steps=steps)

    def without_step(self, index: int) -> Schedule:
        """The same schedule without its ``index``-th step."""
        return replace(self, steps=self.steps[:index] + self.steps[index + 1 :])

    def slave(self) -> bool:
        """Whether the broker runs with a slave that serves reads: a schedule with a
        ``master_down`` step (path ``failover``)."""
        return any(isinstance(s, MasterDown) for s in self.steps)

    def sends_every_order(self) -> bool:
        """Whether every order of the schedule is paid (sent at least once)."""
        sent = {s.order for s in self.steps if isinstance(s, Send)}
        return all(o in sent for o in self.orders)

    def paths(self) -> list[str]:
        """The duplication paths this schedule exercises."""
        pop = self.consumer == "pop"
        found = {_path(s, pop=pop) for s in self.steps}
        if pop:
            found.add("pop")
        if self.producer == "transaction":
            found.add("transaction")
        if self._late():
            found.add("late-redelivery")
        return [path for path in PATHS if path in found]

    def _late(self) -> bool:
        """A callback an hour after the order's first send, consumers down for an hour,
        or a reset that brings back a message sent an hour or more before it."""
        first = {s.order: s.at_ms for s in sorted(self.steps, key=lambda s: -s.at_ms) if isinstance(s, Send)}
        for s in self.steps:
            match s:
                case UpstreamRetry() if s.at_ms - first.get(s.order, s.at_ms) >= LATE_MS:
                    return True
                case Kill() | Crash() | Down() if s.restart_after >= LATE_MS:
                    return True
                case Reset() if any(s.delay_ms <= sent <= s.at_ms - LATE_MS for sent in first.values()):
                    return True
        return False


def _path(step: Step, *, pop: bool) -> str | None:
    """The duplication path a step exercises by its kind alone (``pop``: on SimpleConsumers,
    where every consumer-side fault ends in a revival after the invisible duration)."""
    match step:
        case Pay() | Restart():
            return None
        case UpstreamRetry():
            return "upstream-retry"
        case LostReply():
            return "lost-reply"
        case Crash() | Kill() | Down():
            return "pop" if pop else "crash"
        case Join() | Leave():
            return "pop" if pop else "rebalance"
        case Fail():
            return "pop" if pop else "reconsume-later"
        case Slow() if pop:
            return "pop" if step.delay_ms > INVISIBLE_MS else None  # else a slow call
        case Slow():
            return "consume-timeout" if step.delay_ms > CONSUME_TIMEOUT_MS else None  # else a slow call
        case Outage():
            return "pop" if pop else "late-redelivery"
        case Reset():
            return "reset"
        case SlowTx() | LostEnd():
            return "transaction"
        case BrokerCrash():
            return "broker-crash"
        case MasterDown():
            return "failover"
        case _:
            assert_never(step)


def _renamed(step: Step, renames: dict[str, str]) -> Step:
    match step:
        case Pay() | UpstreamRetry() | LostReply() | Crash() | Fail() | Slow() | SlowTx() | LostEnd():
            return replace(step, order=renames[step.order])
        case Kill() | Down() | Restart() | Join() | Leave() | Outage() | Reset() | BrokerCrash() | MasterDown():
            return step
        case _:
            assert_never(step)


def _numbered(orders: tuple[str, ...]) -> bool:
    return orders == tuple(f"order-{i}" for i in range(1, len(orders) + 1))


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in ("", 0) or k in ("at_ms", "kind")}
