"""One message through a consumer: the listener called and what it answered, timeouts,
local retries and the client's offset table.
"""

from __future__ import annotations

from minimq.events.base import Event
from minimq.records import record


@record
class MessageDelivered(Event):
    """The listener was called with this copy."""

    client: str
    group: str
    topic: str
    queue_id: int
    queue_offset: int
    msg_id: str
    offset_msg_id: str
    real_topic: str
    keys: tuple[str, ...]
    reconsume_times: int


@record
class MessageConsumed(Event):
    """The listener finished: ``status`` as RocketMQ reads it; ``note`` explains an
    exception, a ``None`` or a value that is not a status."""

    client: str
    group: str
    msg_id: str
    offset_msg_id: str
    status: str
    note: str


@record
class BatchConsumed(Event):
    """A batch listener (``consumeMessageBatchMaxSize > 1``, ``batch=True``) finished the
    messages ``msg_ids`` of one queue, in offset order: ``status`` as RocketMQ reads it,
    ``note`` as for ``MessageConsumed``. ``ack_index`` is the last message acknowledged
    once RocketMQ's rule is applied (``processConsumeResult``): ``ackIndex`` clamped to
    the batch on ``CONSUME_SUCCESS``, -1 on a failure; an orderly batch is all (its size
    - 1) or nothing (-1). A ``MessageConsumed`` per message follows, with what that
    message counts as."""

    client: str
    group: str
    topic: str
    queue_id: int
    msg_ids: tuple[str, ...]
    status: str
    note: str
    ack_index: int


@record
class ConsumeResultDiscarded(Event):
    """The listener finished but its queue was dropped meanwhile (rebalance): no offset
    update, no send-back."""

    client: str
    group: str
    msg_id: str
    offset_msg_id: str
    reason: str


@record
class ConsumeFailureDropped(Event):
    """Broadcasting: the listener failed, and the message is dropped. There is no
    send-back and no retry; the offset moves past it as after a success
    (``processConsumeResult``: "BROADCASTING, the message consume failed, drop it")."""

    client: str
    group: str
    msg_id: str
    offset_msg_id: str


@record
class ConsumeTimedOut(Event):
    """``cleanExpireMsg`` found the head message running past ``consumeTimeout`` and sent
    it back; the running attempt goes on."""

    client: str
    group: str
    msg_id: str
    offset_msg_id: str
    started_ms: int


@record
class SendBackFailed(Event):
    """The consumer saw one of its send-back requests fail (``error``): ``request`` is
    ``CONSUMER_SEND_MSG_BACK`` (the send-back proper; the broker may have taken the copy
    all the same if only the reply was lost) or ``SEND_MESSAGE`` (the fallback: the
    message as a normal message to ``%RETRY%<group>``, ``attempt`` of the inner
    producer's tries)."""

    client: str
    group: str
    msg_id: str
    offset_msg_id: str
    request: str
    attempt: int
    error: str


@record
class RetriedLocally(Event):
    """The message will be consumed again by this client after ``delay_ms`` (a failed
    send-back, or an orderly suspend)."""

    client: str
    group: str
    msg_id: str
    reconsume_times: int
    delay_ms: int
    reason: str


@record
class OffsetCommittedLocally(Event):
    """The client's offset table moved (not yet on the broker)."""

    client: str
    group: str
    topic: str
    queue_id: int
    offset: int
