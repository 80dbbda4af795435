"""Load and validate the cited taper tables under ``painrx/data/tapers``.

Each loader checks every entry's keys and source the first time it is used, and turns
quantities written as text (``"30 day"``, ``"72 h"``) into exact numbers, so a
malformed table fails loudly instead of shaping a schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import cache
from typing import Any

import attrs

from painrx.errors import PainRxError, Severity, TableError
from painrx.provenance import Provenance
from painrx.tables import check_keys, entry_source, read_table, sources_of
from painrx.units import Q, kind_of, magnitude

__all__ = [
    "DurationClass",
    "ExpectedDuration",
    "FinalStep",
    "Guideline",
    "Hybrid",
    "Pace",
    "PatchRule",
    "ProductRules",
    "Refusal",
    "Unsplittable",
    "decimal",
    "duration_classes",
    "exact",
    "final_step",
    "guideline",
    "guideline_ids",
    "hybrid",
    "product_rules",
]

GUIDELINE_PATHS = (
    "tapers/cdc_2022.toml",
    "tapers/hhs_2019.toml",
    "tapers/va_dod_2017.toml",
    "tapers/post_operative.toml",
)
POST_OPERATIVE_PATH = "tapers/post_operative.toml"
CLASSES_PATH = "tapers/duration_of_use.toml"
PRODUCTS_PATH = "tapers/products.toml"
FINAL_STEP_PATH = "tapers/cdc_2022.toml"
HYBRID_PATH = "tapers/hhs_2019.toml"


def decimal(value: float) -> Fraction:
    """Return ``value`` as the exact decimal it prints as (``0.1`` → 1/10, not a binary float)."""
    return Fraction(repr(float(value)))


def exact(value: float) -> Fraction:
    """Return a converted magnitude as an exact decimal, dropping conversion noise.

    Unit conversion leaves binary noise (0.06 g → 60.00000000000001 mg); nine decimals
    keep every clinically meaningful digit of a dose.
    """
    return decimal(round(value, 9))


@attrs.frozen
class Pace:
    """The fastest taper a guideline accepts for one duration-of-use class."""

    use: str
    max_percent: Fraction
    per_days: Fraction
    severity: Severity
    source: Provenance


@attrs.frozen
class ExpectedDuration:
    """The length a taper is expected to stay within, for one duration-of-use class."""

    use: str
    max_days: Fraction
    severity: Severity
    source: Provenance


@attrs.frozen
class Guideline:
    """One guideline table: its provenance, paces and expected durations by class."""

    id: str
    source: Provenance
    paces: Mapping[str, Pace]
    expected: Mapping[str, ExpectedDuration]


@attrs.frozen
class DurationClass:
    """A duration-of-use class; bounds are inclusive and in days (None: unbounded)."""

    name: str
    from_days: Fraction | None
    up_to_days: Fraction | None
    source: Provenance

    def contains(self, days: Fraction) -> bool:
        """Return whether a duration of ``days`` falls in this class."""
        if self.from_days is not None and days < self.from_days:
            return False
        return self.up_to_days is None or days <= self.up_to_days


@attrs.frozen
class FinalStep:
    """The end-of-taper rule: the lengthened dosing interval, in days."""

    every_days: int
    source: Provenance


@attrs.frozen
class Hybrid:
    """The hybrid taper's switch: the fraction of the original dose that starts phase 2."""

    switch_fraction: Fraction
    source: Provenance


@attrs.frozen
class PatchRule:
    """The change interval of a transdermal product, in hours."""

    ingredient: str
    products: tuple[str, ...]
    change_hours: Fraction
    source: Provenance


@attrs.frozen
class Unsplittable:
    """A dose form that must never be split, and why."""

    form: str
    reason: str
    source: Provenance


@attrs.frozen
class Refusal:
    """A taper painrx refuses; a None field matches anything."""

    ingredient: str | None
    routes: tuple[str, ...] | None
    indications: tuple[str, ...] | None
    reason: str
    source: Provenance
    products: tuple[str, ...] | None = None

    def matches(
        self,
        ingredients: tuple[str, ...],
        routes: set[str],
        indication: str,
        product: str = "",
    ) -> bool:
        """Return whether the rule applies to this product, its routes and indication."""
        if self.products is not None and product.lower() not in self.products:
            return False
        if self.ingredient is not None and self.ingredient not in ingredients:
            return False
        if self.routes is not None and not routes & set(self.routes):
            return False
        return self.indications is None or indication in self.indications


@attrs.frozen
class ProductRules:
    """Patch change intervals, unsplittable forms and refusals."""

    patches: tuple[PatchRule, ...]
    unsplittable: Mapping[str, Unsplittable]
    refusals: tuple[Refusal, ...]


def _entries(doc: Mapping[str, Any], key: str, path: str) -> list[tuple[str, Mapping[str, Any]]]:
    value = doc.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        msg = f"data/{path}: [[{key}]] must be an array of tables."
        raise TableError(msg)
    return [(f"[[{key}]] #{i + 1}", v) for i, v in enumerate(value)]


def _days(text: object, where: str, *, unit: str = "day") -> Fraction:
    try:
        q = Q(text)
    except PainRxError as exc:
        msg = f"{where}: {text!r} is not a duration ({exc})."
        raise TableError(msg) from None
    if kind_of(q) != "time" or not q.magnitude > 0:
        msg = f"{where}: {text!r} must be a positive duration such as '30 day'."
        raise TableError(msg)
    return exact(magnitude(q, unit))


def _number(value: object, where: str, *, low: float, high: float) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low < value <= high:
        msg = f"{where}: {value!r} must be a number above {low} and at most {high}."
        raise TableError(msg)
    return decimal(float(value))


def _severity(value: object, where: str) -> Severity:
    try:
        return Severity.parse(str(value))
    except PainRxError as exc:
        msg = f"{where}: {exc}"
        raise TableError(msg) from None


@cache
def guideline(path: str) -> Guideline:
    """Load one guideline table (paces and expected durations)."""
    doc = read_table(path)
    known = {c.name for c in duration_classes()}
    paces: dict[str, Pace] = {}
    for where, entry in _entries(doc, "paces", path):
        at = f"data/{path} {where}"
        check_keys(
            entry,
            required={"use", "max_percent", "per", "severity", "source"},
            optional={"notes"},
            where=at,
        )
        use = _class_name(entry["use"], known, at)
        if use in paces:
            msg = f"{at}: a second pace for {use!r}."
            raise TableError(msg)
        paces[use] = Pace(
            use=use,
            max_percent=_number(entry["max_percent"], at, low=0, high=100),
            per_days=_days(entry["per"], at),
            severity=_severity(entry["severity"], at),
            source=entry_source(entry, path, where),
        )
    expected: dict[str, ExpectedDuration] = {}
    for where, entry in _entries(doc, "expected_durations", path):
        at = f"data/{path} {where}"
        check_keys(
            entry,
            required={"use", "max_duration", "severity", "source"},
            optional={"notes"},
            where=at,
        )
        use = _class_name(entry["use"], known, at)
        expected[use] = ExpectedDuration(
            use=use,
            max_days=_days(entry["max_duration"], at),
            severity=_severity(entry["severity"], at),
            source=entry_source(entry, path, where),
        )
    return Guideline(
        id=str(doc["provenance"]["id"]),
        source=sources_of(path)["provenance"],
        paces=paces,
        expected=expected,
    )


def _class_name(value: object, known: set[str], where: str) -> str:
    if value not in known:
        msg = f"{where}: 'use' must be one of {sorted(known)}, got {value!r}."
        raise TableError(msg)
    return str(value)


@cache
def guideline_ids() -> Mapping[str, str]:
    """Return ``{guideline id: data path}`` for every taper guideline table."""
    return {guideline(path).id: path for path in GUIDELINE_PATHS}


@cache
def duration_classes() -> tuple[DurationClass, ...]:
    """Load the duration-of-use classes, in the order they are checked."""
    path = CLASSES_PATH
    doc = read_table(path)
    classes: list[DurationClass] = []
    for where, entry in _entries(doc, "classes", path):
        at = f"data/{path} {where}"
        check_keys(
            entry, required={"name", "source"}, optional={"from", "up_to", "notes"}, where=at
        )
        classes.append(
            DurationClass(
                name=str(entry["name"]),
                from_days=_days(entry["from"], at) if "from" in entry else None,
                up_to_days=_days(entry["up_to"], at) if "up_to" in entry else None,
                source=entry_source(entry, path, where),
            )
        )
    open_ended = [c for c in classes if c.from_days is None and c.up_to_days is None]
    if len(open_ended) != 1 or classes[-1] is not open_ended[0]:
        msg = f"data/{path}: exactly one class, the last, must have neither 'from' nor 'up_to'."
        raise TableError(msg)
    return tuple(classes)


def _single_entry(path: str, key: str, value: str) -> tuple[str, str, Mapping[str, Any]]:
    """Return ``(where, at, entry)`` of the one ``[[key]]`` entry of a table (checked keys)."""
    entries = _entries(read_table(path), key, path)
    if len(entries) != 1:
        msg = f"data/{path}: exactly one [[{key}]] entry is expected."
        raise TableError(msg)
    where, entry = entries[0]
    at = f"data/{path} {where}"
    check_keys(entry, required={value, "source"}, optional={"notes"}, where=at)
    return where, at, entry


@cache
def final_step() -> FinalStep:
    """Load the end-of-taper rule (lengthen the dosing interval, then stop)."""
    path = FINAL_STEP_PATH
    where, at, entry = _single_entry(path, "final_steps", "every_days")
    every = entry["every_days"]
    if isinstance(every, bool) or not isinstance(every, int) or every < 2:
        msg = f"{at}: every_days must be a whole number of days, at least 2."
        raise TableError(msg)
    return FinalStep(every_days=every, source=entry_source(entry, path, where))


@cache
def hybrid() -> Hybrid:
    """Load the hybrid taper's switch point."""
    path = HYBRID_PATH
    where, at, entry = _single_entry(path, "hybrid", "switch_fraction")
    fraction = _number(entry["switch_fraction"], at, low=0, high=1)
    if fraction == 1:
        msg = f"{at}: switch_fraction must be below 1."
        raise TableError(msg)
    return Hybrid(switch_fraction=fraction, source=entry_source(entry, path, where))


def _names(value: object, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        msg = f"{where}: {key!r} must be a list of names."
        raise TableError(msg)
    return tuple(v.lower() for v in value)


@cache
def product_rules() -> ProductRules:
    """Load patch change intervals, unsplittable forms and refusals."""
    path = PRODUCTS_PATH
    doc = read_table(path)
    patches: list[PatchRule] = []
    for where, entry in _entries(doc, "patches", path):
        at = f"data/{path} {where}"
        check_keys(
            entry,
            required={"ingredient", "products", "change_interval", "source"},
            optional={"notes"},
            where=at,
        )
        hours = _days(entry["change_interval"], at, unit="h")
        if hours.denominator != 1 or hours % 24:
            msg = f"{at}: change_interval must be a whole number of days."
            raise TableError(msg)
        patches.append(
            PatchRule(
                ingredient=str(entry["ingredient"]).lower(),
                products=_names(entry["products"], at, "products"),
                change_hours=hours,
                source=entry_source(entry, path, where),
            )
        )
    unsplittable: dict[str, Unsplittable] = {}
    for where, entry in _entries(doc, "unsplittable_forms", path):
        at = f"data/{path} {where}"
        check_keys(entry, required={"form", "reason", "source"}, optional={"notes"}, where=at)
        form = str(entry["form"])
        unsplittable[form] = Unsplittable(
            form=form, reason=str(entry["reason"]), source=entry_source(entry, path, where)
        )
    refusals: list[Refusal] = []
    for where, entry in _entries(doc, "refusals", path):
        at = f"data/{path} {where}"
        check_keys(
            entry,
            required={"reason", "source"},
            optional={"ingredient", "products", "routes", "indications", "notes"},
            where=at,
        )
        if not {"ingredient", "products", "routes", "indications"} & entry.keys():
            msg = (
                f"{at}: a refusal needs at least one of ingredient, products, routes, indications."
            )
            raise TableError(msg)
        refusals.append(
            Refusal(
                ingredient=str(entry["ingredient"]).lower() if "ingredient" in entry else None,
                routes=_names(entry["routes"], at, "routes") if "routes" in entry else None,
                indications=(
                    _names(entry["indications"], at, "indications")
                    if "indications" in entry
                    else None
                ),
                reason=str(entry["reason"]),
                source=entry_source(entry, path, where),
                products=_names(entry["products"], at, "products") if "products" in entry else None,
            )
        )
    return ProductRules(patches=tuple(patches), unsplittable=unsplittable, refusals=tuple(refusals))
