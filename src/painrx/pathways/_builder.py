"""The plan builder: the patient, the items so far, and how each item is added.

The builder walks the data file's items in order; each item's ``compute`` names the
function (in :mod:`._analgesia`, :mod:`._opioid`, :mod:`._adjuncts`, :mod:`._discharge`)
that fills it in from a painrx module call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Literal

from painrx.errors import Alert, Severity, dedupe_alerts
from painrx.interactions import Finding, InteractionReport, Medication, Patient
from painrx.pathways import _checks
from painrx.pathways._data import FindingSpec, ItemSpec, PathwayData
from painrx.pathways._model import ModuleResult, PlanItem
from painrx.units import Quantity

__all__ = ["LAST", "Builder", "item", "item_alert"]

# Computed after every other item: the NSAID is checked against everything else the plan
# proposes, and the discharge item names the scheduled analgesics actually given.
LAST: Final = ("nsaid", "discharge")


def item(spec: ItemSpec, **changes: Any) -> PlanItem:
    fields: dict[str, Any] = {
        "kind": spec.kind,
        "name": spec.name,
        "rationale": spec.rationale,
        "source": spec.source,
        "code": spec.code,
        "section": spec.section,
        "evidence": spec.evidence,
    }
    fields.update(changes)
    orders: tuple[ModuleResult, ...]
    order = fields.get("order")
    orders = () if order is None else order if isinstance(order, tuple) else (order,)
    fields["alerts"] = dedupe_alerts(
        [*fields.get("alerts", ()), *(a for o in orders for a in o.alerts)]
    )
    return PlanItem(**fields)


def item_alert(code: str, severity: Severity, message: str, spec: ItemSpec) -> Alert:
    return Alert(code, severity, message, spec.source)


class Builder:
    """Collects the items of one plan; every dose comes from a painrx module call."""

    def __init__(
        self,
        data: PathwayData,
        patient: Patient | None,
        meds: tuple[str | Medication, ...],
        *,
        severity: str,
        neuropathic: bool,
        anticoagulated: bool,
        findings: tuple[FindingSpec, ...],
        on_unknown: Literal["raise", "report"],
        weight_basis: str | None,
        iv_dose: Quantity | None,
        daily_dose: Quantity | None,
        discharge_frequency: str | int | None,
    ) -> None:
        self.data = data
        self.patient = patient
        self.weight = None if patient is None else patient.weight
        self.findings = findings
        self.weight_basis = weight_basis
        self.iv_dose = iv_dose
        self.daily_dose = daily_dose
        self.discharge_frequency = discharge_frequency
        # The flag is the clinician's word: every named anticoagulant is checked at
        # therapeutic intensity, whatever its dose suggests.
        self.meds = tuple(_checks.as_therapeutic(m) for m in meds) if anticoagulated else meds
        self.named_anticoagulant = any(_checks.in_class(m, "anticoagulant") for m in meds)
        self.on_opioids = tuple(_checks.describe(m) for m in meds if _checks.in_class(m, "opioid"))
        self.severity = severity
        self.neuropathic = neuropathic
        self.anticoagulated = anticoagulated
        self.on_unknown = on_unknown
        self.current = self.check([])
        # With on_unknown="report", medications painrx cannot read: they withhold the items
        # whose rules they could trigger (the NSAID), not every item.
        self.unknown = tuple(_checks.describe(m) for m in self.meds if not _checks.known(m))
        self.known_meds = tuple(m for m in self.meds if _checks.known(m))
        self.items: dict[str, PlanItem] = {}
        self.alerts: list[Alert] = []
        self.proposed: list[Medication] = []
        self.nsaid_given = False
        # Anticoagulants the NSAID screen treated at therapeutic intensity without the flag
        # (e.g. apixaban 5 mg BID), so the plan header says what the items assume.
        self.treated_as_therapeutic: tuple[str, ...] = ()

    def check(self, extra: Sequence[Medication]) -> InteractionReport:
        """Check the current medications plus ``extra`` against the patient."""
        return _checks.check([*self.meds, *extra], self.patient, self.on_unknown)

    def check_known(self, extra: Sequence[Medication]) -> InteractionReport:
        """Check only the medications painrx can read, plus ``extra``."""
        return _checks.check([*self.known_meds, *extra], self.patient, self.on_unknown)

    def screen(
        self, med: Medication, patient: Patient | None = None
    ) -> tuple[str, tuple[Alert, ...]]:
        """Screen one proposed medication against the whole patient, in words and alerts.

        The check covers the current medications, the medications proposed so far, the
        patient's age, weight and conditions (:func:`painrx.interactions.check_interactions`).
        """
        report = _checks.check(
            [*self.meds, *self.proposed, med], patient or self.patient, self.on_unknown
        )
        name = med.name
        concerns = self.concerns(med, report)
        text = " ".join(f"{f.message} {f.management}".strip() for f in concerns)
        if not report.complete:
            text += f" Not checked (unknown to painrx): {', '.join(report.unchecked)}."
        outcome = text.strip() or "no finding."
        words = f"Screen of {name} with the current and proposed medications and the patient: "
        return words + outcome, tuple(_checks.finding_alert(f) for f in concerns)

    @staticmethod
    def concerns(med: Medication, report: InteractionReport) -> list[Finding]:
        """Return the report's findings that involve ``med``."""
        return [f for f in report.findings if _checks.name_in(med, f.drugs)]

    def add(self, code: str, **changes: Any) -> PlanItem:
        found = item(self.data.item(code), **changes)
        self.items[code] = found
        return found

    def spec(self, code: str) -> ItemSpec:
        return self.data.item(code)

    def has(self, code: str) -> bool:
        return code in self.items

    def applies(self, when: str) -> bool:
        severe = self.severity == "severe"
        return {
            "always": True,
            "severe": severe,
            "not_severe": not severe,
            "neuropathic": self.neuropathic,
            "severe_neuropathic": self.neuropathic and severe,
        }[when]

    def run(self, compute: Mapping[str, Callable[[Builder], None]]) -> None:
        """Walk the data file's items in order: each applies or not, then is filled in."""
        done: set[str] = set()
        for spec in self.data.items:
            if spec.when == "finding":
                self.investigation(spec)
            elif not self.applies(spec.when):
                continue
            elif spec.compute == "none":
                self.add(spec.code)
            elif spec.compute not in done and spec.compute not in LAST:
                done.add(spec.compute)
                compute[spec.compute](self)
            else:
                done.add(spec.compute)
        for name in LAST:
            if name in done:
                compute[name](self)

    def investigation(self, spec: ItemSpec) -> None:
        triggered_by = [f.label for f in self.findings if spec.code in f.investigations]
        if self.severity in spec.severities:
            triggered_by.insert(0, f"{self.severity} leg pain (pain_severity)")
        if triggered_by:
            self.add(spec.code, detail=f"Triggered by: {', '.join(triggered_by)}.")

    # --- medications -----------------------------------------------------------------------
