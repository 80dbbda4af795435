"""The batch fast pass compiled with numba: four loops per chunk instead of ~35 array passes.

Used by :mod:`painrx.batch._core` when numba is installed (``pip install
painrx[fast]``) for tables of 100,000 rows and more (``PAINRX_NUMBA`` forces the
choice), split over the usable cores. Chunk by chunk (the chunk's columns stay in
the CPU cache):

1. each row's slot entries are looked up in the small slot tables;
2. the main loop computes every row with the float operations of the numpy fast
   pass and accepts exactly the rows it accepts; it has no table look-up and no
   branch (rows arrive in random order, so a branch on a row's validity or
   threshold level would be mispredicted often), so it runs on SIMD registers;
3. the rows not accepted are listed, branch-free, and their keys' errors set;
4. most of those are settled in a loop of their own: number errors, and numbers
   in eighths decided on exact integers like the careful pass's exact path
   (:func:`painrx.batch._exact._decide_exactly`), so the value is the correctly
   rounded value of the same rational and every decision the same.

So every row gets the same bits as on the numpy path. Compiled code is cached on
disk (numba's ``cache=True``): the first load on a machine compiles for a few
seconds, later processes load it; either way in the background
(:mod:`painrx.batch._loader`).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import numba
import numpy as np

from painrx.batch._exact import _EXACT_FLOAT

__all__ = ["MASK_BITS", "fast_rows", "renumber", "start_workers"]

# Labels tracked in a 64-bit mask of used codes (more: the caller counts them).
MASK_BITS = 63
# Checks per number column, in the order of painrx.batch._careful._NUMBER_CHECKS.
_MISSING, _INFINITE, _NOT_POSITIVE, _CHECKS = 0, 2, 3, 4
# Rows per chunk: a chunk's columns (about 60 bytes a row) stay in the CPU's L2 cache
# while its rows left over are settled.
_CHUNK = 1 << 16


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
def _slot(code: int) -> np.uint64:
    # As unsigned, -1 is the largest code: it lands on slot 63 with codes above 62.
    return min(np.uint64(code), np.uint64(MASK_BITS))


@numba.njit(cache=True, nogil=True, inline="always")
def _appended(rows: Any, count: int, row: int) -> Any:
    """Return ``rows`` with ``row`` at ``count`` (a new array of twice the size when full)."""
    if count == len(rows):
        grown = np.empty(2 * count, dtype=rows.dtype)
        grown[:count] = rows
        rows = grown
    rows[count] = row
    return rows


@numba.njit(cache=True, nogil=True, inline="always")
def _mask(seen: Any) -> np.uint64:
    """Return the mask of the codes marked in ``seen`` (bit ``c`` for code ``c``)."""
    mask = np.uint64(0)
    for code in range(MASK_BITS + 1):
        mask |= np.uint64(seen[code]) << np.uint64(code)
    return mask


@numba.njit(cache=True, nogil=True)
def _slot_entries(key: Any, tables: Any, out: Any) -> None:
    """Write each row's slot entries: factor numerator and denominator, factor, alert base.

    Plain loads from small tables (SIMD gathers would cost more).
    """
    numerator, denominator, factor_table, alert_base = tables
    numerators, denominators, factor, alert = out
    for i in range(len(key)):
        k = key[i]
        numerators[i] = numerator[k]
        denominators[i] = denominator[k]
        factor[i] = factor_table[k]
        alert[i] = alert_base[k]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _formula(numbers: Any, key: Any, tables: Any, bounds: Any, limits: Any, out: Any) -> np.uint64:
    """Compute every row's value, whether it is exact, and its alert code (-1: left over).

    Returns the mask of the alert codes used (see :func:`_slot`).

    On entry ``mme`` holds each row's factor numerator, ``den_of`` its denominator
    and ``alert`` its alert base (see :func:`_slot_entries`). The main loop has no
    table look-up and no branch, so it runs on SIMD registers; it compares the
    first two bounds (padding ``(1, 0)`` is never reached).
    """
    strength, quantity, days, strength_present, quantity_present, days_present = numbers
    den_limit, max_mme, scale = limits
    mme, den_of, alert = out
    b0n, b0d = bounds[0, 0], bounds[0, 1]
    b1n, b1d = bounds[1, 0], bounds[1, 1]
    used = np.uint64(0)
    for i in range(len(mme)):
        s = strength[i] * scale
        q = quantity[i] * scale
        d = days[i]
        num = s * q * mme[i]
        den = den_of[i] * d
        value = num / den
        mme[i] = value
        # Whole numbers: each term is the exact distance to the nearest integer
        # (NaN for NaN and infinity), so the sum is 0 only when all three are whole.
        fraction = np.abs(np.rint(s) - s) + np.abs(np.rint(q) - q) + np.abs(np.rint(d) - d)
        ok = (
            ((strength_present[i] & quantity_present[i] & days_present[i]) != 0)
            & (fraction == 0)
            & (s > 0)
            & (den > 0)
            & (den < den_limit)
            & (value > 0)
            & (value < max_mme)
        )
        level = (num * b0d >= den * b0n) + (num * b1d >= den * b1n)
        code = alert[i] + level if ok else -1
        alert[i] = code
        used |= np.uint64(1) << np.uint64(_slot(code))
    if bounds.shape[0] <= 2:
        return used
    # More than two thresholds (no policy has them yet): the same comparisons on
    # the same floats, a pass per further bound; then the codes used.
    numerator, denominator = tables
    for j in range(2, bounds.shape[0]):
        bn, bd = bounds[j, 0], bounds[j, 1]
        for i in range(len(mme)):
            num = strength[i] * scale * (quantity[i] * scale) * numerator[key[i]]
            den = denominator[key[i]] * days[i]
            alert[i] += (alert[i] >= 0) & (num * bd >= den * bn)
    used = np.uint64(0)
    for i in range(len(mme)):
        used |= np.uint64(1) << np.uint64(_slot(alert[i]))
    return used


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _fast_rows(  # numba compiles one flat positional signature
    key: Any,
    strength: Any,
    quantity: Any,
    days: Any,
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
) -> tuple[Any, Any, np.uint64, np.uint64]:
    n = len(key)
    # Scratch for one chunk: its denominators between its first two loops, its
    # rows not computed (arrays of a number per row would cost more in page faults
    # than the loops).
    den_of = np.empty(min(n, _CHUNK))
    left = np.empty(min(n, _CHUNK), dtype=np.int64)
    # The rows left to the careful pass, in order, and the rows given an error here
    # (few: grown when needed).
    rows_left = np.empty(1024, dtype=np.int64)
    error_rows = np.empty(1024, dtype=np.int64)
    n_errors = 0
    alerts_used = np.uint64(0)
    errors_seen = np.zeros(MASK_BITS + 1, dtype=np.uint8)
    kept = 0
    # Chunk by chunk, so that the rows left over are settled while the chunk's
    # columns are in the cache.
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)

        rows = slice(start, stop)
        _slot_entries(
            key[rows],
            (numerator, denominator, factor_table, alert_base),
            (mme[rows], den_of[: stop - start], factor[rows], alert[rows]),
        )
        alerts_used |= _formula(
            (
                strength[rows],
                quantity[rows],
                days[rows],
                strength_present[rows],
                quantity_present[rows],
                days_present[rows],
            ),
            key[rows],
            (numerator, denominator),
            bounds,
            (den_limit, max_mme, scale),
            (mme[rows], den_of[: stop - start], alert[rows]),
        )

        # 3. The rows not computed, in order (branch-free: they are few and
        # anywhere), then their key's error if any; the others are left over.
        error[rows] = -1
        n_left = 0
        for i in range(start, stop):
            left[n_left] = i
            n_left += alert[i] < 0
        bad, n_left = n_left, 0
        for j in range(bad):
            i = left[j]
            row_error = slot_error[key[i]]
            error[i] = row_error
            errors_seen[_slot(row_error)] = 1
            left[n_left] = i
            n_left += row_error < 0
            if row_error >= 0:
                error_rows = _appended(error_rows, n_errors, i)
                n_errors += 1

        # 4. Most of them in a loop of their own (a rare branch in the loops above
        # would slow every row): number errors, and numbers in eighths computed
        # exactly as the careful pass does (patch rule, plausibility bound). The
        # rest stay left.
        for j in range(n_left):
            i = left[j]
            s = strength[i] if strength_present[i] else np.nan
            q = quantity[i] if quantity_present[i] else np.nan
            d = days[i] if days_present[i] else np.nan
            problem = _number_problem(s, q, d)
            settled = False
            if problem >= 0:
                if number_errors >= 0:
                    settled = True
                    error[i] = number_errors + problem
                    errors_seen[_slot(number_errors + problem)] = 1
            else:
                k = key[i]
                p = exact_num[k]
                # Strength and quantity as eighths, as in the main loop (7.5 mg is
                # 60/8): every product below is then an exact integer.
                s8 = s * scale
                q8 = q * scale
                whole = (np.rint(s8) == s8) & (np.rint(q8) == q8) & (np.rint(d) == d)
                if whole and not np.isnan(p):
                    num = s8 * q8 * p
                    den = exact_den[k] * scale
                    ua = rule_num[k]
                    normalised = False
                    fits = True
                    if np.isnan(ua):
                        den *= scale * d
                    else:
                        # The patch rule: the supply is quantity × days per unit,
                        # (q8 / 8) × ua / ub days.
                        ub = rule_den[k]
                        num *= ub
                        den *= q8 * ua
                        normalised = q8 * ua != scale * d * ub
                        fits = (q8 * ua < _EXACT_FLOAT) & (scale * d * ub < _EXACT_FLOAT)
                    if fits and den > 0 and num < exact_limit and den < exact_limit:
                        settled = True
                        value = num / den
                        if value > max_mme:
                            error[i] = implausible
                            errors_seen[_slot(implausible)] = 1
                        else:
                            label = (
                                alert_base[k]
                                + (levels if normalised else 0)
                                + _level(num, den, bounds)
                            )
                            mme[i] = value
                            factor[i] = factor_table[k]
                            alert[i] = label
                            alerts_used |= np.uint64(1) << np.uint64(_slot(label))
                            continue
            if settled:
                mme[i] = np.nan
                factor[i] = np.nan
                error_rows = _appended(error_rows, n_errors, i)
                n_errors += 1
                continue
            rows_left = _appended(rows_left, kept, i)
            kept += 1
    return rows_left[:kept], error_rows[:n_errors], alerts_used, _mask(errors_seen)


@numba.njit(cache=True, nogil=True)
def _renumber(codes: Any, table: Any) -> None:
    for i in range(len(codes)):
        codes[i] = table[codes[i]]


# Worker threads kept between calls: starting a thread costs about four times as much
# as handing work to a waiting one. (workers, pool), replaced by a larger pool when
# a call asks for more.
_POOL: list[tuple[int, ThreadPoolExecutor]] = []
_POOL_LOCK = [threading.Lock()]


def _forget_pool() -> None:
    # A forked child has none of the parent's threads: it starts a pool of its own.
    _POOL.clear()
    _POOL_LOCK[0] = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _pool(workers: int) -> ThreadPoolExecutor:
    """Return a pool of at least ``workers`` threads."""
    with _POOL_LOCK[0]:
        if not _POOL or _POOL[0][0] < workers:
            if _POOL:
                _POOL[0][1].shutdown(wait=False)
            pool = ThreadPoolExecutor(workers, thread_name_prefix="painrx-batch")
            _POOL[:] = [(workers, pool)]
        return _POOL[0][1]


def start_workers(count: int) -> None:
    """Start ``count`` worker threads now (a pool starts them on first use otherwise)."""
    if count < 1:
        return
    # Each task holds its thread until all have started, so the pool starts ``count``
    # (a few seconds at most: the threads are only a head start).
    started = threading.Barrier(count + 1, timeout=5)

    def hold() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            started.wait()

    waiting = [_pool(count).submit(hold) for _ in range(count)]
    hold()
    wait(waiting)


def _in_parts(work: Callable[[int, int], Any], n: int, threads: int) -> list[tuple[int, Any]]:
    """Run ``work(start, stop)`` over ``threads`` contiguous parts of ``n`` rows side by side.

    The compiled loops hold no lock. Returns each part's start and result, in
    order; a failure in any part is raised in the calling thread once every part
    has stopped.
    """
    bounds = [n * part // threads for part in range(threads + 1)]
    parts = list(itertools.pairwise(bounds))
    others = (
        [_pool(len(parts) - 1).submit(work, *part) for part in parts[1:]] if threads > 1 else []
    )
    try:
        first = work(*parts[0])
    finally:
        wait(others)
    results = [first, *(future.result() for future in others)]
    return [(start, result) for (start, _), result in zip(parts, results, strict=True)]


def fast_rows(
    rows: Sequence[Any], shared: Sequence[Any], outputs: Sequence[Any], *, threads: int = 1
) -> tuple[Any, Any, int, int]:
    """Run the compiled fast pass (see :func:`painrx.batch._core._compute_compiled`).

    ``rows`` are the per-row inputs, ``shared`` the tables and bounds, ``outputs``
    the per-row outputs (``mme, factor, alert, error``). With ``threads`` > 1
    the rows are cut into that many contiguous parts run side by side; every row's
    result is the same either way.

    Returns the rows left to the careful pass (in order), the rows given an error
    code (in no particular order), and masks of the alert and error codes used (bit 63 stands for -1 and for every code of 63 or
    more, which the caller checks itself).
    """

    def part(start: int, stop: int) -> Any:
        return _fast_rows(
            *(x[start:stop] for x in rows), *shared, *(y[start:stop] for y in outputs)
        )

    results = _in_parts(part, len(rows[0]), threads)
    rows_left, error_rows = (
        (results[0][1][0], results[0][1][1])
        if len(results) == 1
        else (
            np.concatenate([result[0] + start for start, result in results]),
            np.concatenate([result[1] + start for start, result in results]),
        )
    )
    alerts_used = errors_used = 0
    for _, result in results:
        alerts_used |= int(result[2])
        errors_used |= int(result[3])
    return rows_left, error_rows, alerts_used, errors_used


def renumber(columns: Sequence[tuple[Any, Any]], *, threads: int = 1) -> None:
    """Replace every code ``c`` of each column by its table's ``table[c]``, in place.

    ``columns`` are pairs of unsigned views of label codes (so -1 reads the table's
    last entry and indexing needs no wraparound check) and their tables, all
    columns of one length, cut into ``threads`` parts run side by side.
    """
    if not columns:
        return

    def part(start: int, stop: int) -> None:
        for codes, table in columns:
            _renumber(codes[start:stop], table)

    _in_parts(part, len(columns[0][0]), threads)
