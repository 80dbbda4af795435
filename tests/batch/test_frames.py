"""painrx.batch: golden rows, input kinds, refusals, and exact agreement with the scalar path."""

from __future__ import annotations

import math
import subprocess
import sys
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import painrx as rx
from benchmarks.generate import as_arrow, as_frame, prescriptions
from painrx.batch import ADDED_COLUMNS, mme_prescriptions
from tests.batch.test_properties import scalar_result

# Every test runs with the compiled (numba) fast pass and with the numpy one.
pytestmark = pytest.mark.usefixtures("fast_pass")

Rows = list[tuple[Any, ...]]
COLUMNS = ("drug", "strength", "strength_unit", "quantity", "days_supply", "route", "form")


def _table(rows: Rows) -> dict[str, np.ndarray[Any, Any]]:
    columns = list(zip(*rows, strict=True))
    out: dict[str, np.ndarray[Any, Any]] = {}
    for name, values in zip(COLUMNS, columns, strict=False):
        numeric = name in {"strength", "quantity", "days_supply"}
        out[name] = np.array(values, dtype=float if numeric else object)
    return out


def _column(out: Any, name: str) -> list[Any]:
    """Return a column of any output kind as a list, missing values as None."""
    column = out[name]
    if isinstance(column, (pa.ChunkedArray, pa.Array)):
        return list(column.to_pylist())
    return [None if (v is None or v is pd.NA or pd.isna(v)) else v for v in list(column)]


# ---------------------------------------------------------------- golden rows

# CDC Opioid NDC and Oral MME Conversion File (2018), Documentation sheet examples.
CDC_FILE_EXAMPLES = [
    pytest.param(("oxycodone", 10.0, "mg", 120.0, 30.0, None, None), 60.0, id="cdc-file-oxycodone"),
    pytest.param(
        ("fentanyl", 25.0, "mcg/h", 10.0, 30.0, "transdermal", None), 60.0, id="cdc-file-patch"
    ),
    pytest.param(
        ("butorphanol", 10.0, "mg/mL", 2.5, 30.0, "nasal", "nasal_spray"),
        10 * 2.5 / 30 * 7,
        id="cdc-file-butorphanol-spray-by-volume",
    ),
    pytest.param(
        ("hydrocodone/acetaminophen", 10.0, "mg", 60.0, 30.0, None, None),
        20.0,
        id="cdc-file-combination-counts-opioid-part",
    ),
]


@pytest.mark.parametrize(("row", "expected"), CDC_FILE_EXAMPLES)
def test_cdc_file_examples(row: tuple[Any, ...], expected: float) -> None:
    out = mme_prescriptions(_table([row]), table_id="CDC_NDC_2018")
    assert out["mme_per_day"][0] == pytest.approx(expected, rel=1e-12)
    assert out["error"][0] is None
    assert out["table"][0] == "CDC_NDC_2018"
    assert out["mme_per_day"][0] == scalar_result(row).value


def test_patch_days_supply_rule_and_its_alert() -> None:
    """CDC file: fentanyl patch days supply := patches × 3 (15 patches recorded as 30 days)."""
    rows = [
        ("fentanyl", 25.0, "mcg/h", 10.0, 30.0, "transdermal", None),
        ("fentanyl", 25.0, "mcg/h", 15.0, 30.0, "transdermal", None),
    ]
    out = mme_prescriptions(_table(rows))
    assert out["mme_per_day"].tolist() == [60.0, 60.0]
    assert "days_supply_normalised" not in out["alerts"][0].split(";")
    assert "days_supply_normalised" in out["alerts"][1].split(";")
    assert out["factor"].tolist() == [7.2, 7.2]


def test_threshold_alerts_are_inclusive() -> None:
    """CDC 2016 Recommendation 5 policy: ≥ 50 and ≥ 90 MME/day; at 90 both fire."""
    rows = [
        ("morphine", 30.0, "mg", 84.0, 28.0, None, None),  # 90
        ("morphine", 25.0, "mg", 56.0, 28.0, None, None),  # 50
        ("morphine", 49.0, "mg", 28.0, 28.0, None, None),  # 49
    ]
    out = mme_prescriptions(_table(rows))
    assert out["alerts"].tolist() == ["mme_threshold_50;mme_threshold_90", "mme_threshold_50", ""]
    none = mme_prescriptions(_table(rows), thresholds=None)
    assert none["alerts"].tolist() == ["", "", ""]


def test_threshold_decided_exactly_where_floats_round_below() -> None:
    """codeine 10 mg × 100 / 3 days × 0.15 is exactly 50 MME/day (CDC file factor 0.15).

    Naive float arithmetic gives 49.99999999999999 and would miss the alert; the
    scalar path computes with fractions, and the batch agrees with it.
    """
    assert 10 * 100 / 3 * 0.15 < 50
    row = ("codeine", 10.0, "mg", 100.0, 3.0, None, None)
    out = mme_prescriptions(_table([row]))
    assert out["mme_per_day"][0] == 50.0 == scalar_result(row).value
    assert out["alerts"][0] == "mme_threshold_50"


def test_banded_factors_go_through_the_scalar_path() -> None:
    """CDC 2016 methadone bands: 60 mg/day → factor 10 (>40–≤60), 61 mg/day → 12."""
    rows = [
        ("methadone", 10.0, "mg", 180.0, 30.0, None, None),
        ("methadone", 61.0, "mg", 30.0, 30.0, None, None),
    ]
    out = mme_prescriptions(_table(rows), table_id="CDC_2016")
    assert out["mme_per_day"].tolist() == [scalar_result(r, "CDC_2016").value for r in rows]
    assert out["factor"].tolist() == [10.0, 12.0]
    assert out["alerts"][0].split(";")[0] == "methadone_caution"


# ---------------------------------------------------------------- bad rows never stop the batch


BAD_ROWS = [
    pytest.param(("oxycodoen", 10.0, "mg", 60.0, 30.0, None, None), "UnknownDrugError", id="typo"),
    pytest.param((None, 10.0, "mg", 60.0, 30.0, None, None), "InputError", id="no-drug"),
    pytest.param(("  ", 10.0, "mg", 60.0, 30.0, None, None), "InputError", id="blank-drug"),
    pytest.param(("ibuprofen", 400.0, "mg", 60.0, 30.0, None, None), "InputError", id="no-opioid"),
    pytest.param(("oxycodone", 10.0, "units", 60.0, 30.0, None, None), "UnitError", id="units"),
    pytest.param(("oxycodone", 10.0, "mg/kg", 60.0, 30.0, None, None), "UnitError", id="per-kg"),
    pytest.param(("oxycodone", 10.0, None, 60.0, 30.0, None, None), "UnitError", id="no-unit"),
    pytest.param(("oxycodone", 10.0, "g", 60.0, 30.0, None, None), "InputError", id="mg-g-slip"),
    pytest.param(("oxycodone", math.nan, "mg", 60.0, 30.0, None, None), "InputError", id="nan"),
    pytest.param(("oxycodone", 10.0, "mg", math.inf, 30.0, None, None), "InputError", id="inf"),
    pytest.param(("oxycodone", 10.0, "mg", -60.0, 30.0, None, None), "InputError", id="neg"),
    pytest.param(("oxycodone", 10.0, "mg", 60.0, 0.0, None, None), "InputError", id="zero-days"),
    pytest.param(("oxycodone", 10.0, "mg", 60.0, math.inf, None, None), "InputError", id="inf-d"),
    pytest.param(("buprenorphine", 8.0, "mg", 30.0, 30.0, "SL", None), "NoFactorError", id="bup"),
    pytest.param(("morphine", 10.0, "mg", 60.0, 30.0, "iv", None), "NoFactorError", id="iv"),
    pytest.param(("oxycodone", 10.0, "mg", 60.0, 30.0, "by air", None), "InputError", id="route"),
    pytest.param(("fentanyl", 25.0, "mg", 10.0, 30.0, "TD", None), "UnitError", id="patch-mg"),
]


@pytest.mark.parametrize(("bad", "kind"), BAD_ROWS)
def test_a_bad_row_gets_its_error_and_never_shifts_the_batch(
    bad: tuple[Any, ...], kind: str
) -> None:
    good = ("oxycodone", 10.0, "mg", 120.0, 30.0, None, None)
    out = mme_prescriptions(_table([good, bad, good]))
    assert out["error"][1].split(":")[0] == kind
    assert "\n" not in out["error"][1]
    assert math.isnan(out["mme_per_day"][1])
    assert math.isnan(out["factor"][1])
    assert out["alerts"][1] is None
    assert out["mme_per_day"][0] == out["mme_per_day"][2] == 60.0
    assert out["error"][0] is None
    assert out["error"][2] is None
    with pytest.raises(rx.PainRxError):
        scalar_result(bad)


def test_text_where_a_number_belongs() -> None:
    data = {
        "drug": ["oxycodone", "oxycodone", "oxycodone", "oxycodone"],
        "strength": ["10", " 7.5 ", "ten", ""],
        "strength_unit": ["mg"] * 4,
        "quantity": [120, 120, 120, 120],
        "days_supply": [30, 30, 30, 30],
    }
    for table in (
        pd.DataFrame(data),
        pa.table(data),
        {k: np.array(v, dtype=object) for k, v in data.items()},
    ):
        out = mme_prescriptions(table)
        errors = _column(out, "error")
        assert _column(out, "mme_per_day")[:2] == [60.0, 45.0]
        assert errors[:2] == [None, None]
        assert errors[2] == "InputError: strength is not a number."
        assert errors[3] == "InputError: strength is missing."


# CDC file formula: oxycodone 10 mg x 120 / 30 days x factor 1.5 = 60 MME/day.
TEXT_NUMBERS = ["10", "10.0", " 10 ", "1e309", "ten", "inf", None, "", "+10", "1E1"]
TEXT_ERRORS = {
    3: "InputError: strength must be a finite number.",
    4: "InputError: strength is not a number.",
    5: "InputError: strength is not a number.",
    6: "InputError: strength is missing.",
    7: "InputError: strength is missing.",
}


@pytest.mark.parametrize("objects", ["shared", "fresh", "small"])
def test_numbers_as_text_in_object_columns(objects: str) -> None:
    """Text numbers read the same however written; words and overflows are row errors.

    ``shared`` repeats the same string objects (``pandas.read_csv(dtype=object)``),
    ``fresh`` builds a new object per row, ``small`` is below the identity path's size.
    """
    repeat = 1 if objects == "small" else 2_000
    texts = TEXT_NUMBERS * repeat
    if objects == "fresh":
        texts = [None if t is None else (t + " ")[:-1] for t in texts]
    n = len(texts)
    data = {
        "drug": np.array(["oxycodone"] * n, dtype=object),
        "strength": np.array(texts, dtype=object),
        "strength_unit": np.array(["mg"] * n, dtype=object),
        "quantity": np.array(["120"] * n, dtype=object),
        "days_supply": np.array(["30.0"] * n, dtype=object),
    }
    out = mme_prescriptions(data)
    width = len(TEXT_NUMBERS)
    for i in range(width):
        mme, error = out["mme_per_day"][i::width], out["error"][i::width]
        if i in TEXT_ERRORS:
            assert np.isnan(mme).all()
            assert set(error) == {TEXT_ERRORS[i]}
        else:
            assert set(mme) == {60.0}
            assert set(error) == {None}


def test_decimal_text_is_read_exactly() -> None:
    """'0.1' is exactly 1/10 whether given as text or as a float: the same MME to the bit."""
    as_text = {
        "drug": np.array(["hydromorphone"] * 3, dtype=object),
        "strength": np.array(["0.1", "2.35", "7.5"], dtype=object),
        "strength_unit": np.array(["mg"] * 3, dtype=object),
        "quantity": np.array(["3", "0.3", "90"], dtype=object),
        "days_supply": np.array(["7", "3", "30"], dtype=object),
    }
    as_floats = as_text | {
        c: as_text[c].astype(float) for c in ("strength", "quantity", "days_supply")
    }
    text_out = mme_prescriptions(as_text, table_id="CDC_NDC_2018")["mme_per_day"]
    float_out = mme_prescriptions(as_floats, table_id="CDC_NDC_2018")["mme_per_day"]
    assert text_out.tolist() == float_out.tolist()
    for i in range(3):
        row = ("hydromorphone", float(as_floats["strength"][i]), "mg")
        expected = scalar_result(
            (*row, float(as_floats["quantity"][i]), float(as_floats["days_supply"][i]), None, None),
            table="CDC_NDC_2018",
        )
        assert text_out[i] == expected.value


def test_booleans_are_not_counts() -> None:
    data = _table([("oxycodone", 10.0, "mg", 120.0, 30.0, None, None)] * 2)
    data["quantity"] = np.array([True, 120], dtype=object)
    out = mme_prescriptions(data)
    assert out["error"][0] == "InputError: quantity is not a number."
    assert out["mme_per_day"][1] == 60.0


# ---------------------------------------------------------------- input kinds


@pytest.mark.parametrize("strings", ["str", "object", "category"])
def test_pandas_frame_in_frame_out(strings: str) -> None:
    data = prescriptions(2_000, seed=4)
    frame = as_frame(data, strings=strings)
    frame.index = pd.RangeIndex(10_000, 12_000)[::-1]
    out = mme_prescriptions(frame)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == [*frame.columns, *ADDED_COLUMNS]
    assert out.index.equals(frame.index)
    pd.testing.assert_frame_equal(out[list(frame.columns)], frame)
    reference = mme_prescriptions(data)
    np.testing.assert_array_equal(out["mme_per_day"].to_numpy(), reference["mme_per_day"])
    assert out["error"].dtype == "category"
    assert _column(out, "error") == list(reference["error"])
    assert _column(out, "alerts") == list(reference["alerts"])


@pytest.mark.parametrize("dictionary", [False, True])
def test_arrow_table_in_table_out(dictionary: bool) -> None:
    data = prescriptions(2_000, seed=5)
    table = as_arrow(data, dictionary=dictionary)
    out = mme_prescriptions(table)
    assert isinstance(out, pa.Table)
    assert out.column_names == [*table.column_names, *ADDED_COLUMNS]
    assert out.select(table.column_names).equals(table)
    reference = mme_prescriptions(data)
    np.testing.assert_array_equal(
        out["mme_per_day"].to_numpy(zero_copy_only=False), reference["mme_per_day"]
    )
    assert out["error"].to_pylist() == list(reference["error"])
    assert out["alerts"].to_pylist() == list(reference["alerts"])


def test_arrow_chunks_with_different_dictionaries() -> None:
    first = pa.array(["oxycodone", "morphine"]).dictionary_encode()
    second = pa.array(["morphine", "oxycodoen", None]).dictionary_encode()
    table = pa.table(
        {
            "drug": pa.chunked_array([first, second]),
            "strength": pa.chunked_array([[10.0, 30.0], [30.0, 10.0, 10.0]]),
            "strength_unit": ["mg"] * 5,
            "quantity": [120, 90, 90, 60, 60],
            "days_supply": [30, 30, 30, 30, 30],
        }
    )
    out = mme_prescriptions(table)
    assert out["mme_per_day"].to_pylist()[:3] == [60.0, 90.0, 90.0]
    errors = out["error"].to_pylist()
    assert errors[3].startswith("UnknownDrugError")
    assert errors[4] == "InputError: drug is missing."


def test_fixed_width_text_and_python_lists() -> None:
    data: dict[str, Any] = {
        "drug": np.array(["oxycodone", "morphine"]),
        "strength": [10, 30],
        "strength_unit": np.array([b"mg", b"mg"]),
        "quantity": [120, 90],
        "days_supply": (30, 30),
    }
    out = mme_prescriptions(data)
    assert out["mme_per_day"].tolist() == [60.0, 90.0]


def test_objects_with_distinct_identities_and_missing_values() -> None:
    names = ["oxycodone", "Percocet", None, float("nan"), pd.NA, "oxycodone"] * 3_000
    # Fresh string objects: identity factorisation must merge equal values.
    drugs = np.array([None if not isinstance(n, str) else "".join(n) for n in names], dtype=object)
    n = len(drugs)
    data = {
        "drug": drugs,
        "strength": np.full(n, 10.0),
        "strength_unit": np.array(["mg"] * n, dtype=object),
        "quantity": np.full(n, 120.0),
        "days_supply": np.full(n, 30.0),
    }
    out = mme_prescriptions(data)
    assert np.isnan(out["mme_per_day"][2::6]).all()
    assert set(out["mme_per_day"][0::6]) == {60.0}
    assert set(out["error"][3::6]) == {"InputError: drug is missing."}


@pytest.mark.parametrize("kind", ["dict", "pandas", "arrow"])
def test_empty_tables(kind: str) -> None:
    data = {
        c: np.array([], dtype=float if c in {"strength", "quantity", "days_supply"} else object)
        for c in COLUMNS
    }
    table: Any = (
        data if kind == "dict" else pd.DataFrame(data) if kind == "pandas" else pa.table(data)
    )
    out = mme_prescriptions(table)
    assert len(out["mme_per_day"]) == 0


def test_existing_output_columns_are_replaced() -> None:
    once = mme_prescriptions(as_frame(prescriptions(500, seed=6)))
    twice = mme_prescriptions(once)
    assert list(twice.columns) == list(once.columns)
    pd.testing.assert_frame_equal(twice, once)


def test_extra_columns_are_kept() -> None:
    data = _table([("oxycodone", 10.0, "mg", 120.0, 30.0, None, None)])
    data["ndc"] = np.array(["00093002401"], dtype=object)
    out = mme_prescriptions(data)
    assert out["ndc"][0] == "00093002401"


# ---------------------------------------------------------------- refusals of the whole call


def test_refusals() -> None:
    data = _table([("oxycodone", 10.0, "mg", 120.0, 30.0, None, None)])
    with pytest.raises(rx.InputError, match="days_supply"):
        mme_prescriptions({k: v for k, v in data.items() if k != "days_supply"})
    with pytest.raises(rx.InputError, match="Unknown MME table 'CDC_2099'"):
        mme_prescriptions(data, table_id="CDC_2099")
    with pytest.raises(rx.InputError):
        mme_prescriptions(data, thresholds="NONE_SUCH")
    with pytest.raises(rx.InputError, match="different lengths"):
        mme_prescriptions(data | {"quantity": np.array([1.0, 2.0])})
    with pytest.raises(rx.InputError, match="one-dimensional"):
        mme_prescriptions(data | {"quantity": 120.0})
    with pytest.raises(rx.InputError, match="not list"):
        mme_prescriptions([data])


def test_many_key_combinations_are_renumbered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond the directly indexed key space, keys are renumbered; results are the same."""
    from painrx.batch import _keys as _batch_keys

    data = prescriptions(3_000, seed=9)
    direct = mme_prescriptions(data)
    monkeypatch.setattr(_batch_keys, "_DIRECT_KEYS", 4)
    renumbered = mme_prescriptions(data)
    np.testing.assert_array_equal(renumbered["mme_per_day"], direct["mme_per_day"])
    assert list(renumbered["error"]) == list(direct["error"])
    assert list(renumbered["alerts"]) == list(direct["alerts"])


def test_import_is_light() -> None:
    code = (
        "import sys, painrx.batch; "
        "print(sorted(m for m in ('numpy', 'pandas', 'pyarrow', 'dask', 'numba') if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_arrow_text_numbers_without_nulls_and_an_overflow() -> None:
    """Found by the validate fuzz test: Arrow's read-only numbers and a '1e309' row."""
    table = pa.table(
        {
            "drug": ["oxycodone", "oxycodone", "oxycodone"],
            "strength": ["10", "1e309", "inf"],
            "strength_unit": ["mg"] * 3,
            "quantity": ["120"] * 3,
            "days_supply": ["30"] * 3,
        }
    )
    out = mme_prescriptions(table)
    assert out["mme_per_day"].to_pylist()[0] == 60.0
    assert out["error"].to_pylist() == [
        None,
        "InputError: strength must be a finite number.",
        "InputError: strength is not a number.",
    ]
