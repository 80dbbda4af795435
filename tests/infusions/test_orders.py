"""Infusions: golden cases from the cited sources, limits at their boundaries, refusals.

Sources named in test ids/comments are those of ``data/infusions/*.toml`` and the
painrx reference notes (``shared/references/infusions.md``).
"""

from __future__ import annotations

import pickle
from decimal import Decimal
from typing import Any

import attrs
import pint
import pytest

import painrx as rx
from painrx import infusions
from painrx.errors import (
    HardLimitError,
    InputError,
    NoFactorError,
    PainRxError,
    Severity,
    UnitError,
    UnknownDrugError,
)

PERIOP = "ketamine/perioperative_analgesia"
ACUTE = "ketamine/acute_pain"
PAEDS = "ketamine/paediatric_analgesia"
LIDO = "lidocaine/perioperative_analgesia"


def codes(result: infusions.InfusionRate | infusions.Bolus) -> list[str]:
    return [a.code for a in result.alerts]


# --- pump rate: golden cases -------------------------------------------------------


def test_seed_regimen_at_80_kg() -> None:
    # Seed article / SFAR 2009: 0.125-0.25 mg/kg/h; at 1 mg/mL and 80 kg, 10-20 mL/h.
    low = rx.infusion_rate("0.125 mg/kg/h", "80 kg", "1 mg/mL", profile=PERIOP)
    high = rx.infusion_rate("0.25 mg/kg/h", "80 kg", "1 mg/mL", profile=PERIOP)
    assert low.rate.magnitude == pytest.approx(10.0)
    assert low.display_rate == Decimal("10.0")
    assert high.rate.magnitude == pytest.approx(20.0)
    assert high.dose_rate.magnitude == pytest.approx(20.0)
    assert rx.units.format_units(high.dose_rate) == "mg/h"
    assert high.delivered.magnitude == pytest.approx(0.25)
    assert low.alerts == high.alerts == ()  # equal to a soft limit raises no alert
    assert high.profile == PERIOP
    assert high.source.id == "INFUSION_PROFILES_2026/sfar_2009"


def test_pint_measured_rate() -> None:
    # Reference notes §4 (measured): (0.15 mg/kg/h x 80 kg) / (1 mg/mL) = 12.0 mL/h.
    r = rx.infusion_rate("0.15 mg/kg/h", "80 kg", "1 mg/mL", profile=ACUTE)
    assert r.rate.magnitude == pytest.approx(12.0)
    assert r.display_rate == Decimal("12.0")


@pytest.mark.parametrize(
    ("weight", "dose", "printed", "exact", "shown"),
    [
        # adxxxbox/adx-public Ketamine 2 mg/mL table, rows that print wrong numbers.
        ("45 kg", "0.3 mg/kg/h", "11.8", 6.75, "6.8"),
        ("85 kg", "0.3 mg/kg/h", "12.3", 12.75, "12.8"),
        ("95 kg", "0.2 mg/kg/h", "9.8", 9.5, "9.5"),
    ],
    ids=["adx-2mgml-45kg-0.3", "adx-2mgml-85kg-0.3", "adx-2mgml-95kg-0.2"],
)
def test_published_table_errors_are_corrected(
    weight: str, dose: str, printed: str, exact: float, shown: str
) -> None:
    r = rx.infusion_rate(dose, weight, "2 mg/mL", profile=ACUTE)
    assert r.rate.magnitude == pytest.approx(exact)
    assert r.display_rate == Decimal(shown)
    assert r.display_rate != Decimal(printed)


@pytest.mark.parametrize(
    ("weight", "dose", "exact", "half_up", "bankers"),
    [
        ("45 kg", "0.1 mg/kg/h", 2.25, "2.3", 2.2),  # the brief's case
        ("45 kg", "0.5 mg/kg/h", 11.25, "11.3", 11.2),
        ("55 kg", "0.3 mg/kg/h", 8.25, "8.3", 8.2),
        ("85 kg", "0.3 mg/kg/h", 12.75, "12.8", 12.8),
    ],
)
def test_half_up_not_bankers_rounding(
    weight: str, dose: str, exact: float, half_up: str, bankers: float
) -> None:
    # Published pump tables round x.x5 up; Python's round() on binary floats does not.
    r = rx.infusion_rate(dose, weight, "2 mg/mL", profile=ACUTE)
    assert r.rate.magnitude == pytest.approx(exact)
    assert r.display_rate == Decimal(half_up)
    assert round(exact, 1) == bankers


def test_binary_noise_does_not_flip_rounding() -> None:
    # 15 mcg/kg/min is 0.8999999999999999 mg/kg/h in binary; 0.9 x 25 kg / 1 mg/mL = 22.5.
    r = rx.infusion_rate("15 mcg/kg/min", "25 kg", "1 mg/mL", profile=ACUTE)
    assert r.display_rate == Decimal("22.5")
    r = rx.infusion_rate("15 mcg/kg/min", "25 kg", "1 mg/mL", pump_resolution="1 mL/h")
    assert r.display_rate == Decimal(23)


def test_delivered_is_back_calculated_from_the_displayed_rate() -> None:
    r = rx.infusion_rate("0.1 mg/kg/h", "45 kg", "2 mg/mL", profile=ACUTE)
    # 2.3 mL/h x 2 mg/mL / 45 kg, in the unit of the order.
    assert r.delivered.magnitude == pytest.approx(2.3 * 2 / 45)
    assert rx.units.format_units(r.delivered) == "mg/kg/h"
    m = rx.infusion_rate("2 mcg/kg/min", "70 kg", "1 mg/mL", profile=ACUTE)
    assert rx.units.format_units(m.delivered) == "mcg/kg/min"
    assert m.display_rate == Decimal("8.4")
    assert m.delivered.magnitude == pytest.approx(2.0)


def test_mcg_per_kg_per_min_order() -> None:
    # Reference notes §1.3: 1 mcg/kg/min = 0.06 mg/kg/h (SFAR postoperative low dose).
    r = rx.infusion_rate("1 mcg/kg/min", "70 kg", "1 mg/mL", profile=PERIOP)
    assert r.rate.magnitude == pytest.approx(4.2)
    assert codes(r) == ["soft_limit_low"]
    assert r.alerts[0].source is not None
    assert r.alerts[0].source.id.endswith("sfar_2009")


def test_paediatric_mcg_per_kg_per_h() -> None:
    # CHEO 2014: 100-300 mcg/kg/h at 1 mg/mL; 20 kg x 200 mcg/kg/h = 4 mg/h = 4 mL/h.
    r = rx.infusion_rate("200 mcg/kg/h", "20 kg", "1 mg/mL", profile=PAEDS)
    assert r.rate.magnitude == pytest.approx(4.0)
    assert r.alerts == ()
    assert r.source.id.endswith("cheo_2014")


def test_lb_weight_is_converted_and_alerted() -> None:
    r = rx.infusion_rate("0.25 mg/kg/h", "176 lb", "1 mg/mL", profile=PERIOP)
    assert r.weight.magnitude == pytest.approx(176 * 0.45359237)
    assert r.rate.magnitude == pytest.approx(0.25 * 176 * 0.45359237)
    assert codes(r) == ["non_metric_weight"]


def test_no_profile_applies_no_dose_limits_but_product_and_pump_limits() -> None:
    r = rx.infusion_rate("0.25 mg/kg/h", "80 kg", "1 mg/mL")
    assert codes(r) == ["no_dose_limits"]
    assert r.profile is None
    assert r.source.id == "INFUSION_PRODUCTS_2026/ketamine_label"
    with pytest.raises(HardLimitError, match="100 mg/mL"):
        rx.infusion_rate("0.25 mg/kg/h", "80 kg", "100 mg/mL")
    with pytest.raises(InputError, match="999 mL/h"):
        rx.infusion_rate("5 mg/kg/h", "250 kg", "1 mg/mL")
    low = rx.infusion_rate("0.1 mg/kg/h", "0.5 kg", "10 mg/mL")
    assert codes(low) == ["no_dose_limits", "rate_below_pump_resolution"]
    # A dose far beyond every profile is computed (no limits), never silently capped.
    big = rx.infusion_rate("5 mg/kg/h", "80 kg", "10 mg/mL")
    assert big.rate.magnitude == pytest.approx(40.0)


def test_nonstandard_concentration() -> None:
    r = rx.infusion_rate("0.25 mg/kg/h", "80 kg", "10 mg/mL", profile=PERIOP)
    assert codes(r) == ["nonstandard_concentration"]
    assert "1 mg/mL, 2 mg/mL" in r.alerts[0].message
    # acute_pain allows 1, 2 and 10 mg/mL (API contract).
    for conc in ("1 mg/mL", "2 mg/mL", "10 mg/mL"):
        assert rx.infusion_rate("0.25 mg/kg/h", "80 kg", conc, profile=ACUTE).alerts == ()
    assert codes(rx.infusion_rate("0.25 mg/kg/h", "80 kg", "5 mg/mL", profile=ACUTE)) == [
        "nonstandard_concentration"
    ]
    # Without a profile the drug's products are the standard list.
    assert codes(rx.infusion_rate("0.25 mg/kg/h", "80 kg", "3 mg/mL")) == [
        "no_dose_limits",
        "nonstandard_concentration",
    ]


def test_rate_below_pump_resolution_suggests_a_lower_concentration() -> None:
    # 3 kg x 150 mcg/kg/h = 0.45 mg/h: 0.09 mL/h at 5 mg/mL, 0.45 mL/h at 1 mg/mL.
    r = rx.infusion_rate("150 mcg/kg/h", "3 kg", "5 mg/mL", profile=PAEDS)
    assert codes(r) == ["rate_below_pump_resolution"]
    assert r.alerts[0].severity is Severity.MAJOR
    assert "use 1 mg/mL (0.45 mL/h)" in r.alerts[0].message
    assert r.display_rate == Decimal("0.1")
    assert r.delivered.magnitude == pytest.approx(150 * 0.1 / 0.09)
    # No standard concentration is low enough: say how far to dilute.
    tiny = rx.infusion_rate("100 mcg/kg/h", "0.5 kg", "1 mg/mL", profile=PAEDS)
    assert "dilute to at most 0.5 mg/mL" in tiny.alerts[0].message
    assert tiny.display_rate == Decimal("0.1")
    # Equal to the resolution is not below it.
    at = rx.infusion_rate("100 mcg/kg/h", "1 kg", "1 mg/mL", profile=PAEDS)
    assert at.alerts == ()


def test_pump_resolution_argument() -> None:
    r = rx.infusion_rate("0.1 mg/kg/h", "45 kg", "2 mg/mL", pump_resolution="0.01 mL/h")
    assert r.display_rate == Decimal("2.25")
    r = rx.infusion_rate("0.1 mg/kg/h", "45 kg", "2 mg/mL", pump_resolution=rx.Q("1 mL/h"))
    assert r.display_rate == Decimal(2)


def test_drug_names_go_through_the_catalog() -> None:
    r = rx.infusion_rate("0.25 mg/kg/h", "80 kg", "1 mg/mL", drug="Ketalar", profile=PERIOP)
    assert r.drug == "ketamine"
    lido = rx.infusion_rate("1 mg/kg/h", "70 kg", "4 mg/mL", drug="lignocaine", profile=LIDO)
    assert lido.drug == "lidocaine"
    with pytest.raises(UnknownDrugError):
        rx.infusion_rate("0.25 mg/kg/h", "80 kg", "1 mg/mL", drug="ketamin-x")
    with pytest.raises(NoFactorError, match="no infusion product data for 'morphine'"):
        rx.infusion_rate("0.02 mg/kg/h", "80 kg", "1 mg/mL", drug="morphine")


def test_profile_must_match_the_drug() -> None:
    # A wrong drug library is a classic DERS failure (ISMP 2020 guidelines).
    with pytest.raises(InputError, match="is for lidocaine"):
        rx.infusion_rate("1 mg/kg/h", "70 kg", "4 mg/mL", profile=LIDO)
    with pytest.raises(InputError, match="Unknown infusion profile 'ketamine/icu'"):
        rx.infusion_rate("0.25 mg/kg/h", "80 kg", "1 mg/mL", profile="ketamine/icu")


def test_lidocaine_profile_doses_on_ideal_weight() -> None:
    # Foo 2021: at most 1.5 mg/kg/h calculated on ideal body weight.
    ideal = rx.dosing_weight("150 kg", "175 cm", "male", basis="ideal")
    r = rx.infusion_rate("1.5 mg/kg/h", ideal, "4 mg/mL", drug="lidocaine", profile=LIDO)
    assert r.alerts == ()
    assert r.weight.magnitude == pytest.approx(ideal.weight.magnitude)
    assert r.rate.magnitude == pytest.approx(1.5 * ideal.weight.magnitude / 4)
    actual = rx.infusion_rate("1.5 mg/kg/h", "150 kg", "4 mg/mL", drug="lidocaine", profile=LIDO)
    # 56.25 mL/h shown half-up (56.3) would deliver 1.501 mg/kg/h, above the hard
    # maximum: the display step below is used (issue 19: limits apply to what runs).
    assert codes(actual) == ["dosing_weight_basis", "display_rate_adjusted_for_hard_limit"]
    assert actual.display_rate == Decimal("56.2")
    assert "ideal body weight" in actual.alerts[0].message
    with pytest.raises(HardLimitError, match="Foo I"):
        rx.infusion_rate("1.6 mg/kg/h", ideal, "4 mg/mL", drug="lidocaine", profile=LIDO)


def test_wrong_field_lidocaine_rate_is_ten_fold() -> None:
    # Singapore 2018 (Patient Safety Solutions 2019): 41.7 mL/h keyed for 4.17 mL/h.
    intended = rx.delivered_dose("4.17 mL/h", "4 mg/mL", "70 kg")
    keyed = rx.delivered_dose("41.7 mL/h", "4 mg/mL", "70 kg")
    assert keyed.magnitude == pytest.approx(10 * intended.magnitude)
    limit = infusions.infusion_profile(LIDO).infusion.hard_max
    assert limit is not None
    assert keyed.magnitude > limit.value.magnitude >= intended.magnitude


# --- limits at their boundaries ------------------------------------------------------

# Every infusion limit of every profile, as the data file must state it.
INFUSION_LIMITS = [
    (PERIOP, "soft_min", "0.125 mg/kg/h"),
    (PERIOP, "soft_max", "0.25 mg/kg/h"),
    (PERIOP, "hard_max", "1 mg/kg/h"),
    (ACUTE, "soft_min", "0.1 mg/kg/h"),
    (ACUTE, "soft_max", "0.5 mg/kg/h"),
    (ACUTE, "hard_max", "1 mg/kg/h"),
    (PAEDS, "soft_min", "100 mcg/kg/h"),
    (PAEDS, "soft_max", "300 mcg/kg/h"),
    (PAEDS, "hard_max", "1500 mcg/kg/h"),
    (LIDO, "hard_max", "1.5 mg/kg/h"),
]
BOLUS_LIMITS = [
    (PERIOP, "soft_min", "0.15 mg/kg"),
    (PERIOP, "soft_max", "0.5 mg/kg"),
    (PERIOP, "hard_max", "1 mg/kg"),
    (ACUTE, "hard_max", "0.35 mg/kg"),
    (LIDO, "hard_max", "1.5 mg/kg"),
]


def _drug_and_conc(profile: str) -> tuple[str, str]:
    return ("lidocaine", "4 mg/mL") if profile == LIDO else ("ketamine", "1 mg/mL")


def _weight_basis(profile: str) -> str | infusions.DosingWeight:
    if profile == LIDO:
        return infusions.dosing_weight("70 kg", "180 cm", "male", basis="ideal")
    return "20 kg"


def _expected_at(profile: str, bound: str, dose: str) -> list[str]:
    table = INFUSION_LIMITS if dose == "infusion" else BOLUS_LIMITS
    has_soft_max = any(p == profile and b == "soft_max" for p, b, _ in table)
    return ["soft_limit_high"] if bound == "hard_max" and has_soft_max else []


def test_every_profile_limit_is_pinned() -> None:
    found = sorted(
        (r["profile"], r["bound"], r["limit"])
        for r in infusions.profile_limits()
        if r["dose"] == "infusion"
    )
    assert found == sorted(INFUSION_LIMITS)
    found = sorted(
        (r["profile"], r["bound"], r["limit"])
        for r in infusions.profile_limits()
        if r["dose"] == "bolus"
    )
    assert found == sorted(BOLUS_LIMITS)
    sources = {
        (r["profile"], r["dose"], r["bound"]): r["source"] for r in infusions.profile_limits()
    }
    assert sources[(PERIOP, "infusion", "soft_max")] == "sfar_2009"
    assert sources[(PERIOP, "infusion", "hard_max")] == "asra_2018"
    assert sources[(PERIOP, "bolus", "hard_max")] == "gorlin_2016"
    assert sources[(ACUTE, "bolus", "hard_max")] == "asra_2018"
    assert sources[(PAEDS, "infusion", "hard_max")] == "cheo_2014"
    assert sources[(LIDO, "infusion", "hard_max")] == "foo_2021"


@pytest.mark.parametrize(("profile", "bound", "limit"), INFUSION_LIMITS)
def test_infusion_limit_boundary(profile: str, bound: str, limit: str) -> None:
    drug, conc = _drug_and_conc(profile)
    weight = _weight_basis(profile)
    value, unit = limit.split(" ")
    at = rx.infusion_rate(limit, weight, conc, drug=drug, profile=profile)
    # Equal to a limit is allowed and trips nothing; a hard maximum is above the soft one.
    assert codes(at) == _expected_at(profile, bound, "infusion")
    step = 1.0001 if bound.endswith("max") else 0.9999
    beyond = rx.Q(float(value) * step, unit)
    if bound.startswith("hard"):
        with pytest.raises(HardLimitError, match=f"hard maximum {limit}"):
            rx.infusion_rate(beyond, weight, conc, drug=drug, profile=profile)
    else:
        code = "soft_limit_high" if bound == "soft_max" else "soft_limit_low"
        r = rx.infusion_rate(beyond, weight, conc, drug=drug, profile=profile)
        assert codes(r) == [code]


@pytest.mark.parametrize(("profile", "bound", "limit"), BOLUS_LIMITS)
def test_bolus_limit_boundary(profile: str, bound: str, limit: str) -> None:
    drug, conc = _drug_and_conc(profile)
    weight = _weight_basis(profile)
    value, unit = limit.split(" ")
    at = rx.bolus(limit, weight, conc, drug=drug, profile=profile)
    assert codes(at) == _expected_at(profile, bound, "bolus")
    step = 1.0001 if bound.endswith("max") else 0.9999
    beyond = rx.Q(float(value) * step, unit)
    if bound.startswith("hard"):
        with pytest.raises(HardLimitError, match=f"hard maximum {limit}"):
            rx.bolus(beyond, weight, conc, drug=drug, profile=profile)
    else:
        code = "soft_limit_high" if bound == "soft_max" else "soft_limit_low"
        assert codes(rx.bolus(beyond, weight, conc, drug=drug, profile=profile)) == [code]


def test_limits_hold_across_dose_units() -> None:
    # 0.25 mg/kg/h = 25/6 mcg/kg/min = 250 mcg/kg/h: all equal to the soft max, no alert.
    for dose in ("0.25 mg/kg/h", f"{25 / 6} mcg/kg/min", "250 mcg/kg/h"):
        assert rx.infusion_rate(dose, "80 kg", "1 mg/mL", profile=PERIOP).alerts == ()
    # CHEO max 1500 mcg/kg/h = 1.5 mg/kg/h = 25 mcg/kg/min.
    for dose in ("1500 mcg/kg/h", "1.5 mg/kg/h", "25 mcg/kg/min"):
        r = rx.infusion_rate(dose, "20 kg", "1 mg/mL", profile=PAEDS)
        assert codes(r) == ["soft_limit_high"]


def test_hard_limit_error_names_the_limit_and_its_source() -> None:
    with pytest.raises(HardLimitError) as err:
        rx.infusion_rate("2 mg/kg/h", "80 kg", "1 mg/mL", profile=ACUTE)
    text = str(err.value)
    assert "2 mg/kg/h" in text
    assert "hard maximum 1 mg/kg/h" in text
    assert "ketamine/acute_pain" in text
    assert "Schwenk ES" in text


def test_min_vs_h_typo_is_a_hard_stop() -> None:
    # Buck 2016 wrote "0.5 mg/kg/min" for a paediatric infusion: 30 mg/kg/h.
    with pytest.raises(HardLimitError, match="hard maximum 1500 mcg/kg/h"):
        rx.infusion_rate("0.5 mg/kg/min", "20 kg", "1 mg/mL", profile=PAEDS)


def test_anaesthetic_range_beside_analgesic_range() -> None:
    # A public table quotes 10-50 mcg/kg/min (0.6-3 mg/kg/h) beside 0.1-0.3 mg/kg/h.
    r = rx.infusion_rate("10 mcg/kg/min", "70 kg", "1 mg/mL", profile=ACUTE)
    assert codes(r) == ["soft_limit_high"]
    with pytest.raises(HardLimitError):
        rx.infusion_rate("50 mcg/kg/min", "70 kg", "1 mg/mL", profile=ACUTE)


def test_iv_concentration_limit_boundary() -> None:
    # Label: 100 mg/mL must be diluted with an equal volume: 50 mg/mL is the IV ceiling.
    r = rx.infusion_rate("0.25 mg/kg/h", "80 kg", "50 mg/mL")
    assert codes(r) == ["no_dose_limits"]
    with pytest.raises(HardLimitError, match="Pfizer"):
        rx.infusion_rate("0.25 mg/kg/h", "80 kg", "50.5 mg/mL")
    with pytest.raises(HardLimitError, match="diluted"):
        rx.bolus("0.35 mg/kg", "80 kg", "100 mg/mL", profile=ACUTE)


# --- bolus ----------------------------------------------------------------------------


def test_bolus_golden() -> None:
    # ASRA 2018: bolus <= 0.35 mg/kg; 80 kg -> 28 mg = 2.8 mL of the 10 mg/mL vial.
    b = rx.bolus("0.35 mg/kg", "80 kg", "10 mg/mL", profile=ACUTE)
    assert b.amount.magnitude == pytest.approx(28.0)
    assert b.volume.magnitude == pytest.approx(2.8)
    assert rx.units.format_units(b.amount) == "mg"
    assert rx.units.format_units(b.volume) == "mL"
    assert b.source.id.endswith("asra_2018")
    # A vial is a standard bolus concentration even when the profile's bags are 1-2 mg/mL.
    assert rx.bolus("0.3 mg/kg", "70 kg", "50 mg/mL", profile=PERIOP).alerts == ()
    assert codes(rx.bolus("300 mcg/kg", "20 kg", "1 mg/mL", profile=PAEDS)) == ["no_dose_limits"]
    assert codes(rx.bolus("0.3 mg/kg", "70 kg", "7 mg/mL")) == [
        "no_dose_limits",
        "nonstandard_concentration",
    ]


def test_bolus_refuses_an_absolute_dose() -> None:
    with pytest.raises(UnitError, match="absolute dose"):
        rx.bolus("20 mg", "80 kg", "10 mg/mL")
    with pytest.raises(UnitError):
        rx.bolus("0.35 mg/kg/h", "80 kg", "10 mg/mL")


# --- delivered dose and the wrong-concentration check --------------------------------


def test_delivered_dose_golden() -> None:
    # Brief / reference notes §4 (measured): 30 mL/h x 2 mg/mL at 70 kg = 0.857 mg/kg/h.
    d = rx.delivered_dose("30 mL/h", "2 mg/mL", "70 kg")
    assert d.magnitude == pytest.approx(0.857142857)
    assert rx.units.format_units(d) == "mg/kg/h"
    m = rx.delivered_dose("30 mL/h", "2 mg/mL", "70 kg", unit="mcg/kg/min")
    assert m.magnitude == pytest.approx(0.857142857 * 1000 / 60)
    with pytest.raises(UnitError, match="weight-based dose rate"):
        rx.delivered_dose("30 mL/h", "2 mg/mL", "70 kg", unit="mg/h")


@pytest.mark.parametrize(
    ("programmed", "actual", "fold", "effect"),
    [
        ("1 mg/mL", "10 mg/mL", 10.0, "10-fold overdose"),
        # Tunisian protocol: 5 mL ampoules hold 50 mg (10 mg/mL) or 250 mg (50 mg/mL).
        ("10 mg/mL", "50 mg/mL", 5.0, "5-fold overdose"),
        # Dopamine bag printed "1600": 1600 mg/250 mL chosen for 400 mg/250 mL.
        ("6.4 mg/mL", "1.6 mg/mL", 0.25, "4-fold underdose"),
    ],
    ids=["10x", "tunisian-ampoules", "dopamine-1600"],
)
def test_wrong_concentration_check(programmed: str, actual: str, fold: float, effect: str) -> None:
    c = infusions.concentration_check("10 mL/h", "70 kg", programmed=programmed, actual=actual)
    assert c.fold == pytest.approx(fold)
    assert c.delivered.magnitude == pytest.approx(fold * c.displayed.magnitude)
    assert [a.code for a in c.alerts] == ["wrong_concentration"]
    assert effect in c.alerts[0].message
    assert c.source.id.endswith("ismp_2012")


def test_concentration_check_match() -> None:
    c = infusions.concentration_check("30 mL/h", "70 kg", programmed="2 mg/mL", actual="2 mg/mL")
    assert c.fold == 1.0
    assert c.alerts == ()
    assert c.displayed == c.delivered
    assert c.delivered.magnitude == pytest.approx(0.857142857)


# --- preparation ------------------------------------------------------------------------


def test_prepare() -> None:
    # Handbook on Injectable Drugs: 500 mg in 500 or 250 mL gives 1 or 2 mg/mL.
    assert rx.prepare("500 mg", "500 mL").magnitude == pytest.approx(1.0)
    assert rx.prepare("500 mg", "250 mL").magnitude == pytest.approx(2.0)
    # Reference notes §1.4: 10 mL of 50 mg/mL into 500 mL is 500/510 = 0.980 mg/mL.
    p = rx.prepare("500 mg", "500 mL", additive_volume="10 mL")
    assert p.magnitude == pytest.approx(500 / 510)
    assert rx.units.format_units(p) == "mg/mL"
    assert rx.prepare("0.5 g", "0.25 L").magnitude == pytest.approx(2.0)
    with pytest.raises(UnitError, match="body-weight unit"):
        rx.prepare("1 kg", "500 mL")
    with pytest.raises(UnitError):
        rx.prepare("500 mg", "500 mg")
    with pytest.raises(InputError):
        rx.prepare("500 mg", "0 mL")


# --- dosing weight ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("height", "sex", "ibw"),
    [
        ("170 cm", "male", 65.937),  # exact Devine, not the 0.91 kg/cm shortcut's 66.0
        ("70 in", "male", 73.0),  # theprimecalculator worked example
        ("180 cm", "M", 74.992),  # opentiva's per-cm bug gives 113.5 kg here
        ("60 in", "female", 45.5),
        ("60 in", "male", 50.0),
        ("165 cm", "female", 45.5 + 2.3 * (165 / 2.54 - 60)),
    ],
)
def test_devine_golden(height: str, sex: str, ibw: float) -> None:
    q = rx.ideal_body_weight(height, sex)
    assert q.magnitude == pytest.approx(ibw, abs=1e-3)
    assert rx.units.format_units(q) == "kg"


def test_adjusted_body_weight_golden() -> None:
    # theprimecalculator: 70 in man at 110 kg -> IBW 73, AdjBW 73 + 0.4 x 37 = 87.8 kg.
    assert rx.adjusted_body_weight("110 kg", "70 in", "male").magnitude == pytest.approx(87.8)
    assert rx.adjusted_body_weight(
        "110 kg", "70 in", "male", factor=0.3
    ).magnitude == pytest.approx(73 + 0.3 * 37)
    # Below IBW the actual weight is returned.
    assert rx.adjusted_body_weight("60 kg", "70 in", "male").magnitude == pytest.approx(60.0)


def test_adjusted_default_factor_is_the_cited_one() -> None:
    from painrx.infusions._data import body_weight_rules

    assert body_weight_rules().adjusted_factor == 0.4
    assert rx.adjusted_body_weight("110 kg", "70 in", "male").magnitude == pytest.approx(
        rx.adjusted_body_weight("110 kg", "70 in", "male", factor=0.4).magnitude
    )


def test_150_kg_patient_three_weights() -> None:
    dw = {
        b: rx.dosing_weight("150 kg", "175 cm", "male", basis=b)
        for b in ("actual", "ideal", "adjusted", "auto")
    }
    ibw = 50 + 2.3 * (175 / 2.54 - 60)
    assert dw["actual"].weight.magnitude == 150.0
    assert dw["ideal"].weight.magnitude == pytest.approx(ibw)
    assert dw["adjusted"].weight.magnitude == pytest.approx(ibw + 0.4 * (150 - ibw))
    assert dw["auto"].basis == "adjusted"  # 150 > 1.2 x 70.5 (clinPK)
    assert dw["auto"].weight == dw["adjusted"].weight
    assert dw["auto"].source.id.endswith("clinpk")
    assert dw["ideal"].source.id.endswith("devine_1974")
    assert dw["actual"].ideal is not None  # computed for information when height/sex given
    rates = {
        b: rx.infusion_rate("0.25 mg/kg/h", d, "1 mg/mL", profile=PERIOP).rate.magnitude
        for b, d in dw.items()
    }
    assert rates["actual"] == pytest.approx(37.5)
    assert rates["ideal"] < rates["adjusted"] < rates["actual"]


def test_auto_rule_boundaries() -> None:
    ibw = rx.ideal_body_weight("70 in", "male").magnitude  # 73 kg
    assert rx.dosing_weight(rx.Q(ibw - 0.01, "kg"), "70 in", "male", basis="auto").basis == "actual"
    assert rx.dosing_weight(rx.Q(ibw, "kg"), "70 in", "male", basis="auto").basis == "ideal"
    assert rx.dosing_weight(rx.Q(1.2 * ibw, "kg"), "70 in", "male", basis="auto").basis == "ideal"
    above = rx.dosing_weight(rx.Q(1.2 * ibw + 0.01, "kg"), "70 in", "male", basis="auto")
    assert above.basis == "adjusted"


def test_ibw_adult_only_and_extrapolated() -> None:
    with pytest.raises(InputError, match="under 120 cm"):
        rx.ideal_body_weight("119.9 cm", "female")
    assert rx.ideal_body_weight("120 cm", "female").magnitude == pytest.approx(
        45.5 + 2.3 * (120 / 2.54 - 60)
    )
    with pytest.raises(InputError, match="under 18"):
        rx.ideal_body_weight("170 cm", "male", age=17.9)
    assert rx.ideal_body_weight("170 cm", "male", age=18).magnitude == pytest.approx(
        65.937, abs=1e-3
    )
    assert rx.ideal_body_weight("170 cm", "male", age="40 year").magnitude > 0
    short = rx.dosing_weight("50 kg", "150 cm", "female", basis="ideal")
    assert [a.code for a in short.alerts] == ["ibw_extrapolated"]
    assert rx.dosing_weight("50 kg", "152.4 cm", "female", basis="ideal").alerts == ()
    with pytest.raises(InputError, match="adult formula"):
        rx.dosing_weight("20 kg", "110 cm", "female", basis="auto")
    child = rx.dosing_weight("20 kg", "110 cm", "female")
    assert child.basis == "actual"
    assert child.ideal is None
    assert child.adjusted is None
    with pytest.raises(InputError, match="under 18"):
        rx.dosing_weight("40 kg", "150 cm", "female", basis="ideal", age=12)


def test_dosing_weight_needs_height_and_sex() -> None:
    with pytest.raises(InputError, match="needs the patient's height and sex"):
        rx.dosing_weight("80 kg", basis="ideal")
    with pytest.raises(InputError, match="needs the patient's height and sex"):
        rx.dosing_weight("80 kg", "170 cm", basis="auto")
    plain = rx.dosing_weight("80 kg")
    assert plain.basis == "actual"
    assert plain.ideal is None
    assert plain.source.id == "DOSING_WEIGHT_2026"


def test_a_dosing_weight_is_not_an_actual_weight() -> None:
    dw = rx.dosing_weight("150 kg", "175 cm", "male", basis="ideal")
    with pytest.raises(InputError, match="already a DosingWeight"):
        rx.dosing_weight(dw, "175 cm", "male", basis="adjusted")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="already a DosingWeight"):
        rx.adjusted_body_weight(dw, "175 cm", "male")  # type: ignore[arg-type]
    assert rx.dosing_weight(dw.actual, "175 cm", "male", basis="adjusted").basis == "adjusted"


def test_dosing_weight_in_lb_alerts() -> None:
    dw = rx.dosing_weight("330 lb", "175 cm", "male", basis="auto")
    assert [a.code for a in dw.alerts] == ["non_metric_weight"]
    r = rx.infusion_rate("0.25 mg/kg/h", dw, "1 mg/mL", profile=PERIOP)
    assert codes(r) == ["non_metric_weight"]


# --- results: repr, HTML, dict, pickle ---------------------------------------------


def test_results_are_frozen_readable_and_pickle() -> None:
    r = rx.infusion_rate("0.1 mg/kg/h", "45 kg", "2 mg/mL", profile=ACUTE)
    assert repr(r).startswith("InfusionRate(rate=2.25 mL/h, display_rate=2.3,")
    assert "<table>" in r._repr_html_()
    d = r.to_dict()
    assert d["rate"] == {"value": 2.25, "unit": "mL/h"}
    assert d["display_rate"] == 2.3
    assert d["source"] == "INFUSION_PROFILES_2026/asra_2018"
    assert d["alerts"] == []
    import json

    json.dumps(d)
    assert pickle.loads(pickle.dumps(r)) == r
    b = rx.bolus("0.35 mg/kg", "80 kg", "10 mg/mL", profile=ACUTE)
    assert pickle.loads(pickle.dumps(b)) == b
    assert b.to_dict()["amount"] == {"value": 28.0, "unit": "mg"}
    dw = rx.dosing_weight("50 kg", "150 cm", "female", basis="ideal")
    assert pickle.loads(pickle.dumps(dw)) == dw
    assert dw.to_dict()["alerts"][0]["code"] == "ibw_extrapolated"
    assert "ibw_extrapolated" in dw._repr_html_()
    c = infusions.concentration_check("1 mL/h", "70 kg", programmed="1 mg/mL", actual="2 mg/mL")
    assert pickle.loads(pickle.dumps(c)) == c
    json.dumps(c.to_dict())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        r.rate = rx.Q("1 mL/h")  # type: ignore[misc] # frozen on purpose


def test_profiles_listing() -> None:
    ids = rx.infusion_profiles()
    assert ids[:3] == (PERIOP, ACUTE, PAEDS)
    assert LIDO in ids
    p = infusions.infusion_profile(PAEDS)
    assert p.dose_unit == "mcg/kg/h"
    assert [rx.units.format_units(c.value) for c in p.concentrations] == ["mg/mL", "mg/mL"]
    with pytest.raises(InputError, match="accepted: ketamine/perioperative_analgesia"):
        infusions.infusion_profile("nope")


# --- bad inputs (reference notes §4 pitfalls, API contract) --------------------------


@pytest.mark.parametrize(
    "dose",
    [
        0.25,  # bare number: the unit is never guessed
        "0.25",
        "12 mg/h",  # absolute rate where a weight-based one is expected
        "0.5 mg/min",  # the label's microdrip rate is not weight-normalised
        "0.35 mg/kg",  # a bolus dose is not a rate
        "10 mL/h",  # a pump rate is not a dose
        "10 gamma",
        "10 u/h",
        "10 units/h",
        "1 gr/h",
        "5 ppm/h",
        "5 %/min",
        "1/h",
        "1 mg/kg*h",
        "0.25 mg.kg-1.h-1",
        "0.25 mg/lb/h",
    ],
    ids=repr,
)
def test_bad_dose_units(dose: Any) -> None:
    with pytest.raises(PainRxError) as err:
        rx.infusion_rate(dose, "80 kg", "1 mg/mL", profile=ACUTE)
    assert isinstance(err.value, (UnitError, InputError))


def test_absolute_rate_message() -> None:
    with pytest.raises(UnitError, match="absolute dose rate"):
        rx.infusion_rate("12 mg/h", "80 kg", "1 mg/mL")


@pytest.mark.parametrize(
    ("dose", "weight", "conc", "error"),
    [
        ("0 mg/kg/h", "80 kg", "1 mg/mL", InputError),
        ("-0.25 mg/kg/h", "80 kg", "1 mg/mL", InputError),
        ("nan mg/kg/h", "80 kg", "1 mg/mL", InputError),
        ("inf mg/kg/h", "80 kg", "1 mg/mL", InputError),
        (float("nan"), "80 kg", "1 mg/mL", UnitError),
        ("0.25 mg/kg/h", 80, "1 mg/mL", UnitError),  # a bare 176 read as kg is an overdose
        ("0.25 mg/kg/h", "80", "1 mg/mL", UnitError),
        ("0.25 mg/kg/h", "80 mg", "1 mg/mL", UnitError),
        ("0.25 mg/kg/h", "80 cm", "1 mg/mL", UnitError),
        ("0.25 mg/kg/h", "0.29 kg", "1 mg/mL", InputError),
        ("0.25 mg/kg/h", "400.1 kg", "1 mg/mL", InputError),
        ("0.25 mg/kg/h", "0 kg", "1 mg/mL", InputError),
        ("0.25 mg/kg/h", "-70 kg", "1 mg/mL", InputError),
        ("0.25 mg/kg/h", "80 kg", "0 mg/mL", InputError),
        ("0.25 mg/kg/h", "80 kg", 1, UnitError),
        ("0.25 mg/kg/h", "80 kg", "1 mg", UnitError),
        ("0.25 mg/kg/h", "80 kg", "1 %", UnitError),
        ("0.25 mg/kg/h", None, "1 mg/mL", InputError),
        ("9**9**9 mg/kg/h", "80 kg", "1 mg/mL", PainRxError),
        ("1" * 1_000_000 + " mg/kg/h", "80 kg", "1 mg/mL", InputError),
        ("0.25 mg/kg/h\x00", "80 kg", "1 mg/mL", InputError),
    ],
    ids=lambda v: repr(v)[:24],
)
def test_bad_inputs(dose: Any, weight: Any, conc: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        rx.infusion_rate(dose, weight, conc, profile=ACUTE)


def test_weight_bounds_are_inclusive() -> None:
    assert rx.infusion_rate("1 mg/kg/h", "0.3 kg", "1 mg/mL").weight.magnitude == 0.3
    assert rx.infusion_rate("0.1 mg/kg/h", "400 kg", "1 mg/mL").weight.magnitude == 400.0


def test_foreign_pint_quantity_is_refused() -> None:
    other = pint.UnitRegistry[float]()
    with pytest.raises(UnitError, match="another pint registry"):
        rx.infusion_rate(other.Quantity(0.25, "mg/kg/h"), "80 kg", "1 mg/mL")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"basis": "total"}, InputError),
        ({"basis": "auto", "factor": 0}, InputError),
        ({"basis": "auto", "factor": 1}, InputError),
        ({"basis": "auto", "factor": float("nan")}, InputError),
        ({"basis": "auto", "factor": "0.4"}, InputError),
        ({"basis": "auto", "factor": True}, InputError),
        ({"basis": "auto", "age": 126}, InputError),
        ({"basis": "auto", "age": float("nan")}, InputError),
        ({"basis": "auto", "age": "40 kg"}, UnitError),
    ],
)
def test_bad_dosing_weight_options(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        rx.dosing_weight("80 kg", "170 cm", "male", **kwargs)


@pytest.mark.parametrize(
    ("height", "sex", "error"),
    [
        (170, "male", UnitError),
        ("170", "male", UnitError),
        ("170 kg", "male", UnitError),
        ("251 cm", "male", InputError),
        ("170 cm", "x", InputError),
        ("170 cm", None, InputError),
        ("nan cm", "male", InputError),
    ],
    ids=repr,
)
def test_bad_ibw_inputs(height: Any, sex: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        rx.ideal_body_weight(height, sex)


def test_bad_pump_and_rate_inputs() -> None:
    with pytest.raises(InputError):
        rx.infusion_rate("0.25 mg/kg/h", "80 kg", "1 mg/mL", pump_resolution="0 mL/h")
    with pytest.raises(UnitError):
        rx.infusion_rate("0.25 mg/kg/h", "80 kg", "1 mg/mL", pump_resolution="0.1 mL")
    with pytest.raises(InputError, match="implausible"):
        rx.infusion_rate("0.25 mg/kg/h", "80 kg", "1 mg/mL", pump_resolution="1000 mL/h")
    with pytest.raises(InputError, match="999 mL/h"):
        rx.delivered_dose("1000 mL/h", "1 mg/mL", "80 kg")
    assert rx.delivered_dose("999 mL/h", "1 mg/mL", "700 lb").magnitude > 0
    with pytest.raises(UnitError):
        rx.delivered_dose("10 mg/h", "1 mg/mL", "80 kg")
    with pytest.raises(InputError):
        infusions.concentration_check("10 mL/h", "80 kg", programmed="0 mg/mL", actual="1 mg/mL")


# --- review fixes (issue 5 review) ---------------------------------------------------


@pytest.mark.parametrize(
    ("age", "error"),
    [
        (-5, InputError),
        (126, InputError),
        (float("nan"), InputError),
        ("40 kg", UnitError),
        ("x", PainRxError),
    ],
    ids=repr,
)
def test_age_is_validated_even_on_actual_weight(age: Any, error: type[Exception]) -> None:
    # An impossible age is refused whatever the basis, not ignored when no height is given.
    with pytest.raises(error):
        rx.dosing_weight("70 kg", age=age)
    with pytest.raises(error):
        rx.dosing_weight("70 kg", "170 cm", None, age=age)


def test_valid_age_with_actual_weight_is_accepted() -> None:
    dw = rx.dosing_weight("20 kg", age=8)
    assert dw.basis == "actual"
    assert dw.weight.magnitude == 20.0


@pytest.mark.parametrize("resolution", ["1e-30 mL/h", "1e-40 mL/h"])
def test_implausibly_fine_pump_resolution_is_an_input_error(resolution: str) -> None:
    # Used to escape as decimal.InvalidOperation (not a PainRxError).
    with pytest.raises(InputError, match="implausibly fine"):
        rx.infusion_rate("0.1 mg/kg/h", "45 kg", "2 mg/mL", pump_resolution=resolution)


def test_fine_but_plausible_pump_resolution() -> None:
    r = rx.infusion_rate("0.1 mg/kg/h", "45 kg", "2 mg/mL", pump_resolution="0.01 mL/h")
    assert r.display_rate == Decimal("2.25")


def test_adjusted_factor_default_comes_from_the_data_file() -> None:
    # clinPK factor 0.4 (data/infusions/body_weight.toml); an explicit factor still wins.
    assert rx.adjusted_body_weight("110 kg", "70 in", "male").magnitude == pytest.approx(87.8)
    explicit = rx.adjusted_body_weight("110 kg", "70 in", "male", factor=0.3)
    assert explicit.magnitude == pytest.approx(73 + 0.3 * 37)
    with pytest.raises(InputError, match=r"default 0\.4"):
        rx.adjusted_body_weight("110 kg", "70 in", "male", factor=1.5)


def test_lidocaine_premix_is_cited_to_a_verifiable_listing() -> None:
    p = infusions.infusion_profile(LIDO)
    source = p.concentrations[0].source
    assert "0338-0409" in source.citation
    assert source.url.startswith("https://dailymed.nlm.nih.gov/")


def test_rounding_that_crosses_the_hard_maximum_uses_the_step_below() -> None:
    # Issue 19 reproducer: 1.5 mg/kg/h x 1.5 kg / 5 mg/mL = 0.45 mL/h, shown half-up as
    # 0.5 mL/h = 1,667 mcg/kg/h against CHEO's 1,500 mcg/kg/h hard maximum.
    r = rx.infusion_rate(
        "1500 mcg/kg/h", "1.5 kg", "5 mg/mL", profile="ketamine/paediatric_analgesia"
    )
    assert r.display_rate == Decimal("0.4")
    assert r.delivered.magnitude == pytest.approx(1333.333, rel=1e-6)
    adjusted = [a for a in r.alerts if a.code == "display_rate_adjusted_for_hard_limit"]
    assert len(adjusted) == 1
    assert adjusted[0].severity is Severity.MINOR
    assert "would show 0.5 mL/h and deliver 1667 mcg/kg/h" in adjusted[0].message


def test_no_display_step_within_the_hard_limits_is_refused() -> None:
    # 1.5 mg/kg/h x 2 kg / 50 mg/mL = 0.06 mL/h: 0.1 mL/h delivers 2,500 mcg/kg/h, 0 nothing.
    with pytest.raises(HardLimitError, match=r"no display step of 0\.1 mL/h stays within"):
        rx.infusion_rate(
            "1500 mcg/kg/h", "2 kg", "50 mg/mL", profile="ketamine/paediatric_analgesia"
        )


def test_display_rounding_beyond_the_hopa_tolerance_is_alerted() -> None:
    # HOPA 2018 (Fahrenbruch, J Oncol Pract): rounding within 10% of the ordered dose is
    # acceptable. 0.45 mg/kg/h x 1 kg / 2 mg/mL = 0.225 mL/h, shown as 0.2 mL/h: 11% less.
    r = rx.infusion_rate("0.45 mg/kg/h", "1 kg", "2 mg/mL")
    assert r.display_rate == Decimal("0.2")
    moved = [a for a in r.alerts if a.code == "display_rounding_moves_dose"]
    assert len(moved) == 1
    assert moved[0].severity is Severity.MODERATE
    assert "11% less than ordered, beyond the 10%" in moved[0].message
    assert moved[0].source is not None
    assert "Hematology/Oncology Pharmacy Association" in moved[0].source.title


def test_display_rounding_within_the_hopa_tolerance_is_silent() -> None:
    # 0.55 mL/h shown as 0.6 mL/h is 9.1% more: within HOPA 2018's 10%.
    r = rx.infusion_rate("0.55 mg/kg/h", "1 kg", "1 mg/mL")
    assert r.display_rate == Decimal("0.6")
    assert "display_rounding_moves_dose" not in codes(r)
