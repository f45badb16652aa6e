"""No wall-clock sleep inside a simulation: the guard that refuses ``time.sleep``.

Owns: ``refuse_wall_sleep_in`` (the guard), ``on_sleep_in_simulation`` (the one way
around it) and ``wall_sleep``, the real ``time.sleep`` that real-time mode paces the
loop's jumps with. ``time.sleep`` called while a ``VirtualTimeLoop`` runs on the calling
thread would block every task in wall time and take no virtual time, so a pause in a
handler would vanish from the run: it raises ``SleepInSimulationError`` naming the
caller's ``file:line``, unless a hook sleeps in virtual time for it (a plain ``def``
design under ``minimq check`` does, in its greenlet). Outside a simulation it sleeps as
before. This is the one module of minimq that touches ``time.sleep``
(tests/test_architecture.py holds it to that).
"""

from __future__ import annotations

import asyncio
import functools
import sys
import time
from collections.abc import Callable
from typing import SupportsIndex

from minimq.errors import SleepInSimulationError

wall_sleep = time.sleep  # the real one, kept before the guard replaces it
_sleep_hooks: list[Callable[[float], bool]] = []


def on_sleep_in_simulation(hook: Callable[[float], bool]) -> None:
    """Offer every ``time.sleep(seconds)`` called inside a simulation to ``hook`` first; it
    returns True when it slept in virtual time itself. Otherwise the call is refused."""
    if hook not in _sleep_hooks:
        _sleep_hooks.append(hook)


def refuse_wall_sleep_in(loop_class: type[asyncio.AbstractEventLoop]) -> None:
    """Wrap ``time.sleep``, once: inside a running ``loop_class`` it is refused (or given to
    a hook); everywhere else it sleeps."""
    if getattr(time.sleep, "minimq_refuses_sleep", False):
        return

    @functools.wraps(wall_sleep)
    def guarded_sleep(seconds: float | SupportsIndex) -> None:
        if isinstance(asyncio._get_running_loop(), loop_class):
            if any(hook(float(seconds)) for hook in _sleep_hooks):
                return
            caller = sys._getframe(1)
            raise SleepInSimulationError(seconds, f"{caller.f_code.co_filename}:{caller.f_lineno}")
        wall_sleep(seconds)

    guarded_sleep.minimq_refuses_sleep = True  # type: ignore[attr-defined]
    time.sleep = guarded_sleep
