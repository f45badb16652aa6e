"""The broker's side of a consumer retry: the send-back request and the delayed copies.

Owns: ``SendBackService``, the asyncio shell of RocketMQ's
``AbstractSendMessageProcessor.consumerSendMsgBack`` (the request), of
``SendMessageProcessor.handleRetryAndDLQ`` (a normal message sent to ``%RETRY%<group>``:
a consumer's fallback, an orderly consumer's dead letter) and of
``ScheduleMessageService`` (the copies waiting for their delay level in
``SCHEDULE_TOPIC_XXXX``, ``minimq.core.schedule``); run end to end by
tests/test_consumer_retry.py, and through a broker crash by tests/test_broker_crash.py.
Where the copy goes, when, and with which reconsume times is decided by
``minimq.core.send_back`` (``decide_send_back``, ``decide_retry_message``); this module
performs the decision:
- a dead letter: create ``%DLQ%<group>`` if needed, store the copy, then record
  ``MessageDeadLettered``;
- a retry: record ``MessageSentBack``, create ``%RETRY%<group>`` if needed, write the copy
  to its level's queue of the schedule topic, and store it in ``%RETRY%<group>`` when its
  delay is over (``MessageStored``), which moves the level's offset past it.
After a restart (``start``) each level is delivered again from its flushed offset, 1 s
later (``FIRST_DELAY_TIME``): what was delivered since that flush comes again (#3473).
Simplification: a copy is delivered at exactly its due millisecond, by a timer of its
own (Java's task looks at each level every 100 ms).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, assert_never

from minimq.core.schedule import FIRST_DELAY_MS, Scheduled, ScheduleTopic
from minimq.core.send_back import DeadLetter, Retry, RetryMessage, decide_retry_message, decide_send_back
from minimq.errors import ValidationError
from minimq.events import Event

if TYPE_CHECKING:
    from minimq.runtime.broker import Broker
    from minimq.sim.kernel import Simulation


class SendBackService:
    """``CONSUMER_SEND_MSG_BACK`` on one broker, and the retry copies it holds back."""

    def __init__(self, world: Simulation, broker: Broker) -> None:
        self._world = world
        self._broker = broker
        self.schedule = ScheduleTopic()
        self._epoch = 0  # the broker's incarnation: a timer of an earlier one does nothing

    @property
    def scheduled(self) -> int:
        """Retry copies waiting in the schedule topic for their delay."""
        return self.schedule.pending()

    def send_back(self, group: str, offset_msg_id: str, delay_level: int, max_reconsume_times: int) -> None:
        """``CONSUMER_SEND_MSG_BACK``: schedule a retry copy of the stored message
        ``offset_msg_id``, or dead-letter it."""
        original = self._broker.store.look_up(offset_msg_id)
        if original is None:
            raise ValidationError("no stored message has this offset msg id", offset_msg_id)
        now = self._world.now_ms
        self._perform(
            decide_send_back(
                original, group=group, now_ms=now, delay_level=delay_level, max_reconsume_times=max_reconsume_times
            )
        )

    def put_retry_message(self, group: str, message: RetryMessage) -> None:
        """A normal message sent to ``%RETRY%<group>``: schedule it, or dead-letter it."""
        now = self._world.now_ms
        locked = not self._broker.locks.all_expired(group, now)
        self._perform(decide_retry_message(message, group=group, now_ms=now, group_locked=locked))

    def _perform(self, decision: Retry | DeadLetter) -> None:
        broker = self._broker
        match decision:
            case DeadLetter(copy=copy):
                broker.ensure_topic(copy.queue.topic, decision.queue_nums)
                broker.store_copy(copy)
                self._record(decision.events)
            case Retry(copy=copy, due_ms=due_ms):
                self._record(decision.events)
                broker.ensure_topic(copy.queue.topic, decision.queue_nums)
                broker.life.catch_up()
                entry = self.schedule.put(copy, decision.delay_level, due_ms, broker.store.write_elsewhere())
                self._deliver_at(entry.level, due_ms)
            case _:
                assert_never(decision)

    def _record(self, events: Iterable[Event]) -> None:
        for event in events:
            self._world.emit(event)

    def _deliver_at(self, level: int, due_ms: int) -> None:
        epoch, world = self._epoch, self._world
        world.call_later_ms(max(0, due_ms - world.now_ms), lambda: self._deliver(level, epoch))

    def _deliver(self, level: int, epoch: int) -> None:
        """``DeliverDelayedMessageTimerTask`` for one copy: store the copy at ``level``'s
        offset in its real topic once it is due, and move the offset past it."""
        if epoch != self._epoch:
            return
        entry = self.schedule.next_due(level, self._world.now_ms)
        if entry is not None:
            self._store(entry)

    def _store(self, entry: Scheduled) -> None:
        self._broker.life.catch_up()
        self.schedule.delivered(entry)
        self._broker.store_copy(entry.copy)

    # -- life of the broker ---------------------------------------------------------------
    def stop(self) -> None:
        """The broker died: the timers of this incarnation will do nothing."""
        self._epoch += 1

    def start(self) -> None:
        """``ScheduleMessageService.start`` after a restart: each level's first run comes 1 s
        later and delivers every copy due by then; each later copy has its own timer."""
        self._epoch += 1
        epoch = self._epoch
        for level in sorted({e.level for e in self.schedule.waiting()}):
            self._world.call_later_ms(FIRST_DELAY_MS, functools.partial(self._first_run, level, epoch))

    def _first_run(self, level: int, epoch: int) -> None:
        if epoch != self._epoch:
            return
        waiting = self.schedule.waiting(level)
        now = self._world.now_ms
        for n, entry in enumerate(waiting):
            if entry.due_ms > now:  # the copies of a level come due in order: the rest are later
                for later in waiting[n:]:
                    self._deliver_at(level, later.due_ms)
                return
            self._store(entry)
