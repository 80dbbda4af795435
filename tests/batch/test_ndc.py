"""Batch and CSV validation with an ndc column (CDC 2018 NDC file)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import painrx as rx
from painrx.batch import mme_prescriptions
from painrx.batch._validate import validate_csv
from painrx.opioids import ndc_products

NDCS = sorted(ndc_products())
# The CDC file's own per-product factors (the batch default is CDC 2022's).
FILE = "CDC_NDC_2018"


def _table() -> dict[str, np.ndarray]:
    return {
        "ndc": np.array(
            ["00228-2983-11", "0093-6900-45", "00054017613", "12345-678-90", None], dtype=object
        ),
        "quantity": np.array([120.0, 10.0, 10.0, 1.0, 1.0]),
        "days_supply": np.array([30.0, 30.0, 30.0, 1.0, 1.0]),
    }


@pytest.mark.parametrize("kind", ["dict", "pandas", "arrow"])
def test_ndc_column_gives_mme_product_and_errors(kind: str) -> None:
    data = _table()
    table = {"dict": data, "pandas": pd.DataFrame(data), "arrow": pa.table(data)}[kind]
    out = mme_prescriptions(table, table_id=FILE)
    frame = pd.DataFrame(out) if kind == "dict" else out if kind == "pandas" else out.to_pandas()
    assert list(frame["mme_per_day"][:2]) == [60.0, 60.0]  # CDC Documentation examples
    assert list(frame["ndc11"][:3]) == ["00228298311", "00093690045", "00054017613"]
    assert frame["product"][1] == "FENTANYL TRANSDERMAL SYSTEM"
    assert str(frame["error"][2]).startswith("NoFactorError: NDC 00054-0176-13")
    assert str(frame["error"][3]).startswith("UnknownCodeError: Unknown NDC '12345-678-90'")
    assert str(frame["error"][4]).startswith("InputError: ndc is missing")
    assert all(math.isnan(v) for v in frame["mme_per_day"][2:])


def _scalar(
    ndc: str, quantity: int, days: int, table: str
) -> tuple[rx.MMEResult | None, str | None]:
    try:
        return rx.mme_prescription(ndc=ndc, quantity=quantity, days_supply=days, table=table), None
    except rx.PainRxError as exc:
        return None, f"{type(exc).__name__}: {' '.join(str(exc).split())}"


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(NDCS),
            st.integers(min_value=1, max_value=240),
            st.integers(min_value=1, max_value=90),
        ),
        min_size=1,
        max_size=20,
    )
)
@pytest.mark.parametrize("table", [FILE, "CDC_2022", "NIH_HEAL_2025"])
def test_batch_agrees_with_scalar(table: str, rows: list[tuple[str, int, int]]) -> None:
    out = mme_prescriptions(
        {
            "ndc": np.array([r[0] for r in rows], dtype=object),
            "quantity": np.array([float(r[1]) for r in rows]),
            "days_supply": np.array([float(r[2]) for r in rows]),
        },
        table_id=table,
    )
    for i, (ndc, quantity, days) in enumerate(rows):
        expected, error = _scalar(ndc, quantity, days, table)
        if error is not None:
            # The drug-row batch words its plausibility refusal for a whole row; the
            # file's own path words every refusal as the scalar function does.
            same = out["error"][i] if table == FILE else out["error"][i].split(":")[0]
            assert same == (error if table == FILE else error.split(":")[0])
            continue
        assert expected is not None
        # Whole quantities and days are computed exactly: the same float, bit for bit.
        assert out["mme_per_day"][i] == expected.value
        assert out["alerts"][i] == ";".join(a.code for a in expected.alerts)


def test_validate_csv_with_ndc_column(tmp_path: Path) -> None:
    source = tmp_path / "claims.csv"
    source.write_text(
        "NDC,Quantity,Days Supply\n00228-2983-11,120,30\n0093-6900-45,10,30\n99999-999-99,1,1\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.csv"
    summary = validate_csv(source, out=target, table_id=FILE)
    assert (summary.rows, summary.rows_with_errors) == (3, 1)
    assert summary.table == "CDC_NDC_2018_PRODUCTS"
    written = pd.read_csv(target, dtype={"ndc11": str})
    assert list(written["ndc11"][:2]) == ["00228298311", "00093690045"]
    assert list(written["mme_per_day"][:2]) == [60.0, 60.0]


@pytest.mark.parametrize("kind", ["pandas", "arrow"])
def test_products_sharing_a_name(kind: str) -> None:
    # Many NDCs share a product name (e.g. 'OXYCODONE HCL'); each row keeps its own NDC.
    same = [n for n, p in ndc_products().items() if p.name == "OXYCODONE HCL"][:3]
    data = {"ndc": same, "quantity": [120.0] * 3, "days_supply": [30.0] * 3}
    frame = (
        mme_prescriptions(pd.DataFrame(data), table_id=FILE)
        if kind == "pandas"
        else mme_prescriptions(pa.table(data), table_id=FILE).to_pandas()
    )
    assert list(frame["ndc11"]) == same
    assert list(frame["product"]) == ["OXYCODONE HCL"] * 3


def test_rows_on_a_threshold_are_decided_exactly() -> None:
    # OXYCODONE HCL-ACETAMINOPHEN 10 mg: 10 × 120 / 36 × 1.5 = 50 and 10 × 108 / 18 × 1.5 = 90
    # exactly (CDC 2016 thresholds are inclusive); 10 × 2.5 / 0.375 × 1.5 = 100 with
    # fractional numbers goes the Fraction way.
    out = mme_prescriptions(
        {
            "ndc": np.array(["00228298311"] * 3, dtype=object),
            "quantity": np.array([120.0, 108.0, 2.5]),
            "days_supply": np.array([36.0, 18.0, 0.375]),
        },
        table_id=FILE,
    )
    assert list(out["mme_per_day"]) == [50.0, 90.0, 100.0]
    assert list(out["alerts"]) == [
        "mme_threshold_50",
        "mme_threshold_50;mme_threshold_90",
        "mme_threshold_50;mme_threshold_90",
    ]


def test_dask_frame_with_ndc_column_matches_pandas() -> None:
    import dask.dataframe

    data = pd.DataFrame(
        {
            "ndc": ["00228-2983-11", "0093-6900-45", "bad", "00054017613"] * 3,
            "quantity": [120.0, 10.0, 1.0, 1.0] * 3,
            "days_supply": [30.0, 30.0, 1.0, 1.0] * 3,
        }
    )
    frame = dask.dataframe.from_pandas(data, npartitions=3)  # type: ignore[no-untyped-call]
    computed = mme_prescriptions(frame, table_id=FILE).compute()
    expected = mme_prescriptions(data, table_id=FILE)
    pd.testing.assert_series_equal(computed["mme_per_day"], expected["mme_per_day"])
    for name in ("ndc11", "product", "alerts", "error"):
        got = computed[name].astype(object).where(computed[name].notna(), None)
        want = expected[name].astype(object).where(expected[name].notna(), None)
        assert got.tolist() == want.tolist(), name
