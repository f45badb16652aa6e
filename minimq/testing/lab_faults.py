"""The faults a schedule injects inside a handler call: at its statements, not at the broker.

Owns: ``CallFaults``, the hooks a lab session runs before and after each statement,
COMMIT and Redis command of a handler call. What it can do there:
- crash the consumer right before the n-th statement (``crash`` at ``BEFORE_STATEMENT``);
- make the n-th statement fail before it runs, or after it ran with its reply lost (an
  ambiguous COMMIT), for the first ``times`` deliveries of an order (``fail``);
- hold the handler before its n-th statement, in the middle of its work (``slow``);
- refuse every statement while the coupon database and Redis are down (``outage``).
Each firing is a ``FaultInjected`` event in the database's lane (or the consumer's, for a
hold), and marks the call as troubled: a failure it causes is the fault plan's doing, not
the design's.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from minimq.events import FaultInjected

if TYPE_CHECKING:
    from minimq.testing.calls import HandlerCall
    from minimq.world import World

DB_LANE = "coupon DB"


@dataclass
class _Failure:
    """A ``fail`` step armed for one order: statement ``statement`` fails (``after`` it ran,
    or before) on the next ``times_left`` deliveries."""

    statement: int
    times_left: int
    after: bool


@dataclass
class CallFaults:
    """The statement-level faults armed in one lab run."""

    world: World
    crash: Callable[[str, str, int], None]  # (client, why, restart after ms)
    fails: dict[str, _Failure] = field(default_factory=dict)  # order -> its failing statement
    holds: dict[str, tuple[int, int]] = field(default_factory=dict)  # order -> (statement, ms)
    crashes: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (client, order, n) -> restart after
    outages: list[tuple[int, int]] = field(default_factory=list)  # [start, end) of database + Redis outages

    def arm_fail(self, order: str, statement: int, times: int, *, after: bool) -> None:
        self.fails[order] = _Failure(statement, times, after)

    def store_down(self) -> bool:
        now = self.world.now_ms
        return any(start <= now < end for start, end in self.outages)

    # -- the hooks of one call's session ----------------------------------------------
    def before(self, call: HandlerCall) -> Callable[[int, str], int | None]:
        def before_statement(n: int, sql: str) -> int | None:
            delay = self.crashes.pop((call.client, call.order, n), None)
            if delay is not None:
                self.crash(call.client, f"before statement {n} ({sql.split()[0]})", delay)
                raise asyncio.CancelledError
            if self.store_down():
                self._refuse(call, n, sql)
            self._maybe_fail(call, n, sql, after=False)
            hold = self.holds.get(call.order)
            if hold is not None and hold[0] == n:
                del self.holds[call.order]
                detail = f"handler of {call.order} held {hold[1]} ms before statement {n}"
                self.world.emit(
                    FaultInjected(at_ms=self.world.now_ms, fault="hold_handler", target=call.client, detail=detail)
                )
                return hold[1]
            return None

        return before_statement

    def after(self, call: HandlerCall) -> Callable[[int, str], None]:
        def after_statement(n: int, sql: str) -> None:
            self._maybe_fail(call, n, sql, after=True)

        return after_statement

    # -- firing ---------------------------------------------------------------------------
    def _maybe_fail(self, call: HandlerCall, n: int, sql: str, *, after: bool) -> None:
        """A ``fail`` step: statement ``n`` of the order's handler fails before it runs, or
        (``after``) runs and then its reply is lost, so the handler sees an error for work
        that was done (a COMMIT that went through, a Redis command that was applied)."""
        fail = self.fails.get(call.order)
        if fail is None or fail.times_left <= 0 or fail.statement != n or fail.after != after:
            return
        fail.times_left -= 1
        what = _what(sql)
        if after:
            detail = f"{call.order}: the connection dropped after statement {n} ({what}) ran, before its reply"
        else:
            detail = f"{call.order}: statement {n} ({what}) failed before it ran"
        self._inject(call, "fail_statement", detail)
        if sql.startswith("REDIS"):
            raise ConnectionError(f"Redis connection reset ({'after' if after else 'at'} statement {n}, injected)")
        if after:
            raise sqlite3.OperationalError(f"server closed the connection after statement {n} ({what}, injected)")
        raise sqlite3.OperationalError(f"disk I/O error (injected at statement {n})")

    def _refuse(self, call: HandlerCall, n: int, sql: str) -> None:
        """The coupon database and Redis are down: the statement cannot even be sent."""
        self._inject(call, "store_outage", f"{call.order}: statement {n} ({_what(sql)}) refused: the store is down")
        if sql.startswith("REDIS"):
            raise ConnectionError("Redis connection refused (the store is down, injected)")
        raise sqlite3.OperationalError("unable to connect to the coupon database (it is down, injected)")

    def _inject(self, call: HandlerCall, fault: str, detail: str) -> None:
        call.troubled = True
        self.world.emit(FaultInjected(at_ms=self.world.now_ms, fault=fault, target=DB_LANE, detail=detail))


def _what(sql: str) -> str:
    return sql.split()[0] if not sql.startswith("REDIS") else " ".join(sql.split()[:2])
