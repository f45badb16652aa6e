"""Shared test setup: Hypothesis profiles and small world fixtures.

Profiles: ``ci`` (the default, small and fast, used by .ci/run) and ``thorough``
(for local runs and benchmarks): ``HYPOTHESIS_PROFILE=thorough pytest``. tests/README.md
says which test goes where and how to run each kind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from minimq import World

settings.register_profile(
    "ci", max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def w() -> Iterator[World]:
    """A fresh world (seed 7) with topic ``order-paid`` (4 queues); closed afterwards."""
    world = World(seed=7)
    world.broker.create_topic("order-paid")
    yield world
    world.close()
