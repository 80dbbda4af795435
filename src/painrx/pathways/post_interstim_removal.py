"""The seed care plan: posterior leg pain after sacral-neuromodulation (InterStim) removal.

:func:`post_interstim_removal_plan` composes painrx's domain functions into a
multimodal plan. It does no dose arithmetic of its own: acetaminophen and the NSAID
are decided by :func:`painrx.interactions.check_interactions`, opioid equivalents
come from :func:`painrx.opioids.convert_opioid` (``ratios="SEED"``), ketamine pump
rates from :func:`painrx.infusions.infusion_rate` and the discharge taper from
:func:`painrx.tapers.taper`. Every item cites the seed article and the sources
behind it (``data/pathways/post_interstim_removal.toml``).

Nothing is ordered automatically: the plan is decision support.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal

from painrx.errors import Alert, Severity, dedupe_alerts
from painrx.interactions import InteractionReport, Medication, Patient
from painrx.pathways import _adjuncts, _analgesia, _checks, _discharge, _inputs, _opioid
from painrx.pathways._builder import Builder
from painrx.pathways._data import FindingSpec, PathwayData, pathway_data
from painrx.pathways._inputs import PAIN_SEVERITIES, parse_pain_severity
from painrx.pathways._model import CarePlan, PlanInputs, RedFlag
from painrx.pathways._model import quantity_text as _q
from painrx.units import Quantity

__all__ = ["FINDINGS", "PAIN_SEVERITIES", "parse_pain_severity", "post_interstim_removal_plan"]

_PATHWAY: Final = "post_interstim_removal"
# The finding a severe pain score stands for (the seed's DVT rule).
_SEVERE_PAIN: Final = "severe_pain"
_TITLE: Final = "Care plan: posterior leg pain after InterStim (sacral neuromodulation) removal"


#: The finding codes accepted by ``findings=`` (see the data file for what each triggers).
FINDINGS: Final = (
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


#: Which function fills each ``compute`` of the data file's items.
_COMPUTE: Final = {
    "acetaminophen": _analgesia.acetaminophen,
    "nsaid": _analgesia.nsaid,
    "opioid_oral": _opioid.opioid_oral,
    "opioid_iv": _opioid.opioid_iv,
    "dexamethasone": _adjuncts.dexamethasone,
    "ketamine": _adjuncts.ketamine,
    "gabapentinoid": _adjuncts.gabapentinoid,
    "discharge": _discharge.discharge,
    "taper": _opioid.opioid_taper,
    "opioid_safety": _opioid.opioid_safety,
    "neuropathic": _adjuncts.neuropathic,
    "referral": _discharge.referral,
}


def _implied(builder: Builder) -> tuple[FindingSpec, ...]:
    """Return the findings given, plus the seed's severe leg pain when pain_severity is severe.

    The seed orders the Doppler for leg pain that is severe: a severe pain score is that
    finding, so its alert and red flag fire without ``findings=("severe_pain",)``.
    """
    found = builder.findings
    severe = builder.data.findings.get(_SEVERE_PAIN)
    if builder.severity == "severe" and severe is not None and severe not in found:
        found = (*found, severe)
    return found


def _finding_alerts(findings: tuple[FindingSpec, ...], data: PathwayData) -> list[Alert]:
    return [
        Alert(
            f"finding_{finding.code}",
            finding.severity,
            f"Finding '{finding.label}': "
            + "; ".join(data.item(code).name for code in finding.investigations)
            + ".",
            finding.source,
        )
        for finding in findings
    ]


def _red_flags(findings: tuple[FindingSpec, ...], data: PathwayData) -> tuple[RedFlag, ...]:
    given = [f.code for f in findings]
    return tuple(
        RedFlag(
            code=spec.code,
            sign=spec.sign,
            action=spec.action,
            findings=spec.findings,
            triggered=tuple(code for code in given if code in spec.findings),
            source=spec.source,
        )
        for spec in data.red_flags
    )


def _plan_alerts(builder: Builder, final: InteractionReport) -> tuple[Alert, ...]:
    """Return everything a clinician should see first, most severe first."""
    data = builder.data
    found = [
        *_finding_alerts(_implied(builder), data),
        *builder.alerts,
        *builder.current.alerts,
        *_checks.report_alerts(builder.current, Severity.MODERATE),
        *_checks.report_alerts(final, Severity.MODERATE),
        *(a for i in builder.items.values() for a in i.alerts if a.severity >= Severity.MODERATE),
    ]
    if builder.weight is None:
        found.append(
            Alert(
                "weight_unknown",
                Severity.MODERATE,
                "The patient's weight is unknown: the acetaminophen label regimen is for "
                f"{_q(data.acetaminophen_min_weight)} or more, and the ketamine pump rate "
                "needs a weight.",
                data.cite(data.acetaminophen["source"]),
            )
        )
    return tuple(sorted(dedupe_alerts(found), key=lambda a: -a.severity))


def post_interstim_removal_plan(
    patient: Patient | None,
    *,
    pain_severity: str | float,
    neuropathic: bool = False,
    findings: Iterable[str] = (),
    on_therapeutic_anticoagulation: bool = False,
    current_meds: Iterable[str | Medication] = (),
    weight_basis: str | None = None,
    iv_breakthrough_dose: str | Quantity | None = None,
    discharge_opioid_daily_dose: str | Quantity | None = None,
    discharge_opioid_frequency: str | int | None = None,
    on_unknown: Literal["raise", "report"] = "raise",
) -> CarePlan:
    """Build the seed's multimodal plan for posterior leg pain after InterStim removal.

    Args:
        patient: A :class:`painrx.Patient` (age, weight, height, sex, conditions), or
            None when nothing is known about the patient.
        pain_severity: ``"mild"``, ``"moderate"``, ``"severe"`` or a whole-number
            score 1-10 (1-3 mild, 4-6 moderate, 7-10 severe; 0 is refused).
        neuropathic: Neuropathic features (burning, shooting, electric-like pain).
        findings: Finding codes from :data:`FINDINGS`; each triggers its
            investigation items and an alert.
        on_therapeutic_anticoagulation: The patient is on therapeutic anticoagulation.
            The NSAID check then adds the data file's stand-in anticoagulant
            (``Medication("apixaban", intensity="therapeutic")``), so the NSAID is
            withheld whatever doses ``current_meds`` give.
        current_meds: The patient's medications (text such as ``"warfarin 5 mg"`` or
            :class:`painrx.Medication`; give a dose and frequency for acetaminophen
            products so their daily amount can be added up).
        weight_basis: Dosing-weight basis for the ketamine rate (``"actual"``,
            ``"ideal"``, ``"adjusted"``, ``"auto"``); None uses the infusion profile's
            basis, or the actual weight when the profile names none.
        iv_breakthrough_dose: An IV morphine dose chosen by the prescriber, to show its
            SEED IV equivalent; None leaves the IV dose to the prescriber.
        discharge_opioid_daily_dose: The oral oxycodone daily dose at discharge
            (``"20 mg/day"``) to taper from; None tapers from the oral regimen's maximum.
        discharge_opioid_frequency: How many doses a day ``discharge_opioid_daily_dose``
            is taken in (``"q6h"``, ``"BID"``, ``3``); None uses the oral regimen's (q4h).
            Needs ``discharge_opioid_daily_dose``.
        on_unknown: ``"raise"`` (an unknown medication is an UnknownDrugError) or
            ``"report"`` (it is listed and withholds only what its rules could trigger:
            no NSAID is cleared; acetaminophen is proposed with an alert to confirm the
            unknown medicine contains none).

    Returns:
        A :class:`CarePlan`.

    Raises:
        InputError: An unknown severity, finding or option; a patient under 18.
        UnitError: A dose argument without a unit or of the wrong kind.
        UnknownDrugError: An unknown medication with ``on_unknown="raise"``.
    """
    data = pathway_data()
    severity, score = parse_pain_severity(pain_severity)
    neuropathic = _inputs.flag(neuropathic, "neuropathic")
    anticoagulated = _inputs.flag(on_therapeutic_anticoagulation, "on_therapeutic_anticoagulation")
    chosen = _inputs.findings(findings, data)
    meds = _inputs.meds(current_meds)
    person = _inputs.patient(patient)
    age = _inputs.age(person, data)
    iv_dose, daily_dose = _inputs.doses(
        iv_breakthrough_dose, discharge_opioid_daily_dose, discharge_opioid_frequency
    )
    builder = Builder(
        data,
        person,
        meds,
        severity=severity,
        neuropathic=neuropathic,
        anticoagulated=anticoagulated,
        findings=chosen,
        on_unknown=on_unknown,
        weight_basis=weight_basis,
        iv_dose=iv_dose,
        daily_dose=daily_dose,
        discharge_frequency=discharge_opioid_frequency,
    )
    builder.run(_COMPUTE)
    final = builder.check(builder.proposed)
    rank = {spec.code: n for n, spec in enumerate(data.items)}
    inputs = PlanInputs(
        pain_severity=severity,
        pain_score=score,
        neuropathic=neuropathic,
        findings=tuple(f.code for f in chosen),
        on_therapeutic_anticoagulation=anticoagulated,
        current_meds=tuple(_checks.describe(m) for m in meds),
        weight=builder.weight,
        age=age,
        treated_as_therapeutic=builder.treated_as_therapeutic,
    )
    return CarePlan(
        pathway=_PATHWAY,
        title=_TITLE,
        inputs=inputs,
        items=tuple(sorted(builder.items.values(), key=lambda i: rank[i.code])),
        red_flags=_red_flags(_implied(builder), data),
        alerts=_plan_alerts(builder, final),
        source=data.source,
        interactions=final,
    )
