"""Opioid taper schedules: hand-checked schedules, alerts, refusals and outputs."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

import painrx as rx
from painrx.tapers import TaperSchedule


def doses(s: TaperSchedule) -> list[float]:
    return [round(float(step.daily_dose.magnitude), 9) for step in s.steps]


def days(s: TaperSchedule) -> list[int]:
    return [step.day for step in s.steps]


def codes(s: TaperSchedule) -> list[str]:
    return [a.code for a in s.alerts]


def kinds(s: TaperSchedule) -> list[str]:
    return [step.kind for step in s.steps]


# --- linear ("original") ---------------------------------------------------------------


def test_linear_exact_10_percent_of_original_monthly() -> None:
    # Hand-checked: 60 mg/day less 6 mg (10% of the original) every 30 days reaches 0
    # after ceil(100/10) = 10 steps. CDC 2022: 10% per month for long-term use.
    s = rx.taper("morphine", "60 mg/day", percent=10, interval="1 month", duration_of_use="2 year")
    assert doses(s) == [60, 54, 48, 42, 36, 30, 24, 18, 12, 6, 0]
    assert days(s) == list(range(0, 301, 30))
    assert [float(step.ideal_dose.magnitude) for step in s.steps] == doses(s)
    assert kinds(s) == ["start"] + ["reduce"] * 9 + ["stop"]
    assert not any(step.hold for step in s.steps)
    assert s.use == "long_term"
    assert s.source.id == "CDC_2022"
    assert "taper_faster_than_guideline" not in codes(s)
    # 6 of 24 is 25%: at the cap, not beyond; 18→12, 12→6 and 6→0 are beyond it.
    cap = [a.message for a in s.alerts if a.code == "taper_step_exceeds_cap"]
    assert len(cap) == 3
    assert [m.split(":")[0] for m in cap] == ["Day 240", "Day 270", "Day 300"]


def test_linear_rounded_to_5_mg_whole_tablets_ends_with_the_cdc_final_step() -> None:
    # Hand-checked: ideal 54, 48, 42, 36, 30, 24, 18, 12, 6 rounded to the nearest 5 mg;
    # at the smallest dose (5 mg) the interval is lengthened to every other day, then stop
    # (CDC pocket guide: stop once taken less than once a day).
    s = rx.taper(
        "morphine",
        "60 mg/day",
        percent=10,
        interval="1 month",
        strengths=["5 mg"],
        splittable=False,
    )
    assert doses(s) == [60, 55, 50, 40, 35, 30, 25, 20, 10, 5, 2.5, 0]
    assert kinds(s)[-2:] == ["lengthen", "stop"]
    lengthen = s.steps[-2]
    assert lengthen.every_days == 2
    assert lengthen.describe_doses() == "1 × 5 mg every 2 days"
    assert "every 2 days" in lengthen.note
    assert "less than once a day" in s.steps[-1].note
    assert [float(q.magnitude) for q in (s.steps[1].ideal_dose, s.steps[8].ideal_dose)] == [54, 12]
    # The stop after every-other-day dosing is the CDC end rule, not an over-cap cut.
    assert [a.message.split(":")[0] for a in s.alerts if a.code == "taper_step_exceeds_cap"] == [
        "Day 240",
        "Day 270",
    ]


def test_linear_with_final_step_stop_goes_straight_to_zero() -> None:
    s = rx.taper(
        "morphine",
        "60 mg/day",
        percent=10,
        interval="1 month",
        strengths=["5 mg"],
        splittable=False,
        final_step="stop",
    )
    assert doses(s)[-3:] == [10, 5, 0]
    assert "Day 300" in [a.message.split(":")[0] for a in s.alerts]


def test_ties_up_and_down_give_different_schedules() -> None:
    # 20 mg tablets only: the ideal 30 mg/day (day 150) is exactly halfway between 20 and 40.
    common: dict[str, Any] = {
        "percent": 10,
        "interval": "1 month",
        "strengths": ["20 mg"],
        "splittable": False,
    }
    up = rx.taper("morphine", "60 mg/day", ties="up", **common)
    down = rx.taper("morphine", "60 mg/day", ties="down", **common)
    assert up.steps[5].ideal_dose.magnitude == down.steps[5].ideal_dose.magnitude == 30
    assert up.steps[5].daily_dose.magnitude == 40
    assert down.steps[5].daily_dose.magnitude == 20
    assert doses(up) != doses(down)
    assert doses(down) == [60, 60, 40, 40, 40, 20, 20, 10, 0]
    assert doses(up) == [60, 60, 40, 40, 40, 40, 20, 10, 0]


def test_ties_even_picks_the_even_multiple() -> None:
    # 20 mg grid: 30 lies between 20 (1 × 20, odd) and 40 (2 × 20, even) → 40;
    # 50 lies between 40 (even) and 60 (odd) → 40.
    common: dict[str, Any] = {"strengths": ["20 mg"], "splittable": False, "ties": "even"}
    s = rx.taper("morphine", "60 mg/day", percent=50, interval="7 day", **common)
    assert doses(s)[:2] == [60, 40]
    s = rx.taper("morphine", "60 mg/day", percent=10, interval="7 day", **common)
    assert s.steps[5].ideal_dose.magnitude == 30
    assert s.steps[5].daily_dose.magnitude == 40


def test_rounding_with_halves_of_scored_tablets() -> None:
    # Pathway call: post-operative oxycodone 30 mg/day, 25% of the original dose daily.
    s = rx.taper(
        "oxycodone",
        "30 mg/day",
        percent=25,
        interval="1 day",
        strengths=["5 mg"],
        duration_of_use="5 day",
    )
    assert doses(s) == [30, 22.5, 15, 7.5, 0]
    assert days(s) == [0, 1, 2, 3, 4]
    assert s.splittable
    assert s.steps[1].describe_doses() == "4½ × 5 mg"
    assert s.use == "post_operative"
    assert s.source.id == "HYLAND_2023"
    assert "taper_faster_than_guideline" not in codes(s)
    assert "taper_longer_than_expected" not in codes(s)


def test_linear_reaches_zero_after_ceil_100_over_percent_steps() -> None:
    s = rx.taper("morphine", "90 mg/day", percent=30, interval="7 day")
    assert doses(s) == [90, 63, 36, 9, 0]


# --- exponential ("current") and hybrid -------------------------------------------------


def test_current_basis_exact() -> None:
    # Hand-checked: 100 × 0.9^k until an ideal at or below stop_at (47.82969 ≤ 50), then 0.
    s = rx.taper(
        "morphine", "100 mg/day", percent=10, interval="7 day", basis="current", stop_at="50 mg/day"
    )
    assert doses(s) == [100, 90, 81, 72.9, 65.61, 59.049, 53.1441, 47.82969, 0]
    assert days(s) == list(range(0, 57, 7))
    assert "stop_at" in s.steps[-1].note


def test_current_basis_rounded_reports_holds() -> None:
    s = rx.taper(
        "morphine",
        "100 mg/day",
        percent=10,
        interval="7 day",
        basis="current",
        stop_at="50 mg/day",
        strengths=["10 mg"],
        splittable=False,
    )
    # Ideals 90, 81, 72.9, 65.61, 59.049, 53.1441, 47.83 → 90, 80, 70, 70 (hold), 60, 50, 50.
    assert doses(s) == [100, 90, 80, 70, 70, 60, 50, 50, 0]
    assert [step.hold for step in s.steps] == [False] * 4 + [True] + [False] * 2 + [True, False]
    holds = [a for a in s.alerts if a.code == "taper_no_reduction"]
    assert [a.message.split(":")[0] for a in holds] == ["Day 28", "Day 49"]
    assert all(a.severity is rx.Severity.MINOR for a in holds)


def test_hybrid_switches_at_30_percent_of_the_original_dose() -> None:
    # HHS 2019: 10% of the original until 30% remains (30 mg), then 10% of the current dose.
    s = rx.taper(
        "morphine", "100 mg/day", percent=10, interval="7 day", basis="hybrid", stop_at="20 mg/day"
    )
    assert doses(s) == [100, 90, 80, 70, 60, 50, 40, 30, 27, 24.3, 21.87, 19.683, 0]
    assert s.switch_fraction == 0.3
    assert s.phase2_percent == 10


def test_hybrid_per_phase_settings() -> None:
    s = rx.taper(
        "morphine",
        "100 mg/day",
        percent=20,
        interval="7 day",
        basis="hybrid",
        stop_at="10 mg/day",
        phase2_percent=50,
        phase2_interval="14 day",
        switch_fraction=0.4,
    )
    assert doses(s) == [100, 80, 60, 40, 20, 10, 0]
    assert days(s) == [0, 7, 14, 21, 35, 49, 63]


def test_hybrid_with_rounding() -> None:
    s = rx.taper(
        "morphine",
        "100 mg/day",
        percent=10,
        interval="7 day",
        basis="hybrid",
        stop_at="20 mg/day",
        strengths=["5 mg"],
        splittable=False,
    )
    assert doses(s) == [100, 90, 80, 70, 60, 50, 40, 30, 25, 25, 20, 20, 0]


# --- ER products, doses per day, unequal doses -----------------------------------------


def test_er_tablets_are_not_split_and_plateaus_are_holds() -> None:
    # OxyContin is an ER tablet: no halves by default. 10 mg twice a day → daily totals
    # are multiples of 20 mg, so 10% steps of 40 mg/day give explicit holds.
    s = rx.taper(
        "OxyContin", "40 mg/day", percent=10, interval="7 day", strengths=["10 mg"], doses_per_day=2
    )
    assert not s.splittable
    assert s.form == "er_tablet"
    assert doses(s) == [40, 40, 40, 20, 20, 20, 10, 5, 0]
    assert kinds(s) == [
        *("start", "hold", "hold", "reduce", "hold", "hold"),
        *("lengthen", "lengthen", "stop"),
    ]
    assert codes(s).count("taper_no_reduction") == 4
    assert s.steps[6].describe_doses() == "1 × 10 mg"
    assert "once a day instead of twice" in s.steps[6].note


def test_unequal_doses_put_the_larger_dose_last() -> None:
    s = rx.taper(
        "oxycodone",
        "30 mg/day",
        percent=50,
        interval="7 day",
        strengths=["5 mg"],
        splittable=False,
        doses_per_day="BID",
        equal_doses=False,
    )
    assert doses(s)[:2] == [30, 15]
    assert [float(d.amount.magnitude) for d in s.steps[1].doses] == [5, 10]
    assert s.steps[1].describe_doses() == "1 × 5 mg; 2 × 5 mg (in order through the day)"
    equal = rx.taper(
        "oxycodone",
        "30 mg/day",
        percent=50,
        interval="7 day",
        strengths=["5 mg"],
        splittable=False,
        doses_per_day=2,
    )
    # Equal doses cannot make 15 mg/day from whole 5 mg tablets: 15 rounds up to 20.
    assert doses(equal)[:2] == [30, 20]


def test_max_units_per_dose_limits_patches_and_tablets() -> None:
    common: dict[str, Any] = {
        "percent": 25,
        "interval": "9 day",
        "route": "transdermal",
        "strengths": ["12 mcg/h", "25 mcg/h", "50 mcg/h"],
    }
    free = rx.taper("Duragesic", "75 mcg/h", **common)
    capped = rx.taper("Duragesic", "75 mcg/h", max_units_per_dose=2, **common)
    # Without a limit 56.25 rounds to 56 = 2 × 25 + ... ; with two patches at most: 62.
    assert max(sum(n for _, n in step.doses[0].units) for step in free.steps[:-1]) > 2
    assert capped.steps[1].daily_dose.magnitude == 62
    assert all(sum(n for _, n in step.doses[0].units) <= 2 for step in capped.steps[:-1])


# --- patches ----------------------------------------------------------------------------


def test_fentanyl_patch_interval_snaps_up_to_72_hours() -> None:
    s = rx.taper(
        "Duragesic",
        "50 mcg/h",
        percent=25,
        interval="7 day",
        route="transdermal",
        strengths=["12 mcg/h", "25 mcg/h"],
        max_units_per_dose=2,
    )
    assert s.interval.to("day").magnitude == 9
    assert days(s)[:3] == [0, 9, 18]
    assert s.change_interval is not None
    assert s.change_interval.magnitude == 72
    snapped = [a for a in s.alerts if a.code == "taper_interval_snapped"]
    assert len(snapped) == 1
    assert snapped[0].source is not None
    assert "DURAGESIC" in snapped[0].source.title
    assert s.steps[-1].describe_doses(patch=True) == "remove the last patch"
    assert s.to_rows()[0]["tablets_per_dose"] == "2 × 25 mcg/h patch(es) per application"
    # No lengthened interval for a patch: stop from the smallest patch.
    assert "lengthen" not in kinds(s)


def test_fentanyl_patch_interval_already_a_multiple_is_not_snapped() -> None:
    s = rx.taper(
        "fentanyl",
        "50 mcg/h",
        percent=25,
        interval="6 day",
        route="transdermal",
        strengths=["12 mcg/h", "25 mcg/h"],
    )
    assert "taper_interval_snapped" not in codes(s)
    assert str(s.interval) == "6 day"


def test_butrans_snaps_to_7_days() -> None:
    s = rx.taper(
        "Butrans",
        "20 mcg/h",
        percent=25,
        interval="10 day",
        route="transdermal",
        strengths=["5 mcg/h", "10 mcg/h", "20 mcg/h"],
    )
    assert s.interval.magnitude == 14
    assert s.change_interval is not None
    assert s.change_interval.to("day").magnitude == 7
    assert "taper_interval_snapped" in codes(s)
    dispensed = {float(d.strength.magnitude): d.quantity for d in s.dispensing()}
    # 20 (2 weeks), 15 = 10 + 5 (2 weeks), 10 (2 weeks), 5 (2 weeks): one patch set a week.
    assert doses(s) == [20, 15, 10, 5, 0]
    assert dispensed == {20: 2, 10: 4, 5: 4}


def test_generic_buprenorphine_patch_needs_the_product_interval() -> None:
    with pytest.raises(rx.InputError, match="differ in change interval"):
        rx.taper(
            "buprenorphine",
            "35 mcg/h",
            percent=25,
            interval="8 day",
            route="transdermal",
            strengths=["35 mcg/h"],
        )
    # Transtec (SmPC): 96 h. 5 days snaps up to 8.
    s = rx.taper(
        "buprenorphine",
        "70 mcg/h",
        percent=25,
        interval="5 day",
        route="transdermal",
        strengths=["35 mcg/h", "52.5 mcg/h", "70 mcg/h"],
        change_interval="96 h",
    )
    assert s.interval.magnitude == 8
    with pytest.raises(rx.InputError, match="not a labelled change interval"):
        rx.taper(
            "buprenorphine",
            "70 mcg/h",
            percent=25,
            interval="8 day",
            route="transdermal",
            strengths=["35 mcg/h"],
            change_interval="5 day",
        )


def test_hybrid_patch_snaps_both_phases() -> None:
    s = rx.taper(
        "fentanyl",
        "100 mcg/h",
        percent=10,
        interval="7 day",
        route="transdermal",
        basis="hybrid",
        stop_at="25 mcg/h",
        phase2_interval="10 day",
        strengths=["12 mcg/h", "25 mcg/h", "50 mcg/h", "100 mcg/h"],
    )
    assert s.interval.magnitude == 9
    assert s.phase2_interval is not None
    assert s.phase2_interval.magnitude == 12
    assert codes(s).count("taper_interval_snapped") == 2


# --- guideline alerts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("guideline", "duration", "percent", "interval", "faster"),
    [
        # CDC 2022: 10%/month after ≥1 year; 10%/week for weeks to months.
        ("CDC_2022", "2 year", 10, "1 month", False),
        ("CDC_2022", "2 year", 10, "7 day", True),
        ("CDC_2022", "1 year", 10, "29 day", True),
        ("CDC_2022", "365 day", 10, "30 day", False),
        ("CDC_2022", "3 month", 10, "7 day", False),
        ("CDC_2022", "3 month", 10, "6 day", True),
        # HHS 2019: same paces.
        ("HHS_2019", "18 month", 10, "30 day", False),
        ("HHS_2019", "18 month", 11, "30 day", True),
        ("HHS_2019", "6 week", 10, "7 day", False),
        ("HHS_2019", "6 week", 15, "7 day", True),
        # VA/DoD 2017: gradual 5–20% every 4 weeks.
        ("VA_DOD_2017", "5 year", 20, "28 day", False),
        ("VA_DOD_2017", "5 year", 20, "27 day", True),
        # Post-operative (Hyland 2023): 20–25% every 1–2 days, whatever guideline is named.
        ("CDC_2022", "5 day", 25, "1 day", False),
        ("VA_DOD_2017", "14 day", 30, "1 day", True),
    ],
)
def test_taper_faster_than_guideline(
    guideline: str, duration: str, percent: float, interval: str, faster: bool
) -> None:
    s = rx.taper(
        "morphine",
        "60 mg/day",
        percent=percent,
        interval=interval,
        duration_of_use=duration,
        guideline=guideline,
    )
    assert ("taper_faster_than_guideline" in codes(s)) is faster
    alert = next((a for a in s.alerts if a.code == "taper_faster_than_guideline"), None)
    if alert is not None:
        assert alert.source is not None
        assert alert.source.id == s.source.id
        assert alert.severity is rx.Severity.MODERATE


def test_hybrid_phase_two_is_checked_too() -> None:
    s = rx.taper(
        "morphine",
        "60 mg/day",
        percent=10,
        interval="30 day",
        basis="hybrid",
        stop_at="10 mg/day",
        phase2_percent=20,
        duration_of_use="2 year",
    )
    faster = [a for a in s.alerts if a.code == "taper_faster_than_guideline"]
    assert len(faster) == 1
    assert "20% of the current dose" in faster[0].message


def test_duration_classes() -> None:
    def use(duration: str) -> str | None:
        s: TaperSchedule = rx.taper(
            "morphine", "60 mg/day", percent=10, interval="1 month", duration_of_use=duration
        )
        return s.use

    assert use("14 day") == "post_operative"
    assert use("15 day") == "weeks_to_months"
    assert use("364 day") == "weeks_to_months"
    assert use("365 day") == "long_term"
    assert use("1 year") == "long_term"
    assert use("12 month") == "weeks_to_months"


def test_post_operative_taper_longer_than_7_days() -> None:
    # Hyland 2023: most patients are off opioids within 3–7 days after major surgery.
    s = rx.taper("oxycodone", "30 mg/day", percent=10, interval="1 day", duration_of_use="3 day")
    assert s.last_day == 10
    alert = next(a for a in s.alerts if a.code == "taper_longer_than_expected")
    assert alert.severity is rx.Severity.MINOR
    assert "7 days" in alert.message
    short = rx.taper(
        "oxycodone", "30 mg/day", percent=25, interval="1 day", duration_of_use="3 day"
    )
    assert short.last_day == 4
    assert "taper_longer_than_expected" not in codes(short)
    edge = rx.taper("oxycodone", "35 mg/day", percent=15, interval="1 day", duration_of_use="3 day")
    assert edge.last_day == 7
    assert "taper_longer_than_expected" not in codes(edge)
    # Not post-operative: no expected length.
    long = rx.taper(
        "oxycodone", "30 mg/day", percent=10, interval="1 day", duration_of_use="2 year"
    )
    assert "taper_longer_than_expected" not in codes(long)


def test_pace_not_checked_without_duration_or_pace() -> None:
    s = rx.taper("morphine", "60 mg/day", percent=10, interval="7 day")
    alert = next(a for a in s.alerts if a.code == "taper_pace_not_checked")
    assert alert.severity is rx.Severity.INFO
    assert s.use is None
    s = rx.taper(
        "morphine",
        "60 mg/day",
        percent=10,
        interval="7 day",
        duration_of_use="2 month",
        guideline="VA_DOD_2017",
    )
    assert "taper_pace_not_checked" in codes(s)
    assert s.source.id == "VA_DOD_2017"


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drug", "kwargs"),
    [
        ("methadone", {}),
        ("Dolophine", {}),
        ("Suboxone", {"route": "sublingual"}),
        ("Suboxone", {}),
        ("Subutex", {}),
        ("buprenorphine", {"route": "sublingual"}),
        ("buprenorphine", {"indication": "oud"}),
        ("oxycodone", {"indication": "OUD"}),
        # Review fixes: the default route="oral" used to let these through.
        ("buprenorphine", {}),
        ("buprenorphine", {"route": "oral", "form": "tablet"}),
        ("buprenorphine/naloxone", {}),
        ("buprenorphine/naloxone", {"route": "buccal"}),
        ("buprenorphine/naloxone", {"route": "sublingual"}),
    ],
)
def test_refusals(drug: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(rx.UnsafeConversionError, match="specialist"):
        rx.taper(drug, "10 mg/day", percent=10, interval="7 day", **kwargs)


def test_unknown_and_non_opioid_drugs() -> None:
    with pytest.raises(rx.UnknownDrugError):
        rx.taper("oxycodonne", "30 mg/day", percent=10, interval="7 day")
    with pytest.raises(rx.InputError, match="not an opioid"):
        rx.taper("ibuprofen", "1200 mg/day", percent=10, interval="7 day")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"percent": 0}, rx.InputError, "percent=0"),
        ({"percent": 100}, rx.InputError, "below 100"),
        ({"percent": -5}, rx.InputError, "percent"),
        ({"percent": True}, rx.InputError, "percent"),
        ({"percent": "10"}, rx.InputError, "percent"),
        ({"percent": float("nan")}, rx.InputError, "percent"),
        ({"interval": "36 h"}, rx.InputError, "whole number of days"),
        ({"interval": 7}, rx.UnitError, "bare number"),
        ({"interval": "7 mg"}, rx.UnitError, "interval"),
        ({"interval": "0 day"}, rx.InputError, "greater than zero"),
        ({"daily_dose": "60 mg"}, rx.UnitError, "daily_dose"),
        ({"daily_dose": 60}, rx.UnitError, "bare number"),
        ({"daily_dose": "-60 mg/day"}, rx.InputError, "greater than zero"),
        ({"basis": "linear"}, rx.InputError, "'original', 'current', 'hybrid'"),
        ({"basis": "current"}, rx.InputError, "stop_at"),
        ({"basis": "hybrid"}, rx.InputError, "stop_at"),
        ({"stop_at": "60 mg/day"}, rx.InputError, "below daily_dose"),
        ({"stop_at": "5 mg"}, rx.UnitError, "stop_at"),
        ({"phase2_percent": 5}, rx.InputError, "hybrid' only"),
        ({"switch_fraction": 0.3}, rx.InputError, "hybrid' only"),
        (
            {"basis": "hybrid", "stop_at": "5 mg/day", "switch_fraction": 1},
            rx.InputError,
            "below 1",
        ),
        ({"ties": "nearest"}, rx.InputError, "'up', 'down', 'even'"),
        ({"max_step_fraction": 0}, rx.InputError, "max_step_fraction"),
        ({"max_step_fraction": 25}, rx.InputError, "max_step_fraction"),
        ({"doses_per_day": 1.5}, rx.InputError, "whole number"),
        ({"doses_per_day": "q72h"}, rx.InputError, "whole number"),
        ({"doses_per_day": "hourly"}, rx.InputError, "frequency"),
        ({"equal_doses": "yes"}, rx.InputError, "equal_doses"),
        ({"splittable": 1}, rx.InputError, "splittable"),
        ({"final_step": "taper"}, rx.InputError, "final_step"),
        ({"guideline": "WHO"}, rx.InputError, "CDC_2022"),
        ({"max_steps": 0}, rx.InputError, "max_steps"),
        ({"max_units_per_dose": 0}, rx.InputError, "max_units_per_dose"),
        ({"change_interval": "72 h"}, rx.InputError, "patches"),
        ({"route": "iv"}, rx.InputError, "oral and transdermal"),
        ({"route": "sublingual"}, rx.InputError, "oral and transdermal"),
        ({"route": "rectally"}, rx.InputError, "route"),
        ({"form": "patch"}, rx.InputError, "transdermal"),
        ({"form": "nasal spray"}, rx.InputError, "oral"),
        ({"indication": "cancer"}, rx.InputError, "indication"),
        ({"duration_of_use": "5 mg"}, rx.UnitError, "duration_of_use"),
        ({"strengths": "5 mg"}, rx.InputError, "list"),
        ({"strengths": []}, rx.InputError, "empty"),
        ({"strengths": ["5 mg", "5 mg"]}, rx.InputError, "twice"),
        ({"strengths": ["5 mg/day"]}, rx.UnitError, "strength"),
        ({"strengths": [5]}, rx.UnitError, "Bare number"),
        ({"strengths": ["7 mg"], "splittable": False}, rx.InputError, "cannot be made"),
        ({"strengths": ["0.0001 mg"]}, rx.InputError, "strengths=None"),
        ({"percent": 0.001, "interval": "1 day"}, rx.InputError, "at least 1%"),
        ({"percent": 1, "interval": "1 day", "max_steps": 50}, rx.InputError, "max_steps=50"),
    ],
)
def test_invalid_arguments(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    args: dict[str, Any] = {"daily_dose": "60 mg/day", "percent": 10, "interval": "7 day"}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        rx.taper("morphine", **args)


def test_form_rules() -> None:
    with pytest.raises(rx.InputError, match="swallowed whole"):
        rx.taper(
            "OxyContin",
            "40 mg/day",
            percent=10,
            interval="7 day",
            strengths=["10 mg"],
            splittable=True,
        )
    with pytest.raises(rx.InputError, match="equal halves"):
        rx.taper(
            "oxycodone",
            "40 mg/day",
            percent=10,
            interval="7 day",
            strengths=["10 mg"],
            form="capsule",
            splittable=True,
        )
    with pytest.raises(rx.InputError, match="contradicts"):
        rx.taper("OxyContin", "40 mg/day", percent=10, interval="7 day", form="tablet")
    s = rx.taper(
        "oxycodone",
        "40 mg/day",
        percent=10,
        interval="7 day",
        strengths=["10 mg"],
        form="er tablet",
    )
    assert not s.splittable
    assert s.form == "er_tablet"


def test_unsupported_brand_route() -> None:
    with pytest.raises(rx.InputError, match="'Belbuca' is buccal"):
        rx.taper("Belbuca", "0.3 mg/day", percent=10, interval="7 day")


def test_patch_rules() -> None:
    with pytest.raises(rx.InputError, match="transdermal product"):
        rx.taper("Duragesic", "50 mcg/h", percent=10, interval="9 day", strengths=["25 mcg/h"])
    with pytest.raises(rx.InputError, match="fixed strengths"):
        rx.taper("fentanyl", "50 mcg/h", percent=10, interval="9 day", route="transdermal")
    with pytest.raises(rx.InputError, match="doses_per_day"):
        rx.taper(
            "fentanyl",
            "50 mcg/h",
            percent=10,
            interval="9 day",
            route="transdermal",
            strengths=["25 mcg/h"],
            doses_per_day=2,
        )
    with pytest.raises(rx.UnitError, match="mass rate"):
        rx.taper(
            "fentanyl", "50 mcg/h", percent=10, interval="9 day", route="td", strengths=["25 mcg"]
        )
    with pytest.raises(rx.InputError, match="no labelled patch change interval"):
        rx.taper(
            "morphine",
            "5 mcg/h",
            percent=10,
            interval="9 day",
            route="transdermal",
            strengths=["5 mcg/h"],
        )


def test_combination_products_use_the_opioid_component() -> None:
    s = rx.taper(
        "Percocet",
        "40 mg/day",
        percent=25,
        interval="2 day",
        strengths=["10/325 mg", "5/325 mg"],
        doses_per_day=4,
    )
    assert [float(q.magnitude) for q in s.strengths] == [5, 10]
    assert s.product == "oxycodone/acetaminophen"
    assert any("oxycodone component" in n for n in s.notes)
    alone = rx.taper(
        "hydrocodone/acetaminophen", "20 mg/day", percent=25, interval="2 day", strengths=["5 mg"]
    )
    assert [float(q.magnitude) for q in alone.strengths] == [5]
    with pytest.raises(rx.InputError, match="strength"):
        rx.taper("Percocet", "40 mg/day", percent=25, interval="2 day", strengths=["10/325"])


# --- outputs ----------------------------------------------------------------------------


def _long_term() -> TaperSchedule:
    s: TaperSchedule = rx.taper(
        "morphine",
        "60 mg/day",
        percent=10,
        interval="1 month",
        strengths=["15 mg", "5 mg"],
        doses_per_day=2,
        duration_of_use="3 year",
    )
    return s


def test_rows_html_repr_and_dict() -> None:
    s = _long_term()
    rows = s.to_rows()
    assert rows[0] == {
        "day": 0,
        "daily_dose": "60 mg/day",
        "tablets_per_dose": "2 × 15 mg, twice a day",
        "note": "starting dose",
    }
    assert rows[-1]["daily_dose"] == "0 mg/day"
    html = s._repr_html_()
    assert html.startswith("<table>")
    assert "<th>Per dose</th>" in html
    assert "Dispense" in html
    assert "CDC_2022" in html
    text = repr(s)
    assert text.startswith("TaperSchedule(drug='morphine', start=60 mg/day, basis='original'")
    assert "TaperStep(day=0, daily_dose=60 mg/day" in repr(s.steps[0])
    assert repr(s.steps[0].doses[0]) == "Dose(30 mg, '2 × 15 mg')"
    d = s.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["source"] == "CDC_2022"
    assert d["steps"][0]["daily_dose"] == {"value": 60.0, "unit": "mg/day"}
    assert d["interval"] == {"value": 1.0, "unit": "month"}
    assert d["dispensing"][0]["strength"] == {"value": 15.0, "unit": "mg"}


def test_pickle_round_trip() -> None:
    s = _long_term()
    again = pickle.loads(pickle.dumps(s))
    assert again == s
    assert again.to_rows() == s.to_rows()


def test_dispensing_counts_halves_and_every_other_day() -> None:
    s = rx.taper("oxycodone", "10 mg/day", percent=25, interval="4 day", strengths=["5 mg"])
    # 10 (4 d: 8), 7.5 (4 d: 6), 5 (4 d: 4), 2.5 (4 d: 2), then 5 mg... every other day is
    # not reached: 2.5 is half a 5 mg tablet, the smallest piece → lengthened: ½ every 2 days.
    assert doses(s) == [10, 7.5, 5, 2.5, 1.25, 0]
    (line,) = s.dispensing()
    assert line.used == 8 + 6 + 4 + 2 + 1
    assert line.quantity == 21
    exact = rx.taper("oxycodone", "10 mg/day", percent=25, interval="4 day")
    assert exact.dispensing() == ()
    assert exact.steps[1].describe_doses() == "7.5 mg"


def test_quantities_are_painrx_quantities() -> None:
    s = rx.taper("morphine", "0.06 g/day", percent=10, interval="1 week")
    assert doses(s)[:2] == [60, 54]
    assert isinstance(s.steps[1].daily_dose, rx.Quantity)
    assert s.steps[1].daily_dose.to("mg/day").magnitude == pytest.approx(54)
    assert str(s.interval) == "1 week"


def test_starting_dose_plausibility_screen() -> None:
    # Contract bound: above 10,000 MME/day is a unit slip (20 g/day oral morphine).
    with pytest.raises(rx.InputError, match="10,000 MME/day"):
        rx.taper("morphine", "20 g/day", percent=10, interval="7 day")
    # Buprenorphine patches have no CDC 2022 factor; NIH HEAL 2025 screens them.
    patch = rx.taper(
        "Butrans",
        "20 mcg/h",
        percent=25,
        interval="7 day",
        route="transdermal",
        strengths=["5 mcg/h", "10 mcg/h", "20 mcg/h"],
    )
    assert "taper_dose_not_screened" not in codes(patch)
    # No table painrx ships has an oral butorphanol factor: said, not silently skipped.
    s = rx.taper("butorphanol", "10 mg/day", percent=10, interval="7 day")
    alert = next(a for a in s.alerts if a.code == "taper_dose_not_screened")
    assert alert.severity is rx.Severity.INFO


# --- review fixes (issue 7 review) ------------------------------------------------------


def test_buprenorphine_patches_for_pain_are_still_tapered() -> None:
    # Only OUD products and routes are refused; a Butrans taper for pain is built.
    s = rx.taper(
        "Butrans",
        "20 mcg/h",
        percent=25,
        interval="7 day",
        route="transdermal",
        strengths=["5 mcg/h", "10 mcg/h", "20 mcg/h"],
    )
    assert s.steps[-1].daily_dose.magnitude == 0


@pytest.mark.parametrize("dose", ["25 mcg/h", "1 mg/h", "0.5 mg/min", "25 ug/h"])
def test_oral_daily_dose_written_per_hour_is_a_unit_error(dose: str) -> None:
    # '25 mcg/h' for oral oxycodone was silently read as 0.6 mg/day (a patch slip).
    with pytest.raises(rx.UnitError, match="daily doses such as '30 mg/day'"):
        rx.taper("oxycodone", dose, percent=10, interval="7 day")
    with pytest.raises(rx.UnitError, match="stop_at="):
        rx.taper(
            "oxycodone", "30 mg/day", percent=10, interval="7 day", basis="current", stop_at=dose
        )


def test_oral_daily_dose_in_other_per_day_units_is_converted() -> None:
    s = rx.taper("oxycodone", "0.03 g/day", percent=10, interval="7 day")
    assert s.steps[0].daily_dose.magnitude == 30
    # A patch strength may be written as mg/day (0.6 mg/day = 25 mcg/h).
    patch = rx.taper(
        "fentanyl",
        "1.2 mg/day",
        percent=50,
        interval="3 day",
        route="transdermal",
        strengths=["25 mcg/h"],
    )
    assert patch.steps[0].daily_dose.magnitude == pytest.approx(50)


@pytest.mark.parametrize(
    ("drug", "kwargs"),
    [
        ("oxycodone", {}),
        ("oxycodone", {"form": "tablet"}),
        ("Roxicodone", {}),
        ("Percocet", {}),
    ],
)
def test_explicit_splittable_true_works_for_plain_tablets(
    drug: str, kwargs: dict[str, Any]
) -> None:
    # The contract's default was splittable=True; painrx's None follows the dose form,
    # and an explicit True must still give halves for an ordinary tablet.
    strengths = ["5/325 mg"] if drug == "Percocet" else ["5 mg"]
    s = rx.taper(
        drug,
        "10 mg/day",
        percent=25,
        interval="1 day",
        strengths=strengths,
        splittable=True,
        **kwargs,
    )
    assert s.splittable
    assert [f"{step.daily_dose:g}" for step in s.steps[:3]] == [
        "10 mg/day",
        "7.5 mg/day",
        "5 mg/day",
    ]
    assert s.steps[1].doses[0].units[0][1] == 1.5  # one and a half 5 mg tablets
    default = rx.taper(
        drug, "10 mg/day", percent=25, interval="1 day", strengths=strengths, **kwargs
    )
    assert default.splittable  # None follows the form: a tablet may be halved
    assert [step.daily_dose for step in default.steps] == [step.daily_dose for step in s.steps]


@pytest.mark.parametrize(("form", "expected"), [("capsule", False), ("er_tablet", False)])
def test_splittable_default_follows_the_dose_form(form: str, expected: bool) -> None:
    s = rx.taper(
        "oxycodone", "20 mg/day", percent=25, interval="1 day", strengths=["5 mg"], form=form
    )
    assert s.splittable is expected
    with pytest.raises(rx.InputError, match="splittable=True is refused"):
        rx.taper(
            "oxycodone",
            "20 mg/day",
            percent=25,
            interval="1 day",
            strengths=["5 mg"],
            form=form,
            splittable=True,
        )
    whole = rx.taper(
        "oxycodone",
        "20 mg/day",
        percent=25,
        interval="1 day",
        strengths=["5 mg"],
        form=form,
        splittable=False,
    )
    assert not whole.splittable
