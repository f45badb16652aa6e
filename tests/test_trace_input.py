"""Reading a trace back trusts nothing: every bad line is a ``TraceFormatError`` that names
the line, the field and the value (the command line's side is in test_cli.py)."""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path
from typing import Any

import pytest

from minimq.events import EVENT_TYPES, AppEvent, Rebalanced, WorldStarted
from minimq.model import MAX_VIRTUAL_MS
from minimq.trace import Trace, TraceFormatError, _check_for

WORLD = '{"type": "WorldStarted", "at_ms": 0, "seed": 1}\n'


STORED = {
    "topic": "t",
    "queue_id": 0,
    "queue_offset": 0,
    "msg_id": "m",
    "offset_msg_id": "o",
    "real_topic": "t",
    "keys": ["k"],
    "reconsume_times": 0,
}


def line(kind: str, **fields: Any) -> str:
    return json.dumps({"type": kind, **fields}) + "\n"


def world(**fields: Any) -> str:
    return line("WorldStarted", **{"at_ms": 0, "seed": 1, **fields})


def app(**fields: Any) -> str:
    return line("AppEvent", **{"at_ms": 0, "system": "shop", "action": "paid", "args": [], **fields})


def started(**fields: Any) -> str:
    values = {"at_ms": 0, "client": "c1", "client_id": "10.0.0.11@DEFAULT", "group": "g", "topics": ["t"]}
    values["model"] = "CLUSTERING"
    fixed = {"orderly": False, "restart": False, "max_reconsume_times": 16}
    return line("ConsumerStarted", **{**values, **fixed, **fields})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # the example of the issue, word for word
        (
            WORLD + "\n" + line("MessageStored", at_ms="abc", **STORED),
            "line 3: MessageStored.at_ms must be an integer, got 'abc' (str)",
        ),
        (world(at_ms="abc"), "line 1: WorldStarted.at_ms must be an integer, got 'abc' (str)"),
        # times: integers from 0 to the clock's limit; no bool, no float, no NaN
        (world(at_ms=True), "line 1: WorldStarted.at_ms must be an integer, got True (bool)"),
        (world(at_ms=1.5), "line 1: WorldStarted.at_ms must be an integer, got 1.5 (float)"),
        (world(at_ms=3.0), "line 1: WorldStarted.at_ms must be an integer, got 3.0 (float)"),
        (world(at_ms=None), "line 1: WorldStarted.at_ms must be an integer, got None (NoneType)"),
        (world(at_ms=-1), f"line 1: WorldStarted.at_ms must be a time from 0 to {MAX_VIRTUAL_MS} ms, got -1"),
        (world(at_ms=MAX_VIRTUAL_MS + 1), "WorldStarted.at_ms must be a time from 0 to"),
        (world(at_ms=10**40), "WorldStarted.at_ms must be a time from 0 to"),
        (WORLD.replace(": 0,", ": NaN,"), "line 1: NaN is not a number a trace can hold"),
        (WORLD.replace(": 0,", ": Infinity,"), "line 1: Infinity is not a number a trace can hold"),
        (WORLD.replace(": 0,", ": -Infinity,"), "line 1: -Infinity is not a number a trace can hold"),
        (WORLD.replace(": 0,", ": 1e999,"), "line 1: WorldStarted.at_ms must be an integer, got inf (float)"),
        (WORLD.replace('"seed": 1', '"seed": ' + "9" * 5000), "line 1: an integer literal has more than 4300 digits"),
        # every other field type events use: str, int, bool, tuple[str, ...], tuple[int, ...], pairs
        (world(seed="7"), "line 1: WorldStarted.seed must be an integer, got '7' (str)"),
        (world(seed=False), "line 1: WorldStarted.seed must be an integer, got False (bool)"),
        (line("TopicCreated", at_ms=0, topic=5, queue_nums=4), "TopicCreated.topic must be a string, got 5 (int)"),
        (started(orderly=0), "line 1: ConsumerStarted.orderly must be true or false, got 0 (int)"),
        (started(restart="true"), "ConsumerStarted.restart must be true or false, got 'true' (str)"),
        (started(topics="t"), "line 1: ConsumerStarted.topics must be a list, got 't' (str)"),
        (started(topics=["t", 1]), "line 1: ConsumerStarted.topics[1] must be a string, got 1 (int)"),
        (started(topics={"t": 1}), "ConsumerStarted.topics must be a list, got {'t': 1} (dict)"),
        (
            line("Rebalanced", at_ms=0, client="c", group="g", topic="t", before=[], after=[0, True]),
            "line 1: Rebalanced.after[1] must be an integer, got True (bool)",
        ),
        (app(args=[["k", "v"], ["k2"]]), "line 1: AppEvent.args[1] must be a list of 2 items, got ['k2'] (list)"),
        (app(args=[["k", "v", "w"]]), "AppEvent.args[0] must be a list of 2 items, got ['k', 'v', 'w'] (list)"),
        (app(args=[["k", 5]]), "line 1: AppEvent.args[0][1] must be a string, got 5 (int)"),
        (app(args=[{"k": "v"}]), "AppEvent.args[0] must be a list of 2 items, got {'k': 'v'} (dict)"),
        (app(args={"k": "v"}), "line 1: AppEvent.args must be a list, got {'k': 'v'} (dict)"),
        (app(system="x" * 200), None),  # long strings are fine ...
        (world(seed="x" * 200), "got 'xxxxxxxx"),  # ... and an error shows only the start of one
        # the object itself
        (world(colour="red"), "line 1: WorldStarted has no field(s) 'colour'"),
        ('{"at_ms": 0, "seed": 1}\n', 'line 1: the object has no "type" key naming its event'),
        ('{"type": 5, "at_ms": 0}\n', "line 1: unknown event type 5"),
        ('{"type": null, "at_ms": 0}\n', "line 1: unknown event type None"),
        ('{"type": ["WorldStarted"], "at_ms": 0}\n', "line 1: unknown event type ['WorldStarted']"),
        ("5\n", "line 1: expected a JSON object, got int"),
        ("null\n", "line 1: expected a JSON object, got NoneType"),
        # not JSON at all
        ("[" * 100_000 + "\n", "line 1: JSON nested too deeply to read"),
        (WORLD.replace('"seed": 1', '"seed": ' + "[" * 100_000 + "]" * 100_000), "line 1: JSON nested too deeply"),
        (WORLD + "\x00\x01\x02\n", "line 2: holds a NUL character"),
        (WORLD.replace("World", "Wor\x00ld"), "line 1: holds a NUL character"),
        (WORLD + WORLD + "{oops\n", "line 3: not JSON (Expecting property name enclosed in double quotes, column 2)"),
        (WORLD.replace("\n", " 7\n"), "line 1: not JSON (Extra data, column 49)"),
    ],
)
def test_a_bad_line_is_named_with_its_field_and_value(text: str, message: str | None) -> None:
    if message is None:
        assert len(Trace.from_jsonl(text)) == 1
        return
    with pytest.raises(TraceFormatError) as info:
        Trace.from_jsonl(text)
    assert message in str(info.value)
    assert str(info.value).startswith("line ")
    assert len(str(info.value)) < 300  # names the value, does not paste it


def _placeholder(hint: Any) -> Any:
    """A JSON value of type ``hint`` (0, "", false, [] or a list of placeholders)."""
    args = typing.get_args(hint)
    if hint is int:
        return 0
    if hint is str:
        return ""
    if hint is bool:
        return False
    if args and args[-1] is Ellipsis:
        return []
    return [_placeholder(a) for a in args]


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_every_field_of_every_event_is_checked(kind: str) -> None:
    cls = EVENT_TYPES[kind]
    hints = typing.get_type_hints(cls)
    good = {"type": kind, **{f.name: _placeholder(hints[f.name]) for f in dataclasses.fields(cls)}}
    assert type(Trace.from_jsonl(json.dumps(good)).events[0]) is cls
    for f in dataclasses.fields(cls):
        bad = json.dumps({**good, f.name: {"no": "such"}})
        with pytest.raises(
            TraceFormatError, match=rf"^line 1: {kind}\.{f.name} must be .*, got {{'no': 'such'}} \(dict\)$"
        ):
            Trace.from_jsonl(bad)


def test_optional_and_fixed_length_fields_are_checked_too() -> None:
    # no event has an optional field today; the checker is ready for one
    maybe = _check_for(int | None)
    assert maybe(None, "x") is None
    assert maybe(3, "x") == 3
    with pytest.raises(Exception, match=r"^x must be an integer or null, got 'a' \(str\)$"):
        maybe("a", "x")
    pair = _check_for(tuple[str, int | None])
    assert pair(["a", None], "p") == ("a", None)
    with pytest.raises(Exception, match=r"^p\[1\] must be an integer or null, got True \(bool\)$"):
        pair(["a", True], "p")
    with pytest.raises(TypeError, match="cannot check a field of type"):
        _check_for(float)


def test_lists_come_back_as_tuples_all_the_way_down() -> None:
    (event,) = Trace.from_jsonl(app(args=[["order", "1001"]])).events
    assert isinstance(event, AppEvent)
    assert event.args == (("order", "1001"),)
    assert all(type(pair) is tuple for pair in event.args)
    (rebalanced,) = Trace.from_jsonl(
        line("Rebalanced", at_ms=MAX_VIRTUAL_MS, client="c", group="g", topic="t", before=[], after=[1, 2])
    ).events
    assert rebalanced == Rebalanced(at_ms=MAX_VIRTUAL_MS, client="c", group="g", topic="t", before=(), after=(1, 2))


@pytest.mark.parametrize("text", ["", "\n", "  \n\n\t\n"])
def test_an_empty_text_is_an_empty_trace(text: str) -> None:
    assert Trace.from_jsonl(text).events == []
    assert Trace.from_jsonl(Trace().to_jsonl()).events == []


def test_from_jsonl_takes_text() -> None:
    with pytest.raises(ValueError, match=r"takes the text of a trace \(Trace.read takes a path\): got b'"):
        Trace.from_jsonl(WORLD.encode())  # type: ignore[arg-type]


def test_a_file_that_is_not_utf8_is_named_with_its_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(WORLD.encode() + b'{"type": "\xff\xfe"}\n')
    with pytest.raises(TraceFormatError) as info:
        Trace.read(path)
    assert str(info.value) == f"{path}: line 2: not UTF-8 text (byte 0xff at offset 58): is this a trace?"
    assert (info.value.source, info.value.line) == (str(path), 2)


def test_read_names_the_file_of_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(WORLD + world(at_ms=-5), encoding="utf-8")
    with pytest.raises(TraceFormatError, match=rf"^{path}: line 2: WorldStarted.at_ms must be a time from 0"):
        Trace.read(path)


def test_a_path_that_is_not_a_readable_file_raises_the_usual_os_error(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        Trace.read(tmp_path)
    with pytest.raises(FileNotFoundError):
        Trace.read(tmp_path / "nope.jsonl")


def test_a_good_trace_still_reads_back_exactly() -> None:
    trace = Trace(
        [
            WorldStarted(at_ms=0, seed=2**70),
            AppEvent(at_ms=MAX_VIRTUAL_MS, system="s", action="a", args=(("k", "v\x00"),)),
        ]
    )
    assert Trace.from_jsonl(trace.to_jsonl()).events == trace.events
