"""What a producer's ``send()`` did, attempt by attempt."""

from __future__ import annotations

from minimq.events.base import Event
from minimq.records import record


@record
class SendAttempted(Event):
    producer: str
    msg_id: str
    topic: str
    queue_id: int
    attempt: int
    budget_left_ms: int
    keys: tuple[str, ...]


@record
class SendFailed(Event):
    """One attempt failed; the producer may try again."""

    producer: str
    msg_id: str
    attempt: int
    error: str


@record
class SendSucceeded(Event):
    """The broker's reply reached the producer."""

    producer: str
    msg_id: str
    offset_msg_id: str
    topic: str
    queue_id: int
    queue_offset: int
    status: str


@record
class SendGaveUp(Event):
    """``send()`` raised to the application."""

    producer: str
    msg_id: str
    error: str
