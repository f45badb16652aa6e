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
Call the checkers after the world has run long enough for retries to drain.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from minimq.events import (
    ConsumerStarted,
    ConsumeTimedOut,
    EffectApplied,
    EffectExpected,
    Event,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
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


@dataclass(frozen=True, slots=True)
class Report:
    lost: list[LostMessage] = field(default_factory=list)
    duplicate_deliveries: list[DuplicateDelivery] = field(default_factory=list)
    duplicate_keys: list[DuplicateKey] = field(default_factory=list)
    dead_lettered: list[DeadLettered] = field(default_factory=list)
    duplicated_effects: list[EffectCount] = field(default_factory=list)
    lost_effects: list[EffectCount] = field(default_factory=list)
    offset_regressions: list[OffsetRegression] = field(default_factory=list)

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
    )
