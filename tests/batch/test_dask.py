"""painrx.batch on a Dask DataFrame: one partition at a time, same rows as pandas."""

from __future__ import annotations

from typing import Any

import dask
import dask.dataframe
import pandas as pd
import pytest

from benchmarks.generate import as_frame, prescriptions
from painrx.batch import ADDED_COLUMNS, mme_prescriptions

# dask.dataframe ships without complete annotations.
dd: Any = dask.dataframe


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return as_frame(prescriptions(4_000, seed=8))


def _same_rows(computed: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert len(computed) == len(expected)
    assert computed.index.equals(expected.index)
    pd.testing.assert_series_equal(computed["mme_per_day"], expected["mme_per_day"])
    pd.testing.assert_series_equal(computed["factor"], expected["factor"])
    for name in ("table", "alerts", "error"):
        got = computed[name].astype(object).where(computed[name].notna(), None)
        want = expected[name].astype(object).where(expected[name].notna(), None)
        assert got.tolist() == want.tolist(), name


def test_dask_frame_is_lazy_and_matches_pandas(frame: pd.DataFrame) -> None:
    ddf = dd.from_pandas(frame, npartitions=4)
    out = mme_prescriptions(ddf, table_id="CDC_NDC_2018")
    assert isinstance(out, dd.DataFrame)
    assert out.npartitions == 4
    assert list(out.columns) == [*frame.columns, *ADDED_COLUMNS]
    with dask.config.set(scheduler="synchronous"):
        computed = out.compute()
    _same_rows(computed, mme_prescriptions(frame, table_id="CDC_NDC_2018"))


def test_dask_on_a_local_cluster(frame: pd.DataFrame) -> None:
    distributed = pytest.importorskip("distributed")
    ddf = dd.from_pandas(frame, npartitions=3)
    with (
        distributed.LocalCluster(
            n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        computed = client.compute(mme_prescriptions(ddf)).result()
    _same_rows(computed, mme_prescriptions(frame))


def test_partitions_with_and_without_errors_concatenate() -> None:
    """Each partition has its own error and alert labels (none at all in a clean one)."""
    clean = pd.DataFrame(
        {
            "drug": ["oxycodone", "morphine"],
            "strength": [10.0, 30.0],
            "strength_unit": ["mg", "mg"],
            "quantity": [120.0, 90.0],
            "days_supply": [30.0, 30.0],
        }
    )
    messy = clean.assign(drug=["oxycodoen", "methadone"], days_supply=[30.0, 0.0])
    frame = pd.concat([clean, messy], ignore_index=True)
    ddf = dd.from_pandas(frame, npartitions=2, sort=False)
    assert ddf.npartitions == 2
    with dask.config.set(scheduler="synchronous"):
        computed = mme_prescriptions(ddf).compute()
    _same_rows(computed, mme_prescriptions(frame))
