"""Checkers over a trace: what was lost, what was delivered twice, what was done twice.

Owns: the verdicts, computed from the trace alone (a trace read back from JSON lines
gives the same verdicts). Vocabulary (after Maelstrom):
- **lost message**: the producer got ``SEND_OK`` but a group subscribed to the topic
  never had it delivered, and did not dead-letter it either.
- **duplicate delivery**: a group's listener was called more than once for one msg id
  (``redelivered_after_success`` counts the calls after one that succeeded); a
  **duplicate key** is a business key delivered more than once, under one msg id or
  several. In broadcasting every client must see each message once, so these are
  counted per client (``group/client``).
- **dead-lettered**: a group gave up on a message after its retries.
- **duplicated / lost effect**: an expected key of an effect ledger ended with two or
  more effects, or with none.
- **offset regression**: the broker's committed offset for a (group, queue) moved back.
  An operator's reset (``OffsetReset``) is not one, nor is the consumer later storing
  that same reset offset over the stale one its first pull after the reset carried.
- **a retry, not a duplicate** (``repeat_kinds``): a repeated delivery is a *retry* when
  the previous attempt of the same msg id failed (``RECONSUME_LATER``, an exception, a
  consume timeout, a failed send-back): the consumer asked for it. Any other repeated
  delivery of a business key to a group is a *duplicate*: the consumer did its part and
  got the message again anyway.
- **broken retry rule** (``retry_violations``): a consumer retry that did not follow
  RocketMQ's rules (``consumerSendMsgBack``, ``ScheduleMessageService``,
  ``ConsumeMessageConcurrentlyService``), one ``RetryViolation`` per break, its ``rule`` a
  ``RetryRule``. A message whose delivery failed (not a success status, or a consume
  timeout) is taken back by the broker at most once per failure; the broker schedules its
  retry copy at delay level ``3 + reconsume_times`` (level 3, 10 s, after a consume
  timeout), stores it at exactly that time in ``%RETRY%<group>`` with ``reconsume_times + 1``,
  and once ``reconsume_times`` reaches ``maxReconsumeTimes`` dead-letters it into
  ``%DLQ%<group>`` instead: at exactly the maximum, or past it for an orderly consumer
  whose own attempt to dead-letter failed. A delivery at ``reconsume_times`` r > 0 follows a
  failed attempt at r - 1 (a stored retry copy, or a local retry after a failed
  send-back); only a local retry delivers past the maximum. A retry copy due before the
  end of the trace (``until_ms``, by default its last event) must have been stored by then.
  The trace does not record ``maxReconsumeTimes``: each group is taken to use RocketMQ's
  default (16 retries concurrently, ``Integer.MAX_VALUE`` in order) unless
  ``max_reconsume_times`` names its own. Two RocketMQ behaviours minimq does not model
  would read as violations here: a listener asking for the DLQ at once
  (``delayLevelWhenNextConsume = -1``), and the second retry copy of a send-back stored but
  answered too late (P9).
Call the checkers after the world has run long enough for retries to drain.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from minimq.events import (
    ConsumerCrashed,
    ConsumerShutdown,
    ConsumerStarted,
    ConsumeTimedOut,
    EffectApplied,
    EffectExpected,
    Event,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
    MessageSentBack,
    MessageStored,
    OffsetPersisted,
    OffsetReset,
    RetriedLocally,
    SendSucceeded,
)
from minimq.model import ConsumeStatus, MessageModel, OrderlyStatus
from minimq.trace import Trace

_SUCCESS = {ConsumeStatus.SUCCESS.value, OrderlyStatus.SUCCESS.value}


@dataclass(frozen=True, slots=True)
class LostMessage:
    group: str
    msg_id: str
    topic: str


@dataclass(frozen=True, slots=True)
class DuplicateDelivery:
    group: str
    msg_id: str
    keys: tuple[str, ...]
    deliveries: int
    redelivered_after_success: int


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    group: str
    key: str
    msg_ids: tuple[str, ...]
    deliveries: int


@dataclass(frozen=True, slots=True)
class DeadLettered:
    group: str
    msg_id: str
    reconsume_times: int


@dataclass(frozen=True, slots=True)
class EffectCount:
    ledger: str
    key: str
    count: int


@dataclass(frozen=True, slots=True)
class OffsetRegression:
    group: str
    topic: str
    queue_id: int
    from_offset: int
    to_offset: int
    at_ms: int


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


@dataclass(frozen=True, slots=True)
class Report:
    lost: list[LostMessage] = field(default_factory=list)
    duplicate_deliveries: list[DuplicateDelivery] = field(default_factory=list)
    duplicate_keys: list[DuplicateKey] = field(default_factory=list)
    dead_lettered: list[DeadLettered] = field(default_factory=list)
    duplicated_effects: list[EffectCount] = field(default_factory=list)
    lost_effects: list[EffectCount] = field(default_factory=list)
    offset_regressions: list[OffsetRegression] = field(default_factory=list)
    retry_violations: list[RetryViolation] = field(default_factory=list)

    @property
    def exactly_once_effects(self) -> bool:
        return not self.duplicated_effects and not self.lost_effects

    def summary(self) -> dict[str, int]:
        return {
            "lost_messages": len(self.lost),
            "duplicate_deliveries": len(self.duplicate_deliveries),
            "duplicate_keys": len(self.duplicate_keys),
            "dead_lettered": len(self.dead_lettered),
            "duplicate_effects": len(self.duplicated_effects),
            "lost_effects": len(self.lost_effects),
            "offset_regressions": len(self.offset_regressions),
            "retry_violations": len(self.retry_violations),
        }


def subscriptions(trace: Trace) -> dict[str, set[str]]:
    """topic -> groups that ever subscribed to it."""
    subs: dict[str, set[str]] = defaultdict(set)
    for e in trace.of(ConsumerStarted):
        for topic in e.topics:
            subs[topic].add(e.group)
    return subs


def lost_messages(trace: Trace) -> list[LostMessage]:
    subs = subscriptions(trace)
    delivered = {(e.group, e.msg_id) for e in trace.of(MessageDelivered)}
    dead = {(e.group, e.msg_id) for e in trace.of(MessageDeadLettered)}
    lost: list[LostMessage] = []
    seen: set[str] = set()
    for e in trace.of(SendSucceeded):
        if e.msg_id in seen:
            continue
        seen.add(e.msg_id)
        for group in sorted(subs.get(e.topic, ())):
            if (group, e.msg_id) not in delivered and (group, e.msg_id) not in dead:
                lost.append(LostMessage(group, e.msg_id, e.topic))
    return lost


def _receivers(trace: Trace) -> Callable[[MessageDelivered | MessageConsumed], str]:
    """Who must see a message once: the group (clustering) or each client (broadcasting)."""
    broadcasting = {e.group for e in trace.of(ConsumerStarted) if e.model == MessageModel.BROADCASTING.value}

    def receiver(e: MessageDelivered | MessageConsumed) -> str:
        return f"{e.group}/{e.client}" if e.group in broadcasting else e.group

    return receiver


def duplicate_deliveries(trace: Trace) -> list[DuplicateDelivery]:
    """Msg ids delivered more than once to a group (to a client, in broadcasting)."""
    receiver = _receivers(trace)
    counts: Counter[tuple[str, str]] = Counter()
    keys: dict[tuple[str, str], tuple[str, ...]] = {}
    after_success: Counter[tuple[str, str]] = Counter()
    succeeded: set[tuple[str, str]] = set()
    for e in trace.events:
        if isinstance(e, MessageDelivered):
            k = (receiver(e), e.msg_id)
            counts[k] += 1
            keys[k] = e.keys
            if k in succeeded:
                after_success[k] += 1
        elif isinstance(e, MessageConsumed) and e.status in _SUCCESS:
            succeeded.add((receiver(e), e.msg_id))
    return [
        DuplicateDelivery(g, m, keys[(g, m)], n, after_success[(g, m)]) for (g, m), n in sorted(counts.items()) if n > 1
    ]


def duplicate_keys(trace: Trace) -> list[DuplicateKey]:
    """Business keys delivered more than once to a group, under one msg id or several."""
    receiver = _receivers(trace)
    ids: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in trace.of(MessageDelivered):
        for key in e.keys:
            ids[(receiver(e), key)].append(e.msg_id)
    return [DuplicateKey(g, k, tuple(sorted(set(ms))), len(ms)) for (g, k), ms in sorted(ids.items()) if len(ms) > 1]


def repeat_kinds(events: Iterable[Event]) -> dict[int, str]:
    """For each repeated delivery, by its index in ``events``: ``"retry"`` when the last
    attempt of that msg id in that group failed, else ``"duplicate"``. A repeat is a
    business key (the msg id when there is none) delivered to a group again."""
    seen: set[tuple[str, str]] = set()
    failed: set[tuple[str, str]] = set()  # (group, msg id) whose last attempt failed
    kinds: dict[int, str] = {}
    for i, e in enumerate(events):
        if isinstance(e, MessageDelivered):
            key = (e.group, e.keys[0] if e.keys else e.msg_id)
            if key in seen:
                kinds[i] = "retry" if (e.group, e.msg_id) in failed else "duplicate"
            seen.add(key)
            failed.discard((e.group, e.msg_id))
        elif isinstance(e, ConsumeTimedOut | RetriedLocally) or (
            isinstance(e, MessageConsumed) and e.status not in _SUCCESS
        ):
            failed.add((e.group, e.msg_id))
    return kinds


def dead_lettered(trace: Trace) -> list[DeadLettered]:
    return [DeadLettered(e.group, e.msg_id, e.reconsume_times) for e in trace.of(MessageDeadLettered)]


def effects_by_key(trace: Trace) -> Counter[tuple[str, str]]:
    """How many effects each (ledger, key) had."""
    return Counter((e.ledger, e.key) for e in trace.of(EffectApplied))


def effect_counts(trace: Trace) -> tuple[list[EffectCount], list[EffectCount]]:
    """(duplicated, lost) effects over every ledger's expected keys."""
    applied = effects_by_key(trace)
    expected = sorted({(e.ledger, e.key) for e in trace.of(EffectExpected)})
    duplicated = [EffectCount(lg, k, n) for (lg, k), n in sorted(applied.items()) if n > 1]
    lost = [EffectCount(lg, k, 0) for lg, k in expected if applied[(lg, k)] == 0]
    return duplicated, lost


def offset_regressions(trace: Trace) -> list[OffsetRegression]:
    last: dict[tuple[str, str, int], int] = {}
    reset_to: dict[tuple[str, str, int], int] = {}
    out: list[OffsetRegression] = []
    for e in trace.events:
        if isinstance(e, OffsetReset):
            last[(e.group, e.topic, e.queue_id)] = reset_to[(e.group, e.topic, e.queue_id)] = e.offset
            continue
        if not isinstance(e, OffsetPersisted) or e.store == "local":
            continue
        k = (e.group, e.topic, e.queue_id)
        applies_reset = e.via == "offset moved" and reset_to.pop(k, None) == e.offset
        if k in last and e.offset < last[k] and not applies_reset:
            out.append(OffsetRegression(e.group, e.topic, e.queue_id, last[k], e.offset, e.at_ms))
        last[k] = e.offset
    return out


# -- the retry rules ------------------------------------------------------------------
# RocketMQ's messageDelayLevel, stated here again rather than imported from the engine
# (core/delay.py): an oracle that read the engine's table would agree with any slip in it.
_DELAY_LEVELS_S = (1, 5, 10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800, 3600, 7200)
_RETRY_BASE_LEVEL = 3  # a send-back with level 0 is retried at level 3 + reconsume_times
_TIMEOUT_LEVEL = 3  # cleanExpireMsg sends a timed-out message back at level 3
_MAX_RECONSUME_CONCURRENTLY = 16  # maxReconsumeTimes -1
_MAX_RECONSUME_ORDERLY = 2**31 - 1  # Integer.MAX_VALUE
_RETRY, _DLQ = "%RETRY%", "%DLQ%"


def _delay_ms(level: int) -> int:
    return 0 if level <= 0 else _DELAY_LEVELS_S[min(level, len(_DELAY_LEVELS_S)) - 1] * 1000


class _RetryAudit:
    """Reads a trace event by event and notes every broken retry rule."""

    def __init__(self, max_reconsume_times: Mapping[str, int]) -> None:
        self.configured = max_reconsume_times
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
        self.local: set[tuple[str, str, int]] = set()  # (group, msg id, reconsume times)
        self.due: Counter[tuple[str, str, int, int]] = Counter()  # (group, msg id, r, due ms)

    def max_times(self, group: str) -> int:
        if group in self.configured:
            return self.configured[group]
        return _MAX_RECONSUME_ORDERLY if group in self.orderly else _MAX_RECONSUME_CONCURRENTLY

    def bad(self, rule: RetryRule, e: Event, group: str, msg_id: str, detail: str) -> None:
        self.violations.append(RetryViolation(rule=rule, group=group, msg_id=msg_id, at_ms=e.at_ms, detail=detail))

    def see(self, e: Event) -> None:
        match e:
            case ConsumerStarted():
                if e.orderly:
                    self.orderly.add(e.group)
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
            case MessageSentBack():
                self._sent_back(e)
            case MessageDeadLettered():
                self._dead_lettered(e)
            case MessageStored():
                self._stored(e)

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
        if e.topic.startswith(_RETRY) and e.topic != _RETRY + g:
            self.bad(RetryRule.ANOTHER_GROUPS_RETRY_TOPIC, e, g, m, f"consumed from {e.topic}")

    def _retried_locally(self, e: RetriedLocally) -> None:
        g, m, r = e.group, e.msg_id, e.reconsume_times
        self.local.add((g, m, r))
        if (g, m, r - 1) not in self.failed_at:
            detail = f"retried locally at reconsume_times {r}, no attempt failed at {r - 1}"
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
        if self.taken_back[copy] > self.failures[copy]:
            detail = f"copy {e.offset_msg_id} taken back {self.taken_back[copy]} time(s), failed {self.failures[copy]}"
            self.bad(RetryRule.TAKEN_BACK_WITHOUT_FAILURE, e, e.group, e.msg_id, detail)

    def _sent_back(self, e: MessageSentBack) -> None:
        self._take_back(e)
        g, m, r = e.group, e.msg_id, e.reconsume_times
        self.due[(g, m, r + 1, e.due_ms)] += 1
        if r >= self.max_times(g):
            self.bad(RetryRule.SENT_BACK_PAST_MAX, e, g, m, f"scheduled a retry at reconsume_times {r}")
        levels = {_RETRY_BASE_LEVEL + r} | ({_TIMEOUT_LEVEL} if (g, e.offset_msg_id) in self.timed_out else set())
        if e.delay_level not in levels:
            expected = " or ".join(map(str, sorted(levels)))
            self.bad(RetryRule.WRONG_DELAY_LEVEL, e, g, m, f"delay level {e.delay_level} at {r}, expected {expected}")
        if e.due_ms != e.at_ms + _delay_ms(e.delay_level):
            detail = f"due at {e.due_ms}, level {e.delay_level} makes it {e.at_ms + _delay_ms(e.delay_level)}"
            self.bad(RetryRule.WRONG_DUE_TIME, e, g, m, detail)

    def _dead_lettered(self, e: MessageDeadLettered) -> None:
        self._take_back(e)
        g, m, r = e.group, e.msg_id, e.reconsume_times
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
        if not 1 <= r <= self.max_times(g):
            self.bad(RetryRule.RETRY_COPY_OUT_OF_RANGE, e, g, m, f"stored at reconsume_times {r}")
        if self.due[(g, m, r, e.at_ms)] > 0:
            self.due[(g, m, r, e.at_ms)] -= 1
        else:
            self.bad(RetryRule.RETRY_COPY_NOT_DUE, e, g, m, f"stored at reconsume_times {r}, no send-back made it due")

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
            if n > 0 and due < until_ms
        ]


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


def check(trace: Trace) -> Report:
    """Every checker at once."""
    duplicated, lost_fx = effect_counts(trace)
    return Report(
        lost=lost_messages(trace),
        duplicate_deliveries=duplicate_deliveries(trace),
        duplicate_keys=duplicate_keys(trace),
        dead_lettered=dead_lettered(trace),
        duplicated_effects=duplicated,
        lost_effects=lost_fx,
        offset_regressions=offset_regressions(trace),
        retry_violations=retry_violations(trace),
    )
