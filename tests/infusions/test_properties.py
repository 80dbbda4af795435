"""Infusions: hypothesis properties (round trips, invariance, linearity, rounding, limits)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import painrx as rx
from painrx import infusions
from painrx.errors import HardLimitError
from painrx.units import as_body_weight, format_units, magnitude

# Doses, weights and concentrations that keep the rate within 0.1-999 mL/h; no
# profile, so no dose limit interferes (the limits have their own tests).
doses = st.floats(min_value=0.01, max_value=2.0, allow_nan=False)
weights = st.floats(min_value=1.0, max_value=300.0, allow_nan=False)
concentrations = st.sampled_from([1.0, 2.0, 5.0, 10.0, 50.0])
factors = st.floats(min_value=0.1, max_value=10.0, allow_nan=False)
resolutions = st.sampled_from(["0.1 mL/h", "0.01 mL/h", "1 mL/h", "0.5 mL/h"])
heights = st.floats(min_value=120.0, max_value=250.0, allow_nan=False)
sexes = st.sampled_from(["male", "female"])


def rate(dose: float, weight: float, conc: float, unit: str = "mg/kg/h") -> float:
    r = rx.infusion_rate(rx.Q(dose, unit), rx.Q(weight, "kg"), rx.Q(conc, "mg/mL"))
    return float(r.rate.magnitude)


@given(doses, weights, concentrations)
def test_round_trip_dose_rate_dose(dose: float, weight: float, conc: float) -> None:
    r = rx.infusion_rate(rx.Q(dose, "mg/kg/h"), rx.Q(weight, "kg"), rx.Q(conc, "mg/mL"))
    back = rx.delivered_dose(r.rate, rx.Q(conc, "mg/mL"), rx.Q(weight, "kg"))
    assert back.magnitude == pytest.approx(dose, rel=1e-12)


@given(doses, weights, concentrations)
def test_unit_invariance(dose: float, weight: float, conc: float) -> None:
    # 1 mg/kg/h = 1000/60 mcg/kg/min = 1000 mcg/kg/h (reference notes §1.3).
    base = rate(dose, weight, conc)
    assert rate(dose * 1000 / 60, weight, conc, "mcg/kg/min") == pytest.approx(base, rel=1e-12)
    assert rate(dose * 1000, weight, conc, "mcg/kg/h") == pytest.approx(base, rel=1e-12)
    assert rate(dose / 60, weight, conc, "mg/kg/min") == pytest.approx(base, rel=1e-12)


@given(doses, weights, concentrations, factors)
def test_linear_in_dose_and_weight_inverse_in_concentration(
    dose: float, weight: float, conc: float, k: float
) -> None:
    base = rate(dose, weight, conc)
    assume(0.01 <= dose * k <= 20 and 1 <= weight * k <= 400 and base * k <= 999)
    assert rate(dose * k, weight, conc) == pytest.approx(k * base, rel=1e-12)
    assert rate(dose, weight * k, conc) == pytest.approx(k * base, rel=1e-12)
    assume(base / k <= 999 and conc * k <= 50)  # 50 mg/mL: the IV ceiling (label)
    assert rate(dose, weight, conc * k) == pytest.approx(base / k, rel=1e-12)


@given(doses, weights, concentrations, resolutions)
def test_display_within_half_a_step(dose: float, weight: float, conc: float, res: str) -> None:
    r = rx.infusion_rate(
        rx.Q(dose, "mg/kg/h"), rx.Q(weight, "kg"), rx.Q(conc, "mg/mL"), pump_resolution=res
    )
    step = Decimal(res.split(maxsplit=1)[0])
    exact = Decimal(repr(float(r.rate.magnitude)))
    assert abs(r.display_rate - exact) <= step / 2 + Decimal("1e-9")
    assert r.display_rate % step == 0
    # The delivered dose is the displayed rate's dose, never the order's.
    assert r.delivered.magnitude == pytest.approx(float(r.display_rate) * conc / weight)


@given(doses, weights, concentrations)
def test_fast_path_equals_explicit_cancellation(dose: float, weight: float, conc: float) -> None:
    # The float path agrees with pint's own dose-per-weight x body-weight cancellation.
    q = rx.Q(dose, "mg/kg/h")
    mg_h = magnitude(q * as_body_weight(rx.Q(weight, "kg")), "mg/h")
    r = rx.infusion_rate(q, rx.Q(weight, "kg"), rx.Q(conc, "mg/mL"))
    assert r.dose_rate.magnitude == pytest.approx(mg_h, rel=1e-12)
    assert r.rate.magnitude == pytest.approx(mg_h / conc, rel=1e-12)


@given(
    st.floats(min_value=30.0, max_value=400.0, allow_nan=False),
    heights,
    sexes,
    st.floats(min_value=0.05, max_value=0.95, allow_nan=False),
)
def test_ibw_le_adjbw_le_tbw(weight: float, height: float, sex: str, factor: float) -> None:
    ibw = rx.ideal_body_weight(rx.Q(height, "cm"), sex).magnitude
    assume(weight > ibw)
    adj = rx.adjusted_body_weight(rx.Q(weight, "kg"), rx.Q(height, "cm"), sex, factor=factor)
    assert ibw <= adj.magnitude <= weight


@given(st.floats(min_value=30.0, max_value=400.0, allow_nan=False), heights, sexes)
def test_auto_basis_follows_the_cited_rule(weight: float, height: float, sex: str) -> None:
    dw = rx.dosing_weight(rx.Q(weight, "kg"), rx.Q(height, "cm"), sex, basis="auto")
    assert dw.ideal is not None
    ibw = dw.ideal.magnitude
    expected = "actual" if weight < ibw else "adjusted" if weight > 1.2 * ibw else "ideal"
    assert dw.basis == expected
    # Whatever the basis, the dosing weight never exceeds the actual weight.
    assert dw.weight.magnitude <= weight


_SOFT_MAX = [
    (p.id, kind, limit.value)
    for p in (infusions.infusion_profile(i) for i in rx.infusion_profiles())
    for kind, limit in (("infusion", p.infusion.soft_max), ("bolus", p.bolus.soft_max))
    if limit is not None
]


@pytest.mark.parametrize(("profile", "kind", "soft_max"), _SOFT_MAX, ids=repr)
@given(weight=st.floats(min_value=0.3, max_value=400.0, allow_nan=False), data=st.data())
def test_ten_times_the_soft_max_is_a_hard_stop(
    profile: str, kind: str, soft_max: rx.Quantity, weight: float, data: st.DataObject
) -> None:
    p = infusions.infusion_profile(profile)
    conc = data.draw(st.sampled_from([c.value for c in p.concentrations]))
    dose = rx.Q(soft_max.magnitude * 10, format_units(soft_max))
    order = rx.infusion_rate if kind == "infusion" else rx.bolus
    with pytest.raises(HardLimitError):
        order(dose, rx.Q(weight, "kg"), conc, drug=p.drug, profile=profile)


def test_every_profile_with_a_soft_max_is_covered() -> None:
    assert {p for p, _, _ in _SOFT_MAX} >= {
        "ketamine/perioperative_analgesia",
        "ketamine/acute_pain",
        "ketamine/paediatric_analgesia",
    }


@given(
    st.floats(min_value=0.1, max_value=999.0, allow_nan=False),
    weights,
    concentrations,
    concentrations,
)
def test_wrong_concentration_fold_is_the_ratio(
    ml_h: float, weight: float, programmed: float, actual: float
) -> None:
    c = infusions.concentration_check(
        rx.Q(ml_h, "mL/h"),
        rx.Q(weight, "kg"),
        programmed=rx.Q(programmed, "mg/mL"),
        actual=rx.Q(actual, "mg/mL"),
    )
    assert c.fold == pytest.approx(actual / programmed)
    assert c.delivered.magnitude == pytest.approx(c.fold * c.displayed.magnitude)
    assert bool(c.alerts) == (programmed != actual)


@given(
    dose=st.floats(min_value=100.0, max_value=1500.0, allow_nan=False),
    weight=st.floats(min_value=1.0, max_value=60.0, allow_nan=False),
    concentration=st.sampled_from(["1 mg/mL", "2 mg/mL", "5 mg/mL", "10 mg/mL", "50 mg/mL"]),
)
def test_the_displayed_rate_never_delivers_beyond_a_hard_limit(
    dose: float, weight: float, concentration: str
) -> None:
    # CHEO ketamine paediatric profile: hard maximum 1500 mcg/kg/h, checked on what the
    # pump really runs (the displayed rate), not on the exact rate.
    try:
        r = rx.infusion_rate(
            f"{dose} mcg/kg/h",
            f"{weight} kg",
            concentration,
            profile="ketamine/paediatric_analgesia",
        )
    except HardLimitError:
        return
    assert magnitude(r.delivered, "mcg/kg/h") <= 1500 * (1 + 1e-9)
