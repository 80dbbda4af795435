"""MME for risk screening: one dose, one prescription, concurrent doses, a period.

Public face: :mod:`painrx.opioids`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from fractions import Fraction
from functools import lru_cache
from typing import Any, Final, cast

import attrs

from painrx import catalog
from painrx.errors import Alert, InputError, NoFactorError, UnitError, dedupe_alerts
from painrx.opioids import _tables as _t
from painrx.opioids._inputs import (
    _Amount,
    _amount,
    _change_days,
    _check_drug_mass,
    _check_patch_rate,
    _check_plausible,
    _count,
    _date,
    _days,
    _Drug,
    _drug,
    _frequency_alerts,
    _in,
    _iterable,
    _patch_frequency,
    _per_day,
    _policy,
    _route_form,
    _unit_dose_alerts,
)
from painrx.opioids._ndc import NDC_PRODUCTS, ndc_product
from painrx.opioids._results import (
    CodedMMEResult,
    ExcludedPrescription,
    FactorRow,
    MMEResult,
    OpioidDose,
    PeriodMME,
    Prescription,
    PrescriptionFactor,
    TotalMME,
)
from painrx.opioids._tables import ThresholdPolicy
from painrx.provenance import Provenance
from painrx.types import MMETable, PeriodDefinition, ThresholdPolicyId
from painrx.units import Q, Quantity, format_units, is_real, kind_of, quantity_arg

__all__ = [
    "DEFAULT_MME_TABLE",
    "DEFINITIONS",
    "mme",
    "mme_factors",
    "mme_over_period",
    "mme_prescription",
    "mme_tables",
    "prescription_factor",
    "threshold_policies",
    "threshold_policy",
    "total_mme",
]

#: The MME table every MME entry point uses unless told otherwise: the current CDC
#: guideline's factors (CDC 2022), with the CDC file formula where a prescription gives
#: quantity and days supply. The other tables are kept by name (:func:`mme_tables`).
DEFAULT_MME_TABLE: Final = "CDC_2022"

# The contract names a per-administration factor basis for transmucosal products: their
# factor multiplies micrograms (per dose), not a daily rate.
_SHOWN_BASIS: Final = {"mcg/day": "mcg"}

#: The NIH HEAL / ``mmequiv`` MME/day definitions :func:`mme_over_period` accepts.
DEFINITIONS: Final = ("total_days_supply", "on_therapy_days", "fixed_window", "max_daily")


# --------------------------------------------------------------------------- MME


def _entry(table: object, ingredient: str, route: str, form: str | None) -> _t.FactorEntry:
    if not isinstance(table, str):
        _t.mme_table(table)  # refuses it with the list of table ids
    return _cached_entry(cast("str", table), ingredient, route, form)


@lru_cache(maxsize=4096)
def _cached_entry(table: str, ingredient: str, route: str, form: str | None) -> _t.FactorEntry:
    return _t.mme_table(table).lookup(ingredient, route, form)


def _daily(
    entry: _t.FactorEntry, amount: _Amount, frequency: object, drug: _Drug
) -> tuple[Fraction, tuple[Alert, ...]]:
    """Return the daily dose in the entry's basis, and alerts on how it was read."""
    if entry.basis == "mcg/h":
        if amount.kind != "mass_rate":
            msg = (
                f"{drug.ingredient} by the transdermal route is dosed by patch strength, a "
                f"rate such as '25 mcg/h'; {amount.text!r} is a {amount.kind.replace('_', ' ')}."
            )
            raise UnitError(msg)
        _check_patch_rate(amount.unit, drug.ingredient, f"dose={amount.text!r}")
        return _in(amount, "mcg/h"), _patch_frequency(frequency, drug.ingredient)
    return _dose_per_day(entry, amount, frequency), _frequency_alerts(frequency)


def _dose_per_day(entry: _t.FactorEntry, amount: _Amount, frequency: object) -> Fraction:
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
        factor_basis=_SHOWN_BASIS.get(entry.basis, entry.basis),
        daily_dose_value=float(daily),
        days_supply=float(days) if days is not None else None,
        table=entry.table,
        source=table.source,
        factor_source=entry.source,
        alerts=alerts,
    )


def mme(
    drug: str | None = None,
    dose: str | Quantity | float | None = None,
    *,
    route: str | None = None,
    frequency: str | float | None = None,
    form: str | None = None,
    table: MMETable = DEFAULT_MME_TABLE,
    thresholds: ThresholdPolicyId | None = "CDC_2016",
    rxcui: str | int | None = None,
) -> MMEResult:
    """Return the morphine milligram equivalents per day of one dose (risk screening).

    MME estimates overdose risk; it is **not** a way to choose the dose of another
    opioid (use :func:`rotate`).

    Args:
        drug: Ingredient, brand or combination product (``"oxycodone"``, ``"Norco"``),
            or a product with its strength (``"Percocet 10/325 mg"``; without a unit
            the strengths are read in mg, with alert ``strength_read_as_mg``).
        dose: A daily dose (``"30 mg/day"``), one administration with ``frequency``
            (``"10 mg"``; ``"5/325 mg"`` for a combination, which must be a marketed
            strength), or a patch strength per hour as labelled (``"25 mcg/h"``; a
            patch per day or per minute is refused as a 24- or 60-fold slip). One oral
            administration more than 10 times below the smallest (or above the
            largest) marketed oral unit strength raises the MAJOR alert
            ``dose_below_marketed_strength`` (``dose_above_marketed_strength``): check
            mg vs mcg. For a drug that names its strength: the number of units per
            administration (None: 1).
        route: Route (``"oral"``, ``"transdermal"``, ``"rectal"``…); None: the
            product's, else oral.
        frequency: ``"QD"``, ``"BID"``, ``"q6h"``, ``"every 4 hours"``, ``"4 times a
            day"``… or a number per day. An as-needed order (``"q4h PRN"``) or a range
            (``"q4-6h"``) counts at its most, with alert ``prn_counted_at_maximum``. A
            patch strength is already a rate: its frequency is the change interval,
            never a multiplier (more than once a day is refused; an interval other
            than the cited one raises ``patch_change_interval``).
        form: Dose form, where the table distinguishes forms (transmucosal fentanyl).
        table: MME table id (:func:`mme_tables`); default :data:`DEFAULT_MME_TABLE`.
        thresholds: Threshold policy id for alerts on this dose alone, or None.
        rxcui: Instead of ``drug``, an RxNorm code: an opioid ingredient (``7804``; then
            ``dose`` is an amount) or an opioid drug (``1049621``, oxycodone 5 mg tablet;
            then ``dose`` is the number of units per administration, None: 1, or the
            volume of a liquid, ``"5 mL"``). The result is a :class:`CodedMMEResult`
            naming the codes.

    Returns:
        The MME/day with its factor, table, source and alerts.

    Raises:
        UnknownDrugError: The drug is not in the catalog.
        NoFactorError: The table has no factor for the drug, route or form.
        UnitError: A dose of the wrong kind (mg where a patch needs mcg/h), or a
            patch strength not per hour.
        InputError: A non-positive dose, missing frequency, an unknown option, a
            combination strength that is not marketed, or a result above 10,000
            MME/day.

    >>> mme("hydrocodone/acetaminophen", "5/325 mg", frequency="QID").value
    20.0
    >>> mme("fentanyl", "25 mcg/h", route="transdermal").value
    60.0
    >>> mme("hydromorphone", "4 mg", frequency="q6h", table="CDC_2016").value
    64.0
    >>> r = mme("Percocet 10/325 mg", 2, frequency="q6h PRN")
    >>> r.value, [a.code for a in r.alerts]
    (120.0, ['prn_counted_at_maximum', 'mme_threshold_50', 'mme_threshold_90'])
    >>> r = mme(rxcui=1049621, frequency="q6h")
    >>> r.value, [c.code for c in r.codes]
    (30.0, ['1049621', '7804'])
    """
    if rxcui is not None or drug is None:
        med, opioid = _coded(drug, rxcui, "mme")
        if form is not None and med.strengths:
            msg = f"Give either form= or rxcui={rxcui!r}: the code names the dose form."
            raise InputError(msg)
        result = mme(
            opioid,
            _coded_dose(med, opioid, dose),
            route=route or med.route,
            frequency=frequency,
            form=form or med.form,
            table=table,
            thresholds=thresholds,
        )
        return CodedMMEResult(
            **attrs.asdict(result, recurse=False), codes=med.codes, product=med.text
        )
    d = _drug(drug)
    r, f = _route_form(d, route, form)
    entry = _entry(table, d.ingredient, r, f)
    amount = _amount(dose, d, "dose")
    daily, read = _daily(entry, amount, frequency, d)
    if d.strength is None:
        read += _unit_dose_alerts(d.ingredient, amount, r)
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
        extra=d.alerts + read,
    )


# --------------------------------------------------------------------------- by RxCUI


def _coded(drug: object, rxcui: object, what: str) -> tuple[catalog.ParsedMedication, str]:
    """Return the medication an RxCUI denotes and its opioid ingredient.

    Raises:
        InputError: Both or neither of a drug and an RxCUI, or a code of no opioid.
        UnknownCodeError: A code painrx does not know or cannot read whole.
    """
    if (drug is None) == (rxcui is None):
        msg = f"{what} needs a drug or an rxcui={' (not both)' if drug is not None else ''}."
        raise InputError(msg)
    med = catalog.parse_medication(rxcui=cast("str | int", rxcui))
    opioid = next((i for i in med.product.ingredients if catalog.in_class(i, "opioid")), None)
    if opioid is None:
        msg = f"rxcui={rxcui!r} ({med.text}) contains no opioid; MME is for opioids only."
        raise InputError(msg)
    return med, opioid


def _coded_dose(
    med: catalog.ParsedMedication, opioid: str, dose: str | Quantity | float | None
) -> str | Quantity | float | None:
    """Return one administration's opioid amount: units (or a liquid's volume) × strength.

    An ingredient code names no strength: ``dose`` is then the amount, as by name.

    Raises:
        InputError: An amount given for a drug code whose strength is per unit.
        UnitError: A liquid's dose that is not a volume.
    """
    if not med.strengths:
        return dose
    strength = med.strengths[med.product.ingredients.index(opioid)]
    if kind_of(strength) == "concentration":
        volume = quantity_arg(dose, name="dose", kinds="volume")
        return cast("Quantity", (strength * volume).to("mg"))
    if dose is None:
        return strength
    if not is_real(dose) or not float(cast("float", dose)) > 0:
        msg = (
            f"dose={dose!r}: the code names the strength ({format(strength)} per unit); "
            "give dose as the number of units per administration (e.g. 1 or 2)."
        )
        raise InputError(msg)
    return cast("Quantity", strength * float(cast("float", dose)))


# --------------------------------------------------------------------------- prescriptions


@attrs.frozen
class _RxRule:
    """How one (drug, strength unit, route, form, table) turns a prescription into MME/day.

    Either the file formula (``strength × quantity / days × exact_factor``, with the
    patch days rule when ``days_per_unit`` is set), a dose-banded factor decided per
    row (``exact_factor`` None), or a patch counted as written (``per_day``: MME/day
    per strength unit, whatever the quantity).
    """

    factor: PrescriptionFactor
    entry: _t.FactorEntry
    scale: Fraction
    exact_factor: Fraction | None
    days_per_unit: Fraction | None
    per_day: Fraction | None = None
    unit_alerts: tuple[Alert, ...] = ()


def _patch_days(table: str, entry: _t.FactorEntry) -> Fraction:
    if entry.days_per_unit is not None:
        return entry.days_per_unit
    days = _change_days(entry.ingredient)
    if days is not None:
        return days
    msg = (
        f"{table}: the prescription formula needs a days-supply rule for "
        f"{entry.ingredient} patches, and {table} states none; painrx cites one only for "
        "fentanyl (CDC file: one patch per 72 h). Use mme() with the patch strength, or "
        "NIH_HEAL_2025, which counts a patch's days supply as written."
    )
    raise InputError(msg)


@attrs.frozen
class _Scaled:
    """A strength unit against a factor entry: quantity kind, unit scale, factors."""

    quantity_kind: str
    scale: Fraction
    formula: Fraction | None
    days: Fraction | None = None
    per_day: Fraction | None = None


def _patch_scale(table: str, entry: _t.FactorEntry, units: Any, strength_unit: str) -> _Scaled:
    if kind_of(units) != "mass_rate":
        msg = (
            f"A {entry.ingredient} patch strength is a rate such as '25 mcg/h'; "
            f"strength_unit={strength_unit!r} is not."
        )
        raise UnitError(msg)
    _check_patch_rate(format_units(units), entry.ingredient, f"strength_unit={strength_unit!r}")
    scale = _t.exact_factor(units._units, "mcg/h")
    if entry.days_as_written is not None:
        return _Scaled("count", scale, None, per_day=entry.dose_factor(Fraction(1)) * scale)
    days = _patch_days(table, entry)
    return _Scaled("count", scale, entry.dose_factor(Fraction(1)) * days * scale, days)


def _dose_scale(entry: _t.FactorEntry, units: Any, strength_unit: str) -> _Scaled:
    kind = kind_of(units)
    if kind not in {"mass", "concentration"}:
        msg = (
            f"strength_unit={strength_unit!r} is not a strength: give a mass per unit "
            "('mg', 'mcg'), a concentration ('mg/mL') or a patch rate ('mcg/h')."
        )
        raise UnitError(msg)
    mass = entry.basis.split("/")[0]
    target = mass if kind == "mass" else f"{mass}/mL"
    scale = _t.exact_factor(units._units, target)
    formula = None if entry.banded else entry.dose_factor(Fraction(1)) * scale
    return _Scaled("count" if kind == "mass" else "volume", scale, formula)


@lru_cache(maxsize=4096)
def _rx_rule(
    ingredient: str, strength_unit: str, route: str, form: str | None, table: str
) -> _RxRule:
    entry = _entry(table, ingredient, route, form)
    units = Q(1.0, strength_unit)
    unit = format_units(units)
    _check_drug_mass(unit, "strength_unit", strength_unit)
    # "oxycodone ... mcg": no oral tablet is labelled so; said per key, so the batch
    # path (which reads this factor's alerts) and mme_prescription agree.
    unit_alerts = catalog.check_strength_unit(ingredient, strength_unit, route)
    scaled = (
        _patch_scale(table, entry, units, strength_unit)
        if entry.basis == "mcg/h"
        else _dose_scale(entry, units, strength_unit)
    )
    factor = PrescriptionFactor(
        ingredient=ingredient,
        factor=float(scaled.formula) if scaled.formula is not None else math.nan,
        strength_unit=unit,
        quantity_kind=scaled.quantity_kind,
        banded=scaled.formula is None,
        patch_days_rule=scaled.days is not None,
        alerts=_t.drug_alerts(ingredient, route) + unit_alerts,
        table=table,
        source=entry.source,
        days_per_unit=float(scaled.days) if scaled.days is not None else None,
    )
    return _RxRule(
        factor, entry, scaled.scale, scaled.formula, scaled.days, scaled.per_day, unit_alerts
    )


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
    table: str = DEFAULT_MME_TABLE,
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
        table: MME table id; default :data:`DEFAULT_MME_TABLE`.

    Returns:
        The factor, the quantity kind (count or volume), whether the factor is banded,
        the patch rule, drug alerts and the source.

    Raises:
        UnknownDrugError: Unknown drug.
        NoFactorError: No factor for the drug, route or form in the table.
        UnitError: A strength unit that does not fit the drug's factor, or a patch
            strength unit not per hour (patches are labelled in mcg/h).
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
    found = _rule(d, strength_unit, r, f, table).factor
    # How the drug text was read (strength_read_as_mg) is said per key, as the scalar does.
    return attrs.evolve(found, alerts=found.alerts + d.alerts) if d.alerts else found


def _strength(value: object, drug: _Drug) -> _Amount:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        msg = f"strength={value!r} is a bare number: painrx never guesses a unit; give '10 mg'."
        raise UnitError(msg)
    named = drug.strength
    if named is None:
        return _amount(value, drug, "strength")
    given = _amount(value, attrs.evolve(drug, strength=None), "strength")
    if given.unit != named.unit or given.value != named.value:
        msg = (
            f"strength={value!r} contradicts the strength {drug.name!r} names "
            f"({named.text} of {drug.ingredient}); give one of them."
        )
        raise InputError(msg)
    return given


def _rx_volume(value: object) -> Fraction:
    if is_real(value):
        msg = (
            f"quantity={value!r} is a bare number, but this product is dispensed by volume: "
            "give it in mL (e.g. '2.5 mL'); painrx never guesses a unit."
        )
        raise UnitError(msg)
    q = quantity_arg(value, name="quantity", kinds="volume")
    return _t.exact(float(q.magnitude)) * _t.exact_factor(q._units, "mL")


@attrs.frozen
class _Daily:
    """One prescription's MME/day and how it was reached."""

    value: Fraction
    factor: Fraction
    daily: Fraction
    days: Fraction
    alerts: tuple[Alert, ...] = ()


def _apply_rule(rule: _RxRule, strength: Fraction, count: Fraction, days: Fraction) -> _Daily:
    """Apply one rule to a strength (in the rule's unit), a quantity and a days supply."""
    if rule.per_day is not None:
        # Counted as written (NIH HEAL): one patch at a time, strength × factor a day.
        return _Daily(
            strength * rule.per_day, rule.per_day / rule.scale, strength * rule.scale, days
        )
    alerts: tuple[Alert, ...] = ()
    if rule.days_per_unit is not None:
        normalised = count * rule.days_per_unit
        if normalised != days:
            alerts = (_t.alert("days_supply_normalised"),)
        days = normalised
    if rule.exact_factor is None:
        daily = strength * rule.scale * count / days
        factor = rule.entry.dose_factor(daily)
        return _Daily(daily * factor, factor, daily, days, alerts)
    value = strength * count / days * rule.exact_factor
    daily = strength * rule.scale
    if rule.days_per_unit is None:
        daily = daily * count / days
    return _Daily(value, rule.exact_factor / rule.scale, daily, days, alerts)


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
    done = _apply_rule(rule, amount.value, count, _days(days_supply))
    shown = f"{drug} {amount.text} × {float(count):g} / {float(done.days):g} days"
    _check_plausible(done.value, shown)
    return _result(
        value=done.value,
        factor=done.factor,
        entry=rule.entry,
        daily=done.daily,
        route=r,
        form=f,
        days=done.days,
        policy=policy,
        extra=d.alerts + rule.unit_alerts + done.alerts,
    )


def mme_prescription(
    drug: str | None = None,
    *,
    strength: str | Quantity | None = None,
    quantity: float | str | Quantity,
    days_supply: float | str | Quantity,
    route: str | None = None,
    form: str | None = None,
    # str, not MMETable: with ndc=, the CDC file's product table (CDC_NDC_2018_PRODUCTS)
    # is accepted too, and NDC callers pass ids they read from files.
    table: str = DEFAULT_MME_TABLE,
    thresholds: str | None = "CDC_2016",
    ndc: str | int | None = None,
    rxcui: str | int | None = None,
) -> MMEResult:
    """Return MME/day of a prescription by the CDC file formula.

    ``strength per unit × (units ÷ days supply) × factor``, with the factors of
    ``table`` (default :data:`DEFAULT_MME_TABLE`, the CDC 2022 guideline's; pass
    ``table="CDC_NDC_2018"`` for the file's own). For a fentanyl patch the days supply
    is replaced by patches × 3 (one patch per 72 h, the CDC file's rule), with alert
    ``days_supply_normalised`` when that changes the answer; under ``NIH_HEAL_2025`` a
    patch's days supply counts as written (strength × factor a day, the HEAL
    calculator's convention). For a combination product the strength is the opioid
    part (``"10 mg"`` or ``"10/325 mg"``).

    Args:
        drug: Ingredient, brand or combination product.
        strength: Strength per unit: ``"10 mg"``, ``"25 mcg/h"``, ``"10 mg/mL"``.
        quantity: Units dispensed (a number), or a volume (``"2.5 mL"``) for liquids
            and sprays whose strength is a concentration.
        days_supply: Days (a number > 0 or ``"30 day"``).
        route: Route; None: the product's, else oral.
        form: Dose form, where the table distinguishes forms.
        table: MME table id.
        thresholds: Threshold policy id, or None.
        ndc: Instead of ``drug`` and ``strength``, the product's NDC in any common
            spelling (``"00228-2983-11"``, ``"0054-0176-13"``, 11 digits): the CDC 2018
            NDC file gives its ingredient, strength, route and form (a liquid's quantity
            is in mL); with ``table="CDC_NDC_2018"`` also the file's own per-product
            factor (result table ``CDC_NDC_2018_PRODUCTS``).
        rxcui: Instead of ``drug``, an RxNorm code: an opioid drug (its strength, form
            and route come from the code; a liquid's quantity is a volume) or an opioid
            ingredient (then ``strength`` is needed). The result names the codes.

    Returns:
        The MME/day (``days_supply`` holds the days used after the patch rule); by NDC,
        ``.codes`` names the NDC and RxCUI and ``.product`` the product name.

    Raises:
        UnknownDrugError: Unknown drug.
        NoFactorError: No factor for the drug, route or form in the table.
        UnitError: A bare number for the strength or a volume, or a wrong unit kind.
        InputError: Zero or negative quantity or days supply, above 10,000 MME/day, or
            a patch under a table with no days-supply rule for it.

    >>> mme_prescription("oxycodone", strength="10 mg", quantity=120, days_supply=30).value
    60.0
    >>> r = mme_prescription(
    ...     "fentanyl", strength="25 mcg/h", quantity=10, days_supply=30, route="transdermal"
    ... )
    >>> r.value, [a.code for a in r.alerts]
    (60.0, ['fentanyl_patch_caution', 'mme_threshold_50'])
    >>> mme_prescription(ndc="00228-2983-11", quantity=120, days_supply=30).value
    60.0
    >>> mme_prescription(ndc="0093-6900-45", quantity=10, days_supply=30, table="CDC_NDC_2018").table
    'CDC_NDC_2018_PRODUCTS'
    """
    if ndc is not None:
        _check_ndc_call(drug, strength, route, form)
        return _mme_ndc_under(
            ndc, quantity=quantity, days_supply=days_supply, table=table, thresholds=thresholds
        )
    if rxcui is not None:
        med, opioid = _coded(drug, rxcui, "mme_prescription")
        if med.strengths and (strength is not None or form is not None):
            msg = f"Give either rxcui={rxcui!r} or strength=/form=: the code names them."
            raise InputError(msg)
        result = mme_prescription(
            opioid,
            strength=med.strengths[med.product.ingredients.index(opioid)]
            if med.strengths
            else strength,
            quantity=quantity,
            days_supply=days_supply,
            route=route or med.route,
            form=form or med.form,
            table=table,
            thresholds=thresholds,
        )
        return CodedMMEResult(
            **attrs.asdict(result, recurse=False), codes=med.codes, product=med.text
        )
    if drug is None or strength is None:
        msg = "mme_prescription needs a drug and its strength, or an ndc=."
        raise InputError(msg)
    return _prescription(
        drug, strength, quantity, days_supply, route, form, table, _policy(thresholds)
    )


# --------------------------------------------------------------------------- by NDC


def _mme_ndc(
    ndc: str | int,
    *,
    quantity: object,
    days_supply: object,
    thresholds: str | None = "CDC_2016",
) -> CodedMMEResult:
    """Return the MME/day of a prescription given by NDC (see :func:`mme_prescription`).

    The product's own strength, unit and factor from the CDC 2018 file are used. A
    liquid's or spray's quantity is in mL (a number, or ``"2.5 mL"``), as the file
    requires. The result's ``codes`` name the NDC and the ingredient's RxCUI.

    Raises:
        InputError: A malformed NDC or quantity, or above 10,000 MME/day.
        UnknownCodeError: The NDC is not in the file.
        NoFactorError: The file lists the product without a factor or strength
            (buprenorphine).
    """
    product = ndc_product(ndc)
    if product.factor is None or product.strength is None or product.route is None:
        msg = (
            f"NDC {product.ndc_dashed} ({product.name}, {product.ingredient}) has no MME "
            f"conversion factor in the CDC 2018 NDC file: {product.factor_source.citation}"
        )
        raise NoFactorError(msg)
    if product.quantity_kind == "volume" and not isinstance(quantity, (int, float)):
        count = _rx_volume(quantity)
    else:
        count = _count(quantity, "quantity")
    days = _days(days_supply)
    policy = _policy(thresholds)
    extra: tuple[Alert, ...] = ()
    if product.days_per_unit is not None:
        normalised = count * product.days_per_unit
        if normalised != days:
            extra = (_t.alert("days_supply_normalised"),)
        days = normalised
    strength = _t.exact(product.strength)
    factor = _t.exact(product.factor)
    value = strength * count / days * factor
    _check_plausible(value, f"NDC {product.ndc_dashed} × {float(count):g} / {float(days):g} days")
    alerts = _t.drug_alerts(product.ingredient, product.route) + extra
    if policy is not None:
        alerts += policy.alerts(value)
    patch = product.days_per_unit is not None
    # As in the CDC_NDC_2018 table: a patch reports its strength and the file's 7.2.
    basis = "mcg/h" if patch else f"{str(product.strength_unit).split('/')[0]}/day"
    daily: Fraction = strength if patch else strength * count / days
    return CodedMMEResult(
        value=float(value),
        exact=value,
        drug=product.ingredient,
        route=product.route,
        form=None,
        factor=float(factor),
        factor_basis=basis,
        daily_dose_value=float(daily),
        days_supply=float(days),
        table=NDC_PRODUCTS,
        source=product.source,
        factor_source=product.factor_source,
        alerts=alerts,
        codes=product.codings,
        product=product.name,
    )


def _check_ndc_call(drug: object, strength: object, route: object, form: object) -> None:
    """Refuse arguments that would compete with what an NDC already states.

    Raises:
        InputError: ``drug``, ``strength``, ``route`` or ``form`` given with an NDC.
    """
    given = [
        n
        for n, v in (("drug", drug), ("strength", strength), ("route", route), ("form", form))
        if v is not None
    ]
    if given:
        msg = (
            f"Give either an ndc= or {', '.join(given)}: the NDC already names the "
            "product, its strength and route."
        )
        raise InputError(msg)


# Table ids that price an NDC with the CDC 2018 file's own per-product factors.
_FILE_TABLES: Final = frozenset({"CDC_NDC_2018", NDC_PRODUCTS})


def _mme_ndc_under(
    ndc: str | int,
    *,
    quantity: object,
    days_supply: object,
    table: str,
    thresholds: str | None = "CDC_2016",
) -> CodedMMEResult:
    """Return the MME/day of a prescription given by NDC under an MME table.

    Under ``CDC_NDC_2018`` (or ``CDC_NDC_2018_PRODUCTS``) the product's own factor from
    the CDC file is used (:func:`_mme_ndc`). Under any other table the NDC names the
    ingredient, strength, route and dose form, and the table's factor applies, exactly
    as :func:`mme_prescription` given those by name.

    Raises:
        InputError: A malformed NDC or quantity, or above 10,000 MME/day.
        UnknownCodeError: The NDC is not in the file.
        NoFactorError: No factor for the product (in the file, or in ``table``).
    """
    if table in _FILE_TABLES:
        return _mme_ndc(ndc, quantity=quantity, days_supply=days_supply, thresholds=thresholds)
    product = ndc_product(ndc)
    if product.strength is None or product.strength_unit is None or product.route is None:
        msg = (
            f"NDC {product.ndc_dashed} ({product.name}) has no strength in the CDC 2018 NDC "
            f"file, so no table can price it: {product.factor_source.citation}"
        )
        raise NoFactorError(msg)
    if product.quantity_kind == "volume" and isinstance(quantity, (int, float)):
        # The file's convention: a liquid's quantity is in mL (its UOM's denominator).
        quantity = Q(quantity, "mL")
    result = mme_prescription(
        product.ingredient,
        strength=Q(product.strength, product.strength_unit),
        quantity=quantity,  # type: ignore[arg-type] # checked by mme_prescription
        days_supply=days_supply,  # type: ignore[arg-type] # checked by mme_prescription
        route=product.route,
        form=product.dose_form,
        table=table,
        thresholds=thresholds,
    )
    return CodedMMEResult(
        **attrs.asdict(result, recurse=False), codes=product.codings, product=product.name
    )


# --------------------------------------------------------------------------- totals


def total_mme(
    doses: Iterable[OpioidDose],
    *,
    table: MMETable = DEFAULT_MME_TABLE,
    thresholds: ThresholdPolicyId | None = "CDC_2016",
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
        InputError: An item that is not an :class:`OpioidDose`, more than 1,000
            doses, or a total above 10,000 MME/day; and anything :func:`mme` raises
            for an item.

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


@attrs.frozen
class _Tally:
    """The prescriptions of a period, counted or listed as excluded."""

    items: tuple[MMEResult, ...]
    excluded: tuple[ExcludedPrescription, ...]
    total: Fraction
    days_sum: Fraction
    covered: frozenset[dt.date]


def _has_factor(table: str, rx: Prescription) -> bool:
    """Whether the table gives any factor for the prescription's drug, route and form."""
    try:
        d = _drug(rx.drug)
        r, f = _route_form(d, rx.route, rx.form)
        _entry(table, d.ingredient, r, f)
    except NoFactorError:
        return False
    return True


def _count_one(rx: object, table: str, buprenorphine: bool) -> MMEResult | ExcludedPrescription:
    """One prescription's result, or its exclusion with the reason (never a silent zero)."""
    if not isinstance(rx, Prescription):
        msg = f"mme_over_period takes Prescription items; got {rx!r}."
        raise InputError(msg)
    _date(rx.start, "Prescription.start")
    if not buprenorphine and _drug(rx.drug).ingredient == "buprenorphine":
        return ExcludedPrescription(rx, "buprenorphine excluded (buprenorphine=False)")
    try:
        return _prescription(
            rx.drug, rx.strength, rx.quantity, rx.days_supply, rx.route, rx.form, table, None
        )
    except NoFactorError as exc:
        # Excluded only where the table has no factor; any other refusal (a methadone
        # band, a missing days rule) is the caller's to see.
        if _has_factor(table, rx):
            raise
        return ExcludedPrescription(rx, exc.message)


def _tally(prescriptions: object, table: str, buprenorphine: bool) -> _Tally:
    items: list[MMEResult] = []
    excluded: list[ExcludedPrescription] = []
    total = days_sum = Fraction(0)
    covered: set[dt.date] = set()
    for rx in _iterable(prescriptions, "mme_over_period", "Prescription"):
        done = _count_one(rx, table, buprenorphine)
        if isinstance(done, ExcludedPrescription):
            excluded.append(done)
            continue
        assert isinstance(rx, Prescription)  # checked by _count_one
        days = _t.exact(done.days_supply or 0.0)
        items.append(done)
        total += done.exact * days
        days_sum += days
        covered.update(rx.start + dt.timedelta(days=i) for i in range(math.ceil(days)))
    return _Tally(tuple(items), tuple(excluded), total, days_sum, frozenset(covered))


def _period_value(
    tally: _Tally, definition: str, first: dt.date, last: dt.date
) -> tuple[Fraction, Fraction | None]:
    """Return (MME/day, denominator days or None) under one NIH HEAL definition."""
    if definition == "max_daily":
        return sum((i.exact for i in tally.items), Fraction(0)), None
    denominator = {
        "total_days_supply": tally.days_sum,
        "on_therapy_days": Fraction(len(tally.covered)),
        "fixed_window": Fraction((last - first).days + 1),
    }[definition]
    return (tally.total / denominator if tally.items else Fraction(0)), denominator


def _period_args(start: object, end: object, definition: object, buprenorphine: object) -> None:
    first, last = _date(start, "start"), _date(end, "end")
    if last < first:
        msg = f"end={last} is before start={first}."
        raise InputError(msg)
    if not isinstance(definition, str) or definition not in DEFINITIONS:
        msg = f"Unknown definition {definition!r}; accepted: {', '.join(DEFINITIONS)}."
        raise InputError(msg)
    if not isinstance(buprenorphine, bool):
        msg = f"buprenorphine={buprenorphine!r} must be True or False."
        raise InputError(msg)


def mme_over_period(
    prescriptions: Iterable[Prescription],
    *,
    start: dt.date,
    end: dt.date,
    definition: PeriodDefinition = "max_daily",
    table: MMETable = DEFAULT_MME_TABLE,
    thresholds: ThresholdPolicyId | None = "CDC_2016",
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
    the prescriptions of the period before calling. A prescription is listed in
    ``.excluded`` (and counts in no denominator) only where the table has no factor
    for it (buprenorphine under CDC 2022), or for buprenorphine when
    ``buprenorphine=False``; anything else the table cannot count is raised, never
    dropped. Under ``NIH_HEAL_2025`` a patch counts strength × factor a day over its
    days supply as written (the calculator's convention).

    Args:
        prescriptions: :class:`Prescription` items.
        start: First day of the window (inclusive).
        end: Last day of the window (inclusive).
        definition: One of :data:`DEFINITIONS`.
        table: MME table id; default :data:`DEFAULT_MME_TABLE` (``NIH_HEAL_2025`` for
            the calculator's own factors).
        thresholds: Threshold policy id for alerts on the value, or None.
        buprenorphine: Count buprenorphine prescriptions (the calculator reports with
            and without).

    Returns:
        The value, totals, items, exclusions, the table id and alerts.

    Raises:
        InputError: An unknown definition, ``end`` before ``start``, a non-date, a
            non-:class:`Prescription` item, or more than 1,000 prescriptions; and
            anything :func:`mme_prescription` raises other than a missing factor.
    """
    _period_args(start, end, definition, buprenorphine)
    policy = _policy(thresholds)
    tally = _tally(prescriptions, table, buprenorphine)
    value, denominator = _period_value(tally, definition, start, end)
    _check_plausible(value, "the period")
    alerts = [a for i in tally.items for a in i.alerts]
    if policy is not None:
        alerts.extend(policy.alerts(value))
    return PeriodMME(
        value=float(value),
        exact=value,
        total_mme=float(tally.total),
        definition=definition,
        denominator_days=None if denominator is None else _plain(denominator),
        items=tally.items,
        excluded=tally.excluded,
        table=table,
        thresholds=thresholds,
        source=_t.mme_table(table).source,
        alerts=dedupe_alerts(alerts),
    )


def _plain(x: Fraction) -> int | float:
    return int(x) if x.denominator == 1 else float(x)


# --------------------------------------------------------------------------- listings


def mme_tables() -> tuple[Provenance, ...]:
    """Return the provenance of every MME factor table, by id.

    >>> [p.id for p in mme_tables()]
    ['ANZCA_2021', 'CDC_2016', 'CDC_2022', 'CDC_NDC_2018', 'NIH_HEAL_2025']
    """
    return tuple(_t.mme_table(i).source for i in _t.mme_table_ids())


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
