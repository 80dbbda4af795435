"""How the pathway asks :mod:`painrx.interactions` its questions.

One place reads interaction reports, so the plan's decisions (whether an NSAID may
be given, how much acetaminophen fits) all come from ``check_interactions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import attrs

from painrx.errors import Alert, PainRxError, Severity
from painrx.interactions import Finding, InteractionReport, Medication, check_interactions

__all__ = [
    "acetaminophen_blocked",
    "acetaminophen_text",
    "as_therapeutic",
    "check",
    "describe",
    "finding_alert",
    "in_class",
    "known",
    "name_in",
    "product_is",
    "report_alerts",
]

_APAP = frozenset({"acetaminophen"})


def check(
    meds: Sequence[str | Medication], patient: Any, on_unknown: Literal["raise", "report"]
) -> InteractionReport:
    """Run :func:`painrx.interactions.check_interactions` over ``meds``."""
    return check_interactions(list(meds), patient=patient, on_unknown=on_unknown)


def acetaminophen_blocked(
    report: InteractionReport, ignore: frozenset[str] = frozenset()
) -> tuple[Finding, ...] | None:
    """Return why the report's acetaminophen total is not acceptable, or None when it is.

    Acceptable means every medication was checked, the total is known (every product
    quantified) and no acetaminophen finding of moderate severity or more fired (over
    the daily maximum, over a patient's lower limit, or a product whose amount is
    unknown), leaving out the rule ids in ``ignore``.
    """
    total = report.acetaminophen
    blocking = tuple(
        f
        for f in report.findings
        if set(f.drugs) <= _APAP and f.severity >= Severity.MODERATE and f.rule_id not in ignore
    )
    if blocking or not report.complete or (total is not None and not total.complete):
        return blocking
    return None


def acetaminophen_text(report: InteractionReport) -> str:
    """Return the report's cumulative acetaminophen in words."""
    total = report.acetaminophen
    if total is None:
        return "none"
    amount = f"{total.daily_dose.m_as('mg/day'):g} mg/day"
    if not total.complete:
        amount = f"at least {amount} (unknown daily amount from {', '.join(total.unquantified)})"
    return f"{amount}; limit for this patient {total.limit.m_as('mg/day'):g} mg/day ({total.limit_reason})"


def finding_alert(finding: Finding) -> Alert:
    """Return an interaction finding as a plan alert (``interaction_<rule_id>``)."""
    return Alert(
        f"interaction_{finding.rule_id}",
        finding.severity,
        f"{finding.message} {finding.management}".strip(),
        finding.source,
    )


def report_alerts(report: InteractionReport, at_least: Severity) -> list[Alert]:
    """Return the plan alerts for a report: its findings at ``at_least`` or above.

    An incomplete report adds ``interaction_check_incomplete`` unless the report already
    carries that alert itself.
    """
    alerts = [finding_alert(f) for f in report.findings if f.severity >= at_least]
    flagged = any(a.code == "interaction_check_incomplete" for a in report.alerts)
    if not report.complete and not flagged:
        alerts.append(
            Alert(
                "interaction_check_incomplete",
                Severity.MAJOR,
                "Not checked for interactions (unknown to painrx): "
                f"{', '.join(report.unchecked)}. Review them by hand: no NSAID is cleared, and "
                "acetaminophen is given only once they are known to contain none.",
            )
        )
    return alerts


def in_class(med: str | Medication, cls: str) -> bool:
    """Return True when a medication contains a member of ``cls`` (False if unreadable)."""
    from painrx import catalog

    try:
        product = catalog.parse_medication(med if isinstance(med, str) else med.name).product
    except PainRxError:
        return False
    return any(catalog.in_class(i, cls) for i in product.ingredients)


def name_in(med: str | Medication, names: Sequence[str]) -> bool:
    """Return True when one of the medication's ingredients is among ``names``."""
    from painrx import catalog

    try:
        product = catalog.parse_medication(med if isinstance(med, str) else med.name).product
    except PainRxError:
        return False
    return any(i in names for i in product.ingredients)


def product_is(med: str | Medication, products: Sequence[str]) -> bool:
    """Return True when the medication is one of the catalog ``products`` (ids)."""
    from painrx import catalog

    try:
        product = catalog.parse_medication(med if isinstance(med, str) else med.name).product
    except PainRxError:
        return False
    return product.id in products


def known(med: str | Medication) -> bool:
    """Return True when painrx's catalog reads the medication's name."""
    from painrx import catalog

    try:
        catalog.parse_medication(med if isinstance(med, str) else med.name)
    except PainRxError:
        return False
    return True


def as_therapeutic(med: str | Medication) -> str | Medication:
    """Return an anticoagulant marked as therapeutic intensity (other medications unchanged)."""
    if not in_class(med, "anticoagulant"):
        return med
    if isinstance(med, str):
        return Medication(med, intensity="therapeutic")
    return attrs.evolve(med, intensity="therapeutic")


def describe(med: str | Medication) -> str:
    """Return a medication as text (a string is returned unchanged)."""
    if isinstance(med, str):
        return med
    values = (med.dose, med.frequency, med.route, med.intensity)
    parts = [med.name]
    parts.extend(v if isinstance(v, str) else f"{v:g}" for v in values if v is not None)
    return " ".join(parts)
