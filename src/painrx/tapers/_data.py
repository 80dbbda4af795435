"""Load the cited taper tables under ``painrx/data/tapers``.

The shape of each table kind is declared once below (the ``_*File`` and ``_*Row``
classes, registered with :func:`painrx.tables.table_shape`); the tables loader finds the
files by kind, verifies them and refuses a malformed entry with one
:class:`~painrx.tables.TableError` naming the file, the path inside it and what was
expected. Quantities written as text (``"30 day"``, ``"72 h"``) become exact numbers,
so a malformed table fails loudly instead of shaping a schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import cache
from types import MappingProxyType
from typing import Annotated, Final, TypeVar

import attrs

from painrx._numbers import exact_conversion
from painrx.errors import Severity, TableError
from painrx.provenance import Provenance
from painrx.tables import (
    NonEmpty,
    OfKind,
    Range,
    ShapeError,
    load,
    table_error,
    table_info,
    table_part,
    table_shape,
    tables,
)
from painrx.units import Quantity, magnitude

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
    "duration_classes",
    "final_step",
    "guideline",
    "guideline_ids",
    "hybrid",
    "product_rules",
]

POST_OPERATIVE_PATH: Final = "tapers/post_operative.toml"
#: The tables that hold the end-of-taper rule and the hybrid taper's switch point.
FINAL_STEP_TABLE: Final = "CDC_2022"
HYBRID_TABLE: Final = "HHS_2019"

_Duration = Annotated[Quantity, OfKind("time")]
_Names = tuple[Annotated[str, NonEmpty()], ...]
_Row = TypeVar("_Row")


def _days(q: Quantity, unit: str = "day") -> Fraction:
    return exact_conversion(magnitude(q, unit))


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


# --------------------------------------------------------------------------- shapes


@table_part
class _PaceRow:
    use: str
    max_percent: Annotated[Fraction, Range(low=0, low_open=True, high=100)]
    per: _Duration
    severity: Severity
    source: Provenance
    notes: str = ""


@table_part
class _ExpectedRow:
    use: str
    max_duration: _Duration
    severity: Severity
    source: Provenance
    notes: str = ""


@table_part
class _FinalStepRow:
    every_days: Annotated[int, Range(low=2)]
    source: Provenance
    notes: str = ""


@table_part
class _HybridRow:
    switch_fraction: Annotated[Fraction, Range(low=0, low_open=True, high=1, high_open=True)]
    source: Provenance
    notes: str = ""


@table_shape("taper_guideline")
@table_part
class _GuidelineFile:
    """A taper guideline (``data/tapers/*.toml`` of kind ``taper_guideline``)."""

    paces: tuple[_PaceRow, ...] = ()
    expected_durations: tuple[_ExpectedRow, ...] = ()
    final_steps: tuple[_FinalStepRow, ...] = ()
    hybrid: tuple[_HybridRow, ...] = ()

    def __attrs_post_init__(self) -> None:
        uses = [pace.use for pace in self.paces]
        for i, use in enumerate(uses):
            if use in uses[:i]:
                msg = f"a second pace for {use!r}."
                raise ShapeError(msg, at=f"paces[{i}]")


@table_part
class _ClassRow:
    name: str
    source: Provenance
    from_: _Duration | None = attrs.field(default=None, metadata={"key": "from"})
    up_to: _Duration | None = None
    notes: str = ""


@table_shape("taper_duration_classes")
@table_part
class _ClassesFile:
    """The duration-of-use classes (``data/tapers/duration_of_use.toml``)."""

    classes: tuple[_ClassRow, ...]

    def __attrs_post_init__(self) -> None:
        open_ended = [c for c in self.classes if c.from_ is None and c.up_to is None]
        if len(open_ended) != 1 or self.classes[-1] is not open_ended[0]:
            msg = "exactly one class, the last, must have neither 'from' nor 'up_to'."
            raise ShapeError(msg, at="classes")


@table_part
class _PatchRow:
    ingredient: str
    products: _Names
    change_interval: _Duration
    source: Provenance
    notes: str = ""

    def __attrs_post_init__(self) -> None:
        hours = _days(self.change_interval, "h")
        if hours.denominator != 1 or hours % 24:
            msg = "change_interval must be a whole number of days."
            raise ShapeError(msg, at="change_interval")


@table_part
class _UnsplittableRow:
    form: str
    reason: str
    source: Provenance
    notes: str = ""


@table_part
class _RefusalRow:
    reason: str
    source: Provenance
    ingredient: str | None = None
    products: _Names | None = None
    routes: _Names | None = None
    indications: _Names | None = None
    notes: str = ""

    def __attrs_post_init__(self) -> None:
        if (self.ingredient, self.products, self.routes, self.indications) == (None,) * 4:
            msg = "a refusal needs at least one of ingredient, products, routes, indications."
            raise ShapeError(msg)


@table_shape("taper_product_rules")
@table_part
class _ProductsFile:
    """Patch intervals, unsplittable forms and refusals (``data/tapers/products.toml``)."""

    patches: tuple[_PatchRow, ...] = ()
    unsplittable_forms: tuple[_UnsplittableRow, ...] = ()
    refusals: tuple[_RefusalRow, ...] = ()


# --------------------------------------------------------------------------- accessors


def _lower(names: tuple[str, ...] | None) -> tuple[str, ...] | None:
    return None if names is None else tuple(n.lower() for n in names)


def _id_of(path: str) -> str:
    for info in tables("taper_guideline"):
        if info.path == path:
            return info.id
    msg = f"No taper guideline table is stored at data/{path}; known: {sorted(guideline_ids())}."
    raise TableError(msg)


@cache
def guideline(path: str) -> Guideline:
    """Load one guideline table (paces and expected durations), by its data path."""
    table_id = _id_of(path)
    doc = load(_GuidelineFile, table_id)
    known = sorted(c.name for c in duration_classes())
    uses = [("paces", i, p.use) for i, p in enumerate(doc.paces)]
    uses += [("expected_durations", i, e.use) for i, e in enumerate(doc.expected_durations)]
    for field, i, use in uses:
        if use not in known:
            raise table_error(path, f"{field}[{i}].use", f"expected one of {known}, got {use!r}")
    paces = {
        p.use: Pace(p.use, p.max_percent, _days(p.per), p.severity, p.source) for p in doc.paces
    }
    expected = {
        e.use: ExpectedDuration(e.use, _days(e.max_duration), e.severity, e.source)
        for e in doc.expected_durations
    }
    return Guideline(
        id=table_id,
        source=table_info(table_id, kind="taper_guideline").source,
        paces=MappingProxyType(paces),
        expected=MappingProxyType(expected),
    )


@cache
def guideline_ids() -> Mapping[str, str]:
    """Return ``{guideline id: data path}`` for every taper guideline table."""
    return MappingProxyType({info.id: info.path for info in tables("taper_guideline")})


@cache
def duration_classes() -> tuple[DurationClass, ...]:
    """Load the duration-of-use classes, in the order they are checked."""
    (table,) = tables("taper_duration_classes")
    return tuple(
        DurationClass(
            name=row.name,
            from_days=_days(row.from_) if row.from_ is not None else None,
            up_to_days=_days(row.up_to) if row.up_to is not None else None,
            source=row.source,
        )
        for row in load(_ClassesFile, table.id).classes
    )


def _one(rows: tuple[_Row, ...], table_id: str, field: str) -> _Row:
    if len(rows) != 1:
        path = table_info(table_id, kind="taper_guideline").path
        raise table_error(path, field, f"exactly one [[{field}]] entry is expected.")
    return rows[0]


@cache
def final_step() -> FinalStep:
    """Load the end-of-taper rule (lengthen the dosing interval, then stop)."""
    rows = load(_GuidelineFile, FINAL_STEP_TABLE).final_steps
    row = _one(rows, FINAL_STEP_TABLE, "final_steps")
    return FinalStep(every_days=row.every_days, source=row.source)


@cache
def hybrid() -> Hybrid:
    """Load the hybrid taper's switch point."""
    row = _one(load(_GuidelineFile, HYBRID_TABLE).hybrid, HYBRID_TABLE, "hybrid")
    return Hybrid(switch_fraction=row.switch_fraction, source=row.source)


@cache
def product_rules() -> ProductRules:
    """Load patch change intervals, unsplittable forms and refusals."""
    (table,) = tables("taper_product_rules")
    doc = load(_ProductsFile, table.id)
    patches = tuple(
        PatchRule(
            ingredient=row.ingredient.lower(),
            products=tuple(n.lower() for n in row.products),
            change_hours=_days(row.change_interval, "h"),
            source=row.source,
        )
        for row in doc.patches
    )
    unsplittable = {
        row.form: Unsplittable(row.form, row.reason, row.source) for row in doc.unsplittable_forms
    }
    refusals = tuple(
        Refusal(
            ingredient=row.ingredient.lower() if row.ingredient is not None else None,
            routes=_lower(row.routes),
            indications=_lower(row.indications),
            reason=row.reason,
            source=row.source,
            products=_lower(row.products),
        )
        for row in doc.refusals
    )
    return ProductRules(patches, MappingProxyType(unsplittable), refusals)
