"""The broker's message store: per-queue append-only logs, indexes, nothing ever deleted.

Mirrors RocketMQ ``CommitLog`` + ``ConsumeQueue`` + ``IndexService`` (store module),
shown in lesson 2 (two stored copies of one order).
Rules:
- Each (topic, queue id) is an append-only log; the logical **queue offset** of an
  entry is its index 0, 1, 2, ... Consuming a message never deletes it.
- Every stored copy gets its own ``offset_msg_id``: store host plus the copy's physical
  commit-log offset, 32 hex characters, like ``MessageDecoder.createMessageId``.
- Every key in ``keys`` and the UNIQ_KEY are indexed, so copies can be found by business
  key or by msg id; a duplicated send shows up as several hits.
- A pull returns at most 32 messages (``maxTransferCountOnMessageInMemory``).
- Searching a queue by time (``getOffsetInQueueByTime``, the binary search of
  ``ConsumeQueue`` with ``BoundaryType.LOWER``, RocketMQ 5.1.1 and later) finds the
  first message stored at or after the time, clamped to the queue's [min, max] offsets.
  Messages are stored at the world's current time, so store times never decrease
  along a log.

Simplifications (named in docs/semantics.md): one broker; no file expiry (72 h
retention never comes in a simulation); no commit-log/consume-queue split, so there
is no dispatch lag; the commit-log offset grows by body length plus a fixed header.
"""

from __future__ import annotations

import bisect

from minimq.model import MessageExt, MessageQueue

STORE_HOST_HEX = "7F00000100002A9F"  # 127.0.0.1:10911, the broker's default listen port
MSG_HEADER_BYTES = 91  # fixed part of a commit-log entry, before body/topic/properties
MAX_TRANSFER_COUNT = 32


class MessageStore:
    """Topics, their queue logs and the indexes over them."""

    def __init__(self) -> None:
        self.topics: dict[str, int] = {}
        self._logs: dict[MessageQueue, list[MessageExt]] = {}
        self._routes: dict[str, tuple[MessageQueue, ...]] = {}  # built once: asked on every send
        self._by_offset_id: dict[str, MessageExt] = {}
        self._by_key: dict[str, list[MessageExt]] = {}
        self._by_msg_id: dict[str, list[MessageExt]] = {}
        self._commitlog_offset = 0

    # -- topics ------------------------------------------------------------------
    def create_topic(self, topic: str, queue_nums: int) -> bool:
        """Create ``topic`` with ``queue_nums`` queues; False if it already exists."""
        if topic in self.topics:
            return False
        self.topics[topic] = queue_nums
        self._routes[topic] = tuple(MessageQueue(topic, qid) for qid in range(queue_nums))
        for mq in self._routes[topic]:
            self._logs[mq] = []
        return True

    def queues(self, topic: str) -> list[MessageQueue]:
        return list(self._routes.get(topic, ()))

    def queue(self, topic: str, queue_id: int) -> MessageQueue:
        """The route's own ``MessageQueue`` for ``queue_id`` (shared, not built per message)."""
        return self._routes[topic][queue_id]

    # -- writing -----------------------------------------------------------------
    def next_offset_msg_id(self, body_len: int) -> str:
        """Reserve commit-log space for one entry and return its ``offset_msg_id``."""
        offset = self._commitlog_offset
        self._commitlog_offset += MSG_HEADER_BYTES + body_len
        return f"{STORE_HOST_HEX}{offset:016X}"

    def append(self, msg: MessageExt) -> MessageExt:
        """Append ``msg`` (whose ``queue_offset`` must be the log's next) and index it."""
        log = self._logs[msg.queue]
        if msg.queue_offset != len(log):
            raise ValueError(f"queue offset {msg.queue_offset} is not the next of {msg.queue}")
        log.append(msg)
        self._by_offset_id[msg.offset_msg_id] = msg
        self._by_msg_id.setdefault(msg.msg_id, []).append(msg)
        for key in msg.keys:
            self._by_key.setdefault(key, []).append(msg)
        return msg

    # -- reading -----------------------------------------------------------------
    def max_offset(self, queue: MessageQueue) -> int:
        """The offset the next stored message will get (RocketMQ ``maxOffset``)."""
        return len(self._logs[queue])

    def get(self, queue: MessageQueue, offset: int, max_nums: int = MAX_TRANSFER_COUNT) -> list[MessageExt]:
        log = self._logs[queue]
        return log[offset : offset + min(max_nums, MAX_TRANSFER_COUNT)]

    def offset_in_queue_by_time(self, queue: MessageQueue, timestamp_ms: int) -> int:
        """The offset of the first message of ``queue`` stored at or after ``timestamp_ms``.

        Every message older: ``max_offset`` (nothing to re-read). Every message newer,
        or none stored: 0, the min offset (nothing is ever deleted). Several stored in
        the same millisecond: the first of them. RocketMQ 5.1.0 and earlier picked the
        message stored *nearest* to the time instead (docs/semantics.md, section 13)."""
        return bisect.bisect_left(self._logs[queue], timestamp_ms, key=_store_ms)

    def log(self, queue: MessageQueue) -> list[MessageExt]:
        """A copy of the whole log of ``queue``."""
        return list(self._logs[queue])

    def look_up(self, offset_msg_id: str) -> MessageExt | None:
        return self._by_offset_id.get(offset_msg_id)

    def query_by_key(self, topic: str, key: str, max_num: int = 32) -> list[MessageExt]:
        """Copies stored in ``topic`` whose keys include ``key`` (``queryMessage``). The index
        key is the topic a copy is stored in, so retry copies are found under
        ``%RETRY%<group>``, not under the business topic."""
        hits = [m for m in self._by_key.get(key, ()) if m.queue.topic == topic]
        return hits[:max_num]

    def query_by_msg_id(self, msg_id: str) -> list[MessageExt]:
        """Every stored copy carrying this UNIQ_KEY, oldest first."""
        return list(self._by_msg_id.get(msg_id, ()))

    def message_count(self) -> int:
        return len(self._by_offset_id)


def _store_ms(msg: MessageExt) -> int:
    return msg.store_ms
