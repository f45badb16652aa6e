"""Delayed retry copies: ``SCHEDULE_TOPIC_XXXX`` and the delivered-up-to offset per level.

Mirrors RocketMQ 5.x ``ScheduleMessageService`` (broker) and the way a delayed message is
stored (``HookUtils.transformDelayLevelMessage``); tests/test_consumer_retry.py and
tests/test_broker_crash.py run it, lesson 14 (broker-crash) shows its replay (#3473).
Rules:
- A retry copy the broker schedules (``minimq.core.send_back`` ``Retry``) is first written
  to ``SCHEDULE_TOPIC_XXXX``, queue ``delay level - 1`` (a level above 18 is 18), with
  its deliver time (the consume queue's tags code: store time + the level's delay).
- Each level's queue is delivered in order from the level's offset (``offsetTable``):
  the copy at the offset, once due, is stored in its real topic (``%RETRY%<group>``) and
  the offset moves past it. Copies of one level come due in the order they were written.
- The offsets are flushed every 10 s, the first time 10 s after start
  (``flushDelayOffsetInterval``, ``minimq.core.flush``); a graceful shutdown writes them
  too (PR #3478), a crash does not. A restarted broker loads the flushed offsets, each
  put back inside its queue (``correctDelayOffset``), and 1 s later (``FIRST_DELAY_TIME``)
  delivers every copy due by then: those delivered since the last flush are stored in
  ``%RETRY%<group>`` once more, same msg id, same reconsume times (apache/rocketmq#3473).

Simplifications: a copy is delivered at exactly its due millisecond (Java's task looks
at each level every 100 ms, ``DELAY_FOR_A_WHILE``); a schedule copy is no message of the
store (it takes no commit-log space and is not counted in ``stored``), though its write
is in the commit log's order, so an OS crash can lose it (``write``).
"""

from __future__ import annotations

from minimq.core import delay
from minimq.core.send_back import Copy
from minimq.records import record

SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX"  # TopicValidator.RMQ_SYS_SCHEDULE_TOPIC
FIRST_DELAY_MS = 1000  # ScheduleMessageService.FIRST_DELAY_TIME


@record
class Scheduled:
    """A retry copy waiting in level ``level``'s queue at ``offset`` until ``due_ms``;
    ``write`` is its place in the commit log's write order."""

    copy: Copy
    level: int
    offset: int
    due_ms: int
    write: int


def queue_level(delay_level: int) -> int:
    """The level whose queue a copy with ``delay_level`` waits in (18 at most)."""
    return min(delay_level, delay.MAX_DELAY_LEVEL)


class ScheduleTopic:
    """The 18 queues of ``SCHEDULE_TOPIC_XXXX`` and the delivered-up-to offset of each."""

    def __init__(self) -> None:
        self._queues: dict[int, list[Scheduled]] = {}  # level -> its consume queue
        self.offsets: dict[int, int] = {}  # level -> the next offset to deliver (offsetTable)
        self.flushed: dict[int, int] = {}  # the offsets as last written to disk

    def put(self, copy: Copy, delay_level: int, due_ms: int, write: int) -> Scheduled:
        level = queue_level(delay_level)
        queue = self._queues.setdefault(level, [])
        entry = Scheduled(copy=copy, level=level, offset=len(queue), due_ms=due_ms, write=write)
        queue.append(entry)
        self.offsets.setdefault(level, 0)
        return entry

    def next_due(self, level: int, now_ms: int) -> Scheduled | None:
        """The copy at ``level``'s offset if it is due by ``now_ms``."""
        queue = self._queues.get(level, [])
        offset = self.offsets.get(level, 0)
        if offset < len(queue) and queue[offset].due_ms <= now_ms:
            return queue[offset]
        return None

    def delivered(self, entry: Scheduled) -> None:
        """``updateOffset``: the level's offset moves past ``entry``."""
        self.offsets[entry.level] = entry.offset + 1

    def waiting(self, level: int | None = None) -> list[Scheduled]:
        """The copies not delivered yet (of ``level``, or of every level), in order."""
        levels = sorted(self._queues) if level is None else [level]
        return [e for lv in levels for e in self._queues.get(lv, [])[self.offsets.get(lv, 0) :]]

    def pending(self) -> int:
        """How many copies wait for delivery, over every level."""
        return sum(len(q) - self.offsets.get(level, 0) for level, q in self._queues.items())

    def flush(self) -> None:
        """``persist``: write the offsets to disk."""
        self.flushed = dict(self.offsets)

    def truncate(self, writes: int) -> int:
        """Drop the copies written at or after ``writes`` in the commit log (an OS crash
        lost them); return how many."""
        lost = 0
        for level, queue in self._queues.items():
            keep = [e for e in queue if e.write < writes]
            lost += len(queue) - len(keep)
            self._queues[level] = keep
        return lost

    def reload(self) -> list[tuple[int, int, int]]:
        """``load`` + ``correctDelayOffset`` at a restart: each level's offset becomes the
        flushed one, kept within its queue. Returns ``(level, offset, previous)`` for each
        level whose offset changed."""
        changed = []
        for level in sorted(set(self.offsets) | set(self.flushed)):
            offset = min(self.flushed.get(level, 0), len(self._queues.get(level, [])))
            if offset != self.offsets.get(level, 0):
                changed.append((level, offset, self.offsets.get(level, 0)))
            self.offsets[level] = offset
        return changed
