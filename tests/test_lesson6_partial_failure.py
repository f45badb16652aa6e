"""Lesson 6, partial failure (path P8), for several seeds: the JSON summary and the trace.

The naive handler issues the coupon, its SMS times out although the gateway sent it, and
the retry 10 s later (delay level 3) issues a second coupon and a second SMS. Answering
the recognised duplicate with RECONSUME_LATER climbs the whole ladder: 16 retries at delay
levels 4..18 after the first one, 17 deliveries, 4 h 45 min 40 s of delays, then
``%DLQ%coupon-system``. The right fix (UNIQUE key acknowledged, SMS keyed by the order id)
absorbs the retry: one coupon, one SMS, nothing dead-lettered.
"""

from __future__ import annotations

import json

import pytest

from minimq.apps.incident import COUPON_GROUP, COUPON_LEDGER, RED_PACKET_LEDGER, SMS_LEDGER
from minimq.apps.shop import Shop
from minimq.cli import main
from minimq.events import (
    AppEvent,
    EffectApplied,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
    MessageSentBack,
    MessageStored,
)
from minimq.lessons import find
from minimq.lessons.base import Lesson, Run
from minimq.lessons.runner import NullView, RunSummary, run_lesson
from minimq.trace import Trace

SEEDS = [1, 2, 3, 4, 5]
ORDER = "order-1001"
LESSON = find("partial-failure")
LADDER_MS = [10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800, 3600, 7200]  # seconds


class Traces(NullView):
    """Keeps each run's trace (the shop closes after the run)."""

    def __init__(self) -> None:
        self.traces: dict[str, Trace] = {}

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        self.traces[run.design] = shop.world.trace


@pytest.fixture(scope="module", params=SEEDS)
def lesson(request: pytest.FixtureRequest) -> tuple[int, dict[str, Trace]]:
    assert isinstance(LESSON, Lesson)
    view = Traces()
    run_lesson(LESSON, request.param, view)
    return request.param, view.traces


def summary(capsys: pytest.CaptureFixture[str], seed: int) -> dict[str, dict[str, object]]:
    assert main(["lesson", "6", "--json", "--seed", str(seed)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["lesson"] == "partial-failure" and out["paths"] == ["P8"] and out["seed"] == seed
    return {r["design"]: r for r in out["runs"]}


def coupon_deliveries(trace: Trace) -> list[MessageDelivered]:
    return [e for e in trace.of(MessageDelivered) if e.group == COUPON_GROUP and ORDER in e.keys]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_summary_counts_coupons_sms_retries_and_the_dead_letter(
    capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    runs = summary(capsys, seed)
    assert list(runs) == ["naive", "unique_key_reconsume", "unique_key+sms_key"]
    naive, wrong, right = runs.values()
    # naive: the retry re-runs the whole handler: a second coupon and a second SMS
    assert naive["effects"] == {COUPON_LEDGER: {ORDER: 2}, SMS_LEDGER: {ORDER: 2}, RED_PACKET_LEDGER: {ORDER: 1}}
    assert naive["groups"][COUPON_GROUP]["duplicate_effects"] == 2  # type: ignore[index]
    assert (naive["retries"], naive["dead_lettered"]) == (1, 0)
    # the conflict answered with RECONSUME_LATER: one coupon, one SMS, the whole ladder
    assert wrong["effects"] == {COUPON_LEDGER: {ORDER: 1}, SMS_LEDGER: {ORDER: 1}, RED_PACKET_LEDGER: {ORDER: 1}}
    assert (wrong["retries"], wrong["dead_lettered"], wrong["duplicate_deliveries"]) == (16, 1, 16)
    assert wrong["duplicate_effects"] == wrong["lost_effects"] == 0
    assert int(wrong["virtual_ms"]) > 17_140_000  # type: ignore[call-overload]
    # the fix: the retry still arrives, and harms nothing
    assert right["effects"] == {COUPON_LEDGER: {ORDER: 1}, SMS_LEDGER: {ORDER: 1}, RED_PACKET_LEDGER: {ORDER: 1}}
    assert (right["retries"], right["dead_lettered"], right["duplicate_deliveries"]) == (1, 0, 1)
    assert right["duplicate_effects"] == right["lost_effects"] == 0


def test_the_first_attempt_commits_the_coupon_and_sends_the_sms_before_it_throws(
    lesson: tuple[int, dict[str, Trace]],
) -> None:
    for trace in lesson[1].values():
        first = coupon_deliveries(trace)[0]
        coupon = next(e for e in trace.of(EffectApplied) if e.ledger == COUPON_LEDGER)
        sms = next(e for e in trace.of(EffectApplied) if e.ledger == SMS_LEDGER)
        timeout = next(e for e in trace.of(AppEvent) if e.action == "sms_timeout")
        failed = next(e for e in trace.of(MessageConsumed) if e.client == first.client)
        assert first.at_ms < coupon.at_ms <= sms.at_ms < timeout.at_ms == failed.at_ms
        assert timeout.at_ms - sms.at_ms == 1000  # the SMS client's timeout; the gateway answers 3000 ms late
        assert failed.status == "RECONSUME_LATER" and failed.note.startswith("raised SmsTimeout")
        back = next(e for e in trace.of(MessageSentBack) if e.offset_msg_id == first.offset_msg_id)
        assert (back.delay_level, back.due_ms - back.at_ms) == (3, 10_000)  # level 3 + reconsumeTimes 0


def test_naive_issues_a_second_coupon_and_a_second_sms_on_the_retry(lesson: tuple[int, dict[str, Trace]]) -> None:
    trace = lesson[1]["naive"]
    first, retry = coupon_deliveries(trace)
    assert (first.reconsume_times, retry.reconsume_times) == (0, 1)
    assert retry.msg_id == first.msg_id and retry.topic == f"%RETRY%{COUPON_GROUP}"
    for ledger in (COUPON_LEDGER, SMS_LEDGER):
        effects = [e for e in trace.of(EffectApplied) if e.ledger == ledger]
        assert len(effects) == 2 and effects[0].at_ms < retry.at_ms < effects[1].at_ms, ledger
    assert [e.status for e in trace.of(MessageConsumed) if e.group == COUPON_GROUP] == [
        "RECONSUME_LATER",
        "CONSUME_SUCCESS",
    ]


def test_a_duplicate_answered_reconsume_later_climbs_the_whole_ladder_into_the_dlq(
    lesson: tuple[int, dict[str, Trace]],
) -> None:
    trace = lesson[1]["unique_key_reconsume"]
    deliveries = coupon_deliveries(trace)
    assert [d.reconsume_times for d in deliveries] == list(range(17))
    assert {d.msg_id for d in deliveries} == {deliveries[0].msg_id}
    backs = [e for e in trace.of(MessageSentBack) if e.group == COUPON_GROUP]
    assert [b.delay_level for b in backs] == list(range(3, 19))
    assert [(b.due_ms - b.at_ms) // 1000 for b in backs] == LADDER_MS
    assert sum(b.due_ms - b.at_ms for b in backs) == 17_140_000  # 4 h 45 min 40 s
    retries = [e for e in trace.of(MessageStored) if e.topic == f"%RETRY%{COUPON_GROUP}"]
    assert [(s.reconsume_times, s.at_ms) for s in retries] == [(b.reconsume_times + 1, b.due_ms) for b in backs]
    (dead,) = trace.of(MessageDeadLettered)
    assert (dead.group, dead.dlq_topic, dead.reconsume_times) == (COUPON_GROUP, "%DLQ%coupon-system", 16)
    (copy,) = [e for e in trace.of(MessageStored) if e.topic.startswith("%DLQ%")]
    assert (copy.topic, copy.msg_id, copy.reconsume_times) == ("%DLQ%coupon-system", dead.msg_id, 17)
    statuses = [e.status for e in trace.of(MessageConsumed) if e.group == COUPON_GROUP]
    assert statuses == ["RECONSUME_LATER"] * 17
    # one coupon and one SMS: every retry stops at the key conflict, before the SMS
    assert sum(1 for e in trace.of(EffectApplied) if e.ledger in (COUPON_LEDGER, SMS_LEDGER)) == 2
    assert sum(1 for e in trace.of(AppEvent) if e.action == "db_constraint") == 16


def test_the_fix_completes_the_sms_without_sending_it_twice(lesson: tuple[int, dict[str, Trace]]) -> None:
    trace = lesson[1]["unique_key+sms_key"]
    _first, retry = coupon_deliveries(trace)
    assert retry.reconsume_times == 1
    assert [e.ledger for e in trace.of(EffectApplied) if e.ledger in (COUPON_LEDGER, SMS_LEDGER)] == [
        COUPON_LEDGER,
        SMS_LEDGER,
    ]
    (seen,) = [e for e in trace.of(AppEvent) if e.action == "sms_key_seen"]
    assert seen.at_ms > retry.at_ms and dict(seen.args)["key"] == ORDER
    done = [e for e in trace.of(MessageConsumed) if e.group == COUPON_GROUP]
    assert [e.status for e in done] == ["RECONSUME_LATER", "CONSUME_SUCCESS"]
    assert not list(trace.of(MessageDeadLettered))
