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

    __slots__ = ("apap_mg_day", "by_ingredient", "holders", "meds", "patient", "present")

    def __init__(self, meds: tuple[Med, ...], patient: Patient, apap: float | None) -> None:
        self.meds = meds
        self.patient = patient
        self.apap_mg_day = apap
        # Ingredient -> indices of the entries holding it.
        self.by_ingredient: dict[str, list[int]] = {}
        for index, med in enumerate(meds):
            for ingredient in med.ingredients:
                self.by_ingredient.setdefault(ingredient, []).append(index)
        self.present = frozenset(self.by_ingredient)
        # Co-medication modifier -> indices of the entries holding one of its ingredients
        # (by a route the modifier counts).
        self.holders: dict[Modifier, frozenset[int]] = {}

    def holding(self, mod: Modifier) -> frozenset[int]:
        found = self.holders.get(mod)
        if found is None:
            meds = self.meds
            found = frozenset(
                index
                for ingredient in mod.matches.intersection(self.present)
                for index in self.by_ingredient[ingredient]
                if meds[index].route not in mod.exclude_routes
                and not (mod.exclude_single_dose and meds[index].single_dose)
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


def _notes(applied: tuple[Modifier, ...], chosen: tuple[int, ...], ctx: Context) -> tuple[str, ...]:
    """Each applied modifier's note; an intensity note names the entry and how it was read."""
    notes = []
    for mod in applied:
        if mod.when == "intensity" and mod.member is not None:
            med = ctx.meds[chosen[mod.member]]
            notes.append(f"{mod.note} [{med.label}: {med.intensity_note}]")
        else:
            notes.append(mod.note)
    return tuple(notes)


def _applied(applied: tuple[Modifier, ...], notes: tuple[str, ...]) -> tuple[AppliedModifier, ...]:
    return tuple(
        [
            AppliedModifier(m.id, m.effect, m.to, note, m.source.id)
            for m, note in zip(applied, notes, strict=True)
        ]
    )


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
    entries: dict[tuple[str, ...], set[int]] = {}
    local = _local_modifiers(rule)
    # Modifiers about the patient or the whole list fire the same for every combination.
    fixed = frozenset(m for m in rule.modifiers if m not in local and _fires(m, (), ctx))
    for chosen, drugs in _combinations(rule, slots):
        severity, applied = _severity(rule, chosen, ctx, fixed)
        held = best.get(drugs)
        if held is None:
            best[drugs] = (severity, chosen, applied)
            entries[drugs] = set(chosen)
            continue
        if severity > held[0]:
            best[drugs] = (severity, chosen, applied)
        entries[drugs].update(chosen)
    meds = ctx.meds
    found = []
    for drugs, (severity, chosen, applied) in best.items():
        # The list is sorted by name, so entry order is the medications' order.
        medications = tuple(dict.fromkeys([meds[i].label for i in sorted(entries[drugs])]))
        notes = _notes(applied, chosen, ctx) if applied else ()
        found.append(_pair_finding(rule, drugs, severity, applied, notes, medications))
    return found


# Findings are values: the same inputs give the same finding, so each is built once.
# The keys hash cheaply (rules and modifiers by identity, strings by their cached hash).
@lru_cache(maxsize=4096)
def _pair_finding(
    rule: Rule,
    drugs: tuple[str, ...],
    severity: Severity,
    applied: tuple[Modifier, ...],
    notes: tuple[str, ...],
    medications: tuple[str, ...],
) -> Finding:
    names = _display_names()
    return Finding(
        drugs=drugs,
        severity=severity,
        rule_id=rule.id,
        message=f"{' + '.join([names[d] for d in drugs])}: {rule.message}",
        management=rule.management,
        evidence=rule.evidence,
        modifiers=_applied(applied, notes),
        medications=medications,
        title=rule.title,
        tags=rule.tags,
        source=rule.source,
        rule_set=rule.rule_set,
    )


@cache
def _rules_of(sets: tuple[RuleSet, ...]) -> tuple[Rule, ...]:
    return tuple(r for s in sets for r in s.rules)


@cache
def _rule_index(sets: tuple[RuleSet, ...]) -> Mapping[str, frozenset[int]]:
    """Map each ingredient to the rules (by position) it can fill a slot of."""
    return {k: frozenset(r for r, _ in v) for k, v in _slot_index(sets).items()}


def _firing(sets: tuple[RuleSet, ...], present: frozenset[str]) -> list[int]:
    """The rules whose every slot holds a listed ingredient, in rule order."""
    rules, index = _rules_of(sets), _rule_index(sets)
    candidates = frozenset().union(*[index[i] for i in present if i in index])
    firing = []
    for r_index in sorted(candidates):
        for member in rules[r_index].members:
            if member.matches.isdisjoint(present):
                break
        else:
            firing.append(r_index)
    return firing


def match_pairs(sets: tuple[RuleSet, ...], ctx: Context) -> list[Finding]:
    """Return the findings of the interaction rules (two or more drugs)."""
    # A rule fires only when every slot holds a listed ingredient: settle that on the
    # ingredient sets first, so slots are filled only for the rules that fire.
    firing = _firing(sets, ctx.present)
    if not firing:
        return []
    rules, index = _rules_of(sets), _slot_index(sets)
    slots: dict[int, list[list[tuple[int, str]]]] = {
        r_index: [[] for _ in rules[r_index].members] for r_index in firing
    }
    for m_index, med in enumerate(ctx.meds):
        for ingredient in med.ingredients:
            for r_index, slot in index.get(ingredient, ()):
                per_rule = slots.get(r_index)
                if per_rule is not None:
                    per_rule[slot].append((m_index, ingredient))
    findings: list[Finding] = []
    for r_index in firing:
        findings.extend(_rule_findings(rules[r_index], slots[r_index], ctx))
    return findings


def _could_fire(rule: DrugRule, patient: Patient) -> bool:
    """Whether the patient can trigger ``rule`` at all (a duration rule: on some entry)."""
    if rule.conditions:
        return not rule.conditions.isdisjoint(patient.conditions)
    if rule.age_under is not None:
        return patient.age is not None and patient.age < rule.age_under
    return True


def _triggered(rule: DrugRule, med: Med, patient: Patient) -> tuple[str, ...] | None:
    """The conditions that trigger ``rule`` for this entry (``()`` for age or duration), or None."""
    if rule.conditions:
        return tuple(sorted(rule.conditions.intersection(patient.conditions)))
    if rule.age_under is not None:
        return ()
    limit = magnitude(cast("Quantity", rule.duration_over), "day")
    return () if med.duration_days is not None and med.duration_days > limit else None


def match_drug_rules(sets: tuple[RuleSet, ...], ctx: Context) -> list[Finding]:
    """Return the findings of the drug–condition rules (one drug in this patient or course)."""
    # Only the rules this patient can trigger are matched: most patients have few
    # conditions, so the cost does not grow with the number of condition rules.
    active = [r for s in sets for r in s.drug_rules if not r.drug.matches.isdisjoint(ctx.present)]
    active = [r for r in active if _could_fire(r, ctx.patient)]
    best: dict[tuple[DrugRule, str], tuple[Severity, int, tuple[Modifier, ...], tuple[str, ...]]]
    best = {}
    entries: dict[tuple[DrugRule, str], set[int]] = {}
    for rule in active:
        fixed = frozenset(
            m for m in rule.modifiers if m not in _local_modifiers(rule) and _fires(m, (), ctx)
        )
        for ingredient in rule.drug.matches.intersection(ctx.present):
            for m_index in ctx.by_ingredient[ingredient]:
                med = ctx.meds[m_index]
                found = _triggered(rule, med, ctx.patient)
                if found is None:
                    continue
                severity, applied = _severity(rule, (m_index,), ctx, fixed)
                key = (rule, ingredient)
                entries.setdefault(key, set()).add(m_index)
                if key not in best or severity > best[key][0]:
                    best[key] = (severity, m_index, applied, found)
    meds = ctx.meds
    return [
        _drug_finding(
            rule,
            ingredient,
            severity,
            applied,
            _notes(applied, (m_index,), ctx) if applied else (),
            tuple(dict.fromkeys([meds[i].label for i in sorted(entries[rule, ingredient])])),
            found,
        )
        for (rule, ingredient), (severity, m_index, applied, found) in best.items()
    ]


@lru_cache(maxsize=4096)
def _drug_finding(
    rule: DrugRule,
    ingredient: str,
    severity: Severity,
    applied: tuple[Modifier, ...],
    notes: tuple[str, ...],
    medications: tuple[str, ...],
    found: tuple[str, ...],
) -> Finding:
    trigger = ", ".join(found) if found else rule.trigger
    return Finding(
        drugs=(ingredient,),
        severity=severity,
        rule_id=rule.id,
        message=f"{_display_names()[ingredient]} ({trigger}): {rule.message}",
        management=rule.management,
        evidence=rule.evidence,
        modifiers=_applied(applied, notes),
        medications=medications,
        title=rule.title,
        tags=rule.tags,
        source=rule.source,
        rule_set=rule.rule_set,
        conditions=found,
    )


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
    targets = frozenset().union(*(ids for ids, _ in superseding))
    return [
        f
        for f in findings
        if f.rule_id not in targets
        or not any(f.rule_id in ids and drugs.issuperset(f.drugs) for ids, drugs in superseding)
    ]
