"""What a broker crash and restart did (path P13), and the broker's correction of an
offset out of range (path P15).
"""

from __future__ import annotations

from minimq.events.base import Event
from minimq.records import record


@record
class BrokerCrashed(Event):
    """The process of broker ``broker`` died. ``how``: ``process`` (kill -9, a JVM crash:
    the page cache survives) or ``os`` (an OS crash, a power loss: what the commit log had
    not flushed is lost too). Held pulls fail, every connection closes, and the broker is
    unreachable until it restarts. ``offsets_flushed_ms`` and ``delay_flushed_ms``: when
    its consumer offsets and its delay progress were last written to disk (-1: never)."""

    broker: str
    how: str
    offsets_flushed_ms: int
    delay_flushed_ms: int


@record
class BrokerRestarted(Event):
    """Broker ``broker`` started again after ``down_ms``: it recovered its commit log and
    loaded its offsets and delay progress from disk. It knows no consumer until their
    next heartbeats."""

    broker: str
    down_ms: int


@record
class CommitLogTruncated(Event):
    """Recovering from an OS crash, broker ``broker`` found its commit log shorter than
    what it had acknowledged: ``lost`` stored copies and ``scheduled_lost`` delayed retry
    copies written since its last flush (at ``flushed_ms``; -1: never) are gone, and the
    queues they were in are back to their earlier max offsets."""

    broker: str
    lost: int
    scheduled_lost: int
    flushed_ms: int


@record
class OffsetRestored(Event):
    """The restarted broker loaded ``group``'s committed offset of one queue as last
    flushed (at ``flushed_ms``): ``offset`` (-1: none) replaces ``previous``, what it held
    when it died. A consumer that starts the queue from there gets everything in between
    again."""

    group: str
    topic: str
    queue_id: int
    offset: int
    previous: int
    flushed_ms: int


@record
class ScheduleProgressRestored(Event):
    """The restarted broker loaded the delivered-up-to offset of delay level
    ``delay_level`` in ``SCHEDULE_TOPIC_XXXX`` as last flushed (at ``flushed_ms``):
    ``offset`` replaces ``previous``. The retry copies in between were stored in their
    retry topic already, and will be stored there again (apache/rocketmq#3473)."""

    delay_level: int
    offset: int
    previous: int
    flushed_ms: int


@record
class OffsetCorrected(Event):
    """A pull of ``group`` (process ``client``) asked for ``pull_offset``, past the queue's
    max offset: the broker answered ``PULL_OFFSET_MOVED`` with ``offset``, the max offset.
    ``status`` is RocketMQ's ``GetMessageStatus``: ``OFFSET_OVERFLOW_BADLY``, or
    ``NO_MESSAGE_IN_QUEUE`` for an empty queue (``offset`` 0). A pop (5.x) past the max
    offset is told the same way: the broker committed ``offset`` for the group and popped
    from there."""

    group: str
    client: str
    topic: str
    queue_id: int
    pull_offset: int
    offset: int
    status: str
