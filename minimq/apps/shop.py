"""The shop of the coupon incident: payment, order, coupon and red-packet systems.

Owns: ``Shop``, the lesson world (../shared/story.md). The payment system calls the
order system's payment callback; the order system marks the order paid in its database
and sends "order paid" to topic ``order-paid``; the coupon system and the red-packet
system are two consumer groups on that topic. The three databases are real SQLite files
that survive a restart of the system using them; a restart loses the process's memory.

What each system does, and the knobs the lessons turn:
- Payment (``PaymentSystem``): calls the callback and waits ``CALLBACK_TIMEOUT_MS``
  (1000 ms); on timeout it calls again, up to 3 times. The order system keeps working on
  a call the payment system gave up on (path A, upstream retry).
- Order (``OrderSystem``): ``UPDATE orders SET status='PAID'`` (or, idempotent, ``...
  WHERE status='UNPAID'`` and send only if a row changed), then ``work_ms`` of other work,
  then answer and send "order paid" in the background (the first call can be slowed by
  ``first_callback_extra_ms``) with its own retry loop that re-sends the same ``Message`` or
  builds a new one (path B).
- Coupon (``CouponSystem``): a push consumer running a coupon design
  (``minimq.apps.designs``), one database session per message.
- Red packet (``RedPacketSystem``): a push consumer that pays a red packet per message.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from pathlib import Path

from minimq.apps.db import Database, scratch_dir
from minimq.apps.designs import COUPON_SCHEMA, DESIGNS, Design, Handler
from minimq.errors import SendFailedError, SendTimeoutError
from minimq.events import AppEvent, EffectExpected
from minimq.model import ConsumeStatus, Message, MessageExt
from minimq.runtime.push_consumer import PushConsumer
from minimq.world import World

TOPIC = "order-paid"
COUPON_GROUP = "coupon-system"
RED_PACKET_GROUP = "red-packet-system"
COUPON_CLIENT = "coupon-1"
RED_PACKET_CLIENT = "red-packet-1"
CALLBACK_TIMEOUT_MS = 1000
CALLBACK_ATTEMPTS = 3
SEND_ATTEMPTS = 3

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


def _args(**kw: object) -> tuple[tuple[str, str], ...]:
    return tuple((k, str(v)) for k, v in kw.items())


class Shop:
    """One run of the lesson world."""

    def __init__(
        self,
        seed: int,
        *,
        coupon_design: str | Design = "naive",
        idempotent_callback: bool = False,
        resend: str = "same_object",
        order_work_ms: int = 50,
        first_callback_extra_ms: int = 0,
    ) -> None:
        self.world = World(seed)
        self.dir = Path(tempfile.mkdtemp(prefix="minimq-shop-", dir=scratch_dir()))
        self.world.broker.create_topic(TOPIC)
        self.order_db = Database(self.world, self.dir / "order.db", "order DB")
        self.order_db.script(ORDER_SCHEMA)
        design = DESIGNS[coupon_design] if isinstance(coupon_design, str) else coupon_design
        self.coupon_db = Database(self.world, self.dir / "coupon.db", "coupon DB")
        self.coupon_db.script(COUPON_SCHEMA)
        design.setup(self.coupon_db)
        self.coupon_db.audit("coupons", "order_id")
        self.red_packet_db = Database(self.world, self.dir / "red_packet.db", "red-packet DB")
        self.red_packet_db.script(RED_PACKET_SCHEMA)
        self.red_packet_db.audit("red_packets", "order_id")
        self.payment = PaymentSystem(self)
        self.order = OrderSystem(self, idempotent_callback, resend, order_work_ms, first_callback_extra_ms)
        self.coupon = CouponSystem(self, design)
        self.red_packet = RedPacketSystem(self)

    def event(self, system: str, action: str, **args: object) -> None:
        self.world.emit(AppEvent(at_ms=self.world.now_ms, system=system, action=action, args=_args(**args)))

    def new_order(self, order_id: str, user: str, amount: int = 199) -> None:
        """An unpaid order exists; one coupon and one red packet are expected for it."""
        self.order_db.query(
            "INSERT INTO orders (id, user_id, amount, status) VALUES (?, ?, ?, 'UNPAID')", (order_id, user, amount)
        )
        self.order_db._admin.commit()
        for ledger in (self.coupon_db.name, self.red_packet_db.name):
            self.world.emit(EffectExpected(at_ms=self.world.now_ms, ledger=ledger, key=order_id))

    def coupons(self) -> list[tuple[int, str, str, str, int]]:
        rows = self.coupon_db.query("SELECT id, order_id, user_id, msg_id, issued_ms FROM coupons ORDER BY id")
        return [(int(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4])) for r in rows]

    def close(self) -> None:
        self.world.close()
        for db in (self.order_db, self.coupon_db, self.red_packet_db):
            db.close()
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

    def __init__(self, shop: Shop, idempotent: bool, resend: str, work_ms: int, first_extra_ms: int) -> None:
        self.shop = shop
        self.idempotent = idempotent
        self.resend = resend
        self.work_ms = work_ms
        self.first_extra_ms = first_extra_ms
        self.producer = shop.world.producer("order-system")

    async def on_payment_callback(self, order_id: str, attempt: int) -> str:
        shop, world = self.shop, self.shop.world
        async with shop.order_db.session("order") as db:
            sql = "UPDATE orders SET status = 'PAID', paid_ms = ? WHERE id = ?"
            if self.idempotent:
                sql += " AND status = 'UNPAID'"
            changed = (await db.execute(sql, (world.now_ms, order_id))).rowcount == 1
            await db.commit()
        shop.event("order", "marked_paid" if changed else "already_paid", order=order_id, attempt=attempt)
        work = self.work_ms + (self.first_extra_ms if attempt == 1 else 0)
        await asyncio.sleep(work / 1000)  # inventory, invoice, ... before answering
        if changed:  # sent after the answer, from a background task
            world.spawn(self.send_order_paid(order_id), f"send-{order_id}-{attempt}")
        return "OK"

    async def send_order_paid(self, order_id: str) -> None:
        shop = self.shop
        user = shop.order_db.query("SELECT user_id FROM orders WHERE id = ?", (order_id,))[0][0]
        body = json.dumps({"order": order_id, "user": user, "status": "PAID"}).encode()
        msg = Message(TOPIC, body, keys=(order_id,))
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                result = await self.producer.send(msg)
            except (SendTimeoutError, SendFailedError) as exc:
                shop.event("order", "send_raised", order=order_id, error=type(exc).__name__, attempt=attempt)
                if self.resend == "new_object":
                    msg = Message(TOPIC, body, keys=(order_id,))
                continue
            shop.event("order", "send_ok", order=order_id, msg_id=result.msg_id, attempt=attempt)
            return


class CouponSystem:
    """The coupon consumer group, running one design; memory dies with each restart."""

    def __init__(self, shop: Shop, design: Design) -> None:
        self.shop = shop
        self.design = design
        self._handle: Handler | None = None
        self.consumer: PushConsumer = shop.world.push_consumer(
            COUPON_GROUP, TOPIC, self._on_message, client_id=COUPON_CLIENT
        )

    async def _on_message(self, msg: MessageExt) -> object:
        assert self._handle is not None
        async with self.shop.coupon_db.session(COUPON_CLIENT) as db:
            return await self._handle(msg, db)

    def start(self) -> None:
        world = self.shop.world
        self._handle = self.design.make(lambda: world.now_ms)
        self.shop.event(COUPON_CLIENT, "design", design=self.design.name)
        self.consumer.start()


class RedPacketSystem:
    """The red-packet consumer group: pays one red packet per message, no dedupe."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.consumer: PushConsumer = shop.world.push_consumer(
            RED_PACKET_GROUP, TOPIC, self._on_message, client_id=RED_PACKET_CLIENT
        )

    async def _on_message(self, msg: MessageExt) -> ConsumeStatus:
        order = json.loads(msg.body)["order"]
        async with self.shop.red_packet_db.session(RED_PACKET_CLIENT) as db:
            await db.execute(
                "INSERT INTO red_packets (order_id, msg_id, paid_ms) VALUES (?, ?, ?)",
                (order, msg.msg_id, self.shop.world.now_ms),
            )
            await db.commit()
        return ConsumeStatus.SUCCESS

    def start(self) -> None:
        self.consumer.start()
