"""Care pathways: cited, multimodal care plans composed from painrx's domain functions.

The first pathway is the seed article's plan for posterior leg pain after removal of
a sacral-neuromodulation (InterStim) device: :func:`post_interstim_removal_plan`.
A plan is decision support: painrx orders nothing.
"""

from __future__ import annotations

from painrx._public import publish
from painrx.pathways._data import pathway_data
from painrx.pathways._model import DISCLAIMER, CarePlan, PlanInputs, PlanItem, RedFlag, Regimen
from painrx.pathways.post_interstim_removal import (
    FINDINGS,
    PAIN_SEVERITIES,
    parse_pain_severity,
    post_interstim_removal_plan,
)

__all__ = [
    "DISCLAIMER",
    "FINDINGS",
    "PAIN_SEVERITIES",
    "CarePlan",
    "PlanInputs",
    "PlanItem",
    "RedFlag",
    "Regimen",
    "parse_pain_severity",
    "pathway_data",
    "post_interstim_removal_plan",
]

publish(__name__, globals(), __all__)
