"""Calling the design's ``handle`` in a lab run, and sorting how each call ended.

Owns: ``DesignCalls``. Every delivery to a coupon consumer is one call: a database
session of its own (with the fault plan's hooks, reporting its statements in the
handler's lane), the design's module of that process, ``handle`` run as a coroutine or,
for a plain ``def``, in a greenlet. How the call ended decides what the engine sees:
- a value: RocketMQ's reading of it (``listener.read_status``); not a status is noted;
- an ``Exception``: a failed consumption, with the design's line;
- the cancellation of its process (a crash, a shutdown, the world closing): as is;
- a thread or a blocking ``time.sleep`` in an ``async def``: a ``DesignError``;
- the watchdog's interruption, or ``SystemExit``, ``KeyboardInterrupt`` (from the design:
  a worker ignores Ctrl-C) and any other ``BaseException``: the run ends, recorded as a
  verdict (``Escaped``) instead of killing a consume thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from minimq.apps.design_db import DesignDB
from minimq.errors import SleepInSimulationError, ThreadInSimulationError
from minimq.runtime.listener import read_status
from minimq.testing.calls import HandlerCall
from minimq.testing.design import DesignError, LoadedDesign, describe_exception, user_code
from minimq.testing.verdict import Escaped, TimedOut
from minimq.testing.watchdog import Watchdog, WatchdogExpired, keyboard_can_interrupt, traceback_line

if TYPE_CHECKING:
    from minimq.apps.db import Database
    from minimq.apps.kv import KeyValueStore
    from minimq.model import MessageExt
    from minimq.testing.lab_faults import CallFaults
    from minimq.world import World


class DesignCalls:
    """The calls of one run; ``stop()`` ends the run, ``ended(call)`` is told every end."""

    def __init__(
        self,
        design: LoadedDesign,
        world: World,
        db: Database,
        redis: KeyValueStore,
        faults: CallFaults,
        *,
        stop: Callable[[], None],
        ended: Callable[[HandlerCall], None],
    ) -> None:
        self.design, self.world, self.db, self.redis, self.faults = design, world, db, redis, faults
        self._stop, self._on_end = stop, ended
        self.calls: list[HandlerCall] = []
        self.modules: dict[str, ModuleType] = {}  # client -> the design as its process imported it
        self.escaped: Escaped | None = None
        self.design_error: DesignError | None = None

    def load(self, client: str) -> bool:
        """A new process of ``client``: the design's module afresh (its state is gone)."""
        try:
            with user_code(self.design.path, "doing.restart"):
                self.modules[client] = self.design.instance()
        except DesignError as error:
            self.failed(error)
            return False
        return True

    def handler(self, client: str) -> Any:
        """The listener of consumer ``client``: one call of ``handle`` per delivery."""

        async def on_message(msg: MessageExt) -> object:
            call = self._open(client, msg)
            try:
                module = self.modules[client]
                if self.design.is_async:
                    result = await module.handle(msg, DesignDB(call.session))
                else:  # greenlet (the test extra) is needed only for a plain-def design
                    from minimq.apps.design_db_sync import SyncDesignDB
                    from minimq.apps.greenlets import call_sync

                    result = await call_sync(module.handle, msg, SyncDesignDB(call.session), on_start=call.attach)
            except BaseException as exc:
                if self._raised(call, exc):
                    raise
                raise asyncio.CancelledError from None  # the run is over (``stop``)
            else:
                self._returned(call, result)
                return result
            finally:
                call.session.close()

        return on_message

    def _open(self, client: str, msg: MessageExt) -> HandlerCall:
        world = self.world
        call = HandlerCall(
            client,
            msg.keys[0] if msg.keys else "",
            msg.msg_id,
            msg.reconsume_times,
            world.now_ms,
            session=None,  # type: ignore[arg-type]  # set right below: the hooks need the call
            task=asyncio.current_task(world.loop),
        )
        call.session = self.db.session(
            client,
            redis=self.redis,
            before_statement=self.faults.before(call),
            after_statement=self.faults.after(call),
            trace_as=msg.msg_id,
        )
        self.calls.append(call)
        return call

    def _returned(self, call: HandlerCall, result: object) -> None:
        call.status, note = read_status(result, orderly=False)
        if note:  # not a status: RocketMQ reads it as RECONSUME_LATER
            shown = repr(result) if len(repr(result)) <= 60 else repr(result)[:57] + "..."
            call.value = f"{shown} ({type(result).__name__})"
        self._end(call)

    def _raised(self, call: HandlerCall, exc: BaseException) -> bool:
        """Sort what a handler raised; True when it goes on to the engine."""
        task = call.task
        if isinstance(exc, asyncio.CancelledError) and (call.cancelled or (task is not None and task.cancelling())):
            call.cancelled = True  # its process crashed or shut down (``kill``), or the world closed
        elif isinstance(exc, ThreadInSimulationError | SleepInSimulationError):
            self.failed(self._refused(exc))
        elif isinstance(exc, Exception):
            call.status, call.error = "RECONSUME_LATER", describe_exception(exc)
            call.raised = traceback_line(exc.__traceback__, self.design.path)
        elif isinstance(exc, KeyboardInterrupt) and keyboard_can_interrupt():
            pass  # the person at the keyboard: not the design's doing
        else:  # the watchdog, or an escape: either way the run is over
            if not isinstance(exc, WatchdogExpired):
                self.escaped = self._escape(call, exc)
                self._stop()
            self._end(call)
            return False
        self._end(call)
        return True

    def _refused(self, exc: ThreadInSimulationError | SleepInSimulationError) -> DesignError:
        where = traceback_line(exc.__traceback__, self.design.path)
        at = f"{where} ({where.code})" if where else self.design.path
        if isinstance(exc, ThreadInSimulationError):
            return DesignError("thread", where, at=at, what=exc.what)
        return DesignError("sleep", where, at=at, seconds=exc.seconds)

    def _escape(self, call: HandlerCall, exc: BaseException) -> Escaped:
        where = traceback_line(exc.__traceback__, self.design.path)
        return Escaped(
            call.order,
            call.msg_id,
            call.client,
            self.world.now_ms,
            describe_exception(exc),
            str(where) if where else "",
            where.code if where else "",
        )

    def _end(self, call: HandlerCall) -> None:
        call.ended_ms = self.world.now_ms
        call.troubled = call.troubled or call.session.lock_timeouts > 0
        self._on_end(call)

    def failed(self, error: DesignError) -> None:
        """The design cannot be used: the run stops and raises ``error``."""
        if self.design_error is None:
            self.design_error = error
        self._stop()

    def kill(self, client: str) -> None:
        """``client``'s process is gone: its calls are cancelled, their connections dropped."""
        for call in self.calls:
            if call.running and call.client == client:
                call.cancelled = True
                call.session.kill()

    def running(self) -> bool:
        return any(call.running for call in self.calls)

    def timed_out(self, dog: Watchdog) -> TimedOut:
        """The wall-clock verdict, naming the call that was running when the watchdog fired
        (the last call of that task or greenlet: a consume thread runs one at a time)."""
        where = dog.where
        task, greenlet = dog.stuck
        stuck = [c for c in self.calls if c.task is task or (c.greenlet and c.greenlet is greenlet)]
        order, client = (stuck[-1].order, stuck[-1].client) if stuck else ("", "")
        return TimedOut(order, dog.seconds or 0.0, client, str(where) if where else "", where.code if where else "")
