"""The Literal aliases of painrx.types list exactly the ids the shipped data defines."""

from __future__ import annotations

from typing import get_args

import painrx as rx
from painrx import types
from painrx.errors import Severity


def test_table_and_method_aliases_match_the_data() -> None:
    assert set(get_args(types.MMETable)) == {p.id for p in rx.mme_tables()}
    assert set(get_args(types.RatioTable)) == {p.id for p in rx.ratio_tables()}
    assert set(get_args(types.ThresholdPolicyId)) == {p.id for p in rx.opioids.threshold_policies()}
    assert set(get_args(types.RotationMethod)) == {p.id for p in rx.opioids.rotation_methods()}
    assert get_args(types.PeriodDefinition) == tuple(rx.opioids.DEFINITIONS)


def test_option_aliases_match_the_functions_that_take_them() -> None:
    assert get_args(types.TaperBasis) == get_args(rx.tapers.Basis)
    assert get_args(types.SeverityName) == tuple(s.name.lower() for s in Severity)
    assert get_args(types.Ties) == ("up", "down", "even")
    assert get_args(types.OnUnknown) == ("raise", "report")
