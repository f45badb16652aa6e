"""What a lesson is made of: runs of the shop, each a few narrated steps.

Owns: ``Lesson``, ``Run`` and ``Step``. A lesson runs the same story several times with
the same seed, once per design: the naive one first, the right fix last. A step names
its narration (a catalog key), what to do at its start, how far to run the virtual
clock, and which state tables to show after it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from minimq.apps.incident import COUPON_CLIENT, RED_PACKET_CLIENT
from minimq.apps.shop import Shop

Action = Callable[[Shop], None]
# A lesson about the coupon group's own processes shows only them, the broker and the
# coupon database (``Lesson.quiet_lanes``): the payment, order and red-packet lanes left out.
COUPON_FOCUS = ("payment", "order", "order-system", "order DB", RED_PACKET_CLIENT, "red-packet DB")


@dataclass(frozen=True)
class Step:
    """One narrated step: ``text`` (a catalog key), what to do at its start, how far to run
    the clock, the state tables to ``show`` after it, and whether to list its events
    (``events=False``: the step says how many there were instead, and the run's timeline
    leaves them out: a step that sets the scene, or a busy stretch the tables sum up;
    ``only`` names event kinds, such as ``"PullFlowControlled"``, listed all the same)."""

    text: str
    until_ms: int
    action: Action | None = None
    show: tuple[str, ...] = ()
    events: bool = True
    only: tuple[str, ...] = ()


@dataclass(frozen=True)
class Run:
    design: str  # the name used in --json
    title: str  # catalog key
    explain: str  # catalog key: what this design does
    shop: Mapping[str, Any]
    setup: Action
    steps: tuple[Step, ...]
    moral: str  # catalog key: what this run shows


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str
    title: str  # catalog key
    setting: str  # catalog key
    runs: tuple[Run, ...]
    diagnosis: str  # catalog key
    limits: str  # catalog key: what the fix does not cover, and where that is taught
    order: str = "order-1001"
    extra: Mapping[str, Any] = field(default_factory=dict)
    opening: str | None = None  # catalog key: told before the shop, when the lesson opens the story
    paths: tuple[str, ...] = ()  # the duplication paths of docs/semantics.md (P1 ...) it shows
    minutes: int = 12  # taught in step mode: its slot in docs/workshop.md's half-day plan
    processes: tuple[str, ...] = (COUPON_CLIENT,)  # the coupon processes it shows, each its own lane
    orders: tuple[str, ...] = ()  # the orders its verdict counts coupons for (empty: ``order`` alone)
    # Left out of its event lists and timelines, to keep the coupon group in focus: these
    # lanes (the raw lane names of ``minimq.i18n.describe.lane``) and every event of these groups.
    quiet_lanes: tuple[str, ...] = ()
    quiet_groups: tuple[str, ...] = ()

    def verdict_orders(self) -> tuple[str, ...]:
        return self.orders or (self.order,)


def pay_each(orders: Sequence[str], at_ms: Sequence[int]) -> Action:
    """The users pay for ``orders``, each at its time in ``at_ms``."""

    def act(shop: Shop) -> None:
        for order, at in zip(orders, at_ms, strict=True):
            pay_at(order, at)(shop)

    return act


def start_both(shop: Shop) -> None:
    """Both consumer groups running from t=0."""
    shop.red_packet.start()
    shop.start_coupon()


def pay_at(order: str, at_ms: int) -> Action:
    """The user pays for ``order`` at ``at_ms``: the payment system calls back."""

    def act(shop: Shop) -> None:
        shop.new_order(order, "alice")
        world = shop.world
        world.call_later_ms(at_ms - world.now_ms, lambda: world.spawn(shop.payment.notify_paid(order), "payment"))

    return act
