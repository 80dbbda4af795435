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


def test_json_shapes_have_the_keys_to_dict_returns() -> None:
    import datetime as dt

    day = dt.date(2026, 1, 1)
    period = rx.mme_over_period(
        [rx.Prescription("oxycodone", "5 mg", 60, 10, start=day)], start=day, end=day
    )
    shapes = [
        (rx.mme("oxycodone", "10 mg", frequency="BID").to_dict(), types.MMEResultDict),
        (rx.total_mme([rx.OpioidDose("morphine", "30 mg/day")]).to_dict(), types.TotalMMEDict),
        (period.to_dict(), types.PeriodMMEDict),
        (rx.convert_opioid("oxycodone", "5 mg", to="morphine").to_dict(), types.ConversionDict),
        (rx.rotate("oxycodone", "60 mg/day", to="morphine").to_dict(), types.RotationDict),
        (rx.mme("oxycodone", "10 mg", frequency="BID").to_dict()["daily_dose"], types.QuantityDict),
        (
            rx.taper("oxycodone", "30 mg/day", percent=25, interval="7 day").to_rows()[0],
            types.TaperRow,
        ),
    ]
    alert = rx.mme("morphine", "90 mg/day").alerts[0]
    assert alert.source is not None
    shapes += [(alert.to_dict(), types.AlertDict), (alert.source.to_dict(), types.ProvenanceDict)]
    for data, shape in shapes:
        assert set(data) == set(shape.__annotations__), shape.__name__
    patient = rx.Patient(age=54, weight="82 kg")
    bundle = rx.post_interstim_removal_plan(patient, pain_severity=6).to_fhir()
    assert bundle["resourceType"] == "Bundle"
    assert set(types.FhirBundle.__annotations__) <= set(bundle)
