"""Infusion benchmarks: ``infusion_rate`` against pint's bare conversion, in the same run.

Targets, asserted by ``make bench`` (``make test`` asserts looser guards, see
``benchmarks/_ratio.py``): a warm ``infusion_rate`` call, string inputs included,
costs at most 2x pint's ``Q_(x, U).m_as(U2)`` with pre-parsed units (issue 20; issue
5 asked 3x, which the call with alerts keeps).
"""

from __future__ import annotations

from typing import Any

import painrx as rx
from benchmarks._ratio import check_ratio
from painrx import infusions
from painrx.units import registry


def _baseline() -> Any:
    reg = registry()
    # Pre-parsed unit containers: painrx's registry refuses internal names in text.
    per_h = reg.Unit(reg.UnitsContainer({"milligram": 1, "kilogram_body": -1, "hour": -1}))
    per_min = reg.Unit(reg.UnitsContainer({"microgram": 1, "kilogram_body": -1, "minute": -1}))
    quantity = reg.Quantity
    return lambda: quantity(0.25, per_h).m_as(per_min)


def _order() -> Any:
    return infusions.infusion_rate(
        "0.25 mg/kg/h", "80 kg", "1 mg/mL", profile="ketamine/perioperative_analgesia"
    )


def test_bench_infusion_rate(benchmark: Any) -> None:
    result = benchmark(_order)
    assert result.display_rate == 20
    check_ratio("infusion_rate / pint m_as", _order, _baseline(), target=2.0, guard=4.0)


def test_bench_infusion_rate_with_alerts(benchmark: Any) -> None:
    # The alert path (lb weight, soft limit, nonstandard concentration) stays in budget.
    def order() -> Any:
        return rx.infusion_rate("2 mcg/kg/min", "176 lb", "3 mg/mL", profile="ketamine/acute_pain")

    result = benchmark(order)
    assert [a.code for a in result.alerts] == ["non_metric_weight", "nonstandard_concentration"]
    check_ratio("infusion_rate with alerts / pint m_as", order, _baseline(), target=3.0, guard=4.5)
