"""Consumer offsets on the broker, and where a consumer starts when it has none.

Mirrors RocketMQ ``ConsumerOffsetManager`` (broker) and
``RebalancePushImpl.computePullFromWhereWithException`` (client), shown in lesson 3.
Rules:
- The broker keeps one committed offset per (group, topic, queue). A committed offset is
  the **next** offset to consume, not the last one consumed.
- ``ConsumeFromWhere`` applies only when the broker has no offset for the queue, and the
  broker answers 0 instead of "not found" while offset 0 is still in memory
  (``ConsumerManageProcessor.queryConsumerOffset``, whatever the consumer's setting):
  with minimq's page cache (``minimq.core.store``) a new group on a queue holding a
  message always starts at 0 (path P15). That answer is the broker's: a broadcasting
  consumer (``LocalFileOffsetStore``) with no offsets file does not ask it.
  Otherwise ``CONSUME_FROM_LAST_OFFSET`` (the default) starts at the queue's max offset,
  a ``%RETRY%`` topic at 0; ``CONSUME_FROM_FIRST_OFFSET`` at 0;
  ``CONSUME_FROM_TIMESTAMP`` at the first message stored at or after the consumer's
  ``consumeTimestamp`` (``searchOffset``; by default 30 minutes before the consumer was
  made), a ``%RETRY%`` topic at its max offset.
- An administrative reset (``assignResetOffset``, RocketMQ 5.2.0 and later) sets the
  committed offset and marks the queue reset. While the mark stands, offset updates from
  clients are ignored; the next pull of the queue takes the mark away
  (``queryThenEraseResetOffset``) and is told where to restart (``minimq.runtime.admin``).
- The table is written to disk every 5 s, the first time 10 s after the broker starts
  (``flush``, timed by ``minimq.core.flush``). A restarted broker loads what was written
  last (``reload``): the offsets committed since are gone, and so are the reset marks,
  which are never written (path P13).
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from minimq.core.validators import RETRY_GROUP_TOPIC_PREFIX


class ConsumeFromWhere(enum.StrEnum):
    CONSUME_FROM_LAST_OFFSET = "CONSUME_FROM_LAST_OFFSET"
    CONSUME_FROM_FIRST_OFFSET = "CONSUME_FROM_FIRST_OFFSET"
    CONSUME_FROM_TIMESTAMP = "CONSUME_FROM_TIMESTAMP"


CONSUME_TIMESTAMP_BEFORE_MS = 30 * 60 * 1000  # DefaultMQPushConsumer.consumeTimestamp: now - 30 min


class ConsumerOffsetTable:
    """The broker's committed offsets: (group, topic, queue id) -> next offset."""

    def __init__(self, before_change: Callable[[], None] = lambda: None) -> None:
        self._table: dict[tuple[str, str, int], int] = {}
        self._resets: dict[tuple[str, str, int], int] = {}  # resetOffsetTable
        self.flushed: dict[tuple[str, str, int], int] = {}  # the table as last written to disk
        # called before the table changes: the broker takes the flushes due by now first
        # (``minimq.core.flush``); an update that changes nothing does not call it
        self._before_change = before_change

    def commit(self, group: str, topic: str, queue_id: int, offset: int) -> None:
        self._before_change()
        self._table[(group, topic, queue_id)] = offset

    def update(self, group: str, topic: str, queue_id: int, offset: int) -> bool:
        """A client's offset update (``commitOffset``); False if it changed nothing or was
        ignored because the queue is marked reset (``updateConsumerOffset``)."""
        key = (group, topic, queue_id)
        if self._table.get(key) == offset or (self._resets and key in self._resets):
            return False
        self._before_change()
        self._table[key] = offset
        return True

    def query(self, group: str, topic: str, queue_id: int) -> int | None:
        return self._table.get((group, topic, queue_id))

    def snapshot(self) -> dict[tuple[str, str, int], int]:
        return dict(self._table)

    # -- the disk (ConsumerOffsetManager.persist / load) -------------------------------
    def flush(self) -> None:
        """``persist``: write the offset table (not the reset marks) to disk."""
        self.flushed = dict(self._table)

    def reload(self) -> list[tuple[tuple[str, str, int], int | None, int | None]]:
        """``load`` at a restart: the table becomes what was written last, without reset
        marks. Returns ``(key, offset, previous)`` for each entry it changed (None: no
        offset), in key order."""
        changed = [
            (key, self.flushed.get(key), self._table.get(key))
            for key in sorted(set(self._table) | set(self.flushed))
            if self.flushed.get(key) != self._table.get(key)
        ]
        self._table = dict(self.flushed)
        self._resets = {}
        return changed

    # -- administrative reset (ConsumerOffsetManager, useServerSideResetOffset=true) ---
    def assign_reset(self, group: str, topic: str, queue_id: int, offset: int) -> None:
        """``assignResetOffset``: commit ``offset`` and mark the queue reset. (Java's
        ``queryOffset`` answers the mark first; it always equals the committed offset
        here, because nothing else writes the table while the mark stands.)"""
        self._before_change()
        self._resets[(group, topic, queue_id)] = offset
        self._table[(group, topic, queue_id)] = offset

    def reset_pending(self, group: str, topic: str, queue_id: int) -> bool:
        """Whether the queue is marked reset and no pull has taken the mark yet."""
        return bool(self._resets) and (group, topic, queue_id) in self._resets

    def take_reset(self, group: str, topic: str, queue_id: int) -> int | None:
        """``queryThenEraseResetOffset``: the reset offset of the queue, once."""
        if not self._resets:  # every pull asks: keep the common case one test
            return None
        return self._resets.pop((group, topic, queue_id), None)


def needs_search(where: ConsumeFromWhere, topic: str, broker_offset: int | None) -> bool:
    """Whether the start needs the broker to search the queue by time (``searchOffset``)."""
    no_offset = broker_offset is None or broker_offset < 0
    timestamp = where is ConsumeFromWhere.CONSUME_FROM_TIMESTAMP
    return no_offset and timestamp and not topic.startswith(RETRY_GROUP_TOPIC_PREFIX)


def pull_from_where(
    where: ConsumeFromWhere,
    topic: str,
    broker_offset: int | None,
    max_offset: int,
    offset_zero_in_memory: bool = True,
    searched: int | None = None,
) -> int:
    """The offset a consumer starts pulling a newly assigned queue from
    (``computePullFromWhereWithException``). ``offset_zero_in_memory``: the broker would
    answer 0 for a queue it has no offset of (pass False when ``broker_offset`` is
    already that answer); ``searched``: the offset of the first message stored at or
    after the consumer's timestamp, when ``needs_search``."""
    if broker_offset is not None and broker_offset >= 0:
        return broker_offset
    retry = topic.startswith(RETRY_GROUP_TOPIC_PREFIX)
    match where:
        case ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET:
            return 0
        case _ if offset_zero_in_memory:
            return 0
        case ConsumeFromWhere.CONSUME_FROM_TIMESTAMP if retry:
            return max_offset
        case ConsumeFromWhere.CONSUME_FROM_TIMESTAMP:
            if searched is None:
                raise ValueError(f"CONSUME_FROM_TIMESTAMP needs the searched offset of {topic}")
            return searched
        case _:
            return 0 if retry else max_offset
