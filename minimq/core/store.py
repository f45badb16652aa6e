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
- Every write goes to one commit log, in write order: the copies of every queue, and the
  delayed retry copies kept in ``SCHEDULE_TOPIC_XXXX`` (``minimq.core.schedule``). An OS
  crash cuts the log back to what was flushed (``truncate``, path P13): the copies written
  since are gone from their queues, whose max offsets go back, and the next copies reuse
  those queue offsets and commit-log offsets (``recoverAbnormally``).
- A message is "in memory" while the commit log written after it fits in the page cache
  RocketMQ lets a read count on (``accessMessageInMemoryMaxRatio`` = 40 % of the host's
  memory): the broker's answer to a new group depends on it (``minimq.core.offsets``).

Simplifications (named in docs/semantics.md): one broker; no file expiry (72 h
retention never comes in a simulation); no commit-log/consume-queue split, so there
is no dispatch lag; the commit-log offset grows by body length plus a fixed header; a
schedule copy takes no commit-log space (so the offset msg ids of the other copies are
those of a store without one); "in memory" counts the bytes written since (RocketMQ
4.x's ``checkInDiskByCommitOffset``; 5.x asks the OS whether the page is resident), on a
host of ``HOST_MEMORY_BYTES``.
"""

from __future__ import annotations

import bisect

from minimq.model import MessageExt, MessageQueue

STORE_HOST_HEX = "7F00000100002A9F"  # 127.0.0.1:10911, the broker's default listen port
MSG_HEADER_BYTES = 91  # fixed part of a commit-log entry, before body/topic/properties
MAX_TRANSFER_COUNT = 32
HOST_MEMORY_BYTES = 8 * 1024**3  # StoreUtil.TOTAL_PHYSICAL_MEMORY_SIZE of the simulated broker host
ACCESS_MESSAGE_IN_MEMORY_MAX_RATIO = 40  # MessageStoreConfig.accessMessageInMemoryMaxRatio (%)


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
        self._writes: list[MessageExt | None] = []  # the commit log in write order; None: a schedule copy
        # the page cache a read may count on: a test shrinks it to push offset 0 out of memory
        self.memory_bytes = HOST_MEMORY_BYTES * ACCESS_MESSAGE_IN_MEMORY_MAX_RATIO // 100

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
        self._writes.append(msg)
        self._by_offset_id[msg.offset_msg_id] = msg
        self._by_msg_id.setdefault(msg.msg_id, []).append(msg)
        for key in msg.keys:
            self._by_key.setdefault(key, []).append(msg)
        return msg

    def write_elsewhere(self) -> int:
        """Note a commit-log write kept outside the queue logs (a schedule copy); return
        its place in the write order."""
        self._writes.append(None)
        return len(self._writes) - 1

    @property
    def writes(self) -> int:
        """Entries written to the commit log so far."""
        return len(self._writes)

    @property
    def position(self) -> int:
        """The commit log's write position in bytes (RocketMQ ``getMaxPhyOffset``)."""
        return self._commitlog_offset

    def truncate(self, writes: int, position: int) -> list[MessageExt]:
        """Cut the commit log back to its first ``writes`` entries (``position`` bytes):
        the copies written later leave their queues and indexes. Returns them, oldest
        first (an OS crash lost them: ``recoverAbnormally``)."""
        lost = [m for m in self._writes[writes:] if m is not None]
        del self._writes[writes:]
        for msg in reversed(lost):
            self._logs[msg.queue].pop()
            del self._by_offset_id[msg.offset_msg_id]
            self._by_msg_id[msg.msg_id].remove(msg)
            if not self._by_msg_id[msg.msg_id]:
                del self._by_msg_id[msg.msg_id]
            for key in msg.keys:
                self._by_key[key].remove(msg)
                if not self._by_key[key]:
                    del self._by_key[key]
        self._commitlog_offset = position
        return lost

    def replicate(self, source: MessageStore, upto: int) -> list[MessageExt]:
        """A slave's copy of ``source``'s commit log (HA): take ``source``'s entries from this
        store's end up to its ``upto``-th write, in write order, at the same queue offsets
        and commit-log positions (topics first: a slave knows its master's topics). Returns
        the copies it took."""
        for topic, queue_nums in source.topics.items():
            self.create_topic(topic, queue_nums)
        copied: list[MessageExt] = []
        for entry in source._writes[len(self._writes) : upto]:
            if entry is None:
                self.write_elsewhere()
                continue
            self.append(entry)
            self._commitlog_offset = commit_log_offset(entry) + MSG_HEADER_BYTES + len(entry.body)
            copied.append(entry)
        return copied

    def copies_after(self, writes: int) -> int:
        """How many stored copies (not schedule copies) the commit log holds past its first
        ``writes`` entries: what a slave that copied ``writes`` entries still lacks."""
        return sum(1 for entry in self._writes[writes:] if entry is not None)

    # -- reading -----------------------------------------------------------------
    def in_memory(self, queue: MessageQueue, offset: int) -> bool:
        """Whether the copy at ``offset`` of ``queue`` is still in the page cache
        (``checkInMemByConsumeOffset``): False when there is none."""
        log = self._logs[queue]
        if not 0 <= offset < len(log):
            return False
        return self._commitlog_offset - commit_log_offset(log[offset]) <= self.memory_bytes

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


def commit_log_offset(msg: MessageExt) -> int:
    """The physical offset of a stored copy, read back from its offset msg id."""
    return int(msg.offset_msg_id[len(STORE_HOST_HEX) :], 16)


def _store_ms(msg: MessageExt) -> int:
    return msg.store_ms
