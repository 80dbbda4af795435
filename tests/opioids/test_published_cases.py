"""Issue 15: every published MME case painrx must agree with, one default, no dropped row.

Golden numbers come from the CDC "Opioid NDC and Oral MME Conversion File" 2018
(Summary Table, Opioids sheet and Documentation examples) and the NIH HEAL MME
calculator's factor list (as served by its API; fixture of the R package mmequiv).
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import painrx as rx
from painrx import opioids
from painrx.errors import InputError, NoFactorError
from painrx.types import MMETable


def codes(result: Any) -> list[str]:
    return [a.code for a in result.alerts]


# ---------------------------------------------------------------- CDC file 2018, Summary Table

# (Summary Table row, drug, strength unit, route, form, factor). Strength is in mg
# "except where noted" (the table's heading).
CDC_SUMMARY = [
    ("Butorphanol", "butorphanol", "mg/mL", "nasal", "nasal_spray", 7),
    ("Codeine", "codeine", "mg", None, None, 0.15),
    ("Dihydrocodeine", "dihydrocodeine", "mg", None, None, 0.25),
    ("Fentanyl, buccal/SL tablet (MCG)", "fentanyl", "mcg", "buccal", "buccal_tablet", 0.13),
    ("Fentanyl, SL tablet (MCG)", "fentanyl", "mcg", "sublingual", "tablet", 0.13),
    ("Fentanyl, lozenge/troche (MCG)", "fentanyl", "mcg", "buccal", "lozenge", 0.13),
    ("Fentanyl, film (MCG)", "fentanyl", "mcg", "buccal", "buccal_film", 0.18),
    ("Fentanyl, oral spray (MCG)", "fentanyl", "mcg", "sublingual", "oral_spray", 0.18),
    ("Fentanyl, nasal spray (MCG)", "fentanyl", "mcg", "nasal", "nasal_spray", 0.16),
    ("Fentanyl, transdermal patch (MCG/HR)", "fentanyl", "mcg/h", "transdermal", "patch", 7.2),
    ("Hydrocodone", "hydrocodone", "mg", None, None, 1),
    ("Hydromorphone", "hydromorphone", "mg", None, None, 4),
    ("Levomethadyl acetate", "levomethadyl", "mg/mL", None, None, 8),
    ("Levorphanol tartrate", "levorphanol", "mg", None, None, 11),
    ("Meperidine", "meperidine", "mg", None, None, 0.1),
    ("Methadone", "methadone", "mg", None, None, 3),
    ("Morphine", "morphine", "mg", None, None, 1),
    ("Opium", "opium", "mg", "rectal", None, 1),
    ("Oxycodone", "oxycodone", "mg", None, None, 1.5),
    ("Oxymorphone", "oxymorphone", "mg", None, None, 3),
    ("Pentazocine", "pentazocine", "mg", None, None, 0.37),
    ("Tapentadol", "tapentadol", "mg", None, None, 0.4),
    ("Tramadol", "tramadol", "mg", None, None, 0.1),
    # Opioids sheet rows outside the Summary Table: propoxyphene (1,385 rows, 0.23) and
    # the suppositories, which carry the oral factor.
    ("Opioids sheet: Propoxyphene", "propoxyphene", "mg", None, None, 0.23),
    ("Opioids sheet: Morphine suppository", "morphine", "mg", "rectal", None, 1),
    ("Opioids sheet: Hydromorphone suppository", "hydromorphone", "mg", "rectal", None, 4),
    ("Opioids sheet: Oxymorphone suppository", "oxymorphone", "mg", "rectal", None, 3),
]


@pytest.mark.parametrize(
    ("drug", "unit", "route", "form", "factor"),
    [pytest.param(*r[1:], id=r[0]) for r in CDC_SUMMARY],
)
def test_cdc_2018_file_factor(
    drug: str, unit: str, route: str | None, form: str | None, factor: float
) -> None:
    found = opioids.prescription_factor(
        drug, strength_unit=unit, route=route, form=form, table="CDC_NDC_2018"
    )
    assert found.factor == pytest.approx(factor, rel=1e-12)
    assert found.table == "CDC_NDC_2018"


@pytest.mark.parametrize(
    ("drug", "strength", "route"),
    [
        ("buprenorphine", "8 mg", "sublingual"),  # "Buprenorphine, tablet and film": N/A
        ("Butrans", "10 mcg/h", None),  # "Buprenorphine, transdermal patch": N/A
        ("Belbuca", "150 mcg", None),  # "Buprenorphine, film (MCG)" (Belbuca): N/A
    ],
)
def test_cdc_2018_file_buprenorphine_has_no_factor(
    drug: str, strength: str, route: str | None
) -> None:
    with pytest.raises(NoFactorError, match="without a conversion factor"):
        rx.mme_prescription(
            drug, strength=strength, quantity=30, days_supply=30, route=route, table="CDC_NDC_2018"
        )


def test_cdc_2018_historical_claims_do_not_abort() -> None:
    """Opioids sheet: ACETAMINOPHEN-PROPOXYPHENE NAPSYLATE 100 mg, factor 0.23; ORLAAM 10 mg/mL, 8."""
    darvocet = rx.mme_prescription(
        "dextropropoxyphene", strength="100 mg", quantity=120, days_supply=30, table="CDC_NDC_2018"
    )
    assert darvocet.exact == Fraction(92)  # 100 × 120 / 30 × 0.23
    laam = rx.mme_prescription(
        "LAAM", strength="10 mg/mL", quantity="30 mL", days_supply=10, table="CDC_NDC_2018"
    )
    assert laam.value == 240  # 10 × 30 / 10 × 8


def test_cdc_2018_opium_suppository_says_per_mg_of_opium() -> None:
    """Opioids sheet: B & O SUPPRETTES 16A, opium 60 MG suppository, factor 1 (per mg of opium)."""
    r = rx.mme_prescription(
        "opium", strength="60 mg", quantity=10, days_supply=5, route="PR", table="CDC_NDC_2018"
    )
    assert r.value == 120
    assert r.route == "rectal"
    alert = next(a for a in r.alerts if a.code == "opium_per_mg_of_opium")
    assert "10% morphine" in alert.message
    assert alert.source is not None
    assert "Powdered Opium" in alert.source.citation  # USP 35-NF 30 monograph


def test_suppository_form_implies_the_rectal_route() -> None:
    r = rx.mme("morphine", "10 mg", frequency="q4h", form="suppository", table="CDC_NDC_2018")
    assert (r.route, r.value) == ("rectal", 60)


# ---------------------------------------------------------------- NIH HEAL factor list

# (calculator entry, drug, dose, route, form, factor)
HEAL_FACTORS = [
    ("Buprenorphine buccal film (mcg) buccal", "Belbuca", "150 mcg", None, None, 0.039),
    ("Buprenorphine patch (mcg/hr) transdermal", "Butrans", "10 mcg/h", None, None, 2.2),
    ("Buprenorphine tablet/film (mg) sublingual", "buprenorphine", "8 mg", "SL", None, 38.8),
    ("butorphanol (mg)", "butorphanol", "1 mg", "nasal", "nasal_spray", 7),
    ("Codeine (mg)", "codeine", "30 mg", None, None, 0.15),
    ("Dihydrocodeine (mg)", "dihydrocodeine", "30 mg", None, None, 0.25),
    ("Fentanyl buccal (mcg)", "fentanyl", "100 mcg", "buccal", "buccal_tablet", 0.13),
    ("Fentanyl nasal (mcg)", "fentanyl", "100 mcg", "nasal", "nasal_spray", 0.16),
    ("Fentanyl patch (mcg/hr)", "fentanyl", "25 mcg/h", "transdermal", None, 2.4),
    ("Hydrocodone (mg)", "hydrocodone", "10 mg", None, None, 1),
    ("Hydromorphone (mg)", "hydromorphone", "2 mg", None, None, 5),
    ("Levorphanol tartrate (mg)", "levorphanol", "2 mg", None, None, 11),
    ("Meperidine HCL (mg)", "meperidine", "50 mg", None, None, 0.1),
    ("Methadone (mg)", "methadone", "5 mg", None, None, 4.7),
    ("Morphine (mg)", "morphine", "15 mg", None, None, 1),
    ("Opium (mg)", "opium", "30 mg", "rectal", None, 1),
    ("Oxycodone (mg)", "oxycodone", "5 mg", None, None, 1.5),
    ("Oxymorphone (mg)", "oxymorphone", "5 mg", None, None, 3),
    ("Pentazocine (mg)", "pentazocine", "25 mg", None, None, 0.37),
    ("tapentadol (mg)", "tapentadol", "50 mg", None, None, 0.3),
    ("tramadol (mg)", "tramadol", "50 mg", None, None, 0.2),
]


@pytest.mark.parametrize(
    ("drug", "dose", "route", "form", "factor"),
    [pytest.param(*r[1:], id=r[0]) for r in HEAL_FACTORS],
)
def test_nih_heal_factor_list(
    drug: str, dose: str, route: str | None, form: str | None, factor: float
) -> None:
    """24-h MME = dose × doses per 24 h × factor (mmequiv calculate_mme_local.R)."""
    frequency = None if dose.endswith("/h") else 1
    r = rx.mme(drug, dose, route=route, form=form, frequency=frequency, table="NIH_HEAL_2025")
    assert r.factor == factor
    assert r.value == pytest.approx(rx.Q(dose).magnitude * factor, rel=1e-12)
    assert r.table == "NIH_HEAL_2025"


# ---------------------------------------------------------------- one default table


def _default(function: Any, name: str = "table") -> object:
    return inspect.signature(function).parameters[name].default


def test_one_default_table_for_every_mme_entry_point() -> None:
    from painrx import batch, cli
    from painrx.batch import _validate

    default = opioids.DEFAULT_MME_TABLE
    assert default == "CDC_2022"
    for function in (
        rx.mme,
        rx.mme_prescription,
        rx.total_mme,
        rx.mme_over_period,
        opioids.prescription_factor,
    ):
        assert _default(function) == default, function.__name__
    assert _default(batch.mme_prescriptions, "table_id") == default
    assert _default(_validate.validate_csv, "table_id") == default
    parser = cli._build_parser()
    assert parser.parse_args(["validate", "x.csv"]).table == default


def test_one_regimen_one_answer_across_entry_points() -> None:
    """Issue 15: one regimen gave tramadol 40 vs 20 and methadone 141 vs 90 MME/day."""
    day = dt.date(2026, 1, 1)
    for drug, strength, frequency, per_day, expected in (
        ("tramadol", "50 mg", "QID", 4, 40),  # CDC 2022: 200 mg/day × 0.2
        ("methadone", "10 mg", "TID", 3, 141),  # CDC 2022: 30 mg/day × 4.7
    ):
        quantity = per_day * 30
        per_dose = rx.mme(drug, strength, frequency=frequency)
        per_rx = rx.mme_prescription(drug, strength=strength, quantity=quantity, days_supply=30)
        prescription = rx.Prescription(drug, strength, quantity, days_supply=30, start=day)
        period = rx.mme_over_period([prescription], start=day, end=day)
        assert per_dose.value == per_rx.value == period.value == pytest.approx(expected)
        assert {per_dose.table, per_rx.table, period.table} == {"CDC_2022"}


# ---------------------------------------------------------------- frequencies and names


@pytest.mark.parametrize(
    ("frequency", "per_day"),
    [
        ("q2h", 12),
        ("q3h", 8),
        ("q4h PRN", 6),
        ("every 4 hours", 6),
        ("4 times a day", 4),
        ("nightly", 1),
    ],
)
def test_frequencies_people_write(frequency: str, per_day: int) -> None:
    r = rx.mme("morphine", "5 mg", frequency=frequency, thresholds=None)
    assert r.value == 5 * per_day
    assert ("prn_counted_at_maximum" in codes(r)) == ("PRN" in frequency)


def test_prn_and_ranges_count_at_their_maximum_and_say_so() -> None:
    """CQF MMECalculator.cql: the calculation 'assumes the most aggressive dosing'."""
    for frequency in ("q4-6h", "q4-6h PRN", "every 4 to 6 hours as needed", "3-4 times a day"):
        r = rx.mme("oxycodone", "5 mg", frequency=frequency, thresholds=None)
        assert r.value == 5 * 1.5 * (4 if "times" in frequency else 6)
        assert "prn_counted_at_maximum" in codes(r)
    total = rx.total_mme([rx.OpioidDose("oxycodone", "5 mg", frequency="q4h PRN")])
    assert "prn_counted_at_maximum" in codes(total)


@pytest.mark.parametrize("drug", ["Percocet 10/325", "Percocet 10/325 mg", "Percocet 10mg/325mg"])
def test_product_with_its_strength_as_the_drug(drug: str) -> None:
    r = rx.mme(drug, frequency="q6h", thresholds=None)
    assert (r.drug, r.value) == ("oxycodone", 60)  # 10 mg × 4 × 1.5
    assert rx.mme(drug, 2, frequency="q6h", thresholds=None).value == 120
    assert ("strength_read_as_mg" in codes(r)) == (drug == "Percocet 10/325")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: rx.mme("Percocet 10/325", "10 mg", frequency="QID"), "number of units"),
        (lambda: rx.mme("Percocet 10/325", 0, frequency="QID"), "greater than zero"),
        (lambda: rx.mme("oxycodone", frequency="QID"), "dose is missing"),
        (
            lambda: rx.mme_prescription(
                "Percocet 10/325 mg", strength="5 mg", quantity=60, days_supply=30
            ),
            "contradicts the strength",
        ),
    ],
)
def test_product_strength_refusals(call: Any, match: str) -> None:
    with pytest.raises(InputError, match=match):
        call()


def test_product_with_strength_variants() -> None:
    """A count may come as text (a command line); one strength names the opioid part."""
    assert rx.mme("Percocet 10/325 mg", "2", frequency="q6h", thresholds=None).value == 120
    assert rx.mme("Percocet 5 mg", frequency="q6h", thresholds=None).value == 30
    # co-codamol 30/500: 2 tablets QID = 240 mg codeine × 0.15 (CDC 2022).
    assert rx.mme("co-codamol 30/500 mg", 2, frequency="QID", thresholds=None).value == 36
    # A name with words painrx cannot read is refused ("Tylenol #3" is a known brand).
    with pytest.raises(rx.UnknownDrugError, match="Tylenol Sinus"):
        rx.mme("Tylenol Sinus", frequency="QID")
    with pytest.raises(InputError, match="a frequency in the name"):
        rx.mme("Percocet 10/325 mg q6h")
    with pytest.raises(InputError, match="strength_unit_missing"):
        rx.mme("oxycodone 10", frequency="QID")  # one bare number: never read as mg


def test_product_with_strength_in_a_prescription_and_the_batch() -> None:
    r = rx.mme_prescription("Percocet 10/325 mg", strength="10 mg", quantity=60, days_supply=30)
    assert r.value == 30
    found = opioids.prescription_factor("Percocet 10/325", strength_unit="mg")
    assert found.factor == 1.5


# ---------------------------------------------------------------- patches


def test_patch_frequency_more_than_daily_is_refused() -> None:
    """Issue 15: mme('fentanyl', '37.5 mcg/h', frequency=2) returned 90 with no alert."""
    with pytest.raises(InputError, match="summed strength"):
        rx.mme("fentanyl", "37.5 mcg/h", route="TD", frequency=2)


@pytest.mark.parametrize(
    ("frequency", "alerted"), [("q72h", False), (1 / 3, False), ("QD", True), ("q48h", True)]
)
def test_patch_frequency_other_than_the_change_interval_alerts(
    frequency: str | float, alerted: bool
) -> None:
    """CDC file: one fentanyl patch per 72 h; another interval is said, never ignored."""
    r = rx.mme("fentanyl", "25 mcg/h", route="TD", frequency=frequency, thresholds=None)
    assert r.value == 60
    assert ("patch_change_interval" in codes(r)) == alerted


def test_transmucosal_fentanyl_factor_basis_is_the_per_dose_unit() -> None:
    """API contract: factor_basis 'mcg' for transmucosal fentanyl (a factor per mcg)."""
    r = rx.mme("fentanyl", "200 mcg", frequency=4, form="buccal film", table="NIH_HEAL_2025")
    assert (r.factor, r.factor_basis) == (0.18, "mcg")
    assert rx.mme("fentanyl", "25 mcg/h", route="TD").factor_basis == "mcg/h"
    assert rx.mme("morphine", "30 mg/day").factor_basis == "mg/day"


def test_heal_buprenorphine_patch_is_counted_not_dropped() -> None:
    """Issue 15: under NIH_HEAL_2025 a buprenorphine patch was moved to .excluded."""
    day = dt.date(2026, 2, 1)
    rxs = [
        rx.Prescription("Butrans", "10 mcg/h", quantity=4, days_supply=28, start=day),
        rx.Prescription("oxycodone", "5 mg", quantity=56, days_supply=14, start=day),
    ]
    r = rx.mme_over_period(rxs, start=day, end=day, definition="max_daily", table="NIH_HEAL_2025")
    assert r.excluded == ()
    assert [i.value for i in r.items] == [22, 30]
    assert r.value == 52
    without = rx.mme_over_period(
        rxs, start=day, end=day, table="NIH_HEAL_2025", buprenorphine=False
    )
    assert without.value == 30
    assert [e.reason for e in without.excluded] == ["buprenorphine excluded (buprenorphine=False)"]


def test_period_raises_what_it_cannot_count_where_the_table_has_a_factor() -> None:
    """ANZCA has a buprenorphine patch factor but no days rule: raised, never excluded."""
    day = dt.date(2026, 2, 1)
    patch = rx.Prescription("Butrans", "10 mcg/h", quantity=4, days_supply=28, start=day)
    with pytest.raises(InputError, match="days-supply rule"):
        rx.mme_over_period([patch], start=day, end=day, table="ANZCA_2021")


# ---------------------------------------------------------------- properties

DRUGS = st.sampled_from(
    [
        ("oxycodone", "5 mg", None),
        ("morphine", "15 mg", None),
        ("tramadol", "50 mg", None),
        ("methadone", "5 mg", None),
        ("buprenorphine", "2 mg", "SL"),
        ("Butrans", "10 mcg/h", None),
        ("Duragesic", "25 mcg/h", None),
        ("tapentadol", "50 mg", None),
        ("propoxyphene", "65 mg", None),
        ("hydromorphone", "2 mg", "rectal"),
    ]
)
TABLES = st.sampled_from([p.id for p in opioids.mme_tables()])


def _has_factor(table: MMETable, drug: str, route: str | None) -> bool:
    try:
        rx.mme(
            drug,
            "1 mcg/h" if drug in {"Butrans", "Duragesic"} else "1 mg/day",
            route=route,
            table=table,
            thresholds=None,
        )
    except NoFactorError:
        return False
    return True


@given(rows=st.lists(st.tuples(DRUGS, st.integers(1, 60)), min_size=1, max_size=6), table=TABLES)
def test_no_entry_point_drops_a_row_or_loses_its_table(
    rows: list[tuple[tuple[str, str, str | None], int]], table: MMETable
) -> None:
    """Every prescription is counted or listed with its reason; every number names its table."""
    day = dt.date(2026, 3, 1)
    rxs = [
        rx.Prescription(drug, strength, quantity=days, days_supply=days, start=day, route=route)
        for (drug, strength, route), days in rows
    ]
    try:
        period = rx.mme_over_period(rxs, start=day, end=day + dt.timedelta(days=59), table=table)
    except (InputError, NoFactorError):
        period = None
    if period is None:
        # Raised, not dropped: only where the table has a factor it cannot apply
        # (a patch with no days rule, a dose outside a band).
        assert any(_has_factor(table, r.drug, r.route) for r in rxs)
        return
    assert len(period.items) + len(period.excluded) == len(rxs)
    assert period.table == table
    assert all(item.table == table for item in period.items)
    for excluded in period.excluded:
        p = excluded.prescription
        assert not _has_factor(table, p.drug, p.route) or "buprenorphine=False" in excluded.reason
    assert math.isfinite(period.value)


@given(drug=DRUGS, table=TABLES)
def test_every_mme_result_names_its_table(
    drug: tuple[str, str, str | None], table: MMETable
) -> None:
    name, strength, route = drug
    frequency = None if strength.endswith("/h") else "BID"
    try:
        single = rx.mme(name, strength, route=route, frequency=frequency, table=table)
    except NoFactorError:
        return
    assert (single.table, single.source.id) == (table, table)
    total = rx.total_mme(
        [rx.OpioidDose(name, strength, route=route, frequency=frequency)], table=table
    )
    assert total.table == table
    assert [i.table for i in total.items] == [table]


def test_batch_reads_the_same_drugs_and_rules() -> None:
    """Historical claims and product texts through the batch: per row, never an abort."""
    pd = pytest.importorskip("pandas")
    from painrx.batch import mme_prescriptions

    claims = pd.DataFrame(
        {
            "drug": ["Percocet 10/325", "propoxyphene", "opium", "Butrans"],
            "strength": [10, 65, 60, 10],
            "strength_unit": ["mg", "mg", "mg", "mcg/h"],
            "quantity": [120, 120, 10, 4],
            "days_supply": [30, 30, 5, 28],
            "route": [None, None, "rectal", None],
        }
    )
    ndc = mme_prescriptions(claims, table_id="CDC_NDC_2018")
    assert ndc["mme_per_day"].tolist()[:3] == [60.0, 59.8, 120.0]
    assert ndc["alerts"][0].split(";")[0] == "strength_read_as_mg"
    assert "opium_per_mg_of_opium" in ndc["alerts"][2]
    assert ndc["error"][3].startswith("NoFactorError: CDC_NDC_2018 gives no MME factor")
    heal = mme_prescriptions(claims, table_id="NIH_HEAL_2025")
    assert heal["mme_per_day"][3] == 22.0  # days supply as written: 10 mcg/h × 2.2
    assert heal["error"][1].startswith("NoFactorError: NIH_HEAL_2025 has no MME factor")
    default = mme_prescriptions(claims)
    assert set(default["table"]) == {"CDC_2022"}
