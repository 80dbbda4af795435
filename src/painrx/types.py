"""Closed options as ``Literal`` types, so a type checker catches a wrong id before it runs.

``rx.mme("oxycodone", "30 mg/day", table="CDC_2023")`` is refused at run time with an
``InputError``; with these aliases in the signatures, mypy and pyright flag it in the
editor. Each alias lists exactly the ids the shipped data files define
(``tests/test_types.py`` keeps them equal), so adding a table edition means adding its
id here.

>>> from typing import get_args
>>> get_args(MMETable)
('ANZCA_2021', 'CDC_2016', 'CDC_2022', 'CDC_NDC_2018', 'NIH_HEAL_2025')
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias, TypedDict

__all__ = [
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
]

#: MME factor tables (``rx.mme_tables()``).
MMETable: TypeAlias = Literal["ANZCA_2021", "CDC_2016", "CDC_2022", "CDC_NDC_2018", "NIH_HEAL_2025"]
#: Equianalgesic ratio tables for ``convert_opioid`` and ``rotate`` (``rx.ratio_tables()``).
RatioTable: TypeAlias = Literal["ANZCA_2021", "BNF", "CDC_2022", "MSD_MANUAL", "SEED"]
#: MME/day alert threshold policies (``painrx.opioids.threshold_policies()``).
ThresholdPolicyId: TypeAlias = Literal["CDC_2016", "UK_OPENPRESCRIBING_2025"]
#: Dose-banded methods for methadone and fentanyl-patch targets of ``rotate``.
RotationMethod: TypeAlias = Literal["DURAGESIC_LABEL", "FENTANYL_2_TO_1", "MSD_METHADONE"]
#: NIH HEAL definitions of MME/day over a period (``painrx.opioids.DEFINITIONS``).
PeriodDefinition: TypeAlias = Literal[
    "total_days_supply", "on_therapy_days", "fixed_window", "max_daily"
]
#: What a taper's percent is a percent of.
TaperBasis: TypeAlias = Literal["original", "current", "hybrid"]
#: How a taper breaks a rounding tie.
Ties: TypeAlias = Literal["up", "down", "even"]
#: What ``check_interactions`` does with a drug it does not know.
OnUnknown: TypeAlias = Literal["raise", "report"]
#: Severity names as text (``Severity.parse`` reads them).
SeverityName: TypeAlias = Literal["info", "minor", "moderate", "major", "contraindicated"]


# --------------------------------------------------------------------------- JSON shapes
# What ``to_dict()``, ``to_rows()`` and ``to_fhir()`` return: TypedDicts, so a typo in a
# key (``result.to_dict()["vale"]``) fails in the type checker.


class QuantityDict(TypedDict):
    """A quantity as JSON: ``{"value": 20.0, "unit": "mg/day"}``."""

    value: float
    unit: str


class AlertDict(TypedDict):
    """``Alert.to_dict()``: the severity in lower case, the source by id."""

    code: str
    severity: SeverityName
    message: str
    source: str | None


class ProvenanceDict(TypedDict):
    """``Provenance.to_dict()``."""

    id: str
    title: str
    year: int
    citation: str
    url: str
    edition: str


class MMEResultDict(TypedDict):
    """``MMEResult.to_dict()``: alerts by code, sources by id."""

    value: float
    drug: str
    route: str
    form: str | None
    factor: float
    factor_basis: str
    daily_dose: QuantityDict
    days_supply: float | None
    table: str
    source: str
    factor_source: str
    alerts: list[str]


class CodedMMEResultDict(MMEResultDict):
    """``CodedMMEResult.to_dict()``: an MME result with the codes it was read from."""

    codes: list[dict[str, Any]]
    product: str | None


class TotalMMEDict(TypedDict):
    """``TotalMME.to_dict()``."""

    value: float
    items: list[MMEResultDict]
    table: str
    thresholds: str | None
    source: str
    alerts: list[str]


class ExcludedDict(TypedDict):
    """One prescription left out of ``PeriodMME``, and why."""

    drug: str
    reason: str


class PeriodMMEDict(TypedDict):
    """``PeriodMME.to_dict()``."""

    value: float
    total_mme: float
    definition: str
    denominator_days: int | float | None
    items: list[MMEResultDict]
    excluded: list[ExcludedDict]
    table: str
    thresholds: str | None
    source: str
    alerts: list[str]


class ConversionDict(TypedDict):
    """``Conversion.to_dict()``."""

    dose: QuantityDict
    ratio: float
    ratio_basis: str
    drug: str
    route: str
    input: QuantityDict
    to: str
    to_route: str
    table: str
    source: str
    ratio_source: str
    alerts: list[str]


class RotationDict(TypedDict):
    """``Rotation.to_dict()``."""

    drug: str
    route: str
    dose: QuantityDict
    to: str
    to_route: str
    equianalgesic: QuantityDict
    recommended: QuantityDict
    recommended_range: list[QuantityDict]
    reduction: list[float]
    breakthrough: list[QuantityDict]
    breakthrough_drug: str
    breakthrough_route: str
    table: str
    method: str | None
    source: str
    alerts: list[str]


class TaperRow(TypedDict):
    """One row of ``TaperSchedule.to_rows()``: what a person reads."""

    day: int
    daily_dose: str
    tablets_per_dose: str
    note: str


class FhirBundle(TypedDict):
    """A FHIR R4 ``Bundle`` as plain dicts (``CarePlan.to_fhir()``)."""

    resourceType: Literal["Bundle"]
    type: str
    entry: list[dict[str, Any]]
