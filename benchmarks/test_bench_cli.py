"""Command-line benchmarks (issues 9, 19 and 20), as same-run ratios and a memory bound.

* ``painrx validate`` on a 1,000,000-row CSV at most 2x ``pandas.read_csv`` of the
  same file (both in this process, so interpreter and import costs do not count);
  guarded at 3x in ``make test``;
* ``painrx validate``'s peak memory is flat in the file size: a file 4x longer
  raises the peak resident memory of a fresh process by less than a quarter
  (asserted the same way in ``make test`` and ``make bench``: memory is not noisy);
* time to the first result of ``painrx mme oxycodone "10 mg" --frequency BID`` in a
  fresh process at most 1.4x a script that imports pint, builds a registry and
  converts one quantity (guarded at 2x).
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

from benchmarks._ratio import check, ratio
from benchmarks.generate import write_csv
from painrx.batch._validate import validate_csv

PINT_BASELINE = (
    "import pint\nregistry = pint.UnitRegistry()\nprint(registry.Quantity(10, 'mg').to('g'))\n"
)
MME = ["-m", "painrx", "mme", "oxycodone", "10 mg", "--frequency", "BID"]
# A fresh process validating a file, then printing its peak resident memory in KiB.
PEAK_MEMORY = """
import resource, sys
from painrx.cli import main
main(["validate", sys.argv[1], "-o", sys.argv[2], "--json"])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("bench") / "rx.csv", 1_000_000, seed=3)


def test_bench_validate_vs_read_csv(benchmark: Any, csv_file: Path) -> None:
    summary = benchmark(validate_csv, csv_file)
    assert summary.rows == 1_000_000
    check(
        "painrx validate / pandas.read_csv",
        lambda: ratio(lambda: validate_csv(csv_file), lambda: pd.read_csv(csv_file), repeat=3),
        target=2.0,
        guard=3.0,
    )


def _peak_kib(path: Path, out: Path) -> int:
    found = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY, str(path), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    return int(found.stderr.strip().splitlines()[-1])


def test_bench_validate_memory_is_flat_in_file_size(
    benchmark: Any, csv_file: Path, tmp_path: Path
) -> None:
    """Peak RSS of a fresh ``painrx validate -o`` process: 250,000 rows against 1,000,000."""
    small = write_csv(tmp_path / "small.csv", 250_000, seed=3)
    benchmark(lambda: None)
    peaks = [_peak_kib(path, tmp_path / "out.csv") for path in (small, csv_file)]
    growth = peaks[1] / peaks[0]
    # Four times the rows: the same blocks in flight, so the same peak (+ noise).
    check("validate peak RSS, 4x the rows", lambda: growth, target=1.25, guard=1.25)


def _fresh(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *argv], check=True, capture_output=True)
    return time.perf_counter() - start


def test_bench_time_to_first_result(benchmark: Any) -> None:
    out = benchmark(subprocess.run, [sys.executable, *MME], check=True, capture_output=True)
    assert out.stdout.decode().startswith("oxycodone 10 mg BID: 30.0 MME/day")

    # A shared host drifts within minutes: each CLI run is paired with a baseline run right
    # after it, and the median of the paired ratios is robust to a lucky or unlucky run.
    def paired() -> float:
        return statistics.median(_fresh(MME) / _fresh(["-c", PINT_BASELINE]) for _ in range(9))

    check("painrx mme, fresh process / pint script", paired, target=1.4, guard=2.0)
