"""Resolve what a taper is for: the product, its route and form, refusals, patch intervals.

Drug names go through :mod:`painrx.catalog`; the rules applied here (refusals,
unsplittable forms, patch change intervals) come from ``data/tapers/products.toml``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

import attrs

from painrx import catalog, vocabulary
from painrx._numbers import exact_conversion
from painrx.errors import InputError, UnitError, UnsafeConversionError
from painrx.tapers._data import PatchRule, Unsplittable, product_rules
from painrx.units import Q, Quantity, QuantityLike, kind_of, magnitude, quantity_arg

__all__ = [
    "MAX_STRENGTHS",
    "Indication",
    "TaperDrug",
    "patch_rule",
    "resolve",
    "strength_values",
    "unsplittable",
]

Indication = Literal["pain", "oud"]
_INDICATIONS: tuple[Indication, ...] = ("pain", "oud")
_ROUTES = ("oral", "transdermal")
_PATCH_FORM = "patch"
_ORAL_FORMS = ("tablet", "capsule", "er_tablet", "er_capsule", "solution")
#: The most unit strengths one taper may use. An engineering bound on the rounding work:
#: a product line is marketed in fewer (the OxyContin label lists 7 tablet strengths).
MAX_STRENGTHS = 10


@attrs.frozen
class TaperDrug:
    """The product a taper is built for.

    Attributes:
        name: The name as given.
        product: The catalog product.
        route: ``"oral"`` or ``"transdermal"``.
        form: The dose form (``"patch"`` for transdermal; None when unknown).
        opioid_index: Position of the opioid in ``product.ingredients``.
    """

    name: str
    product: catalog.Product
    route: Literal["oral", "transdermal"]
    form: str | None
    opioid_index: int

    @property
    def opioid(self) -> str:
        """The opioid ingredient id."""
        return self.product.ingredients[self.opioid_index]

    @property
    def is_patch(self) -> bool:
        """True for a transdermal patch."""
        return self.route == "transdermal"

    @property
    def named_brand(self) -> bool:
        """True when the name was a brand (the catalog then sets its form or route)."""
        return self.product.form is not None or self.product.route is not None


def _indication(value: object) -> Indication:
    if value is None:
        return "pain"
    if isinstance(value, str) and value.strip().lower() in _INDICATIONS:
        return value.strip().lower()  # type: ignore[return-value]
    msg = f"indication={value!r} is not accepted; use None (pain), 'pain' or 'oud'."
    raise InputError(msg)


def resolve(drug: object, *, route: object, form: object, indication: object) -> TaperDrug:
    """Resolve ``drug`` for a taper and apply the refusal rules.

    Raises:
        UnknownDrugError: The catalog does not know the drug.
        UnsafeConversionError: painrx refuses tapers of this drug, route or indication.
        InputError: Not an opioid, an unsupported route, or a route or form that
            contradicts the product.
    """
    if not isinstance(drug, str):
        msg = f"drug={drug!r} must be a drug name such as 'oxycodone'."
        raise InputError(msg)
    product = catalog.product(drug)
    given_route = vocabulary.route(route)
    given_form = vocabulary.form(form) if form is not None else None
    why = _indication(indication)
    # A brand's own route (Suboxone: sublingual) decides refusals, whatever route is passed.
    effective = product.route or given_route
    for rule in product_rules().refusals:
        if rule.matches(product.ingredients, {effective}, why, product.id):
            msg = (
                f"painrx refuses to build a taper for {drug!r} (route {effective}, "
                f"indication {why}): {rule.reason}. Refer to a specialist "
                f"(source: {rule.source.title}, {rule.source.year})."
            )
            raise UnsafeConversionError(msg)
    opioids = [i for i, ing in enumerate(product.ingredients) if catalog.in_class(ing, "opioid")]
    if not opioids:
        msg = f"{drug!r} ({product.id}) is not an opioid; taper() builds opioid tapers only."
        raise InputError(msg)
    if effective not in _ROUTES:
        msg = f"{drug!r} is {effective}: taper() builds oral and transdermal schedules only."
        raise InputError(msg)
    if effective != given_route:
        msg = (
            f"{drug!r} is a {effective} product but route={route!r} was given; "
            f"pass route={effective!r}."
        )
        raise InputError(msg)
    implied = _PATCH_FORM if given_route == "transdermal" else None
    if given_route == "oral" and given_form is not None and given_form not in _ORAL_FORMS:
        msg = (
            f"form={form!r} is not an oral form ({', '.join(_ORAL_FORMS)}); "
            "a patch needs route='transdermal'."
        )
        raise InputError(msg)
    for source_form in (product.form, implied):
        if given_form is not None and source_form is not None and given_form != source_form:
            msg = f"form={form!r} contradicts {drug!r}, which is a {source_form} product."
            raise InputError(msg)
    return TaperDrug(
        name=drug,
        product=product,
        route="transdermal" if given_route == "transdermal" else "oral",
        form=given_form or product.form or implied,
        opioid_index=opioids[0],
    )


def unsplittable(taper_drug: TaperDrug) -> Unsplittable | None:
    """Return the rule forbidding halves of this product's form, if there is one."""
    if taper_drug.form is None:
        return None
    return product_rules().unsplittable.get(taper_drug.form)


def patch_rule(taper_drug: TaperDrug, change_interval: QuantityLike | None) -> PatchRule:
    """Return the change-interval rule for a patch product.

    A named brand picks its own rule; a generic name needs a rule that covers every
    product of the ingredient, or an explicit ``change_interval`` equal to one of the
    labelled intervals for that ingredient.

    Raises:
        InputError: No labelled interval, an ambiguous generic name, or a
            ``change_interval`` no label gives.
    """
    rules = [r for r in product_rules().patches if r.ingredient == taper_drug.opioid]
    if taper_drug.named_brand:
        names = {b.lower() for b in taper_drug.product.brands} | {taper_drug.name.lower()}
        rules = [r for r in rules if not r.products or names & set(r.products)]
    if change_interval is not None:
        q = quantity_arg(change_interval, name="change_interval", kinds="time")
        hours = exact_conversion(magnitude(q, "h"))
        matching = [r for r in rules if r.change_hours == hours]
        if not matching:
            labelled = ", ".join(sorted({f"{float(r.change_hours):g} h" for r in rules})) or "none"
            msg = (
                f"change_interval={change_interval!r} is not a labelled change interval for "
                f"{taper_drug.name!r} patches; labelled: {labelled}."
            )
            raise InputError(msg)
        return matching[0]
    generic = [r for r in rules if not r.products]
    chosen = generic if not taper_drug.named_brand and generic else rules
    intervals = {r.change_hours for r in chosen}
    if len(intervals) == 1:
        return chosen[0]
    if not intervals:
        msg = f"painrx has no labelled patch change interval for {taper_drug.name!r}."
        raise InputError(msg)
    listed = "; ".join(f"{', '.join(r.products)}: {float(r.change_hours):g} h" for r in chosen)
    msg = (
        f"{taper_drug.name!r} patches differ in change interval ({listed}); name the brand "
        "or pass change_interval, e.g. change_interval='7 day'."
    )
    raise InputError(msg)


def strength_values(taper_drug: TaperDrug, strengths: object) -> tuple[Fraction, ...]:
    """Return the opioid strengths as exact amounts in ``mg`` (``mcg/h`` for patches).

    Combination products accept ``"10/325 mg"`` (the opioid part is used) or the
    opioid part alone (``"10 mg"``).

    Raises:
        InputError: Not a non-empty list, a duplicate, or a bad value.
        UnitError: A strength of the wrong kind or without a unit.
    """
    if isinstance(strengths, (str, bytes)) or not isinstance(strengths, (list, tuple)):
        msg = f"strengths={strengths!r} must be a list such as ['5 mg', '10 mg'], or None."
        raise InputError(msg)
    if not strengths:
        msg = "strengths=[] is empty; give the available unit strengths, or None for exact doses."
        raise InputError(msg)
    if len(strengths) > MAX_STRENGTHS:
        msg = (
            f"strengths lists {len(strengths)} strengths; a taper uses at most {MAX_STRENGTHS} "
            "(the strengths stocked for one product)."
        )
        raise InputError(msg)
    values: list[Fraction] = []
    for raw in strengths:
        q = _strength(taper_drug, raw)
        value = exact_conversion(magnitude(q, "mcg/h" if taper_drug.is_patch else "mg"))
        if value in values:
            msg = f"strengths lists {raw!r} twice."
            raise InputError(msg)
        values.append(value)
    return tuple(sorted(values))


def _strength(taper_drug: TaperDrug, raw: object) -> Quantity:
    kind = "mass_rate" if taper_drug.is_patch else "mass"
    if isinstance(raw, str) and taper_drug.product.is_combination:
        parsed = catalog.parse_medication(f"{taper_drug.name} {raw}")
        problems = [a for a in parsed.alerts if a.code.startswith("strength")]
        if problems or not parsed.strengths:
            why = "; ".join(a.message for a in problems) or "no strength was read"
            msg = f"strength {raw!r} for {taper_drug.name!r}: {why}."
            raise InputError(msg)
        index = taper_drug.opioid_index if len(parsed.strengths) > 1 else 0
        q: Quantity = parsed.strengths[index]
    else:
        q = Q(raw)
    if kind_of(q) != kind:
        example = "'25 mcg/h'" if taper_drug.is_patch else "'5 mg'"
        msg = f"strength {raw!r} must be {kind.replace('_', ' ')} such as {example}."
        raise UnitError(msg)
    if not q.magnitude > 0:
        msg = f"strength {raw!r} must be greater than zero."
        raise InputError(msg)
    return q
