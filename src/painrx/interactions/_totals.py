"""Totals across the list: cumulative acetaminophen, daily maxima, duplicate therapy.

These checks look at the list as a whole rather than at a pair: the same ingredient
in several products (Vicoprofen with ibuprofen) adds up against the label maximum,
and two opioids on one list are duplicate therapy unless they are the named
long-acting + breakthrough pattern.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Final

import attrs

from painrx.errors import InputError, Severity
from painrx.interactions._model import AcetaminophenTotal, Finding, Patient
from painrx.interactions._prepare import APAP, Med
from painrx.interactions._rules import (
    AcetaminophenPolicy,
    DailyMaximum,
    DuplicatePolicy,
    SameIngredientPolicy,
)
from painrx.provenance import Provenance
from painrx.units import Q, Quantity, magnitude, quantity_arg

__all__ = ["acetaminophen_findings", "daily_maximum_findings", "duplicate_findings"]

_HEPATOTOXICITY: Final = frozenset({"hepatotoxicity"})


@attrs.frozen
class _Ceiling:
    """One daily limit that applies to this patient, and the finding above it."""

    limit: Quantity
    rule: str
    severity: Severity
    reason: str
    source: Provenance
    # The limit in mg/day, compared as a float on the hot path.
    mg_day: float = attrs.field(init=False)

    @mg_day.default
    def _mg_day(self) -> float:
        return magnitude(self.limit, "mg/day")


@cache
def _weight_terms(policy: AcetaminophenPolicy) -> tuple[float, float, float] | None:
    """The policy's weight threshold (kg), mg/kg/day and maximum (mg/day), as floats."""
    below, per_kg = policy.weight_below, policy.weight_daily
    if below is None or per_kg is None or policy.weight_source is None:
        return None
    return (
        magnitude(below, "kg"),
        magnitude(per_kg, "mg/kg"),
        magnitude(policy.max_daily, "mg/day"),
    )


@lru_cache(maxsize=256)
def _weight_ceiling(policy: AcetaminophenPolicy, kg: float | None) -> _Ceiling | None:
    """The label's weight-based maximum, for a patient under its weight threshold."""
    terms = _weight_terms(policy)
    if terms is None or kg is None or policy.weight_source is None:
        return None
    below_kg, mg_per_kg, max_mg = terms
    if kg >= below_kg or mg_per_kg * kg >= max_mg:
        return None
    reason = f"weight {kg:g} kg (< {policy.weight_below}): {mg_per_kg:g} mg/kg/day"
    limit = Q(mg_per_kg * kg, "mg/day")
    return _Ceiling(limit, policy.weight_rule, policy.weight_severity, reason, policy.weight_source)


@cache
def _fixed_ceilings(policy: AcetaminophenPolicy) -> tuple[_Ceiling, _Ceiling]:
    """The label maximum and the lower limit, the same for every patient."""
    maximum = _Ceiling(
        policy.max_daily,
        policy.max_rule,
        policy.max_severity,
        "maximum daily dose",
        policy.max_source,
    )
    lower = _Ceiling(
        policy.lower_daily, policy.lower_rule, policy.lower_severity, "", policy.lower_source
    )
    return maximum, lower


@lru_cache(maxsize=256)
def _lower(policy: AcetaminophenPolicy, reason: str) -> _Ceiling:
    """The lower limit, with why it applies to this patient."""
    return attrs.evolve(_fixed_ceilings(policy)[1], reason=reason)


def _ceilings(
    policy: AcetaminophenPolicy, patient: Patient, kg: float | None, override: object
) -> list[_Ceiling]:
    """The limits that apply, the label maximum first; the last one is the patient's."""
    found = [_fixed_ceilings(policy)[0]]
    weight = _weight_ceiling(policy, kg)
    if weight is not None:
        found.append(weight)
    if override is not None:
        limit = quantity_arg(override, name="acetaminophen_limit", kinds="mass_rate")
        if limit > policy.max_daily:
            msg = (
                f"acetaminophen_limit={format(limit)!r} is above the maximum of "
                f"{policy.max_daily}; give a lower limit."
            )
            raise InputError(msg)
        found.append(
            _Ceiling(
                limit,
                policy.lower_rule,
                policy.lower_severity,
                "set by the caller",
                policy.lower_source,
            )
        )
        return found
    reasons = sorted(policy.lower_conditions.intersection(patient.conditions))
    if patient.age is not None and patient.age >= policy.lower_age_at_least:
        reasons.insert(0, f"age {patient.age:g} (>= {policy.lower_age_at_least:g})")
    if reasons:
        found.append(_lower(policy, f"lower limit: {', '.join(reasons)}"))
    return found


def _apap_finding(
    rule: str,
    severity: Severity,
    message: str,
    labels: tuple[str, ...],
    policy: AcetaminophenPolicy,
    source: Provenance,
) -> Finding:
    return Finding(
        drugs=(APAP,),
        severity=severity,
        rule_id=rule,
        message=message,
        management=policy.management,
        evidence=(),
        modifiers=(),
        medications=labels,
        title="Cumulative acetaminophen"
        if rule != policy.multiple_rule
        else "Acetaminophen in more than one product",
        tags=_HEPATOTOXICITY,
        source=source,
        rule_set=policy.source.id.split("/")[0],
    )


def acetaminophen_findings(
    meds: tuple[Med, ...],
    policy: AcetaminophenPolicy,
    patient: Patient,
    kg: float | None,
    override: object,
) -> tuple[AcetaminophenTotal | None, list[Finding]]:
    """Add up acetaminophen from every product and compare it with the patient's limits.

    ``kg`` is the patient's weight in kg, when known.

    Raises:
        InputError: ``override`` is not a daily amount, or is above the maximum.
    """
    with_apap = [m for m in meds if APAP in m.ingredients]
    if not with_apap:
        return None, []
    known = [m.apap_mg_day for m in with_apap if m.apap_mg_day is not None]
    total = math.fsum(known)
    complete = len(known) == len(with_apap)
    ceilings = _ceilings(policy, patient, kg, override)
    applied = min(ceilings, key=lambda c: c.mg_day)
    summary = AcetaminophenTotal(
        daily_dose=Q(total, "mg/day"),
        complete=complete,
        products=tuple(m.label for m in with_apap),
        unquantified=tuple(m.label for m in with_apap if m.apap_mg_day is None),
        limit=applied.limit,
        limit_reason=applied.reason,
        source=applied.source,
    )
    labels = summary.products
    bound = "" if complete else "at least "
    findings = []
    # The first limit exceeded, label maximum first: one finding says how far over it is.
    over = next((c for c in ceilings if total > c.mg_day), None)
    if over is not None:
        message = (
            f"Acetaminophen: {bound}{total:g} mg/day from {len(with_apap)} "
            f"product(s) exceeds {over.limit} ({over.reason})."
        )
        findings.append(
            _apap_finding(over.rule, over.severity, message, labels, policy, over.source)
        )
    if len(with_apap) > 1:
        severity = policy.multiple_severity if complete else policy.multiple_unquantified_severity
        detail = (
            f"{total:g} mg/day in total"
            if complete
            else f"daily total unknown for {', '.join(summary.unquantified)}"
        )
        message = f"Acetaminophen is in {len(with_apap)} products ({detail})."
        findings.append(
            _apap_finding(policy.multiple_rule, severity, message, labels, policy, policy.source)
        )
    return summary, findings


def _counted(meds: Iterable[Med], ingredient: str, routes: frozenset[str]) -> list[Med]:
    """The entries holding ``ingredient`` by one of ``routes`` (all routes when empty).

    An entry whose route is not known counts: it may be given by any of them.
    """
    return [
        m
        for m in meds
        if ingredient in m.ingredients and (not routes or m.route is None or m.route in routes)
    ]


def _total(entries: list[Med], ingredient: str) -> tuple[float, bool]:
    known = [d for m in entries if (d := m.daily(ingredient)) is not None]
    return math.fsum(known), len(known) == len(entries)


def _maximum_finding(maximum: DailyMaximum, meds: tuple[Med, ...], name: str) -> Finding | None:
    entries = _counted(meds, maximum.ingredient, maximum.routes)
    total, complete = _total(entries, maximum.ingredient)
    if not entries or total <= magnitude(maximum.max_daily, "mg/day"):
        return None
    routes = f" ({', '.join(sorted(maximum.routes))})" if maximum.routes else ""
    if maximum.for_whom:
        routes += f" for {maximum.for_whom}"
    bound = "" if complete else "at least "
    return Finding(
        drugs=(maximum.ingredient,),
        severity=maximum.severity,
        rule_id=maximum.rule,
        message=(
            f"{name}: {bound}{total:g} mg/day from {len(entries)} product(s) exceeds the "
            f"label maximum of {maximum.max_daily}{routes}."
        ),
        management=f"Keep {name.lower()} within {maximum.max_daily}{routes}, counting every product.",
        evidence=(),
        modifiers=(),
        medications=tuple(m.label for m in entries),
        title="Daily maximum exceeded",
        tags=frozenset({"dose"}),
        source=maximum.source,
        rule_set=maximum.source.id.split("/")[0],
    )


def _same_ingredient_finding(
    policy: SameIngredientPolicy, meds: tuple[Med, ...], ingredient: str, name: str
) -> Finding | None:
    entries = _counted(meds, ingredient, frozenset())
    entries = [m for m in entries if m.route not in policy.exclude_routes]
    if len(entries) < 2:
        return None
    total, complete = _total(entries, ingredient)
    detail = f"{total:g} mg/day in total" if complete else "the daily total is not known"
    return Finding(
        drugs=(ingredient,),
        severity=policy.severity if complete else policy.unquantified_severity,
        rule_id=policy.rule,
        message=f"{name} is in {len(entries)} products ({detail}).",
        management=policy.management,
        evidence=(),
        modifiers=(),
        medications=tuple(m.label for m in entries),
        title=f"{name} in more than one product",
        tags=frozenset({"duplicate_therapy"}),
        source=policy.source,
        rule_set=policy.source.id.split("/")[0],
    )


def _applies(maximum: DailyMaximum, patient: Patient, kg: float | None) -> bool:
    """Whether a (possibly reduced) maximum is for this patient."""
    if maximum.age_at_least is None and maximum.weight_below is None and not maximum.conditions:
        return True
    age = patient.age
    if maximum.age_at_least is not None and age is not None and age >= maximum.age_at_least:
        return True
    below = maximum.weight_below
    if below is not None and kg is not None and kg < magnitude(below, "kg"):
        return True
    return not maximum.conditions.isdisjoint(patient.conditions)


def daily_maximum_findings(
    meds: tuple[Med, ...],
    maxima: Iterable[DailyMaximum],
    policy: SameIngredientPolicy | None,
    names: Mapping[str, str],
    present: frozenset[str],
    patient: Patient,
    kg: float | None,
) -> list[Finding]:
    """Sum each watched ingredient across products: above its label maximum, or in two products.

    ``present`` is every ingredient on the list; ``kg`` the patient's weight. Where a
    label gives a reduced maximum for some patients (ketorolac at 65 or older), the
    lowest maximum that applies to this patient is used.
    """
    display = names
    lowest: dict[tuple[str, str, frozenset[str]], DailyMaximum] = {}
    for maximum in maxima:
        if maximum.ingredient not in present or not _applies(maximum, patient, kg):
            continue
        key = (maximum.rule, maximum.ingredient, maximum.routes)
        held = lowest.get(key)
        if held is None or maximum.max_daily < held.max_daily:
            lowest[key] = maximum
    found = [
        f
        for maximum in lowest.values()
        if (
            f := _maximum_finding(
                maximum, meds, display.get(maximum.ingredient, maximum.ingredient)
            )
        )
    ]
    if policy is not None:
        for ingredient in sorted(present & policy.matches):
            finding = _same_ingredient_finding(
                policy, meds, ingredient, display.get(ingredient, ingredient)
            )
            if finding is not None:
                found.append(finding)
    return found


def _long_acting(med: Med, policy: DuplicatePolicy) -> bool:
    return med.form in policy.long_acting_forms or med.route in policy.long_acting_routes


def duplicate_findings(
    meds: tuple[Med, ...], policy: DuplicatePolicy, names: Mapping[str, str]
) -> list[Finding]:
    """Two or more entries of the class: the named pattern (one long-acting, one not) or duplicate therapy."""
    entries = [m for m in meds if not policy.matches.isdisjoint(m.ingredients)]
    if len(entries) < 2:
        return []
    display = names
    drugs = tuple(sorted({i for m in entries for i in m.ingredients if i in policy.matches}))
    pattern = len(entries) == 2 and sum(_long_acting(m, policy) for m in entries) == 1
    rule, severity, message, source = (
        (
            policy.pattern_rule,
            policy.pattern_severity,
            policy.pattern_message,
            policy.pattern_source,
        )
        if pattern
        else (policy.rule, policy.severity, policy.message, policy.source)
    )
    return [
        Finding(
            drugs=drugs,
            severity=severity,
            rule_id=rule,
            message=f"{' + '.join(display.get(d, d) for d in drugs)}: {message}",
            management=policy.management,
            evidence=(),
            modifiers=(),
            medications=tuple(sorted((m.label for m in entries), key=lambda s: (s.casefold(), s))),
            title="Long-acting opioid with a breakthrough opioid"
            if pattern
            else "Two or more opioids",
            tags=frozenset({"duplicate_therapy", "respiratory_depression"}),
            source=source,
            rule_set=source.id.split("/")[0],
        )
    ]
