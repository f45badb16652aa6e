"""The 5.x push consumer: POP with auto-renew, a listener, ack on success, nack on failure.

Owns: ``PopPushConsumer``, after the 5.x Java client's ``PushConsumerImpl``,
``ProcessQueueImpl`` and ``StandardConsumeService`` (``rocketmq-clients``): a gRPC push
consumer, which pops through the proxy instead of pulling. The proxy's side (auto-renew,
clearing a gone client's handles) is ``minimq.runtime.pop_renew``. Shown in
tests/test_pop_push.py.

    consumer = world.pop_push_consumer("coupon-system", "order-paid", handler)
    consumer.start()

Rules (defaults of ``PushConsumerBuilderImpl`` and ``ProcessQueueImpl``):
- It receives with auto-renew and no invisible duration, so the proxy makes each message
  invisible for 60 s and renews it while the listener runs (up to 3 h, then the proxy
  nacks it: the 3 h path of P17); 32 messages a receive, long polling 30 s (the proxy
  holds it at most 20 s). While 4096 messages are cached it waits 1 s before the next
  receive; after a failed receive, 1 s.
- 20 consumption threads take the messages in the order received. A listener that
  returns ``CONSUME_SUCCESS`` gets its message acked; anything else (``RECONSUME_LATER``,
  an exception, ``None``) nacks it: its invisible duration becomes the retry policy's
  delay for its delivery attempt (1 s, 5 s, 10 s, ..., ``getNextAttemptDelay``). The
  proxy dead-letters it at the 18th pop.
- An ack or a nack that fails on the network is tried again after 1 s; one refused with
  ``INVALID_RECEIPT_HANDLE`` is given up (``AckRejected``). So is the first heartbeat,
  which makes the proxy track the client, when the broker is unreachable at start
  (Java's ``ClientImpl.startUp`` fails after ``maxStartupAttempts`` = 3 route fetches;
  minimq's ``start()`` reads the route without the network).
- A crash closes its channel one network latency later: the proxy makes every handle it
  still held visible after 1 s. A graceful ``shutdown`` waits for the receive in flight,
  lets the consumption threads finish every cached message, then leaves (the proxy
  clears what is left the same way).
Simplifications: one broker, so one assignment and one process queue; no FIFO, no
message size limit (64 MiB), no consume timeout; listener calls go through
``minimq.runtime.listener.invoke`` (``ConsumeStatus``), one message at a time.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from minimq.core import pop_proxy as proxy
from minimq.core.client_id import grpc_client_id
from minimq.core.validators import check_group, check_topic
from minimq.errors import ClientStateError, RemotingError, UnknownTopic, ValidationError
from minimq.events import AckRejected, ConsumerCrashed, ConsumerShutdown, ConsumerStarted, MessageConsumed
from minimq.model import ConsumeStatus, MessageExt, MessageModel
from minimq.runtime.listener import invoke
from minimq.runtime.pop_service import OK, Popped
from minimq.runtime.simple_consumer import REQUEST_TIMEOUT_MS, delivered

if TYPE_CHECKING:
    from minimq.runtime.broker import Broker
    from minimq.sim.kernel import Simulation

CONSUMPTION_THREADS = 20  # PushConsumerBuilderImpl.consumptionThreadCount
RECEIVE_BATCH_SIZE = 32  # ProxyConfig.grpcClientConsumerLongPollingBatchSize, sent in the settings
LONG_POLLING_MS = 30_000  # PushSubscriptionSettings.longPollingTimeout
MAX_CACHE_MESSAGE_COUNT = 4096  # PushConsumerBuilderImpl.maxCacheMessageCount
BACKOFF_MS = 1_000  # RECEIVING_FAILURE_ / _WHEN_CACHE_IS_FULL / ACK_MESSAGE_FAILURE_BACKOFF_DELAY


class PopPushConsumer:
    """A 5.x ``PushConsumer`` of ``group`` on ``topic`` (POP with auto-renew), in a world."""

    def __init__(
        self,
        world: Simulation,
        group: str,
        topic: str,
        handler: Callable[[MessageExt], Any],
        *,
        broker: str,
        name: str | None = None,
        consumption_threads: int = CONSUMPTION_THREADS,
    ) -> None:
        self.world = world
        self.group = check_group(group)
        self.topic = check_topic(topic)
        if not callable(handler):
            raise ValidationError("the handler must be callable (def or async def taking a message)", handler)
        self.handler = handler
        if isinstance(consumption_threads, bool) or not isinstance(consumption_threads, int) or consumption_threads < 1:
            raise ValidationError("consumption_threads must be at least 1", consumption_threads)
        self.threads = consumption_threads
        self.broker_name = broker
        self.name = name or f"{group}-{world.next_client_seq()}"
        self.client_ip = world.next_host_ip()
        self.client_id: str | None = None
        self.running = False
        self._stopping = False
        self._cache: deque[Popped] = deque()  # received, not yet taken by a thread
        self._busy = 0  # threads running the listener, or acking
        self._idle: list[asyncio.Future[None]] = []
        self._started = 0
        self._tasks: dict[asyncio.Task[Any], None] = {}
        self._receiver: asyncio.Task[Any] | None = None

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        if self.running or self.client_id is not None:
            raise ClientStateError(f"push consumer {self.name!r} cannot start: it was started before")
        broker = self.world.network.route(self.broker_name)
        if not broker.has_topic(self.topic):
            raise UnknownTopic(self.topic, broker.business_topics())
        w = self.world
        self.client_id = grpc_client_id(self.client_ip, w.seed, self.name, w.now_ms)
        self.running = True
        w.emit(
            ConsumerStarted(
                at_ms=w.now_ms,
                client=self.name,
                client_id=self.client_id,
                group=self.group,
                topics=(self.topic,),
                model=MessageModel.CLUSTERING.value,
                orderly=False,
                restart=False,
                max_reconsume_times=proxy.RETRY_MAX_TIMES,
            )
        )
        self._receiver = self._spawn(self._receive_loop(), f"{self.name}-receive")

    def crash(self) -> None:
        """The process dies: listeners stop where they are; the proxy sees the channel close."""
        if not self.running:
            return
        w = self.world
        w.emit(ConsumerCrashed(at_ms=w.now_ms, client=self.name, group=self.group, point="now"))
        self.running = False
        for task in list(self._tasks):
            task.cancel()
        w.call_later_ms(w.network.latency_ms, self._disconnect)

    def shutdown(self) -> None:
        """Graceful: finish the receive in flight and every cached message, then leave."""
        if self.running and not self._stopping:
            self._stopping = True
            self._wake_all()
            self.world.spawn(self._shutdown(), f"{self.name}-shutdown")

    async def _shutdown(self) -> None:
        if self._receiver is not None:
            await asyncio.wait([self._receiver])  # waitingReceiveRequestFinished
        self._wake_all()
        while self._cache or self._busy:  # the consumption executor's awaitTerminated
            await asyncio.sleep(0.1)
        self.running = False
        for task in list(self._tasks):
            task.cancel()
        self.world.emit(ConsumerShutdown(at_ms=self.world.now_ms, client=self.name, group=self.group))
        await asyncio.sleep(self.world.network.latency_ms / 1000)
        self._disconnect()

    def _disconnect(self) -> None:
        self.world.network.route(self.broker_name).pops.renewals.disconnect(self.name, self.group)

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = self.world.spawn(coro, name)
        self._tasks[task] = None
        task.add_done_callback(lambda done: self._tasks.pop(done, None))
        return task

    @property
    def done(self) -> bool:
        """Running, nothing cached or being consumed, and nothing left in the topic or the
        group's retry topic for it to receive (read at no cost, like ``stats()``)."""
        if not self.running or self._cache or self._busy:
            return False
        backlog: int = self.world.network.route(self.broker_name).pops.backlog(self.group, self.topic)
        return backlog == 0

    # -- receiving --------------------------------------------------------------------
    async def _receive_loop(self) -> None:
        w = self.world
        while not self._stopping:  # the first heartbeat: the proxy knows the client from then on
            try:
                await w.network.call(
                    self.broker_name,
                    lambda b: b.pops.renewals.connect(self.name, self.group),
                    what="heartbeat",
                    timeout_ms=REQUEST_TIMEOUT_MS,
                )
                break
            except RemotingError:  # unreachable: tried again, as a failed receive is
                await asyncio.sleep(BACKOFF_MS / 1000)
        poll = proxy.polling_ms(LONG_POLLING_MS)
        while not self._stopping:
            room = MAX_CACHE_MESSAGE_COUNT - len(self._cache) - self._busy
            if room <= 0:
                await asyncio.sleep(BACKOFF_MS / 1000)
                continue
            batch = min(RECEIVE_BATCH_SIZE, room)
            try:
                popped: list[Popped] = await w.network.call_async(
                    self.broker_name,
                    self._receive_request(batch, poll),
                    what=f"receive {self.topic}",
                    timeout_ms=LONG_POLLING_MS + REQUEST_TIMEOUT_MS,
                )
            except RemotingError:
                await asyncio.sleep(BACKOFF_MS / 1000)
                continue
            self._cache.extend(popped)
            self._dispatch(len(popped))

    def _receive_request(self, batch: int, poll_ms: int) -> Callable[[Broker], Awaitable[list[Popped]]]:
        """A receive with auto-renew and no invisible duration: the proxy's 60 s apply."""

        def request(b: Broker) -> Awaitable[list[Popped]]:
            return b.pops.receive(
                group=self.group,
                client=self.name,
                topic=self.topic,
                max_nums=batch,
                invisible_ms=proxy.DEFAULT_INVISIBLE_MS,
                poll_ms=poll_ms,
                auto_renew=True,
            )

        return request

    def _dispatch(self, n: int) -> None:
        """Wake idle threads, and start new ones up to the pool size."""
        while n and self._idle:
            fut = self._idle.pop()
            if not fut.done():
                fut.set_result(None)
                n -= 1
        while n and self._started < self.threads:
            self._started += 1
            self._spawn(self._thread(), f"{self.name}-consume-{self._started}")
            n -= 1

    def _wake_all(self) -> None:
        for fut in self._idle:
            if not fut.done():
                fut.set_result(None)
        self._idle.clear()

    async def _thread(self) -> None:
        while True:
            if not self._cache:
                if self._stopping:
                    return
                fut: asyncio.Future[None] = self.world.loop.create_future()
                self._idle.append(fut)
                await fut
                continue
            popped = self._cache.popleft()
            self._busy += 1
            try:
                await self._consume(popped)
            finally:
                self._busy -= 1

    # -- consuming --------------------------------------------------------------------
    async def _consume(self, popped: Popped) -> None:
        w, msg = self.world, popped.message
        delivered(w, self.name, self.group, msg)
        status, note = await invoke(self.handler, msg, orderly=False)
        w.emit(
            MessageConsumed(
                at_ms=w.now_ms,
                client=self.name,
                group=self.group,
                msg_id=msg.msg_id,
                offset_msg_id=msg.offset_msg_id,
                status=status,
                note=note,
            )
        )
        if status == ConsumeStatus.SUCCESS.value:
            await self._settle(popped, "ack", None)
        else:
            await self._settle(popped, "change_invisible_duration", proxy.nack_delay_ms(msg.reconsume_times + 1))

    async def _settle(self, popped: Popped, request: str, nack_ms: int | None) -> None:
        """Ack (``nack_ms`` None) or nack, again every second while the network fails."""
        w, handle, msg_id = self.world, popped.handle, popped.message.msg_id
        while True:
            try:
                if nack_ms is None:
                    ok = (
                        await w.network.call(
                            self.broker_name,
                            lambda b: b.pops.ack(group=self.group, client=self.name, handle=handle, msg_id=msg_id),
                            what=f"ack {msg_id}",
                            timeout_ms=REQUEST_TIMEOUT_MS,
                        )
                        == OK
                    )
                else:
                    changed = await w.network.call(
                        self.broker_name,
                        lambda b: b.pops.change_invisible(
                            group=self.group, client=self.name, handle=handle, msg_id=msg_id, invisible_ms=nack_ms
                        ),
                        what=f"nack {msg_id}",
                        timeout_ms=REQUEST_TIMEOUT_MS,
                    )
                    ok = changed.handle is not None
                break
            except RemotingError:
                await asyncio.sleep(BACKOFF_MS / 1000)
        if not ok:
            w.emit(
                AckRejected(
                    at_ms=w.now_ms,
                    group=self.group,
                    client=self.name,
                    msg_id=msg_id,
                    request=request,
                    visible_ms=handle.visible_ms,
                )
            )
