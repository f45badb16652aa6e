"""Fault schedules: one concrete run of the coupon system, as data.

Owns: ``Schedule`` and ``Step``, their JSON form (so a counterexample can be stored and
replayed exactly), and the duplication paths a schedule can exercise (``PATHS``). A
schedule is what Hypothesis generates and shrinks; ``minimq.testing.lab`` runs it.

Step kinds (``at_ms`` is virtual time; ``order`` an order id; ``client`` c1 or c2):
- ``pay``: the order system sends "order paid" once.
- ``upstream_retry``: the payment system calls again, so the order system sends a second,
  new message for the same order (path A).
- ``lost_reply``: the broker stores the message but the reply is lost (``how``: timeout or
  fast_fail); on a timeout the order system's loop re-sends the same or a new
  ``Message`` (``resend``) (path B; fast_fail is the producer's own retry, P1).
- ``crash``: arm a crash of ``client`` at ``point`` (a ``CrashPoint`` name, or
  ``BEFORE_STATEMENT`` with ``statement`` n) while it handles ``order``; ``restart_after``
  ms later it starts again (paths C, P4, P5).
- ``kill`` / ``restart`` / ``join`` / ``leave``: a consumer process dies now, starts, joins
  the group, or shuts down gracefully (paths P6, P7); ``down``: every consumer of the
  coupon system is killed now and restarted ``restart_after`` ms later.
- ``fail``: the ``statement``-th database statement raises for the first ``times``
  deliveries of ``order`` (RECONSUME_LATER after a partial side effect, P8); with
  ``how="after"`` the statement runs first and then its reply is lost (the connection
  drops), so a COMMIT goes through while the handler sees an error.
- ``slow``: the handler of ``order`` is held ``delay_ms``, past the 15 min consume timeout
  (P10): before it runs, or with ``statement`` n before its n-th statement, in the middle
  of its work (the first delivery only).
- ``outage``: the coupon database and Redis are down for ``delay_ms``: every statement
  fails, so messages delivered meanwhile climb the retry ladder (10 s, 30 s, 1 min, ...)
  and come back late.
- ``reset``: an operator resets coupon-system's offsets on the topic back to the time
  ``delay_ms`` (``mqadmin resetOffsetByTime``, P15): everything stored since is delivered
  again.
A copy that arrives an hour or more after the first (a late callback, the coupon system down for
hours, an outage, a reset) is a late redelivery: it outlives a dedupe record with a TTL.

``read`` schedules with ``schedule_check.read_schedule``: every field is checked.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from minimq.testing.schedule_check import parse_schedule, read_schedule
from minimq.testing.steps import KINDS, SENDS, Step

__all__ = ["KINDS", "LATE_MS", "PATHS", "Schedule", "Step"]

PATHS: dict[str, str] = {
    "upstream-retry": "the payment system calls the order callback twice (two messages, two msg ids)",
    "lost-reply": "the broker stores the message, the reply is lost, the producer sends again",
    "crash": "a consumer crashes at a chosen point (between two statements too) and restarts",
    "rebalance": "a consumer joins or leaves the group",
    "reconsume-later": "a database statement fails after part of the work was done",
    "consume-timeout": "a handler runs past the 15 min consume timeout",
    "late-redelivery": "a copy arrives an hour or more later: a late callback, the coupon system down for hours, "
    "the database down (the retry ladder), an offset reset",
}
LATE_MS = 3_600_000  # a copy this much later than its first is a late redelivery


@dataclass(frozen=True)
class Schedule:
    orders: tuple[str, ...]
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        data = {"orders": list(self.orders), "steps": [_compact(asdict(s)) for s in self.steps]}
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    def token(self) -> str:
        """A one-word, copy-pasteable form for ``minimq check --replay``."""
        return base64.urlsafe_b64encode(self.to_json().encode()).decode().rstrip("=")

    @classmethod
    def from_json(cls, text: str) -> Schedule:
        """Read a schedule's JSON; every field is checked (``schedule_check``)."""
        return cls(*parse_schedule(text))

    @classmethod
    def from_token(cls, token: str) -> Schedule:
        """Read a replay token (or the JSON itself); every field is checked."""
        return cls(*read_schedule(token))

    def without_order(self, order: str) -> Schedule:
        """The same schedule without ``order`` and every step about it; the orders after
        it are renamed down (``order-3`` becomes ``order-2``) so the names stay 1..n."""
        kept = [o for o in self.orders if o != order]
        renames = {o: f"order-{i}" for i, o in enumerate(kept, 1)} if _numbered(self.orders) else {o: o for o in kept}
        steps = tuple(replace(s, order=renames[s.order]) if s.order else s for s in self.steps if s.order != order)
        return Schedule(tuple(renames[o] for o in kept), steps)

    def sends_every_order(self) -> bool:
        """Whether every order of the schedule is paid (sent at least once)."""
        sent = {s.order for s in self.steps if s.kind in SENDS}
        return all(o in sent for o in self.orders)

    def paths(self) -> list[str]:
        """The duplication paths this schedule exercises."""
        found = []
        for path, kinds in (
            ("upstream-retry", {"upstream_retry"}),
            ("lost-reply", {"lost_reply"}),
            ("crash", {"crash", "kill", "down"}),
            ("rebalance", {"join", "leave"}),
            ("reconsume-later", {"fail"}),
            ("consume-timeout", {"slow"}),
            ("late-redelivery", {"outage", "reset"}),
        ):
            if any(s.kind in kinds for s in self.steps):
                found.append(path)
        if "late-redelivery" not in found and self._late():
            found.append("late-redelivery")
        return found

    def _late(self) -> bool:
        """A callback an hour after the order's first send, or consumers down for an hour."""
        first = {s.order: s.at_ms for s in sorted(self.steps, key=lambda s: -s.at_ms) if s.kind in SENDS}
        return any(
            (s.kind == "upstream_retry" and s.at_ms - first.get(s.order, s.at_ms) >= LATE_MS)
            or (s.kind in ("kill", "crash", "down") and s.restart_after >= LATE_MS)
            for s in self.steps
        )


def _numbered(orders: tuple[str, ...]) -> bool:
    return orders == tuple(f"order-{i}" for i in range(1, len(orders) + 1))


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in ("", 0) or k in ("at_ms", "kind")}
