"""Load the infusion data files (profiles, products, dosing-weight formulas).

Every clinical number of :mod:`painrx.infusions` lives in ``data/infusions/*.toml``.
The shape of each file is declared once below (the ``_*File`` classes, registered with
:func:`painrx.tables.table_shape`); the tables loader verifies and structures it once
(cached), refusing a file with an unknown key, a limit of the wrong unit kind, a limit
that cites nothing or limits in an impossible order (a soft maximum above the hard
maximum, say), each as one :class:`~painrx.tables.TableError` naming the file and the
path inside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal

import attrs

from painrx.provenance import Provenance
from painrx.tables import (
    NonEmpty,
    OfKind,
    Range,
    ShapeError,
    TableInfo,
    load,
    structure,
    table_part,
    table_shape,
    tables,
)
from painrx.units import Kind, Q, Quantity, QuantityLike, kind_of, magnitude

__all__ = [
    "BODY_WEIGHT_PATH",
    "PRODUCTS_PATH",
    "PROFILES_PATH",
    "BodyWeightRules",
    "Concentration",
    "DoseLimit",
    "DoseLimits",
    "DrugProducts",
    "InfusionProfile",
    "Pump",
    "body_weight_rules",
    "drug_products",
    "profiles",
    "pump",
]

PROFILES_PATH = "infusions/profiles.toml"
PRODUCTS_PATH = "infusions/products.toml"
BODY_WEIGHT_PATH = "infusions/body_weight.toml"

#: Canonical units: limits are compared as floats in these units.
INFUSION_UNIT = "mg/kg/h"
BOLUS_UNIT = "mg/kg"
CONCENTRATION_UNIT = "mg/mL"
RATE_UNIT = "mL/h"

WeightBasis = Literal["actual", "ideal", "adjusted"]
_BOUNDS = ("soft_min", "soft_max", "hard_min", "hard_max")


@attrs.frozen
class DoseLimit:
    """One cited limit of a dosing profile, product or pump.

    Attributes:
        value: The limit as the data file writes it (e.g. ``1 mg/kg/h``).
        canonical: The same limit as a float in the canonical unit (mg/kg/h for
            infusions, mg/kg for boluses, mg/mL for concentrations, mL/h for rates).
        source: Where the number comes from.
        reason: Why the limit exists, when the data file says.
    """

    value: Quantity
    canonical: float
    source: Provenance
    reason: str = ""


@attrs.frozen
class DoseLimits:
    """Soft and hard, minimum and maximum limits for one kind of dose (all optional)."""

    soft_min: DoseLimit | None = None
    soft_max: DoseLimit | None = None
    hard_min: DoseLimit | None = None
    hard_max: DoseLimit | None = None

    def items(self) -> tuple[tuple[str, DoseLimit], ...]:
        """Return the limits that are set, as ``(name, limit)`` pairs in a fixed order."""
        found = ((name, getattr(self, name)) for name in _BOUNDS)
        return tuple((name, limit) for name, limit in found if limit is not None)

    def __bool__(self) -> bool:
        return bool(self.items())


@attrs.frozen
class Concentration:
    """A standard concentration of a profile or a product of a drug.

    Attributes:
        value: The concentration as written (``2 mg/mL``).
        mg_per_ml: The same in mg/mL.
        source: Where it is listed.
        kind: ``"prepared"``, ``"premixed"`` or ``"vial"`` for products; empty for profiles.
        description: What the product is (e.g. ``500 mg in 250 mL``).
    """

    value: Quantity
    mg_per_ml: float
    source: Provenance
    kind: str = ""
    description: str = ""


@attrs.frozen
class InfusionProfile:
    """A dosing profile (drug x care area x dosing unit), smart-pump drug-library style.

    Attributes:
        id: ``"<drug>/<care area>"``, e.g. ``"ketamine/acute_pain"``.
        drug: The drug the profile is for.
        title: A readable name.
        population: ``"adult"`` or ``"paediatric"``.
        dose_unit: The unit the profile's infusion limits are written in.
        bolus_unit: The unit of its bolus limits.
        infusion: Limits of the continuous infusion.
        bolus: Limits of a bolus (empty when no source gives any).
        concentrations: The standard concentrations of the profile.
        weight_basis: The dosing weight the profile's source asks for, if any.
        weight_basis_source: Where that is said.
        source: The profile's main source.
    """

    id: str
    drug: str
    title: str
    population: str
    dose_unit: str
    bolus_unit: str
    infusion: DoseLimits
    bolus: DoseLimits
    concentrations: tuple[Concentration, ...]
    weight_basis: WeightBasis | None
    weight_basis_source: Provenance | None
    source: Provenance

    def rate_table(
        self, concentration: QuantityLike | None = None, weights_kg: tuple[float, ...] = ()
    ) -> dict[str, tuple[float, ...]]:
        """Return the pump rate (mL/h) at each infusion limit, by weight (40 to 150 kg).

        ``rate = limit × weight / concentration``, at the profile's first standard
        concentration unless another is given.
        """
        from painrx.infusions._plot import WEIGHTS_KG, rate_table

        return rate_table(self, concentration, weights_kg or WEIGHTS_KG)

    def plot(self, concentration: QuantityLike | None = None, ax: Any = None) -> Any:
        """Draw pump rate against weight at each soft and hard limit (``painrx[plot]``).

        Returns:
            The matplotlib Axes.
        """
        from painrx.infusions._plot import plot_profile

        return plot_profile(self, concentration, ax)


@attrs.frozen
class DrugProducts:
    """The injectable products of one drug and its product limits.

    Attributes:
        drug: The drug id.
        products: Vials, premixed and prepared concentrations.
        iv_max_concentration: The highest concentration that may be given IV, if
            the label sets one (ketamine 100 mg/mL must be diluted first).
        source: The label or monograph the entry is based on.
    """

    drug: str
    products: tuple[Concentration, ...]
    iv_max_concentration: DoseLimit | None
    source: Provenance


@attrs.frozen
class Pump:
    """The infusion pump's display resolution, highest accepted rate and rounding tolerance.

    Attributes:
        rounding_tolerance: The largest relative difference between the displayed and the
            exact rate accepted without an alert (0.10 = 10%).
    """

    resolution: DoseLimit
    max_rate: DoseLimit
    source: Provenance
    rounding_tolerance: float
    rounding_source: Provenance


@attrs.frozen
class BodyWeightRules:
    """The numbers of the Devine, adjusted-body-weight and automatic-basis formulas."""

    male_base_kg: DoseLimit
    female_base_kg: DoseLimit
    kg_per_inch: float
    reference_height_in: DoseLimit
    min_age_years: float
    min_height_cm: DoseLimit
    adjusted_factor: float
    adjusted_above_ideal_ratio: float
    devine_source: Provenance
    kg_per_inch_source: Provenance
    min_age_source: Provenance
    adjusted_source: Provenance
    auto_source: Provenance
    source: Provenance


# --------------------------------------------------------------------------- shapes


@table_part
class _Limit:
    """``{ value = "1 mg/kg/h", source = KEY, reason = "..." }``; subclasses fix the kind."""

    kind: ClassVar[Kind]
    value: Quantity
    source: Provenance
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        OfKind(self.kind).check(self.value)

    def limit(self, unit: str) -> DoseLimit:
        """Return the cited limit, with its value in ``unit`` for comparisons."""
        return DoseLimit(self.value, magnitude(self.value, unit), self.source, self.reason)


@table_part
class _RateLimit(_Limit):
    kind: ClassVar[Kind] = "dose_rate_per_weight"


@table_part
class _BolusLimit(_Limit):
    kind: ClassVar[Kind] = "dose_per_weight"


@table_part
class _ConcentrationLimit(_Limit):
    kind: ClassVar[Kind] = "concentration"


@table_part
class _PumpLimit(_Limit):
    kind: ClassVar[Kind] = "volume_rate"


@table_part
class _MassLimit(_Limit):
    kind: ClassVar[Kind] = "mass"


@table_part
class _LengthLimit(_Limit):
    kind: ClassVar[Kind] = "length"


def _limits(block: Any, unit: str) -> DoseLimits:
    """Return the set limits of a ``_RateLimits``/``_BolusLimits`` block, refusing disorder."""
    if block is None:
        return DoseLimits()
    found = {name: getattr(block, name).limit(unit) for name in _BOUNDS if getattr(block, name)}
    limits = DoseLimits(**found)
    order = [limits.hard_min, limits.soft_min, limits.soft_max, limits.hard_max]
    values = [limit.canonical for limit in order if limit is not None]
    if values != sorted(values):
        msg = "limits must be ordered hard_min <= soft_min <= soft_max <= hard_max"
        raise ShapeError(msg)
    return limits


@table_part
class _RateLimits:
    soft_min: _RateLimit | None = None
    soft_max: _RateLimit | None = None
    hard_min: _RateLimit | None = None
    hard_max: _RateLimit | None = None

    def __attrs_post_init__(self) -> None:
        _limits(self, INFUSION_UNIT)


@table_part
class _BolusLimits:
    soft_min: _BolusLimit | None = None
    soft_max: _BolusLimit | None = None
    hard_min: _BolusLimit | None = None
    hard_max: _BolusLimit | None = None

    def __attrs_post_init__(self) -> None:
        _limits(self, BOLUS_UNIT)


@table_part
class _WeightBasisRow:
    value: WeightBasis
    source: Provenance


@table_part
class _ProfileRow:
    """One ``[profiles."<drug>/<care area>"]``."""

    drug: str
    title: str
    population: str
    source: Provenance
    dose_unit: str
    bolus_unit: str
    concentrations: Annotated[tuple[_ConcentrationLimit, ...], NonEmpty()]
    infusion: _RateLimits
    bolus: _BolusLimits | None = None
    weight_basis: _WeightBasisRow | None = None

    def __attrs_post_init__(self) -> None:
        for key, kind in (("dose_unit", "dose_rate_per_weight"), ("bolus_unit", "dose_per_weight")):
            unit = getattr(self, key)
            if kind_of(Q(1.0, unit)) != kind:
                msg = f"{unit!r} is not a {kind.replace('_', ' ')} unit"
                raise ShapeError(msg, at=key)
        if not _limits(self.infusion, INFUSION_UNIT):
            msg = "a profile needs at least one cited infusion limit"
            raise ShapeError(msg, at="infusion")

    def profile(self, pid: str) -> InfusionProfile:
        """Return the dosing profile this row declares."""
        basis = self.weight_basis
        return InfusionProfile(
            id=pid,
            drug=self.drug,
            title=self.title,
            population=self.population,
            dose_unit=self.dose_unit,
            bolus_unit=self.bolus_unit,
            infusion=_limits(self.infusion, INFUSION_UNIT),
            bolus=_limits(self.bolus, BOLUS_UNIT),
            concentrations=tuple(
                Concentration(c.value, c.limit(CONCENTRATION_UNIT).canonical, c.source)
                for c in self.concentrations
            ),
            weight_basis=basis.value if basis else None,
            weight_basis_source=basis.source if basis else None,
            source=self.source,
        )


@table_shape("infusion_profiles")
@table_part
class _ProfilesFile:
    """The dosing profiles (``data/infusions/profiles.toml``)."""

    profiles: Mapping[str, _ProfileRow]

    def __attrs_post_init__(self) -> None:
        for pid, row in self.profiles.items():
            if not pid.startswith(f"{row.drug}/") or pid.count("/") != 1:
                msg = f"a profile id is '<drug>/<care area>' with drug {row.drug!r}"
                raise ShapeError(msg, at=f"profiles[{pid!r}]")


@table_part
class _ProductRow:
    concentration: Annotated[Quantity, OfKind("concentration")]
    kind: Literal["vial", "prepared", "premixed"]
    description: str
    source: Provenance

    def product(self) -> Concentration:
        """Return the product this row declares."""
        mg_per_ml = magnitude(self.concentration, CONCENTRATION_UNIT)
        return Concentration(
            self.concentration, mg_per_ml, self.source, self.kind, self.description
        )


@table_part
class _DrugRow:
    source: Provenance
    products: Annotated[tuple[_ProductRow, ...], NonEmpty()]
    iv_max_concentration: _ConcentrationLimit | None = None


@table_part
class _Share:
    value: Annotated[float, Range(low=0, high=1, low_open=True, high_open=True)]
    source: Provenance


@table_part
class _PumpRow:
    source: Provenance
    resolution: _PumpLimit
    max_rate: _PumpLimit
    rounding_tolerance: _Share


@table_shape("infusion_products")
@table_part
class _ProductsFile:
    """The pump and the injectable products (``data/infusions/products.toml``)."""

    pump: _PumpRow
    drugs: Mapping[str, _DrugRow]


@table_part
class _Number:
    value: Annotated[float, Range(low=0, low_open=True)]
    source: Provenance


@table_part
class _DevineRow:
    source: Provenance
    male_base: _MassLimit
    female_base: _MassLimit
    kg_per_inch: _Number
    reference_height: _LengthLimit
    min_age_years: _Number
    min_height: _LengthLimit


@table_part
class _AdjustedRow:
    source: Provenance
    factor: _Number


@table_part
class _AutoRow:
    source: Provenance
    adjusted_above_ideal_ratio: _Number


@table_shape("dosing_weight")
@table_part
class _BodyWeightFile:
    """The Devine and adjusted-weight numbers (``data/infusions/body_weight.toml``)."""

    devine: _DevineRow
    adjusted: _AdjustedRow
    auto: _AutoRow

    def __attrs_post_init__(self) -> None:
        if not self.adjusted.factor.value < 1 or not self.auto.adjusted_above_ideal_ratio.value > 1:
            msg = "the [adjusted] factor must be below 1 and the [auto] ratio above 1"
            raise ShapeError(msg)


# --------------------------------------------------------------------------- accessors


def _info(shape: type[Any]) -> TableInfo:
    (table,) = tables(shape.__table_kind__)
    return table


def _load(shape: type[Any]) -> Any:
    return load(shape, _info(shape).id)


def _parse_profiles(doc: Mapping[str, Any]) -> Mapping[str, InfusionProfile]:
    """Return the profiles of an in-memory document (what :func:`profiles` does with the file)."""
    rows = structure(doc, _ProfilesFile, file=PROFILES_PATH).profiles
    return MappingProxyType({pid: row.profile(pid) for pid, row in rows.items()})


@cache
def profiles() -> Mapping[str, InfusionProfile]:
    """Return every dosing profile by id, validated (cached)."""
    rows = _load(_ProfilesFile).profiles
    return MappingProxyType({pid: row.profile(pid) for pid, row in rows.items()})


@cache
def drug_products() -> Mapping[str, DrugProducts]:
    """Return the products and product limits of every drug, by drug id (cached)."""
    found = {
        drug: DrugProducts(
            drug=drug,
            products=tuple(p.product() for p in row.products),
            iv_max_concentration=(
                row.iv_max_concentration.limit(CONCENTRATION_UNIT)
                if row.iv_max_concentration
                else None
            ),
            source=row.source,
        )
        for drug, row in _load(_ProductsFile).drugs.items()
    }
    return MappingProxyType(found)


@cache
def pump() -> Pump:
    """Return the pump's display resolution and maximum rate (cached)."""
    row = _load(_ProductsFile).pump
    return Pump(
        row.resolution.limit(RATE_UNIT),
        row.max_rate.limit(RATE_UNIT),
        row.source,
        row.rounding_tolerance.value,
        row.rounding_tolerance.source,
    )


@cache
def body_weight_rules() -> BodyWeightRules:
    """Return the Devine, adjusted-weight and automatic-basis numbers (cached)."""
    doc = _load(_BodyWeightFile)
    devine, adjusted, auto = doc.devine, doc.adjusted, doc.auto
    return BodyWeightRules(
        male_base_kg=devine.male_base.limit("kg"),
        female_base_kg=devine.female_base.limit("kg"),
        kg_per_inch=devine.kg_per_inch.value,
        reference_height_in=devine.reference_height.limit("in"),
        min_age_years=devine.min_age_years.value,
        min_height_cm=devine.min_height.limit("cm"),
        adjusted_factor=adjusted.factor.value,
        adjusted_above_ideal_ratio=auto.adjusted_above_ideal_ratio.value,
        devine_source=devine.source,
        kg_per_inch_source=devine.kg_per_inch.source,
        min_age_source=devine.min_age_years.source,
        adjusted_source=adjusted.source,
        auto_source=auto.source,
        source=_info(_BodyWeightFile).source,
    )
