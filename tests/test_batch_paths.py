"""The compiled (numba) batch pass and the numpy one give the same table, bit for bit.

The compiled pass settles in its own loops rows that the numpy path leaves to its
careful pass (bad numbers, the patch rule, the plausibility bound, Arrow nulls), so
every text, code and float is compared, not only the numbers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from painrx import _batch_core
from painrx.batch import mme_prescriptions
from tests.test_batch_properties import POLICIES, ROW, TABLES

NAMES = ("drug", "strength", "strength_unit", "quantity", "days_supply", "route", "form")

pytestmark = pytest.mark.skipif(
    _batch_core._import_compiled() is None, reason="numba is not installed"
)


@contextmanager
def _fast_pass(kind: str) -> Iterator[None]:
    saved = os.environ.get("PAINRX_NUMBA")
    os.environ["PAINRX_NUMBA"] = "1" if kind == "numba" else "0"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["PAINRX_NUMBA"]
        else:
            os.environ["PAINRX_NUMBA"] = saved


def _columns(rows: list[tuple[Any, ...]], repeat: int) -> dict[str, Any]:
    columns = {
        name: np.array([row[i] for row in rows] * repeat, dtype=object)
        for i, name in enumerate(NAMES)
    }
    for name in ("strength", "quantity", "days_supply"):
        columns[name] = columns[name].astype(float)
    return columns


def _both(table: Any, table_id: str, thresholds: str | None) -> tuple[Any, Any]:
    with _fast_pass("numba"):
        compiled = mme_prescriptions(table, table_id=table_id, thresholds=thresholds)
    with _fast_pass("numpy"):
        plain = mme_prescriptions(table, table_id=table_id, thresholds=thresholds)
    return compiled, plain


@settings(max_examples=80)
@given(
    rows=st.lists(ROW, min_size=1, max_size=30),
    repeat=st.sampled_from([1, 70]),
    table_id=TABLES,
    thresholds=POLICIES,
)
def test_dict_tables_agree(
    rows: list[tuple[Any, ...]], repeat: int, table_id: str, thresholds: str | None
) -> None:
    """70 repeats make every key slot common enough to resolve the whole key space."""
    compiled, plain = _both(_columns(rows, repeat), table_id, thresholds)
    for name in ("mme_per_day", "factor"):
        np.testing.assert_array_equal(compiled[name], plain[name], err_msg=name, strict=True)
    for name in ("table", "alerts", "error"):
        assert compiled[name].tolist() == plain[name].tolist(), name


@settings(max_examples=40)
@given(rows=st.lists(ROW, min_size=1, max_size=30), table_id=TABLES, thresholds=POLICIES)
def test_arrow_tables_with_nulls_agree(
    rows: list[tuple[Any, ...]], table_id: str, thresholds: str | None
) -> None:
    """NaN becomes an Arrow null: the compiled pass reads the validity bitmap."""
    columns = _columns(rows, 1)
    table = pa.table({name: pa.array(values, from_pandas=True) for name, values in columns.items()})
    compiled, plain = _both(table, table_id, thresholds)
    for name in ("mme_per_day", "factor"):
        np.testing.assert_array_equal(
            compiled[name].to_numpy(), plain[name].to_numpy(), err_msg=name, strict=True
        )
    for name in ("table", "alerts", "error"):
        assert compiled[name].to_pylist() == plain[name].to_pylist(), name


def test_patch_rule_and_plausibility_rows_are_settled_by_the_compiled_pass() -> None:
    """Rows the numpy path sends to its careful pass get the same result from the compiled one."""
    rows = [
        ("Duragesic", 25.0, "mcg/h", 10.0, 30.0, None, None),  # 10 patches of 3 days
        ("Duragesic", 25.0, "mcg/h", 10.0, 20.0, None, None),  # supply normalised
        ("fentanyl", 100.0, "mcg/h", 10.0, 30.0, "transdermal", None),
        ("oxycodone", 10.0, "g", 120.0, 30.0, None, None),  # 60,000 MME/day: refused
        ("oxycodone", 10.0, "mg", 2.0**50, 30.0, None, None),  # too large to be exact
        ("oxycodone", 10.0, "mg", 120.0, -30.0, None, None),
        ("oxycodone", 100.0, "mg", 200.0, 3.0, None, None),  # exactly 10,000: allowed
    ]
    columns = _columns(rows, 100)
    compiled, plain = _both(columns, "CDC_NDC_2018", "CDC_2016")
    # CDC file: 25 mcg/h x 2.4 = 60 MME/day, whatever days supply was written.
    assert compiled["alerts"][0] == "fentanyl_patch_caution;mme_threshold_50"
    assert compiled["alerts"][1] == "fentanyl_patch_caution;days_supply_normalised;mme_threshold_50"
    assert compiled["mme_per_day"][0] == compiled["mme_per_day"][1] == 60.0
    assert compiled["error"][3].startswith("InputError: the prescription gives more than 10,000")
    assert compiled["error"][5] == "InputError: days_supply must be greater than zero."
    assert compiled["mme_per_day"][6] == 10_000.0
    assert compiled["error"][6] is None
    np.testing.assert_array_equal(compiled["mme_per_day"], plain["mme_per_day"], strict=True)
    for name in ("alerts", "error"):
        assert compiled[name].tolist() == plain[name].tolist(), name
