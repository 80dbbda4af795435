"""The interaction check's values: medications, patients, findings and the report. (public face: ``painrx.interactions``)."""

from __future__ import annotations

import math
from typing import Any, Final, cast

import attrs

from painrx import catalog, vocabulary
from painrx._args import list_items
from painrx._html import key_value_table, source_html, table_html
from painrx._moved import fields_state, load_fields_state
from painrx.catalog._codes import check_rxcui
from painrx.errors import Alert, InputError, Severity
from painrx.interactions._conditions import conditions
from painrx.interactions._rules import Evidence
from painrx.provenance import Provenance
from painrx.units import Quantity, is_real, magnitude, quantity_arg, real_float

__all__ = [
    "AcetaminophenTotal",
    "AppliedModifier",
    "CheckedMedication",
    "CodedMedication",
    "Finding",
    "InteractionReport",
    "Medication",
    "Patient",
]

_MAX_NAME: Final = 200
_STATED_INTENSITIES: Final = ("prophylactic", "therapeutic")

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


# The check hashes each entry several times (de-duplication, ordering, the prepared
# cache): the hash of an immutable entry is computed once.
@attrs.frozen(cache_hash=True)
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

    @classmethod
    def from_rxcui(cls, rxcui: str | int, **options: Any) -> CodedMedication:
        """Return the medication an RxNorm code denotes, labelled with its RxNorm name.

        Args:
            rxcui: An RxNorm opioid drug or ingredient code (``1049621``).
            **options: ``dose``, ``frequency``, ``route``, ``duration``, ``intensity``.

        Raises:
            InputError: A malformed code.
            UnknownCodeError: A code painrx does not know or cannot read whole.

        >>> Medication.from_rxcui(1049621, frequency="q6h").name
        'oxycodone hydrochloride 5 MG Oral Tablet'
        """
        name = catalog.parse_medication(rxcui=rxcui).text
        return CodedMedication(name, rxcui=rxcui, **options)

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


@attrs.frozen(cache_hash=True)
class CodedMedication(Medication):
    """A :class:`Medication` given as an RxNorm code.

    The code decides the product and its strength; ``name`` is the entry's label, and
    the findings that involve it name the code (:attr:`Finding.codes`).

    Attributes:
        rxcui: An RxNorm opioid drug or ingredient code (``"1049621"``).
    """

    rxcui: str = attrs.field(kw_only=True, converter=check_rxcui)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (with ``rxcui``)."""
        return super().to_dict() | {"rxcui": self.rxcui}


def _text(value: str | Quantity | None) -> str | None:
    return None if value is None else str(value)


def _codes_text(codes: tuple[catalog.Coding, ...]) -> str:
    """``RxNorm 1049621, NDC 00228298311``: the codes as a reader scans them."""
    return ", ".join(
        f"{'NDC' if c.system == catalog.NDC_SYSTEM else 'RxNorm'} {c.code}" for c in codes
    )


def _age(value: object) -> float | None:
    if value is None:
        return None
    low, high = vocabulary.AGE_YEARS
    if not is_real(value) or not math.isfinite(real_float(value)):
        msg = f"age={value!r} must be a number of years."
        raise InputError(msg)
    age = real_float(value)
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
    return conditions(list_items(value, f"conditions={value!r} must be a list such as ['copd']."))


@attrs.frozen
class Patient:
    """The patient context that modifies interaction severities.

    Attributes:
        age: Age in years (a number).
        weight: Body weight (``"70 kg"``), used for weight-based doses.
        height: Height (``"170 cm"``).
        sex: ``"male"`` or ``"female"``.
        conditions: Any of :data:`CONDITIONS` (``"ckd"``, ``"gi_bleed_history"``,
            ``"heart_failure"``, ``"sleep_apnoea"``…; see ``CONDITION_TERMS`` for what
            each means). Case and spaces are ignored; a term's implied conditions are
            added (``"pregnancy_third_trimester"`` adds ``"pregnancy"``).
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
        conditions: For a drug–condition finding, the patient conditions that
            triggered it (empty for other findings, and for an age or duration rule).
        codes: The drug codes of the entries involved that were given as codes
            (``Medication(rxcui=...)``): each drug's RxCUI, then its ingredient's;
            empty when every entry was given by name.
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
    conditions: tuple[str, ...] = attrs.field(default=(), repr=False)
    codes: tuple[catalog.Coding, ...] = attrs.field(default=(), repr=False)

    # A pickle made before a field existed (``conditions``) loads with its default.
    __getstate__ = fields_state
    __setstate__ = load_fields_state

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
            "conditions": list(self.conditions),
            "codes": [c.to_dict() for c in self.codes],
        }

    def __str__(self) -> str:
        """``MAJOR ibuprofen + warfarin: <risk>. Management: <what to do>`` (then the codes)."""
        involved = " + ".join((*self.drugs, *self.conditions))
        management = f" Management: {self.management}" if self.management else ""
        codes = f" (codes: {_codes_text(self.codes)})" if self.codes else ""
        return f"{self.severity.name} {involved}: {self.message}{management}{codes}"

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
                *([("codes", _codes_text(self.codes))] if self.codes else []),
            ],
            source=self.source,
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
        codes: The RxNorm codes the entry was read from (empty for a name).
    """

    text: str
    product: str
    ingredients: tuple[str, ...]
    route: str | None
    intensity: str | None
    acetaminophen_per_day: float | None
    codes: tuple[catalog.Coding, ...] = ()

    # A pickle made before a field existed (``codes``) loads with its default.
    __getstate__ = fields_state
    __setstate__ = load_fields_state

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return attrs.asdict(self, recurse=False) | {
            "ingredients": list(self.ingredients),
            "codes": [c.to_dict() for c in self.codes],
        }


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

    def __str__(self) -> str:
        """One line per finding, most severe first, then whether the check is complete."""
        worst = self.max_severity.name if self.max_severity is not None else "none"
        lines = [f"{len(self.findings)} finding(s), most severe: {worst}"]
        lines += [f"  {f}" for f in self.findings]
        if not self.complete:
            lines.append(f"  INCOMPLETE: not checked: {', '.join(self.unchecked)}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        status = (
            "complete"
            if self.complete
            else f"INCOMPLETE — not checked: {', '.join(self.unchecked)}"
        )
        rows = [
            (
                f.severity.name,
                " + ".join((*f.drugs, *f.conditions)),
                f.message,
                f.management,
                f.rule_id,
            )
            for f in self.findings
        ]
        sources = "".join(
            f"<li>{source_html(source)}</li>"
            for source in dict.fromkeys(f.source for f in self.findings if f.source is not None)
        )
        cited = f"<p>Rule sources:</p><ul>{sources}</ul>" if sources else ""
        return (
            table_html(
                f"Interactions ({status})",
                ("severity", "drugs", "risk", "management", "rule"),
                rows,
                self.alerts,
                self.source,
            )
            + cited
        )
