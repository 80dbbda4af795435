"""Shared test set-up: hypothesis profiles and the unit registry built once per run."""

from __future__ import annotations

import os

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
