"""Consuming a batch: one listener call for up to ``consumeMessageBatchMaxSize`` messages.

Owns: the batch half of RocketMQ's ``ConsumeMessageConcurrentlyService.ConsumeRequest.run``
and ``ConsumeMessageOrderlyService.ConsumeRequest.run``, for a consumer made with
``batch=True`` (``consume_service`` hands each request here). What the answer means
(``ackIndex``, whole-batch retries) is decided in ``minimq.core.consume_batch``; this
module calls the listener, records the events and performs the decisions.
Rules kept here:
- Every message of the batch gets its start time (``CONSUME_START_TIME``, read by the
  consume-timeout scan) and a ``MessageDelivered`` when the listener is called, and a
  ``MessageConsumed`` when it returns, after the batch's ``BatchConsumed``.
- The listener gets the list and a fresh context (``ConsumeConcurrentlyContext``:
  ``ackIndex`` = ``Integer.MAX_VALUE``; orderly ``ConsumeOrderlyContext``).
- Send-backs go one after the other, in offset order, as Java's loop sends them.
Fault points: a crash point fires if it names any message of the batch (the first that
matches, in offset order); a slow handler's delays add up over the batch's messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, assert_never

from minimq.core import consume_batch as rule
from minimq.core.consume_result import Commit, Discard
from minimq.model import ConsumeConcurrentlyContext, ConsumeOrderlyContext, MessageExt, MessageQueue
from minimq.runtime.listener import delivered, invoke_batch
from minimq.sim.faults import CrashPoint

if TYPE_CHECKING:
    from minimq.core.process_queue import ProcessQueue
    from minimq.runtime.consume_service import ConcurrentConsumeService, OrderlyConsumeService
    from minimq.runtime.consumer_session import ConsumerSession


async def deliver_batch(
    s: ConsumerSession, msgs: list[MessageExt], pq: ProcessQueue, mq: MessageQueue, *, orderly: bool
) -> int:
    """Call the listener for ``msgs``, with every crash point around it; return how many
    messages, from the first, it acknowledged."""
    world = s.world
    for msg in msgs:
        pq.mark_started(msg, world.now_ms)
        world.emit(delivered(msg, client=s.client, group=s.group, now_ms=world.now_ms))
    for msg in msgs:
        s.maybe_crash(CrashPoint.BEFORE_HANDLER, msg)
    extra = sum(world.faults.extra_delay(s.group, msg) for msg in msgs)
    if extra:
        await asyncio.sleep(extra / 1000)
    if any(world.faults.crash_at(s.client, CrashPoint.IN_HANDLER, msg) for msg in msgs):
        world.loop.call_soon(s.crash, CrashPoint.IN_HANDLER)
    context = ConsumeOrderlyContext(mq) if orderly else ConsumeConcurrentlyContext(mq)
    status, note = await invoke_batch(s.handler, list(msgs), context, orderly=orderly)
    ack_index = context.ack_index if isinstance(context, ConsumeConcurrentlyContext) else -1
    acked, events = rule.read_batch(
        mq, msgs, status, note, ack_index, orderly=orderly, client=s.client, group=s.group, now_ms=world.now_ms
    )
    for event in events:
        world.emit(event)
    for msg in msgs:
        s.maybe_crash(CrashPoint.AFTER_HANDLER, msg)
    return acked


async def consume_concurrently(
    service: ConcurrentConsumeService, msgs: list[MessageExt], pq: ProcessQueue, mq: MessageQueue
) -> None:
    """``ConsumeRequest.run`` and ``processConsumeResult`` for one batch."""
    s = service.s
    acked = await deliver_batch(s, msgs, pq, mq, orderly=False)
    step: Commit | rule.BatchSendBack | Discard = rule.concurrent_batch_result(
        pq, msgs, acked, clustering=s.clustering, client=s.client, group=s.group, now_ms=s.world.now_ms
    )
    again = None
    if isinstance(step, rule.BatchSendBack):
        not_sent = [m for m in step.msgs if not await s.send_message_back(m, step.delay_level)]
        step, again = rule.concurrent_batch_sent_back(
            pq, msgs, not_sent, client=s.client, group=s.group, now_ms=s.world.now_ms
        )
    if again is not None:
        service.record(again.events)
        service.submit_later(list(again.again), pq, mq, again.delay_ms)
    match step:
        case Commit(offset=offset, increase_only=increase_only, events=dropped):
            service.record(dropped)
            left = {m.queue_offset for m in again.again} if again is not None else set()
            done = [m for m in msgs if m.queue_offset not in left]
            s.commit_local(mq, offset, increase_only=increase_only, msg=None, batch=done)
        case Discard(events=events):
            service.record(events)
        case _:
            assert_never(step)


async def consume_orderly(
    service: OrderlyConsumeService, msgs: list[MessageExt], pq: ProcessQueue, mq: MessageQueue
) -> bool:
    """One round of the orderly ``ConsumeRequest.run`` loop for a batch; False when the
    queue's loop must end (its result was discarded)."""
    s = service.s
    acked = await deliver_batch(s, msgs, pq, mq, orderly=True)
    now = s.world.now_ms
    most, pause = s.max_reconsume_times, service.suspend_ms
    step = rule.orderly_batch_result(
        pq, msgs, acked, max_reconsume_times=most, suspend_ms=pause, client=s.client, group=s.group, now_ms=now
    )
    if isinstance(step, rule.BatchSendBack):
        not_sent = [m for m in step.msgs if not await s.send_as_normal_message(m)]
        step = rule.orderly_batch_sent_back(
            pq,
            msgs,
            not_sent,
            max_reconsume_times=most,
            suspend_ms=pause,
            client=s.client,
            group=s.group,
            now_ms=s.world.now_ms,
        )
    return await _perform_orderly(service, step, msgs, mq)


async def _perform_orderly(
    service: OrderlyConsumeService,
    step: Commit | rule.BatchRetryLocally | Discard,
    msgs: Sequence[MessageExt],
    mq: MessageQueue,
) -> bool:
    match step:
        case Commit(offset=offset, increase_only=increase_only):
            service.s.commit_local(mq, offset, increase_only=increase_only, msg=None, batch=msgs)
        case rule.BatchRetryLocally(delay_ms=delay_ms, events=events):
            service.record(events)
            await asyncio.sleep(delay_ms / 1000)
        case Discard(events=events):
            service.record(events)
            return False
        case _:
            assert_never(step)
    return True
