"""Lesson 11, path P19: two containers of the coupon system with one client id.

The coupon system runs as two containers on one host with host networking: the client
in each reports the same address, ``172.17.0.1``, and the deploy's configuration sets
one instance name for both, so both register as ``172.17.0.1@coupon-system``. The broker
lists that id once per connection; ``AllocateMessageQueueAveragely`` finds each process
at the first index of the id, so both take queues 0 and 1 (and the retry queue) and
nobody takes queues 2 and 3. Orders on queues 0 and 1 are consumed twice, at the same
moment; orders on queues 2 and 3 are consumed by nobody, and their backlog grows with
no error anywhere. While the marketing service is down, each process fails the same
message and sends it back: two retry copies, each consumed by both, four coupons. The
tempting fix (query the coupon table first) races, the copies arrive together; the
UNIQUE key alone hides the duplicates and leaves the backlog. The fix is the
configuration (a client id per process: no instance name on a 4.9.0+ client, or one per
container) with the UNIQUE key kept as defence in depth.
"""

from __future__ import annotations

from minimq.apps.incident import COUPON_CLIENT, RED_PACKET_GROUP
from minimq.apps.shop import Shop
from minimq.lessons.base import COUPON_FOCUS, Lesson, Run, Step, pay_each

COUPON_2 = "coupon-2"
HOST_IP = "172.17.0.1"  # docker0: what NetworkUtil.getLocalAddress finds in a container with host networking
SHARED = {"coupon_client_ip": HOST_IP, "coupon_instance_name": "coupon-system"}  # the deploy's one config
FIRST = ("order-1001", "order-1002", "order-1003", "order-1004")  # one to each queue
FIRST_MS = (3000, 3020, 3040, 3060)
DOWN = (8000, 8500)  # the marketing service answers 503
SECOND = ("order-1005", "order-1006", "order-1007", "order-1008")  # paid while it is down
SECOND_MS = (8000, 8020, 8040, 8060)
END_MS = 25_000  # the retry copies (delay level 3: 10 s) are consumed at about 18 s
ORDERS = FIRST + SECOND


def _setup(shop: Shop) -> None:
    """The red-packet system and both coupon containers start at 0 s; the orders follow."""
    shop.red_packet.start()
    shop.start_coupon(COUPON_CLIENT)
    shop.start_coupon(COUPON_2)
    pay_each(ORDERS, FIRST_MS + SECOND_MS)(shop)


START = Step("l11.start", 2500, show=("queues",))
NAIVE_STEPS = (
    START,
    Step("l11.naive.1", 6000, show=("queues", "coupons")),
    Step("l11.naive.2", 9000, show=("queues",)),
    Step("l11.naive.3", END_MS, show=("queues", "coupons")),
)


def _story(text: str, start: Step = START) -> tuple[Step, ...]:
    """A later run: the start, then the whole story in one step."""
    return (start, Step(text, END_MS, show=("queues", "coupons")))


LESSON = Lesson(
    number=11,
    slug="same-client-id",
    title="l11.title",
    setting="l11.setting",
    runs=(
        Run(
            "naive",
            "l11.run.naive",
            "l11.explain.naive",
            {**SHARED, "marketing_down": DOWN},
            _setup,
            NAIVE_STEPS,
            "l11.moral.naive",
        ),
        Run(
            "query_then_insert",
            "l11.run.qti",
            "l11.explain.qti",
            {**SHARED, "marketing_down": DOWN, "coupon_design": "query_then_insert"},
            _setup,
            _story("l11.qti.1"),
            "l11.moral.qti",
        ),
        Run(
            "unique_key_only",
            "l11.run.unique",
            "l11.explain.unique",
            {**SHARED, "marketing_down": DOWN, "coupon_design": "unique_key", "idempotent_red_packet": True},
            _setup,
            _story("l11.unique.1"),
            "l11.moral.unique",
        ),
        Run(
            "client_id_per_process+unique_key",
            "l11.run.right",
            "l11.explain.right",
            {
                "coupon_client_ip": HOST_IP,
                "marketing_down": DOWN,
                "coupon_design": "unique_key",
                "idempotent_red_packet": True,
            },
            _setup,
            _story("l11.right.1", Step("l11.start.right", 2500, show=("queues",))),
            "l11.moral.right",
        ),
    ),
    diagnosis="l11.diagnosis",
    limits="l11.limits",
    paths=("P19",),
    minutes=8,
    processes=(COUPON_CLIENT, COUPON_2),
    orders=ORDERS,
    quiet_lanes=COUPON_FOCUS,
    quiet_groups=(RED_PACKET_GROUP,),
)
