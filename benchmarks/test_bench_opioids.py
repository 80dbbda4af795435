"""MME benchmarks: ``rx.mme`` against pint's bare conversion, measured in the same run.

Targets (issues 4 and 20), asserted by ``make bench``; ``make test`` asserts looser
guards (``benchmarks/_ratio.py``):

* ``rx.mme(drug, Quantity, frequency=...)`` warm costs at most 1x pint's
  ``Q_(x, U).m_as(U2)`` with pre-parsed units (issue 20; issue 4 asked 2x);
* ``rx.mme`` with string inputs, warm (the same strings repeated), costs at most 1.2x
  the Quantity path.
"""

from __future__ import annotations

from typing import Any

import painrx as rx
from benchmarks._ratio import check_ratio
from painrx.units import registry


def _baseline() -> Any:
    reg = registry()
    mg, mcg = reg.Unit("milligram"), reg.Unit("microgram")
    quantity = reg.Quantity
    return lambda: quantity(10.0, mg).m_as(mcg)


def _quantity_path() -> Any:
    dose = rx.Q(10, "mg")
    return lambda: rx.mme("oxycodone", dose, frequency="BID")


def _string_path() -> Any:
    return rx.mme("oxycodone", "10 mg", frequency="BID")


def test_bench_mme_quantity(benchmark: Any) -> None:
    call = _quantity_path()
    assert benchmark(call).value == 30
    check_ratio("rx.mme(Quantity) / pint m_as", call, _baseline(), target=1.0, guard=2.0)


def test_bench_mme_strings(benchmark: Any) -> None:
    assert benchmark(_string_path).value == 30
    check_ratio(
        "rx.mme(strings) / rx.mme(Quantity)", _string_path, _quantity_path(), target=1.2, guard=1.8
    )


def test_bench_mme_patch(benchmark: Any) -> None:
    # A transdermal patch with its alerts (caution, threshold) stays in budget too.
    def call() -> Any:
        return rx.mme("Duragesic", "25 mcg/h")

    result = benchmark(call)
    assert [a.code for a in result.alerts] == ["fentanyl_patch_caution", "mme_threshold_50"]
    check_ratio("rx.mme(patch) / pint m_as", call, _baseline(), target=2.0, guard=3.0)


def test_bench_mme_prescription(benchmark: Any) -> None:
    def call() -> Any:
        return rx.mme_prescription("oxycodone", strength="10 mg", quantity=120, days_supply=30)

    assert benchmark(call).value == 60
    check_ratio("rx.mme_prescription / pint m_as", call, _baseline(), target=2.0, guard=3.0)
