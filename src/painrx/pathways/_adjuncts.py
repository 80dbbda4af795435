"""Adjuncts: perioperative dexamethasone, ketamine for severe neuropathic pain, gabapentinoids."""

from __future__ import annotations

from typing import cast

import attrs

from painrx.errors import Alert, InputError, Severity
from painrx.infusions import Basis, dosing_weight, infusion_profile, infusion_rate
from painrx.interactions import Finding, Medication, Patient
from painrx.pathways import _checks
from painrx.pathways._builder import Builder, item_alert
from painrx.pathways._model import Regimen
from painrx.pathways._model import quantity_text as _q
from painrx.units import Quantity, magnitude

__all__ = ["dexamethasone", "gabapentinoid", "ketamine", "neuropathic"]


def dexamethasone(b: Builder) -> None:
    cfg = b.data.dexamethasone
    dose = b.data.dexamethasone_dose
    regimen = Regimen(
        cfg["drug"],
        cfg["route"],
        dose,
        None,
        "single dose, perioperatively or in the immediate postoperative period",
        source=b.data.cite(cfg["source"]),
    )
    med = Medication(cfg["drug"], dose=dose, route=cfg["route"])
    infection = [f.label for f in b.findings if f.code in cfg["infection_findings"]]
    patient = b.patient
    if infection:
        # A fever or red wound is screened as the rules' active infection.
        patient = attrs.evolve(
            patient or Patient(),
            conditions=(*(patient.conditions if patient else ()), cfg["infection_condition"]),
        )
    screen, alerts = b.screen(med, patient)
    if infection:
        screen = f"Screened as {cfg['infection_condition']} for: {', '.join(infection)}. {screen}"
    # A drug–condition finding (infection, diabetes) of any severity questions the dose,
    # as does any interaction of moderate severity or more.
    report = _checks.check([*b.meds, *b.proposed, med], patient, b.on_unknown)
    concerns = [
        f for f in b.concerns(med, report) if len(f.drugs) == 1 or f.severity >= Severity.MODERATE
    ]
    name = b.spec("dexamethasone").name
    if concerns:
        why = "; ".join(f.rule_id for f in concerns)
        name = f"Question first: {name} ({why})"
    b.add("dexamethasone", name=name, regimen=regimen, detail=screen, alerts=alerts)
    b.proposed.append(med)


def ketamine(b: Builder) -> None:
    cfg = b.data.ketamine
    weight = b.weight
    profile = infusion_profile(cfg["profile"])
    low, high = profile.infusion.soft_min, profile.infusion.soft_max
    if low is None or high is None:
        msg = f"Infusion profile {profile.id!r} has no soft dose range for the plan to use."
        raise InputError(msg)
    regimen = Regimen(
        profile.drug,
        "iv",
        None,
        None,
        "continuous infusion",
        dose_text=f"{_q(low.value)} to {_q(high.value)}",
        source=low.source,
    )
    if weight is None:
        detail = f"[{profile.id}] The patient's weight is needed for the pump rate."
        b.add("ketamine", regimen=regimen, detail=detail)
        return
    basis, why, basis_alerts = _ketamine_basis(b, weight, profile.weight_basis)
    patient = b.patient
    dw = dosing_weight(
        weight,
        None if patient is None else patient.height,
        None if patient is None else patient.sex,
        cast("Basis", basis),  # the plan's text; dosing_weight refuses an unknown basis
        age=None if patient is None else patient.age,
    )
    lo, hi = (
        infusion_rate(dose.value, dw, cfg["concentration"], drug=profile.drug, profile=profile.id)
        for dose in (low, high)
    )
    detail = (
        f"{_q(lo.dose)} to {_q(hi.dose)} on the {dw.basis} dosing weight of {_q(dw.weight)} "
        f"at {_q(lo.concentration)}: pump {lo.display_rate} to {hi.display_rate} mL/h "
        f"({_q(lo.dose_rate)} to {_q(hi.dose_rate)}) [{profile.id}]. Weight basis: {why}"
    )
    med = Medication(profile.drug, route="iv")
    screen, screen_alerts = b.screen(med)
    b.add(
        "ketamine",
        regimen=regimen,
        order=(lo, hi),
        detail=f"{detail} {screen}",
        alerts=(*basis_alerts, *dw.alerts, *screen_alerts),
    )
    b.proposed.append(med)


def _ketamine_basis(
    b: Builder, weight: Quantity, profile_basis: str | None
) -> tuple[str, str, tuple[Alert, ...]]:
    """Return the dosing-weight basis for the ketamine rate, why, and any alert.

    The caller's ``weight_basis`` wins, then the profile's; otherwise the actual weight,
    except in extreme obesity (BMI at or above the data file's threshold), where the data
    file's obesity basis is used (cited). Without height and sex the adjusted weight
    cannot be computed, which is alerted. The profile is an adult one: an unknown age is
    alerted (the pathway refuses patients under 18).
    """
    cfg = b.data.ketamine
    spec = b.spec("ketamine")
    patient = b.patient
    alerts: list[Alert] = []
    if patient is None or patient.age is None:
        alerts.append(
            item_alert(
                "ketamine_age_unknown",
                Severity.MODERATE,
                "The patient's age is unknown: the perioperative ketamine profile is for adults; "
                "never use it for a child (painrx's paediatric profile is "
                "ketamine/paediatric_analgesia, outside this pathway).",
                spec,
            )
        )
    if b.weight_basis is not None:
        return b.weight_basis, f"{b.weight_basis} (weight_basis given).", tuple(alerts)
    if profile_basis is not None:
        return profile_basis, f"{profile_basis} (the profile's basis).", tuple(alerts)
    height = None if patient is None else patient.height
    sex = None if patient is None else patient.sex
    if height is None or sex is None:
        alerts.append(
            item_alert(
                "ketamine_obesity_not_assessed",
                Severity.MINOR,
                "Height and sex are needed to tell whether the patient is extremely obese "
                f"(BMI {cfg['obesity_bmi_at_least']} kg/m2 or more), when the rate is dosed on "
                "the adjusted body weight; the actual weight was used.",
                spec,
            )
        )
        return "actual", "actual (height and sex unknown).", tuple(alerts)
    bmi = magnitude(weight, "kg") / magnitude(height, "m") ** 2
    source = b.data.cite(cfg["obesity_source"])
    threshold = cfg["obesity_bmi_at_least"]
    if bmi < threshold:
        return "actual", f"actual (BMI {bmi:.1f} kg/m2, below {threshold}).", tuple(alerts)
    basis = str(cfg["obesity_basis"])
    why = (
        f"{basis}: extreme obesity (BMI {bmi:.1f} kg/m2, {threshold} or more); ketamine is "
        f"dosed on ideal or adjusted body weight in obesity ({source.title}, {source.year})."
    )
    alerts.append(Alert("ketamine_obesity_dosing_weight", Severity.INFO, why, source))
    return basis, why, tuple(alerts)


def neuropathic(b: Builder) -> None:
    """Add the cited neuropathic options, each screened against the whole patient.

    A finding at the data file's ``withhold_at`` severity or above turns the option into
    an avoid item that says why; lesser findings are shown on the item.
    """
    cfg = b.data.neuropathic
    withhold_at = Severity.parse(cfg["withhold_at"])
    for candidate in cfg["candidates"]:
        drug, code = candidate["drug"], candidate["item"]
        report = b.check([*b.proposed, Medication(drug, route=candidate["route"])])
        concerns = [f for f in report.findings if drug in f.drugs]
        blocking = [f for f in concerns if f.severity >= withhold_at]
        alerts = tuple(_checks.finding_alert(f) for f in concerns)
        screen = " ".join(f"{f.message} {f.management}".strip() for f in concerns)
        if not report.complete:
            screen += f" Not checked (unknown to painrx): {', '.join(report.unchecked)}."
            blocking = blocking or list(concerns)
        regimen = Regimen(drug, candidate["route"], frequency_text="timing for the prescriber")
        if blocking or not report.complete:
            b.add(
                code,
                kind="avoid",
                name=f"Not suggested now: {drug}",
                regimen=regimen,
                detail=f"Screen of {drug} with the current and proposed medications and "
                f"conditions: {screen.strip()}",
                alerts=alerts,
            )
        else:
            b.add(
                code,
                regimen=regimen,
                detail=f"Screen of {drug} with the current and proposed medications and "
                f"conditions: {screen.strip() or 'no finding.'}",
                alerts=alerts,
            )
        b.alerts.extend(a for a in alerts if a.severity >= Severity.MODERATE)


def gabapentinoid(b: Builder) -> None:
    candidates = list(b.data.gabapentinoid["candidates"])
    found: dict[str, Finding] = {}
    for name in candidates:
        report = b.check([*b.proposed, Medication(name)])
        for finding in report.findings_for_class("gabapentinoid"):
            found.setdefault(finding.rule_id, finding)
    alerts = tuple(_checks.finding_alert(f) for f in found.values())
    messages = " ".join(f.message for f in found.values())
    b.add(
        "gabapentinoid",
        regimen=Regimen(
            " or ".join(candidates), "oral", frequency_text="timing for the prescriber"
        ),
        detail=(
            f"Interaction check of {' / '.join(candidates)} with the current and proposed "
            f"medications: {messages or 'no finding.'}"
        ),
        alerts=alerts,
    )
    b.alerts.extend(alerts)


# --- discharge -------------------------------------------------------------------------
