"""The lab: one run of a design under test against one fault schedule.

Owns: ``Lab``, ``Outcome`` and ``run_schedule``. The lab is a small world: the order
system's producer (with its own retry loop), the broker, the coupon consumer group
(``c1``, and ``c2`` when a schedule makes one join) running the design, the coupon
database (a fresh copy for each run, see ``coupon_db``) and a Redis-like store. It plays
a ``Schedule`` on the virtual clock, restarts any consumer that is down, and then lets
the world run until it is quiet: every retry delivered or dead-lettered (the whole
16-step ladder, 4 h 45 min 40 s, costs well under a second of wall time), every queue
consumed, every handler returned, up to a horizon of ``HORIZON_MS`` after the last step.
The verdicts (``verdict``) are taken on what the run left: coupons per paid order, the
design's own answers, dead letters, handlers that never returned.

The design is user code, and the lab survives whatever it does: an exception becomes a
failed consumption with its file:line; ``SystemExit``, ``KeyboardInterrupt`` and other
``BaseException``\\ s end the run with an ``Escaped`` verdict instead of killing a consume
thread; a call that never returns is reported with where it waits; the wall-clock
``Watchdog`` stops a busy loop or a blocking call; an error at a restart's import or in
``setup`` is a ``DesignError``.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from minimq.errors import SendFailedError, SendTimeoutError, SleepInSimulationError, ThreadInSimulationError
from minimq.events import ConsumerCrashed, ConsumerShutdown, EffectApplied, EffectExpected, Event, MessageDeadLettered
from minimq.model import Message, MessageExt
from minimq.runtime.listener import read_status
from minimq.runtime.push_consumer import PushConsumer
from minimq.sim.faults import CrashPoint
from minimq.sim.world import World
from minimq.testing.calls import HandlerCall
from minimq.testing.coupon_db import LEDGER, give_back, open_coupon_db
from minimq.testing.design import DesignError, LoadedDesign, describe_exception, user_code
from minimq.testing.design_db import DesignDB, SyncDesignDB
from minimq.testing.greenlets import call_sync
from minimq.testing.lab_faults import CallFaults
from minimq.testing.schedule import Schedule, Step
from minimq.testing.verdict import (
    Escaped,
    TimedOut,
    Violation,
    call_violations,
    count_violations,
    coupon_times,
    dead_letters,
    unreturned,
)
from minimq.testing.watchdog import Watchdog, WatchdogExpired, keyboard_can_interrupt, traceback_line
from minimq.trace import Trace

TOPIC = "order-paid"
GROUP = "coupon-system"
RESTART_MS = 1000  # a crashed process comes back after this unless its step says otherwise
SETTLE_MS = 3_000  # after the last step, before every consumer is brought back
QUIET_CHECK_MS = 1000
QUIET_CHECK_MAX_MS = 60_000
HORIZON_MS = 8 * 3_600_000  # after the last step: the retry ladder, with room for held handlers


class _Stop(Exception):
    """The run is over before the world went quiet: a verdict is already certain."""


@dataclass
class Outcome:
    """What one run did: coupons per paid order, the verdicts, and the trace.

    ``world`` is the (closed) world the run happened in; it is None for an outcome that
    came from another process, which carries its ``trace`` alone."""

    schedule: Schedule
    seed: int
    trace: Trace
    coupons: dict[str, int] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    world: World | None = None
    complete: bool = True  # False: stopped at the first certain violation (exploring)

    @property
    def duplicated(self) -> dict[str, int]:
        return {o: n for o, n in self.coupons.items() if n > 1}

    @property
    def lost(self) -> list[str]:
        return [o for o, n in self.coupons.items() if n == 0]

    @property
    def ok(self) -> bool:
        return not self.violations

    def kinds(self) -> set[str]:
        return {v.kind for v in self.violations}

    def portable(self) -> Outcome:
        """The same outcome without its world, for sending to another process."""
        return Outcome(self.schedule, self.seed, Trace(self.trace.events), dict(self.coupons), list(self.violations))


class Lab:
    """A fresh world for one schedule; ``run()`` plays it and returns the ``Outcome``.

    ``fail_fast`` stops the run at the first violation that cannot be undone (a second
    coupon, a dead letter, a failure after the effect, an escape): exploring needs a yes
    or no, and the story of a counterexample comes from a complete run of it."""

    def __init__(
        self,
        design: LoadedDesign,
        seed: int = 0,
        *,
        fail_fast: bool = False,
        timeout_s: float | None = None,
    ) -> None:
        self.design = design
        self.fail_fast = fail_fast
        self.world = World(seed)
        self.watchdog = Watchdog(timeout_s, design.path)
        self.watchdog.loop = self.world.loop
        try:
            with self.watchdog:
                self.db = open_coupon_db(design, self.world)
        except WatchdogExpired:
            self.world.close()
            where = self.watchdog.where
            stuck = where.code if where else ""
            raise DesignError("setup_timeout", where, path=design.path, seconds=timeout_s, stuck=stuck) from None
        self.world.broker.create_topic(TOPIC)
        from minimq.apps.kv import KeyValueStore

        self.redis = KeyValueStore(self.world)
        self.producer = self.world.producer("order-system")
        self.consumers: dict[str, PushConsumer] = {}
        self.modules: dict[str, ModuleType] = {}
        self.faults = CallFaults(self.world, self._crash)
        self.armed: dict[tuple[str, str], list[int]] = {}  # (client, crash point) -> restart delays
        self.crashing: dict[str, int] = {}  # client -> restart delay of the crash the lab causes now
        self.calls: list[HandlerCall] = []
        self.paid: list[str] = []
        self.sending = 0  # the order system's send loops still running
        self.down_until = 0  # the whole coupon system is down until then (a ``down`` step)
        self.escaped: Escaped | None = None
        self.design_error: DesignError | None = None
        self.violated = False
        self.stuck: list[Violation] = []  # calls still running when the run was over
        self._coupons: dict[str, int] = {}
        self.world.trace.subscribe(self._watch)

    # -- the coupon consumers ----------------------------------------------------------
    def consumer(self, client: str) -> PushConsumer:
        if client not in self.consumers:
            self.consumers[client] = self.world.push_consumer(GROUP, TOPIC, self._handler(client), client_id=client)
        return self.consumers[client]

    def start(self, client: str) -> None:
        if self.world.now_ms < self.down_until:  # the coupon system is down: nothing starts yet
            self.world.call_later_ms(self.down_until - self.world.now_ms, lambda: self.start(client))
            return
        consumer = self.consumer(client)
        if consumer.running:
            return
        try:
            with user_code(self.design.path, "doing.restart"):
                self.modules[client] = self.design.instance()  # a new process: module state is gone
        except DesignError as error:
            self._design_failed(error)
            return
        consumer.start()

    def _handler(self, client: str) -> Any:
        async def on_message(msg: MessageExt) -> object:
            call = self._open_call(client, msg)
            try:
                module = self.modules[client]
                if self.design.is_async:
                    result = await module.handle(msg, DesignDB(call.session))
                else:
                    result = await call_sync(module.handle, msg, SyncDesignDB(call.session), on_start=call.attach)
            except BaseException as exc:
                if self._raised(call, exc):
                    raise
                raise asyncio.CancelledError from None  # it escaped: the run is over (``_stop_now``)
            else:
                self._returned(call, result)
                return result
            finally:
                call.session.close()

        return on_message

    def _open_call(self, client: str, msg: MessageExt) -> HandlerCall:
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
        self._ended(call)

    def _raised(self, call: HandlerCall, exc: BaseException) -> bool:
        """Sort what a handler raised: the engine's cancellation, the watchdog, an error
        (a failed consumption), or a ``BaseException`` that escapes the contract. True
        when the exception goes on to the engine; an escape ends the run instead."""
        task = call.task
        if isinstance(exc, asyncio.CancelledError) and (call.cancelled or (task is not None and task.cancelling())):
            call.cancelled = True  # its process crashed or shut down (``_watch``), or the world closed
        elif isinstance(exc, WatchdogExpired):
            self._ended(call)
            return False  # the run is over (the watchdog stopped the loop)
        elif isinstance(exc, ThreadInSimulationError | SleepInSimulationError):
            where = traceback_line(exc.__traceback__, self.design.path)
            at = f"{where} ({where.code})" if where else self.design.path
            if isinstance(exc, ThreadInSimulationError):
                self._design_failed(DesignError("thread", where, at=at, what=exc.what))
            else:
                self._design_failed(DesignError("sleep", where, at=at, seconds=exc.seconds))
        elif isinstance(exc, Exception):
            call.status, call.error = "RECONSUME_LATER", describe_exception(exc)
            call.raised = traceback_line(exc.__traceback__, self.design.path)
        elif isinstance(exc, KeyboardInterrupt) and keyboard_can_interrupt():
            pass  # the person at the keyboard: not the design's doing
        else:
            where = traceback_line(exc.__traceback__, self.design.path)
            self.escaped = Escaped(
                call.order,
                call.msg_id,
                call.client,
                self.world.now_ms,
                describe_exception(exc),
                str(where) if where else "",
                where.code if where else "",
            )
            self._stop_now()
            self._ended(call)
            return False
        self._ended(call)
        return True

    def _ended(self, call: HandlerCall) -> None:
        call.ended_ms = self.world.now_ms
        call.troubled = call.troubled or call.session.lock_timeouts > 0
        if self.fail_fast and call.status == "RECONSUME_LATER" and not call.cancelled:
            committed = self._coupons.get(call.order, 0)
            if call.value or (committed and not call.troubled):
                self._violated()

    def _design_failed(self, error: DesignError) -> None:
        if self.design_error is None:
            self.design_error = error
        self._stop_now()

    def _crash(self, client: str, why: str, restart_after: int) -> None:
        self.crashing[client] = restart_after
        self.consumers[client].crash(why)
        self.crashing.pop(client, None)  # a process that was down already did not crash again

    def _watch(self, event: Event) -> None:
        if isinstance(event, ConsumerCrashed | ConsumerShutdown):
            for call in self.calls:  # the process is gone: its connections drop with it
                if call.running and call.client == event.client:
                    call.cancelled = True
                    call.session.kill()
        if isinstance(event, EffectApplied) and event.ledger == LEDGER:
            self._coupons[event.key] = self._coupons.get(event.key, 0) + 1
            if self._coupons[event.key] > 1:
                self._violated()
        elif isinstance(event, MessageDeadLettered):
            self._violated()
        # Every crash is followed by a restart, as a supervisor would do: each crash step
        # brings its own delay, so a second crash of the same process restarts it too.
        if isinstance(event, ConsumerCrashed) and event.client in self.consumers:
            delay = self.crashing.pop(event.client, None)
            if delay is None:
                armed = self.armed.get((event.client, event.point))
                delay = armed.pop(0) if armed else RESTART_MS
            self.world.call_later_ms(delay, lambda: self.start(event.client))

    def _violated(self) -> None:
        self.violated = True
        if self.fail_fast:
            self._stop_now()

    def _stop_now(self) -> None:
        self.world.loop.stop()

    # -- the order system --------------------------------------------------------------
    async def _send(self, order: str, resend: str = "same") -> None:
        body = json.dumps({"order": order, "user": f"user-{order}"}).encode()
        msg = Message(TOPIC, body, keys=(order,))
        self.sending += 1
        try:
            for _ in range(3):
                try:
                    await self.producer.send(msg)
                    return
                except (SendTimeoutError, SendFailedError):
                    if resend == "new":
                        msg = Message(TOPIC, body, keys=(order,))
        finally:
            self.sending -= 1

    def _expect(self, order: str) -> None:
        if order not in self.paid:
            self.paid.append(order)
            self.world.emit(EffectExpected(self.world.now_ms, LEDGER, order))

    # -- playing a schedule --------------------------------------------------------------
    def _act(self, step: Step) -> None:
        world, faults = self.world, self.world.faults
        kind = step.kind
        if kind in ("pay", "upstream_retry", "lost_reply"):
            self._expect(step.order)
            if kind == "lost_reply":
                faults.lose_send_reply(key=step.order, how=step.how or "timeout")
            world.spawn(self._send(step.order, step.resend or "same"), f"send-{step.order}")
        elif kind == "crash":
            delay = step.restart_after or RESTART_MS
            if step.point == "BEFORE_STATEMENT":
                self.faults.crashes[(step.client, step.order, step.statement)] = delay
            else:
                point = CrashPoint[step.point]
                self.armed.setdefault((step.client, point.value), []).append(delay)
                faults.crash_consumer(step.client, point, key=step.order)
        elif kind == "kill" and step.client in self.consumers:
            self._crash(step.client, "kill -9", step.restart_after or RESTART_MS)
        elif kind == "down":  # the whole coupon system: every consumer killed, all back later
            back = step.restart_after or RESTART_MS
            self.down_until = max(self.down_until, world.now_ms + back)
            for client in sorted(self.consumers):
                self._crash(client, "kill -9", back)
        elif kind in ("restart", "join"):
            self.start(step.client)
        elif kind == "leave" and step.client in self.consumers:
            self.consumers[step.client].shutdown()
        elif kind == "fail":
            self.faults.arm_fail(step.order, step.statement or 1, step.times or 1, after=step.how == "after")
        elif kind == "slow" and step.statement:
            self.faults.holds[step.order] = (step.statement, step.delay_ms)  # in the middle of the work
        elif kind == "slow":
            faults.slow_handler(step.delay_ms, key=step.order)
        elif kind == "outage":
            self.faults.outages.append((world.now_ms, world.now_ms + step.delay_ms))
        elif kind == "reset":
            world.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=step.delay_ms)

    def run(self, schedule: Schedule) -> Outcome:
        world = self.world
        complete = False
        try:
            with self.watchdog:
                try:
                    self._play(schedule)
                    complete = True
                except _Stop:
                    pass
                finally:
                    world.close()  # cancel what still runs: no task or loop outlives the run
        except WatchdogExpired:
            pass
        finally:
            give_back(self.design, self.db)
        if self.design_error is not None:
            raise self.design_error
        return Outcome(schedule, world.seed, world.trace, self.count(), self._verdicts(complete), world, complete)

    def _play(self, schedule: Schedule) -> None:
        world = self.world
        self.start("c1")
        for step in sorted(schedule.steps, key=lambda s: s.at_ms):
            world.call_later_ms(step.at_ms, lambda s=step: self._act(s))  # type: ignore[misc]
        last = max((_ends(s) for s in schedule.steps), default=0)
        self._advance(last + SETTLE_MS - world.now_ms)
        for client in sorted(self.consumers):  # every consumer that ever ran comes back
            self.start(client)
        deadline = world.now_ms + HORIZON_MS
        interval = QUIET_CHECK_MS
        while world.now_ms < deadline and not self.quiescent():
            self._advance(min(interval, deadline - world.now_ms))
            interval = min(interval * 2, QUIET_CHECK_MAX_MS)  # a long ladder needs no check every second
        self.stuck = unreturned(self.calls, world.now_ms, self.design.path)  # before closing cancels them

    def _advance(self, ms: int) -> None:
        """Let ``ms`` of virtual time pass, unless the run must stop first."""
        if ms > 0:
            self.world.run_for(ms)
        if self.watchdog.expired:
            raise WatchdogExpired
        if self.design_error is not None or self.escaped is not None or (self.fail_fast and self.violated):
            raise _Stop

    def quiescent(self) -> bool:
        """Nothing left to happen: no retry waiting at the broker, no task sending, no
        handler still running (the consume-timeout scan and a rebalance take a message out
        of the process queue while its handler goes on), and every running consumer has
        consumed every queue it owns up to its max offset."""
        broker = self.world.broker
        if broker.scheduled or self.sending or any(call.running for call in self.calls):
            return False
        owned = 0
        for consumer in self.consumers.values():
            if not consumer.running:
                continue
            for mq, in_flight in consumer.in_flight().items():
                owned += 1
                if in_flight or (consumer.local_offset(mq) or 0) < broker.max_offset(mq):
                    return False
        return owned > 0

    def count(self) -> dict[str, int]:
        applied = [e.key for e in self.world.trace.of(EffectApplied) if e.ledger == LEDGER]
        return {order: applied.count(order) for order in self.paid}

    def _verdicts(self, complete: bool) -> list[Violation]:
        trace = self.world.trace
        found: list[Violation] = []
        if self.escaped is not None:
            found.append(self.escaped)
        if self.watchdog.expired:
            found.append(self._timed_out())
        counts = self.count()
        found += [v for v in count_violations(counts) if complete or v.kind == "duplicate"]
        found += call_violations(self.calls, coupon_times(trace, LEDGER))
        found += dead_letters(trace, GROUP)
        return found + self.stuck

    def _timed_out(self) -> TimedOut:
        dog = self.watchdog
        where = dog.where
        task, greenlet = dog.stuck
        # the last call of the task that was running (a consume thread handles one message at a time)
        stuck = [c for c in self.calls if c.task is task or (c.greenlet and c.greenlet is greenlet)]
        order, client = (stuck[-1].order, stuck[-1].client) if stuck else ("", "")
        return TimedOut(order, dog.seconds or 0.0, client, str(where) if where else "", where.code if where else "")


def _ends(step: Step) -> int:
    """When a step's effect is over: its restart, or the end of its outage."""
    return step.at_ms + step.restart_after + (step.delay_ms if step.kind == "outage" else 0)


def run_schedule(design: LoadedDesign, schedule: Schedule, seed: int = 0, **options: Any) -> Outcome:
    """Play ``schedule`` against ``design`` in a fresh lab (``options``: see ``Lab``)."""
    return Lab(design, seed, **options).run(schedule)
