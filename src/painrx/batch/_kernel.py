"""The batch fast pass compiled with numba: one loop over the rows instead of ~35 array passes.

Used by :mod:`painrx.batch._core` when numba is installed (``pip install
painrx[fast]``) for tables of 100,000 rows and more (``PAINRX_NUMBA`` forces the
choice), split over the usable cores. Its main loop accepts exactly
the rows the numpy fast pass accepts and computes them with the same float
operations; its second loop settles most of the rows left over with the float
operations of the careful pass's exact path (:func:`painrx.batch._exact._decide_exactly`)
for whole numbers. So every row gets the same bits as on the numpy path.

The main loop is branch-free: rows arrive in random order, so a branch on a row's
validity or threshold level would be mispredicted often and cost more than the
work it skips. Compiled code is cached on disk (numba's ``cache=True``): the first
load on a machine compiles for a few seconds, later processes load it; either way
in the background (:mod:`painrx.batch._loader`).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from typing import Any

import numba
import numpy as np

from painrx.batch._exact import _EXACT_FLOAT

__all__ = ["MASK_BITS", "fast_rows", "renumber"]

# Labels tracked in a 64-bit mask of used codes (more: the caller counts them).
MASK_BITS = 63
# Checks per number column, in the order of painrx.batch._careful._NUMBER_CHECKS.
_MISSING, _INFINITE, _NOT_POSITIVE, _CHECKS = 0, 2, 3, 4
# Rows per block: the rows left over in a block are settled while it is in the cache.
_BLOCK = 4096


@numba.njit(cache=True, nogil=True, inline="always")
def _number_problem(strength: float, quantity: float, days: float) -> int:
    """Return the first number error of a row (column × 4 + check), or -1."""
    for column, x in enumerate((strength, quantity, days)):
        if np.isnan(x):
            return column * _CHECKS + _MISSING
        if np.isinf(x):
            return column * _CHECKS + _INFINITE
        if x <= 0:
            return column * _CHECKS + _NOT_POSITIVE
    return -1


@numba.njit(cache=True, nogil=True, inline="always")
def _level(num: float, den: float, bounds: Any) -> int:
    """Return how many bounds ``num / den`` reaches (each row of ``bounds`` a numerator, denominator).

    Exact integers below 2**53 (den × bound too), so the comparison is exact.
    """
    level = 0
    for j in range(bounds.shape[0]):
        level += num * bounds[j, 1] >= den * bounds[j, 0]
    return level


@numba.njit(cache=True, nogil=True, inline="always")
def _bit(code: int) -> np.uint64:
    # As unsigned, -1 is the largest code: it lands on bit 63 with codes above 62.
    return np.uint64(1) << min(np.uint64(code), np.uint64(MASK_BITS))


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _fast_rows(  # numba compiles one flat positional signature
    key: Any,
    strength: Any,
    quantity: Any,
    days: Any,
    present: Any,
    strength_present: Any,
    quantity_present: Any,
    days_present: Any,
    numerator: Any,
    denominator: Any,
    factor_table: Any,
    alert_base: Any,
    slot_error: Any,
    exact_num: Any,
    exact_den: Any,
    rule_num: Any,
    rule_den: Any,
    bounds: Any,
    levels: int,
    number_errors: int,
    implausible: int,
    den_limit: float,
    exact_limit: float,
    max_mme: float,
    scale: float,
    mme: Any,
    factor: Any,
    alert: Any,
    error: Any,
    left: Any,
) -> tuple[Any, Any, Any, Any]:
    n = len(key)
    alerts_used = np.uint64(0)
    errors_used = np.uint64(0)
    left_numbers = np.empty((n, 3))
    # Row indices are unsigned: numba then indexes without a wraparound check.
    one = np.uint64(1)
    kept = np.uint64(0)
    for start in range(0, n, _BLOCK):
        # Rows left over start at ``kept``: the block's own loop below settles most
        # of them while its rows are still in the cache.
        n_left = kept
        stop = np.uint64(min(_BLOCK, n - start))
        base = np.uint64(start)
        r = np.uint64(0)
        while r < stop:
            i = base + r
            r += one
            k = key[i]
            s = strength[i] * scale
            q = quantity[i] * scale
            d = days[i]
            num = s * q * numerator[k]
            den = denominator[k] * d
            value = num / den
            mme[i] = value
            factor[i] = factor_table[k]
            # & rather than `and`: short-circuit branches mispredict on random rows.
            ok = (
                (present[i] != 0)
                & (s > 0)
                & (np.rint(s) == s)
                & (np.rint(q) == q)
                & (np.rint(d) == d)
                & (den > 0)
                & (den < den_limit)
                & (value > 0)
                & (value < max_mme)
            )
            label = alert_base[k] + _level(num, den, bounds)
            code = label if ok else -1
            alert[i] = code
            row_error = slot_error[k]
            error[i] = row_error
            alerts_used |= _bit(code)
            errors_used |= _bit(row_error)
            left[n_left] = np.int64(i)
            n_left += np.uint64((not ok) & (row_error < 0))

        # The few rows left, in a loop of their own (a rare branch in the loop
        # above would slow every row): number errors, and whole numbers computed
        # exactly as the careful pass does (patch rule, plausibility bound). The
        # rest stay left.
        j = kept
        while j < n_left:
            i = np.uint64(left[j])
            j += one
            s = strength[i] if strength_present[i] else np.nan
            q = quantity[i] if quantity_present[i] else np.nan
            d = days[i] if days_present[i] else np.nan
            problem = _number_problem(s, q, d)
            settled = False
            if problem >= 0:
                if number_errors >= 0:
                    settled = True
                    error[i] = number_errors + problem
                    errors_used |= _bit(number_errors + problem)
            else:
                k = key[i]
                p = exact_num[k]
                whole = (np.rint(s) == s) & (np.rint(q) == q) & (np.rint(d) == d)
                if whole and not np.isnan(p):
                    num = s * q * p
                    den = exact_den[k]
                    ua = rule_num[k]
                    normalised = False
                    fits = True
                    if np.isnan(ua):
                        den *= d
                    else:
                        # The patch rule: the supply is quantity × days per unit.
                        ub = rule_den[k]
                        num *= ub
                        den *= q * ua
                        normalised = q * ua != d * ub
                        fits = (q * ua < _EXACT_FLOAT) & (d * ub < _EXACT_FLOAT)
                    if fits and den > 0 and num < exact_limit and den < exact_limit:
                        settled = True
                        value = num / den
                        if value > max_mme:
                            error[i] = implausible
                            errors_used |= _bit(implausible)
                        else:
                            label = (
                                alert_base[k]
                                + (levels if normalised else 0)
                                + _level(num, den, bounds)
                            )
                            mme[i] = value
                            factor[i] = factor_table[k]
                            alert[i] = label
                            alerts_used |= _bit(label)
                            continue
            if settled:
                mme[i] = np.nan
                factor[i] = np.nan
                continue
            left[kept] = np.int64(i)
            left_numbers[kept, 0] = s
            left_numbers[kept, 1] = q
            left_numbers[kept, 2] = d
            kept += one
    return kept, left_numbers[:kept].T, alerts_used, errors_used


@numba.njit(cache=True, nogil=True)
def _renumber(codes: Any, table: Any) -> None:
    for i in range(len(codes)):
        codes[i] = table[codes[i]]


def fast_rows(
    rows: Sequence[Any], shared: Sequence[Any], outputs: Sequence[Any], *, threads: int = 1
) -> tuple[Any, Any, int, int]:
    """Run the compiled fast pass (see :func:`painrx.batch._core._compute_compiled`).

    ``rows`` are the per-row inputs, ``shared`` the tables and bounds, ``outputs``
    the per-row outputs (``mme, factor, alert, error, left``). With ``threads`` > 1
    the rows are cut into that many contiguous parts run side by side (the loop
    holds no lock); every row's result is the same either way.

    Returns the rows left to the careful pass (in order), their strength, quantity
    and days supply (NaN where null) as the rows of a 3 × n array, and masks of the
    alert and error codes used (bit 63 stands for -1 and for every code of 63 or
    more, which the caller checks itself).
    """
    n = len(rows[0])
    bounds = [n * part // threads for part in range(threads + 1)]
    parts = list(itertools.pairwise(bounds))
    results: list[Any] = [None] * len(parts)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        start, stop = parts[index]
        try:
            results[index] = _fast_rows(
                *(x[start:stop] for x in rows), *shared, *(y[start:stop] for y in outputs)
            )
        except BaseException as exc:  # noqa: BLE001 # re-raised in the calling thread below
            failures.append(exc)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(1, len(parts))]
    for worker in workers:
        worker.start()
    run(0)
    for worker in workers:
        worker.join()
    if failures:
        raise failures[0]
    left = outputs[-1]
    kept = [(start, int(result[0])) for (start, _), result in zip(parts, results, strict=True)]
    rows_left = (
        left[: kept[0][1]]
        if len(kept) == 1
        else np.concatenate([left[start : start + count] + start for start, count in kept])
    )
    numbers = np.concatenate([result[1] for result in results], axis=1)
    alerts_used = errors_used = 0
    for result in results:
        alerts_used |= int(result[2])
        errors_used |= int(result[3])
    return rows_left, numbers, alerts_used, errors_used


def renumber(codes: Any, table: Any) -> None:
    """Replace every code ``c`` by ``table[c]`` in place.

    ``codes`` are unsigned views of the label codes, so -1 reads the table's last
    entry and indexing needs no wraparound check.
    """
    _renumber(codes, table)
