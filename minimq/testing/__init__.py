"""Property-testing idempotency designs against every fault minimq can inject.

    from minimq.testing import explore
    result = explore("my_design.py", examples=200, seed=1)
    assert result.ok, result.counterexample

See ``design`` for the contract a design file follows, ``strategies`` for the fault
schedules, ``lab`` for how one schedule runs, and ``plugin`` for the pytest fixtures.
"""

from minimq.testing.design import DesignError, LoadedDesign, load_design
from minimq.testing.explore import ExploreResult, explore, replay
from minimq.testing.lab import Lab, Outcome, run_schedule
from minimq.testing.schedule import PATHS, Schedule, Step
from minimq.testing.strategies import schedules

__all__ = [
    "PATHS",
    "DesignError",
    "ExploreResult",
    "Lab",
    "LoadedDesign",
    "Outcome",
    "Schedule",
    "Step",
    "explore",
    "load_design",
    "replay",
    "run_schedule",
    "schedules",
]
