"""FHIR R4 export of a care plan: structure, UCUM units, proposals only, determinism."""

from __future__ import annotations

import json
from typing import Any

import pytest

import painrx as rx
from painrx.pathways import CarePlan, post_interstim_removal_plan
from painrx.pathways.fhir import UCUM, quantity, timing
from painrx.units import Q, to_ucum


@pytest.fixture(scope="module")
def plan() -> CarePlan:
    return post_interstim_removal_plan(
        rx.Patient(age=64, weight="82 kg"),
        pain_severity="severe",
        neuropathic=True,
        findings=["unilateral_swelling"],
        current_meds=[rx.Medication("warfarin", dose="5 mg", frequency="daily")],
    )


@pytest.fixture(scope="module")
def bundle(plan: CarePlan) -> dict[str, Any]:
    return plan.to_fhir(subject="Patient/123")


def _requests(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        e["resource"]["note"][0]["text"]: e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationRequest"
    }


def test_bundle_holds_a_care_plan_then_medication_requests(bundle: dict[str, Any]) -> None:
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    first = bundle["entry"][0]["resource"]
    assert first["resourceType"] == "CarePlan"
    assert {e["resource"]["resourceType"] for e in bundle["entry"][1:]} == {"MedicationRequest"}
    assert all(e["fullUrl"].startswith("urn:uuid:") for e in bundle["entry"])
    assert len({e["fullUrl"] for e in bundle["entry"]}) == len(bundle["entry"])


def test_nothing_is_ordered(bundle: dict[str, Any]) -> None:
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert resource["status"] == "draft"
        assert resource["intent"] == "proposal"
        assert resource["subject"] == {"reference": "Patient/123"}
    care_plan = bundle["entry"][0]["resource"]
    assert "orders nothing" in care_plan["note"][0]["text"]


def test_care_plan_activities_reference_every_request(
    plan: CarePlan, bundle: dict[str, Any]
) -> None:
    care_plan = bundle["entry"][0]["resource"]
    refs = [a["reference"]["reference"] for a in care_plan["activity"] if "reference" in a]
    urls = [e["fullUrl"] for e in bundle["entry"][1:]]
    assert refs == urls
    assert len(care_plan["activity"]) == len(plan.items)
    details = [a["detail"] for a in care_plan["activity"] if "detail" in a]
    duplex = next(d for d in details if "duplex" in d["code"]["text"])
    assert duplex["kind"] == "ServiceRequest"
    assert duplex["status"] == "not-started"


def test_withheld_nsaid_is_do_not_perform(bundle: dict[str, Any]) -> None:
    requests = _requests(bundle)
    nsaid = requests["No NSAID"]
    assert nsaid["doNotPerform"] is True
    assert nsaid["medicationCodeableConcept"] == {"text": "ibuprofen"}
    assert "dosageInstruction" not in nsaid
    assert all(r["doNotPerform"] is False for k, r in requests.items() if k != "No NSAID")


def test_acetaminophen_dose_and_timing(bundle: dict[str, Any]) -> None:
    dosage = _requests(bundle)["Acetaminophen, scheduled"]["dosageInstruction"][0]
    assert dosage["doseAndRate"][0]["doseQuantity"] == {
        "value": 1000.0,
        "unit": "mg",
        "system": UCUM,
        "code": "mg",
    }
    assert dosage["timing"] == {"repeat": {"frequency": 1, "period": 6.0, "periodUnit": "h"}}
    assert dosage["asNeededBoolean"] is False
    assert dosage["route"]["coding"][0]["code"] == "26643006"  # SNOMED CT oral route


def test_ketamine_rates_use_ucum(plan: CarePlan, bundle: dict[str, Any]) -> None:
    dosage = _requests(bundle)["Consider low-dose ketamine infusion"]["dosageInstruction"][0]
    ordered, calculated = dosage["doseAndRate"]
    assert ordered["rateRange"]["low"]["code"] == to_ucum(Q("1 mg/kg/h")) == "mg/(kg.h)"
    assert ordered["rateRange"]["high"]["value"] == 0.25
    lo, hi = plan.item("ketamine").orders
    assert calculated["rateRange"]["low"]["value"] == float(lo.display_rate)  # type: ignore[attr-defined]
    assert calculated["rateRange"]["high"]["value"] == float(hi.display_rate)  # type: ignore[attr-defined]
    assert calculated["rateRange"]["high"]["code"] == "mL/h"


def test_taper_is_a_sequence_of_dosages(plan: CarePlan, bundle: dict[str, Any]) -> None:
    dosages = _requests(bundle)["Rapid oral opioid taper as pain improves"]["dosageInstruction"]
    steps = plan.item("opioid_taper").orders[0].steps  # type: ignore[attr-defined]
    assert [d["sequence"] for d in dosages] == list(range(1, len(steps) + 1))
    assert dosages[0]["doseAndRate"][0]["rateQuantity"]["code"] == "mg/d"
    assert [d["doseAndRate"][0]["rateQuantity"]["value"] for d in dosages] == [
        s.daily_dose.m_as("mg/day") for s in steps
    ]


def test_prn_opioid(bundle: dict[str, Any]) -> None:
    dosage = _requests(bundle)["Oral opioid for severe pain (first choice)"]["dosageInstruction"][0]
    assert dosage["asNeededBoolean"] is True
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 5.0
    iv = _requests(bundle)["IV opioid for breakthrough pain only"]["dosageInstruction"][0]
    assert "doseAndRate" not in iv  # the IV dose is the prescriber's


def test_every_request_cites_its_sources(plan: CarePlan, bundle: dict[str, Any]) -> None:
    for name, request in _requests(bundle).items():
        item = next(i for i in plan.items if i.name == name)
        notes = " ".join(n["text"] for n in request["note"])
        for source in item.sources:
            assert source.id in notes


def test_export_is_json_and_deterministic(plan: CarePlan, bundle: dict[str, Any]) -> None:
    assert json.loads(json.dumps(bundle)) == bundle
    assert plan.to_fhir(subject="Patient/123") == bundle
    anonymous = plan.to_fhir()
    assert anonymous["entry"][0]["resource"]["subject"] == {"display": "patient (not identified)"}


def test_helpers() -> None:
    assert quantity(Q("25 mcg/h")) == {
        "value": 25.0,
        "unit": "mcg/h",
        "system": UCUM,
        "code": "ug/h",
    }
    assert timing(None) == {"repeat": {"count": 1}}
    assert timing("BID") == {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}
    assert isinstance(timing("TID")["repeat"]["frequency"], int)  # FHIR positiveInt
    assert timing(2.5) == {"repeat": {"frequency": 1, "period": 9.6, "periodUnit": "h"}}
    assert timing("q8h") == {"repeat": {"frequency": 1, "period": 8.0, "periodUnit": "h"}}
