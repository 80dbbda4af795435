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
from painrx.interactions import DrugRule, Rule, default_rules
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
    "serotonergic_opioid_antidepressant": [("fda_dsc_2016_opioids", "label", None, None)],
    "tramadol_antidepressant": [("fda_dsc_2016_opioids", "label", None, None)],
    "serotonergic_opioid_maoi": [
        ("onc_2012", "consensus", None, None),
        ("fda_dsc_2016_opioids", "label", None, None),
    ],
    "fentanyl_methadone_maoi": [("onc_2012", "consensus", None, None)],
    "opioid_maoi": [("onc_2012", "consensus", None, None)],
    "methadone_qt": [("crediblemeds", "classification", None, None)],
    "acetaminophen_warfarin": [],
    "opioid_cyp2d6_inhibitor": [("cpic_2021", "guideline", None, None)],
    "buprenorphine_full_agonist": [("opioid_label", "label", None, None)],
    "opioid_antagonist_agonist": [("lybalvi_label", "label", None, None)],
    "ketorolac_anticoagulant": [("ketorolac_full_label", "label", None, None)],
    "ketorolac_lithium": [("nsaid_class_label", "label", None, None)],
    "serotonergic_opioid_triptan_trazodone": [("fda_dsc_2016_opioids", "label", None, None)],
    "serotonergic_opioid_5ht3_antagonist": [
        ("zofran_label", "label", None, None),
        ("fda_dsc_2016_opioids", "label", None, None),
    ],
    # UK Toradol SmPC §4.3 agrees with the US label's contraindications.
    "ketorolac_probenecid": [("toradol_smpc", "label", None, None)],
    "ketorolac_pentoxifylline": [("toradol_smpc", "label", None, None)],
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
    # Opioid labels §7 'Serotonergic drugs': "if concomitant use is warranted, carefully
    # observe" -> MODERATE for every drug of the row (docs: grading rule).
    "serotonergic_opioid_antidepressant": Severity.MODERATE,
    # Ultram §5 names SSRIs/SNRIs/TCAs for seizures too: one tier up (docs: grading rule).
    "tramadol_antidepressant": Severity.MAJOR,
    # Demerol, Ultram, Nucynta §4: MAOIs within 14 days contraindicated.
    "serotonergic_opioid_maoi": Severity.CONTRAINDICATED,
    # Duragesic, Dolophine §7: "not recommended".
    "fentanyl_methadone_maoi": Severity.MAJOR,
    "opioid_maoi": Severity.MAJOR,
    "methadone_qt": Severity.MAJOR,
    "acetaminophen_warfarin": Severity.MINOR,
    # Opioid labels' boxed warning: benzodiazepines "or other CNS depressants".
    "opioid_cns_depressant": Severity.MAJOR,
    # Boxed warning "Cytochrome P450 3A4 interaction" (OxyContin, Duragesic, Hysingla, Dolophine).
    "opioid_cyp3a4_strong_inhibitor": Severity.MAJOR,
    "opioid_cyp3a4_moderate_inhibitor": Severity.MODERATE,  # tier: painrx judgement (docs)
    "buprenorphine_cyp3a4_inhibitor": Severity.MODERATE,  # Butrans/Suboxone §7: monitor
    "opioid_cyp3a4_inducer": Severity.MODERATE,  # §7: monitor for withdrawal
    # Ultram and codeine labels: boxed warning on CYP450 interactions; §7 CYP3A4 rows.
    "codeine_tramadol_cyp3a4_strong_inhibitor": Severity.MAJOR,
    "codeine_tramadol_cyp3a4_moderate_inhibitor": Severity.MODERATE,
    "codeine_tramadol_cyp3a4_inducer": Severity.MODERATE,
    "tramadol_carbamazepine": Severity.MAJOR,  # Ultram §7: "not recommended"
    "opioid_cyp2d6_inhibitor": Severity.MODERATE,  # Ultram/codeine §7: reduced efficacy
    "hydrocodone_cyp2d6_inhibitor": Severity.MINOR,  # CPIC 2021: evidence too limited
    "serotonergic_opioid_triptan_trazodone": Severity.MODERATE,  # FDA 2016: observe carefully
    "serotonergic_opioid_5ht3_antagonist": Severity.MODERATE,  # same label row as triptans
    "partial_agonist_full_agonist": Severity.MAJOR,  # opioid labels §7: avoid
    "buprenorphine_full_agonist": Severity.MODERATE,  # Kohan 2021: continue, add, monitor
    "opioid_antagonist_agonist": Severity.CONTRAINDICATED,  # Vivitrol/naltrexone, Lybalvi §4
    "ketorolac_anticoagulant": Severity.CONTRAINDICATED,  # UK SmPC §4.3
    "nsaid_lithium": Severity.MODERATE,  # NSAID labels §7: monitor
    "ketorolac_lithium": Severity.CONTRAINDICATED,  # UK Toradol SmPC §4.3
    "ketorolac_probenecid": Severity.CONTRAINDICATED,  # US ketorolac label, contraindications
    "ketorolac_pentoxifylline": Severity.CONTRAINDICATED,  # US ketorolac label, contraindications
    "nsaid_methotrexate": Severity.MODERATE,  # NSAID labels §7: monitor
    "ssri_snri_anticoagulant": Severity.MODERATE,  # SSRI/SNRI labels §5
}

# Drug–condition rules: id -> (severity, trigger, source key), from the named document.
_DRUG_RULES = {
    "nsaid_ckd": (Severity.MAJOR, "ckd", "nsaid_class_label"),  # §5 renal toxicity
    "nsaid_gi_bleed_history": (Severity.MAJOR, "gi_bleed_history", "nsaid_class_label"),
    "nsaid_peptic_ulcer_history": (Severity.MAJOR, "peptic_ulcer_history", "nsaid_class_label"),
    "nsaid_heart_failure": (Severity.MAJOR, "heart_failure", "nsaid_class_label"),
    "nsaid_cabg": (Severity.CONTRAINDICATED, "recent_cabg", "nsaid_class_label"),  # boxed
    "nsaid_third_trimester": (Severity.MAJOR, "pregnancy_third_trimester", "nsaid_class_label"),
    "opioid_copd": (Severity.MODERATE, "copd", "opioid_label"),
    "opioid_sleep_apnoea": (Severity.MODERATE, "sleep_apnoea", "opioid_label"),
    "renally_cleared_opioid_ckd": (Severity.MODERATE, "ckd", "dean_2004"),
    "codeine_tramadol_child": (
        Severity.CONTRAINDICATED,
        "age < 12 years",
        "fda_dsc_2017_codeine_tramadol",
    ),
    "codeine_tramadol_ultrarapid": (Severity.MAJOR, "cyp2d6_ultrarapid_metaboliser", "cpic_2021"),
    "acetaminophen_liver_disease": (Severity.MINOR, "liver_disease", "fda_otc_apap"),
    "acetaminophen_alcohol": (Severity.MINOR, "alcohol_use", "fda_otc_apap"),
    "ketamine_hypertension": (
        Severity.CONTRAINDICATED,
        "uncontrolled_hypertension",
        "ketalar_label",
    ),
    "ketamine_psychosis": (Severity.MAJOR, "psychosis", "schwenk_2018"),
    "ketamine_pregnancy": (Severity.MAJOR, "pregnancy", "schwenk_2018"),
    "dexamethasone_infection": (Severity.MODERATE, "active_infection", "dexamethasone_label"),
    "dexamethasone_diabetes": (Severity.MODERATE, "diabetes", "dexamethasone_label"),
    "ketorolac_over_5_days": (Severity.MAJOR, "course > 5 day", "ketorolac_full_label"),
    # Ketorolac boxed warning: contraindicated with a history of peptic ulcer or GI bleeding.
    "ketorolac_gi_history": (
        Severity.CONTRAINDICATED,
        "gi_bleed_history or peptic_ulcer_history",
        "ketorolac_full_label",
    ),
    # Ketorolac boxed warning: advanced renal impairment, risk of renal failure from
    # volume depletion, labor and delivery.
    "ketorolac_renal": (
        Severity.CONTRAINDICATED,
        "advanced_ckd or volume_depletion",
        "ketorolac_full_label",
    ),
    "ketorolac_labour_delivery": (
        Severity.CONTRAINDICATED,
        "labour_and_delivery",
        "ketorolac_full_label",
    ),
}


def test_rule_ids_are_stable() -> None:
    assert [r.id for r in default_rules().rules] == list(_SEVERITY)


@pytest.mark.parametrize(("rule_id", "expected"), list(_DRUG_RULES.items()))
def test_drug_rules(rule_id: str, expected: tuple[Severity, str, str]) -> None:
    rules = {r.id: r for r in default_rules().drug_rules}
    rule = rules[rule_id]
    assert (rule.severity, rule.trigger, rule.source.id.split("/")[-1]) == expected


def test_drug_rule_ids_are_stable() -> None:
    assert [r.id for r in default_rules().drug_rules] == list(_DRUG_RULES)


def test_daily_maxima_from_labels() -> None:
    got = [
        (m.ingredient, m.max_daily, sorted(m.routes), m.severity, m.source.id.split("/")[-1])
        for m in default_rules().daily_maxima
    ]
    assert got == [
        ("ibuprofen", rx.Q("3200 mg/day"), ["oral"], Severity.MAJOR, "motrin_label"),
        ("meloxicam", rx.Q("15 mg/day"), ["oral"], Severity.MAJOR, "mobic_label"),
        ("ketorolac", rx.Q("40 mg/day"), ["oral"], Severity.MAJOR, "ketorolac_full_label"),
        ("ketorolac", rx.Q("120 mg/day"), ["im", "iv"], Severity.MAJOR, "ketorolac_full_label"),
        ("ketorolac", rx.Q("60 mg/day"), ["im", "iv"], Severity.MAJOR, "ketorolac_full_label"),
    ]
    reduced = default_rules().daily_maxima[-1]
    assert reduced.for_whom == "age >= 65 or weight < 50 kg or ckd"


def test_weight_based_acetaminophen_maximum() -> None:
    policy = default_rules().acetaminophen
    assert policy is not None
    # Ofirmev label §2.1: under 50 kg, at most 75 mg/kg/day from all routes.
    assert (policy.weight_below, policy.weight_daily) == (rx.Q("50 kg"), rx.Q("75 mg/kg"))
    assert policy.weight_severity == Severity.MAJOR
    assert policy.weight_source is not None
    assert policy.weight_source.id.endswith("ofirmev_label")


def test_duplicate_and_same_ingredient_policies() -> None:
    rules = default_rules()
    assert rules.duplicate is not None
    assert rules.same_ingredient is not None
    assert (rules.duplicate.severity, rules.duplicate.pattern_severity) == (
        Severity.MODERATE,
        Severity.INFO,
    )
    assert "naloxone" not in rules.duplicate.matches  # an antagonist is not a second opioid
    assert (rules.same_ingredient.severity, rules.same_ingredient.unquantified_severity) == (
        Severity.MINOR,
        Severity.MODERATE,
    )
    assert "aspirin" not in rules.same_ingredient.matches


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
    every: list[Rule | DrugRule] = [*default_rules().rules, *default_rules().drug_rules]
    floors = {r.id: r.floor for r in every}
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
