"""The catalog and the code tables are declared shapes: malformed copies are refused in one format.

Each case edits a fresh parse of a shipped table and expects the loader's single error
format, ``data/<file>: <path inside it>: <what was expected>``.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest

from painrx.catalog._codes import csv_rows
from painrx.tables import TableError, parse_table, shape_for, structure, table_info

# Importing a domain registers its shapes: the catalog and RxNorm tables, the NDC table.
for _domain in ("painrx.catalog", "painrx.opioids"):
    importlib.import_module(_domain)


def _refused(kind: str, table_id: str, path: tuple[Any, ...], value: object) -> str:
    doc = parse_table(table_id)
    node: Any = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    shape = shape_for(kind)
    assert shape is not None
    with pytest.raises(TableError) as refused:
        structure(doc, shape, file=table_info(table_id, kind=kind).path)
    return str(refused.value)


@pytest.mark.parametrize(
    ("kind", "table_id", "path", "value", "message"),
    [
        (
            "drug_catalog",
            "PAINRX_CATALOG_2026_1",
            ("ingredients", "ibuprofen", "atc"),
            ["M01AE1"],
            (
                "data/catalog/drugs.toml: ingredients.ibuprofen.atc[0]: "
                "expected a 7-character level-5 ATC code, got 'M01AE1'"
            ),
        ),
        (
            "drug_catalog",
            "PAINRX_CATALOG_2026_1",
            ("brands", 0, "route"),
            "by osmosis",
            "data/catalog/drugs.toml: brands[0].route: ",
        ),
        (
            "drug_catalog",
            "PAINRX_CATALOG_2026_1",
            ("classes", "nsaid", "implies"),
            ["painkiller"],
            "data/catalog/drugs.toml: classes.nsaid.implies[0]: unknown class 'painkiller'",
        ),
        (
            "rxnorm_ingredients",
            "RXNORM_INGREDIENTS_2026_1",
            ("ingredients", "oxycodone", "rxcui"),
            "78O4",
            (
                "data/rxnorm/ingredients.toml: ingredients.oxycodone.rxcui: "
                "expected a string of digits, got '78O4'"
            ),
        ),
        (
            "rxnorm_ingredients",
            "RXNORM_INGREDIENTS_2026_1",
            ("ingredients", "morphine", "rxcui"),
            "7804",  # oxycodone's RxCUI: the row no longer matches what its sources read
            (
                "data/rxnorm/ingredients.toml: ingredients.morphine.evidence: rxcui '7804' "
                "differs from what its evidence reads: ['7052']"
            ),
        ),
        (
            "rxnorm_ingredients",
            "RXNORM_INGREDIENTS_2026_1",
            ("ingredients", "warfarin", "evidence"),
            # CPIC alone: it gives a code without saying it is an ingredient (TTY IN) code.
            [
                {
                    "source": "cpic",
                    "file": "V2__initial_data.sql",
                    "code": "11289",
                    "name": "warfarin",
                }
            ],
            (
                "data/rxnorm/ingredients.toml: ingredients.warfarin.evidence: an ingredient "
                "code needs a source that states the term type, or two independent sources; "
                "evidence has only ['RXNORM_INGREDIENTS_2026_1/cpic']"
            ),
        ),
        (
            "rxnorm_ingredients",
            "RXNORM_INGREDIENTS_2026_1",
            ("ingredients", "warfarin", "source"),
            "omtkdata",
            (
                "data/rxnorm/ingredients.toml: ingredients.warfarin.source: source "
                "'RXNORM_INGREDIENTS_2026_1/omtkdata' is not one of the evidence's sources"
            ),
        ),
        (
            "rxnorm_products",
            "RXNORM_OPIOID_PRODUCTS_2020",
            ("file", "rows"),
            "912",
            "data/rxnorm/opioid_products.toml: file.rows: expected a whole number, got '912'",
        ),
        (
            "rxnorm_products",
            "RXNORM_OPIOID_PRODUCTS_2020",
            ("file", "sha256"),
            "abc",
            (
                "data/rxnorm/opioid_products.toml: file.sha256: "
                "expected 64 lower-case hex digits, got 'abc'"
            ),
        ),
        (
            "ndc_products",
            "CDC_NDC_2018_PRODUCTS",
            ("unit", 4, "days_per_unit"),
            0,
            "data/ndc/cdc_ndc_2018_products.toml: unit[4].days_per_unit: must be at least 1, got 0",
        ),
        (
            "ndc_products",
            "CDC_NDC_2018_PRODUCTS",
            ("unit", 0, "quantity"),
            "mass",
            (
                "data/ndc/cdc_ndc_2018_products.toml: unit[0].quantity: "
                "expected one of ['count', 'volume'], got 'mass'"
            ),
        ),
        (
            "ndc_products",
            "CDC_NDC_2018_PRODUCTS",
            ("product_route", 0, "route"),
            "mouth",
            "data/ndc/cdc_ndc_2018_products.toml: product_route[0].route: expected one of [",
        ),
        (
            "ndc_products",
            "CDC_NDC_2018_PRODUCTS",
            ("product_route", 0, "source"),
            "nowhere",
            (
                "data/ndc/cdc_ndc_2018_products.toml: product_route[0].source: "
                "a source must be one of ["
            ),
        ),
    ],
)
def test_a_malformed_code_table_is_refused_in_the_single_format(
    kind: str, table_id: str, path: tuple[Any, ...], value: object, message: str
) -> None:
    assert re.match(re.escape(message), _refused(kind, table_id, path, value))


def test_a_csv_that_differs_from_its_pin_is_refused() -> None:
    shape = shape_for("rxnorm_products")
    assert shape is not None
    path = table_info("RXNORM_OPIOID_PRODUCTS_2020", kind="rxnorm_products").path
    doc = parse_table("RXNORM_OPIOID_PRODUCTS_2020")
    assert len(csv_rows(path, structure(doc, shape, file=path).file)) == 912  # as pinned
    doc["file"]["sha256"] = "0" * 64
    with pytest.raises(TableError, match=re.escape(f"data/{path}: file.sha256: ")):
        csv_rows(path, structure(doc, shape, file=path).file)
    doc = parse_table("RXNORM_OPIOID_PRODUCTS_2020")
    doc["file"]["rows"] = 911
    with pytest.raises(TableError, match=re.escape(f"data/{path}: file: ") + ".*pinned: 911 rows"):
        csv_rows(path, structure(doc, shape, file=path).file)


def test_two_ingredients_never_share_a_code() -> None:
    doc = parse_table("RXNORM_INGREDIENTS_2026_1")
    doc["ingredients"]["morphine"] = doc["ingredients"]["oxycodone"]
    shape = shape_for("rxnorm_ingredients")
    assert shape is not None
    path = table_info("RXNORM_INGREDIENTS_2026_1", kind="rxnorm_ingredients").path
    with pytest.raises(TableError) as refused:
        structure(doc, shape, file=path)
    assert str(refused.value) == (
        "data/rxnorm/ingredients.toml: ingredients: an RxCUI names one ingredient; "
        "used more than once: ['7804']"
    )
