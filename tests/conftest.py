"""Shared test set-up: hypothesis profiles and the unit registry built once per run."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

import painrx.units

settings.register_profile(
    "dev",
    max_examples=60,
    deadline=None,
    suppress_health_check=(HealthCheck.too_slow,),
)
# With CI=true hypothesis loads its own "ci" profile (derandomised, no deadline).
if not os.environ.get("CI"):
    settings.load_profile("dev")

painrx.units.registry()


@pytest.fixture(scope="module", params=["numba", "numpy"])
def fast_pass(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a batch test with the compiled fast pass, then with the numpy one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAINRX_NUMBA", "1" if request.param == "numba" else "0")
        yield str(request.param)
