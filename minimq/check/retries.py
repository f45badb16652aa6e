"""Checkers of consumer retries: every send-back, retry copy and dead letter as RocketMQ's
rules say (``minimq.check``'s docstring states them)."""

from __future__ import annotations

import enum
import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from minimq.events import (
    BrokerCrashed,
    BrokerRestarted,
    CommitLogTruncated,
    ConsumerCrashed,
    ConsumerShutdown,
    ConsumerStarted,
    ConsumeTimedOut,
    Event,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
    MessagePopped,
    MessageRevived,
    MessageSentBack,
    MessageStored,
    RetriedLocally,
    SendBackFailed,
)
from minimq.model import ConsumeStatus, OrderlyStatus
from minimq.trace import Trace

_SUCCESS = {ConsumeStatus.SUCCESS.value, OrderlyStatus.SUCCESS.value}


class RetryRule(enum.StrEnum):
    """Which retry rule a ``RetryViolation`` broke (see ``retry_violations``)."""

    RETRY_WITHOUT_FAILURE = enum.auto()  # delivered or retried locally at r > 0, no failure at r - 1
    PAST_MAX_WITHOUT_LOCAL_RETRY = enum.auto()  # delivered past maxReconsumeTimes, not by a local retry
    ANOTHER_GROUPS_RETRY_TOPIC = enum.auto()  # a group consumed another group's %RETRY% topic
    CONSUMED_WITHOUT_DELIVERY = enum.auto()  # a listener finished a copy it was never given
    TAKEN_BACK_WITHOUT_FAILURE = enum.auto()  # sent back or dead-lettered more often than it failed
    SENT_BACK_PAST_MAX = enum.auto()  # scheduled for a retry at r >= max instead of dead-lettered
    WRONG_DELAY_LEVEL = enum.auto()  # not 3 + r (nor 3 after a consume timeout)
    WRONG_DUE_TIME = enum.auto()  # due_ms is not the send-back's time plus its level's delay
    WRONG_DLQ_RECONSUME_TIMES = enum.auto()  # dead-lettered at r != max (in order: r < max)
    WRONG_DLQ_TOPIC = enum.auto()  # dead-lettered into another topic than %DLQ%<group>
    RETRY_COPY_OUT_OF_RANGE = enum.auto()  # a %RETRY% copy stored with r outside 1..max
    RETRY_COPY_NOT_DUE = enum.auto()  # a %RETRY% copy stored when no send-back had it due
    RETRY_COPY_MISSING = enum.auto()  # a send-back's copy came due and was never stored
    NEW_MESSAGE_WITH_RETRIES = enum.auto()  # a business topic's message stored with r > 0


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryViolation:
    """One broken retry rule: which, for which message of which group, when, and what
    the trace showed. ``group`` is empty when no group had the message yet
    (``NEW_MESSAGE_WITH_RETRIES``)."""

    rule: RetryRule
    group: str
    msg_id: str
    at_ms: int
    detail: str

    def __str__(self) -> str:
        return f"t={self.at_ms} {self.group} {self.msg_id}: {self.rule}: {self.detail}"


# -- the retry rules ------------------------------------------------------------------
# RocketMQ's messageDelayLevel, stated here again rather than imported from the engine
# (core/delay.py): an oracle that read the engine's table would agree with any slip in it.
_DELAY_LEVELS_S = (1, 5, 10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800, 3600, 7200)
_RETRY_BASE_LEVEL = 3  # a send-back with level 0 is retried at level 3 + reconsume_times
_TIMEOUT_LEVEL = 3  # cleanExpireMsg sends a timed-out message back at level 3
_MAX_RECONSUME_CONCURRENTLY = 16  # maxReconsumeTimes -1
_MAX_RECONSUME_ORDERLY = 2**31 - 1  # Integer.MAX_VALUE
_RETRY, _DLQ = "%RETRY%", "%DLQ%"
_POP_MAX_ATTEMPTS = 17  # the proxy's maxAttempts (retryMaxTimes 16 + 1): the DLQ at the 18th pop
_FIRST_DELAY_MS = 1000  # ScheduleMessageService.FIRST_DELAY_TIME: a restarted broker's first delivery
# ConsumeMessageOrderlyService.checkReconsumeTimes, then makeMessageToConsumeAgain: a message
# of an orderly batch that went to the retry topic is put back as it is (RetriedLocally.reason)
_PUT_BACK_WITH_BATCH = "dead-lettered, put back with its batch"


def _delay_ms(level: int) -> int:
    return 0 if level <= 0 else _DELAY_LEVELS_S[min(level, len(_DELAY_LEVELS_S)) - 1] * 1000


class _RetryAudit:
    """Reads a trace event by event and notes every broken retry rule."""

    def __init__(self, max_reconsume_times: Mapping[str, int]) -> None:
        self.configured = max_reconsume_times
        self.started_max: dict[str, int] = {}  # group -> maxReconsumeTimes its consumers said they use
        self.orderly: set[str] = set()
        self.violations: list[RetryViolation] = []
        # a delivery's reconsume times until its MessageConsumed, per (client, copy); those
        # of a client's earlier incarnation are kept apart, in case a handler outlived it
        self.running: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.orphaned: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.failed_at: set[tuple[str, str, int]] = set()  # (group, msg id, reconsume times)
        self.failures: Counter[tuple[str, str]] = Counter()  # (group, copy)
        self.timed_out: set[tuple[str, str]] = set()  # (group, copy)
        self.taken_back: Counter[tuple[str, str]] = Counter()  # (group, copy)
        # CONSUMER_SEND_MSG_BACK requests the client saw fail: the broker may have taken the
        # copy back all the same (a lost reply), and the client's fallback takes it back again
        self.unanswered: Counter[tuple[str, str]] = Counter()  # (group, copy)
        self.local: set[tuple[str, str, int]] = set()  # (group, msg id, reconsume times)
        self.due: Counter[tuple[str, str, int, int]] = Counter()  # (group, msg id, r, due ms)
        # POP: the groups that popped, and their retry topics (%RETRY%<group>_<topic>),
        # whose copies are made due by a revival, not by a send-back
        self.pop_groups: set[str] = set()
        self.pop_retry: set[str] = set()
        # a broker crash (P13): when each copy was sent back, so that a restart may store it
        # late or again (#3473), and an OS crash may lose it
        self.sent_at: dict[tuple[str, str, int, int], list[int]] = defaultdict(list)
        self.restarted = False
        self.crashed_ms = 0
        self.down: list[tuple[int, int | None]] = []  # (crash ms, restart ms or None: still down)
        self.lost_windows: list[tuple[int, int]] = []  # (flushed ms, crash ms): send-backs lost

    def max_times(self, group: str) -> int:
        if group in self.configured:
            return self.configured[group]
        if group in self.started_max:
            return self.started_max[group]
        return _MAX_RECONSUME_ORDERLY if group in self.orderly else _MAX_RECONSUME_CONCURRENTLY

    def bad(self, rule: RetryRule, e: Event, group: str, msg_id: str, detail: str) -> None:
        self.violations.append(RetryViolation(rule=rule, group=group, msg_id=msg_id, at_ms=e.at_ms, detail=detail))

    def see(self, e: Event) -> None:
        match e:
            case ConsumerStarted():
                if e.orderly:
                    self.orderly.add(e.group)
                self.started_max[e.group] = e.max_reconsume_times
                self._orphan(e.client)
            case ConsumerCrashed() | ConsumerShutdown():
                self._orphan(e.client)
            case MessageDelivered():
                self._delivered(e)
            case MessageConsumed():
                self._consumed(e)
            case ConsumeTimedOut():
                started = self.running.get((e.client, e.offset_msg_id)) or [0]
                self._failed(e.group, e.msg_id, e.offset_msg_id, started[0])
                self.timed_out.add((e.group, e.offset_msg_id))
            case RetriedLocally():
                self._retried_locally(e)
            case SendBackFailed(request="CONSUMER_SEND_MSG_BACK"):
                self.unanswered[(e.group, e.offset_msg_id)] += 1
            case MessageSentBack():
                self._sent_back(e)
            case MessageDeadLettered():
                self._dead_lettered(e)
            case MessageStored():
                self._stored(e)
            case MessagePopped():
                self.pop_groups.add(e.group)
            case MessageRevived():
                self._revived(e)
            case BrokerCrashed():
                self.crashed_ms = e.at_ms
                self.down.append((e.at_ms, None))
            case BrokerRestarted():
                self.restarted = True
                self.down[-1:] = [(self.crashed_ms, e.at_ms)]
            case CommitLogTruncated():
                self.lost_windows.append((e.flushed_ms, self.crashed_ms))

    def _orphan(self, client: str) -> None:
        for key in [k for k in self.running if k[0] == client]:
            self.orphaned[key].extend(self.running.pop(key))

    def _failed(self, group: str, msg_id: str, copy: str, times: int) -> None:
        self.failures[(group, copy)] += 1
        self.failed_at.add((group, msg_id, times))

    def _delivered(self, e: MessageDelivered) -> None:
        g, m, r = e.group, e.msg_id, e.reconsume_times
        self.running[(e.client, e.offset_msg_id)].append(r)
        if r > 0 and (g, m, r - 1) not in self.failed_at:
            detail = f"delivered at reconsume_times {r}, no attempt failed at {r - 1}"
            self.bad(RetryRule.RETRY_WITHOUT_FAILURE, e, g, m, detail)
        if r > self.max_times(g) and (g, m, r) not in self.local:
            detail = f"delivered at reconsume_times {r} > {self.max_times(g)}, not by a local retry"
            self.bad(RetryRule.PAST_MAX_WITHOUT_LOCAL_RETRY, e, g, m, detail)
        if e.topic.startswith(_RETRY) and e.topic not in (_RETRY + g, f"{_RETRY}{g}_{e.real_topic}"):
            self.bad(RetryRule.ANOTHER_GROUPS_RETRY_TOPIC, e, g, m, f"consumed from {e.topic}")

    def _retried_locally(self, e: RetriedLocally) -> None:
        g, m, r = e.group, e.msg_id, e.reconsume_times
        self.local.add((g, m, r))
        # An orderly batch is put back whole; a message of it already sent to the retry
        # topic (or the DLQ) goes back with its count unchanged, so the attempt that
        # failed is this one, at r, not one at r - 1.
        failed = r if e.reason == _PUT_BACK_WITH_BATCH else r - 1
        if (g, m, failed) not in self.failed_at:
            detail = f"retried locally at reconsume_times {r}, no attempt failed at {failed}"
            self.bad(RetryRule.RETRY_WITHOUT_FAILURE, e, g, m, detail)

    def _consumed(self, e: MessageConsumed) -> None:
        key = (e.client, e.offset_msg_id)
        started = self.running.get(key) or self.orphaned.get(key)
        if not started:
            self.bad(RetryRule.CONSUMED_WITHOUT_DELIVERY, e, e.group, e.msg_id, f"copy {e.offset_msg_id} at {e.client}")
            return
        times = started.pop(0)
        if e.status not in _SUCCESS:
            self._failed(e.group, e.msg_id, e.offset_msg_id, times)

    def _take_back(self, e: MessageSentBack | MessageDeadLettered) -> None:
        copy = (e.group, e.offset_msg_id)
        self.taken_back[copy] += 1
        if self.taken_back[copy] > self.failures[copy] + self.unanswered[copy]:
            detail = f"copy {e.offset_msg_id} taken back {self.taken_back[copy]} time(s), failed {self.failures[copy]}"
            if self.unanswered[copy]:
                detail += f", {self.unanswered[copy]} send-back(s) unanswered"
            self.bad(RetryRule.TAKEN_BACK_WITHOUT_FAILURE, e, e.group, e.msg_id, detail)

    def _sent_back(self, e: MessageSentBack) -> None:
        self._take_back(e)
        g, m, r = e.group, e.msg_id, e.reconsume_times
        self.due[(g, m, r + 1, e.due_ms)] += 1
        self.sent_at[(g, m, r + 1, e.due_ms)].append(e.at_ms)
        if r >= self.max_times(g):
            self.bad(RetryRule.SENT_BACK_PAST_MAX, e, g, m, f"scheduled a retry at reconsume_times {r}")
        levels = {_RETRY_BASE_LEVEL + r} | ({_TIMEOUT_LEVEL} if (g, e.offset_msg_id) in self.timed_out else set())
        if e.delay_level not in levels:
            expected = " or ".join(map(str, sorted(levels)))
            self.bad(RetryRule.WRONG_DELAY_LEVEL, e, g, m, f"delay level {e.delay_level} at {r}, expected {expected}")
        if e.due_ms != e.at_ms + _delay_ms(e.delay_level):
            detail = f"due at {e.due_ms}, level {e.delay_level} makes it {e.at_ms + _delay_ms(e.delay_level)}"
            self.bad(RetryRule.WRONG_DUE_TIME, e, g, m, detail)

    def _revived(self, e: MessageRevived) -> None:
        """A POP checkpoint not acked in time: an attempt that failed, and a retry copy due now."""
        self.failed_at.add((e.group, e.msg_id, e.reconsume_times))
        self.pop_retry.add(e.retry_topic)
        self.due[(e.retry_topic.removeprefix(_RETRY), e.msg_id, e.reconsume_times + 1, e.at_ms)] += 1

    def _dead_lettered(self, e: MessageDeadLettered) -> None:
        g, m, r = e.group, e.msg_id, e.reconsume_times
        if g in self.pop_groups:  # the proxy's forward of the 18th pop, not a failed delivery's send-back
            if r != _POP_MAX_ATTEMPTS:
                self.bad(
                    RetryRule.WRONG_DLQ_RECONSUME_TIMES, e, g, m, f"at reconsume_times {r}, POP max {_POP_MAX_ATTEMPTS}"
                )
            if e.dlq_topic != _DLQ + g:
                self.bad(RetryRule.WRONG_DLQ_TOPIC, e, g, m, f"into {e.dlq_topic}")
            return
        self._take_back(e)
        # the broker counts from the stored copy, at most the maximum; an orderly client sends
        # its own count, one more after each failed attempt to dead-letter
        if r < self.max_times(g) or (r > self.max_times(g) and g not in self.orderly):
            self.bad(RetryRule.WRONG_DLQ_RECONSUME_TIMES, e, g, m, f"at reconsume_times {r}, max {self.max_times(g)}")
        if e.dlq_topic != _DLQ + g:
            self.bad(RetryRule.WRONG_DLQ_TOPIC, e, g, m, f"into {e.dlq_topic}")

    def _stored(self, e: MessageStored) -> None:
        m, r = e.msg_id, e.reconsume_times
        if not e.topic.startswith(_RETRY):
            if r != 0 and not e.topic.startswith(_DLQ):
                self.bad(RetryRule.NEW_MESSAGE_WITH_RETRIES, e, "", m, f"stored in {e.topic} at reconsume_times {r}")
            return
        g = e.topic.removeprefix(_RETRY)
        if not 1 <= r <= (_POP_MAX_ATTEMPTS if e.topic in self.pop_retry else self.max_times(g)):
            self.bad(RetryRule.RETRY_COPY_OUT_OF_RANGE, e, g, m, f"stored at reconsume_times {r}")
        if self.due[(g, m, r, e.at_ms)] > 0:
            self.due[(g, m, r, e.at_ms)] -= 1
        elif not self._after_restart(g, m, r, e.at_ms):
            self.bad(RetryRule.RETRY_COPY_NOT_DUE, e, g, m, f"stored at reconsume_times {r}, no send-back made it due")

    def _after_restart(self, g: str, m: str, r: int, at_ms: int) -> bool:
        """A restarted broker stores a copy due while it was down late, and a copy it had
        stored since its last delay-progress flush again (#3473): either way a send-back
        made it due by now."""
        if not self.restarted:
            return False
        late = [k for k in sorted(self.due) if k[:3] == (g, m, r) and k[3] <= at_ms and self.due[k] > 0]
        if late:
            self.due[late[0]] -= 1
            return True
        return any(k[:3] == (g, m, r) and k[3] <= at_ms for k in self.sent_at)

    def missing(self, until_ms: int) -> list[RetryViolation]:
        """The send-backs whose retry copy was due before ``until_ms`` and never stored."""
        return [
            RetryViolation(
                rule=RetryRule.RETRY_COPY_MISSING,
                group=g,
                msg_id=m,
                at_ms=due,
                detail=f"{n} retry copy(ies) at reconsume_times {r} due, none stored",
            )
            for (g, m, r, due), n in sorted(self.due.items(), key=lambda item: (item[0][3], item[0]))
            if n > 0 and self._stored_by(due) < until_ms and not self._lost((g, m, r, due))
        ]

    def _stored_by(self, due: int) -> float:
        """When a copy due at ``due`` must be stored: then, or, when the broker was down by
        then (or restarted less than 1 s before), 1 s after it restarted
        (``ScheduleMessageService`` starts each level ``FIRST_DELAY_TIME`` after the start);
        never while it stays down."""
        for crashed, restarted in self.down:
            if restarted is None and crashed <= due:
                return math.inf
            if restarted is not None and crashed <= due < restarted + _FIRST_DELAY_MS:
                return restarted + _FIRST_DELAY_MS
        return due

    def _lost(self, key: tuple[str, str, int, int]) -> bool:
        """The copy was sent back after the commit log's last flush before an OS crash:
        the crash lost it."""
        return any(flushed <= at <= crashed for at in self.sent_at[key] for flushed, crashed in self.lost_windows)


def retry_violations(
    trace: Trace, *, until_ms: int | None = None, max_reconsume_times: Mapping[str, int] | None = None
) -> list[RetryViolation]:
    """Every broken retry rule (module docstring), in the order the trace shows them.

    ``until_ms``: the time the trace runs to (default: its last event's); a retry copy due
    before it must have been stored. ``max_reconsume_times``: group -> the consumers'
    ``maxReconsumeTimes``, for the groups that set one."""
    audit = _RetryAudit(max_reconsume_times or {})
    for e in trace:
        audit.see(e)
    end = until_ms if until_ms is not None else (trace.events[-1].at_ms if trace.events else 0)
    return audit.violations + audit.missing(end)
