"""Delay levels and the consumer-retry ladder (``messageDelayLevel``, ``consumerSendMsgBack``)."""

from __future__ import annotations

import pytest

from minimq.core import delay as d

S = 1000
M = 60 * S
H = 60 * M


def test_there_are_18_levels_with_rocketmqs_values() -> None:
    # "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h"
    expected = [1, 5, 10, 30] + [m * 60 for m in range(1, 11)] + [1200, 1800, 3600, 7200]
    assert d.MAX_DELAY_LEVEL == 18
    assert [d.delay_ms(level) for level in range(1, 19)] == [s * S for s in expected]
    assert tuple(s * S for s in expected) == d.DELAY_LEVELS_MS


@pytest.mark.parametrize("level", [0, -1, -100])
def test_level_zero_or_below_means_no_delay(level: int) -> None:
    assert d.delay_ms(level) == 0


@pytest.mark.parametrize("level", [19, 20, 99, 10**6])
def test_levels_above_18_are_clamped_to_2_hours(level: int) -> None:
    assert d.delay_ms(level) == 2 * H


@pytest.mark.parametrize(
    ("reconsume_times", "level", "delay"), [(0, 3, 10 * S), (1, 4, 30 * S), (2, 5, M), (15, 18, 2 * H)]
)
def test_broker_picks_level_3_plus_reconsume_times(reconsume_times: int, level: int, delay: int) -> None:
    assert d.RETRY_BASE_LEVEL == 3
    assert d.retry_delay_level(reconsume_times) == level
    assert d.delay_ms(d.retry_delay_level(reconsume_times)) == delay


def test_the_default_ladder_has_16_steps_summing_to_4h_45m_40s() -> None:
    ladder = d.retry_ladder_ms()
    assert len(ladder) == 16
    assert ladder == [10 * S, 30 * S] + [n * M for n in range(1, 11)] + [20 * M, 30 * M, H, 2 * H]
    assert sum(ladder) == 17_140_000
    assert sum(ladder) == 4 * H + 45 * M + 40 * S


def test_a_longer_ladder_stays_at_2_hours() -> None:
    ladder = d.retry_ladder_ms(20)
    assert ladder[:16] == d.retry_ladder_ms()
    assert ladder[16:] == [2 * H] * 4


def test_ladder_of_zero_retries_is_empty() -> None:
    assert d.retry_ladder_ms(0) == []


def test_max_reconsume_times_minus_one_means_16_concurrent_and_int_max_orderly() -> None:
    assert d.max_reconsume_times(-1, orderly=False) == 16
    assert d.max_reconsume_times(-1, orderly=True) == 2**31 - 1
    assert d.ORDERLY_MAX_RECONSUME_TIMES == 2_147_483_647


@pytest.mark.parametrize("configured", [0, 1, 3, 16, 100])
@pytest.mark.parametrize("orderly", [False, True])
def test_a_configured_max_is_used_as_is(configured: int, orderly: bool) -> None:
    assert d.max_reconsume_times(configured, orderly=orderly) == configured


def test_goes_to_dlq_after_the_17th_delivery_fails() -> None:
    max_times = d.max_reconsume_times(-1, orderly=False)
    # deliveries carry reconsume_times 0..16; the failure of the one with 16 goes to the DLQ
    assert [d.goes_to_dlq(n, max_times) for n in range(17)] == [False] * 16 + [True]
    assert d.goes_to_dlq(17, max_times)


def test_a_negative_delay_level_goes_straight_to_the_dlq() -> None:
    assert d.goes_to_dlq(0, 16, delay_level=-1)
    assert not d.goes_to_dlq(0, 16, delay_level=0)
    assert not d.goes_to_dlq(0, 16, delay_level=5)


def test_max_reconsume_times_zero_dead_letters_the_first_failure() -> None:
    assert d.goes_to_dlq(0, d.max_reconsume_times(0, orderly=False))
