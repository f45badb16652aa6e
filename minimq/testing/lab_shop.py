"""How the shop runs in a lab: its order system, and its coupon system on POP.

Owns: ``LabOrders`` (the order system of one run: the plain sender with its "never lose
a message" loop, ``minimq.apps.orders``, or, for a schedule whose producer is
``transaction``, the transactional order system of lesson 13, ``minimq.apps.order_tx``,
with an order database of its own and the same loop), ``LAB_POP`` and ``pop_coupons``
(the coupon system on RocketMQ 5.x SimpleConsumers, ``minimq.apps.pop_coupons``, for a
schedule whose consumer is ``pop``).

With the transactional producer an order is paid when its local transaction commits:
``UPDATE orders SET status='PAID' ... WHERE status='UNPAID'``, the invoicing call
(20 ms, or what a ``SlowTx`` step says) inside the open transaction, COMMIT. The order
database is SQLite, one writer at a time (the lab's 5 s lock wait, not MySQL's row
locks): a slow local transaction holds back every other order's, and one that times out
answers UNKNOW and leaves its order UNPAID, so nothing is sent for it and no coupon is
expected. An upstream retry's local transaction finds the order PAID and rolls back, or,
while the first one still runs, times out on its row and is left to the check-back,
which commits it once the order is PAID: a second message with a new msg id.

On POP each call's status is recorded as a push consumer records it
(``MessageConsumed``), so the checkers of ``minimq.check`` tell a retry the consumer
asked for from a duplicate it did not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minimq.apps.incident import COUPON_GROUP
from minimq.apps.order_tx import OrderTx, TransactionalOrders
from minimq.apps.orders import OrderSender, Resend
from minimq.apps.pop_coupons import PopCoupon, PopCouponSystem
from minimq.events import MessageConsumed
from minimq.testing.coupon_db import give_back_order_db, open_order_db
from minimq.testing.schedule import INVISIBLE_MS

if TYPE_CHECKING:
    from minimq.apps.coupons import DesignRunner
    from minimq.apps.db import Database
    from minimq.runtime.simple_consumer import MessageView
    from minimq.world import World

LAB_POP = PopCoupon(invisible_ms=INVISIBLE_MS)  # the coupon system's POP deploy: lesson 12's settings


class LabOrders:
    """The order system of one lab run."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.plain = OrderSender(world)
        self.tx: TransactionalOrders | None = None
        self.db: Database | None = None
        self.invoice_ms: dict[str, int] = {}  # the local transactions' invoicing calls (``SlowTx``)

    def transactional(self, orders: tuple[str, ...]) -> None:
        """Send "order paid" in a transaction from now on; every order exists, UNPAID."""
        self.db = db = open_order_db(self.world)
        for order in orders:
            sql = "INSERT INTO orders (id, user_id, amount, status) VALUES (?, ?, 199, 'UNPAID')"
            db.query(sql, (order, f"user-{order}"))
        self.tx = TransactionalOrders(self.world, db, OrderTx(invoice_ms=self.invoice_ms))

    @property
    def sending(self) -> bool:
        """A send loop (and its local transactions) still runs."""
        return bool(self.plain.sending or (self.tx is not None and self.tx.sending))

    async def send(self, order: str, resend: str = "same") -> None:
        """Send "order paid" for ``order``, again after an error (``resend``: the same
        ``Message`` or a new one)."""
        how: Resend = "new" if resend == "new" else "same"
        if self.tx is not None:
            await self.tx.pay(order, resend=how)
        else:
            await self.plain.send_order_paid(order, f"user-{order}", resend=how)

    def close(self) -> None:
        """The run is over: the order database goes back for the next run."""
        if self.db is not None:
            give_back_order_db(self.db)


def pop_coupons(world: World, runner: DesignRunner) -> PopCouponSystem:
    """The coupon system on SimpleConsumers, each call's status in the trace."""

    def consumed(client: str, view: MessageView, status: str, note: str) -> None:
        msg = view.message
        world.emit(
            MessageConsumed(
                at_ms=world.now_ms,
                client=client,
                group=COUPON_GROUP,
                msg_id=msg.msg_id,
                offset_msg_id=msg.offset_msg_id,
                status=status,
                note=note,
            )
        )

    return PopCouponSystem(world, runner, LAB_POP, report=consumed)
