"""Frozen records that are cheap to build: the shape of every event and stored message.

Owns: ``record``, the class decorator for minimq's value types. A record is a frozen,
slotted dataclass whose fields are passed by keyword only, so two string ids can never be
swapped by position. Building one is on the hot path (a message creates about a dozen
events), and a frozen dataclass's own ``__init__`` sets each field through
``object.__setattr__``, which looks the attribute up again every time. A record's
``__init__`` is generated instead to store each field through its slot directly: the
same values, the same equality, hash and repr, about a tenth fewer instructions per
message (docs/performance.md).
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")

_MISSING = dataclasses.MISSING


@dataclass_transform(kw_only_default=True, frozen_default=True)
def record(cls: type[T]) -> type[T]:
    """Make ``cls`` a frozen, slotted, keyword-only dataclass with a direct ``__init__``."""
    cls = dataclasses.dataclass(frozen=True, slots=True, kw_only=True)(cls)
    cls.__init__ = _direct_init(cls)  # type: ignore[method-assign]
    return cls


def _direct_init(cls: type) -> Any:
    """An ``__init__`` that stores every field through its slot's descriptor.

    A field with a default keeps it (a ``default_factory`` is not supported: records hold
    immutable values). ``__post_init__`` is not supported either: nothing is validated
    on the hot path; inputs are checked where they enter (``minimq.trace``)."""
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: a record has no __post_init__")
    params: list[str] = []
    body: list[str] = []
    scope: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.default_factory is not _MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: a record field has no default_factory")
        if f.default is _MISSING:
            params.append(f.name)
        else:
            scope[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        scope[f"_set_{f.name}"] = _slot(cls, f.name).__set__
        body.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, *, {', '.join(params)}):\n" + "\n".join(body or ["    pass"]) + "\n"
    exec(source, scope)  # the source is built from field names only
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = f"Build a {cls.__name__} (keyword arguments only)."
    return init


def _slot(cls: type, name: str) -> Any:
    """The slot descriptor of ``name``, from ``cls`` or the base that declares it."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    raise TypeError(f"{cls.__name__}.{name}: no slot")
