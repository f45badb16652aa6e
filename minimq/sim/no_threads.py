"""No thread inside a simulation: the guard that refuses one, and says where it came from.

Owns: ``ThreadInSimulationError`` raised at the two doors a thread comes through. A
thread runs on the wall clock, outside the virtual-time loop, so whatever it does lands
at a moment that depends on the machine, and the same seed no longer gives the same run
(docs/design.md, section 4; ``bench/loop_choice.py`` shows looptime giving 8 different
event orders in 8 runs of such a program).
- ``VirtualTimeLoop.run_in_executor`` (and so ``asyncio.to_thread``) raises
  ``executor_refused(func)``.
- ``threading.Thread.start`` is wrapped, once, when ``minimq.sim.loop`` is imported
  (``refuse_thread_start_in``): it raises while a ``VirtualTimeLoop`` runs on the calling
  thread, and starts the thread as before everywhere else, so threads outside simulations
  (pytest's, a web server's) are untouched.
Both errors name the caller's ``file:line`` and say what to do instead. This is the one
module of minimq that imports ``threading``: to refuse threads, never to start one
(tests/test_architecture.py holds it to that).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import sys
import threading
from typing import Any

from minimq.errors import ThreadInSimulationError

# Frames that belong to the machinery between the caller and the refusal.
_NOT_THE_CALLER = ("asyncio", "threading", "concurrent", "minimq.sim.loop", __name__)


def caller() -> str:
    """``file:line`` of the code that asked for a thread: the first frame that is not
    asyncio, threading, concurrent.futures or minimq's loop."""
    frame = sys._getframe(1)
    while frame.f_back is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if not any(module == m or module.startswith(m + ".") for m in _NOT_THE_CALLER):
            break
        frame = frame.f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def executor_refused(func: Any) -> ThreadInSimulationError:
    """The error for ``run_in_executor(executor, func)``, naming the call as it reads in
    the caller's code (``asyncio.to_thread`` hands over ``partial(context.run, func)``)."""
    to_thread = False
    if isinstance(func, functools.partial):
        to_thread = isinstance(getattr(func.func, "__self__", None), contextvars.Context) and bool(func.args)
        func = func.args[0] if to_thread else func.func
    name = getattr(func, "__qualname__", None) or repr(func)
    what = f"asyncio.to_thread({name})" if to_thread else f"loop.run_in_executor(..., {name})"
    return ThreadInSimulationError(what, caller())


def refuse_thread_start_in(loop_class: type[asyncio.AbstractEventLoop]) -> None:
    """Wrap ``threading.Thread.start`` so that it raises while a ``loop_class`` loop runs on
    the calling thread. Idempotent: a second call (a re-import) wraps nothing."""
    start = threading.Thread.start
    if getattr(start, "minimq_refuses_threads", False):
        return

    @functools.wraps(start)
    def guarded_start(self: threading.Thread) -> None:
        if isinstance(asyncio._get_running_loop(), loop_class):
            raise ThreadInSimulationError(f"threading.Thread.start() of thread {self.name!r}", caller())
        start(self)

    guarded_start.minimq_refuses_threads = True  # type: ignore[attr-defined]
    threading.Thread.start = guarded_start  # type: ignore[method-assign]
