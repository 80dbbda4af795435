"""RxNorm codes in the catalog (data/rxnorm/: ingredient codes with their sources' evidence,
and the CDC/CQF OMTKData opioid drug codes)."""

from __future__ import annotations

from typing import Any

import pytest

from painrx import catalog
from painrx.catalog import UnknownCodeError
from painrx.errors import InputError

# Golden codes, each as its cited source prints it (source in the id): OMOP concept sets of
# vocabulary RxNorm, concept class Ingredient (OHDSI), OMTKData's ingredientCode (CDC/CQF
# Opioid MME Toolkit), and where neither states the term type, the CPIC drug table and the
# HL7 PDDI-CDS value sets agreeing.
GOLDEN = [
    pytest.param("oxycodone", "7804", id="omtkdata+cpic-oxycodone-7804"),
    pytest.param("morphine", "7052", id="omtkdata+cpic-morphine-7052"),
    pytest.param("fentanyl", "4337", id="omtkdata+cpic-fentanyl-4337"),
    pytest.param("tapentadol", "787390", id="omtkdata-tapentadol-787390"),
    pytest.param("levorphanol", "6378", id="omtkdata-levorphanol-6378"),
    pytest.param("warfarin", "11289", id="ohdsi-phenotype-library+cpic-warfarin-11289"),
    pytest.param("apixaban", "1364430", id="ohdsi-phenotype-library-apixaban-1364430"),
    pytest.param("sertraline", "36437", id="ohdsi-phenotype-library+cpic-sertraline-36437"),
    pytest.param("gabapentin", "25480", id="ohdsi-phenotype-library-gabapentin-25480"),
    pytest.param("acetaminophen", "161", id="ohdsi-phenotype-library-acetaminophen-161"),
    pytest.param("diclofenac", "3355", id="ohdsi-phenotype-library+cpic-diclofenac-3355"),
    pytest.param("aspirin", "1191", id="ohdsi-phenotype-library+cpic-aspirin-1191"),
    pytest.param("ibuprofen", "5640", id="cpic+hl7-pddi-cds-ibuprofen-5640"),
    pytest.param("naproxen", "7258", id="cpic+hl7-pddi-cds-naproxen-7258"),
    pytest.param("celecoxib", "140587", id="ohdsi-study-protocols+cpic-celecoxib-140587"),
    pytest.param("clopidogrel", "32968", id="ohdsi-study-protocols+cpic-clopidogrel-32968"),
    # RxNorm names dosulepin by its US name, dothiepin (a catalog synonym).
    pytest.param("dosulepin", "3634", id="ohdsi-phenotype-library-dothiepin-3634"),
    # Pain-critical codes of the second pass (issue 18), OMOP concept class Ingredient.
    pytest.param(
        "ketorolac", "35827", id="ohdsi-study-protocol-sandbox+hl7-pddi-cds-ketorolac-35827"
    ),
    pytest.param("midazolam", "6960", id="ohdsi-bipolar-misclassification+cpic-midazolam-6960"),
    pytest.param(
        "ondansetron", "26225", id="ohdsi-bipolar-misclassification+cpic-ondansetron-26225"
    ),
    pytest.param("propofol", "8782", id="ohdsi-troy-propofol-8782"),
    pytest.param("valproate", "40254", id="ohdsi-phenotype-library+hera-valproate-40254"),
    # OHDSI vocabulary repository (DPD relationship_to_concept target of concept class
    # Ingredient, whose concept GGR's mapping gives as vocabulary RxNorm).
    pytest.param("ketamine", "6130", id="ohdsi-vocabulary-ketamine-6130"),
    pytest.param("bupivacaine", "1815", id="ohdsi-vocabulary-bupivacaine-1815"),
    pytest.param("ropivacaine", "35780", id="ohdsi-vocabulary-ropivacaine-35780"),
    pytest.param("tizanidine", "57258", id="ohdsi-vocabulary-tizanidine-57258"),
    pytest.param("baclofen", "1292", id="ohdsi-vocabulary-baclofen-1292"),
    pytest.param("zolpidem", "39993", id="ohdsi-vocabulary-zolpidem-39993"),
    pytest.param("promethazine", "8745", id="ohdsi-vocabulary-promethazine-8745"),
    pytest.param("sufentanil", "56795", id="ohdsi-vocabulary+cpic-sufentanil-56795"),
    # Two readings that agree, neither stating the vocabulary: CPIC and the DPD table.
    pytest.param("remifentanil", "73032", id="cpic+ohdsi-vocabulary-remifentanil-73032"),
    pytest.param("alfentanil", "480", id="cpic+ohdsi-vocabulary-alfentanil-480"),
    pytest.param("sevoflurane", "36453", id="cpic+ohdsi-vocabulary-sevoflurane-36453"),
    pytest.param("carisoprodol", "2101", id="cpic+ohdsi-vocabulary-carisoprodol-2101"),
]


@pytest.mark.parametrize(("ingredient", "rxcui"), GOLDEN)
def test_golden_ingredient_codes(ingredient: str, rxcui: str) -> None:
    coding = catalog.ingredient_rxcui(ingredient)
    assert coding is not None
    assert (coding.system, coding.code) == (catalog.RXNORM_SYSTEM, rxcui)
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


def _rows() -> dict[str, Any]:
    from painrx.catalog._codes import _INGREDIENTS_ID, _IngredientCodesFile
    from painrx.tables import load

    return dict(load(_IngredientCodesFile, _INGREDIENTS_ID).ingredients)


def test_codes_are_unique_positive_integer_strings() -> None:
    rows = _rows()
    codes = [row.rxcui for row in rows.values()]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert code.isascii()
        assert code.isdigit()
        assert str(int(code)) == code  # no sign, no leading zero: an integer as text
    assert len(rows) == 454  # docs/codes.md gives the count and the ingredients without one


@pytest.mark.parametrize("ingredient", sorted(_rows()))
def test_every_row_round_trips(ingredient: str) -> None:
    coding = catalog.ingredient_rxcui(ingredient)
    assert coding is not None
    assert catalog.ingredient_for_rxcui(coding.code) == ingredient
    assert catalog.ingredient_for_rxcui(f" {coding.code} ") == ingredient
    assert catalog.product(rxcui=coding.code).ingredients == (ingredient,)
    assert catalog.parse_medication(rxcui=int(coding.code)).product.ingredients == (ingredient,)


def test_rows_agree_with_the_source_extracts() -> None:
    """Each row against the (code, name) pairs read from its sources, and the acceptance rule."""
    import re

    known = {i.id: i for i in catalog.ingredients()}
    for iid, row in _rows().items():
        ingredient = known[iid]
        names = {ingredient.name.lower(), *(s.lower() for s in ingredient.synonyms)}
        cited = {e.source.id for e in row.evidence}
        assert row.source.id in cited, iid
        for e in row.evidence:
            # The code a source gives is the row's, for a name the catalog knows this
            # ingredient by (so a code cannot move to another ingredient unnoticed).
            assert e.code == row.rxcui, iid
            assert e.name.lower() in names, (iid, e.name)
            key = e.source.id.rsplit("/", 1)[1]
            if key == "ohdsi_vocabulary":
                assert e.file == "DPD/manual_work/prev_RTC.txt", iid
                # States the concept class always, the vocabulary (RxNorm) only through
                # GGR's mapping of the same concept: without it, a second reading only.
                assert e.term_type is None or re.fullmatch(
                    r"CONCEPT_CLASS_ID_2 Ingredient; CONCEPT_ID_2 \d+ is RxNorm in "
                    r"GGR/manual_work/ingred_mapped\.csv",
                    e.term_type,
                ), iid
            elif key.startswith("ohdsi_"):
                assert e.term_type == "concept_class_id Ingredient", iid
                assert e.file.endswith(".json"), iid
            elif key == "omtkdata":
                assert (e.term_type, e.file) == ("ingredientCode", "input/cql/OMTKData.cql")
            elif key == "hl7_pddi_cds":
                assert e.term_type is None  # its value sets mix term types without saying
                assert e.file.endswith(".xml"), iid
            else:
                assert key == "cpic", iid
                assert e.term_type is None  # CPIC does not say what kind of code it gives
                assert e.file.startswith("src/main/resources/db/migration/V"), iid
        assert any(e.term_type for e in row.evidence) or len(cited) >= 2, iid
        assert row.name == row.evidence[0].name  # the display is the primary source's name


@pytest.mark.parametrize(
    ("ingredient", "own", "other"),
    [
        # Each carries its own name's code, of stated term type; the code another name
        # of it has in a source is another RxNorm concept, refused (docs/codes.md).
        pytest.param("valproate", "40254", "11118", id="ohdsi-valproate-40254-not-cpic-11118"),
        pytest.param("mycophenolate", "265323", "7145", id="ohdsi-mycophenolate-265323-not-7145"),
        pytest.param(
            "cholecalciferol", "2418", "1244014", id="ohdsi-cholecalciferol-2418-not-1244014"
        ),
        pytest.param("vitamin_e", "11256", "1236136", id="ohdsi-vocabulary-vitamin-e-11256"),
    ],
)
def test_an_ingredient_carries_its_own_names_code(ingredient: str, own: str, other: str) -> None:
    coding = catalog.ingredient_rxcui(ingredient)
    assert coding is not None
    assert coding.code == own
    with pytest.raises(UnknownCodeError, match=other):
        catalog.product(rxcui=other)


def test_a_name_with_two_codes_is_left_out() -> None:
    # Pyridoxine: DPD gives 684879 'pyridoxine' and 42954 'Vitamin B6', neither of stated
    # vocabulary; pancrelipase: 235379 'Pancrelipase' and 7880 'Pancreatin' (docs/codes.md).
    assert catalog.ingredient_rxcui("pyridoxine") is None
    assert catalog.ingredient_rxcui("pancrelipase") is None
    with pytest.raises(UnknownCodeError, match="684879"):
        catalog.product(rxcui="684879")
    # Dabigatran carries its own name's code, not the prodrug's (1037042, etexilate).
    coding = catalog.ingredient_rxcui("dabigatran")
    assert coding is not None
    assert coding.code == "1546356"
    assert catalog.ingredient_for_rxcui("1037042") is None


def test_fhir_care_plan_codes_non_opioid_items() -> None:
    from painrx.pathways.fhir import medication_concept

    assert medication_concept("acetaminophen")["coding"] == [
        {"system": catalog.RXNORM_SYSTEM, "code": "161", "display": "acetaminophen"}
    ]
    assert medication_concept("gabapentin")["coding"][0]["code"] == "25480"
    # No verified code: carried by its text alone.
    assert medication_concept("dexmedetomidine") == {"text": "dexmedetomidine"}


def test_docs_name_every_ingredient_without_a_code() -> None:
    """docs/codes.md says which ingredients have no code and why: it must stay true."""
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "codes.md").read_text("utf-8")
    section = page[page.index("**Ingredients without a code, and why.**") :]
    section = section[: section.index("\n\n", section.index("* *In none of the files"))]
    listed = set(re.findall(r"[a-z0-9_]+", section))
    known = {i.id for i in catalog.ingredients()}
    uncoded = {i for i in known if catalog.ingredient_rxcui(i) is None}
    assert uncoded <= listed, sorted(uncoded - listed)
    # And no ingredient with a code is listed among those without.
    bullets = re.findall(r"^\* \*[^*]+\* \(\d+[^)]*\): (.*)$", section, re.MULTILINE)
    named = {n.strip(" .") for b in bullets for n in b.split(",")}
    # The plain lists: CPIC only, PDDI only, in none, added later and not yet looked up.
    assert len(named & known) == 1 + 1 + 48 + 32
    assert not {n for n in named & known if catalog.ingredient_rxcui(n)}


def test_no_ingredient_code_is_a_drug_code() -> None:
    # An SCD/SBD code filed as an ingredient is the classic mix-up; OMTKData's 910 opioid
    # drug codes are a check that none of them slipped in.
    drugs = {p.rxcui for p in catalog.rxnorm_products()}
    assert len(drugs) == 910
    assert not drugs & {row.rxcui for row in _rows().values()}
