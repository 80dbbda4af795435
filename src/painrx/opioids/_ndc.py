"""NDC lookups in the CDC 2018 opioid NDC file.

The file (``painrx/data/ndc/``) is read on the first lookup. Each product carries its own
strength per unit, unit and MME conversion factor; ``mme_prescription(ndc=)``
(:mod:`painrx.opioids._mme`, which imports this module, never the reverse) applies the file
formula ``strength per unit × (units ÷ days supply) × factor`` with the file's own
conventions: fentanyl patches take days supply = patches × 3, liquids and sprays are
counted in mL, buprenorphine has no factor (an error, never 0), methadone is the file's
flat 3 with the methadone caution.

>>> normalize_ndc("0054-0176-13"), normalize_ndc("00054-0176-13"), normalize_ndc(54017613)
('00054017613', '00054017613', '00054017613')
>>> ndc_product("00406-0552-01").name
'OXYCODONE HCL'
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Annotated, Any, Final, Literal

import attrs

from painrx.catalog import NDC_SYSTEM, Coding, UnknownCodeError, ingredient_rxcui
from painrx.catalog._codes import CsvFile, csv_rows
from painrx.errors import InputError
from painrx.provenance import Provenance
from painrx.tables import (
    Form,
    NonEmpty,
    Range,
    Route,
    TableError,
    load,
    sources_of,
    table_part,
    table_shape,
)

__all__ = [
    "NDC_PRODUCTS",
    "NDCProduct",
    "ndc_product",
    "ndc_products",
    "normalize_ndc",
]

#: Table id of the CDC 2018 NDC product list.
NDC_PRODUCTS: Final = "CDC_NDC_2018_PRODUCTS"
_PATH: Final = "ndc/cdc_ndc_2018_products.toml"
_NDC_DIGITS: Final = 11
# 10-digit NDC layouts (labeler-product-package) and where the 11-digit form adds its zero.
_LAYOUTS: Final = {(4, 4, 2): "4-4-2", (5, 3, 2): "5-3-2", (5, 4, 1): "5-4-1", (5, 4, 2): "5-4-2"}
_DASHED: Final = re.compile(r"^(\d{1,6})[-\s](\d{1,5})[-\s](\d{1,3})$")
_MAX_TEXT: Final = 40


@attrs.frozen
class NDCProduct:
    """One product (NDC) of the CDC 2018 opioid NDC file.

    Attributes:
        ndc: The NDC as 11 digits (``"00054017613"``).
        name: Product name as the file gives it (``PRODNME``, upper case).
        generic_name: Generic name incl. salts and partners (``GENNME``).
        form: The file's dose form (``Master_Form``: ``"Tablet"``, ``"Patch, Extended Release"``).
        drug: The file's ``Drug`` (``"Oxycodone SA"``).
        ingredient: painrx catalog ingredient id of the opioid (``"oxycodone"``).
        acting: ``"SA"`` (short acting) or ``"LA"`` (long acting).
        dea_schedule: DEA schedule (``"2"`` … ``"5"``).
        strength: Opioid strength per unit (None where the file gives none).
        strength_unit: Its unit in painrx spelling (``"mg"``, ``"mg/mL"``, ``"mcg/h"``, ``"mcg"``).
        quantity_kind: ``"count"`` (tablets, patches, sprays) or ``"volume"`` (mL).
        factor: The file's MME conversion factor (None: none, as for buprenorphine).
        days_per_unit: Days one unit lasts under the file's rule (3 for fentanyl patches).
        route: Route (painrx vocabulary), from the form or the product's label.
        dose_form: painrx dose form where MME tables tell forms apart (``"patch"``,
            ``"buccal_film"``…), else None.
        source: The NDC table's provenance.
        factor_source: The file's note behind this product's factor and conventions.
    """

    ndc: str
    name: str
    generic_name: str
    form: str
    drug: str
    ingredient: str
    acting: str
    dea_schedule: str
    strength: float | None
    strength_unit: str | None
    quantity_kind: str | None
    factor: float | None
    days_per_unit: int | None
    route: str | None
    source: Provenance = attrs.field(repr=False)
    factor_source: Provenance = attrs.field(repr=False)
    dose_form: str | None = None

    @property
    def ndc_dashed(self) -> str:
        """The NDC in 5-4-2 layout with dashes (``"00054-0176-13"``)."""
        return f"{self.ndc[:5]}-{self.ndc[5:9]}-{self.ndc[9:]}"

    @property
    def codings(self) -> tuple[Coding, ...]:
        """The product's NDC and its opioid ingredient's RxNorm code (when recorded)."""
        rx = ingredient_rxcui(self.ingredient)
        return (Coding(NDC_SYSTEM, self.ndc, self.name), *(() if rx is None else (rx,)))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "ndc": self.ndc,
            "name": self.name,
            "generic_name": self.generic_name,
            "form": self.form,
            "drug": self.drug,
            "ingredient": self.ingredient,
            "acting": self.acting,
            "dea_schedule": self.dea_schedule,
            "strength": self.strength,
            "strength_unit": self.strength_unit,
            "factor": self.factor,
            "route": self.route,
            "dose_form": self.dose_form,
            "source": self.source.id,
        }


# --------------------------------------------------------------------------- NDC text


def _ndc_text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        msg = f"ndc={value!r} must be an NDC as text (e.g. '00054-0176-13') or an integer."
        raise InputError(msg)
    if isinstance(value, int):
        if value <= 0:
            msg = f"ndc={value!r} is not an NDC: it must be a positive number of up to 11 digits."
            raise InputError(msg)
        return str(value)
    text = value.strip()
    if not text or len(text) > _MAX_TEXT:
        msg = f"ndc={value[:_MAX_TEXT]!r} is not an NDC: expected 10 or 11 digits."
        raise InputError(msg)
    return text


def _candidates(value: object) -> tuple[str, ...]:
    """Return the 11-digit NDCs a spelling can mean (one, or three for 10 bare digits).

    Raises:
        InputError: The spelling is no NDC at all.
    """
    text = _ndc_text(value)
    dashed = _DASHED.match(text)
    if dashed is not None:
        lengths = tuple(len(g) for g in dashed.groups())
        if lengths not in _LAYOUTS:
            msg = (
                f"ndc={value!r} has segments {'-'.join(map(str, lengths))}; an NDC is "
                f"labeler-product-package in {', '.join(_LAYOUTS.values())} layout."
            )
            raise InputError(msg)
        labeler, product, package = dashed.groups()
        return (labeler.zfill(5) + product.zfill(4) + package.zfill(2),)
    if not (text.isascii() and text.isdigit()):
        msg = (
            f"ndc={value!r} is not an NDC: expected digits, with dashes between labeler, "
            f"product and package (e.g. '00054-0176-13' or '0054-0176-13')."
        )
        raise InputError(msg)
    if len(text) > _NDC_DIGITS:
        msg = f"ndc={value!r} has {len(text)} digits; an NDC has 10 (dashed) or 11."
        raise InputError(msg)
    if len(text) == _NDC_DIGITS - 1 and text[0] != "0":
        # Ten bare digits: the layout is unknown, so every 10→11 conversion is a candidate.
        return (
            "0" + text,
            text[:5] + "0" + text[5:],
            text[:9] + "0" + text[9:],
        )
    # 11 digits, or fewer: the 11-digit code with its leading zeros dropped, as in the
    # file's own NDC_Numeric column.
    return (text.zfill(_NDC_DIGITS),)


def normalize_ndc(ndc: str | int) -> str:
    """Return an NDC as the 11-digit (5-4-2) code the CDC file uses.

    Accepts 11 digits (``"00054017613"``), 5-4-2 with dashes, the 10-digit layouts with
    dashes (4-4-2 ``"0054-0176-13"``, 5-3-2 ``"00054-176-13"``, 5-4-1), and an 11-digit code
    whose leading zeros were dropped (``54017613``, as the file's ``NDC_Numeric``). Ten bare
    digits are ambiguous (three layouts): they are resolved only against the product list,
    by :func:`ndc_product`.

    Raises:
        InputError: Not an NDC spelling, or ten bare digits not starting with zero.

    >>> normalize_ndc("58118-1397-3")
    '58118139703'
    """
    found = _candidates(ndc)
    if len(found) != 1:
        msg = (
            f"ndc={ndc!r} is ten digits without dashes, which can be any of "
            f"{', '.join(_LAYOUTS[k] for k in list(_LAYOUTS)[:3])}: write it with dashes, or as 11 digits."
        )
        raise InputError(msg)
    return found[0]


# --------------------------------------------------------------------------- the file


@table_part
class _UnitRow:
    """How the file's ``UOM`` reads: painrx's strength unit, what is counted, days per unit."""

    uom: Annotated[str, NonEmpty()]
    strength_unit: Annotated[str, NonEmpty()]
    quantity: Literal["count", "volume"]
    source: Provenance
    days_per_unit: Annotated[int, Range(low=1)] | None = None


@table_part
class _ProductRouteRow:
    """A route (and form) a product's label gives where the file's form does not tell."""

    products: Annotated[tuple[Annotated[str, NonEmpty()], ...], NonEmpty()]
    route: Route
    source: Provenance
    form: Form | None = None


@table_shape("ndc_products")
@table_part
class _NDCFile:
    """``ndc/cdc_ndc_2018_products.toml``: the pinned CSV and how to read its columns."""

    file: CsvFile
    unit: tuple[_UnitRow, ...]
    # The file's Drug (without " SA"/" LA") -> catalog ingredient id.
    drugs: Mapping[str, str]
    # Master_Form -> painrx dose form / route.
    forms: Mapping[str, Form] = MappingProxyType({})
    routes: Mapping[str, Route] = MappingProxyType({})
    product_route: tuple[_ProductRouteRow, ...] = ()


def _routes(table: _NDCFile) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Return route by Master_Form, (route, form) overrides by product name, form by Master_Form."""
    forms = dict(table.forms)
    by_product: dict[str, str] = {}
    for entry in table.product_route:
        for name in entry.products:
            by_product[name] = entry.route
            if entry.form is not None:
                forms[f"product:{name}"] = entry.form
    return dict(table.routes), by_product, forms


def _number(text: str, where: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        msg = f"data/ndc: {where} is {text!r}, not a positive number."
        raise TableError(msg)
    return value


def _factor_source(drug: str, uom: str, sources: Mapping[str, Provenance]) -> Provenance:
    if drug == "buprenorphine":
        return sources["buprenorphine"]
    if drug == "methadone":
        return sources["methadone"]
    if drug == "fentanyl":
        return sources["fentanyl_patch" if uom == "MCG/HR" else "transmucosal_fentanyl"]
    return sources["volume" if uom == "MG/ML" else "formula"]


@cache
def _products() -> Mapping[str, NDCProduct]:
    table = load(_NDCFile, NDC_PRODUCTS)
    rows = csv_rows(_PATH, table.file)
    sources = sources_of(_PATH)
    units = {unit.uom: unit for unit in table.unit}
    drugs = dict(table.drugs)
    by_form, by_product, forms = _routes(table)
    found: dict[str, NDCProduct] = {}
    for row in rows:
        ndc = row["NDC"]
        where = f"NDC {ndc}"
        base = row["Drug"].removesuffix(" SA").removesuffix(" LA")
        if base not in drugs or len(ndc) != _NDC_DIGITS or not ndc.isdigit() or ndc in found:
            msg = f"data/ndc: {where} (Drug {row['Drug']!r}) is malformed, repeated or unmapped."
            raise TableError(msg)
        unit = units.get(row["UOM"])
        if row["UOM"] and unit is None:
            msg = f"data/ndc: {where} has UOM {row['UOM']!r}, not in [[unit]] of data/{_PATH}."
            raise TableError(msg)
        found[ndc] = NDCProduct(
            ndc=ndc,
            name=row["PRODNME"],
            generic_name=row["GENNME"],
            form=row["Master_Form"],
            drug=row["Drug"],
            ingredient=drugs[base],
            acting=row["LongShortActing"],
            dea_schedule=row["DEAClassCode"],
            strength=_number(row["Strength_Per_Unit"], f"{where} Strength_Per_Unit"),
            strength_unit=unit.strength_unit if unit else None,
            quantity_kind=unit.quantity if unit else None,
            factor=_number(row["MME_Conversion_Factor"], f"{where} MME_Conversion_Factor"),
            days_per_unit=unit.days_per_unit if unit else None,
            route=by_product.get(row["PRODNME"], by_form.get(row["Master_Form"])),
            source=sources["provenance"],
            factor_source=_factor_source(drugs[base], row["UOM"], sources),
            dose_form=forms.get(f"product:{row['PRODNME']}", forms.get(row["Master_Form"])),
        )
    return MappingProxyType(found)


def ndc_products() -> Mapping[str, NDCProduct]:
    """Return every product of the CDC 2018 NDC file, by 11-digit NDC (read-only)."""
    return _products()


def ndc_product(ndc: str | int) -> NDCProduct:
    """Return the CDC 2018 NDC file's product for an NDC in any common spelling.

    Ten bare digits are tried in the three 10-digit layouts and accepted only when
    exactly one of them is in the file.

    Raises:
        InputError: Not an NDC spelling, or ten bare digits matching several products.
        UnknownCodeError: A well-formed NDC that is not in the file (the file lists
            opioid analgesics; other drugs, and products after May 2018, are not in it).
    """
    if isinstance(ndc, bool) or not isinstance(ndc, (str, int)):
        _ndc_text(ndc)  # raises InputError naming the value
    return _lookup(ndc)


@lru_cache(maxsize=1 << 16, typed=True)
def _lookup(ndc: str | int) -> NDCProduct:
    # Claims repeat the same NDC texts: each spelling is resolved once.
    candidates = _candidates(ndc)
    products = _products()
    hits = [products[c] for c in candidates if c in products]
    if len(hits) == 1:
        return hits[0]
    if hits:
        msg = (
            f"ndc={ndc!r} is ten digits without dashes and matches several products: "
            f"{', '.join(f'{p.ndc_dashed} ({p.name})' for p in hits)}; write it with dashes."
        )
        raise InputError(msg)
    shown = " or ".join(candidates)
    raise UnknownCodeError(
        str(ndc),
        "NDC",
        f"{shown} is not in the CDC 2018 opioid NDC file ({len(products):,} products, NDCs to "
        "May 2018), which lists opioid analgesics only.",
    )
