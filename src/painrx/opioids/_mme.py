"""MME for risk screening: one dose, one prescription, concurrent doses, a period.

Public face: :mod:`painrx.opioids`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from fractions import Fraction
from functools import lru_cache
from typing import Final

import attrs

from painrx.errors import Alert, InputError, NoFactorError, UnitError, dedupe_alerts
from painrx.opioids import _tables as _t
from painrx.opioids._inputs import (
    _Amount,
    _amount,
    _check_drug_mass,
    _check_plausible,
    _count,
    _date,
    _days,
    _Drug,
    _drug,
    _in,
    _iterable,
    _per_day,
    _policy,
    _route_form,
)
from painrx.opioids._results import (
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
from painrx.units import Q, Quantity, format_units, is_real, kind_of, quantity_arg

__all__ = [
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

#: The NIH HEAL / ``mmequiv`` MME/day definitions :func:`mme_over_period` accepts.
DEFINITIONS: Final = ("total_days_supply", "on_therapy_days", "fixed_window", "max_daily")


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
    drug: str,
    *,
    strength: str | Quantity,
    quantity: float | str | Quantity,
    days_supply: float | str | Quantity,
    route: str | None = None,
    form: str | None = None,
    table: str = "CDC_NDC_2018",
    thresholds: str | None = "CDC_2016",
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

    Returns:
        The MME/day (``days_supply`` holds the days used after the patch rule).

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
    """
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
