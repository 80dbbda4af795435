"""Extended-release capsules are long-acting everywhere; "Tylenol 3" reads as Tylenol #3 (issue 18)."""

from __future__ import annotations

import pytest

import painrx as rx
from painrx import catalog, vocabulary
from painrx.errors import InputError


@pytest.mark.parametrize(
    ("text", "product"),
    [
        # Extended-release capsules by their prescribing information (DailyMed) and the
        # CDC 2018 NDC file (Master_Form "Capsule, Extended Release", LongShortActing LA).
        pytest.param("Kadian 30 mg", "morphine", id="kadian-pi"),
        pytest.param("Avinza 30 mg", "morphine", id="avinza-cdc-ndc-2018"),
        pytest.param("Xtampza ER 9 mg", "oxycodone", id="xtampza-er-pi"),
        pytest.param("Zohydro ER 10 mg", "hydrocodone", id="zohydro-er-pi"),
        pytest.param("ConZip 100 mg", "tramadol", id="conzip-cdc-ndc-2018"),
        pytest.param("morphine ER capsule 30 mg", "morphine", id="generic-er-capsule"),
    ],
)
def test_er_capsules_parse_as_er_capsule(text: str, product: str) -> None:
    med = catalog.parse_medication(text)
    assert (med.product.id, med.form) == (product, "er_capsule")


def test_rxnorm_extended_release_forms() -> None:
    assert vocabulary.form("Extended Release Oral Capsule") == "er_capsule"
    assert vocabulary.form("Extended Release Oral Tablet") == "er_tablet"
    # Every ER capsule code of the RxNorm table reads as er_capsule.
    er_capsules = [
        p
        for p in catalog.rxnorm_products()
        if p.dose_form.startswith("Extended Release Oral Capsule")
    ]
    assert er_capsules
    for drug in er_capsules:
        assert catalog.parse_medication(rxcui=drug.rxcui).form == "er_capsule"


def test_er_capsule_with_ir_opioid_is_the_er_ir_pattern() -> None:
    report = rx.check_interactions(["Kadian 30 mg BID", "oxycodone 5 mg q4h PRN"])
    assert [f.rule_id for f in report.findings] == ["opioid_er_ir_breakthrough"]


def test_er_capsule_taper_never_splits() -> None:
    kw = {"percent": 10, "interval": "30 day", "strengths": ["10 mg", "20 mg", "30 mg"]}
    with pytest.raises(InputError, match="extended-release capsules must be swallowed whole"):
        rx.taper("Kadian", "60 mg/day", doses_per_day=2, splittable=True, **kw)  # type: ignore[arg-type]
    schedule = rx.taper("Kadian", "60 mg/day", doses_per_day=2, **kw)  # type: ignore[arg-type]
    assert "½" not in str(schedule)


@pytest.mark.parametrize(
    ("text", "brand", "codeine_mg"),
    [
        ("Tylenol 3", "Tylenol with Codeine #3", 30),
        ("Tylenol #3", "Tylenol with Codeine #3", 30),
        ("Tylenol w/ codeine 3", "Tylenol with Codeine #3", 30),
        ("Tylenol 4", "Tylenol with Codeine #4", 60),
        ("Tylenol with Codeine No. 4", "Tylenol with Codeine #4", 60),
        ("Tylenol 3 300/30 mg", "Tylenol with Codeine #3", 30),
    ],
)
def test_numbered_tylenol_is_codeine_acetaminophen(text: str, brand: str, codeine_mg: int) -> None:
    # TYLENOL with Codeine prescribing information, section 3: No. 3 = 300 mg
    # acetaminophen with 30 mg codeine phosphate, No. 4 = 300 mg with 60 mg.
    med = catalog.parse_medication(text)
    assert (med.product.id, med.brand) == ("codeine/acetaminophen", brand)
    assert [str(q) for q in med.strengths] == [f"{codeine_mg} mg", "300 mg"]
    assert catalog.product(text.removesuffix(" 300/30 mg")).id == "codeine/acetaminophen"


def test_numbered_tylenol_mme_and_acetaminophen() -> None:
    # 2 tablets of No. 3 every 6 h: 240 mg codeine/day × 0.15 (CDC 2022) = 36 MME/day.
    assert rx.mme("Tylenol #3", 2, frequency="q6h").value == pytest.approx(36.0)
    assert rx.mme("Tylenol 4", frequency="q6h").value == pytest.approx(36.0)
    report = rx.check_interactions(["Tylenol 3 q6h", "Tylenol 500 mg QID"])
    assert report.acetaminophen is not None
    assert report.acetaminophen.daily_dose.magnitude == pytest.approx(1200 + 2000)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Tylenol #3 300/60 mg", "is 300/30 mg .* by its name"),
        ("Tylenol 3 30 mg", "write every strength, in that order"),
        ("Tylenol with Codeine 300 mg", "write every strength, in that order"),
    ],
)
def test_numbered_tylenol_refusals(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        catalog.parse_medication(text)


@pytest.mark.parametrize(
    ("text", "strengths"),
    [("Tylenol", []), ("Tylenol 500 mg", ["500 mg"]), ("Tylenol 325 mg", ["325 mg"])],
)
def test_tylenol_alone_is_acetaminophen(text: str, strengths: list[str]) -> None:
    med = catalog.parse_medication(text)
    assert med.product.id == "acetaminophen"
    assert [str(q) for q in med.strengths] == strengths


def test_brand_stated_strengths_are_marketed() -> None:
    # Every strength a brand's name states is one of the product's marketed sets
    # (RxNorm names, data/catalog/strengths.toml), so names and strengths cannot drift.
    stated = {
        name: catalog.product(name) for name in catalog.names() if catalog.product(name).strengths
    }
    assert set(stated) >= {"Tylenol with Codeine #3", "Tylenol with Codeine #4"}
    for product in stated.values():
        mg = tuple(q.to("mg").magnitude for q in product.strengths)
        text = "/".join(f"{v:g}" for v in mg) + " mg"
        # Written in product order: the marketed-set check refuses anything else.
        checked = catalog.parse_medication(f"{product.id} {text}")
        assert tuple(q.to("mg").magnitude for q in checked.strengths) == mg
