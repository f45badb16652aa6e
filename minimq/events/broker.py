"""What the broker did: stored copies, send-backs and dead letters, the offset table
and orderly locks.
"""

from __future__ import annotations

from minimq.events.base import Event
from minimq.records import record


@record
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


@record
class MessageSentBack(Event):
    """The broker took a failed message back for a later retry (delay level ``delay_level``
    means the retry copy appears at ``due_ms``)."""

    group: str
    msg_id: str
    offset_msg_id: str
    reconsume_times: int
    delay_level: int
    due_ms: int


@record
class MessageDeadLettered(Event):
    group: str
    msg_id: str
    offset_msg_id: str
    reconsume_times: int
    dlq_topic: str


@record
class OffsetPersisted(Event):
    """A consumer offset was persisted: in the broker's ``ConsumerOffsetTable``
    (``store="broker"``, clustering) or in the client's own offsets file
    (``store="local"``, broadcasting's ``LocalFileOffsetStore``). ``via`` says what sent
    it: ``pull``, ``timer``, ``rebalance``, ``shutdown`` or ``offset moved``."""

    group: str
    topic: str
    queue_id: int
    offset: int
    via: str
    client: str
    store: str


@record
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


@record
class QueueLocked(Event):
    """The broker granted an orderly lock on a queue to a client."""

    group: str
    client: str
    topic: str
    queue_id: int


@record
class QueueUnlocked(Event):
    group: str
    client: str
    topic: str
    queue_id: int
