"""Golden values of the interaction data file: a changed number must fail here.

Each expected value is quoted from the source named beside it (through
references/interactions-tapers.md and the labels), not read back from the data file.
CIs not in the reference notes were checked against the published abstracts: Anglin
2014 (AJG 109:811, case-control studies), Tata 2005 (open.ac.uk record), Dreischulte
2015 (Kidney Int 88:396, adjusted rate ratios) and Lapi 2013 (BMJ 346:e8525, rate ratios).
"""

from __future__ import annotations

import pytest

import painrx as rx
from painrx.errors import Severity
from painrx.interactions import default_rules
from painrx.tables import read_table, tables

# rule id -> [(source key, measure, estimate, ci)]
_EVIDENCE: dict[str, list[tuple[str, str, float | None, tuple[float, float] | None]]] = {
    "nsaid_anticoagulant": [
        ("davidson_2014", "HR", 2.37, (1.51, 3.75)),  # major bleeding
        ("davidson_2014", "HR", 1.77, (1.46, 2.14)),  # clinically relevant bleeding
        ("lamberts_2014", "HR", 2.27, (2.15, 2.40)),
        ("petersen_2024", "HR", 2.09, (1.67, 2.62)),
        ("kent_2018", "HR", 1.68, (1.40, 2.02)),
        ("masclee_2014", "RERI", 2.4, None),
    ],
    "antiplatelet_anticoagulant": [],
    "nsaid_antiplatelet": [("schjerning_2015", "rate", 4.2, None)],
    "nsaid_ssri_snri": [
        ("anglin_2014", "OR", 1.66, (1.44, 1.92)),
        ("masclee_2014", "RERI", 1.6, None),
        ("tata_2005", "OR", 2.93, (2.25, 3.82)),
    ],
    "nsaid_corticosteroid": [
        ("masclee_2014", "IRR", 12.8, None),
        ("piper_1991", "RR", 4.4, None),
    ],
    "ketorolac_nsaid": [],
    "duplicate_nsaid": [],
    "ibuprofen_aspirin": [],
    "nsaid_raas": [("dreischulte_2015", "adjusted rate ratio", 1.60, (1.18, 2.17))],
    "nsaid_diuretic": [("dreischulte_2015", "adjusted rate ratio", 1.64, (1.17, 2.29))],
    "triple_whammy": [
        ("lapi_2013", "rate ratio", 1.31, (1.12, 1.53)),
        ("lapi_2013", "rate ratio", 1.82, (1.35, 2.46)),  # first 30 days
        ("dreischulte_2015", "adjusted rate ratio", 1.64, (1.25, 2.14)),
    ],
    "opioid_benzodiazepine": [("park_2015", "HR", 3.86, (3.49, 4.26))],
    "opioid_gabapentinoid": [
        ("gomes_2017", "adjusted OR", 1.49, (1.18, 1.88)),
        ("bykov_2020", "rate", 1.4, None),
    ],
    "serotonergic_opioid_antidepressant": [],
    "serotonergic_opioid_maoi": [("onc_2012", "consensus", None, None)],
    "opioid_maoi": [("onc_2012", "consensus", None, None)],
    "methadone_qt": [("crediblemeds", "classification", None, None)],
    "acetaminophen_warfarin": [],
}

_SEVERITY = {
    "nsaid_anticoagulant": Severity.MAJOR,
    "antiplatelet_anticoagulant": Severity.MAJOR,
    "nsaid_antiplatelet": Severity.MODERATE,
    "nsaid_ssri_snri": Severity.MODERATE,
    "nsaid_corticosteroid": Severity.MAJOR,
    "ketorolac_nsaid": Severity.CONTRAINDICATED,
    "duplicate_nsaid": Severity.MAJOR,
    "ibuprofen_aspirin": Severity.MODERATE,
    "nsaid_raas": Severity.MODERATE,
    "nsaid_diuretic": Severity.MODERATE,
    "triple_whammy": Severity.MAJOR,
    "opioid_benzodiazepine": Severity.MAJOR,
    "opioid_gabapentinoid": Severity.MODERATE,
    "serotonergic_opioid_antidepressant": Severity.MAJOR,
    "serotonergic_opioid_maoi": Severity.CONTRAINDICATED,
    "opioid_maoi": Severity.MAJOR,
    "methadone_qt": Severity.MAJOR,
    "acetaminophen_warfarin": Severity.MINOR,
}


def test_rule_ids_are_stable() -> None:
    assert [r.id for r in default_rules().rules] == list(_SEVERITY)


@pytest.mark.parametrize("rule_id", list(_EVIDENCE))
def test_evidence_values(rule_id: str) -> None:
    rule = next(r for r in default_rules().rules if r.id == rule_id)
    got = [(e.source.id.split("/")[-1], e.measure, e.estimate, e.ci) for e in rule.evidence]
    assert got == _EVIDENCE[rule_id]


@pytest.mark.parametrize(("rule_id", "severity"), list(_SEVERITY.items()))
def test_base_severities(rule_id: str, severity: Severity) -> None:
    rule = next(r for r in default_rules().rules if r.id == rule_id)
    assert rule.severity == severity


def test_modifier_thresholds() -> None:
    numbers = {
        (r.id, m.id): m.number
        for r in default_rules().rules
        for m in r.modifiers
        if m.number is not None
    }
    assert numbers == {
        ("nsaid_anticoagulant", "age_over_65"): 65.0,  # HL7 PDDI: age > 65
        ("nsaid_anticoagulant", "multiple_nsaids"): 2.0,
        ("nsaid_antiplatelet", "dual_antiplatelet"): 2.0,
        ("opioid_gabapentinoid", "age_65_or_over"): 65.0,  # reference §1.2: age >= 65
    }
    amounts = [
        (r.id, m.id, m.amount)
        for r in default_rules().rules
        for m in r.modifiers
        if m.amount is not None
    ]
    assert amounts == [("acetaminophen_warfarin", "acetaminophen_over_2g", rx.Q("2 g/day"))]
    steps = {
        (r.id, m.id): m.steps for r in default_rules().rules for m in r.modifiers if m.steps != 1
    }
    assert steps == {("nsaid_corticosteroid", "single_dose_corticosteroid"): 2}


def test_modifier_targets_and_floors() -> None:
    targets = {
        (r.id, m.id): (m.effect, m.to)
        for r in default_rules().rules
        for m in r.modifiers
        if m.effect == "cap"
    }
    assert targets[("nsaid_anticoagulant", "topical_nsaid")] == ("cap", Severity.INFO)
    assert targets[("ketorolac_nsaid", "topical_nsaid")] == ("cap", Severity.MODERATE)
    assert targets[("duplicate_nsaid", "topical_nsaid")] == ("cap", Severity.MINOR)
    raises = {
        (r.id, m.id): m.to
        for r in default_rules().rules
        for m in r.modifiers
        if m.effect == "raise"
    }
    assert raises[("nsaid_anticoagulant", "therapeutic_anticoagulant")] == Severity.MAJOR
    assert raises[("acetaminophen_warfarin", "acetaminophen_over_2g")] == Severity.MODERATE
    assert set(raises.values()) <= {Severity.MAJOR, Severity.MODERATE}
    floors = {r.id: r.floor for r in default_rules().rules}
    assert set(floors.values()) == {Severity.MINOR}


def test_intensity_regimens_from_labels() -> None:
    got = [
        (r.ingredient, r.dose, r.doses_per_day, r.intensity, r.source.id.split("/")[-1])
        for r in default_rules().intensity
    ]
    assert got == [
        ("enoxaparin", rx.Q("40 mg"), 1.0, "prophylactic", "lovenox_label"),
        ("enoxaparin", rx.Q("30 mg"), 2.0, "prophylactic", "lovenox_label"),
        ("enoxaparin", rx.Q("30 mg"), 1.0, "prophylactic", "lovenox_label"),
        ("rivaroxaban", rx.Q("10 mg"), 1.0, "prophylactic", "xarelto_label"),
        ("dabigatran", rx.Q("220 mg"), 1.0, "prophylactic", "pradaxa_label"),
        ("fondaparinux", rx.Q("2.5 mg"), 1.0, "prophylactic", "arixtra_label"),
        ("apixaban", rx.Q("2.5 mg"), 2.0, "ambiguous", "eliquis_label"),
    ]


def test_acetaminophen_policy() -> None:
    policy = default_rules().acetaminophen
    assert policy is not None
    assert policy.max_daily == rx.Q("4 g/day")  # FDA 2011: most injury above 4,000 mg/day
    assert policy.lower_daily == rx.Q("3 g/day")  # painrx judgement (reference §1.2)
    assert policy.lower_age_at_least == 65.0
    assert policy.lower_conditions == frozenset({"liver_disease", "alcohol_use"})
    assert (policy.max_severity, policy.lower_severity) == (Severity.MAJOR, Severity.MODERATE)
    assert (policy.multiple_severity, policy.multiple_unquantified_severity) == (
        Severity.MINOR,
        Severity.MODERATE,
    )
    assert policy.max_source.year == 2011


def test_provenance_and_listing() -> None:
    doc = read_table("PAINRX_DDI_2026_1")
    assert doc["provenance"]["id"] == "PAINRX_DDI_2026_1"
    assert [t.id for t in tables("interaction_rules")] == ["PAINRX_DDI_2026_1"]
    years = {k: v["year"] for k, v in doc["sources"].items()}
    assert years["davidson_2014"] == 2014
    assert years["petersen_2024"] == 2024
    assert years["park_2015"] == 2015
    assert years["fda_dsc_2016_opioid_bzd"] == 2016
    assert years["fda_dsc_2019_gabapentinoids"] == 2019
