"""Calling the application's listener and reading what it returned.

Owns: the rule that turns whatever a handler does into a consume status. Mirrors
``ConsumeMessageConcurrentlyService.ConsumeRequest.run`` and its orderly twin:
- A handler may be a plain function or a coroutine function taking one message.
- A thrown exception or a ``None`` return counts as ``RECONSUME_LATER`` (orderly:
  ``SUSPEND_CURRENT_QUEUE_A_MOMENT``). RocketMQ's Java types make any other value
  impossible; minimq counts it as a failure too and says so in the trace.
- The status strings (``"CONSUME_SUCCESS"``, ``"SUCCESS"``, ``"RECONSUME_LATER"``, ...)
  are accepted for the enum members they name.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from minimq.model import ConsumeStatus, MessageExt, OrderlyStatus

_CONCURRENT = {s.value: s for s in ConsumeStatus} | {s.name: s for s in ConsumeStatus}
_ORDERLY = {s.value: s for s in OrderlyStatus} | {s.name: s for s in OrderlyStatus}


def read_status(result: object, *, orderly: bool) -> tuple[str, str]:
    """Return (status value, note) for what a handler returned."""
    table = _ORDERLY if orderly else _CONCURRENT
    failed = (OrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT if orderly else ConsumeStatus.RECONSUME_LATER).value
    if isinstance(result, str) and result in table:
        return table[result].value, ""
    if result is None:
        return failed, "returned None, which counts as a failure"
    wanted = "OrderlyStatus" if orderly else "ConsumeStatus"
    shown = repr(result)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return failed, f"returned {shown} ({type(result).__name__}), not a {wanted}; counted as a failure"


async def invoke(handler: Callable[[MessageExt], Any], msg: MessageExt, *, orderly: bool) -> tuple[str, str]:
    """Run ``handler(msg)`` and read its status; exceptions become failures."""
    try:
        result = handler(msg)
        if inspect.isawaitable(result):
            result = await result
    except Exception as exc:  # the listener's own failure, never ours
        failed = OrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT if orderly else ConsumeStatus.RECONSUME_LATER
        return failed.value, f"raised {type(exc).__name__}: {exc}"
    return read_status(result, orderly=orderly)
