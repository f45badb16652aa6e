"""Values that cross the public API: messages, queues, send results, consume statuses.

Owns: ``Message`` (what an application builds and sends), ``MessageExt`` (a stored copy,
as the broker keeps it and a listener receives it), ``MessageQueue``, ``SendResult`` and
the status enums, and the contexts a batch listener gets next to its messages. Mirrors
RocketMQ's ``Message``, ``MessageExt``/``MessageClientExt``, ``MessageQueue``,
``SendResult``, ``ConsumeConcurrentlyStatus``, ``ConsumeOrderlyStatus``,
``ConsumeConcurrentlyContext`` and ``ConsumeOrderlyContext``.

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

from minimq.errors import ValidationError
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


ACK_INDEX_ALL = 2**31 - 1  # ConsumeConcurrentlyContext.ackIndex = Integer.MAX_VALUE


class ConsumeConcurrentlyContext:
    """What a concurrent batch listener (``batch=True``) gets next to its messages
    (RocketMQ ``ConsumeConcurrentlyContext``): the queue they came from, and ``ack_index``.

    ``ack_index`` starts at ``Integer.MAX_VALUE``: the whole batch. A listener that
    returns ``CONSUME_SUCCESS`` after setting it to k acknowledges messages 0..k only; the
    ones after k count as failed (clustering: sent back; broadcasting: dropped). On
    ``RECONSUME_LATER`` it is ignored and the whole batch counts as failed
    (``minimq.core.consume_batch``). Set it to -1 to fail the batch with a success.
    ``delayLevelWhenNextConsume`` is not modelled (always 0: the broker decides)."""

    __slots__ = ("_ack_index", "message_queue")

    def __init__(self, message_queue: MessageQueue) -> None:
        self.message_queue = message_queue
        self._ack_index = ACK_INDEX_ALL

    @property
    def ack_index(self) -> int:
        return self._ack_index

    @ack_index.setter
    def ack_index(self, value: int) -> None:
        # Java takes any int; below -1 its processConsumeResult throws on msgs.get(-2) and
        # the batch is never finished. minimq refuses it where it is set, in the listener.
        if isinstance(value, bool) or not isinstance(value, int) or value < -1:
            raise ValidationError("ack_index must be an int: -1 (nothing acknowledged) or more", value)
        self._ack_index = value

    def __repr__(self) -> str:
        return f"ConsumeConcurrentlyContext(message_queue={self.message_queue!r}, ack_index={self._ack_index})"


class ConsumeOrderlyContext:
    """What an orderly batch listener (``batch=True``) gets next to its messages (RocketMQ
    ``ConsumeOrderlyContext``): the queue they came from. A batch succeeds or fails as a
    whole. ``autoCommit`` is always true and ``suspendCurrentQueueTimeMillis`` is the
    consumer's (``suspend_ms``): neither is settable here."""

    __slots__ = ("message_queue",)

    def __init__(self, message_queue: MessageQueue) -> None:
        self.message_queue = message_queue

    def __repr__(self) -> str:
        return f"ConsumeOrderlyContext(message_queue={self.message_queue!r})"


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
