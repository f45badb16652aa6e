"""The push consumer an application creates: configuration and life cycle.

Owns: ``PushConsumer`` (RocketMQ ``DefaultMQPushConsumer``) and its defaults, and the
start / shutdown / crash / restart cycle. The running machinery lives in
``consumer_session`` (one session per process incarnation) and ``consume_service``.

Defaults (``DefaultMQPushConsumer``): clustering; consume from last offset; allocate
averagely; 20 consume threads; pull batch 32; ``maxReconsumeTimes = -1`` (16 for
concurrent, for ever for orderly); suspend 1000 ms (orderly); consume timeout 15 min;
``consumeConcurrentlyMaxSpan = 2000`` (1..65535, checked at start in Java's
``checkConfig``, here when the consumer is made); ``consumeMessageBatchMaxSize = 1``
(1..1024, likewise); offsets persisted every 5000 ms, the
first time 10 s after start (``ClientConfig.persistConsumerOffsetInterval``:
``persist_interval_ms``); ``consumeTimestamp`` (read only with
``CONSUME_FROM_TIMESTAMP``) 30 minutes before the consumer was made, to the second (Java
keeps it as ``yyyyMMddHHmmss``).

The handler takes one message (``handler(msg)``), unless the consumer is made with
``batch=True``: then it is RocketMQ's listener, ``handler(msgs, context)``, called with a
list of up to ``consume_message_batch_max_size`` messages of one queue and a
``ConsumeConcurrentlyContext`` (orderly: ``ConsumeOrderlyContext``) whose ``ack_index``
it may set (``minimq.core.consume_batch``). A batch size above 1 needs ``batch=True``, so
a one-message handler is never handed a list.

Who is who: ``name`` is the process in the trace (its lane, its faults, its host's
disk), kept across restarts; ``client_id`` is what the broker knows the running process
by, ``clientIP@instanceName`` (``minimq.core.client_id``). With no ``instance_name`` (the
default) every start, a restart included, gets a new client id (``pid#nanoTime``); with
one, the id survives restarts, and two consumers with one ``client_ip`` and one
``instance_name`` share it (path P19).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from minimq.core.allocate import ALLOCATORS, Allocator
from minimq.core.client_id import build_client_id, instance_name_at_start, nano_time, process_pid
from minimq.core.offset_store import PERSIST_INTERVAL_MS
from minimq.core.offsets import CONSUME_TIMESTAMP_BEFORE_MS, ConsumeFromWhere
from minimq.core.process_queue import CONSUME_CONCURRENTLY_MAX_SPAN
from minimq.core.validators import check_group, check_topic
from minimq.errors import ClientStateError, UnknownTopic, ValidationError
from minimq.model import MessageModel, MessageQueue
from minimq.runtime.consumer_session import ConsumerSession
from minimq.runtime.stats import ConsumerStats, QueueStats
from minimq.sim.faults import CrashPoint

if TYPE_CHECKING:
    from minimq.sim.kernel import Simulation

CONSUME_THREADS = 20
PULL_BATCH_SIZE = 32
CONSUME_MESSAGE_BATCH_MAX_SIZE = 1
BATCH_SIZE_LIMIT = 1024  # DefaultMQPushConsumerImpl.checkConfig, for both batch sizes
SUSPEND_CURRENT_QUEUE_TIME_MS = 1000
MAX_SPAN_LIMIT = 65535  # DefaultMQPushConsumerImpl.checkConfig


class PushConsumer:
    """A push consumer in a world (``DefaultMQPushConsumer``)."""

    def __init__(
        self,
        world: Simulation,
        group: str,
        topics: str | Sequence[str],
        handler: Callable[..., Any],
        *,
        broker: str,
        name: str | None = None,
        client_ip: str | None = None,
        instance_name: str | None = None,
        model: MessageModel | str = MessageModel.CLUSTERING,
        orderly: bool = False,
        consume_threads: int = CONSUME_THREADS,
        pull_batch_size: int = PULL_BATCH_SIZE,
        max_reconsume_times: int = -1,
        suspend_ms: int = SUSPEND_CURRENT_QUEUE_TIME_MS,
        consume_from_where: ConsumeFromWhere | str = ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET,
        consume_timestamp_ms: int | None = None,
        persist_interval_ms: int = PERSIST_INTERVAL_MS,
        allocate: str = "AVG",
        consume_concurrently_max_span: int = CONSUME_CONCURRENTLY_MAX_SPAN,
        batch: bool = False,
        consume_message_batch_max_size: int = CONSUME_MESSAGE_BATCH_MAX_SIZE,
    ) -> None:
        self.world = world
        self.group = check_group(group)
        names = [topics] if isinstance(topics, str) else list(topics)
        if not names:
            raise ValidationError("a consumer must subscribe to at least one topic", topics)
        self.topics = tuple(check_topic(t) for t in names)
        if not callable(handler):
            raise ValidationError("the handler must be callable (def or async def taking a message)", handler)
        self.handler = handler
        self.batch, self.consume_message_batch_max_size = _check_batch(batch, consume_message_batch_max_size)
        self.name = name or f"{group}-{world.next_client_seq()}"
        self.client_ip = client_ip or world.next_host_ip()  # ClientConfig.clientIP: this host's address
        if instance_name is not None and (not isinstance(instance_name, str) or not instance_name):
            raise ValidationError("instance_name must be a non-empty string (or None: DEFAULT)", instance_name)
        self.instance_name = instance_name  # ClientConfig.instanceName; None: DEFAULT
        self.broker_name = broker  # reached by name, through the network
        self.model = MessageModel(model)
        self.orderly = orderly
        if not isinstance(consume_threads, int) or consume_threads < 1:
            raise ValidationError("consume_threads must be at least 1", consume_threads)
        self.consume_threads = consume_threads
        if not isinstance(pull_batch_size, int) or not 1 <= pull_batch_size <= BATCH_SIZE_LIMIT:
            raise ValidationError("pull_batch_size must be 1..1024", pull_batch_size)
        self.pull_batch_size = pull_batch_size
        if not isinstance(max_reconsume_times, int) or max_reconsume_times < -1:
            raise ValidationError("max_reconsume_times must be -1 (the default) or >= 0", max_reconsume_times)
        self.max_reconsume_times = max_reconsume_times
        self.suspend_ms = suspend_ms
        if consume_from_where not in ConsumeFromWhere.__members__.values():
            raise ValidationError(
                f"consume_from_where must be one of {', '.join(ConsumeFromWhere)}", consume_from_where
            )
        self.consume_from_where = ConsumeFromWhere(consume_from_where)
        if consume_timestamp_ms is None:  # DefaultMQPushConsumer's field: now - 30 min, to the second
            consume_timestamp_ms = (world.now_ms - CONSUME_TIMESTAMP_BEFORE_MS) // 1000 * 1000
        if isinstance(consume_timestamp_ms, bool) or not isinstance(consume_timestamp_ms, int):
            raise ValidationError("consume_timestamp_ms must be an int of virtual milliseconds", consume_timestamp_ms)
        self.consume_timestamp_ms = consume_timestamp_ms
        if isinstance(persist_interval_ms, bool) or not isinstance(persist_interval_ms, int) or persist_interval_ms < 1:
            raise ValidationError(
                "persist_interval_ms must be a whole number of milliseconds, 1 or more", persist_interval_ms
            )
        self.persist_interval_ms = persist_interval_ms
        if allocate not in ALLOCATORS:
            raise ValidationError(f"allocate must be one of {', '.join(ALLOCATORS)}", allocate)
        self.allocator: Allocator = ALLOCATORS[allocate]
        span = consume_concurrently_max_span
        if isinstance(span, bool) or not isinstance(span, int) or not 1 <= span <= MAX_SPAN_LIMIT:
            raise ValidationError(f"consumeConcurrentlyMaxSpan Out of range [1, {MAX_SPAN_LIMIT}]", span)
        self.consume_concurrently_max_span = span
        self.session: ConsumerSession | None = None
        self.incarnations = 0

    @property
    def clustering(self) -> bool:
        return self.model is MessageModel.CLUSTERING

    @property
    def running(self) -> bool:
        return self.session is not None and self.session.alive

    @property
    def client_id(self) -> str | None:
        """The client id of the current (or last) process; None before the first start."""
        return self.session.client_id if self.session is not None else None

    def _next_client_id(self) -> str:
        """The id the process about to start registers with (``buildMQClientId`` after
        ``changeInstanceNameToPID``): its pid and ``nanoTime`` are its own."""
        seed, incarnation = self.world.seed, self.incarnations + 1
        instance = instance_name_at_start(
            self.instance_name,
            clustering=self.clustering,
            pid=process_pid(seed, self.name, incarnation),
            nano_time=nano_time(seed, self.name, incarnation, self.world.now_ms),
        )
        return build_client_id(self.client_ip, instance)

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Start (or, after a crash or shutdown, restart) the consumer process."""
        if self.running:
            raise ClientStateError(f"consumer {self.name!r} is already running")
        for topic in self.topics:
            broker = self.world.network.route(self.broker_name)  # the topic's route
            if not broker.has_topic(topic):
                raise UnknownTopic(topic, broker.business_topics())
        self.session = ConsumerSession(self, self._next_client_id(), restart=self.incarnations > 0)
        self.incarnations += 1
        self.session.start()

    def restart(self) -> None:
        """Start again after a crash or a shutdown: the same process name; a new client id
        unless an instance name is set."""
        self.start()

    def shutdown(self) -> None:
        """Graceful shutdown: interrupt listeners, persist offsets, leave the group."""
        if self.session is not None:
            self.session.shutdown()

    def crash(self, point: CrashPoint | str = "now") -> None:
        """Kill the process now: nothing is persisted."""
        if self.session is not None:
            self.session.crash(point)

    # -- looking inside -------------------------------------------------------------------
    def assigned(self) -> list[MessageQueue]:
        return sorted(self.session.pq_table) if self.running and self.session else []

    def due_queues(self) -> list[MessageQueue]:
        """The queues a rebalance would give this process now: every queue of its topics
        when broadcasting, its allocation among the members the broker lists when
        clustering. Read like ``stats()``, at no cost and through no fault."""
        session = self.session
        if not self.running or session is None:
            return []
        broker, due = session.broker, []
        members = broker.consumer_ids(self.group)
        for topic in session.topics:
            if not broker.has_topic(topic):
                continue  # the rebalance skips it too (a retry topic before the first heartbeat)
            mq_all = broker.topic_queues(topic)
            due += self.allocator(session.client_id, mq_all, members) if self.clustering else mq_all
        return sorted(due)

    def local_offset(self, mq: MessageQueue) -> int | None:
        if not self.running or self.session is None:
            return None
        return self.session.offset_store.read(mq)

    def stats(self) -> ConsumerStats:
        """This consumer now: whether it runs, and each queue its process owns."""
        queues: tuple[QueueStats, ...] = ()
        session = self.session
        if self.running and session is not None:
            broker = session.broker
            queues = tuple(
                QueueStats(
                    topic=mq.topic,
                    queue_id=mq.queue_id,
                    max_offset=broker.max_offset(mq),
                    local_offset=session.offset_store.read(mq),
                    in_flight=pq.in_flight_count(),
                    reset_pending=broker.offsets.reset_pending(self.group, mq.topic, mq.queue_id),
                )
                for mq, pq in sorted(session.pq_table.items())
            )
        return ConsumerStats(
            client=self.name,
            client_id=self.client_id,
            group=self.group,
            running=self.running,
            incarnations=self.incarnations,
            queues=queues,
            rebalance_due=self.running and session is not None and session.rebalancer.due,
        )

    def in_flight(self) -> dict[MessageQueue, list[int]]:
        """Offsets cached or being consumed, per assigned queue."""
        if not self.running or self.session is None:
            return {}
        return {mq: pq.in_flight_offsets() for mq, pq in sorted(self.session.pq_table.items())}


def _check_batch(batch: object, size: object) -> tuple[bool, int]:
    """``batch`` and ``consumeMessageBatchMaxSize`` as ``checkConfig`` and the handler's
    shape allow them."""
    if not isinstance(batch, bool):
        raise ValidationError("batch must be True (handler(msgs, context)) or False (handler(msg))", batch)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= BATCH_SIZE_LIMIT:
        raise ValidationError(f"consumeMessageBatchMaxSize Out of range [1, {BATCH_SIZE_LIMIT}]", size)
    if size > 1 and not batch:
        raise ValidationError(
            "a batch of more than one message needs a batch listener: pass batch=True and write the handler "
            "as handler(msgs, context)",
            size,
        )
    return batch, size
