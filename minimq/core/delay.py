"""Delay levels and the consumer-retry ladder.

Mirrors RocketMQ ``MessageStoreConfig.messageDelayLevel`` and
``AbstractSendMessageProcessor.consumerSendMsgBack`` (broker); lesson 6 (partial-failure)
shows the whole ladder, one line per delivery, and ``minimq check``'s ``reconsume-later``
path runs it.
Rules:
- 18 delay levels: ``1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h``. Level 0
  means no delay; a level above 18 is clamped to 18.
- A message sent back by a consumer with delay level 0 ("let the broker decide") comes
  back after level ``3 + reconsume_times``: 10 s, 30 s, 1 m, ... 2 h.
- A concurrent consumer retries at most 16 times (``maxReconsumeTimes = -1`` means 16):
  17 deliveries in all; the 17th failure goes to ``%DLQ%<group>``. The scheduled delays
  add up to 4 h 45 min 40 s.
- An orderly consumer's ``-1`` means ``Integer.MAX_VALUE``: it retries locally for ever.
The send-back decision that applies these numbers is ``minimq.core.send_back``.
"""

from __future__ import annotations

DELAY_LEVELS_MS: tuple[int, ...] = tuple(
    s * 1000 for s in (1, 5, 10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800, 3600, 7200)
)
MAX_DELAY_LEVEL = len(DELAY_LEVELS_MS)
RETRY_BASE_LEVEL = 3
DEFAULT_MAX_RECONSUME_TIMES = 16
ORDERLY_MAX_RECONSUME_TIMES = 2**31 - 1  # Integer.MAX_VALUE


def delay_ms(level: int) -> int:
    """Milliseconds of delay for ``level`` (0 = none; above 18 clamps to 18)."""
    if level <= 0:
        return 0
    return DELAY_LEVELS_MS[min(level, MAX_DELAY_LEVEL) - 1]


def retry_delay_level(reconsume_times: int) -> int:
    """The delay level the broker picks for a send-back with level 0."""
    return RETRY_BASE_LEVEL + reconsume_times


def max_reconsume_times(configured: int, *, orderly: bool) -> int:
    """Resolve ``maxReconsumeTimes``: exactly -1 means the default of the consume mode
    (``getMaxReconsumeTimes``); consumers refuse anything below -1."""
    if configured != -1:
        return configured
    return ORDERLY_MAX_RECONSUME_TIMES if orderly else DEFAULT_MAX_RECONSUME_TIMES


def goes_to_dlq(reconsume_times: int, max_times: int, delay_level: int = 0) -> bool:
    """True when a send-back goes to the DLQ instead of the retry topic."""
    return reconsume_times >= max_times or delay_level < 0


def retry_ladder_ms(max_times: int = DEFAULT_MAX_RECONSUME_TIMES) -> list[int]:
    """The delays between the deliveries of a message that always fails."""
    return [delay_ms(retry_delay_level(n)) for n in range(max_times)]
