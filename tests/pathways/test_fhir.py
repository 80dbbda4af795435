"""FHIR R4 export of a care plan: structure, UCUM units, proposals only, determinism."""

from __future__ import annotations

import json
from typing import Any

import pytest

import painrx as rx
from painrx.catalog import RXNORM_SYSTEM
from painrx.pathways import CarePlan, post_interstim_removal_plan
from painrx.pathways.fhir import GTS, UCUM, quantity, timing
from painrx.units import Q, to_ucum

# FHIR R4 element names this export may use (a subset of the R4 definitions), so a typo
# or an element from another FHIR version fails here rather than in a consumer.
DOSAGE_KEYS = {"sequence", "text", "timing", "asNeededBoolean", "route", "doseAndRate"}
TIMING_KEYS = {"repeat", "code"}
REPEAT_KEYS = {"count", "frequency", "period", "periodMax", "periodUnit", "boundsDuration"}
DOSE_AND_RATE_KEYS = {"type", "doseQuantity", "rateRange", "rateQuantity"}
QUANTITY_KEYS = {"value", "unit", "system", "code"}
UNITS_OF_TIME = {"s", "min", "h", "d", "wk", "mo", "a"}  # R4 UnitsOfTime
GTS_CODES = {
    "BID",
    "TID",
    "QID",
    "AM",
    "PM",
    "QD",
    "QOD",
    "Q1H",
    "Q2H",
    "Q3H",
    "Q4H",
    "Q6H",
    "Q8H",
    "BED",
    "WK",
    "MO",
}  # R4 value set timing-abbreviation
REQUEST_KEYS = {
    "resourceType",
    "status",
    "intent",
    "doNotPerform",
    "medicationCodeableConcept",
    "subject",
    "reasonCode",
    "note",
    "dosageInstruction",
}
CARE_PLAN_KEYS = {
    "resourceType",
    "status",
    "intent",
    "title",
    "description",
    "subject",
    "note",
    "activity",
}
DETAIL_KEYS = {"status", "doNotPerform", "code", "reasonCode", "description", "kind"}
DETAIL_KINDS = {
    "Appointment",
    "CommunicationRequest",
    "DeviceRequest",
    "MedicationRequest",
    "NutritionOrder",
    "Task",
    "ServiceRequest",
    "VisionPrescription",
}


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
def bundle(plan: CarePlan) -> Any:
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
    # Coded since issue 18: ibuprofen's RxNorm ingredient code (CPIC and HL7 PDDI-CDS agree).
    assert nsaid["medicationCodeableConcept"] == {
        "text": "ibuprofen",
        "coding": [{"system": RXNORM_SYSTEM, "code": "5640", "display": "ibuprofen"}],
    }
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
    assert dosage["timing"] == {
        "repeat": {"frequency": 1, "period": 6.0, "periodUnit": "h"},
        "code": {"coding": [{"system": GTS, "code": "Q6H"}]},
    }
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
    assert sorted({d["sequence"] for d in dosages}) == list(range(1, len(steps) + 1))
    for n, step in enumerate(steps, start=1):
        group = [d for d in dosages if d["sequence"] == n]
        if step.kind == "stop":  # the stop: words only, no dose
            assert [set(d) for d in group] == [{"sequence", "text"}]
            assert "stop" in group[0]["text"]
            continue
        # Per administration (step.doses), never the daily total as a rate.
        given = sorted(
            (d["doseAndRate"][0]["doseQuantity"]["value"], d["timing"]["repeat"]["frequency"])
            for d in group
        )
        amounts = sorted(x.amount.m_as("mg") for x in step.doses)
        assert given == sorted({(a, amounts.count(a)) for a in amounts})
        for d in group:
            assert "rateQuantity" not in d["doseAndRate"][0]
            assert d["doseAndRate"][0]["doseQuantity"]["code"] == "mg"
            repeat = d["timing"]["repeat"]
            assert (repeat["period"], repeat["periodUnit"]) == (step.every_days, "d")
            assert repeat["boundsDuration"]["value"] == steps[n].day - step.day
            assert repeat["boundsDuration"]["code"] == "d"
            assert d["asNeededBoolean"] is True  # the most to take that day
            # A GTS code only where it states the whole step (one dose size).
            if len(group) > 1:
                assert "code" not in d["timing"]
    # The post-operative end (Hyland 2023): fewer doses a day down to one, then stop; no
    # every-other-day step of the chronic-pain rule.
    assert all(s.every_days == 1 for s in steps)
    once = steps[-2]
    (qd,) = [d for d in dosages if d["sequence"] == len(steps) - 1]
    assert qd["timing"]["code"]["coding"][0]["code"] == "QD"
    assert qd["doseAndRate"][0]["doseQuantity"]["value"] == once.doses[0].amount.m_as("mg")
    six = next(d for d in dosages if d["sequence"] == 1)
    assert six["timing"]["repeat"]["frequency"] == 6
    assert "code" not in six["timing"]  # six a day has no exact GTS code


def test_export_is_valid_r4_structure(bundle: dict[str, Any]) -> None:
    care_plan = bundle["entry"][0]["resource"]
    assert set(care_plan) <= CARE_PLAN_KEYS
    for activity in care_plan["activity"]:
        assert len(activity) == 1  # cpl-3: a reference or a detail, not both
        if "detail" in activity:
            detail = activity["detail"]
            assert set(detail) <= DETAIL_KEYS
            assert detail.get("kind", "Task") in DETAIL_KINDS
    for entry in bundle["entry"][1:]:
        request = entry["resource"]
        assert set(request) <= REQUEST_KEYS
        for dosage in request.get("dosageInstruction", []):
            assert set(dosage) <= DOSAGE_KEYS
            assert isinstance(dosage.get("sequence", 1), int)
            if "timing" in dosage:
                timing_ = dosage["timing"]
                assert set(timing_) <= TIMING_KEYS
                repeat = timing_["repeat"]
                assert set(repeat) <= REPEAT_KEYS
                if "frequency" in repeat:
                    assert isinstance(repeat["frequency"], int)  # positiveInt
                    assert repeat["frequency"] >= 1
                    assert repeat["periodUnit"] in UNITS_OF_TIME
                    assert repeat.get("periodMax", repeat["period"]) >= repeat["period"]
                if "code" in timing_:
                    (coding,) = timing_["code"]["coding"]
                    assert coding["system"] == GTS
                    assert coding["code"] in GTS_CODES
            for dose_and_rate in dosage.get("doseAndRate", []):
                assert set(dose_and_rate) <= DOSE_AND_RATE_KEYS
                for key in ("doseQuantity", "rateQuantity"):
                    if key in dose_and_rate:
                        q = dose_and_rate[key]
                        assert set(q) == QUANTITY_KEYS
                        assert q["system"] == UCUM
                        assert q["code"] == to_ucum(Q(q["value"], q["unit"]))
                if "rateRange" in dose_and_rate:
                    low, high = (dose_and_rate["rateRange"][k] for k in ("low", "high"))
                    assert low["code"] == high["code"]
                    assert low["value"] <= high["value"]  # rng-2


def test_prn_opioid(bundle: dict[str, Any]) -> None:
    dosage = _requests(bundle)["Oral opioid for severe pain (first choice)"]["dosageInstruction"][0]
    assert dosage["asNeededBoolean"] is True
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 5.0
    # Roxicodone label: every 4 to 6 hours, a range, so no single GTS code.
    assert dosage["timing"] == {
        "repeat": {"frequency": 1, "period": 4.0, "periodMax": 6.0, "periodUnit": "h"}
    }
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
    assert timing("BID") == {
        "repeat": {"frequency": 2, "period": 1, "periodUnit": "d"},
        "code": {"coding": [{"system": GTS, "code": "BID"}]},
    }
    assert isinstance(timing("TID")["repeat"]["frequency"], int)  # FHIR positiveInt
    assert timing(2.5) == {"repeat": {"frequency": 1, "period": 9.6, "periodUnit": "h"}}
    assert timing("q8h")["repeat"] == {"frequency": 1, "period": 8.0, "periodUnit": "h"}
    codes = {
        f: timing(f).get("code", {}).get("coding", [{}])[0].get("code")
        for f in (
            "daily",
            "QD",
            "BID",
            "TID",
            "QID",
            "q4h",
            "q6h",
            "q8h",
            "q12h",
            "q24h",
            "q72h",
            5,
        )
    }
    assert codes == {
        "daily": "QD",
        "QD": "QD",
        "BID": "BID",
        "TID": "TID",
        "QID": "QID",
        "q4h": "Q4H",
        "q6h": "Q6H",
        "q8h": "Q8H",
        "q12h": None,
        "q24h": None,
        "q72h": None,
        5: None,
    }
    assert timing("q72h")["repeat"]["period"] == 72.0
