"""The transactional producer: a half message, the local transaction, its end, the checks.

Owns: ``TransactionProducer``. Mirrors ``TransactionMQProducer`` and
``DefaultMQProducerImpl.sendMessageInTransaction``, ``endTransaction`` and
``checkTransactionState`` (remoting client, 5.x). Path P16; the broker's side is
``minimq.runtime.transaction``.
Rules:
- ``send_in_transaction(msg, local_transaction)`` marks ``msg`` a half message
  (``TRAN_MSG=true``, ``PGROUP`` = the producer group) and sends it by ``Producer.send``'s
  rules: synchronous, with the same retries. A fast failure after the broker stored the
  half is retried at once with the same msg id, so the broker holds two halves of one
  transaction; the reply names the second, and only that one is ended (P16, b). If the
  send raises, so does this, and the local transaction never runs (Java wraps the error
  in ``MQClientException("send message Exception")``).
- On ``SEND_OK`` the local transaction runs: ``COMMIT_MESSAGE``, ``ROLLBACK_MESSAGE`` or
  ``UNKNOW``. An exception, ``None`` or any other value is ``UNKNOW``.
- Then ``END_TRANSACTION`` goes **oneway** for the half the reply named (its offset msg
  id and half offset), whatever the state (an ``UNKNOW`` end is ignored by the broker).
  Nothing tells the producer whether it arrived: a lost one
  (``FaultPlan.lose_end_transaction``) leaves the half to the check-back.
- The producer registers its group with the broker when it starts, so the broker's
  checks come to it. Its check listener answers them one at a time (the check
  executor has one thread, ``checkThreadPoolMinSize = checkThreadPoolMaxSize = 1``),
  from the application's own state, with the same three answers; each answer goes
  oneway as ``END_TRANSACTION`` (``fromTransactionCheck``) for the entry the check named.
  ``shutdown()`` unregisters it.
Both callbacks may be plain functions or coroutine functions (a database write takes
virtual time); each receives the message (a check listener, the half as a ``MessageExt``
of the real topic).
Simplification: ``FLUSH_DISK_TIMEOUT`` and the other statuses that make Java roll back
without running the local transaction never come: minimq's broker answers ``SEND_OK``.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from minimq.core.transaction import PROPERTY_PRODUCER_GROUP, PROPERTY_TRANSACTION_PREPARED, EndTransaction
from minimq.errors import ValidationError
from minimq.events import TransactionEnded
from minimq.model import LocalTransactionState, Message, MessageExt, TransactionSendResult
from minimq.runtime.producer import Producer
from minimq.runtime.transaction import CheckRequest

if TYPE_CHECKING:
    from minimq.sim.kernel import Simulation

Answer = LocalTransactionState | str | None
LocalTransaction = Callable[[Message], Answer | Awaitable[Answer]]
CheckListener = Callable[[MessageExt], Answer | Awaitable[Answer]]


class TransactionProducer(Producer):
    """A transactional producer (``TransactionMQProducer``) with its check listener."""

    def __init__(self, world: Simulation, group: str, check_listener: CheckListener, *, broker: str, **options: Any):
        if not callable(check_listener):
            raise ValidationError(
                "check_listener must be a function of the half message returning a LocalTransactionState",
                check_listener,
            )
        super().__init__(world, group, broker=broker, **options)
        self.check_listener = check_listener
        self._checks = asyncio.Lock()  # the check executor's one thread
        self._channel = self._on_check  # the connection the broker's checks come down
        world.network.route(broker).transactions.register_producer(self.group, self.client_id, self._channel)

    def shutdown(self) -> None:
        if self.running:
            super().shutdown()
            self._world.network.route(self.broker_name).transactions.unregister_producer(self.group, self._channel)

    async def send_in_transaction(self, msg: Message, local_transaction: LocalTransaction) -> TransactionSendResult:
        """Send ``msg`` as a half message, run ``local_transaction(msg)``, and end the
        transaction as it answered (oneway)."""
        if not isinstance(msg, Message):
            raise ValidationError("send_in_transaction() takes a minimq.Message", msg)
        if not callable(local_transaction):
            raise ValidationError(
                "local_transaction must be a function of the message returning a LocalTransactionState",
                local_transaction,
            )
        msg.properties[PROPERTY_TRANSACTION_PREPARED] = "true"
        msg.properties[PROPERTY_PRODUCER_GROUP] = self.group
        sent = await self.send(msg)
        state, note = await _answer(local_transaction, msg)
        self._end(
            EndTransaction(
                group=self.group,
                msg_id=sent.msg_id,
                offset_msg_id=sent.offset_msg_id,
                half_offset=sent.queue_offset,
                state=state,
                from_check=False,
            ),
            note,
            msg.keys,
        )
        return TransactionSendResult(sent.status, sent.msg_id, sent.offset_msg_id, sent.queue, sent.queue_offset, state)

    def _on_check(self, request: CheckRequest) -> None:
        """``CHECK_TRANSACTION_STATE`` arrived: queue it for the check executor."""
        if self.running:
            self._world.spawn(self._answer_check(request), name=f"check {request.msg.msg_id}")

    async def _answer_check(self, request: CheckRequest) -> None:
        async with self._checks:
            if not self.running:
                return
            msg = request.msg
            state, note = await _answer(self.check_listener, msg)
            end = EndTransaction(
                group=self.group,
                msg_id=msg.msg_id,
                offset_msg_id=request.offset_msg_id,
                half_offset=request.half_offset,
                state=state,
                from_check=True,
            )
            self._end(end, note, msg.keys)

    def _end(self, end: EndTransaction, note: str, keys: tuple[str, ...]) -> None:
        """``endTransactionOneway``: tell the broker, and never hear back."""
        world = self._world
        world.emit(
            TransactionEnded(
                at_ms=world.now_ms,
                producer=self.client_id,
                group=end.group,
                msg_id=end.msg_id,
                half_offset=end.half_offset,
                state=end.state.value,
                from_check=end.from_check,
                note=note,
            )
        )
        lost = world.faults.end_transaction_lost(end.msg_id, keys)
        world.network.oneway(
            self.broker_name,
            lambda broker: broker.transactions.end(end),
            what=f"end transaction {end.msg_id}",
            lost=lost,
        )


async def _answer(callback: Callable[[Any], Any], arg: object) -> tuple[LocalTransactionState, str]:
    """What ``callback(arg)`` answers, as a state, and why it is ``UNKNOW`` when it is."""
    try:
        answer = callback(arg)
        if inspect.isawaitable(answer):
            answer = await answer
    except Exception as exc:  # the application's error: the state is not known
        return LocalTransactionState.UNKNOW, f"raised {type(exc).__name__}: {exc}"
    if answer is None:
        return LocalTransactionState.UNKNOW, ""
    try:
        return LocalTransactionState(answer), ""
    except ValueError:
        return LocalTransactionState.UNKNOW, f"returned {answer!r}"
