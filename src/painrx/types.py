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

from typing import Literal, TypeAlias

__all__ = [
    "MMETable",
    "OnUnknown",
    "PeriodDefinition",
    "RatioTable",
    "RotationMethod",
    "SeverityName",
    "TaperBasis",
    "ThresholdPolicyId",
    "Ties",
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
