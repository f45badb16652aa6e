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
  the group, or shuts down gracefully (paths P6, P7).
- ``fail``: the ``statement``-th database statement raises for the first ``times``
  deliveries of ``order`` (RECONSUME_LATER after a partial side effect, P8); with
  ``how="after"`` the statement runs first and then its reply is lost (the connection
  drops), so a COMMIT goes through while the handler sees an error.
- ``slow``: the handler of ``order`` is held ``delay_ms``, past the 15 min consume timeout
  (P10): before it runs, or with ``statement`` n before its n-th statement, in the middle
  of its work (the first delivery only).
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from minimq.errors import MinimqError

PATHS: dict[str, str] = {
    "upstream-retry": "the payment system calls the order callback twice (two messages, two msg ids)",
    "lost-reply": "the broker stores the message, the reply is lost, the producer sends again",
    "crash": "a consumer crashes at a chosen point (between two statements too) and restarts",
    "rebalance": "a consumer joins or leaves the group",
    "reconsume-later": "a database statement fails after part of the work was done",
    "consume-timeout": "a handler runs past the 15 min consume timeout",
}
SENDS = {"pay", "upstream_retry", "lost_reply"}
KINDS = {"pay", "upstream_retry", "lost_reply", "crash", "kill", "restart", "join", "leave", "fail", "slow"}


class ScheduleError(MinimqError, ValueError):
    """A stored schedule could not be read."""


@dataclass(frozen=True)
class Step:
    at_ms: int
    kind: str
    order: str = ""
    client: str = ""
    how: str = ""
    resend: str = ""
    point: str = ""
    statement: int = 0
    times: int = 0
    delay_ms: int = 0
    restart_after: int = 0


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
        try:
            data = json.loads(text)
            steps = tuple(Step(**s) for s in data["steps"])
            orders = tuple(str(o) for o in data["orders"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ScheduleError(f"not a minimq schedule: {exc}") from None
        for step in steps:
            if step.kind not in KINDS:
                raise ScheduleError(f"unknown step kind {step.kind!r}")
        return cls(orders, steps)

    @classmethod
    def from_token(cls, token: str) -> Schedule:
        text = token.strip()
        if not text.startswith("{"):
            try:
                text = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            except (ValueError, UnicodeDecodeError):
                raise ScheduleError(f"not a replay token or JSON schedule: {token[:40]!r}") from None
        return cls.from_json(text)

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
            ("crash", {"crash", "kill"}),
            ("rebalance", {"join", "leave"}),
            ("reconsume-later", {"fail"}),
            ("consume-timeout", {"slow"}),
        ):
            if any(s.kind in kinds for s in self.steps):
                found.append(path)
        return found


def _numbered(orders: tuple[str, ...]) -> bool:
    return orders == tuple(f"order-{i}" for i in range(1, len(orders) + 1))


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in ("", 0) or k in ("at_ms", "kind")}
