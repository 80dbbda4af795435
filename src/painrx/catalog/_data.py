"""The ingredient catalog: ingredients, classes, products, brands and name resolution. (public face: ``painrx.catalog``)."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Annotated, Any, Final, cast

import attrs

from painrx import vocabulary
from painrx._html import key_value_table
from painrx._moved import fields_state, load_fields_state
from painrx.catalog._codes import (
    RxNormProduct,
    UnknownCodeError,
    check_name_or_rxcui,
    ingredient_for_rxcui,
    rxnorm_product,
    rxnorm_products,
)
from painrx.errors import (
    InputError,
    TableError,
    UnknownDrugError,
)
from painrx.provenance import Provenance
from painrx.tables import (
    NonEmpty,
    Positive,
    ShapeError,
    data_file,
    parse_table,
    structure,
    table_error,
    table_part,
    table_shape,
)
from painrx.units import Q, Quantity

__all__ = [
    "CLASSES",
    "Ingredient",
    "Product",
    "class_source",
    "describe_class",
    "in_class",
    "ingredient",
    "ingredients",
    "members",
    "membership_source",
    "names",
    "product",
    "products",
    "source",
]

_PATH: Final = "catalog/drugs.toml"
# The same document, pre-parsed to JSON with the SHA-256 of the TOML it was built from
# (tests/catalog/generate.py writes it): parsing ~6,000 lines of TOML costs ~100 ms,
# reading the JSON ~10 ms. The TOML stays the reviewed source; a stale index is ignored.
_INDEX: Final = "catalog/drugs.index.json"
#: The closed class vocabulary of painrx (see ``docs/catalog.md`` for each definition).
CLASSES: Final[frozenset[str]] = frozenset(
    {
        "opioid",
        "full_mu_agonist",
        "partial_mu_agonist",
        "atypical_mu_agonist",
        "serotonergic_opioid",
        "opioid_antagonist",
        "nsaid",
        "cox2_selective",
        "anticoagulant",
        "vitamin_k_antagonist",
        "doac",
        "heparin",
        "lmwh",
        "antiplatelet",
        "p2y12_inhibitor",
        "aspirin",
        "ssri",
        "snri",
        "tca",
        "maoi",
        "serotonergic",
        "corticosteroid",
        "benzodiazepine",
        "gabapentinoid",
        "qt_prolonging",
        "ace_inhibitor",
        "arb",
        "diuretic",
        "aldosterone_antagonist",
        "ppi",
        "prostaglandin_analogue",
        "analgesic_non_opioid",
        "nmda_antagonist",
        "local_anaesthetic",
        "ketorolac",
        "z_drug",
        "muscle_relaxant",
        "sedating_antihistamine",
        "antipsychotic",
        "barbiturate",
        "triptan",
        "cyp3a4_strong_inhibitor",
        "cyp3a4_moderate_inhibitor",
        "cyp3a4_strong_inducer",
        "cyp3a4_moderate_inducer",
        "cyp2d6_strong_inhibitor",
        "raas_blocker",
        "lithium",
        "methotrexate",
    }
)

# Longest accepted name or medication text: bounds the work done on untrusted input.
_MAX_TEXT: Final = 200
_NON_NAME = re.compile(r"[^a-z0-9]+")
_ATC = re.compile(r"[A-Z]\d\d[A-Z][A-Z]\d\d")
_COMBO_SPLIT = re.compile(r"\s*(?:/|\+|&|,|\band\b|\bwith\b|(?<=[a-z])-(?=[a-z]))\s*")


@attrs.frozen
class Ingredient:
    """One active ingredient.

    Attributes:
        id: Canonical lower-case name, e.g. ``"oxycodone"``.
        name: Display name, e.g. ``"Oxycodone"``.
        classes: painrx classes (implied classes included), e.g. ``{"opioid", "full_mu_agonist"}``.
        atc: WHO ATC codes (empty when none is recorded).
        synonyms: Other accepted names (``"paracetamol"``, ``"APAP"``).
        salts: Salt and ester words ignored in lookups (``"hydrochloride"``, ``"HCl"``).
    """

    id: str
    name: str
    classes: frozenset[str]
    atc: tuple[str, ...]
    synonyms: tuple[str, ...]
    salts: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (classes sorted)."""
        return {
            "id": self.id,
            "name": self.name,
            "classes": sorted(self.classes),
            "atc": list(self.atc),
            "synonyms": list(self.synonyms),
            "salts": list(self.salts),
        }

    def _repr_html_(self) -> str:
        return key_value_table(
            f"Ingredient {self.name}",
            [
                ("id", self.id),
                ("classes", ", ".join(sorted(self.classes))),
                ("ATC", ", ".join(self.atc) or "—"),
                ("synonyms", ", ".join(self.synonyms) or "—"),
            ],
        )


@attrs.frozen
class Product:
    """A single-ingredient or combination product, optionally as a brand implies it.

    Attributes:
        id: Ingredient ids joined by ``"/"``, e.g. ``"oxycodone/acetaminophen"``.
        ingredients: Ingredient ids; for opioid combinations the opioid comes first.
        brands: For a generic name every brand of the product; for a brand, that brand
            alone (brands of one ingredient and form can still differ, e.g. a 7-day
            Butrans patch and a 96-hour Transtec patch).
        form: Dose form implied by the brand (``"er_tablet"`` for OxyContin), else None.
        route: Route implied by the brand (``"transdermal"`` for Duragesic), else None.
        strengths: Strength per unit the brand's name states, in ingredient order
            (``Tylenol #3``: codeine 30 mg, acetaminophen 300 mg), else ``()``.
    """

    id: str
    ingredients: tuple[str, ...]
    brands: tuple[str, ...]
    form: str | None
    route: str | None
    strengths: tuple[Quantity, ...] = ()

    # A pickle made before a field existed (``strengths``) loads with its default.
    __getstate__ = fields_state
    __setstate__ = load_fields_state

    @property
    def is_combination(self) -> bool:
        """True when the product has more than one ingredient."""
        return len(self.ingredients) > 1

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "id": self.id,
            "ingredients": list(self.ingredients),
            "brands": list(self.brands),
            "form": self.form,
            "route": self.route,
            "strengths": [str(q) for q in self.strengths],
        }

    def _repr_html_(self) -> str:
        return key_value_table(
            f"Product {self.id}",
            [
                ("ingredients", " + ".join(self.ingredients)),
                ("brands", ", ".join(self.brands) or "—"),
                ("form", self.form or "—"),
                ("route", self.route or "—"),
            ],
        )


@attrs.frozen
class _Brand:
    name: str
    product: str
    form: str | None
    route: str | None
    strength_order: tuple[str, ...] | None
    # mg per unit in the product's ingredient order, when the name states the strength.
    strengths_mg: tuple[float, ...] = ()


@attrs.frozen
class _Entry:
    """What a normalised name resolves to: a product, and the brand if it is one."""

    product: str
    brand: str | None


@attrs.frozen
class _Catalog:
    source: Provenance
    ingredients: Mapping[str, Ingredient]
    products: Mapping[str, tuple[str, ...]]
    product_brands: Mapping[str, tuple[str, ...]]
    brands: Mapping[str, _Brand]
    index: Mapping[str, _Entry]
    combos: Mapping[frozenset[str], str]
    salt_words: frozenset[str]
    ingredient_salts: Mapping[str, frozenset[str]]
    members: Mapping[str, frozenset[str]]
    class_info: Mapping[str, tuple[str, Provenance]]
    display: Mapping[str, str]
    # Per ingredient, the source of each class membership (the class's own source
    # unless the ingredient names another in ``class_sources``).
    membership: Mapping[str, Mapping[str, Provenance]]


def _document() -> Mapping[str, Any]:
    """Return the parsed catalog: the JSON index when it was built from these exact TOML bytes."""
    digest = hashlib.sha256(data_file(_PATH)).hexdigest()
    try:
        index = json.loads(data_file(_INDEX))
    except (OSError, ValueError):
        index = None
    if isinstance(index, dict) and index.get("source_sha256") == digest:
        document = index.get("document")
        if isinstance(document, dict):
            return document
    return _parse_toml()


def _parse_toml() -> Mapping[str, Any]:
    """Parse the catalog TOML itself (slow: only when the index is missing or stale)."""
    return parse_table(_PATH)


def _key(text: str) -> str:
    # ASCII needs no NFKC, and its casefold is lower(); most names are ASCII.
    folded = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_NAME.sub(" ", folded).split())


# --------------------------------------------------------------------------- declared shape
# What drugs.toml holds, declared once for the painrx.tables loader (kind
# "drug_catalog"). The rules that join entries (a product's ingredients exist, a
# brand's product exists, a name is used once) are checked in _catalog() below, in the
# loader's error format.


class _ClassTerm:
    """A painrx class (:data:`CLASSES`)."""

    def check(self, value: str) -> None:
        if value not in CLASSES:
            msg = f"unknown class {value!r}; see painrx.catalog.CLASSES"
            raise ShapeError(msg)


class _AtcCode:
    """A WHO ATC code of level 5 (seven characters, ``N02AA05``)."""

    def check(self, value: str) -> None:
        if not _ATC.fullmatch(value):
            msg = f"expected a 7-character level-5 ATC code, got {value!r}"
            raise ShapeError(msg)


class _Vocabulary:
    """A form or route, canonical or one of its aliases; the catalog keeps the canonical term."""

    def __init__(self, read: Callable[[object], str]) -> None:
        self.read = read

    def check(self, value: str) -> None:
        try:
            self.read(value)
        except InputError as exc:
            raise ShapeError(str(exc)) from None


_ClassName = Annotated[str, _ClassTerm()]
_Name = Annotated[str, NonEmpty()]


@table_part
class _ClassRow:
    description: str
    source: Provenance
    implies: tuple[_ClassName, ...] = ()


@table_part
class _IngredientRow:
    name: _Name
    classes: tuple[_ClassName, ...]
    atc: tuple[Annotated[str, _AtcCode()], ...]
    source: Provenance
    synonyms: tuple[_Name, ...] = ()
    salts: tuple[_Name, ...] = ()
    # A class membership cited by another source than the class's own.
    class_sources: Mapping[str, Provenance] = MappingProxyType({})


@table_part
class _ProductRow:
    ingredients: tuple[_Name, ...]
    source: Provenance
    atc: tuple[Annotated[str, _AtcCode()], ...] = ()
    synonyms: tuple[_Name, ...] = ()


@table_part
class _BrandRow:
    name: _Name
    product: str
    source: Provenance
    form: Annotated[str, _Vocabulary(vocabulary.form)] | None = None
    route: Annotated[str, _Vocabulary(vocabulary.route)] | None = None
    aliases: tuple[_Name, ...] = ()
    strength_order: tuple[_Name, ...] | None = None
    # mg per unit in strength_order (else ingredient) order, for a brand whose name states it.
    strengths_mg: tuple[Annotated[float, Positive()], ...] | None = None


@table_shape("drug_catalog")
@table_part
class _CatalogFile:
    classes: Mapping[str, _ClassRow]
    ingredients: Mapping[str, _IngredientRow]
    products: Mapping[str, _ProductRow]
    brands: tuple[_BrandRow, ...]

    def __attrs_post_init__(self) -> None:
        if set(self.classes) != CLASSES:
            msg = (
                "must define exactly the painrx classes; "
                f"missing {sorted(CLASSES - set(self.classes))}, "
                f"unknown {sorted(set(self.classes) - CLASSES)}"
            )
            raise ShapeError(msg, at="classes")


def _own_source(doc: Mapping[str, Any]) -> Provenance:
    """The catalog's own provenance, from the ``[provenance]`` block the loader has checked.

    Read from the document in hand (the JSON index), not through ``sources_of``, which
    would parse the TOML the index exists to avoid.
    """
    block = doc["provenance"]
    return Provenance(
        block["id"],
        block["title"],
        block["year"],
        block["citation"],
        block.get("url", ""),
        block.get("edition", ""),
    )


def _refused(path: str, message: str) -> TableError:
    return table_error(_PATH, path, message)


def _closure(classes: Iterable[str], implies: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    found: set[str] = set()
    pending = list(classes)
    while pending:
        cls = pending.pop()
        if cls not in found:
            found.add(cls)
            pending.extend(implies[cls])
    return frozenset(found)


def _add_name(
    index: dict[str, _Entry], display: dict[str, str], name: str, entry: _Entry, where: str
) -> None:
    key = _key(name)
    if not key:
        msg = f"name {name!r} is empty after normalisation"
        raise _refused(where, msg)
    if key in index and index[key] != entry:
        msg = f"name {name!r} is already used by {index[key]}"
        raise _refused(where, msg)
    index[key] = entry
    display.setdefault(key, name)


def _membership_sources(
    row: _IngredientRow,
    classes: frozenset[str],
    class_info: Mapping[str, tuple[str, Provenance]],
    where: str,
) -> dict[str, Provenance]:
    """Return each class membership's source: the class's, unless ``class_sources`` names one."""
    found = {cls: class_info[cls][1] for cls in classes}
    for cls, cited in row.class_sources.items():
        if cls not in classes:
            msg = (
                f"{cls!r} is not one of this ingredient's classes {sorted(classes)} "
                "(implied classes included)"
            )
            path = f"{where}.class_sources"
            raise _refused(path, msg)
        found[cls] = cited
    return found


@attrs.frozen
class _Names:
    """Every accepted name, normalised, with what it resolves to and how it is displayed."""

    index: dict[str, _Entry] = attrs.field(factory=dict)
    display: dict[str, str] = attrs.field(factory=dict)

    def add(self, name: str, entry: _Entry, where: str) -> None:
        _add_name(self.index, self.display, name, entry, where)


def _load_ingredients(
    file: _CatalogFile, class_info: Mapping[str, tuple[str, Provenance]], names: _Names
) -> tuple[dict[str, Ingredient], dict[str, frozenset[str]], dict[str, dict[str, Provenance]]]:
    implies = {cls: row.implies for cls, row in file.classes.items()}
    ingredients: dict[str, Ingredient] = {}
    salts: dict[str, frozenset[str]] = {}
    membership: dict[str, dict[str, Provenance]] = {}
    for iid, row in file.ingredients.items():
        where = f"ingredients.{iid}"
        if iid != iid.lower() or "/" in iid:
            msg = f"ids are lower case without '/', got {iid!r}"
            raise _refused(where, msg)
        ing = Ingredient(
            id=iid,
            name=row.name,
            classes=_closure(row.classes, implies),
            atc=row.atc,
            synonyms=row.synonyms,
            salts=row.salts,
        )
        ingredients[iid] = ing
        membership[iid] = _membership_sources(row, ing.classes, class_info, where)
        salts[iid] = frozenset(w for s in row.salts for w in _key(s).split())
        for name in (iid, ing.name, *row.synonyms):
            names.add(name, _Entry(iid, None), where)
        names.display[_key(iid)] = iid
    return ingredients, salts, membership


def _load_products(
    file: _CatalogFile, ingredients: Mapping[str, Ingredient], names: _Names
) -> tuple[dict[str, tuple[str, ...]], dict[frozenset[str], str]]:
    products: dict[str, tuple[str, ...]] = {iid: (iid,) for iid in ingredients}
    combos: dict[frozenset[str], str] = {}
    for pid, row in file.products.items():
        where = f"products[{pid!r}]"
        parts = row.ingredients
        if len(parts) < 2 or "/".join(parts) != pid or not set(parts) <= ingredients.keys():
            msg = f"the id must join >= 2 known ingredient ids with '/', got {list(parts)}"
            path = f"{where}.ingredients"
            raise _refused(path, msg)
        products[pid] = parts
        combos[frozenset(parts)] = pid
        names.display[_key(pid)] = pid
        for name in row.synonyms:
            names.add(name, _Entry(pid, None), where)
    return products, combos


def _brand_strengths(row: _BrandRow, parts: tuple[str, ...], where: str) -> tuple[float, ...]:
    """A brand's stated strengths in the product's ingredient order (``()`` when none)."""
    if row.strengths_mg is None:
        return ()
    if len(row.strengths_mg) != len(parts):
        msg = f"must give one strength per ingredient {list(parts)}, got {list(row.strengths_mg)}"
        path = f"{where}.strengths_mg"
        raise _refused(path, msg)
    by_id = dict(zip(row.strength_order or parts, row.strengths_mg, strict=True))
    return tuple(by_id[i] for i in parts)


def _load_brands(
    file: _CatalogFile, products: Mapping[str, tuple[str, ...]], names: _Names
) -> tuple[dict[str, _Brand], dict[str, tuple[str, ...]]]:
    brands: dict[str, _Brand] = {}
    by_product: dict[str, list[str]] = {}
    for i, row in enumerate(file.brands):
        where = f"brands[{i}]"
        if row.product not in products:
            path, msg = f"{where}.product", f"unknown product {row.product!r}"
            raise _refused(path, msg)
        parts = products[row.product]
        if row.strength_order is not None and sorted(row.strength_order) != sorted(parts):
            msg = f"must list {list(parts)}, got {list(row.strength_order)}"
            path = f"{where}.strength_order"
            raise _refused(path, msg)
        brands[row.name] = _Brand(
            name=row.name,
            product=row.product,
            form=None if row.form is None else vocabulary.form(row.form),
            route=None if row.route is None else vocabulary.route(row.route),
            strength_order=row.strength_order,
            strengths_mg=_brand_strengths(row, parts, where),
        )
        by_product.setdefault(row.product, []).append(row.name)
        for alias in (row.name, *row.aliases):
            names.add(alias, _Entry(row.product, row.name), where)
    return brands, {
        pid: tuple(sorted(found, key=str.casefold)) for pid, found in by_product.items()
    }


@cache
def _catalog() -> _Catalog:
    doc = _document()
    file = structure(doc, _CatalogFile, file=_PATH)
    class_info = {cls: (row.description, row.source) for cls, row in file.classes.items()}
    names = _Names()
    ingredients, salts, membership = _load_ingredients(file, class_info, names)
    products, combos = _load_products(file, ingredients, names)
    brands, product_brands = _load_brands(file, products, names)
    salt_words = frozenset().union(*salts.values())
    # A salt word may be a word of a longer name ("potassium chloride", "ferrous
    # sulfate": a whole name is looked up before any salt word is stripped), never a
    # name on its own: "potassium" alone must not resolve to a drug.
    clash = salt_words & names.index.keys()
    if clash:
        msg = f"salt word(s) {sorted(clash)} are also drug names on their own"
        path = "ingredients"
        raise _refused(path, msg)
    by_class: dict[str, set[str]] = {cls: set() for cls in CLASSES}
    for ing in ingredients.values():
        for cls in ing.classes:
            by_class[cls].add(ing.id)
    return _Catalog(
        source=_own_source(doc),
        ingredients=ingredients,
        products=products,
        product_brands=product_brands,
        brands=brands,
        index=names.index,
        combos=combos,
        salt_words=salt_words,
        ingredient_salts=salts,
        members={cls: frozenset(ids) for cls, ids in by_class.items()},
        class_info=class_info,
        display=names.display,
        membership=membership,
    )


def _check_text(value: object, what: str) -> str:
    if value is None:
        msg = f"No {what} given (None): give a drug name such as 'ibuprofen'."
        raise InputError(msg)
    if not isinstance(value, str):
        msg = f"{what} must be a string such as 'ibuprofen', not {value!r}."
        raise InputError(msg)
    if len(value) > _MAX_TEXT:
        msg = f"{what} is {len(value)} characters long; painrx accepts at most {_MAX_TEXT}."
        raise InputError(msg)
    if "\x00" in value:
        msg = f"{what} contains a NUL byte."
        raise InputError(msg)
    if not value.strip():
        msg = f"Empty {what}: give a drug name such as 'ibuprofen'."
        raise InputError(msg)
    return value


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


@cache
def _bigram_index() -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple((k, _bigrams(k)) for k in _catalog().display)


def _close(key: str, cutoff: float) -> list[str]:
    """difflib's close matches among names sharing a bigram with ``key``.

    Scoring every catalog name with difflib took most of the time of a hostile text;
    a name that shares no two-letter run with the key is never a close match worth
    suggesting, so only the others are scored.
    """
    grams = _bigrams(key)
    n = len(key)
    candidates = [
        k
        for k, g in _bigram_index()
        # difflib's ratio is at most 2·min(len)/(sum of lens): skip names too long or short.
        if 2 * min(n, len(k)) >= cutoff * (n + len(k)) and len(g & grams) * 4 >= len(grams)
    ]
    return difflib.get_close_matches(key, candidates, n=3, cutoff=cutoff)


def _suggest(text: str) -> tuple[str, ...]:
    cat = _catalog()
    key = _key(text)[:60]
    found = _close(key, 0.6)
    if not found:
        first = key.split(" ")[0] if key else ""
        found = _close(first, 0.7)
    # An ingredient id ("calcium_citrate") is shown as the words a person types.
    return tuple(dict.fromkeys(cat.display[k].replace("_", " ") for k in found))


def _strip_salts(key: str) -> _Entry | None:
    cat = _catalog()
    words = key.split()
    base = [w for w in words if w not in cat.salt_words]
    if len(base) == len(words) or not base:
        return None
    entry = cat.index.get(" ".join(base))
    if entry is None or len(cat.products[entry.product]) != 1:
        return None
    removed = {w for w in words if w in cat.salt_words}
    if not removed <= cat.ingredient_salts[entry.product]:
        return None
    return entry


def _lookup_single(text: str) -> _Entry | None:
    key = _key(text)
    entry = _catalog().index.get(key)
    if entry is None and key:
        entry = _strip_salts(key)
    return entry


@attrs.frozen
class _Resolved:
    product: str
    brand: str | None
    order: tuple[str, ...]


@lru_cache(maxsize=4096)
def _find(text: str) -> _Resolved | None:
    """Resolve ``text`` to a product, or None; no suggestions (they cost a catalog scan)."""
    cat = _catalog()
    entry = _lookup_single(text)
    if entry is not None:
        order = cat.products[entry.product]
        if entry.brand is not None:
            order = cat.brands[entry.brand].strength_order or order
        return _Resolved(entry.product, entry.brand, order)
    parts = _combo_parts(text)
    if len(parts) > 1:
        ids: list[str] = []
        for part in parts:
            found = _lookup_single(part)
            if found is None or len(cat.products[found.product]) != 1:
                return None
            ids.append(found.product)
        pid = cat.combos.get(frozenset(ids))
        if pid is None or len(set(ids)) != len(ids):
            return None
        return _Resolved(pid, None, tuple(ids))
    return None


def _combo_parts(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    return [p for p in _COMBO_SPLIT.split(folded) if p.strip()]


def _unknown(text: str) -> UnknownDrugError:
    """The error for a name :func:`_find` did not resolve, with suggestions."""
    cat = _catalog()
    parts = _combo_parts(text)
    if len(parts) > 1:
        ids: list[str] = []
        for part in parts:
            found = _lookup_single(part)
            if found is None or len(cat.products[found.product]) != 1:
                return UnknownDrugError(text, _suggest(part))
            ids.append(found.product)
        hint = [p for p in cat.combos.values() if set(ids) & set(cat.products[p])]
        return UnknownDrugError(text, tuple(sorted(hint))[:3])
    return UnknownDrugError(text, _suggest(text))


def _resolve(text: str) -> _Resolved:
    found = _find(text)
    if found is None:
        raise _unknown(text)
    return found


def _product_for(resolved: _Resolved) -> Product:
    cat = _catalog()
    ids = cat.products[resolved.product]
    if resolved.brand is None:
        return Product(
            id=resolved.product,
            ingredients=ids,
            brands=cat.product_brands.get(resolved.product, ()),
            form=None,
            route=None,
        )
    brand = cat.brands[resolved.brand]
    strengths = tuple(Q(mg, "mg") for mg in brand.strengths_mg)
    return Product(resolved.product, ids, (brand.name,), brand.form, brand.route, strengths)


def source() -> Provenance:
    """Return the provenance of the catalog edition painrx ships."""
    return _catalog().source


def product(name: str | None = None, *, rxcui: str | int | None = None) -> Product:
    """Return the product a name or an RxNorm code denotes.

    Accepts ingredient names and synonyms (with or without salts), brands, and
    combinations written with ``/``, ``-``, ``+`` or ``and`` in either order.

    Args:
        name: ``"hydrocodone/acetaminophen"``, ``"oxycodone/APAP"``,
            ``"oxycodone-acetaminophen"``, ``"Percocet"``, ``"Norco"``, ``"ibuprofen"``.
        rxcui: Instead of a name, an RxNorm ingredient or opioid drug code
            (``"7804"``, ``1049621``); see the "From codes" page.

    Returns:
        The product; a brand also sets the form and route it implies.

    Raises:
        InputError: ``name`` is empty, None, not a string or too long.
        UnknownDrugError: No product has that name (with close matches as suggestions).

    >>> product("oxycodone-APAP").id
    'oxycodone/acetaminophen'
    >>> p = product("Duragesic")
    >>> p.id, p.form, p.route
    ('fentanyl', 'patch', 'transdermal')
    >>> product(rxcui="1049621").id
    'oxycodone'
    """
    if rxcui is not None or name is None:
        return _product_for_rxcui(name, rxcui)
    return _product_for(_resolve(_check_text(name, "drug name")))


def ingredient(name: str) -> Ingredient:
    """Return the single ingredient a name denotes.

    Args:
        name: An id, synonym, salt form (``"oxycodone hydrochloride"``,
            ``"OXYCODONE HCL"``) or single-ingredient brand (``"Dilaudid"``).

    Raises:
        InputError: ``name`` is empty or names a combination product (use :func:`product`).
        UnknownDrugError: No ingredient has that name.

    >>> ingredient("paracetamol").id, ingredient("Dilaudid").id, ingredient("pethidine").id
    ('acetaminophen', 'hydromorphone', 'meperidine')
    """
    resolved = _resolve(_check_text(name, "drug name"))
    cat = _catalog()
    ids = cat.products[resolved.product]
    if len(ids) != 1:
        msg = (
            f"{name!r} is a combination product ({resolved.product}); "
            "use painrx.catalog.product() for combinations."
        )
        raise InputError(msg)
    return cat.ingredients[ids[0]]


def ingredients() -> tuple[Ingredient, ...]:
    """Return every ingredient in the catalog, sorted by id."""
    cat = _catalog()
    return tuple(cat.ingredients[i] for i in sorted(cat.ingredients))


def products() -> tuple[Product, ...]:
    """Return every generic product (single ingredients and combinations), sorted by id."""
    cat = _catalog()
    return tuple(_product_for(_Resolved(p, None, cat.products[p])) for p in sorted(cat.products))


def _check_class(cls: object) -> str:
    if not isinstance(cls, str) or cls not in CLASSES:
        msg = f"Unknown drug class {cls!r}; accepted: {', '.join(sorted(CLASSES))}."
        raise InputError(msg)
    return cls


def in_class(ingredient_id: str, cls: str) -> bool:
    """Return True when an ingredient belongs to a painrx class.

    Args:
        ingredient_id: An ingredient id or any name :func:`ingredient` accepts.
        cls: A class from :data:`CLASSES`.

    Raises:
        InputError: ``cls`` is not a painrx class.
        UnknownDrugError: The ingredient is unknown.

    >>> in_class("methadone", "qt_prolonging"), in_class("morphine", "serotonergic_opioid")
    (True, False)
    """
    _check_class(cls)
    cat = _catalog()
    # Callers may ignore the hints; an unhashable value must fail as InputError.
    raw = cast("object", ingredient_id)
    found = cat.ingredients.get(ingredient_id) if isinstance(raw, str) else None
    if found is None:
        found = ingredient(ingredient_id)
    return cls in found.classes


def members(cls: str) -> frozenset[str]:
    """Return the ingredient ids in a painrx class.

    Raises:
        InputError: ``cls`` is not a painrx class.

    >>> sorted(members("doac"))
    ['apixaban', 'dabigatran', 'edoxaban', 'rivaroxaban']
    """
    return _catalog().members[_check_class(cls)]


def describe_class(cls: str) -> str:
    """Return the one-line definition of a painrx class."""
    return _catalog().class_info[_check_class(cls)][0]


def class_source(cls: str) -> Provenance:
    """Return the source cited for a class's membership (e.g. CredibleMeds for QT)."""
    return _catalog().class_info[_check_class(cls)][1]


def membership_source(ingredient_id: str, cls: str) -> Provenance:
    """Return the source that places an ingredient in a painrx class.

    This is the class's own source (:func:`class_source`) unless the catalog cites
    another for this one ingredient (e.g. diphenhydramine is a sedating antihistamine
    by the US OTC sleep-aid monograph, 21 CFR 338.10).

    Args:
        ingredient_id: An ingredient id or any name :func:`ingredient` accepts.
        cls: A class from :data:`CLASSES` the ingredient belongs to.

    Raises:
        InputError: ``cls`` is not a painrx class, or the ingredient is not in it.
        UnknownDrugError: The ingredient is unknown.

    >>> membership_source("clarithromycin", "cyp3a4_strong_inhibitor").title
    'FDA Drug Development and Drug Interactions: Table of Substrates, Inhibitors and Inducers'
    """
    _check_class(cls)
    found = ingredient(ingredient_id)
    sources = _catalog().membership[found.id]
    if cls not in sources:
        msg = (
            f"{found.id!r} is not in class {cls!r}; its classes are "
            f"{', '.join(sorted(found.classes)) or 'none'}."
        )
        raise InputError(msg)
    return sources[cls]


def names() -> tuple[str, ...]:
    """Return every accepted name (ids, synonyms, brands, combination ids), sorted.

    Salt forms (``"oxycodone HCl"``) are accepted too but not listed.
    """
    return tuple(sorted(set(_catalog().display.values()), key=lambda s: (s.casefold(), s)))


# RxNorm names: "[12 HR ][1 ML ]ingredient strength UNIT[ / ingredient strength UNIT] Dose Form
# [Brand]". The dose form is known from the table, so it is cut off the end, not guessed.
# "Abuse-Deterrent" and "Matrix Delivery" are RxNorm qualifiers of the drug, not part of
# an ingredient name.
_RX_PREFIX: Final = re.compile(
    r"^(?:\d+(?:\.\d+)? (?:HR|ML|ACTUAT|DAY) |Abuse-Deterrent |Matrix Delivery )+"
)
_RX_BRAND: Final = re.compile(r" \[([^\]]+)\]$")
# A pack of identical units: "{2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray [Subsys]) } Pack".
_RX_PACK: Final = re.compile(r"^\{(?P<count>\d+) \((?P<unit>[^()]+?)(?: \[[^\]]+\])?\) \} Pack$")
# Words of an RxNorm name painrx refuses to read as the plain ingredient, and why.
_RX_REFUSED: Final = {
    "liposomal": (
        "is liposomal morphine (DepoDur), an extended-release liposome injection for "
        "epidural use only, as a single dose before surgery (DEPODUR prescribing "
        "information; no longer marketed in the US). No painrx MME or conversion table "
        "covers epidural morphine, and reading it as plain morphine injection would "
        "misstate it."
    ),
}
_RX_COMPONENT: Final = re.compile(
    r"^(?P<name>\D.*?) (?P<value>\d+(?:\.\d+)?) (?P<unit>[A-Z]+(?:/[A-Z]+)?)$"
)
# RxNorm strength units → painrx units ("per actuation" is per unit, a count).
_RX_UNITS: Final = {"MG": "mg", "MG/ML": "mg/mL", "MG/HR": "mg/h", "MG/ACTUAT": "mg"}


@attrs.frozen
class _RxName:
    """An RxNorm drug name read: ingredients, strengths, brand, and the units of a pack.

    ``pack`` is the number of identical units of a pack (None for one drug), whose
    strengths and ``dose_form`` are those of one unit.
    """

    ingredients: tuple[str, ...]
    strengths: tuple[tuple[str, float, str], ...]
    brand: str | None
    dose_form: str
    pack: int | None = None


@cache
def _rx_dose_forms() -> tuple[str, ...]:
    """The RxNorm dose forms of the code table, longest first (a pack's unit names one)."""
    forms = {p.dose_form for p in rxnorm_products()}
    return tuple(sorted(forms, key=len, reverse=True))


def _read_rxnorm_name(drug: RxNormProduct) -> _RxName:
    """Split an RxNorm drug name into (ingredient id, strength) components and a brand."""

    def refuse(why: str) -> UnknownCodeError:
        return UnknownCodeError(drug.rxcui, "RxCUI", f"its RxNorm name {drug.name!r} {why}")

    text = drug.name
    for word, why in _RX_REFUSED.items():
        if word in text.split():
            raise refuse(why)
    brand_match = _RX_BRAND.search(text)
    brand = brand_match.group(1) if brand_match else None
    text = text[: brand_match.start()] if brand_match else text
    dose_form, pack = drug.dose_form, None
    pack_match = _RX_PACK.match(text)
    if pack_match is not None:
        # A pack of N identical units is that unit's drug; its strength is one unit's.
        text, pack = pack_match["unit"], int(pack_match["count"])
        dose_form = next((f for f in _rx_dose_forms() if text.endswith(" " + f)), "")
    text = _RX_PREFIX.sub("", text)
    if not dose_form or not text.endswith(" " + dose_form) or text.startswith("{"):
        msg = f"is not one drug in the dose form {drug.dose_form!r}, nor a pack of one drug."
        raise refuse(msg)
    components: list[tuple[str, float, str]] = []
    for part in text.removesuffix(" " + dose_form).split(" / "):
        found = _RX_COMPONENT.match(part)
        if found is None or found["unit"] not in _RX_UNITS:
            msg = f"has a component painrx cannot read: {part!r}."
            raise refuse(msg)
        try:
            ingredient_id = ingredient(found["name"]).id
        except (UnknownDrugError, InputError) as exc:
            msg = f"names an ingredient the catalog does not know: {exc}"
            raise refuse(msg) from None
        components.append((ingredient_id, float(found["value"]), _RX_UNITS[found["unit"]]))
    ids = tuple(dict.fromkeys(c[0] for c in components))
    if drug.ingredient not in ids:
        msg = f"does not name its opioid {drug.ingredient}."
        raise refuse(msg)
    return _RxName(ids, tuple(components), brand, dose_form, pack)


def _rxnorm_catalog_product(drug: RxNormProduct) -> tuple[Product, _RxName]:
    name = _read_rxnorm_name(drug)
    try:
        found = product("/".join(name.ingredients))
    except UnknownDrugError as exc:
        raise UnknownCodeError(
            drug.rxcui, "RxCUI", f"the catalog has no product {'/'.join(name.ingredients)}: {exc}"
        ) from None
    return found, name


def _product_for_rxcui(name: object, rxcui: object) -> Product:
    """Return the catalog product of an RxCUI (an ingredient, or an RxNorm opioid drug).

    An RxNorm drug's partner ingredients (acetaminophen in a combination) are read
    from its RxNorm name, so the product is the whole combination.

    Raises:
        InputError: Both or neither of ``name`` and ``rxcui`` given, or a malformed RxCUI.
        UnknownCodeError: The code is unknown, or its RxNorm name names an ingredient or
            combination the catalog does not know.
    """
    code = check_name_or_rxcui(name, rxcui, "drug name")
    ingredient = ingredient_for_rxcui(code)
    if ingredient is not None:
        return product(ingredient)
    return _rxnorm_catalog_product(rxnorm_product(code))[0]
