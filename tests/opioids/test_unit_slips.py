"""Issue 19: unit slips and combination strengths in the MME paths (scalar and batch).

Patch strengths are labelled per hour (DURAGESIC: 12-100 mcg/h; BUTRANS: 5-20 mcg/h;
CDC 2018 NDC file UOM MCG/HR). Combination strengths: RxNorm (OMTKData 3.0.0).
Oral unit strengths: CDC 2018 NDC file (oxycodone 2.5-160 mg).
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

import painrx as rx
from painrx import opioids
from painrx.batch import mme_prescriptions
from painrx.errors import InputError, Severity, UnitError


@pytest.mark.parametrize("dose", ["25 mcg/day", "25 mcg/min", "0.6 mg/day", "1.2 mg/d"])
def test_a_patch_written_per_day_or_minute_is_refused(dose: str) -> None:
    # 25 mcg/day is 24x low, 25 mcg/min 60x high; both were accepted.
    with pytest.raises(UnitError, match="labelled per hour"):
        rx.mme("fentanyl", dose, route="transdermal")


@pytest.mark.parametrize("unit", ["mcg/day", "mcg/min", "mg/day"])
def test_a_patch_strength_unit_per_day_or_minute_is_refused(unit: str) -> None:
    with pytest.raises(UnitError, match="labelled per hour"):
        opioids.prescription_factor("fentanyl", strength_unit=unit, route="transdermal")
    with pytest.raises(UnitError, match="labelled per hour"):
        rx.mme_prescription(
            "fentanyl", strength=f"25 {unit}", quantity=10, days_supply=30, route="transdermal"
        )


def test_the_batch_path_refuses_the_same_patch_units() -> None:
    out = mme_prescriptions(
        {
            "drug": np.array(["fentanyl"] * 3, dtype=object),
            "strength": np.array([25.0, 25.0, 25.0]),
            "strength_unit": np.array(["mcg/h", "mcg/day", "mcg/min"], dtype=object),
            "quantity": np.array([10.0, 10.0, 10.0]),
            "days_supply": np.array([30.0, 30.0, 30.0]),
            "route": np.array(["transdermal"] * 3, dtype=object),
        }
    )
    assert out["mme_per_day"][0] == 60  # CDC file: 25 mcg/h x 7.2 / 3 days x 10 / 30 x 3
    assert np.isnan(out["mme_per_day"][1:]).all()
    assert all("labelled per hour" in str(e) for e in out["error"][1:])


def test_patches_in_mcg_per_hour_still_work() -> None:
    assert rx.mme("fentanyl", "25 mcg/h", route="transdermal").value == 60
    assert rx.mme("fentanyl", "0.025 mg/h", route="transdermal").value == 60


@pytest.mark.parametrize("drug_and_dose", [("oxycodone", "10 mcg"), ("oxycodone 10 mcg", None)])
def test_oxycodone_10_mcg_raises_a_major_alert(drug_and_dose: tuple[str, str | None]) -> None:
    # 10 mcg is 250x below the smallest oral tablet (2.5 mg, CDC 2018 NDC file).
    drug, dose = drug_and_dose
    r = rx.mme(drug, dose, frequency="q6h")
    (alert,) = [a for a in r.alerts if a.code == "dose_below_marketed_strength"]
    assert alert.severity is Severity.MAJOR
    assert "check mg vs mcg" in alert.message


def test_a_plausible_oral_dose_raises_no_strength_alert() -> None:
    r = rx.mme("oxycodone", "5 mg", frequency="q6h")
    assert r.value == 30  # CDC 2022: oxycodone 1.5 x 20 mg/day
    assert "dose_below_marketed_strength" not in {a.code for a in r.alerts}


@pytest.mark.parametrize(
    ("drug", "dose"),
    [("Percocet 325/10 mg", None), ("oxycodone/acetaminophen", "325/10 mg")],
)
def test_percocet_325_10_is_refused_not_1950_mme(drug: str, dose: str | None) -> None:
    # Issue 19: read by position, oxycodone 325 mg q6h was 1,950 MME/day.
    with pytest.raises(InputError, match="parts look swapped: write 10/325 mg"):
        rx.mme(drug, dose, frequency="q6h")


def test_norco_5_10_is_refused() -> None:
    with pytest.raises(InputError, match="not a marketed strength"):
        rx.mme("Norco 5-10 mg", frequency="q6h")
    assert rx.mme("Norco 5/325 mg", 1, frequency="q6h").value == 20  # hydrocodone 1 x 20 mg


def test_an_oral_strength_in_mcg_is_flagged_alike_in_scalar_and_batch() -> None:
    # Issue 19: "oxycodone 10 mcg" passed (1,000x low). Every oral oxycodone unit in the
    # CDC 2018 NDC file is labelled in mg (2.5-160 mg), so a strength in mcg is flagged.
    scalar = rx.mme_prescription("oxycodone", strength="10 mcg", quantity=120, days_supply=30)
    assert "strength_unit_not_marketed" in {a.code for a in scalar.alerts}
    factor = opioids.prescription_factor("oxycodone", strength_unit="mcg")
    (alert,) = [a for a in factor.alerts if a.code == "strength_unit_not_marketed"]
    assert alert.severity is Severity.MAJOR
    out = mme_prescriptions(
        {
            "drug": np.array(["oxycodone", "oxycodone"], dtype=object),
            "strength": np.array([10.0, 10.0]),
            "strength_unit": np.array(["mcg", "mg"], dtype=object),
            "quantity": np.array([120.0, 120.0]),
            "days_supply": np.array([30.0, 30.0]),
        }
    )
    assert out["mme_per_day"][0] == pytest.approx(scalar.value)
    assert out["alerts"][0] == ";".join(a.code for a in scalar.alerts)
    assert out["alerts"][1] == "mme_threshold_50"  # 10 mg x 120 / 30 days x 1.5 = 60


def test_transmucosal_fentanyl_in_mcg_is_not_flagged() -> None:
    # Buccal fentanyl is labelled in mcg (CDC 2018 NDC file): not an oral unit.
    factor = opioids.prescription_factor(
        "fentanyl", strength_unit="mcg", route="buccal", form="buccal_film", table="CDC_NDC_2018"
    )
    assert "strength_unit_not_marketed" not in {a.code for a in factor.alerts}


def test_total_and_period_read_at_most_1000_items() -> None:
    # Issue 19 (bounded work): a caller-sized list is capped, even an endless generator.
    dose = rx.OpioidDose("oxycodone", "1 mg/day")
    assert rx.total_mme([dose] * 1000, thresholds=None).value == 1500  # 1000 x 1.5 MME
    with pytest.raises(InputError, match="at most 1000 OpioidDose items"):
        rx.total_mme(itertools.repeat(dose))
    day = dt.date(2026, 1, 1)
    rx_ = rx.Prescription("oxycodone", strength="5 mg", quantity=4, days_supply=1, start=day)
    with pytest.raises(InputError, match="at most 1000 Prescription items"):
        rx.mme_over_period(itertools.repeat(rx_), start=day, end=day)
