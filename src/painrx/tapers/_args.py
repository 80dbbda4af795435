"""Argument checks for :func:`painrx.tapers.taper`: each names the bad value and what is valid."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Final

from painrx._numbers import decimal, exact_conversion
from painrx.errors import Alert, InputError, NoFactorError, Severity, UnitError
from painrx.tapers._bounds import bounds
from painrx.tapers._drug import TaperDrug
from painrx.types import MMETable
from painrx.units import Quantity, format_units, is_real, magnitude, quantity_arg
from painrx.vocabulary import doses_per_day as _doses_per_day

__all__ = [
    "MAX_STEPS_BOUND",
    "administrations",
    "bounded_count",
    "choice",
    "count_arg",
    "dose_rate_arg",
    "flag",
    "fraction",
    "percent",
    "screen_dose",
    "whole_days",
]

#: The most steps a schedule may have. An engineering bound, not a clinical one: the
#: cited paces need far fewer (CDC's 10%-a-month linear taper has 10 steps, the HHS
#: hybrid about 20, the post-operative one under 10), and 1000 one-day steps are almost
#: three years of daily dose changes. It keeps every call well under a second.
MAX_STEPS_BOUND: Final = 1000

# Time units of a patch strength or an infusion rate, refused for an oral daily dose.
_HOURLY = frozenset({"h", "min"})


def _real(value: object) -> float:
    """Return a real number as a float, or NaN when it is not one (or too large for a float)."""
    if not is_real(value):
        return math.nan
    try:
        return float(value)  # type: ignore[arg-type] # is_real guarantees __float__
    except OverflowError:
        return math.nan


def percent(value: object, name: str) -> Fraction:
    """Return a percent cut as an exact fraction, from the cited bound to below 100.

    Raises:
        InputError: Not a number, not above 0 and below 100, or below the bound.
    """
    number = _real(value)
    if not 0 < number < 100:
        msg = f"{name}={value!r} must be a number of percent above 0 and below 100 (10 means 10%)."
        raise InputError(msg)
    limit = bounds()
    if number < limit.min_percent:
        msg = (
            f"{name}={value!r} is a smaller cut than a taper step makes: at least "
            f"{limit.min_percent}% ({limit.percent_source.title}); taper more slowly with a "
            "longer interval."
        )
        raise InputError(msg)
    return decimal(number) / 100


def fraction(value: object, name: str, *, upper_inclusive: bool) -> Fraction:
    """Return a fraction above 0 and at most (or below) 1, exactly.

    Raises:
        InputError: Not a number in range.
    """
    number = _real(value)
    ok = 0 < number <= 1 if upper_inclusive else 0 < number < 1
    if not ok:
        bound = "at most 1" if upper_inclusive else "below 1"
        msg = f"{name}={value!r} must be a fraction above 0 and {bound} (0.25 means 25%)."
        raise InputError(msg)
    return decimal(number)


def whole_days(value: object, name: str) -> tuple[Quantity, int]:
    """Return a step interval and its whole number of days, at most the cited bound.

    Raises:
        UnitError: Not a duration.
        InputError: Not a whole number of days, or longer than the bound.
    """
    q = quantity_arg(value, name=name, kinds="time")
    days = exact_conversion(magnitude(q, "day"))
    limit = bounds()
    if days > limit.max_interval_days:
        msg = (
            f"{name}={format(q)!r} is longer than a taper step can be: at most "
            f"{limit.max_interval_days} days ({limit.interval_source.title}); a longer hold "
            "is a pause or a maintenance dose for the clinician to review."
        )
        raise InputError(msg)
    if days.denominator != 1:
        msg = f"{name}={format(q)!r} must be a whole number of days (e.g. '7 day', '72 h')."
        raise InputError(msg)
    return q, int(days)


def dose_rate_arg(value: object, name: str, product: TaperDrug) -> Quantity:
    """Parse a daily dose (oral) or patch strength, refusing an oral dose written per hour.

    Raises:
        UnitError: Not a dose rate, or an oral dose per hour or per minute.
    """
    q = quantity_arg(value, name=name, kinds="mass_rate")
    per = format_units(q).rsplit("/", 1)[-1]
    if not product.is_patch and per in _HOURLY:
        # A per-hour (or per-minute) rate is a patch strength or an infusion, never how an
        # oral daily dose is written: '25 mcg/h' for an oral drug is a patch slip.
        msg = (
            f"{name}={format(q)!r} is a rate per {per}, as for a patch or an infusion; an "
            "oral taper uses daily doses such as '30 mg/day' (a patch taper needs "
            "route='transdermal')."
        )
        raise UnitError(msg)
    return q


def choice(value: object, name: str, accepted: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in accepted:
        msg = f"{name}={value!r} is not accepted; use one of {', '.join(map(repr, accepted))}."
        raise InputError(msg)
    return value


def flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        msg = f"{name}={value!r} must be True or False."
        raise InputError(msg)
    return value


def count_arg(value: object, name: str) -> int:
    """Return a whole number of at least 1.

    Raises:
        InputError: Not a whole number, or below 1.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"{name}={value!r} must be a whole number of at least 1."
        raise InputError(msg)
    return value


def bounded_count(value: object, name: str, bound: int) -> int:
    """Return a whole number from 1 to ``bound``.

    Raises:
        InputError: Not a whole number, below 1 or above ``bound``.
    """
    number = count_arg(value, name)
    if number > bound:
        msg = f"{name}={value!r} is above the bound of {bound}; painrx refuses larger values."
        raise InputError(msg)
    return number


def administrations(value: object, patch: bool) -> int:
    """Return the administrations a day, at most the cited bound (1 for a patch).

    Raises:
        InputError: Not a whole number of doses a day, above the bound, or not 1 for a patch.
    """
    if is_real(value) and not math.isfinite(_real(value)):
        msg = f"doses_per_day={value!r} must be a whole number of doses a day (1, 2, 'BID'…)."
        raise InputError(msg)
    per_day = _doses_per_day(value)
    if per_day != int(per_day) or per_day < 1:
        msg = f"doses_per_day={value!r} must be a whole number of doses a day (1, 2, 'BID'…)."
        raise InputError(msg)
    limit = bounds()
    if per_day > limit.max_doses_per_day:
        msg = (
            f"doses_per_day={value!r} is more than {limit.max_doses_per_day} doses a day (every "
            f"3 hours), the most frequent labelled oral opioid schedule "
            f"({limit.doses_source.title})."
        )
        raise InputError(msg)
    if patch and per_day != 1:
        msg = "doses_per_day does not apply to patches: they are changed per their label."
        raise InputError(msg)
    return int(per_day)


# Tables tried, in order, for the MME plausibility screen of the starting dose: CDC 2022
# first, then NIH HEAL 2025, which also covers buprenorphine patches.
_SCREEN_TABLES: tuple[MMETable, ...] = ("CDC_2022", "NIH_HEAL_2025")


def screen_dose(drug: TaperDrug, start: Quantity) -> list[Alert]:
    """Refuse a starting dose beyond the contract's MME/day bound (a mg↔g slip).

    Raises:
        InputError: The starting dose is above 10,000 MME/day.
    """
    from painrx.opioids import mme

    if drug.route == "transdermal":
        # A taper's daily rate may be per day; mme() takes a patch only as labelled, per hour.
        start = start.to("mcg/h")
    for table in _SCREEN_TABLES:
        try:
            mme(drug.name, start, route=drug.route, table=table, thresholds=None)
        except NoFactorError:
            continue
        return []
    return [
        Alert(
            "taper_dose_not_screened",
            Severity.INFO,
            f"No MME factor for {drug.name!r} ({drug.route}) in {', '.join(_SCREEN_TABLES)}: "
            "the starting dose was not checked against the 10,000 MME/day plausibility bound.",
            None,
        )
    ]
