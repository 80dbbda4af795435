"""The seed care plan's data file: every number pinned to its source, every entry cited."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from painrx.errors import InputError, Severity
from painrx.pathways import FINDINGS, PAIN_SEVERITIES, parse_pain_severity
from painrx.pathways._data import PATH, pathway_data
from painrx.tables import TableError, sources_of
from painrx.units import Q

DATA = Path(__file__).resolve().parents[2] / "src" / "painrx" / "data" / PATH


def test_the_file_is_the_seed_article() -> None:
    data = pathway_data()
    assert data.source.id == "POST_INTERSTIM_REMOVAL_SEED_2025"
    assert "InterStim" in data.source.title
    assert data.source.year == 2025


# The seed article's six references, as it lists them (title fragment, year).
@pytest.mark.parametrize(
    ("key", "fragment", "year"),
    [
        ("ref1", "removal of tined lead", 2017),
        ("ref2", "sacroiliac joint", 2017),
        ("ref3", "spinal cord stimulator", 2019),
        ("ref4", "Guideline directed topic overview", 2025),
        ("ref5", "laminectomy", 2025),
        ("ref6", "hip disarticulation", 2025),
    ],
)
def test_seed_references(key: str, fragment: str, year: int) -> None:
    source = pathway_data().cite(key)
    assert fragment.lower() in source.title.lower()
    assert source.year == year


# interactions-tapers.md §1.1: the primary studies behind NSAID + anticoagulant (the seed's
# "2.5-fold" is unsourced and appears nowhere in the data).
@pytest.mark.parametrize(
    ("key", "figure"),
    [
        ("davidson_2014", "HR 2.37 (1.51-3.75)"),
        ("lamberts_2014", "HR 2.27 (2.15-2.40)"),
        ("petersen_2024", "HR 2.09 (1.67-2.62)"),
        ("kent_2018", "HR 1.68 (1.40-2.02)"),
    ],
)
def test_primary_bleeding_studies(key: str, figure: str) -> None:
    data = pathway_data()
    assert figure in data.cite(key).citation
    assert key in {e.id.split("/")[-1] for e in data.item("nsaid_withheld").evidence}
    assert not any("2.5-fold" in i.rationale for i in data.items)


# Golden values, each from the source named in the test id.
def test_severity_bands_from_the_contract() -> None:
    bands = [(b.category, b.low, b.high) for b in pathway_data().severity_bands]
    assert bands == [("mild", 1, 3), ("moderate", 4, 6), ("severe", 7, 10)]
    assert tuple(b[0] for b in bands) == PAIN_SEVERITIES


@pytest.mark.parametrize(
    ("score", "category"),
    [(1, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"), (7, "severe"), (10, "severe")],
)
def test_band_edges(score: int, category: str) -> None:
    assert parse_pain_severity(score) == (category, score)
    assert parse_pain_severity(float(score)) == (category, score)


@pytest.mark.parametrize(
    "bad", [0, -1, 11, 6.5, float("nan"), float("inf"), True, None, "7", "agony", "", [7]]
)
def test_bad_severities_are_refused(bad: object) -> None:
    with pytest.raises(InputError, match="pain_severity"):
        parse_pain_severity(bad)


def test_zero_is_refused_with_a_reason() -> None:
    with pytest.raises(InputError, match="no pain"):
        parse_pain_severity(0)


def test_category_names_are_case_insensitive() -> None:
    assert parse_pain_severity(" SEVERE ") == ("severe", None)


def test_adult_population() -> None:  # painrx scope decision: adult sources only
    data = pathway_data()
    assert data.adult_min_age_years == 18
    assert data.population_source.id.endswith("painrx_scope")


def test_acetaminophen_ladder() -> None:  # acetaminophen injection label §2.2
    data = pathway_data()
    assert data.acetaminophen_min_weight == Q("50 kg")
    steps = [(s.dose.m_as("mg"), s.frequency) for s in data.acetaminophen_steps]
    assert steps == [
        (1000.0, "q6h"),
        (1000.0, "q8h"),
        (650.0, "q6h"),
        (500.0, "q6h"),
        (325.0, "q6h"),
    ]
    # Every step stays inside the label: ≤ 1000 mg per dose, ≥ 4 h apart, ≤ 4000 mg/day.
    for step in data.acetaminophen_steps:
        assert step.dose <= Q("1000 mg")
        assert step.frequency in {"q4h", "q6h", "q8h"}


# The three label doses, as checked against public copies of the US labels (2026).
@pytest.mark.parametrize(
    ("key", "fragments"),
    [
        (
            "acetaminophen_label",
            (
                "no dose adjustment is required when converting between oral acetaminophen",
                "1000 mg every 6 hours or 650 mg every 4 hours",
                "maximum single dose 1000 mg",
                "minimum dosing interval 4 hours",
                "maximum 4000 mg per day",
                "50 kg or more",
            ),
        ),
        (
            "ibuprofen_label",
            ("400 mg every 4 to 6 hours as necessary", "do not exceed 3200 mg total daily dose"),
        ),
        ("oxycodone_label", ("5 to 15 mg every 4 to 6 hours as needed",)),
    ],
)
def test_label_citations(key: str, fragments: tuple[str, ...]) -> None:
    citation = pathway_data().cite(key).citation
    for fragment in fragments:
        assert fragment in citation


def test_nsaid_candidate() -> None:  # ibuprofen tablets label: 400 mg every 4-6 h
    data = pathway_data()
    assert data.nsaid["drug"] == "ibuprofen"
    assert data.nsaid_dose == Q("400 mg")
    assert data.nsaid["frequency"] == "q6h"
    assert data.nsaid_withhold_at is Severity.MAJOR


def test_dexamethasone() -> None:  # seed article: dexamethasone 8 mg IV perioperatively
    data = pathway_data()
    assert data.dexamethasone_dose == Q("8 mg")
    assert data.dexamethasone["route"] == "iv"


def test_oral_opioid() -> None:  # Roxicodone label: 5-15 mg every 4-6 h, start at the lowest
    data = pathway_data()
    assert data.opioid_oral_dose == Q("5 mg")
    assert data.opioid["oral_frequency"] == "q4h"
    assert data.opioid["oral_frequency_max"] == "q6h"
    assert data.opioid["oral_frequency_text"] == "every 4 to 6 hours as needed"
    assert data.opioid["ratios"] == "SEED"
    assert Q(data.opioid["iv_reference_dose"]) == Q("1 mg")


def test_ketamine_choice() -> None:  # ASHP Handbook on Injectable Drugs: prepared at 1 mg/mL
    data = pathway_data()
    assert Q(data.ketamine["concentration"]) == Q("1 mg/mL")
    assert data.ketamine["profile"] == "ketamine/perioperative_analgesia"


def test_taper_rate() -> None:  # Hyland 2023 Table 4: 20-25% every 1-2 days
    taper = pathway_data().taper
    assert taper["percent"] == 20
    assert taper["basis"] == "current"
    assert Q(taper["interval"]) == Q("1 day")
    assert taper["strengths"] == ("5 mg",)  # a read-only view of the data file
    # Hyland 2023: reduce the dose before lengthening the interval; stop within days (fewer
    # doses a day, then stop: not the chronic-pain every-other-day step).
    assert taper["equal_doses"] is False
    assert taper["final_step"] == "fewer_doses"
    # The smallest daily dose the strengths make (half a 5 mg tablet once a day).
    assert Q(taper["stop_at"]) == Q("2.5 mg/day")


def test_taper_duration_class() -> None:  # painrx tapers: 14 days or less is post-operative
    assert Q(pathway_data().taper["duration_of_use"]) == Q("14 day")


@pytest.mark.parametrize(
    ("key", "year"),
    [
        ("davidson_2014", 2014),
        ("lamberts_2014", 2014),
        ("petersen_2024", 2024),
        ("kent_2018", 2018),
        ("hl7_pddi", 2021),
        ("fletcher_2009", 2009),
        ("handbook_injectable", 2026),
        ("gomes_2017", 2017),
        ("fda_2019_gabapentinoids", 2019),
        ("hyland_2023", 2023),
        ("acetaminophen_label", 2020),
        ("fda_apap_2011", 2011),
        ("ibuprofen_label", 2021),
        ("oxycodone_label", 2023),
        ("wells_1997", 1997),
        ("painrx_contract", 2026),
        ("painrx_scope", 2026),
    ],
)
def test_source_years(key: str, year: int) -> None:
    assert pathway_data().cite(key).year == year


def test_discharge() -> None:  # seed: 5-7 days scheduled; referral beyond 2 weeks
    data = pathway_data()
    assert (data.discharge["scheduled_days_min"], data.discharge["scheduled_days_max"]) == (5, 7)
    assert data.referral_after == Q("2 week")


def test_findings_match_the_contract() -> None:
    data = pathway_data()
    assert tuple(data.findings) == FINDINGS
    expected = {
        "unilateral_swelling": ("venous_duplex",),
        "unilateral_pain": ("venous_duplex",),
        "leg_swelling": ("venous_duplex",),
        "calf_tenderness": ("venous_duplex",),
        "severe_pain": ("venous_duplex",),
        "refractory_pain": ("venous_duplex", "mri"),
        "progressive_neurological_deficit": ("mri",),
        "new_weakness": ("mri",),
        "saddle_anaesthesia": ("mri",),
        "fever": ("infection_review",),
        "wound_erythema": ("infection_review",),
    }
    assert {c: f.investigations for c, f in data.findings.items()} == expected
    moderate = {"fever", "wound_erythema"}
    for code, finding in data.findings.items():
        assert finding.severity is (Severity.MODERATE if code in moderate else Severity.MAJOR)
        # The seed article says nothing about infection: those codes cite the contract.
        contract = finding.source.id.endswith("painrx_contract")
        assert contract is (code in moderate)


def test_ketamine_is_for_severe_neuropathic_pain() -> None:  # seed: "severe neuropathic pain"
    assert pathway_data().item("ketamine").when == "severe_neuropathic"


def test_every_item_and_flag_cites_a_source() -> None:
    data = pathway_data()
    declared = set(sources_of(PATH).values())
    for item in data.items:
        assert item.source in declared
        assert set(item.evidence) <= declared
    for flag in data.red_flags:
        assert flag.source in declared
    for finding in data.findings.values():
        assert finding.source in declared


@pytest.mark.parametrize(
    ("section", "key", "value", "match"),
    [
        ("severity_bands", "high", 11, r"severity_bands\[0\]\.high: must be at most 10, got 11"),
        ("findings", "investigations", ["ct"], "investigations"),
        ("items", "evidence", ["nowhere"], "evidence"),
        ("items", "kind", "order", "kind"),
        ("items", "when", "sometimes", "sometimes"),
    ],
)
def test_each_validation_refuses(
    monkeypatch: pytest.MonkeyPatch, section: str, key: str, value: object, match: str
) -> None:
    import painrx.pathways._data as mod

    doc = tomllib.loads(DATA.read_text(encoding="utf-8"))
    doc[section][0][key] = value
    monkeypatch.setattr(mod, "read_table", lambda *_args, **_kw: doc)
    mod.pathway_data.cache_clear()
    try:
        with pytest.raises(TableError, match=match):
            mod.pathway_data()
    finally:
        monkeypatch.undo()
        mod.pathway_data.cache_clear()
