"""Property-testing idempotency designs against every fault minimq can inject.

    from minimq.testing import explore
    result = explore("my_design.py", examples=200, seed=1)
    assert result.ok, result.counterexample

See ``design`` for the contract a design file follows, ``strategies`` for the fault
schedules, ``lab`` for how one schedule runs, and ``plugin`` for the pytest fixtures.

Exploration needs Hypothesis (``pip install 'minimq[test]'``); the names that use it are
imported on first use, so the rest of minimq runs with rich alone.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "PATHS": "schedule",
    "Schedule": "schedule",
    "Step": "schedule",
    "DesignError": "design",
    "LoadedDesign": "design",
    "load_design": "design",
    "Lab": "lab",
    "Outcome": "lab",
    "run_schedule": "lab",
    "ExploreResult": "explore",
    "explore": "explore",
    "replay": "explore",
    "schedules": "strategies",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'minimq.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(f"minimq.testing.{module}"), name)
