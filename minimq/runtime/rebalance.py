"""Rebalancing: which queues of each subscribed topic this consumer owns, and the locks.

Owns: ``Rebalancer``, one per consumer session. Mirrors RocketMQ's ``RebalanceService``
and ``RebalanceImpl``/``RebalancePushImpl`` (client); ``minimq check``'s ``rebalance`` path shows
what it does to a design.
Rules:
- Rebalance runs at start, every 20 s (1 s after a round that could not lock an orderly
  queue), and whenever the broker says the group's members changed. Each client fetches
  the group's client ids and allocates on its own (averagely by default); a broadcasting
  consumer takes every queue.
- A queue taken away is dropped: its offset is persisted (oneway) and forgotten, the
  results of listeners still running for it will be discarded, and (orderly) it is
  unlocked. A queue gained starts at the offset the broker holds (``ConsumeFromWhere`` if
  none): whatever the previous owner finished but had not persisted is delivered again.
- An orderly consumer in clustering locks a queue on the broker before it owns it and
  renews its locks every 20 s, the first time 1 s after start.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from minimq.core.offsets import pull_from_where
from minimq.core.process_queue import ProcessQueue
from minimq.errors import RemotingError
from minimq.events import Rebalanced
from minimq.model import MessageQueue
from minimq.runtime.consume_service import OrderlyConsumeService

if TYPE_CHECKING:
    from minimq.runtime.consumer_session import ConsumerSession

REBALANCE_INTERVAL_MS = 20_000
REBALANCE_MIN_INTERVAL_MS = 1000
LOCK_RENEW_INTERVAL_MS = 20_000
REQUEST_TIMEOUT_MS = 3000  # ClientConfig.mqClientApiTimeout
LOCK_TIMEOUT_MS = 1000  # RebalanceImpl: lockBatchMQ(..., 1000), unlockBatchMQ(..., 1000, oneway)


class Rebalancer:
    """The rebalance service of one consumer session."""

    def __init__(self, session: ConsumerSession) -> None:
        self.s = session

    async def loop(self) -> None:
        while True:
            balanced = await self.rebalance()
            await self.s.rebalance_waker.wait(REBALANCE_INTERVAL_MS if balanced else REBALANCE_MIN_INTERVAL_MS)

    async def rebalance(self) -> bool:
        balanced = True
        for topic in self.s.topics:
            if not self.s.broker.has_topic(topic):
                continue
            mq_all = self.s.broker.topic_queues(topic)
            if not self.s.clustering:
                mine = mq_all
            else:
                try:
                    cids = await self.s.world.network.call(
                        self.s.broker_name,
                        lambda b: b.consumer_ids(self.s.group),
                        what="get consumer id list",
                        timeout_ms=REQUEST_TIMEOUT_MS,
                    )
                except RemotingError:
                    balanced = False
                    continue
                mine = self.s.consumer.allocator(self.s.client, mq_all, cids)
            balanced = await self._update_process_queues(topic, mine) and balanced
        return balanced

    async def _update_process_queues(self, topic: str, mine: list[MessageQueue]) -> bool:
        before = tuple(sorted(mq.queue_id for mq in self.s.pq_table if mq.topic == topic))
        wanted = set(mine)
        for mq in sorted(self.s.pq_table):
            if mq.topic == topic and mq not in wanted:
                self.remove_queue(mq)
        balanced = True
        added: list[tuple[MessageQueue, ProcessQueue, int]] = []
        for mq in sorted(wanted):
            if mq in self.s.pq_table:
                continue
            start = await self._add_queue(mq)
            if start is None:
                balanced = False
            elif mq not in self.s.pq_table and self.s.alive:
                added.append((mq, ProcessQueue(), start))
        for mq, pq, _ in added:
            pq.locked, pq.last_lock_ms = self.s.orderly and self.s.clustering, self.s.world.now_ms
            self.s.pq_table[mq] = pq
        after = tuple(sorted(mq.queue_id for mq in self.s.pq_table if mq.topic == topic))
        if before != after:
            self.s.world.emit(
                Rebalanced(
                    at_ms=self.s.world.now_ms,
                    client=self.s.client,
                    group=self.s.group,
                    topic=topic,
                    before=before,
                    after=after,
                )
            )
        for mq, pq, start in added:  # pull only once the new assignment is in place
            if isinstance(self.s.service, OrderlyConsumeService):
                self.s.service.add_queue(mq, pq)
            self.s.spawn(self.s.puller.loop(mq, pq, start), f"{self.s.client}-pull-{mq}")
        return balanced

    def remove_queue(self, mq: MessageQueue, via: str = "rebalance") -> None:
        """``removeUnnecessaryMessageQueue``: drop ``mq``, persist its offset, forget it."""
        pq = self.s.pq_table.pop(mq)
        pq.dropped = True
        offset = self.s.offset_store.read(mq)
        if offset is not None:
            self.s.persist(mq, offset, via)
        self.s.offset_store.remove(mq)
        if self.s.orderly and self.s.clustering:
            unlock = lambda b: b.unlock(self.s.group, self.s.client, [mq])  # noqa: E731
            self.s.world.network.oneway(self.s.broker_name, unlock, what="unlock")

    async def _add_queue(self, mq: MessageQueue) -> int | None:
        """Lock (orderly) and find the start offset of a gained queue; None if it failed."""
        if self.s.orderly and self.s.clustering:
            try:
                granted = await self._lock([mq])
            except RemotingError:
                return None
            if mq not in granted:
                return None
        self.s.offset_store.remove(mq)  # removeDirtyOffset
        try:
            return await self._pull_from_where(mq)
        except RemotingError:
            return None

    async def _pull_from_where(self, mq: MessageQueue) -> int:
        if self.s.clustering:
            stored = await self.s.world.network.call(
                self.s.broker_name,
                lambda b: b.query_offset(self.s.group, mq),
                what="query consumer offset",
                timeout_ms=REQUEST_TIMEOUT_MS,
            )
        else:
            stored = self.s.world.disk.get(self.s.client, {}).get((self.s.group, mq))
        # Only the broker answers 0 for "no offset yet" while offset 0 is in memory; a
        # broadcasting consumer with no offsets file starts at maxOffset (LocalFileOffsetStore).
        start = pull_from_where(
            self.s.consumer.consume_from_where,
            mq.topic,
            stored,
            self.s.broker.max_offset(mq),
            offset_zero_in_memory=self.s.clustering,
        )
        if stored is not None and not self.s.clustering:
            self.s.offset_store.update(mq, stored)
        return start

    async def _lock(self, mqs: list[MessageQueue]) -> frozenset[MessageQueue]:
        return await self.s.world.network.call(
            self.s.broker_name,
            lambda b: b.lock(self.s.group, self.s.client, mqs),
            what="lock batch mq",
            timeout_ms=LOCK_TIMEOUT_MS,
        )

    async def lock_renew_loop(self) -> None:
        await asyncio.sleep(1)
        while True:
            mqs = sorted(self.s.pq_table)
            try:
                granted = await self._lock(mqs) if mqs else frozenset()
            except RemotingError:
                granted = None
            if granted is not None:
                for mq in mqs:
                    pq = self.s.pq_table.get(mq)
                    if pq is not None:
                        pq.locked = mq in granted
                        if pq.locked:
                            pq.last_lock_ms = self.s.world.now_ms
            await asyncio.sleep(LOCK_RENEW_INTERVAL_MS / 1000)
