"""MME, equianalgesic conversion and rotation. (public face: ``painrx.opioids``)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from fractions import Fraction
from functools import lru_cache
from typing import Any, Final

import attrs

from painrx import catalog, vocabulary
from painrx.errors import (
    Alert,
    InputError,
    NoFactorError,
    UnitError,
    UnsafeConversionError,
    dedupe_alerts,
)
from painrx.opioids import _tables as _t
from painrx.opioids._results import (
    Conversion,
    ExcludedPrescription,
    FactorRow,
    MMEResult,
    OpioidDose,
    PeriodMME,
    Prescription,
    PrescriptionFactor,
    Rotation,
    TotalMME,
)
from painrx.opioids._tables import OpioidMethod, ThresholdPolicy
from painrx.provenance import Provenance
from painrx.units import Q, Quantity, format_units, is_real, kind_of, quantity_arg, registry

__all__ = [
    "DEFINITIONS",
    "Conversion",
    "ExcludedPrescription",
    "FactorRow",
    "MMEResult",
    "OpioidDose",
    "OpioidMethod",
    "PeriodMME",
    "Prescription",
    "PrescriptionFactor",
    "Rotation",
    "ThresholdPolicy",
    "TotalMME",
    "convert_opioid",
    "mme",
    "mme_factors",
    "mme_over_period",
    "mme_prescription",
    "mme_tables",
    "prescription_factor",
    "ratio_tables",
    "rotate",
    "rotation_method",
    "rotation_methods",
    "threshold_policies",
    "threshold_policy",
    "total_mme",
]

#: The NIH HEAL / ``mmequiv`` MME/day definitions :func:`mme_over_period` accepts.
DEFINITIONS: Final = ("total_days_supply", "on_therapy_days", "fixed_window", "max_daily")

# A route a dose form implies when neither the caller nor the product names one.
_FORM_ROUTES: Final = {
    "patch": "transdermal",
    "nasal_spray": "nasal",
    "buccal_tablet": "buccal",
    "buccal_film": "buccal",
}
_COMBINED = re.compile(r"\d\s*[/-]\s*[\d.]")
_MORPHINE: Final = "morphine"
_ORAL: Final = "oral"
_MAX_MME: Final = Fraction(int(vocabulary.MAX_DAILY_MME))
_BODY_WEIGHT_UNITS: Final = frozenset({"kg", "lb"})


# --------------------------------------------------------------------------- names


@attrs.frozen
class _Drug:
    name: str
    ingredient: str
    index: int
    n_ingredients: int
    form: str | None
    route: str | None


@lru_cache(maxsize=2048)
def _drug_cached(name: str) -> _Drug:
    product = catalog.product(name)
    for i, ingredient in enumerate(product.ingredients):
        if catalog.in_class(ingredient, "opioid"):
            return _Drug(name, ingredient, i, len(product.ingredients), product.form, product.route)
    msg = (
        f"{name!r} ({product.id}) contains no opioid; painrx computes MME and "
        "conversions for opioids only."
    )
    raise InputError(msg)


def _drug(name: object) -> _Drug:
    if not isinstance(name, str):
        msg = f"A drug name must be a string such as 'oxycodone', not {name!r}."
        raise InputError(msg)
    return _drug_cached(name)


@lru_cache(maxsize=1024)
def _route_form_cached(drug: _Drug, route: str | None, form: str | None) -> tuple[str, str | None]:
    f: str | None = vocabulary.form(form) if form is not None else None
    if drug.form is not None and f is not None and f != drug.form:
        msg = f"{drug.name!r} is a {drug.form} product; form={form!r} contradicts it."
        raise InputError(msg)
    f = f or drug.form
    r: str | None = vocabulary.route(route) if route is not None else None
    if drug.route is not None and r is not None and r != drug.route:
        msg = f"{drug.name!r} is given by the {drug.route} route; route={route!r} contradicts it."
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


@attrs.frozen
class _Amount:
    value: Fraction
    units: Any
    unit: str
    kind: str
    text: str


def _amount_of(q: Quantity, text: str) -> _Amount:
    return _Amount(_t.exact(float(q.magnitude)), q._units, format_units(q), kind_of(q) or "", text)


@lru_cache(maxsize=2048)
def _amount_text(text: str) -> _Amount:
    return _amount_of(Q(text), text)


@lru_cache(maxsize=2048)
def _amount_quantity(magnitude: float, units: Any) -> _Amount:
    q = registry().Quantity(magnitude, units)
    return _amount_of(q, format(q))


def _amount(value: object, drug: _Drug, name: str) -> _Amount:
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
        if not (is_real(magnitude) and math.isfinite(magnitude)):
            msg = f"{name}={value!r} must be one finite number with its unit, e.g. '10 mg'."
            raise InputError(msg)
        amount = _amount_quantity(float(magnitude), given._units)
    if not amount.value > 0:
        msg = f"{name}={value!r} must be greater than zero."
        raise InputError(msg)
    _check_drug_mass(amount.unit, f"{name}={value!r}")
    return amount


def _check_drug_mass(unit: str, what: str) -> None:
    if unit.split("/", maxsplit=1)[0] in _BODY_WEIGHT_UNITS:
        msg = f"{what}: kg and lb are body weights; a drug amount is written in g, mg or mcg."
        raise UnitError(msg)


def _in(amount: _Amount, unit: str) -> Fraction:
    return amount.value * _t.exact_factor(amount.units, unit)


@lru_cache(maxsize=256)
def _per_day_code(frequency: str) -> Fraction:
    return _t.exact(vocabulary.doses_per_day(frequency))


def _per_day(frequency: object) -> Fraction:
    if isinstance(frequency, str):
        return _per_day_code(frequency)
    return _t.exact(vocabulary.doses_per_day(frequency))


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


def _check_dose_plausible(drug: _Drug, route: str, form: str | None, amount: _Amount) -> None:
    """Refuse a conversion input above the MME/day bound under every table that has it.

    A single dose counts as one a day. Tables disagree, so the dose is refused only
    when even the smallest estimate is implausible; with no factor anywhere it passes.
    """
    estimates = []
    for table in _t.mme_table_ids():
        try:
            entry = _entry(table, drug.ingredient, route, form)
        except (NoFactorError, InputError):
            continue
        if entry.basis == "mcg/h":
            if amount.kind != "mass_rate":
                continue
            daily = _in(amount, "mcg/h")
        elif amount.kind == "mass_rate":
            daily = _in(amount, entry.basis)
        elif amount.kind == "mass":
            daily = _in(amount, entry.basis.split("/")[0])
        else:
            continue
        estimates.append(daily * entry.dose_factor(daily))
    if estimates:
        _check_plausible(min(estimates), f"{drug.name} {amount.text}")


def _iterable(value: object, function: str, item: str) -> Iterable[object]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        msg = f"{function} takes an iterable of {item} items; got {value!r}."
        raise InputError(msg)
    return value


def _policy(thresholds: object) -> ThresholdPolicy | None:
    return None if thresholds is None else _t.threshold_policy(thresholds)


# --------------------------------------------------------------------------- MME


@lru_cache(maxsize=4096)
def _entry(table: str, ingredient: str, route: str, form: str | None) -> _t.FactorEntry:
    return _t.mme_table(table).lookup(ingredient, route, form)


def _daily(entry: _t.FactorEntry, amount: _Amount, frequency: object, drug: _Drug) -> Fraction:
    if entry.basis == "mcg/h":
        if amount.kind != "mass_rate":
            msg = (
                f"{drug.ingredient} by the transdermal route is dosed by patch strength, a "
                f"rate such as '25 mcg/h'; {amount.text!r} is a {amount.kind.replace('_', ' ')}."
            )
            raise UnitError(msg)
        if frequency is not None:
            _per_day(frequency)
        return _in(amount, "mcg/h")
    if amount.kind == "mass_rate":
        if frequency is not None:
            msg = (
                f"dose={amount.text!r} is already a daily rate; give frequency= only with a "
                "per-administration dose such as '10 mg'."
            )
            raise InputError(msg)
        return _in(amount, entry.basis)
    if amount.kind == "mass":
        if frequency is None:
            msg = (
                f"dose={amount.text!r} is one administration: give frequency= (e.g. 'BID') "
                "or a daily dose such as '20 mg/day'."
            )
            raise InputError(msg)
        return _in(amount, entry.basis.split("/")[0]) * _per_day(frequency)
    msg = (
        f"dose={amount.text!r} is a {amount.kind.replace('_', ' ') or 'quantity'}; "
        "expected a dose such as '10 mg', '30 mg/day' or a patch strength '25 mcg/h'."
    )
    raise UnitError(msg)


def _result(
    *,
    value: Fraction,
    factor: Fraction,
    entry: _t.FactorEntry,
    daily: Fraction,
    route: str,
    form: str | None,
    days: Fraction | None,
    policy: ThresholdPolicy | None,
    extra: tuple[Alert, ...] = (),
) -> MMEResult:
    table = _t.mme_table(entry.table)
    alerts = _t.drug_alerts(entry.ingredient, route) + extra
    if policy is not None:
        alerts += policy.alerts(value)
    return MMEResult(
        value=float(value),
        exact=value,
        drug=entry.ingredient,
        route=route,
        form=form,
        factor=float(factor),
        factor_basis=entry.basis,
        daily_dose_value=float(daily),
        days_supply=float(days) if days is not None else None,
        table=entry.table,
        source=table.source,
        factor_source=entry.source,
        alerts=alerts,
    )


def mme(
    drug: str,
    dose: str | Quantity,
    *,
    route: str | None = None,
    frequency: str | float | None = None,
    form: str | None = None,
    table: str = "CDC_2022",
    thresholds: str | None = "CDC_2016",
) -> MMEResult:
    """Return the morphine milligram equivalents per day of one dose (risk screening).

    MME estimates overdose risk; it is **not** a way to choose the dose of another
    opioid (use :func:`rotate`).

    Args:
        drug: Ingredient, brand or combination product (``"oxycodone"``, ``"Norco"``).
        dose: A daily dose (``"30 mg/day"``), one administration with ``frequency``
            (``"10 mg"``; ``"5/325 mg"`` for a combination), or a patch strength
            (``"25 mcg/h"``; ``"0.6 mg/day"`` is the same rate).
        route: Route (``"oral"``, ``"transdermal"``, …); None: the product's, else oral.
        frequency: ``"QD"``, ``"BID"``, ``"q6h"``… or a number per day. A patch
            strength is already a rate: its frequency never multiplies it.
        form: Dose form, where the table distinguishes forms (transmucosal fentanyl).
        table: MME table id (:func:`mme_tables`).
        thresholds: Threshold policy id for alerts on this dose alone, or None.

    Returns:
        The MME/day with its factor, table, source and alerts.

    Raises:
        UnknownDrugError: The drug is not in the catalog.
        NoFactorError: The table has no factor for the drug, route or form.
        UnitError: A dose of the wrong kind (mg where a patch needs mcg/h).
        InputError: A non-positive dose, missing frequency, an unknown option, or a
            result above 10,000 MME/day.

    >>> mme("hydrocodone/acetaminophen", "5/325 mg", frequency="QID").value
    20.0
    >>> mme("fentanyl", "25 mcg/h", route="transdermal").value
    60.0
    >>> mme("hydromorphone", "4 mg", frequency="q6h", table="CDC_2016").value
    64.0
    """
    d = _drug(drug)
    r, f = _route_form(d, route, form)
    entry = _entry(table, d.ingredient, r, f)
    amount = _amount(dose, d, "dose")
    daily = _daily(entry, amount, frequency, d)
    factor = entry.dose_factor(daily)
    value = daily * factor
    _check_plausible(value, f"{drug} {amount.text}")
    return _result(
        value=value,
        factor=factor,
        entry=entry,
        daily=daily,
        route=r,
        form=f,
        days=None,
        policy=_policy(thresholds),
    )


# --------------------------------------------------------------------------- prescriptions


@attrs.frozen
class _RxRule:
    factor: PrescriptionFactor
    entry: _t.FactorEntry
    scale: Fraction
    exact_factor: Fraction | None
    days_per_unit: Fraction | None


def _patch_days(table: str, entry: _t.FactorEntry) -> Fraction:
    if entry.days_per_unit is not None:
        return entry.days_per_unit
    file_table = _t.mme_table("CDC_NDC_2018")
    for other in file_table.entries:
        if (
            other.ingredient == entry.ingredient
            and other.forms == entry.forms
            and other.days_per_unit is not None
        ):
            return other.days_per_unit
    msg = (
        f"{table}: the prescription formula needs a days-supply rule for "
        f"{entry.ingredient} patches, and painrx cites one only for fentanyl (CDC file: one "
        "patch per 72 h). Use mme() with the patch strength instead."
    )
    raise NoFactorError(msg)


@lru_cache(maxsize=4096)
def _rx_rule(
    ingredient: str, strength_unit: str, route: str, form: str | None, table: str
) -> _RxRule:
    entry = _entry(table, ingredient, route, form)
    units = Q(1.0, strength_unit)
    kind = kind_of(units)
    unit = format_units(units)
    _check_drug_mass(unit, f"strength_unit={strength_unit!r}")
    days: Fraction | None = None
    base: Fraction | None
    if entry.basis == "mcg/h":
        if kind != "mass_rate":
            msg = (
                f"A {ingredient} patch strength is a rate such as '25 mcg/h'; "
                f"strength_unit={strength_unit!r} is not."
            )
            raise UnitError(msg)
        quantity_kind = "count"
        scale = _t.exact_factor(units._units, "mcg/h")
        days = _patch_days(table, entry)
        base = entry.dose_factor(Fraction(1)) * days
    elif kind in {"mass", "concentration"}:
        mass = entry.basis.split("/")[0]
        quantity_kind = "count" if kind == "mass" else "volume"
        target = mass if kind == "mass" else f"{mass}/mL"
        scale = _t.exact_factor(units._units, target)
        base = None if entry.banded else entry.dose_factor(Fraction(1))
    else:
        msg = (
            f"strength_unit={strength_unit!r} is not a strength: give a mass per unit "
            "('mg', 'mcg'), a concentration ('mg/mL') or a patch rate ('mcg/h')."
        )
        raise UnitError(msg)
    exact = base * scale if base is not None else None
    factor = PrescriptionFactor(
        ingredient=ingredient,
        factor=float(exact) if exact is not None else math.nan,
        strength_unit=unit,
        quantity_kind=quantity_kind,
        banded=entry.banded,
        patch_days_rule=days is not None,
        alerts=_t.drug_alerts(ingredient, route),
        table=table,
        source=entry.source,
        days_per_unit=float(days) if days is not None else None,
    )
    return _RxRule(factor, entry, scale, exact, days)


def _rule(drug: _Drug, strength_unit: object, route: str, form: str | None, table: str) -> _RxRule:
    if not isinstance(strength_unit, str):
        msg = f"strength_unit={strength_unit!r} must be a unit string such as 'mg'."
        raise UnitError(msg)
    return _rx_rule(drug.ingredient, strength_unit, route, form, table)


def prescription_factor(
    drug: str,
    *,
    strength_unit: str,
    route: str | None = None,
    form: str | None = None,
    table: str = "CDC_NDC_2018",
) -> PrescriptionFactor:
    """Return the factor of the CDC file formula for one drug and strength unit.

    :func:`mme_prescription` is computed through this function, so a vectorised
    caller that applies ``strength × quantity / days_supply × factor`` (with the patch
    days rule) to the same keys agrees with it.

    Args:
        drug: Ingredient, brand or combination product (the opioid component counts).
        strength_unit: Unit of the strength column: ``"mg"``, ``"mcg"``, ``"mcg/h"``,
            ``"mg/mL"``…
        route: Route; None: the product's, else oral.
        form: Dose form, where the table distinguishes forms.
        table: MME table id.

    Returns:
        The factor, the quantity kind (count or volume), whether the factor is banded,
        the patch rule, drug alerts and the source.

    Raises:
        UnknownDrugError: Unknown drug.
        NoFactorError: No factor for the drug, route or form in the table.
        UnitError: A strength unit that does not fit the drug's factor.
        InputError: An unknown option.

    >>> pf = prescription_factor("oxycodone", strength_unit="mg")
    >>> pf.factor, pf.quantity_kind, pf.banded
    (1.5, 'count', False)
    >>> pf = prescription_factor("fentanyl", strength_unit="mcg/h", route="transdermal")
    >>> pf.factor, pf.patch_days_rule, pf.days_per_unit
    (7.2, True, 3.0)
    """
    d = _drug(drug)
    r, f = _route_form(d, route, form)
    return _rule(d, strength_unit, r, f, table).factor


def _strength(value: object, drug: _Drug) -> _Amount:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        msg = f"strength={value!r} is a bare number: painrx never guesses a unit; give '10 mg'."
        raise UnitError(msg)
    return _amount(value, drug, "strength")


def _rx_volume(value: object) -> Fraction:
    if is_real(value):
        msg = (
            f"quantity={value!r} is a bare number, but this product is dispensed by volume: "
            "give it in mL (e.g. '2.5 mL'); painrx never guesses a unit."
        )
        raise UnitError(msg)
    q = quantity_arg(value, name="quantity", kinds="volume")
    return _t.exact(float(q.magnitude)) * _t.exact_factor(q._units, "mL")


def _prescription(
    drug: str,
    strength: object,
    quantity: object,
    days_supply: object,
    route: object,
    form: object,
    table: str,
    policy: ThresholdPolicy | None,
) -> MMEResult:
    d = _drug(drug)
    r, f = _route_form(d, route, form)
    amount = _strength(strength, d)
    rule = _rule(d, amount.unit, r, f, table)
    count = (
        _rx_volume(quantity)
        if rule.factor.quantity_kind == "volume"
        else _count(quantity, "quantity")
    )
    days = _days(days_supply)
    extra: tuple[Alert, ...] = ()
    if rule.days_per_unit is not None:
        normalised = count * rule.days_per_unit
        if normalised != days:
            extra = (_t.alert("days_supply_normalised"),)
        days = normalised
    strength_value = amount.value
    if rule.exact_factor is None:
        daily = strength_value * rule.scale * count / days
        factor = rule.entry.dose_factor(daily)
        value = daily * factor
    else:
        value = strength_value * count / days * rule.exact_factor
        factor = rule.exact_factor / rule.scale
        daily = strength_value * rule.scale
        if rule.days_per_unit is None:
            daily = daily * count / days
    _check_plausible(value, f"{drug} {amount.text} × {float(count):g} / {float(days):g} days")
    return _result(
        value=value,
        factor=factor,
        entry=rule.entry,
        daily=daily,
        route=r,
        form=f,
        days=days,
        policy=policy,
        extra=extra,
    )


def mme_prescription(
    drug: str | None = None,
    *,
    strength: str | Quantity | None = None,
    quantity: float | str | Quantity,
    days_supply: float | str | Quantity,
    route: str | None = None,
    form: str | None = None,
    table: str = "CDC_NDC_2018",
    thresholds: str | None = "CDC_2016",
    ndc: str | int | None = None,
) -> MMEResult:
    """Return MME/day of a prescription by the CDC file formula.

    ``strength per unit × (units ÷ days supply) × factor``. For a fentanyl patch the
    days supply is replaced by patches × 3 (one patch per 72 h), with alert
    ``days_supply_normalised`` when that changes the answer. For a combination
    product the strength is the opioid part (``"10 mg"`` or ``"10/325 mg"``).

    Args:
        drug: Ingredient, brand or combination product.
        strength: Strength per unit: ``"10 mg"``, ``"25 mcg/h"``, ``"10 mg/mL"``.
        quantity: Units dispensed (a number), or a volume (``"2.5 mL"``) for liquids
            and sprays whose strength is a concentration.
        days_supply: Days (a number > 0 or ``"30 day"``).
        route: Route; None: the product's, else oral.
        form: Dose form, where the table distinguishes forms.
        table: MME table id (default: the CDC file's own factors).
        thresholds: Threshold policy id, or None.
        ndc: Instead of ``drug`` and ``strength``, the product's NDC in any common
            spelling (``"00406-0552-01"``, ``"0054-0176-13"``, 11 digits): strength, unit,
            route and factor come from the CDC 2018 NDC file (table
            ``CDC_NDC_2018_PRODUCTS``); a liquid's quantity is in mL.

    Returns:
        The MME/day (``days_supply`` holds the days used after the patch rule); by NDC,
        ``.codes`` names the NDC and RxCUI and ``.product`` the product name.

    Raises:
        UnknownDrugError: Unknown drug.
        NoFactorError: No factor for the drug, route or form in the table.
        UnitError: A bare number for the strength or a volume, or a wrong unit kind.
        InputError: Zero or negative quantity or days supply, or above 10,000 MME/day.

    >>> mme_prescription("oxycodone", strength="10 mg", quantity=120, days_supply=30).value
    60.0
    >>> r = mme_prescription(
    ...     "fentanyl", strength="25 mcg/h", quantity=10, days_supply=30, route="transdermal"
    ... )
    >>> r.value, [a.code for a in r.alerts]
    (60.0, ['fentanyl_patch_caution', 'mme_threshold_50'])
    >>> mme_prescription(ndc="00228-2983-11", quantity=120, days_supply=30).value
    60.0
    """
    if ndc is not None:
        from painrx.opioids import _ndc

        _ndc.check_ndc_call(drug, strength, route, form, table)
        return _ndc.mme_ndc(ndc, quantity=quantity, days_supply=days_supply, thresholds=thresholds)
    if drug is None or strength is None:
        msg = "mme_prescription needs a drug and its strength, or an ndc=."
        raise InputError(msg)
    return _prescription(
        drug, strength, quantity, days_supply, route, form, table, _policy(thresholds)
    )


# --------------------------------------------------------------------------- totals


def total_mme(
    doses: Iterable[OpioidDose],
    *,
    table: str = "CDC_2022",
    thresholds: str | None = "CDC_2016",
) -> TotalMME:
    """Return the total MME/day of several concurrent doses.

    Args:
        doses: :class:`OpioidDose` items.
        table: MME table id.
        thresholds: Threshold policy id (alerts at ≥50 and ≥90 MME/day, inclusive,
            under ``CDC_2016``), or None.

    Returns:
        The total, one :class:`MMEResult` per dose, and alerts.

    Raises:
        InputError: An item that is not an :class:`OpioidDose`, or a total above
            10,000 MME/day; and anything :func:`mme` raises for an item.

    >>> t = total_mme([OpioidDose("oxycodone", "30 mg/day"), OpioidDose("morphine", "45 mg/day")])
    >>> t.value, [a.code for a in t.alerts]
    (90.0, ['mme_threshold_50', 'mme_threshold_90'])
    """
    policy = _policy(thresholds)
    items = []
    for item in _iterable(doses, "total_mme", "OpioidDose"):
        if not isinstance(item, OpioidDose):
            msg = f"total_mme takes OpioidDose items; got {item!r}."
            raise InputError(msg)
        items.append(
            mme(
                item.drug,
                item.dose,
                route=item.route,
                frequency=item.frequency,
                form=item.form,
                table=table,
                thresholds=None,
            )
        )
    total = sum((i.exact for i in items), Fraction(0))
    _check_plausible(total, "the total")
    alerts = [a for i in items for a in i.alerts]
    if policy is not None:
        alerts.extend(policy.alerts(total))
    return TotalMME(
        value=float(total),
        exact=total,
        items=tuple(items),
        table=table,
        thresholds=thresholds,
        source=_t.mme_table(table).source,
        alerts=dedupe_alerts(alerts),
    )


def _date(value: object, name: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        msg = f"{name}={value!r} must be a datetime.date."
        raise InputError(msg)
    return value


def mme_over_period(
    prescriptions: Iterable[Prescription],
    *,
    start: dt.date,
    end: dt.date,
    definition: str = "max_daily",
    table: str = "NIH_HEAL_2025",
    thresholds: str | None = "CDC_2016",
    buprenorphine: bool = True,
) -> PeriodMME:
    """Return MME/day over a period under one NIH HEAL (``mmequiv``) definition.

    Each prescription's daily MME comes from :func:`mme_prescription`; its total MME
    is daily MME × days supply. Definitions:

    * ``"total_days_supply"`` — total MME ÷ summed days supply (overlaps count twice);
    * ``"on_therapy_days"`` — total MME ÷ unique calendar days covered;
    * ``"fixed_window"`` — total MME ÷ days from ``start`` to ``end`` (inclusive);
    * ``"max_daily"`` — the sum of every prescription's 24-h MME.

    As in the NIH HEAL calculator, every prescription given counts in full: select
    the prescriptions of the period before calling. Prescriptions the table has no
    factor for (buprenorphine under CDC 2022), or buprenorphine when
    ``buprenorphine=False``, are listed in ``.excluded`` and count in no denominator.

    Args:
        prescriptions: :class:`Prescription` items.
        start: First day of the window (inclusive).
        end: Last day of the window (inclusive).
        definition: One of :data:`DEFINITIONS`.
        table: MME table id.
        thresholds: Threshold policy id for alerts on the value, or None.
        buprenorphine: Count buprenorphine prescriptions (the calculator reports with
            and without).

    Returns:
        The value, totals, items, exclusions and alerts.

    Raises:
        InputError: An unknown definition, ``end`` before ``start``, a non-date, or a
            non-:class:`Prescription` item; and anything :func:`mme_prescription` raises
            other than a missing factor.
    """
    first, last = _date(start, "start"), _date(end, "end")
    if last < first:
        msg = f"end={last} is before start={first}."
        raise InputError(msg)
    if definition not in DEFINITIONS:
        msg = f"Unknown definition {definition!r}; accepted: {', '.join(DEFINITIONS)}."
        raise InputError(msg)
    count_buprenorphine: object = buprenorphine
    if not isinstance(count_buprenorphine, bool):
        msg = f"buprenorphine={count_buprenorphine!r} must be True or False."
        raise InputError(msg)
    policy = _policy(thresholds)
    items: list[MMEResult] = []
    excluded: list[ExcludedPrescription] = []
    total = Fraction(0)
    days_sum = Fraction(0)
    covered: set[dt.date] = set()
    for rx in _iterable(prescriptions, "mme_over_period", "Prescription"):
        if not isinstance(rx, Prescription):
            msg = f"mme_over_period takes Prescription items; got {rx!r}."
            raise InputError(msg)
        day0 = _date(rx.start, "Prescription.start")
        if not buprenorphine and _drug(rx.drug).ingredient == "buprenorphine":
            excluded.append(
                ExcludedPrescription(rx, "buprenorphine excluded (buprenorphine=False)")
            )
            continue
        try:
            item = _prescription(
                rx.drug, rx.strength, rx.quantity, rx.days_supply, rx.route, rx.form, table, None
            )
        except NoFactorError as exc:
            excluded.append(ExcludedPrescription(rx, exc.message))
            continue
        days = _t.exact(item.days_supply or 0.0)
        items.append(item)
        total += item.exact * days
        days_sum += days
        covered.update(day0 + dt.timedelta(days=i) for i in range(math.ceil(days)))
    denominator: int | Fraction | None
    if definition == "max_daily":
        denominator = None
        value = sum((i.exact for i in items), Fraction(0))
    else:
        denominator = {
            "total_days_supply": days_sum,
            "on_therapy_days": Fraction(len(covered)),
            "fixed_window": Fraction((last - first).days + 1),
        }[definition]
        value = total / denominator if items else Fraction(0)
    _check_plausible(value, "the period")
    alerts = [a for i in items for a in i.alerts]
    if policy is not None:
        alerts.extend(policy.alerts(value))
    shown_days = None if denominator is None else _plain(denominator)
    return PeriodMME(
        value=float(value),
        exact=value,
        total_mme=float(total),
        definition=definition,
        denominator_days=shown_days,
        items=tuple(items),
        excluded=tuple(excluded),
        table=table,
        thresholds=thresholds,
        source=_t.mme_table(table).source,
        alerts=dedupe_alerts(alerts),
    )


def _plain(x: Fraction) -> int | float:
    return int(x) if x.denominator == 1 else float(x)


# --------------------------------------------------------------------------- conversion


def _target(drug: _Drug, to_route: object, default_route: str) -> tuple[str, str | None]:
    route = to_route if to_route is not None else (drug.route or default_route)
    return _route_form(drug, route, None)


def _refuse_unsafe_target(target: _Drug, route: str, method: OpioidMethod | None) -> None:
    if method is not None:
        return
    if target.ingredient == "methadone":
        msg = (
            "painrx does not convert to methadone with a fixed ratio or by inverting an MME "
            "factor: methadone's equivalence is non-linear. Use rotate(..., "
            "method='MSD_METHADONE') for a cited dose-banded method and specialist advice."
        )
        raise UnsafeConversionError(msg)
    if route == "transdermal" and target.ingredient not in _t.patch_ingredients():
        msg = (
            f"{target.ingredient} has no patch (transdermal) form in painrx's tables. "
            "to_route=None means the source's route: give the target's route, e.g. "
            "to_route='oral'."
        )
        raise InputError(msg)
    if route == "transdermal":
        msg = (
            f"painrx does not convert to a {target.ingredient} patch with a ratio: a patch "
            "target needs a label starting table. Use rotate(..., method='DURAGESIC_LABEL') "
            "(or 'FENTANYL_2_TO_1')."
        )
        raise UnsafeConversionError(msg)


@attrs.frozen
class _Converted:
    value: Fraction
    unit: str
    ratio: Fraction
    ratio_basis: str
    source: Provenance


def _convert(
    amount: _Amount,
    table: _t.RatioTable,
    src: tuple[str, str, str | None],
    tgt: tuple[str, str, str | None],
    *,
    daily: bool,
) -> _Converted:
    a, b, source = table.pair(src, tgt)
    ratio = a.potency / b.potency
    to_mg = _t.exact_factor(Q(1.0, b.unit)._units, "mg")
    if a.unit == "mcg/h":
        if amount.kind != "mass_rate":
            msg = f"A {src[0]} patch dose is a strength such as '25 mcg/h', not {amount.text!r}."
            raise UnitError(msg)
        per_day = _in(amount, "mcg/h") * ratio
        return _Converted(per_day, f"{b.unit}/day", ratio * to_mg, "mg/day per mcg/h", source)
    mg_scale = to_mg / _t.exact_factor(Q(1.0, a.unit)._units, "mg")
    if amount.kind == "mass" and not daily:
        return _Converted(
            _in(amount, a.unit) * ratio, b.unit, ratio * mg_scale, "mg per mg", source
        )
    if amount.kind == "mass_rate":
        time = "day" if daily else amount.unit.split("/")[-1]
        value = _in(amount, f"{a.unit}/{time}") * ratio
        return _Converted(value, f"{b.unit}/{time}", ratio * mg_scale, "mg per mg", source)
    expected = "a daily dose such as '60 mg/day'" if daily else "a dose such as '10 mg'"
    msg = f"dose={amount.text!r} is a {amount.kind.replace('_', ' ')}; expected {expected}."
    raise UnitError(msg)


def convert_opioid(
    drug: str,
    dose: str | Quantity,
    *,
    to: str,
    route: str | None = None,
    to_route: str | None = None,
    form: str | None = None,
    ratios: str = "CDC_2022",
) -> Conversion:
    """Return the equianalgesic dose of another opioid (or route) under a ratio table.

    This is the plain equivalence, with no cross-tolerance reduction: for a switch
    in a patient use :func:`rotate`. Only pairs the table states convert; painrx
    never chains equivalences or inverts an MME factor to reach methadone or a patch.

    Args:
        drug: Source drug (ingredient, brand or combination product).
        dose: A single dose (``"5 mg"``) or a rate (``"30 mg/day"``, ``"2 mg/h"``); the
            output keeps the same time basis. A patch source (``"25 mcg/h"``) gives a
            daily dose.
        to: Target drug.
        route: Source route; None: the product's, else oral.
        to_route: Target route; None: the same as ``route``.
        form: Source dose form, where the table distinguishes forms.
        ratios: Ratio table id (:func:`ratio_tables`).

    Returns:
        The dose, ratio, table, source and alerts.

    Raises:
        UnsafeConversionError: Methadone or a transdermal target (use :func:`rotate`
            with ``method=``); checked before any lookup.
        NoFactorError: The table has no stated equivalence for this pair.
        UnknownDrugError: Unknown drug.
        UnitError: A dose of the wrong kind.

    >>> convert_opioid("morphine", "30 mg", to="morphine", to_route="iv", ratios="MSD_MANUAL").dose
    <Quantity(10.0, 'mg')>
    >>> c = convert_opioid("oxycodone", "5 mg", to="morphine", route="iv", to_route="iv",
    ...                    ratios="SEED")
    >>> c.dose, c.ratio
    (<Quantity(5.0, 'mg')>, 1.0)
    """
    src, tgt = _drug(drug), _drug(to)
    r, f = _route_form(src, route, form)
    tr, tf = _target(tgt, to_route, r)
    _refuse_unsafe_target(tgt, tr, None)
    table = _t.ratio_table(ratios)
    amount = _amount(dose, src, "dose")
    _check_dose_plausible(src, r, f, amount)
    done = _convert(amount, table, (src.ingredient, r, f), (tgt.ingredient, tr, tf), daily=False)
    alerts = (
        tuple(_t.alert(code) for code in table.alerts)
        + _t.drug_alerts(src.ingredient, r)
        + _t.drug_alerts(tgt.ingredient, tr)
    )
    return Conversion(
        dose=Q(float(done.value), done.unit),
        exact=done.value,
        ratio=float(done.ratio),
        ratio_basis=done.ratio_basis,
        drug=src.ingredient,
        route=r,
        input=Q(float(amount.value), amount.unit),
        to=tgt.ingredient,
        to_route=tr,
        table=table.id,
        source=table.source,
        ratio_source=done.source,
        alerts=dedupe_alerts(alerts),
    )


# --------------------------------------------------------------------------- rotation


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


def _daily_amount(amount: _Amount, frequency: object, route: str) -> _Amount:
    if amount.kind == "mass_rate":
        if frequency is not None and route == "transdermal":
            # A patch's frequency is its change interval: checked, never multiplied (as mme).
            _per_day(frequency)
        elif frequency is not None:
            msg = f"dose={amount.text!r} is already a rate; give frequency= only with '10 mg'."
            raise InputError(msg)
        return amount
    if amount.kind == "mass" and frequency is not None:
        per_day = amount.value * _per_day(frequency)
        unit = f"{amount.unit}/day"
        return _Amount(per_day, Q(1.0, unit)._units, unit, "mass_rate", amount.text)
    msg = (
        f"rotate needs a 24-h dose: dose={amount.text!r} must be a daily rate "
        "('60 mg/day'), a patch strength ('25 mcg/h'), or a dose with frequency=."
    )
    raise InputError(msg)


def _method_target(method: OpioidMethod, target: _Drug, to_route: object) -> str:
    if target.ingredient != method.target:
        msg = f"{method.id} converts to {method.target}, not to {target.ingredient}."
        raise InputError(msg)
    route, _ = _route_form(target, to_route if to_route is not None else method.target_route, None)
    if route != method.target_route:
        msg = f"{method.id} gives {method.target} by the {method.target_route} route, not {route}."
        raise InputError(msg)
    return route


def rotate(
    drug: str,
    dose: str | Quantity,
    *,
    to: str,
    route: str | None = None,
    to_route: str | None = None,
    form: str | None = None,
    frequency: str | float | None = None,
    ratios: str = "CDC_2022",
    method: str | None = None,
    cross_tolerance_reduction: float = 0.25,
    breakthrough_fraction: tuple[float, float] = (0.10, 0.20),
) -> Rotation:
    """Suggest a rotation: equianalgesic dose, cross-tolerance reduction, breakthrough.

    Without ``method``: the equianalgesic 24-h dose under ``ratios``, reduced by
    ``cross_tolerance_reduction`` (25% by default, explicit), and a breakthrough dose
    of 10–20% of the reduced 24-h dose per administration (NCCN).

    With ``method`` (required for methadone or a patch target): the source is first
    converted to oral morphine mg/day under ``ratios``, then the method's dose bands
    give the target dose and the method's own reduction replaces
    ``cross_tolerance_reduction`` (``MSD_METHADONE``: 75–90%; patch methods round
    down to a marketed strength and refuse below 60 mg/day of oral morphine). The
    breakthrough dose is then oral morphine, from the oral morphine equivalent of the
    recommended dose. For a change of route of the same drug, :func:`convert_opioid`
    gives the equivalent dose without a cross-tolerance reduction.

    Args:
        drug: Source drug.
        dose: Source 24-h dose (``"60 mg/day"``), a patch strength, or a single dose
            with ``frequency``.
        to: Target drug.
        route: Source route; None: the product's, else oral.
        to_route: Target route; None: the method's route, else the same as ``route``.
        form: Source dose form, where the table distinguishes forms.
        frequency: Administrations per day for a single-dose ``dose``.
        ratios: Ratio table id.
        method: ``"MSD_METHADONE"``, ``"DURAGESIC_LABEL"`` or ``"FENTANYL_2_TO_1"``.
        cross_tolerance_reduction: Fraction removed from the equianalgesic dose
            (0 ≤ x < 1); replaced by the method's reduction when ``method`` is given.
        breakthrough_fraction: (low, high) fractions of the 24-h dose per breakthrough
            administration.

    Returns:
        The rotation, with alerts and source.

    Raises:
        UnsafeConversionError: Methadone or a patch target without ``method``; a patch
            for a patient below the opioid-tolerance threshold.
        NoFactorError: The ratio table has no stated equivalence for this pair.
        InputError: A method that does not fit the target, bad fractions, no 24-h dose.

    >>> r = rotate("oxycodone", "40 mg/day", to="morphine", ratios="SEED")
    >>> r.equianalgesic, r.recommended, r.breakthrough
    (<Quantity(80.0, 'mg/day')>, <Quantity(60.0, 'mg/day')>, (<Quantity(6.0, 'mg')>, <Quantity(12.0, 'mg')>))
    """
    src, tgt = _drug(drug), _drug(to)
    r, f = _route_form(src, route, form)
    chosen = _t.method(method) if method is not None else None
    if chosen is not None:
        tr = _method_target(chosen, tgt, to_route)
        tf = "patch" if tr == "transdermal" else None
    else:
        tr, tf = _target(tgt, to_route, r)
    _refuse_unsafe_target(tgt, tr, chosen)
    low_bt, high_bt = _breakthrough_args(breakthrough_fraction)
    reduction = _fraction_arg(cross_tolerance_reduction, "cross_tolerance_reduction", zero_ok=True)
    table = _t.ratio_table(ratios)
    amount = _daily_amount(_amount(dose, src, "dose"), frequency, r)
    _check_dose_plausible(src, r, f, amount)
    alerts = _t.drug_alerts(src.ingredient, r) + _t.drug_alerts(tgt.ingredient, tr)
    if chosen is None:
        done = _convert(amount, table, (src.ingredient, r, f), (tgt.ingredient, tr, tf), daily=True)
        recommended = done.value * (1 - reduction)
        mass = done.unit.split("/")[0]
        return Rotation(
            drug=src.ingredient,
            route=r,
            dose=_rate(amount),
            to=tgt.ingredient,
            to_route=tr,
            equianalgesic=Q(float(done.value), done.unit),
            recommended=Q(float(recommended), done.unit),
            recommended_range=(Q(float(recommended), done.unit),) * 2,
            reduction=(float(reduction), float(reduction)),
            breakthrough=(
                Q(float(recommended * low_bt), mass),
                Q(float(recommended * high_bt), mass),
            ),
            breakthrough_drug=tgt.ingredient,
            breakthrough_route=tr,
            table=table.id,
            method=None,
            source=table.source,
            alerts=dedupe_alerts(tuple(_t.alert(c) for c in table.alerts) + alerts),
        )
    return _rotate_by_method(src, r, f, tgt, tr, amount, table, chosen, (low_bt, high_bt), alerts)


def _rate(amount: _Amount) -> Quantity:
    return Q(float(amount.value), amount.unit)


def _rotate_by_method(
    src: _Drug,
    route: str,
    form: str | None,
    tgt: _Drug,
    to_route: str,
    amount: _Amount,
    table: _t.RatioTable,
    method: OpioidMethod,
    breakthrough: tuple[Fraction, Fraction],
    alerts: tuple[Alert, ...],
) -> Rotation:
    if (src.ingredient, route) == (_MORPHINE, _ORAL) and amount.kind == "mass_rate":
        morphine = _in(amount, "mg/day")
    else:
        done = _convert(
            amount, table, (src.ingredient, route, form), (_MORPHINE, _ORAL, None), daily=True
        )
        morphine = done.value * _t.exact_factor(Q(1.0, done.unit)._units, "mg/day")
        alerts = tuple(_t.alert(c) for c in table.alerts) + alerts
    shown = f"{float(morphine):g} mg/day of oral morphine"
    _check_plausible(morphine, shown)
    alerts += tuple(_t.alert(c) for c in method.alerts)
    if method.output == "mcg/h":
        facts = _t.patch_facts(method.target)
        if morphine < facts.minimum_morphine:
            msg = (
                f"{shown} is below {float(facts.minimum_morphine):g} mg/day: {method.target} "
                "patches are for opioid-tolerant patients only, so painrx gives no starting "
                f"strength ({facts.source.citation})."
            )
            raise UnsafeConversionError(msg)
    equianalgesic = method.apply(morphine)
    if equianalgesic is None:
        msg = (
            f"{shown} is outside the bands of {method.id}, which cover "
            f"{method.describe_range()} mg/day of oral morphine; painrx does not extrapolate "
            "a starting table."
        )
        raise UnsafeConversionError(msg)
    least, most = method.reduction
    if method.output == "mcg/h":
        high = low = facts.round_down(equianalgesic * (1 - least))
        if low == 0:
            msg = f"{shown} gives less than the smallest {method.target} patch under {method.id}."
            raise UnsafeConversionError(msg)
    else:
        low, high = equianalgesic * (1 - most), equianalgesic * (1 - least)
    if method.band_value == "strength":
        morphine_equivalent = min(morphine, method.least_morphine(low))
    else:
        morphine_equivalent = morphine * low / equianalgesic
    unit = method.output
    return Rotation(
        drug=src.ingredient,
        route=route,
        dose=_rate(amount),
        to=tgt.ingredient,
        to_route=to_route,
        equianalgesic=Q(float(equianalgesic), unit),
        recommended=Q(float(low), unit),
        recommended_range=(Q(float(low), unit), Q(float(high), unit)),
        reduction=(float(least), float(most)),
        breakthrough=(
            Q(float(morphine_equivalent * breakthrough[0]), "mg"),
            Q(float(morphine_equivalent * breakthrough[1]), "mg"),
        ),
        breakthrough_drug=_MORPHINE,
        breakthrough_route=_ORAL,
        table=table.id,
        method=method.id,
        source=method.source,
        alerts=dedupe_alerts(alerts),
    )


# --------------------------------------------------------------------------- listings


def mme_tables() -> tuple[Provenance, ...]:
    """Return the provenance of every MME factor table, by id.

    >>> [p.id for p in mme_tables()]
    ['ANZCA_2021', 'CDC_2016', 'CDC_2022', 'CDC_NDC_2018', 'NIH_HEAL_2025']
    """
    return tuple(_t.mme_table(i).source for i in _t.mme_table_ids())


def ratio_tables() -> tuple[Provenance, ...]:
    """Return the provenance of every equianalgesic ratio table, by id.

    >>> [p.id for p in ratio_tables()]
    ['ANZCA_2021', 'BNF', 'CDC_2022', 'MSD_MANUAL', 'SEED']
    """
    return tuple(_t.ratio_table(i).source for i in _t.ratio_table_ids())


def rotation_methods() -> tuple[Provenance, ...]:
    """Return the provenance of every rotation method, by id.

    >>> [p.id for p in rotation_methods()]
    ['DURAGESIC_LABEL', 'FENTANYL_2_TO_1', 'MSD_METHADONE']
    """
    return tuple(_t.method(i).source for i in _t.method_ids())


def rotation_method(method_id: str) -> OpioidMethod:
    """Return one rotation method (its bands, step, ratio and reduction) by id.

    Raises:
        InputError: No method has that id.

    >>> m = rotation_method("MSD_METHADONE")
    >>> m.target, m.output, [float(r) for r in m.reduction]
    ('methadone', 'mg/day', [0.75, 0.9])
    """
    return _t.method(method_id)


def threshold_policies() -> tuple[ThresholdPolicy, ...]:
    """Return every MME/day threshold policy, by id.

    >>> [(p.id, [float(lv.mme) for lv in p.levels]) for p in threshold_policies()]
    [('CDC_2016', [50.0, 90.0]), ('UK_OPENPRESCRIBING_2025', [90.0])]
    """
    return tuple(_t.threshold_policy(i) for i in _t.threshold_ids())


def threshold_policy(policy_id: str) -> ThresholdPolicy:
    """Return one threshold policy by id.

    Raises:
        InputError: No policy has that id.
    """
    return _t.threshold_policy(policy_id)


def mme_factors(table: str | None = None) -> tuple[FactorRow, ...]:
    """Return every factor of one MME table (or of all), for review and documentation.

    Args:
        table: A table id, or None for every table.

    Raises:
        InputError: An unknown table id.

    >>> [(r.ingredient, r.factor) for r in mme_factors("CDC_2022")][:3]
    [('codeine', '0.15'), ('fentanyl', '2.4'), ('hydrocodone', '1')]
    """
    ids = _t.mme_table_ids() if table is None else (_t.mme_table(table).id,)
    return tuple(
        FactorRow(
            table=entry.table,
            ingredient=entry.ingredient,
            routes="/".join(sorted(entry.routes)),
            forms="/".join(sorted(entry.forms)) if entry.forms else "",
            basis=entry.basis,
            factor=entry.describe(),
            source=entry.source.id,
        )
        for tid in ids
        for entry in _t.mme_table(tid).entries
    )
