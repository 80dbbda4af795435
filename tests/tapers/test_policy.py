"""TaperPolicy: presets from the cited tables reproduce today's schedules; bounded work.

``golden_schedules.json`` holds ``TaperSchedule.to_dict()`` of 15 calls made with painrx
before ``taper()`` became a policy pipeline (commit b3466c6): the flat keywords and the
presets must give exactly the same schedules.
"""

from __future__ import annotations

import json
import pickle
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import painrx as rx
from painrx.tapers import MAX_STEPS_BOUND, TAPER_PRESETS, TaperPolicy

GOLDEN: dict[str, Any] = json.loads(
    (Path(__file__).parent / "golden_schedules.json").read_text(encoding="utf-8")
)["cases"]
_POLICY_KEYS = {"percent", "interval", "basis", "guideline"}


def as_json(schedule: rx.TaperSchedule) -> Any:
    return json.loads(json.dumps(schedule.to_dict()))


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_flat_keywords_reproduce_the_golden_schedule(case: str) -> None:
    golden = GOLDEN[case]
    schedule = rx.taper(golden["drug"], golden["daily_dose"], **golden["kwargs"])
    assert as_json(schedule) == golden["schedule"]


# Preset → golden cases it must reproduce. The pace comes from the data files: CDC 2022
# 10% per 30 days (long-term) and per 7 days (weeks to months); HHS 2019 10% per 7 days
# with the 30% switch; VA/DoD 2017 20% per 28 days; Hyland 2023 25% per day.
PRESET_CASES = [
    ("cdc_2022_long_term", "cdc_long_term_exact"),
    ("cdc_2022_long_term", "cdc_long_term_5mg"),
    ("cdc_2022_long_term", "cdc_long_term_bid"),
    ("cdc_2022_long_term", "final_stop"),
    ("cdc_2022_long_term", "tapentadol_er"),
    ("cdc_2022_weeks_to_months", "cdc_weeks_to_months"),
    ("hhs_2019_hybrid", "hhs_hybrid_oxycodone"),
    ("hhs_2019_hybrid", "hhs_hybrid_exact"),
    ("va_dod_2017", "va_dod"),
    ("post_operative", "post_operative_hyland"),
]


@pytest.mark.parametrize(("preset", "case"), PRESET_CASES)
def test_presets_reproduce_the_golden_schedule(preset: str, case: str) -> None:
    golden = GOLDEN[case]
    rest = {k: v for k, v in golden["kwargs"].items() if k not in _POLICY_KEYS}
    schedule = rx.taper(
        golden["drug"], golden["daily_dose"], policy=TaperPolicy.preset(preset), **rest
    )
    assert as_json(schedule) == golden["schedule"]


def test_every_preset_is_tested_and_built_from_the_data() -> None:
    assert {p for p, _ in PRESET_CASES} == set(TAPER_PRESETS)
    paces = {(p.guideline, p.use): p for p in rx.tapers.guideline_paces()}
    cdc = TaperPolicy.preset("cdc_2022_long_term")
    assert (cdc.percent, cdc.interval.m_as("day")) == (10, 30)
    assert paces["CDC_2022", "long_term"].max_percent == cdc.percent
    post = TaperPolicy.preset("post_operative")
    assert (post.percent, post.interval.m_as("day"), post.guideline) == (25, 1, "HYLAND_2023")
    hhs = TaperPolicy.preset("hhs_2019_hybrid")
    assert (hhs.basis, hhs.percent, hhs.interval.m_as("day")) == ("hybrid", 10, 7)


def test_a_flat_keyword_replaces_the_policy_field() -> None:
    policy = TaperPolicy.preset("cdc_2022_long_term")
    slower = rx.taper("morphine", "60 mg/day", policy=policy, percent=5)
    assert slower.percent == 5
    assert len(slower.steps) == 21
    assert policy.percent == 10  # the preset is unchanged


def test_hybrid_preset_needs_stop_at() -> None:
    with pytest.raises(rx.InputError, match="basis='hybrid' never reaches 0"):
        rx.taper("morphine", "60 mg/day", policy=TaperPolicy.preset("hhs_2019_hybrid"))


def test_policy_is_a_frozen_picklable_value() -> None:
    policy = TaperPolicy(percent=10, interval="7 day", basis="current", stop_at="5 mg/day")
    assert policy == TaperPolicy(
        percent=10, interval=rx.Q("7 day"), basis="current", stop_at=rx.Q("5 mg/day")
    )
    assert pickle.loads(pickle.dumps(policy)) == policy
    assert json.dumps(policy.to_dict())
    assert repr(policy) == "TaperPolicy(10% of the current dose every 7 day, guideline='CDC_2022')"
    with pytest.raises(AttributeError):
        policy.percent = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"percent": 0, "interval": "7 day"}, r"percent=0 must be a number of percent"),
        ({"percent": 10, "interval": "1.5 day"}, "must be a whole number of days"),
        (
            {"percent": 10, "interval": "7 day", "switch_fraction": 0.3},
            "applies to basis=.hybrid. only",
        ),
        ({"percent": 10, "interval": "7 day", "ties": "sideways"}, "ties='sideways'"),
        ({"percent": 10, "interval": "7 day", "guideline": "NICE"}, "guideline='NICE'"),
        ({"percent": 10, "interval": "7 day", "max_steps": 0}, "at least 1"),
    ],
)
def test_policy_refusals(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(rx.InputError, match=match):
        TaperPolicy(**kwargs)


def test_policy_and_preset_refusals() -> None:
    with pytest.raises(rx.InputError, match="Unknown taper preset 'cdc'"):
        TaperPolicy.preset("cdc")
    with pytest.raises(rx.InputError, match="no field 'speed'"):
        TaperPolicy.preset("post_operative").replace(speed=2)
    with pytest.raises(rx.InputError, match="needs percent= and interval="):
        rx.taper("morphine", "60 mg/day")
    with pytest.raises(rx.InputError, match=r"must be a painrx\.tapers\.TaperPolicy"):
        rx.taper("morphine", "60 mg/day", policy="cdc")  # type: ignore[arg-type]


# --- issue 19: every size the caller controls is bounded --------------------------------


def _fast(call: Any) -> None:
    """Assert that ``call`` is refused with a short InputError in well under a second.

    The best of three runs is timed, so a busy test machine does not fail the test.
    """
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        with pytest.raises(rx.InputError) as info:
            call()
        best = min(best, time.perf_counter() - began)
        assert len(str(info.value)) < 400
    assert best < 0.5, f"a refusal must be quick, took {best:.2f} s"


def test_max_steps_beyond_the_bound_is_refused_at_once() -> None:
    # Took 204 s before the bound (issue 19).
    _fast(
        lambda: rx.taper("morphine", "60 mg/day", percent=1e-6, interval="1 day", max_steps=10**7)
    )
    with pytest.raises(
        rx.InputError, match=f"max_steps=1001 is above the bound of {MAX_STEPS_BOUND}"
    ):
        rx.taper("morphine", "60 mg/day", percent=10, interval="1 day", max_steps=1001)


@pytest.mark.parametrize("basis", ["original", "current", "hybrid"])
@pytest.mark.parametrize("tiny", [1e-6, 1e-320, 0.999])
def test_a_cut_below_one_percent_is_refused_quickly(basis: Any, tiny: float) -> None:
    # 1e-320 of the current dose took seconds of exact arithmetic before the bound.
    stop: dict[str, Any] = {} if basis == "original" else {"stop_at": "1 mg/day"}
    _fast(
        lambda: rx.taper(
            "oxycodone", "60 mg/day", percent=tiny, interval="1 day", basis=basis, **stop
        )
    )
    with pytest.raises(rx.InputError, match="at least 1%"):
        TaperPolicy(percent=10, interval="7 day", basis="hybrid", phase2_percent=tiny)


def test_a_schedule_beyond_max_steps_is_refused_quickly() -> None:
    # 1% of the current dose from 60 mg/day down to 1 microgram a day: about 1,100 steps.
    _fast(
        lambda: rx.taper(
            "oxycodone",
            "60 mg/day",
            percent=1,
            interval="1 day",
            basis="current",
            stop_at="0.001 mg/day",
        )
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [("percent", 10**400), ("max_step_fraction", -(10**400)), ("switch_fraction", 10**400)],
)
def test_numbers_too_large_for_a_float_are_input_errors(name: str, value: int) -> None:
    kwargs: dict[str, Any] = {"percent": 10, "interval": "7 day", name: value}
    if name == "switch_fraction":
        kwargs |= {"basis": "hybrid", "stop_at": "5 mg/day"}
    with pytest.raises(rx.InputError, match=name):
        rx.taper("oxycodone", "60 mg/day", **kwargs)
    with pytest.raises(rx.InputError, match="doses_per_day"):
        rx.taper("oxycodone", "60 mg/day", percent=10, interval="7 day", doses_per_day=10**400)


def test_doses_per_day_is_bounded_by_the_most_frequent_labelled_schedule() -> None:
    # Dilaudid oral solution: every 3 to 6 hours, so at most 8 doses a day.
    s = rx.taper("hydromorphone", "16 mg/day", percent=25, interval="1 day", doses_per_day=8)
    assert s.doses_per_day == 8
    assert len(s.steps[0].doses) == 8
    with pytest.raises(rx.InputError, match=r"more than 8 doses a day .*DILAUDID"):
        rx.taper("hydromorphone", "16 mg/day", percent=25, interval="1 day", doses_per_day=12)
    _fast(
        lambda: rx.taper("morphine", "60 mg/day", percent=10, interval="7 day", doses_per_day=10**6)
    )


def test_interval_is_bounded_at_a_year() -> None:
    s = rx.taper("morphine", "60 mg/day", percent=50, interval="365 day")
    assert [step.day for step in s.steps] == [0, 365, 730]
    for too_long in ("400 week", "366 day", "2 year"):
        with pytest.raises(rx.InputError, match="at most 365 days"):
            rx.taper("morphine", "60 mg/day", percent=10, interval=too_long)
    with pytest.raises(rx.InputError, match=r"phase2_interval=.* at most 365 days"):
        TaperPolicy(percent=10, interval="7 day", basis="hybrid", phase2_interval="53 week")


# --- issue 19: hostile values only ever raise painrx errors, quickly ----------------------

HOSTILE = st.one_of(
    st.sampled_from(
        [10**400, -(10**400), float("nan"), float("inf"), 1e-320, 2**63, True, None, "", "x" * 5000]
    ),
    st.sampled_from([[], {}, (), b"5 mg", "5 mg", "60 mg/day", "7 day", "0 day", "-1 day"]),
    st.integers(-(10**6), 10**9),
    st.floats(allow_nan=True, allow_infinity=True),
)
KEYWORDS = (
    "percent",
    "interval",
    "basis",
    "strengths",
    "splittable",
    "ties",
    "max_step_fraction",
    "stop_at",
    "duration_of_use",
    "doses_per_day",
    "equal_doses",
    "phase2_percent",
    "phase2_interval",
    "switch_fraction",
    "final_step",
    "guideline",
    "max_units_per_dose",
    "max_steps",
)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(KEYWORDS), value=HOSTILE)
def test_hostile_values_raise_only_painrx_errors_quickly(name: str, value: Any) -> None:
    kwargs: dict[str, Any] = {"percent": 10, "interval": "7 day", "strengths": ["5 mg"]}
    if name.startswith(("phase2", "switch")):
        kwargs |= {"basis": "hybrid", "stop_at": "5 mg/day"}
    kwargs[name] = value
    began = time.perf_counter()
    message = ""
    try:
        rx.taper("oxycodone", "60 mg/day", **kwargs)
    except rx.PainRxError as exc:  # any other exception fails the test
        message = str(exc)
    assert len(message) < 600
    assert time.perf_counter() - began < 1.0
