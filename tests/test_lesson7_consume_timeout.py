"""Lesson 7 (path P10): the consume-timeout scan sends back a message whose handler still runs.

For seeds 1 to 5, read from the ``--json`` summary and from each run's trace: the scan
runs at a fixed rate from the coupon consumer's ``start()`` (3 s), not from its first
rebalance (4.01 s), so the held handler (from about 12:00) is sent back by the 30:03 scan,
not the 15:03 one; the retry is delivered while the first execution still runs, and the
next idle pull moves the consumer offset past the sent-back message; no dedupe and
query-then-insert issue two coupons (both SELECTs found nothing), the UNIQUE key issues one
(the retry's INSERT hits the key and is acknowledged with CONSUME_SUCCESS); the red-packet
group is never doubled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from minimq.apps.incident import COUPON_GROUP, COUPON_LEDGER, RED_PACKET_GROUP
from minimq.apps.shop import Shop
from minimq.cli import main
from minimq.events import (
    AppEvent,
    ConsumerStarted,
    ConsumeTimedOut,
    EffectApplied,
    Event,
    MessageConsumed,
    MessageDelivered,
    MessageSentBack,
    OffsetCommittedLocally,
    OffsetPersisted,
    Rebalanced,
)
from minimq.lessons import find
from minimq.lessons.base import Lesson, Run, Step
from minimq.lessons.lesson7 import COUPON_START_MS, FIRST_SCAN_MS, LESSON, LOCK, PAY_MS, SECOND_SCAN_MS
from minimq.lessons.runner import NullView, RunSummary, run_lesson

SEEDS = [1, 2, 3, 4, 5]
MINUTE = 60_000
TIMEOUT_MS = 15 * MINUTE


@dataclass
class Ran:
    summary: RunSummary
    events: list[Event]
    coupons: int


class Keep(NullView):
    """Keeps each run's trace and coupon count before the shop is closed."""

    def __init__(self) -> None:
        self.runs: dict[str, Ran] = {}

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        self.runs[run.design] = Ran(summary, list(shop.world.trace.events), len(shop.coupons()))


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def ran(request: pytest.FixtureRequest) -> dict[str, Ran]:
    view = Keep()
    run_lesson(LESSON, request.param, view)
    return view.runs


def coupon(events: list[Event], kind: type[Event]) -> list[Event]:
    return [e for e in events if isinstance(e, kind) and getattr(e, "group", COUPON_GROUP) == COUPON_GROUP]


def test_the_lesson_is_registered_with_its_path() -> None:
    assert find("7") is find("consume-timeout") is find("07_consume_timeout") is LESSON
    assert LESSON.paths == ("P10",)
    assert [r.design for r in LESSON.runs] == ["naive", "query_then_insert", "unique_key"]
    assert LESSON.runs[-1].shop["idempotent_red_packet"] is True


@pytest.mark.parametrize("seed", SEEDS)
def test_json_naive_and_query_then_insert_double_the_unique_key_does_not(
    capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    assert main(["lesson", "consume-timeout", "--json", "--seed", str(seed)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["lesson"] == "consume-timeout" and summary["paths"] == ["P10"] and summary["seed"] == seed
    runs = {r["design"]: r for r in summary["runs"]}
    for wrong in ("naive", "query_then_insert"):
        assert runs[wrong]["groups"][COUPON_GROUP] == {
            "duplicate_deliveries": 1,
            "duplicate_effects": 1,
            "lost_effects": 0,
        }, wrong
    right = runs["unique_key"]
    assert right["duplicate_effects"] == 0 and right["lost_effects"] == 0
    assert right["duplicate_deliveries"] == 1  # the retry still arrives: the key makes it harmless
    for r in summary["runs"]:
        assert r["groups"][RED_PACKET_GROUP] == {"duplicate_deliveries": 0, "duplicate_effects": 0, "lost_effects": 0}
        assert r["virtual_ms"] == 33 * MINUTE


def test_the_scan_sends_back_at_the_second_fixed_rate_tick_not_fifteen_minutes_after_the_start(
    ran: dict[str, Ran],
) -> None:
    assert FIRST_SCAN_MS == COUPON_START_MS + TIMEOUT_MS and SECOND_SCAN_MS == COUPON_START_MS + 2 * TIMEOUT_MS
    for design, r in ran.items():
        (timed_out,) = coupon(r.events, ConsumeTimedOut)
        assert isinstance(timed_out, ConsumeTimedOut)
        assert PAY_MS <= timed_out.started_ms < PAY_MS + 100, design
        assert FIRST_SCAN_MS - timed_out.started_ms <= TIMEOUT_MS  # the 15:03 scan found it young enough
        assert timed_out.at_ms == SECOND_SCAN_MS  # so the 30:03 one sends it back ...
        assert timed_out.at_ms - timed_out.started_ms > TIMEOUT_MS
        assert timed_out.started_ms + TIMEOUT_MS < timed_out.at_ms - 2 * MINUTE  # ... minutes after 15 min were up
        (back,) = coupon(r.events, MessageSentBack)
        assert isinstance(back, MessageSentBack)
        assert (back.delay_level, back.msg_id, back.reconsume_times) == (3, timed_out.msg_id, 0)
        assert back.due_ms - back.at_ms == 10_000  # delay level 3


def test_the_scan_clock_starts_with_start_not_with_the_first_rebalance(ran: dict[str, Ran]) -> None:
    """``start()`` schedules cleanExpireMsg before the first heartbeat: the consumer owns its
    queues a second later, and the scans stay at 15:03, 30:03, ..."""
    for design, r in ran.items():
        (started,) = coupon(r.events, ConsumerStarted)
        assert started.at_ms == COUPON_START_MS, design
        owned = [e for e in r.events if isinstance(e, Rebalanced) and e.topic == "order-paid" and e.after]
        assert {e.group for e in owned} == {COUPON_GROUP, RED_PACKET_GROUP}  # both groups own queues ...
        assert all(e.at_ms < PAY_MS for e in owned)  # ... long before alice pays
        (rebalanced,) = [e for e in owned if e.group == COUPON_GROUP]
        assert rebalanced.at_ms >= started.at_ms + 1000  # the first rebalance, 1 s after the start
        (timed_out,) = coupon(r.events, ConsumeTimedOut)
        assert timed_out.at_ms == started.at_ms + 2 * TIMEOUT_MS != rebalanced.at_ms + 2 * TIMEOUT_MS


def test_an_idle_pull_moves_the_offset_past_the_sent_back_message(ran: dict[str, Ran]) -> None:
    """correctTagsOffset: with the process queue empty, the next pull that finds nothing new
    moves the local offset past the message and carries it to the broker; the first
    execution's late CONSUME_SUCCESS moves nothing."""
    for design, r in ran.items():
        first, retry = coupon(r.events, MessageDelivered)
        assert isinstance(first, MessageDelivered) and isinstance(retry, MessageDelivered)
        (timed_out,) = coupon(r.events, ConsumeTimedOut)
        where = (first.topic, first.queue_id)
        queue = [
            e
            for e in coupon(r.events, Event)
            if e.at_ms > first.at_ms and (getattr(e, "topic", None), getattr(e, "queue_id", None)) == where
        ]
        (local,) = [e for e in queue if isinstance(e, OffsetCommittedLocally)]  # once, and never again for this queue
        assert isinstance(local, OffsetCommittedLocally)
        assert local.offset == first.queue_offset + 1, design
        assert retry.at_ms < local.at_ms <= timed_out.at_ms + 20_000  # a long poll (15 s held, 5 s checks)
        assert local.at_ms < LOCK.until_ms  # while both executions still wait for the lock
        (persisted,) = [e for e in queue if isinstance(e, OffsetPersisted)]
        assert isinstance(persisted, OffsetPersisted)
        assert (persisted.via, persisted.offset) == ("pull", local.offset)
        assert persisted.at_ms - local.at_ms <= 1


def test_the_retry_overlaps_the_first_execution(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        first, retry = coupon(r.events, MessageDelivered)
        assert isinstance(first, MessageDelivered) and isinstance(retry, MessageDelivered)
        assert first.reconsume_times == 0 and retry.reconsume_times == 1, design
        assert retry.topic == f"%RETRY%{COUPON_GROUP}" and retry.msg_id == first.msg_id
        assert SECOND_SCAN_MS + 10_000 <= retry.at_ms < SECOND_SCAN_MS + 11_000
        done = {e.offset_msg_id: e for e in coupon(r.events, MessageConsumed) if isinstance(e, MessageConsumed)}
        assert done[first.offset_msg_id].at_ms > retry.at_ms  # the first execution was still running
        assert done[first.offset_msg_id].at_ms >= LOCK.until_ms and done[retry.offset_msg_id].at_ms >= LOCK.until_ms
        assert {e.status for e in done.values()} == {"CONSUME_SUCCESS"}


def _db(events: list[Event], action: str) -> list[AppEvent]:
    return [e for e in events if isinstance(e, AppEvent) and e.system == COUPON_LEDGER and e.action == action]


def test_query_then_insert_both_selects_find_nothing_and_two_coupons_follow(ran: dict[str, Ran]) -> None:
    r = ran["query_then_insert"]
    assert r.coupons == 2
    reads = [e for e in _db(r.events, "db_read") if dict(e.args)["statement"] == "SELECT coupons"]
    assert [dict(e.args)["rows"] for e in reads] == ["0", "0"]
    assert reads[0].at_ms < SECOND_SCAN_MS < reads[1].at_ms  # one before the send-back, one in the retry
    commits = [e for e in r.events if isinstance(e, EffectApplied) and e.ledger == COUPON_LEDGER]
    assert len(commits) == 2 and reads[1].at_ms < commits[0].at_ms  # both checks passed before any insert


def test_the_unique_key_refuses_the_retry_which_is_acknowledged(ran: dict[str, Ran]) -> None:
    r = ran["unique_key"]
    assert r.coupons == 1
    (refused,) = [e for e in _db(r.events, "db_failed") if "UNIQUE" in dict(e.args)["error"]]
    commits = [e for e in r.events if isinstance(e, EffectApplied) and e.ledger == COUPON_LEDGER]
    assert len(commits) == 1 and commits[0].at_ms <= refused.at_ms
    assert refused.at_ms >= LOCK.until_ms
    assert ran["naive"].coupons == 2


def test_the_handler_waits_for_the_batch_jobs_lock_and_every_step_is_in_the_trace(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        apps = [e for e in r.events if isinstance(e, AppEvent)]
        batch = [(e.at_ms, e.action) for e in apps if e.action in ("lock_taken", "lock_released")]
        assert batch == [(LOCK.from_ms, "lock_taken"), (LOCK.until_ms, "lock_released")], design
        waits = [e for e in apps if e.action == "lock_wait"]
        frees = [e for e in apps if e.action == "lock_free"]
        assert len(waits) == len(frees) == 2
        assert all(e.at_ms == LOCK.until_ms for e in frees)
        waited = [int(dict(e.args)["waited_ms"]) for e in frees]
        assert [w.at_ms + ms for w, ms in zip(waits, waited, strict=True)] == [LOCK.until_ms] * 2
        assert waited[0] > 19 * MINUTE  # the first execution: almost 20 minutes


def test_a_lock_outside_its_window_or_for_another_user_does_not_wait() -> None:
    assert LOCK.wait_ms("alice", LOCK.from_ms - 1) == 0
    assert LOCK.wait_ms("alice", LOCK.until_ms) == 0
    assert LOCK.wait_ms("bob", LOCK.from_ms + 1) == 0
    assert LOCK.wait_ms("alice", LOCK.from_ms + 1) == LOCK.until_ms - LOCK.from_ms - 1


def test_a_call_killed_while_it_waits_tells_no_more_of_the_lock() -> None:
    """The lock's events are scheduled ahead; a call that dies while it waits cancels them."""
    lesson = LESSON
    run = lesson.runs[0]
    shop = Shop(1, **run.shop)
    try:
        run.setup(shop)
        shop.world.run_until(PAY_MS + 5000)
        shop.coupon.consumer().crash("kill -9")
        shop.world.run_until(LOCK.until_ms + 1000)
        frees = [e for e in shop.world.trace.events if isinstance(e, AppEvent) and e.action == "lock_free"]
        assert frees == []
    finally:
        shop.close()


def test_steps_stop_where_the_narration_says() -> None:
    steps: tuple[Step, ...] = LESSON.runs[0].steps
    assert [s.until_ms for s in steps] == [
        PAY_MS - 1,
        PAY_MS + 10_000,
        FIRST_SCAN_MS + 1000,
        SECOND_SCAN_MS + 20_000,
        33 * MINUTE,
    ]
