"""Checkers of messages: lost, delivered twice (by msg id or by business key), dead-lettered,
and whether a repeated delivery was a retry the consumer asked for or a duplicate."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from minimq.events import (
    ConsumeFailureDropped,
    ConsumerStarted,
    ConsumeTimedOut,
    Event,
    HalfMessageCommitted,
    HalfMessageStored,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
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


def subscriptions(trace: Trace) -> dict[str, set[str]]:
    """topic -> groups that ever subscribed to it."""
    subs: dict[str, set[str]] = defaultdict(set)
    for e in trace.of(ConsumerStarted):
        for topic in e.topics:
            subs[topic].add(e.group)
    return subs


def lost_messages(trace: Trace) -> list[LostMessage]:
    """Messages sent (a transactional one: committed) that a subscribed group never got
    and never dead-lettered."""
    subs = subscriptions(trace)
    delivered = {(e.group, e.msg_id) for e in trace.of(MessageDelivered)}
    dead = {(e.group, e.msg_id) for e in trace.of(MessageDeadLettered)}
    # a half message is owed to no one until a COMMIT: a rolled-back one is not lost
    withheld = {e.msg_id for e in trace.of(HalfMessageStored)} - {e.msg_id for e in trace.of(HalfMessageCommitted)}
    lost: list[LostMessage] = []
    seen: set[str] = set(withheld)
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


def repeat_kinds(events: Iterable[Event], broadcasting: Collection[str] | None = None) -> dict[int, str]:
    """For each repeated delivery, by its index in ``events``: ``"retry"`` when the last
    attempt of that msg id in that group failed, else ``"duplicate"``. A repeat is a
    business key (the msg id when there is none) delivered to a group again; in a
    ``broadcasting`` group (by default, those whose ``ConsumerStarted`` is among
    ``events``), to the same client again, since every client must get every message."""
    every = list(events)
    if broadcasting is None:
        broadcasting = {
            e.group for e in every if isinstance(e, ConsumerStarted) and e.model == MessageModel.BROADCASTING.value
        }
    seen: set[tuple[str, str]] = set()
    failed: set[tuple[str, str]] = set()  # (receiver, msg id) whose last attempt failed
    kinds: dict[int, str] = {}
    for i, e in enumerate(every):
        if isinstance(e, MessageDelivered):
            receiver = f"{e.group}/{e.client}" if e.group in broadcasting else e.group
            key = (receiver, e.keys[0] if e.keys else e.msg_id)
            if key in seen:
                kinds[i] = "retry" if (receiver, e.msg_id) in failed else "duplicate"
            seen.add(key)
            failed.discard((receiver, e.msg_id))
        elif isinstance(e, ConsumeTimedOut | RetriedLocally | MessageConsumed | ConsumeFailureDropped):
            if isinstance(e, MessageConsumed) and e.status in _SUCCESS:
                continue
            receiver = f"{e.group}/{e.client}" if e.group in broadcasting else e.group
            failed.add((receiver, e.msg_id))
    return kinds


def dead_lettered(trace: Trace) -> list[DeadLettered]:
    return [DeadLettered(e.group, e.msg_id, e.reconsume_times) for e in trace.of(MessageDeadLettered)]
