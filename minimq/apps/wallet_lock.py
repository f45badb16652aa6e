"""A stuck batch job holding a user's coupon-wallet lock, and the coupon calls that wait for it.

Owns: ``WalletLock``, the way a lesson makes a coupon handler run for 20 minutes (lesson 7,
the consume timeout, path P10). The story: before it inserts a coupon, the coupon system
takes the user's wallet lock (``wallet:<user>``, a distributed lock in Redis) so that the
wallet's coupon count stays right. It takes it with a blocking ``lock()`` that has no wait
limit. The nightly coupon-expiry batch job takes the same lock at ``from_ms`` and hangs on
that user until ``until_ms``, when someone kills it and the lock is released. A coupon call
for that user that reaches its first write (after the marketing lookup, see
``minimq.apps.coupons.StoryRunner``) while the batch job holds the lock waits until
``until_ms``, however long that is.

Why not a database row lock: MySQL gives up a row-lock wait after
``innodb_lock_wait_timeout`` = 50 s (and minimq's database after ``BUSY_TIMEOUT_MS``), so
the handler would fail and be retried (RECONSUME_LATER, lesson on partial failures) instead
of hanging. A lock without a wait limit, or a downstream call without a read timeout,
hangs as long as its holder does.

Simplified: only the batch job's hold is modelled. Every call that waits goes on at
``until_ms``; two calls waiting at once both go on then, and the coupon database's write
lock orders their INSERTs (a real lock would let the second in a few ms later, after the
first call's COMMIT: the same order, the same outcome).

Every change is an ``AppEvent``: ``lock_taken`` and ``lock_released`` in the batch job's
lane (``BATCH_JOB``), ``lock_wait`` and ``lock_free`` in the waiting coupon call's lane.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from minimq.events import AppEvent

if TYPE_CHECKING:
    from minimq.sim.kernel import Simulation

BATCH_JOB = "wallet batch"  # the lane of the coupon-expiry batch job


@dataclass(frozen=True, slots=True, kw_only=True)
class WalletLock:
    """The batch job holds ``user``'s wallet lock from ``from_ms`` until ``until_ms``."""

    user: str
    from_ms: int
    until_ms: int

    def __post_init__(self) -> None:
        if not 0 <= self.from_ms < self.until_ms:
            raise ValueError(f"a wallet lock is held for a while: from_ms={self.from_ms}, until_ms={self.until_ms}")

    @property
    def name(self) -> str:
        return f"wallet:{self.user}"

    def wait_ms(self, user: str, at_ms: int) -> int:
        """How long a coupon call for ``user`` that asks for the lock at ``at_ms`` waits (0: free)."""
        if user != self.user or not self.from_ms <= at_ms < self.until_ms:
            return 0
        return self.until_ms - at_ms

    def schedule(self, world: Simulation) -> None:
        """The batch job: take the lock at ``from_ms``, let go of it at ``until_ms``."""

        def say(action: str, **args: str) -> None:
            fields = (("lock", self.name), *args.items())
            world.emit(AppEvent(at_ms=world.now_ms, system=BATCH_JOB, action=action, args=fields))

        held = str(self.until_ms - self.from_ms)
        world.call_later_ms(self.from_ms - world.now_ms, lambda: say("lock_taken"))
        world.call_later_ms(self.until_ms - world.now_ms, lambda: say("lock_released", held_ms=held))
