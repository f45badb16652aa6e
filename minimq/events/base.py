"""What every event is: a frozen record stamped with the virtual time it happened at.

Owns: ``Event`` and ``EVENT_TYPES``, the registry that reads a trace back by kind name.
"""

from __future__ import annotations

from typing import ClassVar

from minimq.records import record

EVENT_TYPES: dict[str, type[Event]] = {}


@record
class Event:
    """Something that happened at ``at_ms``; its ``kind`` is its class name."""

    at_ms: int

    kind: ClassVar[str] = "Event"

    def __init_subclass__(cls) -> None:
        # Runs twice per event type (dataclass(slots=True) rebuilds the class); the
        # registry keeps the final class.
        cls.kind = cls.__name__
        EVENT_TYPES[cls.__name__] = cls
