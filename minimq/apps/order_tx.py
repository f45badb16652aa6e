"""The order system sends "order paid" as a RocketMQ transactional message (lesson 13, P16).

Owns: ``OrderTx`` (the knobs) and ``TransactionalOrders``: the order system's
``TransactionMQProducer`` (group ``order-system``), its local transaction and its check
listener. Why: the plain order system commits the order PAID and then sends "order paid"
from a background task, two steps that can part (the order committed and the message never
sent, or the other way round). A transactional message binds them:
- the half "order paid" goes first (keyed by the order id, like every "order paid");
- the local transaction marks the order PAID (``UPDATE ... WHERE status='UNPAID'``), asks
  the invoicing service for the invoice the order must have before it counts as paid
  (``invoice_ms`` for that order: the call runs inside the open database transaction), and
  COMMITs; it answers ``COMMIT_MESSAGE``, or ``ROLLBACK_MESSAGE`` when the order was
  already paid (no row changed);
- the check listener reads the order's committed status: PAID is ``COMMIT_MESSAGE``;
  anything else is ``UNKNOW``, since the order system cannot tell a local transaction still
  running from one that failed.
The payment callback starts this in the background and answers at once, so the payment
system never calls twice. ``transaction_timeout_ms`` is the broker's ``transactionTimeOut``
(None: RocketMQ's 6 s), the wrong fix lesson 13 tries.

Every step is an ``AppEvent`` in the order system's lane: ``tx_update`` (the UPDATE, not
committed yet, and the invoicing call it waits for), ``tx_commit``, ``tx_check`` (what the
check listener read and answered).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from minimq.apps.incident import ORDER_GROUP, order_paid
from minimq.apps.orders import SEND_ATTEMPTS, Resend
from minimq.errors import SendFailedError, SendTimeoutError
from minimq.events import AppEvent
from minimq.model import LocalTransactionState, Message, MessageExt

if TYPE_CHECKING:
    from minimq.apps.db import Database
    from minimq.world import World

ORDER_LANE = "order"
INVOICE_MS = 20  # the invoicing service on a normal day


@dataclass(frozen=True, kw_only=True)
class OrderTx:
    """How the transactional order system's day goes: the invoicing call per order (ms),
    and the broker's ``transactionTimeOut`` (None: the default, 6 s)."""

    invoice_ms: Mapping[str, int] = field(default_factory=dict)
    transaction_timeout_ms: int | None = None


class TransactionalOrders:
    """The order system's transactional producer, local transaction and check listener."""

    def __init__(self, world: World, order_db: Database, settings: OrderTx) -> None:
        self.world = world
        self.db = order_db
        self.settings = settings
        if settings.transaction_timeout_ms is not None:
            world.broker.transactions.configure(timeout_ms=settings.transaction_timeout_ms)
        self.producer = world.transaction_producer(ORDER_GROUP, self.check)
        self.sending = 0  # transactions still running

    def _event(self, action: str, **args: object) -> None:
        fields = tuple((k, str(v)) for k, v in args.items())
        self.world.emit(AppEvent(at_ms=self.world.now_ms, system=ORDER_LANE, action=action, args=fields))

    async def pay(self, order_id: str, *, resend: Resend | None = None) -> None:
        """Send "order paid" for ``order_id`` in a transaction with marking it paid.

        With ``resend`` (the lab of ``minimq check``), the order system's "never lose a
        message" loop of ``minimq.apps.orders``: a send that raises (a lost reply after the
        broker stored the half) is tried again, up to ``SEND_ATTEMPTS`` in all, with the
        same ``Message`` or a new one; the half the broker stored for the failed attempt is
        left to the check-back. Without it (lesson 13), a send that raises ends the call."""
        user = str(self.db.query("SELECT user_id FROM orders WHERE id = ?", (order_id,))[0][0])
        msg = order_paid(order_id, user)
        self.sending += 1
        try:
            for _ in range(SEND_ATTEMPTS if resend is not None else 1):
                try:
                    await self.producer.send_in_transaction(msg, self.mark_paid)
                    return
                except (SendTimeoutError, SendFailedError):
                    if resend is None:
                        raise
                    if resend == "new":
                        msg = order_paid(order_id, user)
        finally:
            self.sending -= 1

    async def mark_paid(self, msg: Message) -> LocalTransactionState:
        """The local transaction (``executeLocalTransaction``)."""
        order_id = msg.keys[0]
        invoice_ms = self.settings.invoice_ms.get(order_id, INVOICE_MS)
        async with self.db.session(ORDER_LANE) as db:
            sql = "UPDATE orders SET status = 'PAID', paid_ms = ? WHERE id = ? AND status = 'UNPAID'"
            if (await db.execute(sql, (self.world.now_ms, order_id))).rowcount != 1:
                await db.rollback()
                return LocalTransactionState.ROLLBACK_MESSAGE  # paid already: nothing to announce
            self._event("tx_update", order=order_id, invoice_ms=invoice_ms)
            await asyncio.sleep(invoice_ms / 1000)  # the invoicing service, inside the open transaction
            await db.commit()
        self._event("tx_commit", order=order_id)
        return LocalTransactionState.COMMIT_MESSAGE

    async def check(self, msg: MessageExt) -> LocalTransactionState:
        """The check listener (``checkLocalTransaction``): the order's committed status."""
        order_id = msg.keys[0]
        async with self.db.session(ORDER_LANE) as db:
            row = (await db.execute("SELECT status FROM orders WHERE id = ?", (order_id,))).one()
        status = str(row[0]) if row is not None else "-"
        answer = LocalTransactionState.COMMIT_MESSAGE if status == "PAID" else LocalTransactionState.UNKNOW
        self._event("tx_check", order=order_id, status=status, answer=answer.value)
        return answer
