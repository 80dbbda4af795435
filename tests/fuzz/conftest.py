"""The fuzz suite times refusals: nothing may load in the background meanwhile."""

from __future__ import annotations

import pytest

from painrx.batch import _core, _encode


@pytest.fixture(scope="session", autouse=True)
def _compiled_kernels_loaded() -> None:
    # A batch entry point starts loading numba's kernels in a daemon thread; importing
    # numba holds the interpreter for tens of milliseconds at a time, which a timed
    # refusal of another function would be charged for (a 77 ms `convert_opioid` seen
    # under `make fuzz`). Load them first, once, and wait.
    _core.LOADER.get(wait=True)
    _encode._LOADER.get(wait=True)
