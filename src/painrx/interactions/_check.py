"""The interaction check: medications, patients, findings and the report. (public face: ``painrx.interactions``)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from html import escape
from typing import Any, Final, Literal, cast

import attrs

from painrx import catalog, vocabulary
from painrx._html import key_value_table
from painrx.errors import Alert, InputError, Severity, UnknownDrugError, dedupe_alerts
from painrx.interactions._rules import (
    CONDITIONS,
    AcetaminophenPolicy,
    Evidence,
    IntensityRegimen,
    Modifier,
    Rule,
    RuleSet,
    default_rules,
)
from painrx.provenance import Provenance
from painrx.units import Q, Quantity, is_real, kind_of, magnitude, quantity_arg

__all__ = [
    "CONDITIONS",
    "AcetaminophenTotal",
    "AppliedModifier",
    "CheckedMedication",
    "Evidence",
    "Finding",
    "InteractionReport",
    "Medication",
    "Patient",
    "Rule",
    "RuleSet",
    "check_interactions",
    "default_rules",
    "rule_table",
]

_APAP: Final = "acetaminophen"
_MAX_NAME: Final = 200
_DOSE_KINDS: Final = ("mass", "mass_rate", "dose_per_weight")
# How much a dose may differ from a label regimen and still match it (mg): only
# floating-point noise, so "40 mg" matches and "40.5 mg" does not.
_DOSE_TOLERANCE_MG: Final = 1e-6
_STATED_INTENSITIES: Final = ("prophylactic", "therapeutic")
# Catalog alerts that mean the text was only partly read.
_NOT_UNDERSTOOD: Final = frozenset({"unparsed_text", "unrecognised_name_words"})
# Dose kinds that are one administration's amount; a rate (mg/day, mcg/h) is a course.
_AMOUNT_KINDS: Final = frozenset({"mass", "dose_per_weight"})


# --- inputs -----------------------------------------------------------------------


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"Medication name must be a non-empty string such as 'warfarin', not {value!r}."
        raise InputError(msg)
    if len(value) > _MAX_NAME:
        msg = f"Medication name is {len(value)} characters long; at most {_MAX_NAME} accepted."
        raise InputError(msg)
    return value


def _dose(value: object) -> str | Quantity | None:
    if value is None:
        return None
    if isinstance(value, str):
        if not value.strip() or len(value) > _MAX_NAME:
            msg = f"dose={value!r} must be a strength such as '400 mg' or '10/325 mg'."
            raise InputError(msg)
        return value.strip()
    if is_real(value):
        msg = f"dose={value!r} is a bare number: painrx never guesses a unit; write e.g. '400 mg'."
        raise InputError(msg)
    return catalog.parse_strength(cast("Quantity", value))[0]


def _frequency(value: object) -> str | float | None:
    if value is None:
        return None
    if is_real(value):
        return vocabulary.doses_per_day(value)
    return vocabulary.frequency_label(value)


def _route(value: object) -> str | None:
    return None if value is None else vocabulary.route(value)


def _duration(value: object) -> Quantity | None:
    return None if value is None else quantity_arg(value, name="duration", kinds="time")


def _intensity(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and value in _STATED_INTENSITIES:
        return value
    msg = f"intensity={value!r}; accepted: None, {', '.join(_STATED_INTENSITIES)}."
    raise InputError(msg)


@attrs.frozen
class Medication:
    """One medication on the list to check.

    Attributes:
        name: A name or free text: ``"warfarin"``, ``"Eliquis 5mg"``, ``"Percocet"``.
        dose: Amount per administration (``"400 mg"``; a combination ``"10/325 mg"`` or
            its opioid part ``"10 mg"``), a daily amount (``"3 g/day"``), a patch rate
            or a weight-based dose (``"1 mg/kg"``). Without ``dose`` a strength in the
            name is used as the amount per administration.
        frequency: ``"BID"``, ``"q6h"``… or a number per day. An amount (``"8 mg"``,
            ``"0.1 mg/kg"``) with no frequency and no duration is a single dose; a
            daily amount or a patch rate never is.
        route: Route (``"topical"``, ``"PO"``…); defaults to what the text or brand implies.
        duration: Planned duration, a time quantity (``"5 day"``); it makes a dose
            without frequency a course, not a single dose.
        intensity: For an anticoagulant, ``"prophylactic"`` or ``"therapeutic"`` when
            known; otherwise painrx infers it from the dose (unknown → therapeutic).
    """

    name: str = attrs.field(converter=_name)
    dose: str | Quantity | None = attrs.field(default=None, converter=_dose)
    frequency: str | float | None = attrs.field(default=None, converter=_frequency)
    route: str | None = attrs.field(default=None, converter=_route)
    duration: Quantity | None = attrs.field(default=None, converter=_duration)
    intensity: str | None = attrs.field(default=None, converter=_intensity)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "name": self.name,
            "dose": _text(self.dose),
            "frequency": self.frequency,
            "route": self.route,
            "duration": _text(self.duration),
            "intensity": self.intensity,
        }


def _text(value: str | Quantity | None) -> str | None:
    return None if value is None else str(value)


def _age(value: object) -> float | None:
    if value is None:
        return None
    low, high = vocabulary.AGE_YEARS
    if not is_real(value) or not math.isfinite(float(cast("float", value))):
        msg = f"age={value!r} must be a number of years."
        raise InputError(msg)
    age = float(cast("float", value))
    if not low <= age <= high:
        msg = f"age={value!r} is outside the plausible range {low:g}–{high:g} years."
        raise InputError(msg)
    return age


def _bounded(value: object, name: str, kinds: Any, unit: str, bounds: tuple[float, float]) -> Any:
    if value is None:
        return None
    q = quantity_arg(value, name=name, kinds=kinds)
    amount = magnitude(q, unit)
    if not bounds[0] <= amount <= bounds[1]:
        msg = f"{name}={format(q)!r} is outside the plausible range {bounds[0]:g}–{bounds[1]:g} {unit}."
        raise InputError(msg)
    return q


def _weight(value: object) -> Quantity | None:
    q = _bounded(value, "weight", ("mass", "body_weight"), "kg", vocabulary.BODY_WEIGHT_KG)
    return cast("Quantity | None", q)


def _height(value: object) -> Quantity | None:
    return cast("Quantity | None", _bounded(value, "height", "length", "cm", vocabulary.HEIGHT_CM))


def _sex(value: object) -> str | None:
    return None if value is None else vocabulary.sex(value)


def _conditions(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        msg = f"conditions={value!r} must be a list such as ['copd']."
        raise InputError(msg)
    found = []
    for item in value:
        key = item.strip().lower() if isinstance(item, str) else None
        if key not in CONDITIONS:
            msg = f"Unknown condition {item!r}; accepted: {', '.join(sorted(CONDITIONS))}."
            raise InputError(msg)
        found.append(key)
    return tuple(sorted(set(found)))


@attrs.frozen
class Patient:
    """The patient context that modifies interaction severities.

    Attributes:
        age: Age in years (a number).
        weight: Body weight (``"70 kg"``), used for weight-based doses.
        height: Height (``"170 cm"``).
        sex: ``"male"`` or ``"female"``.
        conditions: Any of :data:`CONDITIONS`: ``"gi_bleed_history"``,
            ``"peptic_ulcer_history"``, ``"ckd"``, ``"copd"``, ``"liver_disease"``,
            ``"neuraxial_catheter"``, ``"alcohol_use"``.
    """

    age: float | None = attrs.field(default=None, converter=_age)
    weight: Quantity | None = attrs.field(default=None, converter=_weight)
    height: Quantity | None = attrs.field(default=None, converter=_height)
    sex: str | None = attrs.field(default=None, converter=_sex)
    conditions: tuple[str, ...] = attrs.field(default=(), converter=_conditions)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "age": self.age,
            "weight": _text(self.weight),
            "height": _text(self.height),
            "sex": self.sex,
            "conditions": list(self.conditions),
        }


# --- results ----------------------------------------------------------------------


@attrs.frozen
class AppliedModifier:
    """A context modifier that applied to a finding.

    Attributes:
        id: The modifier's stable id, e.g. ``"gi_protection"``.
        effect: ``"lower"``, ``"raise"`` or ``"cap"``.
        to: Target severity of a raise or cap (None for a lower).
        note: Why it applied.
        source: Id of the cited source.
    """

    id: str
    effect: str
    to: Severity | None
    note: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "id": self.id,
            "effect": self.effect,
            "to": self.to.name.lower() if self.to is not None else None,
            "note": self.note,
            "source": self.source,
        }


def _ids(items: tuple[AppliedModifier, ...]) -> str:
    return repr(tuple(m.id for m in items))


@attrs.frozen
class Finding:
    """One interaction found in the list.

    Attributes:
        drugs: Ingredient ids involved, in the rule's slot order.
        severity: Severity after context modifiers.
        rule_id: Stable rule id, e.g. ``"nsaid_anticoagulant"``.
        message: What happens, naming the drugs.
        management: What to do instead.
        evidence: Cited effect sizes with populations.
        modifiers: Context modifiers that applied.
        medications: The list entries involved, as given.
        title: The rule's short title.
        tags: Topic tags (``"bleeding"``, ``"renal"``, ``"respiratory_depression"``…).
        source: The rule's main source.
        rule_set: Id of the rule set the rule comes from.
    """

    drugs: tuple[str, ...]
    severity: Severity
    rule_id: str
    message: str
    management: str = attrs.field(repr=False)
    evidence: tuple[Evidence, ...] = attrs.field(repr=False)
    modifiers: tuple[AppliedModifier, ...] = attrs.field(repr=_ids)
    medications: tuple[str, ...] = ()
    title: str = attrs.field(default="", repr=False)
    tags: frozenset[str] = attrs.field(default=frozenset(), repr=False)
    source: Provenance | None = attrs.field(default=None, repr=False)
    rule_set: str = attrs.field(default="", repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (sources by id)."""
        return {
            "drugs": list(self.drugs),
            "severity": self.severity.name.lower(),
            "rule_id": self.rule_id,
            "title": self.title,
            "message": self.message,
            "management": self.management,
            "evidence": [e.to_dict() for e in self.evidence],
            "modifiers": [m.to_dict() for m in self.modifiers],
            "medications": list(self.medications),
            "tags": sorted(self.tags),
            "source": self.source.id if self.source is not None else None,
            "rule_set": self.rule_set,
        }

    def _repr_html_(self) -> str:
        return key_value_table(
            f"{self.severity.name}: {self.title or self.rule_id}",
            [
                ("drugs", " + ".join(self.drugs)),
                ("message", self.message),
                ("management", self.management),
                ("modifiers", "; ".join(f"{m.id} ({m.note})" for m in self.modifiers) or "—"),
                ("evidence", " | ".join(str(e) for e in self.evidence) or "—"),
                ("rule", f"{self.rule_id} ({self.rule_set})"),
            ],
        )


@attrs.frozen
class AcetaminophenTotal:
    """Acetaminophen summed across every product on the list.

    Attributes:
        daily_dose: Sum of the products whose daily amount is known (mg/day).
        complete: False when some product's daily amount is unknown; the sum is
            then a lower bound.
        products: List entries containing acetaminophen.
        unquantified: Those whose daily amount could not be computed.
        limit: The daily limit applied to this patient.
        limit_reason: Why that limit.
        source: The cited source of the limit.
    """

    daily_dose: Quantity
    complete: bool
    products: tuple[str, ...]
    unquantified: tuple[str, ...]
    limit: Quantity
    limit_reason: str
    source: Provenance | None = attrs.field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "daily_dose": {"value": float(self.daily_dose.magnitude), "unit": "mg/day"},
            "complete": self.complete,
            "products": list(self.products),
            "unquantified": list(self.unquantified),
            "limit": {"value": magnitude(self.limit, "mg/day"), "unit": "mg/day"},
            "limit_reason": self.limit_reason,
            "source": self.source.id if self.source is not None else None,
        }


@attrs.frozen
class CheckedMedication:
    """How one list entry was read.

    Attributes:
        text: The entry as given.
        product: The catalog product id.
        ingredients: Its ingredient ids.
        route: Route used (None when unknown).
        intensity: Anticoagulant intensity used (``"prophylactic"``, ``"therapeutic"``,
            ``"ambiguous"``, ``"unknown"``), None for other drugs.
        acetaminophen_per_day: Acetaminophen from this entry in mg/day, when known.
    """

    text: str
    product: str
    ingredients: tuple[str, ...]
    route: str | None
    intensity: str | None
    acetaminophen_per_day: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return attrs.asdict(self, recurse=False) | {"ingredients": list(self.ingredients)}


@attrs.frozen
class InteractionReport:
    """The result of :func:`check_interactions`.

    Attributes:
        findings: Findings ordered by severity (highest first), then rule id.
        max_severity: The highest severity, or None when there are no findings.
        unchecked: Entries that could not be checked, or whose name was only partly
            recognised (``"Tylenol PM"``), with ``on_unknown="report"``.
        complete: False when any entry went unchecked: never read an incomplete
            report as "no interaction".
        acetaminophen: The cumulative acetaminophen, or None when none is listed.
        medications: How each entry was read.
        alerts: Notes on the input (unparsed text, unknown doses, unchecked drugs).
        source: The provenance of painrx's rule set.
        rule_sets: Ids of every rule set applied.
    """

    findings: tuple[Finding, ...]
    max_severity: Severity | None
    unchecked: tuple[str, ...]
    complete: bool
    acetaminophen: AcetaminophenTotal | None = None
    medications: tuple[CheckedMedication, ...] = attrs.field(default=(), repr=False)
    alerts: tuple[Alert, ...] = attrs.field(
        default=(), repr=lambda a: repr(tuple(x.code for x in a))
    )
    source: Provenance | None = attrs.field(default=None, repr=False)
    rule_sets: tuple[str, ...] = attrs.field(default=(), repr=False)

    def findings_for_class(self, cls: str) -> tuple[Finding, ...]:
        """Return the findings that involve a member of a painrx class.

        ``report.findings_for_class("nsaid")`` lists every concern with giving an NSAID.

        Raises:
            InputError: ``cls`` is not a painrx class.
        """
        members = catalog.members(cls)
        return tuple(f for f in self.findings if members.intersection(f.drugs))

    def findings_with_tag(self, tag: str) -> tuple[Finding, ...]:
        """Return the findings tagged ``tag`` (``"bleeding"``, ``"renal"``…)."""
        return tuple(f for f in self.findings if tag in f.tags)

    def severity_of(self, rule_id: str) -> Severity | None:
        """Return the highest severity of a rule's findings, or None when it did not fire."""
        found = [f.severity for f in self.findings if f.rule_id == rule_id]
        return max(found) if found else None

    def nsaid_bleeding_risk(self) -> Severity | None:
        """Return the highest severity of a bleeding finding that involves an NSAID.

        This is the question "may an NSAID be given?": MAJOR or above means withhold
        it (e.g. ``nsaid_anticoagulant`` with a therapeutic anticoagulant). None means
        no bleeding finding involves an NSAID; check ``complete`` too.
        """
        nsaids = catalog.members("nsaid")
        found = [
            f.severity
            for f in self.findings
            if "bleeding" in f.tags and nsaids.intersection(f.drugs)
        ]
        return max(found) if found else None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "max_severity": self.max_severity.name.lower() if self.max_severity else None,
            "unchecked": list(self.unchecked),
            "complete": self.complete,
            "acetaminophen": self.acetaminophen.to_dict() if self.acetaminophen else None,
            "medications": [m.to_dict() for m in self.medications],
            "alerts": [a.to_dict() for a in self.alerts],
            "source": self.source.id if self.source is not None else None,
            "rule_sets": list(self.rule_sets),
        }

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{escape(f.severity.name)}</td><td>{escape(f.rule_id)}</td>"
            f"<td>{escape(' + '.join(f.drugs))}</td><td>{escape(f.management)}</td></tr>"
            for f in self.findings
        )
        status = (
            "complete"
            if self.complete
            else f"INCOMPLETE — not checked: {', '.join(self.unchecked)}"
        )
        return (
            f"<table><caption>Interactions ({escape(status)})</caption>"
            "<tr><th>severity</th><th>rule</th><th>drugs</th><th>management</th></tr>"
            f"{rows}</table>"
        )


# --- preparing the list -----------------------------------------------------------


@attrs.frozen
class _Med:
    label: str
    product: str
    ingredients: tuple[str, ...]
    route: str | None
    single_dose: bool
    intensity: str | None
    intensity_note: str
    apap_mg_day: float | None
    checked: CheckedMedication
    partial: bool


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


@lru_cache(maxsize=4096)
def _prepare(
    med: Medication, weight_kg: float | None, regimens: tuple[IntensityRegimen, ...]
) -> tuple[_Med, tuple[Alert, ...]]:
    parsed = catalog.parse_medication(med.name)
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
    intensity: str | None = None
    note = ""
    anticoagulants = [i for i in ids if i in catalog.members("anticoagulant")]
    if anticoagulants:
        if med.intensity is not None:
            intensity, note = med.intensity, "stated with the medication"
        else:
            index = ids.index(anticoagulants[0])
            intensity, note = _infer_intensity(
                anticoagulants[0], _component(strengths, index, n), per_day, regimens
            )
    apap = None
    if _APAP in ids:
        component = _component(strengths, ids.index(_APAP), n)
        apap = _daily_mg(component, per_day, explicit, weight_kg)
    route = med.route or parsed.route
    prepared = _Med(
        label=med.name,
        product=parsed.product.id,
        ingredients=ids,
        route=route,
        # Only an amount with no frequency and no planned duration is one dose: a daily
        # rate ("40 mg/day") or a duration ("5 day") describes a course.
        single_dose=explicit
        and per_day is None
        and med.duration is None
        and all(kind_of(q) in _AMOUNT_KINDS for q in strengths),
        intensity=intensity,
        intensity_note=note,
        apap_mg_day=apap,
        checked=CheckedMedication(med.name, parsed.product.id, ids, route, intensity, apap),
        partial=any(a.code == "unrecognised_name_words" for a in parsed.alerts),
    )
    return prepared, parsed.alerts


def _as_medications(meds: object) -> list[Medication]:
    if isinstance(meds, str | Medication) or not isinstance(meds, Iterable):
        msg = "meds must be a list of names or Medication objects, e.g. ['warfarin', 'ibuprofen']."
        raise InputError(msg)
    found = []
    for item in meds:
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
    )


# --- matching ---------------------------------------------------------------------


class _Context:
    """One check's medications and patient, with lazily computed co-medication sets."""

    __slots__ = ("apap_mg_day", "holders", "meds", "patient", "present")

    def __init__(self, meds: tuple[_Med, ...], patient: Patient, apap: float | None) -> None:
        self.meds = meds
        self.patient = patient
        self.apap_mg_day = apap
        self.present = frozenset(i for med in meds for i in med.ingredients)
        # Co-medication modifier -> indices of the entries holding one of its ingredients
        # (by a route the modifier counts).
        self.holders: dict[Modifier, frozenset[int]] = {}

    def holding(self, mod: Modifier) -> frozenset[int]:
        found = self.holders.get(mod)
        if found is None:
            found = frozenset(
                index
                for index, med in enumerate(self.meds)
                if not mod.matches.isdisjoint(med.ingredients)
                and med.route not in mod.exclude_routes
                and not (mod.exclude_single_dose and med.single_dose)
            )
            self.holders[mod] = found
        return found


def _fires(mod: Modifier, chosen: tuple[int, ...], ctx: _Context) -> bool:
    when = mod.when
    if mod.member is not None:
        med = ctx.meds[chosen[mod.member]]
        if when == "route":
            return med.route in mod.values
        if when == "intensity":
            return (med.intensity or "unknown") in mod.values
        return med.single_dose
    if when == "co_medication":
        return not ctx.holding(mod).issubset(chosen)
    if when == "condition":
        return not mod.values.isdisjoint(ctx.patient.conditions)
    if when in {"age_over", "age_at_least"}:
        age, limit = ctx.patient.age, cast("float", mod.number)
        return age is not None and (age > limit if when == "age_over" else age >= limit)
    if when == "class_count":
        return len(ctx.present & mod.matches) >= cast("float", mod.number)
    amount = magnitude(cast("Quantity", mod.amount), "mg/day")
    return ctx.apap_mg_day is not None and ctx.apap_mg_day > amount


@cache
def _local_modifiers(rule: Rule) -> tuple[Modifier, ...]:
    """The modifiers whose outcome depends on which entries fill the rule's slots."""
    return tuple(m for m in rule.modifiers if m.member is not None or m.when == "co_medication")


_SEVERITIES: Final = tuple(Severity)


def _severity(
    rule: Rule, chosen: tuple[int, ...], ctx: _Context, fixed: frozenset[Modifier]
) -> tuple[Severity, tuple[Modifier, ...]]:
    local = _local_modifiers(rule)
    if local:
        fired = [m for m in local if _fires(m, chosen, ctx)]
        if fired:
            fixed = fixed.union(fired)
    if not fixed:
        return rule.severity, ()
    fired_all = fixed
    applied = tuple(m for m in rule.modifiers if m in fired_all)
    # Plain ints: IntEnum arithmetic is several times slower on this hot path.
    level, floor = int(rule.severity), int(rule.floor)
    for mod in applied:
        if mod.effect == "lower":
            level = max(floor, level - mod.steps, 0)
    for mod in applied:
        if mod.effect == "raise":
            level = max(level, int(cast("Severity", mod.to)))
    for mod in applied:
        if mod.effect == "cap":
            level = min(level, int(cast("Severity", mod.to)))
    return _SEVERITIES[level], applied


def _applied(mod: Modifier, chosen: tuple[int, ...], ctx: _Context) -> AppliedModifier:
    if mod.when == "intensity" and mod.member is not None:
        med = ctx.meds[chosen[mod.member]]
        return _applied_note(mod, f"{mod.note} [{med.label}: {med.intensity_note}]")
    return _applied_note(mod, mod.note)


@lru_cache(maxsize=1024)
def _applied_note(mod: Modifier, note: str) -> AppliedModifier:
    return AppliedModifier(mod.id, mod.effect, mod.to, note, mod.source.id)


@cache
def _display_names() -> Mapping[str, str]:
    return {i.id: i.name for i in catalog.ingredients()}


@cache
def _slot_index(sets: tuple[RuleSet, ...]) -> Mapping[str, tuple[tuple[int, int], ...]]:
    """Map each ingredient to the (rule, slot) pairs it can fill, over ``sets``' rules."""
    index: dict[str, list[tuple[int, int]]] = {}
    rules = [r for s in sets for r in s.rules]
    for r_index, rule in enumerate(rules):
        for m_index, member in enumerate(rule.members):
            for ingredient in member.matches:
                index.setdefault(ingredient, []).append((r_index, m_index))
    return {k: tuple(v) for k, v in index.items()}


def _combinations(
    rule: Rule, slots: list[list[tuple[int, str]]]
) -> Iterable[tuple[tuple[int, ...], tuple[str, ...]]]:
    width = len(slots)
    if width == 2 and not rule.symmetric:
        # The common case, without the generic product's tuple shuffling.
        return [
            ((a_med, b_med), (a_drug, b_drug))
            for a_med, a_drug in slots[0]
            for b_med, b_drug in slots[1]
            if a_med != b_med and a_drug != b_drug
        ]
    return _general_combinations(rule, slots, width)


def _general_combinations(
    rule: Rule, slots: list[list[tuple[int, str]]], width: int
) -> Iterable[tuple[tuple[int, ...], tuple[str, ...]]]:
    for combo in itertools.product(*slots):
        if rule.symmetric:
            combo = tuple(sorted(combo, key=lambda c: c[1]))  # noqa: PLW2901 -- canonical order
        chosen, drugs = zip(*combo, strict=True)
        if len(set(chosen)) == width and len(set(drugs)) == width:
            yield chosen, drugs


def _rule_findings(rule: Rule, slots: list[list[tuple[int, str]]], ctx: _Context) -> list[Finding]:
    best: dict[tuple[str, ...], tuple[Severity, tuple[int, ...], tuple[Modifier, ...]]] = {}
    labels: dict[tuple[str, ...], set[str]] = {}
    local = _local_modifiers(rule)
    # Modifiers about the patient or the whole list fire the same for every combination.
    fixed = frozenset(m for m in rule.modifiers if m not in local and _fires(m, (), ctx))
    meds = ctx.meds
    for chosen, drugs in _combinations(rule, slots):
        severity, applied = _severity(rule, chosen, ctx, fixed)
        held = best.get(drugs)
        if held is None:
            best[drugs] = (severity, chosen, applied)
            labels[drugs] = {meds[i].label for i in chosen}
            continue
        if severity > held[0]:
            best[drugs] = (severity, chosen, applied)
        labels[drugs].update(meds[i].label for i in chosen)
    names = _display_names()
    found = []
    for drugs, (severity, chosen, applied) in best.items():
        entries = labels[drugs]
        found.append(
            Finding(
                drugs=drugs,
                severity=severity,
                rule_id=rule.id,
                message=f"{' + '.join([names[d] for d in drugs])}: {rule.message}",
                management=rule.management,
                evidence=rule.evidence,
                modifiers=tuple([_applied(m, chosen, ctx) for m in applied]),
                medications=tuple(entries)
                if len(entries) == 1
                else tuple(sorted(entries, key=lambda s: (s.casefold(), s))),
                title=rule.title,
                tags=rule.tags,
                source=rule.source,
                rule_set=rule.rule_set,
            )
        )
    return found


def _match(sets: tuple[RuleSet, ...], ctx: _Context) -> list[Finding]:
    rules = [r for s in sets for r in s.rules]
    slots: dict[int, list[list[tuple[int, str]]]] = {}
    index = _slot_index(sets)
    for m_index, med in enumerate(ctx.meds):
        for ingredient in med.ingredients:
            for r_index, slot in index.get(ingredient, ()):
                per_rule = slots.get(r_index)
                if per_rule is None:
                    per_rule = slots[r_index] = [[] for _ in rules[r_index].members]
                per_rule[slot].append((m_index, ingredient))
    findings: list[Finding] = []
    for r_index in sorted(slots):
        if all(slots[r_index]):
            findings.extend(_rule_findings(rules[r_index], slots[r_index], ctx))
    superseding = [
        (rules_by_id.supersedes, set(f.drugs))
        for f in findings
        if (rules_by_id := _rule_by_id(sets)[f.rule_id]).supersedes
    ]
    if superseding:
        findings = [
            f
            for f in findings
            if not any(f.rule_id in ids and drugs.issuperset(f.drugs) for ids, drugs in superseding)
        ]
    return findings


@cache
def _rule_by_id(sets: tuple[RuleSet, ...]) -> Mapping[str, Rule]:
    return {r.id: r for s in sets for r in s.rules}


def _apap_limit(
    policy: AcetaminophenPolicy, patient: Patient, override: object
) -> tuple[Quantity, str, Provenance]:
    if override is not None:
        limit = quantity_arg(override, name="acetaminophen_limit", kinds="mass_rate")
        if magnitude(limit, "mg/day") > magnitude(policy.max_daily, "mg/day"):
            msg = (
                f"acetaminophen_limit={format(limit)!r} is above the maximum of "
                f"{policy.max_daily}; give a lower limit."
            )
            raise InputError(msg)
        return limit, "set by the caller", policy.lower_source
    reasons = sorted(policy.lower_conditions.intersection(patient.conditions))
    if patient.age is not None and patient.age >= policy.lower_age_at_least:
        reasons.insert(0, f"age {patient.age:g} (>= {policy.lower_age_at_least:g})")
    if reasons:
        return policy.lower_daily, f"lower limit: {', '.join(reasons)}", policy.lower_source
    return policy.max_daily, "maximum daily dose", policy.max_source


def _apap_findings(
    meds: tuple[_Med, ...], policy: AcetaminophenPolicy, patient: Patient, override: object
) -> tuple[AcetaminophenTotal | None, list[Finding]]:
    with_apap = [m for m in meds if _APAP in m.ingredients]
    if not with_apap:
        return None, []
    known = [m.apap_mg_day for m in with_apap if m.apap_mg_day is not None]
    total = math.fsum(known)
    complete = len(known) == len(with_apap)
    limit, reason, limit_source = _apap_limit(policy, patient, override)
    summary = AcetaminophenTotal(
        daily_dose=Q(total, "mg/day"),
        complete=complete,
        products=tuple(m.label for m in with_apap),
        unquantified=tuple(m.label for m in with_apap if m.apap_mg_day is None),
        limit=limit,
        limit_reason=reason,
        source=limit_source,
    )
    labels = tuple(m.label for m in with_apap)
    bound = "" if complete else "at least "
    findings = []
    max_mg, limit_mg = magnitude(policy.max_daily, "mg/day"), magnitude(limit, "mg/day")
    rules = [
        (total > max_mg, policy.max_rule, policy.max_severity, policy.max_daily, policy.max_source),
        (
            max_mg >= total > limit_mg,
            policy.lower_rule,
            policy.lower_severity,
            limit,
            limit_source,
        ),
    ]
    for fired, rule_id, severity, threshold, source in rules:
        if fired:
            findings.append(
                Finding(
                    drugs=(_APAP,),
                    severity=severity,
                    rule_id=rule_id,
                    message=(
                        f"Acetaminophen: {bound}{total:g} mg/day from {len(with_apap)} "
                        f"product(s) exceeds {threshold} ({reason})."
                    ),
                    management=policy.management,
                    evidence=(),
                    modifiers=(),
                    medications=labels,
                    title="Cumulative acetaminophen",
                    tags=frozenset({"hepatotoxicity"}),
                    source=source,
                    rule_set=policy.source.id.split("/")[0],
                )
            )
    if len(with_apap) > 1:
        severity = policy.multiple_severity if complete else policy.multiple_unquantified_severity
        detail = (
            f"{total:g} mg/day in total"
            if complete
            else f"daily total unknown for {', '.join(summary.unquantified)}"
        )
        findings.append(
            Finding(
                drugs=(_APAP,),
                severity=severity,
                rule_id=policy.multiple_rule,
                message=f"Acetaminophen is in {len(with_apap)} products ({detail}).",
                management=policy.management,
                evidence=(),
                modifiers=(),
                medications=labels,
                title="Acetaminophen in more than one product",
                tags=frozenset({"hepatotoxicity"}),
                source=policy.source,
                rule_set=policy.source.id.split("/")[0],
            )
        )
    return summary, findings


def _rule_sets(rules: object) -> tuple[RuleSet, ...]:
    base = default_rules()
    if rules is None:
        return (base,)
    extra = (rules,) if isinstance(rules, RuleSet) else rules
    if not isinstance(extra, Iterable) or not all(isinstance(r, RuleSet) for r in extra):
        msg = "rules must be a RuleSet or a list of RuleSets (RuleSet.from_file(path))."
        raise InputError(msg)
    sets = (base, *cast("Iterable[RuleSet]", extra))
    seen: dict[str, str] = {}
    for rule_set in sets:
        for rule in rule_set.rules:
            if rule.id in seen and seen[rule.id] != rule_set.id:
                msg = f"Rule id {rule.id!r} of {rule_set.id} is already used by {seen[rule.id]}."
                raise InputError(msg)
            seen[rule.id] = rule_set.id
    return tuple({s.id: s for s in sets}.values())


def check_interactions(
    meds: Iterable[str | Medication],
    *,
    patient: Patient | None = None,
    on_unknown: Literal["raise", "report"] = "raise",
    rules: RuleSet | Iterable[RuleSet] | None = None,
    acetaminophen_limit: str | Quantity | None = None,
) -> InteractionReport:
    """Check a medication list for interactions and cumulative acetaminophen.

    Args:
        meds: Names, free text (``"Ibuprofen 400 mg tablet"``, ``"Eliquis 5mg"``) or
            :class:`Medication` objects. Repeated identical entries count once.
        patient: Age, weight and conditions that modify severities.
        on_unknown: ``"raise"`` (default) raises for a drug not in the catalog, for an
            entry naming two drugs, and for a name with words painrx could not read
            (``"Tylenol PM"``); ``"report"`` lists such entries in ``.unchecked`` and
            sets ``.complete`` to False (a partly read entry is still checked for
            what was recognised).
        rules: Extra rule sets (e.g. a site's licensed rules) applied with painrx's own.
        acetaminophen_limit: A daily limit (``"3 g/day"``) replacing the patient's
            default one (4 g/day, or 3 g/day with age ≥ 65, liver disease or alcohol use).

    Returns:
        The report; findings are ordered by severity (highest first), then rule id.

    Raises:
        UnknownDrugError: A drug is not in the catalog, or an entry was only partly
            recognised, and ``on_unknown="raise"``.
        InputError: A malformed list, dose, option or patient value.
        UnitError: A dose without a unit or with a unit painrx does not accept.

    Examples:
        >>> r = check_interactions(
        ...     [Medication("enoxaparin", dose="40 mg", frequency="daily"), "ibuprofen"]
        ... )
        >>> [(f.rule_id, f.severity.name) for f in r.findings]
        [('nsaid_anticoagulant', 'MODERATE')]
    """
    if not isinstance(cast("object", on_unknown), str) or on_unknown not in {"raise", "report"}:
        msg = f"on_unknown={on_unknown!r}; accepted: 'raise', 'report'."
        raise InputError(msg)
    if patient is None:
        patient = Patient()
    elif not isinstance(cast("object", patient), Patient):
        msg = f"patient must be a painrx Patient, not {patient!r}."
        raise InputError(msg)
    sets = _rule_sets(rules)
    base = sets[0]
    regimens = tuple(r for s in sets for r in s.intensity)
    weight_kg = magnitude(patient.weight, "kg") if patient.weight is not None else None
    entries = sorted(set(_as_medications(meds)), key=_sort_key)
    prepared: list[_Med] = []
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
            # "Tylenol PM": the recognised part is checked below, but the words painrx
            # could not read may be another ingredient, so the entry is not cleared.
            if on_unknown == "raise":
                raise UnknownDrugError(med.name, (item.product,))
            unchecked.append(med.name)
        prepared.append(item)
        alerts.extend(parse_alerts)
    meds_t = tuple(prepared)
    policy = cast("AcetaminophenPolicy", base.acetaminophen)
    summary, findings = _apap_findings(meds_t, policy, patient, acetaminophen_limit)
    ctx = _Context(meds_t, patient, summary.daily_dose.magnitude if summary else None)
    findings.extend(_match(sets, ctx))
    findings.sort(key=lambda f: (-f.severity, f.rule_id, f.drugs, f.medications))
    if unchecked:
        alerts.append(
            Alert(
                "interaction_check_incomplete",
                Severity.MAJOR,
                "Not checked, or only partly recognised (not in the painrx catalog): "
                f"{', '.join(unchecked)}. Review these drugs manually; their absence from "
                "the findings means nothing.",
                base.source,
            )
        )
    if summary is not None and not summary.complete:
        alerts.append(
            Alert(
                "acetaminophen_dose_unknown",
                Severity.INFO,
                "The daily acetaminophen from "
                f"{', '.join(summary.unquantified)} is unknown (give dose and frequency); "
                "the total is a lower bound.",
                policy.source,
            )
        )
    return InteractionReport(
        findings=tuple(findings),
        max_severity=max((f.severity for f in findings), default=None),
        unchecked=tuple(unchecked),
        complete=not unchecked,
        acetaminophen=summary,
        medications=tuple(m.checked for m in meds_t),
        alerts=dedupe_alerts(alerts),
        source=base.source,
        rule_sets=tuple(s.id for s in sets),
    )


def rule_table(rule_set: RuleSet | None = None) -> tuple[Mapping[str, str], ...]:
    """Return one row per rule (id, severity, members, modifiers, sources) for docs and UIs."""
    rules = (rule_set or default_rules()).rules
    return tuple(
        {
            "id": r.id,
            "severity": r.severity.name.lower(),
            "members": " + ".join(m.describe() for m in r.members),
            "modifiers": ", ".join(m.id for m in r.modifiers),
            "sources": ", ".join(
                dict.fromkeys(
                    [r.source.id.split("/")[-1]] + [e.source.id.split("/")[-1] for e in r.evidence]
                )
            ),
        }
        for r in rules
    )
