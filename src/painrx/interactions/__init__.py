"""Drug-interaction checks for a perioperative analgesic regimen.

:func:`check_interactions` resolves every medication through the drug catalog
(brands, salts, free text and combination products all reach their ingredients),
matches painrx's cited, class-based rules on **ingredients**, computes each
finding's severity from the rule and the context (route, dose, anticoagulant
intensity, co-medication, age, conditions), checks each drug against the patient's
conditions (:data:`CONDITIONS`: an NSAID with CKD, codeine under 12 years), flags
duplicate therapy (two opioids, the same NSAID in two products) and adds up
acetaminophen and NSAIDs across every product against their label maxima. A known drug
that no rule concerns is checked; a drug that could not be checked is never reported
as "no interaction":
it raises :class:`~painrx.errors.UnknownDrugError`, or with ``on_unknown="report"``
it is listed in ``.unchecked`` and ``.complete`` is False.

Examples:
    >>> import painrx as rx
    >>> report = rx.check_interactions(["Ibuprofen 400 mg tablet", "Eliquis 5mg"])
    >>> [(f.rule_id, f.severity.name) for f in report.findings]
    [('nsaid_anticoagulant', 'MAJOR')]
    >>> ckd = rx.Patient(conditions=["ckd"])
    >>> [f.rule_id for f in rx.check_interactions(["naproxen"], patient=ckd).findings]
    ['nsaid_ckd']
"""

from painrx._public import publish
from painrx.interactions._check import check_interactions, rule_table
from painrx.interactions._conditions import CONDITION_TERMS, CONDITIONS
from painrx.interactions._model import (
    AcetaminophenTotal,
    AppliedModifier,
    CheckedMedication,
    CodedMedication,
    Finding,
    InteractionReport,
    Medication,
    Patient,
)
from painrx.interactions._rules import DrugRule, Evidence, Rule, RuleSet, default_rules

__all__ = [
    "CONDITIONS",
    "CONDITION_TERMS",
    "AcetaminophenTotal",
    "AppliedModifier",
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
]

publish(__name__, globals(), __all__)
