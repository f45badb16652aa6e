"""POP through the 5.x proxy: invisible times, long polling, the DLQ, auto-renew.

Owns: the rules RocketMQ 5.x's proxy keeps in front of the broker's POP
(``ProxyConfig``, ``GrpcValidator.validateInvisibleTime``, ``ReceiveMessageActivity``,
``ConsumerProcessor``, ``PopMessageResultFilterImpl``, ``GrpcClientSettingsManager``,
``DefaultReceiptHandleManager``, ``RenewStrategyPolicy``, ``CustomizedRetryPolicy``) and
the 5.x clients' retry delay (``CustomizedBackoffRetryPolicy``). minimq has no separate
proxy: ``minimq.runtime.pop_service`` applies these at the broker's door, and the
clients check the invisible time before they send (a ``ValidationError``, where the
proxy answers ``ILLEGAL_INVISIBLE_TIME``). Lesson 12 (pop-invisible-time) shows them.

Rules (defaults of ``ProxyConfig`` unless said):
- A receive's invisible time is 10 s to 12 h (``minInvisibleTimeMillsForRecv``,
  ``maxInvisibleTimeMills``); a change of invisible time may be 0 to 12 h (no minimum).
  A receive with auto-renew (the push consumer's) gets 60 s (``defaultInvisibleTimeMills``).
- A receive long-polls for its client's await duration, clamped to 5 s .. 20 s
  (``grpcClientConsumerMin/MaxLongPollingTimeoutMillis``), and takes at most 32 messages.
- An ack or a change of invisible time with an expired handle is refused:
  ``INVALID_RECEIPT_HANDLE``, "receipt handle is expired" (``validateReceiptHandle``).
- ``maxAttempts = retryMaxTimes + 1 = 17``: a popped message with
  ``reconsumeTimes >= 17`` (the 18th pop) goes to ``%DLQ%<group>`` instead of the
  client, and its handle is acked. A delivery's attempt is ``reconsumeTimes + 1``.
- Auto-renew (handles received with auto-renew, tracked per client): every 5 s
  (``renewSchedulePeriodMillis``) each handle within 10 s of its expiry
  (``renewAheadTimeMillis``) is renewed for 1 min, 3, 5, 10, 30 min, then 1 h each time
  (``RenewStrategyPolicy``), until 3 h after it was received (``renewMaxTimeMillis``);
  then the proxy stops and nacks it with the group's retry delay (``STOP_RENEW``:
  ``CustomizedRetryPolicy``, delay level ``reconsumeTimes + 3``: 10 s, 30 s, 1 min, ...).
  When its client leaves, each of its handles is made visible after 1 s
  (``invisibleTimeMillisWhenClear``). A SimpleConsumer receives without auto-renew, so
  the proxy tracks none of its handles: they wait out their invisible time.
- A 5.x push consumer nacks a failed message with the delay at index
  ``deliveryAttempt - 1`` of the group's list (1 s, 5 s, 10 s, 30 s, ...,
  ``CustomizedBackoffRetryPolicy.getNextAttemptDelay``): one level shorter than the
  broker's own retry ladder.

Simplifications: the renewal's retries (``maxRenewRetryTimes = 3``) never arise (a
renewal only fails on an expired handle, which is not retried); one receive per call,
no ``attemptId``.
"""

from __future__ import annotations

from minimq.core import delay
from minimq.core.pop import ReceiptHandle
from minimq.errors import ValidationError
from minimq.records import record

DEFAULT_INVISIBLE_MS = 60_000  # defaultInvisibleTimeMills: an auto-renew receive's
MIN_INVISIBLE_MS_FOR_RECEIVE = 10_000  # minInvisibleTimeMillsForRecv
MAX_INVISIBLE_MS = 12 * 3600_000  # maxInvisibleTimeMills
MIN_LONG_POLLING_MS = 5_000  # grpcClientConsumerMinLongPollingTimeoutMillis
MAX_LONG_POLLING_MS = 20_000  # grpcClientConsumerMaxLongPollingTimeoutMillis
MAX_MESSAGE_NUM = 32  # ProxyUtils.MAX_MSG_NUMS_FOR_POP_REQUEST
RETRY_MAX_TIMES = 16  # SubscriptionGroupConfig.retryMaxTimes
MAX_ATTEMPTS = RETRY_MAX_TIMES + 1  # GrpcClientSettingsManager: BackoffPolicy.maxAttempts
RENEW_PERIOD_MS = 5_000  # renewSchedulePeriodMillis
RENEW_AHEAD_MS = 10_000  # renewAheadTimeMillis
RENEW_MAX_MS = 3 * 3600_000  # renewMaxTimeMillis
RENEW_DELAYS_MS = (60_000, 180_000, 300_000, 600_000, 1_800_000, 3_600_000)  # RenewStrategyPolicy
INVISIBLE_WHEN_CLEAR_MS = 1_000  # invisibleTimeMillisWhenClear
INVALID_RECEIPT_HANDLE = "receipt handle is expired"  # AbstractProcessor.EXPIRED_HANDLE_PROXY_EXCEPTION


def _ms(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{name} must be a whole number of milliseconds", value)
    return value


def check_receive_invisible(invisible_ms: object) -> int:
    """A receive's invisible duration: 10 s to 12 h (``ILLEGAL_INVISIBLE_TIME``)."""
    ms = _ms("invisible_duration_ms", invisible_ms)
    if ms < MIN_INVISIBLE_MS_FOR_RECEIVE:
        raise ValidationError(f"the invisibleTime is too small. min is {MIN_INVISIBLE_MS_FOR_RECEIVE}", ms)
    if ms > MAX_INVISIBLE_MS:
        raise ValidationError(f"the invisibleTime is too large. max is {MAX_INVISIBLE_MS}", ms)
    return ms


def check_change_invisible(invisible_ms: object) -> int:
    """A change of invisible duration: 0 to 12 h (``validateInvisibleTime(t)``, minimum 0)."""
    ms = _ms("invisible_duration_ms", invisible_ms)
    if ms < 0:
        raise ValidationError("the invisibleTime is too small. min is 0", ms)
    if ms > MAX_INVISIBLE_MS:
        raise ValidationError(f"the invisibleTime is too large. max is {MAX_INVISIBLE_MS}", ms)
    return ms


def polling_ms(await_ms: int) -> int:
    """How long the proxy holds an empty receive: the client's await duration, clamped."""
    return min(max(await_ms, MIN_LONG_POLLING_MS), MAX_LONG_POLLING_MS)


def goes_to_dlq(reconsume_times: int, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """``PopMessageResultFilterImpl``: ``TO_DLQ`` when ``reconsumeTimes >= maxAttempts``."""
    return reconsume_times >= max_attempts


def nack_delay_ms(delivery_attempt: int) -> int:
    """The 5.x push consumer's nack delay after a failed ``delivery_attempt`` (1, 2, ...)."""
    levels = delay.DELAY_LEVELS_MS
    return levels[min(max(delivery_attempt, 1), len(levels)) - 1]


@record
class Tracked:
    """One auto-renew handle the proxy watches (``MessageReceiptHandle``): the handle
    the client holds, the one now in force, when it was received, renewals so far."""

    msg_id: str
    original: ReceiptHandle  # the handle the client received: what its ack names
    current: ReceiptHandle  # the handle now in force (each renewal gives a new one)
    received_ms: int  # consumeTimestamp
    renew_times: int
    reconsume_times: int


@record
class Renew:
    """Make the message invisible for ``invisible_ms`` more; ``stop``: the last time
    (``STOP_RENEW``, a nack with the group's retry delay), then forget the handle."""

    invisible_ms: int
    stop: bool


def renewal(tracked: Tracked, now_ms: int) -> Renew | None:
    """``scheduleRenewTask`` + ``startRenewMessage`` for one handle at a scan at ``now_ms``."""
    if tracked.current.visible_ms - now_ms > RENEW_AHEAD_MS:
        return None
    if now_ms - tracked.received_ms < RENEW_MAX_MS:
        index = min(tracked.renew_times, len(RENEW_DELAYS_MS) - 1)
        return Renew(invisible_ms=RENEW_DELAYS_MS[index], stop=False)
    return Renew(invisible_ms=delay.delay_ms(delay.retry_delay_level(tracked.reconsume_times)), stop=True)
