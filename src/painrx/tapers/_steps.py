"""Engine steps into public steps: the note on each step, cap and hold alerts, patch snapping."""

from __future__ import annotations

from fractions import Fraction

from painrx.errors import Alert, Severity
from painrx.provenance import Provenance
from painrx.tapers import _data as data
from painrx.tapers._build import RawStep
from painrx.tapers._drug import TaperDrug
from painrx.tapers._round import Maker, Ties
from painrx.tapers._schedule import Basis, Dose, TaperStep
from painrx.tapers._schedule import fmt as _fmt
from painrx.tapers._schedule import times as _times
from painrx.units import Q, Quantity

__all__ = ["public_steps", "schedule_notes", "snap"]


_STOP_NOTES = {
    "zero": "stop: the taper sequence reaches 0",
    "stop_at": "stop: the previous dose was at or below stop_at",
    "smallest": "stop: the smallest available dose has been taken for a full interval",
}


def _note(
    raw: RawStep, prev: RawStep | None, unit: str, final_source: Provenance, patch: bool
) -> str:
    ideal = f"{_fmt(float(raw.ideal))} {unit}"
    if raw.kind == "start":
        return "starting dose"
    if raw.kind == "hold":
        return f"hold: the ideal {ideal} rounds to no reduction with these strengths"
    if raw.kind == "smallest":
        return f"smallest available dose (the ideal {ideal} is below what the strengths make)"
    if raw.kind == "lengthen":
        cite = f"lengthen the dosing interval at the smallest dose ({final_source.title})"
        if raw.every_days > 1:
            return f"every {raw.every_days} days: {cite}; stop once taken less than daily"
        before = _times(len(prev.doses)) if prev is not None else "more often"
        return f"{_times(len(raw.doses))} a day instead of {before}: {cite}"
    if raw.kind == "stop":
        text = _STOP_NOTES.get(raw.end, "stop")
        if prev is not None and prev.kind == "lengthen" and prev.every_days > 1:
            text = "stop: the dose is taken less than once a day (CDC)"
        elif prev is not None and prev.kind == "lengthen":
            text = "stop: after one smallest dose a day (fewer doses before stopping)"
        return f"{text}; remove the last patch" if patch else text
    if raw.daily != raw.ideal:
        return f"rounded from the ideal {ideal}"
    return ""


def _cap_alert(raw: RawStep, prev: RawStep, cap: Fraction, unit: str) -> Alert | None:
    exempt = raw.kind in {"start", "hold", "lengthen"} or (
        raw.kind == "stop" and prev.kind == "lengthen"
    )
    if exempt or prev.daily == 0:
        return None
    cut = (prev.daily - raw.daily) / prev.daily
    if cut <= cap:
        return None
    return Alert(
        "taper_step_exceeds_cap",
        Severity.MODERATE,
        f"Day {raw.day}: {_fmt(float(prev.daily))} → {_fmt(float(raw.daily))} {unit} cuts "
        f"{_fmt(float(cut * 100))}% of the current dose, more than max_step_fraction="
        f"{_fmt(float(cap))}. Consider a slower or hybrid taper.",
        None,
    )


def snap(days: int, rule: data.PatchRule, name: str, alerts: list[Alert]) -> int:
    """Snap an interval *up* to whole patch changes, alerting when it changes."""
    change_days = int(rule.change_hours / 24)
    whole = -(-days // change_days) * change_days
    if whole != days:
        alerts.append(
            Alert(
                "taper_interval_snapped",
                Severity.INFO,
                f"{name} of {days} day(s) is not a whole number of "
                f"{_fmt(float(rule.change_hours))} h patch changes; snapped up to "
                f"{whole} days so the taper is never faster than asked.",
                rule.source,
            )
        )
    return whole


def public_steps(
    raw_steps: list[RawStep],
    maker: Maker | None,
    strengths: tuple[Quantity, ...],
    *,
    cap: Fraction,
    patch: bool,
) -> tuple[list[TaperStep], list[Alert]]:
    """Turn engine steps into public steps, with notes, cap alerts and hold alerts."""
    unit = "mcg/h" if patch else "mg/day"
    amount_unit = "mcg/h" if patch else "mg"
    final_source = data.final_step().source
    strength_of = {float(q.magnitude): q for q in strengths}
    dose_of: dict[Fraction, Dose] = {}
    steps: list[TaperStep] = []
    alerts: list[Alert] = []
    prev: RawStep | None = None
    for raw in raw_steps:
        note = _note(raw, prev, unit, final_source, patch)
        cap_alert = _cap_alert(raw, prev, cap, unit) if prev is not None else None
        if cap_alert is not None:
            alerts.append(cap_alert)
            note = f"{note}; " if note else ""
            note += f"cut exceeds max_step_fraction={_fmt(float(cap))}"
        if raw.kind == "hold":
            alerts.append(
                Alert(
                    "taper_no_reduction",
                    Severity.MINOR,
                    f"Day {raw.day}: the ideal {_fmt(float(raw.ideal))} {unit} rounds to "
                    f"{_fmt(float(raw.daily))} {unit} with these strengths, no reduction; "
                    "the dose is held for this interval.",
                    None,
                )
            )
        for d in raw.doses:
            if d not in dose_of:
                units = maker.pieces_of(d) if maker is not None else ()
                dose_of[d] = Dose(
                    Q(float(d), amount_unit),
                    tuple((strength_of[float(s)], float(n)) for s, n in units),
                )
        steps.append(
            TaperStep(
                day=raw.day,
                daily_dose=Q(float(raw.daily), unit),
                ideal_dose=Q(float(raw.ideal), unit),
                hold=raw.kind == "hold",
                note=note,
                kind=raw.kind,
                doses=tuple(dose_of[d] for d in raw.doses),
                every_days=raw.every_days,
            )
        )
        prev = raw
    return steps, alerts


def schedule_notes(
    basis: Basis,
    p1: Fraction,
    p2: Fraction,
    switch: Fraction,
    ties: Ties | None,
    *,
    lengthened: bool,
    final_step: str = "lengthen_interval",
    product: TaperDrug,
    rule: data.PatchRule | None,
) -> tuple[str, ...]:
    """Say in words how the schedule was built."""
    first, second, share = (_fmt(float(x * 100)) for x in (p1, p2, switch))
    notes = [
        {
            "original": f"Linear: each step cuts {first}% of the starting dose.",
            "current": f"Exponential: each step cuts {first}% of the current ideal dose.",
            "hybrid": f"Hybrid (HHS 2019): {first}% of the starting dose until {share}% of it "
            f"remains, then {second}% of the current ideal dose.",
        }[basis]
    ]
    if ties is not None:
        notes.append(
            "Each step is the ideal (unrounded) dose rounded to the nearest daily total the "
            f"strengths can make (ties {ties}); a rounding with no reduction is a hold."
        )
    if lengthened and final_step == "fewer_doses":
        notes.append(
            "At the smallest available dose fewer doses are taken each day, down to one, and "
            "the opioid is then stopped: the dose is reduced before the interval is lengthened, "
            "with no every-other-day step."
        )
    elif lengthened:
        notes.append(
            "At the smallest available dose the dosing interval is lengthened, and the "
            f"opioid stopped once taken less than once a day ({data.final_step().source.title})."
        )
    if product.product.is_combination:
        notes.append(f"Doses are of the {product.opioid} component of {product.product.id}.")
    if rule is not None:
        notes.append(f"Patches are changed every {_fmt(float(rule.change_hours))} h.")
    return tuple(notes)
