"""An operator resets a consumer group's offsets to a point in time (path P15).

Owns: ``reset_offset_by_time``, the broker side of ``mqadmin resetOffsetByTime``. Mirrors
RocketMQ 5.2.0+'s ``AdminBrokerProcessor.resetOffset`` → ``resetOffsetInner`` with
``useServerSideResetOffset=true`` (the default since 5.2.0), over
``DefaultMessageStore.getOffsetInQueueByTime`` and
``ConsumerOffsetManager.assignResetOffset``; shown in tests/test_offset_reset.py.
Rules:
- The topic must exist and the group must be known to the broker; otherwise the reset
  is refused and nothing changes. Only the named topic is reset: the group's
  ``%RETRY%<group>`` keeps its offsets unless the operator names it.
- For each queue of the topic, the new offset is that of the first message stored at or
  after the time (RocketMQ 5.1.1+), or the queue's max offset when there is none.
  Everything stored since then is consumed again, hours after it first was: a
  duplicate that a dedupe record with a short time to live no longer catches.
- The group's committed offset takes the new value at once and the queue is marked
  reset, whether or not a consumer of the group is running: one started later starts
  there (``queryOffset``).
- While the mark stands, the group's offset updates for that queue are ignored, so a
  running consumer's 5 s persist cannot undo the reset (``updateConsumerOffset``).
- The next pull of the queue takes the mark and is answered ``PULL_OFFSET_MOVED`` with
  the new offset (``Broker.pull``). A pull held by long polling learns it when it is
  answered: at the next message, or after the 15 s hold. The client's side (drop the
  queue, persist the new offset, rebalance at once) is in ``consumer_session``.
Simplifications: the operator's request reaches the broker at once and cannot fail (no
network hop for the admin tool); a negative time, which RocketMQ reads as "the max
offset", is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minimq.core.validators import check_group, check_topic
from minimq.errors import UnknownGroup, UnknownTopic, ValidationError
from minimq.events import OffsetReset
from minimq.model import MessageQueue

if TYPE_CHECKING:
    from minimq.runtime.broker import Broker
    from minimq.sim.kernel import Simulation


def reset_offset_by_time(
    world: Simulation, broker: Broker, *, group: str, topic: str, timestamp_ms: int
) -> dict[MessageQueue, int]:
    """Reset ``group``'s offsets of every queue of ``topic`` to ``timestamp_ms``; return
    the new offset of each queue (RocketMQ's ``ResetOffsetBody``)."""
    if isinstance(timestamp_ms, bool) or not isinstance(timestamp_ms, int):
        raise ValidationError("the reset time must be an int of virtual milliseconds", timestamp_ms)
    if timestamp_ms < 0:
        raise ValidationError("the reset time must be >= 0 ms", timestamp_ms)
    check_group(group)
    check_topic(topic, system=True)
    if not broker.has_topic(topic):
        raise UnknownTopic(topic, sorted(broker.store.topics))
    known = broker.groups.known_groups()
    if group not in known:
        raise UnknownGroup(group, known)
    now = world.now_ms
    offsets: dict[MessageQueue, int] = {}
    for mq in broker.store.queues(topic):
        offset = broker.store.offset_in_queue_by_time(mq, timestamp_ms)
        previous = broker.offsets.query(group, topic, mq.queue_id)
        broker.offsets.assign_reset(group, topic, mq.queue_id, offset)
        offsets[mq] = offset
        world.emit(
            OffsetReset(
                at_ms=now,
                group=group,
                topic=topic,
                queue_id=mq.queue_id,
                offset=offset,
                previous=-1 if previous is None else previous,
                timestamp_ms=timestamp_ms,
            )
        )
    return offsets
