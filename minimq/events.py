"""The trace vocabulary: every state change in a simulation is one of these events.

Owns: the event types. Each is a frozen value, named in the past tense, stamped with the
virtual time ``at_ms`` at which it happened. Fields are plain strings, ints, ``None``
and tuples, so a trace can be written as JSON lines and read back unchanged
(``minimq.trace``). Lessons, pictures, checkers and tests all read these and nothing else.

Who is who in the fields: ``producer`` and ``client`` are client ids (a consumer's
``client`` survives its restarts, as a RocketMQ clientId does); ``group`` is a consumer
group; ``queue_id`` belongs to ``topic`` unless a field says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

EVENT_TYPES: dict[str, type[Event]] = {}


@dataclass(frozen=True, slots=True)
class Event:
    at_ms: int

    kind: ClassVar[str] = "Event"

    def __init_subclass__(cls) -> None:
        # Runs twice per event type (dataclass(slots=True) rebuilds the class); the
        # registry keeps the final class.
        cls.kind = cls.__name__
        EVENT_TYPES[cls.__name__] = cls


# -- set-up -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WorldStarted(Event):
    seed: int


@dataclass(frozen=True, slots=True)
class TopicCreated(Event):
    topic: str
    queue_nums: int


@dataclass(frozen=True, slots=True)
class FaultInjected(Event):
    """A fault plan fired: ``fault`` names the rule, ``detail`` what it did."""

    fault: str
    target: str
    detail: str


# -- producer -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SendAttempted(Event):
    producer: str
    msg_id: str
    topic: str
    queue_id: int
    attempt: int
    budget_left_ms: int
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SendFailed(Event):
    """One attempt failed; the producer may try again."""

    producer: str
    msg_id: str
    attempt: int
    error: str


@dataclass(frozen=True, slots=True)
class SendSucceeded(Event):
    """The broker's reply reached the producer."""

    producer: str
    msg_id: str
    offset_msg_id: str
    topic: str
    queue_id: int
    queue_offset: int
    status: str


@dataclass(frozen=True, slots=True)
class SendGaveUp(Event):
    """``send()`` raised to the application."""

    producer: str
    msg_id: str
    error: str


# -- broker ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MessageStored(Event):
    """A copy was appended to a queue's log. ``topic``/``queue_id`` say where it is
    stored (a ``%RETRY%``/``%DLQ%`` topic for copies made by a consumer retry);
    ``real_topic`` is the business topic."""

    topic: str
    queue_id: int
    queue_offset: int
    msg_id: str
    offset_msg_id: str
    real_topic: str
    keys: tuple[str, ...]
    reconsume_times: int


@dataclass(frozen=True, slots=True)
class MessageSentBack(Event):
    """The broker took a failed message back for a later retry (delay level ``delay_level``
    means the retry copy appears at ``due_ms``)."""

    group: str
    msg_id: str
    offset_msg_id: str
    reconsume_times: int
    delay_level: int
    due_ms: int


@dataclass(frozen=True, slots=True)
class MessageDeadLettered(Event):
    group: str
    msg_id: str
    offset_msg_id: str
    reconsume_times: int
    dlq_topic: str


@dataclass(frozen=True, slots=True)
class OffsetPersisted(Event):
    """The broker's offset table took a consumer offset (``via``: pull, timer, rebalance,
    shutdown)."""

    group: str
    topic: str
    queue_id: int
    offset: int
    via: str
    client: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OffsetReset(Event):
    """An operator reset the group's committed offset of one queue to the first message
    stored at or after ``timestamp_ms`` (``mqadmin resetOffsetByTime``), replacing
    ``previous`` (-1: none). Clients learn of it at their next pull of the queue."""

    group: str
    topic: str
    queue_id: int
    offset: int
    previous: int
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class QueueLocked(Event):
    """The broker granted an orderly lock on a queue to a client."""

    group: str
    client: str
    topic: str
    queue_id: int


@dataclass(frozen=True, slots=True)
class QueueUnlocked(Event):
    group: str
    client: str
    topic: str
    queue_id: int


# -- consumer ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ConsumerStarted(Event):
    client: str
    group: str
    topics: tuple[str, ...]
    model: str
    orderly: bool
    restart: bool


@dataclass(frozen=True, slots=True)
class ConsumerCrashed(Event):
    """The process died: nothing was persisted, running handlers stopped where they were."""

    client: str
    group: str
    point: str


@dataclass(frozen=True, slots=True)
class ConsumerShutdown(Event):
    """Graceful shutdown: handlers interrupted, offsets persisted (oneway), unregistered."""

    client: str
    group: str


@dataclass(frozen=True, slots=True)
class Rebalanced(Event):
    client: str
    group: str
    topic: str
    before: tuple[int, ...]
    after: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class MessagesPulled(Event):
    """A pull brought ``count`` messages from ``first_offset`` into the process queue."""

    client: str
    group: str
    topic: str
    queue_id: int
    first_offset: int
    count: int


@dataclass(frozen=True, slots=True)
class PullFailed(Event):
    client: str
    group: str
    topic: str
    queue_id: int
    error: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PullOffsetMoved(Event):
    """A pull from ``pull_offset`` was answered ``PULL_OFFSET_MOVED`` (the queue was reset):
    the client dropped the queue, and pulls it again from ``offset`` after a rebalance."""

    client: str
    group: str
    topic: str
    queue_id: int
    pull_offset: int
    offset: int


@dataclass(frozen=True, slots=True)
class MessageDelivered(Event):
    """The listener was called with this copy."""

    client: str
    group: str
    topic: str
    queue_id: int
    queue_offset: int
    msg_id: str
    offset_msg_id: str
    real_topic: str
    keys: tuple[str, ...]
    reconsume_times: int


@dataclass(frozen=True, slots=True)
class MessageConsumed(Event):
    """The listener finished: ``status`` as RocketMQ reads it; ``note`` explains an
    exception, a ``None`` or a value that is not a status."""

    client: str
    group: str
    msg_id: str
    offset_msg_id: str
    status: str
    note: str


@dataclass(frozen=True, slots=True)
class ConsumeResultDiscarded(Event):
    """The listener finished but its queue was dropped meanwhile (rebalance): no offset
    update, no send-back."""

    client: str
    group: str
    msg_id: str
    offset_msg_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ConsumeTimedOut(Event):
    """``cleanExpireMsg`` found the head message running past ``consumeTimeout`` and sent
    it back; the running attempt goes on."""

    client: str
    group: str
    msg_id: str
    offset_msg_id: str
    started_ms: int


@dataclass(frozen=True, slots=True)
class RetriedLocally(Event):
    """The message will be consumed again by this client after ``delay_ms`` (a failed
    send-back, or an orderly suspend)."""

    client: str
    group: str
    msg_id: str
    reconsume_times: int
    delay_ms: int
    reason: str


@dataclass(frozen=True, slots=True)
class OffsetCommittedLocally(Event):
    """The client's offset table moved (not yet on the broker)."""

    client: str
    group: str
    topic: str
    queue_id: int
    offset: int


# -- application effects --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AppEvent(Event):
    """Something an application system did (payment, order, coupon, a database).

    ``action`` is a key of the narration catalog and ``args`` its named values, so the
    same event can be told in English or in Chinese.
    """

    system: str
    action: str
    args: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class EffectExpected(Event):
    """The application says ``key`` should have exactly one effect in ``ledger``."""

    ledger: str
    key: str


@dataclass(frozen=True, slots=True)
class EffectApplied(Event):
    """The application did something with a side effect (``minimq.effects``)."""

    ledger: str
    key: str
    by: str
    note: str
