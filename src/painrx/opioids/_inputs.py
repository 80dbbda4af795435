"""Reading the arguments of the opioid functions: drug, route, form, amount, frequency.

Every parser here either returns an exact value (a :class:`~fractions.Fraction`) or
raises a :class:`~painrx.errors.PainRxError` naming the bad value and what is valid.
The parsers are cached on their (hashable) inputs so the scalar :func:`painrx.mme`
stays fast.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator
from fractions import Fraction
from functools import lru_cache
from typing import Any, Final, cast

import attrs

from painrx import catalog, vocabulary
from painrx._args import is_list_like
from painrx.errors import Alert, InputError, UnitError, UnknownDrugError
from painrx.opioids import _tables as _t
from painrx.opioids._tables import ThresholdPolicy
from painrx.units import (
    Q,
    Quantity,
    format_units,
    is_real,
    kind_of,
    quantity_arg,
    real_float,
    registry,
)

# A route a dose form implies when neither the caller nor the product names one.
_FORM_ROUTES: Final = {
    "patch": "transdermal",
    "nasal_spray": "nasal",
    "buccal_tablet": "buccal",
    "buccal_film": "buccal",
    "sublingual_film": "sublingual",
    "suppository": "rectal",
}
# A count of units written as text ("2", from a command line).
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# "Percocet 10/325": strengths with no unit after a product name.
_UNITLESS_STRENGTHS = re.compile(r"\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)+\s*$")
_COMBINED = re.compile(r"\d\s*[/-]\s*[\d.]")
_ORAL: Final = "oral"
_MAX_MME: Final = Fraction(int(vocabulary.MAX_DAILY_MME))
_BODY_WEIGHT_UNITS: Final = frozenset({"kg", "lb"})
# Alerts of painrx.catalog.check_unit_dose: said with the result, never a refusal.
_DOSE_BOUND_CODES: Final = frozenset(
    {"dose_below_marketed_strength", "dose_above_marketed_strength"}
)


# --------------------------------------------------------------------------- names


@attrs.frozen
class _Amount:
    value: Fraction
    units: Any
    unit: str
    kind: str
    text: str


@attrs.frozen
class _Drug:
    """The opioid a drug text names.

    ``strength`` is the opioid component per unit when the text names one
    ("Percocet 10/325 mg"); ``alerts`` say how it was read.
    """

    name: str
    ingredient: str
    index: int
    n_ingredients: int
    form: str | None
    route: str | None
    strength: _Amount | None = None
    alerts: tuple[Alert, ...] = ()


def _opioid_index(name: str, product: catalog.Product) -> int:
    for i, ingredient in enumerate(product.ingredients):
        if catalog.in_class(ingredient, "opioid"):
            return i
    msg = (
        f"{name!r} ({product.id}) contains no opioid; painrx computes MME and "
        "conversions for opioids only."
    )
    raise InputError(msg)


def _with_strength(name: str, unknown: UnknownDrugError) -> _Drug:
    """Read a product name followed by its strengths ("Percocet 10/325 mg")."""
    alerts: tuple[Alert, ...] = ()
    parsed = catalog.parse_medication(name)
    codes = {a.code for a in parsed.alerts}
    if codes == {"strength_unit_missing"} and _UNITLESS_STRENGTHS.search(name):
        # Combination tablets are labelled in mg and the CDC file reads strengths in mg
        # "except where noted": read them so, and say so (alert strength_read_as_mg).
        parsed = catalog.parse_medication(f"{name} mg")
        codes = {a.code for a in parsed.alerts}
        alerts = (_t.alert("strength_read_as_mg"),)
    bounds = tuple(a for a in parsed.alerts if a.code in _DOSE_BOUND_CODES)
    codes -= _DOSE_BOUND_CODES
    if codes - {"strength_unit_missing", "combination_strength_partial"}:
        raise unknown  # words painrx does not know: the name is not a product
    product = parsed.product
    index = _opioid_index(name, product)
    strengths = parsed.strengths
    # A combination written with one strength names its opioid component (the catalog's
    # combination_strength_partial convention), which the catalog lists first.
    partial = codes == {"combination_strength_partial"} and len(strengths) == 1 and index == 0
    if parsed.frequency or not (
        partial or (not codes and len(strengths) == len(product.ingredients))
    ):
        why = "a frequency in the name" if parsed.frequency else ", ".join(sorted(codes))
        msg = (
            f"{name!r} could not be read as a product and its strength ({why or 'no strength'}):"
            " write it as 'Percocet 10/325 mg' (frequency= separately), or give the drug alone"
            " and its dose separately."
        )
        raise InputError(msg) from unknown
    strength = strengths[0] if partial else strengths[index]
    return _Drug(
        name,
        product.ingredients[index],
        index,
        len(product.ingredients),
        parsed.form or product.form,
        parsed.route or product.route,
        _amount_of(strength, format(strength)),
        alerts + bounds,
    )


@lru_cache(maxsize=2048)
def _drug_cached(name: str) -> _Drug:
    try:
        product = catalog.product(name)
    except UnknownDrugError as exc:
        if not any(c.isdigit() for c in name):
            raise
        try:
            return _with_strength(name, exc)
        except UnknownDrugError:
            raise exc from None
    i = _opioid_index(name, product)
    # A brand whose name states its strength ("Tylenol #3") is a drug that names it.
    named = product.strengths[i] if product.strengths else None
    return _Drug(
        name,
        product.ingredients[i],
        i,
        len(product.ingredients),
        product.form,
        product.route,
        None if named is None else _amount_of(named, format(named)),
    )


def _drug(name: object) -> _Drug:
    if not isinstance(name, str):
        msg = f"A drug name must be a string such as 'oxycodone', not {name!r}."
        raise InputError(msg)
    return _drug_cached(name)


@lru_cache(maxsize=1024)
def _route_form_cached(drug: _Drug, route: str | None, form: str | None) -> tuple[str, str | None]:
    r: str | None = vocabulary.route(route) if route is not None else None
    if drug.route is not None and r is not None and r != drug.route:
        msg = f"{drug.name!r} is given by the {drug.route} route; route={route!r} contradicts it."
        raise InputError(msg)
    f: str | None = vocabulary.form(form, route=r or drug.route) if form is not None else None
    if drug.form is not None and f is not None and f != drug.form:
        msg = f"{drug.name!r} is a {drug.form} product; form={form!r} contradicts it."
        raise InputError(msg)
    f = f or drug.form
    if f == "injection" and not (r or drug.route):
        # An injection is never oral, and iv, im and sc doses differ: never assumed.
        msg = f"{drug.name!r} is an injection: give route= ('iv', 'im' or 'sc')."
        raise InputError(msg)
    resolved = r or drug.route or _FORM_ROUTES.get(f or "", _ORAL)
    if resolved == "transdermal" and f is None:
        f = "patch"
    if (f == "patch") != (resolved == "transdermal"):
        msg = f"A patch is transdermal: route={resolved!r} and form={f!r} do not fit together."
        raise InputError(msg)
    return resolved, f


def _route_form(drug: _Drug, route: object, form: object) -> tuple[str, str | None]:
    for name, value in (("route", route), ("form", form)):
        if value is not None and not isinstance(value, str):
            msg = f"{name}={value!r} must be a string such as 'oral' or 'patch'."
            raise InputError(msg)
    return _route_form_cached(drug, route, form)


# --------------------------------------------------------------------------- quantities


def _amount_of(q: Quantity, text: str) -> _Amount:
    return _Amount(_t.exact(float(q.magnitude)), q._units, format_units(q), kind_of(q) or "", text)


@lru_cache(maxsize=2048)
def _amount_text(text: str) -> _Amount:
    return _amount_of(Q(text), text)


@lru_cache(maxsize=2048)
def _amount_quantity(magnitude: float, units: Any) -> _Amount:
    q = registry().Quantity(magnitude, units)
    return _amount_of(q, format(q))


def _units_of(value: object, drug: _Drug, name: str) -> _Amount:
    """The dose of a drug text that names its strength: a number of units, 1 if None."""
    strength = drug.strength
    if strength is None:
        msg = f"{name} is missing: give a dose such as '10 mg' or '30 mg/day'."
        raise InputError(msg)
    if value is None:
        return strength
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value.strip()):
        value = float(value)  # "2" from a command line: a number of units
    if not is_real(value) or isinstance(value, bool):
        msg = (
            f"{drug.name!r} names its strength ({strength.text} of {drug.ingredient} per "
            f"unit): give {name} as the number of units per administration (e.g. 2), "
            f"not {value!r}."
        )
        raise InputError(msg)
    count = float(value)  # type: ignore[arg-type] # is_real guarantees __float__
    if not (math.isfinite(count) and count > 0):
        msg = f"{name}={value!r} must be a finite number of units greater than zero."
        raise InputError(msg)
    total = strength.value * _t.exact(count)
    return _Amount(
        total, strength.units, strength.unit, strength.kind, f"{count:g} × {strength.text}"
    )


def _amount(value: object, drug: _Drug, name: str) -> _Amount:
    if drug.strength is not None or value is None:
        return _units_of(value, drug, name)
    if isinstance(value, str) and drug.n_ingredients > 1 and _COMBINED.search(value):
        parsed = catalog.parse_medication(f"{drug.name} {value}")
        if len(parsed.strengths) != drug.n_ingredients:
            why = "; ".join(a.message for a in parsed.alerts)
            msg = f"{name}={value!r} for {drug.name!r} could not be read: {why}"
            raise InputError(msg)
        q = parsed.strengths[drug.index]
        return _amount_of(q, format(q))
    if isinstance(value, str):
        amount = _amount_text(value)
    else:
        given: Quantity = (
            value
            if isinstance(value, registry().Quantity)
            else quantity_arg(value, name=name, kinds=("mass", "mass_rate", "concentration"))
        )
        magnitude = given.magnitude
        if not (is_real(magnitude) and math.isfinite(real_float(magnitude))):
            msg = f"{name}={value!r} must be one finite number with its unit, e.g. '10 mg'."
            raise InputError(msg)
        amount = _amount_quantity(real_float(magnitude), given._units)
    if not amount.value > 0:
        msg = f"{name}={value!r} must be greater than zero."
        raise InputError(msg)
    _check_drug_mass(amount.unit, name, value)
    return amount


def _check_drug_mass(unit: str, name: str, value: object) -> None:
    # The argument is formatted only for the message: this runs on every warm call.
    if unit.split("/", maxsplit=1)[0] in _BODY_WEIGHT_UNITS:
        msg = f"{name}={value!r}: kg and lb are body weights; a drug amount is written in g, mg or mcg."
        raise UnitError(msg)


# Patch strengths are labelled per hour (DURAGESIC: 12-100 mcg/h; BUTRANS: 5-20 mcg/h;
# the CDC 2018 NDC file lists every patch in MCG/HR): a patch written per day or per
# minute is 24 times low or 60 times high, a slip that looks plausible, so it is refused.
_PATCH_TIME_BASE: Final = "h"


def _check_patch_rate(unit: str, ingredient: str, what: str) -> None:
    """Refuse a patch strength whose time base is not the labelled hour."""
    per = unit.partition("/")[2]
    if per != _PATCH_TIME_BASE:
        msg = (
            f"{what}: a {ingredient} patch strength is labelled per hour (e.g. '25 mcg/h'; "
            "DURAGESIC and BUTRANS labels, CDC 2018 NDC file UOM MCG/HR), not per "
            f"{per or 'unit'}: a per-day or per-minute figure is a 24- or 60-fold slip."
        )
        raise UnitError(msg)


@lru_cache(maxsize=1024)
def _unit_dose_alerts(ingredient: str, amount: _Amount, route: str) -> tuple[Alert, ...]:
    """Alerts for one administration far outside the marketed oral unit strengths."""
    if amount.kind != "mass":
        return ()
    dose = registry().Quantity(float(amount.value), amount.units)
    return catalog.check_unit_dose(ingredient, dose, route)


def _in(amount: _Amount, unit: str) -> Fraction:
    return amount.value * _t.exact_factor(amount.units, unit)


@lru_cache(maxsize=256)
def _per_day_code(frequency: str) -> Fraction:
    return _t.exact(vocabulary.doses_per_day(frequency))


def _per_day(frequency: object) -> Fraction:
    if isinstance(frequency, str):
        return _per_day_code(frequency)
    return _t.exact(vocabulary.doses_per_day(frequency))


# An interval or count range ("q4-6h", "3-4 times a day") counts at its most, as PRN does.
_RANGE = re.compile(r"\d\s*(?:-|to)\s*\d")


@lru_cache(maxsize=256)
def _at_most_code(frequency: str) -> bool:
    return vocabulary.is_prn(frequency) or _RANGE.search(frequency) is not None


def _frequency_alerts(frequency: object) -> tuple[Alert, ...]:
    """Say so when a frequency was counted at the most the order allows (PRN, a range)."""
    if isinstance(frequency, str) and _at_most_code(frequency):
        return (_t.alert("prn_counted_at_maximum"),)
    return ()


@lru_cache(maxsize=64)
def _change_days(ingredient: str) -> Fraction | None:
    """Days one patch lasts under a cited rule (the CDC file: fentanyl, 72 h), or None."""
    for entry in _t.mme_table("CDC_NDC_2018").entries:
        if entry.ingredient == ingredient and entry.days_per_unit is not None:
            return entry.days_per_unit
    return None


def _patch_frequency(frequency: object, ingredient: str) -> tuple[Alert, ...]:
    """Check a patch's frequency: read as its change interval, never a multiplier.

    More than once a day is refused (several patches worn together are one summed
    strength); an interval other than the cited change interval raises an alert.
    """
    if frequency is None:
        return ()
    per_day = _per_day(frequency)
    if per_day > 1:
        msg = (
            f"frequency={frequency!r} for a {ingredient} patch: a patch strength is already a "
            "rate (mcg/h), so a frequency never multiplies it, and a patch is not changed more "
            "than once a day. For several patches worn together give their summed strength "
            "(e.g. '75 mcg/h'); otherwise give the change interval (e.g. 'q72h') or none."
        )
        raise InputError(msg)
    days = _change_days(ingredient)
    if days is not None and 1 / per_day == days:
        return ()
    return (_t.alert("patch_change_interval"),)


def _count(value: object, name: str) -> Fraction:
    if not is_real(value):
        msg = f"{name}={value!r} must be a number (a count of units), e.g. 120."
        raise UnitError(msg) if isinstance(value, str) else InputError(msg)
    number = float(value)  # type: ignore[arg-type] # is_real guarantees __float__
    if not (math.isfinite(number) and number > 0):
        msg = f"{name}={value!r} must be a finite number greater than zero."
        raise InputError(msg)
    return _t.exact(number)


def _days(value: object) -> Fraction:
    if is_real(value):
        return _count(value, "days_supply")
    q = quantity_arg(value, name="days_supply", kinds="time")
    return _t.exact(float(q.magnitude)) * _t.exact_factor(q._units, "day")


def _check_plausible(value: Fraction, what: str) -> None:
    if value > _MAX_MME:
        msg = (
            f"{what} gives {float(value):g} MME/day, above painrx's plausibility bound of "
            f"{float(_MAX_MME):,.0f} MME/day: check for a mg/g or mcg/mg slip."
        )
        raise InputError(msg)


#: The most doses or prescriptions one total_mme or mme_over_period call reads: far
#: above any one patient's record, and a bound on the work of a call (issue 19).
MAX_ITEMS: Final = 1000


def _iterable(value: object, function: str, item: str) -> Iterator[object]:
    msg = f"{function} takes an iterable of {item} items; got {value!r:.100}."
    if not is_list_like(value):
        raise InputError(msg)
    try:
        items = iter(cast("Iterable[object]", value))
    except TypeError:
        raise InputError(msg) from None
    return _bounded(items, function, item)


def _bounded(items: Iterable[object], function: str, item: str) -> Iterator[object]:
    """Yield the items, refusing the one past MAX_ITEMS (a generator may never end)."""
    for count, found in enumerate(items):
        if count == MAX_ITEMS:
            msg = f"{function} reads at most {MAX_ITEMS} {item} items at a time; got more."
            raise InputError(msg)
        yield found


def _policy(thresholds: object) -> ThresholdPolicy | None:
    return None if thresholds is None else _t.threshold_policy(thresholds)


def _date(value: object, name: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        msg = f"{name}={value!r} must be a datetime.date."
        raise InputError(msg)
    return value


def _fraction_arg(value: object, name: str, *, zero_ok: bool) -> Fraction:
    if not is_real(value):
        msg = f"{name}={value!r} must be a number (a fraction such as 0.25)."
        raise InputError(msg)
    number = float(value)  # type: ignore[arg-type] # is_real guarantees __float__
    low_ok = number >= 0 if zero_ok else number > 0
    if not (math.isfinite(number) and low_ok and number < 1):
        bounds = "0 ≤ x < 1" if zero_ok else "0 < x < 1"
        msg = f"{name}={value!r} is a fraction, not a percentage: it must satisfy {bounds}."
        raise InputError(msg)
    return _t.exact(number)


def _breakthrough_args(value: object) -> tuple[Fraction, Fraction]:
    if not isinstance(value, tuple) or len(value) != 2:
        msg = f"breakthrough_fraction={value!r} must be a (low, high) pair such as (0.10, 0.20)."
        raise InputError(msg)
    low = _fraction_arg(value[0], "breakthrough_fraction[0]", zero_ok=False)
    high = _fraction_arg(value[1], "breakthrough_fraction[1]", zero_ok=False)
    if low > high:
        msg = f"breakthrough_fraction={value!r}: low must not exceed high."
        raise InputError(msg)
    return low, high
