"""The seed care plan (issue 8): patient scenarios, red flags, refusals and renderings.

Every numeric dose in a plan is compared with what the module that owns it returns for
the same input; the plan itself does no dose arithmetic.
"""

from __future__ import annotations

import json
import pickle
from decimal import Decimal

import pytest

import painrx as rx
from painrx.errors import InputError, Severity, UnitError, UnknownDrugError
from painrx.pathways import DISCLAIMER, FINDINGS, CarePlan, PlanItem, post_interstim_removal_plan
from painrx.pathways._data import pathway_data
from painrx.units import Q

WARFARIN = rx.Medication("warfarin", dose="5 mg", frequency="daily")
ADULT = rx.Patient(age=64, weight="82 kg", height="178 cm", sex="male")


def plan(patient: rx.Patient | None = ADULT, **kwargs: object) -> CarePlan:
    kwargs.setdefault("pain_severity", "moderate")
    return post_interstim_removal_plan(patient, **kwargs)  # type: ignore[arg-type]


def codes(p: CarePlan) -> list[str]:
    return [i.code for i in p.items]


def alert_codes(p: CarePlan) -> list[str]:
    return [a.code for a in p.alerts]


# --- Scenario 1: anticoagulated, severe, neuropathic --------------------------------------


@pytest.fixture(scope="module")
def anticoagulated() -> CarePlan:
    return plan(
        pain_severity=8,
        neuropathic=True,
        on_therapeutic_anticoagulation=True,
        current_meds=[WARFARIN],
    )


def test_anticoagulated_plan_withholds_the_nsaid(anticoagulated: CarePlan) -> None:
    assert "nsaid" not in codes(anticoagulated)
    withheld = anticoagulated.item("nsaid_withheld")
    assert withheld.kind == "avoid"
    assert "Warfarin" in withheld.detail
    assert "acetaminophen" in withheld.detail  # the management: what to do instead
    alert = next(a for a in anticoagulated.alerts if a.code == "nsaid_withheld")
    assert alert.severity is Severity.MAJOR
    assert anticoagulated.max_alert_severity() is Severity.MAJOR
    # The primary studies, not the seed's unsourced "2.5-fold" (interactions-tapers.md §1.1).
    evidence = {e.id.rsplit("/", 1)[-1] for e in withheld.evidence}
    assert {"davidson_2014", "lamberts_2014", "petersen_2024", "kent_2018"} <= evidence
    assert "2.5-fold" not in anticoagulated.to_markdown()


def test_anticoagulated_plan_keeps_acetaminophen_and_adds_the_opioid(
    anticoagulated: CarePlan,
) -> None:
    apap = anticoagulated.item("acetaminophen")
    assert apap.regimen is not None
    assert (apap.regimen.dose, apap.regimen.frequency) == (Q("1000 mg"), "q6h")
    assert "interaction_acetaminophen_warfarin" in alert_codes(anticoagulated)  # INR advice
    for code in ("opioid_oral", "opioid_iv_breakthrough", "ketamine", "gabapentinoid"):
        assert anticoagulated.has(code)


def test_oral_opioid_equivalent_comes_from_convert_opioid(anticoagulated: CarePlan) -> None:
    item = anticoagulated.item("opioid_oral")
    expected = rx.convert_opioid("oxycodone", "5 mg", to="morphine", ratios="SEED")
    assert item.order == expected
    assert expected.dose == Q("10 mg")  # seed: oxycodone 5 mg = morphine 10 mg orally
    assert item.regimen is not None
    assert item.regimen.as_needed
    assert item.regimen.route == "oral"


def test_iv_opioid_is_for_breakthrough_only_with_the_seed_ratio(anticoagulated: CarePlan) -> None:
    item = anticoagulated.item("opioid_iv_breakthrough")
    assert item.regimen is not None
    assert item.regimen.dose is None  # the prescriber's
    assert item.regimen.as_needed
    assert "breakthrough" in item.regimen.frequency_text
    expected = rx.convert_opioid(
        "morphine", "1 mg", to="oxycodone", route="iv", to_route="iv", ratios="SEED"
    )
    assert item.order == expected
    assert expected.ratio == 1.0  # seed: 1:1 ratio IV


def test_iv_breakthrough_dose_given_by_the_prescriber() -> None:
    p = plan(pain_severity="severe", iv_breakthrough_dose="2 mg")
    item = p.item("opioid_iv_breakthrough")
    assert item.regimen is not None
    assert item.regimen.dose == Q("2 mg")
    assert item.order == rx.convert_opioid(
        "morphine", "2 mg", to="oxycodone", route="iv", to_route="iv", ratios="SEED"
    )


def test_ketamine_rates_come_from_infusion_rate(anticoagulated: CarePlan) -> None:
    item = anticoagulated.item("ketamine")
    dw = rx.dosing_weight("82 kg", "178 cm", "male", "actual", age=64)
    expected = tuple(
        rx.infusion_rate(dose, dw, "1 mg/mL", profile="ketamine/perioperative_analgesia")
        for dose in ("0.125 mg/kg/h", "0.25 mg/kg/h")
    )
    assert item.order == expected
    # 0.125 x 82 / 1 = 10.25 mL/h, shown half-up as 10.3; 0.25 x 82 = 20.5 mL/h.
    assert [o.display_rate for o in item.orders] == [Decimal("10.3"), Decimal("20.5")]  # type: ignore[attr-defined]


def test_gabapentinoid_surfaces_the_opioid_interaction(anticoagulated: CarePlan) -> None:
    item = anticoagulated.item("gabapentinoid")
    assert item.regimen is not None
    assert item.regimen.dose is None
    assert "interaction_opioid_gabapentinoid" in [a.code for a in item.alerts]
    assert "interaction_opioid_gabapentinoid" in alert_codes(anticoagulated)


def test_gabapentinoid_interaction_escalates_with_copd() -> None:
    patient = rx.Patient(age=50, weight="70 kg", conditions=["copd"])
    p = plan(patient, pain_severity="severe", neuropathic=True)
    alert = next(a for a in p.alerts if a.code == "interaction_opioid_gabapentinoid")
    assert alert.severity is Severity.MAJOR  # FDA 2019: respiratory risk


def _discharge_taper(daily_dose: str, doses_per_day: str | int = "q4h") -> rx.TaperSchedule:
    """The plan's taper settings (Hyland 2023 Table 4), asked of painrx.tapers directly."""
    return rx.taper(
        "oxycodone",
        daily_dose,
        percent=20,
        interval="1 day",
        basis="current",
        strengths=["5 mg"],
        stop_at="2.5 mg/day",
        duration_of_use="14 day",
        doses_per_day=doses_per_day,
        equal_doses=False,
        final_step="fewer_doses",
    )


def test_discharge_taper_comes_from_taper(anticoagulated: CarePlan) -> None:
    item = anticoagulated.item("opioid_taper")
    # The regimen's maximum: oxycodone 5 mg q4h = 30 mg/day, from rx.mme's daily dose.
    expected = _discharge_taper("30 mg/day")
    assert item.order == expected
    assert rx.mme("oxycodone", "5 mg", frequency="q4h").daily_dose == Q("30 mg/day")
    # Hyland 2023: 20-25% a day, the dose cut before the interval is lengthened, then
    # fewer doses a day down to one and stop (no every-other-day step: that is CDC's
    # chronic-pain end rule).
    daily = [s.daily_dose.m_as("mg/day") for s in expected.steps]
    assert daily == [30, 25, 20, 15, 12.5, 10, 7.5, 5, 2.5, 0]
    kinds = [s.kind for s in expected.steps]
    assert kinds == ["start", *["reduce"] * 3, *["lengthen"] * 5, "stop"]
    assert all(s.every_days == 1 for s in expected.steps)
    # The theoretical maximum is alerted: the dose actually used was not given.
    assert "discharge_dose_assumed" in [a.code for a in item.alerts]
    # The smallest supply covering the taper: 6+5+4+3+2+1 tablets over days 0-3 (30, 25,
    # 20, 15 mg/day) and halves after: 6+5+4+3 = 18 whole, then 5+4+3+2+1 halves = 7.5.
    assert [(d.quantity, d.used) for d in expected.dispensing()] == [(26, 25.5)]
    assert "Dispense 26 × 5 mg tablet(s)" in item.detail


def test_default_taper_keeps_within_the_step_cap_and_the_regimen(
    anticoagulated: CarePlan,
) -> None:
    schedule = anticoagulated.item("opioid_taper").orders[0]
    codes = [a.code for a in schedule.alerts]
    assert "taper_step_exceeds_cap" not in codes
    assert "taper_step_exceeds_cap" not in alert_codes(anticoagulated)
    # No administration above the oral regimen's 5 mg, never more than 6 a day (q4h).
    for step in schedule.steps:  # type: ignore[attr-defined]
        assert all(d.amount <= Q("5 mg") for d in step.doses)
        assert len(step.doses) <= 6
    # The one remaining taper alert is explained in the plan text.
    assert codes == ["taper_longer_than_expected"]
    assert "taper_longer_than_expected" in anticoagulated.item("opioid_taper").detail


def test_discharge_taper_from_the_dose_in_use() -> None:
    p = plan(pain_severity="severe", discharge_opioid_daily_dose="20 mg/day")
    assert p.item("opioid_taper").order == _discharge_taper("20 mg/day")
    assert "discharge_dose_assumed" not in alert_codes(p)


def test_a_small_dose_in_use_is_split_over_fewer_doses() -> None:
    # Issue 16: 10 mg/day raised before (it cannot be split six ways in half tablets).
    # It is now taken as 4 x 2.5 mg, the most doses a day it allows, then 3, 2, 1, stop.
    p = plan(pain_severity="severe", discharge_opioid_daily_dose="10 mg/day")
    schedule = p.item("opioid_taper").order
    assert isinstance(schedule, rx.TaperSchedule)
    assert schedule == _discharge_taper("10 mg/day", 4)
    assert [s.daily_dose.m_as("mg/day") for s in schedule.steps] == [10, 7.5, 5, 2.5, 0]
    assert schedule.last_day == 4
    assert [(d.quantity, d.used) for d in schedule.dispensing()] == [(5, 5.0)]


def test_discharge_taper_with_the_doses_a_day_in_use() -> None:
    p = plan(
        pain_severity="severe",
        discharge_opioid_daily_dose="10 mg/day",
        discharge_opioid_frequency="BID",
    )
    item = p.item("opioid_taper")
    expected = _discharge_taper("10 mg/day", "BID")
    assert item.order == expected
    # At 10 mg/day half a tablet is a quarter of the dose: the cap alert is explained.
    assert "taper_step_exceeds_cap" in [a.code for a in expected.alerts]
    assert "per-step cap (taper_step_exceeds_cap)" in item.detail


def test_discharge_taper_refusals() -> None:
    with pytest.raises(InputError, match="discharge_opioid_daily_dose"):
        plan(pain_severity="severe", discharge_opioid_frequency="BID")
    # 10 mg/day cannot be split over six given doses of at least half a tablet.
    with pytest.raises(InputError, match="discharge_opioid_frequency"):
        plan(
            pain_severity="severe",
            discharge_opioid_daily_dose="10 mg/day",
            discharge_opioid_frequency="q4h",
        )
    with pytest.raises(InputError, match="frequency"):
        plan(
            pain_severity="severe",
            discharge_opioid_daily_dose="20 mg/day",
            discharge_opioid_frequency="hourly",
        )


def test_dexamethasone_is_the_seed_dose(anticoagulated: CarePlan) -> None:
    regimen = anticoagulated.item("dexamethasone").regimen
    assert regimen is not None
    assert (regimen.dose, regimen.route, regimen.frequency) == (Q("8 mg"), "iv", None)


# --- Scenario 2: not anticoagulated, moderate pain ------------------------------------------


@pytest.fixture(scope="module")
def moderate() -> CarePlan:
    return plan(rx.Patient(age=45, weight="70 kg"), pain_severity=5)


def test_moderate_plan_gives_acetaminophen_and_an_nsaid(moderate: CarePlan) -> None:
    nsaid = moderate.item("nsaid")
    assert nsaid.regimen is not None
    assert (nsaid.regimen.drug, nsaid.regimen.dose, nsaid.regimen.frequency) == (
        "ibuprofen",
        Q("400 mg"),
        "q6h",
    )
    assert "nsaid_withheld" not in codes(moderate)
    assert moderate.item("discharge_scheduled_analgesia").detail == (
        "Scheduled at discharge: acetaminophen and ibuprofen."
    )
    assert "5-7 days" in moderate.item("discharge_scheduled_analgesia").rationale


def test_moderate_plan_has_no_opioid_ketamine_or_taper(moderate: CarePlan) -> None:
    present = set(codes(moderate))
    assert not present & {"opioid_oral", "opioid_iv_breakthrough", "ketamine", "opioid_taper"}
    assert "gabapentinoid" not in present
    assert moderate.item("opioid_escalation").kind == "advice"
    assert "2 weeks" in moderate.item("referral_persistent_pain").rationale
    assert moderate.inputs.pain_severity == "moderate"
    assert moderate.inputs.pain_score == 5
    assert moderate.max_alert_severity() is None


def test_mild_neuropathic_pain_gets_a_gabapentinoid_but_no_ketamine_or_opioid() -> None:
    p = plan(pain_severity="mild", neuropathic=True)
    assert p.has("gabapentinoid")
    # Seed: ketamine "may be considered for severe neuropathic pain".
    assert not p.has("ketamine")
    assert not p.has("opioid_oral")
    assert "interaction_opioid_gabapentinoid" not in alert_codes(p)  # no opioid anywhere


def test_severe_pain_without_neuropathic_features_gets_no_ketamine() -> None:
    p = plan(pain_severity="severe")
    assert p.has("opioid_oral")
    assert not p.has("ketamine")
    assert plan(pain_severity="severe", neuropathic=True).has("ketamine")


# --- The NSAID decision comes from check_interactions -------------------------------------


def test_warfarin_in_current_meds_withholds_the_nsaid_without_the_flag() -> None:
    p = plan(current_meds=["warfarin 5 mg"])
    assert p.has("nsaid_withheld")
    assert not p.has("nsaid")


def test_flag_without_a_named_anticoagulant_uses_the_stand_in() -> None:
    p = plan(on_therapeutic_anticoagulation=True)
    assert p.has("nsaid_withheld")
    alert = next(a for a in p.alerts if a.code == "nsaid_withheld")
    assert "no anticoagulant named" in alert.message
    assert pathway_data().nsaid["anticoagulant_stand_in"] in alert.message


def test_flag_overrides_a_prophylactic_dose() -> None:
    enoxaparin = rx.Medication("enoxaparin", dose="40 mg", frequency="daily")
    flagged = plan(current_meds=[enoxaparin], on_therapeutic_anticoagulation=True)
    assert flagged.has("nsaid_withheld")
    assert "therapeutic-intensity anticoagulation" in flagged.item("nsaid_withheld").detail


def test_prophylactic_anticoagulant_with_the_plans_dexamethasone_allows_the_nsaid() -> None:
    # The seed avoids NSAIDs with *therapeutic* anticoagulation. Ibuprofen + prophylactic
    # enoxaparin is moderate, and the plan's single perioperative dexamethasone dose is not
    # ongoing steroid therapy, so it does not escalate the pair: the NSAID is proposed, and the
    # plan's own final interaction check still rates it below major.
    enoxaparin = rx.Medication("enoxaparin", dose="40 mg", frequency="daily")
    alone = rx.check_interactions(
        [enoxaparin, rx.Medication("ibuprofen", dose="400 mg", frequency="q6h")]
    )
    assert alone.severity_of("nsaid_anticoagulant") is Severity.MODERATE
    p = plan(current_meds=[enoxaparin])
    assert p.has("nsaid")
    assert not p.has("nsaid_withheld")
    assert p.item("dexamethasone").regimen is not None
    assert p.interactions.severity_of("nsaid_anticoagulant") is Severity.MODERATE


def test_nsaid_is_checked_against_the_plans_other_medications() -> None:
    # The single perioperative dexamethasone dose is in the NSAID check (a minor finding).
    item = plan().item("nsaid")
    alert = next(a for a in item.alerts if a.code == "interaction_nsaid_corticosteroid")
    assert alert.severity is Severity.MINOR


def test_warfarin_without_a_dose_withholds_the_nsaid() -> None:
    # No dose: intensity unknown, assumed therapeutic (fail safe) by check_interactions.
    p = plan(current_meds=["warfarin"], on_therapeutic_anticoagulation=False)
    assert p.has("nsaid_withheld")
    assert not p.has("nsaid")


def test_an_nsaid_already_taken_withholds_another() -> None:
    p = plan(current_meds=[rx.Medication("naproxen", dose="500 mg", frequency="BID")])
    assert p.has("nsaid_withheld")


def test_unknown_medication_is_refused_or_reported() -> None:
    with pytest.raises(UnknownDrugError):
        plan(current_meds=["zzqx 5 mg"])
    p = plan(current_meds=["zzqx 5 mg"], on_unknown="report")
    # Issue 16: an unknown medicine withholds the NSAID (its bleeding rules could fire),
    # not every item: acetaminophen is still proposed, with the check to make first.
    assert p.has("nsaid_withheld")
    assert "not checked: zzqx 5 mg" in p.item("nsaid_withheld").detail
    assert p.has("acetaminophen")
    assert not p.has("acetaminophen_withheld")
    alert = next(
        a for a in p.item("acetaminophen").alerts if a.code.endswith("unknown_medications")
    )
    assert alert.severity is Severity.MAJOR
    assert "zzqx 5 mg" in alert.message
    assert p.has("dexamethasone")
    assert alert_codes(p).count("interaction_check_incomplete") == 1


# --- A patient already on a combination acetaminophen product -------------------------------


def test_percocet_limits_the_scheduled_acetaminophen() -> None:
    percocet = rx.Medication("Percocet", dose="10/325 mg", frequency="q4h")
    p = plan(current_meds=[percocet])
    regimen = p.item("acetaminophen").regimen
    assert regimen is not None
    # 6 x 325 = 1950 mg/day already: 1000 q6h, 1000 q8h and 650 q6h exceed 4 g/day.
    assert (regimen.dose, regimen.frequency) == (Q("500 mg"), "q6h")
    assert "acetaminophen_dose_limited" in alert_codes(p)
    total = p.interactions.acetaminophen
    assert total.daily_dose == Q("3950 mg/day")


def test_percocet_with_an_unknown_daily_amount_withholds_added_acetaminophen() -> None:
    p = plan(current_meds=["Percocet 10/325"])
    assert not p.has("acetaminophen")
    assert p.item("acetaminophen_withheld").kind == "avoid"
    assert "acetaminophen_withheld" in alert_codes(p)


def test_enough_acetaminophen_already_withholds_more() -> None:
    tylenol = rx.Medication("acetaminophen", dose="1000 mg", frequency="q6h")
    p = plan(current_meds=[tylenol])
    assert p.has("acetaminophen_withheld")
    assert p.item("discharge_scheduled_analgesia").detail == ("Scheduled at discharge: ibuprofen.")


def test_an_older_patient_gets_the_lower_limit() -> None:
    p = plan(rx.Patient(age=70, weight="70 kg"))
    regimen = p.item("acetaminophen").regimen
    assert regimen is not None
    assert (regimen.dose, regimen.frequency) == (Q("1000 mg"), "q8h")  # 3 g/day over 65


def test_opioid_tolerant_patient_gets_no_rapid_taper() -> None:
    percocet = rx.Medication("Percocet", dose="10/325 mg", frequency="q6h")
    p = plan(pain_severity="severe", current_meds=[percocet])
    taper = p.item("opioid_taper")
    assert taper.order is None
    assert "rapid_taper_not_for_opioid_tolerant" in alert_codes(p)
    assert "opioid_naive_starting_dose" in alert_codes(p)


# --- Weights at the infusion limits ---------------------------------------------------------


def test_heaviest_plausible_weight() -> None:
    p = plan(rx.Patient(weight="400 kg"), pain_severity="severe", neuropathic=True)
    rates = [o.display_rate for o in p.item("ketamine").orders]  # type: ignore[attr-defined]
    assert rates == [Decimal("50.0"), Decimal("100.0")]  # 0.125 and 0.25 x 400 at 1 mg/mL


def test_lightest_plausible_weight_alerts_the_pump_resolution() -> None:
    p = plan(rx.Patient(weight="0.3 kg"), pain_severity="severe", neuropathic=True)
    assert "rate_below_pump_resolution" in alert_codes(p)
    regimen = p.item("acetaminophen").regimen
    assert regimen is not None
    assert regimen.dose is None  # under 50 kg the label doses by weight


def test_weight_beyond_the_bounds_is_refused() -> None:
    with pytest.raises(InputError, match="400"):
        plan(rx.Patient(weight="401 kg"))


def test_unknown_weight_leaves_the_pump_rate_and_the_acetaminophen_dose_out() -> None:
    p = plan(None, pain_severity="severe", neuropathic=True)
    assert p.item("ketamine").order is None
    assert "weight_unknown" in alert_codes(p)
    # Acetaminophen injection label: weight-based dosing under 50 kg, so no dose unknown.
    regimen = p.item("acetaminophen").regimen
    assert regimen is not None
    assert regimen.dose is None
    assert "weight is unknown" in p.item("acetaminophen").detail


def test_under_50_kg_with_enough_acetaminophen_already_withholds_more() -> None:
    tylenol = rx.Medication("acetaminophen", dose="1000 mg", frequency="q6h")
    p = plan(rx.Patient(age=40, weight="45 kg"), current_meds=[tylenol])
    assert p.has("acetaminophen_withheld")
    assert not p.has("acetaminophen")
    assert "even the lowest regimen (325 mg q6h) fails" in next(
        a.message for a in p.alerts if a.code == "acetaminophen_withheld"
    )
    # With no acetaminophen on board the dose is simply left to the prescriber.
    light = plan(rx.Patient(age=40, weight="45 kg")).item("acetaminophen")
    assert light.regimen is not None
    assert light.regimen.dose is None
    assert "Weight 45 kg is under 50 kg" in light.detail


def test_weight_basis_is_passed_to_dosing_weight() -> None:
    patient = rx.Patient(age=40, weight="150 kg", height="175 cm", sex="male")
    p = plan(patient, pain_severity="severe", neuropathic=True, weight_basis="adjusted")
    dw = rx.dosing_weight("150 kg", "175 cm", "male", "adjusted", age=40)
    assert p.item("ketamine").orders[0] == rx.infusion_rate(
        "0.125 mg/kg/h", dw, "1 mg/mL", profile="ketamine/perioperative_analgesia"
    )


# --- Findings and red flags ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("finding", "investigations"),
    [
        ("unilateral_swelling", {"venous_duplex"}),
        ("calf_tenderness", {"venous_duplex"}),
        ("severe_pain", {"venous_duplex"}),
        ("refractory_pain", {"venous_duplex", "mri"}),
        ("progressive_neurological_deficit", {"mri"}),
        ("new_weakness", {"mri"}),
        ("saddle_anaesthesia", {"mri"}),
        ("fever", {"infection_review"}),
        ("wound_erythema", {"infection_review"}),
    ],
)
def test_each_finding_triggers_its_investigation_and_an_alert(
    finding: str, investigations: set[str]
) -> None:
    p = plan(findings=[finding])
    found = {i.code for i in p.items if i.kind == "investigation"}
    assert found == investigations
    alert = next(a for a in p.alerts if a.code == f"finding_{finding}")
    assert alert.severity >= Severity.MODERATE
    assert alert.source is not None
    assert any(finding in f.triggered for f in p.red_flags)


def test_red_flags_are_always_listed() -> None:
    p = plan()
    assert [f.code for f in p.red_flags] == ["dvt", "neurological", "bowel_bladder", "infection"]
    assert not any(f.triggered for f in p.red_flags)
    assert not [i for i in p.items if i.kind == "investigation"]
    dvt = p.red_flags[0]
    assert "duplex" in dvt.action.lower()
    assert "MRI" in p.red_flags[1].action


def test_dvt_and_neurological_findings_together() -> None:
    p = plan(findings=["new_weakness", "unilateral_swelling", "new_weakness"])
    assert p.inputs.findings == ("unilateral_swelling", "new_weakness")
    assert {i.code for i in p.items if i.kind == "investigation"} == {"venous_duplex", "mri"}


def test_findings_are_case_insensitive_and_accept_the_us_spelling() -> None:
    p = plan(findings=["Saddle_Anesthesia"])
    assert p.inputs.findings == ("saddle_anaesthesia",)


def test_standing_items_are_always_present() -> None:
    p = plan()
    for code in (
        "document_distribution",
        "differential_nerve_injury",
        "differential_sij",
        "differential_dvt",
        "differential_inflammation",
        "dexamethasone",
        "pitfall_rebound_pain",
        "pitfall_dvt",
        "discharge_scheduled_analgesia",
        "referral_persistent_pain",
    ):
        assert p.has(code)


# --- Refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"findings": ["headache"]}, InputError, "Unknown finding 'headache'"),
        ({"findings": "fever"}, InputError, "sequence of finding codes"),
        ({"current_meds": "warfarin"}, InputError, "sequence of medications"),
        ({"current_meds": [None]}, InputError, "each medication must be text"),
        ({"current_meds": ["warfarin", 5]}, InputError, "holds 5"),
        ({"pain_severity": 0}, InputError, "no pain"),
        ({"pain_severity": "agony"}, InputError, "pain_severity"),
        ({"neuropathic": "yes"}, InputError, "True or False"),
        ({"on_therapeutic_anticoagulation": 1}, InputError, "True or False"),
        ({"iv_breakthrough_dose": 2}, UnitError, "bare number"),
        ({"discharge_opioid_daily_dose": "20 mg"}, UnitError, "discharge_opioid_daily_dose"),
        (
            {"weight_basis": "lean", "pain_severity": "severe", "neuropathic": True},
            InputError,
            "basis",
        ),
    ],
)
def test_refusals(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        plan(ADULT, **kwargs)


def test_children_are_refused() -> None:
    with pytest.raises(InputError, match="adults"):
        plan(rx.Patient(age=17, weight="60 kg"))


def test_patient_must_be_a_patient() -> None:
    with pytest.raises(InputError, match=r"painrx\.Patient"):
        post_interstim_removal_plan({"age": 60}, pain_severity=5)  # type: ignore[arg-type]


# --- Provenance, renderings, value-object behaviour -----------------------------------------


def test_every_item_has_a_source(anticoagulated: CarePlan, moderate: CarePlan) -> None:
    for p in (anticoagulated, moderate):
        for item in p.items:
            assert isinstance(item, PlanItem)
            assert item.source.citation
            assert all(s.citation for s in item.sources)
        assert p.source.id == "POST_INTERSTIM_REMOVAL_SEED_2025"


def test_markdown_is_printable_with_sources_and_the_disclaimer(anticoagulated: CarePlan) -> None:
    text = anticoagulated.to_markdown()
    assert text.startswith("# Care plan")
    assert DISCLAIMER in text
    assert "## Sources" in text
    assert "**Do not give:** **No NSAID**" in text
    assert "10.3 to 20.5 mL/h" in text
    assert "Davidson" in text


def test_html_and_repr(anticoagulated: CarePlan) -> None:
    html = anticoagulated._repr_html_()
    assert html.startswith("<h3>")
    assert "<table>" in html
    assert "nsaid_withheld" in html or "No NSAID" in html
    assert "<script" not in html
    assert repr(anticoagulated).startswith("CarePlan(pathway='post_interstim_removal'")
    assert anticoagulated.item("acetaminophen")._repr_html_().startswith("<table>")


def test_to_dict_is_json_ready(anticoagulated: CarePlan) -> None:
    data = anticoagulated.to_dict()
    text = json.dumps(data)
    assert json.loads(text)["pathway"] == "post_interstim_removal"
    assert data["inputs"]["weight"] == {"value": 82.0, "unit": "kg"}
    ketamine = next(i for i in data["items"] if i["code"] == "ketamine")
    assert len(ketamine["orders"]) == 2
    ids = {s["id"] for s in data["sources"]}
    assert all(i["source"] in ids for i in data["items"])


def test_plans_pickle(anticoagulated: CarePlan) -> None:
    back = pickle.loads(pickle.dumps(anticoagulated))
    assert back.items == anticoagulated.items
    assert back.to_markdown() == anticoagulated.to_markdown()


def test_item_lookup_refuses_an_absent_item(moderate: CarePlan) -> None:
    with pytest.raises(KeyError, match="opioid_oral"):
        moderate.item("opioid_oral")


def test_findings_constant_matches_the_contract() -> None:
    # The contract's codes, plus unilateral_pain and leg_swelling for the seed's DVT rule.
    assert FINDINGS == (
        "unilateral_swelling",
        "unilateral_pain",
        "leg_swelling",
        "calf_tenderness",
        "severe_pain",
        "refractory_pain",
        "progressive_neurological_deficit",
        "new_weakness",
        "saddle_anaesthesia",
        "fever",
        "wound_erythema",
    )


def test_top_level_names() -> None:
    assert rx.CarePlan is CarePlan
    assert rx.PlanItem is PlanItem


def test_an_opioid_whose_mme_cannot_be_counted_is_alerted() -> None:
    # CDC 2022 Recommendation 8: naloxone at 50 MME/day or more. Without a frequency the
    # current oxycodone cannot be counted: the plan says so rather than guessing.
    p = plan(pain_severity="severe", current_meds=["oxycodone 5 mg"])
    assert not p.has("naloxone")
    alert = next(a for a in p.alerts if a.code == "naloxone_mme_not_counted")
    assert "oxycodone 5 mg" in alert.message
    assert "45 MME/day" in alert.message
