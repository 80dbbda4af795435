"""FHIR R4 medication input: ``MedicationRequest`` / ``MedicationStatement`` to painrx orders.

:func:`read_orders` takes one resource, a list of them, or a ``Bundle`` (plain dicts, as
``json.loads`` gives them) and returns one :class:`FHIROrder` per medication resource, so
:func:`painrx.total_mme`, :func:`painrx.mme_over_period` and
:func:`painrx.check_interactions` run on a patient's FHIR data:

* the medication from ``medicationCodeableConcept`` (RxNorm or NDC coding, else its
  text) or a ``medicationReference`` to a contained or bundled ``Medication``;
* ``dosageInstruction`` (one per order): ``doseAndRate.doseQuantity`` (an amount, or a
  count of units of a coded product), ``timing.repeat`` ``frequency``/``period``/
  ``periodUnit`` (``frequencyMax`` for an as-needed order: the most it allows), ``route``;
* ``dispenseRequest.quantity``, ``expectedSupplyDuration`` and ``validityPeriod.start``
  (else ``authoredOn``) for :func:`painrx.mme_over_period`.

Anything painrx cannot read is a :class:`FHIRError` naming the resource and the element;
no order is skipped. Other resources in a Bundle (Patient, Observation…) are ignored.

>>> import painrx as rx
>>> order = read_orders({
...     "resourceType": "MedicationRequest", "id": "oxy", "status": "active",
...     "intent": "order", "subject": {"reference": "Patient/1"},
...     "medicationCodeableConcept": {"coding": [{
...         "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1049621"}]},
...     "dosageInstruction": [{
...         "timing": {"repeat": {"frequency": 1, "period": 6, "periodUnit": "h"}},
...         "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}]}],
... })[0]
>>> order.drug, str(order.dose.dose), order.dose.frequency
('oxycodone', '5 mg', 4.0)
>>> rx.total_mme([order.dose]).value
30.0
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from painrx.catalog import NDC_SYSTEM, RXNORM_SYSTEM, Coding, parse_medication
from painrx.errors import InputError, PainRxError
from painrx.interactions import Finding, InteractionReport, Medication
from painrx.opioids import CodedMMEResult, OpioidDose, Prescription, TotalMME, ndc_product
from painrx.types import MMETable, ThresholdPolicyId
from painrx.units import Q, Quantity, kind_of

__all__ = [
    "CodedFinding",
    "FHIRError",
    "FHIROrder",
    "check_interactions",
    "opioid_doses",
    "prescriptions",
    "read_orders",
    "total_mme",
]

_KINDS: Final = ("MedicationRequest", "MedicationStatement")
# Units a doseQuantity uses to count units of a product (FHIR orderableDrugForm codes,
# UCUM annotations, plain words): the amount is then count × the product's strength.
_COUNT_UNITS: Final = frozenset(
    {
        "tab", "tablet", "tablets", "{tbl}", "{tablet}", "cap", "capsule", "capsules",
        "{cap}", "{capsule}", "patch", "patches", "{patch}", "film", "{film}", "lozenge",
        "troche", "spray", "{spray}", "{actuat}", "actuation", "suppository", "supp", "1",
        "{unit}", "unit", "each", "ea",
    }
)  # fmt: skip
# SNOMED CT route concepts (FHIR R4 value set route-codes) for the vocabulary's routes.
_SNOMED_ROUTES: Final = {
    "26643006": "oral",
    "47625008": "iv",
    "34206005": "sc",
    "78421000": "im",
    "45890007": "transdermal",
    "54471007": "buccal",
    "37839007": "sublingual",
    "46713006": "nasal",
    "37161004": "rectal",
}
_SNOMED: Final = "http://snomed.info/sct"
# FHIR R4 Timing.code system (value set timing-abbreviation).
GTS: Final = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"
_PERIOD_HOURS: Final = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0, "wk": 168.0}
_DAYS: Final = {"d": 1, "day": 1, "days": 1, "wk": 7, "week": 7, "weeks": 7}


class FHIRError(InputError):
    """A FHIR resource painrx cannot read; the message names the resource and element."""


@attrs.frozen
class FHIROrder:
    """One medication resource read from FHIR.

    Attributes:
        resource: ``"MedicationRequest/<id>"`` (or ``…[<position>]`` without an id).
        drug: The catalog product id (``"oxycodone"``, ``"oxycodone/acetaminophen"``).
        codes: The RxNorm and NDC codings the medication was read from (empty for text).
        text: The medication's text or code display.
        medication: The order as an interactions :class:`~painrx.interactions.Medication`.
        dose: The order as an :class:`~painrx.opioids.OpioidDose` (None when the resource
            has no dose quantity, or the drug is no opioid).
        prescription: The order as a :class:`~painrx.opioids.Prescription` (None without
            ``dispenseRequest`` quantity and supply duration, or for a non-opioid).
        as_needed: ``asNeededBoolean`` (or an ``asNeededCodeableConcept``).
    """

    resource: str
    drug: str
    codes: tuple[Coding, ...]
    text: str
    medication: Medication
    dose: OpioidDose | None
    prescription: Prescription | None
    as_needed: bool


@attrs.frozen
class _Product:
    drug: str
    text: str
    codes: tuple[Coding, ...]
    strength: Quantity | None
    route: str | None
    form: str | None
    opioid: bool


def _fail(where: str, element: str, why: str) -> FHIRError:
    return FHIRError(f"{where}: {element}: {why}")


def _object(value: object, where: str, element: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        msg = f"expected a JSON object, got {type(value).__name__}."
        raise _fail(where, element, msg)
    return value


def _list(value: object, where: str, element: str) -> list[Any]:
    if not isinstance(value, list):
        msg = f"expected a JSON array, got {type(value).__name__}."
        raise _fail(where, element, msg)
    return value


def _number(value: object, where: str, element: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = f"expected a number, got {value!r}."
        raise _fail(where, element, msg)
    if not (math.isfinite(value) and value > 0):
        msg = f"{value!r} must be a finite number greater than zero."
        raise _fail(where, element, msg)
    return float(value)


def _opioid(drug: str) -> bool:
    from painrx.catalog import in_class, product

    return any(in_class(i, "opioid") for i in product(drug).ingredients)


def _from_ndc(code: str, where: str, element: str) -> _Product:
    try:
        found = ndc_product(code)
    except PainRxError as exc:
        raise _fail(where, element, str(exc)) from None
    strength = (
        Q(found.strength, found.strength_unit)
        if found.strength is not None and found.strength_unit is not None
        else None
    )
    return _Product(
        found.ingredient, found.name, found.codings, strength, found.route, found.dose_form, True
    )


def _from_rxnorm(code: str, display: str | None, where: str, element: str) -> _Product:
    try:
        parsed = parse_medication(rxcui=code)
    except PainRxError as exc:
        raise _fail(where, element, str(exc)) from None
    ids = parsed.product.ingredients
    drug = parsed.product.id
    strength = parsed.strengths[0] if parsed.strengths else None
    return _Product(
        drug,
        display or parsed.text,
        (Coding(RXNORM_SYSTEM, code, display or parsed.text),),
        strength,
        parsed.route,
        parsed.form,
        _opioid(ids[0]),
    )


def _from_text(text: str, where: str, element: str) -> _Product:
    try:
        parsed = parse_medication(text)
    except PainRxError as exc:
        raise _fail(where, element, str(exc)) from None
    strength = parsed.strengths[0] if parsed.strengths else None
    drug = parsed.product.id
    return _Product(drug, text, (), strength, parsed.route, parsed.form, _opioid(drug))


def _concept(concept: Mapping[str, Any], where: str, element: str) -> _Product:
    codings = _list(concept.get("coding", []), where, f"{element}.coding")
    for system in (NDC_SYSTEM, RXNORM_SYSTEM):
        for i, raw in enumerate(codings):
            coding = _object(raw, where, f"{element}.coding[{i}]")
            if coding.get("system") != system:
                continue
            code = coding.get("code")
            if not isinstance(code, str) or not code.strip():
                msg = f"a {system} coding needs a code, got {code!r}."
                raise _fail(where, f"{element}.coding[{i}].code", msg)
            if system == NDC_SYSTEM:
                return _from_ndc(code, where, f"{element}.coding[{i}]")
            display = coding.get("display")
            return _from_rxnorm(
                code, display if isinstance(display, str) else None, where, f"{element}.coding[{i}]"
            )
    text = concept.get("text")
    if isinstance(text, str) and text.strip():
        return _from_text(text, where, f"{element}.text")
    systems = sorted({str(c.get("system")) for c in codings if isinstance(c, Mapping)})
    msg = (
        f"no RxNorm ({RXNORM_SYSTEM}) or NDC ({NDC_SYSTEM}) coding and no text; "
        f"found systems {systems or 'none'}."
    )
    raise _fail(where, element, msg)


def _medication(
    resource: Mapping[str, Any], where: str, medications: Mapping[str, Mapping[str, Any]]
) -> _Product:
    if "medicationCodeableConcept" in resource:
        concept = _object(resource["medicationCodeableConcept"], where, "medicationCodeableConcept")
        return _concept(concept, where, "medicationCodeableConcept")
    if "medicationReference" in resource:
        ref = _object(resource["medicationReference"], where, "medicationReference")
        target = ref.get("reference")
        contained = {
            f"#{c.get('id')}": c
            for c in _list(resource.get("contained", []), where, "contained")
            if isinstance(c, Mapping) and c.get("resourceType") == "Medication"
        }
        found = contained.get(str(target)) or medications.get(str(target))
        if found is None:
            msg = (
                f"{target!r} is neither a contained Medication nor a Medication in the "
                "Bundle; painrx does not fetch references."
            )
            raise _fail(where, "medicationReference.reference", msg)
        code = _object(found.get("code"), where, f"medicationReference {target} code")
        return _concept(code, where, f"medicationReference {target} code")
    msg = "missing: the resource names no medication (medicationCodeableConcept or Reference)."
    raise _fail(where, "medication[x]", msg)


@attrs.frozen
class _Dosage:
    dose: Quantity | None
    per_day: float | None
    route: str | None
    as_needed: bool


def _coded_timing(timing: Mapping[str, Any], where: str, element: str) -> float:
    """Doses a day of a ``Timing.code`` (v3 GTS abbreviation ``BID``, ``Q6H``…) alone."""
    from painrx.vocabulary import doses_per_day

    code = _object(timing.get("code"), where, f"{element}.code")
    for i, raw in enumerate(_list(code.get("coding", []), where, f"{element}.code.coding")):
        coding = _object(raw, where, f"{element}.code.coding[{i}]")
        if coding.get("system") == GTS and isinstance(coding.get("code"), str):
            try:
                return doses_per_day(coding["code"])
            except PainRxError as exc:
                raise _fail(where, f"{element}.code.coding[{i}].code", str(exc)) from None
    msg = f"no repeat, and no {GTS} code painrx reads."
    raise _fail(where, element, msg)


def _per_day(timing: Mapping[str, Any], as_needed: bool, where: str, element: str) -> float:
    if "repeat" not in timing and "code" in timing:
        return _coded_timing(timing, where, element)
    repeat = _object(timing.get("repeat"), where, f"{element}.repeat")
    key = "frequencyMax" if as_needed and "frequencyMax" in repeat else "frequency"
    count = _number(repeat.get(key, 1), where, f"{element}.repeat.{key}")
    period = _number(repeat.get("period"), where, f"{element}.repeat.period")
    unit = repeat.get("periodUnit")
    if not isinstance(unit, str) or unit not in _PERIOD_HOURS:
        msg = f"{unit!r} is not a UCUM time unit painrx reads ({', '.join(_PERIOD_HOURS)})."
        raise _fail(where, f"{element}.repeat.periodUnit", msg)
    return count * 24.0 / (period * _PERIOD_HOURS[unit])


def _route(dosage: Mapping[str, Any], where: str) -> str | None:
    if "route" not in dosage:
        return None
    route = _object(dosage["route"], where, "dosageInstruction[0].route")
    for coding in _list(route.get("coding", []), where, "dosageInstruction[0].route.coding"):
        if isinstance(coding, Mapping) and coding.get("system") == _SNOMED:
            found = _SNOMED_ROUTES.get(str(coding.get("code")))
            if found is not None:
                return found
    text = route.get("text")
    if isinstance(text, str) and text.strip():
        from painrx.vocabulary import route as canonical_route

        try:
            return canonical_route(text)
        except PainRxError as exc:
            raise _fail(where, "dosageInstruction[0].route.text", str(exc)) from None
    msg = "no SNOMED CT route code painrx knows and no text."
    raise _fail(where, "dosageInstruction[0].route", msg)


def _amount(quantity: Mapping[str, Any], product: _Product, where: str, element: str) -> Quantity:
    value = _number(quantity.get("value"), where, f"{element}.value")
    unit = quantity.get("unit") or quantity.get("code")
    if not isinstance(unit, str) or not unit.strip():
        msg = "a quantity needs a unit or a UCUM code; painrx never guesses one."
        raise _fail(where, f"{element}.unit", msg)
    if unit.strip().lower() in _COUNT_UNITS:
        if product.strength is None:
            msg = (
                f"{value:g} {unit} of {product.text!r}, whose strength painrx does not know: "
                "give the dose as an amount (e.g. '5 mg') or code the product."
            )
            raise _fail(where, element, msg)
        scaled: Quantity = product.strength * value
        return scaled
    try:
        return Q(value, unit)
    except PainRxError as exc:
        raise _fail(where, f"{element}.unit", str(exc)) from None


def _dosage(resource: Mapping[str, Any], product: _Product, where: str, key: str) -> _Dosage:
    dosages = _list(resource.get(key, []), where, key)
    if not dosages:
        return _Dosage(None, None, None, as_needed=False)
    if len(dosages) > 1:
        msg = f"{len(dosages)} dosages; painrx reads one per order (split the order)."
        raise _fail(where, key, msg)
    dosage = _object(dosages[0], where, f"{key}[0]")
    as_needed = bool(dosage.get("asNeededBoolean")) or "asNeededCodeableConcept" in dosage
    route = _route(dosage, where)
    rates = _list(dosage.get("doseAndRate", []), where, f"{key}[0].doseAndRate")
    if len(rates) > 1:
        msg = "more than one doseAndRate; painrx reads one dose."
        raise _fail(where, f"{key}[0].doseAndRate", msg)
    dose = None
    if rates:
        rate = _object(rates[0], where, f"{key}[0].doseAndRate[0]")
        if "doseQuantity" not in rate:
            msg = "painrx reads doseQuantity (not doseRange or a rate)."
            raise _fail(where, f"{key}[0].doseAndRate[0]", msg)
        element = f"{key}[0].doseAndRate[0].doseQuantity"
        dose = _amount(_object(rate["doseQuantity"], where, element), product, where, element)
    per_day = None
    if "timing" in dosage:
        timing = _object(dosage["timing"], where, f"{key}[0].timing")
        per_day = _per_day(timing, as_needed, where, f"{key}[0].timing")
    return _Dosage(dose, per_day, route, as_needed)


def _start(resource: Mapping[str, Any], where: str) -> dt.date | None:
    dispense = _object(resource.get("dispenseRequest", {}), where, "dispenseRequest")
    validity = _object(dispense.get("validityPeriod", {}), where, "dispenseRequest.validityPeriod")
    effective = _object(resource.get("effectivePeriod", {}), where, "effectivePeriod")
    candidates = [
        ("dispenseRequest.validityPeriod.start", validity.get("start")),
        ("authoredOn", resource.get("authoredOn")),
        ("effectivePeriod.start", effective.get("start")),
        ("effectiveDateTime", resource.get("effectiveDateTime")),
    ]
    for element, value in candidates:
        if value is None:
            continue
        if not isinstance(value, str):
            msg = f"expected a FHIR date or dateTime, got {value!r}."
            raise _fail(where, element, msg)
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            msg = f"{value!r} is not a FHIR date or dateTime (YYYY-MM-DD…)."
            raise _fail(where, element, msg) from None
    return None


def _prescription(
    resource: Mapping[str, Any], product: _Product, where: str
) -> Prescription | None:
    if "dispenseRequest" not in resource:
        return None
    dispense = _object(resource["dispenseRequest"], where, "dispenseRequest")
    if "quantity" not in dispense or "expectedSupplyDuration" not in dispense:
        return None
    if product.strength is None:
        msg = f"{product.text!r} has no strength painrx knows; code the product (RxNorm, NDC)."
        raise _fail(where, "dispenseRequest", msg)
    amount = _object(dispense["quantity"], where, "dispenseRequest.quantity")
    count = _number(amount.get("value"), where, "dispenseRequest.quantity.value")
    unit = str(amount.get("unit") or amount.get("code") or "").strip()
    quantity: float | Quantity = count
    if unit and unit.lower() not in _COUNT_UNITS:
        try:
            quantity = Q(count, unit)
        except PainRxError as exc:
            raise _fail(where, "dispenseRequest.quantity.unit", str(exc)) from None
    supply = _object(
        dispense["expectedSupplyDuration"], where, "dispenseRequest.expectedSupplyDuration"
    )
    element = "dispenseRequest.expectedSupplyDuration"
    days = _number(supply.get("value"), where, f"{element}.value")
    per = _DAYS.get(str(supply.get("code") or supply.get("unit") or "").lower())
    if per is None:
        msg = f"unit {supply.get('code') or supply.get('unit')!r}; painrx reads d or wk."
        raise _fail(where, f"{element}.code", msg)
    start = _start(resource, where)
    if start is None:
        msg = "no start date (validityPeriod.start, authoredOn or effective[x])."
        raise _fail(where, "dispenseRequest", msg)
    return Prescription(
        drug=product.drug,
        strength=product.strength,
        quantity=quantity,
        days_supply=days * per,
        start=start,
        route=product.route,
        form=product.form,
    )


def _order(
    resource: Mapping[str, Any], where: str, medications: Mapping[str, Mapping[str, Any]]
) -> FHIROrder:
    product = _medication(resource, where, medications)
    key = "dosageInstruction" if resource["resourceType"] == "MedicationRequest" else "dosage"
    dosage = _dosage(resource, product, where, key)
    route = dosage.route or product.route
    dose = None
    if product.opioid and dosage.dose is not None:
        patch = kind_of(dosage.dose) == "mass_rate"
        dose = OpioidDose(
            product.drug,
            dosage.dose,
            route=route or "oral",
            frequency=None if patch else dosage.per_day,
            form=product.form,
        )
    medication = Medication(
        product.drug,
        dose=dosage.dose,
        frequency=dosage.per_day,
        route=route,
    )
    return FHIROrder(
        resource=where,
        drug=product.drug,
        codes=product.codes,
        text=product.text,
        medication=medication,
        dose=dose,
        prescription=_prescription(resource, product, where) if product.opioid else None,
        as_needed=dosage.as_needed,
    )


def _resources(data: object) -> list[tuple[Mapping[str, Any], str, str | None]]:
    """Return (resource, position, Bundle entry fullUrl) for each resource given."""
    if isinstance(data, Mapping):
        if data.get("resourceType") == "Bundle":
            entries = _list(data.get("entry", []), "Bundle", "entry")
            found = []
            for i, raw in enumerate(entries):
                entry = _object(raw, "Bundle", f"entry[{i}]")
                resource = _object(entry.get("resource"), "Bundle", f"entry[{i}].resource")
                url = entry.get("fullUrl")
                found.append((resource, f"entry[{i}]", url if isinstance(url, str) else None))
            return found
        return [(data, "", None)]
    if isinstance(data, Iterable) and not isinstance(data, (str, bytes)):
        return [(_object(r, "list", f"[{i}]"), f"[{i}]", None) for i, r in enumerate(data)]
    msg = (
        f"read_orders takes a FHIR resource, a list of them or a Bundle, not {type(data).__name__}."
    )
    raise FHIRError(msg)


def read_orders(data: object) -> tuple[FHIROrder, ...]:
    """Read FHIR R4 MedicationRequest / MedicationStatement resources into painrx orders.

    Args:
        data: One resource, a list of resources, or a Bundle (parsed JSON dicts).

    Returns:
        One order per MedicationRequest or MedicationStatement, in input order.

    Raises:
        FHIRError: A resource or element painrx cannot read (the message names both).
    """
    found = _resources(data)
    # A Bundle's Medication is referenced as "Medication/<id>" or by its entry's fullUrl.
    medications: dict[str, Mapping[str, Any]] = {}
    for resource, _, url in found:
        if resource.get("resourceType") == "Medication":
            if isinstance(resource.get("id"), str):
                medications[f"Medication/{resource['id']}"] = resource
            if url is not None:
                medications[url] = resource
    orders = []
    for resource, position, _ in found:
        kind = resource.get("resourceType")
        if kind not in _KINDS:
            if not position:
                msg = f"resourceType {kind!r}; painrx reads {', '.join(_KINDS)} or a Bundle."
                raise FHIRError(msg)
            continue
        rid = resource.get("id")
        where = f"{kind}/{rid}" if isinstance(rid, str) and rid else f"{kind}{position or ''}"
        orders.append(_order(resource, where, medications))
    return tuple(orders)


def opioid_doses(orders: Iterable[FHIROrder]) -> list[OpioidDose]:
    """Return the opioid doses of ``orders`` for :func:`painrx.total_mme`.

    Raises:
        FHIRError: An opioid order without a dose quantity and timing (never skipped).
    """
    doses = []
    for order in orders:
        if order.dose is not None:
            doses.append(order.dose)
        elif _opioid(order.drug):
            msg = "an opioid order needs doseAndRate.doseQuantity (and timing) for total_mme."
            raise _fail(order.resource, "dosageInstruction", msg)
    return doses


def prescriptions(orders: Iterable[FHIROrder]) -> list[Prescription]:
    """Return the opioid prescriptions of ``orders`` for :func:`painrx.mme_over_period`.

    Raises:
        FHIRError: An opioid order without dispense quantity and supply duration.
    """
    found = []
    for order in orders:
        if order.prescription is not None:
            found.append(order.prescription)
        elif _opioid(order.drug):
            msg = "an opioid order needs dispenseRequest.quantity and expectedSupplyDuration."
            raise _fail(order.resource, "dispenseRequest", msg)
    return found


@attrs.frozen
class CodedFinding(Finding):
    """An interaction :class:`~painrx.interactions.Finding` that names the codes it came from.

    Its ``codes`` are the RxNorm and NDC codings of the FHIR orders involved (empty for
    orders given by text).

    Attributes:
        resources: The FHIR resources involved (``"MedicationRequest/<id>"``).
    """

    resources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (with ``codes`` and ``resources``)."""
        return super().to_dict() | {"resources": list(self.resources)}


def _ingredients(order: FHIROrder) -> frozenset[str]:
    from painrx.catalog import product

    return frozenset(product(order.drug).ingredients)


def total_mme(
    orders: Iterable[FHIROrder],
    *,
    table: MMETable = "CDC_2022",
    thresholds: ThresholdPolicyId | None = "CDC_2016",
) -> TotalMME:
    """Return :func:`painrx.total_mme` of the opioid orders, each item naming its codes.

    Raises:
        FHIRError: An opioid order without a dose quantity (never skipped).
        PainRxError: Anything :func:`painrx.total_mme` raises.
    """
    from painrx.opioids import total_mme as opioid_total

    orders = tuple(orders)
    doses = opioid_doses(orders)
    dosed = [o for o in orders if o.dose is not None]
    total = opioid_total(doses, table=table, thresholds=thresholds)
    items = tuple(
        CodedMMEResult(**attrs.asdict(item, recurse=False), codes=o.codes, product=o.text)
        for item, o in zip(total.items, dosed, strict=True)
    )
    return attrs.evolve(total, items=items)


def check_interactions(orders: Iterable[FHIROrder], **options: Any) -> InteractionReport:
    """Return :func:`painrx.check_interactions` of the orders; findings name their codes.

    Args:
        orders: Orders from :func:`read_orders`.
        **options: Passed on (``patient``, ``on_unknown``, ``rules``, ``acetaminophen_limit``).
    """
    from painrx.interactions import check_interactions as check

    orders = tuple(orders)
    report = check([o.medication for o in orders], **options)
    findings = []
    for finding in report.findings:
        involved = [o for o in orders if _ingredients(o) & set(finding.drugs)]
        codes = tuple(dict.fromkeys(c for o in involved for c in o.codes))
        findings.append(
            CodedFinding(
                **(attrs.asdict(finding, recurse=False) | {"codes": codes}),
                resources=tuple(o.resource for o in involved),
            )
        )
    return attrs.evolve(report, findings=tuple(findings))
