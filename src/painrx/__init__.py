"""painrx: typed, unit-safe, cited perioperative and post-operative pain pharmacology.

>>> import painrx as rx
>>> rx.Q("0.25 mg/kg/h").to("mcg/kg/min")
<Quantity(4.166666666666667, 'mcg/kg/min')>

Every public name is listed once, in :data:`_EXPORTS` below, grouped as the docs
present them and mapped to the module it comes from (``"module:attribute"``, or a
module). Names are imported on first use, so ``import painrx`` stays cheap and builds
no unit registry until a quantity is first needed. The ``TYPE_CHECKING`` block repeats
the names for type checkers only; a test keeps it, ``__all__`` and ``dir(painrx)``
equal to the map.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from painrx._moved import install as _install_moved_modules
from painrx._version import __version__ as __version__

# `painrx.tables` is both a submodule and the contract's `rx.tables()` function: binding the
# function after importing the module keeps `rx.tables` callable whoever imports the module later.
from painrx.tables import tables as tables

_install_moved_modules()

_EXPORTS: Final[dict[str, str]] = {
    # Units
    "Q": "painrx.units:Q",
    "Quantity": "painrx.units:Quantity",
    # Errors and alerts
    "Alert": "painrx.errors:Alert",
    "HardLimitError": "painrx.errors:HardLimitError",
    "InputError": "painrx.errors:InputError",
    "NoFactorError": "painrx.errors:NoFactorError",
    "PainRxError": "painrx.errors:PainRxError",
    "Severity": "painrx.errors:Severity",
    "UnitError": "painrx.errors:UnitError",
    "UnknownDrugError": "painrx.errors:UnknownDrugError",
    "UnsafeConversionError": "painrx.errors:UnsafeConversionError",
    # Provenance and tables
    "Provenance": "painrx.provenance:Provenance",
    "tables": "painrx.tables:tables",
    "show_versions": "painrx._versions:show_versions",
    # Opioids
    "Conversion": "painrx.opioids:Conversion",
    "MMEResult": "painrx.opioids:MMEResult",
    "OpioidDose": "painrx.opioids:OpioidDose",
    "PeriodMME": "painrx.opioids:PeriodMME",
    "Prescription": "painrx.opioids:Prescription",
    "Rotation": "painrx.opioids:Rotation",
    "TotalMME": "painrx.opioids:TotalMME",
    "convert_opioid": "painrx.opioids:convert_opioid",
    "mme": "painrx.opioids:mme",
    "mme_over_period": "painrx.opioids:mme_over_period",
    "mme_prescription": "painrx.opioids:mme_prescription",
    "mme_tables": "painrx.opioids:mme_tables",
    "ratio_tables": "painrx.opioids:ratio_tables",
    "rotate": "painrx.opioids:rotate",
    "total_mme": "painrx.opioids:total_mme",
    # Infusions
    "Bolus": "painrx.infusions:Bolus",
    "ConcentrationCheck": "painrx.infusions:ConcentrationCheck",
    "DosingWeight": "painrx.infusions:DosingWeight",
    "InfusionProfile": "painrx.infusions:InfusionProfile",
    "InfusionRate": "painrx.infusions:InfusionRate",
    "adjusted_body_weight": "painrx.infusions:adjusted_body_weight",
    "bolus": "painrx.infusions:bolus",
    "concentration_check": "painrx.infusions:concentration_check",
    "delivered_dose": "painrx.infusions:delivered_dose",
    "dosing_weight": "painrx.infusions:dosing_weight",
    "ideal_body_weight": "painrx.infusions:ideal_body_weight",
    "infusion_profile": "painrx.infusions:infusion_profile",
    "infusion_profiles": "painrx.infusions:infusion_profiles",
    "infusion_rate": "painrx.infusions:infusion_rate",
    "prepare": "painrx.infusions:prepare",
    # Interactions
    "Finding": "painrx.interactions:Finding",
    "InteractionReport": "painrx.interactions:InteractionReport",
    "Medication": "painrx.interactions:Medication",
    "Patient": "painrx.interactions:Patient",
    "check_interactions": "painrx.interactions:check_interactions",
    # Tapers
    "TaperSchedule": "painrx.tapers:TaperSchedule",
    "TaperStep": "painrx.tapers:TaperStep",
    "taper": "painrx.tapers:taper",
    # Pathways
    "CarePlan": "painrx.pathways:CarePlan",
    "PlanItem": "painrx.pathways:PlanItem",
    "post_interstim_removal_plan": "painrx.pathways:post_interstim_removal_plan",
    # Domain subpackages and leaf modules
    "batch": "painrx.batch",
    "catalog": "painrx.catalog",
    "fhir": "painrx.fhir",
    "infusions": "painrx.infusions",
    "interactions": "painrx.interactions",
    "opioids": "painrx.opioids",
    "pathways": "painrx.pathways",
    "tapers": "painrx.tapers",
    "units": "painrx.units",
    "vocabulary": "painrx.vocabulary",
    # Version
    "__version__": "painrx._version:__version__",
}

__all__ = tuple(_EXPORTS)  # the one map above, in its order

if TYPE_CHECKING:
    from painrx import (
        batch as batch,
    )
    from painrx import (
        catalog as catalog,
    )
    from painrx import (
        fhir as fhir,
    )
    from painrx import (
        infusions as infusions,
    )
    from painrx import (
        interactions as interactions,
    )
    from painrx import (
        opioids as opioids,
    )
    from painrx import (
        pathways as pathways,
    )
    from painrx import (
        tapers as tapers,
    )
    from painrx import (
        units as units,
    )
    from painrx import (
        vocabulary as vocabulary,
    )
    from painrx._versions import show_versions as show_versions
    from painrx.errors import (
        Alert as Alert,
    )
    from painrx.errors import (
        HardLimitError as HardLimitError,
    )
    from painrx.errors import (
        InputError as InputError,
    )
    from painrx.errors import (
        NoFactorError as NoFactorError,
    )
    from painrx.errors import (
        PainRxError as PainRxError,
    )
    from painrx.errors import (
        Severity as Severity,
    )
    from painrx.errors import (
        UnitError as UnitError,
    )
    from painrx.errors import (
        UnknownDrugError as UnknownDrugError,
    )
    from painrx.errors import (
        UnsafeConversionError as UnsafeConversionError,
    )
    from painrx.infusions import (
        Bolus as Bolus,
    )
    from painrx.infusions import (
        ConcentrationCheck as ConcentrationCheck,
    )
    from painrx.infusions import (
        DosingWeight as DosingWeight,
    )
    from painrx.infusions import (
        InfusionProfile as InfusionProfile,
    )
    from painrx.infusions import (
        InfusionRate as InfusionRate,
    )
    from painrx.infusions import (
        adjusted_body_weight as adjusted_body_weight,
    )
    from painrx.infusions import (
        bolus as bolus,
    )
    from painrx.infusions import (
        concentration_check as concentration_check,
    )
    from painrx.infusions import (
        delivered_dose as delivered_dose,
    )
    from painrx.infusions import (
        dosing_weight as dosing_weight,
    )
    from painrx.infusions import (
        ideal_body_weight as ideal_body_weight,
    )
    from painrx.infusions import (
        infusion_profile as infusion_profile,
    )
    from painrx.infusions import (
        infusion_profiles as infusion_profiles,
    )
    from painrx.infusions import (
        infusion_rate as infusion_rate,
    )
    from painrx.infusions import (
        prepare as prepare,
    )
    from painrx.interactions import (
        Finding as Finding,
    )
    from painrx.interactions import (
        InteractionReport as InteractionReport,
    )
    from painrx.interactions import (
        Medication as Medication,
    )
    from painrx.interactions import (
        Patient as Patient,
    )
    from painrx.interactions import (
        check_interactions as check_interactions,
    )
    from painrx.opioids import (
        Conversion as Conversion,
    )
    from painrx.opioids import (
        MMEResult as MMEResult,
    )
    from painrx.opioids import (
        OpioidDose as OpioidDose,
    )
    from painrx.opioids import (
        PeriodMME as PeriodMME,
    )
    from painrx.opioids import (
        Prescription as Prescription,
    )
    from painrx.opioids import (
        Rotation as Rotation,
    )
    from painrx.opioids import (
        TotalMME as TotalMME,
    )
    from painrx.opioids import (
        convert_opioid as convert_opioid,
    )
    from painrx.opioids import (
        mme as mme,
    )
    from painrx.opioids import (
        mme_over_period as mme_over_period,
    )
    from painrx.opioids import (
        mme_prescription as mme_prescription,
    )
    from painrx.opioids import (
        mme_tables as mme_tables,
    )
    from painrx.opioids import (
        ratio_tables as ratio_tables,
    )
    from painrx.opioids import (
        rotate as rotate,
    )
    from painrx.opioids import (
        total_mme as total_mme,
    )
    from painrx.pathways import (
        CarePlan as CarePlan,
    )
    from painrx.pathways import (
        PlanItem as PlanItem,
    )
    from painrx.pathways import (
        post_interstim_removal_plan as post_interstim_removal_plan,
    )
    from painrx.provenance import Provenance as Provenance
    from painrx.tapers import TaperSchedule as TaperSchedule
    from painrx.tapers import TaperStep as TaperStep
    from painrx.tapers import taper as taper
    from painrx.units import Q as Q
    from painrx.units import Quantity as Quantity


def __getattr__(name: str) -> Any:
    home = _EXPORTS.get(name)
    if home is None:
        msg = f"module 'painrx' has no attribute {name!r}"
        raise AttributeError(msg)
    module, _, attribute = home.partition(":")
    value = importlib.import_module(module)
    if attribute:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
