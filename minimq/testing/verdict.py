"""The verdicts on one run of a design: every way a coupon consumer can be wrong.

Owns: the violation kinds and ``judge``. A run is right when every paid order ends with
exactly one committed coupon AND the design behaved as a RocketMQ listener must:

- ``DuplicateCoupon``: an order got two coupons or more.
- ``LostCoupon``: a paid order got none.
- ``DuplicateSms``, ``LostSms``: the same for the SMS rows of a design that declares
  ``SENDS_SMS = True`` (each effect is judged on its own: one coupon and one SMS).
- ``RetriedAfterEffect``: a call ended in failure (``RECONSUME_LATER``, an exception, a
  value that is not a status) although its order's coupon was already committed, and
  nothing outside the design made it fail (no injected fault, no lock timeout). RocketMQ
  then retries the message (10 s, 30 s, 1 min, ... up to 16 times). A duplicate that the
  design recognises must be acknowledged with ``CONSUME_SUCCESS``.
- ``NotAStatus``: ``handle`` returned something that is not a ``ConsumeStatus`` (None
  included); RocketMQ counts it as ``RECONSUME_LATER``.
- ``DeadLettered``: a message was retried 16 times and went to ``%DLQ%coupon-system``,
  4 h 45 min 40 s after its first failure: an alarm, and manual work for somebody.
- ``DidNotReturn``: a call was still running when everything else had gone quiet (or at
  the run's horizon): where it waited, on which statement, for how long.
- ``Escaped``: ``handle`` raised ``SystemExit``, ``KeyboardInterrupt`` or another
  ``BaseException`` that is not an error: in a real consumer that ends the process.
- ``TimedOut``: the design ran past the wall-clock limit (a busy loop, a blocking call).

Each violation is a small frozen value of plain fields, so it crosses a process boundary
and reads the same in JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import ClassVar

from minimq.events import EffectApplied, MessageDeadLettered, MessageDelivered
from minimq.testing.calls import HandlerCall, where_waiting
from minimq.trace import Trace

FAILED = "RECONSUME_LATER"


@dataclass(frozen=True, slots=True)
class Violation:
    order: str

    kind: ClassVar[str] = "violation"

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True, slots=True)
class DuplicateCoupon(Violation):
    coupons: int
    kind: ClassVar[str] = "duplicate"


@dataclass(frozen=True, slots=True)
class LostCoupon(Violation):
    kind: ClassVar[str] = "lost"


@dataclass(frozen=True, slots=True)
class DuplicateSms(Violation):
    sms: int
    kind: ClassVar[str] = "duplicate_sms"


@dataclass(frozen=True, slots=True)
class LostSms(Violation):
    kind: ClassVar[str] = "lost_sms"


@dataclass(frozen=True, slots=True)
class RetriedAfterEffect(Violation):
    msg_id: str
    client: str
    at_ms: int
    value: str  # what it returned, when that was not a status ("" for RECONSUME_LATER)
    error: str  # what it raised ("" if it returned)
    where: str  # where the exception left the design
    kind: ClassVar[str] = "retried_after_effect"


@dataclass(frozen=True, slots=True)
class NotAStatus(Violation):
    msg_id: str
    client: str
    at_ms: int
    value: str  # e.g. "'yes please' (str)"
    kind: ClassVar[str] = "not_a_status"


@dataclass(frozen=True, slots=True)
class DeadLettered(Violation):
    msg_id: str
    at_ms: int
    retries: int
    after_ms: int  # from the first delivery to the dead letter
    kind: ClassVar[str] = "dead_lettered"


@dataclass(frozen=True, slots=True)
class DidNotReturn(Violation):
    msg_id: str
    client: str
    since_ms: int
    for_ms: int
    statement: str  # the statement it was waiting on, or ""
    where: str
    code: str
    kind: ClassVar[str] = "did_not_return"


@dataclass(frozen=True, slots=True)
class Escaped(Violation):
    msg_id: str
    client: str
    at_ms: int
    raised: str  # e.g. "SystemExit(3)"
    where: str
    code: str
    kind: ClassVar[str] = "escaped"


@dataclass(frozen=True, slots=True)
class TimedOut(Violation):
    seconds: float
    client: str
    where: str
    code: str
    kind: ClassVar[str] = "timed_out"


def coupon_times(trace: Trace, ledger: str) -> dict[str, list[int]]:
    """order -> the virtual times its coupons were committed."""
    times: dict[str, list[int]] = {}
    for e in trace.of(EffectApplied):
        if e.ledger == ledger:
            times.setdefault(e.key, []).append(e.at_ms)
    return times


def count_violations(coupons: dict[str, int]) -> list[Violation]:
    out: list[Violation] = [DuplicateCoupon(o, n) for o, n in coupons.items() if n > 1]
    return out + [LostCoupon(o) for o, n in coupons.items() if n == 0]


def sms_violations(sms: dict[str, int]) -> list[Violation]:
    """SMS rows per paid order (a design that sends them): one is right."""
    out: list[Violation] = [DuplicateSms(o, n) for o, n in sms.items() if n > 1]
    return out + [LostSms(o) for o, n in sms.items() if n == 0]


def call_violations(calls: Iterable[HandlerCall], committed: dict[str, list[int]]) -> list[Violation]:
    """What the design's own answers did wrong: failures after the effect, non-statuses."""
    retried: list[Violation] = []
    invalid: list[Violation] = []
    for call in calls:
        if call.running or call.cancelled or call.status != FAILED:
            continue
        at = call.ended_ms or 0
        if call.value:
            invalid.append(NotAStatus(call.order, call.msg_id, call.client, at, call.value))
        first = min(committed.get(call.order, ()), default=None)
        if not call.troubled and first is not None and first <= at:
            where = str(call.raised) if call.raised else ""
            retried.append(RetriedAfterEffect(call.order, call.msg_id, call.client, at, call.value, call.error, where))
    return retried + invalid


def dead_letters(trace: Trace, group: str) -> list[Violation]:
    first: dict[str, tuple[int, str]] = {}
    for e in trace.of(MessageDelivered):
        if e.group == group and e.msg_id not in first:
            first[e.msg_id] = (e.at_ms, e.keys[0] if e.keys else "")
    out: list[Violation] = []
    for dead in trace.of(MessageDeadLettered):
        if dead.group == group:
            start, order = first.get(dead.msg_id, (dead.at_ms, ""))
            out.append(DeadLettered(order, dead.msg_id, dead.at_ms, dead.reconsume_times, dead.at_ms - start))
    return out


def unreturned(calls: Iterable[HandlerCall], now_ms: int, path: str) -> list[Violation]:
    out: list[Violation] = []
    for call in calls:
        if not call.running:
            continue
        where = where_waiting(call, path)
        out.append(
            DidNotReturn(
                call.order,
                call.msg_id,
                call.client,
                call.started_ms,
                now_ms - call.started_ms,
                call.session.waiting or "",
                str(where) if where else "",
                where.code if where else "",
            )
        )
    return out
