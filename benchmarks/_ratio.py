"""Ratio timing for benchmarks: compare painrx to a baseline measured in the same run.

Absolute times drift on shared hosts (1.4x within half an hour was seen), so every
performance target is a ratio against a baseline timed in the same process. The two
sides are timed in alternating batches, so both see the same background load, and each
side's *minimum* over the batches is used: the estimate least disturbed by other work.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable
from typing import Any


def _calls_per_batch(fn: Callable[[], Any], min_time: float) -> int:
    number, elapsed = timeit.Timer(fn).autorange()
    return max(1, int(number * min_time / max(elapsed, 1e-9)))


def best_time(fn: Callable[[], Any], *, repeat: int = 7, min_time: float = 0.02) -> float:
    """Return the best per-call time of ``fn`` in seconds over ``repeat`` timed batches."""
    number = _calls_per_batch(fn, min_time)
    return min(timeit.Timer(fn).repeat(repeat=repeat, number=number)) / number


def ratio(
    candidate: Callable[[], Any],
    baseline: Callable[[], Any],
    *,
    repeat: int = 9,
    min_time: float = 0.02,
) -> float:
    """Return the best time of ``candidate`` over the best time of ``baseline``.

    Both are warmed first, then timed in ``repeat`` alternating batches of about
    ``min_time`` seconds each.
    """
    candidate()
    baseline()
    n_candidate = _calls_per_batch(candidate, min_time)
    n_baseline = _calls_per_batch(baseline, min_time)
    t_candidate, t_baseline = timeit.Timer(candidate), timeit.Timer(baseline)
    best_candidate = best_baseline = float("inf")
    for _ in range(repeat):
        best_candidate = min(best_candidate, t_candidate.timeit(n_candidate) / n_candidate)
        best_baseline = min(best_baseline, t_baseline.timeit(n_baseline) / n_baseline)
    return best_candidate / best_baseline
