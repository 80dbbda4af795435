"""MME results name the codes they were computed from (issue 18): rx.mme and mme_prescription by RxCUI."""

from __future__ import annotations

import pickle

import pytest

import painrx as rx
from painrx.catalog import RXNORM_SYSTEM, UnknownCodeError
from painrx.errors import InputError, UnitError
from painrx.opioids import CodedMMEResult


def _codes(result: rx.MMEResult) -> list[str]:
    assert isinstance(result, CodedMMEResult)
    return [c.code for c in result.codes]


def test_mme_by_drug_code() -> None:
    # RxCUI 1049621: oxycodone hydrochloride 5 MG Oral Tablet; 1 tablet q6h = 20 mg/day,
    # × 1.5 (CDC 2022 oxycodone factor) = 30 MME/day, as by name.
    coded = rx.mme(rxcui=1049621, frequency="q6h")
    named = rx.mme("oxycodone", "5 mg", frequency="q6h")
    assert coded.value == named.value == 30.0
    assert _codes(coded) == ["1049621", "7804"]
    assert isinstance(coded, CodedMMEResult)
    assert coded.product == "oxycodone hydrochloride 5 MG Oral Tablet"
    assert all(c.system == RXNORM_SYSTEM for c in coded.codes)
    assert rx.mme(rxcui=1049621, dose=2, frequency="q6h").value == 60.0


def test_mme_by_ingredient_code_takes_an_amount() -> None:
    coded = rx.mme(rxcui="7804", dose="10 mg", frequency="BID")
    assert coded.value == 30.0  # 20 mg/day × 1.5
    assert _codes(coded) == ["7804"]


def test_mme_of_a_liquid_code_takes_a_volume() -> None:
    # RxCUI 995983: codeine phosphate 2 MG/ML / guaifenesin / pseudoephedrine oral solution;
    # 10 mL q6h = 80 mg codeine/day × 0.15 (CDC 2022) = 12 MME/day.
    assert rx.mme(rxcui=995983, dose="10 mL", frequency="q6h").value == pytest.approx(12.0)
    with pytest.raises(UnitError, match="volume"):
        rx.mme(rxcui=995983, dose=2, frequency="q6h")


def test_mme_prescription_by_code() -> None:
    # 120 × 5 mg over 30 days = 20 mg/day × 1.5 = 30 (CDC file formula, CDC 2022 factor).
    result = rx.mme_prescription(rxcui=1049621, quantity=120, days_supply=30)
    assert result.value == 30.0
    assert _codes(result) == ["1049621", "7804"]
    # 72 HR fentanyl 0.075 MG/HR patch: 75 mcg/h × 2.4 (CDC 2022) = 180.
    patch = rx.mme_prescription(rxcui=197696, quantity=10, days_supply=30)
    assert patch.value == pytest.approx(180.0)
    assert patch.route == "transdermal"


def test_ndc_result_names_codes_in_text_and_html() -> None:
    result = rx.mme_prescription(ndc="00228-2983-11", quantity=120, days_supply=30)
    assert isinstance(result, CodedMMEResult)
    assert str(result).endswith("codes: NDC 00228298311, RxNorm 7804")
    assert "codes=[00228298311, 7804]" in repr(result)
    assert "NDC 00228298311" in result._repr_html_()
    assert [c["code"] for c in result.to_dict()["codes"]] == ["00228298311", "7804"]


def test_name_results_carry_no_codes() -> None:
    result = rx.mme("oxycodone", "5 mg", frequency="q6h")
    assert not isinstance(result, CodedMMEResult)
    assert "codes" not in str(result)


def test_coded_results_pickle() -> None:
    result = rx.mme(rxcui=1049621, frequency="q6h")
    assert pickle.loads(pickle.dumps(result)) == result


def test_refusals() -> None:
    with pytest.raises(InputError, match=r"needs a drug or an rxcui= \(not both\)"):
        rx.mme("oxycodone", "5 mg", rxcui=1049621)
    with pytest.raises(InputError, match="number of units per administration"):
        rx.mme(rxcui=1049621, dose="5 mg", frequency="q6h")
    with pytest.raises(InputError, match="the code names the dose form"):
        rx.mme(rxcui=1049621, frequency="q6h", form="capsule")
    with pytest.raises(InputError, match="the code names them"):
        rx.mme_prescription(rxcui=1049621, strength="5 mg", quantity=120, days_supply=30)
    with pytest.raises(UnknownCodeError, match="pack of 2 units"):
        rx.mme(rxcui=1740008, frequency="q6h")
    with pytest.raises(UnknownCodeError, match="Unknown RxCUI '99999999'"):
        rx.mme(rxcui=99999999, frequency="q6h")


def test_injection_needs_a_route() -> None:
    # An injection is never read as oral (the default route).
    with pytest.raises(InputError, match="is an injection: give route="):
        rx.mme("morphine", "10 mg", frequency="q4h", form="injection")
