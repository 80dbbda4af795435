"""Taper schedules rounded to real products. (public face: ``painrx.tapers``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from html import escape
from typing import Any, Literal, cast, get_args

import attrs

from painrx._numbers import decimal, exact_conversion
from painrx.errors import Alert, InputError, NoFactorError, Severity, UnitError, dedupe_alerts
from painrx.provenance import Provenance
from painrx.tapers import _data as data
from painrx.tapers._build import Phase, RawStep, StepKind, build, ideals
from painrx.tapers._drug import TaperDrug, patch_rule, resolve, strength_values, unsplittable
from painrx.tapers._round import Maker, Ties, make_maker
from painrx.units import Q, Quantity, QuantityLike, format_units, is_real, magnitude, quantity_arg
from painrx.vocabulary import doses_per_day as _doses_per_day

__all__ = [
    "Basis",
    "DispenseLine",
    "Dose",
    "FinalStep",
    "GuidelinePace",
    "TaperSchedule",
    "TaperStep",
    "guideline_paces",
    "taper",
]

Basis = Literal["original", "current", "hybrid"]
FinalStep = Literal["lengthen_interval", "stop"]

_BASES: tuple[str, ...] = get_args(Basis)
# Time units of a patch strength or an infusion rate, refused for an oral daily dose.
_HOURLY = frozenset({"h", "min"})
_TIES: tuple[str, ...] = get_args(Ties)
_FINAL_STEPS: tuple[str, ...] = get_args(FinalStep)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _count(count: float) -> str:
    whole = int(count)
    if count == whole:
        return str(whole)
    return f"{whole}½" if whole else "½"


@attrs.frozen(repr=False)
class Dose:
    """One administration and the units (tablets or patches) that make it.

    Attributes:
        amount: The amount given (``mg``; ``mcg/h`` for a patch).
        units: ``(strength, count)`` pairs, largest strength first; a count of 0.5 is half
            a tablet. Empty for exact (liquid) doses.
    """

    amount: Quantity
    units: tuple[tuple[Quantity, float], ...] = ()

    def __repr__(self) -> str:
        return f"Dose({self.amount}, {self.describe()!r})"

    def describe(self) -> str:
        """Return the units as text, e.g. ``"1 × 10 mg + ½ × 5 mg"`` (the amount when exact)."""
        if not self.units:
            return str(self.amount)
        return " + ".join(f"{_count(n)} × {q}" for q, n in self.units)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "amount": _q_dict(self.amount),
            "units": [{"strength": _q_dict(q), "count": n} for q, n in self.units],
        }


def _q_dict(q: Quantity) -> dict[str, Any]:
    return {"value": float(q.magnitude), "unit": format_units(q)}


@attrs.frozen(repr=False)
class TaperStep:
    """One step of a taper schedule.

    Attributes:
        day: The day the step starts (day 0 is the starting dose).
        daily_dose: The daily dose from this day (for a lengthened interval, the average
            per day; see ``every_days``).
        ideal_dose: The unrounded dose of the taper sequence for this step (for a
            lengthened interval the daily average; 0 for the stop).
        hold: True when rounding gave no reduction and the dose is held.
        note: What the step does and why, in words.
        kind: ``"start"``, ``"reduce"``, ``"hold"``, ``"smallest"`` (the ideal dose is below
            what the strengths can make, so the smallest makeable dose is used),
            ``"lengthen"`` (fewer doses per day, or every other day) or ``"stop"``.
        doses: The administrations of one dosing day, smallest first (one patch
            application for a patch).
        every_days: 1 for daily dosing; 2 when the dose is taken every other day.
    """

    day: int
    daily_dose: Quantity
    ideal_dose: Quantity
    hold: bool
    note: str
    kind: StepKind = "reduce"
    doses: tuple[Dose, ...] = ()
    every_days: int = 1

    def __repr__(self) -> str:
        return (
            f"TaperStep(day={self.day}, daily_dose={self.daily_dose}, "
            f"ideal_dose={self.ideal_dose:.6g}, hold={self.hold}, kind={self.kind!r}, "
            f"note={self.note!r})"
        )

    def describe_doses(self, *, patch: bool = False) -> str:
        """Return what is taken per administration, in words."""
        if self.kind == "stop":
            return "remove the last patch" if patch else "none (stop)"
        if not self.doses:
            return ""
        texts = [d.describe() for d in self.doses]
        if patch:
            return f"{texts[0]} patch(es) per application"
        if self.every_days > 1:
            return f"{texts[0]} every {self.every_days} days"
        if len(set(texts)) == 1:
            times = len(texts)
            return texts[0] if times == 1 else f"{texts[0]}, {_times(times)} a day"
        return "; ".join(texts) + " (in order through the day)"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "day": self.day,
            "daily_dose": _q_dict(self.daily_dose),
            "ideal_dose": _q_dict(self.ideal_dose),
            "hold": self.hold,
            "kind": self.kind,
            "every_days": self.every_days,
            "doses": [d.to_dict() for d in self.doses],
            "note": self.note,
        }


@attrs.frozen(repr=False)
class DispenseLine:
    """How many units of one strength the whole schedule uses.

    Attributes:
        strength: The unit strength.
        quantity: Whole units to dispense (tablets or patches).
        used: Units taken, counting half tablets as 0.5.
    """

    strength: Quantity
    quantity: int
    used: float

    def __repr__(self) -> str:
        return f"DispenseLine({self.strength}, quantity={self.quantity}, used={self.used:g})"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {"strength": _q_dict(self.strength), "quantity": self.quantity, "used": self.used}


@attrs.frozen(repr=False)
class TaperSchedule:
    """A taper schedule with its settings, steps, alerts and source.

    Attributes:
        drug: The drug as named.
        product: The catalog product id (``"oxycodone/acetaminophen"``).
        route: ``"oral"`` or ``"transdermal"``.
        form: The dose form, when known.
        basis: ``"original"``, ``"current"`` or ``"hybrid"``.
        percent: Percent cut per interval (phase 1 for a hybrid).
        interval: Time between steps (after snapping for patches).
        phase2_percent: Hybrid phase 2 percent of the current dose (None otherwise).
        phase2_interval: Hybrid phase 2 interval (None otherwise).
        switch_fraction: Hybrid switch point as a fraction of the original dose.
        strengths: Unit strengths (empty: exact doses).
        splittable: Whether half tablets were allowed.
        ties: How halfway roundings were broken.
        doses_per_day: Administrations per day.
        equal_doses: Whether a day's administrations are equal.
        max_step_fraction: The cap on one cut, as a fraction of the current dose.
        stop_at: Daily dose at or below which the next step is 0 (None: not set).
        duration_of_use: How long the patient has taken opioids (None: not given).
        use: Duration-of-use class (``"long_term"``, ``"weeks_to_months"``,
            ``"post_operative"``) or None.
        guideline: Guideline id whose pace was checked.
        final_step: ``"lengthen_interval"`` or ``"stop"``.
        change_interval: Patch change interval (None for oral).
        steps: The steps; the first is the starting dose, the last the 0 dose.
        alerts: What a clinician should look at.
        source: The guideline the pace was checked against.
        notes: How the schedule was built, in words.
    """

    drug: str
    product: str
    route: str
    form: str | None
    basis: Basis
    percent: float
    interval: Quantity
    phase2_percent: float | None
    phase2_interval: Quantity | None
    switch_fraction: float | None
    strengths: tuple[Quantity, ...]
    splittable: bool
    ties: Ties
    doses_per_day: int
    equal_doses: bool
    max_step_fraction: float
    stop_at: Quantity | None
    duration_of_use: Quantity | None
    use: str | None
    guideline: str
    final_step: FinalStep
    change_interval: Quantity | None
    steps: tuple[TaperStep, ...]
    alerts: tuple[Alert, ...]
    source: Provenance
    notes: tuple[str, ...]

    @property
    def last_day(self) -> int:
        """The day of the 0 dose (the taper's length in days)."""
        return self.steps[-1].day

    def __repr__(self) -> str:
        return (
            f"TaperSchedule(drug={self.drug!r}, start={self.steps[0].daily_dose}, "
            f"basis={self.basis!r}, percent={self.percent:g}, interval={self.interval}, "
            f"steps={len(self.steps)}, last_day={self.last_day}, "
            f"alerts={tuple(a.code for a in self.alerts)!r}, source={self.source.id!r})"
        )

    def to_rows(self) -> list[dict[str, Any]]:
        """Return the schedule as rows for people: day, daily dose, per dose, note.

        >>> import painrx as rx
        >>> s = rx.taper("oxycodone", "20 mg/day", percent=50, interval="2 day",
        ...              strengths=["5 mg"], splittable=False, doses_per_day=2)
        >>> for row in s.to_rows():
        ...     print(row["day"], row["daily_dose"], "|", row["tablets_per_dose"])
        0 20 mg/day | 2 × 5 mg, twice a day
        2 10 mg/day | 1 × 5 mg, twice a day
        4 5 mg/day | 1 × 5 mg
        6 2.5 mg/day | 1 × 5 mg every 2 days
        8 0 mg/day | none (stop)
        """
        patch = self.route == "transdermal"
        return [
            {
                "day": step.day,
                "daily_dose": f"{step.daily_dose:g}",
                "tablets_per_dose": step.describe_doses(patch=patch),
                "note": step.note,
            }
            for step in self.steps
        ]

    def dispensing(self) -> tuple[DispenseLine, ...]:
        """Return the units of each strength the whole schedule uses (empty for exact doses).

        Half tablets count as 0.5 and the quantity to dispense is rounded up to whole
        units; an every-other-day step uses one dose every ``every_days`` days; a patch
        step uses one application per change interval.
        """
        if not self.strengths:
            return ()
        change_days = (
            round(magnitude(self.change_interval, "day")) if self.change_interval else None
        )
        used: dict[float, Fraction] = {}
        by_value = {float(q.magnitude): q for q in self.strengths}
        for step, following in zip(self.steps, self.steps[1:], strict=False):
            length = following.day - step.day
            if change_days is not None:
                times = length // change_days
                doses: tuple[Dose, ...] = step.doses[:1]
            elif step.every_days > 1:
                times = -(-length // step.every_days)
                doses = step.doses
            else:
                times = length
                doses = step.doses
            for dose in doses:
                for strength, count in dose.units:
                    key = float(strength.magnitude)
                    used[key] = used.get(key, Fraction(0)) + Fraction(count) * times
        return tuple(
            DispenseLine(by_value[k], math.ceil(used[k]), float(used[k]))
            for k in sorted(used, reverse=True)
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (quantities as value/unit pairs, alert codes, source id)."""
        return {
            "drug": self.drug,
            "product": self.product,
            "route": self.route,
            "form": self.form,
            "basis": self.basis,
            "percent": self.percent,
            "interval": _q_dict(self.interval),
            "phase2_percent": self.phase2_percent,
            "phase2_interval": _q_dict(self.phase2_interval) if self.phase2_interval else None,
            "switch_fraction": self.switch_fraction,
            "strengths": [_q_dict(q) for q in self.strengths],
            "splittable": self.splittable,
            "ties": self.ties,
            "doses_per_day": self.doses_per_day,
            "equal_doses": self.equal_doses,
            "max_step_fraction": self.max_step_fraction,
            "stop_at": _q_dict(self.stop_at) if self.stop_at is not None else None,
            "duration_of_use": (
                _q_dict(self.duration_of_use) if self.duration_of_use is not None else None
            ),
            "use": self.use,
            "guideline": self.guideline,
            "final_step": self.final_step,
            "change_interval": _q_dict(self.change_interval) if self.change_interval else None,
            "steps": [s.to_dict() for s in self.steps],
            "dispensing": [d.to_dict() for d in self.dispensing()],
            "alerts": [a.to_dict() for a in self.alerts],
            "source": self.source.id,
            "notes": list(self.notes),
        }

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{escape(h)}</th>" for h in ("Day", "Daily dose", "Per dose", "Note"))
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{escape(str(row[k]))}</td>"
                for k in ("day", "daily_dose", "tablets_per_dose", "note")
            )
            + "</tr>"
            for row in self.to_rows()
        )
        caption = escape(
            f"{self.drug} taper: {self.percent:g}% of the {self.basis} dose every "
            f"{self.interval} (source {self.source.id})"
        )
        parts = [f"<table><caption>{caption}</caption><tr>{head}</tr>{body}</table>"]
        lines = self.dispensing()
        if lines:
            items = "".join(f"<li>{escape(str(d.strength))}: {d.quantity}</li>" for d in lines)
            parts.append(f"<p>Dispense:</p><ul>{items}</ul>")
        if self.alerts:
            items = "".join(
                f"<li><b>{escape(a.code)}</b> ({a.severity.name.lower()}): {escape(a.message)}</li>"
                for a in self.alerts
            )
            parts.append(f"<ul>{items}</ul>")
        parts.append(f"<p>{self.source._repr_html_()}</p>")
        return "".join(parts)


@attrs.frozen(repr=False)
class GuidelinePace:
    """The fastest taper a guideline accepts for one duration-of-use class.

    Attributes:
        guideline: Guideline table id (``"CDC_2022"``).
        use: Duration-of-use class (``"long_term"``, ``"weeks_to_months"``,
            ``"post_operative"``).
        max_percent: Largest accepted cut, in percent, per ``per``.
        per: The period of ``max_percent``.
        source: Where the pace comes from.
    """

    guideline: str
    use: str
    max_percent: float
    per: Quantity
    source: Provenance

    def __repr__(self) -> str:
        return (
            f"GuidelinePace({self.guideline!r}, {self.use!r}, {self.max_percent:g}% per {self.per})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "guideline": self.guideline,
            "use": self.use,
            "max_percent": self.max_percent,
            "per": _q_dict(self.per),
            "source": self.source.id,
        }


def guideline_paces() -> tuple[GuidelinePace, ...]:
    """Return every guideline pace painrx checks tapers against, from the cited data files.

    >>> for pace in guideline_paces():
    ...     print(pace)
    GuidelinePace('CDC_2022', 'long_term', 10% per 30 day)
    GuidelinePace('CDC_2022', 'weeks_to_months', 10% per 7 day)
    GuidelinePace('HHS_2019', 'long_term', 10% per 30 day)
    GuidelinePace('HHS_2019', 'weeks_to_months', 10% per 7 day)
    GuidelinePace('HYLAND_2023', 'post_operative', 25% per 1 day)
    GuidelinePace('VA_DOD_2017', 'long_term', 20% per 28 day)
    """
    return tuple(
        GuidelinePace(
            guideline=table.id,
            use=pace.use,
            max_percent=float(pace.max_percent),
            per=Q(float(pace.per_days), "day"),
            source=pace.source,
        )
        for table in (data.guideline(path) for path in data.guideline_ids().values())
        for pace in table.paces.values()
    )


# --- argument checks --------------------------------------------------------------------


def _percent(value: object, name: str) -> Fraction:
    if not is_real(value) or not 0 < float(value) < 100:  # type: ignore[arg-type]
        msg = f"{name}={value!r} must be a number of percent above 0 and below 100 (10 means 10%)."
        raise InputError(msg)
    return decimal(float(value)) / 100  # type: ignore[arg-type]


def _fraction(value: object, name: str, *, upper_inclusive: bool) -> Fraction:
    ok = is_real(value) and (
        0 < float(value) <= 1 if upper_inclusive else 0 < float(value) < 1  # type: ignore[arg-type]
    )
    if not ok:
        bound = "at most 1" if upper_inclusive else "below 1"
        msg = f"{name}={value!r} must be a fraction above 0 and {bound} (0.25 means 25%)."
        raise InputError(msg)
    return decimal(float(value))  # type: ignore[arg-type]


def _whole_days(value: object, name: str) -> tuple[Quantity, int]:
    q = quantity_arg(value, name=name, kinds="time")
    days = exact_conversion(magnitude(q, "day"))
    if days.denominator != 1:
        msg = f"{name}={format(q)!r} must be a whole number of days (e.g. '7 day', '72 h')."
        raise InputError(msg)
    return q, int(days)


def _dose_rate_arg(value: object, name: str, product: TaperDrug) -> Quantity:
    """Parse a daily dose (oral) or patch strength, refusing an oral dose written per hour.

    Raises:
        UnitError: Not a dose rate, or an oral dose per hour or per minute.
    """
    q = quantity_arg(value, name=name, kinds="mass_rate")
    per = format_units(q).rsplit("/", 1)[-1]
    if not product.is_patch and per in _HOURLY:
        # A per-hour (or per-minute) rate is a patch strength or an infusion, never how an
        # oral daily dose is written: '25 mcg/h' for an oral drug is a patch slip.
        msg = (
            f"{name}={format(q)!r} is a rate per {per}, as for a patch or an infusion; an "
            "oral taper uses daily doses such as '30 mg/day' (a patch taper needs "
            "route='transdermal')."
        )
        raise UnitError(msg)
    return q


def _choice(value: object, name: str, accepted: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in accepted:
        msg = f"{name}={value!r} is not accepted; use one of {', '.join(map(repr, accepted))}."
        raise InputError(msg)
    return value


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        msg = f"{name}={value!r} must be True or False."
        raise InputError(msg)
    return value


def _count_arg(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"{name}={value!r} must be a whole number of at least 1."
        raise InputError(msg)


def _administrations(value: object, patch: bool) -> int:
    per_day = _doses_per_day(value)
    if per_day != int(per_day) or per_day < 1:
        msg = f"doses_per_day={value!r} must be a whole number of doses a day (1, 2, 'BID'…)."
        raise InputError(msg)
    if patch and per_day != 1:
        msg = "doses_per_day does not apply to patches: they are changed per their label."
        raise InputError(msg)
    return int(per_day)


# Tables tried, in order, for the MME plausibility screen of the starting dose: CDC 2022
# first, then NIH HEAL 2025, which also covers buprenorphine patches.
_SCREEN_TABLES = ("CDC_2022", "NIH_HEAL_2025")


def _screen_dose(drug: TaperDrug, start: Quantity) -> list[Alert]:
    """Refuse a starting dose beyond the contract's MME/day bound (a mg↔g slip).

    Raises:
        InputError: The starting dose is above 10,000 MME/day.
    """
    from painrx.opioids import mme

    if drug.route == "transdermal":
        # A taper's daily rate may be per day; mme() takes a patch only as labelled, per hour.
        start = start.to("mcg/h")
    for table in _SCREEN_TABLES:
        try:
            mme(drug.name, start, route=drug.route, table=table, thresholds=None)
        except NoFactorError:
            continue
        return []
    return [
        Alert(
            "taper_dose_not_screened",
            Severity.INFO,
            f"No MME factor for {drug.name!r} ({drug.route}) in {', '.join(_SCREEN_TABLES)}: "
            "the starting dose was not checked against the 10,000 MME/day plausibility bound.",
            None,
        )
    ]


# --- alerts and notes -------------------------------------------------------------------


def _use_class(duration: Quantity | None) -> data.DurationClass | None:
    if duration is None:
        return None
    days = exact_conversion(magnitude(duration, "day"))
    return next(c for c in data.duration_classes() if c.contains(days))


def _pace_alerts(
    use: data.DurationClass | None,
    chosen: data.Guideline,
    phases: tuple[Phase, ...],
    last_day: int,
) -> tuple[list[Alert], Provenance]:
    if use is None:
        note = Alert(
            "taper_pace_not_checked",
            Severity.INFO,
            "duration_of_use was not given, so the pace was not compared with a guideline.",
            chosen.source,
        )
        return [note], chosen.source
    table = chosen
    if use.name not in table.paces:
        post_op = data.guideline(data.POST_OPERATIVE_PATH)
        if use.name in post_op.paces:
            table = post_op
    pace = table.paces.get(use.name)
    if pace is None:
        note = Alert(
            "taper_pace_not_checked",
            Severity.INFO,
            f"{table.id} gives no taper pace for {use.name.replace('_', ' ')} use; "
            "the pace was not checked.",
            table.source,
        )
        return [note], table.source
    found: list[Alert] = []
    for phase in phases:
        rate = phase.fraction * 100 * pace.per_days / phase.days
        if rate > pace.max_percent:
            found.append(
                Alert(
                    "taper_faster_than_guideline",
                    pace.severity,
                    f"{_fmt(float(phase.fraction * 100))}% of the {phase.of} dose every "
                    f"{phase.days} day(s) is {_fmt(float(rate))}% per "
                    f"{_fmt(float(pace.per_days))} days, faster than {table.id}'s "
                    f"{_fmt(float(pace.max_percent))}% per {_fmt(float(pace.per_days))} days "
                    f"for {use.name.replace('_', ' ')} use.",
                    pace.source,
                )
            )
    expected = table.expected.get(use.name)
    if expected is not None and last_day > expected.max_days:
        found.append(
            Alert(
                "taper_longer_than_expected",
                expected.severity,
                f"The taper ends on day {last_day}; after surgery most patients are off "
                f"opioids within {_fmt(float(expected.max_days))} days ({table.id}). "
                "Review the plan and the pain.",
                expected.source,
            )
        )
    return found, table.source


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
        if prev is not None and prev.kind == "lengthen":
            text = "stop: the dose is taken less than once a day (CDC)"
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


def _snap(days: int, rule: data.PatchRule, name: str, alerts: list[Alert]) -> int:
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


def _public_steps(
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


def _notes(
    basis: Basis,
    p1: Fraction,
    p2: Fraction,
    switch: Fraction,
    ties: Ties | None,
    *,
    lengthened: bool,
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
    if lengthened:
        notes.append(
            "At the smallest available dose the dosing interval is lengthened, and the "
            f"opioid stopped once taken less than once a day ({data.final_step().source.title})."
        )
    if product.product.is_combination:
        notes.append(f"Doses are of the {product.opioid} component of {product.product.id}.")
    if rule is not None:
        notes.append(f"Patches are changed every {_fmt(float(rule.change_hours))} h.")
    return tuple(notes)


# --- the public function ----------------------------------------------------------------


def taper(
    drug: str,
    daily_dose: QuantityLike,
    *,
    percent: float,
    interval: QuantityLike,
    basis: Basis = "original",
    strengths: Sequence[QuantityLike] | None = None,
    splittable: bool | None = None,
    ties: Ties = "up",
    max_step_fraction: float = 0.25,
    stop_at: QuantityLike | None = None,
    duration_of_use: QuantityLike | None = None,
    route: str = "oral",
    doses_per_day: int | str = 1,
    equal_doses: bool = True,
    indication: str | None = None,
    form: str | None = None,
    phase2_percent: float | None = None,
    phase2_interval: QuantityLike | None = None,
    switch_fraction: float | None = None,
    final_step: FinalStep = "lengthen_interval",
    guideline: str = "CDC_2022",
    change_interval: QuantityLike | None = None,
    max_units_per_dose: int | None = None,
    max_steps: int = 1000,
) -> TaperSchedule:
    """Build an opioid taper schedule.

    Args:
        drug: Drug, brand or combination name (``"oxycodone"``, ``"OxyContin"``,
            ``"Percocet"``, ``"Duragesic"``); doses are of the opioid component.
        daily_dose: The starting daily dose (``"60 mg/day"``), or for a patch its strength
            (``"50 mcg/h"``, with ``route="transdermal"``).
        percent: Percent cut per interval, above 0 and below 100 (10 means 10%).
        interval: Time between steps, a whole number of days (``"7 day"``, ``"1 month"``:
            30 days). Patch intervals snap *up* to whole change intervals.
        basis: ``"original"`` (percent of the starting dose: linear, reaches 0 after
            ``ceil(100/percent)`` steps), ``"current"`` (percent of the current ideal dose:
            exponential, needs ``stop_at``) or ``"hybrid"`` (HHS 2019: percent of the
            original until ``switch_fraction`` of it remains, then percent of the current;
            needs ``stop_at``).
        strengths: Available unit strengths (``["5 mg", "10 mg"]``; ``"10/325 mg"`` for a
            combination). None means exact doses (a liquid). Required for patches.
        splittable: Allow half tablets. None (default): allowed unless the dose form must
            not be split (ER tablets, capsules, patches; see the data file). True is
            refused for such forms. Only tablets with a functional score should be split.
        ties: An ideal dose exactly halfway between two makeable doses rounds ``"up"``
            (the default: avoids under-dosing), ``"down"``, or to the ``"even"`` multiple of
            the daily dose step (the lower one where both are even or both odd).
        max_step_fraction: Largest accepted cut as a fraction of the current dose; a bigger
            cut is kept and alerted. The stop after every-other-day dosing and the
            interval lengthening (CDC's end rule) are exempt.
        stop_at: A daily dose at or below which the next step is 0.
        duration_of_use: How long the patient has taken opioids (``"2 year"``,
            ``"5 day"``): 365 days or more is long-term, 14 days or less post-operative,
            between is weeks to months. None: the pace is not checked (alert
            ``taper_pace_not_checked``).
        route: ``"oral"`` (default) or ``"transdermal"``.
        doses_per_day: Administrations per day (1, 2, ``"BID"``, …); 1 for patches.
        equal_doses: Every administration of a day equal (default), or as even as the
            strengths allow with any larger dose last.
        indication: None or ``"pain"``; ``"oud"`` is refused.
        form: Dose form when the name does not imply it (``"er_tablet"`` for a generic
            extended-release product).
        phase2_percent: Hybrid only: percent of the current dose in phase 2 (default:
            ``percent``).
        phase2_interval: Hybrid only: the phase 2 interval (default: ``interval``).
        switch_fraction: Hybrid only: fraction of the original dose that starts phase 2
            (default: HHS 2019's 0.3).
        final_step: ``"lengthen_interval"`` (default, CDC): at the smallest available dose,
            fewer doses a day down to one, then one dose every other day for an
            interval, then stop. ``"stop"``: stop from the smallest dose. Patches stop
            from the smallest patch either way.
        guideline: Pace table for ``duration_of_use`` beyond 14 days: ``"CDC_2022"``
            (default), ``"HHS_2019"`` or ``"VA_DOD_2017"``. Post-operative use is always
            checked against the post-operative guidance (``"HYLAND_2023"``).
        change_interval: Patch change interval, needed only for a generic patch name whose
            products differ (buprenorphine: 7 days or 96 h); must be a labelled one.
        max_units_per_dose: Most units (tablets, half tablets or patches) in one
            administration; None (default) sets no limit. A limit leaves out totals that
            need more units, e.g. five 12 mcg/h patches for 60 mcg/h.
        max_steps: Refuse a schedule longer than this many steps (never sped up).

    Returns:
        The schedule: ``.steps`` (day 0 the starting dose, the last the 0 dose),
        ``.alerts``, ``.source``, ``.to_rows()``, ``.dispensing()``.

    Raises:
        UnknownDrugError: The drug is not in the catalog.
        UnsafeConversionError: Methadone, sublingual buprenorphine, or
            ``indication="oud"``: refer to a specialist.
        UnitError: A dose, strength or duration of the wrong kind or without a unit; an
            oral daily dose written per hour or per minute (``"25 mcg/h"``: a patch slip).
        InputError: Any other invalid or contradictory argument (the message names the
            value and what is accepted).
    """
    product = resolve(drug, route=route, form=form, indication=indication)
    patch = product.is_patch
    unit = "mcg/h" if patch else "mg/day"
    amount_unit = "mcg/h" if patch else "mg"
    start_q = _dose_rate_arg(daily_dose, "daily_dose", product)
    start = exact_conversion(magnitude(start_q, unit))
    if start <= 0:
        msg = f"daily_dose={daily_dose!r} is too small to taper."
        raise InputError(msg)
    how = cast("Basis", _choice(basis, "basis", _BASES))
    p1 = _percent(percent, "percent")
    interval_q, days1 = _whole_days(interval, "interval")
    hybrid = how == "hybrid"
    for name, value in (
        ("phase2_percent", phase2_percent),
        ("phase2_interval", phase2_interval),
        ("switch_fraction", switch_fraction),
    ):
        if value is not None and not hybrid:
            msg = f"{name} applies to basis='hybrid' only (basis={how!r})."
            raise InputError(msg)
    p2 = _percent(phase2_percent, "phase2_percent") if phase2_percent is not None else p1
    interval2_q, days2 = (
        _whole_days(phase2_interval, "phase2_interval")
        if phase2_interval is not None
        else (interval_q, days1)
    )
    switch = (
        _fraction(switch_fraction, "switch_fraction", upper_inclusive=False)
        if switch_fraction is not None
        else data.hybrid().switch_fraction
    )
    stop = None
    stop_q = None
    if stop_at is not None:
        stop_q = _dose_rate_arg(stop_at, "stop_at", product)
        stop = exact_conversion(magnitude(stop_q, unit))
        if stop >= start:
            msg = f"stop_at={format(stop_q)!r} must be below daily_dose={format(start_q)!r}."
            raise InputError(msg)
    elif how != "original":
        msg = (
            f"basis={how!r} never reaches 0 by arithmetic: give stop_at, the daily dose at "
            "or below which the next step is 0 (e.g. stop_at='5 mg/day')."
        )
        raise InputError(msg)
    tie = cast("Ties", _choice(ties, "ties", _TIES))
    cap = _fraction(max_step_fraction, "max_step_fraction", upper_inclusive=True)
    per_day = _administrations(doses_per_day, patch)
    equal = _flag(equal_doses, "equal_doses")
    ending = cast("FinalStep", _choice(final_step, "final_step", _FINAL_STEPS))
    pace_table = data.guideline_ids()
    chosen = data.guideline(pace_table[_choice(guideline, "guideline", tuple(pace_table))])
    _count_arg(max_steps, "max_steps")
    if max_units_per_dose is not None:
        _count_arg(max_units_per_dose, "max_units_per_dose")
    duration_q = (
        quantity_arg(duration_of_use, name="duration_of_use", kinds="time")
        if duration_of_use is not None
        else None
    )

    no_split = unsplittable(product)
    if splittable is None:
        halves = no_split is None
    else:
        halves = _flag(splittable, "splittable")
        if halves and no_split is not None:
            msg = (
                f"splittable=True is refused for a {no_split.form}: {no_split.reason} "
                f"({no_split.source.title})."
            )
            raise InputError(msg)

    alerts: list[Alert] = _screen_dose(product, start_q)
    rule = None
    if patch:
        if strengths is None:
            msg = "Patches come in fixed strengths: give strengths=['12 mcg/h', '25 mcg/h', ...]."
            raise InputError(msg)
        rule = patch_rule(product, change_interval)
        whole = _snap(days1, rule, "interval", alerts)
        if whole != days1:
            interval_q = Q(whole, "day")
        if phase2_interval is None:
            interval2_q, days2 = interval_q, whole
        else:
            whole2 = _snap(days2, rule, "phase2_interval", alerts)
            if whole2 != days2:
                interval2_q = Q(whole2, "day")
            days2 = whole2
        days1 = whole
    elif change_interval is not None:
        msg = "change_interval applies to patches (route='transdermal') only."
        raise InputError(msg)

    maker: Maker | None = None
    strength_qs: tuple[Quantity, ...] = ()
    if strengths is not None:
        values = strength_values(product, strengths)
        maker = make_maker(
            values,
            splittable=halves,
            doses_per_day=per_day,
            equal_doses=equal,
            limit=start,
            max_pieces=max_units_per_dose,
        )
        if not maker.makeable(start):
            how_split = "equal" if equal else "possibly unequal"
            msg = (
                f"daily_dose={format(start_q)!r} cannot be made from strengths "
                f"{[f'{_fmt(float(v))} {amount_unit}' for v in values]} in {per_day} "
                f"{how_split} dose(s) a day{' with halves' if maker.pieces[-1].half else ''}"
                + (
                    f" of at most {max_units_per_dose} unit(s)."
                    if max_units_per_dose is not None
                    else "."
                )
            )
            raise InputError(msg)
        strength_qs = tuple(Q(float(v), amount_unit) for v in values)

    phases: tuple[Phase, ...] = (Phase(p1, days1, "current" if how == "current" else "original"),)
    if hybrid:
        phases += (Phase(p2, days2, "current"),)
    lengthen = data.final_step().every_days if ending == "lengthen_interval" and not patch else None
    raw_steps = build(
        start,
        ideals(start, phases, switch_at=switch * start if hybrid else None, stop_at=stop),
        maker=maker,
        ties=tie,
        doses_per_day=per_day,
        lengthen_every=lengthen,
        max_steps=max_steps,
    )

    steps, step_alerts = _public_steps(raw_steps, maker, strength_qs, cap=cap, patch=patch)
    alerts.extend(step_alerts)

    use = _use_class(duration_q)
    pace_alerts, source = _pace_alerts(use, chosen, phases, steps[-1].day)
    alerts.extend(pace_alerts)

    notes = _notes(
        how,
        p1,
        p2,
        switch,
        tie if maker is not None else None,
        lengthened=any(step.kind == "lengthen" for step in steps),
        product=product,
        rule=rule,
    )

    return TaperSchedule(
        drug=drug,
        product=product.product.id,
        route=product.route,
        form=product.form,
        basis=how,
        percent=float(percent),
        interval=interval_q,
        phase2_percent=float(p2 * 100) if hybrid else None,
        phase2_interval=interval2_q if hybrid else None,
        switch_fraction=float(switch) if hybrid else None,
        strengths=strength_qs,
        splittable=halves,
        ties=tie,
        doses_per_day=per_day,
        equal_doses=equal,
        max_step_fraction=float(cap),
        stop_at=stop_q,
        duration_of_use=duration_q,
        use=use.name if use is not None else None,
        guideline=chosen.id,
        final_step=ending,
        change_interval=Q(float(rule.change_hours), "h") if rule is not None else None,
        steps=tuple(steps),
        alerts=dedupe_alerts(alerts),
        source=source,
        notes=notes,
    )
