"""Consumer offsets on the broker, and where a consumer starts when it has none.

Mirrors RocketMQ ``ConsumerOffsetManager`` (broker) and
``RebalancePushImpl.computePullFromWhereWithException`` (client), shown in lesson 3.
Rules:
- The broker keeps one committed offset per (group, topic, queue). A committed offset is
  the **next** offset to consume, not the last one consumed.
- ``ConsumeFromWhere`` applies only when the broker has no offset for the queue:
  ``CONSUME_FROM_LAST_OFFSET`` (the default) starts at the queue's max offset, but a
  ``%RETRY%`` topic starts at 0, and the broker answers 0 instead of "not found" while
  offset 0 is still in memory (``ConsumerManageProcessor.queryConsumerOffset``). No
  message is ever evicted in minimq, so a new group always starts at 0. That answer is the
  broker's: a broadcasting consumer (``LocalFileOffsetStore``) with no offsets file starts
  at the queue's max offset.
  ``CONSUME_FROM_FIRST_OFFSET`` starts at 0.
- An administrative reset (``assignResetOffset``, RocketMQ 5.2.0 and later) sets the
  committed offset and marks the queue reset. While the mark stands, offset updates from
  clients are ignored; the next pull of the queue takes the mark away
  (``queryThenEraseResetOffset``) and is told where to restart (``minimq.runtime.admin``).
"""

from __future__ import annotations

import enum

from minimq.core.validators import RETRY_GROUP_TOPIC_PREFIX


class ConsumeFromWhere(enum.StrEnum):
    CONSUME_FROM_LAST_OFFSET = "CONSUME_FROM_LAST_OFFSET"
    CONSUME_FROM_FIRST_OFFSET = "CONSUME_FROM_FIRST_OFFSET"


class ConsumerOffsetTable:
    """The broker's committed offsets: (group, topic, queue id) -> next offset."""

    def __init__(self) -> None:
        self._table: dict[tuple[str, str, int], int] = {}
        self._resets: dict[tuple[str, str, int], int] = {}  # resetOffsetTable

    def commit(self, group: str, topic: str, queue_id: int, offset: int) -> None:
        self._table[(group, topic, queue_id)] = offset

    def update(self, group: str, topic: str, queue_id: int, offset: int) -> bool:
        """A client's offset update (``commitOffset``); False if it changed nothing or was
        ignored because the queue is marked reset (``updateConsumerOffset``)."""
        key = (group, topic, queue_id)
        if self._table.get(key) == offset or (self._resets and key in self._resets):
            return False
        self._table[key] = offset
        return True

    def query(self, group: str, topic: str, queue_id: int) -> int | None:
        return self._table.get((group, topic, queue_id))

    def snapshot(self) -> dict[tuple[str, str, int], int]:
        return dict(self._table)

    # -- administrative reset (ConsumerOffsetManager, useServerSideResetOffset=true) ---
    def assign_reset(self, group: str, topic: str, queue_id: int, offset: int) -> None:
        """``assignResetOffset``: commit ``offset`` and mark the queue reset. (Java's
        ``queryOffset`` answers the mark first; it always equals the committed offset
        here, because nothing else writes the table while the mark stands.)"""
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


def pull_from_where(
    where: ConsumeFromWhere,
    topic: str,
    broker_offset: int | None,
    max_offset: int,
    offset_zero_in_memory: bool = True,
) -> int:
    """The offset a consumer starts pulling a newly assigned queue from."""
    if broker_offset is not None and broker_offset >= 0:
        return broker_offset
    if where is ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET:
        return 0
    if topic.startswith(RETRY_GROUP_TOPIC_PREFIX) or offset_zero_in_memory:
        return 0
    return max_offset
