"""Issue 19: strengths are checked against marketed strengths, and hostile text is cheap.

Combination strengths: RxNorm (OMTKData 3.0.0, RxNav pull 2020-10-20) names every
marketed tablet with its strengths ("acetaminophen 325 MG / oxycodone hydrochloride
10 MG Oral Tablet [Percocet]"). Oral unit strengths: CDC 2018 NDC file (oxycodone
tablets 2.5-160 mg); acetaminophen: OTC Drug Facts labels (80 mg chewable to 650 mg
extended-release).
"""

from __future__ import annotations

import contextlib
import itertools
import time
import tomllib
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

import painrx as rx
from painrx import catalog
from painrx.catalog import _data, _text
from painrx.errors import InputError, Severity, UnitError, UnknownDrugError
from painrx.units import registry


def _doc() -> dict[str, object]:
    path = resources.files("painrx") / "data" / "catalog" / "strengths.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


COMBINATIONS: dict[str, dict[str, object]] = _doc()["combinations"]  # type: ignore[assignment]
ORAL_UNITS: dict[str, dict[str, object]] = _doc()["oral_units"]  # type: ignore[assignment]


# --------------------------------------------------------------------------- the data


def test_every_combination_is_a_catalog_product_with_one_strength_per_ingredient() -> None:
    for pid, block in COMBINATIONS.items():
        product = catalog.product(pid)
        assert product.id == pid
        for row in block["mg"]:  # type: ignore[attr-defined]
            assert len(row) == len(product.ingredients), (pid, row)


def test_every_oral_unit_range_is_a_catalog_ingredient_and_ordered() -> None:
    for iid, block in ORAL_UNITS.items():
        assert catalog.ingredient(iid).id == iid
        assert 0 < block["smallest_mg"] <= block["largest_mg"]  # type: ignore[operator]


@pytest.mark.parametrize(
    ("iid", "smallest", "largest"),
    [
        ("oxycodone", 2.5, 160),  # CDC 2018 NDC file: Roxicodone-class 2.5 mg to OxyContin 160 mg
        ("hydrocodone", 2.5, 120),  # CDC 2018 NDC file: 2.5 mg combinations to 120 mg ER
        ("morphine", 10, 200),  # CDC 2018 NDC file: oral tablets and capsules
        ("acetaminophen", 80, 650),  # Drug Facts: 80 mg chewable; TYLENOL 8 HR 650 mg
    ],
)
def test_cited_oral_unit_ranges(iid: str, smallest: float, largest: float) -> None:
    assert (ORAL_UNITS[iid]["smallest_mg"], ORAL_UNITS[iid]["largest_mg"]) == (smallest, largest)


# --------------------------------------------------------------------------- combinations


@pytest.mark.parametrize(
    "text",
    [
        # Percocet label (DailyMed): 2.5/325, 5/325, 7.5/325, 10/325 mg.
        "Percocet 2.5/325 mg",
        "Percocet 5/325 mg",
        "Percocet 7.5/325 mg",
        "Percocet 10/325 mg",
        # Norco label (DailyMed): 5/325, 7.5/325, 10/325 mg.
        "Norco 5/325 mg",
        "Norco 7.5-325 mg",
        "Norco 10/325 mg",
        # Tylenol with Codeine No. 3 label: acetaminophen 300 mg / codeine 30 mg.
        "Tylenol #3 300/30 mg",
        # Ultracet label: tramadol 37.5 mg / acetaminophen 325 mg.
        "tramadol/acetaminophen 37.5/325 mg",
    ],
)
def test_marketed_combination_strengths_are_read(text: str) -> None:
    m = catalog.parse_medication(text)
    assert len(m.strengths) == len(m.product.ingredients)
    assert not m.alerts


def test_percocet_325_10_is_refused_as_swapped_rxnorm() -> None:
    # Issue 19: read by position this was oxycodone 325 mg (MME 1,950 a day at q6h).
    with pytest.raises(InputError, match="not a marketed strength") as info:
        catalog.parse_medication("Percocet 325/10 mg")
    message = info.value.message
    assert "The parts look swapped: write 10/325 mg." in message
    assert "2.5/325 mg" in message
    assert "RxNorm" in message


def test_norco_5_10_is_refused_rxnorm() -> None:
    # Issue 19: "Norco 5-10 mg" was read as hydrocodone 5 mg + acetaminophen 10 mg.
    with pytest.raises(InputError, match="never reads strengths by position") as info:
        catalog.parse_medication("Norco 5-10 mg")
    assert "5/325 mg" in info.value.message


def test_swapped_brand_is_shown_in_its_label_order() -> None:
    # Tylenol #3 is written acetaminophen first (label); the hint keeps that order.
    with pytest.raises(InputError, match="write 300/30 mg"):
        catalog.parse_medication("Tylenol #3 30/300 mg")


def test_one_strength_that_is_no_marketed_opioid_strength_is_refused() -> None:
    # "Percocet 325 mg" would read as 325 mg of oxycodone.
    with pytest.raises(InputError, match="no marketed oxycodone strength"):
        catalog.parse_medication("Percocet 325 mg")
    assert [str(q) for q in catalog.parse_medication("Percocet 5 mg").strengths] == ["5 mg"]


@given(st.sampled_from(sorted(COMBINATIONS)), st.data())
def test_every_marketed_set_is_accepted_and_its_reverse_refused(
    pid: str, data: st.DataObject
) -> None:
    rows = [tuple(r) for r in COMBINATIONS[pid]["mg"]]  # type: ignore[attr-defined]
    row = data.draw(st.sampled_from(rows))
    text = "/".join(f"{x:g}" for x in row)
    m = catalog.parse_medication(f"{pid} {text} mg")
    assert tuple(float(q.to("mg").magnitude) for q in m.strengths) == row
    reverse = tuple(reversed(row))
    if reverse not in rows:
        with pytest.raises(InputError, match="not a marketed strength"):
            catalog.parse_medication(f"{pid} {'/'.join(f'{x:g}' for x in reverse)} mg")


# --------------------------------------------------------------------------- unit slips


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("oxycodone 10 mcg", "dose_below_marketed_strength"),  # 250x below 2.5 mg (CDC NDC)
        ("acetaminophen 1000 mcg", "dose_below_marketed_strength"),  # 1 mg; 80 mg chewable
        ("oxycodone 5 g tablet", "dose_above_marketed_strength"),  # 5,000 mg; 160 mg tablet
    ],
)
def test_a_mg_mcg_slip_raises_a_major_alert(text: str, code: str) -> None:
    alerts = catalog.parse_medication(text).alerts
    assert [a.code for a in alerts] == [code]
    assert alerts[0].severity is Severity.MAJOR
    assert "check mg vs mcg" in alerts[0].message
    assert alerts[0].source is not None


@pytest.mark.parametrize(
    "text",
    [
        "oxycodone 2.5 mg",  # the smallest tablet (CDC NDC)
        "oxycodone 0.25 mg",  # a tenth of it: the bound itself is not flagged
        "acetaminophen 1000 mg",  # two 500 mg tablets
        "morphine 2 mg IV",  # not oral: the oral strengths do not apply
        "fentanyl 25 mcg/h patch",  # a rate: not a unit strength
    ],
)
def test_plausible_doses_raise_no_strength_alert(text: str) -> None:
    codes = {a.code for a in catalog.parse_medication(text).alerts}
    assert not codes & {"dose_below_marketed_strength", "dose_above_marketed_strength"}


def test_check_unit_dose() -> None:
    (alert,) = catalog.check_unit_dose("Roxicodone", "10 mcg")
    assert alert.code == "dose_below_marketed_strength"
    assert "2.5-160 mg" in alert.message
    assert catalog.check_unit_dose("oxycodone", "10 mcg", route="IV") == ()
    assert catalog.check_unit_dose("gabapentin", "1 mcg") == ()  # no cited range: not checked
    with pytest.raises(UnitError):
        catalog.check_unit_dose("oxycodone", "10 mg/day")
    with pytest.raises(UnknownDrugError):
        catalog.check_unit_dose("oxycodoen", "10 mg")
    with pytest.raises(InputError):
        catalog.check_unit_dose("oxycodone", "10 mg", route="by magic")


# --------------------------------------------------------------------------- bounded work

HOSTILE = [
    "oxycodone " + " ".join(["abcdefghij"] * 17),
    " ".join(["zzzzzzzzz"] * 20),
    "oxycodone " + "a " * 95,
    "a" + " q6h" * 49,
    "oxycodone 5 mg " + "qgtna hameb xfowq vnrhu zwqoh " * 6,
    "oxycodone " + "5/" * 93 + "5 mg",
    "st john " * 25,
]
# Issue 19: a 200-character text took 0.34 s (some of these over 1 s). The bound asked
# for is 10 ms; the test allows 25 ms (best of three) because the test machines are shared.
BUDGET_S = 0.025


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_medication_text_is_handled_fast(text: str) -> None:
    assert len(text) <= 200
    catalog.parse_medication("oxycodone 5 mg")  # the catalog is loaded once per process
    best = float("inf")
    for _ in range(3):
        _text._parse_medication.cache_clear()
        _text._phrase_kind.cache_clear()
        _data._find.cache_clear()
        start = time.perf_counter()
        with contextlib.suppress(rx.PainRxError):
            catalog.parse_medication(text)
        best = min(best, time.perf_counter() - start)
    assert best < BUDGET_S, f"{best * 1000:.1f} ms"


def test_unknown_names_still_get_suggestions() -> None:
    with pytest.raises(UnknownDrugError) as info:
        catalog.parse_medication("oxycodon 5 mg")
    assert "oxycodone" in info.value.suggestions
    with pytest.raises(UnknownDrugError) as info:
        catalog.product("percoset")
    assert "Percocet" in info.value.suggestions


def test_interaction_check_caps_the_medication_count() -> None:
    # Issue 19: 800 medications took 1.5 s; one check now reads at most 100.
    names = [p.id for p in catalog.products() if len(p.ingredients) == 1][:100]
    assert len(rx.check_interactions(names, on_unknown="report").medications) <= 100
    with pytest.raises(InputError, match="at most 100 medications"):
        rx.check_interactions([*names, "ibuprofen"])
    with pytest.raises(InputError, match="at most 100 medications"):
        rx.check_interactions(itertools.repeat("ibuprofen", 800))


@given(
    magnitude=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(10**400), max_value=10**400),
        st.fractions(),
        st.decimals(),
    ),
    unit=st.sampled_from(["mg", "mcg", "g", "kg", "mg/day", "mcg/h", "mL"]),
    drug=st.sampled_from(["oxycodone", "acetaminophen", "gabapentin", "Percocet", "zzz"]),
)
def test_check_unit_dose_raises_only_painrx_errors(magnitude: object, unit: str, drug: str) -> None:
    try:
        dose = registry().Quantity(magnitude, unit)  # type: ignore[call-overload]
    except Exception:  # noqa: BLE001 # pint's own refusal of the magnitude: nothing to test
        return
    try:
        alerts = catalog.check_unit_dose(drug, dose)
    except rx.PainRxError:
        return
    assert all(a.severity is Severity.MAJOR and len(a.message) < 400 for a in alerts)
