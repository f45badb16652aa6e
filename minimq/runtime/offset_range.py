"""Where a consumer starts a queue, and what the broker does with an offset out of range.

Owns: the broker's answers to a consumer about offsets (path P15), over
``minimq.core.store`` and ``minimq.core.offsets``: ``query_consumer_offset``
(``ConsumerManageProcessor.queryConsumerOffset``), ``search_offset``
(``SEARCH_OFFSET_BY_TIMESTAMP``, ``DefaultMessageStore.getOffsetInQueueByTime``) and
``correct_pull_offset`` (``DefaultMessageStore.getMessage`` and
``PullMessageProcessor``'s answer); tests/test_offset_range.py runs them.
Rules (RocketMQ 5.x broker):
- Asked for a group's offset it has none of, the broker answers 0 while the message at
  offset 0 is still in memory (and the queue's min offset is 0), whatever the consumer's
  ``ConsumeFromWhere``: a new group on a young queue starts at its first message.
  Otherwise it answers "not found", and the consumer's setting decides
  (``minimq.core.offsets.pull_from_where``).
  Simplification: minimq answers 0 for an empty queue too. RocketMQ answers "not found",
  and the consumer then asks for the max offset in another round trip: 0 as well, unless
  a message arrived in between, which such a consumer then skips.
- A pull from an offset past the queue's max offset is ``OFFSET_OVERFLOW_BADLY``: the
  broker answers ``PULL_OFFSET_MOVED`` with the max offset; from an empty queue (max 0)
  at an offset other than 0, ``NO_MESSAGE_IN_QUEUE``, moved to 0. A pull at exactly the
  max offset is held (``OFFSET_OVERFLOW_ONE``). The client takes the new offset, persists
  it and pulls from there (``minimq.runtime.pull``, ``OFFSET_ILLEGAL``): whatever was
  stored below it since is skipped, nothing is replayed. Minimq's store never deletes,
  so its min offset is always 0 and ``OFFSET_TOO_SMALL`` never arises.
- **Version note**: up to 4.9.3, ``OFFSET_OVERFLOW_BADLY`` on a queue whose min offset
  was 0 moved the consumer to 0 instead, and it consumed the whole queue again
  (apache/rocketmq#2181, fixed by #4215 in 4.9.4). Not modelled.
- A pop (5.x, ``PopMessageProcessor.popMsgFromQueue``) from past the max offset is
  ``OFFSET_OVERFLOW_BADLY`` too: the broker commits the max offset for the group and pops
  from there (``correct_pop_offset``). An empty queue (``NO_MESSAGE_IN_QUEUE``) is not in
  the list of statuses it corrects: the offset stays until a message arrives.
An offset goes out of range when the commit log loses its tail (an OS crash,
``minimq.runtime.broker_life``), or in RocketMQ after a failover truncates it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minimq.events import OffsetCorrected

if TYPE_CHECKING:
    from minimq.model import MessageQueue
    from minimq.runtime.broker import Broker
    from minimq.sim.kernel import Simulation

OFFSET_OVERFLOW_BADLY = "OFFSET_OVERFLOW_BADLY"
NO_MESSAGE_IN_QUEUE = "NO_MESSAGE_IN_QUEUE"


def query_consumer_offset(broker: Broker, group: str, mq: MessageQueue) -> int | None:
    """``QUERY_CONSUMER_OFFSET``: the committed offset, else 0 while offset 0 is in memory,
    else None ("not found")."""
    offset = broker.offsets.query(group, mq.topic, mq.queue_id)
    if offset is not None:
        return offset
    empty = broker.store.max_offset(mq) == 0  # RocketMQ: "not found", then maxOffset 0
    return 0 if empty or broker.store.in_memory(mq, 0) else None


def search_offset(broker: Broker, mq: MessageQueue, timestamp_ms: int) -> int:
    """``SEARCH_OFFSET_BY_TIMESTAMP``: the first message stored at or after the time."""
    return broker.store.offset_in_queue_by_time(mq, timestamp_ms)


def correct_pull_offset(
    world: Simulation, broker: Broker, group: str, client: str, mq: MessageQueue, offset: int
) -> int | None:
    """The offset a pull from ``offset`` is moved to when it is out of range (recorded as
    ``OffsetCorrected``), or None when it is in range."""
    max_offset = broker.store.max_offset(mq)
    if offset <= max_offset:
        return None
    world.emit(
        OffsetCorrected(
            at_ms=world.now_ms,
            group=group,
            client=client,
            topic=mq.topic,
            queue_id=mq.queue_id,
            pull_offset=offset,
            offset=max_offset,
            status=NO_MESSAGE_IN_QUEUE if max_offset == 0 else OFFSET_OVERFLOW_BADLY,
        )
    )
    return max_offset


def correct_pop_offset(
    world: Simulation, broker: Broker, group: str, client: str, mq: MessageQueue, offset: int
) -> int | None:
    """The max offset, when a pop of ``group`` from ``offset`` is past it (recorded as
    ``OffsetCorrected``), else None. ``PopMessageProcessor.popMsgFromQueue`` commits the
    store's next begin offset on ``OFFSET_OVERFLOW_BADLY`` and pops from there; an empty
    queue (``NO_MESSAGE_IN_QUEUE``) is left as it is."""
    max_offset = broker.store.max_offset(mq)
    if offset <= max_offset or max_offset == 0:
        return None
    world.emit(
        OffsetCorrected(
            at_ms=world.now_ms,
            group=group,
            client=client,
            topic=mq.topic,
            queue_id=mq.queue_id,
            pull_offset=offset,
            offset=max_offset,
            status=OFFSET_OVERFLOW_BADLY,
        )
    )
    return max_offset
