"""Every number in the opioid data files, pinned by a test that fails if it changes.

The expected values are typed in here from the sources named in each data file (and in
``/work/shared/references/opioids.md``), not read back from the files.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

import painrx as rx
from painrx import opioids
from painrx.errors import InputError, NoFactorError
from painrx.opioids import _tables as t
from painrx.tables import TableError, parse_table, table_info
from painrx.types import MMETable, RatioTable

# (table, ingredient, routes, forms, basis) -> factor, exactly as each source prints it.
MME_FACTORS: dict[tuple[str, str, str, str, str], str] = {
    # ANZCA FPM PS01(PM) appendix 2021 (oMEDD)
    ("ANZCA_2021", "buprenorphine", "sublingual", "", "mg/day"): "40",
    ("ANZCA_2021", "buprenorphine", "transdermal", "patch", "mcg/h"): "2",
    ("ANZCA_2021", "codeine", "oral", "", "mg/day"): "0.13",
    ("ANZCA_2021", "fentanyl", "transdermal", "patch", "mcg/h"): "3",
    ("ANZCA_2021", "fentanyl", "im/iv/sc", "", "mcg/day"): "0.2",
    ("ANZCA_2021", "hydromorphone", "oral", "", "mg/day"): "5",
    ("ANZCA_2021", "hydromorphone", "im/iv/sc", "", "mg/day"): "15",
    ("ANZCA_2021", "morphine", "oral", "", "mg/day"): "1",
    ("ANZCA_2021", "morphine", "im/iv/sc", "", "mg/day"): "3",
    ("ANZCA_2021", "oxycodone", "oral", "", "mg/day"): "1.5",
    ("ANZCA_2021", "oxycodone", "im/iv/sc", "", "mg/day"): "3",
    ("ANZCA_2021", "tapentadol", "oral", "", "mg/day"): "0.3",
    ("ANZCA_2021", "tramadol", "oral", "", "mg/day"): "0.2",
    # CDC 2016 "Calculating total daily dose" (methadone bands per the CMS Feb-2018 footnote)
    ("CDC_2016", "codeine", "oral", "", "mg/day"): "0.15",
    ("CDC_2016", "fentanyl", "transdermal", "patch", "mcg/h"): "2.4",
    ("CDC_2016", "hydrocodone", "oral", "", "mg/day"): "1",
    ("CDC_2016", "hydromorphone", "oral", "", "mg/day"): "4",
    ("CDC_2016", "methadone", "oral", "", "mg/day"): (
        "(0, 20] → 4; (20, 40] → 8; (40, 60] → 10; (60, ∞) → 12"
    ),
    ("CDC_2016", "morphine", "oral", "", "mg/day"): "1",
    ("CDC_2016", "oxycodone", "oral", "", "mg/day"): "1.5",
    ("CDC_2016", "oxymorphone", "oral", "", "mg/day"): "3",
    # CDC 2022 MMWR 71(RR-3) MME table
    ("CDC_2022", "codeine", "oral", "", "mg/day"): "0.15",
    ("CDC_2022", "fentanyl", "transdermal", "patch", "mcg/h"): "2.4",
    ("CDC_2022", "hydrocodone", "oral", "", "mg/day"): "1",
    ("CDC_2022", "hydromorphone", "oral", "", "mg/day"): "5",
    ("CDC_2022", "methadone", "oral", "", "mg/day"): "4.7",
    ("CDC_2022", "morphine", "oral", "", "mg/day"): "1",
    ("CDC_2022", "oxycodone", "oral", "", "mg/day"): "1.5",
    ("CDC_2022", "oxymorphone", "oral", "", "mg/day"): "3",
    ("CDC_2022", "tapentadol", "oral", "", "mg/day"): "0.4",
    ("CDC_2022", "tramadol", "oral", "", "mg/day"): "0.2",
    # CDC Opioid NDC and Oral MME Conversion File, Sept 2018
    ("CDC_NDC_2018", "butorphanol", "nasal", "nasal_spray", "mg/day"): "7",
    ("CDC_NDC_2018", "codeine", "oral", "", "mg/day"): "0.15",
    ("CDC_NDC_2018", "dihydrocodeine", "oral", "", "mg/day"): "0.25",
    ("CDC_NDC_2018", "fentanyl", "transdermal", "patch", "mcg/h"): (
        "7.2 (file formula, days supply = units × 3)"
    ),
    ("CDC_NDC_2018", "fentanyl", "buccal", "buccal_tablet", "mcg/day"): "0.13",
    ("CDC_NDC_2018", "fentanyl", "sublingual", "tablet", "mcg/day"): "0.13",
    ("CDC_NDC_2018", "fentanyl", "buccal/oral", "lozenge", "mcg/day"): "0.13",
    ("CDC_NDC_2018", "fentanyl", "buccal", "buccal_film", "mcg/day"): "0.18",
    ("CDC_NDC_2018", "fentanyl", "oral/sublingual", "oral_spray", "mcg/day"): "0.18",
    ("CDC_NDC_2018", "fentanyl", "nasal", "nasal_spray", "mcg/day"): "0.16",
    ("CDC_NDC_2018", "hydrocodone", "oral", "", "mg/day"): "1",
    ("CDC_NDC_2018", "hydromorphone", "oral", "", "mg/day"): "4",
    # Issue 15: suppositories carry the oral factor in the file's Opioids sheet; opium,
    # propoxyphene (product sheet only) and levomethadyl for historical claims.
    ("CDC_NDC_2018", "hydromorphone", "rectal", "", "mg/day"): "4",
    ("CDC_NDC_2018", "levomethadyl", "oral", "", "mg/day"): "8",
    ("CDC_NDC_2018", "morphine", "rectal", "", "mg/day"): "1",
    ("CDC_NDC_2018", "opium", "rectal", "", "mg/day"): "1",
    ("CDC_NDC_2018", "oxymorphone", "rectal", "", "mg/day"): "3",
    ("CDC_NDC_2018", "propoxyphene", "oral", "", "mg/day"): "0.23",
    ("CDC_NDC_2018", "levorphanol", "oral", "", "mg/day"): "11",
    ("CDC_NDC_2018", "meperidine", "oral", "", "mg/day"): "0.1",
    ("CDC_NDC_2018", "methadone", "oral", "", "mg/day"): "3",
    ("CDC_NDC_2018", "morphine", "oral", "", "mg/day"): "1",
    ("CDC_NDC_2018", "oxycodone", "oral", "", "mg/day"): "1.5",
    ("CDC_NDC_2018", "oxymorphone", "oral", "", "mg/day"): "3",
    ("CDC_NDC_2018", "pentazocine", "oral", "", "mg/day"): "0.37",
    ("CDC_NDC_2018", "tapentadol", "oral", "", "mg/day"): "0.4",
    ("CDC_NDC_2018", "tramadol", "oral", "", "mg/day"): "0.1",
    # NIH HEAL MME calculator (mmequiv fixtures)
    ("NIH_HEAL_2025", "buprenorphine", "buccal", "buccal_film", "mcg/day"): "0.039",
    ("NIH_HEAL_2025", "buprenorphine", "sublingual", "", "mg/day"): "38.8",
    ("NIH_HEAL_2025", "buprenorphine", "transdermal", "patch", "mcg/h"): "2.2",
    ("NIH_HEAL_2025", "butorphanol", "nasal", "nasal_spray", "mg/day"): "7",
    ("NIH_HEAL_2025", "codeine", "oral", "", "mg/day"): "0.15",
    ("NIH_HEAL_2025", "dihydrocodeine", "oral", "", "mg/day"): "0.25",
    ("NIH_HEAL_2025", "fentanyl", "transdermal", "patch", "mcg/h"): "2.4",
    ("NIH_HEAL_2025", "fentanyl", "buccal", "buccal_tablet", "mcg/day"): "0.13",
    ("NIH_HEAL_2025", "fentanyl", "sublingual", "tablet", "mcg/day"): "0.13",
    ("NIH_HEAL_2025", "fentanyl", "buccal/oral", "lozenge", "mcg/day"): "0.13",
    ("NIH_HEAL_2025", "fentanyl", "buccal", "buccal_film", "mcg/day"): "0.18",
    ("NIH_HEAL_2025", "fentanyl", "oral/sublingual", "oral_spray", "mcg/day"): "0.18",
    ("NIH_HEAL_2025", "fentanyl", "nasal", "nasal_spray", "mcg/day"): "0.16",
    ("NIH_HEAL_2025", "hydrocodone", "oral", "", "mg/day"): "1",
    ("NIH_HEAL_2025", "hydromorphone", "oral", "", "mg/day"): "5",
    ("NIH_HEAL_2025", "levorphanol", "oral", "", "mg/day"): "11",
    ("NIH_HEAL_2025", "meperidine", "oral", "", "mg/day"): "0.1",
    ("NIH_HEAL_2025", "methadone", "oral", "", "mg/day"): "4.7",
    ("NIH_HEAL_2025", "morphine", "oral", "", "mg/day"): "1",
    ("NIH_HEAL_2025", "opium", "rectal", "", "mg/day"): "1",
    ("NIH_HEAL_2025", "oxycodone", "oral", "", "mg/day"): "1.5",
    ("NIH_HEAL_2025", "oxymorphone", "oral", "", "mg/day"): "3",
    ("NIH_HEAL_2025", "pentazocine", "oral", "", "mg/day"): "0.37",
    ("NIH_HEAL_2025", "tapentadol", "oral", "", "mg/day"): "0.3",
    ("NIH_HEAL_2025", "tramadol", "oral", "", "mg/day"): "0.2",
}

_TEST_DOSE = {"mg/day": "10 mg/day", "mcg/day": "100 mcg/day", "mcg/h": "25 mcg/h"}
_DOSE_VALUE = {"mg/day": 10, "mcg/day": 100, "mcg/h": 25}


def test_every_factor_row_is_pinned() -> None:
    rows = {
        (r.table, r.ingredient, r.routes, r.forms, r.basis): r.factor for r in opioids.mme_factors()
    }
    assert rows == MME_FACTORS


def _single_factor_rows() -> list[tuple[str, str, str, str, str, str, str]]:
    found: list[tuple[str, str, str, str, str, str, str]] = []
    for (table, ingredient, routes, forms, basis), factor in MME_FACTORS.items():
        if "→" in factor:
            continue
        number = factor.split(" ")[0]
        # A factor for the CDC file formula applies per day after the patch days rule.
        daily = str(Fraction(number) / 3) if "file formula" in factor else number
        found.extend(
            (table, ingredient, route, forms, basis, number, daily) for route in routes.split("/")
        )
    return found


@pytest.mark.parametrize(
    ("table", "ingredient", "route", "form", "basis", "printed", "daily"),
    _single_factor_rows(),
)
def test_each_factor_gives_its_mme(
    table: MMETable, ingredient: str, route: str, form: str, basis: str, printed: str, daily: str
) -> None:
    result = rx.mme(
        ingredient, _TEST_DOSE[basis], route=route, form=form or None, table=table, thresholds=None
    )
    assert result.exact == Fraction(daily) * _DOSE_VALUE[basis]
    # The contract names the per-dose unit for factors per mcg (transmucosal fentanyl).
    assert result.factor_basis == {"mcg/day": "mcg"}.get(basis, basis)
    assert result.table == table
    assert result.source.id == table
    assert printed


@pytest.mark.parametrize(
    ("daily_mg", "factor"),
    [
        # CQF ConversionFactorsClinicalTests: LookupConversionFactor(methadone, 10/30/50/70 mg)
        (10, 4),
        (30, 8),
        (50, 10),
        (70, 12),
        # band edges: (0, 20] 4; (20, 40] 8; (40, 60] 10; (60, ∞) 12 — no gap at 20/21
        (0.5, 4),
        (20, 4),
        (20.5, 8),
        (21, 8),
        (40, 8),
        (40.01, 10),
        (60, 10),
        (60.5, 12),
        (81, 12),
        (800, 12),
    ],
)
def test_cdc_2016_methadone_bands(daily_mg: float, factor: int) -> None:
    result = rx.mme("methadone", rx.Q(daily_mg, "mg/day"), table="CDC_2016", thresholds=None)
    assert result.factor == factor
    assert result.value == pytest.approx(daily_mg * factor, rel=1e-12)


# ---------------------------------------------------------------- ratio tables

# (table, group) -> members as (ingredient, routes, dose), as each source prints them.
RATIO_GROUPS: dict[tuple[str, str], list[tuple[str, str, str]]] = {
    ("SEED", "oral"): [("oxycodone", "oral", "5 mg"), ("morphine", "oral", "10 mg")],
    ("SEED", "intravenous"): [("oxycodone", "iv", "1 mg"), ("morphine", "iv", "1 mg")],
    ("MSD_MANUAL", "equianalgesic chart"): [
        ("butorphanol", "im/iv/sc", "2 mg"),
        ("codeine", "im/iv/sc", "130 mg"),
        ("codeine", "oral", "200 mg"),
        ("hydromorphone", "im/iv/sc", "1.5 mg"),
        ("hydromorphone", "oral", "7.5 mg"),
        ("levorphanol", "im/iv/sc", "2 mg"),
        ("levorphanol", "oral", "4 mg"),
        ("meperidine", "im/iv/sc", "75 mg"),
        ("meperidine", "oral", "300 mg"),
        ("methadone", "im/iv/sc", "10 mg"),
        ("methadone", "oral", "20 mg"),
        ("morphine", "im/iv/sc", "10 mg"),
        ("morphine", "oral", "30 mg"),
        ("oxycodone", "im/iv/sc", "15 mg"),
        ("oxycodone", "oral", "20 mg"),
        ("oxymorphone", "im/iv/sc", "1 mg"),
        ("oxymorphone", "oral", "15 mg"),
        ("pentazocine", "im/iv/sc", "60 mg"),
        ("pentazocine", "oral", "180 mg"),
    ],
    ("BNF", "equivalent doses"): [
        ("codeine", "oral", "100 mg"),
        ("dihydrocodeine", "oral", "100 mg"),
        ("hydromorphone", "oral", "2 mg"),
        ("morphine", "oral", "10 mg"),
        ("morphine", "im/iv/sc", "5 mg"),
        ("oxycodone", "oral", "6.6 mg"),
        ("tramadol", "oral", "100 mg"),
    ],
    ("BNF", "oxycodone by route"): [
        ("oxycodone", "oral", "2 mg"),
        ("oxycodone", "iv/sc", "1 mg"),
    ],
}


def test_every_explicit_ratio_member_is_pinned() -> None:
    found: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for table_id in t.ratio_table_ids():
        table = t.ratio_table(table_id)
        if table.derived_from is not None:
            continue
        for group in table.groups:
            found[(table_id, group.name)] = [
                (m.ingredient, "/".join(sorted(m.routes)), m.label) for m in group.members
            ]
    assert found == RATIO_GROUPS


def _member_pairs() -> list[tuple[str, str, str, str, str, str, str]]:
    pairs: list[tuple[str, str, str, str, str, str, str]] = []
    for (table, _), members in RATIO_GROUPS.items():
        ref_ing, ref_routes, ref_dose = members[-1]
        for ingredient, routes, dose in members[:-1]:
            ref_route = ref_routes.split("/")[0]
            pairs.extend(
                (table, ingredient, route, dose, ref_ing, ref_route, ref_dose)
                for route in routes.split("/")
            )
    return pairs


@pytest.mark.parametrize(
    ("table", "ingredient", "route", "dose", "ref", "ref_route", "ref_dose"), _member_pairs()
)
def test_each_ratio_member_converts_to_its_equivalent(
    table: RatioTable,
    ingredient: str,
    route: str,
    dose: str,
    ref: str,
    ref_route: str,
    ref_dose: str,
) -> None:
    """Each member's printed dose converts to the group's last member's printed dose."""
    result = rx.convert_opioid(
        ingredient, dose, route=route, to=ref, to_route=ref_route, ratios=table
    )
    assert result.exact == t.exact(rx.Q(ref_dose).magnitude)
    assert result.dose.units == rx.Q(ref_dose).units


def test_derived_ratio_tables_read_their_mme_file() -> None:
    cdc = t.ratio_table("CDC_2022")
    assert cdc.derived_from == "mme/cdc_2022.toml"
    assert cdc.alerts == ("mme_not_for_rotation",)
    assert {m.routes for m in cdc.groups[0].members} == {frozenset({"oral"})}
    anzca = t.ratio_table("ANZCA_2021")
    assert anzca.derived_from == "mme/anzca_2021.toml"
    # ANZCA PS01(PM) appendix, practical consideration 2: a calculated "equivalent" dose
    # of the replacement opioid may lead to overdosage.
    assert anzca.alerts == ("mme_not_for_rotation",)
    assert len(anzca.groups[0].members) == len(t.mme_table("ANZCA_2021").entries)


# ---------------------------------------------------------------- methods


@pytest.mark.parametrize(
    ("morphine", "ratio"),
    [
        # MSD Manual: <30 2:1; 31–99 4:1; 100–299 8:1; 300–499 12:1; 500–999 15:1; ≥1000 20:1
        (10, 2),
        (29.9, 2),
        (30, 4),
        (99, 4),
        (99.5, 8),
        (299, 8),
        (299.5, 12),
        (499, 12),
        (499.5, 15),
        (999, 15),
        (999.5, 20),
        (5000, 20),
    ],
)
def test_msd_methadone_bands(morphine: float, ratio: int) -> None:
    method = t.method("MSD_METHADONE")
    assert method.apply(t.exact(morphine)) == t.exact(morphine) / ratio
    assert method.reduction == (Fraction(3, 4), Fraction(9, 10))
    assert (method.target, method.target_route, method.output) == ("methadone", "oral", "mg/day")


@pytest.mark.parametrize(
    ("morphine", "strength"),
    [
        # Duragesic label starting table: 60–134 25; 135–224 50; 225–314 75; 315–404 100;
        # each further 90 mg/day +25 mcg/h
        (60, 25),
        (134, 25),
        (134.5, 25),
        (135, 50),
        (224, 50),
        (225, 75),
        (314, 75),
        (315, 100),
        (404, 100),
        (405, 125),
        (494, 125),
        (495, 150),
        (585, 175),
    ],
)
def test_duragesic_label_table(morphine: float, strength: int) -> None:
    assert t.method("DURAGESIC_LABEL").apply(t.exact(morphine)) == strength


def test_duragesic_label_has_no_band_below_60() -> None:
    assert t.method("DURAGESIC_LABEL").apply(Fraction(59)) is None
    assert t.method("DURAGESIC_LABEL").reduction == (Fraction(0), Fraction(0))


def test_fentanyl_2_to_1() -> None:
    method = t.method("FENTANYL_2_TO_1")
    assert method.apply(Fraction(100)) == 50
    assert method.morphine_per_unit == 2
    assert method.reduction == (Fraction(0), Fraction(0))


def test_fentanyl_patch_label_facts() -> None:
    facts = t.patch_facts("fentanyl")
    assert facts.minimum_morphine == 60
    assert facts.strengths == tuple(Fraction(s) for s in ("12", "25", "37.5", "50", "75", "100"))
    assert facts.round_down(Fraction(65)) == 50
    assert facts.round_down(Fraction(40)) == Fraction("37.5")
    assert facts.round_down(Fraction(11)) == 0
    assert facts.round_down(Fraction(130)) == 125
    assert facts.round_down(Fraction(200)) == 200
    with pytest.raises(NoFactorError, match="no patch label facts"):
        t.patch_facts("morphine")


# ---------------------------------------------------------------- thresholds and alerts


def test_threshold_policies() -> None:
    cdc = rx.opioids.threshold_policy("CDC_2016")
    assert [(lv.mme, lv.alert.code, lv.alert.severity.name) for lv in cdc.levels] == [
        (Fraction(50), "mme_threshold_50", "MODERATE"),
        (Fraction(90), "mme_threshold_90", "MAJOR"),
    ]
    uk = rx.opioids.threshold_policy("UK_OPENPRESCRIBING_2025")
    assert [(lv.mme, lv.alert.code) for lv in uk.levels] == [(Fraction(90), "mme_threshold_90")]
    assert [a.code for a in cdc.alerts(Fraction(90))] == ["mme_threshold_50", "mme_threshold_90"]
    assert cdc.alerts(Fraction(4999, 100)) == ()
    with pytest.raises(InputError, match="Unknown threshold policy"):
        rx.opioids.threshold_policy("CDC_2099")


@pytest.mark.parametrize(
    ("code", "severity", "ingredients"),
    [
        ("methadone_caution", "MAJOR", {"methadone"}),
        ("fentanyl_patch_caution", "MAJOR", {"fentanyl"}),
        ("atypical_mu_agonist", "INFO", {"tramadol", "tapentadol"}),
        ("mme_not_for_rotation", "MAJOR", None),
        ("days_supply_normalised", "MINOR", None),
    ],
)
def test_alert_specs(code: str, severity: str, ingredients: set[str] | None) -> None:
    spec = t._alert_specs()[code]
    assert spec.alert.severity.name == severity
    assert spec.ingredients == (frozenset(ingredients) if ingredients else None)
    assert spec.alert.source is not None
    assert spec.alert.message


def test_unknown_alert_code_is_a_packaging_error() -> None:
    with pytest.raises(TableError, match="No opioid alert"):
        t.alert("no_such_alert")


def test_unknown_ids_are_input_errors() -> None:
    for getter in (t.mme_table, t.ratio_table, t.method, t.threshold_policy):
        with pytest.raises(InputError, match="accepted"):
            getter("NOPE")
        with pytest.raises(InputError):
            getter(None)


def test_listings() -> None:
    assert [p.id for p in opioids.mme_tables()] == list(t.mme_table_ids())
    assert {p.id for p in opioids.ratio_tables()} == {
        "SEED",
        "CDC_2022",
        "ANZCA_2021",
        "MSD_MANUAL",
        "BNF",
    }
    assert {p.id for p in opioids.rotation_methods()} == {
        "MSD_METHADONE",
        "DURAGESIC_LABEL",
        "FENTANYL_2_TO_1",
    }
    assert [p.id for p in opioids.threshold_policies()] == ["CDC_2016", "UK_OPENPRESCRIBING_2025"]


# ---------------------------------------------------------------- validation of data files
# Each malformed value is refused as one TableError naming the file, the path inside it
# and what was expected (the format of painrx.tables).

MME = "mme/cdc_2022.toml"


def _parsed(table_id: str, kind: str) -> dict[str, Any]:
    path = table_info(table_id, kind=kind).path
    return parse_table(path)


def _row(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "ingredient": "morphine",
        "routes": ["oral"],
        "basis": "mg/day",
        "factor": 1,
        "source": "provenance",
    }
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def _mme_with(row: dict[str, Any]) -> None:
    doc = _parsed("CDC_2022", "mme_factors")
    doc["factor"] = [row]
    t.MME_TABLES.parse(doc, "CDC_2022", MME)


@pytest.mark.parametrize(
    ("row", "match"),
    [
        (_row(factor=None), r"factor\[0\]: give exactly one of 'factor' or 'bands'"),
        (_row(bands=[{"above": 0, "factor": 1}]), "exactly one of 'factor' or 'bands'"),
        (_row(basis="mg"), r"factor\[0\]\.basis: expected one of \['mg/day', 'mcg/day', 'mcg/h'\]"),
        (_row(per="weekly"), r"factor\[0\]\.per: expected one of \['daily_dose', 'prescription'\]"),
        (_row(per="prescription"), "days_per_unit"),
        (_row(days_per_unit=3), "days_per_unit"),
        (_row(routes=["mouth"]), r"factor\[0\]\.routes\[0\]: expected one of .*got 'mouth'"),
        (_row(routes=[]), r"factor\[0\]\.routes: must not be empty"),
        (_row(routes="oral"), r"factor\[0\]\.routes: expected a list, got 'oral'"),
        (_row(forms=["pill"]), r"factor\[0\]\.forms\[0\]: expected one of .*got 'pill'"),
        (_row(factor=-1), r"factor\[0\]\.factor: must be greater than 0, got -1"),
        (_row(factor=0), r"factor\[0\]\.factor: must be greater than 0, got 0"),
        (
            _row(factor="1.5"),
            r"data/mme/cdc_2022.toml: factor\[0\]\.factor: expected a number, got '1.5'",
        ),
        (
            _row(factor=None, basis="mcg/h", bands=[{"above": 0, "factor": 1}]),
            r"factor\[0\]\.bands: bands must be on a mg/day or mcg/day basis",
        ),
        (_row(colour="red"), r"factor\[0\]: unknown key\(s\) \['colour'\]; accepted: \['bands'"),
        (_row(source="nowhere"), r"factor\[0\]\.source: a source must be one of .*, got 'nowhere'"),
        (
            {"routes": ["oral"], "basis": "mg/day", "factor": 1, "source": "provenance"},
            "missing key 'ingredient'",
        ),
    ],
)
def test_factor_entry_validation(row: dict[str, Any], match: str) -> None:
    with pytest.raises(TableError, match=match):
        _mme_with(row)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([], r"bands: no bands"),
        ([{"factor": 1}], r"bands\[0\]: give exactly one of 'from'"),
        ([{"from": 0, "above": 0, "factor": 1}], "exactly one of 'from'"),
        ([{"from": 0, "below": 1, "up_to": 1, "factor": 1}], "at most one"),
        ([{"from": 0, "ratio": 1}], r"bands\[0\]: the bands of this table give 'factor'"),
        ([{"from": 5, "below": 1, "factor": 1}], r"bands\[0\]: the upper bound"),
        (
            [{"from": 0, "below": 10, "factor": 1}, {"from": 11, "factor": 2}],
            r"bands\[1\]: .*contiguous",
        ),
        ([{"from": 0, "factor": 1}, {"from": 11, "factor": 2}], "contiguous"),
        ([{"from": 0, "below": 10, "factor": 1}, {"above": 10, "factor": 2}], "exactly one band"),
        ([{"above": 0, "up_to": 10, "factor": 1}, {"from": 10, "factor": 2}], "exactly one band"),
        ([{"from": "0", "factor": 1}], r"bands\[0\]\.from: expected a number, got '0'"),
    ],
)
def test_band_validation(rows: list[dict[str, Any]], match: str) -> None:
    with pytest.raises(TableError, match=match):
        _mme_with(_row(factor=None, bands=rows))


def test_band_describe_and_contains() -> None:
    doc = _parsed("CDC_2022", "mme_factors")
    doc["factor"] = [
        _row(
            factor=None,
            bands=[{"from": 0, "below": 10, "factor": 1}, {"from": 10, "up_to": 20, "factor": 2}],
        )
    ]
    bands = t.MME_TABLES.parse(doc, "CDC_2022", MME).entries[0].bands
    assert [b.describe() for b in bands] == ["[0, 10)", "[10, 20]"]
    assert t._find_band(bands, Fraction(20)) is bands[1]
    assert t._find_band(bands, Fraction(21)) is None
    assert not bands[0].contains(Fraction(-1))


def test_exclusion_validation() -> None:
    doc = _parsed("CDC_2022", "mme_factors")
    doc["excluded"] = [{"reason": "x", "source": "provenance"}]
    with pytest.raises(TableError, match=r"excluded\[0\]: an exclusion names an ingredient"):
        t.MME_TABLES.parse(doc, "CDC_2022", MME)


def _seed_with(members: list[Any]) -> None:
    doc = _parsed("SEED", "opioid_ratios")
    doc["group"] = [{"name": "g", "members": members, "source": "provenance"}]
    t.RATIO_TABLES.parse(doc, "SEED", "ratios/seed.toml")


def test_explicit_group_validation() -> None:
    ok = {"ingredient": "morphine", "routes": ["oral"], "dose": "10 mg"}
    with pytest.raises(TableError, match=r"group\[0\]\.members: a group needs at least two"):
        _seed_with([ok])
    with pytest.raises(TableError, match=r"group\[0\]\.members\[1\]: expected a table, got 'x'"):
        _seed_with([ok, "x"])
    bad = {"ingredient": "morphine", "routes": ["oral"], "dose": "10 mg/day"}
    with pytest.raises(TableError, match=r"members\[1\]\.dose: expected a positive mass"):
        _seed_with([ok, bad])


def test_derived_group_validation() -> None:
    doc = _parsed("CDC_2022", "opioid_ratios")
    doc["derived"]["from"] = "mme/nope.toml"
    with pytest.raises(TableError, match=r"derived\.from: 'from' must name an MME factor file"):
        t.RATIO_TABLES.parse(doc, "CDC_2022", "ratios/cdc_2022.toml")


def test_exact_recovers_simple_fractions() -> None:
    assert t.exact(0.1) == Fraction(1, 10)
    assert t.exact(20 / 3) == Fraction(20, 3)
    assert t.exact(1e-20) == Fraction("1e-20")
    assert t.exact(2.4) == Fraction(12, 5)


# ---------------------------------------------------------------- whole-file validation


def test_parse_mme_refuses_duplicates_and_unknown_sections() -> None:
    doc = _parsed("CDC_2022", "mme_factors")
    doc["factor"].append(doc["factor"][0])
    with pytest.raises(TableError, match="two factors for"):
        t.MME_TABLES.parse(doc, "CDC_2022", MME)
    doc = _parsed("CDC_2022", "mme_factors")
    doc["factors"] = []
    with pytest.raises(TableError, match=r"unknown key\(s\) \['factors'\]"):
        t.MME_TABLES.parse(doc, "CDC_2022", MME)
    doc = _parsed("CDC_2022", "mme_factors")
    doc["factor"] = {"ingredient": "morphine"}
    with pytest.raises(TableError, match="factor: expected a list"):
        t.MME_TABLES.parse(doc, "CDC_2022", MME)


@pytest.mark.parametrize(
    ("block", "match"),
    [
        (
            {"cross_tolerance": 1, "source": "provenance"},
            r"reduction\.cross_tolerance: must be below 1, got 1",
        ),
        ({"cross_tolerance": -0.5, "source": "provenance"}, "must be at least 0, got -0.5"),
        ({"cross_tolerance": 0.5}, "reduction: missing key 'source'"),
        (
            {"cross_tolerance": 0.5, "source": "nowhere"},
            r"reduction\.source: a source must be one of",
        ),
        (0.5, "reduction: expected a table, got 0.5"),
    ],
)
def test_parse_ratios_checks_the_stated_reduction(block: object, match: str) -> None:
    path = "ratios/msd_manual.toml"
    doc = parse_table(path)
    doc["reduction"] = block
    with pytest.raises(TableError, match=match):
        t.RATIO_TABLES.parse(doc, "MSD_MANUAL", path)


def test_days_as_written_only_on_a_patch_factor() -> None:
    path = "mme/nih_heal_2025.toml"
    doc = parse_table(path)
    oral = next(row for row in doc["factor"] if row["basis"] == "mg/day")
    oral["days_as_written"] = "mmequiv"
    with pytest.raises(TableError, match="applies to a patch factor"):
        t.MME_TABLES.parse(doc, "NIH_HEAL_2025", path)
    doc = parse_table(path)
    patch = next(row for row in doc["factor"] if row["basis"] == "mcg/h")
    patch["days_as_written"] = "nowhere"
    with pytest.raises(TableError, match=r"\]\.days_as_written: a source must be one of"):
        t.MME_TABLES.parse(doc, "NIH_HEAL_2025", path)


@pytest.mark.parametrize(
    ("days", "match"),
    [
        (0, "must be at least 1, got 0"),
        (7.5, "expected a whole number, got 7.5"),
        (True, "expected a whole number, got True"),
        ("7", "expected a whole number, got '7'"),
    ],
)
def test_patch_tolerant_days_is_a_whole_number(days: object, match: str) -> None:
    path = "opioid_methods/fentanyl_patch.toml"
    doc = parse_table(path)
    doc["patch"][0]["opioid_tolerant_days"] = days
    with pytest.raises(TableError, match=r"patch\[0\]\.opioid_tolerant_days: " + match):
        t._parse_patches(doc, path)


def test_parse_ratios_refuses_both_or_neither() -> None:
    path = "ratios/seed.toml"
    doc = _parsed("SEED", "opioid_ratios")
    doc["derived"] = _parsed("CDC_2022", "opioid_ratios")["derived"]
    with pytest.raises(TableError, match="either"):
        t.RATIO_TABLES.parse(doc, "SEED", path)
    doc = _parsed("SEED", "opioid_ratios")
    del doc["group"]
    with pytest.raises(TableError, match="either"):
        t.RATIO_TABLES.parse(doc, "SEED", path)
    derived = _parsed("CDC_2022", "opioid_ratios")
    derived["derived"]["alerts"] = ["no_such_alert"]
    with pytest.raises(TableError, match="No opioid alert"):
        t.RATIO_TABLES.parse(derived, "CDC_2022", "ratios/cdc_2022.toml")


@pytest.mark.parametrize(
    ("method_id", "change", "match"),
    [
        ("MSD_METHADONE", {"reduction": [0.9, 0.75]}, "least ≤ most"),
        ("MSD_METHADONE", {"reduction": [0.75, 1]}, "least ≤ most"),
        (
            "MSD_METHADONE",
            {"input": "oxycodone"},
            r"method\.input: expected one of \['oral morphine",
        ),
        ("MSD_METHADONE", {"output": "mL/h"}, r"method\.output: expected one of"),
        ("MSD_METHADONE", {"target_route": "mouth"}, r"method\.target_route: expected one of"),
        ("FENTANYL_2_TO_1", {"morphine_mg_per_day": None}, "both morphine_mg_per_day"),
        ("MSD_METHADONE", {"morphine_mg_per_day": 2}, "either dose"),
    ],
)
def test_parse_method_refusals(method_id: str, change: dict[str, Any], match: str) -> None:
    doc = _parsed(method_id, "opioid_method")
    for key, value in change.items():
        if value is None:
            doc["method"].pop(key)
        else:
            doc["method"][key] = value
    if "morphine_mg_per_day" in change and change["morphine_mg_per_day"] is not None:
        doc["method"]["per_mcg_per_h"] = 1
    with pytest.raises(TableError, match=match):
        t.METHODS.parse(doc, "X", table_info(method_id, kind="opioid_method").path)


def test_parse_method_structure() -> None:
    path = "opioid_methods/msd_methadone.toml"
    doc = _parsed("MSD_METHADONE", "opioid_method")
    del doc["method"]
    with pytest.raises(TableError, match="missing key 'method'"):
        t.METHODS.parse(doc, "X", path)
    doc = _parsed("MSD_METHADONE", "opioid_method")
    doc["band"][0] = {"from": 0, "below": 30, "strength": 2, "source": "provenance"}
    with pytest.raises(TableError, match="either 'ratio' or 'strength'"):
        t.METHODS.parse(doc, "X", path)


def test_parse_policy_and_alerts_and_patches() -> None:
    path = "thresholds/cdc_2016.toml"
    doc = _parsed("CDC_2016", "mme_thresholds")
    doc["level"][0]["severity"] = "urgent"
    with pytest.raises(TableError, match=r"level\[0\]\.severity: unknown severity 'urgent'"):
        t.THRESHOLD_POLICIES.parse(doc, "CDC_2016", path)
    alerts = _parsed("OPIOID_ALERTS", "opioid_alerts")
    alerts["alert"].append(alerts["alert"][0])
    with pytest.raises(TableError, match="defined twice"):
        t._parse_alerts(alerts, "mme/alerts.toml")
    path = "opioid_methods/fentanyl_patch.toml"
    patches = _parsed("FENTANYL_PATCH", "opioid_product")
    patches["patch"][0]["strengths"] = []
    with pytest.raises(TableError, match=r"patch\[0\]\.strengths: must not be empty"):
        t._parse_patches(patches, path)
    patches = _parsed("FENTANYL_PATCH", "opioid_product")
    patches["patch"][0]["strengths"][0] = {"mcg_per_h": 12}
    with pytest.raises(TableError, match=r"strengths\[0\]: missing key 'source'"):
        t._parse_patches(patches, path)
    patches = _parsed("FENTANYL_PATCH", "opioid_product")
    patches["patch"][0]["strengths"][0]["source"] = "nowhere"
    with pytest.raises(TableError, match=r"strengths\[0\]\.source: a source must be one of"):
        t._parse_patches(patches, path)


def test_member_with_several_forms_needs_a_form() -> None:
    source = rx.Provenance("X", "x", 2025, "x")
    members = tuple(
        t.RatioMember("fentanyl", frozenset({"buccal"}), frozenset({f}), Fraction(1), "mcg", "1")
        for f in ("buccal_tablet", "buccal_film")
    )
    group = t.RatioGroup("g", members, source)
    with pytest.raises(InputError, match="give a form"):
        t._member(group, "fentanyl", "buccal", None)
    assert t._member(group, "fentanyl", "buccal", "buccal_film") is members[1]


def test_a_route_the_table_lacks_names_the_tables_that_have_it() -> None:
    # CDC 2022 Table 1 lists oral factors only; ANZCA 2021 has parenteral hydromorphone.
    with pytest.raises(NoFactorError, match=r"covers oral \(give route= to choose\)") as info:
        rx.mme("hydromorphone", "1 mg", route="IV")
    assert "by the iv route: ANZCA_2021." in str(info.value)
    # The forms are named, so an oral lozenge table is not mistaken for a patch factor.
    with pytest.raises(NoFactorError, match=r"CDC_NDC_2018 \(lozenge, oral_spray\)"):
        rx.mme("fentanyl", "25 mcg/h")
