"""Units: the allow-list, the bounded parser, body weight as its own dimension, UCUM codes."""

from __future__ import annotations

import math
import pickle
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

import painrx as rx
from painrx import units
from painrx.errors import InputError, PainRxError, UnitError


@pytest.mark.parametrize(
    ("text", "magnitude", "unit"),
    [
        ("10 mg", 10.0, "mg"),
        ("10 mcg", 10.0, "mcg"),
        ("10 ug", 10.0, "mcg"),
        ("10 µg", 10.0, "mcg"),
        ("0.25 mg/kg/h", 0.25, "mg/kg/h"),
        ("2 mcg/kg/min", 2.0, "mcg/kg/min"),
        ("5 mg/(kg.h)", 5.0, "mg/kg/h"),
        ("25 mcg/h", 25.0, "mcg/h"),
        ("25 MCG/HR", 25.0, "mcg/h"),
        ("2 mg/mL", 2.0, "mg/mL"),
        ("10 MG/ML", 10.0, "mg/mL"),
        ("12.5 mL/h", 12.5, "mL/h"),
        ("30 mg/day", 30.0, "mg/day"),
        ("30 mg/d", 30.0, "mg/day"),
        ("0.35 mg/kg", 0.35, "mg/kg"),
        ("70 kg", 70.0, "kg"),
        ("154 lb", 154.0, "lb"),
        ("170 cm", 170.0, "cm"),
        ("67 in", 67.0, "in"),
        ("7 day", 7.0, "day"),
        ("1 month", 1.0, "month"),
        ("2.5 mL", 2.5, "mL"),
        ("1e3 mg", 1000.0, "mg"),
        (".5 mg", 0.5, "mg"),
    ],
)
def test_accepted_units(text: str, magnitude: float, unit: str) -> None:
    q = rx.Q(text)
    assert q.magnitude == magnitude
    assert units.format_units(q) == unit


def test_number_and_unit_form() -> None:
    assert rx.Q(10, "mcg") == rx.Q("10 mcg")
    assert rx.Q(0.25, "mg/kg/h").to("mcg/kg/min").magnitude == pytest.approx(0.25 * 1000 / 60)


def test_mcg_is_microgram() -> None:
    assert rx.Q("1000 mcg").to("mg").magnitude == pytest.approx(1.0)
    assert rx.Q("25 mcg/h").to("mg/day").magnitude == pytest.approx(0.6)


def test_month_is_thirty_days() -> None:
    # A painrx convention for taper intervals, documented on the units page.
    assert rx.Q("1 month").to("day").magnitude == pytest.approx(30.0)


@pytest.mark.parametrize(
    "text",
    [
        "10 gamma",
        "10 u",
        "10 U",
        "10 unit",
        "10 units",
        "10 IU",
        "1 gr",
        "5 ppm",
        "5 %",
        "5 percent",
        "5 cc",
        "2 mg/kg*h",
        "2 mg/kg.h",
        "10 mg/lb",
        "5 kg/h",
        "3 mg/month",
        "2 furlong",
        "2 mg/",
        "2 mg/(kg.h",
        "2 /h",
        "2 mL/kg",
    ],
)
def test_rejected_units_name_the_unit(text: str) -> None:
    with pytest.raises(UnitError) as info:
        rx.Q(text)
    assert "not accepted" in str(info.value)


def test_one_per_hour_is_not_a_dose_rate() -> None:
    with pytest.raises(UnitError, match="1/h"):
        rx.Q(0.5, "1/h")


@pytest.mark.parametrize("target", ["1/h", "ppm/h", "mg/h", "%/h"])
def test_weight_based_rate_does_not_convert_to_other_dimensions(target: str) -> None:
    with pytest.raises(UnitError):
        rx.Q("0.25 mg/kg/h").to(target)


def test_body_weight_cancels_explicitly() -> None:
    dose_rate = rx.Q("0.25 mg/kg/h")
    weight = units.as_body_weight(rx.Q("70 kg"))
    assert (dose_rate * weight).to("mg/h").magnitude == pytest.approx(17.5)
    pounds = units.as_body_weight(rx.Q("154.3234 lb"))
    assert units.kind_of(pounds) == "body_weight"
    assert pounds.magnitude == pytest.approx(
        154.3234 * 0.45359237
    )  # kg per lb, exact by definition


@pytest.mark.parametrize("text", ["5 kilogram_body", "1 clinical_month", "2 mg/kilogram_body"])
def test_internal_unit_names_are_refused(text: str) -> None:
    with pytest.raises(UnitError, match="unknown unit"):
        rx.Q(text)


@pytest.mark.parametrize("text", ["5 M", "5 Mg", "5 mG", "5 Mcg/hr", "2 mg/Ml", "70 Kg", "1 G"])
def test_mixed_case_units_are_refused(text: str) -> None:
    with pytest.raises(UnitError, match="ambiguous in that case"):
        rx.Q(text)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("5 MG", "mg"),
        ("25 MCG/HR", "mcg/h"),
        ("2 MG/ML", "mg/mL"),
        ("1 L", "L"),
        ("2 mg/mL", "mg/mL"),
    ],
)
def test_pharmacy_capitals_and_painrx_spelling_are_accepted(text: str, unit: str) -> None:
    assert units.format_units(rx.Q(text)) == unit


def test_registry_attributes_follow_the_allow_list() -> None:
    reg = units.registry()
    assert hasattr(reg, "mg")
    assert not hasattr(reg, "x")
    assert not hasattr(reg, "gr")  # grain: refused, so no attribute either


def test_as_body_weight_refuses_non_mass() -> None:
    with pytest.raises(UnitError):
        units.as_body_weight(rx.Q("10 mL"))


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (10, UnitError),
        (10.0, UnitError),
        ("10", UnitError),
        ("", InputError),
        ("   ", InputError),
        (None, InputError),
        (True, InputError),
        ("nan mg", InputError),
        ("inf mg", InputError),
        ("-inf mg", InputError),
        ("1e400 mg", InputError),
        ("mg", InputError),
        ("1,000 mg", InputError),
        ("10 mg 5", UnitError),
    ],
    ids=repr,
)
def test_bad_values(value: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        rx.Q(value)


def test_non_finite_number_with_unit() -> None:
    with pytest.raises(InputError, match="finite"):
        rx.Q(math.nan, "mg")
    with pytest.raises(InputError, match="finite"):
        rx.Q(math.inf, "mg")


def test_foreign_pint_quantity_is_refused() -> None:
    import pint

    other = pint.UnitRegistry[float]()
    with pytest.raises(UnitError, match="another pint registry"):
        rx.Q(other.Quantity(1.0, "mg"))


@pytest.mark.parametrize(
    "text",
    [
        "9**9**9 mg",
        "1" * 1_000_000 + " mg",
        "10 mg\x00",
        "１0 mg",  # fullwidth digit one
        "١٠ mg",  # Arabic-Indic digits
        "10 mg; import os",
        "__import__('os') mg",
    ],
    ids=lambda text: repr(text[:20]),
)
def test_hostile_strings_fail_fast(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises((UnitError, InputError)):
        rx.Q(text)
    assert time.perf_counter() - start < 0.5


@given(st.text(max_size=60))
def test_fuzz_only_allow_listed_quantity_or_painrx_error(text: str) -> None:
    try:
        q = rx.Q(text)
    except PainRxError:
        return
    assert math.isfinite(q.magnitude)
    assert units.kind_of(q) is not None


@given(st.text(alphabet="0123456789.eE+-/()*·% mgkcuLlhdayinwsoprt", max_size=40))
def test_fuzz_unit_alphabet(text: str) -> None:
    try:
        q = rx.Q(text)
    except PainRxError:
        return
    assert units.kind_of(q) is not None


@given(st.floats(min_value=1e-6, max_value=1e6))
def test_weight_based_round_trip(x: float) -> None:
    q = rx.Q(x, "mg/kg/h")
    back = q.to("mcg/kg/min").to("mg/kg/h")
    assert back.magnitude == pytest.approx(x, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1 mg", "mg"),
        ("1 mcg", "ug"),
        ("1 g", "g"),
        ("1 kg", "kg"),
        ("1 lb", "[lb_av]"),
        ("1 mL", "mL"),
        ("1 L", "L"),
        ("1 min", "min"),
        ("1 h", "h"),
        ("1 day", "d"),
        ("1 week", "wk"),
        ("1 month", "30.d"),
        ("1 year", "a"),
        ("1 cm", "cm"),
        ("1 m", "m"),
        ("1 in", "[in_i]"),
        ("1 mg/mL", "mg/mL"),
        ("1 mcg/mL", "ug/mL"),
        ("1 mg/day", "mg/d"),
        ("1 mcg/h", "ug/h"),
        ("1 mL/h", "mL/h"),
        ("1 mg/kg", "mg/kg"),
        ("1 mg/kg/h", "mg/(kg.h)"),
        ("1 mcg/kg/min", "ug/(kg.min)"),
        ("1 mcg/kg/h", "ug/(kg.h)"),
    ],
)
def test_ucum_codes(text: str, code: str) -> None:
    assert units.to_ucum(rx.Q(text)) == code


def test_repr_str_format() -> None:
    q = rx.Q("0.25 mg/kg/h")
    assert repr(q) == "<Quantity(0.25, 'mg/kg/h')>"
    assert str(q) == "0.25 mg/kg/h"
    assert f"{rx.Q('17.5 mg/h'):.1f}" == "17.5 mg/h"
    assert q._repr_html_() == "0.25 mg/kg/h"


def test_quantities_pickle_into_painrx_registry() -> None:
    q = rx.Q("0.25 mg/kg/h")
    back = pickle.loads(pickle.dumps(q))
    assert back == q
    assert back.to("mcg/kg/min").magnitude == pytest.approx(q.to("mcg/kg/min").magnitude)


def test_quantity_arg_kinds() -> None:
    q = units.quantity_arg("12 mg/h", name="dose", kinds="mass_rate")
    assert q.magnitude == 12.0
    with pytest.raises(UnitError, match="dose='12 mg/h'"):
        units.quantity_arg("12 mg/h", name="dose", kinds="dose_rate_per_weight")
    with pytest.raises(UnitError, match="bare number"):
        units.quantity_arg(12, name="dose", kinds="mass")
    with pytest.raises(InputError, match="greater than zero"):
        units.quantity_arg("0 mg", name="dose", kinds="mass")
    with pytest.raises(InputError, match="greater than zero"):
        units.quantity_arg("-5 mg", name="dose", kinds="mass")


def test_magnitude_uses_cached_factor() -> None:
    assert units.magnitude(rx.Q("25 mcg/h"), "mg/day") == pytest.approx(0.6)
    with pytest.raises(UnitError):
        units.magnitude(rx.Q("25 mcg/h"), "mg")


def test_repeated_unit_string_is_parsed_once() -> None:
    units.Q(1.0, "mcg/kg/min")
    before = units._parsed.cache_info().misses
    for _ in range(50):
        units.Q(2.0, "mcg/kg/min")
    assert units._parsed.cache_info().misses == before


def test_registry_is_built_once_across_threads() -> None:
    seen: list[object] = []

    def grab() -> None:
        seen.append(units.registry())

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is seen[0] for r in seen)


def test_import_does_not_build_registry() -> None:
    import subprocess
    import sys

    code = "import painrx, painrx.units as u, sys; assert u._registry is None; print('lazy')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "lazy"


def test_arithmetic_with_prefixed_units() -> None:
    rate = rx.Q("10 mg/h") / rx.Q("2 mg/mL")
    assert rate.to("mL/h").magnitude == pytest.approx(5.0)
    assert (rx.Q("3 mL") * rx.Q("2 mg/mL")).to("mcg").magnitude == pytest.approx(6000.0)


def test_float_repr_round_trips_through_text() -> None:
    x = 0.09999000000000001
    assert rx.Q(f"{x} mg").magnitude == x


@pytest.mark.parametrize("text", ["10/325 mg", "20 / 650 mg/day", "7.5/325 mg"])
def test_a_combination_strength_is_named_not_called_a_bad_unit(text: str) -> None:
    """'10/325 mg' is a Percocet strength, not the unit '/325 mg'."""
    with pytest.raises(InputError, match="combination product's strength"):
        units.Q(text)


@pytest.mark.parametrize(
    ("text", "spec", "shown"),
    [
        ("0.25 mg/kg/h", "", "0.25 mg/kg/h"),
        ("0.25 mg/kg/h", ".1f", "0.2 mg/kg/h"),
        ("0.25 mg/kg/h", "~", "0.25 mg / kg / h"),
        ("0.25 mg/kg/h", "~P", "0.25 mg/kg/h"),
        ("0.25 mg/kg/h", ".2f~P", "0.25 mg/kg/h"),
        ("0.25 mg/kg/h", "~C", "0.25 mg/kg/h"),
        ("0.25 mg/kg/h", "~D", "0.25 mg / kg / h"),
        ("0.25 mg/kg/h", "~H", "0.25 mg/(kg h)"),
        ("0.25 mg/kg/h", "P", "0.25 milligram/kilogram/hour"),
        ("0.25 mg/kg/h", "D", "0.25 milligram / kilogram / hour"),
        (
            "0.25 mg/kg/h",
            "~L",
            r"0.25\ \frac{\mathrm{mg}}{\left(\mathrm{kg} \cdot \mathrm{h}\right)}",
        ),
        (
            "2 mcg/kg/min",
            ".3e~L",
            r"2.000\times 10^{0}\ \frac{\mathrm{mcg}}{\left(\mathrm{kg} \cdot \mathrm{min}\right)}",
        ),
        ("3 month", "P", "3 month"),
        ("70 kg", "~P", "70 kg"),
        ("12.5 mL/h", ".1f~H", "12.5 mL/h"),
    ],
)
def test_pint_format_codes_pass_through(text: str, spec: str, shown: str) -> None:
    assert format(rx.Q(text), spec) == shown


def test_default_str_stays_clinical() -> None:
    q = rx.Q("0.25 mg/kg/h")
    assert str(q) == f"{q}" == "0.25 mg/kg/h"
    assert format(rx.Q("70 kg"), "") == "70 kg"
    assert format(units.as_body_weight(rx.Q("70 kg")), "P") == "70 kilogram"


def test_bad_format_spec_is_a_painrx_error() -> None:
    with pytest.raises(InputError, match=r"Format 'xyz' does not apply to a quantity"):
        format(rx.Q("10 mg"), "xyz")


def test_jupyter_displays_any_quantity_without_error() -> None:
    from IPython.core.formatters import DisplayFormatter

    for text in ("0.25 mg/kg/h", "10 mg", "12.5 mL/h", "3 month", "25 mcg/h", "2 mg/mL"):
        data, _ = DisplayFormatter().format(rx.Q(text))  # type: ignore[no-untyped-call]
        assert data["text/plain"] == str(rx.Q(text))
        assert data["text/html"] == str(rx.Q(text))
        assert data["text/latex"].startswith("$")
        assert "mathrm" in data["text/latex"]


@pytest.mark.parametrize("text", ["10 mg", "0.25 mg/kg/h", "2 mcg/kg/min", "80 kg", "1 mg/mL"])
def test_quantities_built_past_pints_constructor_equal_pints_own(text: str) -> None:
    # units.new_quantity skips pint's Quantity.__new__ checks: the instance must be what
    # pint would have built (same class, same attributes), or a pint upgrade broke it.
    reg = units.registry()
    built = units.Q(text)
    made_by_pint = reg.Quantity(built.magnitude, built._units)
    assert type(built) is type(made_by_pint)
    assert vars(built) == vars(made_by_pint)
    assert built.to_base_units() == made_by_pint.to_base_units()
    assert units.Q(float(built.magnitude), units.format_units(built)) == made_by_pint
