"""The timing of a push consumer's rebalance service and heartbeats, as pure functions.

Reference: docs/semantics.md section 7; RocketMQ 5.3.x ``RebalanceService.run``
(``waitInterval`` 20 s, ``minInterval`` 1 s), ``RebalanceImpl.updateProcessQueueTableInRebalance``
(``dispatchPullRequest(…, 500)``) and ``MQClientInstance.startScheduledTask`` (heartbeat 1 s,
then every ``heartbeatBrokerInterval`` = 30 s).
"""

from __future__ import annotations

from minimq.core.rebalance import (
    HEARTBEAT_BROKER_INTERVAL_MS,
    PULL_DELAY_AFTER_REBALANCE_MS,
    REBALANCE_MIN_INTERVAL_MS,
    REBALANCE_WAIT_INTERVAL_MS,
    heartbeat_due_ms,
    too_soon_ms,
    wait_after_round_ms,
)


def test_the_defaults_are_rocketmqs() -> None:
    assert (REBALANCE_WAIT_INTERVAL_MS, REBALANCE_MIN_INTERVAL_MS) == (20_000, 1000)
    assert PULL_DELAY_AFTER_REBALANCE_MS == 500
    assert HEARTBEAT_BROKER_INTERVAL_MS == 30_000


def test_a_wake_within_a_second_of_the_last_rebalance_waits_for_the_rest_of_it() -> None:
    assert too_soon_ms(now_ms=5_001, last_ms=5_000) == 999
    assert too_soon_ms(now_ms=5_999, last_ms=5_000) == 1
    assert too_soon_ms(now_ms=6_000, last_ms=5_000) == 0
    assert too_soon_ms(now_ms=60_000, last_ms=5_000) == 0


def test_a_new_service_counts_as_having_just_rebalanced() -> None:
    # lastRebalanceTimestamp starts at the service's creation: a consumer started at 3 s,
    # woken by its own heartbeat at 3.002 s, rebalances at 4 s.
    assert 3_002 + too_soon_ms(now_ms=3_002, last_ms=3_000) == 4_000


def test_an_unbalanced_round_is_tried_again_after_a_second_a_balanced_one_after_20() -> None:
    assert wait_after_round_ms(balanced=True) == 20_000
    assert wait_after_round_ms(balanced=False) == 1000


def test_scheduled_heartbeats_run_at_a_fixed_rate_from_one_second_after_the_start() -> None:
    assert [heartbeat_due_ms(10_000, n) for n in range(3)] == [11_000, 41_000, 71_000]
