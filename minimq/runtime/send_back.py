"""The broker's side of a consumer retry: the send-back request and the delayed copies.

Owns: ``SendBackService``, the asyncio shell of RocketMQ's
``AbstractSendMessageProcessor.consumerSendMsgBack`` (the request), of
``SendMessageProcessor.handleRetryAndDLQ`` (a normal message sent to ``%RETRY%<group>``:
a consumer's fallback, an orderly consumer's dead letter) and of
``ScheduleMessageService`` (the copies waiting for their delay level); run end to end by
tests/test_consumer_retry.py.
Where the copy goes, when, and with which reconsume times is decided by
``minimq.core.send_back`` (``decide_send_back``, ``decide_retry_message``); this module
performs the decision:
- a dead letter: create ``%DLQ%<group>`` if needed, store the copy, then record
  ``MessageDeadLettered``;
- a retry: record ``MessageSentBack``, create ``%RETRY%<group>`` if needed, and store the
  copy when its delay is over (``MessageStored``).
Simplification: a delayed copy waits in a timer of the simulation (``scheduled`` counts
them), not in ``SCHEDULE_TOPIC_XXXX``: no schedule offsets, no 100 ms level check, no
10 s flush of the delay progress.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, assert_never

from minimq.core.send_back import Copy, DeadLetter, Retry, RetryMessage, decide_retry_message, decide_send_back
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
        self.scheduled = 0  # retry copies waiting for their delay

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
        broker, world = self._broker, self._world
        match decision:
            case DeadLetter(copy=copy):
                broker.ensure_topic(copy.queue.topic, decision.queue_nums)
                broker.store_copy(copy)
                self._record(decision.events)
            case Retry(copy=copy, due_ms=due_ms):
                self._record(decision.events)
                broker.ensure_topic(copy.queue.topic, decision.queue_nums)
                self.scheduled += 1
                world.call_later_ms(due_ms - world.now_ms, lambda: self._deliver(copy))
            case _:
                assert_never(decision)

    def _record(self, events: Iterable[Event]) -> None:
        for event in events:
            self._world.emit(event)

    def _deliver(self, copy: Copy) -> None:
        self.scheduled -= 1
        self._broker.store_copy(copy)
