"""The producer: synchronous sends with RocketMQ 4.x's retry rules.

Owns: ``Producer.send``. Mirrors ``DefaultMQProducer`` / ``DefaultMQProducerImpl
.sendDefaultImpl`` and ``sendSelectImpl`` (remoting client), shown in lesson 2.
Rules:
- One ``send()`` has a total budget of ``sendMsgTimeout = 3000`` ms, retries included.
- Up to ``retryTimesWhenSendFailed = 2`` internal retries (3 attempts), each started at
  once after a *fast* failure (connect refused, channel closed), and only while budget is
  left. A timeout uses the whole budget, so it is **not** retried internally: the caller
  gets ``SendTimeoutError`` although the broker may have stored the message.
- The msg id (UNIQ_KEY) is written into the ``Message`` object on its first send only
  (``MessageClientIDSetter.setUniqID``): retries and re-sends of the same object share
  it; a new object gets a new one.
- Queues are chosen round-robin from a start drawn from the world's seed
  (``ThreadLocalIndex``); each retry takes the next queue. With a selector (ordered
  sends) the selector picks the queue and a failure is never retried.
- A send to a topic with no route fails at once (``No route info of this topic``).
- A send to one of the system topics RocketMQ forbids sends to (``SCHEDULE_TOPIC_XXXX``,
  the transaction topics, ...: ``Validators.isNotAllowedSendTopic``) is refused before
  anything leaves; the other system topics are only refused for creation.

Simplification: when a timeout has used exactly the whole budget, Java's elapsed time
is always a little over it; virtual time is exact, so "cost >= budget" ends the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from minimq.core.validators import check_body, check_group, check_send_topic
from minimq.errors import (
    ClientStateError,
    RemotingError,
    RemotingTimeoutError,
    SendFailedError,
    SendTimeoutError,
    UnknownTopic,
    ValidationError,
)
from minimq.events import SendAttempted, SendFailed, SendGaveUp, SendSucceeded
from minimq.model import Message, MessageQueue, SendResult

if TYPE_CHECKING:
    from minimq.sim.kernel import Simulation

SEND_MSG_TIMEOUT_MS = 3000
RETRY_TIMES_WHEN_SEND_FAILED = 2
Selector = Callable[[list[MessageQueue], Message, Any], MessageQueue]


def select_by_hash(mqs: list[MessageQueue], msg: Message, arg: Any) -> MessageQueue:
    """``SelectMessageQueueByHash``: ``abs(arg.hashCode()) % size``, with Java's hashCode
    for a string and for an integer (as a ``Long``); the same ``arg`` always picks the
    same queue."""
    if isinstance(arg, int) and not isinstance(arg, bool):
        value = arg & 0xFFFFFFFFFFFFFFFF
        code = (value ^ (value >> 32)) & 0xFFFFFFFF
        code = code - (1 << 32) if code >= 1 << 31 else code
    else:
        code = _java_hash(str(arg))
    return mqs[abs(code) % len(mqs)]


def _java_hash(text: str) -> int:
    h = 0
    for ch in text:
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


class Producer:
    """A producer client (``DefaultMQProducer``) inside a world."""

    def __init__(
        self,
        world: Simulation,
        group: str,
        *,
        broker: str,
        client_id: str | None = None,
        send_timeout_ms: int = SEND_MSG_TIMEOUT_MS,
        retry_times_when_send_failed: int = RETRY_TIMES_WHEN_SEND_FAILED,
    ) -> None:
        self._world = world
        self.broker_name = broker  # the broker it sends to, by name: resolved on the network
        self.group = check_group(group)
        seq = world.next_client_seq()
        self.client_id = client_id or group
        self.send_timeout_ms = send_timeout_ms
        self.retry_times = retry_times_when_send_failed
        # The UNIQ_KEY prefix: IP, pid, class-loader hash (MessageClientIDSetter).
        self._id_prefix = f"7F{seq:06X}{world.rng.randrange(1 << 16):04X}{world.rng.randrange(1 << 32):08X}"
        self._id_counter = world.rng.randrange(1 << 16)
        self._queue_index = world.rng.randrange(1 << 31)
        self.running = True

    def shutdown(self) -> None:
        self.running = False

    # -- ids and queues ----------------------------------------------------------------
    def _assign_msg_id(self, msg: Message) -> str:
        if msg.msg_id is None:
            self._id_counter = (self._id_counter + 1) & 0xFFFF
            msg.msg_id = f"{self._id_prefix}{self._world.now_ms & 0xFFFFFFFF:08X}{self._id_counter:04X}"
        return msg.msg_id

    def _next_queue(self, mqs: list[MessageQueue]) -> MessageQueue:
        self._queue_index += 1
        return mqs[self._queue_index % len(mqs)]

    def _check(self, msg: object) -> Message:
        if not isinstance(msg, Message):
            raise ValidationError("send() takes a minimq.Message", msg)
        check_send_topic(msg.topic)
        msg.body = check_body(msg.body)
        if msg.tags is not None and not isinstance(msg.tags, str):
            raise ValidationError("tags must be a string", msg.tags)
        for key in msg.keys:
            if not isinstance(key, str) or not key or " " in key:
                raise ValidationError("each key must be a non-empty string without spaces", key)
        return msg

    # -- send ----------------------------------------------------------------------------
    async def send(
        self,
        msg: Message,
        timeout_ms: int | None = None,
        *,
        selector: Selector | None = None,
        arg: Any = None,
    ) -> SendResult:
        """Send ``msg`` synchronously; return its ``SendResult`` or raise."""
        if not self.running:
            raise ClientStateError(f"producer {self.client_id!r} is shut down; start a new one")
        msg = self._check(msg)
        budget = self.send_timeout_ms if timeout_ms is None else timeout_ms
        broker = self._world.network.route(self.broker_name)  # the topic's route
        if not broker.has_topic(msg.topic):
            raise UnknownTopic(msg.topic, broker.business_topics())
        msg_id = self._assign_msg_id(msg)
        mqs = broker.topic_queues(msg.topic)
        begin = self._world.now_ms
        attempts = 1 if selector is not None else 1 + self.retry_times
        last_error: Exception | None = None
        for attempt in range(1, attempts + 1):
            cost = self._world.now_ms - begin
            if attempt > 1 and cost >= budget:
                return self._give_up(
                    msg_id,
                    SendTimeoutError(
                        f"sendDefaultImpl call timeout: {cost} ms used of {budget} ms "
                        f"(msg {msg_id}); the broker may have stored it"
                    ),
                )
            mq = selector(mqs, msg, arg) if selector is not None else self._next_queue(mqs)
            try:
                return await self._attempt(msg, mq, attempt, budget - cost)
            except RemotingError as exc:
                last_error = exc
                self._world.emit(
                    SendFailed(
                        at_ms=self._world.now_ms,
                        producer=self.client_id,
                        msg_id=msg_id,
                        attempt=attempt,
                        error=str(exc),
                    )
                )
                if isinstance(exc, RemotingTimeoutError) and selector is not None:
                    break
        cost = self._world.now_ms - begin
        if isinstance(last_error, RemotingTimeoutError) or cost >= budget:
            error: Exception = SendTimeoutError(
                f"sendDefaultImpl call timeout: {cost} ms used of {budget} ms (msg {msg_id}); "
                "the broker may have stored it"
            )
        else:
            error = SendFailedError(
                f"Send [{attempts}] times, still failed, cost {cost} ms, "
                f"topic {msg.topic!r}, msg {msg_id}: {last_error}"
            )
        return self._give_up(msg_id, error)

    def _give_up(self, msg_id: str, error: Exception) -> SendResult:
        self._world.emit(SendGaveUp(at_ms=self._world.now_ms, producer=self.client_id, msg_id=msg_id, error=str(error)))
        raise error

    async def _attempt(self, msg: Message, mq: MessageQueue, attempt: int, budget_ms: int) -> SendResult:
        world = self._world
        assert msg.msg_id is not None
        world.emit(
            SendAttempted(
                at_ms=world.now_ms,
                producer=self.client_id,
                msg_id=msg.msg_id,
                topic=mq.topic,
                queue_id=mq.queue_id,
                attempt=attempt,
                budget_left_ms=budget_ms,
                keys=msg.keys,
            )
        )
        born = world.now_ms
        result: SendResult = await world.network.call(
            self.broker_name,
            lambda broker: broker.put_message(msg, mq.queue_id, born),
            what=f"send {msg.msg_id}",
            timeout_ms=budget_ms,
            reply_loss=lambda _: world.faults.reply_loss(msg),
        )
        world.emit(
            SendSucceeded(
                at_ms=world.now_ms,
                producer=self.client_id,
                msg_id=result.msg_id,
                offset_msg_id=result.offset_msg_id,
                topic=mq.topic,
                queue_id=mq.queue_id,
                queue_offset=result.queue_offset,
                status=result.status.value,
            )
        )
        return result
