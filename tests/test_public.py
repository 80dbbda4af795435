"""The public surface: module names, ``__all__`` of every public module, old pickles."""

from __future__ import annotations

import datetime as dt
import importlib
import pickle
from pathlib import Path

import pytest

import painrx as rx

PUBLIC_MODULES = (
    "painrx.batch",
    "painrx.catalog",
    "painrx.errors",
    "painrx.fhir",
    "painrx.infusions",
    "painrx.interactions",
    "painrx.opioids",
    "painrx.pathways",
    "painrx.pathways.fhir",
    "painrx.provenance",
    "painrx.tables",
    "painrx.tapers",
    "painrx.units",
    "painrx.vocabulary",
)

# Made with painrx 0.1.0 (commit 0f35025, flat layout: classes then lived in
# painrx._opioids_results, painrx._infusions_data, ...). Regenerating it would not
# test anything: it must stay a pickle made before the move.
LEGACY_PICKLE = Path(__file__).parent / "fixtures" / "results-0.1.0-flat-layout.pickle"


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_public_classes_and_functions_report_a_public_module(module: str) -> None:
    mod = importlib.import_module(module)
    for name in mod.__all__:
        obj = getattr(mod, name)
        where = getattr(obj, "__module__", None)
        if callable(obj) and isinstance(where, str) and where.startswith("painrx"):
            assert not any(part.startswith("_") for part in where.split(".")), (name, where)


def test_top_level_classes_report_public_modules() -> None:
    for name in rx.__all__:
        obj = getattr(rx, name)
        if isinstance(obj, type) and obj.__module__.startswith("painrx"):
            assert "._" not in obj.__module__, (name, obj.__module__)


def test_pickles_made_before_the_move_still_load() -> None:
    with LEGACY_PICKLE.open("rb") as f:
        old = pickle.load(f)
    apixaban = rx.Medication("apixaban", dose="5 mg", frequency="BID")
    patient = rx.Patient(age=54, weight="82 kg", height="178 cm", sex="male")
    assert old["MMEResult"] == rx.mme("oxycodone", "5 mg", frequency="q4h", table="CDC_2022")
    assert old["MMEResult"].value == 45  # CDC 2022: oxycodone 1.5 × 5 mg × 6/day
    assert old["Rotation"] == rx.rotate("oxycodone", "30 mg/day", to="morphine")
    assert old["InfusionRate"] == rx.infusion_rate(
        "0.25 mg/kg/h", "82 kg", "1 mg/mL", profile="ketamine/perioperative_analgesia"
    )
    assert old["InteractionReport"] == rx.check_interactions(
        ["Ibuprofen 400 mg tablet", apixaban], patient=patient
    )
    plan = rx.post_interstim_removal_plan(
        patient, pain_severity=8, neuropathic=True, current_meds=[apixaban]
    )
    # Issue 16 added items (neuropathic options, safety items) and the header's
    # anticoagulation: the old plan still loads and renders, and keeps its items.
    assert old["CarePlan"].inputs.treated_as_therapeutic == ()
    assert {i.code for i in old["CarePlan"].items} <= {i.code for i in plan.items}
    assert old["CarePlan"].to_markdown().startswith("# Care plan")
    period = rx.mme_over_period(
        [
            rx.Prescription(
                "oxycodone", strength="5 mg", quantity=60, days_supply=10, start=dt.date(2026, 1, 1)
            )
        ],
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 1, 10),
        table="NIH_HEAL_2025",  # the default when the pickle was made
    )
    assert old["PeriodMME"] == period
    for value in old.values():
        assert "._" not in type(value).__module__
