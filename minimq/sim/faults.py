"""Fault plans: the ways a test or a lesson makes RocketMQ's duplication paths happen.

Owns: the declarative fault rules and their matching. A rule fires at most ``times``
times, on the requests or messages it matches, and each firing is a ``FaultInjected``
event in the trace. Rules:
- ``lose_send_reply``: the broker stores the message but the reply never reaches the
  producer. ``how="timeout"``: the producer waits out its whole budget
  (``RemotingTimeoutException``; not retried internally by a 4.x producer).
  ``how="fast_fail"``: the channel closes right after the store
  (``RemotingSendRequestException``; the producer retries at once, same msg id).
- ``broker_outage``: for a while every request to the broker fails to connect and every
  oneway request is dropped.
- ``lose_offset_persist``: a oneway ``UPDATE_CONSUMER_OFFSET`` never arrives.
- ``crash_consumer``: a consumer process dies at a chosen point of a chosen message.
- ``slow_handler``: a consumer spends ``delay_ms`` more on a message (a GC pause, a slow
  downstream call) before its listener runs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from minimq.errors import ValidationError
from minimq.events import FaultInjected

if TYPE_CHECKING:
    from minimq.model import Message, MessageExt
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


@dataclass(slots=True)
class _Rule:
    name: str
    times: int
    topic: str | None = None
    key: str | None = None
    group: str | None = None
    client: str | None = None
    how: str = ""
    point: CrashPoint | None = None
    delay_ms: int = 0
    start_ms: int = 0
    end_ms: int = 0

    def matches_msg(self, topic: str, keys: tuple[str, ...]) -> bool:
        if self.times <= 0:
            return False
        if self.topic is not None and topic != self.topic:
            return False
        return self.key is None or self.key in keys


def _check_times(times: int) -> int:
    if not isinstance(times, int) or times < 1:
        raise ValidationError("a fault must fire at least once (times >= 1)", times)
    return times


class FaultPlan:
    """The faults armed in one world."""

    def __init__(self, world: Simulation) -> None:
        self._world = world
        self._rules: list[_Rule] = []
        self.outages: list[_Rule] = []  # the broker_outage rules among them (read twice a request)

    # -- arming ------------------------------------------------------------------------
    def lose_send_reply(
        self, *, topic: str | None = None, key: str | None = None, how: str = "timeout", times: int = 1
    ) -> None:
        if how not in ReplyLoss.__members__.values():
            raise ValidationError("how must be 'timeout' or 'fast_fail'", how)
        self._rules.append(_Rule("lose_send_reply", _check_times(times), topic, key, how=how))

    def broker_outage(self, start_ms: int, duration_ms: int) -> None:
        if duration_ms <= 0:
            raise ValidationError("an outage must last at least 1 ms", duration_ms)
        rule = _Rule("broker_outage", 1, start_ms=start_ms, end_ms=start_ms + duration_ms)
        self._rules.append(rule)
        self.outages.append(rule)

    def lose_offset_persist(self, *, group: str | None = None, times: int = 1) -> None:
        self._rules.append(_Rule("lose_offset_persist", _check_times(times), group=group))

    def crash_consumer(self, client: str, at: CrashPoint | str, *, key: str | None = None, times: int = 1) -> None:
        point = CrashPoint(at) if at in CrashPoint.__members__.values() else CrashPoint[str(at)]
        self._rules.append(_Rule("crash_consumer", _check_times(times), key=key, client=client, point=point))

    def slow_handler(self, delay_ms: int, *, group: str | None = None, key: str | None = None, times: int = 1) -> None:
        if delay_ms <= 0:
            raise ValidationError("a slow handler must be slower by at least 1 ms", delay_ms)
        self._rules.append(_Rule("slow_handler", _check_times(times), key=key, group=group, delay_ms=delay_ms))

    # -- firing -------------------------------------------------------------------------
    def _fire(self, rule: _Rule, target: str, detail: str) -> None:
        rule.times -= 1
        self._world.emit(FaultInjected(at_ms=self._world.now_ms, fault=rule.name, target=target, detail=detail))

    def broker_down(self, now_ms: int) -> bool:
        if not self.outages:  # checked twice a request: keep the no-outage case cheap
            return False
        return any(r.start_ms <= now_ms < r.end_ms for r in self.outages)

    def reply_loss(self, msg: Message) -> ReplyLoss | None:
        for rule in self._rules:
            if rule.name == "lose_send_reply" and rule.matches_msg(msg.topic, msg.keys):
                self._fire(rule, str(msg.msg_id), f"send reply lost ({rule.how})")
                return ReplyLoss(rule.how)
        return None

    def offset_persist_lost(self, group: str, detail: str) -> bool:
        for rule in self._rules:
            if rule.name == "lose_offset_persist" and rule.times > 0 and rule.group in (None, group):
                self._fire(rule, group, detail)
                return True
        return False

    def crash_at(self, client: str, point: CrashPoint, msg: MessageExt) -> bool:
        for rule in self._rules:
            if (
                rule.name == "crash_consumer"
                and rule.client == client
                and rule.point is point
                and rule.matches_msg(msg.topic, msg.keys)
            ):
                self._fire(rule, client, f"crash {point.value} (msg {msg.msg_id})")
                return True
        return False

    def extra_delay(self, group: str, msg: MessageExt) -> int:
        for rule in self._rules:
            if rule.name == "slow_handler" and rule.matches_msg(msg.topic, msg.keys) and rule.group in (None, group):
                self._fire(rule, group, f"handler slowed by {rule.delay_ms} ms (msg {msg.msg_id})")
                return rule.delay_ms
        return 0
