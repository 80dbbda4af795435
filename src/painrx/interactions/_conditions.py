"""The closed vocabulary of patient conditions the interaction rules understand.

A condition is a fact about the patient that changes what a drug risks: chronic
kidney disease for an NSAID, sleep apnoea for an opioid. The list is closed so a
typo (``"ckd3"``) is an error rather than a condition no rule ever sees; each term
says what it means, so the caller can map a problem list onto it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from painrx.errors import InputError

__all__ = ["CONDITIONS", "CONDITION_TERMS", "condition", "conditions"]

#: Condition id → what it means (the term a caller maps a problem list onto).
CONDITION_TERMS: Final[Mapping[str, str]] = {
    "active_infection": "an active systemic bacterial, viral or fungal infection",
    "advanced_ckd": "advanced renal impairment: chronic kidney disease with GFR below "
    "30 mL/min/1.73 m2 (stages 4-5) or on dialysis (implies ckd)",
    "alcohol_use": "regular heavy alcohol use (3 or more alcoholic drinks every day)",
    "ckd": "chronic kidney disease (any stage) or other chronic renal impairment",
    "copd": "chronic obstructive pulmonary disease or another chronic lung disease "
    "that reduces respiratory reserve",
    "cyp2d6_ultrarapid_metaboliser": "CYP2D6 ultra-rapid metaboliser (by genotype or phenotype)",
    "diabetes": "diabetes mellitus (type 1 or type 2)",
    "gi_bleed_history": "a history of upper gastrointestinal bleeding",
    "heart_failure": "heart failure",
    "labour_and_delivery": "in labour or delivery (intrapartum), until the delivery is "
    "complete (implies pregnancy)",
    "liver_disease": "chronic liver disease or hepatic impairment",
    "neuraxial_catheter": "an indwelling epidural or intrathecal catheter",
    "peptic_ulcer_history": "a history of peptic ulcer",
    "pregnancy": "pregnant (any trimester)",
    "pregnancy_third_trimester": "pregnant, in the third trimester (implies pregnancy)",
    "psychosis": "active psychosis or a psychotic disorder such as schizophrenia",
    "recent_cabg": "coronary artery bypass graft surgery in the current perioperative period",
    "sleep_apnoea": "obstructive or central sleep apnoea",
    "uncontrolled_hypertension": "uncontrolled or severe hypertension",
    "volume_depletion": "volume depletion (hypovolaemia or dehydration: bleeding, vomiting, "
    "poor intake, over-diuresis), a risk of renal failure",
}

#: Patient conditions the rules understand (``Patient.conditions``).
CONDITIONS: Final[frozenset[str]] = frozenset(CONDITION_TERMS)

# Other spellings accepted for a term (US spelling, a common abbreviation).
_ALIASES: Final[Mapping[str, str]] = {
    "sleep_apnea": "sleep_apnoea",
    "osa": "sleep_apnoea",
    "cyp2d6_ultrarapid_metabolizer": "cyp2d6_ultrarapid_metaboliser",
    "labor_and_delivery": "labour_and_delivery",
    "hypovolemia": "volume_depletion",
    "hypovolaemia": "volume_depletion",
}

# A term that implies another: a third-trimester pregnancy is a pregnancy, so every
# pregnancy rule applies to it too; advanced CKD is CKD; a woman in labour is pregnant.
_IMPLIES: Final[Mapping[str, tuple[str, ...]]] = {
    "pregnancy_third_trimester": ("pregnancy",),
    "advanced_ckd": ("ckd",),
    "labour_and_delivery": ("pregnancy",),
}


def condition(value: object) -> str:
    """Return the condition id for ``value`` (case and spaces ignored).

    Raises:
        InputError: ``value`` is not a known condition; the message lists them.

    Examples:
        >>> condition("Sleep apnea")
        'sleep_apnoea'
    """
    key = (
        "_".join(value.strip().lower().replace("-", " ").split())
        if isinstance(value, str)
        else None
    )
    key = _ALIASES.get(key, key) if key is not None else None
    if key not in CONDITIONS:
        msg = f"Unknown condition {value!r}; accepted: {', '.join(sorted(CONDITIONS))}."
        raise InputError(msg)
    return key


def conditions(values: Iterable[object]) -> tuple[str, ...]:
    """Return the sorted condition ids for ``values``, with the ones they imply."""
    found: set[str] = set()
    for value in values:
        key = condition(value)
        found.add(key)
        found.update(_IMPLIES.get(key, ()))
    return tuple(sorted(found))
