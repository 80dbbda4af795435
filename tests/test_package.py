"""The package's face: one lazy map of names, a cheap import, and pinned ``__all__`` lists.

A change to a public module's ``__all__`` is a change to the API contract
(/work/shared/design/api.md keeps the names): update the pin here in the same commit,
on purpose.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import painrx as rx

INIT = Path(rx.__file__)

PINNED_ALL: dict[str, tuple[str, ...]] = {
    "painrx.batch": (
        "ADDED_COLUMNS",
        "OPTIONAL_COLUMNS",
        "REQUIRED_COLUMNS",
        "mme_prescriptions",
    ),
    "painrx.catalog": (
        "CLASSES",
        "Coding",
        "Ingredient",
        "NDC_SYSTEM",
        "ParsedMedication",
        "Product",
        "RXNORM_SYSTEM",
        "RxNormProduct",
        "UnknownCodeError",
        "check_strength_unit",
        "check_unit_dose",
        "class_source",
        "describe_class",
        "in_class",
        "ingredient",
        "ingredient_for_rxcui",
        "ingredient_rxcui",
        "ingredients",
        "members",
        "membership_source",
        "names",
        "parse_medication",
        "parse_strength",
        "product",
        "products",
        "rxnorm_product",
        "rxnorm_products",
        "source",
    ),
    "painrx.cli": (
        "EXIT_FINDINGS",
        "EXIT_INCOMPLETE",
        "EXIT_OK",
        "EXIT_REFUSED",
        "EXIT_USAGE",
        "main",
    ),
    "painrx.errors": (
        "Alert",
        "HardLimitError",
        "InputError",
        "MissingDependencyError",
        "NoFactorError",
        "PainRxError",
        "Severity",
        "TableError",
        "UnitError",
        "UnknownDrugError",
        "UnsafeConversionError",
    ),
    "painrx.infusions": (
        "Basis",
        "Bolus",
        "Concentration",
        "ConcentrationCheck",
        "DoseLimit",
        "DoseLimits",
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
        "profile_limits",
    ),
    "painrx.interactions": (
        "AcetaminophenTotal",
        "AppliedModifier",
        "CONDITIONS",
        "CONDITION_TERMS",
        "CheckedMedication",
        "CodedMedication",
        "DrugRule",
        "Evidence",
        "Finding",
        "InteractionReport",
        "Medication",
        "Patient",
        "Rule",
        "RuleSet",
        "check_interactions",
        "default_rules",
        "rule_table",
    ),
    "painrx.opioids": (
        "CodedMMEResult",
        "Conversion",
        "DEFAULT_MME_TABLE",
        "DEFINITIONS",
        "ExcludedPrescription",
        "FactorRow",
        "MMEResult",
        "NDCProduct",
        "NDC_PRODUCTS",
        "OpioidDose",
        "OpioidMethod",
        "PeriodMME",
        "Prescription",
        "PrescriptionFactor",
        "Rotation",
        "ThresholdPolicy",
        "TotalMME",
        "convert_opioid",
        "daily_mme",
        "mme",
        "mme_factors",
        "mme_over_period",
        "mme_prescription",
        "mme_tables",
        "mme_timeline",
        "ndc_product",
        "ndc_products",
        "normalize_ndc",
        "prescription_factor",
        "ratio_tables",
        "rotate",
        "rotation_method",
        "rotation_methods",
        "threshold_policies",
        "threshold_policy",
        "total_mme",
    ),
    "painrx.pathways": (
        "CarePlan",
        "DISCLAIMER",
        "FINDINGS",
        "PAIN_SEVERITIES",
        "PlanInputs",
        "PlanItem",
        "RedFlag",
        "Regimen",
        "parse_pain_severity",
        "pathway_data",
        "post_interstim_removal_plan",
    ),
    "painrx.pathways.fhir": (
        "GTS",
        "UCUM",
        "care_plan_bundle",
        "medication_concept",
        "quantity",
        "timing",
    ),
    "painrx.provenance": ("Provenance",),
    "painrx.tables": (
        "Form",
        "Frequency",
        "NonEmpty",
        "NonNegative",
        "OfKind",
        "OneOf",
        "Positive",
        "Provenance",
        "Range",
        "Route",
        "ShapeError",
        "TableError",
        "TableInfo",
        "data_file",
        "load",
        "load_all",
        "parse_table",
        "read_table",
        "shape_for",
        "sources_of",
        "structure",
        "table_error",
        "table_ids",
        "table_info",
        "table_part",
        "table_shape",
        "tables",
    ),
    "painrx.tapers": (
        "Basis",
        "DispenseLine",
        "Dose",
        "FinalStep",
        "GuidelinePace",
        "MAX_STEPS_BOUND",
        "TAPER_PRESETS",
        "TaperPolicy",
        "TaperSchedule",
        "TaperStep",
        "guideline_paces",
        "taper",
    ),
    "painrx.types": (
        "AlertDict",
        "CodedMMEResultDict",
        "ConversionDict",
        "ExcludedDict",
        "FhirBundle",
        "MMEResultDict",
        "MMETable",
        "OnUnknown",
        "PeriodDefinition",
        "PeriodMMEDict",
        "ProvenanceDict",
        "QuantityDict",
        "RatioTable",
        "RotationDict",
        "RotationMethod",
        "SeverityName",
        "TaperBasis",
        "TaperRow",
        "ThresholdPolicyId",
        "Ties",
        "TotalMMEDict",
    ),
    "painrx.units": (
        "ALLOWED_UNITS",
        "Kind",
        "Q",
        "Quantity",
        "QuantityLike",
        "REJECTED_UNITS",
        "as_body_weight",
        "format_quantity",
        "format_units",
        "is_real",
        "kind_of",
        "magnitude",
        "quantity_arg",
        "registry",
        "to_ucum",
    ),
    "painrx.vocabulary": (
        "AGE_YEARS",
        "BODY_WEIGHT_KG",
        "FORMS",
        "FREQUENCIES",
        "Form",
        "HEIGHT_CM",
        "MAX_DAILY_MME",
        "MAX_PUMP_RATE_ML_H",
        "ROUTES",
        "Route",
        "Sex",
        "doses_per_day",
        "form",
        "frequency_label",
        "is_prn",
        "route",
        "sex",
    ),
}

PINNED_TOP_LEVEL = (
    "Q",
    "Quantity",
    "Alert",
    "HardLimitError",
    "InputError",
    "NoFactorError",
    "PainRxError",
    "Severity",
    "UnitError",
    "UnknownDrugError",
    "UnsafeConversionError",
    "Provenance",
    "tables",
    "show_versions",
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
    "Finding",
    "InteractionReport",
    "Medication",
    "Patient",
    "check_interactions",
    "TaperSchedule",
    "TaperStep",
    "taper",
    "CarePlan",
    "PlanItem",
    "post_interstim_removal_plan",
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


def _type_checking_names() -> set[str]:
    """Names the ``if TYPE_CHECKING:`` block of painrx/__init__.py imports."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    )
    return {
        alias.asname or alias.name
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_lazy_map_all_and_dir_agree() -> None:
    assert tuple(rx._EXPORTS) == rx.__all__
    assert len(set(rx.__all__)) == len(rx.__all__)
    assert dir(rx) == sorted(rx.__all__)


def test_type_checking_block_names_the_same_objects() -> None:
    # The static mirror of the map, for type checkers: same names, no more, no fewer.
    assert _type_checking_names() | {"tables", "__version__"} == set(rx._EXPORTS)


@pytest.mark.parametrize("name", list(rx._EXPORTS))
def test_every_mapped_name_resolves_to_its_home(name: str) -> None:
    module, _, attribute = rx._EXPORTS[name].partition(":")
    home = importlib.import_module(module)
    expected = getattr(home, attribute) if attribute else home
    assert getattr(rx, name) is expected


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'painrx' has no attribute 'mme_total'"):
        _ = rx.mme_total


def test_import_painrx_stays_cheap() -> None:
    # A fresh interpreter: importing painrx loads no domain code, no pint, no pandas.
    code = (
        "import sys, painrx; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'pint', 'numpy', 'pandas', 'pyarrow', 'numba', 'cattrs', 'matplotlib', 'dask'} "
        "or m.startswith(('painrx.opioids', 'painrx.infusions', 'painrx.interactions', "
        "'painrx.tapers', 'painrx.pathways', 'painrx.batch', 'painrx.catalog', "
        "'painrx.units', 'painrx.cli')))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []


@pytest.mark.parametrize("module", sorted(PINNED_ALL))
def test_public_module_all_is_pinned(module: str) -> None:
    assert tuple(sorted(importlib.import_module(module).__all__)) == PINNED_ALL[module]


def test_top_level_all_is_pinned() -> None:
    assert rx.__all__ == PINNED_TOP_LEVEL
