"""Calling the application's listener, and where an exception it raised came from.

Owns: ``invoke`` and ``invoke_batch``, the call of the listener in
``ConsumeMessageConcurrentlyService.ConsumeRequest.run`` and its orderly twin, and
``delivered``, the event that says it was called:
- A handler may be a plain function or a coroutine function taking one message; a batch
  listener (``batch=True``) takes the list of messages and the context
  (``ConsumeConcurrentlyContext`` or ``ConsumeOrderlyContext``), as RocketMQ's
  ``consumeMessage(msgs, context)`` does.
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
from typing import Any, TypeVar

from minimq.core.consume_result import failure, read_status
from minimq.events import MessageDelivered
from minimq.model import MessageExt

_In = TypeVar("_In")  # one message, or a batch listener's list

# read_status is the core's rule; it is offered here too, next to the call it reads.
__all__ = ["application_line", "delivered", "invoke", "invoke_batch", "read_status"]


def delivered(msg: MessageExt, *, client: str, group: str, now_ms: int) -> MessageDelivered:
    """The event of the listener called with ``msg`` (one per message of a batch)."""
    return MessageDelivered(
        at_ms=now_ms,
        client=client,
        group=group,
        topic=msg.queue.topic,
        queue_id=msg.queue.queue_id,
        queue_offset=msg.queue_offset,
        msg_id=msg.msg_id,
        offset_msg_id=msg.offset_msg_id,
        real_topic=msg.topic,
        keys=msg.keys,
        reconsume_times=msg.reconsume_times,
    )


async def invoke(handler: Callable[[_In], Any], msg: _In, *, orderly: bool) -> tuple[str, str]:
    """Run ``handler(msg)`` and read its status; exceptions become failures."""
    try:
        result = handler(msg)
        if inspect.isawaitable(result):
            result = await result
    except Exception as exc:  # the listener's own failure, never ours
        where = application_line(exc.__traceback__)
        return failure(orderly=orderly).value, f"raised {type(exc).__name__}: {exc}" + (f" at {where}" if where else "")
    return read_status(result, orderly=orderly)


async def invoke_batch(
    handler: Callable[[list[MessageExt], Any], Any], msgs: list[MessageExt], context: object, *, orderly: bool
) -> tuple[str, str]:
    """Run a batch listener, ``handler(msgs, context)``, and read its status likewise."""
    return await invoke(lambda batch: handler(batch, context), msgs, orderly=orderly)


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
