"""Taper results: :class:`TaperSchedule`, its :class:`TaperStep` rows, doses and dispensing.

They hold what :func:`painrx.tapers.taper` computed and render it (rows, HTML, JSON-ready
dicts); they compute no dose themselves.
"""

from __future__ import annotations

import math
from fractions import Fraction
from html import escape
from typing import Any, Literal

import attrs

from painrx._html import alerts_html, alerts_text, source_html
from painrx.errors import Alert
from painrx.provenance import Provenance
from painrx.tapers._build import StepKind
from painrx.tapers._round import Ties
from painrx.types import TaperRow
from painrx.units import Quantity, format_units, magnitude

__all__ = [
    "Basis",
    "DispenseLine",
    "Dose",
    "FinalStep",
    "TaperSchedule",
    "TaperStep",
    "fmt",
    "q_dict",
    "times",
]

Basis = Literal["original", "current", "hybrid"]
FinalStep = Literal["lengthen_interval", "fewer_doses", "stop"]


def fmt(value: float) -> str:
    """Return a number as the schedule prints it (``10``, ``2.5``)."""
    return f"{value:g}"


def times(n: int) -> str:
    """Return how often a day, in words (``"once"``, ``"twice"``, ``"3 times"``)."""
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
            "amount": q_dict(self.amount),
            "units": [{"strength": q_dict(q), "count": n} for q, n in self.units],
        }


def q_dict(q: Quantity) -> dict[str, Any]:
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

    def __str__(self) -> str:
        """``day 7: 55 mg/day (rounded from the ideal 54 mg/day)``."""
        note = f" ({'hold; ' if self.hold else ''}{self.note})" if self.note or self.hold else ""
        return f"day {self.day}: {self.daily_dose:g}{note}"

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
            n = len(texts)
            return texts[0] if n == 1 else f"{texts[0]}, {times(n)} a day"
        return "; ".join(texts) + " (in order through the day)"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "day": self.day,
            "daily_dose": q_dict(self.daily_dose),
            "ideal_dose": q_dict(self.ideal_dose),
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
        return {"strength": q_dict(self.strength), "quantity": self.quantity, "used": self.used}


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

    def __str__(self) -> str:
        """``oxycodone taper from 60 mg/day: 10% of the original dose every 7 day …``."""
        dispense = ", ".join(f"{d.strength} × {d.quantity}" for d in self.dispensing())
        return (
            f"{self.drug} taper from {self.steps[0].daily_dose:g}: {self.percent:g}% of the "
            f"{self.basis} dose every {self.interval}, {len(self.steps)} steps, 0 on day "
            f"{self.last_day}"
            + (f"; dispense {dispense}" if dispense else "")
            + f" (source {self.source.id}); {alerts_text(self.alerts)}"
        )

    def plot(self, ax: Any = None) -> Any:
        """Draw daily dose by day, holds marked, the end rule labelled (``painrx[plot]``).

        Args:
            ax: A matplotlib Axes to draw on (default: a new figure).

        Returns:
            The Axes.
        """
        from painrx.tapers._plot import plot_taper

        return plot_taper(self, ax)

    def to_rows(self) -> list[TaperRow]:
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
                repeats = length // change_days
                doses: tuple[Dose, ...] = step.doses[:1]
            elif step.every_days > 1:
                repeats = -(-length // step.every_days)
                doses = step.doses
            else:
                repeats = length
                doses = step.doses
            for dose in doses:
                for strength, count in dose.units:
                    key = float(strength.magnitude)
                    used[key] = used.get(key, Fraction(0)) + Fraction(count) * repeats
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
            "interval": q_dict(self.interval),
            "phase2_percent": self.phase2_percent,
            "phase2_interval": q_dict(self.phase2_interval) if self.phase2_interval else None,
            "switch_fraction": self.switch_fraction,
            "strengths": [q_dict(q) for q in self.strengths],
            "splittable": self.splittable,
            "ties": self.ties,
            "doses_per_day": self.doses_per_day,
            "equal_doses": self.equal_doses,
            "max_step_fraction": self.max_step_fraction,
            "stop_at": q_dict(self.stop_at) if self.stop_at is not None else None,
            "duration_of_use": (
                q_dict(self.duration_of_use) if self.duration_of_use is not None else None
            ),
            "use": self.use,
            "guideline": self.guideline,
            "final_step": self.final_step,
            "change_interval": q_dict(self.change_interval) if self.change_interval else None,
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
        parts.append(alerts_html(self.alerts))
        parts.append(f"<p>Source: {source_html(self.source)}</p>")
        return "".join(parts)
