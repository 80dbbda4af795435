"""Adjuncts: perioperative dexamethasone, ketamine for severe neuropathic pain, gabapentinoids."""

from __future__ import annotations

from painrx.errors import InputError
from painrx.infusions import dosing_weight, infusion_profile, infusion_rate
from painrx.interactions import Finding, Medication
from painrx.pathways import _checks
from painrx.pathways._builder import Builder
from painrx.pathways._model import Regimen
from painrx.pathways._model import quantity_text as _q

__all__ = ["dexamethasone", "gabapentinoid", "ketamine"]


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
    b.add("dexamethasone", regimen=regimen)
    b.proposed.append(Medication(cfg["drug"], dose=dose, route=cfg["route"]))


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
    patient = b.patient
    basis = b.weight_basis or profile.weight_basis or "actual"
    dw = dosing_weight(
        weight,
        None if patient is None else patient.height,
        None if patient is None else patient.sex,
        basis,
        age=None if patient is None else patient.age,
    )
    lo, hi = (
        infusion_rate(dose.value, dw, cfg["concentration"], drug=profile.drug, profile=profile.id)
        for dose in (low, high)
    )
    detail = (
        f"{_q(lo.dose)} to {_q(hi.dose)} on the {dw.basis} dosing weight of {_q(dw.weight)} "
        f"at {_q(lo.concentration)}: pump {lo.display_rate} to {hi.display_rate} mL/h "
        f"({_q(lo.dose_rate)} to {_q(hi.dose_rate)}) [{profile.id}]."
    )
    b.add("ketamine", regimen=regimen, order=(lo, hi), detail=detail, alerts=dw.alerts)
    b.proposed.append(Medication(profile.drug, route="iv"))


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
