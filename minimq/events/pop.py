"""POP consumption (RocketMQ 5.x, SimpleConsumer and the gRPC push consumer): pops,
acks, changes of invisible time, revivals.

A pop is a delivery: the client that receives a popped message also records the usual
``MessageDelivered``, so every checker counts it like a pulled one. ``topic`` and
``queue_id`` say where the popped copy is stored (the business topic, or the POP retry
topic ``%RETRY%<group>_<topic>`` for a revived copy); ``visible_ms`` is when the message
becomes visible again unless it is acked first (pop time + invisible time).
"""

from __future__ import annotations

from minimq.events.base import Event
from minimq.records import record


@record
class MessagePopped(Event):
    """The broker handed this copy to ``client`` of ``group`` and made it invisible for
    ``invisible_ms``: its checkpoint waits for an ack until ``visible_ms``. The group's
    position in the queue has already moved past it."""

    group: str
    client: str
    topic: str
    queue_id: int
    queue_offset: int
    msg_id: str
    offset_msg_id: str
    real_topic: str
    reconsume_times: int
    invisible_ms: int
    visible_ms: int


@record
class MessageAcked(Event):
    """An ack for this copy reached the broker. ``took_effect`` is False when the
    checkpoint its receipt handle names is gone (replaced by a change of invisible time,
    already acked): the ack answers OK and changes nothing. ``via`` is ``client`` (the
    consumer acked) or ``dead letter`` (the proxy acked a message it moved to the DLQ)."""

    group: str
    client: str
    topic: str
    queue_id: int
    queue_offset: int
    msg_id: str
    took_effect: bool
    via: str


@record
class AckRejected(Event):
    """The proxy refused ``request`` (``ack`` or ``change_invisible_duration``) because
    the receipt handle expired at ``visible_ms``: ``INVALID_RECEIPT_HANDLE``, "receipt
    handle is expired". The message has been, or will be, delivered again."""

    group: str
    client: str
    msg_id: str
    request: str
    visible_ms: int


@record
class InvisibleTimeChanged(Event):
    """A new checkpoint makes this copy invisible for ``invisible_ms`` from now, until
    ``visible_ms``; the old one was acked (``took_effect`` False: the old handle's
    checkpoint was already gone, so that ack changed nothing). ``reason``: ``client`` (the
    consumer asked: an extension or a nack), ``renew`` (the proxy renewed an auto-renew
    handle), ``stop renew`` (3 h of renewals are over: the proxy nacks it) or ``client
    gone`` (its client left: visible again after 1 s)."""

    group: str
    client: str
    topic: str
    queue_id: int
    queue_offset: int
    msg_id: str
    invisible_ms: int
    visible_ms: int
    took_effect: bool
    reason: str


@record
class MessageRevived(Event):
    """The revive service found this copy's checkpoint un-acked past its time
    (``visible_ms``, popped by ``client``) and stores it again in ``retry_topic`` with
    ``reconsume_times + 1`` and the same msg id (the ``MessageStored`` that follows)."""

    group: str
    client: str
    topic: str
    queue_id: int
    queue_offset: int
    msg_id: str
    offset_msg_id: str
    reconsume_times: int
    visible_ms: int
    retry_topic: str
