"""The painrx drug catalog: ingredients, classes, products, brands and a name normaliser.

Every domain module resolves drug names here, so a brand (``"Percocet"``), a salt
(``"OXYCODONE HCL"``), a UK name (``"paracetamol"``) or free text
(``"Ibuprofen 400 mg tablet"``) reaches the same ingredient. Interaction rules match
on **ingredients and painrx classes**, never on ATC prefixes: methadone, codeine,
clonazepam, midazolam and every combination product sit in ATC groups a prefix rule
would miss.

The catalog is data (``painrx/data/catalog/drugs.toml``), loaded and validated on
first use; importing this module loads nothing.

>>> from painrx import catalog
>>> catalog.ingredient("OXYCODONE HCL").id
'oxycodone'
>>> catalog.product("Percocet").ingredients
('oxycodone', 'acetaminophen')
>>> catalog.in_class("celecoxib", "nsaid")
True
"""

from painrx._public import publish
from painrx.catalog._codes import (
    NDC_SYSTEM,
    RXNORM_SYSTEM,
    Coding,
    RxNormProduct,
    UnknownCodeError,
    ingredient_for_rxcui,
    ingredient_rxcui,
    rxnorm_product,
    rxnorm_products,
)
from painrx.catalog._data import (
    CLASSES,
    Ingredient,
    Product,
    class_source,
    describe_class,
    in_class,
    ingredient,
    ingredients,
    members,
    membership_source,
    names,
    product,
    products,
    source,
)
from painrx.catalog._strengths import check_strength_unit, check_unit_dose
from painrx.catalog._text import ParsedMedication, parse_medication, parse_strength

__all__ = [
    "CLASSES",
    "NDC_SYSTEM",
    "RXNORM_SYSTEM",
    "Coding",
    "Ingredient",
    "ParsedMedication",
    "Product",
    "RxNormProduct",
    "UnknownCodeError",
    "check_strength_unit",
    "check_unit_dose",
    "class_source",
    "describe_class",
    "in_class",
    "ingredient",
    "ingredient_for_rxcui",
    "ingredient_rxcui",
    "ingredients",
    "members",
    "membership_source",
    "names",
    "parse_medication",
    "parse_strength",
    "product",
    "products",
    "rxnorm_product",
    "rxnorm_products",
    "source",
]

publish(__name__, globals(), __all__)
