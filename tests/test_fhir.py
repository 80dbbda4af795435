"""FHIR R4 medication input (painrx.fhir) and coded FHIR output.

Fixtures are hand-written after the FHIR R4 MedicationRequest/MedicationStatement
examples (medicationrequest0302, medicationstatementexample1): one per dosage shape.
Every fixture, and the care plan painrx writes, is validated with ``fhir.resources``'
``R4B`` models (FHIR 4.3; fhir.resources 8 is R5 by default, and R4B is the nearest
release it ships to R4 4.0.1, with the same MedicationRequest/Statement/Bundle shape).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationrequest import MedicationRequest
from hypothesis import given
from hypothesis import strategies as st

import painrx as rx
from painrx import fhir
from painrx.catalog import NDC_SYSTEM, RXNORM_SYSTEM
from painrx.pathways import post_interstim_removal_plan

SUBJECT = {"reference": "Patient/example"}
SNOMED = "http://snomed.info/sct"


def _request(rid: str, medication: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "subject": SUBJECT,
        "authoredOn": "2026-11-02",
        **medication,
        **extra,
    }


def _coded(system: str, code: str) -> dict[str, Any]:
    return {"medicationCodeableConcept": {"coding": [{"system": system, "code": code}]}}


def _dosage(dose: dict[str, Any], repeat: dict[str, Any], **extra: Any) -> list[dict[str, Any]]:
    return [{"timing": {"repeat": repeat}, "doseAndRate": [{"doseQuantity": dose}], **extra}]


# RxNorm-coded tablets, 1 every 6 h (RxCUI 1049621: oxycodone hydrochloride 5 MG Oral Tablet).
OXYCODONE = _request(
    "oxy",
    _coded(RXNORM_SYSTEM, "1049621"),
    dosageInstruction=_dosage(
        {"value": 1, "unit": "tablet"},
        {"frequency": 1, "period": 6, "periodUnit": "h"},
        route={"coding": [{"system": SNOMED, "code": "26643006", "display": "Oral route"}]},
    ),
    dispenseRequest={
        "validityPeriod": {"start": "2026-11-02"},
        "quantity": {"value": 120, "unit": "tablet"},
        "expectedSupplyDuration": {
            "value": 30,
            "unit": "days",
            "system": "http://unitsofmeasure.org",
            "code": "d",
        },
    },
)
# NDC-coded patch, one every 72 h (00093-6900-45: fentanyl 25 mcg/h, the CDC example).
FENTANYL = _request(
    "fent",
    _coded(NDC_SYSTEM, "00093690045"),
    dosageInstruction=_dosage(
        {"value": 1, "unit": "patch"}, {"frequency": 1, "period": 72, "periodUnit": "h"}
    ),
    dispenseRequest={
        "quantity": {"value": 10, "unit": "patch"},
        "expectedSupplyDuration": {"value": 30, "unit": "days", "code": "d"},
    },
)
# Text only, an amount, three times a day.
IBUPROFEN = _request(
    "ibu",
    {"medicationCodeableConcept": {"text": "ibuprofen 400 mg tablet"}},
    dosageInstruction=_dosage(
        {"value": 400, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"},
        {"frequency": 3, "period": 1, "periodUnit": "d"},
    ),
)
# As needed, 1 to 2 every 4 h: painrx counts the most the order allows (frequencyMax).
HYDROMORPHONE_PRN = _request(
    "hm",
    {"medicationCodeableConcept": {"text": "hydromorphone 2 mg tablet"}},
    dosageInstruction=_dosage(
        {"value": 2, "unit": "mg"},
        {"frequency": 1, "frequencyMax": 2, "period": 4, "periodUnit": "h"},
        asNeededBoolean=True,
    ),
)
# A statement whose medication is a contained Medication known by its text.
WARFARIN = {
    "resourceType": "MedicationStatement",
    "id": "warf",
    "status": "active",
    "subject": SUBJECT,
    "contained": [
        {
            "resourceType": "Medication",
            "id": "med1",
            "code": {"text": "warfarin 5 mg tablet"},
        }
    ],
    "medicationReference": {"reference": "#med1"},
    "effectiveDateTime": "2026-10-01",
    "dosage": _dosage({"value": 5, "unit": "mg"}, {"frequency": 1, "period": 1, "periodUnit": "d"}),
}


def _bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:uuid:00000000-0000-0000-0000-00000000000{i}", "resource": r}
            for i, r in enumerate(resources)
        ],
    }


BUNDLE = _bundle(OXYCODONE, FENTANYL, IBUPROFEN, HYDROMORPHONE_PRN)


def test_fixtures_are_valid_fhir() -> None:
    Bundle.model_validate(BUNDLE)
    Bundle.model_validate(_bundle(WARFARIN))


def test_each_dosage_shape() -> None:
    oxy, fent, ibu, hm = fhir.read_orders(BUNDLE)
    assert oxy.dose is not None
    assert fent.dose is not None
    assert hm.dose is not None
    assert (oxy.drug, str(oxy.dose.dose), oxy.dose.frequency) == ("oxycodone", "5 mg", 4.0)
    assert oxy.codes[0].code == "1049621"
    assert oxy.dose.route == "oral"
    assert (fent.drug, fent.dose.route, fent.dose.frequency) == ("fentanyl", "transdermal", None)
    assert rx.Q(fent.dose.dose).to("mcg/h").magnitude == 25
    assert [c.system for c in fent.codes] == [NDC_SYSTEM, RXNORM_SYSTEM]
    assert ibu.dose is None  # not an opioid
    assert (ibu.medication.frequency, str(ibu.medication.dose)) == (3.0, "400 mg")
    assert hm.as_needed
    assert hm.dose.frequency == 12.0


def test_total_mme_and_interactions_on_a_bundle() -> None:
    orders = fhir.read_orders(BUNDLE)
    total = rx.total_mme(fhir.opioid_doses(orders))
    # CDC 2022: oxycodone 20 mg/day × 1.5 + fentanyl 25 mcg/h × 2.4 + hydromorphone 24 × 5
    assert total.value == pytest.approx(30 + 60 + 120)
    report = rx.check_interactions([o.medication for o in (*orders, *fhir.read_orders(WARFARIN))])
    assert any({"ibuprofen", "warfarin"} <= set(f.drugs) for f in report.findings)


def test_mme_over_period_from_dispense_requests() -> None:
    orders = fhir.read_orders([OXYCODONE, FENTANYL | {"authoredOn": "2026-11-02"}])
    period = rx.mme_over_period(
        fhir.prescriptions(orders),
        start=dt.date(2026, 11, 2),
        end=dt.date(2026, 12, 1),
        definition="total_days_supply",
        table="CDC_NDC_2018",
    )
    # CDC file formula: oxycodone 5 mg × 120 / 30 d × 1.5 = 30 MME/day over 30 days, fentanyl
    # 25 mcg/h × 10 / 30 d × 7.2 = 60 over 30 days: (900 + 1800) MME ÷ 60 days supply = 45.
    assert period.value == pytest.approx(45.0)


def test_results_and_findings_name_their_codes() -> None:
    lorazepam = _request(
        "lzp",
        {"medicationCodeableConcept": {"text": "lorazepam 1 mg tablet"}},
        dosageInstruction=_dosage(
            {"value": 1, "unit": "mg"}, {"frequency": 2, "period": 1, "periodUnit": "d"}
        ),
    )
    orders = fhir.read_orders(_bundle(OXYCODONE, FENTANYL, lorazepam))
    total = fhir.total_mme(orders)
    assert total.value == rx.total_mme(fhir.opioid_doses(orders)).value
    assert [
        [c.code for c in i.codes] for i in total.items if isinstance(i, rx.opioids.CodedMMEResult)
    ] == [
        ["1049621"],
        ["00093690045", "4337"],
    ]
    report = fhir.check_interactions(orders)
    coded = [
        f for f in report.findings if isinstance(f, fhir.CodedFinding) and "lorazepam" in f.drugs
    ]
    assert coded, "an opioid with a benzodiazepine is a finding"
    for finding in coded:
        assert "MedicationRequest/lzp" in finding.resources
        assert {c.code for c in finding.codes} <= {"1049621", "00093690045", "4337"}
        assert finding.to_dict()["resources"] == list(finding.resources)
    assert any(c.code == "1049621" for f in coded for c in f.codes)


def _broken(path: list[str | int], value: Any) -> dict[str, Any]:
    resource = copy.deepcopy(OXYCODONE)
    node: Any = resource
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return resource


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        (_broken(["medicationCodeableConcept"], None), r"MedicationRequest/oxy: medication\[x\]"),
        (
            _broken(["medicationCodeableConcept", "coding", 0, "code"], "99999999"),
            r"MedicationRequest/oxy: medicationCodeableConcept.coding\[0\]: Unknown RxCUI",
        ),
        (
            _broken(
                ["medicationCodeableConcept", "coding", 0], {"system": NDC_SYSTEM, "code": "1-2-3"}
            ),
            r"coding\[0\]: ndc='1-2-3' has segments 1-1-1",
        ),
        (
            _broken(["dosageInstruction", 0, "timing", "repeat", "periodUnit"], "mo"),
            r"dosageInstruction\[0\].timing.repeat.periodUnit: 'mo'",
        ),
        (
            _broken(["dosageInstruction", 0, "doseAndRate", 0, "doseQuantity", "unit"], None),
            r"doseQuantity.unit: a quantity needs a unit",
        ),
        (
            _broken(["dosageInstruction", 0, "doseAndRate", 0, "doseQuantity", "value"], -1),
            r"doseQuantity.value: -1 must be",
        ),
        (
            _broken(["dispenseRequest", "expectedSupplyDuration", "code"], "mo"),
            r"expectedSupplyDuration.code",
        ),
        (
            _broken(["dosageInstruction"], [OXYCODONE["dosageInstruction"][0]] * 2),
            r"dosageInstruction: 2 dosages",
        ),
        (
            _broken(["medicationCodeableConcept"], {"coding": [{"system": "urn:x", "code": "1"}]}),
            r"no RxNorm .* or NDC .* coding and no text; found systems \['urn:x'\]",
        ),
    ],
)
def test_malformed_resources_are_refused(resource: dict[str, Any], message: str) -> None:
    with pytest.raises(fhir.FHIRError, match=message):
        fhir.read_orders(_bundle(resource))


def test_bundled_medication_and_coded_timing() -> None:
    # MedicationRequest referencing a Medication entry of the Bundle by fullUrl, with a
    # Timing given only as a v3 GTS code (BID).
    medication = {
        "resourceType": "Medication",
        "id": "m",
        "code": {"coding": [{"system": RXNORM_SYSTEM, "code": "1049621"}]},
    }
    request = _request(
        "ref",
        {"medicationReference": {"reference": "urn:uuid:00000000-0000-0000-0000-000000000000"}},
        dosageInstruction=[
            {
                "timing": {
                    "code": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation",
                                "code": "BID",
                            }
                        ]
                    }
                },
                "doseAndRate": [{"doseQuantity": {"value": 2, "unit": "tablet"}}],
            }
        ],
    )
    bundle = _bundle(medication, request)
    Bundle.model_validate(bundle)
    (order,) = fhir.read_orders(bundle)
    assert order.dose is not None
    assert (str(order.dose.dose), order.dose.frequency) == ("10 mg", 2.0)
    by_id = request | {"medicationReference": {"reference": "Medication/m"}}
    assert fhir.read_orders(_bundle(medication, by_id))[0].codes == order.codes


def test_reference_painrx_cannot_follow_is_refused() -> None:
    statement = WARFARIN | {"medicationReference": {"reference": "Medication/elsewhere"}}
    with pytest.raises(fhir.FHIRError, match=r"MedicationStatement/warf: medicationReference"):
        fhir.read_orders(statement)


def test_opioid_without_dose_is_an_error_not_skipped() -> None:
    orders = fhir.read_orders(_broken(["dosageInstruction"], None))
    with pytest.raises(fhir.FHIRError, match=r"MedicationRequest/oxy: dosageInstruction"):
        fhir.opioid_doses(orders)


def test_not_a_medication_resource() -> None:
    with pytest.raises(fhir.FHIRError, match="resourceType 'Patient'"):
        fhir.read_orders({"resourceType": "Patient"})


TABLET_CODES = [
    p
    for p in rx.catalog.rxnorm_products()
    if p.dose_form == "Oral Tablet"
    and p.tty == "SCD"
    and " / " not in p.name
    and p.strengths[0].endswith(" MG")
    and p.ingredient in {"oxycodone", "morphine", "hydromorphone", "hydrocodone"}
]


@given(
    st.sampled_from(TABLET_CODES),
    st.integers(min_value=1, max_value=3),
    st.sampled_from([4, 6, 8, 12, 24]),
)
def test_fhir_order_gives_same_mme_as_by_name(
    product: rx.catalog.RxNormProduct, tablets: int, hours: int
) -> None:
    resource = _request(
        "p",
        _coded(RXNORM_SYSTEM, product.rxcui),
        dosageInstruction=_dosage(
            {"value": tablets, "unit": "tablet"},
            {"frequency": 1, "period": hours, "periodUnit": "h"},
        ),
    )
    MedicationRequest.model_validate(resource)
    (order,) = fhir.read_orders(resource)
    assert order.dose is not None
    strength = float(product.strengths[0].split()[0]) * tablets
    by_name = rx.mme(product.ingredient, f"{strength} mg", frequency=24 / hours)
    assert rx.total_mme([order.dose]).value == pytest.approx(by_name.value, rel=1e-12)


def test_care_plan_carries_rxnorm_codes_and_validates() -> None:
    plan = post_interstim_removal_plan(
        rx.Patient(age=64, weight="82 kg"), pain_severity="severe", neuropathic=True
    )
    bundle = plan.to_fhir(subject="Patient/123")
    Bundle.model_validate(bundle)
    concepts = [
        e["resource"]["medicationCodeableConcept"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationRequest"
    ]
    coded = {c["coding"][0]["code"]: c["text"] for c in concepts if "coding" in c}
    assert all("text" in c for c in concepts)
    assert coded, "the plan's opioid has a coded RxNorm ingredient"
    for code, text in coded.items():
        assert rx.catalog.product(rxcui=code).id == rx.catalog.product(text).id


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


@given(
    st.sampled_from([OXYCODONE, FENTANYL, WARFARIN, HYDROMORPHONE_PRN]).flatmap(
        lambda r: st.tuples(st.just(r), st.sampled_from(_paths(r)), JSON_VALUES)
    )
)
def test_any_damaged_element_is_a_painrx_error(
    case: tuple[dict[str, Any], tuple[Any, ...], Any],
) -> None:
    resource, path, value = case
    damaged = copy.deepcopy(resource)
    node: Any = damaged
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    try:
        orders = fhir.read_orders(damaged)
        fhir.opioid_doses(orders)
        fhir.prescriptions(orders)
    except rx.PainRxError:
        pass
