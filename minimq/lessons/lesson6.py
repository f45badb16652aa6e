"""Lesson 6, path P8: the coupon is issued, the SMS fails, RocketMQ retries, a second coupon.

The coupon handler issues the coupon (one transaction) and then sends the user an SMS
through the SMS gateway (``minimq.apps.sms``). The gateway's first answer is late (3 s)
although it has sent the SMS; the handler's client gives up after 1000 ms and throws. A
listener that throws counts as ``RECONSUME_LATER``: the message is sent back
(``CONSUMER_SEND_MSG_BACK``, delay level 0), the broker picks level 3 + reconsumeTimes
(3: 10 s) and stores the retry copy in ``%RETRY%coupon-system`` 10 s later. The naive
handler issues a second coupon and sends a second SMS.

The tempting wrong fix adds the UNIQUE key but answers the conflict with
``RECONSUME_LATER`` (``minimq/designs/unique_key_reconsume.py``): one coupon, but every
retry fails again, through the whole ladder (levels 3 to 18: 10 s ... 2 h, 4 h 45 min 40 s,
16 retries, 17 deliveries) into ``%DLQ%coupon-system``; the virtual clock makes the 4 h 46
min cheap. The right fix makes each effect idempotent on its own: the UNIQUE key on the
coupon, acknowledged with ``SUCCESS``, and an idempotency key on the SMS, so the retry
completes the notification without a second SMS.
"""

from __future__ import annotations

from minimq.apps.incident import (
    COUPON_CLIENT,
    COUPON_GROUP,
    COUPON_LEDGER,
    RED_PACKET_GROUP,
    SMS_GATEWAY,
    SMS_LEDGER,
)
from minimq.apps.shop import Shop
from minimq.apps.sms import SmsSettings
from minimq.events import MessageConsumed, MessageDeadLettered, MessageDelivered, MessageSentBack
from minimq.i18n.describe import fmt_ms
from minimq.lessons.base import Lesson, Run, Step, pay_at, start_both
from minimq.lessons.look import Label, Look, StateTable, SummaryColumn, VerdictLine
from minimq.lessons.runner import RunSummary

ORDER = "order-1001"
PAY_MS = 3000  # after both groups' start-up (RocketMQ 5: a consumer owns its queues about 1.5 s in)
FIRST_MS = 6000  # the first delivery: coupon, SMS, timeout, sent back
RETRY_MS = 22_000  # the first retry, 10 s after the send-back
LADDER_MS = 17_220_000  # 4 h 47 min: past the dead letter at about 4 h 46 min
SMS = SmsSettings(slow=1)  # the gateway answers its first request 3 s late
KEYED_SMS = SmsSettings(slow=1, keyed=True)  # ... and dedupes on the order id


def _setup(shop: Shop) -> None:
    start_both(shop)
    pay_at(ORDER, PAY_MS)(shop)


# -- the pictures ------------------------------------------------------------------------------
def _ladder(shop: Shop) -> StateTable:
    """Every delivery of the order's message to the coupon group, one row each: its
    reconsumeTimes, when, what the handler answered, the delay level the broker chose and
    the next delivery (or the dead-letter queue): the whole retry ladder in 17 rows."""
    trace = shop.world.trace
    consumed = {e.offset_msg_id: e for e in trace.of(MessageConsumed) if e.group == COUPON_GROUP}
    sent_back = {e.offset_msg_id: e for e in trace.of(MessageSentBack) if e.group == COUPON_GROUP}
    dead = {e.offset_msg_id: e for e in trace.of(MessageDeadLettered) if e.group == COUPON_GROUP}
    rows: list[tuple[str | Label, ...]] = []
    for d in trace.of(MessageDelivered):
        if d.group != COUPON_GROUP or ORDER not in d.keys:
            continue
        done = consumed.get(d.offset_msg_id)
        answer: str | Label = "-" if done is None else done.status
        if done is not None and done.note.startswith("raised "):  # Java: an exception counts as RECONSUME_LATER
            answer = Label("l6.ladder.threw", {"error": done.note.removeprefix("raised ").split(":")[0]})
        level: str | Label = "-"
        then: str | Label = Label("l6.ladder.done") if done is not None else "-"
        if d.offset_msg_id in sent_back:
            back = sent_back[d.offset_msg_id]
            level = f"{back.delay_level}: {_level_delay(back.due_ms - back.at_ms)}"
            then = fmt_ms(back.due_ms)
        elif d.offset_msg_id in dead:
            then = Label("l6.ladder.dlq", {"at": fmt_ms(dead[d.offset_msg_id].at_ms)})
        rows.append((str(d.reconsume_times), fmt_ms(d.at_ms), answer, level, then))
    keys = ("l6.ladder.times", "l6.ladder.at", "l6.ladder.answer", "l6.ladder.level_title", "l6.ladder.next")
    title = Label("l6.ladder.title", {"order": ORDER, "group": COUPON_GROUP})
    return StateTable(title, tuple(Label(key) for key in keys), tuple(rows))


def _level_delay(ms: int) -> str:
    """A delay as ``messageDelayLevel`` writes it: ``10s``, ``2m``, ``1h``."""
    s = ms // 1000
    return f"{s // 3600}h" if s % 3600 == 0 else f"{s // 60}m" if s % 60 == 0 else f"{s}s"


def _sms(shop: Shop) -> StateTable:
    """Every SMS the gateway handed to the carrier."""
    assert shop.sms is not None
    rows = tuple((str(n), s.order, s.user, s.key or "-", fmt_ms(s.at_ms)) for n, s in enumerate(shop.sms.log, 1))
    columns = tuple(Label(k) for k in ("ui.coupon_id", "ui.order", "ui.user", "l6.sms.key", "l6.sms.sent_at"))
    return StateTable(Label("l6.sms.title"), columns, rows or ((Label("ui.no_rows"), "", "", "", ""),))


def _verdict(shop: Shop) -> tuple[VerdictLine, ...]:
    """The order's coupons, its SMS, its red packets, and whether its message was dead-lettered."""
    assert shop.sms is not None
    coupons = sum(1 for row in shop.coupons() if row[1] == ORDER)
    sms = sum(1 for sent in shop.sms.log if sent.order == ORDER)
    red = len(shop.red_packet_db.query("SELECT id FROM red_packets WHERE order_id = ?", (ORDER,)))
    lines = [
        VerdictLine(Label("ui.verdict_lost", {"order": ORDER}), True)
        if coupons == 0
        else VerdictLine(Label("ui.verdict_dup", {"order": ORDER, "coupons": coupons, "dups": coupons - 1}), True)
        if coupons > 1
        else VerdictLine(Label("ui.verdict_ok", {"order": ORDER})),
        # a second SMS is a duplicate effect as much as a second coupon
        VerdictLine(Label("l6.verdict.sms_dup", {"order": ORDER, "n": sms, "dups": sms - 1}), True)
        if sms > 1
        else VerdictLine(Label("l6.verdict.sms", {"order": ORDER, "n": sms}), sms == 0),
        VerdictLine(Label("ui.red_packets", {"order": ORDER, "n": red}), red != 1),
    ]
    for e in shop.world.trace.of(MessageDeadLettered):
        if e.group == COUPON_GROUP:
            label = Label("l6.verdict.dlq", {"order": ORDER, "dlq": e.dlq_topic, "n": e.reconsume_times + 1})
            lines.append(VerdictLine(label, True))
    return tuple(lines)


def _extra(s: RunSummary, ledger: str) -> int:
    return sum(max(0, n - 1) for n in s.effects.get(ledger, {}).values())


LOOK = Look(
    # No run loses a coupon or an SMS (each verdict says so), so the closing table leaves the
    # lost column out and keeps 80 columns for the SMS and the dead letter.
    # The red-packet group consumes the message once, as always: a retry is its group's
    # alone, so it stays out of the pictures (its red packet is in the verdict).
    lanes={
        "payment": "lane.payment",
        "order": "lane.order",
        "order-system": "lane.order",
        "broker": "lane.broker",
        COUPON_CLIENT: "lane.coupon",
        COUPON_LEDGER: "lane.coupon_db",
        SMS_GATEWAY: "l6.lane.sms",
        SMS_LEDGER: "l6.lane.sms",
    },
    columns=("lane.payment", "lane.order", "lane.broker", "lane.coupon", "lane.coupon_db", "l6.lane.sms"),
    tables={"ladder": _ladder, "sms": _sms},
    verdict=_verdict,
    summary=(
        SummaryColumn("ui.dup_deliveries", lambda s: s.groups[COUPON_GROUP].duplicate_deliveries),
        SummaryColumn("ui.dup_effects", lambda s: _extra(s, COUPON_LEDGER)),
        SummaryColumn("l6.sum.sms", lambda s: _extra(s, SMS_LEDGER)),
        SummaryColumn("l6.sum.dlq", lambda s: s.dead_lettered),
    ),
    hidden_groups=frozenset({RED_PACKET_GROUP}),
)

LESSON = Lesson(
    number=6,
    slug="partial-failure",
    title="l6.title",
    setting="l6.setting",
    runs=(
        Run(
            "naive",
            "l6.run.naive",
            "l6.explain.naive",
            {"sms": SMS},
            _setup,
            (
                Step("l6.naive.1", FIRST_MS, show=("coupons", "sms")),
                Step("l6.naive.2", RETRY_MS, show=("coupons", "sms")),
            ),
            "l6.moral.naive",
        ),
        Run(
            "unique_key_reconsume",
            "l6.run.wrong",
            "l6.explain.wrong",
            {"coupon_design": "unique_key_reconsume", "sms": SMS},
            _setup,
            (
                Step("l6.wrong.1", FIRST_MS),
                Step("l6.wrong.2", RETRY_MS),
                # 15 rounds of the same 6 lines: the ladder table tells them, one row each
                Step(
                    "l6.wrong.3",
                    LADDER_MS,
                    show=("ladder", "coupons", "sms"),
                    events=False,
                    only=("MessageDeadLettered",),
                ),
            ),
            "l6.moral.wrong",
        ),
        Run(
            "unique_key+sms_key",
            "l6.run.right",
            "l6.explain.right",
            {"coupon_design": "unique_key", "sms": KEYED_SMS, "idempotent_red_packet": True},
            _setup,
            (
                Step("l6.right.1", FIRST_MS),
                Step("l6.right.2", RETRY_MS, show=("coupons", "sms")),
            ),
            "l6.moral.right",
        ),
    ),
    diagnosis="l6.diagnosis",
    limits="l6.limits",
    paths=("P8",),
    minutes=12,
    extra={"look": LOOK},
)
