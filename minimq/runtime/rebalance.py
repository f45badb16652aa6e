"""Rebalancing: which queues of each subscribed topic this consumer owns, and the locks.

Owns: ``Rebalancer``, one per consumer session. Mirrors RocketMQ 5.3.x's
``RebalanceService`` and ``RebalanceImpl``/``RebalancePushImpl`` (client); ``minimq check``'s
``rebalance`` path shows what it does to a design.
Rules (the timing is ``minimq.core.rebalance``'s):
- The service rebalances when it is woken (at start, after the first heartbeat; when the
  broker says the group's members changed; after ``PULL_OFFSET_MOVED``) or every 20 s,
  but never within 1 s of its last rebalance or of its creation: a new client's first
  rebalance comes 1 s after it starts. After a round that was not balanced it tries
  again 1 s later.
- Each client fetches the group's client ids and allocates on its own (averagely by
  default); a broadcasting consumer takes every queue. A round is balanced when the
  queues it works on are the queues it was allocated; a failed id-list query skips the
  topic and leaves the round balanced (``findConsumerIdList`` answers null), and so does
  a group with no member on the broker (``SYSTEM_ERROR`` "no consumer for this group":
  a restarted broker before the heartbeats), so the consumer keeps its queues.
- A queue taken away is dropped: its offset is persisted (oneway) and forgotten, the
  results of listeners still running for it will be discarded, and (orderly) it is
  unlocked. A queue gained starts at the offset the broker holds (``ConsumeFromWhere`` if
  none; ``CONSUME_FROM_TIMESTAMP`` asks the broker to search the queue by time), and its
  first pull comes 500 ms later: whatever the previous owner finished but had not
  persisted is delivered again.
- An orderly consumer in clustering locks a queue on the broker before it owns it and
  renews its locks every 20 s, the first time 1 s after start.
- With a slave, the id list and the offset query go to the slave while the process's
  route has no master (an offset query first fetches the route once more); locks need the
  master (``minimq.runtime.route``).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from minimq.core.offsets import needs_search, pull_from_where
from minimq.core.process_queue import ProcessQueue
from minimq.core.rebalance import (
    PULL_DELAY_AFTER_REBALANCE_MS,
    REBALANCE_WAIT_INTERVAL_MS,
    too_soon_ms,
    wait_after_round_ms,
)
from minimq.errors import RemotingConnectError, RemotingError
from minimq.events import Rebalanced
from minimq.model import MessageQueue
from minimq.runtime.consume_service import OrderlyConsumeService

if TYPE_CHECKING:
    from minimq.runtime.broker import Broker
    from minimq.runtime.consumer_session import ConsumerSession

LOCK_RENEW_INTERVAL_MS = 20_000
REQUEST_TIMEOUT_MS = 3000  # ClientConfig.mqClientApiTimeout
LOCK_TIMEOUT_MS = 1000  # RebalanceImpl: lockBatchMQ(..., 1000), unlockBatchMQ(..., 1000, oneway)


class Rebalancer:
    """The rebalance service of one consumer session."""

    def __init__(self, session: ConsumerSession) -> None:
        self.s = session
        self.last_ms = session.world.now_ms  # lastRebalanceTimestamp: set when the service is made
        # Woken (or new) and not yet through a balanced round: the queues may be about to
        # move, so the world is not quiet (``World.quiet``).
        self.due = True

    def wake(self) -> None:
        """``rebalanceImmediately`` (``RebalanceService.wakeup``): a broker notification,
        the start, ``PULL_OFFSET_MOVED``."""
        self.due = True
        self.s.rebalance_waker.wake()

    async def loop(self) -> None:
        """``RebalanceService.run``: wait 20 s or until woken, then rebalance unless the last
        rebalance was under 1 s ago; 1 s after a round that was not balanced."""
        wait_ms = REBALANCE_WAIT_INTERVAL_MS
        while True:
            await self.s.rebalance_waker.wait(wait_ms)
            wait_ms = too_soon_ms(self.s.world.now_ms, self.last_ms)
            if wait_ms == 0:
                self.due = False  # a wake during the round makes it due again
                balanced = await self.rebalance()
                self.last_ms = self.s.world.now_ms
                self.due = self.due or not balanced
                wait_ms = wait_after_round_ms(balanced)

    async def rebalance(self) -> bool:
        """``doRebalance``: every subscribed topic; whether every one is balanced."""
        balanced = True
        for topic in self.s.topics:
            if not self.s.broker.has_topic(topic):
                continue
            mq_all = self.s.broker.topic_queues(topic)
            if not self.s.clustering:
                mine = mq_all
            else:
                found = self.s.route.subscribe_target("get consumer id list")  # findBrokerAddrByTopic
                try:
                    if found is None:
                        raise RemotingConnectError(f"no address of {self.s.broker_name} in the route")
                    cids = await self.s.world.network.call(
                        found.address,
                        self._consumer_ids,
                        what="get consumer id list",
                        timeout_ms=REQUEST_TIMEOUT_MS,
                    )
                except RemotingError:
                    continue  # findConsumerIdList answers null: the topic is skipped, "balanced"
                if not cids:
                    continue  # SYSTEM_ERROR "no consumer for this group": null as well
                mine = self.s.consumer.allocator(self.s.client_id, mq_all, cids)
            balanced = await self._update_process_queues(topic, mine) and balanced
        return balanced

    def _consumer_ids(self, broker: Broker) -> list[str]:
        """``GET_CONSUMER_LIST_BY_GROUP``, on this process's connection to ``broker``."""
        self.s.connected(broker)
        return broker.consumer_ids(self.s.group)

    async def _update_process_queues(self, topic: str, mine: list[MessageQueue]) -> bool:
        """``updateProcessQueueTableInRebalance``: drop, then gain; balanced when the queues
        worked on are the queues allocated (``rebalanceByTopic``)."""
        before = tuple(sorted(mq.queue_id for mq in self.s.pq_table if mq.topic == topic))
        wanted = set(mine)
        for mq in sorted(self.s.pq_table):
            if mq.topic == topic and mq not in wanted:
                self.remove_queue(mq)
        added: list[tuple[MessageQueue, ProcessQueue, int]] = []
        for mq in sorted(wanted):
            if mq in self.s.pq_table:
                continue
            start = await self._add_queue(mq)
            if start is not None and mq not in self.s.pq_table and self.s.alive:
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
        for mq, pq, start in added:  # dispatchPullRequest(…, 500): the first pull comes 500 ms later
            if isinstance(self.s.service, OrderlyConsumeService):
                self.s.service.add_queue(mq, pq)
            pull = self.s.puller.loop(mq, pq, start, delay_ms=PULL_DELAY_AFTER_REBALANCE_MS)
            self.s.spawn(pull, f"{self.s.client}-pull-{mq}")
        working = {mq for mq, pq in self.s.pq_table.items() if mq.topic == topic and not pq.dropped}
        return working == wanted

    def remove_queue(self, mq: MessageQueue, via: str = "rebalance") -> None:
        """``removeUnnecessaryMessageQueue``: drop ``mq``, persist its offset, forget it."""
        pq = self.s.pq_table.pop(mq)
        pq.dropped = True
        offset = self.s.offset_store.read(mq)
        if offset is not None:
            self.s.persist(mq, offset, via)
        self.s.offset_store.remove(mq)
        if self.s.orderly and self.s.clustering:
            unlock = lambda b: b.unlock(self.s.group, self.s.client_id, [mq])  # noqa: E731
            with contextlib.suppress(RemotingError):  # no master in the route: nothing to unlock
                self.s.world.network.oneway(self.s.route.master("unlock"), unlock, what="unlock")

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
            # the broker answers 0 for "no offset yet" while offset 0 is in memory
            found = self.s.route.offset_query_target("query consumer offset")
            if found is None:
                raise RemotingConnectError(f"the broker[{self.s.broker_name}] not exist (query consumer offset)")
            stored = await self.s.world.network.call(
                found.address,
                lambda b: b.query_consumer_offset(self.s.group, mq),
                what="query consumer offset",
                timeout_ms=REQUEST_TIMEOUT_MS,
            )
        else:  # LocalFileOffsetStore: no file, no offset (the broker is not asked)
            stored = self.s.world.disk.get(self.s.client, {}).get((self.s.group, mq))
        where = self.s.consumer.consume_from_where
        searched = None
        if needs_search(where, mq.topic, stored):
            timestamp = self.s.consumer.consume_timestamp_ms
            searched = await self.s.world.network.call(
                self.s.route.master("search offset by timestamp"),
                lambda b: b.search_offset(mq, timestamp),
                what="search offset by timestamp",
                timeout_ms=REQUEST_TIMEOUT_MS,
            )
        start = pull_from_where(
            where, mq.topic, stored, self.s.broker.max_offset(mq), offset_zero_in_memory=False, searched=searched
        )
        if stored is not None and not self.s.clustering:
            self.s.offset_store.update(mq, stored)
        return start

    async def _lock(self, mqs: list[MessageQueue]) -> frozenset[MessageQueue]:
        return await self.s.world.network.call(
            self.s.route.master("lock batch mq"),
            lambda b: b.lock(self.s.group, self.s.client_id, mqs),
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
