"""The lab: one run of a design under test against one fault schedule.

Owns: ``Lab`` and ``run_schedule``. The lab is the shop's systems plus a schedule
player: the order system's sender with its retry loop (``minimq.apps.orders``), the
broker, the coupon system (``minimq.apps.coupons``: processes ``c1``, and ``c2`` when a
schedule makes one join) running the design through the lab's own runner
(``design_calls``), the coupon database (a fresh copy for each run, see ``coupon_db``)
and a Redis-like store. No payment system and no red packets: a schedule's steps say
when an order is paid and how its message is duplicated. It plays
a ``Schedule`` on the virtual clock, restarts any consumer that is down, and then lets
the world run until it is quiet: every retry delivered or dead-lettered (the whole
16-step ladder, 4 h 45 min 40 s, costs well under a second of wall time), every crashed
process back (a crash can fire after the lab restarted everyone: see ``Supervisor``),
every queue owned by the consumer a rebalance gives it and consumed, every handler
returned, up to a horizon of ``HORIZON_MS`` after the last step.
The verdicts (``verdict``) are taken on what the run left: coupons per paid order (and
SMS rows, for a design with ``SENDS_SMS = True``), the design's own answers, dead
letters, handlers that never returned.

The design is user code, and the lab survives whatever it does (``design_calls`` sorts
how each call of it ended): a call that never returns is reported with where it waits;
the wall-clock ``Watchdog`` stops a busy loop or a blocking call; an error at a
restart's import or in ``setup`` is a ``DesignError``.

How the shop runs is the schedule's to say (``lab_shop``): the coupon system on POP
(``consumer="pop"``), the order system's transactional producer (``producer="transaction"``),
and, for a schedule with a ``master_down`` step (path ``failover``), a slave of the broker
that serves reads (``World.add_slave(..., slave_read_enable=True)``). A ``broker_crash``
or ``master_down`` step is ``World.broker_crash`` (``minimq.runtime.broker_life``).
"""

from __future__ import annotations

from typing import Any, assert_never

from minimq.apps.coupons import CouponSystem
from minimq.apps.incident import COUPON_GROUP, TOPIC
from minimq.apps.kv import KeyValueStore
from minimq.apps.order_tx import ORDER_LANE
from minimq.apps.pop_coupons import PopCouponSystem
from minimq.check import effects_by_key
from minimq.events import AppEvent, EffectApplied, EffectExpected, Event, MessageDeadLettered
from minimq.sim.faults import CrashPoint
from minimq.testing.calls import HandlerCall
from minimq.testing.coupon_db import LEDGER, SMS_LEDGER, give_back, open_coupon_db
from minimq.testing.design import DesignError, LoadedDesign
from minimq.testing.design_calls import DesignCalls
from minimq.testing.lab_faults import CallFaults
from minimq.testing.lab_shop import LAB_POP, LabOrders, pop_coupons
from minimq.testing.outcome import Outcome
from minimq.testing.schedule import Schedule
from minimq.testing.schedule_check import down_ms
from minimq.testing.steps import (
    BrokerCrash,
    Crash,
    Down,
    Fail,
    Join,
    Kill,
    Leave,
    LostEnd,
    LostReply,
    MasterDown,
    Outage,
    Pay,
    Reset,
    Restart,
    Slow,
    SlowTx,
    Step,
    UpstreamRetry,
)
from minimq.testing.supervisor import RESTART_MS, Supervisor
from minimq.testing.verdict import (
    DuplicateCoupon,
    DuplicateSms,
    Violation,
    call_violations,
    count_violations,
    coupon_times,
    dead_letters,
    sms_violations,
    unreturned,
)
from minimq.testing.watchdog import Watchdog, WatchdogExpired
from minimq.world import World

__all__ = ["GROUP", "LAB_POP", "TOPIC", "Lab", "Outcome", "run_schedule"]

GROUP = COUPON_GROUP
SETTLE_MS = 3_000  # after the last step, before every consumer is brought back
HORIZON_MS = 8 * 3_600_000  # after the last step: the retry ladder, with room for held handlers


class _Stop(Exception):
    """The run is over before the world went quiet: a verdict is already certain."""


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
                self.db = open_coupon_db(design, self.world)  # runs the design's setup the first time
        except WatchdogExpired:
            self.world.close()
            where = self.watchdog.where
            stuck = where.code if where else ""
            raise DesignError("setup_timeout", where, path=design.path, seconds=timeout_s, stuck=stuck) from None
        except BaseException:
            self.world.close()  # a DesignError from setup: no loop left open
            raise
        self.world.broker.create_topic(TOPIC)
        self.redis = KeyValueStore(self.world)
        self.orders = LabOrders(self.world)
        self.faults = CallFaults(self.world, lambda client, why, after: self.supervisor.kill(client, why, after))
        self.calls = DesignCalls(
            design, self.world, self.db, self.redis, self.faults, stop=self._stop_now, ended=self._ended
        )
        self.coupon: CouponSystem | PopCouponSystem = CouponSystem(self.world, self.calls)
        self.supervisor = Supervisor(self.world, self.coupon, self.calls)
        self.paid: list[str] = []
        self.violated = False
        self.stuck: list[Violation] = []  # calls still running when the run was over
        self._coupons: dict[str, int] = {}
        self._sms: dict[str, int] = {}
        self.world.trace.subscribe(self._watch)

    # -- how the shop runs ----------------------------------------------------------------
    def _deploy(self, schedule: Schedule) -> None:
        """The coupon system on POP, and the order system's transactional producer, when
        ``schedule`` says so (before anything starts)."""
        if schedule.consumer == "pop":
            self.coupon = self.supervisor.coupon = pop_coupons(self.world, self.calls)
        if schedule.producer == "transaction":
            self.orders.transactional(schedule.orders)
        if schedule.slave():  # path failover: the team runs the pair with slaveReadEnable=true
            self.world.add_slave(self.world.broker.name, slave_read_enable=True)

    # -- the coupon consumers ----------------------------------------------------------
    @property
    def consumers(self) -> dict[str, Any]:
        """The coupon system's processes that ever ran, by client id (each a
        ``PushConsumer``, or on POP its current ``SimpleConsumer``)."""
        return dict(self.coupon.consumers)

    def _ended(self, call: HandlerCall) -> None:
        """A call ended: a failure after the effect, or a non-status, is certain at once."""
        if self.fail_fast and call.status == "RECONSUME_LATER" and not call.cancelled:
            committed = self._coupons.get(call.order, 0)
            if call.value or (committed and not call.troubled):
                self._violated()

    def _watch(self, event: Event) -> None:
        if isinstance(event, AppEvent) and event.system == ORDER_LANE and event.action == "tx_commit":
            self._expect(dict(event.args)["order"])  # the local transaction marked it PAID
        elif isinstance(event, EffectApplied) and event.ledger == LEDGER:
            self._coupons[event.key] = self._coupons.get(event.key, 0) + 1
            if self._coupons[event.key] > 1:
                self._violated()
        elif isinstance(event, EffectApplied) and event.ledger == SMS_LEDGER:
            self._sms[event.key] = self._sms.get(event.key, 0) + 1
            if self._sms[event.key] > 1:
                self._violated()
        elif isinstance(event, MessageDeadLettered):
            self._violated()

    def _violated(self) -> None:
        self.violated = True
        if self.fail_fast:
            self._stop_now()

    def _stop_now(self) -> None:
        self.world.loop.stop()

    # -- the order system --------------------------------------------------------------
    def _expect(self, order: str) -> None:
        """``order`` is paid: one coupon is expected for it. With the transactional
        producer, an order is paid when its local transaction commits (one that failed,
        say on the order database's lock, leaves it UNPAID, and no message goes out)."""
        if order not in self.paid:
            self.paid.append(order)
            self.world.emit(EffectExpected(at_ms=self.world.now_ms, ledger=LEDGER, key=order))
            if self.design.sends_sms:
                self.world.emit(EffectExpected(at_ms=self.world.now_ms, ledger=SMS_LEDGER, key=order))

    # -- playing a schedule --------------------------------------------------------------
    def _act(self, step: Step) -> None:
        world, faults, supervisor = self.world, self.world.faults, self.supervisor
        match step:
            case Pay() | UpstreamRetry():
                if self.orders.tx is None:  # else paid when its local transaction commits
                    self._expect(step.order)
                world.spawn(self.orders.send(step.order), f"send-{step.order}")
            case LostReply():
                if self.orders.tx is None:
                    self._expect(step.order)
                faults.lose_send_reply(key=step.order, how=step.how or "timeout")
                world.spawn(self.orders.send(step.order, step.resend or "same"), f"send-{step.order}")
            case Crash(point="BEFORE_STATEMENT"):
                self.faults.crashes[(step.client, step.order, step.statement)] = step.restart_after or RESTART_MS
            case Crash():
                supervisor.arm_crash(step.client, CrashPoint[step.point], step.order, step.restart_after or RESTART_MS)
            case Kill():
                supervisor.kill(step.client, "kill -9", step.restart_after or RESTART_MS)
            case Down():
                supervisor.take_down(step.restart_after or RESTART_MS)
            case Restart() | Join():
                supervisor.start(step.client)
            case Leave():
                self.coupon.shutdown(step.client)
            case Fail():
                self.faults.arm_fail(step.order, step.statement or 1, step.times or 1, after=step.how == "after")
            case Slow(statement=0):
                faults.slow_handler(step.delay_ms, key=step.order)
            case Slow():
                self.faults.holds[step.order] = (step.statement, step.delay_ms)  # in the middle of the work
            case Outage():
                self.faults.outages.append((world.now_ms, world.now_ms + step.delay_ms))
            case Reset():
                world.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=step.delay_ms)
            case SlowTx():
                self.orders.invoice_ms[step.order] = step.delay_ms  # read when its local transaction runs
            case LostEnd():
                faults.lose_end_transaction(key=step.order)
            case BrokerCrash() | MasterDown():
                os = isinstance(step, BrokerCrash) and step.how == "os"
                world.broker_crash(world.now_ms, down_ms=down_ms(step), lose_unflushed=os)
            case _:
                assert_never(step)

    def run(self, schedule: Schedule) -> Outcome:
        world = self.world
        complete = False
        self._deploy(schedule)
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
            self.orders.close()
        if self.calls.design_error is not None:
            raise self.calls.design_error
        verdicts = self._verdicts(complete)
        return Outcome(schedule, world.seed, world.trace, self.count(), verdicts, world, complete, self.count_sms())

    def _play(self, schedule: Schedule) -> None:
        world = self.world
        self.supervisor.start("c1")
        for step in sorted(schedule.steps, key=lambda s: s.at_ms):
            world.call_later_ms(step.at_ms, lambda s=step: self._act(s))  # type: ignore[misc]
        last = max((_ends(s) for s in schedule.steps), default=0)
        self._advance(last + SETTLE_MS - world.now_ms)
        for client in sorted(self.consumers):  # every consumer that ever ran comes back
            self.supervisor.start(client)
        world.run_until_quiet(HORIZON_MS, busy=self._busy, between=self._check_stop)
        self.stuck = unreturned(self.calls.calls, world.now_ms, self.design.path)  # before closing cancels them

    def _advance(self, ms: int) -> None:
        """Let ``ms`` of virtual time pass, unless the run must stop first."""
        if ms > 0:
            self.world.run_for(ms)
        self._check_stop()

    def _check_stop(self) -> None:
        """End the run now when its verdict is certain or the design broke it."""
        if self.watchdog.expired:
            raise WatchdogExpired
        if self.calls.design_error or self.calls.escaped or (self.fail_fast and self.violated):
            raise _Stop

    def _busy(self) -> bool:
        """The lab's own work in progress: the order system still sending, a handler call
        still running, a crashed process not yet restarted, and on POP a message left to
        receive, which only the application's next receive takes (``World.quiet`` says
        the rest)."""
        if self.orders.sending:
            return True
        if self.calls.running() or self.supervisor.restarting:
            return True
        return isinstance(self.coupon, PopCouponSystem) and self.world.broker.pops.backlog(GROUP, TOPIC) > 0

    def count(self) -> dict[str, int]:
        """Coupons committed per paid order (``minimq.check``'s count of the effects)."""
        applied = effects_by_key(self.world.trace)
        return {order: applied[(LEDGER, order)] for order in self.paid}

    def count_sms(self) -> dict[str, int]:
        """SMS rows committed per paid order; empty for a design that sends none."""
        if not self.design.sends_sms:
            return {}
        applied = effects_by_key(self.world.trace)
        return {order: applied[(SMS_LEDGER, order)] for order in self.paid}

    def _verdicts(self, complete: bool) -> list[Violation]:
        trace = self.world.trace
        found: list[Violation] = []
        if self.calls.escaped is not None:
            found.append(self.calls.escaped)
        if self.watchdog.expired:
            found.append(self.calls.timed_out(self.watchdog))
        counts = self.count()
        found += [v for v in count_violations(counts) if complete or isinstance(v, DuplicateCoupon)]
        found += [v for v in sms_violations(self.count_sms()) if complete or isinstance(v, DuplicateSms)]
        found += call_violations(self.calls.calls, coupon_times(trace, LEDGER))
        found += dead_letters(trace, GROUP)
        return found + self.stuck


def _ends(step: Step) -> int:
    """When a step's effect is over: its restart, or the end of its outage."""
    match step:
        case Crash() | Kill() | Down():
            return step.at_ms + step.restart_after
        case Outage():
            return step.at_ms + step.delay_ms
        case BrokerCrash() | MasterDown():
            return step.at_ms + down_ms(step)
        case Pay() | UpstreamRetry() | LostReply() | Restart() | Join() | Leave() | Fail() | Slow() | Reset():
            return step.at_ms
        case SlowTx() | LostEnd():
            return step.at_ms
        case _:
            assert_never(step)


def run_schedule(design: LoadedDesign, schedule: Schedule, seed: int = 0, **options: Any) -> Outcome:
    """Play ``schedule`` against ``design`` in a fresh lab (``options``: see ``Lab``)."""
    return Lab(design, seed, **options).run(schedule)
