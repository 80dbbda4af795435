"""Exact arithmetic rules of the batch path: which float rows are exact, and exact decisions.

painrx reads a number typed by a person as the short decimal or simple fraction it
stands for (:func:`_rational`). The batch path keeps the scalar path's answers by
computing with integers held exactly in float64 (below 2**53): the fast pass reads
strength and quantity as eighths, and :func:`_decide_exactly` settles decimals with
up to six places and the patch rule on exact integers. Both the numpy passes and the
compiled kernel (:mod:`painrx.batch._kernel`) take these bounds from here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from painrx.vocabulary import MAX_DAILY_MME

Floats = npt.NDArray[np.float64]
Codes = npt.NDArray[np.signedinteger[Any]]
Mask = npt.NDArray[np.bool_]

# Decimals with up to this many places are exact ratios (longer ones: the scalar path).
_DECIMALS: Final = 6
# Integers below this are exact in float64, and so are their sums and products below it.
_EXACT_FLOAT: Final = float(2**53)
# The fast pass reads strength and quantity as eighths (7.5 mg is 60/8, 2.5 mL 20/8).
_SCALE: Final = 8.0
# Its products stay below this: strength and quantity then stay below 2**43, where a
# multiple of 1/8 prints as its exact decimal, so painrx reads it as its binary value.
_FAST_LIMIT: Final = float(2**46)


@attrs.frozen
class _Decided:
    ok: Mask
    value: Floats
    level: npt.NDArray[np.int8]
    above: Mask
    normalised: Mask


@lru_cache(maxsize=4096)
def _rational(value: float) -> tuple[int, int]:
    """Return the rational painrx reads a float as: a short decimal or a simple fraction.

    The rule of :mod:`painrx.opioids` for numbers typed by people: ``0.1`` is 1/10,
    ``7.2`` is 36/5 and ``3.3333333333333335`` is 10/3. ``(0, 0)``: not finite.
    """
    if not math.isfinite(value):
        return 0, 0
    decimal = Fraction(repr(value))
    simple = decimal.limit_denominator(10_000)
    exact = simple if float(simple) == value else decimal
    return exact.numerator, exact.denominator


@attrs.frozen
class _Decimal:
    """A column as exact decimals: ``x == mantissa / 10**k`` (k ≤ 6, shortest).

    Attributes:
        mantissa: Integer-valued floats (meaningful where ``ok``).
        ok: Whether ``x`` is such a decimal.
        rows: Rows with k > 0 (few: most counts and strengths are integers).
        scale: ``10**k`` of those rows.
    """

    mantissa: Floats
    ok: Mask
    rows: Codes
    scale: Floats

    def scale_of(self, n: int) -> Floats | None:
        """Return the full scale column, or None when it is 1 everywhere."""
        if not len(self.rows):
            return None
        full = np.ones(n)
        full[self.rows] = self.scale
        return full


def _decimals(x: Floats, scratch: Floats) -> _Decimal:
    """Return ``x`` as exact decimals (``scratch``: a float buffer of ``x``'s length).

    ``x == m / 10**k`` for the shortest ``k`` ≤ 6.

    ``m / 10**k`` rounds to ``x`` and is its shortest decimal, so it is the rational
    ``x`` stands for (and :func:`_rational` of ``x``). When every finite value is an
    integer, ``x`` itself is the mantissa (no copy).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        rounded = np.rint(x, out=scratch)
        found = rounded == x
        pending = np.flatnonzero(~found)
        # NaN is no decimal: only finite non-integers are worth the scaled tries.
        pending = pending[np.isfinite(x[pending])]
        if not len(pending):
            return _Decimal(x, found, np.empty(0, dtype=np.intp), np.empty(0))
        mantissa = rounded.copy()
        scaled: list[Codes] = []
        scales: list[Floats] = []
        for k in range(1, _DECIMALS + 1):
            power = 10.0**k
            candidate = np.rint(x[pending] * power)
            hit = candidate / power == x[pending]
            rows = pending[hit]
            mantissa[rows] = candidate[hit]
            found[rows] = True
            scaled.append(rows)
            scales.append(np.full(len(rows), power))
            pending = pending[~hit]
            if not len(pending):
                break
    return _Decimal(mantissa, found, np.concatenate(scaled), np.concatenate(scales))


def _product(*factors: Floats | None) -> Floats:
    """Multiply arrays, skipping None (a scale of exactly 1 everywhere)."""
    present = [f for f in factors if f is not None]
    result = present[0] * present[1] if len(present) > 1 else present[0].copy()
    for f in present[2:]:
        # In place: a fresh million-row array costs more in page faults than the multiply.
        result *= f
    return result


def _rationals(values: Floats) -> tuple[Floats, Floats]:
    """Return numerators and denominators of :func:`_rational` as floats (0/0: not finite)."""
    pairs = [_rational(v) for v in values.tolist()]
    return (
        np.array([float(p) for p, _ in pairs]),
        np.array([float(q) for _, q in pairs]),
    )


def _exact_bounds(thresholds: Sequence[float]) -> tuple[list[tuple[int, int]], float]:
    """Return the thresholds and the plausibility bound as rationals, and the exact path's limit.

    Numerators and denominators below the limit keep every product with a bound
    below 2**53, so the comparisons are exact.
    """
    bounds = [_rational(b) for b in (*thresholds, MAX_DAILY_MME)]
    return bounds, _EXACT_FLOAT / max(max(a, b) for a, b in bounds)


def _decide_exactly(
    strength: Floats,
    quantity: Floats,
    days: Floats,
    slot: Codes,
    factors: tuple[Floats, Floats],
    days_per_unit: tuple[Floats, Floats] | None,
    thresholds: Sequence[float],
) -> _Decided:
    """Compute MME/day and decide threshold levels and the patch rule on exact integers.

    ``factors`` is each slot's factor as numerators and denominators (0/0: none, the
    row is not decided) and ``days_per_unit`` likewise its patch rule (denominator
    0: no rule; None: no slot has one); ``slot`` picks each row's. MME/day is
    s·q·(P/Q) ÷ supply with every number a ratio of integers. Held in floats below
    2**53 those integers are exact, so ``MME ≥ bound`` is an exact comparison and the
    value one correctly rounded division, as ``float(Fraction(...))`` in the scalar
    path. A row whose numbers do not fit (long decimals, very large products) is not
    decided (``ok`` False) and is left to the scalar path.
    """
    n = len(strength)
    # A few buffers reused with out=: on a million rows a fresh array costs more in
    # page faults than the arithmetic done in it.
    scratch = np.empty(n)
    s = _decimals(strength, scratch)
    q = _decimals(quantity, scratch)
    d = _decimals(days, scratch)
    ms, mq, md = s.mantissa, q.mantissa, d.mantissa
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        ok = np.greater(ms, 0)
        for mask in (s.ok, q.ok, d.ok, mq > 0):
            ok &= mask
        num = np.multiply(ms, mq)
        num *= np.take(factors[0], slot, out=scratch)
        den = np.take(factors[1], slot)
        if days_per_unit is None:
            den *= md
            # Decimal scales touch only the few rows that have one.
            den[s.rows] *= s.scale
            den[q.rows] *= q.scale
            num[d.rows] *= d.scale
            normalised = np.zeros(n, dtype=bool)
        else:
            ua, ub = (table[slot] for table in days_per_unit)
            ss, sq, sdays = s.scale_of(n), q.scale_of(n), d.scale_of(n)
            # Supply in days as sn / sd: quantity × days per unit under the patch rule.
            rule = ub > 0
            num *= np.where(rule, _product(ub, sq), _product(np.ones(n), sdays))
            den *= _product(np.where(rule, mq * ua, md), ss, sq)
            left = _product(mq, ua, sdays)
            right = _product(md, ub, sq)
            normalised = rule & (left != right)
            ok &= (left < _EXACT_FLOAT) & (right < _EXACT_FLOAT)
        # den > 0 covers a slot without a factor (0/0) and days ≤ 0 or NaN.
        ok &= den > 0
        bounds, limit = _exact_bounds(thresholds)
        ok &= num < limit
        ok &= den < limit
        value = np.divide(num, den, out=scratch)
        level = np.zeros(n, dtype=np.int8)
        reached = np.empty(n, dtype=bool)
        for bn, bd in bounds[:-1]:
            level += (
                np.greater_equal(num * bd, den * bn, out=reached)
                if bd != 1
                # For a whole bound B and den < 2**53 / B, num / den and its rounded value
                # are on the same side of B: when num / den ≠ B they differ from B by at
                # least 1/den, more than half a unit in the last place of B.
                else (np.greater_equal(value, bn, out=reached))
            )
        mn, md_ = bounds[-1]
        above = num * md_ > den * mn if md_ != 1 else value > mn
    return _Decided(ok, value, level, above, normalised)
