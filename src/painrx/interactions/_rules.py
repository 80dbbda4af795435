"""Interaction rule sets: the data model and the declared shape of a rule file.

Rules and rule sets compare and hash by identity (``eq=False``): each is built once
per load, and the checker uses them as cache keys on its hot path.

A rule set is one TOML document (a file shipped with painrx, a site's own file, or
a mapping) with a ``[provenance]`` block, ``[sources.KEY]`` blocks and
``[[rules]]``. Every rule, modifier and evidence entry cites a source key, and
every class or ingredient a rule names must exist in the catalog, so a typo fails
on load instead of silently matching nothing. The file's shape is declared once
(``_RuleFile``, kind ``interaction_rules``) and read by the :mod:`painrx.tables`
loader; a malformed file is one :class:`~painrx.errors.TableError` naming the file,
the path inside it and what was expected.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from html import escape
from pathlib import Path
from typing import Annotated, Any, Final, Literal, cast

import attrs

from painrx import catalog, vocabulary
from painrx.errors import InputError, Severity, TableError
from painrx.interactions._conditions import CONDITIONS
from painrx.provenance import Provenance
from painrx.tables import (
    Form,
    NonEmpty,
    OneOf,
    Range,
    ShapeError,
    load,
    structure,
    table_info,
    table_part,
    table_shape,
)
from painrx.units import Kind, Quantity, kind_of

__all__ = [
    "AcetaminophenPolicy",
    "DailyMaximum",
    "DrugRule",
    "DuplicatePolicy",
    "Evidence",
    "IntensityRegimen",
    "Member",
    "Modifier",
    "Rule",
    "RuleSet",
    "SameIngredientPolicy",
    "default_rules",
]

#: The id of painrx's own rule set (kind ``interaction_rules``).
DEFAULT_ID: Final = "PAINRX_DDI_2026_1"

Intensity = Literal["prophylactic", "therapeutic", "ambiguous", "unknown"]
_When = Literal[
    "route",
    "intensity",
    "single_dose",
    "co_medication",
    "condition",
    "age_over",
    "age_at_least",
    "class_count",
    "acetaminophen_above",
]


# --------------------------------------------------------------------------- terms
# Checks on one value of a rule file; the loader (painrx.tables) names the file and
# the path inside it in front of each message.


class _ClassName:
    """A painrx class (:data:`painrx.catalog.CLASSES`)."""

    def check(self, value: str) -> None:
        if value not in catalog.CLASSES:
            msg = f"unknown class {value!r}; see painrx.catalog.CLASSES"
            raise ShapeError(msg)


@cache
def _known_ingredients() -> frozenset[str]:
    """Every ingredient id of the catalog (which is loaded once per process)."""
    return frozenset(i.id for i in catalog.ingredients())


class _IngredientId:
    """An ingredient id of the catalog, so a typo fails on load instead of matching nothing."""

    def check(self, value: str) -> None:
        if value not in _known_ingredients():
            msg = f"unknown ingredient id {value!r}; see painrx.catalog.ingredients()"
            raise ShapeError(msg)


class _RouteName:
    """A route or one of its aliases (``"po"``); the rule keeps the canonical route."""

    def check(self, value: str) -> None:
        try:
            vocabulary.route(value)
        except InputError as exc:
            raise ShapeError(str(exc)) from None


class _RuleId:
    """A rule or modifier id: lower-case snake_case."""

    def check(self, value: str) -> None:
        if not value or not value.replace("_", "").isalnum() or value != value.lower():
            msg = f"ids are lower-case snake_case, got {value!r}"
            raise ShapeError(msg)


class _OfKinds:
    """A quantity of one of several clinical kinds (a weight in ``kg`` or ``lb``), above zero."""

    def __init__(self, *kinds: Kind) -> None:
        self.kinds = kinds

    def check(self, value: Quantity) -> None:
        if kind_of(value) not in self.kinds or not value.magnitude > 0:
            kinds = " or ".join(k.replace("_", " ") for k in self.kinds)
            msg = f"expected a positive {kinds}, got {format(value)!r}"
            raise ShapeError(msg)


_Class = Annotated[str, _ClassName()]
_Ingredient = Annotated[str, _IngredientId()]
_Condition = Annotated[str, OneOf(CONDITIONS)]
_Route = Annotated[str, _RouteName()]
_Id = Annotated[str, _RuleId()]
_Text = Annotated[str, NonEmpty()]
_PositiveNumber = Annotated[float, Range(low=0, low_open=True)]
_MassRate = Annotated[Quantity, _OfKinds("mass_rate")]
_Weight = Annotated[Quantity, _OfKinds("mass", "body_weight")]


def _expand(classes: Iterable[str], ingredients: Iterable[str]) -> frozenset[str]:
    found = set(ingredients)
    for cls in classes:
        found |= catalog.members(cls)
    return frozenset(found)


def _routes(names: Iterable[str]) -> frozenset[str]:
    return frozenset(vocabulary.route(r) for r in names)


@attrs.frozen
class Evidence:
    """One cited finding behind a rule.

    Attributes:
        source: The study, label or guideline.
        population: Who was studied.
        outcome: What was measured.
        measure: ``"HR"``, ``"OR"``, ``"RR"``, ``"RERI"``, ``"rate"``, ``"consensus"``…
        estimate: The point estimate, when the source gives one.
        ci: The 95% confidence interval, when the source gives one.
    """

    source: Provenance
    population: str
    outcome: str
    measure: str
    estimate: float | None = None
    ci: tuple[float, float] | None = None

    def __str__(self) -> str:
        figure = self.measure
        if self.estimate is not None:
            figure = f"{self.measure} {self.estimate:g}"
            if self.ci is not None:
                figure += f" (95% CI {self.ci[0]:g}–{self.ci[1]:g})"
        return f"{figure}: {self.outcome}; {self.population} [{self.source.citation}]"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (the source by id)."""
        return {
            "source": self.source.id,
            "population": self.population,
            "outcome": self.outcome,
            "measure": self.measure,
            "estimate": self.estimate,
            "ci": list(self.ci) if self.ci is not None else None,
        }


@attrs.frozen(eq=False)
class Member:
    """One slot of a rule: the ingredients that can fill it.

    Attributes:
        classes: painrx classes accepted.
        ingredients: Ingredient ids accepted besides the classes.
        exclude_classes: Classes whose members never fill the slot.
        exclude_ingredients: Ingredient ids that never fill the slot.
        matches: The resolved set of ingredient ids.
    """

    classes: frozenset[str]
    ingredients: frozenset[str]
    exclude_classes: frozenset[str]
    exclude_ingredients: frozenset[str]
    matches: frozenset[str] = attrs.field(repr=False)

    def describe(self) -> str:
        """Return e.g. ``"nsaid (not aspirin)"``."""
        text = " or ".join(sorted(self.classes) + sorted(self.ingredients))
        excluded = sorted(self.exclude_classes) + sorted(self.exclude_ingredients)
        return f"{text} (not {', '.join(excluded)})" if excluded else text


@attrs.frozen(eq=False)
class Modifier:
    """A context modifier of a rule's severity.

    Attributes:
        id: Stable id reported in ``Finding.modifiers``.
        when: The condition kind (``"route"``, ``"intensity"``, ``"co_medication"``…).
        effect: ``"lower"``, ``"raise"`` or ``"cap"``.
        to: Target severity of a raise or cap.
        steps: Tiers a lower moves down.
        note: Why it applies, in one phrase.
        source: The cited source.
        member: 0-based slot the condition looks at (route, intensity, single dose).
        values: Routes, intensities or conditions the condition accepts.
        matches: Ingredient ids for ``co_medication`` and ``class_count``.
        number: Years for ages, the count for ``class_count``.
        amount: The daily amount for ``acetaminophen_above``.
        exclude_routes: Routes by which a ``co_medication`` does not count (a topical
            corticosteroid is not a systemic one).
        exclude_single_dose: A single dose of the ``co_medication`` does not count (one
            perioperative dexamethasone dose is not ongoing corticosteroid therapy).
    """

    id: str
    when: str
    effect: str
    to: Severity | None
    steps: int
    note: str
    source: Provenance
    member: int | None = None
    values: frozenset[str] = frozenset()
    matches: frozenset[str] = attrs.field(default=frozenset(), repr=False)
    number: float | None = None
    amount: Quantity | None = None
    exclude_routes: frozenset[str] = frozenset()
    exclude_single_dose: bool = False


@attrs.frozen(eq=False)
class Rule:
    """One interaction rule.

    Attributes:
        id: Stable rule id, e.g. ``"nsaid_anticoagulant"``.
        title: Short title for tables.
        severity: Base severity before context modifiers.
        floor: Lowest severity a "lower" modifier may reach.
        members: The slots (two, or three for the triple whammy).
        message: What happens, in one sentence.
        management: What to do instead.
        modifiers: Context modifiers.
        evidence: Cited effect sizes.
        tags: Topic tags such as ``"bleeding"`` or ``"renal"``.
        supersedes: Rule ids whose findings this rule's finding replaces.
        source: The rule's main source.
        rule_set: Id of the rule set it comes from.
        symmetric: True when every slot accepts the same ingredients (slot order
            carries no meaning, e.g. two NSAIDs).
    """

    id: str
    title: str
    severity: Severity
    floor: Severity
    members: tuple[Member, ...]
    message: str
    management: str
    modifiers: tuple[Modifier, ...]
    evidence: tuple[Evidence, ...]
    tags: frozenset[str]
    supersedes: frozenset[str]
    source: Provenance
    rule_set: str
    symmetric: bool = attrs.field(repr=False, default=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary of the rule."""
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity.name.lower(),
            "members": [m.describe() for m in self.members],
            "modifiers": [m.id for m in self.modifiers],
            "evidence": [e.to_dict() for e in self.evidence],
            "tags": sorted(self.tags),
            "source": self.source.id,
        }


@attrs.frozen(eq=False)
class DrugRule:
    """A rule about one drug in this patient or this course (a drug–condition rule).

    It fires for a listed drug that fills ``drug`` when its trigger holds: the patient
    has one of ``conditions``, is younger than ``age_under`` years, or the course of
    that entry is planned longer than ``duration_over``. Exactly one trigger is set.

    Attributes:
        id: Stable rule id, e.g. ``"nsaid_ckd"``.
        title: Short title for tables.
        severity: Base severity before context modifiers.
        floor: Lowest severity a "lower" modifier may reach.
        drug: The drugs it applies to.
        conditions: Patient conditions that trigger it (any of them).
        age_under: Age in years below which it triggers.
        duration_over: Planned duration beyond which it triggers.
        message: What happens, in one sentence.
        management: What to do instead.
        modifiers: Context modifiers (``member = 1`` is the drug).
        evidence: Cited effect sizes.
        tags: Topic tags.
        supersedes: Rule ids whose findings this rule's finding replaces.
        source: The rule's main source.
        rule_set: Id of the rule set it comes from.
    """

    id: str
    title: str
    severity: Severity
    floor: Severity
    drug: Member
    conditions: frozenset[str]
    age_under: float | None
    duration_over: Quantity | None
    message: str
    management: str
    modifiers: tuple[Modifier, ...]
    evidence: tuple[Evidence, ...]
    tags: frozenset[str]
    supersedes: frozenset[str]
    source: Provenance
    rule_set: str

    @property
    def trigger(self) -> str:
        """The trigger in words, e.g. ``"ckd or gi_bleed_history"``, ``"age < 12 years"``."""
        if self.age_under is not None:
            return f"age < {self.age_under:g} years"
        if self.duration_over is not None:
            return f"course > {self.duration_over}"
        return " or ".join(sorted(self.conditions))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary of the rule."""
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity.name.lower(),
            "drug": self.drug.describe(),
            "trigger": self.trigger,
            "modifiers": [m.id for m in self.modifiers],
            "evidence": [e.to_dict() for e in self.evidence],
            "tags": sorted(self.tags),
            "source": self.source.id,
        }


@attrs.frozen(eq=False)
class DailyMaximum:
    """A label's maximum daily dose of one ingredient, summed across every product.

    Attributes:
        rule: Rule id of the finding raised above it (``"nsaid_daily_max"``).
        ingredient: The ingredient id.
        max_daily: The maximum (a mass rate).
        routes: Routes it applies to (empty: every route); an entry whose route is
            not known counts towards every maximum of its ingredient.
        severity: Severity of the finding.
        source: The cited label.
        age_at_least: With ``weight_below`` and ``conditions``: the patients a reduced
            maximum is for (any one criterion is enough); none set, every patient.
        weight_below: Body weight under which the reduced maximum applies.
        conditions: Patient conditions for which the reduced maximum applies.
    """

    rule: str
    ingredient: str
    max_daily: Quantity
    routes: frozenset[str]
    severity: Severity
    source: Provenance
    age_at_least: float | None = None
    weight_below: Quantity | None = None
    conditions: frozenset[str] = frozenset()

    @property
    def for_whom(self) -> str:
        """The patients it is for, in words (empty for every patient)."""
        parts = [f"age >= {self.age_at_least:g}"] if self.age_at_least is not None else []
        if self.weight_below is not None:
            parts.append(f"weight < {self.weight_below}")
        parts.extend(sorted(self.conditions))
        return " or ".join(parts)


@attrs.frozen(eq=False)
class SameIngredientPolicy:
    """One ingredient of a class in more than one product on the list.

    Attributes:
        rule: Rule id of the finding.
        matches: Ingredient ids it watches.
        severity: Severity when every product's daily amount is known.
        unquantified_severity: Severity when some daily amount is unknown.
        management: What to do.
        source: The cited source.
        exclude_routes: Routes whose entries do not count (a topical gel).
    """

    rule: str
    matches: frozenset[str]
    severity: Severity
    unquantified_severity: Severity
    management: str
    source: Provenance
    exclude_routes: frozenset[str] = frozenset()


@attrs.frozen(eq=False)
class DuplicatePolicy:
    """More than one entry of a class (two opioids), with a named safe pattern.

    Two entries where one is long-acting (an extended-release form or a transdermal
    route) and the other is not are the named pattern ``pattern_rule`` (a scheduled
    long-acting opioid with an immediate-release one for breakthrough pain); any
    other set of two or more entries is ``rule``.

    Attributes:
        rule: Rule id of the duplicate finding.
        matches: Ingredient ids of the class.
        severity: Severity of the duplicate finding.
        message: What happens.
        management: What to do.
        source: Its source.
        pattern_rule: Rule id of the named pattern.
        pattern_severity: Severity of the named pattern.
        pattern_message: What the pattern is.
        pattern_source: Its source.
        long_acting_forms: Dose forms that make an entry long-acting.
        long_acting_routes: Routes that make an entry long-acting.
    """

    rule: str
    matches: frozenset[str]
    severity: Severity
    message: str
    management: str
    source: Provenance
    pattern_rule: str
    pattern_severity: Severity
    pattern_message: str
    pattern_source: Provenance
    long_acting_forms: frozenset[str]
    long_acting_routes: frozenset[str]


@attrs.frozen(eq=False)
class IntensityRegimen:
    """A label dosing regimen that identifies anticoagulant intensity."""

    ingredient: str
    dose: Quantity
    doses_per_day: float
    intensity: str
    note: str
    source: Provenance


@attrs.frozen(eq=False)
class AcetaminophenPolicy:
    """Daily acetaminophen limits and the findings raised above them."""

    max_daily: Quantity
    max_rule: str
    max_severity: Severity
    max_source: Provenance
    lower_daily: Quantity
    lower_rule: str
    lower_severity: Severity
    lower_source: Provenance
    lower_conditions: frozenset[str]
    lower_age_at_least: float
    multiple_rule: str
    multiple_severity: Severity
    multiple_unquantified_severity: Severity
    management: str
    source: Provenance
    weight_below: Quantity | None = None
    weight_daily: Quantity | None = None
    weight_rule: str = ""
    weight_severity: Severity = Severity.MAJOR
    weight_source: Provenance | None = None


@attrs.frozen(eq=False)
class RuleSet:
    """A named, cited collection of interaction rules.

    Build one from a TOML file (:meth:`from_file`) or a mapping
    (:meth:`from_mapping`) to add a site's licensed rules to painrx's own:
    ``check_interactions(meds, rules=[RuleSet.from_file("site_rules.toml")])``.

    Attributes:
        id: The rule set's provenance id.
        source: Its provenance.
        rules: The rules, in file order.
        intensity: Anticoagulant regimens used to infer intensity.
        acetaminophen: The cumulative-acetaminophen policy (painrx's own set only).
        drug_rules: Rules about one drug in this patient (drug–condition rules).
        daily_maxima: Label maximum daily doses summed across products.
        same_ingredient: One ingredient in more than one product (NSAIDs).
        duplicate: More than one entry of a class (two opioids).
    """

    id: str
    source: Provenance
    rules: tuple[Rule, ...]
    intensity: tuple[IntensityRegimen, ...] = ()
    acetaminophen: AcetaminophenPolicy | None = None
    drug_rules: tuple[DrugRule, ...] = ()
    daily_maxima: tuple[DailyMaximum, ...] = ()
    same_ingredient: SameIngredientPolicy | None = None
    duplicate: DuplicatePolicy | None = None

    def rule_ids(self) -> frozenset[str]:
        """Every rule id a finding from this set can carry."""
        ids = {r.id for r in self.rules} | {r.id for r in self.drug_rules}
        ids |= {m.rule for m in self.daily_maxima}
        if self.acetaminophen is not None:
            a = self.acetaminophen
            ids |= {a.max_rule, a.lower_rule, a.multiple_rule} | ({a.weight_rule} - {""})
        if self.same_ingredient is not None:
            ids.add(self.same_ingredient.rule)
        if self.duplicate is not None:
            ids |= {self.duplicate.rule, self.duplicate.pattern_rule}
        return frozenset(ids)

    @classmethod
    def from_file(cls, path: str | Path) -> RuleSet:
        """Load a rule set from a TOML file.

        Raises:
            TableError: The file cannot be read or a rule is malformed.
        """
        file = Path(path)
        try:
            doc = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            msg = f"{file}: cannot be read ({exc})."
            raise TableError(msg) from None
        return cls.from_mapping(doc, label=str(file))

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any], *, label: str = "rule set") -> RuleSet:
        """Build a rule set from a parsed TOML document.

        Raises:
            TableError: A block is missing, an entry is malformed or cites nothing; each
                problem as ``<label>: <path inside the document>: <what was expected>``.
        """
        # Callers may ignore the hints; anything but a mapping must fail as TableError.
        if not isinstance(cast("object", doc), Mapping):
            msg = f"{label}: expected a rule set document (a table), got {repr(doc)[:100]}"
            raise TableError(msg)
        try:
            body = structure(doc, _RuleFile, file=label)
        except TableError as exc:
            # The loader names a shipped file "data/<path>"; a site's file is named as given.
            raise TableError(str(exc).replace(f"data/{label}", label)) from None
        return body.build(_own_source(doc))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary."""
        return {"id": self.id, "source": self.source.to_dict(), "rules": [r.id for r in self.rules]}

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{escape(r.id)}</td><td>{escape(r.severity.name.lower())}</td>"
            f"<td>{escape(' + '.join(m.describe() for m in r.members))}</td></tr>"
            for r in self.rules
        )
        return (
            f"<table><caption>{escape(self.id)}</caption>"
            f"<tr><th>rule</th><th>severity</th><th>members</th></tr>{rows}</table>"
        )


# --------------------------------------------------------------------------- declared shape
# What a rule file holds, declared once for the painrx.tables loader (kind
# "interaction_rules"); the builders below turn the checked rows into the public
# classes above. Rules across fields are __attrs_post_init__ checks.


@table_part
class _MemberRow:
    classes: tuple[_Class, ...] = ()
    ingredients: tuple[_Ingredient, ...] = ()
    exclude_classes: tuple[_Class, ...] = ()
    exclude_ingredients: tuple[_Ingredient, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not self.matches():
            msg = "matches no catalog ingredient"
            raise ShapeError(msg)

    def matches(self) -> frozenset[str]:
        """The ingredient ids that fill the slot."""
        return _expand(self.classes, self.ingredients) - _expand(
            self.exclude_classes, self.exclude_ingredients
        )

    def build(self) -> Member:
        return Member(
            frozenset(self.classes),
            frozenset(self.ingredients),
            frozenset(self.exclude_classes),
            frozenset(self.exclude_ingredients),
            self.matches(),
        )


# The keys each kind of modifier needs, and those it may have besides the common ones.
_MODIFIER_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    "route": ("member", "routes"),
    "intensity": ("member", "intensities"),
    "single_dose": ("member",),
    "co_medication": (),
    "condition": ("conditions",),
    "age_over": ("years",),
    "age_at_least": ("years",),
    "class_count": ("classes", "at_least"),
    "acetaminophen_above": ("amount",),
}
_MODIFIER_OPTIONAL: Final[Mapping[str, tuple[str, ...]]] = {
    "co_medication": ("classes", "ingredients", "exclude_routes", "exclude_single_dose"),
    "class_count": ("exclude_classes",),
}
_MODIFIER_VALUES: Final = (
    "member",
    "routes",
    "intensities",
    "conditions",
    "years",
    "classes",
    "at_least",
    "amount",
    "ingredients",
    "exclude_classes",
    "exclude_routes",
    "exclude_single_dose",
)


@table_part
class _ModifierRow:
    id: _Id
    when: _When
    effect: Literal["lower", "raise", "cap"]
    note: str
    source: Provenance
    to: Severity | None = None
    steps: Annotated[int, Range(low=1, high=4)] = 1
    member: Annotated[int, Range(low=1)] | None = None
    routes: tuple[_Route, ...] | None = None
    intensities: tuple[Intensity, ...] | None = None
    conditions: tuple[_Condition, ...] | None = None
    years: _PositiveNumber | None = None
    classes: tuple[_Class, ...] | None = None
    at_least: _PositiveNumber | None = None
    amount: _MassRate | None = None
    ingredients: tuple[_Ingredient, ...] | None = None
    exclude_classes: tuple[_Class, ...] | None = None
    exclude_routes: tuple[_Route, ...] | None = None
    exclude_single_dose: bool | None = None

    def __attrs_post_init__(self) -> None:
        given = {key for key in _MODIFIER_VALUES if getattr(self, key) is not None}
        needed = set(_MODIFIER_KEYS[self.when])
        accepted = needed | set(_MODIFIER_OPTIONAL.get(self.when, ()))
        if needed - given:
            msg = (
                f"a {self.when!r} modifier needs {sorted(needed)}, missing {sorted(needed - given)}"
            )
            raise ShapeError(msg)
        if given - accepted:
            msg = (
                f"a {self.when!r} modifier takes no {sorted(given - accepted)}; "
                f"accepted besides the common keys: {sorted(accepted)}"
            )
            raise ShapeError(msg)
        if (self.effect == "lower") == (self.to is not None):
            msg = "'raise' and 'cap' need 'to'; 'lower' takes 'steps' instead"
            raise ShapeError(msg)
        if self.when == "co_medication" and not self._matches():
            msg = "co_medication needs classes or ingredients"
            raise ShapeError(msg)

    def _matches(self) -> frozenset[str]:
        if self.when == "class_count":
            return _expand(self.classes or (), ()) - _expand(self.exclude_classes or (), ())
        if self.when == "co_medication":
            return _expand(self.classes or (), self.ingredients or ())
        return frozenset()

    def build(self) -> Modifier:
        values: Iterable[str] = ()
        if self.when == "route":
            values = _routes(self.routes or ())
        elif self.when in {"intensity", "condition"}:
            values = self.intensities or self.conditions or ()
        number = self.years if self.years is not None else self.at_least
        return Modifier(
            id=self.id,
            when=self.when,
            effect=self.effect,
            to=self.to,
            steps=self.steps,
            note=self.note,
            source=self.source,
            member=None if self.member is None else self.member - 1,
            values=frozenset(values),
            matches=self._matches(),
            number=number,
            amount=self.amount,
            exclude_routes=_routes(self.exclude_routes or ()),
            exclude_single_dose=bool(self.exclude_single_dose),
        )


@table_part
class _EvidenceRow:
    source: Provenance
    population: str
    outcome: str
    measure: str
    estimate: _PositiveNumber | None = None
    ci: tuple[_PositiveNumber, ...] | None = None

    def __attrs_post_init__(self) -> None:
        if self.ci is None:
            return
        if len(self.ci) != 2:
            msg = f"ci must be [low, high], got {list(self.ci)}"
            raise ShapeError(msg, at="ci")
        if self.estimate is None or not self.ci[0] <= self.estimate <= self.ci[1]:
            msg = f"ci {list(self.ci)} must bracket the estimate {self.estimate}"
            raise ShapeError(msg, at="ci")

    def build(self) -> Evidence:
        ci = None if self.ci is None else (self.ci[0], self.ci[1])
        return Evidence(self.source, self.population, self.outcome, self.measure, self.estimate, ci)


def _check_modifiers(modifiers: tuple[_ModifierRow, ...], slots: int) -> None:
    """A modifier looks at one of the rule's slots; modifier ids are unique in a rule."""
    for i, modifier in enumerate(modifiers):
        if modifier.member is not None and modifier.member > slots:
            msg = f"'member' must be 1..{slots} (the rule's slot), got {modifier.member}"
            raise ShapeError(msg, at=f"modifiers[{i}]")
    ids = [m.id for m in modifiers]
    if len(set(ids)) != len(ids):
        msg = f"modifier ids must be unique, got {ids}"
        raise ShapeError(msg, at="modifiers")


def _common(row: _RuleRow | _DrugRuleRow) -> dict[str, Any]:
    """The fields every rule kind shares, built."""
    return {
        "id": row.id,
        "title": row.title,
        "severity": row.severity,
        "floor": Severity.MINOR if row.floor is None else row.floor,
        "message": row.message,
        "management": row.management,
        "modifiers": tuple(m.build() for m in row.modifiers),
        "evidence": tuple(e.build() for e in row.evidence),
        "tags": frozenset(row.tags),
        "supersedes": frozenset(row.supersedes),
        "source": row.source,
    }


@table_part
class _RuleRow:
    id: _Id
    title: str
    severity: Severity
    members: tuple[_MemberRow, ...]
    message: str
    management: str
    source: Provenance
    floor: Severity | None = None
    tags: tuple[_Text, ...] = ()
    modifiers: tuple[_ModifierRow, ...] = ()
    evidence: tuple[_EvidenceRow, ...] = ()
    supersedes: tuple[_Text, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not 2 <= len(self.members) <= 4:
            msg = f"members must list 2 to 4 slots, got {len(self.members)}"
            raise ShapeError(msg, at="members")
        _check_modifiers(self.modifiers, len(self.members))

    def build(self, rule_set: str) -> Rule:
        members = tuple(m.build() for m in self.members)
        symmetric = len({m.matches for m in members}) == 1
        return Rule(members=members, rule_set=rule_set, symmetric=symmetric, **_common(self))


_TRIGGERS: Final = ("conditions", "age_under", "duration_over")


@table_part
class _DrugRuleRow:
    id: _Id
    title: str
    severity: Severity
    drug: _MemberRow
    message: str
    management: str
    source: Provenance
    conditions: tuple[_Condition, ...] | None = None
    age_under: _PositiveNumber | None = None
    duration_over: Annotated[Quantity, _OfKinds("time")] | None = None
    floor: Severity | None = None
    tags: tuple[_Text, ...] = ()
    modifiers: tuple[_ModifierRow, ...] = ()
    evidence: tuple[_EvidenceRow, ...] = ()
    supersedes: tuple[_Text, ...] = ()

    def __attrs_post_init__(self) -> None:
        triggers = [t for t in _TRIGGERS if getattr(self, t) is not None]
        if len(triggers) != 1:
            msg = f"give exactly one trigger of {list(_TRIGGERS)}, got {triggers}"
            raise ShapeError(msg)
        _check_modifiers(self.modifiers, 1)

    def build(self, rule_set: str) -> DrugRule:
        return DrugRule(
            drug=self.drug.build(),
            conditions=frozenset(self.conditions or ()),
            age_under=self.age_under,
            duration_over=self.duration_over,
            rule_set=rule_set,
            **_common(self),
        )


@table_part
class _DailyMaximumRow:
    rule: _Id
    ingredient: _Ingredient
    max_daily: _MassRate
    severity: Severity
    source: Provenance
    routes: tuple[_Route, ...] = ()
    age_at_least: _PositiveNumber | None = None
    weight_below: _Weight | None = None
    conditions: tuple[_Condition, ...] = ()

    def build(self) -> DailyMaximum:
        return DailyMaximum(
            rule=self.rule,
            ingredient=self.ingredient,
            max_daily=self.max_daily,
            routes=_routes(self.routes),
            severity=self.severity,
            source=self.source,
            age_at_least=self.age_at_least,
            weight_below=self.weight_below,
            conditions=frozenset(self.conditions),
        )


@table_part
class _SameIngredientRow:
    rule: _Id
    drug: _MemberRow
    severity: Severity
    unquantified_severity: Severity
    management: str
    source: Provenance
    exclude_routes: tuple[_Route, ...] = ()

    def build(self) -> SameIngredientPolicy:
        return SameIngredientPolicy(
            rule=self.rule,
            matches=self.drug.matches(),
            severity=self.severity,
            unquantified_severity=self.unquantified_severity,
            management=self.management,
            source=self.source,
            exclude_routes=_routes(self.exclude_routes),
        )


@table_part
class _DuplicateRow:
    rule: _Id
    drug: _MemberRow
    severity: Severity
    message: str
    management: str
    source: Provenance
    pattern_rule: _Id
    pattern_severity: Severity
    pattern_message: str
    pattern_source: Provenance
    long_acting_forms: tuple[Form, ...]
    long_acting_routes: tuple[_Route, ...]

    def build(self) -> DuplicatePolicy:
        return DuplicatePolicy(
            rule=self.rule,
            matches=self.drug.matches(),
            severity=self.severity,
            message=self.message,
            management=self.management,
            source=self.source,
            pattern_rule=self.pattern_rule,
            pattern_severity=self.pattern_severity,
            pattern_message=self.pattern_message,
            pattern_source=self.pattern_source,
            long_acting_forms=frozenset(self.long_acting_forms),
            long_acting_routes=_routes(self.long_acting_routes),
        )


@table_part
class _RegimenRow:
    ingredient: _Ingredient
    dose: Annotated[Quantity, _OfKinds("mass")]
    frequency: str
    intensity: Literal["prophylactic", "therapeutic", "ambiguous"]
    source: Provenance
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if not catalog.in_class(self.ingredient, "anticoagulant"):
            msg = f"{self.ingredient!r} is not an anticoagulant"
            raise ShapeError(msg, at="ingredient")
        self.doses_per_day()

    def doses_per_day(self) -> float:
        """The doses a day the frequency means (``"q12h"`` is 2)."""
        try:
            return vocabulary.doses_per_day(self.frequency)
        except InputError as exc:
            raise ShapeError(str(exc), at="frequency") from None

    def build(self) -> IntensityRegimen:
        return IntensityRegimen(
            self.ingredient,
            self.dose,
            self.doses_per_day(),
            self.intensity,
            self.note,
            self.source,
        )


_WEIGHT_KEYS: Final = (
    "weight_below",
    "weight_daily",
    "weight_rule",
    "weight_severity",
    "weight_source",
)


@table_part
class _AcetaminophenRow:
    max_daily: _MassRate
    max_rule: _Id
    max_severity: Severity
    max_source: Provenance
    lower_daily: _MassRate
    lower_rule: _Id
    lower_severity: Severity
    lower_source: Provenance
    lower_conditions: tuple[_Condition, ...]
    lower_age_at_least: _PositiveNumber
    multiple_rule: _Id
    multiple_severity: Severity
    multiple_unquantified_severity: Severity
    management: str
    source: Provenance
    weight_below: _Weight | None = None
    weight_daily: Annotated[Quantity, _OfKinds("dose_per_weight")] | None = None
    weight_rule: _Id | None = None
    weight_severity: Severity | None = None
    weight_source: Provenance | None = None

    def __attrs_post_init__(self) -> None:
        given = [k for k in _WEIGHT_KEYS if getattr(self, k) is not None]
        if given and len(given) != len(_WEIGHT_KEYS):
            msg = f"a weight-based limit needs all of {list(_WEIGHT_KEYS)}, got {given}"
            raise ShapeError(msg)
        if not self.lower_daily < self.max_daily:
            msg = f"must be below max_daily ({self.max_daily}), got {self.lower_daily}"
            raise ShapeError(msg, at="lower_daily")

    def build(self) -> AcetaminophenPolicy:
        weight: dict[str, Any] = {}
        if self.weight_rule is not None:
            weight = {k: getattr(self, k) for k in _WEIGHT_KEYS}
        return AcetaminophenPolicy(
            max_daily=self.max_daily,
            max_rule=self.max_rule,
            max_severity=self.max_severity,
            max_source=self.max_source,
            lower_daily=self.lower_daily,
            lower_rule=self.lower_rule,
            lower_severity=self.lower_severity,
            lower_source=self.lower_source,
            lower_conditions=frozenset(self.lower_conditions),
            lower_age_at_least=self.lower_age_at_least,
            multiple_rule=self.multiple_rule,
            multiple_severity=self.multiple_severity,
            multiple_unquantified_severity=self.multiple_unquantified_severity,
            management=self.management,
            source=self.source,
            **weight,
        )


# The rule ids a policy block gives its findings (a finding may supersede them).
_POLICY_RULES: Final = (
    "rule",
    "pattern_rule",
    "max_rule",
    "lower_rule",
    "multiple_rule",
    "weight_rule",
)


@table_shape("interaction_rules")
@table_part
class _RuleFile:
    rules: tuple[_RuleRow, ...]
    intensity: tuple[_RegimenRow, ...] = ()
    acetaminophen: _AcetaminophenRow | None = None
    drug_rules: tuple[_DrugRuleRow, ...] = ()
    daily_maximum: tuple[_DailyMaximumRow, ...] = ()
    same_ingredient: _SameIngredientRow | None = None
    duplicate: _DuplicateRow | None = None

    def __attrs_post_init__(self) -> None:
        ids = [r.id for r in self.rules] + [r.id for r in self.drug_rules]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            msg = f"rule ids must be unique; used twice: {twice}"
            raise ShapeError(msg)
        known = set(ids) | {m.rule for m in self.daily_maximum}
        for policy in (self.acetaminophen, self.same_ingredient, self.duplicate):
            for key in _POLICY_RULES:
                if isinstance(getattr(policy, key, None), str):
                    known.add(getattr(policy, key))
        rows = [("rules", i, r.supersedes) for i, r in enumerate(self.rules)]
        rows += [("drug_rules", i, r.supersedes) for i, r in enumerate(self.drug_rules)]
        for name, i, supersedes in rows:
            unknown = sorted(set(supersedes) - known)
            if unknown:
                msg = f"'supersedes' names unknown rule(s) {unknown}"
                raise ShapeError(msg, at=f"{name}[{i}]")

    def build(self, source: Provenance) -> RuleSet:
        return RuleSet(
            source.id,
            source,
            rules=tuple(r.build(source.id) for r in self.rules),
            intensity=tuple(r.build() for r in self.intensity),
            acetaminophen=None if self.acetaminophen is None else self.acetaminophen.build(),
            drug_rules=tuple(r.build(source.id) for r in self.drug_rules),
            daily_maxima=tuple(r.build() for r in self.daily_maximum),
            same_ingredient=None if self.same_ingredient is None else self.same_ingredient.build(),
            duplicate=None if self.duplicate is None else self.duplicate.build(),
        )


def _own_source(doc: Mapping[str, Any]) -> Provenance:
    """The rule set's own provenance, from a ``[provenance]`` block the loader has checked."""
    block = doc["provenance"]
    return Provenance(
        block["id"],
        block["title"],
        block["year"],
        block["citation"],
        block.get("url", ""),
        block.get("edition", ""),
    )


@cache
def default_rules() -> RuleSet:
    """Return painrx's own rule set (``PAINRX_DDI_2026_1``), loaded once."""
    source = table_info(DEFAULT_ID, kind="interaction_rules").source
    return load(_RuleFile, DEFAULT_ID).build(source)
