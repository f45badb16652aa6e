"""Checkers over a trace: what was lost, what was delivered twice, what was done twice.

Owns: ``check`` and ``Report``; each kind of verdict is a module of its own
(``messages``, ``effects``, ``offsets``, ``retries``). Every verdict is computed from the
trace alone (a trace read back from JSON lines
gives the same verdicts). Vocabulary (after Maelstrom):
- **lost message**: the producer got ``SEND_OK`` but a group subscribed to the topic
  never had it delivered, and did not dead-letter it either.
- **duplicate delivery**: a group's listener was called more than once for one msg id
  (``redelivered_after_success`` counts the calls after one that succeeded); a
  **duplicate key** is a business key delivered more than once, under one msg id or
  several. In broadcasting every client must see each message once, so these are
  counted per client (``group/client``).
- **dead-lettered**: a group gave up on a message after its retries.
- **duplicated / lost effect**: an expected key of an effect ledger ended with two or
  more effects, or with none.
- **offset regression**: the broker's committed offset for a (group, queue) moved back.
  An operator's reset (``OffsetReset``) is not one, nor is the consumer later storing
  that same reset offset over the stale one its first pull after the reset carried; nor
  a restarted broker going back to its last flush (``OffsetRestored``), nor the consumer
  storing the offset the broker corrected an out-of-range pull to (``OffsetCorrected``),
  nor a slave overwriting its table with its master's (``OffsetSyncedFromMaster``); a
  slave's table is followed apart from its master's.
- **a retry, not a duplicate** (``repeat_kinds``): a repeated delivery is a *retry* when
  the previous attempt of the same msg id failed (``RECONSUME_LATER``, an exception, a
  consume timeout, a failed send-back): the consumer asked for it. Any other repeated
  delivery of a business key to a group is a *duplicate*: the consumer did its part and
  got the message again anyway.
- **broken retry rule** (``retry_violations``): a consumer retry that did not follow
  RocketMQ's rules (``consumerSendMsgBack``, ``ScheduleMessageService``,
  ``ConsumeMessageConcurrentlyService``), one ``RetryViolation`` per break, its ``rule`` a
  ``RetryRule``. A message whose delivery failed (not a success status, or a consume
  timeout) is taken back by the broker at most once per failure (but see P9 below); the
  broker schedules its retry copy at delay level ``3 + reconsume_times`` (level 3, 10 s, after a consume
  timeout), stores it at exactly that time in ``%RETRY%<group>`` with ``reconsume_times + 1``,
  and once ``reconsume_times`` reaches ``maxReconsumeTimes`` dead-letters it into
  ``%DLQ%<group>`` instead: at exactly the maximum, or past it for an orderly consumer
  whose own attempt to dead-letter failed. A delivery at ``reconsume_times`` r > 0 follows a
  failed attempt at r - 1 (a stored retry copy, or a local retry after a failed
  send-back); only a local retry delivers past the maximum. A message of an orderly batch
  that was dead-lettered and put back with its batch keeps its count: its local retry
  follows the failed attempt at r itself. A retry copy due before the
  end of the trace (``until_ms``, by default its last event) must have been stored by then.
  A group's ``maxReconsumeTimes`` is the one its consumers recorded when they started
  (``ConsumerStarted.max_reconsume_times``); ``max_reconsume_times`` may name another.
  POP (5.x): a revival (``MessageRevived``) counts as the failed attempt, and makes the
  copy in ``%RETRY%<group>_<topic>`` due at once, with ``reconsume_times`` up to 17; a
  POP group's dead letter is the proxy's, at ``reconsume_times`` 17 exactly.
  A send-back whose reply the consumer never saw (``SendBackFailed`` of
  ``CONSUMER_SEND_MSG_BACK``) may have been taken all the same, so the copy may be taken
  back once more for it: the fallback's second retry copy (P9). After a broker restart
  (``BrokerRestarted``, P13) a retry copy may be stored late (it came due while the broker
  was down: it must be there 1 s after the restart, and none is missing while the broker
  is still down) or again (delivered since the last flush of the delay progress, #3473): a
  copy is fine if a send-back made it due by then; a copy sent back after the commit
  log's last flush before an OS crash (``CommitLogTruncated``) may never come. One
  RocketMQ behaviour minimq does not model would read as a violation here: a listener
  asking for the DLQ at once (``delayLevelWhenNextConsume = -1``).
Call the checkers after the world has run long enough for retries to drain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from minimq.check.effects import EffectCount, effect_counts, effects_by_key
from minimq.check.messages import (
    DeadLettered,
    DuplicateDelivery,
    DuplicateKey,
    LostMessage,
    dead_lettered,
    duplicate_deliveries,
    duplicate_keys,
    lost_messages,
    repeat_kinds,
    subscriptions,
)
from minimq.check.offsets import OffsetRegression, offset_regressions
from minimq.check.retries import RetryRule, RetryViolation, retry_violations
from minimq.trace import Trace

__all__ = [
    "DeadLettered",
    "DuplicateDelivery",
    "DuplicateKey",
    "EffectCount",
    "LostMessage",
    "OffsetRegression",
    "Report",
    "RetryRule",
    "RetryViolation",
    "check",
    "dead_lettered",
    "duplicate_deliveries",
    "duplicate_keys",
    "effect_counts",
    "effects_by_key",
    "lost_messages",
    "offset_regressions",
    "repeat_kinds",
    "retry_violations",
    "subscriptions",
]


@dataclass(frozen=True, slots=True)
class Report:
    lost: list[LostMessage] = field(default_factory=list)
    duplicate_deliveries: list[DuplicateDelivery] = field(default_factory=list)
    duplicate_keys: list[DuplicateKey] = field(default_factory=list)
    dead_lettered: list[DeadLettered] = field(default_factory=list)
    duplicated_effects: list[EffectCount] = field(default_factory=list)
    lost_effects: list[EffectCount] = field(default_factory=list)
    offset_regressions: list[OffsetRegression] = field(default_factory=list)
    retry_violations: list[RetryViolation] = field(default_factory=list)

    @property
    def exactly_once_effects(self) -> bool:
        return not self.duplicated_effects and not self.lost_effects

    def summary(self) -> dict[str, int]:
        return {
            "lost_messages": len(self.lost),
            "duplicate_deliveries": len(self.duplicate_deliveries),
            "duplicate_keys": len(self.duplicate_keys),
            "dead_lettered": len(self.dead_lettered),
            "duplicate_effects": len(self.duplicated_effects),
            "lost_effects": len(self.lost_effects),
            "offset_regressions": len(self.offset_regressions),
            "retry_violations": len(self.retry_violations),
        }


def check(trace: Trace) -> Report:
    """Every checker at once."""
    duplicated, lost_fx = effect_counts(trace)
    return Report(
        lost=lost_messages(trace),
        duplicate_deliveries=duplicate_deliveries(trace),
        duplicate_keys=duplicate_keys(trace),
        dead_lettered=dead_lettered(trace),
        duplicated_effects=duplicated,
        lost_effects=lost_fx,
        offset_regressions=offset_regressions(trace),
        retry_violations=retry_violations(trace),
    )
