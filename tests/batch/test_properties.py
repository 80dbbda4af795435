"""Hypothesis: every batch row is exactly what ``rx.mme_prescription`` says for it.

Values are compared with ``==`` (the batch computes on exact integers, as the scalar
path does on fractions), and so are error presence, alert codes and factors.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import painrx as rx
from painrx.batch import mme_prescriptions
from painrx.types import MMETable, ThresholdPolicyId

# Every test runs with the compiled (numba) fast pass and with the numpy one.
pytestmark = pytest.mark.usefixtures("fast_pass")

DRUGS = st.sampled_from(
    [
        "oxycodone",
        "Oxycodone HCl",
        "Percocet",
        "Norco",
        "hydrocodone/acetaminophen",
        "codeine",
        "tramadol",
        "tapentadol",
        "morphine",
        "MS Contin",
        "hydromorphone",
        "oxymorphone",
        "methadone",
        "fentanyl",
        "Duragesic",
        "buprenorphine",
        "butorphanol",
        "levorphanol",
        "ibuprofen",
        "oxycodoen",
        "",
        "  ",
        None,
    ]
)
UNITS = st.sampled_from(["mg", "MG", "mcg", "g", "mcg/h", "mg/h", "mg/mL", "mcg/mL", "units", ""])
ROUTES = st.sampled_from([None, "oral", "PO", "transdermal", "sublingual", "nasal", "buccal", "iv"])
FORMS = st.sampled_from([None, "tablet", "patch", "nasal_spray", "solution", "buccal_film"])
NUMBERS = st.one_of(
    st.integers(min_value=1, max_value=360).map(float),
    st.sampled_from([7.5, 0.1, 0.3, 2.5, 12.5, 37.5, 0.0, -5.0, math.nan, math.inf]),
    st.floats(min_value=0.001, max_value=5_000, allow_nan=False),
)
TABLES = st.sampled_from(["CDC_NDC_2018", "CDC_2016", "CDC_2022", "NIH_HEAL_2025", "ANZCA_2021"])
POLICIES = st.sampled_from(["CDC_2016", "UK_OPENPRESCRIBING_2025", None])
POSITIVE = st.one_of(
    st.integers(min_value=1, max_value=360).map(float),
    st.sampled_from([7.5, 0.1, 0.3, 2.5, 12.5, 37.5, 1e-6]),
    st.floats(min_value=0.001, max_value=5_000, allow_nan=False),
)
# (drug, strength unit, route, form) that the tables cover, so most rows compute.
PRODUCTS = st.sampled_from(
    [
        ("oxycodone", "mg", None, None),
        ("Percocet", "mg", None, None),
        ("HYDROCODONE/APAP", "mg", "PO", "tablet"),
        ("codeine", "mg", None, None),
        ("tramadol", "mg", None, None),
        ("tapentadol", "mg", "oral", None),
        ("morphine", "mcg", None, None),
        ("hydromorphone", "mg", None, None),
        ("methadone", "mg", None, None),
        ("methadone", "mg/mL", None, "solution"),
        ("fentanyl", "mcg/h", "transdermal", None),
        ("Duragesic", "mcg/h", None, None),
        ("fentanyl", "mcg", "buccal", "buccal_film"),
        ("butorphanol", "mg/mL", "nasal", "nasal_spray"),
    ]
)
ROW = st.one_of(
    st.tuples(DRUGS, NUMBERS, UNITS, NUMBERS, NUMBERS, ROUTES, FORMS),
    st.builds(
        lambda p, s, q, d: (p[0], s, p[1], q, d, p[2], p[3]), PRODUCTS, POSITIVE, POSITIVE, POSITIVE
    ),
)


def scalar_result(
    row: tuple[Any, ...],
    table: MMETable = "CDC_NDC_2018",
    thresholds: ThresholdPolicyId | None = "CDC_2016",
) -> rx.MMEResult:
    """``rx.mme_prescription`` for one batch row (raises when it refuses the row)."""
    drug, strength, unit, quantity, days, route, form = row
    found = rx.opioids.prescription_factor(
        drug, strength_unit=unit, route=route, form=form, table=table
    )
    amount: Any = rx.Q(quantity, "mL") if found.quantity_kind == "volume" else quantity
    return rx.mme_prescription(
        drug,
        strength=rx.Q(strength, unit),
        quantity=amount,
        days_supply=days,
        route=route,
        form=form,
        table=table,
        thresholds=thresholds,
    )


def _scalar(row: tuple[Any, ...], table: str, thresholds: str | None) -> rx.MMEResult | None:
    """``rx.mme_prescription`` for one row, or None when it refuses the row."""
    try:
        return scalar_result(
            row, cast("MMETable", table), cast("ThresholdPolicyId | None", thresholds)
        )
    except rx.PainRxError:
        return None


@given(rows=st.lists(ROW, min_size=1, max_size=25), table=TABLES, thresholds=POLICIES)
def test_every_row_equals_the_scalar_function(
    rows: list[tuple[Any, ...]], table: str, thresholds: str | None
) -> None:
    names = ("drug", "strength", "strength_unit", "quantity", "days_supply", "route", "form")
    data = {
        name: np.array(
            values, dtype=float if name in {"strength", "quantity", "days_supply"} else object
        )
        for name, values in zip(names, zip(*rows, strict=True), strict=True)
    }
    out = mme_prescriptions(data, table_id=table, thresholds=thresholds)
    assert len(out["mme_per_day"]) == len(rows)
    for i, row in enumerate(rows):
        expected = _scalar(row, table, thresholds)
        if expected is None:
            assert out["error"][i] is not None, row
            assert math.isnan(out["mme_per_day"][i])
            assert out["alerts"][i] is None
            continue
        assert out["error"][i] is None, (row, out["error"][i])
        assert out["mme_per_day"][i] == expected.value, row
        assert out["alerts"][i].split(";") == [a.code for a in expected.alerts] or (
            out["alerts"][i] == "" and not expected.alerts
        ), row
        found = rx.opioids.prescription_factor(
            row[0], strength_unit=row[2], route=row[5], form=row[6], table=table
        )
        if not found.banded:
            assert out["factor"][i] == found.factor


@given(
    strength=st.integers(min_value=1, max_value=100),
    quantity=st.integers(min_value=1, max_value=240),
    days=st.integers(min_value=1, max_value=90),
    drug=st.sampled_from(["codeine", "tramadol", "tapentadol", "oxycodone", "hydromorphone"]),
)
def test_thresholds_are_decided_exactly(strength: int, quantity: int, days: int, drug: str) -> None:
    """Rows at or a hair below 50 or 90 MME/day get the scalar path's alerts."""
    row = (drug, float(strength), "mg", float(quantity), float(days), None, None)
    out = mme_prescriptions(
        {
            k: np.array([v], dtype=object)
            for k, v in zip(
                ("drug", "strength", "strength_unit", "quantity", "days_supply", "route", "form"),
                row,
                strict=True,
            )
        },
        table_id="CDC_NDC_2018",
    )
    expected = _scalar(row, "CDC_NDC_2018", "CDC_2016")
    if expected is None:
        assert out["error"][0] is not None
        return
    assert out["mme_per_day"][0] == expected.value
    assert out["alerts"][0] == ";".join(a.code for a in expected.alerts)
