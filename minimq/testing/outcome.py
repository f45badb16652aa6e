"""What one run of a design left: the coupons per paid order, the verdicts, the trace.

Owns: ``Outcome``. The lab (``lab``) makes one per schedule; exploring keeps the one of
its counterexample; ``portable()`` drops the world so that an outcome can cross from a
worker process to the command that reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from minimq.trace import Trace

if TYPE_CHECKING:
    from minimq.testing.schedule import Schedule
    from minimq.testing.verdict import Violation
    from minimq.world import World


@dataclass
class Outcome:
    """What one run did: coupons per paid order, the verdicts, and the trace; ``sms``,
    SMS rows per paid order, for a design that sends them (``SENDS_SMS``), else empty.

    ``world`` is the (closed) world the run happened in; it is None for an outcome that
    came from another process, which carries its ``trace`` alone."""

    schedule: Schedule
    seed: int
    trace: Trace
    coupons: dict[str, int] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    world: World | None = None
    complete: bool = True  # False: stopped at the first certain violation (exploring)
    sms: dict[str, int] = field(default_factory=dict)

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
        return Outcome(
            self.schedule,
            self.seed,
            Trace(self.trace.events),
            dict(self.coupons),
            list(self.violations),
            sms=dict(self.sms),
        )
