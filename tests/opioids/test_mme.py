"""Golden cases from published worked examples and fixtures, refusals, and result objects.

Each golden case names its source in the test id or a comment.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import pickle
from fractions import Fraction
from typing import Any

import pytest

import painrx as rx
from painrx import opioids
from painrx.errors import (
    InputError,
    NoFactorError,
    UnitError,
    UnknownDrugError,
    UnsafeConversionError,
)
from painrx.types import MMETable, PeriodDefinition, RatioTable, RotationMethod


def codes(result: object) -> list[str]:
    return [a.code for a in result.alerts]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- CDC 2022 footnote examples


def test_cdc_2022_example_hydrocodone_acetaminophen_qid() -> None:
    """CDC 2022 MME table footnote: hydrocodone 5 mg + APAP 325 mg QID = 20 MME/day."""
    result = rx.mme("hydrocodone/acetaminophen", "5/325 mg", frequency="QID")
    assert result.value == 20
    assert result.drug == "hydrocodone"
    assert result.daily_dose == rx.Q("20 mg/day")
    assert codes(result) == []


def test_cdc_2022_example_oxycodone_er_bid() -> None:
    """CDC 2022 MME table footnote: oxycodone ER 10 mg BID = 20 mg/day = 30 MME/day."""
    result = rx.mme("OxyContin", "10 mg", frequency="BID")
    assert result.value == 30
    assert result.form == "er_tablet"
    assert result.factor == 1.5
    assert result.factor_basis == "mg/day"


def test_norco_brand_resolves_to_hydrocodone() -> None:
    assert rx.mme("Norco", "10/325 mg", frequency="q6h").value == 40


def test_combination_with_opioid_part_only() -> None:
    assert rx.mme("Percocet", "5 mg", frequency="q6h").value == 30


def test_tylenol_with_codeine_strength_order() -> None:
    """The catalog knows Tylenol with Codeine is written acetaminophen first (300/30)."""
    assert rx.mme("Tylenol with Codeine", "300/30 mg", frequency="QID").value == pytest.approx(18)


def test_cdc_fact_sheet_90_mme_equivalents() -> None:
    """CDC fact sheet: 90 MME = 90 mg hydrocodone = 60 mg oxycodone."""
    assert rx.mme("hydrocodone", "90 mg/day").value == 90
    assert rx.mme("oxycodone", "60 mg/day").value == 90


# ---------------------------------------------------------------- CDC file formula examples


def test_cdc_file_example_oxycodone() -> None:
    """CDC NDC file documentation: 10 mg × (120 / 30) × 1.5 = 60 MME/day."""
    result = rx.mme_prescription(
        "oxycodone", strength="10 mg", quantity=120, days_supply=30, table="CDC_NDC_2018"
    )
    assert result.value == 60
    assert result.table == "CDC_NDC_2018"
    assert result.days_supply == 30


def test_cdc_file_example_fentanyl_patch() -> None:
    """CDC NDC file documentation: 25 mcg/h × (10 / 30) × 7.2 = 60 MME/day."""
    result = rx.mme_prescription(
        "fentanyl", strength="25 mcg/h", quantity=10, days_supply=30, route="transdermal"
    )
    assert result.value == 60
    assert result.factor == 7.2
    assert result.daily_dose == rx.Q("25 mcg/h")
    assert "days_supply_normalised" not in codes(result)
    assert "fentanyl_patch_caution" in codes(result)


def test_cdc_file_days_supply_rule_changes_answer() -> None:
    """CDC file: days supply for patches := patches × 3; 10 patches recorded as 15 days."""
    result = rx.mme_prescription("Duragesic", strength="25 mcg/h", quantity=10, days_supply=15)
    assert result.value == 60
    assert result.days_supply == 30
    assert "days_supply_normalised" in codes(result)


def test_cdc_file_example_butorphanol_spray_by_volume() -> None:
    """CDC NDC file: butorphanol 10 mg/mL, 2.5 mL bottle, 30 days, × 7 = 5.8 MME/day."""
    result = rx.mme_prescription(
        "butorphanol",
        strength="10 mg/mL",
        quantity="2.5 mL",
        days_supply=30,
        route="nasal",
        form="nasal spray",
        table="CDC_NDC_2018",
    )
    assert result.exact == Fraction(35, 6)
    assert result.rounded() == 5.8


def test_cdc_file_example_methadone_solution() -> None:
    """CDC NDC file row 00054039168: methadone solution 10 mg/mL, factor 3."""
    result = rx.mme_prescription(
        "methadone", strength="10 mg/mL", quantity="90 mL", days_supply=30, table="CDC_NDC_2018"
    )
    assert result.value == 90
    assert "methadone_caution" in codes(result)


@pytest.mark.parametrize(
    ("drug", "strength", "factor"),
    [
        # CDC NDC file 2018 example rows
        ("oxycodone", "10 mg", 1.5),  # 00093002401 oxycodone ER
        ("Vicodin", "10 mg", 1),  # 00044072502 Vicodin HP
        ("MS Contin", "30 mg", 1),  # 00034051510
        ("Nucynta", "100 mg", 0.4),  # 16590028930
        ("Ultram", "50 mg", 0.1),  # 00045065910
    ],
)
def test_cdc_file_example_rows(drug: str, strength: str, factor: float) -> None:
    pf = rx.opioids.prescription_factor(drug, strength_unit="mg", table="CDC_NDC_2018")
    assert pf.factor == factor
    result = rx.mme_prescription(
        drug, strength=strength, quantity=30, days_supply=30, table="CDC_NDC_2018"
    )
    assert result.value == pytest.approx(rx.Q(strength).magnitude * factor)


def test_cdc_file_buprenorphine_row_has_no_factor() -> None:
    """CDC NDC file row 00054017713: buprenorphine SL 8 mg, factor empty."""
    with pytest.raises(NoFactorError, match="without a conversion factor"):
        rx.mme_prescription(
            "buprenorphine",
            strength="8 mg",
            quantity=30,
            days_supply=30,
            route="sublingual",
            table="CDC_NDC_2018",
        )


# ---------------------------------------------------------------- CQF opioid-mme-r4 fixtures


def test_cqf_tapentadol() -> None:
    """OMTKLogicTests TestDrug_Tapentadol: 100 mg × (60/30) × 0.4 = 80 MME/day."""
    result = rx.mme_prescription("tapentadol", strength="100 mg", quantity=60, days_supply=30)
    assert result.value == 80
    assert "atypical_mu_agonist" in codes(result)


def test_cqf_methadone_clinical_bands() -> None:
    """OMTKLogicTests TestDrug_Methadone: 10 mg × (180/30) × 10 = 600 MME/day (2016 bands)."""
    result = rx.mme_prescription(
        "methadone", strength="10 mg", quantity=180, days_supply=30, table="CDC_2016"
    )
    assert result.value == 600
    assert result.factor == 10


def test_cqf_fentanyl_375_patch() -> None:
    """OMTKLogicTests TestDrug_Fentanyl_0375: the fixture's 89.1 uses 0.33 doses/day; exact 90."""
    result = rx.mme_prescription(
        "fentanyl", strength="37.5 mcg/h", quantity=10, days_supply=30, route="transdermal"
    )
    assert result.value == 90


def test_cqf_fentanyl_spray_mg_strength_is_converted() -> None:
    """OMTKLogicTests TestDrug_Fentanyl_Spray expects 0.192 by applying 0.16/mcg to 0.4 mg.

    painrx converts 0.4 mg to 400 mcg: 400 × 90/30 × 0.16 = 192 MME/day.
    """
    result = rx.mme_prescription(
        "fentanyl",
        strength="0.4 mg",
        quantity=90,
        days_supply=30,
        route="nasal",
        table="CDC_NDC_2018",
    )
    assert result.value == pytest.approx(192)


def test_cqf_fentanyl_buccal_film_mg_strength_is_converted() -> None:
    """OMTKLogicTests buccal film: 1.2 mg × 60/30 × 0.18 is 432 MME/day, not 0.432."""
    result = rx.mme_prescription(
        "fentanyl",
        strength="1.2 mg",
        quantity=60,
        days_supply=30,
        route="buccal",
        form="film",
        table="CDC_NDC_2018",
    )
    assert result.value == pytest.approx(432)


@pytest.mark.parametrize("dose", ["0.012 mg/h", "12 mcg/h"])
def test_cqf_fentanyl_td_factor_24(dose: str) -> None:
    """ConversionFactorsClinicalTests: fentanyl 0.012 mg/h transdermal, 2.4 per mcg/h."""
    result = rx.mme("fentanyl", dose, route="transdermal", thresholds=None)
    assert result.factor == 2.4
    assert result.exact == Fraction(144, 5)


# ---------------------------------------------------------------- reported bugs


@pytest.mark.parametrize("table", ["CDC_2022", "CDC_2016", "NIH_HEAL_2025", "CDC_NDC_2018"])
def test_cqf_ruler_23_patch_is_180_not_504(table: MMETable) -> None:
    """cqframework/cqf-ruler#23: a 75 mcg/h patch gave 504 MME; expected 180."""
    assert rx.mme("fentanyl", "75 mcg/h", route="transdermal", table=table).value == 180
    rx_result = rx.mme_prescription(
        "fentanyl", strength="75 mcg/h", quantity=10, days_supply=30, route="TD", table=table
    )
    assert rx_result.value == 180


def test_patch_frequency_never_multiplies_strength() -> None:
    """MedCalc-Bench bug: patch dose multiplied by doses/day. q72h is the change interval."""
    assert rx.mme("fentanyl", "25 mcg/h", route="TD", frequency="q72h").value == 60


def test_25_mcg_h_written_as_0_6_mg_day_is_refused() -> None:
    # Issue 19: patch strengths are labelled per hour (DURAGESIC label; CDC 2018 NDC
    # file UOM MCG/HR); a per-day figure is how a 24-fold slip looks.
    assert rx.mme("fentanyl", "25 mcg/h", route="transdermal").exact == 60
    with pytest.raises(rx.UnitError, match="labelled per hour"):
        rx.mme("fentanyl", "0.6 mg/day", route="transdermal")


def test_oxymorphone_is_not_inverted() -> None:
    """rparrish/medr had oxymorphone 0.333 (inverted); CDC gives 3."""
    assert rx.mme("oxymorphone", "10 mg/day").value == 30


def test_hydrocodone_is_not_4() -> None:
    assert rx.mme("hydrocodone", "10 mg/day").value == 10


# ---------------------------------------------------------------- the table changes the answer


@pytest.mark.parametrize(
    ("drug", "table_a", "value_a", "table_b", "value_b"),
    [
        ("hydromorphone", "CDC_2016", 40, "CDC_2022", 50),  # 4 vs 5
        ("hydromorphone", "CDC_NDC_2018", 40, "NIH_HEAL_2025", 50),
        ("tramadol", "CDC_NDC_2018", 1, "CDC_2022", 2),  # 0.1 vs 0.2
        ("tapentadol", "CDC_2022", 4, "NIH_HEAL_2025", 3),  # 0.4 vs 0.3
        ("tapentadol", "CDC_NDC_2018", 4, "ANZCA_2021", 3),
        ("codeine", "CDC_2022", 1.5, "ANZCA_2021", 1.3),  # 0.15 vs 0.13
    ],
)
def test_table_changes_the_answer(
    drug: str, table_a: MMETable, value_a: float, table_b: MMETable, value_b: float
) -> None:
    a = rx.mme(drug, "10 mg/day", table=table_a, thresholds=None)
    b = rx.mme(drug, "10 mg/day", table=table_b, thresholds=None)
    assert a.value == pytest.approx(value_a)
    assert b.value == pytest.approx(value_b)
    assert (a.table, a.source.id, b.table, b.source.id) == (table_a, table_a, table_b, table_b)


@pytest.mark.parametrize(
    ("daily", "cdc_2016", "cdc_2022", "ndc"),
    [(10, 40, 47, 30), (30, 240, 141, 90), (50, 500, 235, 150), (70, 840, 329, 210)],
)
def test_methadone_bands_vs_single_factor(
    daily: int, cdc_2016: float, cdc_2022: float, ndc: float
) -> None:
    q = rx.Q(daily, "mg/day")
    assert rx.mme("methadone", q, table="CDC_2016").value == cdc_2016
    assert rx.mme("methadone", q, table="CDC_2022").value == pytest.approx(cdc_2022)
    assert rx.mme("methadone", q, table="CDC_NDC_2018").value == ndc
    for table in ("CDC_2016", "CDC_2022", "CDC_NDC_2018", "NIH_HEAL_2025"):
        assert "methadone_caution" in codes(rx.mme("methadone", q, table=table))


def test_drug_alerts_fire_under_every_table() -> None:
    for table in ("CDC_2022", "CDC_NDC_2018", "NIH_HEAL_2025", "ANZCA_2021"):
        assert "atypical_mu_agonist" in codes(rx.mme("tramadol", "100 mg/day", table=table))
        patch = rx.mme("fentanyl", "12 mcg/h", route="transdermal", table=table)
        assert "fentanyl_patch_caution" in codes(patch)


# ---------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    ("daily", "expected"),
    [
        ("49.9 mg/day", []),
        ("50 mg/day", ["mme_threshold_50"]),
        ("89.99 mg/day", ["mme_threshold_50"]),
        ("90 mg/day", ["mme_threshold_50", "mme_threshold_90"]),
        ("200 mg/day", ["mme_threshold_50", "mme_threshold_90"]),
    ],
)
def test_cdc_2016_thresholds_inclusive(daily: str, expected: list[str]) -> None:
    assert codes(rx.mme("morphine", daily)) == expected


def test_uk_threshold_policy() -> None:
    assert codes(rx.mme("morphine", "60 mg/day", thresholds="UK_OPENPRESCRIBING_2025")) == []
    result = rx.mme("morphine", "90 mg/day", thresholds="UK_OPENPRESCRIBING_2025")
    assert codes(result) == ["mme_threshold_90"]
    assert result.alerts[0].source is not None
    assert result.alerts[0].source.id == "UK_OPENPRESCRIBING_2025"


def test_thresholds_can_be_switched_off() -> None:
    assert codes(rx.mme("morphine", "200 mg/day", thresholds=None)) == []


def test_total_mme_thresholds_on_total() -> None:
    total = rx.total_mme(
        [
            rx.OpioidDose("oxycodone", "10 mg", frequency="BID"),
            rx.OpioidDose("Duragesic", "25 mcg/h"),
        ]
    )
    assert total.value == 90
    assert [i.value for i in total.items] == [30, 60]
    assert codes(total) == ["fentanyl_patch_caution", "mme_threshold_50", "mme_threshold_90"]
    assert all("mme_threshold_50" not in codes(i) for i in total.items)
    assert total.source.id == "CDC_2022"


def test_total_mme_empty_and_bad_items() -> None:
    assert rx.total_mme([]).value == 0
    not_doses: Any = [("oxycodone", "10 mg")]
    with pytest.raises(InputError, match="OpioidDose"):
        rx.total_mme(not_doses)


def test_total_mme_plausibility() -> None:
    with pytest.raises(InputError, match="plausibility"):
        rx.total_mme([rx.OpioidDose("morphine", "6 g/day"), rx.OpioidDose("morphine", "5 g/day")])


# ---------------------------------------------------------------- mmequiv (NIH HEAL) fixture

_DAY = dt.date(2025, 3, 1)
_FIXTURE = [
    # mmequiv tests/testthat/_snaps/calculate_mme_local.md: buprenorphine buccal film 50 mcg,
    # 2 doses/24 h, 5 days; hydrocodone 75 mg, 3 doses/24 h, 10 days.
    rx.Prescription("Belbuca", "50 mcg", quantity=10, days_supply=5, start=_DAY),
    rx.Prescription("hydrocodone", "75 mg", quantity=30, days_supply=10, start=_DAY),
]


@pytest.mark.parametrize(
    ("definition", "with_bup", "without_bup", "days_with", "days_without"),
    [
        ("total_days_supply", 151.3, 225, 15, 10),
        ("on_therapy_days", 226.95, 225, 10, 10),
        ("fixed_window", 453.9, 450, 5, 5),
        ("max_daily", 228.9, 225, None, None),
    ],
)
def test_mmequiv_four_definitions(
    definition: PeriodDefinition,
    with_bup: float,
    without_bup: float,
    days_with: int | None,
    days_without: int | None,
) -> None:
    end = _DAY + dt.timedelta(days=4)
    a = rx.mme_over_period(
        _FIXTURE, start=_DAY, end=end, definition=definition, table="NIH_HEAL_2025"
    )
    assert a.value == pytest.approx(with_bup)
    assert a.total_mme == pytest.approx(2269.5)
    assert a.denominator_days == days_with
    assert [i.value for i in a.items] == pytest.approx([3.9, 225])
    b = rx.mme_over_period(
        _FIXTURE,
        start=_DAY,
        end=end,
        definition=definition,
        buprenorphine=False,
        table="NIH_HEAL_2025",
    )
    assert b.value == pytest.approx(without_bup)
    assert b.total_mme == 2250
    assert b.denominator_days == days_without
    assert [e.prescription.drug for e in b.excluded] == ["Belbuca"]


def test_period_excludes_prescriptions_without_factor() -> None:
    """Buprenorphine under CDC 2022 is listed as excluded, never counted as zero."""
    result = rx.mme_over_period(
        _FIXTURE,
        start=_DAY,
        end=_DAY + dt.timedelta(days=9),
        definition="on_therapy_days",
        table="CDC_2022",
    )
    assert result.value == 225
    assert len(result.excluded) == 1
    assert "buprenorphine" in result.excluded[0].reason
    assert result.to_dict()["excluded"][0]["drug"] == "Belbuca"


def test_period_on_therapy_counts_unique_days() -> None:
    later = _DAY + dt.timedelta(days=20)
    rxs = [
        rx.Prescription("morphine", "10 mg", quantity=30, days_supply=10, start=_DAY),
        rx.Prescription("morphine", "10 mg", quantity=30, days_supply=10, start=_DAY),
        rx.Prescription("morphine", "10 mg", quantity=30, days_supply=10, start=later),
    ]
    end = later + dt.timedelta(days=9)
    result = rx.mme_over_period(rxs, start=_DAY, end=end, definition="on_therapy_days")
    assert result.denominator_days == 20
    assert result.value == 45
    window = rx.mme_over_period(rxs, start=_DAY, end=end, definition="fixed_window")
    assert window.denominator_days == 30
    assert window.value == 30


def test_period_all_excluded_is_zero() -> None:
    bup = [rx.Prescription("Butrans", "10 mcg/h", quantity=4, days_supply=28, start=_DAY)]
    result = rx.mme_over_period(
        bup, start=_DAY, end=_DAY, definition="total_days_supply", table="CDC_2022"
    )
    assert result.value == 0
    assert len(result.excluded) == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"definition": "mean"}, "Unknown definition"),
        ({"end": _DAY - dt.timedelta(days=1)}, "before start"),
        ({"start": "2025-03-01"}, "datetime.date"),
        ({"start": dt.datetime(2025, 3, 1, tzinfo=dt.UTC)}, "datetime.date"),
    ],
)
def test_period_refusals(kwargs: dict[str, Any], match: str) -> None:
    args: dict[str, Any] = {"start": _DAY, "end": _DAY} | kwargs
    with pytest.raises(InputError, match=match):
        rx.mme_over_period(_FIXTURE, **args)


def test_period_refuses_non_prescription() -> None:
    not_prescriptions: Any = ["x"]
    with pytest.raises(InputError, match="Prescription items"):
        rx.mme_over_period(not_prescriptions, start=_DAY, end=_DAY)


# ---------------------------------------------------------------- refusals


def test_unknown_drug_suggests() -> None:
    with pytest.raises(UnknownDrugError) as info:
        rx.mme("oxycodon", "10 mg/day")
    assert "oxycodone" in info.value.suggestions


def test_non_opioid_is_refused() -> None:
    with pytest.raises(InputError, match="contains no opioid"):
        rx.mme("ibuprofen", "400 mg", frequency="TID")


@pytest.mark.parametrize(
    ("drug", "kwargs", "match"),
    [
        ("morphine", {"route": "iv"}, "by the iv route"),  # IV morphine under CDC_2022
        ("buprenorphine", {"route": "sublingual"}, "partial µ agonist"),
        ("Butrans", {}, "partial µ agonist"),
        ("levorphanol", {}, "Tables with a factor for it: CDC_NDC_2018, NIH_HEAL_2025"),
        ("methadone", {"table": "ANZCA_2021"}, "ANZCA_2021 has no MME factor for methadone"),
        ("fentanyl", {"route": "epidural", "table": "CDC_NDC_2018"}, "excludes injectable"),
        ("morphine", {"route": "iv", "table": "CDC_NDC_2018"}, "excludes injectable"),
    ],
)
def test_no_factor(drug: str, kwargs: dict[str, Any], match: str) -> None:
    dose = "10 mcg/h" if drug == "Butrans" else "10 mg/day"
    with pytest.raises(NoFactorError, match=match):
        rx.mme(drug, dose, **kwargs)


def test_epidural_fentanyl_mixture_has_no_factor() -> None:
    """CQF TestDrug_Fentanyl_Injection: fentanyl/ropivacaine injection, MME not supported."""
    for table in ("CDC_2022", "CDC_2016", "CDC_NDC_2018", "NIH_HEAL_2025", "ANZCA_2021"):
        with pytest.raises(NoFactorError):
            rx.mme("fentanyl", "100 mcg/h", route="epidural", table=table)


def test_transmucosal_fentanyl_needs_a_form() -> None:
    with pytest.raises(InputError, match="give form= to choose"):
        rx.mme("fentanyl", "200 mcg", frequency=4, route="buccal", table="NIH_HEAL_2025")
    film = rx.mme(
        "fentanyl", "200 mcg", frequency=4, route="buccal", form="film", table="NIH_HEAL_2025"
    )
    tablet = rx.mme("fentanyl", "200 mcg", frequency=4, form="buccal tablet", table="NIH_HEAL_2025")
    assert film.value == pytest.approx(144)
    assert tablet.value == pytest.approx(104)
    assert tablet.route == "buccal"


@pytest.mark.parametrize(
    ("dose", "kwargs", "error", "match"),
    [
        ("25 mcg", {"route": "transdermal"}, UnitError, "rate such as '25 mcg/h'"),
        ("25 mg/mL", {"route": "transdermal"}, UnitError, "concentration"),
        ("10 mg/mL", {}, UnitError, "concentration"),
        (10, {"frequency": "BID"}, UnitError, "bare number"),
        ("10", {"frequency": "BID"}, UnitError, "no unit"),
        ("10 mg", {}, InputError, "give frequency="),
        ("30 mg/day", {"frequency": "BID"}, InputError, "already a daily rate"),
        ("0 mg/day", {}, InputError, "greater than zero"),
        ("-5 mg/day", {}, InputError, "greater than zero"),
        ("nan mg/day", {}, InputError, "finite"),
        ("11 g/day", {}, InputError, "plausibility bound"),
        ("10 mg", {"frequency": "q0h"}, InputError, "Unknown frequency"),
        ("10 mg", {"frequency": 0}, InputError, "above 0"),
        ("10 mg/day", {"table": "CDC_2023"}, InputError, "Unknown MME table"),
        ("10 mg/day", {"thresholds": "CDC_2022"}, InputError, "Unknown threshold policy"),
        ("10 mg/day", {"route": "mouth"}, InputError, "Unknown route"),
        ("10 mg/day", {"route": 3}, InputError, "must be a string"),
        ("10 mg/day", {"form": "pill"}, InputError, "Unknown form"),
        ("10 mg/day", {"route": "oral", "form": "patch"}, InputError, "A patch is transdermal"),
        (
            "10 mg/day",
            {"form": "lozenge", "route": "oral", "drug": "Duragesic"},
            InputError,
            "contradicts",
        ),
    ],
)
def test_mme_refusals(
    dose: Any, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    drug = str(kwargs.pop("drug", "oxycodone" if "route" not in kwargs else "fentanyl"))
    if kwargs.get("route") in {"oral", "mouth", 3}:
        drug = "morphine" if drug == "fentanyl" else drug
    with pytest.raises(error, match=match):
        rx.mme(drug, dose, **kwargs)


def test_quantity_inputs_are_checked() -> None:
    reg = rx.units.registry()
    with pytest.raises(InputError, match="finite"):
        rx.mme("morphine", reg.Quantity(math.nan, rx.Q("1 mg/day").units))
    with pytest.raises(InputError, match="greater than zero"):
        rx.mme("morphine", reg.Quantity(-1.0, rx.Q("1 mg/day").units))
    with pytest.raises(UnitError, match="body weights"):
        rx.mme("morphine", rx.Q("1 kg"), frequency="QD")


def test_brand_route_conflicts() -> None:
    with pytest.raises(InputError, match="contradicts"):
        rx.mme("Duragesic", "25 mcg/h", route="oral")
    with pytest.raises(InputError, match="contradicts"):
        rx.mme("OxyContin", "10 mg", frequency="BID", form="tablet")


def test_drug_name_must_be_text() -> None:
    no_name: Any = None
    with pytest.raises(InputError, match=r"needs a drug or an rxcui=\."):
        rx.mme(no_name, "10 mg/day")
    number: Any = 5
    with pytest.raises(InputError, match="must be a string"):
        rx.mme(number, "10 mg/day")


def test_combination_strength_unreadable() -> None:
    with pytest.raises(InputError, match="could not be read"):
        rx.mme("Percocet", "5/325/7 mg", frequency="QID")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"days_supply": 0}, InputError, "greater than zero"),
        ({"days_supply": -1}, InputError, "greater than zero"),
        ({"days_supply": math.inf}, InputError, "finite"),
        ({"days_supply": "0 day"}, InputError, "greater than zero"),
        ({"days_supply": "30 mg"}, UnitError, "duration"),
        ({"quantity": 0}, InputError, "greater than zero"),
        ({"quantity": "120 mL"}, UnitError, "count of units"),
        ({"quantity": None}, InputError, "count of units"),
        ({"strength": 10}, UnitError, "bare number"),
        ({"strength": "10 mg/day"}, UnitError, "not a strength"),
        ({"strength": "1 kg"}, UnitError, "body weight"),
        ({"table": "CDC_2099"}, InputError, "Unknown MME table"),
    ],
)
def test_prescription_refusals(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    args: dict[str, Any] = {"strength": "10 mg", "quantity": 120, "days_supply": 30} | kwargs
    with pytest.raises(error, match=match):
        rx.mme_prescription("oxycodone", **args)


def test_prescription_days_supply_as_duration() -> None:
    result = rx.mme_prescription("oxycodone", strength="10 mg", quantity=120, days_supply="1 month")
    assert result.value == 60


def test_prescription_patch_refuses_mass_strength() -> None:
    with pytest.raises(UnitError, match="rate such as '25 mcg/h'"):
        rx.mme_prescription(
            "fentanyl", strength="25 mcg", quantity=10, days_supply=30, route="transdermal"
        )


def test_prescription_buprenorphine_patch_days_as_written_under_heal() -> None:
    """NIH HEAL (mmequiv calculate_mme_local.R): 24-h MME = dose × factor; days as entered.

    Butrans 10 mcg/h × 2.2 = 22 MME/day over the 28 days written, whatever the count.
    """
    r = rx.mme_prescription(
        "Butrans", strength="10 mcg/h", quantity=4, days_supply=28, table="NIH_HEAL_2025"
    )
    assert (r.value, r.days_supply, r.factor) == (22, 28, 2.2)
    assert r.value == rx.mme("Butrans", "10 mcg/h", table="NIH_HEAL_2025").value
    pf = rx.opioids.prescription_factor("Butrans", strength_unit="mcg/h", table="NIH_HEAL_2025")
    assert pf.banded  # no single file-formula factor: a vectorised caller asks the scalar
    assert math.isnan(pf.factor)


def test_prescription_patch_without_a_days_rule_is_refused() -> None:
    """ANZCA has a buprenorphine patch factor but states no days-supply rule: refuse."""
    with pytest.raises(InputError, match="days-supply rule for buprenorphine patches"):
        rx.mme_prescription(
            "Butrans", strength="10 mcg/h", quantity=4, days_supply=28, table="ANZCA_2021"
        )


# ---------------------------------------------------------------- prescription_factor


def test_prescription_factor_interface() -> None:
    pf = rx.opioids.prescription_factor("oxycodone", strength_unit="MCG", table="CDC_NDC_2018")
    assert pf.factor == pytest.approx(0.0015)
    assert (pf.strength_unit, pf.quantity_kind, pf.banded, pf.patch_days_rule) == (
        "mcg",
        "count",
        False,
        False,
    )
    assert (pf.ingredient, pf.table, pf.source.id) == ("oxycodone", "CDC_NDC_2018", "CDC_NDC_2018")
    patch = rx.opioids.prescription_factor("Duragesic", strength_unit="mcg/h")
    assert (patch.factor, patch.patch_days_rule, patch.days_per_unit) == (7.2, True, 3.0)
    assert [a.code for a in patch.alerts] == ["fentanyl_patch_caution"]
    liquid = rx.opioids.prescription_factor(
        "methadone", strength_unit="mg/mL", table="CDC_NDC_2018"
    )
    assert (liquid.factor, liquid.quantity_kind) == (3.0, "volume")
    banded = rx.opioids.prescription_factor("methadone", strength_unit="mg", table="CDC_2016")
    assert banded.banded
    assert math.isnan(banded.factor)


def test_prescription_factor_patch_under_daily_dose_table() -> None:
    """A dose-based patch factor (2.4) becomes 7.2 under the file's days-supply rule."""
    pf = rx.opioids.prescription_factor(
        "fentanyl", strength_unit="mcg/h", route="TD", table="CDC_2022"
    )
    assert pf.factor == pytest.approx(7.2)
    assert pf.days_per_unit == 3


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"strength_unit": "mg/day"}, UnitError),
        ({"strength_unit": "kg"}, UnitError),
        ({"strength_unit": "furlong"}, UnitError),
        ({"strength_unit": 1}, UnitError),
        ({"strength_unit": "mg", "route": "iv", "table": "CDC_2022"}, NoFactorError),
        ({"strength_unit": "mg", "table": "XYZ"}, InputError),
    ],
)
def test_prescription_factor_refusals(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        rx.opioids.prescription_factor("morphine", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(UnknownDrugError):
        rx.opioids.prescription_factor("nodrug", strength_unit="mg")


# ---------------------------------------------------------------- conversion


def test_seed_oxycodone_to_morphine_oral() -> None:
    """Seed article: oxycodone 5 mg = morphine 10 mg orally."""
    c = rx.convert_opioid("oxycodone", "5 mg", to="morphine", ratios="SEED")
    assert (c.dose, c.ratio, c.table) == (rx.Q("10 mg"), 2.0, "SEED")
    assert c.source.id == "SEED"
    back = rx.convert_opioid("morphine", "10 mg", to="oxycodone", ratios="SEED")
    assert back.dose == rx.Q("5 mg")


def test_seed_iv_one_to_one() -> None:
    """Seed article: oxycodone:morphine 1:1 IV (the pathway engineer's call)."""
    c = rx.convert_opioid(
        "oxycodone", "5 mg", to="morphine", route="iv", to_route="iv", ratios="SEED"
    )
    assert c.dose == rx.Q("5 mg")
    assert c.ratio == 1.0


@pytest.mark.parametrize(
    ("drug", "to", "route", "to_route"),
    [
        ("oxycodone", "morphine", "oral", "iv"),
        ("morphine", "morphine", "oral", "iv"),
        ("morphine", "hydromorphone", "oral", "oral"),
        ("tramadol", "morphine", "oral", "oral"),
    ],
)
def test_seed_other_pairs_have_no_factor(drug: str, to: str, route: str, to_route: str) -> None:
    with pytest.raises(NoFactorError, match="SEED"):
        rx.convert_opioid(drug, "5 mg", to=to, route=route, to_route=to_route, ratios="SEED")


def test_cdc_2022_ratios_always_alert() -> None:
    c = rx.convert_opioid("oxycodone", "20 mg/day", to="hydromorphone")
    assert c.dose == rx.Q("6 mg/day")
    assert codes(c) == ["mme_not_for_rotation"]
    with pytest.raises(NoFactorError, match="CDC_2022 ratio table"):
        rx.convert_opioid("morphine", "10 mg", to="morphine", to_route="iv")


@pytest.mark.parametrize(
    ("table", "drug", "dose", "route", "to_route", "expected"),
    [
        ("MSD_MANUAL", "morphine", "30 mg", "oral", "iv", "10 mg"),  # PO:IV 3:1
        ("MSD_MANUAL", "hydromorphone", "7.5 mg", "oral", "iv", "1.5 mg"),  # PO:IV 5:1
        ("BNF", "morphine", "10 mg", "oral", "sc", "5 mg"),  # PO:SC/IV 2:1
        ("BNF", "morphine", "10 mg", "oral", "iv", "5 mg"),
        ("BNF", "oxycodone", "10 mg", "oral", "sc", "5 mg"),  # PO:SC/IV 2:1
        ("ANZCA_2021", "morphine", "30 mg", "oral", "iv", "10 mg"),  # factors 1 and 3
        ("ANZCA_2021", "hydromorphone", "15 mg", "oral", "iv", "5 mg"),  # 5 and 15
    ],
)
def test_route_conversion_within_one_drug(
    table: RatioTable, drug: str, dose: str, route: str, to_route: str, expected: str
) -> None:
    c = rx.convert_opioid(drug, dose, to=drug, route=route, to_route=to_route, ratios=table)
    assert c.dose == rx.Q(expected)
    assert c.exact == Fraction(str(rx.Q(expected).magnitude))


def test_bnf_does_not_chain_groups() -> None:
    with pytest.raises(NoFactorError, match="BNF"):
        rx.convert_opioid("oxycodone", "5 mg", route="sc", to="morphine", ratios="BNF")


def test_conversion_keeps_time_basis() -> None:
    c = rx.convert_opioid("morphine", "2 mg/h", route="iv", to="hydromorphone", ratios="MSD_MANUAL")
    assert c.dose == rx.Q("0.3 mg/h")
    daily = rx.convert_opioid("oxycodone", "20 mg/day", to="morphine", ratios="MSD_MANUAL")
    assert daily.dose == rx.Q("30 mg/day")


def test_conversion_to_microgram_target() -> None:
    """ANZCA: morphine oral 1 per mg, parenteral fentanyl 0.2 per mcg."""
    c = rx.convert_opioid("morphine", "30 mg", to="fentanyl", to_route="iv", ratios="ANZCA_2021")
    assert c.dose == rx.Q("150 mcg")
    assert c.ratio == pytest.approx(0.005)
    assert c.ratio_basis == "mg per mg"


def test_patch_source_conversion_is_daily() -> None:
    c = rx.convert_opioid(
        "Duragesic", "25 mcg/h", to="morphine", to_route="oral", ratios="ANZCA_2021"
    )
    assert c.dose == rx.Q("75 mg/day")
    assert (c.ratio, c.ratio_basis) == (3.0, "mg/day per mcg/h")
    assert "fentanyl_patch_caution" in codes(c)
    with pytest.raises(UnitError, match="strength such as"):
        rx.convert_opioid(
            "Duragesic", "25 mcg", to="morphine", to_route="oral", ratios="ANZCA_2021"
        )


@pytest.mark.parametrize("ratios", ["SEED", "CDC_2022", "ANZCA_2021", "MSD_MANUAL", "BNF"])
def test_methadone_target_refused_under_every_table(ratios: RatioTable) -> None:
    with pytest.raises(UnsafeConversionError, match="MSD_METHADONE"):
        rx.convert_opioid("morphine", "60 mg/day", to="methadone", ratios=ratios)
    with pytest.raises(UnsafeConversionError, match="MSD_METHADONE"):
        rx.rotate("morphine", "60 mg/day", to="methadone", ratios=ratios)


@pytest.mark.parametrize("ratios", ["SEED", "CDC_2022", "ANZCA_2021", "MSD_MANUAL", "BNF"])
def test_patch_target_refused_under_every_table(ratios: RatioTable) -> None:
    with pytest.raises(UnsafeConversionError, match="DURAGESIC_LABEL"):
        rx.convert_opioid("morphine", "90 mg/day", to="Duragesic", ratios=ratios)
    with pytest.raises(UnsafeConversionError, match="label starting table"):
        rx.rotate("morphine", "90 mg/day", to="fentanyl", to_route="TD", ratios=ratios)
    with pytest.raises(UnsafeConversionError):
        rx.rotate("morphine", "90 mg/day", to="Butrans", ratios=ratios)


def test_unsafe_target_checked_before_lookup() -> None:
    """Refused even when the ratio table id is wrong: the check comes first."""
    with pytest.raises(UnsafeConversionError):
        # mypy flags the unknown id (painrx.types.RatioTable); the run time refuses it too.
        rx.convert_opioid("morphine", "10 mg", to="methadone", ratios="NO_SUCH_TABLE")  # type: ignore[arg-type]


def test_methadone_as_source_converts_with_caution() -> None:
    c = rx.convert_opioid("methadone", "20 mg", to="morphine", ratios="MSD_MANUAL")
    assert c.dose == rx.Q("30 mg")
    assert "methadone_caution" in codes(c)


def test_buprenorphine_only_where_a_table_has_it() -> None:
    with pytest.raises(NoFactorError):
        rx.convert_opioid("buprenorphine", "0.4 mg", route="SL", to="morphine", to_route="oral")
    c = rx.convert_opioid(
        "buprenorphine", "0.4 mg", route="SL", to="morphine", to_route="oral", ratios="ANZCA_2021"
    )
    assert c.dose == rx.Q("16 mg")


def test_convert_dose_kind() -> None:
    with pytest.raises(UnitError, match="concentration"):
        rx.convert_opioid("morphine", "2 mg/mL", to="oxycodone")


# ---------------------------------------------------------------- rotation


def test_rotation_default_reduction_and_breakthrough() -> None:
    """Equianalgesic → the table's own reduction → 10–20% per breakthrough dose (NCCN).

    MSD Manual equianalgesic table footnote: reduce the equianalgesic dose by 50%.
    """
    r = rx.rotate("morphine", "90 mg/day", to="oxycodone", ratios="MSD_MANUAL")
    assert r.equianalgesic == rx.Q("60 mg/day")
    assert r.recommended == rx.Q("30 mg/day")
    assert r.reduction == (0.5, 0.5)
    assert r.breakthrough == (rx.Q("3 mg"), rx.Q("6 mg"))
    assert (r.breakthrough_drug, r.breakthrough_route) == ("oxycodone", "oral")
    assert r.method is None
    assert r.source.id == "MSD_MANUAL"


def test_rotation_default_reduction_where_the_table_is_silent() -> None:
    """SEED states no reduction: the explicit 25% default (low end of NCCN 25–50%)."""
    r = rx.rotate("oxycodone", "40 mg/day", to="morphine", ratios="SEED")
    assert r.reduction == (0.25, 0.25)
    assert r.recommended == rx.Q("60 mg/day")
    explicit = rx.rotate(
        "morphine", "90 mg/day", to="oxycodone", ratios="MSD_MANUAL", cross_tolerance_reduction=0.25
    )
    assert explicit.recommended == rx.Q("45 mg/day")


def test_rotation_explicit_reduction() -> None:
    r = rx.rotate(
        "oxycodone",
        "10 mg",
        frequency="q6h",
        to="hydromorphone",
        ratios="MSD_MANUAL",
        cross_tolerance_reduction=0.5,
        breakthrough_fraction=(0.1, 0.1),
    )
    assert r.dose == rx.Q("40 mg/day")
    assert r.equianalgesic == rx.Q("15 mg/day")
    assert r.recommended == rx.Q("7.5 mg/day")
    assert r.breakthrough == (rx.Q("0.75 mg"), rx.Q("0.75 mg"))


def test_rotation_under_cdc_2022_alerts() -> None:
    r = rx.rotate("oxycodone", "40 mg/day", to="morphine")
    assert "mme_not_for_rotation" in codes(r)


@pytest.mark.parametrize(
    ("morphine", "ratio"),
    [(20, 2), (60, 4), (120, 8), (400, 12), (600, 15), (1200, 20)],
)
def test_msd_methadone_rotation(morphine: int, ratio: int) -> None:
    """MSD Manual: band ratio, then methadone reduced by 75–90%."""
    r = rx.rotate("morphine", rx.Q(morphine, "mg/day"), to="methadone", method="MSD_METHADONE")
    equianalgesic = Fraction(morphine, ratio)
    assert r.equianalgesic.magnitude == pytest.approx(float(equianalgesic))
    assert r.recommended.magnitude == pytest.approx(float(equianalgesic / 10))
    low, high = r.recommended_range
    assert (low.magnitude, high.magnitude) == pytest.approx(
        (float(equianalgesic / 10), float(equianalgesic / 4))
    )
    assert r.reduction == (0.75, 0.9)
    assert r.source.id == "MSD_METHADONE"
    assert r.method == "MSD_METHADONE"
    assert "methadone_caution" in codes(r)
    assert r.breakthrough_drug == "morphine"
    assert r.breakthrough[0].magnitude == pytest.approx(morphine / 10 * 0.1)
    assert r.breakthrough[1].magnitude == pytest.approx(morphine / 10 * 0.2)


def test_msd_methadone_from_oxycodone_goes_through_oral_morphine() -> None:
    r = rx.rotate(
        "oxycodone", "80 mg/day", to="methadone", method="MSD_METHADONE", ratios="MSD_MANUAL"
    )
    assert r.equianalgesic == rx.Q("15 mg/day")  # 80 mg oxycodone = 120 mg morphine; 8:1
    assert r.table == "MSD_MANUAL"
    assert "mme_not_for_rotation" not in codes(r)


@pytest.mark.parametrize(
    ("morphine", "strength", "band_low"),
    [
        # Duragesic label table: 60–134 → 25; 135–224 → 50; 225–314 → 75; 315–404 → 100;
        # PMC4377521 Table 1 beyond: 405–494 → 125; … 1035–1124 → 300.
        (60, 25, 60),
        (120, 25, 60),
        (134, 25, 60),
        (135, 50, 135),
        (200, 50, 135),
        (300, 75, 225),
        (400, 100, 315),
        (450, 125, 405),
        (1124, 300, 1035),
    ],
)
def test_duragesic_rotation(morphine: int, strength: int, band_low: int) -> None:
    r = rx.rotate(
        "morphine",
        rx.Q(morphine, "mg/day"),
        to="fentanyl",
        method="DURAGESIC_LABEL",
        opioid_tolerant_days=7,
    )
    assert r.recommended == rx.Q(strength, "mcg/h")
    assert r.to_route == "transdermal"
    assert codes(r) == ["fentanyl_patch_caution", "patch_not_for_acute_pain"]
    assert r.breakthrough_drug == "morphine"
    # Breakthrough from the recommended strength: the least oral morphine the label maps to
    # it, never the top of its band (reading the table backwards overestimates).
    assert r.breakthrough == (rx.Q(band_low * 0.1, "mg"), rx.Q(band_low * 0.2, "mg"))


@pytest.mark.parametrize("morphine", ["1125 mg/day", "3 g/day"])
def test_duragesic_table_is_not_extrapolated(morphine: str) -> None:
    """The published table stops at 1035–1124 mg/day → 300 mcg/h."""
    with pytest.raises(UnsafeConversionError, match=r"\[60, 1125\) mg/day"):
        rx.rotate(
            "morphine", morphine, to="fentanyl", method="DURAGESIC_LABEL", opioid_tolerant_days=7
        )


def test_fentanyl_2_to_1_rounds_down_keeping_exact() -> None:
    r = rx.rotate(
        "morphine", "130 mg/day", to="Duragesic", method="FENTANYL_2_TO_1", opioid_tolerant_days=7
    )
    assert r.equianalgesic == rx.Q("65 mcg/h")
    assert r.recommended == rx.Q("50 mcg/h")
    low = r.breakthrough[0].magnitude
    assert low == pytest.approx(130 * 50 / 65 * 0.1)


def test_fentanyl_2_to_1_says_it_applies_no_reduction() -> None:
    """Wellington ICU 2009: 25 mcg/h ≈ 50 mg/day, an equivalence with no reduction given."""
    r = rx.rotate(
        "morphine", "100 mg/day", to="fentanyl", method="FENTANYL_2_TO_1", opioid_tolerant_days=7
    )
    assert (r.equianalgesic, r.recommended, r.reduction) == (
        rx.Q("50 mcg/h"),
        rx.Q("50 mcg/h"),
        (0.0, 0.0),
    )
    assert codes(r) == [
        "fentanyl_patch_caution",
        "no_cross_tolerance_reduction",
        "patch_not_for_acute_pain",
    ]
    alert = r.alerts[1]
    assert alert.severity == rx.Severity.MAJOR
    assert "no reduction" in alert.message
    assert alert.source is not None
    assert "Wellington" in alert.source.citation
    # The label table starts the same patient on half the strength.
    label = rx.rotate(
        "morphine", "134 mg/day", to="fentanyl", method="DURAGESIC_LABEL", opioid_tolerant_days=7
    )
    two_to_one = rx.rotate(
        "morphine", "134 mg/day", to="fentanyl", method="FENTANYL_2_TO_1", opioid_tolerant_days=7
    )
    assert (label.recommended, two_to_one.recommended) == (rx.Q("25 mcg/h"), rx.Q("50 mcg/h"))
    for method in ("DURAGESIC_LABEL", "MSD_METHADONE"):
        target = "methadone" if method == "MSD_METHADONE" else "fentanyl"
        other = rx.rotate(
            "morphine", "100 mg/day", to=target, method=method, opioid_tolerant_days=7
        )
        assert "no_cross_tolerance_reduction" not in codes(other)


@pytest.mark.parametrize("method", ["DURAGESIC_LABEL", "FENTANYL_2_TO_1"])
def test_patch_methods_refuse_opioid_naive(method: RotationMethod) -> None:
    with pytest.raises(UnsafeConversionError, match="opioid-tolerant"):
        rx.rotate("morphine", "59 mg/day", to="fentanyl", method=method)
    with pytest.raises(UnsafeConversionError, match="opioid-tolerant"):
        rx.rotate("oxycodone", "30 mg/day", to="fentanyl", method=method)


def test_method_must_fit_target() -> None:
    with pytest.raises(InputError, match="converts to methadone, not to oxycodone"):
        rx.rotate("morphine", "60 mg/day", to="oxycodone", method="MSD_METHADONE")
    with pytest.raises(InputError, match="transdermal route, not oral"):
        rx.rotate(
            "morphine",
            "90 mg/day",
            to="fentanyl",
            to_route="oral",
            method="DURAGESIC_LABEL",
            opioid_tolerant_days=7,
        )
    with pytest.raises(InputError, match="Unknown method"):
        # mypy flags the unknown method (painrx.types.RotationMethod); so does the run time.
        rx.rotate("morphine", "60 mg/day", to="methadone", method="RIPAMONTI")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cross_tolerance_reduction": 25}, "fraction, not a percentage"),
        ({"cross_tolerance_reduction": -0.1}, "fraction"),
        ({"cross_tolerance_reduction": 1}, "fraction"),
        ({"cross_tolerance_reduction": "0.25"}, "must be a number"),
        ({"breakthrough_fraction": 0.1}, "pair"),
        ({"breakthrough_fraction": (0.2, 0.1)}, "must not exceed"),
        ({"breakthrough_fraction": (0, 0.1)}, "fraction"),
        ({"dose": "10 mg"}, "24-h dose"),
        ({"dose": "10 mg/day", "frequency": "BID"}, "already a rate"),
    ],
)
def test_rotation_refusals(kwargs: dict[str, Any], match: str) -> None:
    args: dict[str, Any] = {"dose": "60 mg/day"} | kwargs
    dose = args.pop("dose")
    with pytest.raises(InputError, match=match):
        rx.rotate("morphine", dose, to="oxycodone", **args)


def test_rotation_with_zero_reduction_is_equianalgesic() -> None:
    r = rx.rotate(
        "morphine", "60 mg/day", to="oxycodone", ratios="MSD_MANUAL", cross_tolerance_reduction=0
    )
    assert r.recommended == r.equianalgesic


# ---------------------------------------------------------------- result objects


def _results() -> list[object]:
    day = dt.date(2025, 1, 1)
    return [
        rx.mme("oxycodone", "10 mg", frequency="BID"),
        rx.mme_prescription(
            "fentanyl", strength="25 mcg/h", quantity=10, days_supply=20, route="TD"
        ),
        rx.total_mme([rx.OpioidDose("morphine", "60 mg/day")]),
        rx.mme_over_period(
            [
                rx.Prescription("Butrans", "5 mcg/h", 4, 28, day),
                rx.Prescription("morphine", "10 mg", 30, 10, day),
            ],
            start=day,
            end=day,
            table="CDC_2022",
        ),
        rx.convert_opioid("oxycodone", "5 mg", to="morphine"),
        rx.rotate("oxycodone", "40 mg/day", to="morphine"),
        rx.rotate("morphine", "120 mg/day", to="methadone", method="MSD_METHADONE"),
    ]


@pytest.mark.parametrize(
    "index", range(7), ids=["mme", "prescription", "total", "period", "convert", "rotate", "method"]
)
def test_results_pickle_dict_html_repr(index: int) -> None:
    result = _results()[index]
    again = pickle.loads(pickle.dumps(result))
    assert again == result
    data = result.to_dict()  # type: ignore[attr-defined]
    json.dumps(data)
    assert data["source"] == result.source.id  # type: ignore[attr-defined]
    assert data["alerts"] == codes(result)
    html = result._repr_html_()  # type: ignore[attr-defined]
    assert html.startswith("<table>")
    text = repr(result)
    assert text.startswith(type(result).__name__)
    assert "Provenance" not in text


def test_value_is_unrounded_and_rounded_helper() -> None:
    result = rx.mme("codeine", "10 mg", frequency="TID")  # 30 × 0.15 = 4.5
    assert result.value == 4.5
    third = rx.mme("oxycodone", rx.Q(1 / 3, "mg/day"), thresholds=None)
    assert third.exact == Fraction(1, 2)
    odd = rx.mme("codeine", "1 mg/day", thresholds=None)  # 0.15
    assert (odd.value, odd.rounded(), odd.rounded(dp=2)) == (0.15, 0.2, 0.15)
    assert rx.mme("oxycodone", "1.7 mg/day").rounded(0) == 3.0  # 2.55 → 3


def test_result_daily_dose_and_factor_source() -> None:
    result = rx.mme("methadone", "30 mg/day", table="CDC_2016")
    assert result.daily_dose == rx.Q("30 mg/day")
    assert result.source.id == "CDC_2016"
    assert result.factor_source.id == "CDC_2016/cms_2018"
    assert result.to_dict()["factor_source"] == "CDC_2016/cms_2018"


def test_doctest_namespace_exports() -> None:
    for name in opioids.__all__:
        assert hasattr(opioids, name)
    assert rx.MMEResult is opioids.MMEResult


def test_method_guards_outside_bands_and_below_smallest_patch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a lower tolerance threshold, the label table's own bands and patch sizes refuse."""
    from painrx.opioids import _tables as t

    facts = t.patch_facts("fentanyl")
    lenient = t.PatchFacts("fentanyl", Fraction(1), facts.strengths, facts.source)
    monkeypatch.setattr(t, "patch_facts", lambda _: lenient)
    with pytest.raises(UnsafeConversionError, match="outside the bands of DURAGESIC_LABEL"):
        rx.rotate(
            "morphine", "30 mg/day", to="fentanyl", method="DURAGESIC_LABEL", opioid_tolerant_days=7
        )
    with pytest.raises(UnsafeConversionError, match="less than the smallest"):
        rx.rotate(
            "morphine", "20 mg/day", to="fentanyl", method="FENTANYL_2_TO_1", opioid_tolerant_days=7
        )
