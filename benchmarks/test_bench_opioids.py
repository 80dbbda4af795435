"""MME benchmarks: ``rx.mme`` against pint's bare conversion, measured in the same run.

Targets (issue 4):

* ``rx.mme(drug, Quantity, frequency=...)`` warm costs at most 2x pint's
  ``Q_(x, U).m_as(U2)`` with pre-parsed units;
* ``rx.mme`` with string inputs, warm (the same strings repeated), costs at most 1.2x
  the Quantity path.
"""

from __future__ import annotations

from typing import Any

import painrx as rx
from benchmarks._ratio import ratio
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
    assert ratio(call, _baseline()) <= 2.0


def test_bench_mme_strings(benchmark: Any) -> None:
    assert benchmark(_string_path).value == 30
    assert ratio(_string_path, _quantity_path()) <= 1.2


def test_bench_mme_patch(benchmark: Any) -> None:
    # A transdermal patch with its alerts (caution, threshold) stays in budget too.
    def call() -> Any:
        return rx.mme("Duragesic", "25 mcg/h")

    result = benchmark(call)
    assert [a.code for a in result.alerts] == ["fentanyl_patch_caution", "mme_threshold_50"]
    assert ratio(call, _baseline()) <= 2.0


def test_bench_mme_prescription(benchmark: Any) -> None:
    def call() -> Any:
        return rx.mme_prescription("oxycodone", strength="10 mg", quantity=120, days_supply=30)

    assert benchmark(call).value == 60
    assert ratio(call, _baseline()) <= 2.0
