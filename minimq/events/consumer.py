"""A consumer process and its queues: start, crash, shutdown, rebalance and pulls."""

from __future__ import annotations

from minimq.events.base import Event
from minimq.records import record


@record
class ConsumerStarted(Event):
    """A consumer process started (``restart``: not its first). ``client_id`` is the id it
    registers with (``clientIP@instanceName``: new at every start unless an instance name
    is set). ``max_reconsume_times`` is its ``maxReconsumeTimes`` as RocketMQ resolves it
    (-1 gives 16 concurrently, ``Integer.MAX_VALUE`` in order), so a checker of the retry
    rules reads it from the trace."""

    client: str
    client_id: str
    group: str
    topics: tuple[str, ...]
    model: str
    orderly: bool
    restart: bool
    max_reconsume_times: int


@record
class ConsumerCrashed(Event):
    """The process died: nothing was persisted, running handlers stopped where they were."""

    client: str
    group: str
    point: str


@record
class ConsumerShutdown(Event):
    """Graceful shutdown: handlers interrupted, (orderly) queues unlocked, offsets persisted
    (oneway); the unregistration request leaves now."""

    client: str
    group: str


@record
class Rebalanced(Event):
    client: str
    group: str
    topic: str
    before: tuple[int, ...]
    after: tuple[int, ...]


@record
class MessagesPulled(Event):
    """A pull brought ``count`` messages from ``first_offset`` into the process queue."""

    client: str
    group: str
    topic: str
    queue_id: int
    first_offset: int
    count: int


@record
class PullFlowControlled(Event):
    """A pull of a queue was put off 50 ms by flow control (``reason``: ``"count"``, more
    than ``threshold`` messages cached; ``"span"``, the span ``value`` between the first
    and last cached offsets, ``min_offset`` and ``max_offset``, above ``threshold``). Like
    RocketMQ's WARN log line, recorded the first time and every 1000th (``times``, this
    process's count for that reason, as Java prints ``flowControlTimes``)."""

    client: str
    group: str
    topic: str
    queue_id: int
    reason: str
    min_offset: int
    max_offset: int
    value: int
    threshold: int
    times: int


@record
class PullFailed(Event):
    client: str
    group: str
    topic: str
    queue_id: int
    error: str


@record
class PullOffsetMoved(Event):
    """A pull from ``pull_offset`` was answered ``PULL_OFFSET_MOVED`` (the queue was reset):
    the client dropped the queue, and pulls it again from ``offset`` after a rebalance."""

    client: str
    group: str
    topic: str
    queue_id: int
    pull_offset: int
    offset: int
