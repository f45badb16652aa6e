"""When the broker's state reaches its disk: the flushes a crash goes back to (path P13).

Mirrors three RocketMQ 5.x broker services, with their defaults; tests/test_broker_crash.py
runs them end to end and lesson 14 (broker-crash) shows what they leave behind.
- **Consumer offsets** (``ConsumerOffsetManager.persist``, scheduled in
  ``BrokerController.initializeBrokerScheduledTasks``): the whole table is written every
  ``flushConsumerOffsetInterval`` = 5000 ms, the first time 10 s after the broker starts.
- **Delay progress** (``ScheduleMessageService.persist``, scheduled in its ``start``): the
  delivered-up-to offset of each delay level is written every ``flushDelayOffsetInterval``
  = 10 000 ms, the first time 10 s after start.
- **The commit log** (``CommitLog.FlushRealTimeService``, ``flushDiskType =
  ASYNC_FLUSH``): a write is acknowledged once it is in the page cache. Each write wakes
  the flush service, which forces the file to disk once at least
  ``flushCommitLogLeastPages`` = 4 pages of 4 KiB are dirty, and forces everything
  written every ``flushCommitLogThoroughInterval`` = 10 000 ms. A process crash keeps the
  page cache; an OS crash or a power loss drops what was not forced yet.

No timer runs for these (a world with nothing left to do must still stop): a flush is
taken lazily. Before its state changes at ``now_ms``, the owner asks ``catch_up(now_ms)``;
when a flush time has passed since the last one taken, the state as it stands (unchanged
since then) is what that flush wrote. A crash asks once more, so the disk holds the state
of the last flush at or before the crash. A flush at ``t`` sees what changed before ``t``.

Simplifications: the flushes run at exact multiples of their interval from the broker's
start (Java's threads drift by the time each run takes, and the commit log's thorough
flush waits for the service's next 500 ms wake-up); an entry's size is its commit-log
size in minimq (a 91-byte header plus the body, ``minimq.core.store``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

FLUSH_CONSUMER_OFFSET_INTERVAL_MS = 5000  # BrokerConfig.flushConsumerOffsetInterval
FLUSH_CONSUMER_OFFSET_FIRST_MS = 10_000  # scheduleAtFixedRate(..., 1000 * 10, ...)
FLUSH_DELAY_OFFSET_INTERVAL_MS = 10_000  # MessageStoreConfig.flushDelayOffsetInterval
FLUSH_DELAY_OFFSET_FIRST_MS = 10_000  # ScheduleMessageService.start: scheduleAtFixedRate(..., 10000, ...)
FLUSH_COMMIT_LOG_THOROUGH_INTERVAL_MS = 10_000  # MessageStoreConfig.flushCommitLogThoroughInterval
FLUSH_COMMIT_LOG_LEAST_PAGES = 4  # MessageStoreConfig.flushCommitLogLeastPages
OS_PAGE_SIZE = 4096  # MappedFile.OS_PAGE_SIZE


@dataclass(slots=True)
class PeriodicFlush:
    """A flush every ``interval_ms``, the first ``first_ms`` after ``start_ms``."""

    start_ms: int
    first_ms: int
    interval_ms: int
    taken_ms: int | None = None  # the time of the last flush taken; None: none yet

    def last_due(self, now_ms: int) -> int | None:
        """The time of the last flush at or before ``now_ms``; None before the first."""
        first = self.start_ms + self.first_ms
        if now_ms < first:
            return None
        return first + (now_ms - first) // self.interval_ms * self.interval_ms

    def next_due(self) -> int:
        """The time of the next flush not taken yet: nothing is due before it."""
        if self.taken_ms is None:
            return self.start_ms + self.first_ms
        return self.taken_ms + self.interval_ms

    def catch_up(self, now_ms: int) -> bool:
        """Whether a flush fell due since the last one taken: the caller writes its state
        as it stands, which is what that flush wrote."""
        due = self.last_due(now_ms)
        if due is None or due == self.taken_ms:
            return False
        self.taken_ms = due
        return True


@dataclass(slots=True)
class CommitLogFlush:
    """How much of the commit log is on disk: ``writes`` entries, ``position`` bytes,
    as of ``at_ms`` (the broker's start, or its last flush since)."""

    thorough: PeriodicFlush
    writes: int = 0
    position: int = 0
    at_ms: int | None = None
    force_at: int = field(init=False, default=0)  # the position that makes 4 pages dirty

    def before_write(self, now_ms: int, writes: int, position: int) -> None:
        """A thorough flush due by now forces everything written so far."""
        if self.thorough.catch_up(now_ms):
            self.forced(self.thorough.taken_ms, writes, position)

    def __post_init__(self) -> None:
        self.force_at = self._force_at()

    def _force_at(self) -> int:
        """The write position at which 4 pages past the flushed one are dirty."""
        return (self.position // OS_PAGE_SIZE + FLUSH_COMMIT_LOG_LEAST_PAGES) * OS_PAGE_SIZE

    def due(self, position: int) -> bool:
        """The service, woken by a write that ends at ``position``, forces the file once
        4 pages are dirty (then ``forced``)."""
        return position >= self.force_at

    def forced(self, now_ms: int | None, writes: int, position: int) -> None:
        """Everything written so far (``writes`` entries, ``position`` bytes) is on disk."""
        self.writes, self.position, self.at_ms = writes, position, now_ms
        self.force_at = self._force_at()


def offsets_flush(start_ms: int) -> PeriodicFlush:
    return PeriodicFlush(start_ms, FLUSH_CONSUMER_OFFSET_FIRST_MS, FLUSH_CONSUMER_OFFSET_INTERVAL_MS)


def delay_flush(start_ms: int) -> PeriodicFlush:
    return PeriodicFlush(start_ms, FLUSH_DELAY_OFFSET_FIRST_MS, FLUSH_DELAY_OFFSET_INTERVAL_MS)


def commit_log_flush(start_ms: int, writes: int, position: int) -> CommitLogFlush:
    """The commit log of a broker started at ``start_ms`` with ``writes`` entries
    (``position`` bytes) already on disk."""
    thorough = PeriodicFlush(start_ms, FLUSH_COMMIT_LOG_THOROUGH_INTERVAL_MS, FLUSH_COMMIT_LOG_THOROUGH_INTERVAL_MS)
    return CommitLogFlush(thorough, writes, position, start_ms)
