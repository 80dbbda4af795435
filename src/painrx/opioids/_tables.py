"""Loading and validating the opioid data files (MME factors, ratios, methods, thresholds).

Every clinical number of :mod:`painrx.opioids` is read here from a cited TOML file under
``painrx/data`` (``mme/``, ``ratios/``, ``opioid_methods/``, ``thresholds/``) and held
as an exact :class:`~fractions.Fraction`. Table ids are discovered from the files'
``[provenance]`` blocks, so adding an edition needs no code change. A malformed file is a
:class:`~painrx.tables.TableError` the first time it is used (and in the test suite,
which loads every table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any, Final, Literal

import attrs

from painrx.errors import Alert, InputError, NoFactorError, Severity, TableError
from painrx.provenance import Provenance
from painrx.tables import check_keys, entry_source, read_table, sources_of, tables
from painrx.units import Q, format_units, kind_of, registry
from painrx.vocabulary import FORMS, ROUTES

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
_SEVERITIES: Final = {s.name.lower(): s for s in Severity}


@lru_cache(maxsize=4096)
def exact(value: float) -> Fraction:
    """Return the exact rational a float stands for.

    A decimal typed by a person (``0.1``, ``2.4``) becomes exactly 1/10 or 12/5, and a
    float computed from a simple fraction (``1/3``, ``20/3``) becomes that fraction,
    so painrx's arithmetic is exact and only rounded when shown.
    """
    decimal = Fraction(repr(float(value)))
    simple = decimal.limit_denominator(10_000)
    return simple if float(simple) == value else decimal


@lru_cache(maxsize=1024)
def _unit_factor(units: Any, target: str) -> Fraction:
    reg = registry()
    return exact(float(reg.Quantity(1.0, units).m_as(Q(1.0, target).units)))


def exact_factor(units: Any, target: str) -> Fraction:
    """Return the exact factor from a quantity's pint units to ``target`` (e.g. ``"mg/day"``)."""
    return _unit_factor(units, target)


def _fraction(value: object, where: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = f"{where}: expected a number, got {value!r}."
        raise TableError(msg)
    number = Fraction(value) if isinstance(value, int) else Fraction(repr(value))
    if number < 0:
        msg = f"{where}: a negative number ({value!r}) is not a valid table value."
        raise TableError(msg)
    return number


def _positive(value: object, where: str) -> Fraction:
    number = _fraction(value, where)
    if number <= 0:
        msg = f"{where}: must be greater than zero, got {value!r}."
        raise TableError(msg)
    return number


def _vocab_set(
    value: object, accepted: Iterable[str], where: str, *, empty_ok: bool = False
) -> frozenset[str]:
    allowed = set(accepted)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        msg = f"{where}: expected a list of names, got {value!r}."
        raise TableError(msg)
    if not value and not empty_ok:
        msg = f"{where}: the list is empty."
        raise TableError(msg)
    bad = sorted(set(value) - allowed)
    if bad:
        msg = f"{where}: unknown value(s) {bad}; accepted: {sorted(allowed)}."
        raise TableError(msg)
    return frozenset(value)


def _list_of_tables(doc: Mapping[str, Any], key: str, path: str) -> list[dict[str, Any]]:
    rows = doc.get(key, [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        msg = f"data/{path}: [[{key}]] must be an array of tables."
        raise TableError(msg)
    return rows


def _check_top_level(doc: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
    unknown = sorted(set(doc) - {"provenance", "sources", *allowed})
    if unknown:
        msg = f"data/{path}: unknown section(s) {unknown}."
        raise TableError(msg)


@cache
def _table_paths(kind: str) -> Mapping[str, str]:
    return {info.id: info.path for info in tables(kind)}


def _resolve_id(kind: str, what: str, value: object) -> tuple[str, str]:
    paths = _table_paths(kind)
    if not isinstance(value, str) or value not in paths:
        msg = f"Unknown {what} {value!r}; accepted: {', '.join(sorted(paths))}."
        raise InputError(msg)
    return value, paths[value]


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


def _severity(value: object, where: str) -> Severity:
    severity = _SEVERITIES.get(str(value))
    if severity is None:
        msg = f"{where}: unknown severity {value!r}; accepted: {sorted(_SEVERITIES)}."
        raise TableError(msg)
    return severity


def _num(x: Fraction) -> str:
    return f"{float(x):g}"


def _bands(rows: list[dict[str, Any]], value_key: str, where: str) -> tuple[Band, ...]:
    bands: list[Band] = []
    for i, row in enumerate(rows):
        at = f"{where} band {i}"
        check_keys(
            row,
            required={value_key},
            optional={"from", "above", "below", "up_to", "source"},
            where=at,
        )
        if ("from" in row) == ("above" in row):
            msg = f"{at}: give exactly one of 'from' (inclusive) or 'above' (exclusive)."
            raise TableError(msg)
        if "below" in row and "up_to" in row:
            msg = f"{at}: give at most one of 'below' (exclusive) or 'up_to' (inclusive)."
            raise TableError(msg)
        low_key = "from" if "from" in row else "above"
        high_key = "below" if "below" in row else "up_to" if "up_to" in row else None
        band = Band(
            low=_fraction(row[low_key], f"{at} {low_key}"),
            low_inclusive=low_key == "from",
            high=_fraction(row[high_key], f"{at} {high_key}") if high_key else None,
            high_inclusive=high_key == "up_to",
            value=_positive(row[value_key], f"{at} {value_key}"),
        )
        if band.high is not None and band.high <= band.low:
            msg = f"{at}: the upper bound must be above the lower bound."
            raise TableError(msg)
        if bands:
            prev = bands[-1]
            if prev.high is None or prev.high != band.low:
                msg = f"{at}: bands must be contiguous (no gap, no overlap) and sorted."
                raise TableError(msg)
            if prev.high_inclusive == band.low_inclusive:
                msg = (
                    f"{at}: the boundary {_num(band.low)} must belong to exactly one band "
                    "(pair 'up_to' with 'above', or 'below' with 'from')."
                )
                raise TableError(msg)
        bands.append(band)
    if not bands:
        msg = f"{where}: no bands."
        raise TableError(msg)
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
    own = [e for e in table.entries if e.ingredient == ingredient]
    if not own:
        others = [t for t in mme_table_ids() if ingredient in mme_table(t).ingredients()]
        hint = f" Tables with a factor for it: {', '.join(others)}." if others else ""
        msg = f"{table.id} has no MME factor for {ingredient}.{hint}"
        raise NoFactorError(msg)
    found = [e for e in own if e.matches(route, form)]
    if not found:
        covered = "; ".join(_describe_coverage(e) for e in own)
        what = f"{route} route" + (f", form {form}" if form else "")
        msg = f"{table.id} has no MME factor for {ingredient} by the {what}; it covers {covered}."
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


def _factor_entry(row: dict[str, Any], table_id: str, path: str, where: str) -> FactorEntry:
    check_keys(
        row,
        required={"ingredient", "routes", "basis", "source"},
        optional={"forms", "factor", "bands", "per", "days_per_unit", "notes", "days_as_written"},
        where=where,
    )
    if ("factor" in row) == ("bands" in row):
        msg = f"{where}: give exactly one of 'factor' or 'bands'."
        raise TableError(msg)
    basis = row["basis"]
    if basis not in BASES:
        msg = f"{where}: basis {basis!r} is not one of {list(BASES)}."
        raise TableError(msg)
    per = row.get("per", "daily_dose")
    if per not in {"daily_dose", "prescription"}:
        msg = f"{where}: per must be 'daily_dose' or 'prescription', got {per!r}."
        raise TableError(msg)
    days = row.get("days_per_unit")
    if (per == "prescription") != (days is not None):
        msg = f"{where}: 'days_per_unit' is required with, and only with, per = 'prescription'."
        raise TableError(msg)
    as_written = row.get("days_as_written")
    if as_written is not None and (basis != "mcg/h" or days is not None):
        msg = f"{where}: 'days_as_written' applies to a patch factor (mcg/h) without days_per_unit."
        raise TableError(msg)
    bands = row.get("bands")
    if bands is not None and (not isinstance(bands, list) or basis == "mcg/h"):
        msg = f"{where}: bands must be an array of tables, on a mg/day or mcg/day basis."
        raise TableError(msg)
    return FactorEntry(
        table=table_id,
        ingredient=str(row["ingredient"]),
        routes=_vocab_set(row["routes"], ROUTES, f"{where} routes"),
        forms=_vocab_set(row["forms"], FORMS, f"{where} forms") if "forms" in row else None,
        basis=basis,
        factor=_positive(row["factor"], f"{where} factor") if "factor" in row else None,
        bands=_bands(bands, "factor", where) if bands is not None else (),
        per=per,
        days_per_unit=_positive(days, f"{where} days_per_unit") if days is not None else None,
        notes=str(row.get("notes", "")),
        source=entry_source(row, path, where),
        days_as_written=(
            entry_source({"source": as_written}, path, f"{where} days_as_written")
            if as_written is not None
            else None
        ),
    )


def _exclusion(row: dict[str, Any], path: str, where: str) -> Exclusion:
    check_keys(row, required={"reason", "source"}, optional={"ingredient", "routes"}, where=where)
    if "ingredient" not in row and "routes" not in row:
        msg = f"{where}: an exclusion names an ingredient, routes, or both."
        raise TableError(msg)
    routes = row.get("routes")
    return Exclusion(
        ingredient=str(row["ingredient"]) if "ingredient" in row else None,
        routes=_vocab_set(routes, ROUTES, f"{where} routes") if routes is not None else None,
        reason=str(row["reason"]),
        source=entry_source(row, path, where),
    )


@cache
def _load_mme(table_id: str, path: str) -> MMETable:
    return _parse_mme(read_table(path), table_id, path)


def _parse_mme(doc: Mapping[str, Any], table_id: str, path: str) -> MMETable:
    _check_top_level(doc, {"factor", "excluded"}, path)
    entries = tuple(
        _factor_entry(row, table_id, path, f"data/{path} [[factor]] {i}")
        for i, row in enumerate(_list_of_tables(doc, "factor", path))
    )
    exclusions = tuple(
        _exclusion(row, path, f"data/{path} [[excluded]] {i}")
        for i, row in enumerate(_list_of_tables(doc, "excluded", path))
    )
    seen: set[tuple[str, str, str | None]] = set()
    for entry in entries:
        for route in entry.routes:
            for form in sorted(entry.forms) if entry.forms else [None]:
                key = (entry.ingredient, route, form)
                if key in seen:
                    msg = f"data/{path}: two factors for {key}."
                    raise TableError(msg)
                seen.add(key)
    return MMETable(table_id, path, sources_of(path)["provenance"], entries, exclusions)


def mme_table_ids() -> tuple[str, ...]:
    """Return the ids of every MME factor table, sorted."""
    return tuple(sorted(_table_paths("mme_factors")))


def mme_table(table_id: object) -> MMETable:
    """Return an MME factor table by id.

    Raises:
        InputError: No table has that id.
    """
    return _load_mme(*_resolve_id("mme_factors", "MME table", table_id))


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


def _explicit_group(row: dict[str, Any], path: str, where: str) -> RatioGroup:
    check_keys(row, required={"name", "members", "source"}, where=where)
    members = row["members"]
    if not isinstance(members, list) or len(members) < 2:
        msg = f"{where}: a group needs at least two members."
        raise TableError(msg)
    found = []
    for i, member in enumerate(members):
        at = f"{where} member {i}"
        if not isinstance(member, dict):
            msg = f"{at}: must be a table."
            raise TableError(msg)
        check_keys(member, required={"ingredient", "routes", "dose"}, optional={"forms"}, where=at)
        dose = Q(str(member["dose"]))
        if kind_of(dose) != "mass" or not dose.magnitude > 0:
            msg = f"{at}: dose {member['dose']!r} must be a positive mass such as '10 mg'."
            raise TableError(msg)
        unit = format_units(dose)
        found.append(
            RatioMember(
                ingredient=str(member["ingredient"]),
                routes=_vocab_set(member["routes"], ROUTES, f"{at} routes"),
                forms=_vocab_set(member["forms"], FORMS, f"{at} forms")
                if "forms" in member
                else None,
                potency=1 / exact(float(dose.magnitude)),
                unit=unit,
                label=str(member["dose"]),
            )
        )
    return RatioGroup(str(row["name"]), tuple(found), entry_source(row, path, where))


def _derived_group(block: dict[str, Any], path: str) -> RatioGroup:
    where = f"data/{path} [derived]"
    check_keys(block, required={"from", "routes", "alerts", "source"}, where=where)
    paths = {p: i for i, p in _table_paths("mme_factors").items()}
    origin = block["from"]
    if origin not in paths:
        msg = f"{where}: 'from' must name an MME factor file, got {origin!r}."
        raise TableError(msg)
    routes = _vocab_set(block["routes"], ROUTES, f"{where} routes")
    mme = mme_table(paths[origin])
    members = tuple(
        RatioMember(
            ingredient=e.ingredient,
            routes=e.routes & routes,
            forms=e.forms,
            potency=e.dose_factor(Fraction(1)),
            unit=_MASS_OF_BASIS[e.basis],
            label=f"{e.describe()} per {e.basis} ({mme.id})",
        )
        for e in mme.entries
        if e.routes & routes and not e.banded
    )
    return RatioGroup(f"derived from {mme.id}", members, entry_source(block, path, where))


@cache
def _load_ratios(table_id: str, path: str) -> RatioTable:
    return _parse_ratios(read_table(path), table_id, path)


def _reduction(doc: Mapping[str, Any], path: str) -> tuple[Fraction | None, Provenance | None]:
    block = doc.get("reduction")
    if block is None:
        return None, None
    where = f"data/{path} [reduction]"
    if not isinstance(block, dict):
        msg = f"{where}: must be a table {{ cross_tolerance, source }}."
        raise TableError(msg)
    check_keys(block, required={"cross_tolerance", "source"}, where=where)
    value = _fraction(block["cross_tolerance"], f"{where} cross_tolerance")
    if not value < 1:
        msg = f"{where}: cross_tolerance is a fraction below 1, got {block['cross_tolerance']!r}."
        raise TableError(msg)
    return value, entry_source(block, path, where)


def _parse_ratios(doc: Mapping[str, Any], table_id: str, path: str) -> RatioTable:
    _check_top_level(doc, {"group", "derived", "reduction"}, path)
    if ("group" in doc) == ("derived" in doc):
        msg = f"data/{path}: give either [[group]] tables or one [derived] table."
        raise TableError(msg)
    alerts: tuple[str, ...] = ()
    derived_from = None
    if "derived" in doc:
        block = doc["derived"]
        groups: tuple[RatioGroup, ...] = (_derived_group(block, path),)
        alerts = tuple(str(a) for a in block["alerts"])
        derived_from = str(block["from"])
        for code in alerts:
            alert(code)
    else:
        groups = tuple(
            _explicit_group(row, path, f"data/{path} [[group]] {i}")
            for i, row in enumerate(_list_of_tables(doc, "group", path))
        )
    reduction, reduction_source = _reduction(doc, path)
    return RatioTable(
        table_id,
        path,
        sources_of(path)["provenance"],
        groups,
        alerts,
        derived_from,
        reduction,
        reduction_source,
    )


def ratio_table_ids() -> tuple[str, ...]:
    """Return the ids of every ratio table, sorted."""
    return tuple(sorted(_table_paths("opioid_ratios")))


def ratio_table(table_id: object) -> RatioTable:
    """Return a ratio table by id.

    Raises:
        InputError: No ratio table has that id.
    """
    return _load_ratios(*_resolve_id("opioid_ratios", "ratio table", table_id))


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


def _method_block(block: object, path: str) -> dict[str, Any]:
    where = f"data/{path} [method]"
    if not isinstance(block, dict):
        msg = f"{where}: missing."
        raise TableError(msg)
    check_keys(
        block,
        required={"target", "target_route", "input", "output", "reduction", "source"},
        optional={"morphine_mg_per_day", "per_mcg_per_h", "alerts", "notes"},
        where=where,
    )
    if block["input"] != "oral morphine mg/day" or block["output"] not in {"mg/day", "mcg/h"}:
        msg = f"{where}: input must be 'oral morphine mg/day' and output 'mg/day' or 'mcg/h'."
        raise TableError(msg)
    return block


@cache
def _load_method(method_id: str, path: str) -> OpioidMethod:
    return _parse_method(read_table(path), method_id, path)


def _parse_method(doc: Mapping[str, Any], method_id: str, path: str) -> OpioidMethod:
    _check_top_level(doc, {"method", "band", "step"}, path)
    block = _method_block(doc.get("method"), path)
    where = f"data/{path} [method]"
    low, high = (_fraction(x, f"{where} reduction") for x in block["reduction"])
    if not 0 <= low <= high < 1:
        msg = f"{where}: reduction must be [least, most] with 0 ≤ least ≤ most < 1."
        raise TableError(msg)
    rows = _list_of_tables(doc, "band", path)
    kinds = {k for row in rows for k in ("ratio", "strength") if k in row}
    if len(kinds) > 1:
        msg = f"data/{path}: bands give either 'ratio' or 'strength', not both."
        raise TableError(msg)
    band_value = next(iter(kinds), None)
    bands = _bands(rows, band_value, f"data/{path}") if band_value else ()
    steps = _list_of_tables(doc, "step", path)
    step = None
    if steps:
        at = f"data/{path} [[step]]"
        check_keys(steps[0], required={"every", "add", "source"}, optional={"below"}, where=at)
        entry_source(steps[0], path, at)
        limit = steps[0].get("below")
        step = Step(
            _positive(steps[0]["every"], f"{at} every"),
            _positive(steps[0]["add"], f"{at} add"),
            _positive(limit, f"{at} below") if limit is not None else None,
        )
        last = bands[-1] if bands else None
        if (
            last is None
            or last.high is None
            or (step.limit is not None and step.limit <= last.high)
        ):
            msg = f"{at}: a step follows a closed last band and ends above it."
            raise TableError(msg)
    fixed = None
    if "morphine_mg_per_day" in block:
        fixed = _positive(block["morphine_mg_per_day"], where) / _positive(
            block["per_mcg_per_h"], where
        )
    if (fixed is None) == (not bands):
        msg = f"data/{path}: a method gives either dose bands or a fixed ratio."
        raise TableError(msg)
    codes = block.get("alerts", [])
    if not isinstance(codes, list):
        msg = f"{where}: alerts must be a list of alert codes."
        raise TableError(msg)
    for code in codes:
        alert(str(code))
    return OpioidMethod(
        id=method_id,
        target=str(block["target"]),
        target_route=next(iter(_vocab_set([block["target_route"]], ROUTES, where))),
        output=str(block["output"]),
        reduction=(low, high),
        bands=bands,
        band_value=band_value,
        step=step,
        morphine_per_unit=fixed,
        alerts=tuple(str(c) for c in codes),
        source=entry_source(block, path, where),
    )


def method_ids() -> tuple[str, ...]:
    """Return the ids of every rotation method, sorted."""
    return tuple(sorted(_table_paths("opioid_method")))


def method(method_id: object) -> OpioidMethod:
    """Return a rotation method by id.

    Raises:
        InputError: No method has that id.
    """
    return _load_method(*_resolve_id("opioid_method", "method", method_id))


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


def _parse_patches(doc: Mapping[str, Any], path: str) -> dict[str, PatchFacts]:
    _check_top_level(doc, {"patch"}, path)
    found: dict[str, PatchFacts] = {}
    for i, row in enumerate(_list_of_tables(doc, "patch", path)):
        where = f"data/{path} [[patch]] {i}"
        check_keys(
            row,
            required={"ingredient", "opioid_tolerant_morphine_mg_per_day", "strengths", "source"},
            optional={"opioid_tolerant_days"},
            where=where,
        )
        strengths = _list_of_tables(row, "strengths", path)
        if not strengths:
            msg = f"{where}: strengths must be a non-empty list of {{ mcg_per_h, source }}."
            raise TableError(msg)
        for j, strength in enumerate(strengths):
            check_keys(strength, required={"mcg_per_h", "source"}, where=f"{where} strength {j}")
            entry_source(strength, path, f"{where} strength {j}")
        ingredient = str(row["ingredient"])
        days = row.get("opioid_tolerant_days")
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            msg = f"{where}: opioid_tolerant_days must be a whole number of days, got {days!r}."
            raise TableError(msg)
        found[ingredient] = PatchFacts(
            ingredient,
            _positive(row["opioid_tolerant_morphine_mg_per_day"], where),
            tuple(sorted(_positive(s["mcg_per_h"], where) for s in strengths)),
            entry_source(row, path, where),
            days,
        )
    return found


@cache
def _all_patches() -> dict[str, PatchFacts]:
    found: dict[str, PatchFacts] = {}
    for info in tables("opioid_product"):
        found |= _parse_patches(read_table(info.path), info.path)
    return found


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


@cache
def _load_policy(policy_id: str, path: str) -> ThresholdPolicy:
    return _parse_policy(read_table(path), policy_id, path)


def _parse_policy(doc: Mapping[str, Any], policy_id: str, path: str) -> ThresholdPolicy:
    _check_top_level(doc, {"level"}, path)
    levels = []
    for i, row in enumerate(_list_of_tables(doc, "level", path)):
        where = f"data/{path} [[level]] {i}"
        check_keys(row, required={"mme", "code", "severity", "message", "source"}, where=where)
        severity = _severity(row["severity"], where)
        source = entry_source(row, path, where)
        levels.append(
            ThresholdLevel(
                _positive(row["mme"], where),
                Alert(str(row["code"]), severity, str(row["message"]), source),
            )
        )
    levels.sort(key=lambda lv: lv.mme)
    return ThresholdPolicy(policy_id, tuple(levels), sources_of(path)["provenance"])


def threshold_ids() -> tuple[str, ...]:
    """Return the ids of every threshold policy, sorted."""
    return tuple(sorted(_table_paths("mme_thresholds")))


def threshold_policy(policy_id: object) -> ThresholdPolicy:
    """Return a threshold policy by id.

    Raises:
        InputError: No policy has that id.
    """
    return _load_policy(*_resolve_id("mme_thresholds", "threshold policy", policy_id))


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


def _parse_alerts(doc: Mapping[str, Any], path: str, specs: dict[str, AlertSpec]) -> None:
    _check_top_level(doc, {"alert"}, path)
    for i, row in enumerate(_list_of_tables(doc, "alert", path)):
        where = f"data/{path} [[alert]] {i}"
        check_keys(
            row,
            required={"code", "severity", "message", "source"},
            optional={"ingredients", "routes", "raised_by"},
            where=where,
        )
        severity = _severity(row["severity"], where)
        code = str(row["code"])
        if code in specs:
            msg = f"{where}: alert code {code!r} is defined twice."
            raise TableError(msg)
        ingredients = row.get("ingredients")
        routes = row.get("routes")
        specs[code] = AlertSpec(
            Alert(code, severity, str(row["message"]), entry_source(row, path, where)),
            frozenset(str(x) for x in ingredients) if ingredients is not None else None,
            _vocab_set(routes, ROUTES, f"{where} routes") if routes is not None else None,
        )


@cache
def _alert_specs() -> dict[str, AlertSpec]:
    specs: dict[str, AlertSpec] = {}
    for info in tables("opioid_alerts"):
        _parse_alerts(read_table(info.path), info.path, specs)
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
