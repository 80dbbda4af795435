"""FHIR orders coded with a non-opioid RxNorm ingredient code, in and out (issue 18).

Codes from data/rxnorm/ingredients.toml: warfarin 11289 and diclofenac 3355 (OHDSI Phenotype
Library concept sets, concept class Ingredient; the CPIC drug table agrees), ibuprofen 5640
(CPIC drug table and HL7 PDDI-CDS value sets agree), acetaminophen 161 (OHDSI Phenotype
Library). Resources are validated with
``fhir.resources``' R4B models, as in tests/test_fhir.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationrequest import MedicationRequest

import painrx as rx
from painrx import fhir
from painrx.catalog import RXNORM_SYSTEM, UnknownCodeError
from painrx.pathways import post_interstim_removal_plan


def _request(rid: str, code: str, text: str) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/example"},
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM_SYSTEM, "code": code}],
            "text": text,
        },
    }


WARFARIN = _request("warf", "11289", "warfarin")
DICLOFENAC = _request("diclo", "3355", "diclofenac")
IBUPROFEN = _request("ibu", "5640", "ibuprofen")


def test_fixtures_are_valid_fhir() -> None:
    for resource in (WARFARIN, DICLOFENAC, IBUPROFEN):
        MedicationRequest.model_validate(resource)


def test_ingredient_codes_are_read_as_the_catalog_ingredient() -> None:
    warfarin, diclofenac = fhir.read_orders([WARFARIN, DICLOFENAC])
    assert (warfarin.drug, warfarin.medication.name) == ("warfarin", "warfarin")
    assert (diclofenac.drug, diclofenac.medication.name) == ("diclofenac", "diclofenac")
    assert [c.code for c in warfarin.codes] == ["11289"]


def test_coded_nsaid_and_anticoagulant_give_the_bleeding_finding() -> None:
    report = fhir.check_interactions(fhir.read_orders([WARFARIN, DICLOFENAC]))
    findings = [f for f in report.findings if set(f.drugs) == {"diclofenac", "warfarin"}]
    assert [f.rule_id for f in findings] == ["nsaid_anticoagulant"]
    assert findings[0].severity is rx.Severity.MAJOR
    # The finding names the codes and resources it was computed from.
    assert isinstance(findings[0], fhir.CodedFinding)
    assert {c.code for c in findings[0].codes} == {"11289", "3355"}
    assert set(findings[0].resources) == {"MedicationRequest/warf", "MedicationRequest/diclo"}
    # Same finding as by name.
    by_name = rx.check_interactions(["warfarin", "diclofenac"])
    assert [f.rule_id for f in by_name.findings] == ["nsaid_anticoagulant"]


def test_ibuprofen_and_warfarin_by_code() -> None:
    report = fhir.check_interactions(fhir.read_orders([IBUPROFEN, WARFARIN]))
    findings = [f for f in report.findings if set(f.drugs) == {"ibuprofen", "warfarin"}]
    assert [f.rule_id for f in findings] == ["nsaid_anticoagulant"]
    assert isinstance(findings[0], fhir.CodedFinding)
    assert {c.code for c in findings[0].codes} == {"5640", "11289"}


def test_an_ingredient_without_a_verified_code_is_refused_not_guessed() -> None:
    # 11118 is CPIC's 'valproic acid', of no stated term type: refused. Valproate carries
    # its own name's code, OMOP's 40254 'valproate' (docs/codes.md).
    with pytest.raises(rx.PainRxError, match="11118"):
        fhir.read_orders(_request("vpa", "11118", "valproic acid"))
    with pytest.raises(UnknownCodeError):
        rx.catalog.product(rxcui="11118")
    assert rx.catalog.product(rxcui="40254").ingredients == ("valproate",)


def test_care_plan_codes_its_non_opioid_items() -> None:
    plan = post_interstim_removal_plan(
        rx.Patient(age=64, weight="82 kg"), pain_severity="severe", neuropathic=True
    )
    bundle = plan.to_fhir(subject="Patient/123")
    Bundle.model_validate(bundle)
    coded = {
        c["coding"][0]["code"]: c["text"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationRequest"
        for c in [e["resource"]["medicationCodeableConcept"]]
        if "coding" in c
    }
    # The opioid (OMTKData code) and the non-opioid items with a verified code.
    assert coded["7804"] == "oxycodone"
    assert coded["161"] == "acetaminophen"
    for code, text in coded.items():
        assert rx.catalog.product(rxcui=code).id == rx.catalog.product(text).id
