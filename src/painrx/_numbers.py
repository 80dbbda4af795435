"""painrx's number rules, in one place: exact fractions from decimals, half-up rounding.

Clinical numbers are typed by people as decimals (``0.1``, ``7.2``) and computed by
binary floating point, which cannot hold most of them exactly. painrx therefore reads a
float as the exact rational it stands for, computes with :class:`~fractions.Fraction`,
and rounds only for display, half-up as pharmacists and pump tables do (Python's
``round`` rounds half to even on a binary float: ``round(2.25, 1) == 2.2``).

>>> from fractions import Fraction
>>> exact(0.1), exact(20 / 3)
(Fraction(1, 10), Fraction(20, 3))
>>> exact_conversion(60.00000000000001)
Fraction(60, 1)
>>> round_half_up(Fraction(9, 4), Decimal("0.1")), round_half_up(2.25, Decimal("0.1"))
(Decimal('2.3'), Decimal('2.3'))
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache

__all__ = [
    "decimal",
    "exact",
    "exact_conversion",
    "exact_decimal",
    "round_half_up",
    "round_places",
]

# A float carries at most 17 significant digits; 12 remove the binary noise of a
# computed value (15 mcg/kg/min is 0.8999999999999999 mg/kg/h) while keeping far more
# precision than any pump, syringe or tablet can deliver.
_SIGNIFICANT = 12

# Unit conversion leaves noise in the last bits (0.06 g is 60.00000000000001 mg); nine
# decimals keep every clinically meaningful digit of a dose, a duration or a strength.
_CONVERSION_DECIMALS = 9

# Fractions are divided out at this precision before rounding: ample for any clinical
# value, so the only rounding is the half-up step itself.
_PRECISION = 60

# A float within this denominator of a simple fraction (1/3, 20/3) is read as it.
_SIMPLE_DENOMINATOR = 10_000


def decimal(value: float) -> Fraction:
    """Return ``value`` as the exact decimal it prints as (``0.1`` is 1/10, not a binary float)."""
    return Fraction(repr(float(value)))


@lru_cache(maxsize=4096)
def exact(value: float) -> Fraction:
    """Return the exact rational a float stands for.

    A decimal typed by a person (``0.1``, ``2.4``) becomes exactly 1/10 or 12/5, and a
    float computed from a simple fraction (``1/3``, ``20/3``) becomes that fraction, so
    painrx's arithmetic is exact and only rounded when shown.
    """
    printed = decimal(value)
    simple = printed.limit_denominator(_SIMPLE_DENOMINATOR)
    return simple if float(simple) == value else printed


def exact_conversion(value: float) -> Fraction:
    """Return a converted magnitude as an exact decimal, dropping conversion noise.

    For the result of a unit conversion (``0.06 g`` in mg is ``60.00000000000001``):
    nine decimals keep every clinically meaningful digit.
    """
    return decimal(round(value, _CONVERSION_DECIMALS))


def exact_decimal(value: float) -> Decimal:
    """Return ``value`` as a :class:`~decimal.Decimal` at 12 significant digits (no binary noise)."""
    return Decimal(f"{value:.{_SIGNIFICANT}g}")


def _as_decimal(value: Fraction | Decimal | float) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return exact_decimal(value)


def round_half_up(value: Fraction | Decimal | float, step: Decimal) -> Decimal:
    """Round ``value`` half-up to a multiple of ``step`` (``2.25`` → ``2.3`` at ``0.1``).

    A :class:`~fractions.Fraction` is divided out at 60 digits and rounded exactly. A
    float is first read at 12 significant digits, so its binary noise never decides a
    tie, and counted in steps at the default 28-digit precision.

    Raises:
        decimal.InvalidOperation: A float needs more than 28 digits of steps (a step far
            finer than anything measurable; callers report it as such).
    """
    with localcontext() as ctx:
        if isinstance(value, Fraction):
            ctx.prec = _PRECISION
        steps = (_as_decimal(value) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return steps * step


def round_places(value: Fraction | Decimal | float, places: int) -> float:
    """Round ``value`` half-up to ``places`` decimals, as a float for display."""
    return float(round_half_up(value, Decimal(1).scaleb(-places)))
