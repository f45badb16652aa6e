"""Helpers the consumer and producer tests share (the ``w`` world fixture is in conftest)."""

from __future__ import annotations

from typing import Any

from minimq import ConsumeStatus, Message, World
from minimq.model import MessageExt, MessageQueue, SendResult
from minimq.runtime.producer import select_by_hash

TOPIC = "order-paid"


def to_queue(mqs: list[MessageQueue], msg: Message, arg: Any) -> MessageQueue:
    """A ``MessageQueueSelector`` that sends to queue ``arg``."""
    return mqs[int(arg)]


def send(
    w: World, key: str, *, queue: int | None = None, at_ms: int | None = None, order: str | None = None
) -> SendResult:
    """Send one message keyed ``key`` at ``at_ms``: to ``queue``, or by hash of ``order``,
    or round-robin."""
    if at_ms is not None:
        w.run_until(at_ms)
    p = w.producer("order", client_id="order")
    msg = Message(TOPIC, key.encode(), keys=(key,))
    if queue is not None:
        return w.run(p.send(msg, selector=to_queue, arg=queue))
    if order is not None:
        return w.run(p.send(msg, selector=select_by_hash, arg=order))
    return w.run(p.send(msg))


def ok(msg: MessageExt) -> ConsumeStatus:
    return ConsumeStatus.SUCCESS


def raised_here(note: str, what: str) -> bool:
    """Whether a consume note says ``raised <what> at <a line of the test file that called>``:
    the listener names the line of the application that raised."""
    import inspect

    caller = inspect.stack()[1].filename
    head, _, where = note.partition(" at ")
    path, _, line = where.rpartition(":")
    return head == f"raised {what}" and path == caller and line.isdigit()
