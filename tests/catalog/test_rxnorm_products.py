"""Every RxNorm opioid drug code (OMTKData 3.0.0, data/rxnorm/) resolves or is refused for a reason.

Each of the 910 drugs either resolves to a catalog product whose opioid, strength and
dose form agree with the RxNorm name and the table's own columns, or is one of the
refusals listed below with the reason painrx gives.
"""

from __future__ import annotations

import re

import pytest

import painrx as rx
from painrx import catalog, fhir
from painrx.catalog import UnknownCodeError

# RxCUI → (the call that refuses, what the refusal says). product(rxcui=) refuses only
# liposomal morphine; parse_medication(rxcui=) also refuses packs (strength per unit, not
# per pack) and the two aspirin/oxycodone tablets with two oxycodone salts.
_REFUSED = {
    # DepoDur: an epidural-only liposome injection; no MME table covers epidural morphine.
    "895975": ("product", "liposomal morphine \\(DepoDur\\)"),
    "1731990": ("product", "liposomal morphine \\(DepoDur\\)"),
    # Subsys packs: {2 (fentanyl 0.6|0.8 MG/ACTUAT Mucosal Spray)} Pack: a pack is one
    # two-spray dose, the table's strength is per spray.
    "1740007": ("medication", "pack of 2 units whose strength is per unit"),
    "1740008": ("medication", "pack of 2 units whose strength is per unit"),
    "1740009": ("medication", "pack of 2 units whose strength is per unit"),
    "1740010": ("medication", "pack of 2 units whose strength is per unit"),
    # aspirin 325 MG / oxycodone hydrochloride 4.5|2.25 MG / oxycodone terephthalate
    # 0.38|0.19 MG: two salts of one opioid, two strengths for one ingredient.
    "637540": ("medication", "two strengths of one ingredient"),
    "724614": ("medication", "two strengths of one ingredient"),
}
# RxNorm dose form → the painrx form it must read as (None: the vocabulary names none).
_FORMS = {
    "Oral Tablet": "tablet",
    "Oral Capsule": "capsule",
    "Extended Release Oral Tablet": "er_tablet",
    "Extended Release Oral Capsule": "er_capsule",
    "Rectal Suppository": "suppository",
    "Oral Lozenge": "lozenge",
    "Buccal Tablet": "buccal_tablet",
    "Buccal Film": "buccal_film",
    "Sublingual Film": "sublingual_film",
    "Injection": "injection",
    "Injectable Solution": "injection",
    "Oral Solution": "solution",
}
_UNITS = {"MG": "mg", "MG/ML": "mg/mL", "MG/HR": "mg/h", "MG/ACTUAT": "mg"}
_PRODUCTS = catalog.rxnorm_products()


def test_table_has_910_drugs() -> None:
    assert len(_PRODUCTS) == 910


@pytest.mark.parametrize("drug", _PRODUCTS, ids=[p.rxcui for p in _PRODUCTS])
def test_every_rxnorm_drug_resolves_or_is_refused(drug: catalog.RxNormProduct) -> None:
    refused = _REFUSED.get(drug.rxcui)
    if refused is not None and refused[0] == "product":
        with pytest.raises(UnknownCodeError, match=refused[1]):
            catalog.product(rxcui=drug.rxcui)
        return
    product = catalog.product(rxcui=drug.rxcui)
    assert drug.ingredient in product.ingredients
    # One catalog ingredient per distinct RxNorm component ("a / b / c Oral Solution").
    components = drug.name.split(" / ")
    assert len(product.ingredients) == len(components) - (drug.rxcui in {"637540", "724614"})
    if refused is not None:
        with pytest.raises(UnknownCodeError, match=refused[1]):
            catalog.parse_medication(rxcui=drug.rxcui)
        return
    med = catalog.parse_medication(rxcui=drug.rxcui)
    assert med.product == product
    # The opioid's strength is the table's own strength column.
    value, unit = drug.strengths[0].split()
    strength = med.strengths[product.ingredients.index(drug.ingredient)]
    assert strength.to(_UNITS[unit]).magnitude == pytest.approx(float(value))
    if drug.dose_form in _FORMS:
        assert med.form == _FORMS[drug.dose_form]


def test_final_refusal_count() -> None:
    refused = []
    for drug in _PRODUCTS:
        try:
            catalog.parse_medication(rxcui=drug.rxcui)
        except UnknownCodeError:
            refused.append(drug.rxcui)
    assert sorted(refused) == sorted(_REFUSED)


@pytest.mark.parametrize(
    ("rxcui", "product", "strengths"),
    [
        # opium tincture 100 MG/ML: mg of opium per mL, the CDC 2018 file's opium convention.
        pytest.param("830196", "opium", ["100 mg/mL"], id="omtk-830196-opium-tincture"),
        pytest.param(
            "312107",
            "opium/belladonna_alkaloids",
            ["60 mg", "16.2 mg"],
            id="omtk-312107-belladonna-opium-suppository",
        ),
        pytest.param(
            "1087427",
            "hydrocodone/chlorpheniramine",
            ["10 mg", "8 mg"],
            id="omtk-1087427-tussicaps-polistirex",
        ),
        pytest.param(
            "995983",
            "codeine/guaifenesin/pseudoephedrine",
            ["2 mg/mL", "20 mg/mL", "6 mg/mL"],
            id="omtk-995983-cough-cold",
        ),
        pytest.param(
            "861578", "meperidine/promethazine", ["50 mg", "25 mg"], id="omtk-861578-meperidine"
        ),
        pytest.param("1946525", "tramadol", ["300 mg"], id="omtk-1946525-matrix-delivery-tramadol"),
    ],
)
def test_formerly_unmatched_drugs(rxcui: str, product: str, strengths: list[str]) -> None:
    med = catalog.parse_medication(rxcui=rxcui)
    assert med.product.id == product
    assert [str(q) for q in med.strengths] == strengths


def test_liposomal_morphine_refusal_names_the_reason() -> None:
    with pytest.raises(UnknownCodeError) as caught:
        catalog.product(rxcui=895975)
    assert re.search(r"epidural use only.*DEPODUR prescribing information", str(caught.value))


def test_pack_resolves_to_its_unit_product() -> None:
    # {2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray [Subsys]) } Pack [Subsys 1200 MCG]
    assert catalog.product(rxcui=1740008).id == "fentanyl"


def _order(rxcui: str, unit: str, frequency: int, period: int) -> dict[str, object]:
    return {
        "resourceType": "MedicationRequest",
        "id": f"rx{rxcui}",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/1"},
        "medicationCodeableConcept": {"coding": [{"system": catalog.RXNORM_SYSTEM, "code": rxcui}]},
        "dosageInstruction": [
            {
                "timing": {"repeat": {"frequency": frequency, "period": period, "periodUnit": "d"}},
                "doseAndRate": [{"doseQuantity": {"value": 1, "unit": unit}}],
            }
        ],
    }


@pytest.mark.parametrize(
    ("rxcui", "unit", "per_day", "table", "expected"),
    [
        # 30 mg opium suppository twice a day: 60 mg × 1 (CDC 2018 NDC file, Opium 1).
        pytest.param("312104", "suppository", 2, "CDC_NDC_2018", 60.0, id="cdc-ndc-2018-opium-1"),
        # TussiCaps 10 mg hydrocodone twice a day: 20 mg × 1 (CDC 2022, hydrocodone 1).
        pytest.param("1087427", "capsule", 2, "CDC_2022", 20.0, id="cdc-2022-hydrocodone-1"),
        # codeine 20 mg tablet 4 times a day: 80 mg × 0.15 (CDC 2022, codeine 0.15).
        pytest.param("996714", "tablet", 4, "CDC_2022", 12.0, id="cdc-2022-codeine-0.15"),
        # Troxyca ER 10 mg oxycodone twice a day: 20 mg × 1.5 (CDC 2022, oxycodone 1.5).
        pytest.param("1806707", "capsule", 2, "CDC_2022", 30.0, id="cdc-2022-oxycodone-1.5"),
    ],
)
def test_golden_mme_from_codes(
    rxcui: str, unit: str, per_day: int, table: str, expected: float
) -> None:
    orders = fhir.read_orders(_order(rxcui, unit, per_day, 1))
    total = fhir.total_mme(orders, table=table)  # type: ignore[arg-type]
    assert total.value == pytest.approx(expected)
    item = total.items[0]
    assert isinstance(item, rx.opioids.CodedMMEResult)
    assert [c.code for c in item.codes] == [rxcui]


def test_opium_tincture_has_no_oral_factor() -> None:
    # The CDC 2018 file's opium products are suppositories: no oral opium factor anywhere.
    with pytest.raises(rx.errors.NoFactorError):
        rx.mme("opium tincture", "100 mg/day", table="CDC_NDC_2018")
