"""Interaction checks: reference cases, context modifiers, acetaminophen, refusals, properties."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import painrx as rx
from painrx import catalog
from painrx.errors import InputError, Severity, UnitError, UnknownDrugError
from painrx.interactions import (
    DrugRule,
    InteractionReport,
    Medication,
    Patient,
    Rule,
    RuleSet,
    check_interactions,
    default_rules,
    rule_table,
)
from painrx.tables import TableError

MAJOR = Severity.MAJOR


def _rules(report: InteractionReport) -> dict[tuple[str, tuple[str, ...]], Severity]:
    return {(f.rule_id, f.drugs): f.severity for f in report.findings}


def _only(report: InteractionReport, rule_id: str) -> Severity:
    found = [f.severity for f in report.findings if f.rule_id == rule_id]
    assert len(found) == 1, report.findings
    return found[0]


# --- NSAID + anticoagulant (references/interactions-tapers.md §1.1) ----------------

# Ketorolac has its own, stricter rule (ketorolac_anticoagulant, tests/interactions/test_knowledge.py).
_NSAIDS = sorted(catalog.members("nsaid") - {"aspirin"} - catalog.members("ketorolac"))
_ANTICOAGULANTS = sorted(catalog.members("anticoagulant"))


@pytest.mark.parametrize("anticoagulant", _ANTICOAGULANTS)
@pytest.mark.parametrize("nsaid", _NSAIDS)
def test_every_nsaid_with_every_anticoagulant_is_major(nsaid: str, anticoagulant: str) -> None:
    # Lamberts 2014: the risk holds "across all antithrombotic regimens and NSAID types";
    # Petersen 2024: for DOACs and warfarin alike. No dose -> intensity unknown -> therapeutic.
    report = check_interactions([nsaid, anticoagulant])
    finding = next(f for f in report.findings if f.rule_id == "nsaid_anticoagulant")
    assert finding.drugs == (nsaid, anticoagulant)
    assert finding.severity == MAJOR
    assert "anticoagulant_intensity_unknown" in [m.id for m in finding.modifiers]
    assert report.nsaid_bleeding_risk() == MAJOR


@pytest.mark.parametrize("anticoagulant", _ANTICOAGULANTS)
def test_aspirin_with_anticoagulant(anticoagulant: str) -> None:
    report = check_interactions(["aspirin", anticoagulant])
    assert _only(report, "antiplatelet_anticoagulant") == MAJOR
    assert report.severity_of("nsaid_anticoagulant") is None


def test_cox2_inhibitors_are_nsaids_for_the_rule() -> None:
    for nsaid in ("celecoxib", "etoricoxib"):
        assert check_interactions([nsaid, "warfarin"]).severity_of("nsaid_anticoagulant") == MAJOR


def test_ketorolac_is_an_nsaid_whose_own_rule_supersedes() -> None:
    report = check_interactions(["ketorolac", "warfarin"])
    assert report.severity_of("ketorolac_anticoagulant") == Severity.CONTRAINDICATED
    assert report.severity_of("nsaid_anticoagulant") is None  # superseded
    assert report.nsaid_bleeding_risk() == Severity.CONTRAINDICATED


@pytest.mark.parametrize(
    ("meds", "rule", "rule_drugs", "severity"),
    [
        (
            ["Ibuprofen 400 mg tablet", "Eliquis 5mg"],
            "nsaid_anticoagulant",
            ("ibuprofen", "apixaban"),
            MAJOR,
        ),
        (["Advil", "Xarelto"], "nsaid_anticoagulant", ("ibuprofen", "rivaroxaban"), MAJOR),
        (["Aleve", "Coumadin"], "nsaid_anticoagulant", ("naproxen", "warfarin"), MAJOR),
        # UK SmPC: ketorolac with any anticoagulant is contraindicated.
        (
            ["Toradol", "Lovenox"],
            "ketorolac_anticoagulant",
            ("ketorolac", "enoxaparin"),
            Severity.CONTRAINDICATED,
        ),
        (["Celebrex", "warfarin sodium"], "nsaid_anticoagulant", ("celecoxib", "warfarin"), MAJOR),
        # An NSAID inside a combination product.
        (["Vicoprofen", "Pradaxa"], "nsaid_anticoagulant", ("ibuprofen", "dabigatran"), MAJOR),
        (
            ["oxycodone/ibuprofen", "heparin"],
            "nsaid_anticoagulant",
            ("ibuprofen", "heparin"),
            MAJOR,
        ),
    ],
)
def test_free_text_brands_and_combinations(
    meds: list[str], rule: str, rule_drugs: tuple[str, str], severity: Severity
) -> None:
    # The misses of drug-interaction-mcp 0.1.0 (reference §2.3) must all be hits.
    report = check_interactions(meds)
    assert _rules(report)[(rule, rule_drugs)] == severity
    assert set(report.findings[0].medications) == set(meds)


def test_the_seed_rule_message_and_evidence() -> None:
    finding = check_interactions(["ibuprofen", "warfarin"]).findings[0]
    assert finding.message.startswith("Ibuprofen + Warfarin: ")
    assert "acetaminophen" in finding.management
    assert "short opioid course" in finding.management
    estimates = {(e.source.id.split("/")[-1], e.estimate) for e in finding.evidence}
    assert ("davidson_2014", 2.37) in estimates
    assert "2.5" not in " ".join(str(e) for e in finding.evidence)  # the unsourced seed figure
    assert finding.tags == frozenset({"bleeding"})


# --- anticoagulant intensity (labels) ----------------------------------------------


@pytest.mark.parametrize(
    ("med", "intensity"),
    [
        (Medication("enoxaparin", dose="40 mg", frequency="daily"), "prophylactic"),  # Lovenox
        (Medication("enoxaparin", dose="30 mg", frequency="q12h"), "prophylactic"),
        (Medication("enoxaparin", dose="30 mg", frequency="QD"), "prophylactic"),
        (Medication("enoxaparin", dose="1 mg/kg", frequency="q12h"), "therapeutic"),
        (Medication("enoxaparin", dose="80 mg", frequency="BID"), "therapeutic"),
        (Medication("enoxaparin", dose="40 mg"), "prophylactic"),  # single dose
        (Medication("rivaroxaban", dose="10 mg", frequency="daily"), "prophylactic"),  # Xarelto
        (Medication("rivaroxaban", dose="20 mg", frequency="daily"), "therapeutic"),
        (Medication("dabigatran", dose="220 mg", frequency="daily"), "prophylactic"),  # Pradaxa
        (Medication("dabigatran", dose="110 mg", frequency="BID"), "therapeutic"),
        (Medication("fondaparinux", dose="2.5 mg", frequency="daily"), "prophylactic"),  # Arixtra
        (Medication("fondaparinux", dose="7.5 mg", frequency="daily"), "therapeutic"),
        (Medication("apixaban", dose="2.5 mg", frequency="BID"), "ambiguous"),  # Eliquis §2
        (Medication("apixaban", dose="5 mg", frequency="BID"), "therapeutic"),
        (Medication("Eliquis 5mg"), "therapeutic"),
        (Medication("heparin"), "unknown"),
        (Medication("heparin", intensity="prophylactic"), "prophylactic"),
        (Medication("warfarin", dose="5 mg", frequency="daily"), "therapeutic"),
    ],
)
def test_intensity_inference(med: Medication, intensity: str) -> None:
    report = check_interactions([med])
    assert report.medications[0].intensity == intensity


def test_prophylactic_enoxaparin_lowers_and_ppi_lowers_further() -> None:
    prophylactic = Medication("enoxaparin", dose="40 mg", frequency="daily")
    base = check_interactions([prophylactic, "ibuprofen"])
    assert _only(base, "nsaid_anticoagulant") == Severity.MODERATE
    with_ppi = check_interactions([prophylactic, "ibuprofen", "omeprazole"])
    finding = with_ppi.findings[0]
    assert finding.severity == Severity.MINOR
    assert [m.id for m in finding.modifiers] == ["prophylactic_anticoagulant", "gi_protection"]
    with_misoprostol = check_interactions([prophylactic, "ibuprofen", "misoprostol"])
    assert _only(with_misoprostol, "nsaid_anticoagulant") == Severity.MINOR


def test_ppi_never_lowers_therapeutic_anticoagulation_below_major() -> None:
    # The pathway relies on this: therapeutic anticoagulation withholds the NSAID.
    for anticoagulant in ("warfarin", "Eliquis 5mg", Medication("enoxaparin", "1 mg/kg", "BID")):
        report = check_interactions([anticoagulant, "naproxen", "pantoprazole"])
        finding = next(f for f in report.findings if f.rule_id == "nsaid_anticoagulant")
        assert finding.severity == MAJOR
        assert "gi_protection" in [m.id for m in finding.modifiers]


def test_ambiguous_apixaban_is_treated_as_therapeutic() -> None:
    report = check_interactions([Medication("apixaban", "2.5 mg", "BID"), "ibuprofen"])
    finding = report.findings[0]
    assert finding.severity == MAJOR
    note = next(m.note for m in finding.modifiers if m.id == "therapeutic_anticoagulant")
    assert "atrial-fibrillation" in note


@pytest.mark.parametrize(
    ("route_text", "expected"),
    [
        ("Voltaren Gel", Severity.INFO),
        ("diclofenac gel", Severity.INFO),
        ("Pennsaid", Severity.INFO),
        ("diclofenac", MAJOR),
    ],
)
def test_topical_nsaid_is_information_only(route_text: str, expected: Severity) -> None:
    # HL7 PDDI: topical diclofenac -> no special precautions.
    report = check_interactions([route_text, "warfarin"], patient=Patient(age=80))
    assert _only(report, "nsaid_anticoagulant") == expected


def test_topical_route_given_on_the_medication() -> None:
    med = Medication("diclofenac", route="topical")
    assert _only(check_interactions([med, "warfarin"]), "nsaid_anticoagulant") == Severity.INFO


@pytest.mark.parametrize(
    ("patient", "extra", "modifier"),
    [
        (Patient(age=66), [], "age_over_65"),
        (Patient(conditions=["gi_bleed_history"]), [], "gi_bleed_history"),
        (Patient(conditions=["peptic_ulcer_history"]), [], "gi_bleed_history"),
        (Patient(conditions=["neuraxial_catheter"]), [], "neuraxial_catheter"),
        (Patient(), ["prednisone"], "systemic_corticosteroid"),
        (Patient(), ["spironolactone"], "aldosterone_antagonist"),
        (Patient(), ["naproxen"], "multiple_nsaids"),
    ],
)
def test_risk_factors_raise_prophylactic_to_major(
    patient: Patient, extra: list[str], modifier: str
) -> None:
    meds: list[str | Medication] = [Medication("enoxaparin", "40 mg", "daily"), "ibuprofen"]
    meds += extra
    finding = next(
        f
        for f in check_interactions(meds, patient=patient).findings
        if f.rule_id == "nsaid_anticoagulant" and f.drugs == ("ibuprofen", "enoxaparin")
    )
    assert finding.severity == MAJOR
    assert modifier in [m.id for m in finding.modifiers]


def test_age_65_exactly_is_not_over_65() -> None:
    meds: list[str | Medication] = [Medication("enoxaparin", "40 mg", "daily"), "ibuprofen"]
    assert check_interactions(meds, patient=Patient(age=65)).max_severity == Severity.MODERATE


# --- other rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meds", "rule_id", "severity"),
    [
        (["ibuprofen", "clopidogrel"], "nsaid_antiplatelet", Severity.MODERATE),
        (["ibuprofen", "clopidogrel", "ticagrelor"], "nsaid_antiplatelet", MAJOR),  # DAPT
        (["naproxen", "sertraline"], "nsaid_ssri_snri", Severity.MODERATE),
        (["naproxen", "duloxetine", "apixaban"], "nsaid_ssri_snri", MAJOR),
        (["naproxen", "sertraline", "omeprazole"], "nsaid_ssri_snri", Severity.MINOR),
        (["ibuprofen", "prednisone"], "nsaid_corticosteroid", MAJOR),
        (["ibuprofen", "naproxen"], "duplicate_nsaid", MAJOR),
        (["ibuprofen", "Voltaren Gel"], "duplicate_nsaid", Severity.MINOR),
        (["ketorolac", "ibuprofen"], "ketorolac_nsaid", Severity.CONTRAINDICATED),
        (["ketorolac", "aspirin"], "ketorolac_nsaid", Severity.CONTRAINDICATED),
        (["ibuprofen", "aspirin"], "ibuprofen_aspirin", Severity.MODERATE),
        (["oxycodone", "lorazepam"], "opioid_benzodiazepine", MAJOR),
        (["buprenorphine", "clonazepam"], "opioid_benzodiazepine", MAJOR),
        (["hydromorphone", "gabapentin"], "opioid_gabapentinoid", Severity.MODERATE),
        # Opioid labels §7 'Serotonergic drugs': observe if warranted (MODERATE); the
        # Ultram label also names SSRIs for seizures (MAJOR, docs: grading rule).
        (["tramadol", "sertraline"], "tramadol_antidepressant", MAJOR),
        (["tapentadol", "venlafaxine"], "serotonergic_opioid_antidepressant", Severity.MODERATE),
        (["fentanyl", "amitriptyline"], "serotonergic_opioid_antidepressant", Severity.MODERATE),
        # §4 of Demerol and Ultram: contraindicated; §7 of Dolophine: not recommended.
        (["meperidine", "phenelzine"], "serotonergic_opioid_maoi", Severity.CONTRAINDICATED),
        (["tramadol", "linezolid"], "serotonergic_opioid_maoi", Severity.CONTRAINDICATED),
        (["methadone", "methylene blue"], "fentanyl_methadone_maoi", MAJOR),
        (["morphine", "tranylcypromine"], "opioid_maoi", MAJOR),
        (["methadone", "ondansetron"], "methadone_qt", MAJOR),
        (["methadone", "haloperidol"], "methadone_qt", MAJOR),
        (["methadone", "azithromycin"], "methadone_qt", MAJOR),
        (["acetaminophen", "warfarin"], "acetaminophen_warfarin", Severity.MINOR),
    ],
)
def test_rule_reference_cases(meds: list[str], rule_id: str, severity: Severity) -> None:
    assert check_interactions(meds).severity_of(rule_id) == severity


def test_non_serotonergic_opioid_has_no_serotonin_finding() -> None:
    report = check_interactions(["morphine", "sertraline"])
    assert report.findings == ()
    assert report.complete


def test_dapt_itself_is_not_an_nsaid_finding() -> None:
    # aspirin + clopidogrel is intended dual antiplatelet therapy, not "NSAID + antiplatelet".
    assert check_interactions(["aspirin", "clopidogrel"]).findings == ()


def test_single_dose_dexamethasone_is_minor() -> None:
    # Seed: dexamethasone 8 mg IV perioperatively; a single dose is inform-only (judgement).
    single = Medication("dexamethasone", dose="8 mg", route="iv")
    assert _only(check_interactions([single, "ibuprofen"]), "nsaid_corticosteroid") == (
        Severity.MINOR
    )
    course = Medication("dexamethasone", dose="8 mg", frequency="daily", duration="5 day")
    assert _only(check_interactions([course, "ibuprofen"]), "nsaid_corticosteroid") == MAJOR
    # Free text gives a strength, not an order: not treated as a single dose.
    assert _only(
        check_interactions(["dexamethasone 8 mg", "ibuprofen"]), "nsaid_corticosteroid"
    ) == (MAJOR)


@pytest.mark.parametrize("patient", [Patient(conditions=["copd"]), Patient(age=65)])
def test_gabapentinoid_escalation(patient: Patient) -> None:
    # FDA 2019: elderly and COPD; Gomes 2017 aOR 1.49.
    report = check_interactions(["oxycodone", "pregabalin"], patient=patient)
    assert _only(report, "opioid_gabapentinoid") == MAJOR


def test_gabapentinoid_with_benzodiazepine_escalates() -> None:
    report = check_interactions(["oxycodone", "gabapentin", "diazepam"])
    assert report.severity_of("opioid_gabapentinoid") == MAJOR


def test_triple_whammy_versus_two_drugs() -> None:
    # Lapi 2013: triple therapy RR 1.31; double therapy not increased.
    two = check_interactions(["ibuprofen", "lisinopril"])
    assert _rules(two) == {("nsaid_raas", ("ibuprofen", "lisinopril")): Severity.MODERATE}
    two_b = check_interactions(["ibuprofen", "furosemide"])
    assert _rules(two_b) == {("nsaid_diuretic", ("ibuprofen", "furosemide")): Severity.MODERATE}
    three = check_interactions(["ibuprofen", "losartan", "hydrochlorothiazide"])
    assert _rules(three) == {
        ("triple_whammy", ("ibuprofen", "losartan", "hydrochlorothiazide")): MAJOR
    }


def test_antiplatelet_aspirin_is_not_the_nsaid_of_the_renal_rules() -> None:
    # painrx judgement (docs/interactions.md), as in NSAID + CKD: aspirin 81 mg with an ACE
    # inhibitor and a loop diuretic is one of the commonest elderly lists, not a triple whammy.
    report = check_interactions(["aspirin 81 mg", "lisinopril 10 mg", "furosemide 20 mg"])
    assert report.findings == ()


def test_ckd_raises_the_renal_pair() -> None:
    report = check_interactions(["ibuprofen", "ramipril"], patient=Patient(conditions=["ckd"]))
    assert _only(report, "nsaid_raas") == MAJOR


# --- acetaminophen -----------------------------------------------------------------


def test_acetaminophen_5_95_g_per_day_is_major() -> None:
    # Percocet 10/325 q4h (6 x 325 = 1,950 mg) + Tylenol 1,000 mg q6h (4,000 mg) = 5,950 mg.
    meds = [
        Medication("Percocet", dose="10/325 mg", frequency="q4h"),
        Medication("Tylenol", dose="1000 mg", frequency="q6h"),
    ]
    report = check_interactions(meds)
    assert report.acetaminophen is not None
    assert report.acetaminophen.daily_dose == rx.Q("5950 mg/day")
    assert report.acetaminophen.complete
    assert report.severity_of("acetaminophen_daily_max") == MAJOR
    assert report.severity_of("acetaminophen_multiple_products") == Severity.MINOR


def test_acetaminophen_3_9_g_per_day() -> None:
    meds = [Medication("acetaminophen", dose="650 mg", frequency="q4h")]  # 3,900 mg/day
    default = check_interactions(meds)
    assert default.findings == ()
    assert default.acetaminophen is not None
    assert default.acetaminophen.limit == rx.Q("4 g/day")
    for patient in (
        Patient(age=70),
        Patient(conditions=["liver_disease"]),
        Patient(conditions=["alcohol_use"]),
    ):
        report = check_interactions(meds, patient=patient)
        assert _only(report, "acetaminophen_daily_limit") == Severity.MODERATE
    configured = check_interactions(meds, acetaminophen_limit="3.5 g/day")
    assert configured.severity_of("acetaminophen_daily_limit") == Severity.MODERATE


def test_acetaminophen_exactly_4_g_is_not_above() -> None:
    report = check_interactions([Medication("paracetamol", "1 g", "QID")])
    assert report.findings == ()


def test_acetaminophen_from_free_text_with_frequency() -> None:
    # "Norco 10/325 mg" + frequency: the strength in the text is the dose per administration.
    report = check_interactions([Medication("Norco 10/325 mg", frequency="q4h")])
    assert report.acetaminophen is not None
    assert report.acetaminophen.daily_dose == rx.Q("1950 mg/day")


def test_acetaminophen_unknown_doses_are_reported_not_zero() -> None:
    report = check_interactions(["Percocet", "Tylenol"])
    assert report.acetaminophen is not None
    assert not report.acetaminophen.complete
    assert set(report.acetaminophen.unquantified) == {"Percocet", "Tylenol"}
    assert _only(report, "acetaminophen_multiple_products") == Severity.MODERATE
    assert "acetaminophen_dose_unknown" in [a.code for a in report.alerts]


def test_acetaminophen_opioid_only_dose_leaves_acetaminophen_unknown() -> None:
    report = check_interactions([Medication("Percocet", dose="5 mg", frequency="q6h")])
    assert report.acetaminophen is not None
    assert not report.acetaminophen.complete


def test_acetaminophen_warfarin_inr_above_2_g() -> None:
    # HL7 PDDI: monitor INR with acetaminophen above 2 g/day for a few days.
    low = check_interactions([Medication("acetaminophen", "500 mg", "QID"), "warfarin"])
    assert _only(low, "acetaminophen_warfarin") == Severity.MINOR
    high = check_interactions([Medication("acetaminophen", "1 g", "TID"), "warfarin"])
    assert _only(high, "acetaminophen_warfarin") == Severity.MODERATE


def test_acetaminophen_limit_refusals() -> None:
    with pytest.raises(InputError):
        check_interactions(["acetaminophen"], acetaminophen_limit="5 g/day")
    with pytest.raises(UnitError):
        check_interactions(["acetaminophen"], acetaminophen_limit="3 g")


# --- unknown drugs and refusals ------------------------------------------------------


def test_unknown_drug_raises_by_default() -> None:
    with pytest.raises(UnknownDrugError) as info:
        check_interactions(["warfarin", "ibuprofn"])
    assert "ibuprofen" in info.value.suggestions


def test_unknown_drug_reported_is_never_no_interaction() -> None:
    report = check_interactions(["warfarin", "zzzdrug"], on_unknown="report")
    assert report.unchecked == ("zzzdrug",)
    assert report.complete is False
    assert report.findings == ()
    alert = next(a for a in report.alerts if a.code == "interaction_check_incomplete")
    assert alert.severity == MAJOR
    assert "INCOMPLETE" in report._repr_html_()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"meds": "warfarin"}, InputError),
        ({"meds": [3]}, InputError),
        ({"meds": ["warfarin"], "on_unknown": "ignore"}, InputError),
        ({"meds": ["warfarin"], "patient": {"age": 3}}, InputError),
        ({"meds": [Medication("ibuprofen", dose="400")]}, UnitError),
        ({"meds": [Medication("ibuprofen", dose="5 mL")]}, InputError),
        ({"meds": [Medication("Percocet", dose="10/325/5 mg")]}, InputError),
        ({"meds": ["warfarin"], "rules": ["not a rule set"]}, InputError),
    ],
)
def test_refusals(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        check_interactions(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (Medication, {"name": ""}),
        (Medication, {"name": "ibuprofen", "dose": 400}),
        (Medication, {"name": "ibuprofen", "frequency": "sometimes"}),
        (Medication, {"name": "ibuprofen", "frequency": 0}),
        (Medication, {"name": "ibuprofen", "route": "by osmosis"}),
        (Medication, {"name": "ibuprofen", "duration": "5 mg"}),
        (Medication, {"name": "heparin", "intensity": "high"}),
        (Patient, {"age": -1}),
        (Patient, {"age": float("nan")}),
        (Patient, {"weight": "700 kg"}),
        (Patient, {"weight": 70}),
        (Patient, {"height": "300 cm"}),
        (Patient, {"sex": "x"}),
        (Patient, {"conditions": "copd"}),
        (Patient, {"conditions": ["asthma"]}),
    ],
)
def test_value_object_refusals(cls: type, kwargs: dict[str, object]) -> None:
    with pytest.raises(rx.PainRxError):
        cls(**kwargs)


def test_patient_normalises() -> None:
    p = Patient(age=70, weight="154 lb", sex="F", conditions=["COPD", "copd", "ckd"])
    assert p.conditions == ("ckd", "copd")
    assert p.sex == "female"
    assert p.to_dict()["conditions"] == ["ckd", "copd"]


# --- report API ----------------------------------------------------------------------


def test_findings_ordered_by_severity_then_rule() -> None:
    report = check_interactions(["ketorolac", "ibuprofen", "warfarin", "lorazepam", "oxycodone"])
    keys = [(-f.severity, f.rule_id) for f in report.findings]
    assert keys == sorted(keys)
    assert report.max_severity == Severity.CONTRAINDICATED


def test_pathway_questions() -> None:
    report = check_interactions(["warfarin", "oxycodone", "lorazepam", "ibuprofen"])
    assert [f.rule_id for f in report.findings_for_class("nsaid")] == ["nsaid_anticoagulant"]
    assert {f.rule_id for f in report.findings_with_tag("respiratory_depression")} == {
        "opioid_benzodiazepine"
    }
    assert report.nsaid_bleeding_risk() == MAJOR
    clear = check_interactions(["oxycodone", "ibuprofen"])
    assert clear.nsaid_bleeding_risk() is None
    with pytest.raises(InputError):
        report.findings_for_class("nsaids")


def test_empty_list() -> None:
    report = check_interactions([])
    assert report.findings == ()
    assert report.max_severity is None
    assert report.complete


def test_report_is_json_ready_pickles_and_renders() -> None:
    report = check_interactions(
        [Medication("Percocet", "10/325 mg", "q4h"), "warfarin", "ibuprofen", "zzz"],
        patient=Patient(age=70, weight="70 kg"),
        on_unknown="report",
    )
    text = json.dumps(report.to_dict())
    assert "nsaid_anticoagulant" in text
    assert "PAINRX_DDI_2026_1" in text
    again = pickle.loads(pickle.dumps(report))
    assert again == report
    assert "<table>" in report._repr_html_()
    assert "<table>" in report.findings[0]._repr_html_()
    assert "nsaid_anticoagulant" in repr(report)
    assert report.source is not None
    assert report.source.id == "PAINRX_DDI_2026_1"
    assert json.dumps(Medication("x", "1 mg", "BID", "po", "2 day").to_dict())


# --- rule sets -------------------------------------------------------------------------

_SITE = {
    "provenance": {
        "id": "SITE_KB_1",
        "kind": "interaction_rules",
        "title": "Site knowledge base",
        "year": 2026,
        "citation": "Example licensed knowledge base extract.",
    },
    "sources": {"kb": {"title": "KB", "year": 2026, "citation": "KB monograph 12"}},
    "rules": [
        {
            "id": "site_ondansetron_tramadol",
            "title": "Ondansetron + tramadol",
            "severity": "moderate",
            "members": [{"ingredients": ["tramadol"]}, {"ingredients": ["ondansetron"]}],
            "message": "ondansetron may reduce tramadol's analgesia.",
            "management": "Monitor analgesia.",
            "source": "kb",
        }
    ],
}


_SITE_TOML = """
[provenance]
id = "SITE_KB_1"
kind = "interaction_rules"
title = "Site knowledge base"
year = 2026
citation = "Example."
[sources.kb]
title = "KB"
year = 2026
citation = "KB monograph 12"
[[rules]]
id = "site_ondansetron_tramadol"
title = "Ondansetron + tramadol"
severity = "moderate"
members = [{ ingredients = ["tramadol"] }, { ingredients = ["ondansetron"] }]
message = "m"
management = "n"
source = "kb"
"""


def test_extra_rule_set_from_mapping_and_file(tmp_path: Path) -> None:
    site = RuleSet.from_mapping(_SITE, label="site")
    report = check_interactions(["tramadol", "ondansetron"], rules=site)
    assert report.severity_of("site_ondansetron_tramadol") == Severity.MODERATE
    assert report.rule_sets == ("PAINRX_DDI_2026_1", "SITE_KB_1")
    # painrx's own serotonergic_opioid_5ht3_antagonist fires beside the site's rule.
    finding = next(f for f in report.findings if f.rule_id == "site_ondansetron_tramadol")
    assert finding.rule_set == "SITE_KB_1"
    assert finding.source is not None
    assert finding.source.id == "SITE_KB_1/kb"
    path = tmp_path / "site.toml"
    path.write_text(_SITE_TOML, encoding="utf-8")
    from_file = RuleSet.from_file(path)
    assert [r.id for r in from_file.rules] == ["site_ondansetron_tramadol"]
    assert check_interactions(["tramadol", "ondansetron"], rules=[from_file]).findings


def test_rule_id_collision_is_refused() -> None:
    clash = json.loads(json.dumps(_SITE))
    clash["rules"][0]["id"] = "nsaid_anticoagulant"
    with pytest.raises(InputError, match="already used"):
        check_interactions(["warfarin"], rules=RuleSet.from_mapping(clash))


def _mutated(path: list[object], value: object) -> dict[str, object]:
    doc = json.loads(json.dumps(_SITE))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["rules", 0, "members"], [{"classes": ["nsaids"]}, {"ingredients": ["tramadol"]}]),
        (["rules", 0, "members"], [{"ingredients": ["tramadoll"]}, {"ingredients": ["tramadol"]}]),
        (["rules", 0, "members"], [{"ingredients": ["tramadol"]}]),
        (["rules", 0, "severity"], "severe"),
        (["rules", 0, "source"], "nowhere"),
        (["rules", 0, "colour"], "red"),
        (["rules", 0, "id"], "Bad Id"),
        (
            ["rules", 0, "modifiers"],
            [{"id": "m", "when": "weather", "effect": "raise", "to": "major", "note": "n"}],
        ),
        (
            ["rules", 0, "modifiers"],
            [{"id": "m", "when": "condition", "conditions": ["asthma"], "effect": "raise"}],
        ),
        (
            ["rules", 0, "evidence"],
            [{"source": "kb", "population": "p", "outcome": "o", "measure": "HR", "ci": [1, 2]}],
        ),
        (["provenance"], "none"),
    ],
)
def test_malformed_rule_sets_are_refused(path: list[object], value: object) -> None:
    with pytest.raises(TableError):
        RuleSet.from_mapping(_mutated(path, value))


def test_unreadable_rule_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules", encoding="utf-8")
    with pytest.raises(TableError):
        RuleSet.from_file(bad)
    with pytest.raises(TableError):
        RuleSet.from_file(tmp_path / "missing.toml")


def test_rule_table_lists_every_rule() -> None:
    rows = rule_table()
    every = [r.id for r in default_rules().rules] + [r.id for r in default_rules().drug_rules]
    assert [r["id"] for r in rows] == every
    assert rows[0]["severity"] == "major"
    ckd = next(r for r in rows if r["id"] == "nsaid_ckd")
    assert (ckd["kind"], ckd["members"], ckd["trigger"]) == (
        "drug_condition",
        "nsaid (not aspirin)",
        "ckd",
    )
    assert "<table>" in default_rules()._repr_html_()
    assert default_rules().to_dict()["id"] == "PAINRX_DDI_2026_1"


def test_every_rule_and_modifier_cites_a_source() -> None:
    every: list[Rule | DrugRule] = [*default_rules().rules, *default_rules().drug_rules]
    for rule in every:
        assert rule.source.citation
        assert rule.management
        for mod in rule.modifiers:
            assert mod.source.citation
        for ev in rule.evidence:
            assert ev.source.citation
            assert str(ev)


# --- hypothesis properties -------------------------------------------------------------

_POOL = [
    "ibuprofen",
    "Voltaren Gel",
    "ketorolac",
    "celecoxib",
    "aspirin",
    "warfarin",
    "Eliquis 5mg",
    "clopidogrel",
    "sertraline",
    "prednisone",
    "lisinopril",
    "furosemide",
    "oxycodone",
    "tramadol",
    "methadone",
    "lorazepam",
    "gabapentin",
    "phenelzine",
    "ondansetron",
    "omeprazole",
    "Percocet 10/325 mg",
    "spironolactone",
    Medication("enoxaparin", dose="40 mg", frequency="daily"),
    Medication("dexamethasone", dose="8 mg", route="iv"),
    Medication("acetaminophen", dose="1 g", frequency="q6h"),
    Medication("Norco", dose="10/325 mg", frequency="q4h"),
    # issue 14's rules: CNS depressants, CYP3A4/2D6, duplicate therapy, lithium, ketamine
    "zolpidem",
    "cyclobenzaprine",
    "clarithromycin",
    "diltiazem",
    "rifampin",
    "fluoxetine",
    "codeine",
    "OxyContin",
    "Suboxone",
    "hydromorphone",
    "sumatriptan",
    "lithium",
    "methotrexate",
    "ketamine",
    Medication("Vicoprofen", dose="7.5/200 mg", frequency="q6h"),
    Medication("ibuprofen", dose="800 mg", frequency="q6h"),
    Medication("ketorolac", dose="10 mg", frequency="q6h", duration="7 day"),
]
_med_lists = st.lists(st.sampled_from(_POOL), min_size=0, max_size=7)
_patients = st.builds(
    Patient,
    age=st.one_of(st.none(), st.integers(min_value=12, max_value=95)),  # under 12: own tests
    weight=st.one_of(st.none(), st.sampled_from(["40 kg", "70 kg"])),
    conditions=st.lists(
        st.sampled_from(sorted(rx.interactions.CONDITIONS)), max_size=3, unique=True
    ),
)


# Findings about the list as a whole: another drug of the class widens them (two
# opioids become three; the ER + IR pattern becomes duplicate therapy), never drops them.
_FAMILIES = {
    "opioid_er_ir_breakthrough": {"opioid_er_ir_breakthrough", "duplicate_opioid"},
    "duplicate_opioid": {"duplicate_opioid"},
}


def _covered(before: InteractionReport, after: InteractionReport) -> None:
    """Every finding before is still present (or superseded by a wider one), never lower."""
    every: list[Rule | DrugRule] = [*default_rules().rules, *default_rules().drug_rules]
    rules = {r.id: r for r in every}
    for old in before.findings:
        if old.rule_id.startswith("acetaminophen_daily") or old.rule_id.endswith("_weight_max"):
            continue  # a threshold on a sum; checked by test_acetaminophen_* instead
        family = _FAMILIES.get(old.rule_id, {old.rule_id})
        same = [
            f
            for f in after.findings
            if f.rule_id in family
            and set(old.drugs) <= set(f.drugs)
            and (f.drugs == old.drugs or old.rule_id in _FAMILIES)
        ]
        wider = [
            f
            for f in after.findings
            if f.rule_id in rules
            and old.rule_id in rules[f.rule_id].supersedes
            and set(old.drugs) <= set(f.drugs)
        ]
        assert same or wider, (old, after.findings)


@settings(max_examples=60)
@given(meds=_med_lists, patient=_patients, data=st.data())
def test_order_and_duplicates_do_not_matter(
    meds: list[str | Medication], patient: Patient, data: st.DataObject
) -> None:
    report = check_interactions(meds, patient=patient)
    shuffled = data.draw(st.permutations(meds))
    doubled = shuffled + data.draw(st.lists(st.sampled_from(meds), max_size=3)) if meds else []
    assert check_interactions(doubled, patient=patient) == report


@settings(max_examples=60)
@given(meds=_med_lists, extra=st.sampled_from(_POOL), patient=_patients)
def test_adding_a_drug_never_removes_a_finding(
    meds: list[str | Medication], extra: str | Medication, patient: Patient
) -> None:
    before = check_interactions(meds, patient=patient)
    after = check_interactions([*meds, extra], patient=patient)
    _covered(before, after)


@settings(max_examples=60)
@given(
    meds=_med_lists,
    patient=_patients,
    condition=st.sampled_from(sorted(rx.interactions.CONDITIONS)),
    older=st.integers(min_value=0, max_value=30),
)
def test_adding_a_risk_modifier_never_lowers_a_severity(
    meds: list[str | Medication], patient: Patient, condition: str, older: int
) -> None:
    riskier = Patient(
        age=None if patient.age is None else min(125, patient.age + older),
        weight=patient.weight,
        conditions=[*patient.conditions, condition],
    )
    before = {
        (f.rule_id, f.drugs): f.severity for f in check_interactions(meds, patient=patient).findings
    }
    after = {
        (f.rule_id, f.drugs): f.severity for f in check_interactions(meds, patient=riskier).findings
    }
    every: list[Rule | DrugRule] = [*default_rules().rules, *default_rules().drug_rules]
    supersedes = {r.id: r.supersedes for r in every}
    for (rule_id, drugs), severity in before.items():
        # A finding may be replaced by a superseding one over the same drugs, never lower.
        kept = [
            s
            for (other, other_drugs), s in after.items()
            if (other == rule_id or rule_id in supersedes.get(other, ()))
            and set(drugs) <= set(other_drugs)
        ]
        assert kept, (rule_id, drugs)
        assert max(kept) >= severity, (rule_id, drugs)


def test_free_text_dose_and_frequency() -> None:
    report = check_interactions(["Percocet 10/325 mg q4h", "Tylenol 1000 mg q6h"])
    assert report.acetaminophen is not None
    assert report.acetaminophen.daily_dose == rx.Q("5950 mg/day")
    text = check_interactions(["enoxaparin 40 mg daily"])
    assert text.medications[0].intensity == "prophylactic"


def test_partly_understood_text_gives_no_amount() -> None:
    # "2 tabs" is not understood: 500 mg x 4 would undercount 1,000 mg x 4.
    for meds in (
        ["co-codamol 30/500 mg 2 tabs qid"],
        [Medication("co-codamol 30/500 mg 2 tabs", frequency="QID")],
    ):
        report = check_interactions(meds)
        assert report.acetaminophen is not None
        assert not report.acetaminophen.complete
        assert "acetaminophen_dose_unknown" in [a.code for a in report.alerts]
