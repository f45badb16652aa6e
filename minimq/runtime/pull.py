"""Pulling: one loop per assigned queue, from the broker into the process queue.

Owns: ``Puller``, the pull loop of one consumer session (``pullMessage`` of
``DefaultMQPushConsumerImpl``), shown in lessons 2 and 3. Rules:
- Each queue is pulled in batches of up to 32 (``pullBatchSize``), with no pause between
  pulls (``pullInterval = 0``), a 50 ms pause under flow control, 3000 ms after an error,
  and (orderly) 3000 ms while the queue is not locked; a pull times out after 30 s.
- Flow control (``ProcessQueue.flow_control``: more than 1000 messages cached, or a span
  above ``consumeConcurrentlyMaxSpan``) is recorded as RocketMQ logs its WARN line: the
  first time and every 1000th, per process and rule (``queueFlowControlTimes``,
  ``queueMaxSpanFlowControlTimes``), as ``PullFlowControlled``. Lesson 4 shows it.
- Each pull carries the local offset to the broker, which stores it (piggyback commit).
- A pull that finds nothing while nothing is cached moves the local offset to the pull's
  next offset (``correctTagsOffset``).
- A pull answered ``PULL_OFFSET_MOVED`` (an operator reset the queue, or the offset was
  past the queue's max offset) drops the queue, persists the broker's offset and
  rebalances at once, which pulls it again from there.
- A pull the broker refuses (``SUBSCRIPTION_NOT_EXIST``: a restarted broker that has not
  had this group's heartbeat yet; ``SYSTEM_BUSY``: a slave without ``slaveReadEnable``) is
  an error like a failed request: tried again after 3000 ms. The pull that reaches a
  restarted broker first opens a new connection, which makes the client send a heartbeat
  and rebalance (``ConsumerSession.connected``).
- A pull goes to the master while the process's route has it, else to the slave
  (``PullAPIWrapper.pullKernelImpl``, ``minimq.runtime.route``); a pull to a slave does
  not carry the commit offset (the client clears the flag).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from minimq.core.process_queue import PULL_THRESHOLD_FOR_QUEUE
from minimq.errors import RemotingError
from minimq.events import MessagesPulled, PullFailed, PullFlowControlled, PullOffsetMoved

if TYPE_CHECKING:
    from minimq.core.process_queue import FlowControl, ProcessQueue
    from minimq.model import MessageQueue
    from minimq.runtime.broker import Broker, PullResult
    from minimq.runtime.consumer_session import ConsumerSession

PULL_DELAY_WHEN_EXCEPTION_MS = 3000
PULL_DELAY_WHEN_FLOW_CONTROL_MS = 50
PULL_DELAY_WHEN_NOT_LOCKED_MS = 3000
PULL_TIMEOUT_MS = 30_000  # CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND
REFUSED = {  # what a refused pull's response says (MQBrokerException)
    "SUBSCRIPTION_NOT_EXIST": "SUBSCRIPTION_NOT_EXIST: the broker knows no member of {group} yet",
    "TOPIC_NOT_EXIST": "TOPIC_NOT_EXIST: the slave has not copied the topic yet",
    "SYSTEM_BUSY": "SYSTEM_BUSY: [REJECTREQUEST]system busy, start flow control for a while (a slave, "
    "slaveReadEnable=false)",
}


class Puller:
    """The pull loops of one consumer session."""

    def __init__(self, session: ConsumerSession) -> None:
        self.s = session
        self.flow_control_times: dict[FlowControl, int] = {"count": 0, "span": 0}

    async def loop(self, mq: MessageQueue, pq: ProcessQueue, offset: int, delay_ms: int = 0) -> None:
        """Pull ``mq`` from ``offset``, the first time ``delay_ms`` from now, until the queue
        is dropped (``pullMessage``; ``executePullRequestLater``)."""
        w = self.s.world
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        batch = self.s.consumer.pull_batch_size
        what = f"pull {mq}"
        max_span = self.s.consumer.consume_concurrently_max_span
        route = self.s.route
        while not pq.dropped:
            held = pq.flow_control(self.s.orderly, max_span)
            if held is not None:
                self._flow_controlled(mq, pq, held, max_span)
                await asyncio.sleep(PULL_DELAY_WHEN_FLOW_CONTROL_MS / 1000)
                continue
            if self.s.orderly and self.s.clustering and not pq.locked:
                await asyncio.sleep(PULL_DELAY_WHEN_NOT_LOCKED_MS / 1000)
                continue
            found = route.pull_target or route.subscribe_target(what)
            if found is None:  # "The broker[...] not exist"
                self._failed(mq, f"the broker[{self.s.broker_name}] not exist")
                await asyncio.sleep(PULL_DELAY_WHEN_EXCEPTION_MS / 1000)
                continue
            commit = self.s.offset_store.read(mq) if self.s.clustering and not found.slave else None

            def request(b: Broker, offset: int = offset, commit: int | None = commit) -> Awaitable[PullResult]:
                self.s.connected(b)
                return b.pull(self.s.group, self.s.client, mq, offset, batch, commit)

            try:
                result = await w.network.call_async(found.address, request, what=what, timeout_ms=PULL_TIMEOUT_MS)
            except RemotingError as exc:
                self._failed(mq, str(exc))
                await asyncio.sleep(PULL_DELAY_WHEN_EXCEPTION_MS / 1000)
                continue
            if result.refused is not None:  # MQBrokerException: onException, like a failed request
                self._failed(mq, REFUSED[result.refused].format(group=self.s.group))
                await asyncio.sleep(PULL_DELAY_WHEN_EXCEPTION_MS / 1000)
                continue
            if pq.dropped:
                return
            if result.offset_moved:
                self._offset_moved(mq, pq, offset, result.next_offset)
                return
            offset = result.next_offset
            msgs = result.msgs
            if msgs:
                pq.put(msgs)
                w.emit(
                    MessagesPulled(
                        at_ms=w.now_ms,
                        client=self.s.client,
                        group=self.s.group,
                        topic=mq.topic,
                        queue_id=mq.queue_id,
                        first_offset=msgs[0].queue_offset,
                        count=len(msgs),
                    )
                )
                self.s.service.submit(msgs, pq, mq)
            elif pq.count == 0:  # correctTagsOffset
                self.s.commit_local(mq, offset, increase_only=True, msg=None)

    def _failed(self, mq: MessageQueue, error: str) -> None:
        w = self.s.world
        w.emit(
            PullFailed(
                at_ms=w.now_ms,
                client=self.s.client,
                group=self.s.group,
                topic=mq.topic,
                queue_id=mq.queue_id,
                error=error,
            )
        )

    def _flow_controlled(self, mq: MessageQueue, pq: ProcessQueue, reason: FlowControl, max_span: int) -> None:
        """Count a pull put off by flow control; the first and every 1000th are recorded,
        as Java logs them (``(times++ % 1000) == 0``, then prints the new count)."""
        times = self.flow_control_times[reason]
        self.flow_control_times[reason] = times + 1
        if times % 1000:
            return
        offsets = pq.in_flight_offsets()
        w = self.s.world
        w.emit(
            PullFlowControlled(
                at_ms=w.now_ms,
                client=self.s.client,
                group=self.s.group,
                topic=mq.topic,
                queue_id=mq.queue_id,
                reason=reason,
                min_offset=offsets[0],
                max_offset=offsets[-1],
                value=pq.span if reason == "span" else pq.count,
                threshold=max_span if reason == "span" else PULL_THRESHOLD_FOR_QUEUE,
                times=times + 1,
            )
        )

    def _offset_moved(self, mq: MessageQueue, pq: ProcessQueue, pull_offset: int, offset: int) -> None:
        """``OFFSET_ILLEGAL`` (a 5.2.0+ client): take and persist the broker's offset, remove
        the queue as a rebalance would (results still running are discarded) and rebalance
        now, which gains the queue again and pulls it from the broker's offset."""
        w = self.s.world
        w.emit(
            PullOffsetMoved(
                at_ms=w.now_ms,
                client=self.s.client,
                group=self.s.group,
                topic=mq.topic,
                queue_id=mq.queue_id,
                pull_offset=pull_offset,
                offset=offset,
            )
        )
        pq.dropped = True
        self.s.offset_store.update(mq, offset, increase_only=False)  # updateAndFreezeOffset
        self.s.persist(mq, offset, "offset moved")
        self.s.rebalancer.remove_queue(mq, via="offset moved")  # removeProcessQueue: persists again
        self.s.rebalancer.wake()  # rebalanceImmediately
