"""The compiled (numba) batch pass and the numpy one give the same table, bit for bit.

The compiled pass settles in its own loops rows that the numpy path leaves to its
careful pass (bad numbers, the patch rule, the plausibility bound, Arrow nulls), so
every text, code and float is compared, not only the numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import as_arrow, prescriptions
from painrx.batch import _core as _batch_core
from painrx.batch import mme_prescriptions
from painrx.batch._opioids import scalar_mme
from painrx.errors import InputError
from tests.batch.test_properties import POLICIES, ROW, TABLES

NAMES = ("drug", "strength", "strength_unit", "quantity", "days_supply", "route", "form")

pytestmark = pytest.mark.skipif(
    _batch_core._import_compiled() is None, reason="numba is not installed"
)


def _columns(rows: list[tuple[Any, ...]], repeat: int) -> dict[str, Any]:
    columns = {
        name: np.array([row[i] for row in rows] * repeat, dtype=object)
        for i, name in enumerate(NAMES)
    }
    for name in ("strength", "quantity", "days_supply"):
        columns[name] = columns[name].astype(float)
    return columns


def _both(table: Any, table_id: str, thresholds: str | None) -> tuple[Any, Any]:
    """The table through the compiled pass, then through the numpy one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAINRX_NUMBA", "1")
        compiled = mme_prescriptions(table, table_id=table_id, thresholds=thresholds)
        patch.setenv("PAINRX_NUMBA", "0")
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


def test_rows_in_eighths_are_settled_by_the_compiled_pass_as_by_the_careful_one() -> None:
    """Decimal strengths and quantities in eighths left by the main loop: the same bits."""
    rows = [
        ("Norco", 7.5, "g", 120.0, 30.0, None, None),  # a mg/g slip: 45,000 MME/day, refused
        ("Duragesic", 12.5, "mcg/h", 7.5, 20.0, None, None),  # 7.5 patches last 22.5 days
        ("Duragesic", 37.5, "mcg/h", 2.5, 7.5, None, None),  # half days: the careful pass
        ("oxycodone", 7.5, "mg", 0.125, 1.0, None, None),
    ]
    compiled, plain = _both(_columns(rows, 100), "CDC_NDC_2018", "CDC_2016")
    assert compiled["error"][0].startswith("InputError: the prescription gives more than 10,000")
    # CDC file: 12.5 mcg/h x 2.4 = 30 MME/day over the normalised supply.
    assert compiled["mme_per_day"][1] == 30.0
    assert compiled["alerts"][1] == "fentanyl_patch_caution;days_supply_normalised"
    np.testing.assert_array_equal(compiled["mme_per_day"], plain["mme_per_day"], strict=True)
    np.testing.assert_array_equal(compiled["factor"], plain["factor"], strict=True)
    for name in ("alerts", "error"):
        assert compiled[name].tolist() == plain[name].tolist(), name


def _compiled_and_plain(columns: dict[str, Any], levels: list[tuple[float, str]]) -> Any:
    found = []
    for numba in ("1", "0"):
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PAINRX_NUMBA", numba)
            found.append(
                _batch_core.compute(
                    columns, len(columns["drug"]), "CDC_2022", levels, scalar_mme("CDC_2022", None)
                )
            )
    return found


# Six levels; and three that every row reaches (so the codes after the first two
# levels are used by no row).
LEVELS = [
    [(20.0, "a"), (37.5, "b"), (50.0, "c"), (90.0, "d"), (120.0, "e"), (200.0, "f")],
    [(0.5, "a"), (1.0, "b"), (1.5, "c")],
]


@pytest.mark.parametrize("levels", LEVELS)
def test_more_than_two_thresholds_give_the_numpy_levels(levels: list[tuple[float, str]]) -> None:
    """The compiled loop compares two bounds at once; each further one takes its own pass."""
    rows = [
        ("oxycodone", strength, "mg", quantity, days, None, None)
        for strength in (5.0, 7.5, 10.0, 30.0)
        for quantity in (10.0, 60.0, 120.0, 333.0)
        for days in (3.0, 7.0, 30.0)
    ]
    compiled, plain = _compiled_and_plain(_columns(rows, 50), levels)
    np.testing.assert_array_equal(compiled.mme, plain.mme, strict=True)
    alerts = [compiled.alert_labels[c] for c in compiled.alert_codes]
    assert alerts == [plain.alert_labels[c] for c in plain.alert_codes]
    # Only the labels rows use, as on the numpy path.
    assert sorted(compiled.alert_labels) == sorted(set(alerts)) == sorted(plain.alert_labels)
    # oxycodone 30 mg x 333 / 3 days x 1.5 = 4,995 MME/day: every level.
    assert ";".join(code for _, code in levels) in alerts


@pytest.fixture(scope="module")
def large() -> dict[str, Any]:
    """Enough rows for the compiled pass to run in several threads."""
    data = prescriptions(3 * _batch_core.COMPILED_MIN_ROWS + 17, seed=11)
    return {
        name: data[name]
        for name in ("drug", "strength", "strength_unit", "quantity", "days_supply")
    }


def _texts(column: Any) -> list[str | None]:
    texts: list[str | None] = column.to_pylist() if hasattr(column, "to_pylist") else list(column)
    return texts


def _run(table: Any, *, numba: str, threads: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PAINRX_NUMBA", numba)
    monkeypatch.setenv("PAINRX_THREADS", threads)
    return mme_prescriptions(table)


@pytest.mark.parametrize("kind", ["dict", "arrow"])
def test_threads_do_not_change_a_row(
    large: dict[str, Any], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = large if kind == "dict" else as_arrow(large)
    one = _run(table, numba="1", threads="1", monkeypatch=monkeypatch)
    three = _run(table, numba="1", threads="3", monkeypatch=monkeypatch)
    plain = _run(table, numba="0", threads="1", monkeypatch=monkeypatch)
    for other in (three, plain):
        for name in ("mme_per_day", "factor"):
            np.testing.assert_array_equal(np.asarray(one[name]), np.asarray(other[name]))
        for name in ("alerts", "error"):
            assert _texts(one[name]) == _texts(other[name]), name


def test_thread_count_follows_the_table_and_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _batch_core.COMPILED_MIN_ROWS
    monkeypatch.setenv("PAINRX_THREADS", "4")
    assert _batch_core._threads(10 * rows) == 4
    assert _batch_core._threads(2 * rows + 1) == 2  # at least COMPILED_MIN_ROWS rows each
    assert _batch_core._threads(10) == 1
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("PAINRX_THREADS", bad)
        with pytest.raises(InputError, match="PAINRX_THREADS"):
            _batch_core._threads(10 * rows)


def test_a_failure_in_a_worker_thread_reaches_the_caller(
    large: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from painrx.batch import _kernel as _batch_kernel

    real = _batch_kernel._fast_rows
    calls: list[int] = []

    def fail_in_second_part(*arrays: Any) -> Any:
        calls.append(len(arrays[0]))
        if len(calls) == 2:
            msg = "worker failed"
            raise MemoryError(msg)
        return real(*arrays)

    monkeypatch.setattr(_batch_kernel, "_fast_rows", fail_in_second_part)
    with pytest.raises(MemoryError, match="worker failed"):
        _run(large, numba="1", threads="2", monkeypatch=monkeypatch)


def test_a_frame_gets_the_same_columns_whatever_its_index() -> None:
    """A RangeIndex frame is built anew, any other gets its columns assigned: same output."""
    import pandas as pd

    from benchmarks.generate import as_frame

    frame = as_frame(prescriptions(60, seed=3), strings="category")
    built = mme_prescriptions(frame)
    for index in (pd.Index(np.arange(60) * 2), pd.Index([7] * 60)):  # even a duplicated one
        assigned = mme_prescriptions(frame.set_axis(index))
        assert assigned.index.equals(index)
        assert list(assigned.columns) == list(built.columns)
        assert assigned.reset_index(drop=True).equals(built.reset_index(drop=True))
    frame.attrs["source"] = "claims.csv"
    assert mme_prescriptions(frame).attrs == {"source": "claims.csv"}
