"""Calling the application's listener and reading what it returned.

Owns: the rule that turns whatever a handler does into a consume status. Mirrors
``ConsumeMessageConcurrentlyService.ConsumeRequest.run`` and its orderly twin:
- A handler may be a plain function or a coroutine function taking one message.
- A thrown exception or a ``None`` return counts as ``RECONSUME_LATER`` (orderly:
  ``SUSPEND_CURRENT_QUEUE_A_MOMENT``). RocketMQ's Java types make any other value
  impossible; minimq counts it as a failure too and says so in the trace.
- The status strings (``"CONSUME_SUCCESS"``, ``"SUCCESS"``, ``"RECONSUME_LATER"``, ...)
  are accepted for the enum members they name.
- An exception's note says where the application raised it: the innermost line of the
  traceback that is the application's own (not minimq's, not the standard library's,
  not an installed package's), as ``file:line``.
"""

from __future__ import annotations

import inspect
import sysconfig
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
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
        where = application_line(exc.__traceback__)
        return failed.value, f"raised {type(exc).__name__}: {exc}" + (f" at {where}" if where else "")
    return read_status(result, orderly=orderly)


_NOT_THE_APPLICATION = tuple(
    {str(Path(__file__).resolve().parents[1]), *(sysconfig.get_paths()[k] for k in ("stdlib", "purelib", "platlib"))}
)


def application_line(tb: TracebackType | None) -> str | None:
    """``file:line`` of the innermost traceback frame in the application's own code."""
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith("<") and not str(Path(filename).resolve()).startswith(_NOT_THE_APPLICATION):
            found = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found
