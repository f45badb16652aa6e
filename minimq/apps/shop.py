"""The shop of the coupon incident: payment, order, coupon and red-packet systems.

Owns: ``Shop``, the lesson world (docs/story.md), and the payment, order and
red-packet systems (the coupon system is ``minimq.apps.coupons``). The payment system
calls the order system's payment callback; the order system marks the order paid in its
database and sends "order paid" to topic ``order-paid``; the coupon system and the
red-packet system are two consumer groups on that topic. The three databases are real
SQLite files that survive a restart of the system using them; a restart loses the
process's memory.

What each system does, and the knobs the lessons turn:
- Payment (``PaymentSystem``): calls the callback and waits ``CALLBACK_TIMEOUT_MS``
  (1000 ms); on timeout it calls again, up to 3 times. The order system keeps working on
  a call the payment system gave up on (path A, upstream retry).
- Order (``OrderSystem``): ``UPDATE orders SET status='PAID'`` (or, idempotent, ``...
  WHERE status='UNPAID'`` and send only if a row changed), send "order paid" in the
  background with the order system's retry loop (``minimq.apps.orders``, which re-sends
  the same ``Message`` or builds a new one: path B), then ``work_ms`` of other work
  before it answers (the first call can be slowed by ``first_callback_extra_ms``: path A).
  With ``order_tx`` (a ``minimq.apps.order_tx.OrderTx``, lesson 13) it sends "order paid"
  as a transactional message instead, whose local transaction marks the order paid
  (``minimq.apps.order_tx``), started in the background before it answers.
- Coupon (``CouponSystem``): a push consumer running a coupon design file
  (``minimq/designs/``) with the story's timing around it (``STORY_TIMING``, or a
  ``CouponTiming`` of the lesson's: a marketing lookup that hangs or is down, a timeout on
  it, a notification refused), made with ``coupon_consumer``'s options (``PushConsumer``
  keywords), with the shop's Redis for the designs that use one. An orderly coupon system
  (``coupon_consumer={"orderly": True}``, lesson 9) consumes with a
  ``MessageListenerOrderly``, and the order system then sends "order paid" to the queue
  its order id hashes to.
- Wallet lock (``wallet_lock``, a ``minimq.apps.wallet_lock.WalletLock``): a stuck batch
  job holds a user's coupon-wallet lock for a while, and a coupon call for that user
  waits for it before its first write (lesson 7: a handler that runs for 20 minutes).
- SMS (``minimq.apps.sms``, with ``sms``): the coupon handler tells the user by SMS
  through a gateway that can answer late, instead of the plain notification; each SMS
  is an effect in ledger ``SMS``, one expected per paid order (lesson 6).
- POP (``coupon_pop``, a ``minimq.apps.pop_coupons.PopCoupon``, lesson 12): the coupon
  processes are RocketMQ 5.x SimpleConsumers (receive with an invisible duration, the
  design, ack) instead of push consumers.
- Several coupon processes (``coupon-1``, ``coupon-2`` when a deploy scales out, lesson 5);
  ``coupon_client_ip`` and ``coupon_instance_name`` are the deploy's shared client
  configuration (one IP and one instance name for every process: one client id, lesson 11).
- Red packet (``RedPacketSystem``): a push consumer that pays a red packet per message, or,
  idempotent (``idempotent_red_packet``), one per order: a UNIQUE key on the order id in
  the red packet's own transaction, a conflict acknowledged with ``CONSUME_SUCCESS``. Every
  consumer group gets every duplicate, so every group must be idempotent on its own.
- Dashboard (``dashboard``, lesson 10): the marketing team's "orders paid today" screen, a
  broadcasting group with a cache per instance (``minimq.apps.dashboard``), started by the
  lesson. With ``dashboard_campaign`` its listener also issues the coupon, running the
  shop's coupon design: the anti-pattern lesson 10 takes apart.
- The broker (``slave``, lesson 16): broker-a gets a slave, ``broker-a-s``, with
  ``World.add_slave``'s options (``{"slave_read_enable": True}``): the shop's clients read
  from it while broker-a is out of their route.

``ledgers`` names, per consumer group (per instance, ``group/client``, for a broadcasting
group, as ``minimq.check`` counts it), the effect ledgers that must each hold exactly one
effect per paid order: one ledger per group, two for the coupon group with the SMS
gateway (its coupons and its SMS).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from minimq.apps.coupons import STORY_TIMING, CouponSystem, CouponTiming, StoryRunner
from minimq.apps.dashboard import DASHBOARD_GROUP, Cache, DashboardSystem
from minimq.apps.db import Database, scratch_dir
from minimq.apps.design import COUPON_SCHEMA, Design, builtin, run_setup
from minimq.apps.incident import (
    COUPON_CLIENT,
    COUPON_GROUP,
    COUPON_LEDGER,
    RED_PACKET_CLIENT,
    RED_PACKET_GROUP,
    RED_PACKET_LEDGER,
    SMS_LEDGER,
    TOPIC,
)
from minimq.apps.kv import KeyValueStore
from minimq.apps.order_tx import OrderTx, TransactionalOrders
from minimq.apps.orders import OrderSender, Resend
from minimq.apps.pop_coupons import PopCoupon, PopCouponSystem
from minimq.apps.sms import SmsGateway, SmsSettings
from minimq.apps.wallet_lock import WalletLock
from minimq.events import AppEvent, EffectApplied, EffectExpected
from minimq.model import ConsumeStatus, MessageExt, SendResult
from minimq.runtime.push_consumer import PushConsumer
from minimq.world import World

CALLBACK_TIMEOUT_MS = 1000
CALLBACK_ATTEMPTS = 3

ORDER_SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, amount INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('UNPAID', 'PAID')), paid_ms INTEGER
);
"""
RED_PACKET_SCHEMA = """
CREATE TABLE IF NOT EXISTS red_packets (
    id INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT NOT NULL, msg_id TEXT NOT NULL, paid_ms INTEGER NOT NULL
);
"""
RED_PACKET_UNIQUE = "CREATE UNIQUE INDEX IF NOT EXISTS red_packets_order_unique ON red_packets (order_id);"


def _args(**kw: object) -> tuple[tuple[str, str], ...]:
    return tuple((k, str(v)) for k, v in kw.items())


class Shop:
    """One run of the lesson world; ``coupon_design`` names a design of ``minimq/designs/``."""

    def __init__(
        self,
        seed: int,
        *,
        coupon_design: str | Design = "no_dedupe",
        idempotent_callback: bool = False,
        resend: Resend = "same",
        order_work_ms: int = 50,
        first_callback_extra_ms: int = 0,
        timing: CouponTiming = STORY_TIMING,
        idempotent_red_packet: bool = False,
        wallet_lock: WalletLock | None = None,
        dashboard: Cache | None = None,
        dashboard_campaign: bool = False,
        coupon_consumer: Mapping[str, Any] | None = None,
        sms: SmsSettings | None = None,
        marketing_down: tuple[int, int] | None = None,
        coupon_client_ip: str | None = None,
        coupon_instance_name: str | None = None,
        order_tx: OrderTx | None = None,
        coupon_pop: PopCoupon | None = None,
        slave: Mapping[str, Any] | None = None,
    ) -> None:
        self.world = World(seed)
        if slave is not None:  # broker-a gets a slave: World.add_slave's options (lesson 16)
            self.world.add_slave(**slave)
        self.dir = Path(tempfile.mkdtemp(prefix="minimq-shop-", dir=scratch_dir()))
        self.world.broker.create_topic(TOPIC)
        self.order_db = Database(self.world, self.dir / "order.db", "order DB")
        self.order_db.script(ORDER_SCHEMA)
        self.design = builtin(coupon_design) if isinstance(coupon_design, str) else coupon_design
        self.coupon_db = Database(self.world, self.dir / "coupon.db", COUPON_LEDGER)
        self.coupon_db.script(COUPON_SCHEMA)
        if self.design.has_setup:
            run_setup(self.design, self.coupon_db.path)
        self.coupon_db.audit("coupons", "order_id")
        self.redis = KeyValueStore(self.world)  # the coupon system's Redis, for the designs that use one
        self.red_packet_db = Database(self.world, self.dir / "red_packet.db", RED_PACKET_LEDGER)
        self.red_packet_db.script(RED_PACKET_SCHEMA + (RED_PACKET_UNIQUE if idempotent_red_packet else ""))
        self.red_packet_db.audit("red_packets", "order_id")
        self.sms = SmsGateway(self.world, sms) if sms is not None else None
        coupon_ledgers = (self.coupon_db.name, SMS_LEDGER) if self.sms is not None else (self.coupon_db.name,)
        self.ledgers: dict[str, tuple[str, ...]] = {
            COUPON_GROUP: coupon_ledgers,
            RED_PACKET_GROUP: (self.red_packet_db.name,),
        }
        self.payment = PaymentSystem(self)
        ordered = bool((coupon_consumer or {}).get("orderly"))  # an orderly consumer needs ordered sends
        self.order = OrderSystem(
            self, idempotent_callback, resend, order_work_ms, first_callback_extra_ms, ordered=ordered
        )
        if order_tx is not None:
            self.order.tx = TransactionalOrders(self.world, self.order_db, order_tx)
        if marketing_down is not None:  # one more window in which the marketing service fails every call
            timing = replace(timing, marketing_down=(*timing.marketing_down, marketing_down))
        runner = StoryRunner(self.design, self.coupon_db, timing, wallet_lock, redis=self.redis, sms=self.sms)
        self.coupon = CouponSystem(
            self.world, runner, coupon_consumer, client_ip=coupon_client_ip, instance_name=coupon_instance_name
        )
        # with ``coupon_pop`` the coupon processes are 5.x SimpleConsumers (lesson 12)
        self.pop_coupon = PopCouponSystem(self.world, runner, coupon_pop) if coupon_pop is not None else None
        if wallet_lock is not None:
            wallet_lock.schedule(self.world)
        self.red_packet = RedPacketSystem(self, idempotent_red_packet)
        self.dashboard: DashboardSystem | None = None
        if dashboard is not None:
            campaign = StoryRunner(self.design, self.coupon_db, timing) if dashboard_campaign else None
            self.dashboard = DashboardSystem(self.world, self.dir, dashboard, campaign)
            for client, db in self.dashboard.caches.items():
                self.ledgers[f"{DASHBOARD_GROUP}/{client}"] = (db.name,)

    def event(self, system: str, action: str, **args: object) -> None:
        self.world.emit(AppEvent(at_ms=self.world.now_ms, system=system, action=action, args=_args(**args)))

    def start_coupon(self, client: str = COUPON_CLIENT) -> None:
        """Start (or restart) a coupon system's process, saying which design it runs."""
        self.event(client, "design", design=self.design.name)
        if self.pop_coupon is not None:
            self.pop_coupon.start(client)
        else:
            self.coupon.start(client)

    def new_order(self, order_id: str, user: str, amount: int = 199) -> None:
        """An unpaid order exists; one effect is expected for it in every ledger (one coupon,
        one red packet, one row in each dashboard instance's cache, and with the SMS
        gateway one SMS)."""
        self.order_db.query(
            "INSERT INTO orders (id, user_id, amount, status) VALUES (?, ?, ?, 'UNPAID')", (order_id, user, amount)
        )
        self.order_db._admin.commit()
        for ledgers in self.ledgers.values():
            for ledger in ledgers:
                self.world.emit(EffectExpected(at_ms=self.world.now_ms, ledger=ledger, key=order_id))

    def coupons(self) -> list[tuple[int, str, str, str, int]]:
        """Every coupon row: id, order, user, msg id, and when it was issued: the virtual
        time its transaction committed. The coupon database has one writer at a time, so
        its committed rows are numbered in the order the audit reported them."""
        rows = self.coupon_db.query("SELECT id, order_id, user_id, msg_id FROM coupons ORDER BY id")
        ledger = self.coupon_db.name
        committed = [e.at_ms for e in self.world.trace.of(EffectApplied) if e.ledger == ledger]
        return [(int(r[0]), str(r[1]), str(r[2]), str(r[3]), ms) for r, ms in zip(rows, committed, strict=True)]

    def close(self) -> None:
        self.world.close()
        for db in (self.order_db, self.coupon_db, self.red_packet_db):
            db.close()
        if self.dashboard is not None:
            self.dashboard.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class PaymentSystem:
    """Calls the order system back when a payment succeeds, and again on a timeout."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop

    async def notify_paid(self, order_id: str) -> None:
        shop, world = self.shop, self.shop.world
        for attempt in range(1, CALLBACK_ATTEMPTS + 1):
            shop.event("payment", "callback_sent", order=order_id, attempt=attempt)
            call = world.spawn(shop.order.on_payment_callback(order_id, attempt), f"callback-{attempt}")
            try:
                await asyncio.wait_for(asyncio.shield(call), CALLBACK_TIMEOUT_MS / 1000)
            except TimeoutError:
                shop.event("payment", "callback_timeout", order=order_id, attempt=attempt, ms=CALLBACK_TIMEOUT_MS)
                continue
            shop.event("payment", "callback_answered", order=order_id, attempt=attempt)
            return


class OrderSystem:
    """Marks orders paid and sends "order paid" (``DefaultMQProducer`` group order-system)."""

    def __init__(
        self, shop: Shop, idempotent: bool, resend: Resend, work_ms: int, first_extra_ms: int, *, ordered: bool
    ) -> None:
        self.shop = shop
        self.idempotent = idempotent
        self.work_ms = work_ms
        self.first_extra_ms = first_extra_ms
        self.sender = OrderSender(shop.world, resend=resend, ordered=ordered)
        self.tx: TransactionalOrders | None = None  # "order paid" as a transactional message

    async def on_payment_callback(self, order_id: str, attempt: int) -> str:
        shop, world = self.shop, self.shop.world
        if self.tx is not None:  # the local transaction marks the order paid
            world.spawn(self.tx.pay(order_id), f"pay-{order_id}-{attempt}")
            await asyncio.sleep(self.work_ms / 1000)
            return "OK"
        async with shop.order_db.session("order") as db:
            sql = "UPDATE orders SET status = 'PAID', paid_ms = ? WHERE id = ?"
            if self.idempotent:
                sql += " AND status = 'UNPAID'"
            changed = (await db.execute(sql, (world.now_ms, order_id))).rowcount == 1
            await db.commit()
        shop.event("order", "marked_paid" if changed else "already_paid", order=order_id, attempt=attempt)
        if changed:  # "order paid" goes out at once, from a background task: the answer does not wait for it
            world.spawn(self.send_order_paid(order_id), f"send-{order_id}-{attempt}")
        work = self.work_ms + (self.first_extra_ms if attempt == 1 else 0)
        await asyncio.sleep(work / 1000)  # inventory, invoice, ... before answering
        return "OK"

    async def send_order_paid(self, order_id: str) -> None:
        user = str(self.shop.order_db.query("SELECT user_id FROM orders WHERE id = ?", (order_id,))[0][0])

        def report(attempt: int, outcome: SendResult | Exception) -> None:
            if isinstance(outcome, SendResult):
                self.shop.event("order", "send_ok", order=order_id, msg_id=outcome.msg_id, attempt=attempt)
            else:
                self.shop.event("order", "send_raised", order=order_id, error=type(outcome).__name__, attempt=attempt)

        await self.sender.send_order_paid(order_id, user, report=report)


class RedPacketSystem:
    """The red-packet consumer group: pays a red packet per message, or (``idempotent``)
    one per order, its table's UNIQUE key deciding."""

    def __init__(self, shop: Shop, idempotent: bool = False) -> None:
        self.shop = shop
        self.idempotent = idempotent
        self.consumer: PushConsumer = shop.world.push_consumer(
            RED_PACKET_GROUP, TOPIC, self._on_message, name=RED_PACKET_CLIENT
        )

    async def _on_message(self, msg: MessageExt) -> ConsumeStatus:
        order = json.loads(msg.body)["order"]
        async with self.shop.red_packet_db.session(RED_PACKET_CLIENT) as db:
            try:
                await db.execute(
                    "INSERT INTO red_packets (order_id, msg_id, paid_ms) VALUES (?, ?, ?)",
                    (order, msg.msg_id, self.shop.world.now_ms),
                )
                await db.commit()
            except sqlite3.IntegrityError:  # only with the UNIQUE key: this order has its red packet
                await db.rollback()
        return ConsumeStatus.SUCCESS

    def start(self) -> None:
        self.consumer.start()
