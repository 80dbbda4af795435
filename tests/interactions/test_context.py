"""Interaction review fixes: fail-closed names, single doses, topical co-medication, refusals.

Each case names the rule or source it checks (references/interactions-tapers.md §1).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import painrx as rx
from painrx.errors import InputError, Severity, UnitError, UnknownDrugError
from painrx.interactions import (
    InteractionReport,
    Medication,
    Patient,
    RuleSet,
    check_interactions,
    default_rules,
)
from painrx.tables import TableError

MAJOR = Severity.MAJOR


def _severity(report: InteractionReport, rule_id: str, drugs: tuple[str, ...]) -> Severity:
    found = [f.severity for f in report.findings if (f.rule_id, f.drugs) == (rule_id, drugs)]
    assert len(found) == 1, report.findings
    return found[0]


# --- one entry naming two drugs; partly recognised names ----------------------------


@pytest.mark.parametrize(
    ("meds", "rule_id"),
    [
        (["oxycodone and clopidogrel", "warfarin"], "antiplatelet_anticoagulant"),
        (["ibuprofen, warfarin"], "nsaid_anticoagulant"),
        (["tramadol sertraline"], "serotonergic_opioid_antidepressant"),
    ],
)
def test_an_entry_naming_two_drugs_is_never_read_as_one(meds: list[str], rule_id: str) -> None:
    # Reading the first drug only would have hidden this rule (first-word matching).
    with pytest.raises(UnknownDrugError):
        check_interactions(meds)
    report = check_interactions(meds, on_unknown="report")
    assert not report.complete
    assert report.severity_of(rule_id) is None
    assert "interaction_check_incomplete" in [a.code for a in report.alerts]


def test_a_partly_recognised_name_is_not_cleared() -> None:
    # "Tylenol Sinus" has an ingredient painrx does not know: reading it as plain
    # Tylenol would hide whatever that ingredient interacts with.
    with pytest.raises(UnknownDrugError) as info:
        check_interactions(["Tylenol Sinus", "lorazepam"])
    assert info.value.suggestions == ("acetaminophen",)
    report = check_interactions(["Tylenol Sinus", "warfarin"], on_unknown="report")
    assert report.unchecked == ("Tylenol Sinus",)
    assert report.complete is False
    # What was recognised is still checked.
    assert report.severity_of("acetaminophen_warfarin") == Severity.MINOR
    assert report.acetaminophen is not None
    assert report.acetaminophen.products == ("Tylenol Sinus",)
    assert "INCOMPLETE" in report._repr_html_()


def test_descriptors_and_repeated_names_are_still_checked() -> None:
    report = check_interactions(["aspirin ec 81 mg", "Coumadin (warfarin) 5 mg"])
    assert report.complete
    assert report.severity_of("antiplatelet_anticoagulant") == MAJOR


# --- single-dose corticosteroid ------------------------------------------------------


@pytest.mark.parametrize(
    ("steroid", "expected"),
    [
        (Medication("dexamethasone", dose="8 mg", route="iv"), Severity.MINOR),  # one dose
        (Medication("dexamethasone", dose="0.1 mg/kg", route="iv"), Severity.MINOR),
        (Medication("prednisone", dose="40 mg/day"), MAJOR),  # a daily rate is a course
        (Medication("dexamethasone", dose="8 mg", duration="5 day"), MAJOR),  # a course
        (Medication("dexamethasone", dose="4 mg", frequency="BID"), MAJOR),
    ],
)
def test_only_a_true_single_dose_lowers_nsaid_corticosteroid(
    steroid: Medication, expected: Severity
) -> None:
    # Masclee 2014: nsNSAID + corticosteroid IRR 12.8 (course); single dose: painrx judgement.
    report = check_interactions([steroid, "ibuprofen"])
    assert _severity(report, "nsaid_corticosteroid", ("ibuprofen", steroid.name)) == expected


# --- topical corticosteroid is not "systemic" (HL7 PDDI modifier) ---------------------


def test_topical_corticosteroid_does_not_raise_nsaid_anticoagulant() -> None:
    prophylactic = Medication("enoxaparin", dose="40 mg", frequency="daily")
    cream = Medication("hydrocortisone", route="topical")
    report = check_interactions([prophylactic, "ibuprofen", cream])
    finding = next(f for f in report.findings if f.rule_id == "nsaid_anticoagulant")
    assert finding.severity == Severity.MODERATE
    assert "systemic_corticosteroid" not in [m.id for m in finding.modifiers]
    systemic = check_interactions([prophylactic, "ibuprofen", "prednisone", cream])
    assert _severity(systemic, "nsaid_anticoagulant", ("ibuprofen", "enoxaparin")) == MAJOR


def test_co_medication_routes_are_validated() -> None:
    rule = {
        "id": "r",
        "title": "t",
        "severity": "minor",
        "members": [{"ingredients": ["ibuprofen"]}, {"ingredients": ["warfarin"]}],
        "message": "m",
        "management": "n",
        "source": "provenance",
        "modifiers": [
            {
                "id": "m",
                "when": "co_medication",
                "classes": ["corticosteroid"],
                "exclude_routes": ["by osmosis"],
                "effect": "raise",
                "to": "major",
                "note": "n",
                "source": "provenance",
            }
        ],
    }
    provenance = {"id": "S", "kind": "interaction_rules", "title": "t", "year": 2026}
    doc = {"provenance": {**provenance, "citation": "c"}, "rules": [rule]}
    with pytest.raises(TableError, match="osmosis"):
        RuleSet.from_mapping(doc)


def test_the_shipped_steroid_modifier_excludes_topical() -> None:
    rule = next(r for r in default_rules().rules if r.id == "nsaid_anticoagulant")
    mod = next(m for m in rule.modifiers if m.id == "systemic_corticosteroid")
    assert mod.exclude_routes == frozenset({"topical"})


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"meds": ["warfarin"], "on_unknown": []}, InputError),
        ({"meds": [Medication("acetaminophen", dose="1 kg", frequency="QID")]}, UnitError),
        ({"meds": [Medication("acetaminophen", dose="2 lb", frequency="QID")]}, UnitError),
    ],
)
def test_more_refusals(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        check_interactions(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("conditions", [[["copd"]], [{"copd": 1}], [3]])
def test_unhashable_or_non_text_conditions_are_input_errors(conditions: list[object]) -> None:
    with pytest.raises(InputError, match="condition"):
        Patient(conditions=conditions)


# --- properties ----------------------------------------------------------------------------

_POOL: list[str | Medication] = [
    "ibuprofen",
    "naproxen",
    "Voltaren Gel",
    "ketorolac",
    "aspirin",
    "warfarin",
    "Eliquis 5mg",
    Medication("enoxaparin", dose="40 mg", frequency="daily"),
    "clopidogrel",
    "ticagrelor",
    "sertraline",
    "prednisone",
    Medication("dexamethasone", dose="8 mg", route="iv"),
    Medication("hydrocortisone", route="topical"),
    "spironolactone",
    "lisinopril",
    "furosemide",
    "oxycodone",
    "tramadol",
    "lorazepam",
    "gabapentin",
    "Percocet 10/325 mg q4h",
    Medication("acetaminophen", dose="1 g", frequency="q6h"),
]
_PROTECTIVE = frozenset({"omeprazole", "misoprostol"})
_patients = st.builds(
    Patient,
    age=st.one_of(st.none(), st.integers(min_value=18, max_value=95)),
    conditions=st.lists(
        st.sampled_from(sorted(rx.interactions.CONDITIONS)), max_size=3, unique=True
    ),
)


@settings(max_examples=60)
@given(
    meds=st.lists(st.sampled_from(_POOL), max_size=6),
    extra=st.sampled_from(_POOL),
    patient=_patients,
)
def test_adding_a_drug_that_is_not_protective_never_lowers_a_severity(
    meds: list[str | Medication], extra: str | Medication, patient: Patient
) -> None:
    # Only a PPI or misoprostol may lower a tier (HL7 PDDI); every other co-medication is
    # a risk factor or nothing. Threshold findings on the acetaminophen sum change id.
    before = check_interactions(meds, patient=patient)
    after = check_interactions([*meds, extra], patient=patient)
    now = {(f.rule_id, f.drugs): f.severity for f in after.findings}
    for f in before.findings:
        if f.rule_id.startswith("acetaminophen_daily") or (f.rule_id, f.drugs) not in now:
            continue  # superseded findings are covered by test_interactions
        assert now[(f.rule_id, f.drugs)] >= f.severity, (f, extra)


@settings(max_examples=40)
@given(
    meds=st.lists(st.sampled_from(_POOL), max_size=6),
    protective=st.sampled_from(sorted(_PROTECTIVE)),
)
def test_gastroprotection_never_raises_a_severity(
    meds: list[str | Medication], protective: str
) -> None:
    before = {(f.rule_id, f.drugs): f.severity for f in check_interactions(meds).findings}
    after = {
        (f.rule_id, f.drugs): f.severity for f in check_interactions([*meds, protective]).findings
    }
    for key, severity in before.items():
        assert after[key] <= severity, key


@pytest.mark.parametrize(
    ("meds", "rule_id", "drugs"),
    [
        (["ibuprofen", "clopidogrel"], "nsaid_antiplatelet", ("ibuprofen", "clopidogrel")),
        (["naproxen", "sertraline"], "nsaid_ssri_snri", ("naproxen", "sertraline")),
    ],
)
def test_gi_bleed_history_raises_the_other_nsaid_bleeding_pairs(
    meds: list[str], rule_id: str, drugs: tuple[str, str]
) -> None:
    # HL7 PDDI: a history of upper GI bleeding or ulcer -> "use only if benefit outweighs
    # risk" for NSAID + warfarin; painrx carries the risk factor over (judgement).
    assert _severity(check_interactions(meds), rule_id, drugs) == Severity.MODERATE
    for condition in ("gi_bleed_history", "peptic_ulcer_history"):
        report = check_interactions(meds, patient=Patient(conditions=[condition]))
        assert _severity(report, rule_id, drugs) == MAJOR


def test_single_steroid_dose_does_not_escalate_nsaid_with_prophylaxis() -> None:
    # One perioperative dexamethasone dose is not ongoing steroid therapy (painrx judgement,
    # consistent with the single_dose_corticosteroid modifier); a daily course still escalates.
    base = [
        rx.Medication("enoxaparin", dose="40 mg", frequency="QD"),
        rx.Medication("ibuprofen", dose="400 mg", frequency="q6h"),
    ]
    single = rx.check_interactions([*base, rx.Medication("dexamethasone", dose="8 mg", route="iv")])
    course = rx.check_interactions(
        [*base, rx.Medication("dexamethasone", dose="8 mg", frequency="QD")]
    )
    assert single.severity_of("nsaid_anticoagulant") is rx.Severity.MODERATE
    assert course.severity_of("nsaid_anticoagulant") is rx.Severity.MAJOR
