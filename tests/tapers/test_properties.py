"""Hypothesis invariants of taper schedules.

Doses never increase; every dose is makeable from the strengths; a rounded step is
within half a daily dose step of its ideal unless it is a hold, a floor at the smallest
dose or part of the end rule; linear exact schedules reach 0 in ceil(100/percent)
steps; every cut beyond the cap and every hold is alerted.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import pairwise
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import painrx as rx
from painrx.tapers import TaperSchedule

STRENGTHS = ("1 mg", "2 mg", "2.5 mg", "5 mg", "7.5 mg", "10 mg", "15 mg", "20 mg", "30 mg")


def frac(q: rx.Quantity) -> Fraction:
    return Fraction(repr(round(float(q.magnitude), 9)))


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    strengths = draw(st.lists(st.sampled_from(STRENGTHS), min_size=1, max_size=3, unique=True))
    per_day = draw(st.integers(1, 4))
    counts = draw(st.lists(st.integers(0, 4), min_size=len(strengths), max_size=len(strengths)))
    if not any(counts):
        counts[0] = 1
    per_dose = sum(c * frac(rx.Q(s)) for c, s in zip(counts, strengths, strict=True))
    start = per_dose * per_day
    basis = draw(st.sampled_from(["original", "current", "hybrid"]))
    percent = draw(st.one_of(st.integers(1, 60), st.floats(1, 60).map(lambda x: round(x, 2))))
    plan: dict[str, Any] = {
        "daily_dose": f"{float(start)!r} mg/day",
        "percent": percent,
        "interval": f"{draw(st.integers(1, 30))} day",
        "basis": basis,
        "strengths": strengths,
        "splittable": draw(st.booleans()),
        "ties": draw(st.sampled_from(["up", "down", "even"])),
        "doses_per_day": per_day,
        "equal_doses": draw(st.booleans()),
        "max_step_fraction": draw(st.sampled_from([0.1, 0.25, 0.5, 1.0])),
        "final_step": draw(st.sampled_from(["lengthen_interval", "stop"])),
        "max_units_per_dose": draw(st.one_of(st.none(), st.integers(sum(counts), sum(counts) + 3))),
    }
    if basis != "original" or draw(st.booleans()):
        fraction = draw(st.sampled_from([Fraction(1, 20), Fraction(1, 10), Fraction(1, 3)]))
        plan["stop_at"] = rx.Q(float(start * fraction), "mg/day")
    return plan


def smallest_piece(s: TaperSchedule) -> Fraction:
    smallest = min(frac(q) for q in s.strengths)
    return smallest / 2 if s.splittable else smallest


def daily_step(s: TaperSchedule) -> Fraction:
    """The widest gap between makeable daily totals at or above the smallest one."""
    return smallest_piece(s) * (s.doses_per_day if s.equal_doses else 1)


def alerted_days(s: TaperSchedule, code: str) -> list[int]:
    return [int(a.message.split(":")[0].removeprefix("Day ")) for a in s.alerts if a.code == code]


@given(plans())
def test_doses_never_increase_and_end_at_zero(plan: dict[str, Any]) -> None:
    s = rx.taper("oxycodone", **plan)
    daily = [frac(step.daily_dose) for step in s.steps]
    assert daily[0] == frac(rx.Q(plan["daily_dose"]))
    assert daily[-1] == 0
    assert all(b <= a for a, b in pairwise(daily))
    assert all(b.day > a.day for a, b in pairwise(s.steps))
    assert [step.kind for step in s.steps].count("stop") == 1


@given(plans())
def test_every_dose_is_makeable_from_the_strengths(plan: dict[str, Any]) -> None:
    s = rx.taper("oxycodone", **plan)
    allowed = {frac(q) for q in s.strengths}
    for step in s.steps[:-1]:
        total = Fraction(0)
        for dose in step.doses:
            made = Fraction(0)
            for strength, count in dose.units:
                assert frac(strength) in allowed
                count_f = Fraction(repr(count))
                assert count_f > 0
                assert count_f.denominator == (1 if not s.splittable else count_f.denominator)
                assert count_f.denominator in {1, 2}
                made += frac(strength) * count_f
            assert made == frac(dose.amount)
            limit = plan["max_units_per_dose"]
            assert limit is None or sum(math.ceil(n) for _, n in dose.units) <= limit
            total += made
        assert total / step.every_days == frac(step.daily_dose)
        if step.kind in {"start", "reduce", "hold", "smallest"}:
            assert len(step.doses) == s.doses_per_day
            if s.equal_doses:
                assert len({frac(d.amount) for d in step.doses}) == 1
    assert s.steps[-1].doses == ()


@given(plans())
def test_rounding_stays_within_half_a_step_of_the_ideal(plan: dict[str, Any]) -> None:
    s = rx.taper("oxycodone", **plan)
    if plan["max_units_per_dose"] is not None:
        return  # a unit limit leaves gaps wider than one piece
    # Below the smallest makeable daily total the neighbours are 0 and that total.
    smallest_daily = smallest_piece(s) * s.doses_per_day
    for step in s.steps:
        if step.kind == "reduce":
            ideal = frac(step.ideal_dose)
            gap = daily_step(s) if ideal >= smallest_daily else smallest_daily
            assert abs(frac(step.daily_dose) - ideal) <= gap / 2


@given(plans())
def test_every_cut_beyond_the_cap_and_every_hold_is_alerted(plan: dict[str, Any]) -> None:
    s = rx.taper("oxycodone", **plan)
    cap = Fraction(repr(plan["max_step_fraction"]))
    expected: list[int] = []
    for prev, step in pairwise(s.steps):
        exempt = step.kind == "lengthen" or (step.kind == "stop" and prev.kind == "lengthen")
        cut = (frac(prev.daily_dose) - frac(step.daily_dose)) / frac(prev.daily_dose)
        if not exempt and cut > cap:
            expected.append(step.day)
    assert alerted_days(s, "taper_step_exceeds_cap") == expected
    holds = [step.day for step in s.steps if step.hold]
    assert alerted_days(s, "taper_no_reduction") == holds
    assert all(step.kind == "hold" for step in s.steps if step.hold)


@given(
    start=st.integers(1, 500),
    percent=st.one_of(st.integers(1, 99), st.floats(1, 99.5).map(lambda x: round(x, 3))),
    interval=st.integers(1, 60),
)
def test_linear_exact_reaches_zero_in_ceil_100_over_percent_steps(
    start: int, percent: float, interval: int
) -> None:
    s = rx.taper("morphine", f"{start} mg/day", percent=percent, interval=f"{interval} day")
    steps = math.ceil(Fraction(100) / Fraction(repr(float(percent))))
    assert len(s.steps) == steps + 1
    assert s.last_day == steps * interval
    p = Fraction(repr(float(percent))) / 100
    for k, step in enumerate(s.steps[:-1]):
        assert abs(frac(step.daily_dose) - start * (1 - k * p)) < Fraction(1, 10**6)


@given(
    start=st.integers(10, 500),
    percent=st.integers(1, 50),
    stop_fraction=st.sampled_from([Fraction(1, 10), Fraction(1, 4), Fraction(1, 2)]),
)
def test_current_exact_follows_the_exponential_and_stops_below_stop_at(
    start: int, percent: int, stop_fraction: Fraction
) -> None:
    stop = start * stop_fraction
    s = rx.taper(
        "morphine",
        f"{start} mg/day",
        percent=percent,
        interval="7 day",
        basis="current",
        stop_at=f"{float(stop)!r} mg/day",
    )
    for k, step in enumerate(s.steps[:-1]):
        ideal = start * (1 - Fraction(percent, 100)) ** k
        assert abs(frac(step.daily_dose) - ideal) < Fraction(1, 10**6)
    last = frac(s.steps[-2].daily_dose)
    assert last <= stop + Fraction(1, 10**6)
    assert all(frac(step.daily_dose) > stop for step in s.steps[:-2])
