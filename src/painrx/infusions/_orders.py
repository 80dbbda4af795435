"""Infusion rates, boluses, concentrations and pump limits. (public face: ``painrx.infusions``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import ClassVar

import attrs

from painrx import catalog
from painrx._html import alerts_text
from painrx.errors import Alert, HardLimitError, InputError, NoFactorError, UnitError
from painrx.infusions._common import ResultMixin, alert, exact_decimal, round_half_up
from painrx.infusions._data import (
    BOLUS_UNIT,
    CONCENTRATION_UNIT,
    INFUSION_UNIT,
    PRODUCTS_PATH,
    Concentration,
    DoseLimit,
    DoseLimits,
    DrugProducts,
    InfusionProfile,
    drug_products,
    profiles,
    pump,
)
from painrx.infusions._weight import (
    Basis,
    DosingWeight,
    ReadWeight,
    adjusted_body_weight,
    dosing_weight,
    ideal_body_weight,
    read_weight,
)
from painrx.provenance import Provenance
from painrx.tables import sources_of
from painrx.units import (
    Kind,
    Q,
    Quantity,
    QuantityLike,
    format_units,
    is_real,
    kind_of,
    magnitude,
    quantity_arg,
)

__all__ = [
    "Basis",
    "Bolus",
    "Concentration",
    "ConcentrationCheck",
    "DoseLimit",
    "DoseLimits",
    "DosingWeight",
    "InfusionProfile",
    "InfusionRate",
    "adjusted_body_weight",
    "bolus",
    "concentration_check",
    "delivered_dose",
    "dosing_weight",
    "ideal_body_weight",
    "infusion_profile",
    "infusion_profiles",
    "infusion_rate",
    "prepare",
    "profile_limits",
]

# Limits are inclusive: a dose that equals a limit after a unit conversion
# (4.1666... mcg/kg/min against 0.25 mg/kg/h) must not trip it on binary noise.
_REL_TOL = 1e-9


def _above(value: float, limit: float) -> bool:
    return value > limit * (1 + _REL_TOL)


def _below(value: float, limit: float) -> bool:
    return value < limit * (1 - _REL_TOL)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=_REL_TOL)


@attrs.frozen(repr=False)
class InfusionRate(ResultMixin):
    """A weight-based infusion order turned into a pump rate.

    Attributes:
        rate: The exact pump rate (mL/h), unrounded.
        display_rate: The rate to program, rounded half-up to the pump resolution
            (a Decimal in mL/h: ``Decimal('2.3')``).
        dose_rate: The absolute dose rate as ordered (mg/h).
        delivered: The weight-based dose the displayed rate really delivers, in the
            unit of the order.
        profile: The dosing profile id, or None.
        alerts: Soft limits, pump resolution, concentration and weight alerts.
        source: The profile's source; with no profile, the drug's label.
        dose: The order (weight-based dose rate).
        weight: The dosing weight used (kg).
        concentration: The concentration of the bag or syringe.
        drug: The drug's catalog id.
        pump_resolution: The pump's display resolution (mL/h).
    """

    _REPR_FIELDS: ClassVar[tuple[str, ...]] = (
        "rate",
        "display_rate",
        "dose_rate",
        "delivered",
        "profile",
        "alerts",
        "source",
    )
    _UNITS: ClassVar[dict[str, str]] = {"display_rate": "mL/h"}

    rate: Quantity
    display_rate: Decimal
    dose_rate: Quantity
    delivered: Quantity
    profile: str | None
    alerts: tuple[Alert, ...]
    source: Provenance
    dose: Quantity
    weight: Quantity
    concentration: Quantity
    drug: str
    pump_resolution: Quantity

    def __str__(self) -> str:
        """``ketamine 0.25 mg/kg/h × 80 kg at 1 mg/mL → set the pump to 20.0 mL/h …``."""
        profile = f"profile {self.profile}" if self.profile else "no profile"
        return (
            f"{self.drug} {self.dose:.6g} × {self.weight:.6g} at {self.concentration:.6g} → "
            f"set the pump to {self.display_rate} mL/h (delivers {self.delivered:.4g}; "
            f"{profile}); {alerts_text(self.alerts)}"
        )


@attrs.frozen(repr=False)
class Bolus(ResultMixin):
    """A weight-based bolus: the amount of drug and the volume to draw up.

    Attributes:
        amount: Drug amount (mg).
        volume: Volume at the given concentration (mL), unrounded.
        alerts: Soft limits, concentration and weight alerts.
        source: The profile's source; with no profile, the drug's label.
        dose: The order (weight-based dose).
        weight: The dosing weight used (kg).
        concentration: The concentration drawn from.
        drug: The drug's catalog id.
        profile: The dosing profile id, or None.
    """

    _REPR_FIELDS: ClassVar[tuple[str, ...]] = ("amount", "volume", "profile", "alerts", "source")

    amount: Quantity
    volume: Quantity
    alerts: tuple[Alert, ...]
    source: Provenance
    dose: Quantity
    weight: Quantity
    concentration: Quantity
    drug: str
    profile: str | None

    def __str__(self) -> str:
        """``ketamine bolus 0.35 mg/kg × 80 kg → 28 mg = 2.8 mL of 10 mg/mL …``."""
        return (
            f"{self.drug} bolus {self.dose:.6g} × {self.weight:.6g} → {self.amount:.6g} = "
            f"{self.volume:.4g} of {self.concentration:.6g}; {alerts_text(self.alerts)}"
        )


@attrs.frozen(repr=False)
class ConcentrationCheck(ResultMixin):
    """A running pump checked against the bag actually hanging.

    Attributes:
        fold: Actual / programmed concentration: the factor by which the patient's
            dose differs from the one the pump displays (10.0 is a 10-fold overdose,
            0.1 a 10-fold underdose, 1.0 a match).
        displayed: The dose the pump believes it delivers (programmed concentration).
        delivered: The dose really delivered (actual concentration).
        alerts: ``wrong_concentration`` when the two differ.
        source: Why the check matters (ISMP).
        rate: The pump rate (mL/h).
        programmed: The concentration programmed into the pump.
        actual: The concentration of the bag or syringe.
        weight: The patient's weight (kg).
    """

    _REPR_FIELDS: ClassVar[tuple[str, ...]] = ("fold", "displayed", "delivered", "alerts")

    fold: float
    displayed: Quantity
    delivered: Quantity
    alerts: tuple[Alert, ...]
    source: Provenance
    rate: Quantity
    programmed: Quantity
    actual: Quantity
    weight: Quantity

    def __str__(self) -> str:
        """``pump shows 0.25 mg/kg/h, delivers 2.5 mg/kg/h (10-fold) …``."""
        return (
            f"pump shows {self.displayed:.6g}, delivers {self.delivered:.6g} "
            f"({self.fold:g}-fold; programmed {self.programmed:.6g}, bag {self.actual:.6g}); "
            f"{alerts_text(self.alerts)}"
        )


def infusion_profiles() -> tuple[str, ...]:
    """Return the id of every dosing profile, in data-file order.

    >>> infusion_profiles()[:3]
    ('ketamine/perioperative_analgesia', 'ketamine/acute_pain', 'ketamine/paediatric_analgesia')
    """
    return tuple(profiles())


def infusion_profile(profile_id: str) -> InfusionProfile:
    """Return one dosing profile with its cited limits and standard concentrations.

    Raises:
        InputError: The id names no profile.

    >>> p = infusion_profile("ketamine/acute_pain")
    >>> p.infusion.hard_max.value, p.bolus.hard_max.value
    (<Quantity(1.0, 'mg/kg/h')>, <Quantity(0.35, 'mg/kg')>)
    """
    found = profiles().get(str(profile_id))
    if found is None:
        msg = f"Unknown infusion profile {profile_id!r}; accepted: {', '.join(profiles())}."
        raise InputError(msg)
    return found


def _drug(drug: str) -> tuple[str, DrugProducts]:
    drug_id = catalog.ingredient(drug).id
    products = drug_products().get(drug_id)
    if products is None:
        msg = (
            f"painrx has no infusion product data for {drug_id!r} (no concentrations or "
            f"product limits to check); drugs with data: {', '.join(drug_products())}."
        )
        raise NoFactorError(msg)
    return drug_id, products


def _profile(profile: str | None, drug_id: str) -> InfusionProfile | None:
    if profile is None:
        return None
    found = infusion_profile(profile)
    if found.drug != drug_id:
        msg = (
            f"Profile {profile!r} is for {found.drug}, but drug={drug_id!r}: a wrong drug "
            "library is a classic pump error; pass the matching drug and profile."
        )
        raise InputError(msg)
    return found


def _weighted_arg(value: object, *, name: str, kind: Kind, example: str) -> Quantity:
    """Parse a weight-based dose, naming the absolute-dose mistake when it happens."""
    if not is_real(value):
        value = Q(value)
        absolute = "mass_rate" if kind == "dose_rate_per_weight" else "mass"
        if kind_of(value) == absolute:
            what = "dose rate" if absolute == "mass_rate" else "dose"
            msg = (
                f"{name}={format(value)!r} is an absolute {what}, not a weight-based one "
                f"(e.g. {example!r}); painrx never multiplies or divides it by a weight."
            )
            raise UnitError(msg)
    return quantity_arg(value, name=name, kinds=kind)


def _concentration(value: object, products: DrugProducts) -> tuple[Quantity, float]:
    q = quantity_arg(value, name="concentration", kinds="concentration")
    mg_ml = magnitude(q, CONCENTRATION_UNIT)
    limit = products.iv_max_concentration
    if limit is not None and _above(mg_ml, limit.canonical):
        msg = (
            f"{products.drug} {format(q)} is above the highest IV concentration "
            f"{format(limit.value)}: {limit.reason}. Source: {limit.source.citation}"
        )
        raise HardLimitError(msg)
    return q, mg_ml


def _limit_alerts(
    value: float,
    limits: DoseLimits,
    *,
    shown: str,
    what: str,
    profile: InfusionProfile,
) -> list[Alert]:
    found: list[Alert] = []
    checks = (
        ("hard_max", _above, "above the hard maximum"),
        ("hard_min", _below, "below the hard minimum"),
        ("soft_max", _above, "above the soft maximum"),
        ("soft_min", _below, "below the soft minimum"),
    )
    for name, beyond, words in checks:
        limit: DoseLimit | None = getattr(limits, name)
        if limit is None or not beyond(value, limit.canonical):
            continue
        text = (
            f"{profile.drug} {what} {shown} is {words} {format(limit.value)} of profile "
            f"{profile.id} (source: {limit.source.citation})"
        )
        if name.startswith("hard"):
            msg = f"{text}. A hard limit cannot be overridden: re-check the order and reprogram."
            raise HardLimitError(msg)
        code = "soft_limit_high" if name == "soft_max" else "soft_limit_low"
        found.append(alert(code, f"{text}: confirm the order before starting.", limit.source))
        break
    return found


def _profile_alerts(
    dose: Quantity,
    canonical: float,
    weight: ReadWeight,
    profile: InfusionProfile | None,
    *,
    bolus_dose: bool,
) -> list[Alert]:
    """Alerts of the dose against the profile (raises HardLimitError beyond a hard limit)."""
    what = "bolus" if bolus_dose else "infusion"
    if profile is None:
        return [
            alert(
                "no_dose_limits",
                f"No dosing profile was selected: the {what} dose was not checked against "
                "any dose limit (only product and pump limits were applied).",
            )
        ]
    limits = profile.bolus if bolus_dose else profile.infusion
    if not limits:
        return [
            alert(
                "no_dose_limits",
                f"Profile {profile.id} has no cited {what} limits: the dose was not checked.",
                profile.source,
            )
        ]
    unit = profile.bolus_unit if bolus_dose else profile.dose_unit
    shown = format(dose)
    if format_units(dose) != unit:
        shown = f"{shown} ({magnitude(dose, unit):.6g} {unit})"
    found = _limit_alerts(canonical, limits, shown=shown, what=what, profile=profile)
    if profile.weight_basis is not None and weight.basis != profile.weight_basis:
        basis_source = profile.weight_basis_source
        used = f"{weight.basis} body weight" if weight.basis else "a weight of unstated basis"
        found.append(
            alert(
                "dosing_weight_basis",
                f"Profile {profile.id} doses on {profile.weight_basis} body weight, but this "
                f"order uses {used}; pass rx.dosing_weight(..., "
                f"basis={profile.weight_basis!r}).",
                basis_source,
            )
        )
    return found


def _standard_alert(
    mg_ml: float,
    concentration: Quantity,
    standard: tuple[Concentration, ...],
    owner: str,
) -> list[Alert]:
    if any(_same(mg_ml, c.mg_per_ml) for c in standard):
        return []
    listed = ", ".join(format(c.value) for c in standard)
    return [
        alert(
            "nonstandard_concentration",
            f"{format(concentration)} is not a standard concentration of {owner} ({listed}): "
            "check the bag against the programmed concentration.",
            standard[0].source,
        )
    ]


def _pump_resolution(value: object) -> tuple[Quantity, Decimal]:
    if isinstance(value, str):
        return _pump_resolution_text(value)
    return _pump_resolution_checked(value)


@lru_cache(maxsize=64)
def _pump_resolution_text(value: str) -> tuple[Quantity, Decimal]:
    return _pump_resolution_checked(value)


def _pump_resolution_checked(value: object) -> tuple[Quantity, Decimal]:
    q = quantity_arg(value, name="pump_resolution", kinds="volume_rate")
    ml_h = magnitude(q, "mL/h")
    top = pump().max_rate.canonical
    if _above(ml_h, top):
        msg = f"pump_resolution={format(q)!r} is implausible for an infusion pump."
        raise InputError(msg)
    step = exact_decimal(ml_h)
    try:
        # Every accepted rate is at most the pump maximum, so if the maximum can be
        # shown at this resolution, every rate can.
        round_half_up(top, step)
    except InvalidOperation:
        msg = (
            f"pump_resolution={format(q)!r} is implausibly fine: no infusion pump displays "
            f"{format(pump().max_rate.value)} to that many digits."
        )
        raise InputError(msg) from None
    return q, step


def _check_max_rate(rate: float, name: str) -> None:
    limit = pump().max_rate
    if _above(rate, limit.canonical):
        msg = (
            f"{name} {rate:.6g} mL/h is above {format(limit.value)}, the highest rate painrx "
            "accepts: check the dose, weight and concentration (a mg↔mcg or kg↔g slip?)."
        )
        raise InputError(msg)


def _resolution_alert(
    rate: float,
    resolution: float,
    mg_h: float,
    mg_ml: float,
    candidates: tuple[Concentration, ...],
) -> list[Alert]:
    if not _below(rate, resolution):
        return []
    # The highest concentration at which the pump can still show the rate.
    ceiling = mg_h / resolution
    usable = [c for c in candidates if c.mg_per_ml < mg_ml and not _above(c.mg_per_ml, ceiling)]
    if usable:
        best = max(usable, key=lambda c: c.mg_per_ml)
        hint = f"use {format(best.value)} ({mg_h / best.mg_per_ml:.3g} mL/h)"
    else:
        hint = f"dilute to at most {ceiling:.3g} mg/mL"
    return [
        alert(
            "rate_below_pump_resolution",
            f"The exact rate {rate:.3g} mL/h is below the pump resolution of {resolution:g} "
            f"mL/h, so the displayed rate misstates the dose; {hint}.",
            pump().resolution.source,
        )
    ]


def _displayed_rate(rate: float, step: Decimal, order: _Order) -> tuple[Decimal, list[Alert]]:
    """Round the rate to the pump display, keeping what it delivers within the hard limits.

    The pump runs the displayed rate, not the exact one: a rate rounded half-up can
    deliver more than the hard maximum (0.45 → 0.5 mL/h is +11%), or less than the hard
    minimum. The limits are therefore checked on the delivered dose; when rounding
    crosses one, the neighbouring display step inside the limits is used and alerted,
    and where none exists the order is refused.
    """
    display = round_half_up(rate, step)
    limits = order.profile.infusion if order.profile is not None else None
    if limits is None or not limits:
        return display, []

    def delivered(shown: Decimal) -> float:
        return order.canonical * float(shown) / rate

    def crossing(shown: Decimal) -> tuple[str, DoseLimit] | None:
        value = delivered(shown)
        if limits.hard_max is not None and _above(value, limits.hard_max.canonical):
            return "hard maximum", limits.hard_max
        if limits.hard_min is not None and _below(value, limits.hard_min.canonical):
            return "hard minimum", limits.hard_min
        return None

    crossed = crossing(display)
    if crossed is None:
        return display, []
    words, limit = crossed
    moved = display - step if words == "hard maximum" else display + step
    unit = order.profile.dose_unit if order.profile is not None else INFUSION_UNIT

    def in_profile_unit(shown: Decimal) -> str:
        return f"{magnitude(Q(delivered(shown), INFUSION_UNIT), unit):.4g} {unit}"

    shown_dose = in_profile_unit(display)
    if moved <= 0 or crossing(moved) is not None:
        msg = (
            f"The pump displays {display} mL/h, which delivers {shown_dose}, beyond the "
            f"{words} {format(limit.value)} (source: {limit.source.citation}); no display "
            f"step of {step} mL/h stays within the hard limits at {format(order.concentration)}:"
            " use a more dilute concentration so the rate can be shown accurately."
        )
        raise HardLimitError(msg)
    return moved, [
        alert(
            "display_rate_adjusted_for_hard_limit",
            f"Rounded half-up, the pump would show {display} mL/h and deliver {shown_dose}, "
            f"beyond the {words} {format(limit.value)}; the display step {moved} mL/h "
            f"(delivering {in_profile_unit(moved)}) is used instead. Check the order.",
            limit.source,
        )
    ]


def _rounding_alert(rate: float, display: Decimal, resolution: float) -> list[Alert]:
    """Alert when the displayed rate moves the dose beyond the cited rounding tolerance.

    Rates below the resolution already have their own, stronger alert.
    """
    tolerance = pump().rounding_tolerance
    moved = abs(float(display) - rate) / rate
    if _below(rate, resolution) or moved <= tolerance:
        return []
    return [
        alert(
            "display_rounding_moves_dose",
            f"The pump shows {display} mL/h for an exact rate of {rate:.3g} mL/h: it delivers "
            f"{moved:.0%} {'more' if float(display) > rate else 'less'} than ordered, beyond the "
            f"{tolerance:.0%} a published dose-rounding standard accepts; use a more dilute "
            "concentration or a pump with a finer resolution.",
            pump().rounding_source,
        )
    ]


@attrs.frozen
class _Order:
    """The checked parts shared by an infusion and a bolus order."""

    dose: Quantity
    canonical: float
    patient: ReadWeight
    drug: str
    products: DrugProducts
    profile: InfusionProfile | None
    concentration: Quantity
    mg_per_ml: float
    alerts: list[Alert]


def _order(
    dose: object,
    weight: object,
    concentration: object,
    drug: str,
    profile: str | None,
    *,
    bolus_dose: bool,
) -> _Order:
    """Validate an order's dose, weight, drug, profile and concentration; check the dose.

    Raises:
        UnitError, InputError, HardLimitError, UnknownDrugError, NoFactorError: As
            :func:`infusion_rate`.
    """
    if bolus_dose:
        dose_q = _weighted_arg(dose, name="dose", kind="dose_per_weight", example="0.35 mg/kg")
    else:
        dose_q = _weighted_arg(
            dose, name="dose", kind="dose_rate_per_weight", example="0.25 mg/kg/h"
        )
    patient = read_weight(weight)
    drug_id, products = _drug(drug)
    chosen = _profile(profile, drug_id)
    conc_q, mg_ml = _concentration(concentration, products)
    canonical = magnitude(dose_q, BOLUS_UNIT if bolus_dose else INFUSION_UNIT)
    alerts = [*patient.alerts]
    alerts += _profile_alerts(dose_q, canonical, patient, chosen, bolus_dose=bolus_dose)
    return _Order(dose_q, canonical, patient, drug_id, products, chosen, conc_q, mg_ml, alerts)


def infusion_rate(
    dose: QuantityLike,
    weight: QuantityLike | DosingWeight,
    concentration: QuantityLike,
    *,
    drug: str = "ketamine",
    profile: str | None = None,
    pump_resolution: QuantityLike = "0.1 mL/h",
) -> InfusionRate:
    """Turn a weight-based infusion order into a pump rate, checked against a profile.

    ``rate = dose x weight / concentration``; the displayed rate is rounded half-up
    to the pump resolution and the dose it really delivers is back-calculated.

    Args:
        dose: A weight-based dose rate: ``"0.25 mg/kg/h"``, ``"2 mcg/kg/min"``,
            ``"150 mcg/kg/h"``. An absolute rate (``"12 mg/h"``) is a UnitError.
        weight: ``"80 kg"`` (``lb`` is converted and alerted) or a :class:`DosingWeight`.
        concentration: The bag or syringe, ``"1 mg/mL"``.
        drug: Any name the catalog knows (``"ketamine"``, ``"Ketalar"``).
        profile: A profile id from :func:`infusion_profiles`, or None (no dose limits).
        pump_resolution: The pump's display resolution (``"0.1 mL/h"``).

    Returns:
        An :class:`InfusionRate`.

    Raises:
        UnitError: Missing, disallowed or wrong-kind units.
        InputError: Non-positive or implausible values; a rate above 999 mL/h; an
            unknown profile, or one for another drug.
        HardLimitError: A dose beyond a hard limit of the profile, or a product
            limit (ketamine 100 mg/mL IV undiluted).
        UnknownDrugError: The drug is not in the catalog.
        NoFactorError: painrx has no infusion product data for the drug.

    >>> r = infusion_rate("0.1 mg/kg/h", "45 kg", "2 mg/mL")
    >>> r.rate, r.display_rate  # half-up: 2.25 shows as 2.3, not Python's 2.2
    (<Quantity(2.25, 'mL/h')>, Decimal('2.3'))
    >>> [a.code for a in r.alerts]
    ['no_dose_limits']
    """
    order = _order(dose, weight, concentration, drug, profile, bolus_dose=False)
    dose_q, patient, products, chosen = order.dose, order.patient, order.products, order.profile
    conc_q, mg_ml, alerts = order.concentration, order.mg_per_ml, order.alerts
    res_q, step = _pump_resolution(pump_resolution)
    mg_h = order.canonical * patient.kg
    rate = mg_h / mg_ml
    _check_max_rate(rate, "The exact rate")
    display, shown_alerts = _displayed_rate(rate, step, order)
    alerts += shown_alerts
    standard = chosen.concentrations if chosen is not None else products.products
    owner = f"profile {chosen.id}" if chosen is not None else order.drug
    alerts += _standard_alert(mg_ml, conc_q, standard, owner)
    alerts += _resolution_alert(rate, float(step), mg_h, mg_ml, standard)
    alerts += _rounding_alert(rate, display, float(step))
    return InfusionRate(
        rate=Q(rate, "mL/h"),
        display_rate=display,
        dose_rate=Q(mg_h, "mg/h"),
        delivered=Q(float(dose_q.magnitude) * float(display) / rate, format_units(dose_q)),
        profile=None if chosen is None else chosen.id,
        alerts=tuple(alerts),
        source=products.source if chosen is None else chosen.source,
        dose=dose_q,
        weight=patient.quantity,
        concentration=conc_q,
        drug=order.drug,
        pump_resolution=res_q,
    )


def _rate_arg(rate: object) -> float:
    q = quantity_arg(rate, name="rate", kinds="volume_rate")
    ml_h = magnitude(q, "mL/h")
    _check_max_rate(ml_h, "rate")
    return ml_h


def _dose_unit(unit: str) -> str:
    if kind_of(Q(1.0, unit)) != "dose_rate_per_weight":
        msg = f"unit={unit!r} is not a weight-based dose rate such as 'mg/kg/h' or 'mcg/kg/min'."
        raise UnitError(msg)
    return unit


def delivered_dose(
    rate: QuantityLike,
    concentration: QuantityLike,
    weight: QuantityLike | DosingWeight,
    *,
    unit: str = "mg/kg/h",
) -> Quantity:
    """Back-calculate the weight-based dose a running pump delivers.

    Args:
        rate: The pump rate, ``"30 mL/h"``.
        concentration: The bag, ``"2 mg/mL"``.
        weight: ``"70 kg"`` (or ``lb``, converted) or a :class:`DosingWeight`.
        unit: The dose unit wanted (``"mg/kg/h"``, ``"mcg/kg/min"``...).

    Returns:
        The delivered dose rate.

    Raises:
        UnitError: Wrong-kind units.
        InputError: Non-positive or implausible values, a rate above 999 mL/h.

    >>> delivered_dose("30 mL/h", "2 mg/mL", "70 kg")
    <Quantity(0.8571428571428571, 'mg/kg/h')>
    """
    target = _dose_unit(unit)
    ml_h = _rate_arg(rate)
    conc = quantity_arg(concentration, name="concentration", kinds="concentration")
    patient = read_weight(weight)
    mg_kg_h = ml_h * magnitude(conc, CONCENTRATION_UNIT) / patient.kg
    return Q(mg_kg_h, INFUSION_UNIT).to(target)


def concentration_check(
    rate: QuantityLike,
    weight: QuantityLike | DosingWeight,
    *,
    programmed: QuantityLike,
    actual: QuantityLike,
    unit: str = "mg/kg/h",
) -> ConcentrationCheck:
    """Compare a pump's programmed concentration with the bag actually hanging.

    A pump computes the dose from the concentration it was told. If the bag is
    stronger the patient receives more than the screen shows (an overdose); if it
    is weaker, less. The fold error is ``actual / programmed``.

    Args:
        rate: The running rate, ``"8 mL/h"``.
        weight: The patient's weight.
        programmed: The concentration programmed into the pump, ``"1 mg/mL"``.
        actual: The concentration of the bag or syringe, ``"10 mg/mL"``.
        unit: The dose unit of the report (``"mg/kg/h"``).

    Returns:
        A :class:`ConcentrationCheck` with the fold error and both doses.

    >>> c = concentration_check("8 mL/h", "80 kg", programmed="1 mg/mL", actual="10 mg/mL")
    >>> c.fold, c.displayed, c.delivered
    (10.0, <Quantity(0.1, 'mg/kg/h')>, <Quantity(1.0, 'mg/kg/h')>)
    """
    target = _dose_unit(unit)
    ml_h = _rate_arg(rate)
    patient = read_weight(weight)
    prog = quantity_arg(programmed, name="programmed", kinds="concentration")
    real = quantity_arg(actual, name="actual", kinds="concentration")
    prog_mg_ml = magnitude(prog, CONCENTRATION_UNIT)
    real_mg_ml = magnitude(real, CONCENTRATION_UNIT)
    fold = real_mg_ml / prog_mg_ml
    displayed = Q(ml_h * prog_mg_ml / patient.kg, INFUSION_UNIT).to(target)
    delivered = Q(ml_h * real_mg_ml / patient.kg, INFUSION_UNIT).to(target)
    source = sources_of(PRODUCTS_PATH)["ismp_2012"]
    alerts = list(patient.alerts)
    if not _same(fold, 1.0):
        effect = f"{fold:.3g}-fold overdose" if fold > 1 else f"{1 / fold:.3g}-fold underdose"
        alerts.append(
            alert(
                "wrong_concentration",
                f"The bag holds {format(real)} but the pump is programmed for {format(prog)}: "
                f"the patient receives {format(delivered, '.4g')}, not the displayed "
                f"{format(displayed, '.4g')} (a {effect}). Stop and reprogram.",
                source,
            )
        )
    return ConcentrationCheck(
        fold=fold,
        displayed=displayed,
        delivered=delivered,
        alerts=tuple(alerts),
        source=source,
        rate=Q(ml_h, "mL/h"),
        programmed=prog,
        actual=real,
        weight=patient.quantity,
    )


def bolus(
    dose: QuantityLike,
    weight: QuantityLike | DosingWeight,
    concentration: QuantityLike,
    *,
    drug: str = "ketamine",
    profile: str | None = None,
) -> Bolus:
    """Turn a weight-based bolus order into an amount and a volume.

    Args:
        dose: A weight-based dose, ``"0.35 mg/kg"``. An absolute dose (``"20 mg"``)
            is a UnitError.
        weight: ``"80 kg"`` or a :class:`DosingWeight`.
        concentration: What is drawn up, ``"10 mg/mL"``.
        drug: Any name the catalog knows.
        profile: A profile id, or None (no dose limits).

    Returns:
        A :class:`Bolus`.

    Raises:
        UnitError, InputError, HardLimitError, UnknownDrugError, NoFactorError: As
            :func:`infusion_rate`.

    >>> b = bolus("0.35 mg/kg", "80 kg", "10 mg/mL", profile="ketamine/acute_pain")
    >>> b.amount, b.volume, b.alerts
    (<Quantity(28.0, 'mg')>, <Quantity(2.8, 'mL')>, ())
    """
    order = _order(dose, weight, concentration, drug, profile, bolus_dose=True)
    products, chosen = order.products, order.profile
    # A bolus is drawn from a vial as often as from a prepared bag: any listed
    # product of the drug is standard.
    alerts = order.alerts
    alerts += _standard_alert(order.mg_per_ml, order.concentration, products.products, order.drug)
    amount = order.canonical * order.patient.kg
    return Bolus(
        amount=Q(amount, "mg"),
        volume=Q(amount / order.mg_per_ml, "mL"),
        alerts=tuple(alerts),
        source=products.source if chosen is None else chosen.source,
        dose=order.dose,
        weight=order.patient.quantity,
        concentration=order.concentration,
        drug=order.drug,
        profile=None if chosen is None else chosen.id,
    )


def prepare(
    drug_amount: QuantityLike,
    diluent_volume: QuantityLike,
    *,
    additive_volume: QuantityLike | None = None,
) -> Quantity:
    """Return the final concentration of a prepared infusion.

    The drug's own volume counts when given: 500 mg (10 mL of 50 mg/mL) added to
    500 mL is 500 / 510 = 0.980 mg/mL, not 1 mg/mL.

    Args:
        drug_amount: The drug added, ``"500 mg"``.
        diluent_volume: The bag or syringe volume before the addition, ``"500 mL"``.
        additive_volume: The volume of drug solution added, ``"10 mL"``, or None
            when it is negligible or already counted.

    Returns:
        The concentration in mg/mL.

    >>> prepare("500 mg", "500 mL", additive_volume="10 mL")
    <Quantity(0.9803921568627451, 'mg/mL')>
    """
    amount = quantity_arg(drug_amount, name="drug_amount", kinds="mass")
    if format_units(amount) in {"kg", "lb"}:
        msg = f"drug_amount={format(amount)!r} is a body-weight unit; give the drug in mg or g."
        raise UnitError(msg)
    volume = magnitude(quantity_arg(diluent_volume, name="diluent_volume", kinds="volume"), "mL")
    if additive_volume is not None:
        volume += magnitude(
            quantity_arg(additive_volume, name="additive_volume", kinds="volume"), "mL"
        )
    return Q(magnitude(amount, "mg") / volume, CONCENTRATION_UNIT)


def profile_limits() -> tuple[Mapping[str, str], ...]:
    """Return every limit of every profile as rows (profile, dose, bound, limit, source).

    The documentation prints its table of limits from these rows, so it cannot
    drift from the data file.
    """
    rows: list[Mapping[str, str]] = []
    for p in profiles().values():
        for what, limits in (("infusion", p.infusion), ("bolus", p.bolus)):
            rows.extend(
                {
                    "profile": p.id,
                    "dose": what,
                    "bound": name,
                    "limit": format(limit.value),
                    "source": limit.source.id.split("/")[-1],
                }
                for name, limit in limits.items()
            )
        rows.extend(
            {
                "profile": p.id,
                "dose": "concentration",
                "bound": "standard",
                "limit": format(c.value),
                "source": c.source.id.split("/")[-1],
            }
            for c in p.concentrations
        )
    return tuple(rows)
