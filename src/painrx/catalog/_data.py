"""The ingredient catalog, its products and the medication-text parser. (public face: ``painrx.catalog``)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any, Final, cast

import attrs

from painrx import vocabulary
from painrx._html import key_value_table
from painrx.errors import (
    Alert,
    InputError,
    PainRxError,
    Severity,
    TableError,
    UnitError,
    UnknownDrugError,
)
from painrx.provenance import Provenance
from painrx.tables import check_keys, entry_source, parse_table, sources_of
from painrx.units import Q, Quantity, format_units, kind_of

__all__ = [
    "CLASSES",
    "Ingredient",
    "ParsedMedication",
    "Product",
    "class_source",
    "describe_class",
    "in_class",
    "ingredient",
    "ingredients",
    "members",
    "names",
    "parse_medication",
    "parse_strength",
    "product",
    "products",
    "source",
]

_PATH: Final = "catalog/drugs.toml"

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
    }
)

# Longest accepted name or medication text: bounds the work done on untrusted input.
_MAX_TEXT: Final = 200
# Words that imply a route in free text but are not dose forms of the vocabulary.
_ROUTE_WORDS: Final[Mapping[str, str]] = {
    "gel": "topical",
    "cream": "topical",
    "ointment": "topical",
    "lotion": "topical",
    "topical": "topical",
}
# Words that change neither the ingredients, the amount nor the route ("as needed" still
# allows the full frequency, the conservative reading for cumulative doses).
_NEUTRAL_WORDS: Final = frozenset(
    {
        "prn",
        "as needed",
        "when needed",
        "for pain",
        "ec",
        "enteric coated",
        "enteric-coated",
        "low dose",
        "low-dose",
        "with food",
        "after food",
        "before food",
        "with meals",
        "after meals",
        "at night",
        "at bedtime",
    }
)
_NON_NAME = re.compile(r"[^a-z0-9]+")
_COMBO_SPLIT = re.compile(r"\s*(?:/|\+|&|,|\band\b|\bwith\b|(?<=[a-z])-(?=[a-z]))\s*")
_NUM = r"(?:\d{1,9}(?:\.\d{1,9})?|\.\d{1,9})"
_BARE_NUMBER = re.compile(rf"\s*{_NUM}\s*")
_NUMBER_UNIT = re.compile(rf"\s*({_NUM})\s*([a-zµμ][a-zµμ/ ]*?)\s*", re.IGNORECASE)
# One strength group in free text: "400 mg", "10/325 mg", "5-325 mg", "25 mcg/h",
# "300 mg/30 mg", "10/325" (no unit: reported, never guessed).
_STRENGTH_TEXT = re.compile(
    rf"{_NUM}\s*[a-zµμ]*(?:\s*/\s*(?:{_NUM}\s*)?[a-zµμ]+)*"
    rf"(?:\s*[/-]\s*{_NUM}\s*[a-zµμ]*(?:\s*/\s*[a-zµμ]+)*)*"
)
_STRENGTH_KINDS: Final = ("mass", "mass_rate", "concentration", "dose_per_weight")
# Mass units painrx keeps for body weight: "1 kg" of a drug is a slip, never a strength.
_BODY_WEIGHT_UNITS: Final = frozenset({"kg", "lb"})


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
    """

    id: str
    ingredients: tuple[str, ...]
    brands: tuple[str, ...]
    form: str | None
    route: str | None

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
class ParsedMedication:
    """A medication read from free text such as ``"Percocet 10/325 mg"``.

    Attributes:
        text: The text as given.
        product: The product it names.
        brand: The brand named in the text, if any.
        strengths: One strength per ingredient, in ``product.ingredients`` order, when the
            text gives them; a combination written with one strength (``"Percocet 5 mg"``)
            gives only its first (opioid) component; ``()`` when the text gives none.
        form: Dose form from the text, else the product's.
        route: Route from the text, else the product's.
        alerts: Parts of the text that were not understood or were refused (a strength
            without a unit is reported, never guessed); ``unrecognised_name_words`` when
            words inside the name were not read (they may name another ingredient).
        source: The catalog edition used.
        frequency: A frequency code written in the text (``"q6h"`` → ``"q6h"``,
            ``"bid"`` → ``"BID"``), else None.
    """

    text: str
    product: Product
    brand: str | None
    strengths: tuple[Quantity, ...]
    form: str | None
    route: str | None
    alerts: tuple[Alert, ...] = attrs.field(
        default=(), repr=lambda alerts: repr(tuple(a.code for a in alerts))
    )
    source: Provenance | None = attrs.field(default=None, repr=False)
    frequency: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (strengths as value/unit pairs)."""
        return {
            "text": self.text,
            "product": self.product.to_dict(),
            "brand": self.brand,
            "strengths": [
                {"value": float(q.magnitude), "unit": format_units(q)} for q in self.strengths
            ],
            "form": self.form,
            "route": self.route,
            "frequency": self.frequency,
            "alerts": [a.to_dict() for a in self.alerts],
            "source": self.source.id if self.source is not None else None,
        }

    def _repr_html_(self) -> str:
        return key_value_table(
            f"Medication {self.text!r}",
            [
                ("product", self.product.id),
                ("brand", self.brand or "—"),
                ("strengths", " / ".join(str(q) for q in self.strengths) or "—"),
                ("form", self.form or "—"),
                ("route", self.route or "—"),
                ("alerts", "; ".join(a.message for a in self.alerts) or "—"),
            ],
        )


@attrs.frozen
class _Brand:
    name: str
    product: str
    form: str | None
    route: str | None
    strength_order: tuple[str, ...] | None


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


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_NAME.sub(" ", folded).split())


def _strs(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        msg = f"data/{_PATH} {where}: must be a list of non-empty strings."
        raise TableError(msg)
    return tuple(value)


def _optional_vocab(entry: Mapping[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    try:
        return vocabulary.form(value) if key == "form" else vocabulary.route(value)
    except InputError as exc:
        msg = f"data/{_PATH} {where}: {exc}"
        raise TableError(msg) from None


def _load_classes(doc: Mapping[str, Any]) -> tuple[dict[str, tuple[str, ...]], dict[str, Any]]:
    raw = doc.get("classes", {})
    if set(raw) != CLASSES:
        msg = (
            f"data/{_PATH} [classes]: must define exactly the painrx classes; "
            f"missing {sorted(CLASSES - set(raw))}, unknown {sorted(set(raw) - CLASSES)}."
        )
        raise TableError(msg)
    implies: dict[str, tuple[str, ...]] = {}
    info: dict[str, Any] = {}
    for cls, block in raw.items():
        where = f"[classes.{cls}]"
        check_keys(
            block,
            required=("description", "source"),
            optional=("implies",),
            where=f"data/{_PATH} {where}",
        )
        implied = _strs(block.get("implies", []), where) if "implies" in block else ()
        if not set(implied) <= CLASSES:
            msg = (
                f"data/{_PATH} {where}: implies an unknown class {sorted(set(implied) - CLASSES)}."
            )
            raise TableError(msg)
        implies[cls] = implied
        info[cls] = (str(block["description"]), entry_source(block, _PATH, where))
    return implies, info


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
        msg = f"data/{_PATH} {where}: name {name!r} is empty after normalisation."
        raise TableError(msg)
    if key in index and index[key] != entry:
        msg = f"data/{_PATH} {where}: name {name!r} is already used by {index[key]}."
        raise TableError(msg)
    index[key] = entry
    display.setdefault(key, name)


def _load_ingredients(
    doc: Mapping[str, Any],
    implies: Mapping[str, tuple[str, ...]],
    index: dict[str, _Entry],
    display: dict[str, str],
) -> tuple[dict[str, Ingredient], dict[str, frozenset[str]]]:
    ingredients: dict[str, Ingredient] = {}
    salts: dict[str, frozenset[str]] = {}
    for iid, block in doc.get("ingredients", {}).items():
        where = f"[ingredients.{iid}]"
        check_keys(
            block,
            required=("name", "classes", "atc", "source"),
            optional=("synonyms", "salts"),
            where=f"data/{_PATH} {where}",
        )
        entry_source(block, _PATH, where)
        if iid != iid.lower() or "/" in iid:
            msg = f"data/{_PATH} {where}: ids are lower case without '/'."
            raise TableError(msg)
        classes = _strs(block["classes"], f"{where} classes")
        if not set(classes) <= CLASSES:
            msg = f"data/{_PATH} {where}: unknown class(es) {sorted(set(classes) - CLASSES)}."
            raise TableError(msg)
        atc = tuple(block["atc"])
        if not all(isinstance(c, str) and re.fullmatch(r"[A-Z]\d\d[A-Z][A-Z]\d\d", c) for c in atc):
            msg = f"data/{_PATH} {where}: ATC codes must be 7-character level-5 codes."
            raise TableError(msg)
        synonyms = _strs(block.get("synonyms", []), where) if "synonyms" in block else ()
        salt_names = _strs(block.get("salts", []), where) if "salts" in block else ()
        ing = Ingredient(
            id=iid,
            name=str(block["name"]),
            classes=_closure(classes, implies),
            atc=atc,
            synonyms=synonyms,
            salts=salt_names,
        )
        ingredients[iid] = ing
        salts[iid] = frozenset(w for s in salt_names for w in _key(s).split())
        for name in (iid, ing.name, *synonyms):
            _add_name(index, display, name, _Entry(iid, None), where)
        display[_key(iid)] = iid
    return ingredients, salts


def _load_products(
    doc: Mapping[str, Any],
    ingredients: Mapping[str, Ingredient],
    index: dict[str, _Entry],
    display: dict[str, str],
) -> tuple[dict[str, tuple[str, ...]], dict[frozenset[str], str]]:
    products: dict[str, tuple[str, ...]] = {iid: (iid,) for iid in ingredients}
    combos: dict[frozenset[str], str] = {}
    for pid, block in doc.get("products", {}).items():
        where = f'[products."{pid}"]'
        check_keys(
            block,
            required=("ingredients", "source"),
            optional=("atc", "synonyms"),
            where=f"data/{_PATH} {where}",
        )
        entry_source(block, _PATH, where)
        parts = _strs(block["ingredients"], f"{where} ingredients")
        if len(parts) < 2 or "/".join(parts) != pid or not set(parts) <= ingredients.keys():
            msg = f"data/{_PATH} {where}: id must join >= 2 known ingredient ids with '/'."
            raise TableError(msg)
        products[pid] = parts
        combos[frozenset(parts)] = pid
        display[_key(pid)] = pid
        for name in _strs(block.get("synonyms", []), where) if "synonyms" in block else ():
            _add_name(index, display, name, _Entry(pid, None), where)
    return products, combos


def _load_brands(
    doc: Mapping[str, Any],
    products: Mapping[str, tuple[str, ...]],
    index: dict[str, _Entry],
    display: dict[str, str],
) -> tuple[dict[str, _Brand], dict[str, tuple[str, ...]]]:
    brands: dict[str, _Brand] = {}
    by_product: dict[str, list[str]] = {}
    for i, block in enumerate(doc.get("brands", [])):
        where = f"[[brands]] #{i + 1}"
        check_keys(
            block,
            required=("name", "product", "source"),
            optional=("form", "route", "aliases", "strength_order"),
            where=f"data/{_PATH} {where}",
        )
        entry_source(block, _PATH, where)
        pid = block["product"]
        if pid not in products:
            msg = f"data/{_PATH} {where}: unknown product {pid!r}."
            raise TableError(msg)
        order = None
        if "strength_order" in block:
            order = _strs(block["strength_order"], where)
            if sorted(order) != sorted(products[pid]):
                msg = f"data/{_PATH} {where}: strength_order must list {products[pid]}."
                raise TableError(msg)
        name = str(block["name"])
        brand = _Brand(
            name=name,
            product=pid,
            form=_optional_vocab(block, "form", where),
            route=_optional_vocab(block, "route", where),
            strength_order=order,
        )
        brands[name] = brand
        by_product.setdefault(pid, []).append(name)
        aliases = _strs(block.get("aliases", []), where) if "aliases" in block else ()
        for alias in (name, *aliases):
            _add_name(index, display, alias, _Entry(pid, name), where)
    return brands, {
        pid: tuple(sorted(names, key=str.casefold)) for pid, names in by_product.items()
    }


@cache
def _catalog() -> _Catalog:
    doc = parse_table(_PATH)
    check_keys(
        doc,
        required=("provenance", "sources", "classes", "ingredients", "products", "brands"),
        where=f"data/{_PATH}",
    )
    implies, class_info = _load_classes(doc)
    index: dict[str, _Entry] = {}
    display: dict[str, str] = {}
    ingredients, salts = _load_ingredients(doc, implies, index, display)
    products, combos = _load_products(doc, ingredients, index, display)
    brands, product_brands = _load_brands(doc, products, index, display)
    salt_words = frozenset().union(*salts.values())
    name_words = {w for key in index for w in key.split()}
    clash = salt_words & name_words
    if clash:
        msg = f"data/{_PATH}: salt word(s) {sorted(clash)} are also drug-name words."
        raise TableError(msg)
    members = {
        cls: frozenset(i.id for i in ingredients.values() if cls in i.classes) for cls in CLASSES
    }
    return _Catalog(
        source=sources_of(_PATH)["provenance"],
        ingredients=ingredients,
        products=products,
        product_brands=product_brands,
        brands=brands,
        index=index,
        combos=combos,
        salt_words=salt_words,
        ingredient_salts=salts,
        members=members,
        class_info=class_info,
        display=display,
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


def _suggest(text: str) -> tuple[str, ...]:
    cat = _catalog()
    key = _key(text)[:60]
    found = difflib.get_close_matches(key, list(cat.display), n=3, cutoff=0.6)
    if not found:
        first = key.split(" ")[0] if key else ""
        found = difflib.get_close_matches(first, list(cat.display), n=3, cutoff=0.7)
    return tuple(dict.fromkeys(cat.display[k] for k in found))


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
def _resolve(text: str) -> _Resolved:
    cat = _catalog()
    entry = _lookup_single(text)
    if entry is not None:
        order = cat.products[entry.product]
        if entry.brand is not None:
            order = cat.brands[entry.brand].strength_order or order
        return _Resolved(entry.product, entry.brand, order)
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    parts = [p for p in _COMBO_SPLIT.split(folded) if p.strip()]
    if len(parts) > 1:
        ids: list[str] = []
        for part in parts:
            found = _lookup_single(part)
            if found is None or len(cat.products[found.product]) != 1:
                raise UnknownDrugError(text, _suggest(part))
            ids.append(found.product)
        pid = cat.combos.get(frozenset(ids))
        if pid is None or len(set(ids)) != len(ids):
            hint = [p for p in cat.combos.values() if set(ids) & set(cat.products[p])]
            raise UnknownDrugError(text, tuple(sorted(hint))[:3])
        return _Resolved(pid, None, tuple(ids))
    raise UnknownDrugError(text, _suggest(text))


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
    return Product(resolved.product, ids, (brand.name,), brand.form, brand.route)


def source() -> Provenance:
    """Return the provenance of the catalog edition painrx ships."""
    return _catalog().source


def product(name: str) -> Product:
    """Return the product a name denotes.

    Accepts ingredient names and synonyms (with or without salts), brands, and
    combinations written with ``/``, ``-``, ``+`` or ``and`` in either order.

    Args:
        name: ``"hydrocodone/acetaminophen"``, ``"oxycodone/APAP"``,
            ``"oxycodone-acetaminophen"``, ``"Percocet"``, ``"Norco"``, ``"ibuprofen"``.

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
    """
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


def names() -> tuple[str, ...]:
    """Return every accepted name (ids, synonyms, brands, combination ids), sorted.

    Salt forms (``"oxycodone HCl"``) are accepted too but not listed.
    """
    return tuple(sorted(set(_catalog().display.values()), key=lambda s: (s.casefold(), s)))


def _split_number_unit(text: str) -> tuple[str, str] | None:
    match = _NUMBER_UNIT.fullmatch(text)
    if match is None:
        return None
    return match.group(1), match.group(2)


def _strength_quantity(text: str, original: str) -> Quantity:
    q = Q(text)
    kind = kind_of(q)
    if kind not in _STRENGTH_KINDS:
        msg = (
            f"Strength {original!r} is {kind or 'an unsupported unit'}; expected a drug amount "
            "('10 mg'), a patch rate ('25 mcg/h'), a concentration ('2 mg/mL') or a "
            "weight-based dose ('1 mg/kg')."
        )
        raise InputError(msg)
    if kind == "mass" and format_units(q) in _BODY_WEIGHT_UNITS:
        msg = (
            f"Strength {original!r}: kg and lb are body weights; a drug amount is written "
            "in g, mg or mcg."
        )
        raise UnitError(msg)
    if not q.magnitude > 0:
        msg = f"Strength {original!r} must be greater than zero."
        raise InputError(msg)
    return q


def parse_strength(text: str | Quantity, n_ingredients: int = 1) -> tuple[Quantity, ...]:
    """Parse a strength: one quantity per ingredient.

    Args:
        text: ``"10 mg"``, ``"10/325 mg"`` (one unit for all), ``"300 mg/30 mg"`` (one
            unit each), ``"5-325 mg"`` (combinations only) or ``"25 mcg/h"``; a painrx
            quantity is accepted for a single ingredient.
        n_ingredients: How many strengths are expected.

    Returns:
        The strengths in the order written.

    Raises:
        UnitError: A strength has no unit or a unit painrx does not accept.
        InputError: Malformed text, a count that differs from ``n_ingredients``, or a
            non-positive strength.

    >>> parse_strength("10/325 mg", 2)
    (<Quantity(10.0, 'mg')>, <Quantity(325.0, 'mg')>)
    >>> parse_strength("25 mcg/h")
    (<Quantity(25.0, 'mcg/h')>,)
    """
    count = cast("object", n_ingredients)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        msg = f"n_ingredients={n_ingredients!r} must be a whole number of at least 1."
        raise InputError(msg)
    if not isinstance(text, str):
        if n_ingredients != 1:
            msg = (
                f"A single quantity cannot give {n_ingredients} strengths; write e.g. '10/325 mg'."
            )
            raise InputError(msg)
        return (_strength_quantity(text, str(text)),)  # type: ignore[arg-type]
    original = _check_text(text, "strength")
    splitter = r"\s*[/-]\s*(?=[\d.])" if n_ingredients > 1 else r"\s*/\s*(?=[\d.])"
    parts = re.split(splitter, text.strip())
    if len(parts) == 1:
        result: tuple[Quantity, ...] = (_strength_quantity(parts[0], original),)
    else:
        last = _split_number_unit(parts[-1])
        if last is None:
            result = (_strength_quantity(parts[-1], original),)
        elif all(_BARE_NUMBER.fullmatch(p) for p in parts[:-1]):
            unit = last[1]
            leading = [_strength_quantity(f"{p.strip()} {unit}", original) for p in parts[:-1]]
            result = (*leading, _strength_quantity(parts[-1], original))
        else:
            result = tuple(_strength_quantity(p, original) for p in parts)
    if len(result) != n_ingredients:
        msg = (
            f"Strength {original!r} gives {len(result)} value(s); expected {n_ingredients} "
            "(one per ingredient, e.g. '10/325 mg')."
        )
        raise InputError(msg)
    return result


def _alert(code: str, severity: Severity, message: str) -> Alert:
    return Alert(code, severity, message, _catalog().source)


@attrs.frozen
class _Words:
    form: str | None
    route: str | None
    frequency: str | None
    unknown_in_name: tuple[str, ...]
    unknown_after: tuple[str, ...]
    products: tuple[str, ...]


def _classify(phrase: str, found: dict[str, str]) -> bool:
    if phrase in _NEUTRAL_WORDS:
        return True
    if phrase in _ROUTE_WORDS:
        found["route"] = _ROUTE_WORDS[phrase]
        return True
    for key, reader in (
        ("form", vocabulary.form),
        ("route", vocabulary.route),
        ("frequency", vocabulary.frequency_label),
    ):
        try:
            found[key] = reader(phrase)
        except InputError:
            continue
        return True
    return False


def _named_product(words: list[str], i: int) -> tuple[int, str] | None:
    """Return (word count, product id) when the words at ``i`` name a catalog drug."""
    for n in (3, 2, 1):
        if i + n <= len(words):
            try:
                return n, _resolve(" ".join(words[i : i + n])).product
            except UnknownDrugError:
                continue
    return None


def _read_words(
    name_words: list[str], rest: list[str], form: str | None, route: str | None
) -> _Words:
    """Classify the words around the drug name and strength.

    ``name_words`` are the words between the recognised name and the strength (all
    remaining words when there is no strength); ``rest`` the words after it. A word
    that names another catalog drug is returned in ``products``, never dropped.
    """
    words = name_words + rest
    found: dict[str, str] = {}
    unknown: list[int] = []
    named: list[str] = []
    i = 0
    while i < len(words):
        size = next(
            (
                n
                for n in (3, 2, 1)
                if i + n <= len(words) and _classify(" ".join(words[i : i + n]), found)
            ),
            0,
        )
        if not size:
            other = _named_product(words, i)
            if other is None:
                unknown.append(i)
            else:
                size = other[0]
                named.append(other[1])
        i += size or 1
    cut = len(name_words)
    return _Words(
        found.get("form", form),
        found.get("route", route),
        found.get("frequency"),
        tuple(words[i] for i in unknown if i < cut),
        tuple(words[i] for i in unknown if i >= cut),
        tuple(named),
    )


def _parse_strength_text(
    text: str, resolved: _Resolved, n: int, alerts: list[Alert]
) -> tuple[Quantity, ...]:
    count = len(re.split(r"\s*[/-]\s*(?=[\d.])", text))
    try:
        if n > 1 and count == 1:
            alerts.append(
                _alert(
                    "combination_strength_partial",
                    Severity.MINOR,
                    f"{text!r} gives one strength for a {n}-ingredient product; it is read "
                    f"as the {resolved.order[0]} component only.",
                )
            )
            return parse_strength(text, 1)
        values = parse_strength(text, n)
    except PainRxError as exc:
        code = "strength_unit_missing" if "no unit" in exc.message else "strength_not_understood"
        alerts.append(_alert(code, Severity.MINOR, f"Strength not used: {exc.message}"))
        return ()
    by_id = dict(zip(resolved.order, values, strict=True))
    return tuple(by_id[i] for i in _catalog().products[resolved.product])


@lru_cache(maxsize=4096)
def _parse_medication(text: str) -> ParsedMedication:
    # NFKC would turn "10²" into "102" and "４" into "4": numbers must be ASCII digits,
    # as painrx.units requires for every quantity.
    odd = next(
        (c for c in text if not c.isascii() and unicodedata.numeric(c, None) is not None), None
    )
    if odd is not None:
        msg = (
            f"{text!r} contains the character {odd!r} (U+{ord(odd):04X}); write numbers "
            "with ASCII digits."
        )
        raise InputError(msg)
    folded = unicodedata.normalize("NFKC", text).casefold()
    # "5mg" -> "5 mg", but "q6h" stays one word.
    folded = re.sub(r"(?<![a-z0-9.])(\d+(?:\.\d+)?)(?=[a-zµμ])", r"\1 ", folded)
    words = folded.split()
    first_number = next(
        (i for i, w in enumerate(words) if w[0].isdigit() or (w[0] == "." and w[1:2].isdigit())),
        len(words),
    )
    name_words = words[:first_number]
    if not name_words:
        msg = f"{text!r} does not start with a drug name; write e.g. 'ibuprofen 400 mg'."
        raise InputError(msg)
    resolved: _Resolved | None = None
    used = 0
    for used in range(len(name_words), 0, -1):
        try:
            resolved = _resolve(" ".join(name_words[:used]))
            break
        except UnknownDrugError:
            continue
    if resolved is None:
        raise UnknownDrugError(" ".join(name_words), _suggest(" ".join(name_words)))
    prod = _product_for(resolved)
    ids = prod.ingredients
    alerts: list[Alert] = []
    rest = " ".join(words[first_number:])
    strengths: tuple[Quantity, ...] = ()
    match = _STRENGTH_TEXT.match(rest) if rest else None
    if match is not None:
        strengths = _parse_strength_text(
            match.group().strip(), resolved, len(prod.ingredients), alerts
        )
        rest = rest[match.end() :]
    words_read = _read_words(name_words[used:], rest.split(), prod.form, prod.route)
    others = sorted({p for p in words_read.products if not set(_catalog().products[p]) <= set(ids)})
    if others:
        # "oxycodone and aspirin", "ibuprofen, warfarin": reading only the first drug
        # would silently drop the others (first-word matching).
        raise UnknownDrugError(text.strip(), (prod.id, *others))
    if words_read.unknown_in_name:
        alerts.append(
            _alert(
                "unrecognised_name_words",
                Severity.MINOR,
                f"Only {' '.join(name_words[:used])!r} was recognised as the drug; "
                f"{' '.join(words_read.unknown_in_name)!r} was not understood and may name "
                "another ingredient, which painrx has then not read.",
            )
        )
    if words_read.unknown_after:
        alerts.append(
            _alert(
                "unparsed_text",
                Severity.INFO,
                "Words not used for product, strength, form, route or frequency: "
                f"{' '.join(words_read.unknown_after)!r}.",
            )
        )
    return ParsedMedication(
        text=text,
        product=prod,
        brand=resolved.brand,
        strengths=strengths,
        form=words_read.form,
        route=words_read.route,
        alerts=tuple(alerts),
        source=_catalog().source,
        frequency=words_read.frequency,
    )


def parse_medication(text: str) -> ParsedMedication:
    """Read a product, strengths, form and route from free text.

    Args:
        text: ``"Ibuprofen 400 mg tablet"``, ``"OXYCODONE HCL 5MG TAB"``,
            ``"Percocet 10/325 mg"``, ``"Eliquis 5mg"``, ``"oxycodone/acetaminophen 10/325 mg"``.

    Returns:
        The parsed medication. Words that were not understood and strengths that
        could not be read (``"Percocet 10/325"`` has no unit: painrx never guesses
        one) are reported in ``.alerts`` rather than guessed.

    Raises:
        InputError: Empty, None, non-string or over-long text, or text with no drug name.
        UnknownDrugError: The drug name is not in the catalog, or the text names a
            second drug (``"oxycodone and aspirin"``) that is not part of the product.

    >>> m = parse_medication("Percocet 10/325 mg")
    >>> m.product.id, m.brand, [str(q) for q in m.strengths]
    ('oxycodone/acetaminophen', 'Percocet', ['10 mg', '325 mg'])
    >>> m = parse_medication("OXYCODONE HCL 5MG TAB")
    >>> m.product.id, str(m.strengths[0]), m.form
    ('oxycodone', '5 mg', 'tablet')
    """
    return _parse_medication(_check_text(text, "medication text"))
