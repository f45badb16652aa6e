"""Running the listener over pulled messages: concurrently, or in order per queue.

Owns: ``ConcurrentConsumeService`` and ``OrderlyConsumeService``. Mirrors RocketMQ's
``ConsumeMessageConcurrentlyService`` and ``ConsumeMessageOrderlyService``, shown in
lessons 3 (offsets) and 8 (retries).
Concurrent rules:
- Up to 20 consume workers (``consumeThreadMin/Max``), started as work arrives, take messages one at a time
  (``consumeMessageBatchMaxSize = 1``) in pull order; a request whose queue was dropped
  is skipped.
- After the listener: if the queue was dropped meanwhile, the result is discarded (no
  offset update, no send-back). On ``RECONSUME_LATER`` (clustering) the message is sent
  back to the broker, unless the consume-timeout scan already did; if the send-back
  fails it is consumed again locally after 5000 ms and keeps holding the offset.
  Broadcasting never sends back: a failure is dropped.
- Then the message leaves the process queue and the offset moves to the smallest offset
  still in flight (``ProcessQueue.remove``), increase-only.
- Every 15 min (``consumeTimeout``), the head message of each queue that has been running
  longer than 15 min is sent back with delay level 3 and dropped from the process queue,
  while its listener keeps running (5.x: a later failure is not sent back twice).
Orderly rules:
- One consume loop per queue, only while the queue's lock is held and younger than 30 s.
- ``SUCCESS`` commits (last offset + 1, may move back). A failure puts the message back
  and retries it locally after ``suspendCurrentQueueTimeMillis = 1000`` ms (clamped to
  10..30000), for ever by default (``maxReconsumeTimes = Integer.MAX_VALUE``); past an
  explicit maximum it goes straight to the DLQ and the queue moves on.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING

from minimq.core.process_queue import ProcessQueue
from minimq.events import (
    ConsumeResultDiscarded,
    ConsumeTimedOut,
    MessageConsumed,
    MessageDelivered,
    RetriedLocally,
)
from minimq.model import ConsumeStatus, MessageExt, MessageQueue, OrderlyStatus
from minimq.runtime.listener import invoke
from minimq.runtime.waker import Waker
from minimq.sim.faults import CrashPoint

if TYPE_CHECKING:
    from minimq.runtime.consumer_session import ConsumerSession

SEND_BACK_FAILED_RETRY_MS = 5000  # submitConsumeRequestLater
CONSUME_TIMEOUT_MS = 15 * 60 * 1000
CLEAN_EXPIRE_LOOP = 16
CLIENT_LOCK_MAX_LIVE_MS = 30_000  # ProcessQueue.REBALANCE_LOCK_MAX_LIVE_TIME
LOCK_RETRY_MS = 100


class _Base:
    def __init__(self, session: ConsumerSession) -> None:
        self.s = session

    async def deliver(self, msg: MessageExt, pq: ProcessQueue, orderly: bool) -> tuple[str, str]:
        """Call the listener for one message, with every crash point around it."""
        s = self.s
        world = s.world
        pq.mark_started(msg, world.now_ms)
        world.emit(
            MessageDelivered(
                at_ms=world.now_ms,
                client=s.client,
                group=s.group,
                topic=msg.queue.topic,
                queue_id=msg.queue.queue_id,
                queue_offset=msg.queue_offset,
                msg_id=msg.msg_id,
                offset_msg_id=msg.offset_msg_id,
                real_topic=msg.topic,
                keys=msg.keys,
                reconsume_times=msg.reconsume_times,
            )
        )
        s.maybe_crash(CrashPoint.BEFORE_HANDLER, msg)
        extra = world.faults.extra_delay(s.group, msg)
        if extra:
            await asyncio.sleep(extra / 1000)
        if world.faults.crash_at(s.client, CrashPoint.IN_HANDLER, msg):
            world.loop.call_soon(s.crash, CrashPoint.IN_HANDLER)
        status, note = await invoke(s.handler, msg, orderly=orderly)
        world.emit(
            MessageConsumed(
                at_ms=world.now_ms,
                client=s.client,
                group=s.group,
                msg_id=msg.msg_id,
                offset_msg_id=msg.offset_msg_id,
                status=status,
                note=note,
            )
        )
        s.maybe_crash(CrashPoint.AFTER_HANDLER, msg)
        return status, note

    def retry_locally(self, msg: MessageExt, delay_ms: int, reason: str) -> MessageExt:
        """The copy to consume again on this client, one reconsume time older."""
        s = self.s
        again = replace(msg, reconsume_times=msg.reconsume_times + 1)
        s.world.emit(
            RetriedLocally(
                at_ms=s.world.now_ms,
                client=s.client,
                group=s.group,
                msg_id=msg.msg_id,
                reconsume_times=again.reconsume_times,
                delay_ms=delay_ms,
                reason=reason,
            )
        )
        return again

    def discard(self, msg: MessageExt) -> None:
        s = self.s
        s.world.emit(
            ConsumeResultDiscarded(
                at_ms=s.world.now_ms,
                client=s.client,
                group=s.group,
                msg_id=msg.msg_id,
                offset_msg_id=msg.offset_msg_id,
                reason="process queue dropped by a rebalance",
            )
        )


class ConcurrentConsumeService(_Base):
    """``ConsumeMessageConcurrentlyService``."""

    def __init__(self, session: ConsumerSession, threads: int) -> None:
        super().__init__(session)
        self._requests: deque[tuple[MessageExt, ProcessQueue, MessageQueue]] = deque()
        self._idle: list[asyncio.Future[None]] = []
        self._started = 0
        self.threads = threads

    def start(self) -> None:
        if self.s.clustering:
            self.s.spawn(self._clean_expired_loop(), f"{self.s.client}-clean-expired")

    def submit(self, msgs: list[MessageExt], pq: ProcessQueue, mq: MessageQueue) -> None:
        """Queue one request per message; wake idle workers, and start new ones (up to
        ``consumeThreadMax``) when none is idle, as a thread pool starts its core threads."""
        self._requests.extend((m, pq, mq) for m in msgs)
        idle = self._idle
        waiting = len(msgs)
        while waiting and idle:
            fut = idle.pop()
            if not fut.done():
                fut.set_result(None)
                waiting -= 1
        while waiting and self._started < self.threads:
            self._started += 1
            self.s.spawn(self._worker(), f"{self.s.client}-consume-{self._started}")
            waiting -= 1

    def submit_later(self, msg: MessageExt, pq: ProcessQueue, mq: MessageQueue, delay_ms: int) -> None:
        def resubmit() -> None:
            if self.s.alive and not pq.dropped:
                self.submit([msg], pq, mq)

        self.s.world.call_later_ms(delay_ms, resubmit)

    async def _worker(self) -> None:
        requests = self._requests
        loop = self.s.world.loop
        while True:
            if not requests:
                fut: asyncio.Future[None] = loop.create_future()
                self._idle.append(fut)
                await fut
                continue
            msg, pq, mq = requests.popleft()
            if not pq.dropped:
                await self._consume(msg, pq, mq)

    async def _consume(self, msg: MessageExt, pq: ProcessQueue, mq: MessageQueue) -> None:
        s = self.s
        status, _ = await self.deliver(msg, pq, orderly=False)
        if pq.dropped:
            self.discard(msg)
            return
        if status == ConsumeStatus.RECONSUME_LATER.value and s.clustering and pq.contains(msg):
            if not await s.send_message_back(msg, 0):
                again = self.retry_locally(msg, SEND_BACK_FAILED_RETRY_MS, "send-back failed")
                pq.replace(again)
                self.submit_later(again, pq, mq, SEND_BACK_FAILED_RETRY_MS)
                return
            if pq.dropped:
                self.discard(msg)
                return
        s.commit_local(mq, pq.remove([msg]), increase_only=True, msg=msg)

    async def _clean_expired_loop(self) -> None:
        while True:
            await asyncio.sleep(CONSUME_TIMEOUT_MS / 1000)
            for _mq, pq in sorted(self.s.pq_table.items()):
                await self._clean_expired(pq)

    async def _clean_expired(self, pq: ProcessQueue) -> None:
        s = self.s
        for _ in range(CLEAN_EXPIRE_LOOP):
            msg = pq.first()
            started = pq.start_ms.get(msg.queue_offset) if msg is not None else None
            if msg is None or started is None or s.world.now_ms - started <= CONSUME_TIMEOUT_MS:
                return
            s.world.emit(
                ConsumeTimedOut(
                    at_ms=s.world.now_ms,
                    client=s.client,
                    group=s.group,
                    msg_id=msg.msg_id,
                    offset_msg_id=msg.offset_msg_id,
                    started_ms=started,
                )
            )
            if not await s.send_message_back(msg, 3):
                return  # Java's sendMessageBack threw: the message stays, and so does the offset
            head = pq.first()
            if head is not None and head.queue_offset == msg.queue_offset:
                pq.remove([msg])


class OrderlyConsumeService(_Base):
    """``ConsumeMessageOrderlyService``."""

    def __init__(self, session: ConsumerSession, suspend_ms: int) -> None:
        super().__init__(session)
        self.suspend_ms = min(max(suspend_ms, 10), 30_000)
        self._wakers: dict[MessageQueue, Waker] = {}

    def start(self) -> None:
        return None

    def add_queue(self, mq: MessageQueue, pq: ProcessQueue) -> None:
        self._wakers[mq] = Waker(self.s.world.loop)
        self.s.spawn(self._queue_loop(mq, pq), f"{self.s.client}-orderly-{mq}")

    def submit(self, msgs: list[MessageExt], pq: ProcessQueue, mq: MessageQueue) -> None:
        waker = self._wakers.get(mq)
        if waker is not None:
            waker.wake()

    def _may_consume(self, pq: ProcessQueue) -> bool:
        if not self.s.clustering:
            return True
        return pq.locked and self.s.world.now_ms - pq.last_lock_ms <= CLIENT_LOCK_MAX_LIVE_MS

    async def _queue_loop(self, mq: MessageQueue, pq: ProcessQueue) -> None:
        s = self.s
        while not pq.dropped:
            if not self._may_consume(pq):
                await asyncio.sleep(LOCK_RETRY_MS / 1000)
                continue
            taken = pq.take(1)
            if not taken:
                await self._wakers[mq].wait()
                continue
            msg = taken[0]
            status, _ = await self.deliver(msg, pq, orderly=True)
            if pq.dropped:
                self.discard(msg)
                return
            if status == OrderlyStatus.SUCCESS.value:
                s.commit_local(mq, pq.commit(), increase_only=False, msg=msg)
            elif msg.reconsume_times < s.max_reconsume_times:
                pq.put_back([self.retry_locally(msg, self.suspend_ms, "SUSPEND_CURRENT_QUEUE_A_MOMENT")])
                await asyncio.sleep(self.suspend_ms / 1000)
            elif await s.send_message_back(msg, -1, msg.reconsume_times):
                s.commit_local(mq, pq.commit(), increase_only=False, msg=msg)
            else:  # checkReconsumeTimes: a failed send-back still counts as a consume attempt
                pq.put_back([self.retry_locally(msg, self.suspend_ms, "DLQ send-back failed")])
                await asyncio.sleep(self.suspend_ms / 1000)
