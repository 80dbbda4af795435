"""Opioid MME (risk screening), equianalgesic conversion and rotation.

Two families of functions that must not be confused:

* **MME for risk screening** — :func:`mme`, :func:`mme_prescription`,
  :func:`total_mme`, :func:`mme_over_period` — multiply a daily dose by a factor from a
  named, cited table edition (``CDC_2022``, ``CDC_2016``, ``CDC_NDC_2018``,
  ``NIH_HEAL_2025``, ``ANZCA_2021``). Tables disagree (hydromorphone 4 or 5, tramadol
  0.1 or 0.2, tapentadol 0.4 or 0.3, methadone bands or 4.7), so every result names
  its table.
* **Conversion and rotation** — :func:`convert_opioid` and :func:`rotate` — use
  equianalgesic *ratio* tables (``SEED``, ``CDC_2022``, ``ANZCA_2021``,
  ``MSD_MANUAL``, ``BNF``), then a cross-tolerance reduction and a breakthrough range.
  Methadone and fentanyl patches as targets need a cited dose-banded ``method=``;
  painrx never inverts an MME factor to reach them.

Arithmetic is exact (fractions) and only rounded for display (``.rounded(dp=1)``).

>>> import painrx as rx
>>> rx.mme("oxycodone", "10 mg", frequency="BID").value
30.0
>>> rx.convert_opioid("oxycodone", "5 mg", to="morphine", ratios="SEED").dose
<Quantity(10.0, 'mg')>
"""

from painrx._public import publish
from painrx.opioids._mme import (
    DEFAULT_MME_TABLE,
    DEFINITIONS,
    mme,
    mme_factors,
    mme_over_period,
    mme_prescription,
    mme_tables,
    prescription_factor,
    threshold_policies,
    threshold_policy,
    total_mme,
)
from painrx.opioids._ndc import (
    NDC_PRODUCTS,
    NDCProduct,
    ndc_product,
    ndc_products,
    normalize_ndc,
)
from painrx.opioids._plot import daily_mme, mme_timeline
from painrx.opioids._results import (
    CodedMMEResult,
    Conversion,
    ExcludedPrescription,
    FactorRow,
    MMEResult,
    OpioidDose,
    PeriodMME,
    Prescription,
    PrescriptionFactor,
    Rotation,
    TotalMME,
)
from painrx.opioids._rotation import (
    convert_opioid,
    ratio_tables,
    rotate,
    rotation_method,
    rotation_methods,
)
from painrx.opioids._tables import OpioidMethod, ThresholdPolicy

__all__ = [
    "DEFAULT_MME_TABLE",
    "DEFINITIONS",
    "NDC_PRODUCTS",
    "CodedMMEResult",
    "Conversion",
    "ExcludedPrescription",
    "FactorRow",
    "MMEResult",
    "NDCProduct",
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
]

publish(__name__, globals(), __all__)
