"""The care-plan value objects: :class:`CarePlan`, :class:`PlanItem`, :class:`Regimen`, :class:`RedFlag`.

They hold what the pathway computed and render it (Markdown, HTML, JSON-ready
dicts); they compute no dose themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any, Final, Protocol, TypeAlias, cast

import attrs

from painrx._moved import fields_state, load_fields_state
from painrx.errors import Alert, Severity
from painrx.pathways._disclaimer import DISCLAIMER
from painrx.pathways.fhir import care_plan_bundle
from painrx.provenance import Provenance
from painrx.types import FhirBundle
from painrx.units import Quantity, format_units

__all__ = [
    "DISCLAIMER",
    "SECTION_TITLES",
    "CarePlan",
    "ModuleResult",
    "Order",
    "PlanInputs",
    "PlanItem",
    "RedFlag",
    "Regimen",
    "quantity_text",
]

#: Section id → heading, in the order a plan is printed.
SECTION_TITLES: Final = {
    "assessment": "Assessment",
    "differential": "Differential diagnosis",
    "analgesia": "Analgesia",
    "adjuncts": "Adjuncts",
    "investigations": "Investigations triggered by findings",
    "pitfalls": "Pitfalls",
    "discharge": "Discharge",
}


class ModuleResult(Protocol):
    """What the plan needs from a painrx result (InfusionRate, Conversion, TaperSchedule)."""

    @property
    def source(self) -> Provenance:
        """Where the result's numbers come from."""

    @property
    def alerts(self) -> tuple[Alert, ...]:
        """Alerts raised while computing it."""

    def to_dict(self) -> Mapping[str, Any]:
        """A JSON-ready mapping."""


#: A computed result held by a plan item, or several (a dose range gives two).
Order: TypeAlias = "ModuleResult | tuple[ModuleResult, ...]"


_ROUTE_LABELS: Final = {"iv": "IV", "sc": "SC", "im": "IM"}


def quantity_text(q: Quantity) -> str:
    """Return a quantity as the plan prints it (``"9.375 mg/h"``).

    >>> from painrx.units import Q
    >>> quantity_text(Q("0.125 mg/kg/h"))
    '0.125 mg/kg/h'
    """
    return f"{q.magnitude:g} {format_units(q)}"


def _q(q: Quantity | None) -> str | None:
    return None if q is None else quantity_text(q)


def _q_dict(q: Quantity | None) -> dict[str, Any] | None:
    if q is None:
        return None
    return {"value": float(q.magnitude), "unit": format_units(q)}


@attrs.frozen(repr=False)
class Regimen:
    """A medication as the plan proposes it: drug, route, dose and timing.

    A ``dose`` of None means the dose is the prescriber's choice (the sources give none).

    Attributes:
        drug: Catalog name of the drug, e.g. ``"acetaminophen"``.
        route: Canonical route (``"oral"``, ``"iv"``…).
        dose: Amount per administration, or None when the prescriber chooses it.
        frequency: Frequency code (``"q6h"``), or None for a single dose or an infusion;
            for an interval range (every 4 to 6 hours) the shortest interval.
        frequency_text: The timing in words, e.g. ``"every 4 to 6 hours as needed"``.
        as_needed: True for a PRN medication.
        source: The cited source of the dose and timing, when the plan states them.
        dose_text: What stands for the dose when ``dose`` is None (a computed range,
            a taper); empty means the dose is the prescriber's.
        frequency_max: For an interval range, the frequency code of the longest
            interval (``"q6h"`` in every 4 to 6 hours); None otherwise.
    """

    drug: str
    route: str
    dose: Quantity | None = None
    frequency: str | None = None
    frequency_text: str = ""
    as_needed: bool = False
    source: Provenance | None = None
    dose_text: str = ""
    frequency_max: str | None = None

    def __repr__(self) -> str:
        return f"Regimen({self.describe()!r})"

    def describe(self) -> str:
        """Return the regimen in one line.

        >>> from painrx.units import Q
        >>> Regimen("acetaminophen", "oral", Q("1000 mg"), "q6h").describe()
        'acetaminophen 1000 mg oral, q6h'
        >>> Regimen("morphine", "iv", as_needed=True, frequency_text="for breakthrough pain").describe()
        'morphine IV (dose for the prescriber), for breakthrough pain, as needed'
        """
        route = _ROUTE_LABELS.get(self.route, self.route)
        if self.dose is not None:
            what = f"{self.drug} {_q(self.dose)} {route}"
        else:
            what = f"{self.drug} {route} ({self.dose_text or 'dose for the prescriber'})"
        timing = self.frequency_text or self.frequency or "single dose"
        prn = ", as needed" if self.as_needed and "as needed" not in timing else ""
        return f"{what}, {timing}{prn}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "drug": self.drug,
            "route": self.route,
            "dose": _q_dict(self.dose),
            "frequency": self.frequency,
            "frequency_max": self.frequency_max,
            "frequency_text": self.frequency_text,
            "as_needed": self.as_needed,
            "dose_text": self.dose_text,
            "source": None if self.source is None else self.source.id,
        }


@attrs.frozen(repr=False)
class PlanItem:
    """One recommendation of a care plan.

    Attributes:
        kind: ``"medication"``, ``"avoid"``, ``"investigation"``, ``"referral"``,
            ``"advice"`` or ``"assessment"``.
        name: What to do, in a few words.
        rationale: Why, in the plan's words (never a copy of the source).
        source: Where the recommendation comes from (the seed article).
        order: The computed result behind the item's numbers (an ``InfusionRate``,
            ``Conversion`` or ``TaperSchedule``), a tuple of them, or None.
        code: Stable identifier of the item, e.g. ``"nsaid_withheld"``.
        section: Where the item is printed (see :data:`SECTION_TITLES`).
        evidence: The article's own reference and the primary sources behind it.
        regimen: The proposed drug, route, dose and timing (medication and avoid items).
        detail: The computed numbers in words, for printing.
        alerts: Alerts specific to this item (including its orders' alerts).
    """

    kind: str
    name: str
    rationale: str
    source: Provenance
    order: Order | None = None
    code: str = ""
    section: str = ""
    evidence: tuple[Provenance, ...] = ()
    regimen: Regimen | None = None
    detail: str = ""
    alerts: tuple[Alert, ...] = ()

    def __repr__(self) -> str:
        regimen = f", regimen={self.regimen.describe()!r}" if self.regimen is not None else ""
        orders = f", orders={len(self.orders)}" if self.order is not None else ""
        alerts = f", alerts={[a.code for a in self.alerts]!r}" if self.alerts else ""
        return (
            f"PlanItem(code={self.code!r}, kind={self.kind!r}, name={self.name!r}"
            f"{regimen}{orders}{alerts}, source={self.source.id!r})"
        )

    def __str__(self) -> str:
        """``Ketamine infusion (medication): <why>; regimen …``."""
        regimen = f"; {self.regimen.describe()}" if self.regimen is not None else ""
        return f"{self.name} ({self.kind}): {self.rationale}{regimen}"

    @property
    def orders(self) -> tuple[ModuleResult, ...]:
        """The computed results as a tuple (empty when there are none)."""
        if self.order is None:
            return ()
        if isinstance(self.order, tuple):
            return self.order
        return (self.order,)

    @property
    def sources(self) -> tuple[Provenance, ...]:
        """Every source the item cites: its own, its evidence, its regimen's and orders'."""
        found = [self.source, *self.evidence]
        if self.regimen is not None and self.regimen.source is not None:
            found.append(self.regimen.source)
        found.extend(o.source for o in self.orders)
        return tuple(dict.fromkeys(found))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (sources by id, orders through their own ``to_dict``)."""
        return {
            "code": self.code,
            "kind": self.kind,
            "section": self.section,
            "name": self.name,
            "rationale": self.rationale,
            "detail": self.detail,
            "regimen": None if self.regimen is None else self.regimen.to_dict(),
            "orders": [o.to_dict() for o in self.orders],
            "source": self.source.id,
            "evidence": [e.id for e in self.evidence],
            "alerts": [a.to_dict() for a in self.alerts],
        }

    def _repr_html_(self) -> str:
        return _table_html([self])


@attrs.frozen
class RedFlag:
    """Standing red-flag advice: a sign to watch for and what to do.

    Attributes:
        code: Stable identifier, e.g. ``"dvt"``.
        sign: What to watch for.
        action: What to do when it appears.
        findings: The finding codes that raise this flag.
        triggered: The findings given to the plan that raise it now (empty if none).
        source: The cited source.
    """

    code: str
    sign: str
    action: str
    findings: tuple[str, ...]
    triggered: tuple[str, ...]
    source: Provenance

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "code": self.code,
            "sign": self.sign,
            "action": self.action,
            "findings": list(self.findings),
            "triggered": list(self.triggered),
            "source": self.source.id,
        }


@attrs.frozen
class PlanInputs:
    """The patient facts a plan was built from, echoed for review.

    Attributes:
        pain_severity: ``"mild"``, ``"moderate"`` or ``"severe"``.
        pain_score: The 0-10 score given, or None when a category was given.
        neuropathic: Neuropathic features (burning, shooting, electric pain).
        findings: The finding codes given, canonical and without repeats.
        on_therapeutic_anticoagulation: As given by the caller.
        current_meds: The current medications as given (text).
        weight: The patient's weight, when known.
        age: The patient's age in years, when known.
        treated_as_therapeutic: Anticoagulants in ``current_meds`` that the plan's
            interaction screen treated at therapeutic intensity although the flag was not
            set (e.g. apixaban 5 mg BID), so the header agrees with the items.
    """

    pain_severity: str
    pain_score: int | None
    neuropathic: bool
    findings: tuple[str, ...]
    on_therapeutic_anticoagulation: bool
    current_meds: tuple[str, ...]
    weight: Quantity | None
    age: float | None
    treated_as_therapeutic: tuple[str, ...] = ()

    # Plans pickled before a field existed load with the field's default.
    __getstate__ = fields_state
    __setstate__ = load_fields_state

    def describe(self) -> str:
        """Return the inputs in one paragraph."""
        score = f" ({self.pain_score}/10)" if self.pain_score is not None else ""
        parts = [
            f"pain {self.pain_severity}{score}",
            f"neuropathic features: {'yes' if self.neuropathic else 'no'}",
            "on therapeutic anticoagulation: " + self.anticoagulation(),
            f"findings: {', '.join(self.findings) or 'none'}",
            f"current medications: {'; '.join(self.current_meds) or 'none'}",
        ]
        if self.weight is not None:
            parts.insert(0, f"weight {_q(self.weight)}")
        if self.age is not None:
            parts.insert(0, f"age {self.age:g} years")
        return "; ".join(parts) + "."

    def anticoagulation(self) -> str:
        """Return the anticoagulation the plan assumed, in words (the header's wording)."""
        if self.on_therapeutic_anticoagulation:
            return "yes"
        if self.treated_as_therapeutic:
            return (
                "treated as yes: the interaction screen takes "
                f"{'; '.join(self.treated_as_therapeutic)} as therapeutic intensity"
            )
        return "no"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "treated_as_therapeutic": list(self.treated_as_therapeutic),
            "pain_severity": self.pain_severity,
            "pain_score": self.pain_score,
            "neuropathic": self.neuropathic,
            "findings": list(self.findings),
            "on_therapeutic_anticoagulation": self.on_therapeutic_anticoagulation,
            "current_meds": list(self.current_meds),
            "weight": _q_dict(self.weight),
            "age": self.age,
        }


def _alert_line(alert: Alert) -> str:
    return f"**{alert.severity.name}** `{alert.code}`: {alert.message}"


def _table_html(items: Iterable[PlanItem]) -> str:
    rows = []
    for item in items:
        numbers = item.detail or (item.regimen.describe() if item.regimen else "")
        sources = ", ".join(escape(s.id) for s in item.sources)
        rows.append(
            "<tr>"
            f"<td>{escape(SECTION_TITLES.get(item.section, item.section))}</td>"
            f"<td>{escape(item.kind)}</td>"
            f"<td><b>{escape(item.name)}</b><br>{escape(item.rationale)}</td>"
            f"<td>{escape(numbers)}</td>"
            f"<td>{sources}</td>"
            "</tr>"
        )
    head = "<tr><th>Section</th><th>Kind</th><th>Item</th><th>Dose / computed</th><th>Sources</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


@attrs.frozen
class CarePlan:
    """A care plan built by a pathway: items, red flags and alerts, each cited.

    Nothing in a plan is ordered automatically: it is decision support.

    Attributes:
        pathway: The pathway id, e.g. ``"post_interstim_removal"``.
        title: Printable title.
        inputs: The patient facts the plan was built from.
        items: The recommendations, in print order.
        red_flags: Standing red-flag advice (always listed), each saying if a given
            finding triggers it now.
        alerts: Everything a clinician should see first, most severe first.
        source: The pathway's source (the seed article).
        interactions: The interaction report over the current medications plus the
            medications the plan proposes (``painrx.interactions.InteractionReport``).
    """

    pathway: str
    title: str
    inputs: PlanInputs
    items: tuple[PlanItem, ...]
    red_flags: tuple[RedFlag, ...]
    alerts: tuple[Alert, ...]
    source: Provenance
    interactions: Any = attrs.field(default=None, repr=False)

    def __repr__(self) -> str:
        codes = ", ".join(i.code for i in self.items if i.kind in {"medication", "avoid"})
        return (
            f"CarePlan(pathway={self.pathway!r}, pain_severity={self.inputs.pain_severity!r}, "
            f"items={len(self.items)}, medications=[{codes}], alerts={len(self.alerts)})"
        )

    def __str__(self) -> str:
        """The title, then one line per item and the alerts, most severe first."""
        lines = [self.title, f"  {self.inputs.describe()}"]
        lines += [f"  - {i.name} ({i.kind})" for i in self.items]
        lines += [f"  ! {a.severity.name} {a.code}: {a.message}" for a in self.alerts]
        return "\n".join(lines)

    def item(self, code: str) -> PlanItem:
        """Return the item with this code.

        Raises:
            KeyError: The plan has no such item (it was not indicated).
        """
        for item in self.items:
            if item.code == code:
                return item
        msg = f"This plan has no item {code!r}; it has {[i.code for i in self.items]}."
        raise KeyError(msg)

    def has(self, code: str) -> bool:
        """Return True when the plan contains the item with this code."""
        return any(i.code == code for i in self.items)

    @property
    def medications(self) -> tuple[PlanItem, ...]:
        """The medication items (what the plan proposes to give)."""
        return tuple(i for i in self.items if i.kind == "medication")

    @property
    def sources(self) -> tuple[Provenance, ...]:
        """Every source the plan cites, in first-cited order."""
        found: list[Provenance] = [self.source]
        for item in self.items:
            found.extend(item.sources)
        found.extend(f.source for f in self.red_flags)
        found.extend(a.source for a in self.alerts if a.source is not None)
        return tuple(dict.fromkeys(found))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping of the whole plan (sources by id, then listed)."""
        return {
            "pathway": self.pathway,
            "title": self.title,
            "disclaimer": DISCLAIMER,
            "inputs": self.inputs.to_dict(),
            "alerts": [a.to_dict() for a in self.alerts],
            "red_flags": [f.to_dict() for f in self.red_flags],
            "items": [i.to_dict() for i in self.items],
            "source": self.source.id,
            "sources": [s.to_dict() for s in self.sources],
        }

    def to_markdown(self) -> str:
        """Return a printable plan: disclaimer, alerts, red flags, items by section, sources."""
        numbers = {s.id: n for n, s in enumerate(self.sources, start=1)}

        def cite(sources: Iterable[Provenance]) -> str:
            return ", ".join(f"[{numbers[s.id]}]" for s in dict.fromkeys(sources))

        lines = [f"# {self.title}", "", f"> **{DISCLAIMER}**", "", self.inputs.describe(), ""]
        lines += ["## Alerts", ""]
        lines += [f"- {_alert_line(a)}" for a in self.alerts] or ["- none"]
        lines += ["", "## Red flags (always watch for)", ""]
        for flag in self.red_flags:
            now = f" **Present now: {', '.join(flag.triggered)}.**" if flag.triggered else ""
            lines.append(f"- {flag.sign} → {flag.action}{now} {cite([flag.source])}")
        for section, heading in SECTION_TITLES.items():
            items = [i for i in self.items if i.section == section]
            if not items:
                continue
            lines += ["", f"## {heading}", ""]
            for item in items:
                mark = "**Do not give:** " if item.kind == "avoid" else ""
                lines.append(f"- {mark}**{item.name}** ({item.kind}). {item.rationale}")
                if item.regimen is not None and item.kind == "medication":
                    lines.append(f"  - Regimen: {item.regimen.describe()}.")
                if item.detail:
                    lines.append(f"  - {item.detail}")
                lines.extend(f"  - {_alert_line(a)}" for a in item.alerts)
                lines.append(f"  - Sources: {cite(item.sources)}")
        lines += ["", "## Sources", ""]
        for source, n in numbers.items():
            prov = next(s for s in self.sources if s.id == source)
            url = f" <{prov.url}>" if prov.url else ""
            lines.append(f"{n}. `{prov.id}`: {prov.title} ({prov.year}). {prov.citation}{url}")
        return "\n".join(lines) + "\n"

    def to_fhir(self, subject: str | None = None) -> FhirBundle:
        """Return the plan as a FHIR R4 ``Bundle`` of a ``CarePlan`` and ``MedicationRequest``s.

        Plain dicts, ready for ``json.dumps``; quantities carry UCUM codes. Everything is
        ``status: draft`` / ``intent: proposal``: nothing is ordered.

        Args:
            subject: A FHIR reference to the patient (``"Patient/123"``); without it the
                subject is a display-only reference.
        """

        return cast("FhirBundle", care_plan_bundle(self, subject=subject))

    def _repr_html_(self) -> str:
        alerts = "".join(
            f"<li><b>{escape(a.severity.name)}</b> <code>{escape(a.code)}</code>: "
            f"{escape(a.message)}</li>"
            for a in self.alerts
        )
        flags = "".join(
            f"<li>{escape(f.sign)} → {escape(f.action)}"
            + (f" <b>(present: {escape(', '.join(f.triggered))})</b>" if f.triggered else "")
            + "</li>"
            for f in self.red_flags
        )
        return (
            f"<h3>{escape(self.title)}</h3><p><b>{escape(DISCLAIMER)}</b></p>"
            f"<p>{escape(self.inputs.describe())}</p>"
            f"<p>Alerts:</p><ul>{alerts or '<li>none</li>'}</ul>"
            f"<p>Red flags:</p><ul>{flags}</ul>{_table_html(self.items)}"
        )

    def max_alert_severity(self) -> Severity | None:
        """Return the highest alert severity, or None without alerts."""
        return max((a.severity for a in self.alerts), default=None)
