"""Running a plain ``def`` handler with switch points, as RocketMQ's consume threads would.

Owns: ``call_sync(fn, *args)`` and ``wait_for(awaitable)``. RocketMQ runs a listener on
up to 20 consume threads at once, so two copies of one message can both be between
their SELECT and their INSERT: a race that a synchronous handler has as much as an
``async def`` one. A simulation has no threads, so a plain ``def`` handler runs in a
greenlet of its own: every statement, commit and Redis command it makes through ``db``
calls ``wait_for``, which hands the awaitable to the handler's task and suspends the
greenlet until the task has awaited it. Other handlers run meanwhile, at exactly the
points where they would run around an ``await`` in an ``async def`` handler, so the two
kinds of handler interleave identically and deterministically (greenlets are switched
explicitly, never by a scheduler).

Why greenlet: it is the standard way to give synchronous Python code switch points
without rewriting it (SQLAlchemy's asyncio support and gevent are built on it); the
alternatives are a thread per handler (nondeterministic, and banned inside a
simulation) or rewriting the design's source into ``async def`` (fragile).

A cancellation (a crash of the consumer while its handler waits on a statement) is
thrown into the greenlet at the statement it waits on, as ``CancelledError``, exactly as
an ``async def`` handler receives it at its ``await``. A ``time.sleep`` in such a handler
sleeps in virtual time, a switch point like any other: the consume thread waits, the
others go on, as in RocketMQ.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from greenlet import getcurrent, greenlet

from minimq.sim.no_wall_sleep import on_sleep_in_simulation


class _Await:
    """What a handler's greenlet hands to its task: "await this for me"."""

    __slots__ = ("awaitable",)

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self.awaitable = awaitable


class HandlerGreenlet(greenlet):
    """The greenlet a synchronous handler runs in."""


def in_handler_greenlet() -> bool:
    """True when the caller runs inside ``call_sync``'s greenlet (a synchronous handler)."""
    return isinstance(getcurrent(), HandlerGreenlet)


def wait_for(awaitable: Awaitable[Any]) -> Any:
    """From synchronous code run by ``call_sync``: await ``awaitable`` on the simulation's
    loop and return its result (or raise its exception), letting other tasks run meanwhile."""
    current = getcurrent()
    if not isinstance(current, HandlerGreenlet):
        close = getattr(awaitable, "close", None)
        if close is not None:
            close()  # no "coroutine was never awaited" warning on top of this error
        raise RuntimeError("a synchronous db call was made outside a handler: call it from handle(msg, db)")
    parent = current.parent
    assert parent is not None  # a HandlerGreenlet is always started from the loop's greenlet
    return parent.switch(_Await(awaitable))


async def call_sync(fn: Callable[..., Any], *args: Any, on_start: Callable[[greenlet], None] | None = None) -> Any:
    """Run ``fn(*args)`` in a greenlet; await, on its behalf, every awaitable it hands over
    with ``wait_for``; return what ``fn`` returns, or raise what it raises. ``on_start``
    is given the greenlet first (to see, later, where it is suspended)."""
    child = HandlerGreenlet(fn)
    if on_start is not None:
        on_start(child)
    request = child.switch(*args)
    while not child.dead:
        if not isinstance(request, _Await):  # a foreign switch: not ours to interpret
            raise RuntimeError(f"a synchronous handler switched greenlets unexpectedly ({request!r})")
        try:
            value = await request.awaitable
        except BaseException as exc:  # a cancellation too: it belongs to the handler
            request = child.throw(exc)
        else:
            request = child.switch(value)
    return request


def _sleep_in_handler(seconds: float) -> bool:
    """A plain ``def`` handler's ``time.sleep``: the consume thread waits in virtual time."""
    if not in_handler_greenlet():
        return False
    wait_for(asyncio.sleep(seconds))
    return True


on_sleep_in_simulation(_sleep_in_handler)
