"""The SimpleConsumer: RocketMQ 5.x's POP client, where the application acks each message.

Owns: ``SimpleConsumer`` and ``MessageView``, mirroring the 5.x Java client's
``SimpleConsumerImpl`` and ``MessageViewImpl`` (``rocketmq-clients``); the broker's and
the proxy's side is ``minimq.runtime.pop_service``. Lesson 12 (pop-invisible-time)
tells the coupon incident through it.

    consumer = world.simple_consumer("coupon-system", "order-paid", await_duration_ms=20_000)
    consumer.start()
    for view in await consumer.receive(16, invisible_duration_ms=30_000):
        issue_coupon(view.message)
        await consumer.ack(view)

Rules:
- ``receive(max_message_num, invisible_duration_ms)``: there is no default invisible
  duration; it must be 10 s to 12 h (the proxy's bounds), and ``max_message_num`` at
  least 1 (the proxy takes at most 32). An empty receive waits ``await_duration_ms``
  (the Python client's default, 20 s; Java's builder requires one), which the proxy
  clamps to 5 .. 20 s. With several topics, each receive takes the next one
  (``topicIndex``).
- Each message comes with its receipt handle and its delivery attempt
  (``reconsumeTimes + 1``); receiving it records ``MessageDelivered``.
- ``ack(view)`` and ``change_invisible_duration(view, ms)`` (0 to 12 h) raise
  ``InvalidReceiptHandle`` once the handle has expired (pop time + invisible duration),
  after recording ``AckRejected``; a change gives the view a new handle, and the old one
  acks nothing from then on.
- The consumers of one group share every queue: there is no rebalance and no queue
  ownership, so two of them both receive from every queue.
- Requests time out after 3 s (``ClientConfiguration.requestTimeout``), a receive after
  its await duration plus that.
Simplifications: no route refresh, heartbeats or client settings exchange; a consumer
cannot be started again after ``shutdown``; its client id is ``ip@pid@0@nanoTime``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from minimq.core import pop_proxy as proxy
from minimq.core.client_id import grpc_client_id
from minimq.core.pop import ReceiptHandle
from minimq.core.validators import check_group, check_topic
from minimq.errors import ClientStateError, InvalidReceiptHandle, UnknownTopic, ValidationError
from minimq.events import AckRejected, ConsumerCrashed, ConsumerShutdown, ConsumerStarted, MessageDelivered
from minimq.model import MessageExt, MessageModel
from minimq.runtime.pop_service import OK, Changed, Popped

if TYPE_CHECKING:
    from minimq.sim.kernel import Simulation

AWAIT_DURATION_MS = 20_000  # the Python client's default await_duration
REQUEST_TIMEOUT_MS = 3_000  # ClientConfiguration.requestTimeout


@dataclass(slots=True)
class MessageView:
    """A received message (``MessageView``): the stored copy, the receipt handle it is
    acked with (replaced by ``change_invisible_duration``) and its delivery attempt."""

    message: MessageExt
    receipt_handle: ReceiptHandle
    delivery_attempt: int

    @property
    def msg_id(self) -> str:
        return self.message.msg_id

    @property
    def keys(self) -> tuple[str, ...]:
        return self.message.keys

    @property
    def body(self) -> bytes:
        return self.message.body


class SimpleConsumer:
    """A 5.x ``SimpleConsumer`` of ``group`` subscribed to ``topics``, in a world."""

    def __init__(
        self,
        world: Simulation,
        group: str,
        topics: str | Sequence[str],
        *,
        broker: str,
        name: str | None = None,
        await_duration_ms: int = AWAIT_DURATION_MS,
    ) -> None:
        self.world = world
        self.group = check_group(group)
        names = [topics] if isinstance(topics, str) else list(topics)
        if not names:
            raise ValidationError("a simple consumer must subscribe to at least one topic", topics)
        self.topics = tuple(check_topic(t) for t in names)
        if isinstance(await_duration_ms, bool) or not isinstance(await_duration_ms, int) or await_duration_ms < 0:
            raise ValidationError("await_duration_ms must be a whole number of milliseconds >= 0", await_duration_ms)
        self.await_duration_ms = await_duration_ms
        self.broker_name = broker
        self.name = name or f"{group}-{world.next_client_seq()}"
        self.client_ip = world.next_host_ip()
        self.client_id: str | None = None
        self.running = False
        self._stopped = False
        self._topic_index = 0

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        """Start the client (``startUp``): its topics must exist."""
        if self.running or self._stopped:
            raise ClientStateError(f"simple consumer {self.name!r} cannot start: it was started before")
        broker = self.world.network.route(self.broker_name)  # the topics' routes
        for topic in self.topics:
            if not broker.has_topic(topic):
                raise UnknownTopic(topic, broker.business_topics())
        w = self.world
        self.client_id = grpc_client_id(self.client_ip, w.seed, self.name, w.now_ms)
        self.running = True
        w.emit(
            ConsumerStarted(
                at_ms=w.now_ms,
                client=self.name,
                client_id=self.client_id,
                group=self.group,
                topics=self.topics,
                model=MessageModel.CLUSTERING.value,  # POP consumes in clustering only
                orderly=False,
                restart=False,
                max_reconsume_times=proxy.RETRY_MAX_TIMES,
            )
        )

    def shutdown(self) -> None:
        """Stop the client. Its messages still invisible stay so until their time ends:
        the proxy tracks no handle of a SimpleConsumer."""
        if self.running:
            self.running, self._stopped = False, True
            self.world.emit(ConsumerShutdown(at_ms=self.world.now_ms, client=self.name, group=self.group))

    def crash(self, point: str = "now") -> None:
        """The process dies (at ``point``, as the trace says it): the same as a shutdown
        for the broker (nothing is tracked)."""
        if self.running:
            self.running, self._stopped = False, True
            self.world.emit(ConsumerCrashed(at_ms=self.world.now_ms, client=self.name, group=self.group, point=point))

    def _check_running(self, call: str) -> None:
        if not self.running:
            raise ClientStateError(f"simple consumer {self.name!r} is not running now: cannot {call}")

    # -- receive ----------------------------------------------------------------------
    async def receive(self, max_message_num: int, invisible_duration_ms: int) -> list[MessageView]:
        """Pop up to ``max_message_num`` messages, each invisible to the group for
        ``invisible_duration_ms`` unless acked first."""
        self._check_running("receive")
        if isinstance(max_message_num, bool) or not isinstance(max_message_num, int) or max_message_num <= 0:
            raise ValidationError("maxMessageNum must be greater than 0", max_message_num)
        invisible = proxy.check_receive_invisible(invisible_duration_ms)
        topic = self.topics[self._topic_index % len(self.topics)]
        self._topic_index += 1
        poll = proxy.polling_ms(self.await_duration_ms)
        w = self.world
        popped: list[Popped] = await w.network.call_async(
            self.broker_name,
            lambda b: b.pops.receive(
                group=self.group,
                client=self.name,
                topic=topic,
                max_nums=max_message_num,
                invisible_ms=invisible,
                poll_ms=poll,
                auto_renew=False,
            ),
            what=f"receive {topic}",
            timeout_ms=self.await_duration_ms + REQUEST_TIMEOUT_MS,
        )
        views = []
        for p in popped:
            delivered(w, self.name, self.group, p.message)
            views.append(MessageView(p.message, p.handle, p.message.reconsume_times + 1))
        return views

    # -- ack and change of invisible time ---------------------------------------------
    async def ack(self, view: MessageView) -> None:
        """Ack ``view`` (``ackMessage``): its checkpoint is done, it will not come back."""
        self._check_running("ack")
        if not isinstance(view, MessageView):
            raise ValidationError("ack() takes a MessageView that receive() returned", view)
        handle = view.receipt_handle
        status: str = await self.world.network.call(
            self.broker_name,
            lambda b: b.pops.ack(group=self.group, client=self.name, handle=handle, msg_id=view.msg_id),
            what=f"ack {view.msg_id}",
            timeout_ms=REQUEST_TIMEOUT_MS,
        )
        if status != OK:
            self._rejected("ack", view)

    async def change_invisible_duration(self, view: MessageView, invisible_duration_ms: int) -> None:
        """Make ``view`` invisible for ``invisible_duration_ms`` from now (an extension, or
        a nack with a delay): a new checkpoint, and a new handle in ``view``."""
        self._check_running("change the invisible duration")
        if not isinstance(view, MessageView):
            raise ValidationError("change_invisible_duration() takes a MessageView that receive() returned", view)
        invisible = proxy.check_change_invisible(invisible_duration_ms)
        handle = view.receipt_handle
        changed: Changed = await self.world.network.call(
            self.broker_name,
            lambda b: b.pops.change_invisible(
                group=self.group, client=self.name, handle=handle, msg_id=view.msg_id, invisible_ms=invisible
            ),
            what=f"change invisible duration of {view.msg_id}",
            timeout_ms=REQUEST_TIMEOUT_MS,
        )
        if changed.handle is None:
            self._rejected("change_invisible_duration", view)
        else:
            view.receipt_handle = changed.handle

    def _rejected(self, request: str, view: MessageView) -> None:
        w, visible = self.world, view.receipt_handle.visible_ms
        w.emit(
            AckRejected(
                at_ms=w.now_ms,
                group=self.group,
                client=self.name,
                msg_id=view.msg_id,
                request=request,
                visible_ms=visible,
            )
        )
        raise InvalidReceiptHandle(request, view.msg_id, visible)


def delivered(world: Simulation, client: str, group: str, msg: MessageExt) -> None:
    """Record that ``client`` got ``msg``: a delivery, as every checker counts one."""
    world.emit(
        MessageDelivered(
            at_ms=world.now_ms,
            client=client,
            group=group,
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
