"""The coupon system's supervisor in a lab run: every process that dies comes back.

Owns: ``Supervisor``. A real deployment runs its consumers under something that restarts
a dead process (systemd, Kubernetes); the lab does the same, so a crash is a delay, not
the end of the run:
- every crash is followed by a restart of that process, after the delay its step gave
  (``restart_after``), or ``RESTART_MS`` (1 s) when it gave none; a second crash of the
  same process restarts it again;
- a ``down`` step takes the whole coupon system down: every process is killed, and none
  starts again until it is back;
- a process that is gone (crashed or shut down) loses its database connections with it:
  its running calls are cancelled (``DesignCalls.kill``);
- a restart still to come keeps the run going (``restarting``): a crash can fire late
  (at a point of a handler held for minutes), after the lab brought every process back,
  and the run is over only once that process is back as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from minimq.events import ConsumerCrashed, ConsumerShutdown, Event
from minimq.sim.faults import CrashPoint

if TYPE_CHECKING:
    from minimq.testing.design_calls import DesignCalls
    from minimq.world import World

RESTART_MS = 1000  # a crashed process comes back after this unless its step says otherwise


class CouponProcesses(Protocol):
    """The coupon system's processes, as the supervisor drives them: push consumers
    (``minimq.apps.coupons.CouponSystem``) or SimpleConsumers
    (``minimq.apps.pop_coupons.PopCouponSystem``)."""

    @property
    def consumers(self) -> Mapping[str, Any]: ...

    def start(self, client: str) -> None: ...

    def crash(self, client: str, point: str) -> None: ...

    def shutdown(self, client: str) -> None: ...


class Supervisor:
    """Starts, kills and restarts the coupon system's processes of one lab run."""

    def __init__(self, world: World, coupon: CouponProcesses, calls: DesignCalls) -> None:
        self.world, self.coupon, self.calls = world, coupon, calls
        self.armed: dict[tuple[str, str], list[int]] = {}  # (client, crash point) -> restart delays
        self.crashing: dict[str, int] = {}  # client -> restart delay of the crash the lab causes now
        self.down_until = 0  # the whole coupon system is down until then (a ``down`` step)
        self.due = 0  # restarts scheduled and not yet performed
        world.trace.subscribe(self._watch)

    @property
    def consumers(self) -> Mapping[str, Any]:
        """The coupon system's processes that ever ran, by client id."""
        return self.coupon.consumers

    @property
    def restarting(self) -> bool:
        """A process is down and due back: the run is not over until it has started."""
        return self.due > 0

    def start(self, client: str) -> None:
        """Start ``client``, or, while the coupon system is down, as soon as it is back."""
        if self.world.now_ms < self.down_until:
            self._start_later(client, self.down_until - self.world.now_ms)
            return
        self.coupon.start(client)

    def _start_later(self, client: str, delay: int) -> None:
        self.due += 1

        def start() -> None:
            self.due -= 1
            self.start(client)

        self.world.call_later_ms(delay, start)

    def kill(self, client: str, why: str, restart_after: int = RESTART_MS) -> None:
        """``kill -9`` ``client`` now; it comes back after ``restart_after`` ms."""
        if client not in self.consumers:
            return
        self.crashing[client] = restart_after
        self.coupon.crash(client, why)
        self.crashing.pop(client, None)  # a process that was down already did not crash again

    def arm_crash(self, client: str, point: CrashPoint, key: str, restart_after: int) -> None:
        """``client`` crashes at ``point`` of the message keyed ``key``; back after ``restart_after`` ms."""
        self.armed.setdefault((client, point.value), []).append(restart_after)
        self.world.faults.crash_consumer(client, point, key=key)

    def take_down(self, back_after: int) -> None:
        """The whole coupon system: every process killed, all back after ``back_after`` ms."""
        self.down_until = max(self.down_until, self.world.now_ms + back_after)
        for client in sorted(self.consumers):
            self.kill(client, "kill -9", back_after)

    def _watch(self, event: Event) -> None:
        if isinstance(event, ConsumerCrashed | ConsumerShutdown):
            self.calls.kill(event.client)  # the process is gone: its connections drop with it
        if isinstance(event, ConsumerCrashed) and event.client in self.consumers:
            delay = self.crashing.pop(event.client, None)
            if delay is None:
                armed = self.armed.get((event.client, event.point))
                delay = armed.pop(0) if armed else RESTART_MS
            self._start_later(event.client, delay)
