"""What the broker did: stored copies, send-backs and dead letters, the offset table,
the members of consumer groups and orderly locks.
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
    (``store="broker"``, clustering; ``store="slave"`` when the broker is a slave, which
    takes a consumer's offset updates while its master is out of the route) or in the
    client's own offsets file (``store="local"``, broadcasting's ``LocalFileOffsetStore``). ``via`` says what sent
    it: ``pull``, ``timer`` (every 5 s; ``timer <ms>`` for a consumer's own
    ``persist_interval_ms``), ``rebalance``, ``shutdown`` or ``offset moved``."""

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
class ConsumerRegistered(Event):
    """A heartbeat came through a connection new to ``group``: the process ``client`` is a
    member, listed under ``client_id``. ``members`` are the group's client ids now, sorted,
    one per connection (an id two processes share is listed twice); ``notified`` members
    were told to rebalance (``NOTIFY_CONSUMER_IDS_CHANGED``; none in broadcasting)."""

    group: str
    client: str
    client_id: str
    members: tuple[str, ...]
    notified: int


@record
class ConsumerUnregistered(Event):
    """The member ``client_id`` (process ``client``) left ``group``: ``via`` is
    ``unregister`` (a graceful shutdown), ``channel closed`` (the process died) or
    ``channel expired`` (120 s without a heartbeat). ``members`` and ``notified`` as in
    ``ConsumerRegistered``."""

    group: str
    client: str
    client_id: str
    via: str
    members: tuple[str, ...]
    notified: int


@record
class QueueLocked(Event):
    """The broker granted an orderly lock on a queue to a client (by client id)."""

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
