"""FHIR R4 export of a care plan: a ``Bundle`` holding a ``CarePlan`` and ``MedicationRequest``s.

Everything is plain dicts, ready for ``json.dumps``. Every resource is a *proposal*
(``status: draft``, ``intent: proposal``): painrx orders nothing. Quantities carry
UCUM codes from :func:`painrx.units.to_ucum`. Resource ids are derived from the
plan's content, so the same plan always exports the same JSON.

>>> from painrx.units import Q
>>> quantity(Q("0.25 mg/kg/h"))
{'value': 0.25, 'unit': 'mg/kg/h', 'system': 'http://unitsofmeasure.org', 'code': 'mg/(kg.h)'}
>>> timing("q6h")
{'repeat': {'frequency': 1, 'period': 6.0, 'periodUnit': 'h'}, 'code': {'coding': [{'system': 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation', 'code': 'Q6H'}]}}
>>> timing("q4h", "q6h")["repeat"]
{'frequency': 1, 'period': 4.0, 'periodMax': 6.0, 'periodUnit': 'h'}
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from painrx.pathways._disclaimer import DISCLAIMER
from painrx.units import Q, Quantity, format_units, magnitude, to_ucum
from painrx.vocabulary import doses_per_day, frequency_label

if TYPE_CHECKING:
    from painrx.pathways._model import CarePlan, ModuleResult, PlanItem, Regimen

__all__ = ["GTS", "UCUM", "care_plan_bundle", "medication_concept", "quantity", "timing"]

#: The FHIR system URI of UCUM unit codes.
UCUM: Final = "http://unitsofmeasure.org"
_SNOMED: Final = "http://snomed.info/sct"
_DOSE_RATE_TYPE: Final = "http://terminology.hl7.org/CodeSystem/dose-rate-type"
#: FHIR R4 ``Timing.code`` system (value set ``timing-abbreviation``).
GTS: Final = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"
# GTS codes that state exactly what the structured repeat says: n doses a day at
# institution-specified times, every n hours, or every other day. Frequencies without an
# exact GTS code (q12h, q24h, q72h, 5 or 6 doses a day) carry the structured repeat only.
_GTS_PER_DAY: Final = {1: "QD", 2: "BID", 3: "TID", 4: "QID"}
_GTS_HOURS: Final = {4.0: "Q4H", 6.0: "Q6H", 8.0: "Q8H"}
_GTS_EVERY_OTHER_DAY: Final = "QOD"
# SNOMED CT route concepts for the routes this pathway uses; other routes are text only.
_ROUTE_CODES: Final = {
    "oral": ("26643006", "Oral route"),
    "iv": ("47625008", "Intravenous route"),
}
_ACTIVITY_KIND: Final = {"investigation": "ServiceRequest", "referral": "ServiceRequest"}


def quantity(q: Quantity) -> dict[str, Any]:
    """Return a FHIR ``Quantity`` for a painrx quantity (UCUM-coded)."""
    return {
        "value": float(q.magnitude),
        "unit": format_units(q),
        "system": UCUM,
        "code": to_ucum(q),
    }


def _coded(code: str | None) -> dict[str, Any]:
    return {} if code is None else {"code": {"coding": [{"system": GTS, "code": code}]}}


def timing(frequency: str | float | None, frequency_max: str | None = None) -> dict[str, Any]:
    """Return a FHIR R4 ``Timing`` for a frequency code or times per day (None: a single dose).

    Interval codes (``"q6h"``) become one dose per period in hours, counts (``"BID"``, 3)
    doses per day; ``frequency_max`` (an interval code) makes the period a range, as in
    every 4 to 6 hours (``periodMax``). ``Timing.code`` carries the v3 GTS abbreviation
    when one states exactly the same schedule (never for a range).

    Raises:
        InputError: An unknown frequency code.
    """
    if frequency is None:
        return {"repeat": {"count": 1}}
    per_day = doses_per_day(frequency)
    label = frequency_label(frequency) if isinstance(frequency, str) else ""
    if label.startswith("q") or not per_day.is_integer():
        hours = magnitude(Q(1, "day"), "h") / per_day
        repeat: dict[str, Any] = {"frequency": 1, "period": hours}
        if frequency_max is not None:
            repeat["periodMax"] = magnitude(Q(1, "day"), "h") / doses_per_day(frequency_max)
        repeat["periodUnit"] = "h"
        code = None if frequency_max is not None else _GTS_HOURS.get(hours)
        return {"repeat": repeat, **_coded(code)}
    # Timing.repeat.frequency is a FHIR positiveInt.
    count = int(per_day)
    return {
        "repeat": {"frequency": count, "period": 1, "periodUnit": "d"},
        **_coded(_GTS_PER_DAY.get(count)),
    }


def _day_timing(
    count: int, every_days: int, days: int | None, *, coded: bool = True
) -> dict[str, Any]:
    """Return a FHIR ``Timing`` of ``count`` doses every ``every_days`` days, for ``days``.

    ``coded=False`` leaves out ``Timing.code``: a part of a day's doses (given alongside
    doses of another size) is not "twice a day" on its own.
    """
    repeat: dict[str, Any] = {"frequency": count, "period": every_days, "periodUnit": "d"}
    if days is not None:
        repeat["boundsDuration"] = quantity(Q(days, "day"))
    if not coded:
        code = None
    elif every_days == 1:
        code = _GTS_PER_DAY.get(count)
    else:
        code = _GTS_EVERY_OTHER_DAY if (count, every_days) == (1, 2) else None
    return {"repeat": repeat, **_coded(code)}


def _route(route: str) -> dict[str, Any]:
    coded = _ROUTE_CODES.get(route)
    if coded is None:
        return {"text": route}
    return {"coding": [{"system": _SNOMED, "code": coded[0], "display": coded[1]}], "text": route}


def _rate_type(code: str) -> dict[str, Any]:
    return {"coding": [{"system": _DOSE_RATE_TYPE, "code": code}]}


def _citations(item: PlanItem) -> list[dict[str, str]]:
    return [
        {
            "text": f"Source {s.id}: {s.title} ({s.year}). {s.citation}"
            + (f" {s.url}" if s.url else "")
        }
        for s in item.sources
    ]


def _rate_range(low: Quantity, high: Quantity) -> dict[str, Any]:
    return {"low": quantity(low), "high": quantity(high)}


def _infusion_dosage(regimen: Regimen, orders: tuple[ModuleResult, ...]) -> dict[str, Any]:
    doses = [getattr(o, "dose") for o in orders]  # noqa: B009 -- duck-typed InfusionRate
    rates = [
        Q(float(getattr(o, "display_rate")), format_units(getattr(o, "rate")))  # noqa: B009
        for o in orders
    ]
    return {
        "text": regimen.describe(),
        "route": _route(regimen.route),
        "doseAndRate": [
            {"type": _rate_type("ordered"), "rateRange": _rate_range(doses[0], doses[-1])},
            {"type": _rate_type("calculated"), "rateRange": _rate_range(rates[0], rates[-1])},
        ],
    }


def _taper_dosages(regimen: Regimen, order: ModuleResult) -> list[dict[str, Any]]:
    """Return one ``Dosage`` per taper step and dose size, in step order.

    A step's administrations are grouped by amount (a day of ½, ½, 1, 1 tablets is two
    concurrent dosages with the same ``sequence``: 2 × 2.5 mg and 2 × 5 mg a day); an
    every-other-day step is one dose every ``every_days`` days; each step is bounded by
    the days until the next one. The stop step is a text-only dosage.
    """
    steps = getattr(order, "steps")  # noqa: B009 -- duck-typed TaperSchedule
    dosages: list[dict[str, Any]] = []
    for n, step in enumerate(steps, start=1):
        daily: Quantity = step.daily_dose
        text = f"day {step.day}: {daily.magnitude:g} {format_units(daily)}, "
        text += step.describe_doses() + (f" ({step.note})" if step.note else "")
        if not step.doses:
            dosages.append({"sequence": n, "text": text})
            continue
        days = steps[n].day - step.day if n < len(steps) else None
        amounts = {(d.amount.magnitude, format_units(d.amount)): d.amount for d in step.doses}
        sizes = Counter((d.amount.magnitude, format_units(d.amount)) for d in step.doses)
        for key, count in sorted(sizes.items()):
            dosages.append(
                {
                    "sequence": n,
                    "text": text,
                    "timing": _day_timing(count, step.every_days, days, coded=len(sizes) == 1),
                    "asNeededBoolean": regimen.as_needed,
                    "route": _route(regimen.route),
                    "doseAndRate": [
                        {"type": _rate_type("calculated"), "doseQuantity": quantity(amounts[key])}
                    ],
                }
            )
    return dosages


def _dosages(item: PlanItem) -> list[dict[str, Any]]:
    regimen = item.regimen
    if regimen is None:
        return []
    orders = item.orders
    if orders and all(hasattr(o, "display_rate") for o in orders):
        return [_infusion_dosage(regimen, orders)]
    if len(orders) == 1 and hasattr(orders[0], "steps"):
        return _taper_dosages(regimen, orders[0])
    dosage: dict[str, Any] = {
        "text": regimen.describe(),
        "timing": timing(regimen.frequency, regimen.frequency_max),
        "asNeededBoolean": regimen.as_needed,
        "route": _route(regimen.route),
    }
    if regimen.dose is not None:
        dosage["doseAndRate"] = [
            {"type": _rate_type("ordered"), "doseQuantity": quantity(regimen.dose)}
        ]
    return [dosage]


def medication_concept(drug: str) -> dict[str, Any]:
    """Return a FHIR ``CodeableConcept`` for a drug: its text, and its RxNorm code when known.

    A single ingredient painrx has a verified RxCUI for carries it; a combination or a
    drug without a recorded code is carried by its text alone (never a guessed code).

    >>> medication_concept("oxycodone")["coding"]
    [{'system': 'http://www.nlm.nih.gov/research/umls/rxnorm', 'code': '7804', 'display': 'Oxycodone'}]
    >>> medication_concept("ibuprofen/famotidine (Duexis)")
    {'text': 'ibuprofen/famotidine (Duexis)'}
    """
    from painrx.catalog import product
    from painrx.catalog._codes import codings_for
    from painrx.errors import PainRxError

    try:
        codings = codings_for(product(drug).ingredients)
    except PainRxError:
        codings = ()
    concept: dict[str, Any] = {"text": drug}
    if codings:
        concept["coding"] = [c.to_dict() for c in codings]
    return concept


def _medication_request(item: PlanItem, subject: dict[str, Any]) -> dict[str, Any]:
    regimen = item.regimen
    drug = regimen.drug if regimen is not None else item.name
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "proposal",
        "doNotPerform": item.kind == "avoid",
        "medicationCodeableConcept": medication_concept(drug),
        "subject": subject,
        "reasonCode": [{"text": item.rationale}],
        "note": [
            {"text": item.name},
            *([{"text": item.detail}] if item.detail else []),
            *({"text": f"{a.severity.name} {a.code}: {a.message}"} for a in item.alerts),
            *_citations(item),
        ],
    }
    dosages = [] if item.kind == "avoid" else _dosages(item)
    if dosages:
        resource["dosageInstruction"] = dosages
    return resource


def _activity_detail(item: PlanItem) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "status": "not-started",
        "doNotPerform": item.kind == "avoid",
        "code": {"text": item.name},
        "reasonCode": [{"text": item.rationale}],
        "description": " ".join(
            [
                item.rationale,
                *([item.detail] if item.detail else []),
                *(f"{a.severity.name} {a.code}: {a.message}" for a in item.alerts),
                *(f"Source {s.id}: {s.citation}" for s in item.sources),
            ]
        ),
    }
    kind = _ACTIVITY_KIND.get(item.kind)
    if kind is not None:
        detail["kind"] = kind
    return detail


def _ids(plan: CarePlan) -> tuple[str, str]:
    digest = hashlib.sha256(
        json.dumps(plan.to_dict(), sort_keys=True, default=_json_default).encode()
    ).hexdigest()
    return digest, f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'urn:painrx:{digest}:careplan')}"


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    msg = f"{type(value).__name__} is not JSON-ready"
    raise TypeError(msg)


def care_plan_bundle(plan: CarePlan, *, subject: str | None = None) -> dict[str, Any]:
    """Return ``plan`` as a FHIR R4 ``Bundle`` (type ``collection``) of plain dicts.

    The bundle's first entry is the ``CarePlan``; medication and avoid items follow as
    ``MedicationRequest``s (``doNotPerform: true`` for an avoid item) that the care
    plan's activities reference. Other items are ``CarePlan.activity.detail`` entries.

    Args:
        plan: The care plan.
        subject: A reference to the patient (``"Patient/123"``), or None for a
            display-only reference.

    Returns:
        A JSON-ready dict.
    """
    subject_ref = {"reference": subject} if subject else {"display": "patient (not identified)"}
    digest, plan_url = _ids(plan)
    entries: list[dict[str, Any]] = []
    activities: list[dict[str, Any]] = []
    for item in plan.items:
        if item.kind in {"medication", "avoid"}:
            url = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'urn:painrx:{digest}:{item.code}')}"
            entries.append({"fullUrl": url, "resource": _medication_request(item, subject_ref)})
            activities.append({"reference": {"reference": url, "display": item.name}})
        else:
            activities.append({"detail": _activity_detail(item)})
    care_plan = {
        "resourceType": "CarePlan",
        "status": "draft",
        "intent": "proposal",
        "title": plan.title,
        "description": plan.inputs.describe(),
        "subject": subject_ref,
        "note": [
            {"text": DISCLAIMER},
            *({"text": f"{a.severity.name} {a.code}: {a.message}"} for a in plan.alerts),
            *(
                {
                    "text": f"Red flag: {f.sign} -> {f.action}"
                    + (f" Present now: {', '.join(f.triggered)}." if f.triggered else "")
                }
                for f in plan.red_flags
            ),
        ],
        "activity": activities,
    }
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": plan_url, "resource": care_plan}, *entries],
    }
