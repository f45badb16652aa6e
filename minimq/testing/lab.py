"""The lab: one run of a design under test against one fault schedule.

Owns: ``Lab`` and ``Outcome``. The lab is a small world: the order system's producer
(with its own retry loop), the broker, the coupon consumer group (``c1``, and ``c2`` when
a schedule makes one join) running the design, the coupon database (a fresh copy for
each run, see ``coupon_db``) and a Redis-like store. It plays a ``Schedule`` on the
virtual clock, then restarts any consumer that is down, lets retries drain, and counts
committed coupon rows per paid order.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from minimq.apps.db import SyncSession
from minimq.apps.kv import KeyValueStore
from minimq.errors import SendFailedError, SendTimeoutError
from minimq.events import (
    ConsumerCrashed,
    ConsumerShutdown,
    EffectApplied,
    EffectExpected,
    Event,
    FaultInjected,
    MessageConsumed,
    MessageDelivered,
)
from minimq.model import Message, MessageExt
from minimq.runtime.push_consumer import PushConsumer
from minimq.sim.faults import CrashPoint
from minimq.sim.world import World
from minimq.testing.coupon_db import LEDGER, give_back, open_coupon_db
from minimq.testing.design import LoadedDesign
from minimq.testing.schedule import Schedule, Step

TOPIC = "order-paid"
GROUP = "coupon-system"
DRAIN_MS = 150_000  # retries after failures: 10 s, 30 s, 1 min, ...
SCAN_MS = 15 * 60_000  # the consume-timeout scan runs every 15 min
RESTART_MS = 1000  # a crashed process comes back after this unless its step says otherwise
SETTLE_MS = 3_000  # after the last step, before every consumer is brought back
QUIET_CHECK_MS = 1000
QUIET_CHECK_MAX_MS = 60_000


@dataclass
class _Failure:
    """A ``fail`` step armed for one order: statement ``statement`` fails (``after`` it ran,
    or before) on the next ``times_left`` deliveries."""

    statement: int
    times_left: int
    after: bool


@dataclass
class Outcome:
    """What one run did: coupons per paid order, and the world it ran in."""

    schedule: Schedule
    world: World
    coupons: dict[str, int] = field(default_factory=dict)

    @property
    def duplicated(self) -> dict[str, int]:
        return {o: n for o, n in self.coupons.items() if n > 1}

    @property
    def lost(self) -> list[str]:
        return [o for o, n in self.coupons.items() if n == 0]

    @property
    def ok(self) -> bool:
        return not self.duplicated and not self.lost


class Lab:
    """A fresh world for one schedule; ``run()`` plays it and returns the ``Outcome``."""

    def __init__(self, design: LoadedDesign, seed: int = 0) -> None:
        self.design = design
        self.world = World(seed)
        self.world.broker.create_topic(TOPIC)
        self.db = open_coupon_db(design, self.world)
        self.redis = KeyValueStore(self.world)
        self.producer = self.world.producer("order-system")
        self.consumers: dict[str, PushConsumer] = {}
        self.modules: dict[str, ModuleType] = {}
        self.fails: dict[str, _Failure] = {}  # order -> the statement that fails, and how often
        self.holds: dict[str, tuple[int, int]] = {}  # order -> (statement, ms): a slow step
        self.crashes: dict[tuple[str, str, int], int] = {}  # (client, order, statement) -> restart after
        self.armed: dict[tuple[str, str], list[int]] = {}  # (client, crash point) -> restart delays
        self.crashing: dict[str, int] = {}  # client -> restart delay of the crash the lab causes now
        self.busy: dict[str, int] = {}  # client -> deliveries whose listener has not returned yet
        self.paid: list[str] = []
        self.sending = 0  # the order system's send loops still running
        self.world.trace.subscribe(self._watch)

    # -- the coupon consumers ----------------------------------------------------------
    def consumer(self, client: str) -> PushConsumer:
        if client not in self.consumers:
            self.consumers[client] = self.world.push_consumer(GROUP, TOPIC, self._handler(client), client_id=client)
        return self.consumers[client]

    def start(self, client: str) -> None:
        consumer = self.consumer(client)
        if not consumer.running:
            self.modules[client] = self.design.instance()  # a new process: module state is gone
            consumer.start()

    def _handler(self, client: str) -> Any:
        async def on_message(msg: MessageExt) -> object:
            order = msg.keys[0] if msg.keys else ""
            session = self.db.session(
                client,
                redis=self.redis,
                before_statement=self._hook(client, order),
                after_statement=self._after_hook(client, order),
            )
            try:
                module = self.modules[client]
                if self.design.is_async:
                    return await module.handle(msg, session)
                return module.handle(msg, SyncSession(session))
            finally:
                session.close()

        return on_message

    def _hook(self, client: str, order: str) -> Any:
        def before_statement(n: int, sql: str) -> int | None:
            delay = self.crashes.pop((client, order, n), None)
            if delay is not None:
                self._crash(client, f"before statement {n} ({sql.split()[0]})", delay)
                raise asyncio.CancelledError
            self._maybe_fail(client, order, n, sql, after=False)
            hold = self.holds.get(order)
            if hold is not None and hold[0] == n:
                del self.holds[order]
                world = self.world
                world.emit(
                    FaultInjected(
                        world.now_ms,
                        "slow_handler",
                        client,
                        f"handler of {order} held {hold[1]} ms before statement {n}",
                    )
                )
                return hold[1]
            return None

        return before_statement

    def _after_hook(self, client: str, order: str) -> Any:
        def after_statement(n: int, sql: str) -> None:
            self._maybe_fail(client, order, n, sql, after=True)

        return after_statement

    def _maybe_fail(self, client: str, order: str, n: int, sql: str, *, after: bool) -> None:
        """A ``fail`` step: statement ``n`` of ``order``'s handler fails before it runs, or
        (``after``) runs and then its reply is lost, so the handler sees an error for work
        that was done (a COMMIT that went through, a Redis command that was applied)."""
        fail = self.fails.get(order)
        if fail is None or fail.times_left <= 0 or fail.statement != n or fail.after != after:
            return
        fail.times_left -= 1
        what = sql.split()[0] if not sql.startswith("REDIS") else " ".join(sql.split()[:2])
        world = self.world
        if after:
            detail = f"{order}: the connection dropped after statement {n} ({what}) ran, before its reply"
        else:
            detail = f"{order}: statement {n} ({what}) failed before it ran"
        world.emit(FaultInjected(world.now_ms, "fail_statement", client, detail))
        if sql.startswith("REDIS"):
            raise ConnectionError(f"Redis connection reset ({'after' if after else 'at'} statement {n}, injected)")
        if after:
            raise sqlite3.OperationalError(f"server closed the connection after statement {n} ({what}, injected)")
        raise sqlite3.OperationalError(f"disk I/O error (injected at statement {n})")

    def _crash(self, client: str, why: str, restart_after: int) -> None:
        self.crashing[client] = restart_after
        self.consumers[client].crash(why)
        self.crashing.pop(client, None)  # a process that was down already did not crash again

    def _watch(self, event: Event) -> None:
        if isinstance(event, MessageDelivered):
            self.busy[event.client] = self.busy.get(event.client, 0) + 1
        elif isinstance(event, MessageConsumed):
            self.busy[event.client] = max(0, self.busy.get(event.client, 0) - 1)
        elif isinstance(event, (ConsumerCrashed, ConsumerShutdown)):
            self.busy[event.client] = 0  # its listeners were cancelled where they stood
        # Every crash is followed by a restart, as a supervisor would do: each crash step
        # brings its own delay, so a second crash of the same process restarts it too.
        if isinstance(event, ConsumerCrashed) and event.client in self.consumers:
            delay = self.crashing.pop(event.client, None)
            if delay is None:
                armed = self.armed.get((event.client, event.point))
                delay = armed.pop(0) if armed else RESTART_MS
            self.world.call_later_ms(delay, lambda: self.start(event.client))

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
                self.crashes[(step.client, step.order, step.statement)] = delay
            else:
                point = CrashPoint[step.point]
                self.armed.setdefault((step.client, point.value), []).append(delay)
                faults.crash_consumer(step.client, point, key=step.order)
        elif kind == "kill" and step.client in self.consumers:
            self._crash(step.client, "kill -9", step.restart_after or RESTART_MS)
        elif kind in ("restart", "join"):
            self.start(step.client)
        elif kind == "leave" and step.client in self.consumers:
            self.consumers[step.client].shutdown()
        elif kind == "fail":
            self.fails[step.order] = _Failure(step.statement or 1, step.times or 1, step.how == "after")
        elif kind == "slow" and step.statement:
            self.holds[step.order] = (step.statement, step.delay_ms)  # in the middle of the work
        elif kind == "slow":
            faults.slow_handler(step.delay_ms, key=step.order)

    def run(self, schedule: Schedule) -> Outcome:
        world = self.world
        try:
            self.start("c1")
            for step in sorted(schedule.steps, key=lambda s: s.at_ms):
                world.call_later_ms(step.at_ms, lambda s=step: self._act(s))  # type: ignore[misc]
            last = max((s.at_ms + s.restart_after for s in schedule.steps), default=0)
            world.run_until(last + SETTLE_MS)
            for client in sorted(self.consumers):  # every consumer that ever ran comes back
                self.start(client)
            # A held handler is sent back by the consume-timeout scan while it still runs, and
            # its retry can be held again: the holds chain, so the drain covers all of them.
            held = sum(s.delay_ms for s in schedule.steps if s.kind == "slow")
            deadline = world.now_ms + DRAIN_MS + (held + SCAN_MS if held else 0)
            interval = QUIET_CHECK_MS
            while world.now_ms < deadline and not self.quiescent():
                world.run_for(min(interval, deadline - world.now_ms))
                interval = min(interval * 2, QUIET_CHECK_MAX_MS)  # a long hold needs no check every second
            return Outcome(schedule, world, self.count())
        finally:
            world.close()  # cancel what still runs: no task or loop outlives the run
            give_back(self.design, self.db)

    def quiescent(self) -> bool:
        """Nothing left to happen: no retry waiting at the broker, no task sending, no
        listener still running (the consume-timeout scan and a rebalance take a message out
        of the process queue while its listener goes on), and every running consumer has
        consumed every queue it owns up to its max offset."""
        broker = self.world.broker
        if broker.scheduled or self.sending:
            return False
        owned = 0
        for consumer in self.consumers.values():
            if not consumer.running:
                continue
            if self.busy.get(consumer.client_id, 0):
                return False
            for mq, in_flight in consumer.in_flight().items():
                owned += 1
                if in_flight or (consumer.local_offset(mq) or 0) < broker.max_offset(mq):
                    return False
        return owned > 0

    def count(self) -> dict[str, int]:
        applied = [e.key for e in self.world.trace.of(EffectApplied) if e.ledger == LEDGER]
        return {order: applied.count(order) for order in self.paid}


def run_schedule(design: LoadedDesign, schedule: Schedule, seed: int = 0) -> Outcome:
    """Play ``schedule`` against ``design`` in a fresh lab."""
    return Lab(design, seed).run(schedule)
