"""Scheduled non-opioid analgesia: acetaminophen (cumulative check) and the NSAID (bleeding screen)."""

from __future__ import annotations

from collections.abc import Sequence

from painrx.errors import Alert, Severity
from painrx.interactions import Finding, Medication
from painrx.pathways import _checks
from painrx.pathways._builder import Builder, item_alert
from painrx.pathways._model import Regimen
from painrx.pathways._model import quantity_text as _q
from painrx.units import Quantity

__all__ = ["acetaminophen", "nsaid"]


def acetaminophen(b: Builder) -> None:
    data = b.data
    weight = b.weight
    apap = data.acetaminophen
    drug, route = apap["drug"], apap["route"]
    if weight is None or weight < data.acetaminophen_min_weight:
        _acetaminophen_by_weight(b, weight)
        return
    blocked: tuple[Finding, ...] = ()
    for n, step in enumerate(data.acetaminophen_steps):
        med = Medication(drug, dose=step.dose, frequency=step.frequency, route=route)
        report = b.check_known([med])
        failed = _checks.acetaminophen_blocked(report)
        if failed is not None:
            blocked = failed
            continue
        regimen = Regimen(drug, route, step.dose, step.frequency, source=step.source)
        alerts: list[Alert] = []
        if n:
            why = "; ".join(f.message.rstrip(".") for f in blocked)
            alerts.append(
                item_alert(
                    "acetaminophen_dose_limited",
                    Severity.MODERATE,
                    f"Acetaminophen limited to {regimen.describe()}: the next higher regimen "
                    f"fails the cumulative check ({why}). Current acetaminophen: "
                    f"{_checks.acetaminophen_text(b.current)}.",
                    b.spec("acetaminophen"),
                )
            )
        alerts.extend(_unknown_alert(b))
        b.add(
            "acetaminophen",
            regimen=regimen,
            detail=(
                f"Acetaminophen with the current medications: {_checks.acetaminophen_text(report)}."
            ),
            alerts=tuple(alerts),
        )
        b.alerts.extend(alerts)
        b.proposed.append(med)
        return
    _withhold_acetaminophen(b, blocked, "even the lowest regimen fails the cumulative check")


def _unknown_alert(b: Builder) -> list[Alert]:
    """Return the alert that unknown medications were left out of the acetaminophen total."""
    if not b.unknown:
        return []
    return [
        item_alert(
            "acetaminophen_unknown_medications",
            Severity.MAJOR,
            f"Not in the cumulative acetaminophen check (unknown to painrx): "
            f"{'; '.join(b.unknown)}. Confirm they contain no acetaminophen before the first "
            "dose; acetaminophen is still proposed so the plan does not rest on opioids alone.",
            b.spec("acetaminophen"),
        )
    ]


def _acetaminophen_by_weight(b: Builder, weight: Quantity | None) -> None:
    """Leave the dose to the prescriber: the label doses by weight under its threshold.

    The current medications are still checked with the ladder's lowest regimen, so no
    acetaminophen is suggested when even that would fail the cumulative check (or the
    total cannot be known).
    """
    data = b.data
    apap = data.acetaminophen
    limit = _q(data.acetaminophen_min_weight)
    lowest = data.acetaminophen_steps[-1]
    probe = Medication(
        apap["drug"], dose=lowest.dose, frequency=lowest.frequency, route=apap["route"]
    )
    # The probe is an adult regimen: the weight-based maximum it breaks is the very
    # reason the plan leaves the dose to the prescriber, so only the rest counts.
    blocked = _checks.acetaminophen_blocked(
        b.check_known([probe]), ignore=frozenset({"acetaminophen_weight_max"})
    )
    if blocked is not None:
        _withhold_acetaminophen(
            b,
            blocked,
            "with the current medications even the lowest regimen "
            f"({_q(lowest.dose)} {lowest.frequency}) fails the cumulative check",
        )
        return
    why = (
        f"The patient's weight is unknown (the label regimen is for {limit} or more)"
        if weight is None
        else f"Weight {_q(weight)} is under {limit}"
    )
    regimen = Regimen(
        apap["drug"],
        apap["route"],
        frequency_text="scheduled; timing for the prescriber",
        dose_text="weight-based dose for the prescriber",
        source=data.cite(apap["source"]),
    )
    detail = (
        f"{why}: the label doses acetaminophen by weight below {limit}, so the plan states "
        "no dose; its weight-based daily maximum counts acetaminophen from all products. "
        f"Current acetaminophen: {_checks.acetaminophen_text(b.current)}."
    )
    alerts = _unknown_alert(b)
    b.add("acetaminophen", regimen=regimen, detail=detail, alerts=tuple(alerts))
    b.alerts.extend(alerts)


def _withhold_acetaminophen(b: Builder, blocked: Sequence[Finding], why: str) -> None:
    """Add the ``acetaminophen_withheld`` item and its alert."""
    apap = b.data.acetaminophen
    reasons = [f.message for f in blocked]
    if not b.current.complete:
        reasons.append(f"Unchecked medications: {', '.join(b.current.unchecked)}.")
    current = _checks.acetaminophen_text(b.current)
    alert = item_alert(
        "acetaminophen_withheld",
        Severity.MAJOR,
        " ".join(
            [f"No additional acetaminophen: {why}. Current acetaminophen: {current}.", *reasons]
        ),
        b.spec("acetaminophen_withheld"),
    )
    b.add(
        "acetaminophen_withheld",
        regimen=Regimen(apap["drug"], apap["route"], source=b.data.cite(apap["source"])),
        detail=f"Current acetaminophen: {current}.",
        alerts=(alert,),
    )
    b.alerts.append(alert)


def nsaid(b: Builder) -> None:
    cfg = b.data.nsaid
    med = Medication(
        cfg["drug"], dose=b.data.nsaid_dose, frequency=cfg["frequency"], route=cfg["route"]
    )
    stand_in = cfg["anticoagulant_stand_in"]
    standing_in = b.anticoagulated and not b.named_anticoagulant
    extra = [Medication(stand_in, intensity="therapeutic")] if standing_in else []
    report = b.check([*extra, *b.proposed, med])
    regimen = Regimen(
        cfg["drug"],
        cfg["route"],
        b.data.nsaid_dose,
        cfg["frequency"],
        source=b.data.cite(cfg["source"]),
    )
    concerns = report.findings_for_class("nsaid")
    blocking = [f for f in concerns if f.severity >= b.data.nsaid_withhold_at]
    # The same NSAID already taken: the pair rules need two different drugs, so a second
    # course of the same one is caught here (duplicate therapy).
    same = [_checks.describe(m) for m in b.meds if _checks.name_in(m, (cfg["drug"],))]
    if not blocking and report.complete and not same:
        screen, alerts = b.screen(med)
        b.add("nsaid", regimen=regimen, alerts=alerts, detail=screen)
        b.proposed.append(med)
        b.nsaid_given = True
        return
    reasons = [f"{f.message} {f.management}{_context(f)}" for f in blocking]
    if same:
        reasons.append(
            f"The patient already takes {'; '.join(same)}: no second course of "
            f"{cfg['drug']} (duplicate therapy); continue or adjust the current one within "
            "its label maximum."
        )
    if not b.anticoagulated:
        b.treated_as_therapeutic = tuple(
            _checks.describe(m)
            for m in b.meds
            if _checks.in_class(m, "anticoagulant")
            and any(
                _checks.name_in(m, f.drugs)
                and any(x.note.startswith("therapeutic-intensity") for x in f.modifiers)
                for f in blocking
            )
        )
    if not report.complete:
        reasons.append(
            f"The interaction check is incomplete (not checked: {', '.join(report.unchecked)}), "
            "so no NSAID can be cleared."
        )
    how = ""
    if standing_in:
        how = (
            " (on_therapeutic_anticoagulation=True with no anticoagulant named: checked as "
            f"{stand_in} at therapeutic intensity)"
        )
    elif b.anticoagulated:
        how = " (on_therapeutic_anticoagulation=True: anticoagulants checked as therapeutic)"
    alert = item_alert(
        "nsaid_withheld",
        Severity.MAJOR,
        f"No NSAID{how}: " + " ".join(reasons),
        b.spec("nsaid_withheld"),
    )
    b.add("nsaid_withheld", regimen=regimen, detail=" ".join(reasons), alerts=(alert,))
    b.alerts.append(alert)


def _context(finding: Finding) -> str:
    """Return what set a finding's severity (its applied modifiers), in words."""
    notes = "; ".join(m.note for m in finding.modifiers)
    return f" (Severity context: {notes}.)" if notes else ""
