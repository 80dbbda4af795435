"""RxNorm codes in the catalog (codes from the CDC/CQF OMTKData file, data/rxnorm/)."""

from __future__ import annotations

import pytest

from painrx import catalog
from painrx.catalog import UnknownCodeError
from painrx.errors import InputError


@pytest.mark.parametrize(
    ("ingredient", "rxcui"),
    [
        pytest.param("oxycodone", "7804", id="omtkdata-oxycodone-7804"),
        pytest.param("morphine", "7052", id="omtkdata-morphine-7052"),
        pytest.param("fentanyl", "4337", id="omtkdata-fentanyl-4337"),
        pytest.param("tapentadol", "787390", id="omtkdata-tapentadol-787390"),
    ],
)
def test_ingredient_codes_round_trip(ingredient: str, rxcui: str) -> None:
    coding = catalog.ingredient_rxcui(ingredient)
    assert coding is not None
    assert coding.code == rxcui
    assert catalog.ingredient_for_rxcui(int(rxcui)) == ingredient
    assert catalog.product(rxcui=rxcui).id == ingredient


def test_every_coded_ingredient_known_to_catalog_resolves() -> None:
    known = {i.id for i in catalog.ingredients()}
    for product in catalog.rxnorm_products():
        coding = catalog.ingredient_rxcui(product.ingredient)
        assert coding is not None
        assert coding.code == product.ingredient_rxcui
    coded = {p.ingredient for p in catalog.rxnorm_products()}
    # The opioids the catalog knows all carry their code.
    assert {"oxycodone", "morphine", "hydromorphone", "methadone"} <= coded & known


def test_combination_drug_code_gives_whole_product() -> None:
    # RxCUI 836395: acetaminophen 325 MG / tramadol hydrochloride 37.5 MG Oral Tablet.
    med = catalog.parse_medication(rxcui="836395")
    assert med.product.id == "tramadol/acetaminophen"
    assert [str(q) for q in med.strengths] == ["37.5 mg", "325 mg"]
    assert (med.form, med.route) == ("tablet", "oral")


def test_patch_code_reads_strength_and_route() -> None:
    med = catalog.parse_medication(rxcui=197696)  # 72 HR fentanyl 0.075 MG/HR
    assert med.product.id == "fentanyl"
    assert med.strengths[0].to("mcg/h").magnitude == pytest.approx(75)
    assert med.route == "transdermal"


def test_refusals() -> None:
    with pytest.raises(UnknownCodeError, match=r"Unknown RxCUI '99999999'"):
        catalog.product(rxcui="99999999")
    with pytest.raises(InputError, match="not an RxNorm concept id"):
        catalog.product(rxcui="7804x")
    with pytest.raises(InputError, match="not both"):
        catalog.product("oxycodone", rxcui=7804)
    # aspirin with two oxycodone salts: the catalog has no aspirin/oxycodone product.
    with pytest.raises(UnknownCodeError, match="637540"):
        catalog.parse_medication(rxcui=637540)


def test_code_values_and_errors_pickle() -> None:
    import pickle

    import painrx as rx

    error = UnknownCodeError("12345678901", "NDC", "not in the file")
    again = pickle.loads(pickle.dumps(error))
    assert (str(again), again.name, again.system) == (str(error), "12345678901", "NDC")
    result = rx.mme_prescription(ndc="00228298311", quantity=120, days_supply=30)
    assert pickle.loads(pickle.dumps(result)) == result
    product = catalog.rxnorm_product(1049621)
    assert pickle.loads(pickle.dumps(product)) == product


def test_every_coded_and_ndc_ingredient_is_a_catalog_ingredient() -> None:
    from painrx.catalog._codes import _ingredient_codes
    from painrx.opioids import ndc_products

    known = {i.id for i in catalog.ingredients()}
    # data/rxnorm/ingredients.toml is keyed by catalog id: every key must be one.
    assert set(_ingredient_codes().by_id) <= known
    assert {p.ingredient for p in catalog.rxnorm_products()} <= known
    assert {p.ingredient for p in ndc_products().values()} <= known
