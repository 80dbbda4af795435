"""Equianalgesic conversion and rotation (ratio tables, cited methods).

Public face: :mod:`painrx.opioids`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Final

import attrs

from painrx.errors import (
    Alert,
    InputError,
    NoFactorError,
    UnitError,
    UnsafeConversionError,
    dedupe_alerts,
)
from painrx.opioids import _tables as _t
from painrx.opioids._inputs import (
    _Amount,
    _amount,
    _breakthrough_args,
    _check_plausible,
    _Drug,
    _drug,
    _fraction_arg,
    _frequency_alerts,
    _in,
    _patch_frequency,
    _per_day,
    _route_form,
)
from painrx.opioids._mme import _entry
from painrx.opioids._results import Conversion, Rotation
from painrx.opioids._tables import OpioidMethod
from painrx.provenance import Provenance
from painrx.types import RatioTable, RotationMethod
from painrx.units import Q, Quantity

__all__ = [
    "convert_opioid",
    "ratio_tables",
    "rotate",
    "rotation_method",
    "rotation_methods",
]

_MORPHINE: Final = "morphine"
_ORAL: Final = "oral"


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


# --------------------------------------------------------------------------- conversion


def _target(drug: _Drug, to_route: object, default_route: str) -> tuple[str, str | None]:
    route = to_route if to_route is not None else (drug.route or default_route)
    return _route_form(drug, route, None)


def _switch_alerts(src: str, route: str, tgt: str, to_route: str) -> tuple[Alert, ...]:
    """Alerts of the switch itself: leaving a fentanyl patch, starting buprenorphine."""
    alerts: tuple[Alert, ...] = ()
    if src == "fentanyl" and route == "transdermal" and to_route != "transdermal":
        alerts += (_t.alert("patch_removal_depot"),)
    if tgt == "buprenorphine" and src != "buprenorphine":
        alerts += (_t.alert("precipitated_withdrawal"),)
    return alerts


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
    ratios: RatioTable = "CDC_2022",
) -> Conversion:
    """Return the equianalgesic dose of another opioid (or route) under a ratio table.

    This is the plain equivalence, with no cross-tolerance reduction: for a switch
    in a patient use :func:`rotate`. Only pairs the table states convert; painrx
    never chains equivalences or inverts an MME factor to reach methadone or a patch.
    From a fentanyl patch the result carries ``patch_removal_depot``; to buprenorphine,
    ``precipitated_withdrawal``.

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
        + src.alerts
        + _t.drug_alerts(src.ingredient, r)
        + _t.drug_alerts(tgt.ingredient, tr)
        + _switch_alerts(src.ingredient, r, tgt.ingredient, tr)
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

# Used only where the ratio table states no reduction of its own: the low end of the
# 25-50% NCCN range for incomplete cross-tolerance (docs/opioids.md).
_DEFAULT_REDUCTION: Final = Fraction(1, 4)


@attrs.frozen
class _Switch:
    """A checked rotation request: who, from where to where, the 24-h dose, alerts."""

    src: _Drug
    route: str
    form: str | None
    tgt: _Drug
    to_route: str
    to_form: str | None
    method: OpioidMethod | None
    table: _t.RatioTable
    amount: _Amount
    breakthrough: tuple[Fraction, Fraction]
    alerts: tuple[Alert, ...]


def _daily_amount(amount: _Amount, frequency: object, route: str) -> _Amount:
    if amount.kind == "mass_rate":
        if frequency is not None and route != "transdermal":
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


def _frequency_read(frequency: object, drug: _Drug, route: str) -> tuple[Alert, ...]:
    if route == "transdermal":
        # A patch's frequency is its change interval: checked, never multiplied (as mme).
        return _patch_frequency(frequency, drug.ingredient)
    return _frequency_alerts(frequency)


def _method_target(method: OpioidMethod, target: _Drug, to_route: object) -> str:
    if target.ingredient != method.target:
        msg = f"{method.id} converts to {method.target}, not to {target.ingredient}."
        raise InputError(msg)
    route, _ = _route_form(target, to_route if to_route is not None else method.target_route, None)
    if route != method.target_route:
        msg = f"{method.id} gives {method.target} by the {method.target_route} route, not {route}."
        raise InputError(msg)
    return route


def _refuse_unsafe_rotation(src: _Drug, tgt: _Drug) -> None:
    """Refuse the switches painrx has no cited method for: from methadone, to buprenorphine."""
    if src.ingredient == "methadone":
        msg = (
            "painrx does not rotate from methadone: no cited method converts methadone to "
            "another opioid. Its long, variable half-life (it accumulates over days) and "
            "incomplete cross-tolerance make the tables disagree up to three-fold (60 mg/day "
            "is 282 MME/day under CDC 2022 but 90 mg/day of oral morphine in the MSD chart, "
            "before any reduction). Seek pain or palliative specialist advice; "
            "convert_opioid() shows a table's equivalence for reference only."
        )
        raise UnsafeConversionError(msg)
    if tgt.ingredient == "buprenorphine" and src.ingredient != "buprenorphine":
        msg = (
            "painrx does not rotate to buprenorphine: a high-affinity partial agonist started "
            "while a full agonist is active can precipitate withdrawal, and induction follows "
            "the label's protocol (start only at objective signs of withdrawal, then titrate), "
            "which painrx does not implement. convert_opioid() shows a table's equivalence "
            "for reference only."
        )
        raise UnsafeConversionError(msg)


def _targets(
    tgt: _Drug, to_route: object, route: str, method: OpioidMethod | None
) -> tuple[str, str | None]:
    if method is None:
        return _target(tgt, to_route, route)
    tr = _method_target(method, tgt, to_route)
    return tr, "patch" if tr == "transdermal" else None


def _switch(drug: str, dose: object, to: str, options: dict[str, Any]) -> _Switch:
    """Read and check every argument of a rotation, refusing unsafe switches first."""
    src, tgt = _drug(drug), _drug(to)
    r, f = _route_form(src, options["route"], options["form"])
    method = options["method"]
    chosen = _t.method(method) if method is not None else None
    tr, tf = _targets(tgt, options["to_route"], r, chosen)
    _refuse_unsafe_target(tgt, tr, chosen)
    _refuse_unsafe_rotation(src, tgt)
    breakthrough = _breakthrough_args(options["breakthrough_fraction"])
    table = _t.ratio_table(options["ratios"])
    frequency = options["frequency"]
    amount = _daily_amount(_amount(dose, src, "dose"), frequency, r)
    read = _frequency_read(frequency, src, r)
    _check_dose_plausible(src, r, f, amount)
    alerts = (
        src.alerts
        + read
        + _t.drug_alerts(src.ingredient, r)
        + _t.drug_alerts(tgt.ingredient, tr)
        + _switch_alerts(src.ingredient, r, tgt.ingredient, tr)
    )
    return _Switch(src, r, f, tgt, tr, tf, chosen, table, amount, breakthrough, alerts)


def _reduction(value: object, table: _t.RatioTable) -> Fraction:
    """The caller's reduction, else the table's own (cited), else the 25% default."""
    if value is not None:
        return _fraction_arg(value, "cross_tolerance_reduction", zero_ok=True)
    return table.reduction if table.reduction is not None else _DEFAULT_REDUCTION


def rotate(
    drug: str,
    dose: str | Quantity | float | None = None,
    *,
    to: str,
    route: str | None = None,
    to_route: str | None = None,
    form: str | None = None,
    frequency: str | float | None = None,
    ratios: RatioTable = "CDC_2022",
    method: RotationMethod | None = None,
    cross_tolerance_reduction: float | None = None,
    breakthrough_fraction: tuple[float, float] = (0.10, 0.20),
    opioid_tolerant_days: int | None = None,
) -> Rotation:
    """Suggest a rotation: equianalgesic dose, cross-tolerance reduction, breakthrough.

    Without ``method``: the equianalgesic 24-h dose under ``ratios``, reduced for
    incomplete cross-tolerance — by ``cross_tolerance_reduction`` when given, else by
    the reduction the ratio table itself states (``MSD_MANUAL``: 50%, cited), else by
    25% — and a breakthrough dose of 10–20% of the reduced 24-h dose per
    administration (NCCN), of the target drug by the target route.

    With ``method`` (required for methadone or a patch target): the source is first
    converted to oral morphine mg/day under ``ratios``, then the method's dose bands
    give the target dose and the method's own reduction replaces
    ``cross_tolerance_reduction`` (``MSD_METHADONE``: 75–90%; patch methods round
    down to a marketed strength). A patch is started only as its label allows: at
    least 60 mg/day of oral morphine for ``opioid_tolerant_days`` ≥ 7 (the Duragesic
    label's week), never for acute or post-operative pain (alert
    ``patch_not_for_acute_pain``). The breakthrough dose is then oral morphine, from
    the oral morphine equivalent of the recommended dose. For a change of route of
    the same drug, :func:`convert_opioid` gives the equivalent dose without a
    cross-tolerance reduction.

    Refused (:class:`~painrx.errors.UnsafeConversionError`): methadone as a target
    without ``method``, a patch target without a label method, any rotation *from*
    methadone and any rotation *to* buprenorphine (no cited method; see the message).
    From a fentanyl patch the result carries ``patch_removal_depot``.

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
            (0 ≤ x < 1); None: the table's own, else 0.25. Replaced by the method's
            reduction when ``method`` is given.
        breakthrough_fraction: (low, high) fractions of the 24-h dose per breakthrough
            administration.
        opioid_tolerant_days: For a patch target, the days the patient has taken at
            least the label's opioid-tolerant dose.

    Returns:
        The rotation, with alerts and source.

    Raises:
        UnsafeConversionError: See above; a patch for a patient below the
            opioid-tolerance threshold, or not known to have been on it for a week.
        NoFactorError: The ratio table has no stated equivalence for this pair.
        InputError: A method that does not fit the target, bad fractions, no 24-h dose.

    >>> r = rotate("oxycodone", "40 mg/day", to="morphine", ratios="SEED")
    >>> r.equianalgesic, r.recommended, r.breakthrough
    (<Quantity(80.0, 'mg/day')>, <Quantity(60.0, 'mg/day')>, (<Quantity(6.0, 'mg')>, <Quantity(12.0, 'mg')>))
    >>> rotate("morphine", "90 mg/day", to="oxycodone", ratios="MSD_MANUAL").recommended
    <Quantity(30.0, 'mg/day')>
    """
    switch = _switch(
        drug,
        dose,
        to,
        {
            "route": route,
            "to_route": to_route,
            "form": form,
            "frequency": frequency,
            "ratios": ratios,
            "method": method,
            "breakthrough_fraction": breakthrough_fraction,
        },
    )
    reduction = _reduction(cross_tolerance_reduction, switch.table)
    if switch.method is None:
        return _rotate_by_ratio(switch, reduction)
    return _rotate_by_method(switch, switch.method, _tolerant_days(opioid_tolerant_days))


def _rate(amount: _Amount) -> Quantity:
    return Q(float(amount.value), amount.unit)


def _rotate_by_ratio(s: _Switch, reduction: Fraction) -> Rotation:
    done = _convert(
        s.amount,
        s.table,
        (s.src.ingredient, s.route, s.form),
        (s.tgt.ingredient, s.to_route, s.to_form),
        daily=True,
    )
    recommended = done.value * (1 - reduction)
    mass = done.unit.split("/")[0]
    low, high = s.breakthrough
    return Rotation(
        drug=s.src.ingredient,
        route=s.route,
        dose=_rate(s.amount),
        to=s.tgt.ingredient,
        to_route=s.to_route,
        equianalgesic=Q(float(done.value), done.unit),
        recommended=Q(float(recommended), done.unit),
        recommended_range=(Q(float(recommended), done.unit),) * 2,
        reduction=(float(reduction), float(reduction)),
        breakthrough=(Q(float(recommended * low), mass), Q(float(recommended * high), mass)),
        breakthrough_drug=s.tgt.ingredient,
        breakthrough_route=s.to_route,
        table=s.table.id,
        method=None,
        source=s.table.source,
        alerts=dedupe_alerts(tuple(_t.alert(c) for c in s.table.alerts) + s.alerts),
    )


def _tolerant_days(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"opioid_tolerant_days={value!r} must be a whole number of days (0 or more)."
        raise InputError(msg)
    return value


def _oral_morphine(s: _Switch) -> tuple[Fraction, tuple[Alert, ...]]:
    """The source as oral morphine mg/day under the ratio table (with the table's alerts)."""
    if (s.src.ingredient, s.route) == (_MORPHINE, _ORAL):
        return _in(s.amount, "mg/day"), ()
    done = _convert(
        s.amount, s.table, (s.src.ingredient, s.route, s.form), (_MORPHINE, _ORAL, None), daily=True
    )
    morphine = done.value * _t.exact_factor(Q(1.0, done.unit)._units, "mg/day")
    return morphine, tuple(_t.alert(c) for c in s.table.alerts)


def _check_patch_start(method: OpioidMethod, morphine: Fraction, days: int | None) -> None:
    """The label's conditions for starting a patch: a tolerant dose, for long enough."""
    facts = _t.patch_facts(method.target)
    shown = f"{float(morphine):g} mg/day of oral morphine"
    if morphine < facts.minimum_morphine:
        msg = (
            f"{shown} is below {float(facts.minimum_morphine):g} mg/day: {method.target} "
            "patches are for opioid-tolerant patients only, so painrx gives no starting "
            f"strength ({facts.source.citation})."
        )
        raise UnsafeConversionError(msg)
    if facts.minimum_days is None:
        return
    if days is None or days < facts.minimum_days:
        given = "not given" if days is None else f"{days} days"
        msg = (
            f"opioid_tolerant_days is {given}: a {method.target} patch may be started only in "
            f"a patient who has taken at least {float(facts.minimum_morphine):g} mg/day of oral "
            f"morphine (or an equianalgesic dose) for {facts.minimum_days} days or longer "
            f"({facts.source.citation}). Give opioid_tolerant_days= when that is so."
        )
        raise UnsafeConversionError(msg)


@attrs.frozen
class _MethodDose:
    """A method's target dose: the equivalent, the recommended range, its morphine."""

    equianalgesic: Fraction
    low: Fraction
    high: Fraction
    morphine_equivalent: Fraction


def _method_dose(method: OpioidMethod, morphine: Fraction) -> _MethodDose:
    """The method's target dose range and the least oral morphine it stands for."""
    shown = f"{float(morphine):g} mg/day of oral morphine"
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
        high = low = _t.patch_facts(method.target).round_down(equianalgesic * (1 - least))
        if low == 0:
            msg = f"{shown} gives less than the smallest {method.target} patch under {method.id}."
            raise UnsafeConversionError(msg)
    else:
        low, high = equianalgesic * (1 - most), equianalgesic * (1 - least)
    if method.band_value == "strength":
        equivalent = min(morphine, method.least_morphine(low))
    else:
        equivalent = morphine * low / equianalgesic
    return _MethodDose(equianalgesic, low, high, equivalent)


def _rotate_by_method(s: _Switch, method: OpioidMethod, tolerant_days: int | None) -> Rotation:
    morphine, table_alerts = _oral_morphine(s)
    _check_plausible(morphine, f"{float(morphine):g} mg/day of oral morphine")
    alerts = table_alerts + s.alerts + tuple(_t.alert(c) for c in method.alerts)
    if method.output == "mcg/h":
        _check_patch_start(method, morphine, tolerant_days)
        alerts += (_t.alert("patch_not_for_acute_pain"),)
    dose = _method_dose(method, morphine)
    unit = method.output
    low, high = s.breakthrough
    return Rotation(
        drug=s.src.ingredient,
        route=s.route,
        dose=_rate(s.amount),
        to=s.tgt.ingredient,
        to_route=s.to_route,
        equianalgesic=Q(float(dose.equianalgesic), unit),
        recommended=Q(float(dose.low), unit),
        recommended_range=(Q(float(dose.low), unit), Q(float(dose.high), unit)),
        reduction=(float(method.reduction[0]), float(method.reduction[1])),
        breakthrough=(
            Q(float(dose.morphine_equivalent * low), "mg"),
            Q(float(dose.morphine_equivalent * high), "mg"),
        ),
        breakthrough_drug=_MORPHINE,
        breakthrough_route=_ORAL,
        table=s.table.id,
        method=method.id,
        source=method.source,
        alerts=dedupe_alerts(alerts),
    )


# --------------------------------------------------------------------------- listings


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
