"""Calling the application's listener, and where an exception it raised came from.

Owns: ``invoke``, the call of the listener in ``ConsumeMessageConcurrentlyService
.ConsumeRequest.run`` and its orderly twin:
- A handler may be a plain function or a coroutine function taking one message.
- A thrown exception counts as ``RECONSUME_LATER`` (orderly:
  ``SUSPEND_CURRENT_QUEUE_A_MOMENT``); what any returned value counts as is
  ``minimq.core.consume_result.read_status`` (a ``None`` or a value that is not a status
  is a failure too).
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

from minimq.core.consume_result import failure, read_status
from minimq.model import MessageExt

# read_status is the core's rule; it is offered here too, next to the call it reads.
__all__ = ["application_line", "invoke", "read_status"]


async def invoke(handler: Callable[[MessageExt], Any], msg: MessageExt, *, orderly: bool) -> tuple[str, str]:
    """Run ``handler(msg)`` and read its status; exceptions become failures."""
    try:
        result = handler(msg)
        if inspect.isawaitable(result):
            result = await result
    except Exception as exc:  # the listener's own failure, never ours
        where = application_line(exc.__traceback__)
        return failure(orderly=orderly).value, f"raised {type(exc).__name__}: {exc}" + (f" at {where}" if where else "")
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
