"""The effect ledger: where an application writes down what it *did*, for the checkers.

Owns: ``EffectLedger``. Deliveries are the broker's business; effects (a coupon issued,
a red packet paid) are the application's. A design is idempotent when every expected
key has exactly one effect, however many times its message was delivered. Each call
is an event in the trace, so ``minimq.check`` can count effects per key: two or more is
a duplicated effect, none is a lost one.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from minimq.events import EffectApplied, EffectExpected

if TYPE_CHECKING:
    from minimq.world import World


class EffectLedger:
    """Effects of one kind (``name``) recorded by the application."""

    def __init__(self, world: World, name: str) -> None:
        self._world = world
        self.name = name
        self.counts: Counter[str] = Counter()

    def expect(self, key: str) -> None:
        """Say that ``key`` (an order id, say) should end with exactly one effect."""
        self._world.emit(EffectExpected(at_ms=self._world.now_ms, ledger=self.name, key=key))

    def apply(self, key: str, *, by: str = "", note: str = "") -> None:
        """Record that the side effect for ``key`` happened (once more)."""
        self.counts[key] += 1
        self._world.emit(EffectApplied(at_ms=self._world.now_ms, ledger=self.name, key=key, by=by, note=note))
