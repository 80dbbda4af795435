"""Interaction-check benchmarks: a 20-medication list against 20 catalog look-ups, same run.

Target (issue 6): checking a 20-medication list takes at most 2 ms (median) and at
most 10 times a baseline of 20 catalog look-ups (``catalog.product(name)``) measured
in the same run. Absolute times drift on shared hosts, so only the ratio is asserted.

The realistic list is a post-operative day-1 inpatient list (21 findings since the
issue-14 rules and the 5-HT3 antagonist rule: other CNS depressants, COPD, two opioids,
fentanyl with ondansetron). A stress list where nearly every drug interacts (47
findings) is reported, with a looser bound,
because the work grows with the number of findings, not with the list length.
"""

from __future__ import annotations

from typing import Any

from benchmarks._ratio import check_ratio
from painrx import catalog
from painrx.interactions import InteractionReport, Medication, Patient, check_interactions

_BUDGET = 10.0
_STRESS_BUDGET = 25.0

_REALISTIC: list[str | Medication] = [
    Medication("acetaminophen", "1000 mg", "q6h"),
    Medication("ibuprofen", "400 mg", "q6h"),
    Medication("oxycodone", "5 mg", "q4h"),
    Medication("hydromorphone", "0.5 mg", route="iv"),
    "ondansetron 4 mg IV",
    Medication("enoxaparin", "40 mg", "daily"),
    "pantoprazole 40 mg",
    Medication("gabapentin", "300 mg", "TID"),
    Medication("dexamethasone", "8 mg", route="iv"),
    "lisinopril 10 mg",
    "hydrochlorothiazide 25 mg",
    "sertraline 50 mg",
    "ketamine",
    "Lidoderm",
    "naloxone",
    "lorazepam 0.5 mg",
    "fentanyl 25 mcg IV",
    "haloperidol 0.5 mg",
    "azithromycin 500 mg",
    "amiodarone 200 mg",
]
_STRESS: list[str | Medication] = [
    "Ibuprofen 400 mg tablet",
    "Eliquis 5mg",
    "OXYCODONE HCL 5MG TAB",
    "Percocet 10/325 mg",
    "sertraline",
    "gabapentin",
    "lorazepam",
    "omeprazole",
    "lisinopril",
    "furosemide",
    "dexamethasone",
    "ondansetron",
    "methadone",
    "aspirin",
    "clopidogrel",
    "tramadol",
    "ketorolac",
    "Tylenol",
    "warfarin",
    Medication("enoxaparin", "40 mg", "daily"),
]
_NAMES = [
    "acetaminophen",
    "ibuprofen",
    "oxycodone",
    "hydromorphone",
    "ondansetron",
    "enoxaparin",
    "pantoprazole",
    "gabapentin",
    "dexamethasone",
    "lisinopril",
    "hydrochlorothiazide",
    "sertraline",
    "ketamine",
    "Lidoderm",
    "naloxone",
    "lorazepam",
    "fentanyl",
    "haloperidol",
    "azithromycin",
    "amiodarone",
]
_PATIENT = Patient(age=70, weight="80 kg", conditions=["copd"])


def _lookups() -> None:
    for name in _NAMES:
        catalog.product(name)


def _check(meds: list[str | Medication]) -> Any:
    return lambda: check_interactions(meds, patient=_PATIENT)


def test_bench_check_20_medications(benchmark: Any) -> None:
    result: InteractionReport = benchmark(_check(_REALISTIC))
    assert len(result.findings) == 21
    assert result.complete
    check_ratio(
        "check 20 medications / 20 look-ups",
        _check(_REALISTIC),
        _lookups,
        target=_BUDGET,
        guard=1.5 * _BUDGET,
    )


def test_bench_check_20_interacting_medications(benchmark: Any) -> None:
    result: InteractionReport = benchmark(_check(_STRESS))
    assert len(result.findings) == 47
    check_ratio(
        "check 20 interacting medications / 20 look-ups",
        _check(_STRESS),
        _lookups,
        target=_STRESS_BUDGET,
        guard=1.5 * _STRESS_BUDGET,
    )


def test_bench_catalog_lookups(benchmark: Any) -> None:
    benchmark(_lookups)
