"""Values that cross the public API: messages, queues, send results, consume statuses.

Owns: ``Message`` (what an application builds and sends), ``MessageExt`` (a stored copy,
as the broker keeps it and a listener receives it), ``MessageQueue``, ``SendResult`` and
the status enums. Mirrors RocketMQ's ``Message``, ``MessageExt``/``MessageClientExt``,
``MessageQueue``, ``SendResult``, ``ConsumeConcurrentlyStatus`` and
``ConsumeOrderlyStatus``.

The two ids (lesson 2 turns on them):
- ``msg_id`` is the client's UNIQ_KEY. The producer writes it into the ``Message`` object
  the first time that object is sent and never changes it, so every internal retry and
  every re-send of the *same object* carries the same id; a *new* object gets a new id.
  Consumer retries copy it too.
- ``offset_msg_id`` is the broker's id of one stored copy (store host + commit-log
  offset). Every stored copy gets its own.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple

from minimq.records import record

MAX_VIRTUAL_MS = 100_000_000_000
"""The latest virtual time a world can reach: 10**11 ms, about 3 years and 2 months.

asyncio counts time in float seconds and finds a timer due when it lies within the loop's
clock resolution (0.1 µs) of now; from about 2**39 ms on, one step of a float is wider
than that, a due timer is never found due and the loop would spin. So the clock stops
well before: a timer past this limit is refused (``ClockOverflow``), and a trace event
stamped later is not a trace a world can write."""


class SendStatus(enum.StrEnum):
    """RocketMQ ``SendStatus``; minimq's single-broker, async-flush store always answers
    ``SEND_OK`` (the other statuses need SYNC_FLUSH or SYNC_MASTER)."""

    SEND_OK = "SEND_OK"
    FLUSH_DISK_TIMEOUT = "FLUSH_DISK_TIMEOUT"
    FLUSH_SLAVE_TIMEOUT = "FLUSH_SLAVE_TIMEOUT"
    SLAVE_NOT_AVAILABLE = "SLAVE_NOT_AVAILABLE"


class ConsumeStatus(enum.StrEnum):
    """What a concurrent listener returns (RocketMQ ``ConsumeConcurrentlyStatus``).

    An exception, ``None`` or any other value counts as ``RECONSUME_LATER``.
    """

    SUCCESS = "CONSUME_SUCCESS"
    RECONSUME_LATER = "RECONSUME_LATER"


class OrderlyStatus(enum.StrEnum):
    """What an orderly listener returns (RocketMQ ``ConsumeOrderlyStatus``).

    An exception, ``None`` or any other value counts as ``SUSPEND_CURRENT_QUEUE_A_MOMENT``.
    """

    SUCCESS = "SUCCESS"
    SUSPEND_CURRENT_QUEUE_A_MOMENT = "SUSPEND_CURRENT_QUEUE_A_MOMENT"


class MessageModel(enum.StrEnum):
    """RocketMQ ``MessageModel``: share the queues of a group, or give everyone all."""

    CLUSTERING = "CLUSTERING"
    BROADCASTING = "BROADCASTING"


class MessageQueue(NamedTuple):
    """One queue of a topic (RocketMQ ``MessageQueue``); minimq has one broker.

    A named tuple (immutable, ordered by topic then queue id): it is the key of every
    per-queue table, so hashing and comparing it cost no Python code."""

    topic: str
    queue_id: int

    def __str__(self) -> str:
        return f"{self.topic}#{self.queue_id}"


@dataclass(slots=True)
class Message:
    """A message an application builds (RocketMQ ``Message``).

    ``keys`` are business keys (RocketMQ indexes each one for query by key); ``tags`` is a
    single tag, stored with every copy (minimq does not filter by tag yet). ``msg_id``
    stays ``None`` until the first send.
    """

    topic: str
    body: bytes
    tags: str | None = None
    keys: tuple[str, ...] = ()
    properties: dict[str, str] = field(default_factory=dict)
    msg_id: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.keys, str):
            self.keys = tuple(k for k in self.keys.split(" ") if k)
        else:
            self.keys = tuple(self.keys)


@record
class MessageExt:
    """One stored copy of a message, as the broker keeps it and a listener receives it.

    ``topic`` is the business topic the listener sees; ``queue`` is where this copy is
    stored (a ``%RETRY%<group>`` queue for a consumer retry, which RocketMQ's
    ``resetRetryAndNamespace`` hides from the listener the same way).
    """

    topic: str
    queue: MessageQueue
    queue_offset: int
    body: bytes
    tags: str | None
    keys: tuple[str, ...]
    properties: tuple[tuple[str, str], ...]
    msg_id: str
    offset_msg_id: str
    born_ms: int
    store_ms: int
    reconsume_times: int = 0
    origin_msg_id: str | None = None

    @property
    def queue_id(self) -> int:
        return self.queue.queue_id

    def property(self, name: str, default: str | None = None) -> str | None:
        """A user property by name."""
        for key, value in self.properties:
            if key == name:
                return value
        return default


@dataclass(frozen=True, slots=True)
class SendResult:
    """What a successful ``send()`` returns (RocketMQ ``SendResult``)."""

    status: SendStatus
    msg_id: str
    offset_msg_id: str
    queue: MessageQueue
    queue_offset: int


class LocalTransactionState(enum.StrEnum):
    """What a local transaction or a check listener answers (RocketMQ
    ``LocalTransactionState``, spelling kept): commit the half message, roll it back, or
    not known yet (the broker will check back). An exception, ``None`` or any other value
    counts as ``UNKNOW``."""

    COMMIT_MESSAGE = "COMMIT_MESSAGE"
    ROLLBACK_MESSAGE = "ROLLBACK_MESSAGE"
    UNKNOW = "UNKNOW"


@dataclass(frozen=True, slots=True)
class TransactionSendResult(SendResult):
    """What ``send_in_transaction()`` returns (RocketMQ ``TransactionSendResult``): the
    half message's send result and what the local transaction answered.
    ``queue_offset`` is the half message's offset in ``RMQ_SYS_TRANS_HALF_TOPIC``."""

    local_state: LocalTransactionState
