"""Safety fixes from the clinical review of the opioid domain (issue 4), one test each."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest

import painrx as rx
from painrx.errors import InputError, UnsafeConversionError
from painrx.opioids import _tables as t
from painrx.tables import TableError, parse_table, read_table
from painrx.types import RatioTable


def codes(result: Any) -> list[str]:
    return [a.code for a in result.alerts]


# ---------------------------------------------------------------- plausibility (contract bound)


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        (rx.rotate, {"drug": "morphine", "dose": "20 g/day", "to": "oxycodone"}),
        (
            rx.rotate,
            {"drug": "morphine", "dose": "20 g/day", "to": "methadone", "method": "MSD_METHADONE"},
        ),
        (rx.convert_opioid, {"drug": "morphine", "dose": "20 g/day", "to": "oxycodone"}),
        (rx.convert_opioid, {"drug": "morphine", "dose": "20 g", "to": "oxycodone"}),
        (
            rx.convert_opioid,
            {"drug": "hydromorphone", "dose": "3 g/day", "to": "morphine", "ratios": "MSD_MANUAL"},
        ),
    ],
)
def test_conversion_refuses_a_mg_g_slip(call: Any, kwargs: dict[str, Any]) -> None:
    """Contract: an opioid dose above 10,000 MME/day is InputError in every function."""
    with pytest.raises(InputError, match="plausibility bound"):
        call(kwargs.pop("drug"), kwargs.pop("dose"), **kwargs)


def test_conversion_plausibility_uses_the_smallest_estimate() -> None:
    """2.1 g/day of oral hydromorphone is 8,400 MME/day at CDC 2016's 4: not refused."""
    c = rx.convert_opioid("hydromorphone", "2.1 g/day", to="morphine", ratios="MSD_MANUAL")
    assert c.dose == rx.Q("8400 mg/day")
    assert rx.convert_opioid("morphine", "9 g", to="oxycodone").dose == rx.Q("6000 mg")


# ---------------------------------------------------------------- patch sources and targets


def test_patch_source_needs_a_target_route() -> None:
    """to_route=None is the source's route; morphine has no patch, so say what to give."""
    with pytest.raises(InputError, match="to_route='oral'"):
        rx.convert_opioid("Duragesic", "25 mcg/h", to="morphine", ratios="ANZCA_2021")
    with pytest.raises(InputError, match="no patch"):
        rx.rotate("fentanyl", "25 mcg/h", route="TD", to="morphine", to_route="TD")
    c = rx.convert_opioid(
        "Duragesic", "25 mcg/h", to="morphine", to_route="oral", ratios="ANZCA_2021"
    )
    assert c.dose == rx.Q("75 mg/day")


def test_real_patch_targets_stay_unsafe() -> None:
    assert t.patch_ingredients() == {"fentanyl", "buprenorphine"}
    for target in ("fentanyl", "buprenorphine"):
        with pytest.raises(UnsafeConversionError, match="label starting table"):
            rx.convert_opioid(
                "morphine", "90 mg/day", to=target, to_route="TD", ratios="ANZCA_2021"
            )


# ---------------------------------------------------------------- ratio tables from MME factors


def test_anzca_ratios_carry_the_rotation_caution() -> None:
    """ANZCA PS01(PM) appendix: a calculated 'equivalent' dose may lead to overdosage."""
    c = rx.convert_opioid(
        "morphine", "60 mg/day", to="buprenorphine", to_route="SL", ratios="ANZCA_2021"
    )
    assert c.dose == rx.Q("1.5 mg/day")
    assert codes(c) == ["mme_not_for_rotation", "precipitated_withdrawal"]
    r = rx.rotate("morphine", "60 mg/day", to="oxycodone", ratios="ANZCA_2021")
    assert "mme_not_for_rotation" in codes(r)
    assert (
        "Practical considerations"
        in read_table("ANZCA_2021", kind="opioid_ratios")["provenance"]["notes"]
    )


# ---------------------------------------------------------------- breakthrough for patch targets


def test_patch_breakthrough_never_reads_the_label_table_backwards() -> None:
    """Duragesic: 'Do not use Table 1 to convert from DURAGESIC to other therapies'."""
    method = t.method("DURAGESIC_LABEL")
    assert [method.least_morphine(Fraction(s)) for s in (12, 25, 50, 75, 100)] == [
        60,
        60,
        135,
        225,
        315,
    ]
    assert [method.least_morphine(Fraction(s)) for s in (125, 150, 300)] == [405, 495, 1035]
    low = rx.rotate(
        "morphine", "60 mg/day", to="fentanyl", method="DURAGESIC_LABEL", opioid_tolerant_days=7
    )
    high = rx.rotate(
        "morphine", "134 mg/day", to="fentanyl", method="DURAGESIC_LABEL", opioid_tolerant_days=7
    )
    assert low.recommended == high.recommended == rx.Q("25 mcg/h")
    assert low.breakthrough == high.breakthrough == (rx.Q("6 mg"), rx.Q("12 mg"))


def test_step_without_a_closed_band_is_refused() -> None:
    path = "opioid_methods/duragesic_label.toml"
    doc: dict[str, Any] = parse_table(path)
    doc["step"] = [{"every": 90, "add": 25, "below": 300, "source": "extended_table"}]
    with pytest.raises(TableError, match="ends above it"):
        t.METHODS.parse(doc, "X", path)
    doc["step"] = [{"every": 90, "add": 25, "source": "nowhere"}]
    with pytest.raises(TableError):
        t.METHODS.parse(doc, "X", path)


@pytest.mark.parametrize("alerts", ["no_cross_tolerance_reduction", ["no_such_alert"]])
def test_method_alerts_are_validated(alerts: object) -> None:
    path = "opioid_methods/fentanyl_2_to_1.toml"
    doc: dict[str, Any] = parse_table(path)
    doc["method"]["alerts"] = alerts
    with pytest.raises(TableError):
        t.METHODS.parse(doc, "X", path)


def test_method_ranges() -> None:
    ranges = {m: t.method(m).describe_range() for m in t.method_ids()}
    assert ranges == {
        "DURAGESIC_LABEL": "[60, 1125)",
        "FENTANYL_2_TO_1": "(0, ∞)",
        "MSD_METHADONE": "[0, ∞)",
    }


# ---------------------------------------------------------------- patch strengths cite their label


def test_every_patch_strength_cites_a_label() -> None:
    """Duragesic: 12, 25, 50, 75, 100 mcg/h; 37.5 mcg/h is a Mylan generic strength (2015)."""
    doc = read_table("FENTANYL_PATCH")
    cited = {float(s["mcg_per_h"]): s["source"] for s in doc["patch"][0]["strengths"]}
    assert cited == {
        12.0: "provenance",
        25.0: "provenance",
        37.5: "mylan",
        50.0: "provenance",
        75.0: "provenance",
        100.0: "provenance",
    }
    assert "37.5" in doc["sources"]["mylan"]["citation"]


# ---------------------------------------------------------------- hostile collection arguments


@pytest.mark.parametrize("doses", [None, "oxycodone", 3])
def test_total_mme_refuses_non_iterables(doses: Any) -> None:
    with pytest.raises(InputError, match="iterable of OpioidDose"):
        rx.total_mme(doses)


@pytest.mark.parametrize("prescriptions", [None, "x", 1.5])
def test_period_refuses_non_iterables(prescriptions: Any) -> None:
    day = dt.date(2025, 1, 1)
    with pytest.raises(InputError, match="iterable of Prescription"):
        rx.mme_over_period(prescriptions, start=day, end=day)


@pytest.mark.parametrize("flag", ["no", 0, None])
def test_period_buprenorphine_flag_is_a_bool(flag: Any) -> None:
    day = dt.date(2025, 1, 1)
    with pytest.raises(InputError, match="True or False"):
        rx.mme_over_period([], start=day, end=day, buprenorphine=flag)


def test_rotate_patch_frequency_is_the_change_interval() -> None:
    """As in mme(): a patch strength is a rate; q72h is checked and never multiplies it."""
    kwargs: dict[str, Any] = {"route": "TD", "to": "morphine", "to_route": "oral"}
    with_interval = rx.rotate(
        "fentanyl", "25 mcg/h", frequency="q72h", **kwargs, ratios="ANZCA_2021"
    )
    plain = rx.rotate("fentanyl", "25 mcg/h", **kwargs, ratios="ANZCA_2021")
    assert with_interval == plain
    assert plain.equianalgesic == rx.Q("75 mg/day")
    with pytest.raises(InputError, match="Unknown frequency"):
        rx.rotate("fentanyl", "25 mcg/h", frequency="sometimes", **kwargs, ratios="ANZCA_2021")
    with pytest.raises(InputError, match="already a rate"):
        rx.rotate("morphine", "60 mg/day", frequency="BID", to="oxycodone")


# ---------------------------------------------------------------- issue 15: rotation safety


def test_ratio_table_states_its_own_reduction() -> None:
    """MSD Manual equianalgesic table footnote: reduce by 50%; painrx uses it by default."""
    table = t.ratio_table("MSD_MANUAL")
    assert table.reduction == Fraction(1, 2)
    assert table.reduction_source is not None
    assert "reduced by 50%" in table.reduction_source.citation
    assert all(t.ratio_table(i).reduction is None for i in ("SEED", "BNF", "CDC_2022"))
    r = rx.rotate("oxycodone", "60 mg/day", to="hydromorphone", ratios="MSD_MANUAL")
    assert r.equianalgesic == rx.Q("22.5 mg/day")
    assert (r.recommended, r.reduction) == (rx.Q("11.25 mg/day"), (0.5, 0.5))
    assert rx.rotate("oxycodone", "40 mg/day", to="morphine", ratios="BNF").reduction == (
        0.25,
        0.25,
    )


@pytest.mark.parametrize("ratios", ["CDC_2022", "MSD_MANUAL", "SEED"])
def test_rotation_from_methadone_is_refused(ratios: RatioTable) -> None:
    """Issue 15: 60 mg/day methadone gave 211.5 mg/day morphine (CDC 2022) vs 67.5 (MSD)."""
    with pytest.raises(UnsafeConversionError, match="does not rotate from methadone") as info:
        rx.rotate("methadone", "60 mg/day", to="morphine", ratios=ratios)
    assert "half-life" in str(info.value)
    assert "cross-tolerance" in str(info.value)
    with pytest.raises(UnsafeConversionError, match="from methadone"):
        rx.rotate(
            "methadone",
            "60 mg/day",
            to="fentanyl",
            method="DURAGESIC_LABEL",
            opioid_tolerant_days=7,
        )
    # The table's plain equivalence stays available for reference, with the caution.
    c = rx.convert_opioid("methadone", "20 mg", to="morphine", ratios="MSD_MANUAL")
    assert "methadone_caution" in codes(c)


def test_rotation_to_buprenorphine_is_refused_and_conversion_warns() -> None:
    with pytest.raises(UnsafeConversionError, match="precipitate withdrawal"):
        rx.rotate("morphine", "60 mg/day", to="buprenorphine", to_route="SL", ratios="ANZCA_2021")
    c = rx.convert_opioid(
        "morphine", "60 mg/day", to="buprenorphine", to_route="SL", ratios="ANZCA_2021"
    )
    alert = next(a for a in c.alerts if a.code == "precipitated_withdrawal")
    assert alert.source is not None
    assert "SUBOXONE" in alert.source.citation


@pytest.mark.parametrize(("days", "refused"), [(None, True), (0, True), (6, True), (7, False)])
def test_patch_start_needs_a_week_at_the_tolerant_dose(days: int | None, refused: bool) -> None:
    """Duragesic label: opioid-tolerant = ≥ 60 mg/day oral morphine for one week or longer."""
    call: dict[str, Any] = {
        "to": "fentanyl",
        "method": "DURAGESIC_LABEL",
        "opioid_tolerant_days": days,
    }
    if refused:
        with pytest.raises(UnsafeConversionError, match="opioid_tolerant_days"):
            rx.rotate("morphine", "90 mg/day", **call)
        return
    r = rx.rotate("morphine", "90 mg/day", **call)
    assert r.recommended == rx.Q("25 mcg/h")
    alert = next(a for a in r.alerts if a.code == "patch_not_for_acute_pain")
    assert "post-operative" in alert.message
    assert t.patch_facts("fentanyl").minimum_days == 7


@pytest.mark.parametrize("days", [-1, 1.5, "7", True])
def test_tolerant_days_must_be_whole(days: object) -> None:
    with pytest.raises(InputError, match="whole number of days"):
        rx.rotate(
            "morphine",
            "90 mg/day",
            to="fentanyl",
            method="DURAGESIC_LABEL",
            opioid_tolerant_days=days,  # type: ignore[arg-type]
        )


def test_leaving_a_patch_alerts_the_skin_depot() -> None:
    """Duragesic label 12.3: serum fentanyl falls ~50% in 20-27 h after removal."""
    kwargs: dict[str, Any] = {"to": "morphine", "to_route": "oral", "ratios": "ANZCA_2021"}
    for result in (
        rx.convert_opioid("Duragesic", "50 mcg/h", **kwargs),
        rx.rotate("Duragesic", "50 mcg/h", **kwargs),
    ):
        alert = next(a for a in result.alerts if a.code == "patch_removal_depot")
        assert "18 hours" in alert.message
    oral = rx.rotate("oxycodone", "30 mg/day", to="morphine", ratios="SEED")
    assert "patch_removal_depot" not in codes(oral)


def test_rotation_breakthrough_names_its_drug_and_route() -> None:
    r = rx.rotate("morphine", "120 mg/day", to="methadone", method="MSD_METHADONE")
    assert (r.breakthrough_drug, r.breakthrough_route) == ("morphine", "oral")
    assert r.breakthrough == (rx.Q("1.2 mg"), rx.Q("2.4 mg"))
