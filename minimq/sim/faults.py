"""Fault plans: the ways a test or a lesson makes RocketMQ's duplication paths happen.

Owns: one frozen record per kind of fault (``Fault``), and ``FaultPlan``, which arms
them and matches them against the requests and messages of one world. A fault fires at
most ``times`` times (an outage: for as long as it lasts), on what it matches, and each
firing is a ``FaultInjected`` event in the trace, named after its kind. The kinds:
- ``LoseSendReply`` (``lose_send_reply``): the broker stores the message but the reply
  never reaches the producer. ``how="timeout"``: the producer waits out its whole budget
  (``RemotingTimeoutException``; not retried internally by a 4.x producer).
  ``how="fast_fail"``: the channel closes right after the store
  (``RemotingSendRequestException``; the producer retries at once, same msg id).
- ``LoseSendBackReply`` (``lose_send_back_reply``): the broker takes a consumer's
  ``CONSUMER_SEND_MSG_BACK`` (schedules the retry copy, or dead-letters it) but the reply
  never reaches the consumer, which sends the message again as a normal message to
  ``%RETRY%<group>`` (path P9: a second retry copy). ``how`` as for ``lose_send_reply``.
- ``BrokerOutage`` (``broker_outage``): for a while every request to the broker fails
  to connect and every oneway request is dropped; recorded once, when it begins.
- ``LoseOffsetPersist`` (``lose_offset_persist``): a oneway ``UPDATE_CONSUMER_OFFSET``
  never arrives.
- ``CrashConsumer`` (``crash_consumer``): a consumer process dies at a chosen point of a
  chosen message.
- ``SlowHandler`` (``slow_handler``): a consumer spends ``delay_ms`` more on a message (a
  GC pause, a slow downstream call) before its listener runs.
- ``LoseEndTransaction`` (``lose_end_transaction``): a transactional producer's oneway
  ``END_TRANSACTION`` never arrives; the half waits for the broker's check-back (P16).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from minimq.errors import ValidationError
from minimq.events import FaultInjected

if TYPE_CHECKING:
    from minimq.model import Message, MessageExt, MessageQueue
    from minimq.sim.kernel import Simulation


class CrashPoint(enum.StrEnum):
    """Where in the consumption of one message a consumer process dies."""

    BEFORE_HANDLER = "before the handler ran"
    IN_HANDLER = "inside the handler, at its next await"
    AFTER_HANDLER = "after the handler returned, before the result was processed"
    AFTER_LOCAL_COMMIT = "after the offset moved locally, before it was persisted"


class ReplyLoss(enum.StrEnum):
    TIMEOUT = "timeout"
    FAST_FAIL = "fast_fail"


@dataclass(frozen=True, slots=True, kw_only=True)
class LoseSendReply:
    """The broker stores a message but the reply never reaches the producer (``how``).
    Only a message of ``topic`` with ``key`` among its keys, when they are given."""

    kind: ClassVar[str] = "lose_send_reply"
    how: ReplyLoss
    topic: str | None = None
    key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LoseSendBackReply:
    """The broker takes a consumer's send-back (``CONSUMER_SEND_MSG_BACK``) but the reply
    never reaches the consumer (``how``). Only for ``group``, and a message with ``key``
    among its keys, when they are given."""

    kind: ClassVar[str] = "lose_send_back_reply"
    how: ReplyLoss
    group: str | None = None
    key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BrokerOutage:
    """From ``start_ms`` until ``end_ms`` every request to the broker fails to connect and
    every oneway request is dropped."""

    kind: ClassVar[str] = "broker_outage"
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LoseOffsetPersist:
    """A oneway ``UPDATE_CONSUMER_OFFSET`` of ``group`` (of any group, without one) never
    arrives."""

    kind: ClassVar[str] = "lose_offset_persist"
    group: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CrashConsumer:
    """Consumer process ``client`` dies at ``point`` of a message with ``key`` among its
    keys (of any message, without one)."""

    kind: ClassVar[str] = "crash_consumer"
    client: str
    point: CrashPoint
    key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SlowHandler:
    """A consumer of ``group`` spends ``delay_ms`` more on a message with ``key`` among its
    keys (a GC pause, a slow downstream call) before its listener runs."""

    kind: ClassVar[str] = "slow_handler"
    delay_ms: int
    group: str | None = None
    key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LoseEndTransaction:
    """A oneway ``END_TRANSACTION`` for a message with ``key`` among its keys (for any,
    without one) never arrives: the producer's own end, or its answer to a check."""

    kind: ClassVar[str] = "lose_end_transaction"
    key: str | None = None


# they fire a number of times
Counted = LoseSendReply | LoseSendBackReply | LoseOffsetPersist | CrashConsumer | SlowHandler | LoseEndTransaction
Fault = Counted | BrokerOutage


@dataclass(slots=True)
class _Armed:
    """A fault that fires on what it matches, ``times_left`` more times."""

    fault: Counted
    times_left: int


def _keyed(key: str | None, keys: tuple[str, ...]) -> bool:
    return key is None or key in keys


def _check_times(times: int) -> int:
    if not isinstance(times, int) or times < 1:
        raise ValidationError("a fault must fire at least once (times >= 1)", times)
    return times


class FaultPlan:
    """The faults armed in one world."""

    def __init__(self, world: Simulation) -> None:
        self._world = world
        self._armed: list[_Armed] = []  # in the order they were armed: the first that matches fires
        # An outage is a window of time, not a number of firings: kept apart, and read
        # twice a request.
        self.outages: list[BrokerOutage] = []

    # -- arming ------------------------------------------------------------------------
    def lose_send_reply(
        self, *, topic: str | None = None, key: str | None = None, how: str = "timeout", times: int = 1
    ) -> None:
        if how not in ReplyLoss.__members__.values():
            raise ValidationError("how must be 'timeout' or 'fast_fail'", how)
        self._arm(LoseSendReply(how=ReplyLoss(how), topic=topic, key=key), times)

    def lose_send_back_reply(
        self, *, group: str | None = None, key: str | None = None, how: str = "timeout", times: int = 1
    ) -> None:
        if how not in ReplyLoss.__members__.values():
            raise ValidationError("how must be 'timeout' or 'fast_fail'", how)
        self._arm(LoseSendBackReply(how=ReplyLoss(how), group=group, key=key), times)

    def broker_outage(self, start_ms: int, duration_ms: int) -> None:
        """The broker is unreachable in [start_ms, start_ms + duration_ms); the outage is
        recorded when it begins (``FaultInjected``, target ``broker``)."""
        if duration_ms <= 0:
            raise ValidationError("an outage must last at least 1 ms", duration_ms)
        outage = BrokerOutage(start_ms=start_ms, end_ms=start_ms + duration_ms)
        self.outages.append(outage)
        world = self._world

        def begins() -> None:
            detail = f"broker unreachable for {duration_ms} ms, until {outage.end_ms} ms"
            world.emit(FaultInjected(at_ms=world.now_ms, fault=outage.kind, target="broker", detail=detail))

        world.call_later_ms(max(0, start_ms - world.now_ms), begins)

    def lose_offset_persist(self, *, group: str | None = None, times: int = 1) -> None:
        self._arm(LoseOffsetPersist(group=group), times)

    def crash_consumer(self, client: str, at: CrashPoint | str, *, key: str | None = None, times: int = 1) -> None:
        point = CrashPoint(at) if at in CrashPoint.__members__.values() else CrashPoint[str(at)]
        self._arm(CrashConsumer(client=client, point=point, key=key), times)

    def slow_handler(self, delay_ms: int, *, group: str | None = None, key: str | None = None, times: int = 1) -> None:
        if delay_ms <= 0:
            raise ValidationError("a slow handler must be slower by at least 1 ms", delay_ms)
        self._arm(SlowHandler(delay_ms=delay_ms, group=group, key=key), times)

    def lose_end_transaction(self, *, key: str | None = None, times: int = 1) -> None:
        self._arm(LoseEndTransaction(key=key), times)

    def _arm(self, fault: Counted, times: int) -> None:
        self._armed.append(_Armed(fault, _check_times(times)))

    # -- firing -------------------------------------------------------------------------
    def _fire(self, armed: _Armed, target: str, detail: str) -> None:
        armed.times_left -= 1
        at_ms = self._world.now_ms
        self._world.emit(FaultInjected(at_ms=at_ms, fault=armed.fault.kind, target=target, detail=detail))

    def broker_down(self, now_ms: int) -> bool:
        if not self.outages:  # checked twice a request: keep the no-outage case cheap
            return False
        return any(o.start_ms <= now_ms < o.end_ms for o in self.outages)

    def reply_loss(self, msg: Message) -> ReplyLoss | None:
        for armed in self._armed:
            match armed.fault:
                case LoseSendReply(topic=topic, key=key, how=how) if (
                    armed.times_left > 0 and topic in (None, msg.topic) and _keyed(key, msg.keys)
                ):
                    self._fire(armed, str(msg.msg_id), f"send reply lost ({how})")
                    return how
        return None

    def send_back_reply_loss(self, group: str, msg: MessageExt) -> ReplyLoss | None:
        for armed in self._armed:
            match armed.fault:
                case LoseSendBackReply(group=only, key=key, how=how) if (
                    armed.times_left > 0 and only in (None, group) and _keyed(key, msg.keys)
                ):
                    self._fire(armed, msg.msg_id, f"send-back reply lost ({how}), copy {msg.offset_msg_id}")
                    return how
        return None

    def offset_persist_lost(self, group: str, offset: int, mq: MessageQueue, via: str) -> bool:
        """Whether the offset update of ``group`` (``offset`` of ``mq``, sent by ``via``) is
        lost on the way. Asked for every queue at every persist: the detail is only
        written when the fault fires."""
        for armed in self._armed:
            match armed.fault:
                case LoseOffsetPersist(group=only) if armed.times_left > 0 and only in (None, group):
                    self._fire(armed, group, f"offset {offset} of {mq} lost on the way ({via})")
                    return True
        return False

    def crash_at(self, client: str, point: CrashPoint, msg: MessageExt) -> bool:
        for armed in self._armed:
            match armed.fault:
                case CrashConsumer(client=who, point=where, key=key) if (
                    who == client and where is point and armed.times_left > 0 and _keyed(key, msg.keys)
                ):
                    self._fire(armed, client, f"crash {point.value} (msg {msg.msg_id})")
                    return True
        return False

    def extra_delay(self, group: str, msg: MessageExt) -> int:
        for armed in self._armed:
            match armed.fault:
                case SlowHandler(delay_ms=delay, group=only, key=key) if (
                    armed.times_left > 0 and _keyed(key, msg.keys) and only in (None, group)
                ):
                    self._fire(armed, group, f"handler slowed by {delay} ms (msg {msg.msg_id})")
                    return delay
        return 0

    def end_transaction_lost(self, msg_id: str, keys: tuple[str, ...]) -> bool:
        for armed in self._armed:
            match armed.fault:
                case LoseEndTransaction(key=key) if armed.times_left > 0 and _keyed(key, keys):
                    self._fire(armed, msg_id, f"END_TRANSACTION of {msg_id} lost")
                    return True
        return False
