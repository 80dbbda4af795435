"""Hypothesis properties of MME, conversion and rotation."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import painrx as rx
from painrx.errors import InputError, NoFactorError
from painrx.opioids import _tables as t
from painrx.types import MMETable, RatioTable, RotationMethod
from painrx.units import magnitude

# Oral opioids with one (unbanded) factor in every CDC table edition.
ORAL = st.sampled_from(["morphine", "oxycodone", "hydrocodone", "codeine", "oxymorphone"])
TABLES = st.sampled_from(["CDC_2022", "CDC_2016", "CDC_NDC_2018", "NIH_HEAL_2025"])
DOSES = st.floats(min_value=0.01, max_value=300, allow_nan=False, allow_infinity=False)
SCALES = st.integers(min_value=1, max_value=10)
FREQUENCIES = st.sampled_from(["QD", "BID", "TID", "QID", "q4h", "q6h", "q8h", "q12h", 3, 2.5])


@given(drug=ORAL, table=TABLES, dose=DOSES, k=SCALES)
def test_mme_is_linear_in_dose(drug: str, table: MMETable, dose: float, k: int) -> None:
    one = rx.mme(drug, rx.Q(dose, "mg/day"), table=table, thresholds=None)
    many = rx.mme(drug, rx.Q(dose * k, "mg/day"), table=table, thresholds=None)
    assert many.value == pytest.approx(one.value * k, rel=1e-12)
    assert one.factor == many.factor


@given(drug=ORAL, dose=DOSES)
def test_mg_and_mcg_give_the_same_mme(drug: str, dose: float) -> None:
    mg = rx.mme(drug, rx.Q(dose, "mg/day"), thresholds=None)
    mcg = rx.mme(drug, rx.Q(dose * 1000, "mcg/day"), thresholds=None)
    grams = rx.mme(drug, rx.Q(dose / 1000, "g/day"), thresholds=None)
    assert mcg.value == pytest.approx(mg.value, rel=1e-12)
    assert grams.value == pytest.approx(mg.value, rel=1e-12)


@given(drug=ORAL, dose=DOSES, frequency=FREQUENCIES)
def test_per_dose_times_frequency_equals_daily(
    drug: str, dose: float, frequency: str | float
) -> None:
    per_day = rx.vocabulary.doses_per_day(frequency)
    by_dose = rx.mme(drug, rx.Q(dose, "mg"), frequency=frequency, thresholds=None)
    daily = rx.mme(drug, rx.Q(dose * per_day, "mg/day"), thresholds=None)
    assert by_dose.value == pytest.approx(daily.value, rel=1e-12)


@given(strength=st.floats(min_value=1, max_value=400), table=TABLES)
def test_patch_strength_in_mg_per_hour_equals_mcg_per_hour(
    strength: float, table: MMETable
) -> None:
    per_mcg = rx.mme("fentanyl", rx.Q(strength, "mcg/h"), route="TD", table=table)
    per_mg = rx.mme("fentanyl", rx.Q(strength / 1000, "mg/h"), route="TD", table=table)
    assert per_mg.value == pytest.approx(per_mcg.value, rel=1e-12)


@given(
    strength=st.floats(min_value=1, max_value=400),
    unit=st.sampled_from(["mcg/day", "mg/day", "mcg/min", "mg/min"]),
    table=TABLES,
)
def test_patch_strength_per_day_or_minute_is_always_refused(
    strength: float, unit: str, table: MMETable
) -> None:
    # Issue 19: patch strengths are labelled per hour (DURAGESIC label, CDC 2018 NDC file).
    with pytest.raises(rx.UnitError, match="labelled per hour"):
        rx.mme("fentanyl", rx.Q(strength, unit), route="TD", table=table)


@given(
    strength=st.sampled_from([12, 25, 37.5, 50, 75, 100]),
    patches=st.integers(min_value=1, max_value=30),
    days=st.integers(min_value=1, max_value=90),
    table=TABLES,
)
def test_patch_prescription_equals_patch_strength(
    strength: float, patches: int, days: int, table: MMETable
) -> None:
    """Either days rule makes the prescription equal to strength × 2.4 a day.

    The CDC file's (days := patches × 3, with an alert when that changes the days) or
    NIH HEAL's (days supply as written: strength × factor a day).
    """
    by_rx = rx.mme_prescription(
        "fentanyl",
        strength=rx.Q(strength, "mcg/h"),
        quantity=patches,
        days_supply=days,
        route="transdermal",
        table=table,
    )
    by_dose = rx.mme("fentanyl", rx.Q(strength, "mcg/h"), route="transdermal", table=table)
    assert by_rx.value == pytest.approx(by_dose.value, rel=1e-12)
    normalised = "days_supply_normalised" in [a.code for a in by_rx.alerts]
    as_written = table == "NIH_HEAL_2025"
    assert normalised == (not as_written and patches * 3 != days)
    assert by_rx.days_supply == (days if as_written else patches * 3)


@given(
    drug=st.sampled_from(["oxycodone", "morphine", "tapentadol", "tramadol", "hydromorphone"]),
    strength=st.floats(min_value=1, max_value=100),
    quantity=st.integers(min_value=1, max_value=240),
    days=st.integers(min_value=1, max_value=90),
    table=TABLES,
)
def test_prescription_equals_vectorisable_formula(
    drug: str, strength: float, quantity: int, days: int, table: MMETable
) -> None:
    """The batch path computes strength × quantity / days × factor; it must agree."""
    try:
        pf = rx.opioids.prescription_factor(drug, strength_unit="mg", table=table)
    except NoFactorError:
        return
    assume(strength * quantity / days * pf.factor <= 10_000)
    result = rx.mme_prescription(
        drug, strength=rx.Q(strength, "mg"), quantity=quantity, days_supply=days, table=table
    )
    assert not pf.banded
    assert result.value == pytest.approx(strength * quantity / days * pf.factor, rel=1e-12)


@given(daily=st.floats(min_value=0.001, max_value=800))
def test_cdc_2016_methadone_has_no_gap(daily: float) -> None:
    result = rx.mme("methadone", rx.Q(daily, "mg/day"), table="CDC_2016", thresholds=None)
    assert result.factor in {4, 8, 10, 12}


@given(low=st.floats(min_value=0.001, max_value=799), step=st.floats(min_value=0, max_value=1))
def test_cdc_2016_methadone_factor_never_decreases(low: float, step: float) -> None:
    high = low + step
    a = rx.mme("methadone", rx.Q(low, "mg/day"), table="CDC_2016", thresholds=None)
    b = rx.mme("methadone", rx.Q(high, "mg/day"), table="CDC_2016", thresholds=None)
    assert b.factor >= a.factor


def _pairs() -> list[tuple[str, str, str, str, str]]:
    """Every (table, drug A, route A, drug B, route B) inside one ratio group."""
    found = []
    for table_id in t.ratio_table_ids():
        for group in t.ratio_table(table_id).groups:
            for a in group.members:
                for b in group.members:
                    if a.unit == "mcg/h" or b.unit == "mcg/h":
                        continue
                    if b.ingredient == "methadone" or a.ingredient == "methadone":
                        continue
                    ra, rb = min(a.routes), min(b.routes)
                    if a.forms or b.forms:
                        continue
                    found.append((table_id, a.ingredient, ra, b.ingredient, rb))
    return found


PAIRS = st.sampled_from(_pairs())


@given(pair=PAIRS, dose=DOSES)
def test_convert_there_and_back_returns_the_dose(
    pair: tuple[RatioTable, str, str, str, str], dose: float
) -> None:
    table, a, ra, b, rb = pair
    try:
        there = rx.convert_opioid(a, rx.Q(dose, "mg"), route=ra, to=b, to_route=rb, ratios=table)
        back = rx.convert_opioid(b, there.dose, route=rb, to=a, to_route=ra, ratios=table)
    except InputError as exc:
        # A single dose above 10,000 MME (e.g. 300 mg of sublingual buprenorphine).
        if "plausibility bound" not in str(exc):
            raise
        return
    assert magnitude(back.dose, "mg") == pytest.approx(dose, rel=1e-12)
    assert there.ratio * back.ratio == pytest.approx(1, rel=1e-12)


@given(
    pair=PAIRS,
    dose=st.floats(min_value=1, max_value=300),
    reduction=st.floats(min_value=0, max_value=0.99),
    low=st.floats(min_value=0.01, max_value=0.5),
    width=st.floats(min_value=0, max_value=0.4),
)
def test_recommended_never_exceeds_equianalgesic(
    pair: tuple[RatioTable, str, str, str, str],
    dose: float,
    reduction: float,
    low: float,
    width: float,
) -> None:
    table, a, ra, b, rb = pair
    if b == "buprenorphine" and a != "buprenorphine":
        # No cited induction method to buprenorphine: refused (issue 15).
        with pytest.raises(rx.UnsafeConversionError):
            rx.rotate(a, rx.Q(dose, "mg/day"), route=ra, to=b, to_route=rb, ratios=table)
        return
    try:
        r = rx.rotate(
            a,
            rx.Q(dose, "mg/day"),
            route=ra,
            to=b,
            to_route=rb,
            ratios=table,
            cross_tolerance_reduction=reduction,
            breakthrough_fraction=(low, min(low + width, 0.99)),
        )
    except InputError as exc:
        # e.g. 300 mg/day of sublingual buprenorphine is 12,000 oMEDD under ANZCA.
        if "plausibility bound" not in str(exc):
            raise
        return
    assert r.recommended.magnitude <= r.equianalgesic.magnitude
    assert r.recommended.magnitude == pytest.approx(
        r.equianalgesic.magnitude * (1 - reduction), rel=1e-12
    )
    bt_low, bt_high = r.breakthrough
    assert bt_low.magnitude <= bt_high.magnitude <= r.recommended.magnitude


@given(
    morphine=st.floats(min_value=1, max_value=5000),
    method=st.sampled_from(["MSD_METHADONE", "DURAGESIC_LABEL", "FENTANYL_2_TO_1"]),
)
def test_method_recommended_never_exceeds_equianalgesic(
    morphine: float, method: RotationMethod
) -> None:
    target = "methadone" if method == "MSD_METHADONE" else "fentanyl"
    outside = morphine < 60 or (method == "DURAGESIC_LABEL" and morphine >= 1125)
    if target == "fentanyl" and outside:
        with pytest.raises(rx.UnsafeConversionError):
            rx.rotate(
                "morphine",
                rx.Q(morphine, "mg/day"),
                to=target,
                method=method,
                opioid_tolerant_days=7,
            )
        return
    r = rx.rotate(
        "morphine", rx.Q(morphine, "mg/day"), to=target, method=method, opioid_tolerant_days=7
    )
    low, high = r.recommended_range
    assert low.magnitude <= high.magnitude <= r.equianalgesic.magnitude
    assert r.recommended == low
    if target == "fentanyl":
        facts = t.patch_facts("fentanyl")
        assert t.exact(r.recommended.magnitude) == facts.round_down(
            t.exact(r.recommended.magnitude)
        )


@given(x=st.floats(min_value=1e-6, max_value=1e6, allow_nan=False))
def test_exact_is_the_float(x: float) -> None:
    assert float(t.exact(x)) == x
    assert isinstance(t.exact(x), Fraction)
    assert math.isfinite(x)
