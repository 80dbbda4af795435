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

import math
from collections.abc import Iterable, Sequence
from typing import Any, Final, Literal

from painrx.errors import Alert, InputError, Severity, dedupe_alerts
from painrx.infusions import dosing_weight, infusion_profile, infusion_rate
from painrx.interactions import Finding, InteractionReport, Medication, Patient
from painrx.opioids import convert_opioid, mme
from painrx.pathways import _checks
from painrx.pathways._data import FindingSpec, ItemSpec, PathwayData, pathway_data
from painrx.pathways._model import (
    CarePlan,
    ModuleResult,
    PlanInputs,
    PlanItem,
    RedFlag,
    Regimen,
)
from painrx.pathways._model import quantity_text as _q
from painrx.tapers import TaperSchedule, taper
from painrx.units import Q, Quantity, format_units, is_real, quantity_arg

__all__ = ["FINDINGS", "PAIN_SEVERITIES", "parse_pain_severity", "post_interstim_removal_plan"]

#: The pain-severity categories, mildest first.
PAIN_SEVERITIES: Final = ("mild", "moderate", "severe")
_PATHWAY: Final = "post_interstim_removal"
_TITLE: Final = "Care plan: posterior leg pain after InterStim (sacral neuromodulation) removal"
# US spelling of a finding code, accepted and returned in the contract's spelling.
_FINDING_ALIASES: Final = {"saddle_anesthesia": "saddle_anaesthesia"}
# Computed after every other item: the NSAID is checked against everything else the plan
# proposes, and the discharge item names the scheduled analgesics actually given.
_LAST: Final = ("nsaid", "discharge")


#: The finding codes accepted by ``findings=`` (see the data file for what each triggers).
FINDINGS: Final = (
    "unilateral_swelling",
    "calf_tenderness",
    "severe_pain",
    "refractory_pain",
    "progressive_neurological_deficit",
    "new_weakness",
    "saddle_anaesthesia",
    "fever",
    "wound_erythema",
)


def parse_pain_severity(value: object) -> tuple[str, int | None]:
    """Return the severity category of a pain rating, and the 0-10 score if one was given.

    Categories are ``"mild"``, ``"moderate"`` and ``"severe"`` (case-insensitive), or a
    whole-number score on the 0-10 numeric rating scale: 1-3 mild, 4-6 moderate,
    7-10 severe (the bands are in the data file). A score of 0 (no pain) is refused:
    this pathway is for a patient with leg pain.

    >>> parse_pain_severity(8), parse_pain_severity("Moderate"), parse_pain_severity(3)
    (('severe', 8), ('moderate', None), ('mild', 3))

    Raises:
        InputError: An unknown category; 0; a score outside 0-10 or not a whole number.
    """
    accepted = "'mild', 'moderate', 'severe' or a whole-number score from 1 to 10"
    if isinstance(value, str):
        category = value.strip().lower()
        if category in PAIN_SEVERITIES:
            return category, None
        msg = f"pain_severity={value!r} is not accepted; give {accepted}."
        raise InputError(msg)
    number = float(value) if is_real(value) else math.nan  # type: ignore[arg-type]
    if not (math.isfinite(number) and number.is_integer()):
        msg = f"pain_severity={value!r} is not accepted; give {accepted}."
        raise InputError(msg)
    score = int(number)
    if score == 0:
        msg = (
            "pain_severity=0 means no pain: this pathway manages posterior leg pain and "
            f"builds no plan without it; give {accepted}."
        )
        raise InputError(msg)
    for band in pathway_data().severity_bands:
        if band.low <= score <= band.high:
            return band.category, score
    msg = f"pain_severity={value!r} is outside the 0-10 scale; give {accepted}."
    raise InputError(msg)


def _findings(findings: object, data: PathwayData) -> tuple[FindingSpec, ...]:
    if isinstance(findings, str) or not isinstance(findings, Iterable):
        msg = f"findings={findings!r} must be a sequence of finding codes, e.g. ('fever',)."
        raise InputError(msg)
    chosen: dict[str, FindingSpec] = {}
    for raw in findings:
        code = str(raw).strip().lower() if isinstance(raw, str) else raw
        code = _FINDING_ALIASES.get(code, code) if isinstance(code, str) else code
        spec = data.findings.get(code) if isinstance(code, str) else None
        if spec is None:
            msg = f"Unknown finding {raw!r}; accepted: {', '.join(data.findings)}."
            raise InputError(msg)
        chosen[spec.code] = spec
    # Data-file order, so the plan does not depend on the order findings were given in.
    return tuple(spec for code, spec in data.findings.items() if code in chosen)


def _meds(current_meds: object) -> tuple[str | Medication, ...]:
    example = "e.g. ('warfarin 5 mg daily',) or (rx.Medication('warfarin'),)"
    if isinstance(current_meds, str) or not isinstance(current_meds, Iterable):
        msg = f"current_meds={current_meds!r} must be a sequence of medications, {example}."
        raise InputError(msg)
    meds = tuple(current_meds)
    for med in meds:
        if not isinstance(med, str | Medication):
            msg = (
                f"current_meds holds {med!r}: each medication must be text or a "
                f"painrx.Medication, {example}."
            )
            raise InputError(msg)
    return meds


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        msg = f"{name}={value!r} must be True or False."
        raise InputError(msg)
    return value


def _age(patient: Patient | None, data: PathwayData) -> float | None:
    if patient is None or patient.age is None:
        return None
    age = years = patient.age
    if years < data.adult_min_age_years:
        msg = (
            f"Patient age {age!r} years: this pathway is for adults "
            f"({data.adult_min_age_years:g} years and over); its sources (the seed article, "
            "the acetaminophen label regimen, the perioperative ketamine profile) are adult ones."
        )
        raise InputError(msg)
    return years


def _item(spec: ItemSpec, **changes: Any) -> PlanItem:
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


def _duration(q: Quantity) -> str:
    unit = format_units(q)
    return f"{q.magnitude:g} {unit}{'' if q.magnitude == 1 else 's'}"


def _alert(code: str, severity: Severity, message: str, spec: ItemSpec) -> Alert:
    return Alert(code, severity, message, spec.source)


class _Builder:
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
        self.items: dict[str, PlanItem] = {}
        self.alerts: list[Alert] = []
        self.proposed: list[Medication] = []
        self.nsaid_given = False

    def check(self, extra: Sequence[Medication]) -> InteractionReport:
        return _checks.check([*self.meds, *extra], self.patient, self.on_unknown)

    def add(self, code: str, **changes: Any) -> PlanItem:
        item = _item(self.data.item(code), **changes)
        self.items[code] = item
        return item

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

    def run(self) -> None:
        """Walk the data file's items in order: each applies or not, then is filled in."""
        compute = {
            "acetaminophen": self.acetaminophen,
            "nsaid": self.nsaid,
            "opioid_oral": self.opioid_oral,
            "opioid_iv": self.opioid_iv,
            "dexamethasone": self.dexamethasone,
            "ketamine": self.ketamine,
            "gabapentinoid": self.gabapentinoid,
            "discharge": self.discharge,
            "taper": self.taper,
            "referral": self.referral,
        }
        done: set[str] = set()
        for spec in self.data.items:
            if spec.when == "finding":
                self.investigation(spec)
            elif not self.applies(spec.when):
                continue
            elif spec.compute == "none":
                self.add(spec.code)
            elif spec.compute not in done and spec.compute not in _LAST:
                done.add(spec.compute)
                compute[spec.compute]()
            else:
                done.add(spec.compute)
        for name in _LAST:
            if name in done:
                compute[name]()

    def investigation(self, spec: ItemSpec) -> None:
        triggered_by = [f.label for f in self.findings if spec.code in f.investigations]
        if triggered_by:
            self.add(spec.code, detail=f"Triggered by: {', '.join(triggered_by)}.")

    # --- medications -----------------------------------------------------------------------

    def acetaminophen(self) -> None:
        data = self.data
        weight = self.weight
        apap = data.acetaminophen
        drug, route = apap["drug"], apap["route"]
        if weight is None or weight < data.acetaminophen_min_weight:
            self.acetaminophen_by_weight(weight)
            return
        blocked: tuple[Finding, ...] = ()
        for n, step in enumerate(data.acetaminophen_steps):
            med = Medication(drug, dose=step.dose, frequency=step.frequency, route=route)
            report = self.check([med])
            failed = _checks.acetaminophen_blocked(report)
            if failed is not None:
                blocked = failed
                continue
            regimen = Regimen(drug, route, step.dose, step.frequency, source=step.source)
            alerts: list[Alert] = []
            if n:
                why = "; ".join(f.message.rstrip(".") for f in blocked)
                alerts.append(
                    _alert(
                        "acetaminophen_dose_limited",
                        Severity.MODERATE,
                        f"Acetaminophen limited to {regimen.describe()}: the next higher regimen "
                        f"fails the cumulative check ({why}). Current acetaminophen: "
                        f"{_checks.acetaminophen_text(self.current)}.",
                        self.spec("acetaminophen"),
                    )
                )
            self.add(
                "acetaminophen",
                regimen=regimen,
                detail=(
                    "Acetaminophen with the current medications: "
                    f"{_checks.acetaminophen_text(report)}."
                ),
                alerts=tuple(alerts),
            )
            self.alerts.extend(alerts)
            self.proposed.append(med)
            return
        self.withhold_acetaminophen(blocked, "even the lowest regimen fails the cumulative check")

    def acetaminophen_by_weight(self, weight: Quantity | None) -> None:
        """Leave the dose to the prescriber: the label doses by weight under its threshold.

        The current medications are still checked with the ladder's lowest regimen, so no
        acetaminophen is suggested when even that would fail the cumulative check (or the
        total cannot be known).
        """
        data = self.data
        apap = data.acetaminophen
        limit = _q(data.acetaminophen_min_weight)
        lowest = data.acetaminophen_steps[-1]
        probe = Medication(
            apap["drug"], dose=lowest.dose, frequency=lowest.frequency, route=apap["route"]
        )
        # The probe is an adult regimen: the weight-based maximum it breaks is the very
        # reason the plan leaves the dose to the prescriber, so only the rest counts.
        blocked = _checks.acetaminophen_blocked(
            self.check([probe]), ignore=frozenset({"acetaminophen_weight_max"})
        )
        if blocked is not None:
            self.withhold_acetaminophen(
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
            f"Current acetaminophen: {_checks.acetaminophen_text(self.current)}."
        )
        self.add("acetaminophen", regimen=regimen, detail=detail)

    def withhold_acetaminophen(self, blocked: Sequence[Finding], why: str) -> None:
        """Add the ``acetaminophen_withheld`` item and its alert."""
        apap = self.data.acetaminophen
        reasons = [f.message for f in blocked]
        if not self.current.complete:
            reasons.append(f"Unchecked medications: {', '.join(self.current.unchecked)}.")
        current = _checks.acetaminophen_text(self.current)
        alert = _alert(
            "acetaminophen_withheld",
            Severity.MAJOR,
            " ".join(
                [f"No additional acetaminophen: {why}. Current acetaminophen: {current}.", *reasons]
            ),
            self.spec("acetaminophen_withheld"),
        )
        self.add(
            "acetaminophen_withheld",
            regimen=Regimen(apap["drug"], apap["route"], source=self.data.cite(apap["source"])),
            detail=f"Current acetaminophen: {current}.",
            alerts=(alert,),
        )
        self.alerts.append(alert)

    def nsaid(self) -> None:
        cfg = self.data.nsaid
        med = Medication(
            cfg["drug"], dose=self.data.nsaid_dose, frequency=cfg["frequency"], route=cfg["route"]
        )
        stand_in = cfg["anticoagulant_stand_in"]
        standing_in = self.anticoagulated and not self.named_anticoagulant
        extra = [Medication(stand_in, intensity="therapeutic")] if standing_in else []
        report = self.check([*extra, *self.proposed, med])
        regimen = Regimen(
            cfg["drug"],
            cfg["route"],
            self.data.nsaid_dose,
            cfg["frequency"],
            source=self.data.cite(cfg["source"]),
        )
        concerns = report.findings_for_class("nsaid")
        blocking = [f for f in concerns if f.severity >= self.data.nsaid_withhold_at]
        if not blocking and report.complete:
            alerts = tuple(_checks.finding_alert(f) for f in concerns)
            self.add("nsaid", regimen=regimen, alerts=alerts)
            self.proposed.append(med)
            self.nsaid_given = True
            return
        reasons = [f"{f.message} {f.management}{_context(f)}" for f in blocking]
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
        elif self.anticoagulated:
            how = " (on_therapeutic_anticoagulation=True: anticoagulants checked as therapeutic)"
        alert = _alert(
            "nsaid_withheld",
            Severity.MAJOR,
            f"No NSAID{how}: " + " ".join(reasons),
            self.spec("nsaid_withheld"),
        )
        self.add("nsaid_withheld", regimen=regimen, detail=" ".join(reasons), alerts=(alert,))
        self.alerts.append(alert)

    def opioid_oral(self) -> None:
        cfg = self.data.opioid
        oral_dose = self.data.opioid_oral_dose
        conversion = convert_opioid(
            cfg["oral_drug"],
            oral_dose,
            to=cfg["oral_equivalent"],
            route="oral",
            ratios=cfg["ratios"],
        )
        tolerant: tuple[Alert, ...] = ()
        if self.on_opioids:
            tolerant = (
                _alert(
                    "opioid_naive_starting_dose",
                    Severity.MODERATE,
                    f"The oral starting dose is the label's opioid-naive one, but the patient "
                    f"already takes an opioid ({'; '.join(self.on_opioids)}): account for it "
                    "(and avoid duplicating the same opioid).",
                    self.spec("opioid_oral"),
                ),
            )
        self.add(
            "opioid_oral",
            alerts=tolerant,
            regimen=Regimen(
                cfg["oral_drug"],
                "oral",
                oral_dose,
                cfg["oral_frequency"],
                cfg["oral_frequency_text"],
                as_needed=True,
                source=self.data.cite(cfg["source"]),
                frequency_max=cfg["oral_frequency_max"],
            ),
            order=conversion,
            detail=(
                f"Oral equivalent ({conversion.table}): {_q(oral_dose)} oral {cfg['oral_drug']} "
                f"≈ {_q(conversion.dose)} oral {cfg['oral_equivalent']} "
                f"(ratio {conversion.ratio:g})."
            ),
        )
        self.proposed.append(
            Medication(
                cfg["oral_drug"], dose=oral_dose, frequency=cfg["oral_frequency"], route="oral"
            )
        )

    def opioid_iv(self) -> None:
        cfg = self.data.opioid
        iv_dose = self.iv_dose
        shown = iv_dose if iv_dose is not None else Q(cfg["iv_reference_dose"])
        iv_conversion = convert_opioid(
            cfg["iv_drug"],
            shown,
            to=cfg["iv_equivalent"],
            route="iv",
            to_route="iv",
            ratios=cfg["ratios"],
        )
        prescriber = (
            ""
            if iv_dose is not None
            else " The IV dose is the prescriber's (pass iv_breakthrough_dose= to compute its "
            "equivalent); shown for a reference amount."
        )
        self.add(
            "opioid_iv_breakthrough",
            regimen=Regimen(
                cfg["iv_drug"], "iv", iv_dose, None, "for breakthrough pain only", as_needed=True
            ),
            order=iv_conversion,
            detail=(
                f"IV equivalent ({iv_conversion.table}): {_q(shown)} IV {cfg['iv_drug']} ≈ "
                f"{_q(iv_conversion.dose)} IV {cfg['iv_equivalent']} "
                f"(ratio {iv_conversion.ratio:g}).{prescriber}"
            ),
        )

    def dexamethasone(self) -> None:
        cfg = self.data.dexamethasone
        dose = self.data.dexamethasone_dose
        regimen = Regimen(
            cfg["drug"],
            cfg["route"],
            dose,
            None,
            "single dose, perioperatively or in the immediate postoperative period",
            source=self.data.cite(cfg["source"]),
        )
        self.add("dexamethasone", regimen=regimen)
        self.proposed.append(Medication(cfg["drug"], dose=dose, route=cfg["route"]))

    def ketamine(self) -> None:
        cfg = self.data.ketamine
        weight = self.weight
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
            self.add("ketamine", regimen=regimen, detail=detail)
            return
        patient = self.patient
        basis = self.weight_basis or profile.weight_basis or "actual"
        dw = dosing_weight(
            weight,
            None if patient is None else patient.height,
            None if patient is None else patient.sex,
            basis,
            age=None if patient is None else patient.age,
        )
        lo, hi = (
            infusion_rate(
                dose.value, dw, cfg["concentration"], drug=profile.drug, profile=profile.id
            )
            for dose in (low, high)
        )
        detail = (
            f"{_q(lo.dose)} to {_q(hi.dose)} on the {dw.basis} dosing weight of {_q(dw.weight)} "
            f"at {_q(lo.concentration)}: pump {lo.display_rate} to {hi.display_rate} mL/h "
            f"({_q(lo.dose_rate)} to {_q(hi.dose_rate)}) [{profile.id}]."
        )
        self.add("ketamine", regimen=regimen, order=(lo, hi), detail=detail, alerts=dw.alerts)
        self.proposed.append(Medication(profile.drug, route="iv"))

    def gabapentinoid(self) -> None:
        candidates = list(self.data.gabapentinoid["candidates"])
        found: dict[str, Finding] = {}
        for name in candidates:
            report = self.check([*self.proposed, Medication(name)])
            for finding in report.findings_for_class("gabapentinoid"):
                found.setdefault(finding.rule_id, finding)
        alerts = tuple(_checks.finding_alert(f) for f in found.values())
        messages = " ".join(f.message for f in found.values())
        self.add(
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
        self.alerts.extend(alerts)

    # --- discharge -------------------------------------------------------------------------

    def discharge(self) -> None:
        cfg = self.data.discharge
        spec = self.spec("discharge_scheduled_analgesia")
        given = [
            name
            for name, yes in (
                (self.data.acetaminophen["drug"], "acetaminophen" in self.items),
                (self.data.nsaid["drug"], self.nsaid_given),
            )
            if yes
        ]
        self.add(
            "discharge_scheduled_analgesia",
            rationale=spec.rationale.format(
                days_min=cfg["scheduled_days_min"], days_max=cfg["scheduled_days_max"]
            ),
            detail=f"Scheduled at discharge: {' and '.join(given) or 'none (see above)'}.",
        )

    def referral(self) -> None:
        spec = self.spec("referral_persistent_pain")
        after = _duration(self.data.referral_after)
        self.add(spec.code, rationale=spec.rationale.format(after=after))

    def taper(self) -> None:
        opioid = self.data.opioid
        regimen = Regimen(
            opioid["oral_drug"],
            "oral",
            None,
            None,
            "the most to take each day, tapering",
            as_needed=True,
            dose_text="see the taper schedule",
        )
        if self.on_opioids:
            alert = _alert(
                "rapid_taper_not_for_opioid_tolerant",
                Severity.MODERATE,
                f"The patient already takes an opioid ({'; '.join(self.on_opioids)}): the rapid "
                "post-operative taper is for opioid-naive patients. Taper more slowly, back "
                "to the pre-operative regimen, not to zero.",
                self.spec("opioid_taper"),
            )
            self.add(
                "opioid_taper",
                regimen=regimen,
                detail="No rapid taper computed: the patient was on an opioid before surgery.",
                alerts=(alert,),
            )
            self.alerts.append(alert)
            return
        schedule, start = self.discharge_taper()
        steps = "; ".join(
            f"day {s.day}: {_q(s.daily_dose)}, {s.describe_doses()}" for s in schedule.steps
        )
        self.add(
            "opioid_taper",
            regimen=regimen,
            order=schedule,
            detail=f"{' '.join(schedule.notes)} {start} Schedule: {steps}."
            + _taper_caveats(schedule),
        )

    def discharge_taper(self) -> tuple[TaperSchedule, str]:
        """Return the discharge taper from :func:`painrx.tapers.taper` and its start in words.

        The start is the daily dose in use at discharge when given, else the most the oral
        regimen allows (from :func:`painrx.opioids.mme`, which owns dose × frequency).
        """
        cfg = self.data.taper
        opioid = self.data.opioid
        frequency = self.discharge_frequency
        daily_dose = self.daily_dose
        if daily_dose is None:
            frequency = opioid["oral_frequency"]
            daily_dose = mme(
                opioid["oral_drug"], self.data.opioid_oral_dose, frequency=frequency
            ).daily_dose
            start = (
                f"Starts from the most the oral regimen allows ({_q(self.data.opioid_oral_dose)} "
                f"{frequency} = {_q(daily_dose)}); pass discharge_opioid_daily_dose= (and "
                "discharge_opioid_frequency=) with the dose actually used."
            )
        else:
            frequency = opioid["oral_frequency"] if frequency is None else frequency
            start = f"Starts from the daily dose in use at discharge, {_q(daily_dose)}."
        try:
            schedule = taper(
                opioid["oral_drug"],
                daily_dose,
                percent=cfg["percent"],
                interval=cfg["interval"],
                basis=cfg["basis"],
                strengths=list(cfg["strengths"]),
                stop_at=cfg["stop_at"],
                duration_of_use=cfg["duration_of_use"],
                route="oral",
                doses_per_day=frequency,
                equal_doses=cfg["equal_doses"],
                final_step=cfg["final_step"],
            )
        except InputError as exc:
            msg = (
                f"The discharge taper from {_q(daily_dose)} taken {frequency!r} cannot be built: "
                f"{exc} Check discharge_opioid_daily_dose= and discharge_opioid_frequency=."
            )
            raise InputError(msg) from exc
        return schedule, start


def _context(finding: Finding) -> str:
    """Return what set a finding's severity (its applied modifiers), in words."""
    notes = "; ".join(m.note for m in finding.modifiers)
    return f" (Severity context: {notes}.)" if notes else ""


def _taper_caveats(schedule: TaperSchedule) -> str:
    """Return why the taper's own alerts fire, in words (empty when none does)."""
    codes = {a.code for a in schedule.alerts}
    text = ""
    if "taper_step_exceeds_cap" in codes:
        text += (
            " At these doses half a tablet is a large share of the daily dose, so some cuts "
            f"exceed the {schedule.max_step_fraction:.0%} per-step cap (taper_step_exceeds_cap); "
            "a post-operative course is expected to end within days (Hyland 2023)."
        )
    if "taper_longer_than_expected" in codes:
        text += (
            f" The schedule ends on day {schedule.steps[-1].day}, later than the 3-7 days most "
            "patients need after major surgery (Hyland 2023), because no cut is larger than "
            f"{schedule.percent:g}% of the day's dose; review it against the pain "
            "(taper_longer_than_expected)."
        )
    return text


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


def _patient(patient: object) -> Patient | None:
    if patient is None or isinstance(patient, Patient):
        return patient
    msg = (
        f"patient={patient!r} must be a painrx.Patient (e.g. rx.Patient(age=60, "
        "weight='80 kg')) or None."
    )
    raise InputError(msg)


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
            ``"report"`` (it is listed, no NSAID is cleared and no acetaminophen added).

    Returns:
        A :class:`CarePlan`.

    Raises:
        InputError: An unknown severity, finding or option; a patient under 18.
        UnitError: A dose argument without a unit or of the wrong kind.
        UnknownDrugError: An unknown medication with ``on_unknown="raise"``.
    """
    data = pathway_data()
    severity, score = parse_pain_severity(pain_severity)
    neuropathic = _flag(neuropathic, "neuropathic")
    anticoagulated = _flag(on_therapeutic_anticoagulation, "on_therapeutic_anticoagulation")
    chosen = _findings(findings, data)
    meds = _meds(current_meds)
    person = _patient(patient)
    age = _age(person, data)
    iv_dose = (
        None
        if iv_breakthrough_dose is None
        else quantity_arg(iv_breakthrough_dose, name="iv_breakthrough_dose", kinds="mass")
    )
    daily_dose = (
        None
        if discharge_opioid_daily_dose is None
        else quantity_arg(
            discharge_opioid_daily_dose, name="discharge_opioid_daily_dose", kinds="mass_rate"
        )
    )
    if discharge_opioid_frequency is not None and daily_dose is None:
        msg = (
            f"discharge_opioid_frequency={discharge_opioid_frequency!r} needs "
            "discharge_opioid_daily_dose= (the daily dose it splits), e.g. '20 mg/day'."
        )
        raise InputError(msg)
    builder = _Builder(
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
    builder.run()
    final = builder.check(builder.proposed)
    plan_alerts = [
        *_finding_alerts(chosen, data),
        *builder.alerts,
        *builder.current.alerts,
        *_checks.report_alerts(builder.current, Severity.MODERATE),
        *_checks.report_alerts(final, Severity.MODERATE),
        *(a for i in builder.items.values() for a in i.alerts if a.severity >= Severity.MODERATE),
    ]
    if builder.weight is None:
        plan_alerts.append(
            Alert(
                "weight_unknown",
                Severity.MODERATE,
                "The patient's weight is unknown: the acetaminophen label regimen is for "
                f"{_q(data.acetaminophen_min_weight)} or more, and the ketamine pump rate "
                "needs a weight.",
                data.cite(data.acetaminophen["source"]),
            )
        )
    alerts = sorted(dedupe_alerts(plan_alerts), key=lambda a: -a.severity)
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
    )
    return CarePlan(
        pathway=_PATHWAY,
        title=_TITLE,
        inputs=inputs,
        items=tuple(sorted(builder.items.values(), key=lambda i: rank[i.code])),
        red_flags=_red_flags(chosen, data),
        alerts=tuple(alerts),
        source=data.source,
        interactions=final,
    )
