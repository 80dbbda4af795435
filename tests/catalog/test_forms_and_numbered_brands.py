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
    "text",
    ["Tylenol 3", "Tylenol #3", "Tylenol 4", "Tylenol w/ codeine 3", "Tylenol with Codeine No. 4"],
)
def test_numbered_tylenol_is_codeine_acetaminophen(text: str) -> None:
    # TYLENOL with Codeine (Janssen) prescribing information: No. 3 = 300 mg acetaminophen
    # with 30 mg codeine phosphate, No. 4 = 300 mg with 60 mg.
    med = catalog.parse_medication(text)
    assert (med.product.id, med.brand) == ("codeine/acetaminophen", "Tylenol with Codeine")
    assert catalog.product(text).id == "codeine/acetaminophen"


@pytest.mark.parametrize(
    ("text", "strengths"),
    [("Tylenol", []), ("Tylenol 500 mg", ["500 mg"]), ("Tylenol 325 mg", ["325 mg"])],
)
def test_tylenol_alone_is_acetaminophen(text: str, strengths: list[str]) -> None:
    med = catalog.parse_medication(text)
    assert med.product.id == "acetaminophen"
    assert [str(q) for q in med.strengths] == strengths


def test_tylenol_3_with_label_strength() -> None:
    med = catalog.parse_medication("Tylenol 3 300/30 mg")
    assert [str(q) for q in med.strengths] == ["30 mg", "300 mg"]
