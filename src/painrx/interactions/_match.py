"""Matching the rules: pair rules indexed by ingredient, drug–condition rules, context modifiers.

Rules are found through an index from ingredient to the (rule, slot) pairs it can
fill, so the cost of a check grows with the list and its findings, not with the
number of rules.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Final, cast

from painrx import catalog
from painrx.errors import Severity
from painrx.interactions._model import AppliedModifier, Finding, Patient
from painrx.interactions._prepare import Med
from painrx.interactions._rules import DrugRule, Modifier, Rule, RuleSet
from painrx.units import Quantity, magnitude

__all__ = ["Context", "drop_superseded", "match_drug_rules", "match_pairs"]


class Context:
    """One check's medications and patient, with lazily computed co-medication sets."""

    __slots__ = ("apap_mg_day", "holders", "meds", "patient", "present")

    def __init__(self, meds: tuple[Med, ...], patient: Patient, apap: float | None) -> None:
        self.meds = meds
        self.patient = patient
        self.apap_mg_day = apap
        self.present = frozenset(i for med in meds for i in med.ingredients)
        # Co-medication modifier -> indices of the entries holding one of its ingredients
        # (by a route the modifier counts).
        self.holders: dict[Modifier, frozenset[int]] = {}

    def holding(self, mod: Modifier) -> frozenset[int]:
        found = self.holders.get(mod)
        if found is None:
            found = frozenset(
                index
                for index, med in enumerate(self.meds)
                if not mod.matches.isdisjoint(med.ingredients)
                and med.route not in mod.exclude_routes
                and not (mod.exclude_single_dose and med.single_dose)
            )
            self.holders[mod] = found
        return found


def _fires(mod: Modifier, chosen: tuple[int, ...], ctx: Context) -> bool:
    when = mod.when
    if mod.member is not None:
        med = ctx.meds[chosen[mod.member]]
        if when == "route":
            return med.route in mod.values
        if when == "intensity":
            return (med.intensity or "unknown") in mod.values
        return med.single_dose
    if when == "co_medication":
        return not ctx.holding(mod).issubset(chosen)
    if when == "condition":
        return not mod.values.isdisjoint(ctx.patient.conditions)
    if when in {"age_over", "age_at_least"}:
        age, limit = ctx.patient.age, cast("float", mod.number)
        return age is not None and (age > limit if when == "age_over" else age >= limit)
    if when == "class_count":
        return len(ctx.present & mod.matches) >= cast("float", mod.number)
    amount = magnitude(cast("Quantity", mod.amount), "mg/day")
    return ctx.apap_mg_day is not None and ctx.apap_mg_day > amount


@cache
def _local_modifiers(rule: Rule | DrugRule) -> tuple[Modifier, ...]:
    """The modifiers whose outcome depends on which entries fill the rule's slots."""
    return tuple(m for m in rule.modifiers if m.member is not None or m.when == "co_medication")


_SEVERITIES: Final = tuple(Severity)


def _severity(
    rule: Rule | DrugRule, chosen: tuple[int, ...], ctx: Context, fixed: frozenset[Modifier]
) -> tuple[Severity, tuple[Modifier, ...]]:
    local = _local_modifiers(rule)
    if local:
        fired = [m for m in local if _fires(m, chosen, ctx)]
        if fired:
            fixed = fixed.union(fired)
    if not fixed:
        return rule.severity, ()
    fired_all = fixed
    applied = tuple(m for m in rule.modifiers if m in fired_all)
    # Plain ints: IntEnum arithmetic is several times slower on this hot path.
    level, floor = int(rule.severity), int(rule.floor)
    for mod in applied:
        if mod.effect == "lower":
            level = max(floor, level - mod.steps, 0)
    for mod in applied:
        if mod.effect == "raise":
            level = max(level, int(cast("Severity", mod.to)))
    for mod in applied:
        if mod.effect == "cap":
            level = min(level, int(cast("Severity", mod.to)))
    return _SEVERITIES[level], applied


def _applied(mod: Modifier, chosen: tuple[int, ...], ctx: Context) -> AppliedModifier:
    if mod.when == "intensity" and mod.member is not None:
        med = ctx.meds[chosen[mod.member]]
        return _applied_note(mod, f"{mod.note} [{med.label}: {med.intensity_note}]")
    return _applied_note(mod, mod.note)


@lru_cache(maxsize=1024)
def _applied_note(mod: Modifier, note: str) -> AppliedModifier:
    return AppliedModifier(mod.id, mod.effect, mod.to, note, mod.source.id)


@cache
def _display_names() -> Mapping[str, str]:
    return {i.id: i.name for i in catalog.ingredients()}


@cache
def _slot_index(sets: tuple[RuleSet, ...]) -> Mapping[str, tuple[tuple[int, int], ...]]:
    """Map each ingredient to the (rule, slot) pairs it can fill, over ``sets``' rules."""
    index: dict[str, list[tuple[int, int]]] = {}
    rules = [r for s in sets for r in s.rules]
    for r_index, rule in enumerate(rules):
        for m_index, member in enumerate(rule.members):
            for ingredient in member.matches:
                index.setdefault(ingredient, []).append((r_index, m_index))
    return {k: tuple(v) for k, v in index.items()}


def _combinations(
    rule: Rule, slots: list[list[tuple[int, str]]]
) -> Iterable[tuple[tuple[int, ...], tuple[str, ...]]]:
    width = len(slots)
    if width == 2 and not rule.symmetric:
        # The common case, without the generic product's tuple shuffling.
        return [
            ((a_med, b_med), (a_drug, b_drug))
            for a_med, a_drug in slots[0]
            for b_med, b_drug in slots[1]
            if a_med != b_med and a_drug != b_drug
        ]
    return _general_combinations(rule, slots, width)


def _general_combinations(
    rule: Rule, slots: list[list[tuple[int, str]]], width: int
) -> Iterable[tuple[tuple[int, ...], tuple[str, ...]]]:
    for combo in itertools.product(*slots):
        if rule.symmetric:
            combo = tuple(sorted(combo, key=lambda c: c[1]))  # noqa: PLW2901 -- canonical order
        chosen, drugs = zip(*combo, strict=True)
        if len(set(chosen)) == width and len(set(drugs)) == width:
            yield chosen, drugs


def _rule_findings(rule: Rule, slots: list[list[tuple[int, str]]], ctx: Context) -> list[Finding]:
    best: dict[tuple[str, ...], tuple[Severity, tuple[int, ...], tuple[Modifier, ...]]] = {}
    labels: dict[tuple[str, ...], set[str]] = {}
    local = _local_modifiers(rule)
    # Modifiers about the patient or the whole list fire the same for every combination.
    fixed = frozenset(m for m in rule.modifiers if m not in local and _fires(m, (), ctx))
    meds = ctx.meds
    for chosen, drugs in _combinations(rule, slots):
        severity, applied = _severity(rule, chosen, ctx, fixed)
        held = best.get(drugs)
        if held is None:
            best[drugs] = (severity, chosen, applied)
            labels[drugs] = {meds[i].label for i in chosen}
            continue
        if severity > held[0]:
            best[drugs] = (severity, chosen, applied)
        labels[drugs].update(meds[i].label for i in chosen)
    names = _display_names()
    found = []
    for drugs, (severity, chosen, applied) in best.items():
        entries = labels[drugs]
        found.append(
            Finding(
                drugs=drugs,
                severity=severity,
                rule_id=rule.id,
                message=f"{' + '.join([names[d] for d in drugs])}: {rule.message}",
                management=rule.management,
                evidence=rule.evidence,
                modifiers=tuple([_applied(m, chosen, ctx) for m in applied]),
                medications=tuple(entries)
                if len(entries) == 1
                else tuple(sorted(entries, key=lambda s: (s.casefold(), s))),
                title=rule.title,
                tags=rule.tags,
                source=rule.source,
                rule_set=rule.rule_set,
            )
        )
    return found


def match_pairs(sets: tuple[RuleSet, ...], ctx: Context) -> list[Finding]:
    """Return the findings of the interaction rules (two or more drugs)."""
    rules = [r for s in sets for r in s.rules]
    slots: dict[int, list[list[tuple[int, str]]]] = {}
    index = _slot_index(sets)
    for m_index, med in enumerate(ctx.meds):
        for ingredient in med.ingredients:
            for r_index, slot in index.get(ingredient, ()):
                per_rule = slots.get(r_index)
                if per_rule is None:
                    per_rule = slots[r_index] = [[] for _ in rules[r_index].members]
                per_rule[slot].append((m_index, ingredient))
    findings: list[Finding] = []
    for r_index in sorted(slots):
        if all(slots[r_index]):
            findings.extend(_rule_findings(rules[r_index], slots[r_index], ctx))
    return findings


@cache
def _drug_rule_index(sets: tuple[RuleSet, ...]) -> Mapping[str, tuple[DrugRule, ...]]:
    """Map each ingredient to the drug–condition rules it can trigger."""
    index: dict[str, list[DrugRule]] = {}
    for rule in (r for s in sets for r in s.drug_rules):
        for ingredient in rule.drug.matches:
            index.setdefault(ingredient, []).append(rule)
    return {k: tuple(v) for k, v in index.items()}


def _triggered(rule: DrugRule, med: Med, patient: Patient) -> tuple[str, ...] | None:
    """The conditions that trigger ``rule`` for this entry (``()`` for age or duration), or None."""
    if rule.conditions:
        found = tuple(sorted(rule.conditions.intersection(patient.conditions)))
        return found or None
    if rule.age_under is not None:
        return () if patient.age is not None and patient.age < rule.age_under else None
    limit = magnitude(cast("Quantity", rule.duration_over), "day")
    return () if med.duration_days is not None and med.duration_days > limit else None


def match_drug_rules(sets: tuple[RuleSet, ...], ctx: Context) -> list[Finding]:
    """Return the findings of the drug–condition rules (one drug in this patient or course)."""
    index = _drug_rule_index(sets)
    best: dict[tuple[DrugRule, str], tuple[Severity, int, tuple[Modifier, ...], tuple[str, ...]]]
    best = {}
    labels: dict[tuple[DrugRule, str], set[str]] = {}
    for m_index, med in enumerate(ctx.meds):
        for ingredient in med.ingredients:
            for rule in index.get(ingredient, ()):
                found = _triggered(rule, med, ctx.patient)
                if found is None:
                    continue
                fixed = frozenset(
                    m
                    for m in rule.modifiers
                    if m not in _local_modifiers(rule) and _fires(m, (), ctx)
                )
                severity, applied = _severity(rule, (m_index,), ctx, fixed)
                key = (rule, ingredient)
                labels.setdefault(key, set()).add(med.label)
                if key not in best or severity > best[key][0]:
                    best[key] = (severity, m_index, applied, found)
    names = _display_names()
    return [
        Finding(
            drugs=(ingredient,),
            severity=severity,
            rule_id=rule.id,
            message=f"{names[ingredient]} ({rule.trigger if not found else ', '.join(found)}): "
            f"{rule.message}",
            management=rule.management,
            evidence=rule.evidence,
            modifiers=tuple([_applied(m, (m_index,), ctx) for m in applied]),
            medications=tuple(sorted(labels[rule, ingredient], key=lambda s: (s.casefold(), s))),
            title=rule.title,
            tags=rule.tags,
            source=rule.source,
            rule_set=rule.rule_set,
            conditions=found,
        )
        for (rule, ingredient), (severity, m_index, applied, found) in best.items()
    ]


@cache
def _supersedes(sets: tuple[RuleSet, ...]) -> Mapping[str, frozenset[str]]:
    every: list[Rule | DrugRule] = []
    for rule_set in sets:
        every.extend(rule_set.rules)
        every.extend(rule_set.drug_rules)
    return {r.id: r.supersedes for r in every if r.supersedes}


def drop_superseded(findings: Iterable[Finding], sets: tuple[RuleSet, ...]) -> list[Finding]:
    """Drop each finding that a finding of a superseding rule, over the same drugs, replaces."""
    findings = list(findings)
    rules = _supersedes(sets)
    superseding = [(rules[f.rule_id], set(f.drugs)) for f in findings if f.rule_id in rules]
    if not superseding:
        return findings
    return [
        f
        for f in findings
        if not any(f.rule_id in ids and drugs.issuperset(f.drugs) for ids, drugs in superseding)
    ]
