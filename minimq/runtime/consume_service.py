"""Running the listener over pulled messages: concurrently, or in order per queue.

Owns: ``ConcurrentConsumeService`` and ``OrderlyConsumeService``, the asyncio shell of
RocketMQ's ``ConsumeMessageConcurrentlyService`` and ``ConsumeMessageOrderlyService``,
shown in lesson 3 (offsets). What happens after the listener answers (commit, send
back, retry here, discard) and the consume-timeout scan are decided in
``minimq.core.consume_result``; this module calls the listener, performs the decisions
(records their events, sends back through the network, waits) and schedules the work.
Concurrent rules kept here:
- Up to 20 consume workers (``consumeThreadMin/Max``), started as work arrives, take
  requests in pull order; a request whose queue was dropped is skipped. A request is one
  message (``consumeMessageBatchMaxSize = 1``, the default), or, for a consumer made with
  ``batch=True``, up to that many messages of one pull, handed to
  ``minimq.runtime.batch_consume``.
- The consume-timeout scan runs at a fixed rate of 15 min, the first time 15 min after
  start (``scheduleAtFixedRate``), in clustering only.
Orderly rules kept here:
- One consume loop per queue, only while the queue's lock is held and younger than 30 s
  (checked again every 100 ms); it takes one message at a time, or up to
  ``consumeMessageBatchMaxSize`` for a batch listener (``takeMessages``).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, assert_never

from minimq.core import consume_result as rule
from minimq.core.process_queue import ProcessQueue
from minimq.events import Event, MessageConsumed
from minimq.model import MessageExt, MessageQueue
from minimq.runtime.batch_consume import consume_concurrently, consume_orderly
from minimq.runtime.listener import delivered, invoke
from minimq.runtime.waker import Waker
from minimq.sim.faults import CrashPoint

if TYPE_CHECKING:
    from minimq.runtime.consumer_session import ConsumerSession

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
        world.emit(delivered(msg, client=s.client, group=s.group, now_ms=world.now_ms))
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

    def record(self, events: Iterable[Event]) -> None:
        emit = self.s.world.emit
        for event in events:
            emit(event)


class ConcurrentConsumeService(_Base):
    """``ConsumeMessageConcurrentlyService``."""

    def __init__(self, session: ConsumerSession, threads: int) -> None:
        super().__init__(session)
        self._requests: deque[tuple[list[MessageExt], ProcessQueue, MessageQueue]] = deque()
        self._idle: list[asyncio.Future[None]] = []
        self._started = 0
        self.threads = threads
        self.batch_size = session.consumer.consume_message_batch_max_size
        self.batch = session.consumer.batch

    def start(self) -> None:
        if self.s.clustering:
            self.s.spawn(self._clean_expired_loop(), f"{self.s.client}-clean-expired")

    def submit(self, msgs: list[MessageExt], pq: ProcessQueue, mq: MessageQueue) -> None:
        """Queue one request per ``batch_size`` messages (``submitConsumeRequest``); wake
        idle workers, and start new ones (up to ``consumeThreadMax``) when none is idle, as
        a thread pool starts its core threads."""
        n = self.batch_size
        if n == 1:
            requests = [([m], pq, mq) for m in msgs]
        else:
            requests = [(msgs[i : i + n], pq, mq) for i in range(0, len(msgs), n)]
        self._requests.extend(requests)
        idle = self._idle
        waiting = len(requests)
        while waiting and idle:
            fut = idle.pop()
            if not fut.done():
                fut.set_result(None)
                waiting -= 1
        while waiting and self._started < self.threads:
            self._started += 1
            self.s.spawn(self._worker(), f"{self.s.client}-consume-{self._started}")
            waiting -= 1

    def submit_later(self, msgs: list[MessageExt], pq: ProcessQueue, mq: MessageQueue, delay_ms: int) -> None:
        def resubmit() -> None:
            if self.s.alive and not pq.dropped:
                self.submit(msgs, pq, mq)

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
            msgs, pq, mq = requests.popleft()
            if pq.dropped:
                continue
            if self.batch:
                await consume_concurrently(self, msgs, pq, mq)
            else:
                await self._consume(msgs[0], pq, mq)

    async def _consume(self, msg: MessageExt, pq: ProcessQueue, mq: MessageQueue) -> None:
        s = self.s
        status, _ = await self.deliver(msg, pq, orderly=False)
        step: rule.Commit | rule.SendBack | rule.RetryLocally | rule.Discard = rule.concurrent_result(
            pq, msg, status, clustering=s.clustering, client=s.client, group=s.group, now_ms=s.world.now_ms
        )
        if isinstance(step, rule.SendBack):
            sent = await s.send_message_back(msg, step.delay_level)
            step = rule.concurrent_sent_back(pq, msg, sent, client=s.client, group=s.group, now_ms=s.world.now_ms)
        match step:
            case rule.Commit(offset=offset, increase_only=increase_only, events=dropped):
                self.record(dropped)
                s.commit_local(mq, offset, increase_only=increase_only, msg=msg)
            case rule.RetryLocally(again=again, delay_ms=delay_ms, events=events):
                self.record(events)
                self.submit_later([again], pq, mq, delay_ms)
            case rule.Discard(events=events):
                self.record(events)
            case _:
                assert_never(step)

    async def _clean_expired_loop(self) -> None:
        """``scheduleAtFixedRate(cleanExpireMsg, 15, 15, MINUTES)``: the n-th scan is due
        n periods after the start, whatever the scans before it took (their send-backs
        wait for replies); a scan due while the last one still ran starts when it ends."""
        world = self.s.world
        due = world.now_ms
        while True:
            due += rule.CONSUME_TIMEOUT_MS
            if due > world.now_ms:
                await asyncio.sleep((due - world.now_ms) / 1000)
            for _mq, pq in sorted(self.s.pq_table.items()):
                await self._clean_expired(pq)

    async def _clean_expired(self, pq: ProcessQueue) -> None:
        s = self.s
        for _ in range(rule.CLEAN_EXPIRE_LOOP):
            timed_out = rule.expired_head(pq, client=s.client, group=s.group, now_ms=s.world.now_ms)
            if timed_out is None:
                return
            self.record(timed_out.events)
            sent = await s.send_message_back(timed_out.msg, timed_out.send_back.delay_level)
            if not rule.expired_sent_back(pq, timed_out.msg, sent):
                return


class OrderlyConsumeService(_Base):
    """``ConsumeMessageOrderlyService``."""

    def __init__(self, session: ConsumerSession, suspend_ms: int) -> None:
        super().__init__(session)
        self.suspend_ms = rule.suspend_time_ms(suspend_ms)
        self._wakers: dict[MessageQueue, Waker] = {}
        self.batch_size = session.consumer.consume_message_batch_max_size
        self.batch = session.consumer.batch

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
            taken = pq.take(self.batch_size)
            if not taken:
                await self._wakers[mq].wait()
                continue
            if self.batch:
                if not await consume_orderly(self, taken, pq, mq):
                    return
                continue
            msg = taken[0]
            status, _ = await self.deliver(msg, pq, orderly=True)
            step = rule.orderly_result(
                pq,
                msg,
                status,
                max_reconsume_times=s.max_reconsume_times,
                suspend_ms=self.suspend_ms,
                client=s.client,
                group=s.group,
                now_ms=s.world.now_ms,
            )
            if isinstance(step, rule.SendBack):
                sent = await s.send_as_normal_message(msg)
                step = rule.orderly_sent_back(
                    pq, msg, sent, suspend_ms=self.suspend_ms, client=s.client, group=s.group, now_ms=s.world.now_ms
                )
            match step:
                case rule.Commit(offset=offset, increase_only=increase_only):
                    s.commit_local(mq, offset, increase_only=increase_only, msg=msg)
                case rule.RetryLocally(delay_ms=delay_ms, events=events):
                    self.record(events)
                    await asyncio.sleep(delay_ms / 1000)
                case rule.Discard(events=events):
                    self.record(events)
                    return
                case _:
                    assert_never(step)
