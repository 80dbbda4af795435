"""The interaction check: a pipeline of small steps over the list. (public face: ``painrx.interactions``).

1. read the list (:mod:`._prepare`): every entry to its ingredients, route, form and
   daily amounts; unknown entries raise or are reported;
2. totals (:mod:`._totals`): cumulative acetaminophen, label daily maxima, the same
   NSAID in two products, two opioids;
3. rules (:mod:`._match`): interaction rules between drugs, then drug–condition rules;
4. drop findings a more specific finding supersedes, order, and report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Literal, cast

import attrs

from painrx import catalog
from painrx._args import list_items
from painrx.errors import Alert, InputError, Severity, dedupe_alerts
from painrx.interactions._match import Context, drop_superseded, match_drug_rules, match_pairs
from painrx.interactions._model import (
    AcetaminophenTotal,
    Finding,
    InteractionReport,
    Medication,
    Patient,
)
from painrx.interactions._prepare import Listed, prepare_list
from painrx.interactions._rules import AcetaminophenPolicy, DrugRule, Rule, RuleSet, default_rules
from painrx.interactions._totals import (
    acetaminophen_findings,
    daily_maximum_findings,
    duplicate_findings,
)
from painrx.units import Quantity, magnitude

__all__ = ["check_interactions", "rule_table"]


def _rule_sets(rules: object) -> tuple[RuleSet, ...]:
    base = default_rules()
    if rules is None:
        return (base,)
    msg = "rules must be a RuleSet or a list of RuleSets (RuleSet.from_file(path))."
    extra = (rules,) if isinstance(rules, RuleSet) else list_items(rules, msg)
    if not all(isinstance(r, RuleSet) for r in extra):
        raise InputError(msg)
    sets = (base, *cast("Iterable[RuleSet]", extra))
    seen: dict[str, str] = {}
    for rule_set in sets:
        for rule_id in sorted(rule_set.rule_ids()):
            if rule_id in seen and seen[rule_id] != rule_set.id:
                msg = f"Rule id {rule_id!r} of {rule_set.id} is already used by {seen[rule_id]}."
                raise InputError(msg)
            seen[rule_id] = rule_set.id
    return tuple({s.id: s for s in sets}.values())


def _options(on_unknown: object, patient: object) -> Patient:
    if not isinstance(on_unknown, str) or on_unknown not in {"raise", "report"}:
        msg = f"on_unknown={on_unknown!r}; accepted: 'raise', 'report'."
        raise InputError(msg)
    if patient is None:
        return Patient()
    if not isinstance(patient, Patient):
        msg = f"patient must be a painrx Patient, not {patient!r}."
        raise InputError(msg)
    return patient


@cache
def _display_names() -> Mapping[str, str]:
    return {i.id: i.name for i in catalog.ingredients()}


def _list_findings(base: RuleSet, listed: Listed, ctx: Context) -> list[Finding]:
    """Findings about the list as a whole: daily maxima, the same NSAID twice, two opioids."""
    names = _display_names()
    patient = ctx.patient
    kg = magnitude(patient.weight, "kg") if patient.weight is not None else None
    found = daily_maximum_findings(
        listed.meds, base.daily_maxima, base.same_ingredient, names, ctx.present, patient, kg
    )
    if base.duplicate is not None:
        found.extend(duplicate_findings(listed.meds, base.duplicate, names))
    return found


def _alerts(base: RuleSet, listed: Listed, summary: AcetaminophenTotal | None) -> tuple[Alert, ...]:
    alerts = list(listed.alerts)
    if listed.unchecked:
        alerts.append(
            Alert(
                "interaction_check_incomplete",
                Severity.MAJOR,
                "Not checked, or only partly recognised (not in the painrx catalog): "
                f"{', '.join(listed.unchecked)}. Review these drugs manually; their absence "
                "from the findings means nothing.",
                base.source,
            )
        )
    if summary is not None and not summary.complete:
        alerts.append(
            Alert(
                "acetaminophen_dose_unknown",
                Severity.INFO,
                "The daily acetaminophen from "
                f"{', '.join(summary.unquantified)} is unknown (give dose and frequency); "
                "the total is a lower bound.",
                summary.source,
            )
        )
    return dedupe_alerts(alerts)


def check_interactions(
    meds: Iterable[str | Medication],
    *,
    patient: Patient | None = None,
    on_unknown: Literal["raise", "report"] = "raise",
    rules: RuleSet | Iterable[RuleSet] | None = None,
    acetaminophen_limit: str | Quantity | None = None,
) -> InteractionReport:
    """Check a medication list for interactions, drug–condition risks and duplicate therapy.

    Args:
        meds: Names, free text (``"Ibuprofen 400 mg tablet"``, ``"Eliquis 5mg"``) or
            :class:`Medication` objects. Repeated identical entries count once.
        patient: Age, weight and conditions that modify severities or trigger
            drug–condition rules.
        on_unknown: ``"raise"`` (default) raises for a drug not in the catalog, for an
            entry naming two drugs, and for a name with words painrx could not read
            (``"Tylenol PM"``); ``"report"`` lists such entries in ``.unchecked`` and
            sets ``.complete`` to False (a partly read entry is still checked for
            what was recognised). A known drug that no rule concerns is checked.
        rules: Extra rule sets (e.g. a site's licensed rules) applied with painrx's own.
        acetaminophen_limit: A daily limit (``"3 g/day"``) replacing the patient's
            default one (4 g/day, or 3 g/day with age ≥ 65, liver disease or alcohol
            use); the weight-based maximum under 50 kg still applies.

    Returns:
        The report; findings are ordered by severity (highest first), then rule id.

    Raises:
        UnknownDrugError: A drug is not in the catalog, or an entry was only partly
            recognised, and ``on_unknown="raise"``.
        InputError: A malformed list, dose, option or patient value, or more than 100
            medications (the bound of one check).
        UnitError: A dose without a unit or with a unit painrx does not accept.

    Examples:
        >>> r = check_interactions(
        ...     [Medication("enoxaparin", dose="40 mg", frequency="daily"), "ibuprofen"]
        ... )
        >>> [(f.rule_id, f.severity.name) for f in r.findings]
        [('nsaid_anticoagulant', 'MODERATE')]
    """
    patient = _options(on_unknown, patient)
    sets = _rule_sets(rules)
    base = sets[0]
    regimens = tuple(r for s in sets for r in s.intensity)
    weight_kg = magnitude(patient.weight, "kg") if patient.weight is not None else None
    listed = prepare_list(meds, weight_kg, regimens, on_unknown)
    policy = cast("AcetaminophenPolicy", base.acetaminophen)
    summary, findings = acetaminophen_findings(
        listed.meds, policy, patient, weight_kg, acetaminophen_limit
    )
    ctx = Context(listed.meds, patient, summary.daily_dose.magnitude if summary else None)
    findings.extend(_list_findings(base, listed, ctx))
    findings.extend(match_pairs(sets, ctx))
    findings.extend(match_drug_rules(sets, ctx))
    findings = drop_superseded(findings, sets)
    # A finding names the codes of the entries given as codes (Medication(rxcui=...)).
    coded = {m.label: m.checked.codes for m in listed.meds if m.checked.codes}
    if coded:
        findings = [
            attrs.evolve(
                f, codes=tuple(dict.fromkeys(c for m in f.medications for c in coded.get(m, ())))
            )
            for f in findings
        ]
    findings.sort(key=lambda f: (-f.severity, f.rule_id, f.drugs, f.medications))
    return InteractionReport(
        findings=tuple(findings),
        max_severity=max((f.severity for f in findings), default=None),
        unchecked=listed.unchecked,
        complete=not listed.unchecked,
        acetaminophen=summary,
        medications=tuple(m.checked for m in listed.meds),
        alerts=_alerts(base, listed, summary),
        source=base.source,
        rule_sets=tuple(s.id for s in sets),
    )


def _sources(rule: Rule | DrugRule) -> str:
    keys = [rule.source.id, *(e.source.id for e in rule.evidence)]
    return ", ".join(dict.fromkeys(k.split("/")[-1] for k in keys))


def rule_table(rule_set: RuleSet | None = None) -> tuple[Mapping[str, str], ...]:
    """Return one row per rule for docs and UIs: interaction rules, then drug–condition rules.

    Each row has ``id``, ``kind`` (``"interaction"`` or ``"drug_condition"``),
    ``severity``, ``members`` (the drugs), ``trigger`` (a drug–condition rule's
    conditions, age or duration; empty for an interaction), ``modifiers`` and ``sources``.
    """
    rules = rule_set or default_rules()
    pairs = [
        {
            "id": r.id,
            "kind": "interaction",
            "severity": r.severity.name.lower(),
            "members": " + ".join(m.describe() for m in r.members),
            "trigger": "",
            "modifiers": ", ".join(m.id for m in r.modifiers),
            "sources": _sources(r),
        }
        for r in rules.rules
    ]
    singles = [
        {
            "id": r.id,
            "kind": "drug_condition",
            "severity": r.severity.name.lower(),
            "members": r.drug.describe(),
            "trigger": r.trigger,
            "modifiers": ", ".join(m.id for m in r.modifiers),
            "sources": _sources(r),
        }
        for r in rules.drug_rules
    ]
    return tuple(pairs + singles)
