"""The trace: the one record of everything that happened in a simulation.

Owns: ``Trace`` (an append-only list of ``minimq.events`` with listeners), its JSON-lines
form and its digest. Two runs with the same seed and the same program give traces whose
JSON lines, and so whose ``sha256()``, are byte-identical.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from minimq.errors import MinimqError
from minimq.events import EVENT_TYPES, Event

E = TypeVar("E", bound=Event)
Listener = Callable[[Event], None]


class TraceFormatError(MinimqError, ValueError):
    """A JSON-lines trace could not be read back."""


class Trace:
    """Events in the order they happened."""

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self.events: list[Event] = list(events)
        self._listeners: list[Listener] = []

    def emit(self, event: Event) -> None:
        self.events.append(event)
        for listener in self._listeners:
            listener(event)

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener`` with every event from now on (for live narration)."""
        self._listeners.append(listener)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def of(self, kind: type[E]) -> list[E]:
        """Every event of one type, in order."""
        return [e for e in self.events if isinstance(e, kind)]

    # -- JSON lines -----------------------------------------------------------------
    def to_jsonl(self) -> str:
        return "".join(json.dumps(event_to_dict(e), ensure_ascii=False) + "\n" for e in self.events)

    def sha256(self) -> str:
        return hashlib.sha256(self.to_jsonl().encode()).hexdigest()

    def write(self, path: str | Path) -> None:
        Path(path).write_text(self.to_jsonl(), encoding="utf-8")

    @classmethod
    def from_jsonl(cls, text: str) -> Trace:
        events = []
        # split on "\n" only: str.splitlines() would also split inside a JSON string
        # holding U+0085, U+2028, ... (written raw, as ensure_ascii=False keeps them)
        for number, line in enumerate(text.split("\n"), 1):
            if line.strip():
                events.append(event_from_dict(_parse(line, number), number))
        return cls(events)

    @classmethod
    def read(cls, path: str | Path) -> Trace:
        return cls.from_jsonl(Path(path).read_text(encoding="utf-8"))


def event_to_dict(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = {"type": event.kind}
    for f in fields(event):
        data[f.name] = getattr(event, f.name)
    return data


def _parse(line: str, number: int) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise TraceFormatError(f"line {number}: not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise TraceFormatError(f"line {number}: expected a JSON object, got {type(data).__name__}")
    return data


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def event_from_dict(data: dict[str, Any], number: int = 0) -> Event:
    kind = data.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise TraceFormatError(f"line {number}: unknown event type {kind!r}")
    names = [f.name for f in fields(cls)]
    missing = [n for n in names if n not in data]
    if missing:
        raise TraceFormatError(f"line {number}: {kind} lacks field(s) {', '.join(missing)}")
    return cls(**{n: _tuples(data[n]) for n in names})
