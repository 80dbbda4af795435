"""Read the plan's arguments: pain severity, findings, medications, flags, the patient.

Each check names the bad value and what is accepted.
"""

from __future__ import annotations

import math
from typing import Final, cast

from painrx._args import list_items
from painrx.errors import InputError
from painrx.interactions import Medication, Patient
from painrx.pathways._data import FindingSpec, PathwayData, pathway_data
from painrx.units import Quantity, is_real, quantity_arg

__all__ = [
    "PAIN_SEVERITIES",
    "age",
    "doses",
    "findings",
    "flag",
    "meds",
    "parse_pain_severity",
    "patient",
]

#: The pain-severity categories, mildest first.
PAIN_SEVERITIES: Final = ("mild", "moderate", "severe")
# US spelling of a finding code, accepted and returned in the contract's spelling.
_FINDING_ALIASES: Final = {"saddle_anesthesia": "saddle_anaesthesia"}


def parse_pain_severity(value: object) -> tuple[str, int | None]:
    """Return the severity category of a pain rating, and the 0-10 score if one was given.

    Categories are ``"mild"``, ``"moderate"`` and ``"severe"`` (case-insensitive), or a
    whole-number score on the 0-10 numeric rating scale: 1-3 mild, 4-6 moderate,
    7-10 severe (the bands are in the data file). A score of 0 (no pain) is refused:
    this pathway is for a patient with leg pain.

    >>> parse_pain_severity(8), parse_pain_severity("Moderate"), parse_pain_severity(3)
    (('severe', 8), ('moderate', None), ('mild', 3))

    Raises:
        InputError: An unknown category; 0; a score outside 0-10 or not a whole number.
    """
    accepted = "'mild', 'moderate', 'severe' or a whole-number score from 1 to 10"
    if isinstance(value, str):
        category = value.strip().lower()
        if category in PAIN_SEVERITIES:
            return category, None
        msg = f"pain_severity={value!r} is not accepted; give {accepted}."
        raise InputError(msg)
    try:
        number = float(value) if is_real(value) else math.nan  # type: ignore[arg-type]
    except OverflowError:  # an integer too large for a float is no score either
        number = math.nan
    if not (math.isfinite(number) and number.is_integer()):
        msg = f"pain_severity={value!r} is not accepted; give {accepted}."
        raise InputError(msg)
    score = int(number)
    if score == 0:
        msg = (
            "pain_severity=0 means no pain: this pathway manages posterior leg pain and "
            f"builds no plan without it; give {accepted}."
        )
        raise InputError(msg)
    for band in pathway_data().severity_bands:
        if band.low <= score <= band.high:
            return band.category, score
    msg = f"pain_severity={value!r} is outside the 0-10 scale; give {accepted}."
    raise InputError(msg)


def findings(findings: object, data: PathwayData) -> tuple[FindingSpec, ...]:
    msg = f"findings={findings!r} must be a sequence of finding codes, e.g. ('fever',)."
    chosen: dict[str, FindingSpec] = {}
    for raw in list_items(findings, msg):
        code = str(raw).strip().lower() if isinstance(raw, str) else raw
        code = _FINDING_ALIASES.get(code, code) if isinstance(code, str) else code
        spec = data.findings.get(code) if isinstance(code, str) else None
        if spec is None:
            msg = f"Unknown finding {raw!r}; accepted: {', '.join(data.findings)}."
            raise InputError(msg)
        chosen[spec.code] = spec
    # Data-file order, so the plan does not depend on the order findings were given in.
    return tuple(spec for code, spec in data.findings.items() if code in chosen)


def meds(current_meds: object) -> tuple[str | Medication, ...]:
    example = "e.g. ('warfarin 5 mg daily',) or (rx.Medication('warfarin'),)"
    msg = f"current_meds={current_meds!r} must be a sequence of medications, {example}."
    meds = list_items(current_meds, msg)
    for med in meds:
        if not isinstance(med, str | Medication):
            msg = (
                f"current_meds holds {med!r}: each medication must be text or a "
                f"painrx.Medication, {example}."
            )
            raise InputError(msg)
    return cast("tuple[str | Medication, ...]", meds)


def flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        msg = f"{name}={value!r} must be True or False."
        raise InputError(msg)
    return value


def age(patient: Patient | None, data: PathwayData) -> float | None:
    if patient is None or patient.age is None:
        return None
    age = years = patient.age
    if years < data.adult_min_age_years:
        msg = (
            f"Patient age {age!r} years: this pathway is for adults "
            f"({data.adult_min_age_years:g} years and over); its sources (the seed article, "
            "the acetaminophen label regimen, the perioperative ketamine profile) are adult ones."
        )
        raise InputError(msg)
    return years


def patient(patient: object) -> Patient | None:
    if patient is None or isinstance(patient, Patient):
        return patient
    msg = (
        f"patient={patient!r} must be a painrx.Patient (e.g. rx.Patient(age=60, "
        "weight='80 kg')) or None."
    )
    raise InputError(msg)


def doses(
    iv_breakthrough_dose: object, daily_dose: object, frequency: object
) -> tuple[Quantity | None, Quantity | None]:
    """Return the prescriber's IV breakthrough dose and the discharge daily dose (or None).

    Raises:
        UnitError: A dose of the wrong kind or without a unit.
        InputError: A discharge frequency without the daily dose it splits.
    """
    iv_dose = (
        None
        if iv_breakthrough_dose is None
        else quantity_arg(iv_breakthrough_dose, name="iv_breakthrough_dose", kinds="mass")
    )
    daily = (
        None
        if daily_dose is None
        else quantity_arg(daily_dose, name="discharge_opioid_daily_dose", kinds="mass_rate")
    )
    if frequency is not None and daily is None:
        msg = (
            f"discharge_opioid_frequency={frequency!r} needs "
            "discharge_opioid_daily_dose= (the daily dose it splits), e.g. '20 mg/day'."
        )
        raise InputError(msg)
    return iv_dose, daily
