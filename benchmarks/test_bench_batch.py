"""Batch MME benchmarks (issue 9): 1,000,000 synthetic prescriptions, same-run ratios.

Targets of issue 9, and what is asserted (measured on the 2-core development host):

* a string drug column, ``mme_prescriptions`` against a baseline of
  ``pandas.factorize(drug)`` + a factor ``take`` + the numpy formula: target 2x,
  met. Object columns (as ``pandas.read_csv(..., dtype=object)`` gives them,
  sharing one string object per distinct value) measure about 0.6x, pandas'
  Arrow-backed ``str`` dtype about 1.5x (hashing the drug column alone is most of
  the baseline). Asserted at 2x for both;
* a categorical / dictionary-encoded drug column against the bare numpy formula
  (``strength * (quantity / days) * factor``, each row's factor ready): target 10x,
  met. The compiled pass (numba, ``painrx[fast]``, which the test environment
  installs) measures about 6-7x on the host's two cores and 6.5-9.5x in one thread
  (``PAINRX_THREADS=1``; the compiled loop is compute-bound, the formula
  memory-bound, so a busy neighbour on the shared host moves the ratio by up to
  40%); asserted at 10x, and in one thread at 13x against regressions. The formula is 3 array operations; the compiled loop does per row
  what ~35 numpy passes did (validity and exactness checks, five table look-ups,
  the thresholds, the alert and error codes). With numpy alone
  (``PAINRX_NUMBA=0``) the same tables take about 15x and 19x, guarded at 20x and
  30x;
* the pandas DataFrame and pyarrow Table paths at most 1.2x the dict-of-arrays path:
  met (they are faster: no object arrays to build).

The table has the realistic mix of ``benchmarks/generate.py``: text columns drug and
strength unit, about 5% bad rows, many rows exactly at 50 or 90 MME/day.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pytest

import painrx as rx
from benchmarks._ratio import best_time, ratio
from benchmarks.generate import as_arrow, as_frame, prescriptions
from painrx.batch import mme_prescriptions

N = 1_000_000
COLUMNS = ("drug", "strength", "strength_unit", "quantity", "days_supply")


def _best_ratio(
    candidate: Callable[[], Any], baseline: Callable[[], Any], *, runs: int = 3
) -> float:
    # Best of independent measurements: background load on a shared host only slows a run.
    return min(ratio(candidate, baseline) for _ in range(runs))


@pytest.fixture(scope="module")
def arrays() -> dict[str, Any]:
    data = prescriptions(N, seed=0)
    return {name: data[name] for name in COLUMNS}


def _numbers(frame: Any) -> tuple[Any, Any, Any]:
    return (
        np.asarray(frame["strength"], dtype=float),
        np.asarray(frame["quantity"], dtype=float),
        np.asarray(frame["days_supply"], dtype=float),
    )


def _factorize_baseline(frame: pd.DataFrame) -> Any:
    """pandas.factorize(drug) + a factor take + the formula: the least a string column costs."""
    strength, quantity, days = _numbers(frame)
    factors = np.linspace(0.1, 7.2, 64)

    def baseline() -> Any:
        codes, _ = pd.factorize(frame["drug"])
        with np.errstate(divide="ignore", invalid="ignore"):
            return strength * (quantity / days) * factors.take(codes % 64)

    return baseline


def _formula_baseline(codes: Any, arrays: dict[str, Any]) -> Any:
    """The bare numpy formula, each row's factor taken from its drug code."""
    strength, quantity, days = _numbers(arrays)
    factor = np.linspace(0.1, 7.2, 64).take(np.asarray(codes) % 64)

    def baseline() -> Any:
        with np.errstate(divide="ignore", invalid="ignore"):
            return strength * (quantity / days) * factor

    return baseline


@pytest.mark.parametrize(("strings", "bound"), [("object", 2.0), ("str", 2.0)])
def test_bench_string_drug_column(
    benchmark: Any, arrays: dict[str, Any], strings: str, bound: float
) -> None:
    frame = as_frame(arrays, strings=strings)
    out = benchmark(mme_prescriptions, frame)
    assert len(out) == N
    baseline = _factorize_baseline(frame)
    assert _best_ratio(lambda: mme_prescriptions(frame), baseline) <= bound


def _encoded(kind: str, arrays: dict[str, Any]) -> tuple[Any, Any]:
    """A table whose drug column is categorical or dictionary-encoded, and its drug codes."""
    if kind == "pandas-category":
        table: Any = as_frame(arrays, strings="category")
        return table, table["drug"].cat.codes.to_numpy()
    table = as_arrow(arrays, dictionary=True)
    return table, pc.fill_null(table["drug"].chunk(0).indices, 0).to_numpy()


# (setting, kind, bound): the default (compiled, on the usable cores) is the target;
# one thread and numpy alone are guards against regressions.
ENCODED = [
    ({}, "pandas-category", 10.0),
    ({}, "arrow-dictionary", 10.0),
    ({"PAINRX_THREADS": "1"}, "pandas-category", 13.0),
    ({"PAINRX_THREADS": "1"}, "arrow-dictionary", 13.0),
    ({"PAINRX_NUMBA": "0"}, "pandas-category", 20.0),
    ({"PAINRX_NUMBA": "0"}, "arrow-dictionary", 30.0),
]


@pytest.mark.parametrize(("setting", "kind", "bound"), ENCODED)
def test_bench_encoded_drug_column(
    benchmark: Any,
    arrays: dict[str, Any],
    setting: dict[str, str],
    kind: str,
    bound: float,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in setting.items():
        monkeypatch.setenv(name, value)
    table, codes = _encoded(kind, arrays)
    out = benchmark(mme_prescriptions, table)
    assert len(out) == N
    baseline = _formula_baseline(codes, arrays)
    assert _best_ratio(lambda: mme_prescriptions(table), baseline, runs=5) <= bound


@pytest.mark.parametrize("kind", ["pandas", "arrow"])
def test_bench_table_paths_cost_what_arrays_cost(
    benchmark: Any, arrays: dict[str, Any], kind: str
) -> None:
    table = as_frame(arrays, strings="object") if kind == "pandas" else as_arrow(arrays)
    plain = {name: np.asarray(table[name]) for name in COLUMNS}
    out = benchmark(mme_prescriptions, table)
    assert len(out) == N
    assert _best_ratio(lambda: mme_prescriptions(table), lambda: mme_prescriptions(plain)) <= 1.2


def test_bench_scalar_cost_per_row(benchmark: Any, arrays: dict[str, Any]) -> None:
    """The row-by-row scalar API, for the docs' comparison (no target: it is ~1000x)."""
    rows = [
        (arrays["drug"][i], arrays["strength"][i], arrays["quantity"][i], arrays["days_supply"][i])
        for i in range(2_000)
        if arrays["drug"][i] in {"oxycodone", "tramadol", "morphine", "hydromorphone"}
        and arrays["strength_unit"][i] == "mg"
        and all(
            np.isfinite(x) and x > 0
            for x in (arrays["strength"][i], arrays["quantity"][i], arrays["days_supply"][i])
        )
    ]

    def scalar_loop() -> int:
        done = 0
        for drug, strength, quantity, days in rows:
            rx.mme_prescription(
                drug, strength=rx.Q(strength, "mg"), quantity=quantity, days_supply=days
            )
            done += 1
        return done

    assert benchmark(scalar_loop) == len(rows)
    per_row = best_time(scalar_loop, repeat=3) / len(rows)
    batch = as_frame(arrays, strings="category")
    per_row_batch = best_time(lambda: mme_prescriptions(batch), repeat=3) / N
    benchmark.extra_info["scalar_us_per_row"] = per_row * 1e6
    benchmark.extra_info["batch_us_per_row"] = per_row_batch * 1e6
    assert per_row > 100 * per_row_batch
