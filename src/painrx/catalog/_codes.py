"""Drug codes: RxNorm ingredient and product RxCUIs, and the :class:`Coding` value they travel as.

Codes are data: ``painrx/data/rxnorm/ingredients.toml`` (ingredient RxCUIs keyed by
catalog ingredient id, each with the (code, name) pairs read from its cited sources, and
accepted only on a source's word that it is an ingredient code or on two sources'
agreement) and ``painrx/data/rxnorm/opioid_products.toml`` (the RxNorm opioid
drug codes of the CDC Opioid MME Toolkit, a CSV pinned by its SHA-256). Both are read on
first use. A code painrx cannot find is an :class:`UnknownCodeError`, never a guess.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from functools import cache
from types import MappingProxyType
from typing import Annotated, Any, Final

import attrs

from painrx.errors import InputError, PainRxError, UnknownDrugError
from painrx.provenance import Provenance
from painrx.tables import (
    NonEmpty,
    Range,
    ShapeError,
    data_file,
    load,
    table_error,
    table_info,
    table_part,
    table_shape,
)

__all__ = [
    "NDC_SYSTEM",
    "RXNORM_SYSTEM",
    "Coding",
    "CsvFile",
    "RxNormProduct",
    "UnknownCodeError",
    "check_name_or_rxcui",
    "check_rxcui",
    "codings_for",
    "csv_rows",
    "ingredient_for_rxcui",
    "ingredient_rxcui",
    "rxnorm_product",
    "rxnorm_products",
]

#: FHIR system URI of RxNorm codes.
RXNORM_SYSTEM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
#: FHIR system URI of National Drug Codes.
NDC_SYSTEM: Final = "http://hl7.org/fhir/sid/ndc"

# The code tables, found by kind and id like every table (paths only name them in messages).
_INGREDIENTS_ID: Final = "RXNORM_INGREDIENTS_2026_1"
_PRODUCTS_ID: Final = "RXNORM_OPIOID_PRODUCTS_2020"
_INGREDIENTS: Final = "rxnorm/ingredients.toml"
_PRODUCTS: Final = "rxnorm/opioid_products.toml"
# RxCUIs are positive integers; NLM's are at most 7 digits today, 10 leaves headroom while
# still refusing a pasted NDC (11 digits) or a runaway string.
_MAX_RXCUI_DIGITS: Final = 10


class UnknownCodeError(UnknownDrugError):
    """A drug code (RxCUI, NDC) that painrx's code tables do not contain.

    Attributes:
        name: The code as given.
        system: What kind of code it is (``"RxCUI"``, ``"NDC"``).
        why: Why it is not known (which table was searched).
    """

    def __init__(self, code: str, system: str, why: str) -> None:
        self.system = system
        self.why = why
        super().__init__(code)
        # The code's own message replaces the drug-name one the base class wrote.
        PainRxError.__init__(self, f"Unknown {system} {code!r}: {why}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.name, self.system, self.why))


@attrs.frozen
class Coding:
    """One code from a code system, as FHIR ``Coding`` carries it.

    Attributes:
        system: The code system URI (:data:`RXNORM_SYSTEM`, :data:`NDC_SYSTEM`).
        code: The code (an RxCUI, an 11-digit NDC).
        display: The code system's name for it, if known.
    """

    system: str
    code: str
    display: str | None = None

    def to_dict(self) -> dict[str, str]:
        """Return a FHIR ``Coding`` (JSON-ready; ``display`` only when known)."""
        out = {"system": self.system, "code": self.code}
        if self.display:
            out["display"] = self.display
        return out


@attrs.frozen
class RxNormProduct:
    """An RxNorm opioid drug (SCD, SBD or pack) and its opioid ingredient strength.

    Attributes:
        rxcui: The drug's RxCUI.
        name: Its RxNorm name, e.g. ``"oxycodone hydrochloride 5 MG Oral Tablet"``.
        tty: Term type inferred from the name (``SCD``, ``SBD``, ``GPCK``, ``BPCK``).
        ingredient: Catalog ingredient id of the opioid (``"oxycodone"``).
        ingredient_rxcui: RxCUI of the opioid ingredient.
        strengths: Strength text of each opioid component (``("5 MG",)``; two for a
            product with two salts of the same opioid).
        dose_form: RxNorm dose form name (``"Oral Tablet"``).
        dose_form_rxcui: Its RxCUI.
        source: The product table's provenance.
    """

    rxcui: str
    name: str
    tty: str
    ingredient: str
    ingredient_rxcui: str
    strengths: tuple[str, ...]
    dose_form: str
    dose_form_rxcui: str
    source: Provenance = attrs.field(repr=False)

    @property
    def coding(self) -> Coding:
        """The product's RxNorm :class:`Coding`."""
        return Coding(RXNORM_SYSTEM, self.rxcui, self.name)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "rxcui": self.rxcui,
            "name": self.name,
            "tty": self.tty,
            "ingredient": self.ingredient,
            "ingredient_rxcui": self.ingredient_rxcui,
            "strengths": list(self.strengths),
            "dose_form": self.dose_form,
            "dose_form_rxcui": self.dose_form_rxcui,
            "source": self.source.id,
        }


class _Digits:
    """A code written as a string of ASCII digits (an RxCUI)."""

    def check(self, value: str) -> None:
        if not (value.isascii() and value.isdigit()):
            msg = f"expected a string of digits, got {value!r}"
            raise ShapeError(msg)


class _Sha256:
    """A SHA-256 digest in lower-case hex."""

    def check(self, value: str) -> None:
        if not re.fullmatch(r"[0-9a-f]{64}", value):
            msg = f"expected 64 lower-case hex digits, got {value!r}"
            raise ShapeError(msg)


@table_part
class CsvFile:
    """A ``[file]`` block: the CSV a code table reads, pinned by checksum, rows and columns.

    The TOML is pinned in ``painrx/data/checksums.json`` and pins its CSV here, so a
    changed CSV fails closed (:func:`csv_rows`).
    """

    name: Annotated[str, NonEmpty()]
    sha256: Annotated[str, _Sha256()]
    rows: Annotated[int, Range(low=0)]
    columns: Annotated[tuple[Annotated[str, NonEmpty()], ...], NonEmpty()]


def csv_rows(table: str, block: CsvFile) -> list[dict[str, str]]:
    """Return the rows of the CSV a table's ``[file]`` block pins, checked against the block.

    Args:
        table: The TOML data file, relative to ``painrx/data`` (the CSV sits beside it).
        block: Its structured ``[file]`` block.

    Returns:
        The CSV rows as dicts (every cell as text).

    Raises:
        TableError: In the loader's format, when the CSV's checksum, header or row count
            differs from what the block pins.
    """
    folder = table.rsplit("/", 1)[0]
    raw = data_file(f"{folder}/{block.name}")
    digest = hashlib.sha256(raw).hexdigest()
    if digest != block.sha256:
        msg = f"{block.name} has SHA-256 {digest}, but {block.sha256} is pinned"
        raise table_error(table, "file.sha256", msg)
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8")))
    rows = list(reader)
    if tuple(reader.fieldnames or ()) != block.columns or len(rows) != block.rows:
        msg = (
            f"{block.name} has {len(rows)} rows and columns {reader.fieldnames}; "
            f"pinned: {block.rows} rows, columns {list(block.columns)}"
        )
        raise table_error(table, "file", msg)
    return rows


@table_part
class _Evidence:
    """One source's record of an ingredient code, as read: the extract a row is checked against.

    ``term_type`` is the source's own words for the kind of code, when it states one
    (``"concept_class_id Ingredient"`` for an OMOP concept, ``"ingredientCode"`` for
    OMTKData); a source that gives a code without saying what it is leaves it out.
    """

    source: Provenance
    file: Annotated[str, NonEmpty()]
    code: Annotated[str, _Digits()]
    name: Annotated[str, NonEmpty()]
    term_type: str | None = None


@table_part
class _IngredientCode:
    """An ingredient's RxCUI, its RxNorm name, the source it is cited to and the evidence.

    The rule painrx keeps (a code is an ingredient code only on a source's word or on two
    sources' agreement) is checked here, so a hand-edited row cannot break it silently.
    """

    rxcui: Annotated[str, _Digits()]
    name: Annotated[str, NonEmpty()]
    source: Provenance
    evidence: Annotated[tuple[_Evidence, ...], NonEmpty()]

    def __attrs_post_init__(self) -> None:
        other = sorted({e.code for e in self.evidence} - {self.rxcui})
        if other:
            msg = f"rxcui {self.rxcui!r} differs from what its evidence reads: {other}"
            raise ShapeError(msg, at="evidence")
        cited = {e.source.id for e in self.evidence}
        if not any(e.term_type for e in self.evidence) and len(cited) < 2:
            msg = (
                "an ingredient code needs a source that states the term type, or two "
                f"independent sources; evidence has only {sorted(cited)}"
            )
            raise ShapeError(msg, at="evidence")
        if self.source.id not in cited:
            msg = f"source {self.source.id!r} is not one of the evidence's sources {sorted(cited)}"
            raise ShapeError(msg, at="source")


@table_shape("rxnorm_ingredients")
@table_part
class _IngredientCodesFile:
    """``rxnorm/ingredients.toml``: the RxCUI of each catalog ingredient that has one."""

    ingredients: Mapping[str, _IngredientCode]

    def __attrs_post_init__(self) -> None:
        codes = [entry.rxcui for entry in self.ingredients.values()]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            msg = f"an RxCUI names one ingredient; used more than once: {twice}"
            raise ShapeError(msg, at="ingredients")


@table_shape("rxnorm_products")
@table_part
class _ProductCodesFile:
    """``rxnorm/opioid_products.toml``: the pinned CSV of RxNorm opioid drug codes."""

    file: CsvFile


@attrs.frozen
class _IngredientCodes:
    by_id: Mapping[str, Coding]
    by_rxcui: Mapping[str, str]
    sources: Mapping[str, Provenance]


@cache
def _ingredient_codes() -> _IngredientCodes:
    table = load(_IngredientCodesFile, _INGREDIENTS_ID)
    return _IngredientCodes(
        MappingProxyType(
            {iid: Coding(RXNORM_SYSTEM, e.rxcui, e.name) for iid, e in table.ingredients.items()}
        ),
        MappingProxyType({e.rxcui: iid for iid, e in table.ingredients.items()}),
        MappingProxyType({iid: e.source for iid, e in table.ingredients.items()}),
    )


@cache
def _products() -> Mapping[str, RxNormProduct]:
    info = table_info(_PRODUCTS_ID, kind="rxnorm_products")
    rows = csv_rows(info.path, load(_ProductCodesFile, info.id).file)
    ingredients = _ingredient_codes().by_rxcui
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        grouped.setdefault(row["rxcui"], []).append(row)
    found: dict[str, RxNormProduct] = {}
    for rxcui, group in grouped.items():
        first = group[0]
        ingredient = ingredients.get(first["ingredient_rxcui"])
        if ingredient is None or {r["ingredient_rxcui"] for r in group} != {
            first["ingredient_rxcui"]
        }:
            msg = (
                f"RxCUI {rxcui} has opioid ingredient(s) "
                f"{sorted({r['ingredient_rxcui'] for r in group})} not in data/{_INGREDIENTS}"
            )
            raise table_error(info.path, "file", msg)
        found[rxcui] = RxNormProduct(
            rxcui=rxcui,
            name=first["name"],
            tty=first["tty_inferred"],
            ingredient=ingredient,
            ingredient_rxcui=first["ingredient_rxcui"],
            strengths=tuple(r["strength"] for r in group),
            dose_form=first["dose_form"],
            dose_form_rxcui=first["dose_form_rxcui"],
            source=info.source,
        )
    return MappingProxyType(found)


def check_rxcui(value: object) -> str:
    """Return an RxCUI as its canonical digit string.

    Raises:
        InputError: Not a positive integer (or a string of up to 10 digits).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        msg = f"rxcui={value!r} must be an RxNorm concept id (digits, e.g. '7804')."
        raise InputError(msg)
    if not (text.isascii() and text.isdigit()) or len(text) > _MAX_RXCUI_DIGITS:
        msg = f"rxcui={value!r} is not an RxNorm concept id: expected up to 10 digits, e.g. '7804'."
        raise InputError(msg)
    text = text.lstrip("0")
    if not text:
        msg = f"rxcui={value!r} is not an RxNorm concept id: RxCUIs are positive."
        raise InputError(msg)
    return text


def ingredient_rxcui(ingredient_id: str) -> Coding | None:
    """Return the RxNorm ingredient :class:`Coding` of a catalog ingredient id, or None.

    None means painrx records no verified RxCUI for it (never a guessed code).

    >>> ingredient_rxcui("oxycodone")
    Coding(system='http://www.nlm.nih.gov/research/umls/rxnorm', code='7804', display='Oxycodone')
    """
    return _ingredient_codes().by_id.get(ingredient_id)


def ingredient_for_rxcui(rxcui: object) -> str | None:
    """Return the catalog ingredient id an ingredient RxCUI denotes, or None if not one.

    Raises:
        InputError: ``rxcui`` is not a well-formed RxCUI.
    """
    return _ingredient_codes().by_rxcui.get(check_rxcui(rxcui))


def rxnorm_product(rxcui: object) -> RxNormProduct:
    """Return the RxNorm opioid drug with this RxCUI.

    Raises:
        InputError: ``rxcui`` is not a well-formed RxCUI.
        UnknownCodeError: Not an opioid drug code of the RxNorm product table.

    >>> rxnorm_product("1049621").name
    'oxycodone hydrochloride 5 MG Oral Tablet'
    """
    code = check_rxcui(rxcui)
    found = _products().get(code)
    if found is None:
        raise UnknownCodeError(
            code,
            "RxCUI",
            f"it is neither an ingredient in data/{_INGREDIENTS} nor an opioid drug in "
            f"data/{_PRODUCTS} ({len(_products())} RxNorm opioid products, 2020 edition).",
        )
    return found


def rxnorm_products() -> tuple[RxNormProduct, ...]:
    """Return every RxNorm opioid drug painrx knows, by RxCUI (numeric order)."""
    return tuple(_products()[k] for k in sorted(_products(), key=int))


def codings_for(ingredient_ids: Sequence[str]) -> tuple[Coding, ...]:
    """Return the RxNorm codings of a single-ingredient product (combinations get none).

    A combination's own RxNorm concept (a multiple-ingredient code) is not in painrx's
    tables, and listing each ingredient's code would claim each alone, so a combination
    is carried by its text only.
    """
    if len(ingredient_ids) != 1:
        return ()
    coding = ingredient_rxcui(ingredient_ids[0])
    return () if coding is None else (coding,)


def check_name_or_rxcui(name: object, rxcui: object, what: str) -> object:
    """Return ``rxcui`` when exactly one of a name and a code is given.

    Raises:
        InputError: Both or neither given.
    """
    if (name is None) == (rxcui is None):
        msg = f"Give either a {what} or rxcui=, not {'both' if name is not None else 'neither'}."
        raise InputError(msg)
    return rxcui
