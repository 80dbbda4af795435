"""Marketed unit strengths: the combination sets and oral opioid ranges doses are checked against.

Public face: :mod:`painrx.catalog`. The data (``painrx/data/catalog/strengths.toml``)
cites RxNorm for the strengths of each combination tablet and the CDC 2018 NDC file
(and acetaminophen labels) for the smallest and largest oral unit strength per
ingredient. Two slips hide behind plausible-looking text and are caught here:

* a combination read by position: ``"Percocet 325/10 mg"`` would be 325 mg of
  oxycodone; no marketed tablet has those parts, so it is refused;
* a unit slip: ``"oxycodone 10 mcg"`` is 250 times below the smallest oral tablet
  (2.5 mg), the size of a mg/mcg slip that hides a real dose; it is flagged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Final, cast

import attrs

from painrx import vocabulary
from painrx.catalog._data import ingredient
from painrx.errors import Alert, InputError, Severity
from painrx.provenance import Provenance
from painrx.tables import Positive, ShapeError, load, table_part, table_shape
from painrx.units import Q, Quantity, format_units, kind_of, quantity_arg, registry

__all__ = ["check_unit_dose"]

_TABLE: Final = "PAINRX_MARKETED_STRENGTHS_2026_1"
# A dose this many times below the smallest (or above the largest) oral unit strength is
# flagged: a half or quarter tablet, or two or three tablets, stay well inside, while a
# mg/mcg or g/mg slip (1000 times) falls far outside. A painrx screening bound, not a
# clinical constant: it decides when to ask, never a dose.
_SLIP_FACTOR: Final = 10
_ORAL: Final = "oral"
_SHOWN_BELOW: Final = Fraction(10) ** 300


@table_part
class _Combination:
    """``[combinations."<product id>"]``: the marketed sets, mg per unit, product order."""

    mg: tuple[tuple[Positive, ...], ...]
    source: Provenance

    def __attrs_post_init__(self) -> None:
        if not self.mg or len({len(row) for row in self.mg}) != 1:
            msg = "must list strength sets of one length (one mg value per ingredient)."
            raise ShapeError(msg, at="mg")


@table_part
class _OralUnits:
    """``[oral_units."<ingredient id>"]``: smallest and largest oral unit strength, mg."""

    smallest_mg: Positive
    largest_mg: Positive
    source: Provenance

    def __attrs_post_init__(self) -> None:
        if self.smallest_mg > self.largest_mg:
            msg = "smallest_mg exceeds largest_mg."
            raise ShapeError(msg, at="smallest_mg")


@table_shape("marketed_strengths")
@table_part
class _StrengthsFile:
    """The marketed strengths file (``data/catalog/strengths.toml``)."""

    combinations: Mapping[str, _Combination]
    oral_units: Mapping[str, _OralUnits]


@attrs.frozen
class _Strengths:
    combinations: Mapping[str, frozenset[tuple[Fraction, ...]]]
    combination_sources: Mapping[str, Provenance]
    oral_units: Mapping[str, _OralUnits]


@cache
def _strengths() -> _Strengths:
    doc = load(_StrengthsFile, _TABLE)
    return _Strengths(
        {pid: frozenset(c.mg) for pid, c in doc.combinations.items()},
        {pid: c.source for pid, c in doc.combinations.items()},
        doc.oral_units,
    )


def _exact(magnitude: object) -> Fraction | None:
    """A magnitude as the exact decimal it prints as (12.8 → 64/5), or None if not finite."""
    if isinstance(magnitude, float):
        return Fraction(repr(magnitude)) if math.isfinite(magnitude) else None
    if not isinstance(magnitude, (int, Fraction, Decimal)) or isinstance(magnitude, bool):
        return None
    try:
        return Fraction(magnitude)
    except (ValueError, OverflowError, ArithmeticError):
        return None  # a Decimal NaN or infinity


@cache
def _mg_per(unit: str) -> Fraction | None:
    return _exact(registry().Quantity(1, unit).to("mg").magnitude)


def _mg_of(q: Quantity) -> Fraction | None:
    """The amount in mg when ``q`` is a finite mass, else None (rates, concentrations)."""
    if kind_of(q) != "mass":
        return None
    amount, per = _exact(q.magnitude), _mg_per(format_units(q))
    return None if amount is None or per is None else amount * per


def _finite(dose: object) -> object:
    """A quantity's magnitude as a float (Fraction and Decimal too); a non-finite one refused."""
    if not isinstance(dose, registry().Quantity):
        return dose
    amount = _exact(dose.magnitude)
    if amount is None or abs(amount) >= _SHOWN_BELOW:
        msg = (
            f"dose magnitude must be a finite number below 1e300, e.g. '10 mg'; got {dose!r:.100}."
        )
        raise InputError(msg)
    return registry().Quantity(float(amount), dose.units)


def _given(q: Quantity) -> str:
    """A dose as given, for a message (a magnitude beyond a float is described, not shown)."""
    amount = _exact(q.magnitude)
    if amount is None or abs(amount) >= _SHOWN_BELOW:
        return f"more than 1e300 {format_units(q)}"
    return f"{float(amount):g} {format_units(q)}"


def _shown(values: tuple[Fraction, ...]) -> str:
    return "/".join(f"{float(v):g}" for v in values) + " mg"


def check_combination(
    product_id: str,
    ingredients: tuple[str, ...],
    strengths: tuple[Quantity, ...],
    text: str,
    written: tuple[str, ...],
) -> None:
    """Refuse combination strengths that are not a marketed set of the product.

    Args:
        product_id: The product.
        ingredients: Its ingredients, in the product's order.
        strengths: One per ingredient, in the product's order.
        text: The strength text, for the message.
        written: The order the text writes them in (a brand's label order), used to
            show the marketed sets as the caller should write them.

    Products painrx holds no marketed sets for, and strengths that are not masses, are
    not checked.

    Raises:
        InputError: Naming the marketed sets, and saying so when the parts are swapped.
    """
    data = _strengths()
    marketed = data.combinations.get(product_id)
    given = tuple(_mg_of(q) for q in strengths)
    if marketed is None or len(given) != len(ingredients) or None in given:
        return
    values = tuple(v for v in given if v is not None)
    if values in marketed:
        return
    position = [ingredients.index(i) for i in written]

    def shown(s: tuple[Fraction, ...]) -> str:
        return _shown(tuple(s[p] for p in position))

    listed = ", ".join(shown(s) for s in sorted(marketed))
    swapped = next((s for s in sorted(marketed) if sorted(values) == sorted(s)), None)
    why = (
        f" The parts look swapped: write {shown(swapped)}."
        if swapped is not None
        else " painrx never reads strengths by position alone."
    )
    msg = (
        f"{text!r} ({'/'.join(written)}) is not a marketed strength of {product_id}; "
        f"marketed ({'/'.join(written)}): {listed} "
        f"(source: {data.combination_sources[product_id].title}).{why}"
    )
    raise InputError(msg)


def check_partial(
    product_id: str, ingredients: tuple[str, ...], first: Quantity, text: str
) -> None:
    """Refuse one strength for a combination unless it is a marketed first component.

    ``"Percocet 5 mg"`` reads as the oxycodone in a 5/325 tablet; ``"Percocet 325 mg"``
    would read as 325 mg of oxycodone, so it is refused naming the marketed sets.

    Raises:
        InputError: The one strength is no marketed strength of the first ingredient.
    """
    data = _strengths()
    marketed = data.combinations.get(product_id)
    mg = _mg_of(first)
    # The sets are in the product's ingredient order (its id); the text's first-written
    # component may be another (Tylenol with Codeine is written acetaminophen first).
    order = product_id.split("/")
    if marketed is None or mg is None:
        return
    written = [tuple(s[order.index(i)] for i in ingredients) for s in sorted(marketed)]
    if any(s[0] == mg for s in written):
        return
    listed = ", ".join(_shown(s) for s in written)
    msg = (
        f"{text!r}: one strength for {product_id} is read as its {ingredients[0]}, and "
        f"{float(mg):g} mg is no marketed {ingredients[0]} strength of it; marketed "
        f"({'/'.join(ingredients)}): {listed} (source: "
        f"{data.combination_sources[product_id].title}). Write both, e.g. "
        f"'{_shown(written[0])}'."
    )
    raise InputError(msg)


def check_unit_dose(drug: str, dose: str | Quantity, route: str | None = None) -> tuple[Alert, ...]:
    """Flag one oral administration far outside the drug's marketed unit strengths.

    A dose more than 10 times below the smallest, or above the largest, oral unit
    strength painrx cites for the ingredient is the size of a mg/mcg (or g/mg) slip; a
    MAJOR alert asks to check the unit. It is an alert, not a refusal: an oral solution
    can measure a small dose that no tablet has, and the caller decides.

    Args:
        drug: Ingredient or single-ingredient product name (``"oxycodone"``).
        dose: One administration, a mass such as ``"10 mg"``.
        route: The route; only oral doses (None reads as oral) are checked, as the
            cited strengths are those of oral tablets and capsules.

    Returns:
        ``()`` or one alert, ``dose_below_marketed_strength`` or
        ``dose_above_marketed_strength``, citing the strength source.

    Raises:
        UnknownDrugError: The drug is not in the catalog.
        UnitError: The dose is not a mass.
        InputError: A route painrx does not know, or a non-positive dose.

    >>> [a.code for a in check_unit_dose("oxycodone", "10 mcg")]
    ['dose_below_marketed_strength']
    >>> check_unit_dose("oxycodone", "5 mg")
    ()
    """
    iid = ingredient(drug).id
    q = quantity_arg(_finite(dose), name="dose", kinds="mass")
    return unit_dose_alerts(iid, q, vocabulary.route(route) if route is not None else None)


def check_strength_unit(drug: str, unit: str, route: str | None = None) -> tuple[Alert, ...]:
    """Flag a per-unit strength unit that no marketed oral unit of the drug is labelled in.

    Every oral opioid tablet, capsule and solution in the CDC 2018 NDC file is labelled
    in mg: a strength column in mcg (or g) for one is the size of a mg/mcg slip, which
    the MME formula would multiply through unseen. Used per strength unit, so a table
    of prescriptions and the scalar path raise it alike.

    Args:
        drug: Ingredient or single-ingredient product name.
        unit: The strength unit (``"mcg"``).
        route: The route; only oral (None reads as oral) is checked.

    Returns:
        ``()`` or the MAJOR alert ``strength_unit_not_marketed``.

    Raises:
        UnknownDrugError: The drug is not in the catalog.
        UnitError: A unit painrx does not accept.
        InputError: A route painrx does not know.

    >>> [a.code for a in check_strength_unit("oxycodone", "mcg")]
    ['strength_unit_not_marketed']
    >>> check_strength_unit("oxycodone", "mg"), check_strength_unit("fentanyl", "mcg", "buccal")
    ((), ())
    """
    iid = ingredient(drug).id
    if not isinstance(cast("object", unit), str):
        msg = f"unit={unit!r} must be a unit string such as 'mg'."
        raise InputError(msg)
    one = Q(1.0, unit)
    shown = format_units(one)
    oral = route is None or vocabulary.route(route) == _ORAL
    units = _strengths().oral_units.get(iid)
    if not oral or units is None or kind_of(one) != "mass" or shown == "mg":
        return ()
    message = (
        f"Oral {iid} is marketed in mg per unit ({float(units.smallest_mg):g}-"
        f"{float(units.largest_mg):g} mg); a strength in {shown} is the size of a mg/mcg "
        "(or g/mg) slip: check the strength and its unit."
    )
    return (Alert("strength_unit_not_marketed", Severity.MAJOR, message, units.source),)


def unit_dose_alerts(iid: str, dose: Quantity, route: str | None) -> tuple[Alert, ...]:
    if route not in (None, _ORAL):
        return ()
    units = _strengths().oral_units.get(iid)
    mg = _mg_of(dose)
    if units is None or mg is None:
        return ()
    span = f"{float(units.smallest_mg):g}-{float(units.largest_mg):g} mg"
    if mg * _SLIP_FACTOR < units.smallest_mg:
        code, how = "dose_below_marketed_strength", "below a tenth of the smallest"
    elif mg > units.largest_mg * _SLIP_FACTOR:
        code, how = "dose_above_marketed_strength", "above ten times the largest"
    else:
        return ()
    message = (
        f"{iid} {_given(dose)} is {how} oral unit strength "
        f"marketed ({span}): check mg vs mcg (or g vs mg) before using this dose."
    )
    return (Alert(code, Severity.MAJOR, message, units.source),)
