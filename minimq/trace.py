"""The trace: the one record of everything that happened in a simulation.

Owns: ``Trace`` (an append-only list of ``minimq.events`` with listeners), its JSON-lines
form and its digest. Two runs with the same seed and the same program give traces whose
JSON lines, and so whose ``sha256()``, are byte-identical.

Reading a trace back (``Trace.from_jsonl``, ``Trace.read``) trusts nothing in the text.
Each non-blank line must be one JSON object whose ``"type"`` names an event and whose
other keys are exactly that event's fields, each of the type the event declares
(``minimq.events``, checked recursively: ``tuple[str, ...]`` is a JSON list of strings).
Anything else raises ``TraceFormatError`` naming the line, the field and the value, e.g.
``line 3: MessageStored.at_ms must be an integer, got 'abc' (str)``. In particular:
- ``bool`` is not an integer, and a float is not one either (not even ``1.0``);
- ``at_ms`` is a time a world can reach: an integer from 0 to ``MAX_VIRTUAL_MS``;
- ``NaN``, ``Infinity`` and ``-Infinity`` are refused, and so is an integer literal
  longer than Python reads (``sys.get_int_max_str_digits()``, 4300 digits by default);
- a key the event does not have is refused: a trace from another version of minimq, or
  a typo, is named rather than half read;
- the text must be UTF-8 without NUL characters, and JSON nested too deep for the parser
  is refused, not a ``RecursionError``.
Blank lines are skipped, so an empty text is an empty trace (as ``Trace().to_jsonl()``
writes it); ``minimq trace`` refuses an empty file, since a world always records
``WorldStarted``. A file that cannot be opened raises the usual ``OSError``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from minimq.errors import TraceFormatError, ValidationError, shown
from minimq.events import EVENT_TYPES, Event
from minimq.model import MAX_VIRTUAL_MS

__all__ = ["Trace", "TraceFormatError", "event_from_dict", "event_to_dict"]

E = TypeVar("E", bound=Event)
Listener = Callable[[Event], None]


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
        """The trace that ``to_jsonl()`` wrote; see the module docstring for what is refused."""
        if not isinstance(text, str):
            raise ValidationError("Trace.from_jsonl takes the text of a trace (Trace.read takes a path)", text)
        events = []
        # split on "\n" only: str.splitlines() would also split inside a JSON string
        # holding U+0085, U+2028, ... (written raw, as ensure_ascii=False keeps them)
        for number, line in enumerate(text.split("\n"), 1):
            if line.strip():
                events.append(event_from_dict(_parse(line, number), number))
        return cls(events)

    @classmethod
    def read(cls, path: str | Path) -> Trace:
        """The trace in the file at ``path`` (UTF-8 JSON lines); a ``TraceFormatError``
        names the file and the line."""
        data = Path(path).read_bytes()
        try:
            return cls.from_jsonl(_decode(data))
        except TraceFormatError as exc:
            raise exc.in_file(str(path)) from None


def event_to_dict(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = {"type": event.kind}
    for f in fields(event):
        data[f.name] = getattr(event, f.name)
    return data


# -- reading, line by line -----------------------------------------------------------------
def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TraceFormatError(
            line, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}): is this a trace?"
        ) from None


class _NotANumber(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotANumber(f"{name} is not a number a trace can hold")


def _parse(line: str, number: int) -> dict[str, Any]:
    if "\x00" in line:
        raise TraceFormatError(number, "holds a NUL character: is this a trace, or binary data?")
    try:
        data = json.loads(line, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise TraceFormatError(number, f"not JSON ({exc.msg}, column {exc.colno})") from None
    except _NotANumber as exc:
        raise TraceFormatError(number, str(exc)) from None
    except ValueError:  # the only other one json raises: int() refused a literal too long
        limit = sys.get_int_max_str_digits()
        raise TraceFormatError(number, f"an integer literal has more than {limit} digits") from None
    except RecursionError:
        raise TraceFormatError(number, "JSON nested too deeply to read") from None
    if not isinstance(data, dict):
        raise TraceFormatError(number, f"expected a JSON object, got {type(data).__name__}")
    return data


def event_from_dict(data: dict[str, Any], number: int = 0) -> Event:
    """The event ``data`` (one parsed JSON line) describes, every field checked against
    the event's type hints; ``number`` is the line number errors name."""
    if "type" not in data:
        raise TraceFormatError(number, 'the object has no "type" key naming its event')
    kind = data["type"]
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise TraceFormatError(number, f"unknown event type {shown(kind)}")
    checks = _field_checks(cls)
    missing = [name for name in checks if name not in data]
    if missing:
        raise TraceFormatError(number, f"{kind} lacks field(s) {', '.join(missing)}")
    extra = [key for key in data if key != "type" and key not in checks]
    if extra:
        raise TraceFormatError(number, f"{kind} has no field(s) {', '.join(map(shown, extra))}")
    values = {}
    for name, check in checks.items():
        try:
            values[name] = check(data[name], name)
        except _Wrong as wrong:
            raise TraceFormatError(number, f"{kind}.{wrong}") from None
    at_ms = values["at_ms"]
    if not 0 <= at_ms <= MAX_VIRTUAL_MS:
        raise TraceFormatError(number, f"{kind}.at_ms must be a time from 0 to {MAX_VIRTUAL_MS} ms, got {shown(at_ms)}")
    return cls(**values)


# -- field checks, built once per event type from its type hints -----------------------------
class _Wrong(Exception):
    """A value that does not fit its field: ``where`` (``keys[2]``), what was expected."""

    def __init__(self, where: str, expected: str, value: object) -> None:
        super().__init__(f"{where} must be {expected}, got {shown(value)} ({type(value).__name__})")


class _Check:
    """Turns the JSON value of one field (at ``where``) into the field's value, or raises
    ``_Wrong`` saying what was ``expected``."""

    expected: str

    def __call__(self, value: Any, where: str) -> Any:
        raise NotImplementedError


class _Exactly(_Check):
    """A JSON scalar of exactly one Python type (``bool`` is not an ``int`` here)."""

    def __init__(self, kind: type, expected: str) -> None:
        self.kind, self.expected = kind, expected

    def __call__(self, value: Any, where: str) -> Any:
        if type(value) is not self.kind:
            raise _Wrong(where, self.expected, value)
        return value


class _ListOf(_Check):
    """``tuple[X, ...]``: a JSON list of X."""

    expected = "a list"

    def __init__(self, item: _Check) -> None:
        self.item = item

    def __call__(self, value: Any, where: str) -> tuple[Any, ...]:
        if type(value) is not list:
            raise _Wrong(where, self.expected, value)
        return tuple(self.item(v, f"{where}[{i}]") for i, v in enumerate(value))


class _Items(_Check):
    """``tuple[X, Y]``: a JSON list of exactly those items."""

    def __init__(self, items: tuple[_Check, ...]) -> None:
        self.items, self.expected = items, f"a list of {len(items)} items"

    def __call__(self, value: Any, where: str) -> tuple[Any, ...]:
        if type(value) is not list or len(value) != len(self.items):
            raise _Wrong(where, self.expected, value)
        return tuple(check(v, f"{where}[{i}]") for i, (check, v) in enumerate(zip(self.items, value, strict=True)))


class _OneOf(_Check):
    """``X | None`` and other unions: the first option that fits."""

    def __init__(self, options: tuple[_Check, ...]) -> None:
        self.options, self.expected = options, " or ".join(o.expected for o in options)

    def __call__(self, value: Any, where: str) -> Any:
        for option in self.options:
            try:
                return option(value, where)
            except _Wrong:
                pass
        raise _Wrong(where, self.expected, value)


_SCALARS: dict[object, _Check] = {
    int: _Exactly(int, "an integer"),
    str: _Exactly(str, "a string"),
    bool: _Exactly(bool, "true or false"),
    type(None): _Exactly(type(None), "null"),
}


def _check_for(hint: Any) -> _Check:
    if hint in _SCALARS:
        return _SCALARS[hint]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _ListOf(_check_for(args[0]))
    if origin is tuple and Ellipsis not in args:
        return _Items(tuple(_check_for(a) for a in args))
    if origin in (types.UnionType, typing.Union):
        return _OneOf(tuple(_check_for(a) for a in args))
    raise TypeError(f"a trace cannot check a field of type {hint!r}: teach minimq.trace._check_for")


_CHECKS: dict[type[Event], dict[str, _Check]] = {}


def _field_checks(cls: type[Event]) -> dict[str, _Check]:
    """Each field of ``cls`` and its check, in field order. The annotations are resolved
    once per class (events.py writes them as strings: ``from __future__ import annotations``)."""
    checks = _CHECKS.get(cls)
    if checks is None:
        hints = typing.get_type_hints(cls)
        checks = _CHECKS[cls] = {f.name: _check_for(hints[f.name]) for f in fields(cls)}
    return checks
