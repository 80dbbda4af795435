"""Interaction rule sets: the data model and its validating loader.

Rules and rule sets compare and hash by identity (``eq=False``): each is built once
per load, and the checker uses them as cache keys on its hot path.

A rule set is one TOML document (a file shipped with painrx, a site's own file, or
a mapping) with a ``[provenance]`` block, ``[sources.KEY]`` blocks and
``[[rules]]``. Every rule, modifier and evidence entry cites a source key, and
every class or ingredient a rule names must exist in the catalog, so a typo fails
on load instead of silently matching nothing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from html import escape
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from painrx import catalog, vocabulary
from painrx.errors import InputError, PainRxError, Severity, TableError
from painrx.interactions._conditions import CONDITIONS
from painrx.provenance import Provenance
from painrx.tables import check_keys, parse_table, sources_of
from painrx.units import Quantity, quantity_arg

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

DEFAULT_PATH: Final = "interactions/painrx_2026.toml"

Intensity = Literal["prophylactic", "therapeutic", "ambiguous", "unknown"]
_INTENSITIES: Final = frozenset({"prophylactic", "therapeutic", "ambiguous", "unknown"})
_WHEN: Final = frozenset(
    {
        "route",
        "intensity",
        "single_dose",
        "co_medication",
        "condition",
        "age_over",
        "age_at_least",
        "class_count",
        "acetaminophen_above",
    }
)
_EFFECTS: Final = frozenset({"lower", "raise", "cap"})
_PROVENANCE_REQUIRED: Final = ("id", "kind", "title", "year", "citation")
_PROVENANCE_OPTIONAL: Final = ("url", "edition", "retrieved", "licence", "notes")


def _severity(value: object, where: str) -> Severity:
    if not isinstance(value, str):
        msg = f"{where}: severity must be a string, got {value!r}."
        raise TableError(msg)
    try:
        return Severity.parse(value)
    except InputError as exc:
        msg = f"{where}: {exc}"
        raise TableError(msg) from None


def _str_list(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        msg = f"{where}: must be a list of non-empty strings."
        raise TableError(msg)
    return tuple(value)


def _classes(value: object, where: str) -> frozenset[str]:
    names = frozenset(_str_list(value, where))
    unknown = names - catalog.CLASSES
    if unknown:
        msg = f"{where}: unknown class(es) {sorted(unknown)}; see painrx.catalog.CLASSES."
        raise TableError(msg)
    return names


@cache
def _known_ingredients() -> frozenset[str]:
    """Every ingredient id of the catalog (which is loaded once per process)."""
    return frozenset(i.id for i in catalog.ingredients())


def _ingredient_ids(value: object, where: str) -> frozenset[str]:
    names = frozenset(_str_list(value, where))
    unknown = names - _known_ingredients()
    if unknown:
        msg = f"{where}: unknown ingredient id(s) {sorted(unknown)}."
        raise TableError(msg)
    return names


def _expand(classes: Iterable[str], ingredients: Iterable[str]) -> frozenset[str]:
    found = set(ingredients)
    for cls in classes:
        found |= catalog.members(cls)
    return frozenset(found)


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
            TableError: A block is missing, an entry is malformed or cites nothing.
        """
        block = doc.get("provenance")
        if not isinstance(block, Mapping):
            msg = f"{label}: no [provenance] block."
            raise TableError(msg)
        check_keys(
            block,
            required=_PROVENANCE_REQUIRED,
            optional=_PROVENANCE_OPTIONAL,
            where=f"{label} [provenance]",
        )
        pid = str(block["id"])
        sources = {"provenance": _provenance(block, pid, label)}
        for key, src in doc.get("sources", {}).items():
            where = f"{label} [sources.{key}]"
            if not isinstance(src, Mapping):
                msg = f"{where}: must be a table."
                raise TableError(msg)
            check_keys(
                src,
                required=("title", "year", "citation"),
                optional=("url", "edition", "notes"),
                where=where,
            )
            sources[key] = _provenance(src, f"{pid}/{key}", label)
        return _build(doc, sources, label)

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


def _provenance(block: Mapping[str, Any], pid: str, label: str) -> Provenance:
    try:
        year = int(block["year"])
    except (TypeError, ValueError):
        msg = f"{label}: year of {pid!r} must be a whole number."
        raise TableError(msg) from None
    return Provenance(
        id=pid,
        title=str(block["title"]),
        year=year,
        citation=str(block["citation"]),
        url=str(block.get("url", "")),
        edition=str(block.get("edition", "")),
    )


def _cite(entry: Mapping[str, Any], sources: Mapping[str, Provenance], where: str) -> Provenance:
    key = entry.get("source")
    if not isinstance(key, str) or key not in sources:
        msg = f"{where}: 'source' must be one of {sorted(sources)}, got {key!r}."
        raise TableError(msg)
    return sources[key]


def _quantity(text: object, kinds: tuple[Any, ...], where: str) -> Quantity:
    try:
        return quantity_arg(text, name=where, kinds=kinds)
    except PainRxError as exc:
        msg = f"{where}: {exc}"
        raise TableError(msg) from None


def _member(block: object, where: str) -> Member:
    if not isinstance(block, Mapping):
        msg = f"{where}: a member must be a table."
        raise TableError(msg)
    check_keys(
        block,
        required=(),
        optional=("classes", "ingredients", "exclude_classes", "exclude_ingredients"),
        where=where,
    )
    classes = _classes(block.get("classes", []), f"{where} classes")
    ingredients = _ingredient_ids(block.get("ingredients", []), f"{where} ingredients")
    ex_classes = _classes(block.get("exclude_classes", []), f"{where} exclude_classes")
    ex_ingredients = _ingredient_ids(
        block.get("exclude_ingredients", []), f"{where} exclude_ingredients"
    )
    matches = _expand(classes, ingredients) - _expand(ex_classes, ex_ingredients)
    if not matches:
        msg = f"{where}: matches no catalog ingredient."
        raise TableError(msg)
    return Member(classes, ingredients, ex_classes, ex_ingredients, matches)


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


def _modifier_values(
    block: Mapping[str, Any], when: str, where: str
) -> tuple[frozenset[str], frozenset[str], float | None, Quantity | None]:
    """What a modifier of kind ``when`` looks for: (values, matches, number, amount)."""
    values: frozenset[str] = frozenset()
    matches: frozenset[str] = frozenset()
    number: float | None = None
    amount: Quantity | None = None
    if when == "route":
        values = _routes(block["routes"], where)
    elif when == "intensity":
        values = frozenset(_str_list(block["intensities"], where))
        if not values <= _INTENSITIES:
            msg = f"{where}: intensities must be among {sorted(_INTENSITIES)}."
            raise TableError(msg)
    elif when == "condition":
        values = frozenset(_str_list(block["conditions"], where))
        if not values <= CONDITIONS:
            msg = f"{where}: unknown condition(s) {sorted(values - CONDITIONS)}."
            raise TableError(msg)
    elif when == "co_medication":
        matches = _expand(
            _classes(block.get("classes", []), where),
            _ingredient_ids(block.get("ingredients", []), where),
        )
        if not matches:
            msg = f"{where}: co_medication needs classes or ingredients."
            raise TableError(msg)
    elif when == "class_count":
        matches = _expand(_classes(block["classes"], where), ()) - _expand(
            _classes(block.get("exclude_classes", []), where), ()
        )
        number = _positive(block["at_least"], where)
    elif when in {"age_over", "age_at_least"}:
        number = _positive(block["years"], where)
    elif when == "acetaminophen_above":
        amount = _quantity(block["amount"], ("mass_rate",), f"{where} amount")
    return values, matches, number, amount


def _modifier(
    block: Mapping[str, Any], n_members: int, sources: Mapping[str, Provenance], where: str
) -> Modifier:
    when = block.get("when")
    if when not in _WHEN:
        msg = f"{where}: 'when' must be one of {sorted(_WHEN)}, got {when!r}."
        raise TableError(msg)
    required = ("id", "when", "effect", "note", "source", *_MODIFIER_KEYS[when])
    optional = {
        "co_medication": (
            "classes",
            "ingredients",
            "exclude_routes",
            "exclude_single_dose",
            "to",
            "steps",
        ),
        "class_count": ("exclude_classes", "to", "steps"),
    }.get(when, ("to", "steps"))
    check_keys(block, required=required, optional=optional, where=where)
    effect = block["effect"]
    if effect not in _EFFECTS:
        msg = f"{where}: effect must be one of {sorted(_EFFECTS)}, got {effect!r}."
        raise TableError(msg)
    to = _severity(block["to"], where) if "to" in block else None
    if (effect == "lower") == (to is not None):
        msg = f"{where}: 'raise' and 'cap' need 'to'; 'lower' takes 'steps' instead."
        raise TableError(msg)
    steps = block.get("steps", 1)
    if not isinstance(steps, int) or isinstance(steps, bool) or not 1 <= steps <= 4:
        msg = f"{where}: steps must be a whole number from 1 to 4."
        raise TableError(msg)
    member: int | None = None
    if "member" in block:
        member = block["member"]
        if not isinstance(member, int) or isinstance(member, bool) or not 1 <= member <= n_members:
            msg = f"{where}: member must be 1..{n_members} (the rule's slot)."
            raise TableError(msg)
        member -= 1
    exclude_routes = _routes(block.get("exclude_routes", []), where)
    exclude_single_dose = block.get("exclude_single_dose", False)
    if not isinstance(exclude_single_dose, bool):
        msg = f"{where}: exclude_single_dose must be true or false."
        raise TableError(msg)
    values, matches, number, amount = _modifier_values(block, when, where)
    return Modifier(
        id=_ident(block["id"], where),
        when=when,
        effect=effect,
        to=to,
        steps=steps,
        note=str(block["note"]),
        source=_cite(block, sources, where),
        member=member,
        values=values,
        matches=matches,
        number=number,
        amount=amount,
        exclude_routes=exclude_routes,
        exclude_single_dose=exclude_single_dose,
    )


def _routes(value: object, where: str) -> frozenset[str]:
    try:
        return frozenset(vocabulary.route(r) for r in _str_list(value, where))
    except InputError as exc:
        msg = f"{where}: {exc}"
        raise TableError(msg) from None


def _positive(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        msg = f"{where}: expected a positive number, got {value!r}."
        raise TableError(msg)
    return float(value)


def _ident(value: object, where: str) -> str:
    if not isinstance(value, str) or not value or not value.replace("_", "").isalnum():
        msg = f"{where}: ids are snake_case, got {value!r}."
        raise TableError(msg)
    if value != value.lower():
        msg = f"{where}: ids are lower case, got {value!r}."
        raise TableError(msg)
    return value


def _evidence(block: Mapping[str, Any], sources: Mapping[str, Provenance], where: str) -> Evidence:
    check_keys(
        block,
        required=("source", "population", "outcome", "measure"),
        optional=("estimate", "ci"),
        where=where,
    )
    estimate = _positive(block["estimate"], where) if "estimate" in block else None
    ci: tuple[float, float] | None = None
    if "ci" in block:
        raw = block["ci"]
        if not isinstance(raw, list) or len(raw) != 2:
            msg = f"{where}: ci must be [low, high]."
            raise TableError(msg)
        low, high = _positive(raw[0], where), _positive(raw[1], where)
        if estimate is None or not low <= estimate <= high:
            msg = f"{where}: ci {raw} must bracket the estimate {estimate}."
            raise TableError(msg)
        ci = (low, high)
    return Evidence(
        source=_cite(block, sources, where),
        population=str(block["population"]),
        outcome=str(block["outcome"]),
        measure=str(block["measure"]),
        estimate=estimate,
        ci=ci,
    )


def _rule(
    block: Mapping[str, Any], sources: Mapping[str, Provenance], rule_set: str, where: str
) -> Rule:
    check_keys(
        block,
        required=("id", "title", "severity", "members", "message", "management", "source"),
        optional=("floor", "tags", "modifiers", "evidence", "supersedes"),
        where=where,
    )
    rid = _ident(block["id"], where)
    where = f"{where} ({rid})"
    raw_members = block["members"]
    if not isinstance(raw_members, list) or not 2 <= len(raw_members) <= 4:
        msg = f"{where}: members must list 2 to 4 slots."
        raise TableError(msg)
    members = tuple(_member(m, f"{where} member {i + 1}") for i, m in enumerate(raw_members))
    return Rule(
        id=rid,
        members=members,
        rule_set=rule_set,
        symmetric=len({m.matches for m in members}) == 1,
        **_common(block, sources, where, len(members)),
    )


def _common(
    block: Mapping[str, Any], sources: Mapping[str, Provenance], where: str, n_members: int
) -> dict[str, Any]:
    """The fields every rule kind shares: severity, text, modifiers, evidence, tags."""
    modifiers = tuple(
        _modifier(m, n_members, sources, f"{where} modifier {i + 1}")
        for i, m in enumerate(block.get("modifiers", []))
    )
    ids = [m.id for m in modifiers]
    if len(set(ids)) != len(ids):
        msg = f"{where}: modifier ids must be unique."
        raise TableError(msg)
    return {
        "title": str(block["title"]),
        "severity": _severity(block["severity"], where),
        "floor": _severity(block.get("floor", "minor"), where),
        "message": str(block["message"]),
        "management": str(block["management"]),
        "modifiers": modifiers,
        "evidence": tuple(
            _evidence(e, sources, f"{where} evidence {i + 1}")
            for i, e in enumerate(block.get("evidence", []))
        ),
        "tags": frozenset(_str_list(block["tags"], where)) if "tags" in block else frozenset(),
        "supersedes": frozenset(_str_list(block["supersedes"], where))
        if "supersedes" in block
        else frozenset(),
        "source": _cite(block, sources, where),
    }


_TRIGGERS: Final = ("conditions", "age_under", "duration_over")


def _drug_rule(
    block: Mapping[str, Any], sources: Mapping[str, Provenance], rule_set: str, where: str
) -> DrugRule:
    check_keys(
        block,
        required=("id", "title", "severity", "drug", "message", "management", "source"),
        optional=("floor", "tags", "modifiers", "evidence", "supersedes", *_TRIGGERS),
        where=where,
    )
    rid = _ident(block["id"], where)
    where = f"{where} ({rid})"
    triggers = [t for t in _TRIGGERS if t in block]
    if len(triggers) != 1:
        msg = f"{where}: give exactly one trigger of {list(_TRIGGERS)}, got {triggers}."
        raise TableError(msg)
    conditions: frozenset[str] = frozenset()
    if "conditions" in block:
        conditions = frozenset(_str_list(block["conditions"], where))
        if not conditions <= CONDITIONS:
            msg = f"{where}: unknown condition(s) {sorted(conditions - CONDITIONS)}."
            raise TableError(msg)
    age = _positive(block["age_under"], where) if "age_under" in block else None
    duration = (
        _quantity(block["duration_over"], ("time",), f"{where} duration_over")
        if "duration_over" in block
        else None
    )
    return DrugRule(
        id=rid,
        drug=_member(block["drug"], f"{where} drug"),
        conditions=conditions,
        age_under=age,
        duration_over=duration,
        rule_set=rule_set,
        **_common(block, sources, where, 1),
    )


def _daily_maximum(
    block: Mapping[str, Any], sources: Mapping[str, Provenance], where: str
) -> DailyMaximum:
    check_keys(
        block,
        required=("rule", "ingredient", "max_daily", "severity", "source"),
        optional=("routes", "age_at_least", "weight_below", "conditions"),
        where=where,
    )
    (iid,) = _ingredient_ids([block["ingredient"]], where)
    conditions = frozenset(_str_list(block.get("conditions", []), where))
    if not conditions <= CONDITIONS:
        msg = f"{where}: unknown condition(s) {sorted(conditions - CONDITIONS)}."
        raise TableError(msg)
    weight = block.get("weight_below")
    return DailyMaximum(
        rule=_ident(block["rule"], where),
        ingredient=iid,
        max_daily=_quantity(block["max_daily"], ("mass_rate",), f"{where} max_daily"),
        routes=_routes(block.get("routes", []), where),
        severity=_severity(block["severity"], where),
        source=_cite(block, sources, where),
        age_at_least=_positive(block["age_at_least"], where) if "age_at_least" in block else None,
        weight_below=None
        if weight is None
        else _quantity(weight, ("mass", "body_weight"), f"{where} weight_below"),
        conditions=conditions,
    )


def _same_ingredient(
    block: Mapping[str, Any], sources: Mapping[str, Provenance], where: str
) -> SameIngredientPolicy:
    check_keys(
        block,
        required=("rule", "drug", "severity", "unquantified_severity", "management", "source"),
        optional=("exclude_routes",),
        where=where,
    )
    return SameIngredientPolicy(
        rule=_ident(block["rule"], where),
        matches=_member(block["drug"], f"{where} drug").matches,
        severity=_severity(block["severity"], where),
        unquantified_severity=_severity(block["unquantified_severity"], where),
        management=str(block["management"]),
        source=_cite(block, sources, where),
        exclude_routes=_routes(block.get("exclude_routes", []), where),
    )


def _duplicate(
    block: Mapping[str, Any], sources: Mapping[str, Provenance], where: str
) -> DuplicatePolicy:
    check_keys(
        block,
        required=(
            "rule",
            "drug",
            "severity",
            "message",
            "management",
            "source",
            "pattern_rule",
            "pattern_severity",
            "pattern_message",
            "pattern_source",
            "long_acting_forms",
            "long_acting_routes",
        ),
        where=where,
    )
    forms = frozenset(_str_list(block["long_acting_forms"], where))
    if not forms <= frozenset(vocabulary.FORMS):
        msg = f"{where}: unknown form(s) {sorted(forms - frozenset(vocabulary.FORMS))}."
        raise TableError(msg)
    return DuplicatePolicy(
        rule=_ident(block["rule"], where),
        matches=_member(block["drug"], f"{where} drug").matches,
        severity=_severity(block["severity"], where),
        message=str(block["message"]),
        management=str(block["management"]),
        source=_cite(block, sources, where),
        pattern_rule=_ident(block["pattern_rule"], where),
        pattern_severity=_severity(block["pattern_severity"], where),
        pattern_message=str(block["pattern_message"]),
        pattern_source=_cite({"source": block["pattern_source"]}, sources, where),
        long_acting_forms=forms,
        long_acting_routes=_routes(block["long_acting_routes"], where),
    )


def _regimen(
    block: Mapping[str, Any], sources: Mapping[str, Provenance], where: str
) -> IntensityRegimen:
    check_keys(
        block,
        required=("ingredient", "dose", "frequency", "intensity", "source"),
        optional=("note",),
        where=where,
    )
    iid = block["ingredient"]
    _ingredient_ids([iid], where)
    if not catalog.in_class(iid, "anticoagulant"):
        msg = f"{where}: {iid!r} is not an anticoagulant."
        raise TableError(msg)
    intensity = block["intensity"]
    if intensity not in _INTENSITIES - {"unknown"}:
        msg = f"{where}: intensity must be prophylactic, therapeutic or ambiguous."
        raise TableError(msg)
    try:
        per_day = vocabulary.doses_per_day(block["frequency"])
    except InputError as exc:
        msg = f"{where}: {exc}"
        raise TableError(msg) from None
    return IntensityRegimen(
        ingredient=iid,
        dose=_quantity(block["dose"], ("mass",), f"{where} dose"),
        doses_per_day=per_day,
        intensity=intensity,
        note=str(block.get("note", "")),
        source=_cite(block, sources, where),
    )


_WEIGHT_KEYS: Final = (
    "weight_below",
    "weight_daily",
    "weight_rule",
    "weight_severity",
    "weight_source",
)


def _weight_limit(
    block: Mapping[str, Any], sources: Mapping[str, Provenance], where: str
) -> dict[str, Any]:
    """The optional weight-based maximum: all of its keys, or none."""
    given = [k for k in _WEIGHT_KEYS if k in block]
    if not given:
        return {}
    if len(given) != len(_WEIGHT_KEYS):
        msg = f"{where}: a weight-based limit needs all of {list(_WEIGHT_KEYS)}."
        raise TableError(msg)
    return {
        "weight_below": _quantity(
            block["weight_below"], ("mass", "body_weight"), f"{where} weight_below"
        ),
        "weight_daily": _quantity(
            block["weight_daily"], ("dose_per_weight",), f"{where} weight_daily"
        ),
        "weight_rule": _ident(block["weight_rule"], where),
        "weight_severity": _severity(block["weight_severity"], where),
        "weight_source": _cite({"source": block["weight_source"]}, sources, where),
    }


def _acetaminophen(
    block: Mapping[str, Any], sources: Mapping[str, Provenance], where: str
) -> AcetaminophenPolicy:
    check_keys(
        block,
        required=(
            "max_daily",
            "max_rule",
            "max_severity",
            "max_source",
            "lower_daily",
            "lower_rule",
            "lower_severity",
            "lower_source",
            "lower_conditions",
            "lower_age_at_least",
            "multiple_rule",
            "multiple_severity",
            "multiple_unquantified_severity",
            "management",
            "source",
        ),
        optional=_WEIGHT_KEYS,
        where=where,
    )
    conditions = frozenset(_str_list(block["lower_conditions"], where))
    if not conditions <= CONDITIONS:
        msg = f"{where}: unknown condition(s) {sorted(conditions - CONDITIONS)}."
        raise TableError(msg)
    policy = AcetaminophenPolicy(
        max_daily=_quantity(block["max_daily"], ("mass_rate",), f"{where} max_daily"),
        max_rule=_ident(block["max_rule"], where),
        max_severity=_severity(block["max_severity"], where),
        max_source=_cite({"source": block["max_source"]}, sources, where),
        lower_daily=_quantity(block["lower_daily"], ("mass_rate",), f"{where} lower_daily"),
        lower_rule=_ident(block["lower_rule"], where),
        lower_severity=_severity(block["lower_severity"], where),
        lower_source=_cite({"source": block["lower_source"]}, sources, where),
        lower_conditions=conditions,
        lower_age_at_least=_positive(block["lower_age_at_least"], where),
        multiple_rule=_ident(block["multiple_rule"], where),
        multiple_severity=_severity(block["multiple_severity"], where),
        multiple_unquantified_severity=_severity(block["multiple_unquantified_severity"], where),
        management=str(block["management"]),
        source=_cite(block, sources, where),
        **_weight_limit(block, sources, where),
    )
    if not policy.lower_daily < policy.max_daily:
        msg = f"{where}: lower_daily must be below max_daily."
        raise TableError(msg)
    return policy


def _listed(doc: Mapping[str, Any], key: str, label: str, build: Any) -> tuple[Any, ...]:
    """Build each ``[[key]]`` entry of ``doc`` with ``build(block, where)``."""
    return tuple(build(b, f"{label} [[{key}]] #{i + 1}") for i, b in enumerate(doc.get(key, [])))


def _build(doc: Mapping[str, Any], sources: Mapping[str, Provenance], label: str) -> RuleSet:
    check_keys(
        doc,
        required=("provenance", "rules"),
        optional=(
            "sources",
            "intensity",
            "acetaminophen",
            "drug_rules",
            "daily_maximum",
            "same_ingredient",
            "duplicate",
        ),
        where=label,
    )
    main = sources["provenance"]
    rule_set = RuleSet(
        main.id,
        main,
        rules=_listed(doc, "rules", label, lambda b, w: _rule(b, sources, main.id, w)),
        intensity=_listed(doc, "intensity", label, lambda b, w: _regimen(b, sources, w)),
        acetaminophen=_acetaminophen(doc["acetaminophen"], sources, f"{label} [acetaminophen]")
        if "acetaminophen" in doc
        else None,
        drug_rules=_listed(
            doc, "drug_rules", label, lambda b, w: _drug_rule(b, sources, main.id, w)
        ),
        daily_maxima=_listed(
            doc, "daily_maximum", label, lambda b, w: _daily_maximum(b, sources, w)
        ),
        same_ingredient=_same_ingredient(
            doc["same_ingredient"], sources, f"{label} [same_ingredient]"
        )
        if "same_ingredient" in doc
        else None,
        duplicate=_duplicate(doc["duplicate"], sources, f"{label} [duplicate]")
        if "duplicate" in doc
        else None,
    )
    every: tuple[Rule | DrugRule, ...] = (*rule_set.rules, *rule_set.drug_rules)
    ids = [r.id for r in every]
    if len(set(ids)) != len(ids):
        msg = f"{label}: rule ids must be unique."
        raise TableError(msg)
    superseded = {s for r in every for s in r.supersedes}
    unknown = superseded - rule_set.rule_ids()
    if unknown:
        msg = f"{label}: supersedes names unknown rule(s) {sorted(unknown)}."
        raise TableError(msg)
    return rule_set


@cache
def default_rules() -> RuleSet:
    """Return painrx's own rule set (``PAINRX_DDI_2026_1``), loaded once."""
    return _build(parse_table(DEFAULT_PATH), sources_of(DEFAULT_PATH), f"data/{DEFAULT_PATH}")
