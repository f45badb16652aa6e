"""One call of a design's handler, as the lab saw it: for the verdicts and the story.

Owns: ``HandlerCall`` and ``where_waiting``. The engine's trace says when a message was
delivered and what status RocketMQ read; a call adds what only the lab knows: whether
the fault plan (or a lock timeout) troubled this call, where in the design's file an
exception came from, and, for a call that never returned, where it was waiting.
"""

from __future__ import annotations

import asyncio
import types
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from minimq.testing.watchdog import Where, design_line

if TYPE_CHECKING:
    from minimq.apps.session import Session


@dataclass(eq=False)
class HandlerCall:
    """One ``handle(msg, db)`` call: who, which message, from when, and how it ended."""

    client: str
    order: str
    msg_id: str
    reconsume_times: int
    started_ms: int
    session: Session
    task: asyncio.Task[Any] | None
    greenlet: Any = None  # the greenlet a plain ``def`` handler runs in
    ended_ms: int | None = None
    status: str = ""  # the consume status RocketMQ read ("" while running or if cancelled)
    value: str = ""  # what it returned, when that was not a consume status: "'yes please' (str)"
    error: str = ""  # what it raised: "OperationalError: disk I/O error"
    raised: Where | None = None  # where that exception left the design
    troubled: bool = False  # a fault was injected into it, or a statement timed out on a lock
    cancelled: bool = False  # its process crashed or shut down under it

    @property
    def running(self) -> bool:
        return self.ended_ms is None

    def attach(self, greenlet: Any) -> None:
        """The greenlet a plain ``def`` handler runs in (``greenlets.call_sync``)."""
        self.greenlet = greenlet


def where_waiting(call: HandlerCall, path: str) -> Where | None:
    """The line of the design a call that has not returned is suspended at."""
    if call.greenlet is not None:
        return design_line(getattr(call.greenlet, "gr_frame", None), path)
    if call.task is None:
        return None
    deepest: Where | None = None
    awaited: Any = call.task.get_coro()
    while awaited is not None:
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
        if isinstance(frame, types.FrameType) and frame.f_code.co_filename == path:
            deepest = design_line(frame, path)
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    return deepest
