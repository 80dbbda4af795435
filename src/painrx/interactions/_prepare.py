"""Reading the medication list: each entry to its product, ingredients, route, form and daily amounts."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Final

import attrs

from painrx import catalog, vocabulary
from painrx._args import list_items
from painrx.errors import Alert, InputError, UnknownDrugError
from painrx.interactions._model import CheckedMedication, CodedMedication, Medication
from painrx.interactions._rules import IntensityRegimen
from painrx.units import Quantity, kind_of, magnitude

__all__ = ["Listed", "Med", "prepare_list"]

APAP: Final = "acetaminophen"
_DOSE_KINDS: Final = ("mass", "mass_rate", "dose_per_weight")
# How much a dose may differ from a label regimen and still match it (mg): only
# floating-point noise, so "40 mg" matches and "40.5 mg" does not.
_DOSE_TOLERANCE_MG: Final = 1e-6
# Catalog alerts that mean the text was only partly read.
_NOT_UNDERSTOOD: Final = frozenset({"unparsed_text", "unrecognised_name_words"})
# Dose kinds that are one administration's amount; a rate (mg/day, mcg/h) is a course.
_AMOUNT_KINDS: Final = frozenset({"mass", "dose_per_weight"})


@attrs.frozen
class Med:
    """One list entry as the rules see it.

    ``daily_mg`` has one entry per ingredient (mg/day, None when unknown).
    """

    label: str
    product: str
    ingredients: tuple[str, ...]
    route: str | None
    form: str | None
    single_dose: bool
    duration_days: float | None
    intensity: str | None
    intensity_note: str
    daily_mg: tuple[float | None, ...]
    checked: CheckedMedication
    partial: bool

    @property
    def apap_mg_day(self) -> float | None:
        """Acetaminophen from this entry (mg/day), when known."""
        return self.daily(APAP)

    def daily(self, ingredient: str) -> float | None:
        """The daily amount of ``ingredient`` from this entry (mg/day), when known."""
        return self.daily_mg[self.ingredients.index(ingredient)]


@attrs.frozen
class Listed:
    """The list read: the entries checked, the names not checked, the parse alerts."""

    meds: tuple[Med, ...]
    unchecked: tuple[str, ...]
    alerts: tuple[Alert, ...]


def _strengths(dose: str | Quantity, n: int) -> tuple[Quantity, ...]:
    if not isinstance(dose, str):
        strengths: tuple[Quantity, ...] = (dose,)
    else:
        try:
            strengths = catalog.parse_strength(dose, n)
        except InputError:
            if n == 1:
                raise
            # The contract lets a combination's dose be its opioid part alone.
            strengths = catalog.parse_strength(dose, 1)
    for q in strengths:
        if kind_of(q) not in _DOSE_KINDS:
            msg = (
                f"dose={dose!r} is not a dose: give an amount ('400 mg'), a daily amount "
                "('3 g/day'), a patch rate ('25 mcg/h') or a weight-based dose ('1 mg/kg')."
            )
            raise InputError(msg)
    return strengths


def _amount_mg(q: Quantity, weight_kg: float | None) -> float | None:
    kind = kind_of(q)
    if kind == "mass":
        return magnitude(q, "mg")
    if kind == "dose_per_weight" and weight_kg is not None:
        return magnitude(q, "mg/kg") * weight_kg
    return None


def _component(strengths: tuple[Quantity, ...], index: int, n: int) -> Quantity | None:
    if len(strengths) == n:
        return strengths[index]
    return strengths[0] if index == 0 and strengths else None


def _daily_mg(
    q: Quantity | None, per_day: float | None, explicit: bool, weight_kg: float | None
) -> float | None:
    if q is None:
        return None
    if kind_of(q) == "mass_rate":
        return magnitude(q, "mg/day")
    amount = _amount_mg(q, weight_kg)
    if amount is None:
        return None
    if per_day is not None:
        return amount * per_day
    return amount if explicit else None


def _infer_intensity(
    ingredient: str,
    q: Quantity | None,
    per_day: float | None,
    regimens: tuple[IntensityRegimen, ...],
) -> tuple[str, str]:
    if q is None:
        return "unknown", "no dose given"
    kind = kind_of(q)
    if kind == "dose_per_weight":
        return "therapeutic", "weight-based dose (treatment regimens are dosed per kg)"
    candidates = [r for r in regimens if r.ingredient == ingredient]
    matched = []
    for regimen in candidates:
        label_mg = magnitude(regimen.dose, "mg")
        if kind == "mass":
            same_dose = abs(magnitude(q, "mg") - label_mg) <= _DOSE_TOLERANCE_MG
            same_freq = per_day is None or math.isclose(per_day, regimen.doses_per_day)
        else:
            daily = label_mg * regimen.doses_per_day
            same_dose = abs(magnitude(q, "mg/day") - daily) <= _DOSE_TOLERANCE_MG
            same_freq = True
        if same_dose and same_freq:
            matched.append(regimen)
    if not matched:
        return "therapeutic", "not a label prophylactic regimen"
    cautious = [r for r in matched if r.intensity != "prophylactic"]
    regimen = cautious[0] if cautious else matched[0]
    note = regimen.note or f"label {regimen.intensity} regimen"
    return regimen.intensity, note


def _intensity(
    med: Medication,
    ids: tuple[str, ...],
    strengths: tuple[Quantity, ...],
    per_day: float | None,
    regimens: tuple[IntensityRegimen, ...],
) -> tuple[str | None, str]:
    anticoagulants = [i for i in ids if i in catalog.members("anticoagulant")]
    if not anticoagulants:
        return None, ""
    if med.intensity is not None:
        return med.intensity, "stated with the medication"
    index = ids.index(anticoagulants[0])
    return _infer_intensity(
        anticoagulants[0], _component(strengths, index, len(ids)), per_day, regimens
    )


@lru_cache(maxsize=4096)
def _prepare(
    med: Medication, weight_kg: float | None, regimens: tuple[IntensityRegimen, ...]
) -> tuple[Med, tuple[Alert, ...]]:
    parsed = (
        catalog.parse_medication(rxcui=med.rxcui)
        if isinstance(med, CodedMedication)
        else catalog.parse_medication(med.name)
    )
    ids = parsed.product.ingredients
    n = len(ids)
    explicit = med.dose is not None
    # Text that was only partly understood ("30/500 mg 2 tabs") gives no dose or
    # frequency: an unknown amount is reported, an undercounted one would not be.
    understood = not any(a.code in _NOT_UNDERSTOOD for a in parsed.alerts)
    if med.dose is not None:
        strengths = _strengths(med.dose, n)
    else:
        strengths = parsed.strengths if understood else ()
    frequency = med.frequency
    if frequency is None and understood:
        frequency = parsed.frequency
    per_day = vocabulary.doses_per_day(frequency) if frequency is not None else None
    intensity, note = _intensity(med, ids, strengths, per_day, regimens)
    daily = tuple(
        _daily_mg(_component(strengths, k, n), per_day, explicit, weight_kg) for k in range(n)
    )
    route = med.route or parsed.route
    apap = daily[ids.index(APAP)] if APAP in ids else None
    prepared = Med(
        label=med.name,
        product=parsed.product.id,
        ingredients=ids,
        route=route,
        form=parsed.form,
        # Only an amount with no frequency and no planned duration is one dose: a daily
        # rate ("40 mg/day") or a duration ("5 day") describes a course.
        single_dose=explicit
        and per_day is None
        and med.duration is None
        and all(kind_of(q) in _AMOUNT_KINDS for q in strengths),
        duration_days=magnitude(med.duration, "day") if med.duration is not None else None,
        intensity=intensity,
        intensity_note=note,
        daily_mg=daily,
        checked=CheckedMedication(
            med.name, parsed.product.id, ids, route, intensity, apap, parsed.codes
        ),
        partial=any(a.code == "unrecognised_name_words" for a in parsed.alerts),
    )
    return prepared, parsed.alerts


#: The most medications one check reads: no real medication list comes near it, and it
#: bounds the pairwise work of a call (issue 19).
MAX_MEDICATIONS: Final = 100


def _as_medications(meds: object) -> list[Medication]:
    msg = "meds must be a list of names or Medication objects, e.g. ['warfarin', 'ibuprofen']."
    if isinstance(meds, Medication):
        raise InputError(msg)
    items = list_items(meds, msg)
    if len(items) > MAX_MEDICATIONS:
        msg = (
            f"meds has {len(items)} entries; painrx checks at most {MAX_MEDICATIONS} "
            "medications at a time (a bound on the work one call does)."
        )
        raise InputError(msg)
    found: list[Medication] = []
    for item in items:
        if isinstance(item, Medication):
            found.append(item)
        elif isinstance(item, str):
            found.append(_from_text(item))
        else:
            msg = f"Medication {item!r} must be a name or a painrx Medication."
            raise InputError(msg)
    return found


@lru_cache(maxsize=4096)
def _from_text(text: str) -> Medication:
    return Medication(text)


@lru_cache(maxsize=4096)
def _sort_key(med: Medication) -> tuple[str, ...]:
    return (
        med.name.casefold(),
        med.name,
        str(med.dose),
        str(med.frequency),
        str(med.route),
        str(med.duration),
        str(med.intensity),
        med.rxcui if isinstance(med, CodedMedication) else "",
    )


def prepare_list(
    meds: object,
    weight_kg: float | None,
    regimens: tuple[IntensityRegimen, ...],
    on_unknown: str,
) -> Listed:
    """Read every entry (repeated identical entries count once), in a stable order.

    Raises:
        UnknownDrugError: An entry is unknown or only partly read and ``on_unknown``
            is ``"raise"``.
    """
    entries = sorted(set(_as_medications(meds)), key=_sort_key)
    prepared: list[Med] = []
    unchecked: list[str] = []
    alerts: list[Alert] = []
    for med in entries:
        try:
            item, parse_alerts = _prepare(med, weight_kg, regimens)
        except UnknownDrugError:
            if on_unknown == "raise":
                raise
            unchecked.append(med.name)
            continue
        if item.partial:
            # "Tylenol PM": the recognised part is checked, but the words painrx could
            # not read may be another ingredient, so the entry is not cleared.
            if on_unknown == "raise":
                raise UnknownDrugError(med.name, (item.product,))
            unchecked.append(med.name)
        prepared.append(item)
        alerts.extend(parse_alerts)
    return Listed(tuple(prepared), tuple(unchecked), tuple(alerts))
