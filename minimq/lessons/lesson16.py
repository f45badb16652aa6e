"""Lesson 16, path P14: the master is down, the coupon system works from the slave, and the
master comes back with older offsets.

broker-a has a slave, broker-a-s, copied asynchronously, and the team runs the pair with
``slaveReadEnable=true`` so that consumers go on reading if the master dies. The coupon
system consumes order-1001 (12 s) and is stopped at 20 s: a wrong coupon template was
published, and the team would rather hold the orders in the broker. order-1002 to
order-1005 are paid between 30 and 39 s; their messages wait on broker-a and are copied to
broker-a-s within 100 ms. The slave's sync at 61 s copies the master's offsets, those of
the stop. At 68 s broker-a's machine loses power. At 90 s the template is fixed and the
coupon system starts again: its route lists only the slave, whose offsets are those of
the stop, and it pulls the four waiting orders from the slave: four coupons, their offsets
persisted on the slave. broker-a is back at 5:05 with the offsets it had flushed, before
the four; at 5:10 the slave learns it is back and at 5:13 its sync puts those offsets over
its own. At 5:15 the team deploys the release it held back during the incident: the old pod
persists its offsets to the slave (its route, polled every 30 s, has no master yet), the
new pod fetches a route with the master and asks it where to start. The four orders come
again: four more coupons.

Persisting every second changes nothing: the offsets reach a broker every second, the
slave, which the master's sync overwrites, and never the master the deploy reads. The
UNIQUE key makes the replay harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from minimq.apps.incident import RED_PACKET_GROUP
from minimq.apps.shop import Shop
from minimq.lessons.base import COUPON_FOCUS, Action, Lesson, Run, Step, pay_each

ORDERS = tuple(f"order-{n}" for n in range(1001, 1006))
PAY_MS = (12_000, 30_000, 33_000, 36_000, 39_000)
COUPON_START_MS = 3000
STOP_MS = 25_000  # the coupon system is stopped: a wrong coupon template
CRASH_MS = 68_000  # broker-a's machine loses power, after the slave's 61 s sync
COUPON_BACK_MS = 90_000  # the template is fixed: the coupon system starts again
RETURN_MS = 305_000  # broker-a is back; the slave learns it at 310 s and syncs at 313 s
DEPLOY_MS = 315_000  # the held-back release: before the old pod's next route poll (330.01 s)
NEW_POD_MS = DEPLOY_MS + 1000  # the new pod starts a second after the old one stopped
END_MS = 340_000


def story(deploy_ms: int = DEPLOY_MS) -> Action:
    """The red-packet system from 0 s, the coupon system from 3 s, stopped at 25 s and
    started again at 01:30; five orders from 12 s; broker-a down from 01:08 to 05:05; the
    coupon system deployed at ``deploy_ms`` (the new pod a second later)."""

    def setup(shop: Shop) -> None:
        shop.red_packet.start()
        world = shop.world
        world.call_later_ms(COUPON_START_MS, shop.start_coupon)
        pay_each(ORDERS, PAY_MS)(shop)

        def stop() -> None:
            shop.event("coupon-1", "coupon_stop")
            shop.coupon.consumer().shutdown()

        def deploy() -> None:
            shop.event("coupon-1", "coupon_deploy")
            shop.coupon.consumer().shutdown()

        world.call_later_ms(STOP_MS, stop)
        world.broker_crash(CRASH_MS, down_ms=RETURN_MS - CRASH_MS)
        world.call_later_ms(COUPON_BACK_MS, shop.start_coupon)
        world.call_later_ms(deploy_ms, deploy)
        world.call_later_ms(deploy_ms + 1000, shop.start_coupon)

    return setup


_setup = story()
SHOP: Mapping[str, Any] = {"slave": {"slave_read_enable": True}}
SCENE = Step("l16.scene", 11_900, events=False)
# The orders and the stop: listed are the coupons, the stop, and the copies to the slave.
ORDERS_ONLY = ("EffectApplied", "AppEvent", "MessagesReplicated")


def _steps(prefix: str) -> tuple[Step, ...]:
    return (
        SCENE,
        Step(f"{prefix}.1", 45_000, show=("replicas",), events=False, only=ORDERS_ONLY),
        Step(f"{prefix}.2", CRASH_MS + 2000, show=("replicas",)),
        Step(f"{prefix}.3", COUPON_BACK_MS + 15_000, show=("replicas", "coupons")),
        Step(f"{prefix}.4", DEPLOY_MS - 1000, show=("replicas",)),
        Step(f"{prefix}.5", END_MS, show=("replicas", "coupons")),
    )


LESSON = Lesson(
    number=16,
    slug="broker-failover",
    title="l16.title",
    setting="l16.setting",
    runs=(
        Run("naive", "l16.run.naive", "l16.explain.naive", SHOP, _setup, _steps("l16.naive"), "l16.moral.naive"),
        Run(
            "naive/persist_every_second",
            "l16.run.persist",
            "l16.explain.persist",
            {**SHOP, "coupon_consumer": {"persist_interval_ms": 1000}},
            _setup,
            (
                SCENE,
                Step("l16.persist.1", COUPON_BACK_MS + 15_000, show=("replicas",), events=False, only=ORDERS_ONLY),
                Step("l16.persist.2", END_MS, show=("replicas", "coupons")),
            ),
            "l16.moral.persist",
        ),
        Run(
            "unique_key",
            "l16.run.right",
            "l16.explain.right",
            {**SHOP, "coupon_design": "unique_key", "idempotent_red_packet": True},
            _setup,
            (
                SCENE,
                Step("l16.right.1", DEPLOY_MS - 1000, show=("replicas",), events=False, only=ORDERS_ONLY),
                Step("l16.right.2", END_MS, show=("replicas", "coupons")),
            ),
            "l16.moral.right",
        ),
    ),
    diagnosis="l16.diagnosis",
    limits="l16.limits",
    paths=("P14",),
    minutes=12,
    orders=ORDERS,
    quiet_lanes=COUPON_FOCUS,
    quiet_groups=(RED_PACKET_GROUP,),
)
