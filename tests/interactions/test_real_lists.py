"""Real medication lists are read, not failed closed.

A discharge list after hip or knee replacement in an older patient, written the way such
lists are written (salts, minerals, vitamins, insulin units, inhaler puffs), is checked
whole: every entry is known, doses in units painrx does not accept are reported and never
used, and the findings are those of the cited rules. Every ClinCalc Top 300 drug (see
tests/catalog/test_medlists.py for the list and its source) passes through a check.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import painrx as rx
from painrx import catalog
from painrx.errors import UnknownDrugError
from tests.catalog.test_medlists import TOP_300

# Written from typical post-operative discharge lists of older patients (joint replacement:
# opioid, acetaminophen, LMWH prophylaxis, bowel regimen) on their usual medicines.
DISCHARGE_LIST: tuple[str, ...] = (
    "oxycodone 5 mg q4h prn",
    "acetaminophen 1000 mg q8h",
    "enoxaparin 40 mg daily",
    "aspirin 81 mg EC daily",
    "metoprolol succinate ER 25 mg daily",
    "lisinopril 10 mg daily",
    "furosemide 20 mg daily",
    "atorvastatin 40 mg at bedtime",
    "metformin 500 mg bid",
    "insulin glargine 20 units at bedtime",
    "sertraline 50 mg daily",
    "gabapentin 300 mg tid",
    "ondansetron 4 mg q8h prn",
    "senna-docusate 8.6-50 mg bid",
    "polyethylene glycol 17 g daily",
    "potassium chloride ER 20 mEq daily",
    "vitamin D3 2000 IU daily",
    "multivitamin daily",
    "omeprazole 20 mg daily",
    "albuterol 2 puffs q4h prn",
)

# (rule, severity, drugs) each cited by its rule (docs/interactions.md lists the sources):
# aspirin is an NSAID and an antiplatelet in the catalog; the bleeding rules below count it,
# the renal rules (triple whammy with lisinopril and furosemide) do not (painrx judgement).
EXPECTED: frozenset[tuple[str, str, tuple[str, ...]]] = frozenset(
    {
        # SSRI labels: aspirin adds to the bleeding risk (anglin_2014); raised: an
        # anticoagulant is on board.
        ("nsaid_ssri_snri", "MAJOR", ("aspirin", "sertraline")),
        # Lowered from major: enoxaparin 40 mg daily is the label prophylactic regimen.
        ("antiplatelet_anticoagulant", "MODERATE", ("aspirin", "enoxaparin")),
        # FDA Drug Safety Communication, 19 December 2019.
        ("opioid_gabapentinoid", "MODERATE", ("oxycodone", "gabapentin")),
        ("ssri_snri_anticoagulant", "MODERATE", ("sertraline", "enoxaparin")),
    }
)


def _found(report: rx.InteractionReport) -> frozenset[tuple[str, str, tuple[str, ...]]]:
    return frozenset((f.rule_id, f.severity.name, f.drugs) for f in report.findings)


def test_a_discharge_list_is_checked_whole_with_its_findings() -> None:
    report = rx.check_interactions(list(DISCHARGE_LIST))
    assert report.complete
    assert report.unchecked == ()
    assert len(report.medications) == len(DISCHARGE_LIST)
    assert _found(report) == EXPECTED
    # 1000 mg every 8 hours: 3 g/day against the 4 g/day maximum (no age given).
    assert report.acetaminophen is not None
    assert report.acetaminophen.daily_dose == rx.Q("3000 mg/day")


def test_doses_in_units_painrx_does_not_accept_are_reported_never_used() -> None:
    report = rx.check_interactions(list(DISCHARGE_LIST))
    unread = [a.message for a in report.alerts if a.code == "strength_not_understood"]
    for unit in ("'meq'", "'iu'", "'units'", "'puffs'"):
        assert any(f"Unit {unit} is not accepted" in m for m in unread), unit
    by_text = {m.text: m for m in report.medications}
    assert by_text["potassium chloride ER 20 mEq daily"].product == "potassium_chloride"


@pytest.mark.parametrize(
    ("aspirin", "other", "rule"),
    [
        # No unit: 81 is never guessed, and the rules need no dose: aspirin is aspirin.
        ("ASA 81", "ibuprofen 400 mg", "ibuprofen_aspirin"),  # FDA 2006
        ("ASA 81", "apixaban 5 mg bid", "antiplatelet_anticoagulant"),
        ("aspirin 81 mg daily", "ibuprofen 400 mg", "ibuprofen_aspirin"),
    ],
)
def test_low_dose_aspirin_is_aspirin_whatever_its_dose_text(
    aspirin: str, other: str, rule: str
) -> None:
    report = rx.check_interactions([aspirin, other])
    assert report.complete
    assert rule in {f.rule_id for f in report.findings}


def test_the_nsaid_anticoagulant_rule_leaves_aspirin_to_its_antiplatelet_rule() -> None:
    # The NSAID + anticoagulant rule excludes aspirin (it has its own antiplatelet rule).
    report = rx.check_interactions(["aspirin 81 mg daily", "enoxaparin 40 mg daily"])
    assert {f.rule_id for f in report.findings} == {"antiplatelet_anticoagulant"}


_CHUNK = 100  # the most medications one check reads


@pytest.mark.parametrize("start", range(0, len(TOP_300), _CHUNK))
def test_every_top_300_drug_passes_a_check(start: int) -> None:
    names = [text for _, text, _ in TOP_300[start : start + _CHUNK]]
    report = rx.check_interactions(names)
    assert report.complete, report.unchecked


# Ingredients added for real lists that carry no pain-safety class: known, non-interacting.
_CLASSLESS = sorted(
    i.id
    for i in catalog.ingredients()
    if not i.classes
    and i.id
    in {
        "potassium_chloride",
        "ferrous_sulfate",
        "magnesium_oxide",
        "calcium_carbonate",
        "multivitamin",
        "omega_3_fatty_acids",
        "thiamine",
        "melatonin",
        "insulin_isophane",
        "lactobacillus",
    }
)


def test_the_classless_controls_are_all_in_the_catalog() -> None:
    assert len(_CLASSLESS) == 10


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(_CLASSLESS), min_size=1, max_size=4, unique=True))
def test_a_known_classless_drug_never_changes_the_findings(extra: list[str]) -> None:
    base = rx.check_interactions(list(DISCHARGE_LIST))
    more = rx.check_interactions([*DISCHARGE_LIST, *extra])
    assert more.complete
    assert _found(more) == _found(base)


def test_a_bare_element_fails_closed_naming_it() -> None:
    with pytest.raises(UnknownDrugError, match="Unknown drug 'calcium'"):
        rx.check_interactions(["calcium 600 mg", "warfarin 5 mg"])
    report = rx.check_interactions(["calcium 600 mg", "warfarin 5 mg"], on_unknown="report")
    assert not report.complete
    assert report.unchecked == ("calcium 600 mg",)


def test_a_device_word_in_the_name_is_not_cleared() -> None:
    # 'hfa' could name an ingredient painrx has not read: the entry is refused in full.
    with pytest.raises(UnknownDrugError, match="albuterol HFA 2 puffs"):
        rx.check_interactions(["albuterol HFA 2 puffs", "oxycodone 5 mg"])
    # Written as the brand, it is read.
    assert rx.check_interactions(["ProAir HFA 2 puffs", "oxycodone 5 mg"]).complete


def test_the_care_plan_withholds_nothing_for_a_list_of_known_non_interacting_drugs() -> None:
    # Before these drugs were known, each one failed the plan's checks closed.
    usual = [
        "potassium chloride ER 20 mEq daily",
        "vitamin D3 2000 IU daily",
        "multivitamin daily",
        "metformin 500 mg bid",
        "insulin glargine 20 units at bedtime",
        "fish oil 1 g",
        "calcium carbonate 500 mg bid",
    ]
    plan = rx.post_interstim_removal_plan(
        rx.Patient(age=70, weight="75 kg"), pain_severity=5, current_meds=usual
    )
    assert plan.has("acetaminophen")
    assert plan.has("nsaid")
