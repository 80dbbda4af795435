"""Infusion benchmarks: ``infusion_rate`` against pint's bare conversion, in the same run.

Target (issue 5): a warm ``infusion_rate`` call, string inputs included, costs at most
3x pint's ``Q_(x, U).m_as(U2)`` with pre-parsed units.
"""

from __future__ import annotations

from typing import Any

import painrx as rx
from benchmarks._ratio import ratio
from painrx import infusions
from painrx.units import registry


def _baseline() -> Any:
    reg = registry()
    per_h = reg.Unit("milligram / kilogram_body / hour")
    per_min = reg.Unit("microgram / kilogram_body / minute")
    quantity = reg.Quantity
    return lambda: quantity(0.25, per_h).m_as(per_min)


def _order() -> Any:
    return infusions.infusion_rate(
        "0.25 mg/kg/h", "80 kg", "1 mg/mL", profile="ketamine/perioperative_analgesia"
    )


def test_bench_infusion_rate(benchmark: Any) -> None:
    result = benchmark(_order)
    assert result.display_rate == 20
    assert ratio(_order, _baseline()) <= 3.0


def test_bench_infusion_rate_with_alerts(benchmark: Any) -> None:
    # The alert path (lb weight, soft limit, nonstandard concentration) stays in budget.
    def order() -> Any:
        return rx.infusion_rate("2 mcg/kg/min", "176 lb", "3 mg/mL", profile="ketamine/acute_pain")

    result = benchmark(order)
    assert [a.code for a in result.alerts] == ["non_metric_weight", "nonstandard_concentration"]
    assert ratio(order, _baseline()) <= 3.0
