"""Foundation performance (issue 3), as ratios against pint in the same run.

- ``import painrx`` ≤ ``import pint`` + 50 ms (fresh processes, median of 9 each);
- ``rx.Q(x, "mg/kg/h")`` warm ≤ 1.5× pint's ``Quantity(x, pre_parsed_unit)``;
- a repeated unit string is within 1.1× of the pre-parsed unit (no re-parsing).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks._ratio import check_ratio
from painrx import units


def _import_seconds(module: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
    return time.perf_counter() - start


def test_import_painrx_is_cheap() -> None:
    painrx_times, pint_times = [], []
    for _ in range(9):  # interleaved, so both see the same background load
        painrx_times.append(_import_seconds("painrx"))
        pint_times.append(_import_seconds("pint"))
    painrx_median = statistics.median(painrx_times)
    pint_median = statistics.median(pint_times)
    print(f"import painrx {painrx_median * 1e3:.0f} ms, import pint {pint_median * 1e3:.0f} ms")
    assert painrx_median <= pint_median + 0.050


def test_q_with_unit_string_warm(benchmark: BenchmarkFixture) -> None:
    reg = units.registry()
    pre_parsed = reg.Unit(reg.UnitsContainer({"milligram": 1, "kilogram_body": -1, "hour": -1}))

    def painrx_q() -> object:
        return units.Q(1.5, "mg/kg/h")

    def pint_pre_parsed() -> object:
        return reg.Quantity(1.5, pre_parsed)

    assert painrx_q() == pint_pre_parsed()
    benchmark(painrx_q)
    # Within 1.1x means the repeated string is never parsed again.
    check_ratio(
        "rx.Q(x, 'mg/kg/h') / pint Quantity(x, Unit)",
        painrx_q,
        pint_pre_parsed,
        target=1.1,
        guard=1.6,
    )


def test_q_from_text_warm(benchmark: BenchmarkFixture) -> None:
    reg = units.registry()
    pre_parsed = reg.Unit(reg.UnitsContainer({"milligram": 1, "kilogram_body": -1, "hour": -1}))

    def painrx_text() -> object:
        return units.Q("1.5 mg/kg/h")

    def pint_convert() -> float:
        return float(reg.Quantity(1.5, pre_parsed).m_as(pre_parsed))

    benchmark(painrx_text)
    check_ratio(
        "rx.Q('1.5 mg/kg/h') / pint Q_(x, U).m_as(U)",
        painrx_text,
        pint_convert,
        target=1.5,
        guard=2.2,
    )
