"""Command-line benchmarks (issue 9), as same-run ratios.

* ``painrx validate`` on a 1,000,000-row CSV at most 2.5x ``pandas.read_csv`` of the
  same file (both in this process, so interpreter and import costs do not count);
* time to the first result of ``painrx mme oxycodone "10 mg" --frequency BID`` in a
  fresh process at most 1.4x a script that imports pint, builds a registry and
  converts one quantity.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from benchmarks._ratio import ratio
from benchmarks.generate import write_csv
from painrx.batch._validate import validate_csv

PINT_BASELINE = (
    "import pint\nregistry = pint.UnitRegistry()\nprint(registry.Quantity(10, 'mg').to('g'))\n"
)
MME = ["-m", "painrx", "mme", "oxycodone", "10 mg", "--frequency", "BID"]


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("bench") / "rx.csv", 1_000_000, seed=3)


def test_bench_validate_vs_read_csv(benchmark: Any, csv_file: Path) -> None:
    summary = benchmark(validate_csv, csv_file)
    assert summary.rows == 1_000_000
    assert ratio(lambda: validate_csv(csv_file), lambda: pd.read_csv(csv_file), repeat=3) <= 2.5


def _fresh(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *argv], check=True, capture_output=True)
    return time.perf_counter() - start


def test_bench_time_to_first_result(benchmark: Any) -> None:
    out = benchmark(subprocess.run, [sys.executable, *MME], check=True, capture_output=True)
    assert out.stdout.decode().startswith("oxycodone 10 mg BID: 30.0 MME/day")
    # A shared host drifts within minutes: each CLI run is paired with a baseline run right
    # after it, and the median of the paired ratios is robust to a lucky or unlucky run.
    paired = [_fresh(MME) / _fresh(["-c", PINT_BASELINE]) for _ in range(9)]
    assert statistics.median(paired) <= 1.4
