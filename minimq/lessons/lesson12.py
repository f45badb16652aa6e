"""Lesson 12, path P17: a SimpleConsumer's invisible duration runs out while its handler works.

The coupon system has moved to RocketMQ 5.x's SimpleConsumer (``minimq.apps.pop_coupons``):
two processes, coupon-1 (started at 1 s) and coupon-2 (2 s), each looping receive (16
messages, invisible 30 s, an empty receive held 20 s), the design, ack. The
coupon-expiry batch job takes alice's wallet lock at 11:00 and hangs until 18:00 (the
lock of lesson 7, ``minimq.apps.wallet_lock``). Alice pays for order-1001 at 12:00.

What follows, with the rules of ``minimq.core.pop`` and ``minimq.core.pop_proxy``:
- "order paid" wakes the held receive that ends first, coupon-1's (its 20 s cycle starts
  a second before coupon-2's): popped at 12:00.005, invisible until 12:30.005. The
  handler asks the marketing service (1.2 s), then waits for the wallet lock.
- The revive service revives it 2 to 3 s after 12:30.005: at 12:33, into
  ``%RETRY%coupon-system_order-paid`` with reconsumeTimes 1. coupon-2's held receive is
  not woken by a revival; it pops the copy when its wait ends, at 12:42, and waits for
  the lock too. That copy expires at 13:12 and is revived at 13:15; nobody receives it:
  both processes are stuck in their handlers.
- 18:00: the lock is free; both insert (two coupons), both acks are refused ("receipt
  handle is expired"); coupon-1's next receive pops the third copy, which issues a third
  coupon and is acked in time.
Runs: no dedupe, invisible 30 s (three coupons); the same with invisible 5 min, the
tempting fix (revived at 17:03, popped by coupon-2 at 17:22: two coupons); the UNIQUE
key, invisible 30 s (three deliveries, one coupon).
"""

from __future__ import annotations

from functools import partial

from minimq.apps.incident import COUPON_GROUP, RED_PACKET_GROUP
from minimq.apps.pop_coupons import PopCoupon
from minimq.apps.shop import Shop
from minimq.apps.wallet_lock import BATCH_JOB, WalletLock
from minimq.events import AckRejected, MessageAcked, MessagePopped, MessageRevived
from minimq.i18n.describe import fmt_ms
from minimq.lessons.base import COUPON_FOCUS, Lesson, Run, Step, pay_at
from minimq.lessons.look import Label, Look, StateTable, SummaryColumn, VerdictLine

ORDER = "order-1001"
MIN = 60_000
PROCESSES = ("coupon-1", "coupon-2")
STARTS_MS = (1000, 2000)
PAY_MS = 12 * MIN
LOCK = WalletLock(user="alice", from_ms=11 * MIN, until_ms=18 * MIN)
INVISIBLE_MS = 30_000
LONGER_MS = 5 * MIN
END_MS = 19 * MIN


def _setup(shop: Shop) -> None:
    """The red-packet system from 0 s, coupon-1 from 1 s, coupon-2 from 2 s; order-1001 paid at 12:00."""
    shop.red_packet.start()
    for client, at_ms in zip(PROCESSES, STARTS_MS, strict=True):
        shop.world.call_later_ms(at_ms, partial(shop.start_coupon, client))
    pay_at(ORDER, PAY_MS)(shop)


# -- the pictures ------------------------------------------------------------------------------
def _pops(shop: Shop) -> StateTable:
    """Each time the coupon group popped the message: by whom, which attempt, invisible
    until when, when it was revived, and what became of its ack."""
    trace = shop.world.trace
    rows: list[tuple[str | Label, ...]] = []
    for pop in (e for e in trace.of(MessagePopped) if e.group == COUPON_GROUP):
        copy = (pop.topic, pop.queue_id, pop.queue_offset)
        revived = next((e for e in trace.of(MessageRevived) if (e.topic, e.queue_id, e.queue_offset) == copy), None)
        acked = next(
            (e for e in trace.of(MessageAcked) if (e.topic, e.queue_id, e.queue_offset) == copy and e.took_effect),
            None,
        )
        refused = next(
            (e for e in trace.of(AckRejected) if e.client == pop.client and e.visible_ms == pop.visible_ms), None
        )
        if acked is not None:
            ack: str | Label = Label("l12.ack.ok", {"at": fmt_ms(acked.at_ms)})
        elif refused is not None:
            ack = Label("l12.ack.refused", {"at": fmt_ms(refused.at_ms)})
        else:
            ack = "-"
        rows.append(
            (
                fmt_ms(pop.at_ms),
                pop.client,
                str(pop.reconsume_times + 1),
                fmt_ms(pop.visible_ms),
                fmt_ms(revived.at_ms) if revived is not None else "-",
                ack,
            )
        )
    columns = tuple(Label(f"l12.col.{name}") for name in ("popped", "by", "attempt", "until", "revived", "ack"))
    return StateTable(Label("l12.pops_title", {"order": ORDER}), columns, tuple(rows))


def _coupons(shop: Shop) -> list[int]:
    return [at_ms for _cid, order, _user, _msg, at_ms in shop.coupons() if order == ORDER]


def _verdict(shop: Shop) -> tuple[VerdictLine, ...]:
    issued = _coupons(shop)
    pops = [e for e in shop.world.trace.of(MessagePopped) if e.group == COUPON_GROUP]
    refused = len(shop.world.trace.of(AckRejected))
    if len(issued) == 1:
        coupons = VerdictLine(Label("ui.verdict_ok", {"order": ORDER}))
    elif issued:
        coupons = VerdictLine(
            Label("ui.verdict_dup", {"order": ORDER, "coupons": len(issued), "dups": len(issued) - 1}), True
        )
    else:
        coupons = VerdictLine(Label("ui.verdict_lost", {"order": ORDER}), True)
    return (coupons, VerdictLine(Label("l12.verdict.pops", {"pops": len(pops), "refused": refused})))


LOOK = Look(
    lanes={"broker": "lane.broker", "coupon DB": "lane.coupon_db", BATCH_JOB: "lane.batch"},
    columns=("lane.broker", "lane.coupon", "lane.coupon_db"),
    tables={"pops": _pops},
    verdict=_verdict,
    summary=(
        SummaryColumn("l12.sum.redelivered", lambda s: s.retries),
        SummaryColumn("ui.dup_effects", lambda s: s.groups[COUPON_GROUP].duplicate_effects),
        SummaryColumn("ui.lost_effects", lambda s: s.groups[COUPON_GROUP].lost_effects),
    ),
    hidden_groups=frozenset({RED_PACKET_GROUP}),
)

# -- the runs ------------------------------------------------------------------------------------
SCENE = Step("l12.scene", PAY_MS - 1, events=False)  # the processes start, the batch job takes the lock
FREE_MS = LOCK.until_ms - 1  # just before the lock is free


def _shop(design: str, invisible_ms: int) -> dict[str, object]:
    return {
        "coupon_design": design,
        "coupon_pop": PopCoupon(invisible_ms=invisible_ms),
        "wallet_lock": LOCK,
        "idempotent_red_packet": design == "unique_key",
    }


LESSON = Lesson(
    number=12,
    slug="pop-invisible-time",
    title="l12.title",
    opening="l12.ticket",
    setting="l12.setting",
    runs=(
        Run(
            "naive",
            "l12.run.naive",
            "l12.explain.naive",
            _shop("no_dedupe", INVISIBLE_MS),
            _setup,
            (
                SCENE,
                Step("l12.naive.1", PAY_MS + 10_000, show=("pops",)),
                Step("l12.naive.2", PAY_MS + 45_000, show=("pops",)),
                Step("l12.naive.3", FREE_MS, show=("pops",)),
                Step("l12.naive.4", END_MS, show=("pops", "coupons")),
            ),
            "l12.moral.naive",
        ),
        Run(
            "naive/invisible_5min",
            "l12.run.longer",
            "l12.explain.longer",
            _shop("no_dedupe", LONGER_MS),
            _setup,
            (
                SCENE,
                Step("l12.longer.1", FREE_MS, show=("pops",)),
                Step("l12.longer.2", END_MS, show=("pops", "coupons")),
            ),
            "l12.moral.longer",
        ),
        Run(
            "unique_key",
            "l12.run.right",
            "l12.explain.right",
            _shop("unique_key", INVISIBLE_MS),
            _setup,
            (
                SCENE,
                Step("l12.right.1", FREE_MS, show=("pops",)),
                Step("l12.right.2", END_MS, show=("pops", "coupons")),
            ),
            "l12.moral.right",
        ),
    ),
    diagnosis="l12.diagnosis",
    limits="l12.limits",
    order=ORDER,
    paths=("P17",),
    minutes=10,
    processes=PROCESSES,
    quiet_lanes=COUPON_FOCUS,
    quiet_groups=(RED_PACKET_GROUP,),
    extra={"look": LOOK},
)
