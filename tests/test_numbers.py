"""painrx's number rules: exact fractions from decimals, half-up rounding (one home)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from painrx._numbers import (
    decimal,
    exact,
    exact_conversion,
    exact_decimal,
    round_half_up,
    round_places,
)


def test_exact_reads_decimals_and_simple_fractions() -> None:
    assert exact(0.1) == Fraction(1, 10)
    assert exact(7.2) == Fraction(36, 5)  # CDC fentanyl patch file formula factor
    assert exact(20 / 3) == Fraction(20, 3)
    assert exact(3.3333333333333335) == Fraction(10, 3)
    assert exact(1e-20) == Fraction("1e-20")


def test_decimal_is_the_number_as_printed() -> None:
    assert decimal(0.1) == Fraction(1, 10)
    assert decimal(20 / 3) == Fraction("6.666666666666667")


def test_exact_conversion_drops_unit_noise() -> None:
    assert exact_conversion(0.06 * 1000) == 60  # 0.06 g in mg is 60.00000000000001
    assert exact_conversion(12.5) == Fraction(25, 2)


def test_round_half_up_rounds_ties_up() -> None:
    assert round(2.25, 1) == 2.2  # Python: half to even on a binary float
    assert round_half_up(2.25, Decimal("0.1")) == Decimal("2.3")
    assert round_half_up(Fraction(9, 4), Decimal("0.1")) == Decimal("2.3")
    assert round_half_up(Decimal("0.05"), Decimal("0.1")) == Decimal("0.1")
    # 15 mcg/kg/min is 0.8999999999999999 mg/kg/h as a float: read at 12 digits, it is 0.9.
    assert round_half_up(15 * 60 / 1000, Decimal("0.1")) == Decimal("0.9")
    assert round_places(Fraction(45, 2), 0) == 23.0
    assert round_places(Fraction(1, 3), 2) == 0.33


def test_a_float_with_steps_beyond_28_digits_is_refused() -> None:
    with pytest.raises(InvalidOperation):
        round_half_up(999.0, exact_decimal(1e-30))


@given(
    st.fractions(min_value=0, max_value=10**6, max_denominator=10**4),
    st.sampled_from(["1", "0.5", "0.1", "0.01"]),
)
def test_round_half_up_is_the_nearest_step_with_ties_up(value: Fraction, step_text: str) -> None:
    step = Decimal(step_text)
    rounded = round_half_up(value, step)
    exact_step = Fraction(step)
    assert Fraction(rounded) % exact_step == 0
    distance = Fraction(rounded) - value
    assert -exact_step / 2 < distance <= exact_step / 2
