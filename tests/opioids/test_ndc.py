"""NDC → MME with the CDC 2018 NDC file (golden rows from the file's Documentation sheet)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import painrx as rx
from painrx.catalog import UnknownCodeError
from painrx.errors import InputError, NoFactorError
from painrx.opioids import CodedMMEResult, ndc_product, ndc_products, normalize_ndc

# The CDC file's own per-product factors (the default table is CDC 2022's).
FILE = "CDC_NDC_2018"

# (NDC, quantity, days supply, MME/day): the Documentation sheet's worked examples and rows
# of its Summary Table, priced with the product's own factor.
GOLDEN = [
    pytest.param("00228298311", 120, 30, 60.0, id="cdc-doc-oxycodone-10mg-120-tabs-30-days"),
    pytest.param("00093690045", 10, 30, 60.0, id="cdc-doc-fentanyl-25mcgh-10-patches-30-days"),
    pytest.param("35356045730", 4, 1, 208.0, id="cdc-note2-actiq-400mcg-x0.13"),
    pytest.param("00037540030", 2, 1, 144.0, id="cdc-note3-onsolis-400mcg-film-x0.18"),
    pytest.param("51772031401", 2, 1, 128.0, id="cdc-note4-lazanda-400mcg-spray-x0.16"),
    pytest.param("55887020082", 90, 30, 90.0, id="cdc-methadone-10mg-flat-3"),
    pytest.param("13107010920", 60, 30, 64.0, id="cdc-hydromorphone-8mg-x4"),
    pytest.param("68387090090", 120, 30, 20.0, id="cdc-tramadol-50mg-x0.1"),
]


@pytest.mark.parametrize(("ndc", "quantity", "days", "expected"), GOLDEN)
def test_golden_ndc_cases(ndc: str, quantity: int, days: int, expected: float) -> None:
    result = rx.mme_prescription(ndc=ndc, quantity=quantity, days_supply=days, table=FILE)
    assert isinstance(result, CodedMMEResult)
    assert result.value == pytest.approx(expected, rel=1e-12)
    assert result.table == "CDC_NDC_2018_PRODUCTS"
    assert result.codes[0].code == ndc
    assert result.product == ndc_products()[ndc].name


def test_butorphanol_bottle_example_in_ml() -> None:
    # Documentation sheet: 10 mg/mL × 2.5 mL / 30 days × 7 = 5.8 MME/day.
    ndc = next(n for n, p in ndc_products().items() if p.ingredient == "butorphanol")
    result = rx.mme_prescription(ndc=ndc, quantity="2.5 mL", days_supply=30, table=FILE)
    assert round(result.value, 1) == 5.8
    again = rx.mme_prescription(ndc=ndc, quantity=2.5, days_supply=30, table=FILE)
    assert again.value == result.value


def test_patch_days_supply_is_patches_times_three() -> None:
    # Note 1: Days Supply for fentanyl patches = # of patches × 3.
    result = rx.mme_prescription(ndc="00093690045", quantity=10, days_supply=10, table=FILE)
    assert result.value == 60.0
    assert result.days_supply == 30.0
    assert "days_supply_normalised" in [a.code for a in result.alerts]


def test_methadone_carries_caution_and_code() -> None:
    result = rx.mme_prescription(ndc="55887020082", quantity=90, days_supply=30, table=FILE)
    assert isinstance(result, CodedMMEResult)
    assert result.to_dict()["codes"][0] == {
        "system": "http://hl7.org/fhir/sid/ndc",
        "code": "55887020082",
        "display": "METHADONE",
    }
    assert result.factor == 3.0
    assert "methadone_caution" in [a.code for a in result.alerts]
    assert [c.code for c in result.codes] == ["55887020082", "6813"]


def test_buprenorphine_has_no_factor() -> None:
    with pytest.raises(NoFactorError, match=r"00054-0176-13 .*BUPRENORPHINE.*no MME"):
        rx.mme_prescription(ndc="0054-0176-13", quantity=30, days_supply=30, table=FILE)


def test_every_row_with_factor_has_route_and_matches_ndc_table() -> None:
    products = ndc_products()
    assert len(products) == 14549
    priced = [p for p in products.values() if p.factor is not None]
    assert all(p.route is not None and p.strength is not None for p in priced)
    assert {p.ingredient for p in products.values() if p.factor is None} == {"buprenorphine"}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "not an NDC"),
        ("abc-defg-hi", "not an NDC"),
        ("123-4567-89", "segments 3-4-2"),
        ("123456789012", "12 digits"),
        ("1234567890", "ten digits without dashes"),
        (0, "positive"),
    ],
)
def test_impossible_ndcs_are_refused(text: str | int, why: str) -> None:
    with pytest.raises(InputError, match=why):
        normalize_ndc(text)


def test_ndc_not_in_file_is_an_error_never_zero() -> None:
    with pytest.raises(UnknownCodeError, match=r"12345067890 is not in the CDC 2018"):
        rx.mme_prescription(ndc="12345-678-90", quantity=30, days_supply=30)


def test_ndc_excludes_drug_strength_route_form() -> None:
    with pytest.raises(InputError, match="either an ndc= or drug"):
        rx.mme_prescription("oxycodone", ndc="00228298311", quantity=1, days_supply=1)
    with pytest.raises(InputError, match="either an ndc= or route"):
        rx.mme_prescription(ndc="00228298311", quantity=1, days_supply=1, route="oral")


@pytest.mark.parametrize("table", ["CDC_2022", "CDC_2016", "NIH_HEAL_2025", "ANZCA_2021"])
@pytest.mark.parametrize(
    ("ndc", "quantity", "days"),
    [
        ("00228298311", 120, 30),
        ("00093690045", 10, 30),
        ("55887020082", 90, 30),
        ("35356045730", 4, 1),
        ("00054017613", 30, 30),
    ],
)
def test_under_another_table_an_ndc_is_the_drug_it_names(
    table: str, ndc: str, quantity: int, days: int
) -> None:
    # The NDC gives ingredient, strength, route and form; the table gives the factor.
    product = ndc_products()[ndc]
    assert product.strength is not None
    assert product.strength_unit is not None
    by_name: rx.MMEResult | str
    try:
        by_name = rx.mme_prescription(
            product.ingredient,
            strength=rx.Q(product.strength, product.strength_unit),
            quantity=quantity,
            days_supply=days,
            route=product.route,
            form=product.dose_form,
            table=table,
        )
    except rx.PainRxError as exc:
        by_name = str(exc)
    if isinstance(by_name, str):
        with pytest.raises(rx.PainRxError) as refused:
            rx.mme_prescription(ndc=ndc, quantity=quantity, days_supply=days, table=table)
        assert str(refused.value) == by_name
        return
    coded = rx.mme_prescription(ndc=ndc, quantity=quantity, days_supply=days, table=table)
    assert isinstance(coded, CodedMMEResult)
    assert (coded.value, coded.table, coded.alerts) == (by_name.value, table, by_name.alerts)
    assert coded.codes[0].code == ndc


def _spellings(ndc: str) -> list[str | int]:
    labeler, product, package = ndc[:5], ndc[5:9], ndc[9:]
    found: list[str | int] = [ndc, f"{labeler}-{product}-{package}", int(ndc)]
    if labeler[0] == "0":
        found.append(f"{labeler[1:]}-{product}-{package}")
    if product[0] == "0":
        found.append(f"{labeler}-{product[1:]}-{package}")
    if package[0] == "0":
        found.append(f"{labeler}-{product}-{package[1:]}")
    return found


@given(st.sampled_from(sorted(ndc_products())))
def test_every_spelling_round_trips_to_the_same_product(ndc: str) -> None:
    for spelling in _spellings(ndc):
        assert ndc_product(spelling).ndc == ndc


def test_product_factors_agree_with_the_cdc_ndc_2018_table() -> None:
    # The per-product factors (CSV) and the per-ingredient CDC_NDC_2018 table come from the
    # same file; they must never disagree. Ingredients the table does not list (withdrawn
    # products such as propoxyphene) can only be priced by NDC.
    table: dict[str, set[float]] = {}
    for row in rx.opioids.mme_factors("CDC_NDC_2018"):
        table.setdefault(row.ingredient, set()).add(float(str(row.factor).split()[0]))
    missing = set()
    for product in ndc_products().values():
        if product.factor is None:
            continue
        if product.ingredient not in table:
            missing.add(product.ingredient)
            continue
        assert product.factor in table[product.ingredient], product
    assert missing <= {"propoxyphene", "levomethadyl", "opium"}


@given(
    st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.none(), st.lists(st.integers()))
)
def test_any_input_is_a_product_or_a_painrx_error(value: object) -> None:
    try:
        found = ndc_product(value)  # type: ignore[arg-type] # deliberately any object
    except (InputError, UnknownCodeError):
        return
    assert found.ndc in ndc_products()
