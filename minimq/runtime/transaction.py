"""The broker's side of transactional messages: halves, END_TRANSACTION, the check-back.

Owns: ``TransactionService``, the asyncio shell of ``minimq.core.transaction``: it stores
half messages and their written-back copies in ``RMQ_SYS_TRANS_HALF_TOPIC`` (queue 0,
created by the broker at the first half), performs ``END_TRANSACTION``, runs the
check-back scan and the op batch service on their timers, and asks the producers. Mirrors
``SendMessageProcessor`` with ``TransactionalMessageBridge.putHalfMessage`` (a half),
``EndTransactionProcessor``, ``TransactionalMessageCheckService``,
``TransactionalOpBatchService``, ``AbstractTransactionalMessageCheckListener
.sendCheckMessage`` and ``ProducerManager.getAvailableChannel``. Path P16, run end to end
by tests/test_transaction.py.
Rules performed here (the decisions are the core's):
- A half is stored where no consumer reads and answered ``SEND_OK`` with its half
  offset as the queue offset (what the producer's END names: ``tranStateTableOffset``).
- ``END_TRANSACTION`` looks the entry up by its offset msg id (the commit-log offset) and
  checks its queue offset; a COMMIT stores the copy in the real topic (``MessageStored``,
  the same msg id, a new offset msg id), however many times it comes.
- The scan runs every ``transactionCheckInterval`` (30 s) from the broker's start, the op
  batch service every ``transactionOpBatchInterval`` (3 s). A check asks one producer of
  the group, taken in turn (``positiveAtomicCounter % size``), down the channel it
  registered through (``CHECK_TRANSACTION_STATE``, oneway); with none online, nobody is
  asked, and the entry is checked again at the next scan all the same.
- Settings: ``configure(check_interval_ms=, timeout_ms=, check_max=)`` (broker.conf's
  ``transactionCheckInterval``, ``transactionTimeOut``, ``transactionCheckMax``).
- An OS crash cuts the half queue with the commit log (``cut``): a half written since the
  last flush is gone, and an END or a check for it finds nothing.
Simplifications: the timers run only while the half queue has work (a scan with nothing
to reach does nothing, so leaving it out changes no trace; a world with no half has no
transaction timer at all); a discarded half is stored in ``TRANS_CHECK_MAX_TIME_TOPIC``
without its own ``MessageStored`` (``HalfMessageDiscarded`` tells it); a producer
registers once when it starts, not by a heartbeat every 30 s.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, assert_never

from minimq.core.send_back import Copy
from minimq.core.transaction import (
    CID_RMQ_SYS_TRANS,
    PROPERTY_PRODUCER_GROUP,
    PROPERTY_REAL_QUEUE_ID,
    PROPERTY_REAL_TOPIC,
    PROPERTY_TRANSACTION_CHECK_TIMES,
    PROPERTY_TRANSACTION_PREPARED,
    TRANS_CHECK_MAX_TIME_TOPIC,
    TRANS_HALF_TOPIC,
    TRANSACTION_CHECK_INTERVAL_MS,
    TRANSACTION_CHECK_MAX,
    TRANSACTION_OP_BATCH_INTERVAL_MS,
    TRANSACTION_TIMEOUT_MS,
    Check,
    Discard,
    EndTransaction,
    Half,
    HalfMessageTable,
)
from minimq.errors import ValidationError
from minimq.events import (
    HalfMessageCommitted,
    HalfMessageDiscarded,
    HalfMessageRolledBack,
    HalfMessageStored,
    OffsetRestored,
    OpMessageWritten,
    OpRecordsLost,
    ProducerRegistered,
    ProducerUnregistered,
    TransactionChecked,
)
from minimq.model import LocalTransactionState, Message, MessageExt, MessageQueue, SendResult, SendStatus
from minimq.records import record

if TYPE_CHECKING:
    from minimq.runtime.broker import Broker
    from minimq.sim.kernel import Simulation

HALF_QUEUE = MessageQueue(TRANS_HALF_TOPIC, 0)
_HALF_ONLY = (PROPERTY_TRANSACTION_PREPARED, PROPERTY_REAL_TOPIC, PROPERTY_REAL_QUEUE_ID)


@record
class CheckRequest:
    """``CHECK_TRANSACTION_STATE``: ``msg`` is the half message as its real topic's message
    (what a check listener reads); the answer names the entry ``offset_msg_id`` at
    ``half_offset``."""

    msg: MessageExt
    offset_msg_id: str
    half_offset: int


Channel = Callable[[CheckRequest], None]  # a producer's connection: the broker's checks come down it


class TransactionService:
    """Transactional messages on one broker."""

    def __init__(self, world: Simulation, broker: Broker) -> None:
        self._world = world
        self._broker = broker
        self.table = HalfMessageTable()
        self.check_interval_ms = TRANSACTION_CHECK_INTERVAL_MS
        self.timeout_ms = TRANSACTION_TIMEOUT_MS
        self.check_max = TRANSACTION_CHECK_MAX
        self._producers: dict[str, list[tuple[str, Channel]]] = {}  # group -> (producer, channel)
        self._turn = 0  # ProducerManager.positiveAtomicCounter
        self._scan_due: asyncio.TimerHandle | None = None
        self._ops_due: asyncio.TimerHandle | None = None

    def configure(
        self, *, check_interval_ms: int | None = None, timeout_ms: int | None = None, check_max: int | None = None
    ) -> None:
        """Change the broker's transaction settings (from now on)."""
        for name, value, least in (("check_interval_ms", check_interval_ms, 1), ("timeout_ms", timeout_ms, 0)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < least):
                raise ValidationError(f"{name} must be a whole number of milliseconds, {least} or more", value)
        if check_max is not None and (isinstance(check_max, bool) or not isinstance(check_max, int) or check_max < 1):
            raise ValidationError("check_max must be a whole number, 1 or more", check_max)
        self.check_interval_ms = check_interval_ms if check_interval_ms is not None else self.check_interval_ms
        self.timeout_ms = timeout_ms if timeout_ms is not None else self.timeout_ms
        self.check_max = check_max if check_max is not None else self.check_max

    # -- producers ------------------------------------------------------------------------
    def register_producer(self, group: str, producer: str, channel: Channel) -> None:
        self._producers.setdefault(group, []).append((producer, channel))
        self._world.emit(ProducerRegistered(at_ms=self._world.now_ms, group=group, producer=producer))

    def unregister_producer(self, group: str, channel: Channel) -> None:
        members = self._producers.get(group, [])
        for producer, known in list(members):
            if known is channel:
                members.remove((producer, known))
                self._world.emit(ProducerUnregistered(at_ms=self._world.now_ms, group=group, producer=producer))

    def _available(self, group: str) -> tuple[str, Channel] | None:
        members = self._producers.get(group)
        if not members:
            return None
        self._turn += 1
        return members[self._turn % len(members)]

    # -- a half, and its end ---------------------------------------------------------------
    def prepare(self, msg: Message, mq: MessageQueue, born_ms: int) -> SendResult:
        """Store ``msg``, bound for ``mq``, as a half message."""
        assert msg.msg_id is not None
        world, store = self._world, self._broker.store
        self._broker.ensure_topic(TRANS_HALF_TOPIC, 1)
        self._broker.life.catch_up()  # a commit-log write: the flushes due first
        group = msg.properties.get(PROPERTY_PRODUCER_GROUP, "")
        half = self.table.prepare(msg_id=msg.msg_id, group=group, born_ms=born_ms, now_ms=world.now_ms)
        props = {**msg.properties, PROPERTY_REAL_TOPIC: mq.topic, PROPERTY_REAL_QUEUE_ID: str(mq.queue_id)}
        stored = MessageExt(
            topic=mq.topic,
            queue=HALF_QUEUE,
            queue_offset=half.half_offset,
            body=msg.body,
            tags=msg.tags,
            keys=msg.keys,
            properties=tuple(sorted(props.items())),
            msg_id=msg.msg_id,
            offset_msg_id=store.next_offset_msg_id(len(msg.body)),
            born_ms=born_ms,
            store_ms=world.now_ms,
        )
        self._append(stored)
        world.emit(
            HalfMessageStored(
                at_ms=world.now_ms,
                group=group,
                msg_id=msg.msg_id,
                offset_msg_id=stored.offset_msg_id,
                half_offset=half.half_offset,
                real_topic=mq.topic,
                real_queue_id=mq.queue_id,
                keys=msg.keys,
            )
        )
        self._arm_scan()
        return SendResult(SendStatus.SEND_OK, msg.msg_id, stored.offset_msg_id, mq, half.half_offset)

    def end(self, request: EndTransaction) -> None:
        """``END_TRANSACTION`` (oneway: a refusal is heard by nobody)."""
        stored = self._broker.store.look_up(request.offset_msg_id)
        if stored is None or stored.queue != HALF_QUEUE or stored.queue_offset != request.half_offset:
            return  # "Find prepared transaction message failed" / "offset wrong"
        half = self.table.end(request, self._world.now_ms)
        if half is None:
            return
        self._arm_ops()
        now = self._world.now_ms
        if request.state is LocalTransactionState.ROLLBACK_MESSAGE:
            self._world.emit(
                HalfMessageRolledBack(
                    at_ms=now,
                    group=half.group,
                    msg_id=half.msg_id,
                    half_offset=half.half_offset,
                    from_check=request.from_check,
                )
            )
            return
        real = self._commit(stored)
        self._world.emit(
            HalfMessageCommitted(
                at_ms=now,
                group=half.group,
                msg_id=half.msg_id,
                half_offset=half.half_offset,
                topic=real.queue.topic,
                queue_id=real.queue_id,
                queue_offset=real.queue_offset,
                offset_msg_id=real.offset_msg_id,
                from_check=request.from_check,
                commits=self.table.commits(half.msg_id),
            )
        )

    def _commit(self, stored: MessageExt) -> MessageExt:
        """``endMessageTransaction`` + ``sendFinalMessage``: the half, back in its real queue."""
        props = dict(stored.properties)
        mq = self._broker.store.queue(props[PROPERTY_REAL_TOPIC], int(props[PROPERTY_REAL_QUEUE_ID]))
        kept = tuple((k, v) for k, v in stored.properties if k not in _HALF_ONLY)
        source = dataclasses.replace(stored, topic=mq.topic, properties=kept)
        return self._broker.store_copy(Copy(source=source, queue=mq, reconsume_times=0, origin_msg_id=None))

    # -- the check-back scan ---------------------------------------------------------------
    def _arm_scan(self) -> None:
        if self._scan_due is None and self.table.awaiting_scan():
            self._scan_due = self._at_next_tick(self.check_interval_ms, self._scan)

    def _at_next_tick(self, interval_ms: int, callback: Callable[[], None]) -> asyncio.TimerHandle:
        """``callback`` at the next multiple of ``interval_ms`` since the broker's start."""
        now = self._world.now_ms
        return self._world.call_later_ms((now // interval_ms + 1) * interval_ms - now, callback)

    def _scan(self) -> None:
        self._scan_due = None
        now = self._world.now_ms
        if not self._broker.alive:  # a crashed broker checks nothing; its halves wait on disk
            self._arm_scan()
            return
        self._broker.life.catch_up()  # the scan moves its offset: the flushes due first
        for step in self.table.scan(now, timeout_ms=self.timeout_ms, check_max=self.check_max):
            match step:
                case Discard(half=half):
                    self._discard(half)
                case Check(half=half, copy=copy):
                    self._check(half, copy)
                case _:
                    assert_never(step)
        self._arm_scan()

    def _discard(self, half: Half) -> None:
        """``resolveDiscardMsg``: the half, into ``TRANS_CHECK_MAX_TIME_TOPIC`` queue 0."""
        broker, store = self._broker, self._broker.store
        broker.ensure_topic(TRANS_CHECK_MAX_TIME_TOPIC, 1)
        mq = store.queue(TRANS_CHECK_MAX_TIME_TOPIC, 0)
        source = store.get(HALF_QUEUE, half.half_offset, 1)[0]
        broker.life.catch_up()
        offset_msg_id = store.next_offset_msg_id(len(source.body))
        now = self._world.now_ms
        self._append(
            dataclasses.replace(
                source, queue=mq, queue_offset=store.max_offset(mq), offset_msg_id=offset_msg_id, store_ms=now
            )
        )
        self._world.emit(
            HalfMessageDiscarded(
                at_ms=now,
                group=half.group,
                msg_id=half.msg_id,
                half_offset=half.half_offset,
                check_times=half.check_times,
            )
        )

    def _check(self, half: Half, copy: Half) -> None:
        """``putBackHalfMsgQueue`` + ``resolveHalfMsg``: store ``copy``, ask a producer."""
        store, now = self._broker.store, self._world.now_ms
        source = store.get(HALF_QUEUE, half.half_offset, 1)[0]
        self._broker.life.catch_up()
        props = dict(source.properties) | {PROPERTY_TRANSACTION_CHECK_TIMES: str(copy.check_times)}
        written = dataclasses.replace(
            source,
            queue_offset=copy.half_offset,
            properties=tuple(sorted(props.items())),
            offset_msg_id=store.next_offset_msg_id(len(source.body)),
            store_ms=now,
        )
        self._append(written)
        asked = self._available(half.group)
        self._world.emit(
            TransactionChecked(
                at_ms=now,
                group=half.group,
                msg_id=half.msg_id,
                half_offset=half.half_offset,
                copy_offset=copy.half_offset,
                check_times=copy.check_times,
                producer=asked[0] if asked else "",
            )
        )
        if asked is not None:
            channel = asked[1]
            real = dataclasses.replace(written, queue=self._broker.store.queue(written.topic, _real_queue_id(written)))
            request = CheckRequest(msg=real, offset_msg_id=written.offset_msg_id, half_offset=copy.half_offset)
            self._world.network.push(lambda: channel(request), what=f"check transaction {half.msg_id}")

    def _append(self, msg: MessageExt) -> None:
        """Write ``msg`` to the commit log, as every write is: the flush service wakes."""
        self._broker.store.append(msg)
        self._broker.life.written(self._broker.store.position)

    def crashed(self) -> None:
        """The broker process died: the op records queued in memory with it
        (``HalfMessageTable.drop_queued_ops``)."""
        if self._ops_due is not None:
            self._ops_due.cancel()
            self._ops_due = None
        lost = self.table.drop_queued_ops()
        if lost:
            self._world.emit(OpRecordsLost(at_ms=self._world.now_ms, half_offsets=tuple(lost)))

    def reload(self, flushed_ms: int) -> None:
        """A restart: the scan goes back to the position last flushed with the consumer
        offsets (flushed at ``flushed_ms``, -1: never), told as the system group's offset."""
        offset, previous = self.table.reload()
        if offset != previous:
            self._world.emit(
                OffsetRestored(
                    at_ms=self._world.now_ms,
                    group=CID_RMQ_SYS_TRANS,
                    topic=TRANS_HALF_TOPIC,
                    queue_id=0,
                    offset=offset,
                    previous=previous,
                    flushed_ms=flushed_ms,
                )
            )
        self._arm_scan()

    def cut(self) -> None:
        """An OS crash cut the commit log back, and the half queue with it: the entries
        past its new end are gone (``HalfMessageTable.cut``)."""
        store = self._broker.store
        if TRANS_HALF_TOPIC in store.topics:
            self.table.cut(store.max_offset(HALF_QUEUE))

    # -- op records ------------------------------------------------------------------------
    def _arm_ops(self) -> None:
        if self._ops_due is None and self.table.ops_queued():
            self._ops_due = self._at_next_tick(TRANSACTION_OP_BATCH_INTERVAL_MS, self._write_ops)

    def _write_ops(self) -> None:
        self._ops_due = None
        written = self.table.write_ops(self._world.now_ms)
        if written:
            self._world.emit(OpMessageWritten(at_ms=self._world.now_ms, half_offsets=written))
        self._arm_ops()

    def unresolved(self) -> int:
        """Half entries not resolved yet, and op records not written yet."""
        return self.table.unresolved()


def _real_queue_id(msg: MessageExt) -> int:
    return int(msg.property(PROPERTY_REAL_QUEUE_ID) or 0)
