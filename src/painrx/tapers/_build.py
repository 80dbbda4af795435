"""The taper engine: the ideal dose sequence and the rounded steps, in exact arithmetic.

The ideal sequence is never rounded: each step is rounded from its ideal value, so
rounding error cannot accumulate. Doses never increase; a rounding that gives no
reduction becomes a hold; at the smallest available dose the dosing interval is
lengthened before the taper stops (when the caller asks for it).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Literal

import attrs

from painrx.errors import InputError
from painrx.tapers._round import Maker, Ties

__all__ = ["Phase", "RawStep", "StepKind", "build", "ideals"]

StepKind = Literal["start", "reduce", "hold", "smallest", "lengthen", "stop"]


@attrs.frozen
class Phase:
    """One phase of a taper: the fraction cut per interval, and what it is a fraction of."""

    fraction: Fraction
    days: int
    of: Literal["original", "current"]


@attrs.frozen
class RawStep:
    """One step before it becomes a public :class:`~painrx.tapers.TaperStep`.

    Attributes:
        day: Day the step starts (day 0: the starting dose).
        daily: The average daily dose.
        ideal: The unrounded dose of the sequence (the daily dose for lengthened
            intervals; 0 for the stop).
        kind: What the step does.
        doses: The administrations of one dosing day, smallest first.
        every_days: 1 for daily dosing, more when the interval is lengthened.
        phase: The phase (1 or 2) the step belongs to.
        end: Why the taper stopped (``"zero"``, ``"stop_at"``, ``"smallest"``), stop step only.
    """

    day: int
    daily: Fraction
    ideal: Fraction
    kind: StepKind
    doses: tuple[Fraction, ...]
    every_days: int = 1
    phase: int = 1
    end: str = ""


def ideals(
    start: Fraction,
    phases: tuple[Phase, ...],
    *,
    switch_at: Fraction | None,
    stop_at: Fraction | None,
) -> Iterator[tuple[Fraction, int, int, str]]:
    """Yield ``(ideal dose, interval days, phase, end)`` for each step after the start.

    ``end`` is empty until the last item, whose ideal is 0 and whose ``end`` says why:
    ``"zero"`` (a linear taper reached 0) or ``"stop_at"`` (the previous ideal was at or
    below ``stop_at``). With two phases, phase 2 starts after the first ideal at or
    below ``switch_at``.
    """
    x = start
    linear_steps = 0
    index = 0
    while True:
        if index == 0 and len(phases) > 1 and switch_at is not None and x <= switch_at:
            index = 1
        phase = phases[index]
        if stop_at is not None and x <= stop_at:
            yield Fraction(0), phase.days, index + 1, "stop_at"
            return
        if phase.of == "current":
            x *= 1 - phase.fraction
        else:
            linear_steps += 1
            x = start * (1 - linear_steps * phase.fraction)
        if x <= 0:
            yield Fraction(0), phase.days, index + 1, "zero"
            return
        yield x, phase.days, index + 1, ""


def _even_split(daily: Fraction, doses_per_day: int) -> tuple[Fraction, ...]:
    return (daily / doses_per_day,) * doses_per_day


def build(
    start: Fraction,
    sequence: Iterator[tuple[Fraction, int, int, str]],
    *,
    maker: Maker | None,
    ties: Ties,
    doses_per_day: int,
    lengthen_every: int | None,
    max_steps: int,
) -> list[RawStep]:
    """Round the ideal sequence into steps.

    Args:
        start: The starting daily dose (makeable when ``maker`` is given).
        sequence: The ideal sequence from :func:`ideals`.
        maker: The makeable doses, or None for exact (liquid) doses.
        ties: How exact halfway ideals round.
        doses_per_day: Administrations per day.
        lengthen_every: At the smallest dose, take fewer doses a day down to one, then
            (when above 1) one dose every this many days, before stopping; None stops from
            the smallest dose.
        max_steps: Refuse schedules longer than this.

    Raises:
        InputError: The schedule would need more than ``max_steps`` steps.
    """
    split = maker.split if maker is not None else (lambda d: _even_split(d, doses_per_day))
    steps = [RawStep(0, start, start, "start", split(start))]
    day = 0
    prev = start
    end = ""
    days = 0
    phase = 1
    for ideal, step_days, step_phase, step_end in sequence:
        days, phase, end = step_days, step_phase, step_end
        if len(steps) > max_steps:
            msg = (
                f"The schedule needs more than max_steps={max_steps} steps; use a larger "
                "percent, a higher stop_at, or raise max_steps."
            )
            raise InputError(msg)
        day += days
        if end:
            break
        if maker is None:
            steps.append(RawStep(day, ideal, ideal, "reduce", split(ideal), phase=phase))
            prev = ideal
            continue
        smallest = maker.smallest_daily
        if prev == smallest and ideal < smallest:
            end = "smallest"
            break
        dose = maker.round(ideal, ties)
        kind: StepKind = "reduce"
        if dose == 0:
            dose, kind = smallest, "smallest"
        if dose >= prev:
            dose, kind = prev, "hold"
        steps.append(RawStep(day, dose, ideal, kind, split(dose), phase=phase))
        prev = dose
    if maker is not None and lengthen_every is not None and prev == maker.smallest_daily:
        unit = maker.smallest_dose
        for count in range(doses_per_day - 1, 0, -1):
            steps.append(RawStep(day, unit * count, unit * count, "lengthen", (unit,) * count))
            day += days
        if lengthen_every > 1:
            average = unit / lengthen_every
            steps.append(RawStep(day, average, average, "lengthen", (unit,), lengthen_every))
            day += days
    steps.append(RawStep(day, Fraction(0), Fraction(0), "stop", (), phase=phase, end=end))
    return steps
