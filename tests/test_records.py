"""``minimq.records``: keyword-only frozen records whose generated ``__init__`` stores
every field directly, and behaves as the dataclass's own would."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from minimq.events import EVENT_TYPES, MessageStored
from minimq.model import MessageExt, MessageQueue
from minimq.records import record


@record
class Point:
    x: int
    label: str = "origin"


def test_fields_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        Point(1)  # type: ignore[call-arg]
    assert Point(x=1) == Point(x=1, label="origin")


def test_a_missing_or_unknown_field_is_refused() -> None:
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(x=1, y=2)  # type: ignore[call-arg]


def test_a_record_is_frozen_hashable_and_pickles() -> None:
    p = Point(x=3, label="p")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 4  # type: ignore[misc]
    assert hash(p) == hash(Point(x=3, label="p"))
    assert pickle.loads(pickle.dumps(p)) == p
    assert repr(p) == "Point(x=3, label='p')"
    assert dataclasses.replace(p, x=5) == Point(x=5, label="p")


def test_a_default_factory_or_post_init_is_refused() -> None:
    with pytest.raises(TypeError, match="default_factory"):

        @record
        class Bag:
            items: list[int] = dataclasses.field(default_factory=list)

    with pytest.raises(TypeError, match="__post_init__"):

        @record
        class Checked:
            x: int

            def __post_init__(self) -> None:
                pass


def test_every_event_and_a_stored_message_are_records() -> None:
    for cls in [*EVENT_TYPES.values(), MessageExt]:
        params = dataclasses.fields(cls)
        assert all(f.kw_only for f in params), cls.__name__
        assert cls.__dataclass_params__.frozen, cls.__name__  # type: ignore[attr-defined]
    stored = MessageStored(
        at_ms=5,
        topic="t",
        queue_id=1,
        queue_offset=2,
        msg_id="m",
        offset_msg_id="o",
        real_topic="t",
        keys=("k",),
        reconsume_times=0,
    )
    assert (stored.at_ms, stored.msg_id, stored.keys) == (5, "m", ("k",))
    ext = MessageExt(
        topic="t",
        queue=MessageQueue("t", 0),
        queue_offset=0,
        body=b"",
        tags=None,
        keys=(),
        properties=(),
        msg_id="m",
        offset_msg_id="o",
        born_ms=0,
        store_ms=0,
    )
    assert (ext.reconsume_times, ext.origin_msg_id) == (0, None)
