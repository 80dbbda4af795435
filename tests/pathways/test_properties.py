"""Properties of the seed care plan for any valid patient (hypothesis).

- The plan never proposes an NSAID when the interaction check finds a major bleeding
  interaction for it: neither asked with the current medications alone, nor in the plan's
  own final check (current medications plus everything the plan proposes).
- Every numeric dose in the plan equals what the module that owns it returns for the
  same input.
- Every item has a source; the plan does not depend on the order of findings or meds.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import painrx as rx
from painrx.errors import Severity
from painrx.pathways import FINDINGS, CarePlan, post_interstim_removal_plan
from painrx.pathways._data import pathway_data

MEDS: tuple[Any, ...] = (
    rx.Medication("warfarin", dose="5 mg", frequency="daily"),
    rx.Medication("apixaban", dose="2.5 mg", frequency="BID"),
    rx.Medication("enoxaparin", dose="40 mg", frequency="daily"),
    "rivaroxaban 20 mg",
    "clopidogrel 75 mg",
    "aspirin 81 mg",
    "sertraline 50 mg",
    "lorazepam 1 mg",
    rx.Medication("Percocet", dose="10/325 mg", frequency="q6h"),
    rx.Medication("acetaminophen", dose="500 mg", frequency="q6h"),
    rx.Medication("naproxen", dose="500 mg", frequency="BID"),
    "lisinopril 10 mg",
    "furosemide 40 mg",
    "prednisone 10 mg",
    "omeprazole 20 mg",
)

patients = st.builds(
    rx.Patient,
    age=st.none() | st.integers(min_value=18, max_value=100),
    weight=st.none() | st.floats(min_value=0.3, max_value=400).map(lambda w: f"{w:.3f} kg"),
    conditions=st.lists(
        st.sampled_from(["gi_bleed_history", "ckd", "copd", "liver_disease"]),
        unique=True,
        max_size=2,
    ),
)
severities = st.sampled_from(["mild", "moderate", "severe"]) | st.integers(1, 10)


@st.composite
def plans(draw: st.DrawFn) -> tuple[CarePlan, dict[str, Any]]:
    kwargs: dict[str, Any] = {
        "pain_severity": draw(severities),
        "neuropathic": draw(st.booleans()),
        "findings": draw(st.lists(st.sampled_from(FINDINGS), unique=True, max_size=4)),
        "on_therapeutic_anticoagulation": draw(st.booleans()),
        "current_meds": draw(st.lists(st.sampled_from(MEDS), unique=True, max_size=4)),
    }
    patient = draw(patients)
    return post_interstim_removal_plan(patient, **kwargs), {"patient": patient, **kwargs}


def _nsaid_check(inputs: dict[str, Any]) -> rx.InteractionReport:
    """The NSAID question asked independently of the plan."""
    cfg = pathway_data().nsaid
    meds = list(inputs["current_meds"])
    if inputs["on_therapeutic_anticoagulation"]:
        meds.append(rx.Medication(cfg["anticoagulant_stand_in"], intensity="therapeutic"))
    nsaid = rx.Medication(cfg["drug"], dose=cfg["dose"], frequency=cfg["frequency"], route="oral")
    return rx.check_interactions([*meds, nsaid], patient=inputs["patient"])


@given(plans())
def test_never_an_nsaid_with_a_major_bleeding_interaction(
    case: tuple[CarePlan, dict[str, Any]],
) -> None:
    plan, inputs = case
    report = _nsaid_check(inputs)
    risk = report.nsaid_bleeding_risk()
    if risk is not None and risk >= Severity.MAJOR:
        assert not plan.has("nsaid")
        assert plan.has("nsaid_withheld")
    assert plan.has("nsaid") != plan.has("nsaid_withheld")
    if plan.has("nsaid"):
        final = plan.interactions
        assert final.complete
        concerns = final.findings_for_class("nsaid")
        assert all(f.severity < Severity.MAJOR for f in concerns)
    for item in plan.medications:
        assert item.regimen is not None
        assert item.regimen.drug != "ibuprofen" or item.code == "nsaid"


@given(plans())
def test_every_number_comes_from_the_owning_module(
    case: tuple[CarePlan, dict[str, Any]],
) -> None:
    plan, inputs = case
    patient = inputs["patient"]
    if plan.has("opioid_oral"):
        assert plan.item("opioid_oral").order == rx.convert_opioid(
            "oxycodone", "5 mg", to="morphine", ratios="SEED"
        )
        assert plan.item("opioid_iv_breakthrough").order == rx.convert_opioid(
            "morphine", "1 mg", to="oxycodone", route="iv", to_route="iv", ratios="SEED"
        )
    if plan.has("ketamine") and patient.weight is not None:
        dw = rx.dosing_weight(patient.weight, age=patient.age)
        expected = tuple(
            rx.infusion_rate(dose, dw, "1 mg/mL", profile="ketamine/perioperative_analgesia")
            for dose in ("0.125 mg/kg/h", "0.25 mg/kg/h")
        )
        assert plan.item("ketamine").order == expected
    if plan.has("opioid_taper") and plan.item("opioid_taper").order is not None:
        cfg = pathway_data().taper
        assert plan.item("opioid_taper").order == rx.taper(
            "oxycodone",
            rx.mme("oxycodone", "5 mg", frequency="q4h").daily_dose,
            percent=cfg["percent"],
            interval=cfg["interval"],
            basis=cfg["basis"],
            strengths=cfg["strengths"],
            stop_at=cfg["stop_at"],
            duration_of_use=cfg["duration_of_use"],
            doses_per_day="q4h",
            equal_doses=cfg["equal_doses"],
            final_step=cfg["final_step"],
        )
    if plan.has("acetaminophen"):
        regimen = plan.item("acetaminophen").regimen
        assert regimen is not None
        # The label doses by weight under 50 kg: no dose unless the weight is known.
        weight = patient.weight
        if weight is None or rx.Q(weight) < rx.Q("50 kg"):
            assert regimen.dose is None
        if regimen.dose is not None:
            apap = rx.Medication(
                "acetaminophen", dose=regimen.dose, frequency=regimen.frequency, route="oral"
            )
            report = rx.check_interactions([*inputs["current_meds"], apap], patient=patient)
            total = report.acetaminophen
            assert total is not None
            assert total.complete
            assert total.daily_dose <= total.limit
    # The plan states no other dose of its own.
    stated = {i.code for i in plan.items if i.regimen is not None and i.regimen.dose is not None}
    assert stated <= {"acetaminophen", "nsaid", "nsaid_withheld", "opioid_oral", "dexamethasone"}


@given(plans())
def test_every_item_has_a_source_and_the_plan_renders(
    case: tuple[CarePlan, dict[str, Any]],
) -> None:
    plan, _ = case
    for item in plan.items:
        assert item.source.citation.strip()
        assert item.kind in {
            "medication",
            "avoid",
            "investigation",
            "referral",
            "advice",
            "assessment",
        }
    for flag in plan.red_flags:
        assert flag.source.citation.strip()
    for alert in plan.alerts:
        assert alert.code.replace("_", "").isalnum()
    assert [a.severity for a in plan.alerts] == sorted(
        (a.severity for a in plan.alerts), reverse=True
    )
    assert "## Sources" in plan.to_markdown()
    assert plan.to_fhir()["resourceType"] == "Bundle"


@given(plans(), st.randoms())
def test_order_of_findings_and_meds_does_not_matter(
    case: tuple[CarePlan, dict[str, Any]], rnd: Any
) -> None:
    plan, inputs = case
    findings = list(inputs["findings"])
    meds = list(inputs["current_meds"])
    rnd.shuffle(findings)
    rnd.shuffle(meds)
    again = post_interstim_removal_plan(
        inputs["patient"],
        pain_severity=inputs["pain_severity"],
        neuropathic=inputs["neuropathic"],
        findings=findings,
        on_therapeutic_anticoagulation=inputs["on_therapeutic_anticoagulation"],
        current_meds=meds,
    )
    assert [i.code for i in again.items] == [i.code for i in plan.items]
    assert [i.regimen for i in again.items] == [i.regimen for i in plan.items]
    assert {a.code for a in again.alerts} == {a.code for a in plan.alerts}
