"""Setting up a world: the seed, topics, and faults as they fire."""

from __future__ import annotations

from minimq.events.base import Event
from minimq.records import record


@record
class WorldStarted(Event):
    seed: int


@record
class TopicCreated(Event):
    topic: str
    queue_nums: int


@record
class FaultInjected(Event):
    """A fault plan fired: ``fault`` names the rule, ``detail`` what it did."""

    fault: str
    target: str
    detail: str
