"""Interaction findings name the codes of the entries given as codes (issue 18)."""

from __future__ import annotations

import pickle

import pytest

import painrx as rx
from painrx.catalog import UnknownCodeError
from painrx.errors import InputError
from painrx.interactions import CodedMedication, Medication


def test_finding_names_the_drug_code() -> None:
    oxycodone = Medication.from_rxcui(1049621, frequency="q6h")
    assert isinstance(oxycodone, CodedMedication)
    report = rx.check_interactions([oxycodone, "lorazepam 1 mg BID"])
    finding = next(f for f in report.findings if "lorazepam" in f.drugs)
    assert [c.code for c in finding.codes] == ["1049621", "7804"]
    assert str(finding).endswith("(codes: RxNorm 1049621, RxNorm 7804)")
    assert "RxNorm 1049621" in finding._repr_html_()
    assert [c["code"] for c in finding.to_dict()["codes"]] == ["1049621", "7804"]
    checked = next(m for m in report.medications if m.product == "oxycodone")
    assert [c.code for c in checked.codes] == ["1049621", "7804"]


def test_code_decides_the_product_and_strength() -> None:
    # RxCUI 1087427: TussiCaps, chlorpheniramine polistirex 8 MG / hydrocodone polistirex
    # 10 MG ER capsule: an opioid and a sedating antihistamine (21 CFR 341.12).
    coded = CodedMedication("TussiCaps", rxcui="1087427")
    report = rx.check_interactions([coded, "lorazepam 1 mg"])
    assert {"hydrocodone", "lorazepam"} <= {d for f in report.findings for d in f.drugs}
    assert all(c.code in {"1087427", "5489"} for f in report.findings for c in f.codes)


def test_findings_by_name_carry_no_codes() -> None:
    report = rx.check_interactions(["oxycodone 5 mg", "lorazepam 1 mg"])
    assert all(f.codes == () for f in report.findings)
    assert "codes" not in str(report.findings[0])


def test_coded_medication_values() -> None:
    coded = Medication.from_rxcui("1049621")
    assert coded.to_dict()["rxcui"] == "1049621"
    assert pickle.loads(pickle.dumps(coded)) == coded
    assert hash(coded) == hash(Medication.from_rxcui(1049621))
    with pytest.raises(InputError, match="not an RxNorm concept id"):
        CodedMedication("x", rxcui="12a")
    with pytest.raises(UnknownCodeError):
        rx.check_interactions([CodedMedication("x", rxcui="99999999")])
