"""Dosing weights: Devine ideal body weight, adjusted body weight and the automatic basis.

The numbers (Devine's 50 / 45.5 kg and 2.3 kg per inch, the 0.4 factor, the 1.2 x
IBW threshold, the adult-only bounds) live in ``data/infusions/body_weight.toml``.
"""

from __future__ import annotations

import math
from typing import ClassVar, Literal

import attrs

from painrx import vocabulary
from painrx._html import alerts_text
from painrx.errors import Alert, InputError, UnitError
from painrx.infusions._common import ResultMixin, alert
from painrx.infusions._data import WeightBasis, body_weight_rules
from painrx.provenance import Provenance
from painrx.units import (
    Q,
    Quantity,
    QuantityLike,
    format_units,
    is_real,
    kind_of,
    magnitude,
    quantity_arg,
    real_float,
)

__all__ = [
    "Basis",
    "DosingWeight",
    "ReadWeight",
    "adjusted_body_weight",
    "dosing_weight",
    "ideal_body_weight",
    "read_weight",
]

#: The ``basis`` values :func:`dosing_weight` accepts.
Basis = Literal["actual", "ideal", "adjusted", "auto"]
_BASES: tuple[Basis, ...] = ("actual", "ideal", "adjusted", "auto")


@attrs.frozen(repr=False)
class DosingWeight(ResultMixin):
    """The weight to dose on, with the alternatives it was chosen from.

    Attributes:
        weight: The dosing weight (kg).
        basis: The basis used: ``"actual"``, ``"ideal"`` or ``"adjusted"``
            (``"auto"`` is resolved to one of these).
        actual: The patient's actual (total) body weight, kg.
        ideal: Devine ideal body weight, or None when height/sex were not given
            or the adult formula does not apply.
        adjusted: Adjusted body weight, or None like ``ideal``.
        alerts: ``non_metric_weight``, ``ibw_extrapolated``.
        source: The formula's source (Devine, clinPK...), or the table's own
            provenance for the actual weight.
    """

    _REPR_FIELDS: ClassVar[tuple[str, ...]] = (
        "weight",
        "basis",
        "actual",
        "ideal",
        "adjusted",
        "alerts",
    )

    weight: Quantity
    basis: WeightBasis
    actual: Quantity
    ideal: Quantity | None
    adjusted: Quantity | None
    alerts: tuple[Alert, ...]
    source: Provenance

    def __str__(self) -> str:
        """``dosing weight 70 kg (actual; actual 70 kg, ideal 66 kg, adjusted 67.6 kg) …``."""
        others = ", ".join(
            f"{name} {value:.4g}"
            for name, value in (
                ("actual", self.actual),
                ("ideal", self.ideal),
                ("adjusted", self.adjusted),
            )
            if value is not None
        )
        return (
            f"dosing weight {self.weight:.4g} ({self.basis}; {others}); {alerts_text(self.alerts)}"
        )


@attrs.frozen
class ReadWeight:
    """A validated patient weight: kg, its alerts, and its basis when it is a DosingWeight."""

    kg: float
    alerts: tuple[Alert, ...]
    basis: WeightBasis | None
    quantity: Quantity


def read_weight(
    weight: object, *, name: str = "weight", dosing_weight_ok: bool = True
) -> ReadWeight:
    """Validate a patient weight (kg, lb with an alert, or a :class:`DosingWeight`).

    Args:
        weight: The weight to read.
        name: The argument's name, for messages.
        dosing_weight_ok: Accept a :class:`DosingWeight` (not where the patient's
            actual weight is needed to compute one).

    Raises:
        UnitError: A bare number, or a unit that is not a body weight (``70 mg``).
        InputError: Non-finite, non-positive or outside 0.3-400 kg; a DosingWeight
            where the actual weight is needed.
    """
    if isinstance(weight, DosingWeight):
        if not dosing_weight_ok:
            msg = (
                f"{name} is already a DosingWeight ({weight.basis}); pass the patient's "
                "actual weight (its .actual) to compute another dosing weight."
            )
            raise InputError(msg)
        return ReadWeight(
            magnitude(weight.weight, "kg"), weight.alerts, weight.basis, weight.weight
        )
    q = quantity_arg(weight, name=name, kinds=("mass", "body_weight"))
    unit = format_units(q)
    if unit not in {"kg", "lb"}:
        msg = (
            f"{name}={format(q)!r} is a drug-mass unit; give the patient's body weight "
            "in kg (e.g. '70 kg')."
        )
        raise UnitError(msg)
    alerts: tuple[Alert, ...] = ()
    kg = float(q.magnitude) if kind_of(q) == "body_weight" else magnitude(q, "kg")
    if unit == "lb":
        alerts = (
            alert(
                "non_metric_weight",
                f"{name} was given in lb ({format(q)}) and converted to {kg:.4g} kg; "
                "ISMP recommends recording weights in kg only.",
            ),
        )
    low, high = vocabulary.BODY_WEIGHT_KG
    if not low <= kg <= high:
        msg = f"{name}={format(q)!r} ({kg:.4g} kg) is implausible; accepted {low:g}-{high:g} kg."
        raise InputError(msg)
    as_kg = q if unit == "kg" and kind_of(q) == "mass" else Q(kg, "kg")
    return ReadWeight(kg, alerts, None, as_kg)


def _height(height: object) -> Quantity:
    q = quantity_arg(height, name="height", kinds="length")
    cm = magnitude(q, "cm")
    low, high = vocabulary.HEIGHT_CM
    if not low <= cm <= high:
        msg = f"height={format(q)!r} ({cm:.4g} cm) is implausible; accepted {low:g}-{high:g} cm."
        raise InputError(msg)
    return q


def _age_years(age: object) -> float | None:
    if age is None:
        return None
    if is_real(age):
        years = real_float(age)
        shown = repr(age)
    else:
        q = quantity_arg(age, name="age", kinds="time", positive=False)
        years = magnitude(q, "year")
        shown = repr(format(q))
    low, high = vocabulary.AGE_YEARS
    if not (math.isfinite(years) and low <= years <= high):
        msg = f"age={shown} is implausible; give the age in years ({low:g}-{high:g})."
        raise InputError(msg)
    return years


def _devine_applies(height: Quantity, age: float | None) -> str | None:
    """Return why Devine does not apply (a message), or None when it does."""
    rules = body_weight_rules()
    if age is not None and age < rules.min_age_years:
        return (
            f"age {age:g} years is under {rules.min_age_years:g}: Devine ideal body weight "
            "is an adult formula; dose on actual weight or a paediatric method."
        )
    if magnitude(height, "cm") < rules.min_height_cm.canonical:
        return (
            f"height {format(height)} is under {format(rules.min_height_cm.value)}: Devine "
            "ideal body weight is an adult formula; dose on actual weight or a paediatric method."
        )
    return None


def _devine_kg(height: Quantity, sex: object) -> float:
    rules = body_weight_rules()
    canonical_sex = vocabulary.sex(sex)
    base = rules.male_base_kg if canonical_sex == "male" else rules.female_base_kg
    inches = magnitude(height, "in")
    return base.canonical + rules.kg_per_inch * (inches - rules.reference_height_in.canonical)


def ideal_body_weight(
    height: QuantityLike, sex: str, *, age: float | QuantityLike | None = None
) -> Quantity:
    """Return Devine ideal body weight, with exact inches (cm / 2.54).

    IBW = 50 kg (male) or 45.5 kg (female) + 2.3 kg per inch over 60 in. Below
    60 in (152.4 cm) the line is extrapolated, not clamped at the base weight
    (:func:`dosing_weight` then alerts ``ibw_extrapolated``).

    Args:
        height: ``"170 cm"`` or ``"67 in"``.
        sex: ``"male"``/``"female"`` (``M``/``F``).
        age: Age in years (a number or ``"40 year"``); when given, under 18 is refused.

    Returns:
        IBW in kg.

    Raises:
        InputError: Height under 120 cm, age under 18, implausible values, unknown sex.
        UnitError: A bare number or a non-length height.

    >>> ideal_body_weight("170 cm", "male")
    <Quantity(65.93700787401575, 'kg')>
    >>> ideal_body_weight("70 in", "M")
    <Quantity(73.0, 'kg')>
    """
    h = _height(height)
    why = _devine_applies(h, _age_years(age))
    if why is not None:
        raise InputError(why)
    return Q(_devine_kg(h, sex), "kg")


def _factor(factor: object) -> float:
    """Return the adjusted-weight factor; None is the cited default of the data file."""
    if factor is None:
        return body_weight_rules().adjusted_factor
    if not is_real(factor) or not 0 < real_float(factor) < 1:
        default = body_weight_rules().adjusted_factor
        msg = (
            f"factor={factor!r} must be a number between 0 and 1 (commonly 0.3-0.5; "
            f"default {default:g})."
        )
        raise InputError(msg)
    return real_float(factor)


def _adjusted_kg(actual_kg: float, ideal_kg: float, factor: float) -> float:
    if actual_kg <= ideal_kg:
        return actual_kg
    return ideal_kg + factor * (actual_kg - ideal_kg)


def adjusted_body_weight(
    weight: QuantityLike,
    height: QuantityLike,
    sex: str,
    factor: float | None = None,
    *,
    age: float | QuantityLike | None = None,
) -> Quantity:
    """Return adjusted body weight: IBW + factor x (TBW - IBW), or TBW when TBW <= IBW.

    Args:
        weight: Actual (total) body weight, ``"110 kg"`` (``lb`` is converted).
        height: ``"178 cm"``.
        sex: ``"male"``/``"female"``.
        factor: The fraction of excess weight counted, between 0 and 1. None (the
            default) is the cited factor of ``data/infusions/body_weight.toml``: 0.4 (clinPK).
        age: Age in years; when given, under 18 is refused.

    Returns:
        AdjBW in kg.

    Raises:
        InputError: As :func:`ideal_body_weight`, an implausible weight or a factor
            outside (0, 1).

    >>> adjusted_body_weight("110 kg", "70 in", "male")
    <Quantity(87.8, 'kg')>
    """
    f = _factor(factor)
    actual = read_weight(weight, dosing_weight_ok=False)
    ideal = ideal_body_weight(height, sex, age=age)
    return Q(_adjusted_kg(actual.kg, float(ideal.magnitude), f), "kg")


def dosing_weight(
    weight: QuantityLike,
    height: QuantityLike | None = None,
    sex: str | None = None,
    basis: Basis = "actual",
    *,
    age: float | QuantityLike | None = None,
    factor: float | None = None,
) -> DosingWeight:
    """Choose the weight to dose on, recording the basis and the alternatives.

    ``basis="auto"`` follows the clinPK rule: TBW < IBW → actual weight;
    TBW > 1.2 x IBW → adjusted weight; otherwise ideal weight.

    Args:
        weight: Actual body weight (``"150 kg"``; ``lb`` is converted and alerted).
        height: Needed for every basis but ``"actual"``.
        sex: Needed for every basis but ``"actual"``.
        basis: ``"actual"``, ``"ideal"``, ``"adjusted"`` or ``"auto"``.
        age: Age in years (validated whenever given); IBW is refused under 18.
        factor: Adjusted-weight factor; None (the default) is the data file's cited 0.4.

    Returns:
        A :class:`DosingWeight`.

    Raises:
        InputError: Unknown basis; height/sex missing for a basis that needs them;
            Devine not applicable (under 120 cm or 18 years); implausible values.

    >>> dw = dosing_weight("150 kg", "175 cm", "male", basis="auto")
    >>> dw.basis, round(dw.weight.magnitude, 2)
    ('adjusted', 102.28)
    """
    chosen = str(basis).strip().lower()
    if chosen not in _BASES:
        msg = f"Unknown basis {basis!r}; accepted: {', '.join(_BASES)}."
        raise InputError(msg)
    f = _factor(factor)
    actual = read_weight(weight, dosing_weight_ok=False)
    years = _age_years(age)
    rules = body_weight_rules()
    alerts = list(actual.alerts)
    ideal_kg: float | None = None
    why = f"basis={chosen!r} needs the patient's height and sex (Devine IBW)."
    if height is not None and sex is not None:
        h = _height(height)
        refused = _devine_applies(h, years)
        if refused is not None:
            why = refused
        else:
            ideal_kg = _devine_kg(h, sex)
            # Relative tolerance: 152.4 cm is exactly 60 in, whatever binary noise says.
            if magnitude(h, "in") < rules.reference_height_in.canonical * (1 - 1e-9):
                alerts.append(
                    alert(
                        "ibw_extrapolated",
                        f"height {format(h)} is under {format(rules.reference_height_in.value)}: "
                        "Devine ideal body weight is extrapolated below 5 feet.",
                        rules.devine_source,
                    )
                )
    resolved: WeightBasis
    if ideal_kg is None:
        if chosen != "actual":
            raise InputError(why)
        resolved, kg, adjusted_kg, source = "actual", actual.kg, None, rules.source
    else:
        adjusted_kg = _adjusted_kg(actual.kg, ideal_kg, f)
        if chosen == "auto":
            source = rules.auto_source
            if actual.kg < ideal_kg:
                resolved = "actual"
            elif actual.kg > rules.adjusted_above_ideal_ratio * ideal_kg:
                resolved = "adjusted"
            else:
                resolved = "ideal"
        else:
            resolved = chosen
            source = {
                "actual": rules.source,
                "ideal": rules.devine_source,
                "adjusted": rules.adjusted_source,
            }[resolved]
        kg = {"actual": actual.kg, "ideal": ideal_kg, "adjusted": adjusted_kg}[resolved]
    return DosingWeight(
        weight=Q(kg, "kg"),
        basis=resolved,
        actual=Q(actual.kg, "kg"),
        ideal=None if ideal_kg is None else Q(ideal_kg, "kg"),
        adjusted=None if adjusted_kg is None else Q(adjusted_kg, "kg"),
        alerts=tuple(alerts),
        source=source,
    )
