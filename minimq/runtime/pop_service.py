"""POP on one broker (and its proxy): receive, ack, change of invisible time, revival.

Owns: ``PopService``, which a ``Broker`` owns as it owns its ``SendBackService``: the
asyncio shell of RocketMQ 5.x's ``PopMessageProcessor`` (with ``PopLongPollingService``),
``AckMessageProcessor``, ``ChangeInvisibleTimeProcessor`` and ``PopReviveService``, and of
the proxy in front of them (``ReceiveMessageActivity``, ``ConsumerProcessor``,
``AckMessageActivity``, ``ChangeInvisibleDurationActivity``). The rules are decided in
``minimq.core.pop`` (the broker's) and ``minimq.core.pop_proxy`` (the proxy's); the
auto-renew of the push consumer's handles is ``minimq.runtime.pop_renew``. Run end to
end by tests/test_pop.py; lesson 12 (pop-invisible-time) shows it.
What this module does with the decisions:
- A receive pops across the topic's queues (``core.pop.pop_plan``), writes one checkpoint
  per queue's batch, moves the group's offset at once (``OffsetPersisted`` via ``pop``)
  and records ``MessagePopped``; a copy popped for the 18th time goes to
  ``%DLQ%<group>`` (the broker's send-back with delay level -1) and its handle is acked.
- An empty receive is held for the client's await duration (clamped to 5..20 s): a
  message stored in the topic wakes one held receive of each group (the earliest to
  expire), which pops again; a revival does not (it is stored in the retry topic, under
  another polling key). At the end of the wait the receive pops once more.
- Ack and change of invisible time answer ``INVALID_RECEIPT_HANDLE`` for an expired
  handle, else act on the checkpoint table (``MessageAcked``, ``InvisibleTimeChanged``).
- The revive pass runs at every whole second while a checkpoint waits, and stores each
  un-acked message of a due checkpoint again (``MessageRevived``, then ``MessageStored``);
  a message an OS crash cut is skipped.
- A group's offset past a queue's max offset (after an OS crash) is moved to the max
  offset by its next pop of that queue (``OFFSET_OVERFLOW_BADLY``: ``OffsetCorrected``,
  ``offset_range.correct_pop_offset``); an OS crash also cuts the checkpoints of the
  messages it cut (``cut``).

Simplifications: the proxy's DLQ forward and ack happen at pop time, not after the
response; the long-polling check is exact (Java's runs every 20 ms); no ``POLLING_FULL``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from minimq.core import pop_proxy as proxy
from minimq.core.pop import (
    POP_RETRY_QUEUE_NUMS,
    REVIVE_INTERVAL_MS,
    Checkpoint,
    CheckpointTable,
    ReceiptHandle,
    pop_plan,
    pop_retry_topic,
    revive,
)
from minimq.errors import UnknownTopic
from minimq.events import InvisibleTimeChanged, MessageAcked, MessagePopped
from minimq.model import MessageExt, MessageQueue
from minimq.runtime import offset_range
from minimq.runtime.pop_renew import ReceiptHandleManager

if TYPE_CHECKING:
    from minimq.runtime.broker import Broker
    from minimq.sim.kernel import Simulation

OK = "OK"
INVALID_RECEIPT_HANDLE = "INVALID_RECEIPT_HANDLE"


@dataclass(frozen=True, slots=True)
class Popped:
    """One popped copy and the receipt handle it is acked with."""

    message: MessageExt
    handle: ReceiptHandle


@dataclass(frozen=True, slots=True)
class Changed:
    """The answer to a change of invisible time: ``OK`` with the new handle, or refused."""

    status: str
    handle: ReceiptHandle | None


class PopService:
    """POP consumption on one broker."""

    def __init__(self, world: Simulation, broker: Broker) -> None:
        self._world = world
        self._broker = broker
        self.checkpoints = CheckpointTable()
        self.renewals = ReceiptHandleManager(world, self)
        self._held: dict[str, list[tuple[str, int, asyncio.Future[None]]]] = {}  # topic -> (group, expiry, future)
        self._revive: asyncio.TimerHandle | None = None

    def held(self) -> int:
        """Receives held now (long polling)."""
        return sum(len(entries) for entries in self._held.values())

    # -- receive ----------------------------------------------------------------------
    async def receive(
        self, *, group: str, client: str, topic: str, max_nums: int, invisible_ms: int, poll_ms: int, auto_renew: bool
    ) -> list[Popped]:
        """``ReceiveMessage``: pop up to ``max_nums``, holding an empty receive ``poll_ms``."""
        if topic not in self._broker.store.topics:
            raise UnknownTopic(topic, self._broker.business_topics())
        self._broker.groups.create_group(group)  # the subscription group, created at its first pop
        expiry = self._world.now_ms + poll_ms
        popped = self._pop(group, client, topic, min(max_nums, proxy.MAX_MESSAGE_NUM), invisible_ms)
        while not popped and self._world.now_ms < expiry:
            await self._hold(group, topic, expiry)
            popped = self._pop(group, client, topic, min(max_nums, proxy.MAX_MESSAGE_NUM), invisible_ms)
        if popped and self.backlog(group, topic):
            self._wake(group, topic)  # more is there: the next held receive pops it
        delivered = [p for p in popped if not self._dead_letter(p, client)]
        if auto_renew:
            self.renewals.track(client, group, delivered)
        return delivered

    def _pop(self, group: str, client: str, topic: str, max_nums: int, invisible_ms: int) -> list[Popped]:
        """``PopMessageProcessor.processRequest`` for one receive: the retry topic and the
        topic's queues in the order one draw decides."""
        store = self._broker.store
        plan = pop_plan(self._world.rng.randrange(100), store.topics[topic])
        retry = pop_retry_topic(group, topic)
        out: list[Popped] = []
        if plan.retry_first and retry in store.topics:
            self._pop_queue(store.queue(retry, 0), group, client, max_nums, invisible_ms, out)
        for queue_id in plan.queue_order:
            self._pop_queue(store.queue(topic, queue_id), group, client, max_nums, invisible_ms, out)
        if not plan.retry_first and retry in store.topics:
            self._pop_queue(store.queue(retry, 0), group, client, max_nums, invisible_ms, out)
        return out

    def _pop_queue(
        self, mq: MessageQueue, group: str, client: str, max_nums: int, invisible_ms: int, out: list[Popped]
    ) -> None:
        """``popMsgFromQueue``: one checkpoint for what this queue gives, offset moved now."""
        if len(out) >= max_nums:
            return
        broker, now = self._broker, self._world.now_ms
        broker.offsets.take_reset(group, mq.topic, mq.queue_id)  # resetPopOffset: the reset offset is committed
        committed = broker.query_offset(group, mq)
        offset = 0 if committed is None else committed  # getInitOffset: offset 0 is in memory
        corrected = offset_range.correct_pop_offset(self._world, broker, group, client, mq, offset)
        if corrected is not None:  # past the max offset (an OS crash): commit the max, pop from there
            broker.update_offset(group, mq, corrected, client, "pop")
            offset = corrected
        msgs = broker.store.get(mq, offset, max_nums - len(out))
        if not msgs:
            if committed is None:  # getPopOffset(init=true) commits the initial offset
                broker.update_offset(group, mq, offset, client, "pop")
            return
        ck = Checkpoint(
            group=group,
            client=client,
            topic=mq.topic,
            queue_id=mq.queue_id,
            start_offset=offset,
            offsets=tuple(m.queue_offset for m in msgs),
            pop_ms=now,
            invisible_ms=invisible_ms,
        )
        self.checkpoints.add(ck)
        self._schedule_revive()
        broker.update_offset(group, mq, offset + len(msgs), client, "pop")
        for msg in msgs:
            self._world.emit(
                MessagePopped(
                    at_ms=now,
                    group=group,
                    client=client,
                    topic=mq.topic,
                    queue_id=mq.queue_id,
                    queue_offset=msg.queue_offset,
                    msg_id=msg.msg_id,
                    offset_msg_id=msg.offset_msg_id,
                    real_topic=msg.topic,
                    reconsume_times=msg.reconsume_times,
                    invisible_ms=invisible_ms,
                    visible_ms=ck.revive_ms,
                )
            )
            out.append(Popped(msg, ck.handle(msg.queue_offset)))

    def _dead_letter(self, popped: Popped, client: str) -> bool:
        """``PopMessageResultFilterImpl`` ``TO_DLQ``: forward to ``%DLQ%<group>``, then ack."""
        msg = popped.message
        if not proxy.goes_to_dlq(msg.reconsume_times):
            return False
        self._broker.send_back(popped.handle.group, msg.offset_msg_id, -1, 0)
        self._acked(popped.handle, client, msg.msg_id, self.checkpoints.ack(popped.handle), "dead letter")
        return True

    def backlog(self, group: str, topic: str) -> int:
        """Messages left to pop for ``group`` in ``topic`` and its retry topic (``restNum``);
        a queue the group's offset is past (an OS crash cut it back) has none."""
        store, broker = self._broker.store, self._broker
        queues = list(store.queues(topic))
        retry = pop_retry_topic(group, topic)
        if retry in store.topics:
            queues.append(store.queue(retry, 0))
        return sum(max(0, store.max_offset(mq) - (broker.query_offset(group, mq) or 0)) for mq in queues)

    # -- long polling -----------------------------------------------------------------
    async def _hold(self, group: str, topic: str, expiry: int) -> None:
        """``PopLongPollingService.polling``: wait for a message in ``topic`` or ``expiry``."""
        fut: asyncio.Future[None] = self._world.loop.create_future()
        entry = (group, expiry, fut)
        self._held.setdefault(topic, []).append(entry)
        timer = self._world.call_later_ms(expiry - self._world.now_ms, lambda: _answer(fut))
        try:
            await fut
        finally:
            timer.cancel()
            held = self._held.get(topic, [])
            if entry in held:
                held.remove(entry)
            if not held:
                self._held.pop(topic, None)

    def fail_all(self, error: Exception) -> None:
        """The broker crashed: every held receive's connection is reset."""
        for held in self._held.values():
            for _, _, fut in held:
                if not fut.done():
                    fut.set_exception(error)

    def notify_arriving(self, mq: MessageQueue) -> None:
        """``notifyMessageArriving``: a message was stored in ``mq``; wake one held
        receive of each group waiting on its topic."""
        held = self._held.get(mq.topic)
        if not held:  # no receive waits on the topic: every write asks
            return
        for group in sorted({g for g, _, _ in held}):
            self._wake(group, mq.topic)

    def _wake(self, group: str, topic: str) -> None:
        waiting = [e for e in self._held.get(topic, []) if e[0] == group and not e[2].done()]
        if waiting:
            first = min(waiting, key=lambda e: e[1])  # PopRequest.COMPARATOR: the earliest to expire
            self._held[topic].remove(first)
            _answer(first[2])

    # -- ack and change of invisible time ---------------------------------------------
    def ack(self, *, group: str, client: str, handle: ReceiptHandle, msg_id: str) -> str:
        """``AckMessage``: the proxy's expiry check, then ``AckMessageProcessor``."""
        handle = self.renewals.take(client, group, handle)
        if handle.is_expired(self._world.now_ms):
            return INVALID_RECEIPT_HANDLE
        self._acked(handle, client, msg_id, self.checkpoints.ack(handle), "client")
        return OK

    def _acked(self, handle: ReceiptHandle, client: str, msg_id: str, took_effect: bool, via: str) -> None:
        self._world.emit(
            MessageAcked(
                at_ms=self._world.now_ms,
                group=handle.group,
                client=client,
                topic=handle.topic,
                queue_id=handle.queue_id,
                queue_offset=handle.queue_offset,
                msg_id=msg_id,
                took_effect=took_effect,
                via=via,
            )
        )

    def change_invisible(
        self, *, group: str, client: str, handle: ReceiptHandle, msg_id: str, invisible_ms: int, reason: str = "client"
    ) -> Changed:
        """``ChangeInvisibleDuration``: the proxy's expiry check (on the handle in force,
        which the client's may stand for: auto-renew stops then), then a new checkpoint
        and an ack of the old one."""
        if reason == "client":
            handle = self.renewals.take(client, group, handle)
        now = self._world.now_ms
        if handle.is_expired(now):
            return Changed(INVALID_RECEIPT_HANDLE, None)
        new, took_effect = self.checkpoints.change(handle, client, now, invisible_ms)
        self._schedule_revive()
        self._world.emit(
            InvisibleTimeChanged(
                at_ms=now,
                group=group,
                client=client,
                topic=handle.topic,
                queue_id=handle.queue_id,
                queue_offset=handle.queue_offset,
                msg_id=msg_id,
                invisible_ms=invisible_ms,
                visible_ms=new.visible_ms,
                took_effect=took_effect,
                reason=reason,
            )
        )
        return Changed(OK, new)

    def cut(self) -> None:
        """An OS crash cut the queues back: a checkpoint of a message cut goes with it."""
        store = self._broker.store
        ends = {(mq.topic, mq.queue_id): store.max_offset(mq) for topic in store.topics for mq in store.queues(topic)}
        self.checkpoints.cut(ends)

    # -- revive -----------------------------------------------------------------------
    def _schedule_revive(self) -> None:
        """Look again at the next whole second while a checkpoint waits (the revive
        service runs every second; while nothing waits, a world may stop)."""
        if self._revive is None and len(self.checkpoints):
            now = self._world.now_ms
            self._revive = self._world.call_later_ms(
                (now // REVIVE_INTERVAL_MS + 1) * REVIVE_INTERVAL_MS - now, self._tick
            )

    def _tick(self) -> None:
        """``PopReviveService``: store every un-acked message of each due checkpoint again."""
        self._revive = None
        broker, now = self._broker, self._world.now_ms
        if not broker.alive:  # a crashed broker revives nothing; its checkpoints wait on disk
            self._schedule_revive()
            return
        for ck in self.checkpoints.revive_due(now):
            mq = broker.store.queue(ck.topic, ck.queue_id)
            for offset in ck.unacked():
                found = broker.store.get(mq, offset, 1)
                if not found:  # an OS crash cut it: "can not get biz msg, then continue"
                    continue
                copy, event = revive(found[0], ck, now)
                self._world.emit(event)
                broker.ensure_topic(copy.queue.topic, POP_RETRY_QUEUE_NUMS)
                broker.store_copy(copy)
        self._schedule_revive()


def _answer(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)
