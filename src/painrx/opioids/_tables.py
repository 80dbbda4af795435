"""Loading and validating the opioid data files (MME factors, ratios, methods, thresholds).

Every clinical number of :mod:`painrx.opioids` is read here from a cited TOML file under
``painrx/data`` (``mme/``, ``ratios/``, ``opioid_methods/``, ``thresholds/``) and held
as an exact :class:`~fractions.Fraction`. Each file kind's shape is declared once below
(the ``_*File`` and ``_*Row`` classes, registered with :func:`painrx.tables.table_shape`);
the tables loader discovers the files by kind, verifies and structures them, so adding an
edition needs no code change. A malformed file is a :class:`~painrx.tables.TableError`
naming the file, the path inside it and what was expected, the first time it is used
(and in the test suite, which loads every table).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import cache, lru_cache
from typing import Annotated, Any, Final, Generic, Literal, TypeVar

import attrs

from painrx._numbers import exact
from painrx.errors import Alert, InputError, NoFactorError, Severity, TableError
from painrx.provenance import Provenance
from painrx.tables import (
    Form,
    NonEmpty,
    NonNegative,
    OfKind,
    Positive,
    Range,
    Route,
    ShapeError,
    load,
    structure,
    table_ids,
    table_info,
    table_part,
    table_shape,
    tables,
)
from painrx.units import Q, format_units, registry

__all__ = [
    "BASES",
    "AlertSpec",
    "Band",
    "Exclusion",
    "FactorEntry",
    "MMETable",
    "OpioidMethod",
    "PatchFacts",
    "RatioMember",
    "RatioTable",
    "Step",
    "ThresholdLevel",
    "ThresholdPolicy",
    "alert",
    "drug_alerts",
    "exact",
    "exact_factor",
    "method",
    "method_ids",
    "mme_table",
    "mme_table_ids",
    "patch_facts",
    "patch_ingredients",
    "ratio_table",
    "ratio_table_ids",
    "threshold_ids",
    "threshold_policy",
]

#: The daily-dose units an MME factor may multiply.
BASES: Final = ("mg/day", "mcg/day", "mcg/h")
_MASS_OF_BASIS: Final[Mapping[str, str]] = {"mg/day": "mg", "mcg/day": "mcg", "mcg/h": "mcg/h"}

#: A non-empty set of routes or forms, as the data files list them.
_Routes = Annotated[frozenset[Route], NonEmpty()]
_Forms = Annotated[frozenset[Form], NonEmpty()]


@lru_cache(maxsize=1024)
def _unit_factor(units: Any, target: str) -> Fraction:
    reg = registry()
    return exact(float(reg.Quantity(1.0, units).m_as(Q(1.0, target).units)))


def exact_factor(units: Any, target: str) -> Fraction:
    """Return the exact factor from a quantity's pint units to ``target`` (e.g. ``"mg/day"``)."""
    return _unit_factor(units, target)


_Doc = TypeVar("_Doc")
_Built = TypeVar("_Built")


@attrs.frozen(eq=False)
class _TableKind(Generic[_Doc, _Built]):
    """One kind of opioid table: its declared file shape, what a file becomes, and its name.

    MME factor tables, ratio tables, rotation methods and threshold policies are all
    looked up by id, built once from their verified file and cached, and parsed from an
    edited document by the tests; this object does that for each of them.

    Attributes:
        shape: The declared file shape (a :func:`painrx.tables.table_shape` class).
        what: The name of one table in messages (``"MME table"``).
        build: Turns a structured file and its id into the value painrx uses.
    """

    shape: type[_Doc]
    what: str
    build: Callable[[_Doc, str], _Built]
    _built: dict[str, _Built] = attrs.field(factory=dict, init=False, repr=False)

    def ids(self) -> tuple[str, ...]:
        """Return the ids of every shipped table of this kind, sorted."""
        return table_ids(self.shape)

    def get(self, table_id: object) -> _Built:
        """Return a table by id, built once.

        Raises:
            InputError: No table of this kind has that id.
        """
        ids = self.ids()
        if not isinstance(table_id, str) or table_id not in ids:
            msg = f"Unknown {self.what} {table_id!r}; accepted: {', '.join(ids)}."
            raise InputError(msg)
        built = self._built.get(table_id)
        if built is None:
            # Building is pure: two threads racing here build equal values, one is kept.
            built = self._built.setdefault(
                table_id, self.build(load(self.shape, table_id), table_id)
            )
        return built

    def parse(self, doc: Mapping[str, Any], table_id: str, path: str) -> _Built:
        """Build a table from a parsed document (tests and tools: an edited copy)."""
        return self.build(structure(doc, self.shape, file=path), table_id)

    def cache_clear(self) -> None:
        """Forget the built tables (tests that swap the data directory)."""
        self._built.clear()


# --------------------------------------------------------------------------- bands


@attrs.frozen
class Band:
    """One half-open dose band: ``[low, high)`` or ``(low, high]`` (``high`` None = open).

    Attributes:
        low: Lower bound.
        low_inclusive: Whether ``low`` itself is in the band.
        high: Upper bound, or None for the last, open-ended band.
        high_inclusive: Whether ``high`` itself is in the band.
        value: The factor, ratio or strength the band gives.
    """

    low: Fraction
    low_inclusive: bool
    high: Fraction | None
    high_inclusive: bool
    value: Fraction

    def contains(self, x: Fraction) -> bool:
        """Return True when ``x`` falls in this band."""
        above = x >= self.low if self.low_inclusive else x > self.low
        if not above:
            return False
        if self.high is None:
            return True
        return x <= self.high if self.high_inclusive else x < self.high

    def describe(self) -> str:
        """Return the band in interval notation, e.g. ``"(20, 40]"``."""
        left = "[" if self.low_inclusive else "("
        if self.high is None:
            return f"{left}{_num(self.low)}, ∞)"
        right = "]" if self.high_inclusive else ")"
        return f"{left}{_num(self.low)}, {_num(self.high)}{right}"


def _num(x: Fraction) -> str:
    return f"{float(x):g}"


@table_part
class _BandRow:
    """One ``{ from|above = low, below|up_to = high, factor|ratio|strength = value }``."""

    from_: NonNegative | None = attrs.field(default=None, metadata={"key": "from"})
    above: NonNegative | None = None
    below: NonNegative | None = None
    up_to: NonNegative | None = None
    factor: Positive | None = None
    ratio: Positive | None = None
    strength: Positive | None = None
    source: Provenance | None = None

    def __attrs_post_init__(self) -> None:
        if (self.from_ is None) == (self.above is None):
            msg = "give exactly one of 'from' (inclusive) or 'above' (exclusive)"
            raise ShapeError(msg)
        if self.below is not None and self.up_to is not None:
            msg = "give at most one of 'below' (exclusive) or 'up_to' (inclusive)"
            raise ShapeError(msg)
        if len(self.values()) != 1:
            msg = "give exactly one of 'factor', 'ratio' or 'strength'"
            raise ShapeError(msg)

    def values(self) -> dict[str, Fraction]:
        """Return the band's value by its key (one of factor, ratio, strength)."""
        found = {"factor": self.factor, "ratio": self.ratio, "strength": self.strength}
        return {k: v for k, v in found.items() if v is not None}

    def band(self) -> Band:
        """Return the band this row declares."""
        low = self.above if self.from_ is None else self.from_
        return Band(
            low=low if low is not None else Fraction(0),
            low_inclusive=self.from_ is not None,
            high=self.below if self.below is not None else self.up_to,
            high_inclusive=self.up_to is not None,
            value=next(iter(self.values().values())),
        )


def _chain(rows: tuple[_BandRow, ...], value_key: str, field: str) -> tuple[Band, ...]:
    """Return the bands of ``rows``, refusing gaps, overlaps and the wrong value key."""
    if not rows:
        msg = "no bands"
        raise ShapeError(msg, at=field)
    bands: list[Band] = []
    for i, row in enumerate(rows):
        at = f"{field}[{i}]"
        if value_key not in row.values():
            msg = f"the bands of this table give {value_key!r}"
            raise ShapeError(msg, at=at)
        band = row.band()
        if band.high is not None and band.high <= band.low:
            msg = "the upper bound must be above the lower bound."
            raise ShapeError(msg, at=at)
        if bands:
            prev = bands[-1]
            if prev.high is None or prev.high != band.low:
                msg = "bands must be contiguous (no gap, no overlap) and sorted."
                raise ShapeError(msg, at=at)
            if prev.high_inclusive == band.low_inclusive:
                msg = (
                    f"the boundary {_num(band.low)} must belong to exactly one band "
                    "(pair 'up_to' with 'above', or 'below' with 'from')."
                )
                raise ShapeError(msg, at=at)
        bands.append(band)
    return tuple(bands)


def _find_band(bands: tuple[Band, ...], x: Fraction) -> Band | None:
    return next((b for b in bands if b.contains(x)), None)


# --------------------------------------------------------------------------- MME factors


@attrs.frozen
class FactorEntry:
    """One MME factor of one table, for an ingredient by some routes and forms.

    Attributes:
        table: Table id.
        ingredient: Catalog ingredient id.
        routes: Routes the factor applies to.
        forms: Dose forms it applies to (None: every form by those routes).
        basis: The daily-dose unit the factor multiplies (``"mg/day"``, ``"mcg/day"``,
            ``"mcg/h"`` for a patch strength).
        factor: The number as printed (None when the factor is banded).
        bands: Dose bands on the daily dose in ``basis`` (CDC 2016 methadone).
        per: ``"daily_dose"``, or ``"prescription"`` for a factor that multiplies the
            CDC file formula with the days-supply rule (fentanyl patch 7.2).
        days_per_unit: Days one unit lasts under the file's days-supply rule.
        notes: Remarks from the data file.
        source: The citation.
        days_as_written: For a patch, the source of the rule that a prescription's
            days supply counts as written (one patch worn at a time, strength × factor
            a day: the NIH HEAL calculator); None when the table states no such rule.
    """

    table: str
    ingredient: str
    routes: frozenset[str]
    forms: frozenset[str] | None
    basis: str
    factor: Fraction | None
    bands: tuple[Band, ...]
    per: Literal["daily_dose", "prescription"]
    days_per_unit: Fraction | None
    notes: str
    source: Provenance
    days_as_written: Provenance | None = None

    @property
    def banded(self) -> bool:
        """Whether the factor depends on the daily dose."""
        return bool(self.bands)

    def dose_factor(self, daily: Fraction) -> Fraction:
        """Return the factor that multiplies a daily dose (in ``basis``) to give MME/day.

        Raises:
            NoFactorError: A banded factor has no band for this dose.
        """
        if self.factor is None:
            band = _find_band(self.bands, daily)
            if band is None:
                msg = (
                    f"{self.table} has no {self.ingredient} band for "
                    f"{_num(daily)} {self.basis}; its bands are "
                    f"{', '.join(b.describe() for b in self.bands)} {self.basis}."
                )
                raise NoFactorError(msg)
            return band.value
        if self.days_per_unit is not None:
            return self.factor / self.days_per_unit
        return self.factor

    def describe(self) -> str:
        """Return the factor as printed, e.g. ``"1.5"`` or ``"(0, 20] 4; (20, 40] 8"``."""
        if self.factor is None:
            return "; ".join(f"{b.describe()} → {_num(b.value)}" for b in self.bands)
        text = _num(self.factor)
        if self.days_per_unit is not None:
            text += f" (file formula, days supply = units × {_num(self.days_per_unit)})"
        return text

    def matches(self, route: str, form: str | None) -> bool:
        """Return True when the entry covers this route and form."""
        if route not in self.routes:
            return False
        return form is None or self.forms is None or form in self.forms


@attrs.frozen
class Exclusion:
    """A documented absence: the table gives no factor, and says why.

    Attributes:
        ingredient: The ingredient excluded (None: every ingredient).
        routes: The routes excluded (None: every route).
        reason: Why, in the source's terms.
        source: The citation.
    """

    ingredient: str | None
    routes: frozenset[str] | None
    reason: str
    source: Provenance

    def applies(self, ingredient: str, route: str) -> bool:
        """Return True when the exclusion covers this ingredient and route."""
        return (self.ingredient is None or self.ingredient == ingredient) and (
            self.routes is None or route in self.routes
        )


@attrs.frozen
class MMETable:
    """One edition of MME conversion factors, as loaded from its data file.

    Attributes:
        id: Table id, e.g. ``"CDC_2022"``.
        path: Data file, relative to ``painrx/data``.
        source: The table's provenance.
        entries: Every factor.
        exclusions: Every documented absence.
    """

    id: str
    path: str
    source: Provenance
    entries: tuple[FactorEntry, ...]
    exclusions: tuple[Exclusion, ...]

    def ingredients(self) -> frozenset[str]:
        """Return the ingredients this table gives a factor for."""
        return frozenset(e.ingredient for e in self.entries)

    def own(self, ingredient: str) -> list[FactorEntry]:
        """Return this table's factor entries for one ingredient (every route and form)."""
        return [e for e in self.entries if e.ingredient == ingredient]

    def lookup(self, ingredient: str, route: str, form: str | None) -> FactorEntry:
        """Return the one factor entry for an ingredient, route and form.

        Raises:
            NoFactorError: The table has no factor for it (with the reason when the
                table documents one).
            InputError: Several forms by that route have different factors and no
                ``form`` was given.
        """
        return _lookup(self, ingredient, route, form)


@lru_cache(maxsize=1024)
def _lookup(table: MMETable, ingredient: str, route: str, form: str | None) -> FactorEntry:
    for exclusion in table.exclusions:
        if exclusion.applies(ingredient, route):
            msg = (
                f"{table.id} gives no MME factor for {ingredient} by the {route} route: "
                f"{exclusion.reason} (source: {exclusion.source.id}, {exclusion.source.title})"
            )
            raise NoFactorError(msg)
    own = table.own(ingredient)
    if not own:
        others = [t for t in mme_table_ids() if ingredient in mme_table(t).ingredients()]
        hint = f" Tables with a factor for it: {', '.join(others)}." if others else ""
        msg = f"{table.id} has no MME factor for {ingredient}.{hint}"
        raise NoFactorError(msg)
    found = [e for e in own if e.matches(route, form)]
    if not found:
        covered = "; ".join(_describe_coverage(e) for e in own)
        what = f"{route} route" + (f", form {form}" if form else "")
        others = []
        for other in mme_table_ids():
            matching = [e for e in mme_table(other).own(ingredient) if e.matches(route, form)]
            if other != table.id and matching:
                forms = sorted({f for e in matching for f in e.forms or ()})
                others.append(other + (f" ({', '.join(forms)})" if forms else ""))
        hint = f" Tables with a factor for it by the {what}: {'; '.join(others)}." if others else ""
        msg = (
            f"{table.id} has no MME factor for {ingredient} by the {what}; it covers {covered}"
            f" (give route= to choose).{hint}"
        )
        raise NoFactorError(msg)
    if len(found) > 1:
        options = "; ".join(
            f"form={sorted(e.forms or ())} → {e.describe()} per {e.basis}" for e in found
        )
        msg = (
            f"{table.id} has several factors for {ingredient} by the {route} route; "
            f"give form= to choose: {options}."
        )
        raise InputError(msg)
    return found[0]


def _describe_coverage(entry: FactorEntry) -> str:
    forms = f" ({', '.join(sorted(entry.forms))})" if entry.forms else ""
    return f"{'/'.join(sorted(entry.routes))}{forms}"


@table_part
class _FactorRow:
    """One ``[[factor]]`` of an MME factor file."""

    ingredient: str
    routes: _Routes
    basis: Literal["mg/day", "mcg/day", "mcg/h"]
    source: Provenance
    forms: _Forms | None = None
    factor: Positive | None = None
    bands: tuple[_BandRow, ...] | None = None
    per: Literal["daily_dose", "prescription"] = "daily_dose"
    days_per_unit: Positive | None = None
    notes: str = ""
    days_as_written: Provenance | None = None

    def __attrs_post_init__(self) -> None:
        if self.days_as_written is not None and (
            self.basis != "mcg/h" or self.days_per_unit is not None
        ):
            msg = "'days_as_written' applies to a patch factor (mcg/h) without days_per_unit."
            raise ShapeError(msg, at="days_as_written")
        if (self.factor is None) == (self.bands is None):
            msg = "give exactly one of 'factor' or 'bands'."
            raise ShapeError(msg)
        if (self.per == "prescription") != (self.days_per_unit is not None):
            msg = "'days_per_unit' is required with, and only with, per = 'prescription'."
            raise ShapeError(msg)
        if self.bands is not None:
            if self.basis == "mcg/h":
                msg = "bands must be on a mg/day or mcg/day basis."
                raise ShapeError(msg, at="bands")
            _chain(self.bands, "factor", "bands")

    def entry(self, table_id: str) -> FactorEntry:
        """Return the factor entry this row declares."""
        return FactorEntry(
            table=table_id,
            ingredient=self.ingredient,
            routes=self.routes,
            forms=self.forms,
            basis=self.basis,
            factor=self.factor,
            bands=_chain(self.bands, "factor", "bands") if self.bands is not None else (),
            per=self.per,
            days_per_unit=self.days_per_unit,
            notes=self.notes,
            source=self.source,
            days_as_written=self.days_as_written,
        )


@table_part
class _ExclusionRow:
    """One ``[[excluded]]``: a documented absence."""

    reason: str
    source: Provenance
    ingredient: str | None = None
    routes: _Routes | None = None

    def __attrs_post_init__(self) -> None:
        if self.ingredient is None and self.routes is None:
            msg = "an exclusion names an ingredient, routes, or both."
            raise ShapeError(msg)


@table_shape("mme_factors")
@table_part
class _MMEFile:
    """An MME factor file (``data/mme/*.toml``)."""

    factor: tuple[_FactorRow, ...] = ()
    excluded: tuple[_ExclusionRow, ...] = ()

    def __attrs_post_init__(self) -> None:
        seen: set[tuple[str, str, str | None]] = set()
        for i, row in enumerate(self.factor):
            for route in sorted(row.routes):
                for form in sorted(row.forms) if row.forms else [None]:
                    covered = (row.ingredient, route, form)
                    if covered in seen:
                        msg = f"two factors for {covered}."
                        raise ShapeError(msg, at=f"factor[{i}]")
                    seen.add(covered)


def _mme_from(doc: _MMEFile, table_id: str) -> MMETable:
    entries = tuple(row.entry(table_id) for row in doc.factor)
    exclusions = tuple(
        Exclusion(row.ingredient, row.routes, row.reason, row.source) for row in doc.excluded
    )
    info = table_info(table_id, kind="mme_factors")
    return MMETable(table_id, info.path, info.source, entries, exclusions)


MME_TABLES: Final = _TableKind(_MMEFile, "MME table", _mme_from)


def mme_table_ids() -> tuple[str, ...]:
    """Return the ids of every MME factor table, sorted."""
    return MME_TABLES.ids()


def mme_table(table_id: object) -> MMETable:
    """Return an MME factor table by id.

    Raises:
        InputError: No table has that id.
    """
    return MME_TABLES.get(table_id)


# --------------------------------------------------------------------------- ratios


@attrs.frozen
class RatioMember:
    """One drug-and-route of a ratio table, with its relative potency.

    Attributes:
        ingredient: Catalog ingredient id.
        routes: Routes it stands for.
        forms: Dose forms (None: any form by those routes).
        potency: Equianalgesic units per one ``unit`` of this drug: 1/dose for a chart
            of equianalgesic doses, the factor for a table derived from MME factors.
        unit: ``"mg"``, ``"mcg"``, or ``"mcg/h"`` for a patch strength (whose
            equivalent is per day).
        label: The number as the source prints it.
    """

    ingredient: str
    routes: frozenset[str]
    forms: frozenset[str] | None
    potency: Fraction
    unit: str
    label: str

    def matches(self, ingredient: str, route: str, form: str | None) -> bool:
        """Return True when the member stands for this ingredient, route and form."""
        if ingredient != self.ingredient or route not in self.routes:
            return False
        return form is None or self.forms is None or form in self.forms


@attrs.frozen
class RatioGroup:
    """Drugs the source states to be equianalgesic to one another.

    Attributes:
        name: Group name from the data file.
        members: The drugs, routes and doses.
        source: The citation.
    """

    name: str
    members: tuple[RatioMember, ...]
    source: Provenance


@attrs.frozen
class RatioTable:
    """An equianalgesic ratio table for :func:`painrx.opioids.convert_opioid`.

    Attributes:
        id: Table id, e.g. ``"MSD_MANUAL"``.
        path: Data file, relative to ``painrx/data``.
        source: The table's provenance.
        groups: Groups of mutually equianalgesic doses; only pairs inside one group
            convert (painrx never chains groups).
        alerts: Alert codes every conversion under this table carries.
        derived_from: The MME file a derived table reads its numbers from, or None.
        reduction: The cross-tolerance reduction the source itself states for a switch
            (a fraction, e.g. 1/2 for the MSD Manual), or None where it is silent.
        reduction_source: The citation of ``reduction``.
    """

    id: str
    path: str
    source: Provenance
    groups: tuple[RatioGroup, ...]
    alerts: tuple[str, ...]
    derived_from: str | None
    reduction: Fraction | None = None
    reduction_source: Provenance | None = None

    def pair(
        self, src: tuple[str, str, str | None], tgt: tuple[str, str, str | None]
    ) -> tuple[RatioMember, RatioMember, Provenance]:
        """Return the members for a source and a target that share one group.

        Raises:
            NoFactorError: No group holds both.
            InputError: A drug has several forms by that route and no form was given.
        """
        return _pair(self, src, tgt)

    def describe(self) -> str:
        """Return the pairs this table covers, one group per clause."""
        parts = []
        for group in self.groups:
            names = ", ".join(f"{m.ingredient} {'/'.join(sorted(m.routes))}" for m in group.members)
            parts.append(f"{group.name}: {names}")
        return "; ".join(parts)


def _member(group: RatioGroup, ingredient: str, route: str, form: str | None) -> RatioMember | None:
    found = [m for m in group.members if m.matches(ingredient, route, form)]
    if len(found) > 1:
        options = ", ".join(f"{sorted(m.forms or ())}" for m in found)
        msg = f"{ingredient} by the {route} route has several forms here; give a form: {options}."
        raise InputError(msg)
    return found[0] if found else None


@lru_cache(maxsize=1024)
def _pair(
    table: RatioTable, src: tuple[str, str, str | None], tgt: tuple[str, str, str | None]
) -> tuple[RatioMember, RatioMember, Provenance]:
    for group in table.groups:
        a = _member(group, *src)
        b = _member(group, *tgt) if a is not None else None
        if a is not None and b is not None:
            return a, b, group.source
    msg = (
        f"The {table.id} ratio table has no ratio from {src[0]} ({src[1]}) to "
        f"{tgt[0]} ({tgt[1]}). It covers {table.describe()}."
    )
    raise NoFactorError(msg)


@table_part
class _MemberRow:
    """One member of a ``[[group]]``: a drug, its routes and its equianalgesic dose."""

    ingredient: str
    routes: _Routes
    dose: Annotated[str, OfKind("mass")]
    forms: _Forms | None = None

    def member(self) -> RatioMember:
        """Return the ratio member this row declares."""
        dose = Q(self.dose)
        return RatioMember(
            ingredient=self.ingredient,
            routes=self.routes,
            forms=self.forms,
            potency=1 / exact(float(dose.magnitude)),
            unit=format_units(dose),
            label=self.dose,
        )


@table_part
class _GroupRow:
    """One ``[[group]]`` of mutually equianalgesic doses."""

    name: str
    members: tuple[_MemberRow, ...]
    source: Provenance

    def __attrs_post_init__(self) -> None:
        if len(self.members) < 2:
            msg = "a group needs at least two members."
            raise ShapeError(msg, at="members")


@table_part
class _DerivedRow:
    """The ``[derived]`` block of a ratio table read from an MME factor file."""

    from_: str = attrs.field(metadata={"key": "from"})
    routes: _Routes = attrs.field(kw_only=True)
    alerts: tuple[str, ...] = attrs.field(kw_only=True)
    source: Provenance = attrs.field(kw_only=True)

    def __attrs_post_init__(self) -> None:
        files = sorted(info.path for info in tables("mme_factors"))
        if self.from_ not in files:
            msg = f"'from' must name an MME factor file ({files}), got {self.from_!r}."
            raise ShapeError(msg, at="from")
        for code in self.alerts:
            alert(code)


@table_part
class _ReductionRow:
    """The ``[reduction]`` a ratio source itself states for a switch (MSD Manual: 50%)."""

    cross_tolerance: Annotated[Fraction, Range(low=0, high=1, high_open=True)]
    source: Provenance


@table_shape("opioid_ratios")
@table_part
class _RatioFile:
    """A ratio table (``data/ratios/*.toml``): explicit groups, or derived from MME factors."""

    group: tuple[_GroupRow, ...] | None = None
    derived: _DerivedRow | None = None
    reduction: _ReductionRow | None = None

    def __attrs_post_init__(self) -> None:
        if (self.group is None) == (self.derived is None):
            msg = "give either [[group]] tables or one [derived] table."
            raise ShapeError(msg)


def _derived_group(block: _DerivedRow) -> RatioGroup:
    origin = next(info.id for info in tables("mme_factors") if info.path == block.from_)
    mme = mme_table(origin)
    members = tuple(
        RatioMember(
            ingredient=e.ingredient,
            routes=e.routes & block.routes,
            forms=e.forms,
            potency=e.dose_factor(Fraction(1)),
            unit=_MASS_OF_BASIS[e.basis],
            label=f"{e.describe()} per {e.basis} ({mme.id})",
        )
        for e in mme.entries
        if e.routes & block.routes and not e.banded
    )
    return RatioGroup(f"derived from {mme.id}", members, block.source)


def _ratios_from(doc: _RatioFile, table_id: str) -> RatioTable:
    info = table_info(table_id, kind="opioid_ratios")
    path, source = info.path, info.source
    reduction = doc.reduction
    stated = (reduction.cross_tolerance, reduction.source) if reduction else (None, None)
    if doc.derived is not None:
        derived = (_derived_group(doc.derived),)
        return RatioTable(
            table_id, path, source, derived, doc.derived.alerts, doc.derived.from_, *stated
        )
    groups = tuple(
        RatioGroup(g.name, tuple(m.member() for m in g.members), g.source) for g in doc.group or ()
    )
    return RatioTable(table_id, path, source, groups, (), None, *stated)


RATIO_TABLES: Final = _TableKind(_RatioFile, "ratio table", _ratios_from)


def ratio_table_ids() -> tuple[str, ...]:
    """Return the ids of every ratio table, sorted."""
    return RATIO_TABLES.ids()


def ratio_table(table_id: object) -> RatioTable:
    """Return a ratio table by id.

    Raises:
        InputError: No ratio table has that id.
    """
    return RATIO_TABLES.get(table_id)


# --------------------------------------------------------------------------- methods


@attrs.frozen
class OpioidMethod:
    """A cited algorithm for a rotation target that no ratio may reach (methadone, patch).

    Attributes:
        id: Method id, e.g. ``"MSD_METHADONE"``.
        target: Target ingredient id.
        target_route: Target route.
        output: Unit of the method's result (``"mg/day"`` or ``"mcg/h"``).
        reduction: The method's own dose reduction (least, most) as fractions; it
            replaces the caller's cross-tolerance reduction.
        bands: Dose bands on oral morphine mg/day.
        band_value: What a band gives: ``"ratio"`` (morphine:target) or ``"strength"``.
        step: Beyond the last closed band, ``every`` further mg/day adds ``add``, up to
            (below) ``limit`` mg/day where the source's table ends; None if no step.
        morphine_per_unit: For a fixed ratio, oral morphine mg/day per one output unit.
        alerts: Alert codes every rotation by this method carries.
        source: The citation.
    """

    id: str
    target: str
    target_route: str
    output: str
    reduction: tuple[Fraction, Fraction]
    bands: tuple[Band, ...]
    band_value: Literal["ratio", "strength"] | None
    step: Step | None
    morphine_per_unit: Fraction | None
    alerts: tuple[str, ...]
    source: Provenance

    def apply(self, morphine: Fraction) -> Fraction | None:
        """Return the target daily dose for oral morphine mg/day, or None outside the bands."""
        if self.morphine_per_unit is not None:
            return morphine / self.morphine_per_unit
        band = _find_band(self.bands, morphine)
        if band is not None:
            return morphine / band.value if self.band_value == "ratio" else band.value
        last = self.bands[-1]
        if self.step is None or last.high is None or morphine < last.high:
            return None
        if self.step.limit is not None and morphine >= self.step.limit:
            return None
        steps = (morphine - last.high) // self.step.every + 1
        return last.value + steps * self.step.add

    def describe_range(self) -> str:
        """Return the oral morphine mg/day the method covers, e.g. ``"[60, 1125)"``."""
        if self.morphine_per_unit is not None:
            return "(0, ∞)"
        first, last = self.bands[0], self.bands[-1]
        left = "[" if first.low_inclusive else "("
        if self.step is not None:
            high, right = self.step.limit, ")"
        else:
            high, right = last.high, "]" if last.high_inclusive else ")"
        upper = "∞)" if high is None else f"{_num(high)}{right}"
        return f"{left}{_num(first.low)}, {upper}"

    def least_morphine(self, strength: Fraction) -> Fraction:
        """Return the least oral morphine mg/day a strength table maps to ``strength``.

        The lower edge of the band that gives ``strength`` (or the first band above it):
        a morphine equivalent read back from a starting strength this way never exceeds
        what the table itself implies, whereas reading the table backwards from its top
        overestimates (the label's warning).
        """
        for band in self.bands:
            if band.value >= strength:
                return band.low
        last = self.bands[-1]
        if self.step is None or last.high is None:
            return last.low
        steps = -((last.value - strength) // self.step.add)
        return last.high + (steps - 1) * self.step.every


@attrs.frozen
class Step:
    """Beyond a method's last band: every ``every`` mg/day more adds ``add``.

    Attributes:
        every: Oral morphine mg/day per step.
        add: What each step adds to the last band's value.
        limit: Oral morphine mg/day at which the source's table ends (exclusive); None
            if the source states no end.
    """

    every: Fraction
    add: Fraction
    limit: Fraction | None


@table_part
class _MethodBlock:
    """The ``[method]`` block of a rotation method file."""

    target: str
    target_route: Route
    input: Literal["oral morphine mg/day"]
    output: Literal["mg/day", "mcg/h"]
    reduction: tuple[NonNegative, ...]
    source: Provenance
    morphine_mg_per_day: Positive | None = None
    per_mcg_per_h: Positive | None = None
    alerts: tuple[str, ...] = ()
    notes: str = ""

    def __attrs_post_init__(self) -> None:
        if len(self.reduction) != 2 or not 0 <= self.reduction[0] <= self.reduction[1] < 1:
            msg = "reduction must be [least, most] with 0 ≤ least ≤ most < 1."
            raise ShapeError(msg, at="reduction")
        if (self.morphine_mg_per_day is None) != (self.per_mcg_per_h is None):
            msg = "a fixed ratio gives both morphine_mg_per_day and per_mcg_per_h."
            raise ShapeError(msg)
        for code in self.alerts:
            alert(code)

    def fixed(self) -> Fraction | None:
        """Return oral morphine mg/day per output unit of a fixed ratio, or None."""
        if self.morphine_mg_per_day is None or self.per_mcg_per_h is None:
            return None
        return self.morphine_mg_per_day / self.per_mcg_per_h


@table_part
class _StepRow:
    """The ``[[step]]`` after a method's last band."""

    every: Positive
    add: Positive
    source: Provenance
    below: Positive | None = None


@table_shape("opioid_method")
@table_part
class _MethodFile:
    """A rotation method file (``data/opioid_methods/*.toml`` of kind ``opioid_method``)."""

    method: _MethodBlock
    band: tuple[_BandRow, ...] = ()
    step: tuple[_StepRow, ...] = ()

    def __attrs_post_init__(self) -> None:
        kinds = {k for row in self.band for k in row.values()}
        if len(kinds) > 1 or kinds - {"ratio", "strength"}:
            msg = "bands give either 'ratio' or 'strength', not both (nor a factor)."
            raise ShapeError(msg, at="band")
        if (self.method.fixed() is None) == (not self.band):
            msg = "a method gives either dose bands or a fixed ratio."
            raise ShapeError(msg)
        bands = _chain(self.band, self.band_value() or "", "band") if self.band else ()
        if self.step:
            limit = self.step[0].below
            last = bands[-1] if bands else None
            if last is None or last.high is None or (limit is not None and limit <= last.high):
                msg = "a step follows a closed last band and ends above it."
                raise ShapeError(msg, at="step[0]")

    def band_value(self) -> Literal["ratio", "strength"] | None:
        """Return what the bands give, or None without bands."""
        if not self.band:
            return None
        return "ratio" if self.band[0].ratio is not None else "strength"


def _method_from(doc: _MethodFile, method_id: str) -> OpioidMethod:
    block = doc.method
    band_value = doc.band_value()
    step = doc.step[0] if doc.step else None
    return OpioidMethod(
        id=method_id,
        target=block.target,
        target_route=block.target_route,
        output=block.output,
        reduction=(block.reduction[0], block.reduction[1]),
        bands=_chain(doc.band, band_value, "band") if band_value else (),
        band_value=band_value,
        step=Step(step.every, step.add, step.below) if step else None,
        morphine_per_unit=block.fixed(),
        alerts=block.alerts,
        source=block.source,
    )


METHODS: Final = _TableKind(_MethodFile, "method", _method_from)


def method_ids() -> tuple[str, ...]:
    """Return the ids of every rotation method, sorted."""
    return METHODS.ids()


def method(method_id: object) -> OpioidMethod:
    """Return a rotation method by id.

    Raises:
        InputError: No method has that id.
    """
    return METHODS.get(method_id)


@attrs.frozen
class PatchFacts:
    """Label facts about a patch product used by the patch methods.

    Attributes:
        ingredient: Catalog ingredient id.
        minimum_morphine: Oral morphine mg/day below which a patient is not opioid
            tolerant (patches are for opioid-tolerant patients only).
        strengths: Marketed strengths in mcg/h, ascending.
        source: The citation.
        minimum_days: Days at ``minimum_morphine`` or more before a patch may start
            (None: the label states none).
    """

    ingredient: str
    minimum_morphine: Fraction
    strengths: tuple[Fraction, ...]
    source: Provenance
    minimum_days: int | None = None

    def round_down(self, exact_strength: Fraction) -> Fraction:
        """Round down to one marketed strength, or to 100-strength patches plus one more.

        Returns 0 when the exact strength is below the smallest patch.
        """
        top = self.strengths[-1]
        whole = (exact_strength // top) * top if exact_strength > top else Fraction(0)
        rest = exact_strength - whole
        fitting = [s for s in self.strengths if s <= rest]
        return whole + (fitting[-1] if fitting else Fraction(0))


@table_part
class _StrengthRow:
    """One marketed patch strength and its label."""

    mcg_per_h: Positive
    source: Provenance


@table_part
class _PatchRow:
    """One ``[[patch]]``: a patch product's label facts."""

    ingredient: str
    opioid_tolerant_morphine_mg_per_day: Positive
    strengths: Annotated[tuple[_StrengthRow, ...], NonEmpty()]
    source: Provenance
    opioid_tolerant_days: Annotated[int, Range(low=1)] | None = None

    def facts(self) -> PatchFacts:
        """Return the label facts this row declares."""
        return PatchFacts(
            self.ingredient,
            self.opioid_tolerant_morphine_mg_per_day,
            tuple(sorted(s.mcg_per_h for s in self.strengths)),
            self.source,
            self.opioid_tolerant_days,
        )


@table_shape("opioid_product")
@table_part
class _PatchFile:
    """A patch product file (``data/opioid_methods/*.toml`` of kind ``opioid_product``)."""

    patch: tuple[_PatchRow, ...] = ()


def _parse_patches(doc: Mapping[str, Any], path: str) -> dict[str, PatchFacts]:
    return {row.ingredient: row.facts() for row in structure(doc, _PatchFile, file=path).patch}


@cache
def _all_patches() -> Mapping[str, PatchFacts]:
    return {
        row.ingredient: row.facts()
        for table_id in table_ids(_PatchFile)
        for row in load(_PatchFile, table_id).patch
    }


@cache
def patch_ingredients() -> frozenset[str]:
    """Return the ingredients that painrx's tables or labels know as a patch."""
    found = set(_all_patches())
    for table_id in mme_table_ids():
        entries = mme_table(table_id).entries
        found.update(e.ingredient for e in entries if "transdermal" in e.routes)
    return frozenset(found)


def patch_facts(ingredient: str) -> PatchFacts:
    """Return the patch label facts for an ingredient.

    Raises:
        NoFactorError: painrx has no patch facts for it.
    """
    facts = _all_patches().get(ingredient)
    if facts is None:
        msg = f"painrx has no patch label facts for {ingredient}."
        raise NoFactorError(msg)
    return facts


# --------------------------------------------------------------------------- thresholds


@attrs.frozen
class ThresholdLevel:
    """One MME/day level that raises an alert at or above it (inclusive)."""

    mme: Fraction
    alert: Alert


@attrs.frozen
class ThresholdPolicy:
    """A cited set of MME/day alert thresholds (never hard limits).

    Attributes:
        id: Policy id, e.g. ``"CDC_2016"``.
        levels: The levels, ascending; each fires at ``value >= level`` (inclusive).
        source: The policy's provenance.
    """

    id: str
    levels: tuple[ThresholdLevel, ...]
    source: Provenance

    def alerts(self, value: Fraction) -> tuple[Alert, ...]:
        """Return the alerts of every level ``value`` reaches (at 90, both 50 and 90)."""
        return tuple(level.alert for level in self.levels if value >= level.mme)


@table_part
class _LevelRow:
    """One ``[[level]]`` of a threshold policy."""

    mme: Positive
    code: str
    severity: Severity
    message: str
    source: Provenance


@table_shape("mme_thresholds")
@table_part
class _PolicyFile:
    """A threshold policy file (``data/thresholds/*.toml``)."""

    level: tuple[_LevelRow, ...] = ()


def _policy_from(doc: _PolicyFile, policy_id: str) -> ThresholdPolicy:
    levels = sorted(
        (
            ThresholdLevel(row.mme, Alert(row.code, row.severity, row.message, row.source))
            for row in doc.level
        ),
        key=lambda level: level.mme,
    )
    source = table_info(policy_id, kind="mme_thresholds").source
    return ThresholdPolicy(policy_id, tuple(levels), source)


THRESHOLD_POLICIES: Final = _TableKind(_PolicyFile, "threshold policy", _policy_from)


def threshold_ids() -> tuple[str, ...]:
    """Return the ids of every threshold policy, sorted."""
    return THRESHOLD_POLICIES.ids()


def threshold_policy(policy_id: object) -> ThresholdPolicy:
    """Return a threshold policy by id.

    Raises:
        InputError: No policy has that id.
    """
    return THRESHOLD_POLICIES.get(policy_id)


# --------------------------------------------------------------------------- alerts


@attrs.frozen
class AlertSpec:
    """An alert text with the drugs (and routes) it applies to.

    Attributes:
        alert: The alert raised.
        ingredients: Ingredients that raise it on every result (None: raised by a
            function, not by a drug).
        routes: Routes that restrict it (None: every route).
    """

    alert: Alert
    ingredients: frozenset[str] | None
    routes: frozenset[str] | None


@table_part
class _AlertRow:
    """One ``[[alert]]``: an alert's wording and the drugs (and routes) that raise it."""

    code: str
    severity: Severity
    message: str
    source: Provenance
    ingredients: frozenset[str] | None = None
    routes: _Routes | None = None
    raised_by: str = ""

    def spec(self) -> AlertSpec:
        """Return the alert spec this row declares."""
        return AlertSpec(
            Alert(self.code, self.severity, self.message, self.source),
            self.ingredients,
            self.routes,
        )


@table_shape("opioid_alerts")
@table_part
class _AlertFile:
    """The opioid alert file (``data/mme/alerts.toml``)."""

    alert: tuple[_AlertRow, ...] = ()

    def __attrs_post_init__(self) -> None:
        codes = [row.code for row in self.alert]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            msg = f"alert code(s) {twice} defined twice."
            raise ShapeError(msg, at="alert")


def _parse_alerts(doc: Mapping[str, Any], path: str) -> dict[str, AlertSpec]:
    return {row.code: row.spec() for row in structure(doc, _AlertFile, file=path).alert}


@cache
def _alert_specs() -> Mapping[str, AlertSpec]:
    specs: dict[str, AlertSpec] = {}
    for table_id in table_ids(_AlertFile):
        for row in load(_AlertFile, table_id).alert:
            if row.code in specs:
                msg = f"Opioid alert code {row.code!r} is defined in two alert tables."
                raise TableError(msg)
            specs[row.code] = row.spec()
    return specs


def alert(code: str) -> Alert:
    """Return the alert with a given code, as the data file words it.

    Raises:
        TableError: No alert has that code (a packaging bug).
    """
    spec = _alert_specs().get(code)
    if spec is None:
        msg = f"No opioid alert has the code {code!r}."
        raise TableError(msg)
    return spec.alert


@lru_cache(maxsize=256)
def drug_alerts(ingredient: str, route: str) -> tuple[Alert, ...]:
    """Return the drug alerts for an ingredient by a route (under every table)."""
    return tuple(
        spec.alert
        for spec in _alert_specs().values()
        if spec.ingredients is not None
        and ingredient in spec.ingredients
        and (spec.routes is None or route in spec.routes)
    )
