"""The coupon system: a consumer group whose processes run one coupon design.

Owns: ``CouponSystem``, ``DesignRunner`` (what runs the design inside a process) and the
lessons' runner, ``StoryRunner``, with the story's timing as data (``CouponTiming``).

- The coupon system is the push-consumer group ``coupon-system`` on topic ``order-paid``;
  each process (``coupon-1``, ``coupon-2``, and ``c1``, ``c2``, ... in the lab) is one
  ``PushConsumer`` whose listener calls the design's ``handle`` once per delivery. Every
  process of a deploy shares its configuration: ``client_ip`` (the address the client
  reports, e.g. ``172.17.0.1`` for every container with host networking) and
  ``instance_name`` (``None``: RocketMQ's ``DEFAULT``, so each start gets a client id of
  its own); two processes with one of each share a client id (path P19, lesson 11).
- Starting a process loads the design's module afresh (``DesignRunner.load``): whatever
  the previous process kept in memory is gone, as after a real deploy.
- ``StoryRunner`` gives each call a session of its own on the coupon database and the
  incident's timing around the design, not inside it: the marketing service takes
  ``marketing_ms`` (1200 ms in the story) to say what coupon a paid order earns, so the
  call waits that long before its first write; after a call that committed, notifying
  the user takes ``notify_ms`` (300 ms) before the handler returns, so a coupon can be in
  the database while its message is still in flight. With a ``WalletLock``
  (``minimq.apps.wallet_lock``, lesson 7), a call that reaches its first write, after the
  marketing lookup, while a batch job holds the user's wallet lock waits until the batch
  job lets go. The marketing service can be down (``CouponTiming.marketing_down``, windows
  of virtual time): a call made then fails at once (``MarketingUnavailable``, a 503) before
  anything is written, and the design's ``handle`` raises it, which RocketMQ counts as
  ``RECONSUME_LATER`` (lesson 10: clustering retries it from ``%RETRY%``, broadcasting
  drops it). With an SMS gateway (``minimq.apps.sms``, lesson 6) the notification is an
  SMS instead, sent after every call the design answered with ``SUCCESS`` (a handler that
  issues the coupon, then sends the SMS, then returns): a coupon already there and
  acknowledged does not stop the SMS, so a retry after a failed SMS sends it again, once
  more or, keyed, at most once per order. A failed SMS raises out of the listener
  (``RECONSUME_LATER``). Every statement the design runs (what a SELECT found, what an INSERT
  changed), the marketing call, the lock wait and the notification are events in the
  handler's lane: a race is seen, not guessed. The notification of some orders can be
  refused (``CouponTiming.notify_fails``: the SMS gateway rejects the phone number): the
  handler throws after its commit (``NotificationError``, lesson 9). The coupon system
  can consume in order (``CouponSystem(orderly=True)``, lesson 9) and the calls can use
  the shop's Redis (``StoryRunner(redis=...)``, for the designs that dedupe there). The lab of ``minimq check`` runs the
  same designs through its own runner (``minimq.testing.design_calls``), with no story
  timing: its schedules decide where a handler waits.
- Two more knobs of the timing, for lesson 4 (a slow message): ``slow_lookups`` makes the
  marketing service hang once on a given order (its first lookup for that order takes
  that long: a full GC, a stuck connection; the marketing service remembers, so a
  restarted coupon process asking again gets the usual answer); ``marketing_timeout_ms``
  is the tempting fix, a timeout on the marketing call after which the coupon system
  skips the order: no coupon, ``CONSUME_SUCCESS`` (``marketing_gave_up`` in the trace).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from minimq.apps.design_db import DesignDB
from minimq.apps.incident import COUPON_CLIENT, COUPON_GROUP, TOPIC
from minimq.apps.session import statement_head
from minimq.core.consume_result import read_status
from minimq.events import AppEvent
from minimq.model import ConsumeStatus, OrderlyStatus

if TYPE_CHECKING:
    from minimq.apps.db import Database
    from minimq.apps.design import Design
    from minimq.apps.kv import KeyValueStore
    from minimq.apps.session import Session
    from minimq.apps.sms import SmsGateway
    from minimq.apps.wallet_lock import WalletLock
    from minimq.model import MessageExt
    from minimq.runtime.push_consumer import PushConsumer
    from minimq.world import World

Listener = Callable[["MessageExt"], Awaitable[object]]
_WRITES = ("INSERT", "UPDATE", "DELETE")


class DesignRunner(Protocol):
    """Runs a design inside the coupon system's processes."""

    def load(self, client: str) -> bool:
        """A new process of ``client``: the design's module afresh. False: it cannot start."""
        ...

    def handler(self, client: str) -> Listener:
        """The listener of ``client``'s consumer: one call of ``handle`` per delivery."""
        ...


class MarketingUnavailable(Exception):
    """The marketing service answered 503 Service Unavailable (it is down)."""


class NotificationError(Exception):
    """The SMS gateway refused a notification (``CouponTiming.notify_fails``)."""


@dataclass(frozen=True)
class CouponTiming:
    """The story's timing around a design: the marketing lookup before the call's first
    write, notifying the user after a call that committed, and the windows
    ``[start_ms, end_ms)`` of virtual time in which the marketing service is down.
    ``slow_lookups`` holds (order, ms): the marketing service's first lookup for that order
    takes ``ms`` instead of ``marketing_ms``. ``marketing_timeout_ms`` (0: none) gives up on a
    lookup that takes longer and skips the order: the call returns ``CONSUME_SUCCESS``
    without a coupon. ``notify_fails``: the orders whose notification is always refused."""

    marketing_ms: int = 0
    notify_ms: int = 0
    marketing_down: tuple[tuple[int, int], ...] = ()
    slow_lookups: tuple[tuple[str, int], ...] = ()
    marketing_timeout_ms: int = 0
    notify_fails: tuple[str, ...] = ()

    def marketing_is_down(self, now_ms: int) -> bool:
        return any(start <= now_ms < end for start, end in self.marketing_down)


STORY_TIMING = CouponTiming(marketing_ms=1200, notify_ms=300)


class StoryRunner:
    """Runs a design as the lessons' coupon system: a session per call, the story's timing,
    (``lock``) a batch job's wallet lock that a call waits for before its first write,
    (``redis``) the Redis a design may use, and (``sms``) the SMS after each call the design
    answered with ``SUCCESS``."""

    def __init__(
        self,
        design: Design,
        db: Database,
        timing: CouponTiming = STORY_TIMING,
        lock: WalletLock | None = None,
        redis: KeyValueStore | None = None,
        sms: SmsGateway | None = None,
    ) -> None:
        self.design, self.db, self.timing, self.lock, self.redis = design, db, timing, lock, redis
        self.sms = sms
        self.modules: dict[str, ModuleType] = {}
        self.world = db.world
        self.slow = dict(timing.slow_lookups)  # the marketing service's own state: outlives a restart

    def load(self, client: str) -> bool:
        self.modules[client] = self.design.instance()
        return True

    def handler(self, client: str) -> Listener:
        async def on_message(msg: MessageExt) -> object:
            module = self.modules[client]
            timers: list[asyncio.TimerHandle] = []  # the lock's events still to come
            try:
                async with asyncio.timeout(None) as deadline:  # set only by a marketing timeout
                    hook = self._before_write(client, msg, timers, deadline)
                    async with self.db.session(
                        client, redis=self.redis, before_statement=hook, trace_as=msg.msg_id
                    ) as session:
                        if self.design.is_async:
                            result = await module.handle(msg, DesignDB(session))
                        else:
                            result = await _call_sync(module, msg, session)
                        if self.sms is None and session.commits and self.timing.notify_ms:
                            self._say(client, "notify", msg.msg_id, ms=self.timing.notify_ms)
                            await asyncio.sleep(self.timing.notify_ms / 1000)  # "you got a coupon"
                            order = str(json.loads(msg.body).get("order", ""))
                            if order in self.timing.notify_fails:
                                self._say(client, "notify_failed", msg.msg_id)
                                raise NotificationError(f"SMS gateway: HTTP 400, invalid phone number on {order}")
            except TimeoutError:  # the marketing call timed out: skip the order, free the queue
                self._say(client, "marketing_gave_up", msg.msg_id, ms=self.timing.marketing_timeout_ms)
                return ConsumeStatus.SUCCESS
            finally:
                for timer in timers:  # a call killed while it waits does not go on
                    timer.cancel()
            if self.sms is not None and read_status(result, orderly=False)[0] == ConsumeStatus.SUCCESS.value:
                data = json.loads(msg.body)
                await self.sms.send(order=data["order"], user=data["user"], by=client, msg_id=msg.msg_id)
            return result

        return on_message

    def _before_write(
        self, client: str, msg: MessageExt, timers: list[asyncio.TimerHandle], deadline: asyncio.Timeout
    ) -> Callable[[int, str], int | None]:
        """A hook that holds the call before its first write: the marketing lookup (a slow
        lookup's time the first time it is asked, ``marketing_ms`` otherwise; with
        ``marketing_timeout_ms``, abandoned that long after it was asked), then as long as a
        batch job holds the user's wallet lock."""
        asked = False
        timeout_ms = self.timing.marketing_timeout_ms

        def before_statement(_n: int, sql: str) -> int | None:
            nonlocal asked
            if asked or statement_head(sql).split()[0] not in _WRITES:
                return None
            asked = True
            marketing_ms = self.slow.pop(msg.keys[0] if msg.keys else "", self.timing.marketing_ms)
            if marketing_ms and self.timing.marketing_is_down(self.world.now_ms):
                self._say(client, "marketing_down", msg.msg_id)
                raise MarketingUnavailable("marketing service: 503 Service Unavailable")
            if marketing_ms:
                self._say(client, "marketing", msg.msg_id, ms=marketing_ms)
                if timeout_ms and marketing_ms > timeout_ms:  # it will not answer in time: abandon it then
                    deadline.reschedule(self.world.loop.time() + timeout_ms / 1000)
            held = marketing_ms + self._lock_wait(client, msg, marketing_ms, timers)
            return held or None

        return before_statement

    def _lock_wait(self, client: str, msg: MessageExt, after_ms: int, timers: list[asyncio.TimerHandle]) -> int:
        """How long the call waits for the wallet lock it asks for ``after_ms`` from now;
        its ``lock_wait`` and ``lock_free`` events are scheduled for when they happen."""
        lock, world = self.lock, self.world
        if lock is None:
            return 0
        wait = lock.wait_ms(str(json.loads(msg.body).get("user", "")), world.now_ms + after_ms)
        if wait:
            say, name = self._say, lock.name
            timers.append(world.call_later_ms(after_ms, lambda: say(client, "lock_wait", msg.msg_id, lock=name)))
            free = after_ms + wait
            timers.append(
                world.call_later_ms(free, lambda: say(client, "lock_free", msg.msg_id, lock=name, waited_ms=wait))
            )
        return wait

    def _say(self, client: str, action: str, msg_id: str, **values: object) -> None:
        world = self.world
        args = (("msg_id", msg_id), *((k, str(v)) for k, v in values.items()))
        world.emit(AppEvent(at_ms=world.now_ms, system=client, action=action, args=args))


def _orderly(listener: Listener) -> Listener:
    """The design's answer as an orderly listener's (``ConsumeOrderlyStatus``)."""

    async def on_message(msg: MessageExt) -> object:
        done = await listener(msg)
        return OrderlyStatus.SUCCESS if done == ConsumeStatus.SUCCESS else OrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT

    return on_message


async def _call_sync(module: ModuleType, msg: MessageExt, session: Session) -> object:
    """A plain ``def handle`` in a greenlet (greenlet comes with the test extra)."""
    from minimq.apps.design_db_sync import SyncDesignDB
    from minimq.apps.greenlets import call_sync

    return await call_sync(module.handle, msg, SyncDesignDB(session))


class CouponSystem:
    """The coupon consumer group: one process per client, each running the design, each
    consumer made with ``options`` (``PushConsumer``'s keywords, the setters a Java
    application calls before ``start()``: lesson 4 lowers ``consume_concurrently_max_span``,
    lesson 9 sets ``orderly`` and ``max_reconsume_times``). An orderly consumer's listener is
    a ``MessageListenerOrderly`` around the same design, answering ``SUCCESS`` for its
    ``CONSUME_SUCCESS`` and ``SUSPEND_CURRENT_QUEUE_A_MOMENT`` for anything else (an
    exception counts as a suspend anyway)."""

    def __init__(
        self,
        world: World,
        runner: DesignRunner,
        options: Mapping[str, Any] | None = None,
        *,
        client_ip: str | None = None,
        instance_name: str | None = None,
    ) -> None:
        self.world = world
        self.runner = runner
        self.options = dict(options or {})
        self.client_ip = client_ip  # None: each process on a host of its own
        self.instance_name = instance_name  # None: DEFAULT, a new client id at each start
        self.consumers: dict[str, PushConsumer] = {}

    def consumer(self, client: str = COUPON_CLIENT) -> PushConsumer:
        """The process ``client`` (created, not started, the first time it is named)."""
        if client not in self.consumers:
            listener = self.runner.handler(client)
            if self.options.get("orderly"):
                listener = _orderly(listener)
            self.consumers[client] = self.world.push_consumer(
                COUPON_GROUP,
                TOPIC,
                listener,
                name=client,
                client_ip=self.client_ip,
                instance_name=self.instance_name,
                **self.options,
            )
        return self.consumers[client]

    def start(self, client: str = COUPON_CLIENT) -> None:
        """Start ``client``'s process with the design loaded afresh, unless it runs already."""
        consumer = self.consumer(client)
        if not consumer.running and self.runner.load(client):
            consumer.start()

    def crash(self, client: str, point: str = "now") -> None:
        """``client``'s process dies now (``kill -9``), if it ever ran."""
        if client in self.consumers:
            self.consumers[client].crash(point)

    def shutdown(self, client: str) -> None:
        """``client``'s process shuts down gracefully, if it ever ran."""
        if client in self.consumers:
            self.consumers[client].shutdown()
