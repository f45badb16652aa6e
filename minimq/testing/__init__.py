"""Property-testing idempotency designs against every fault minimq can inject.

    from minimq.testing import assert_exactly_once, explore
    result = explore("my_design.py", examples=200, seed=1)
    assert_exactly_once(result, design="my_design.py")

See ``design`` for the contract a design file follows, ``strategies`` for the fault
schedules, ``lab`` for how one schedule runs, ``asserts`` for ``assert_exactly_once``
and ``plugin`` for the pytest fixtures (docs/testing.md has the guide).

Exploration needs Hypothesis (``pip install 'minimq[test]'``); the names that use it are
imported on first use, so the rest of minimq runs with rich alone.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the real types for mypy; at run time ``__getattr__`` loads them
    from minimq.testing.asserts import assert_exactly_once
    from minimq.testing.design import DesignError, LoadedDesign, load_design
    from minimq.testing.explore import ExploreResult, explore, replay
    from minimq.testing.lab import Lab, run_schedule
    from minimq.testing.outcome import Outcome
    from minimq.testing.schedule import PATHS, Schedule, Step
    from minimq.testing.strategies import schedules

_WHERE = {
    "PATHS": "schedule",
    "Schedule": "schedule",
    "Step": "schedule",
    "DesignError": "design",
    "LoadedDesign": "design",
    "load_design": "design",
    "Lab": "lab",
    "Outcome": "outcome",
    "run_schedule": "lab",
    "ExploreResult": "explore",
    "explore": "explore",
    "replay": "explore",
    "schedules": "strategies",
    "assert_exactly_once": "asserts",
}

__all__ = [
    "PATHS",
    "DesignError",
    "ExploreResult",
    "Lab",
    "LoadedDesign",
    "Outcome",
    "Schedule",
    "Step",
    "assert_exactly_once",
    "explore",
    "load_design",
    "replay",
    "run_schedule",
    "schedules",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'minimq.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"minimq.testing.{module}"), name)
    globals()[name] = value  # cached; and it replaces the submodule of the same name
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """``explore`` is both a submodule and the function this package exports. Importing
    the submodule sets the package's attribute to the module, which would make
    ``from minimq.testing import explore`` return the module; the function wins instead."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _WHERE and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
