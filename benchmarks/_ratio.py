"""Ratio timing for benchmarks: compare painrx to a baseline measured in the same run.

Absolute times drift on shared hosts (1.4x within half an hour was seen), so every
performance target is a ratio against a baseline timed in the same process, and each
side is the *minimum* over repeats, the estimate least disturbed by other load.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable
from typing import Any


def best_time(fn: Callable[[], Any], *, repeat: int = 7, min_time: float = 0.02) -> float:
    """Return the best per-call time of ``fn`` in seconds over ``repeat`` timed batches."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, int(number * min_time / 0.2))
    return min(timer.repeat(repeat=repeat, number=number)) / number


def ratio(candidate: Callable[[], Any], baseline: Callable[[], Any], *, repeat: int = 7) -> float:
    """Return best_time(candidate) / best_time(baseline), warming both first."""
    candidate()
    baseline()
    return best_time(candidate, repeat=repeat) / best_time(baseline, repeat=repeat)
