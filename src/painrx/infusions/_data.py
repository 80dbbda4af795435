"""Load and validate the infusion data files (profiles, products, dosing-weight formulas).

Every clinical number of :mod:`painrx.infusions` lives in ``data/infusions/*.toml``.
This module turns those files into frozen objects once (cached), refusing a file
with an unknown key, a limit of the wrong unit kind, a limit that cites nothing or
limits in an impossible order (a soft maximum above the hard maximum, say).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

import attrs

from painrx.errors import PainRxError, TableError
from painrx.provenance import Provenance
from painrx.tables import check_keys, entry_source, read_table, sources_of
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
_BASES: tuple[WeightBasis, ...] = ("actual", "ideal", "adjusted")
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
    """The infusion pump's display resolution and highest accepted rate."""

    resolution: DoseLimit
    max_rate: DoseLimit
    source: Provenance


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


def _fail(path: str, where: str, why: str) -> TableError:
    return TableError(f"data/{path} {where}: {why}")


def _table(value: object, path: str, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, where, "must be a table")
    return value


def _quantity_limit(
    entry: object,
    path: str,
    where: str,
    *,
    kind: Kind,
    unit: str,
    extra: tuple[str, ...] = (),
) -> DoseLimit:
    block = _table(entry, path, where)
    check_keys(block, required=("value", "source"), optional=extra, where=f"data/{path} {where}")
    text = block["value"]
    if not isinstance(text, str):
        raise _fail(path, where, f"'value' must be a quantity string, got {text!r}")
    try:
        q = Q(text)
    except PainRxError as exc:
        raise _fail(path, where, f"cannot read {text!r} ({exc})") from None
    if kind_of(q) != kind or not q.magnitude > 0:
        raise _fail(path, where, f"{text!r} must be a positive {kind.replace('_', ' ')}")
    return DoseLimit(
        value=q,
        canonical=magnitude(q, unit),
        source=entry_source(block, path, where),
        reason=str(block.get("reason", "")),
    )


def _number(entry: object, path: str, where: str) -> tuple[float, Provenance]:
    block = _table(entry, path, where)
    check_keys(block, required=("value", "source"), where=f"data/{path} {where}")
    value = block["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise _fail(path, where, f"'value' must be a positive number, got {value!r}")
    return float(value), entry_source(block, path, where)


def _limits(block: object, path: str, where: str, *, kind: Kind, unit: str) -> DoseLimits:
    if block is None:
        return DoseLimits()
    table = _table(block, path, where)
    check_keys(table, required=(), optional=_BOUNDS, where=f"data/{path} {where}")
    found = {
        name: _quantity_limit(table[name], path, f"{where}.{name}", kind=kind, unit=unit)
        for name in _BOUNDS
        if name in table
    }
    limits = DoseLimits(**found)
    order = [limits.hard_min, limits.soft_min, limits.soft_max, limits.hard_max]
    values = [limit.canonical for limit in order if limit is not None]
    if values != sorted(values):
        why = "limits must be ordered hard_min <= soft_min <= soft_max <= hard_max"
        raise _fail(path, where, why)
    return limits


def _concentrations(
    items: object, path: str, where: str, *, product: bool
) -> tuple[Concentration, ...]:
    if not isinstance(items, list) or not items:
        raise _fail(path, where, "must be a non-empty list")
    found: list[Concentration] = []
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        block = _table(item, path, at)
        if product:
            check_keys(
                block,
                required=("concentration", "kind", "description", "source"),
                where=f"data/{path} {at}",
            )
            if block["kind"] not in {"vial", "prepared", "premixed"}:
                raise _fail(path, at, "'kind' must be vial, prepared or premixed")
            limit = _quantity_limit(
                {"value": block["concentration"], "source": block["source"]},
                path,
                at,
                kind="concentration",
                unit=CONCENTRATION_UNIT,
            )
            kind, description = str(block["kind"]), str(block["description"])
        else:
            limit = _quantity_limit(block, path, at, kind="concentration", unit=CONCENTRATION_UNIT)
            kind = description = ""
        found.append(Concentration(limit.value, limit.canonical, limit.source, kind, description))
    return tuple(found)


_PROFILE_KEYS = (
    "drug",
    "title",
    "population",
    "source",
    "dose_unit",
    "bolus_unit",
    "concentrations",
    "infusion",
)


def _profile(pid: str, block: Mapping[str, Any], path: str) -> InfusionProfile:
    where = f"[profiles.{pid!r}]"
    check_keys(
        block,
        required=_PROFILE_KEYS,
        optional=("bolus", "weight_basis"),
        where=f"data/{path} {where}",
    )
    drug = str(block["drug"])
    if not pid.startswith(f"{drug}/") or pid.count("/") != 1:
        raise _fail(path, where, f"a profile id is '<drug>/<care area>' with drug {drug!r}")
    for key, kind in (("dose_unit", "dose_rate_per_weight"), ("bolus_unit", "dose_per_weight")):
        if kind_of(Q(1.0, str(block[key]))) != kind:
            raise _fail(path, where, f"{key} {block[key]!r} is not a {kind.replace('_', ' ')}")
    infusion = _limits(
        block["infusion"],
        path,
        f"{where}.infusion",
        kind="dose_rate_per_weight",
        unit=INFUSION_UNIT,
    )
    if not infusion:
        raise _fail(path, where, "a profile needs at least one cited infusion limit")
    basis: WeightBasis | None = None
    basis_source: Provenance | None = None
    if "weight_basis" in block:
        wb = _table(block["weight_basis"], path, f"{where}.weight_basis")
        check_keys(wb, required=("value", "source"), where=f"data/{path} {where}.weight_basis")
        basis = next((b for b in _BASES if b == wb["value"]), None)
        if basis is None:
            raise _fail(path, where, f"weight_basis must be one of {list(_BASES)}")
        basis_source = entry_source(wb, path, f"{where}.weight_basis")
    return InfusionProfile(
        id=pid,
        drug=drug,
        title=str(block["title"]),
        population=str(block["population"]),
        dose_unit=str(block["dose_unit"]),
        bolus_unit=str(block["bolus_unit"]),
        infusion=infusion,
        bolus=_limits(
            block.get("bolus"), path, f"{where}.bolus", kind="dose_per_weight", unit=BOLUS_UNIT
        ),
        concentrations=_concentrations(
            block["concentrations"], path, f"{where}.concentrations", product=False
        ),
        weight_basis=basis,
        weight_basis_source=basis_source,
        source=entry_source(block, path, where),
    )


@cache
def profiles() -> Mapping[str, InfusionProfile]:
    """Return every dosing profile by id, validated (cached)."""
    doc = read_table(PROFILES_PATH)
    check_keys(doc, required=("provenance", "sources", "profiles"), where=f"data/{PROFILES_PATH}")
    table = _table(doc["profiles"], PROFILES_PATH, "[profiles]")
    return {
        pid: _profile(pid, _table(block, PROFILES_PATH, pid), PROFILES_PATH)
        for pid, block in table.items()
    }


@cache
def drug_products() -> Mapping[str, DrugProducts]:
    """Return the products and product limits of every drug, by drug id (cached)."""
    path = PRODUCTS_PATH
    doc = read_table(path)
    check_keys(doc, required=("provenance", "sources", "pump", "drugs"), where=f"data/{path}")
    found: dict[str, DrugProducts] = {}
    for drug, raw in _table(doc["drugs"], path, "[drugs]").items():
        where = f"[drugs.{drug}]"
        block = _table(raw, path, where)
        check_keys(
            block,
            required=("source", "products"),
            optional=("iv_max_concentration",),
            where=f"data/{path} {where}",
        )
        iv_max = None
        if "iv_max_concentration" in block:
            iv_max = _quantity_limit(
                block["iv_max_concentration"],
                path,
                f"{where}.iv_max_concentration",
                kind="concentration",
                unit=CONCENTRATION_UNIT,
                extra=("reason",),
            )
        found[drug] = DrugProducts(
            drug=drug,
            products=_concentrations(block["products"], path, f"{where}.products", product=True),
            iv_max_concentration=iv_max,
            source=entry_source(block, path, where),
        )
    return found


@cache
def pump() -> Pump:
    """Return the pump's display resolution and maximum rate (cached)."""
    path = PRODUCTS_PATH
    block = _table(read_table(path)["pump"], path, "[pump]")
    check_keys(block, required=("source", "resolution", "max_rate"), where=f"data/{path} [pump]")
    return Pump(
        resolution=_quantity_limit(
            block["resolution"], path, "[pump].resolution", kind="volume_rate", unit=RATE_UNIT
        ),
        max_rate=_quantity_limit(
            block["max_rate"], path, "[pump].max_rate", kind="volume_rate", unit=RATE_UNIT
        ),
        source=entry_source(block, path, "[pump]"),
    )


@cache
def body_weight_rules() -> BodyWeightRules:
    """Return the Devine, adjusted-weight and automatic-basis numbers (cached)."""
    path = BODY_WEIGHT_PATH
    doc = read_table(path)
    check_keys(
        doc,
        required=("provenance", "sources", "devine", "adjusted", "auto"),
        where=f"data/{path}",
    )
    devine = _table(doc["devine"], path, "[devine]")
    check_keys(
        devine,
        required=(
            "source",
            "male_base",
            "female_base",
            "kg_per_inch",
            "reference_height",
            "min_age_years",
            "min_height",
        ),
        where=f"data/{path} [devine]",
    )
    adjusted = _table(doc["adjusted"], path, "[adjusted]")
    check_keys(adjusted, required=("source", "factor"), where=f"data/{path} [adjusted]")
    auto = _table(doc["auto"], path, "[auto]")
    check_keys(auto, required=("source", "adjusted_above_ideal_ratio"), where=f"data/{path} [auto]")
    kg_per_inch, kg_per_inch_source = _number(devine["kg_per_inch"], path, "[devine].kg_per_inch")
    min_age, min_age_source = _number(devine["min_age_years"], path, "[devine].min_age_years")
    factor, _ = _number(adjusted["factor"], path, "[adjusted].factor")
    ratio, _ = _number(auto["adjusted_above_ideal_ratio"], path, "[auto].ratio")
    if not factor < 1 or not ratio > 1:
        raise _fail(path, "[adjusted]/[auto]", "the factor must be below 1 and the ratio above 1")
    return BodyWeightRules(
        male_base_kg=_quantity_limit(
            devine["male_base"], path, "[devine].male_base", kind="mass", unit="kg"
        ),
        female_base_kg=_quantity_limit(
            devine["female_base"], path, "[devine].female_base", kind="mass", unit="kg"
        ),
        kg_per_inch=kg_per_inch,
        reference_height_in=_quantity_limit(
            devine["reference_height"], path, "[devine].reference_height", kind="length", unit="in"
        ),
        min_age_years=min_age,
        min_height_cm=_quantity_limit(
            devine["min_height"], path, "[devine].min_height", kind="length", unit="cm"
        ),
        adjusted_factor=factor,
        adjusted_above_ideal_ratio=ratio,
        devine_source=entry_source(devine, path, "[devine]"),
        kg_per_inch_source=kg_per_inch_source,
        min_age_source=min_age_source,
        adjusted_source=entry_source(adjusted, path, "[adjusted]"),
        auto_source=entry_source(auto, path, "[auto]"),
        source=sources_of(path)["provenance"],
    )
