"""painrx: typed, unit-safe, cited perioperative and post-operative pain pharmacology.

>>> import painrx as rx
>>> rx.Q("0.25 mg/kg/h").to("mcg/kg/min")
<Quantity(4.166666666666667, 'mcg/kg/min')>

Names are imported lazily, so ``import painrx`` stays cheap and builds no unit
registry until a quantity is first needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from painrx._moved import install as _install_moved_modules
from painrx._version import __version__

# `painrx.tables` is both a submodule and the contract's `rx.tables()` function: binding the
# function after importing the module keeps `rx.tables` callable whoever imports the module later.
from painrx.tables import tables

_install_moved_modules()

if TYPE_CHECKING:
    from painrx import (
        batch,
        catalog,
        fhir,
        infusions,
        interactions,
        opioids,
        pathways,
        tapers,
        units,
        vocabulary,
    )
    from painrx._versions import show_versions
    from painrx.errors import (
        Alert,
        HardLimitError,
        InputError,
        NoFactorError,
        PainRxError,
        Severity,
        UnitError,
        UnknownDrugError,
        UnsafeConversionError,
    )
    from painrx.infusions import (
        Bolus,
        ConcentrationCheck,
        DosingWeight,
        InfusionProfile,
        InfusionRate,
        adjusted_body_weight,
        bolus,
        concentration_check,
        delivered_dose,
        dosing_weight,
        ideal_body_weight,
        infusion_profile,
        infusion_profiles,
        infusion_rate,
        prepare,
    )
    from painrx.interactions import (
        Finding,
        InteractionReport,
        Medication,
        Patient,
        check_interactions,
    )
    from painrx.opioids import (
        Conversion,
        MMEResult,
        OpioidDose,
        PeriodMME,
        Prescription,
        Rotation,
        TotalMME,
        convert_opioid,
        mme,
        mme_over_period,
        mme_prescription,
        mme_tables,
        ratio_tables,
        rotate,
        total_mme,
    )
    from painrx.pathways import CarePlan, PlanItem, post_interstim_removal_plan
    from painrx.provenance import Provenance
    from painrx.tapers import TaperSchedule, TaperStep, taper
    from painrx.units import Q, Quantity

__all__ = (
    # Units
    "Q",
    "Quantity",
    # Errors and alerts
    "Alert",
    "HardLimitError",
    "InputError",
    "NoFactorError",
    "PainRxError",
    "Severity",
    "UnitError",
    "UnknownDrugError",
    "UnsafeConversionError",
    # Provenance and tables
    "Provenance",
    "tables",
    "show_versions",
    # Opioids
    "Conversion",
    "MMEResult",
    "OpioidDose",
    "PeriodMME",
    "Prescription",
    "Rotation",
    "TotalMME",
    "convert_opioid",
    "mme",
    "mme_over_period",
    "mme_prescription",
    "mme_tables",
    "ratio_tables",
    "rotate",
    "total_mme",
    # Infusions
    "Bolus",
    "ConcentrationCheck",
    "DosingWeight",
    "InfusionProfile",
    "InfusionRate",
    "adjusted_body_weight",
    "bolus",
    "concentration_check",
    "delivered_dose",
    "dosing_weight",
    "ideal_body_weight",
    "infusion_profile",
    "infusion_profiles",
    "infusion_rate",
    "prepare",
    # Interactions
    "Finding",
    "InteractionReport",
    "Medication",
    "Patient",
    "check_interactions",
    # Tapers
    "TaperSchedule",
    "TaperStep",
    "taper",
    # Pathways
    "CarePlan",
    "PlanItem",
    "post_interstim_removal_plan",
    # Submodules
    "batch",
    "catalog",
    "fhir",
    "infusions",
    "interactions",
    "opioids",
    "pathways",
    "tapers",
    "units",
    "vocabulary",
    "__version__",
)

_SUBMODULES = frozenset(
    {
        "batch",
        "catalog",
        "fhir",
        "infusions",
        "interactions",
        "opioids",
        "pathways",
        "tapers",
        "units",
        "vocabulary",
    }
)
_HOMES = {
    "Q": "units",
    "Quantity": "units",
    "Alert": "errors",
    "HardLimitError": "errors",
    "InputError": "errors",
    "NoFactorError": "errors",
    "PainRxError": "errors",
    "Severity": "errors",
    "UnitError": "errors",
    "UnknownDrugError": "errors",
    "UnsafeConversionError": "errors",
    "Provenance": "provenance",
    "show_versions": "_versions",
    "Conversion": "opioids",
    "MMEResult": "opioids",
    "OpioidDose": "opioids",
    "PeriodMME": "opioids",
    "Prescription": "opioids",
    "Rotation": "opioids",
    "TotalMME": "opioids",
    "convert_opioid": "opioids",
    "mme": "opioids",
    "mme_over_period": "opioids",
    "mme_prescription": "opioids",
    "mme_tables": "opioids",
    "ratio_tables": "opioids",
    "rotate": "opioids",
    "total_mme": "opioids",
    "Bolus": "infusions",
    "ConcentrationCheck": "infusions",
    "InfusionProfile": "infusions",
    "concentration_check": "infusions",
    "infusion_profile": "infusions",
    "DosingWeight": "infusions",
    "InfusionRate": "infusions",
    "adjusted_body_weight": "infusions",
    "bolus": "infusions",
    "delivered_dose": "infusions",
    "dosing_weight": "infusions",
    "ideal_body_weight": "infusions",
    "infusion_profiles": "infusions",
    "infusion_rate": "infusions",
    "prepare": "infusions",
    "Finding": "interactions",
    "InteractionReport": "interactions",
    "Medication": "interactions",
    "Patient": "interactions",
    "check_interactions": "interactions",
    "TaperSchedule": "tapers",
    "TaperStep": "tapers",
    "taper": "tapers",
    "CarePlan": "pathways",
    "PlanItem": "pathways",
    "post_interstim_removal_plan": "pathways",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"painrx.{name}")
    home = _HOMES.get(name)
    if home is None:
        msg = f"module 'painrx' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f"painrx.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
