"""Infusion data files: every number pinned, every entry cited, malformed entries refused."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import painrx as rx
from painrx import infusions, vocabulary
from painrx.infusions import _data as data
from painrx.tables import TableError, parse_table, sources_of, structure
from painrx.units import format_units


def test_tables_lists_the_infusion_files() -> None:
    kinds = {i.path: (i.kind, i.id) for i in rx.tables()}
    assert kinds[data.PROFILES_PATH] == ("infusion_profiles", "INFUSION_PROFILES_2026")
    assert kinds[data.PRODUCTS_PATH] == ("infusion_products", "INFUSION_PRODUCTS_2026")
    assert kinds[data.BODY_WEIGHT_PATH] == ("dosing_weight", "DOSING_WEIGHT_2026")


def test_product_concentrations_are_pinned() -> None:
    products = data.drug_products()
    assert sorted(products) == ["ketamine", "lidocaine"]
    # Label / Handbook on Injectable Drugs / CHEO 2014; lidocaine premix label.
    assert [(format(c.value), c.kind) for c in products["ketamine"].products] == [
        ("1 mg/mL", "prepared"),
        ("2 mg/mL", "prepared"),
        ("5 mg/mL", "prepared"),
        ("10 mg/mL", "vial"),
        ("50 mg/mL", "vial"),
        ("100 mg/mL", "vial"),
    ]
    assert [(format(c.value), c.kind) for c in products["lidocaine"].products] == [
        ("4 mg/mL", "premixed")
    ]
    iv_max = products["ketamine"].iv_max_concentration
    assert iv_max is not None
    assert format(iv_max.value) == "50 mg/mL"
    assert iv_max.source.id.endswith("ketamine_label")
    assert products["lidocaine"].iv_max_concentration is None


def test_profile_concentrations_are_pinned() -> None:
    found = {
        pid: [format(c.value) for c in infusions.infusion_profile(pid).concentrations]
        for pid in rx.infusion_profiles()
    }
    assert found == {
        "ketamine/perioperative_analgesia": ["1 mg/mL", "2 mg/mL"],
        "ketamine/acute_pain": ["1 mg/mL", "2 mg/mL", "10 mg/mL"],
        "ketamine/paediatric_analgesia": ["1 mg/mL", "5 mg/mL"],
        "lidocaine/perioperative_analgesia": ["4 mg/mL"],
    }
    lido = infusions.infusion_profile("lidocaine/perioperative_analgesia")
    assert lido.weight_basis == "ideal"
    assert lido.weight_basis_source is not None
    assert lido.weight_basis_source.id.endswith("foo_2021")
    units = {pid: infusions.infusion_profile(pid).dose_unit for pid in rx.infusion_profiles()}
    assert units["ketamine/paediatric_analgesia"] == "mcg/kg/h"


def test_pump_matches_the_contract_and_the_default_argument() -> None:
    pump = data.pump()
    assert format(pump.resolution.value) == "0.1 mL/h"
    assert pump.resolution.source.id.endswith("alaris_2017")
    assert pump.max_rate.canonical == vocabulary.MAX_PUMP_RATE_ML_H == 999.0
    default = inspect.signature(rx.infusion_rate).parameters["pump_resolution"].default
    assert rx.Q(default) == pump.resolution.value


def test_body_weight_numbers_are_pinned() -> None:
    rules = data.body_weight_rules()
    # Devine 1974.
    assert rules.male_base_kg.canonical == 50.0
    assert rules.female_base_kg.canonical == 45.5
    assert rules.kg_per_inch == 2.3
    assert rules.reference_height_in.canonical == 60.0
    # clinPK: Devine from 18 years; factor 0.4; TBW > 1.2 x IBW -> adjusted.
    assert rules.min_age_years == 18.0
    assert rules.adjusted_factor == 0.4
    assert rules.adjusted_above_ideal_ratio == 1.2
    # API contract: Devine refused below 120 cm.
    assert rules.min_height_cm.canonical == 120.0
    assert rules.devine_source.citation.startswith("Devine BJ")
    # The factor lives in the data file only: the default (None) is the cited 0.4.
    for fn in (rx.adjusted_body_weight, rx.dosing_weight):
        assert inspect.signature(fn).parameters["factor"].default is None
    # theprimecalculator worked example: 70 in man, 110 kg -> 73 + 0.4 x 37 = 87.8 kg.
    adjusted = rx.adjusted_body_weight("110 kg", "70 in", "male")
    assert adjusted.magnitude == pytest.approx(73 + rules.adjusted_factor * 37)
    assert adjusted.magnitude == pytest.approx(87.8)
    dw = rx.dosing_weight("110 kg", "70 in", "male", basis="adjusted")
    assert dw.weight.magnitude == pytest.approx(87.8)


def test_every_source_is_citable() -> None:
    for path in (data.PROFILES_PATH, data.PRODUCTS_PATH, data.BODY_WEIGHT_PATH):
        for key, source in sources_of(path).items():
            assert source.citation.strip(), (path, key)
            assert 1950 < source.year <= 2026


# --- the loader refuses malformed entries --------------------------------------------


def _profile_block(**changes: Any) -> dict[str, Any]:
    block: dict[str, Any] = {
        "drug": "ketamine",
        "title": "t",
        "population": "adult",
        "source": "asra_2018",
        "dose_unit": "mg/kg/h",
        "bolus_unit": "mg/kg",
        "concentrations": [{"value": "1 mg/mL", "source": "asra_2018"}],
        "infusion": {
            "soft_max": {"value": "0.5 mg/kg/h", "source": "asra_2018"},
            "hard_max": {"value": "1 mg/kg/h", "source": "asra_2018"},
        },
    }
    block.update(changes)
    return block


def _profile(pid: str, block: dict[str, Any]) -> infusions.InfusionProfile:
    doc = parse_table(data.PROFILES_PATH)
    doc["profiles"] = {pid: block}
    return data._parse_profiles(doc)[pid]


def test_valid_block_loads() -> None:
    p = _profile("ketamine/test", _profile_block())
    assert p.infusion.hard_max is not None
    assert format_units(p.infusion.hard_max.value) == "mg/kg/h"
    assert not p.bolus


@pytest.mark.parametrize(
    ("pid", "changes", "match"),
    [
        (
            "ketamine/test",
            {"extra": 1},
            r"profiles\['ketamine/test'\]: unknown key\(s\) \['extra'\]",
        ),
        ("lidocaine/test", {}, "a profile id is"),
        ("ketamine/a/b", {}, "a profile id is"),
        ("ketamine/test", {"dose_unit": "mg/h"}, "dose_unit"),
        ("ketamine/test", {"bolus_unit": "mg/kg/h"}, "bolus_unit"),
        ("ketamine/test", {"source": "nowhere"}, r"\]\.source: a source must be one of"),
        ("ketamine/test", {"infusion": {}}, "at least one cited infusion limit"),
        (
            "ketamine/test",
            {
                "infusion": {
                    "soft_max": {"value": "2 mg/kg/h", "source": "asra_2018"},
                    "hard_max": {"value": "1 mg/kg/h", "source": "asra_2018"},
                }
            },
            "must be ordered",
        ),
        (
            "ketamine/test",
            {"infusion": {"hard_max": {"value": "1 mg/kg", "source": "asra_2018"}}},
            r"infusion\.hard_max: expected a positive dose rate per weight, got '1 mg/kg'",
        ),
        (
            "ketamine/test",
            {"infusion": {"hard_max": {"value": "1 mg/kg/h", "source": "nowhere"}}},
            "hard_max\\.source: a source must be one of",
        ),
        (
            "ketamine/test",
            {"infusion": {"hard_max": {"value": 1, "source": "asra_2018"}}},
            r"infusion\.hard_max\.value: expected a quantity such as '10 mg', got 1",
        ),
        (
            "ketamine/test",
            {"infusion": {"hard_max": {"value": "1 gamma", "source": "asra_2018"}}},
            "cannot read",
        ),
        (
            "ketamine/test",
            {"infusion": {"maximum": {"value": "1 mg/kg/h", "source": "asra_2018"}}},
            "unknown key",
        ),
        ("ketamine/test", {"concentrations": []}, r"\.concentrations: must not be empty"),
        (
            "ketamine/test",
            {"weight_basis": {"value": "lean", "source": "foo_2021"}},
            "weight_basis",
        ),
        (
            "ketamine/test",
            {"infusion": "1 mg/kg/h"},
            r"\.infusion: expected a table, got '1 mg/kg/h'",
        ),
    ],
)
def test_malformed_profiles_are_refused(pid: str, changes: dict[str, Any], match: str) -> None:
    with pytest.raises(TableError, match=match):
        _profile(pid, _profile_block(**changes))


def _products_with(products: list[Any]) -> None:
    doc = parse_table(data.PRODUCTS_PATH)
    doc["drugs"] = {"ketamine": {"source": "ketamine_label", "products": products}}
    structure(doc, data._ProductsFile, file=data.PRODUCTS_PATH)


def test_malformed_products_are_refused() -> None:
    good = {
        "concentration": "1 mg/mL",
        "kind": "vial",
        "description": "d",
        "source": "ketamine_label",
    }
    _products_with([good])
    with pytest.raises(TableError, match=r"drugs\.ketamine\.products\[0\]\.kind: expected one of"):
        _products_with([dict(good, kind="bag")])
    with pytest.raises(TableError, match=r"products\[0\]: missing key 'kind'"):
        _products_with([{"concentration": "1 mg/mL"}])


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (0, "must be greater than 0, got 0"),
        (-1, "must be greater than 0, got -1"),
        (True, "expected a number"),
        ("0.4", "expected a number, got '0.4'"),
    ],
)
def test_malformed_numbers_are_refused(value: object, match: str) -> None:
    doc = parse_table(data.BODY_WEIGHT_PATH)
    doc["adjusted"]["factor"]["value"] = value
    with pytest.raises(
        TableError, match=r"data/infusions/body_weight\.toml: adjusted\.factor\.value: " + match
    ):
        structure(doc, data._BodyWeightFile, file=data.BODY_WEIGHT_PATH)


def _described_mg_per_ml(description: str) -> float | None:
    """The concentration a product description states ("500 mg in 250 mL", "(0.4%)")."""
    import re

    found = re.search(r"(\d+(?:\.\d+)?) mg in (\d+(?:\.\d+)?) mL", description)
    if found:
        return float(found.group(1)) / float(found.group(2))
    found = re.search(r"\((\d+(?:\.\d+)?)%\)", description)
    if found:
        return float(found.group(1)) * 10  # 1% w/v = 1 g/100 mL = 10 mg/mL
    return None


def test_product_descriptions_agree_with_their_concentrations() -> None:
    checked = 0
    for products in data.drug_products().values():
        for c in products.products:
            stated = _described_mg_per_ml(c.description)
            if stated is not None:
                assert stated == pytest.approx(c.mg_per_ml), c.description
                checked += 1
    # 500 mg in 500 mL, 500 mg in 250 mL (Handbook), lidocaine 0.4%.
    assert checked == 3
