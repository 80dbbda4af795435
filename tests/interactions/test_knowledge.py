"""Issue 14's rules, golden case by golden case, each with its source in the test id.

A golden case is a list (and a patient) with the rule it must fire, the drugs and the
severity the named document gives; a control is a list that must stay quiet (nothing
at MODERATE or above), so new rules do not bury the real warnings.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import painrx as rx
from painrx import catalog
from painrx.errors import InputError, Severity
from painrx.interactions import (
    CONDITION_TERMS,
    CONDITIONS,
    DrugRule,
    Medication,
    Patient,
    Rule,
    RuleSet,
    check_interactions,
    default_rules,
)
from painrx.tables import TableError, read_table

CI = Severity.CONTRAINDICATED
MAJOR, MODERATE, MINOR, INFO = Severity.MAJOR, Severity.MODERATE, Severity.MINOR, Severity.INFO
M = Medication


def _found(meds: Sequence[str | Medication], patient: Patient | None = None) -> dict[str, Severity]:
    report = check_interactions(meds, patient=patient)
    found: dict[str, Severity] = {}
    for f in report.findings:
        found[f.rule_id] = max(f.severity, found.get(f.rule_id, f.severity))
    return found


# (id with the source, list, patient, rule, drugs, severity)
_PAIRS = [
    # FDA 2016 boxed warning: opioids with benzodiazepines or other CNS depressants.
    (
        "opioid_label-zdrug",
        ["oxycodone", "zolpidem"],
        "opioid_cns_depressant",
        ("oxycodone", "zolpidem"),
        MAJOR,
    ),
    (
        "opioid_label-muscle_relaxant",
        ["Norco", "cyclobenzaprine"],
        "opioid_cns_depressant",
        ("hydrocodone", "cyclobenzaprine"),
        MAJOR,
    ),
    (
        "opioid_label-antihistamine",
        ["morphine", "diphenhydramine"],
        "opioid_cns_depressant",
        ("morphine", "diphenhydramine"),
        MAJOR,
    ),
    (
        "opioid_label-antipsychotic",
        ["hydromorphone", "haloperidol"],
        "opioid_cns_depressant",
        ("hydromorphone", "haloperidol"),
        MAJOR,
    ),
    (
        "opioid_label-barbiturate",
        ["tramadol", "phenobarbital"],
        "opioid_cns_depressant",
        ("tramadol", "phenobarbital"),
        MAJOR,
    ),
    (
        "fda_dsc_2016-benzodiazepine",
        ["oxycodone", "lorazepam"],
        "opioid_benzodiazepine",
        ("oxycodone", "lorazepam"),
        MAJOR,
    ),
    # Boxed warning "Cytochrome P450 3A4 interaction" (OxyContin, Duragesic, Hysingla ER, Dolophine).
    (
        "oxycontin_label-clarithromycin",
        ["oxycodone", "clarithromycin"],
        "opioid_cyp3a4_strong_inhibitor",
        ("oxycodone", "clarithromycin"),
        MAJOR,
    ),
    (
        "duragesic_label-clarithromycin",
        ["Duragesic", "clarithromycin"],
        "opioid_cyp3a4_strong_inhibitor",
        ("fentanyl", "clarithromycin"),
        MAJOR,
    ),
    (
        "dolophine_label-diltiazem",
        ["methadone", "diltiazem"],
        "opioid_cyp3a4_moderate_inhibitor",
        ("methadone", "diltiazem"),
        MODERATE,
    ),
    (
        "hysingla_label-rifampin",
        ["hydrocodone", "rifampin"],
        "opioid_cyp3a4_inducer",
        ("hydrocodone", "rifampin"),
        MODERATE,
    ),
    (
        "suboxone_label-clarithromycin",
        ["buprenorphine", "clarithromycin"],
        "buprenorphine_cyp3a4_inhibitor",
        ("buprenorphine", "clarithromycin"),
        MODERATE,
    ),
    (
        "butrans_label-phenobarbital",
        ["buprenorphine", "phenobarbital"],
        "opioid_cyp3a4_inducer",
        ("buprenorphine", "phenobarbital"),
        MODERATE,
    ),
    # Codeine and Ultram labels §7; CPIC 2021 for hydrocodone.
    (
        "codeine_label-fluoxetine",
        ["codeine", "fluoxetine"],
        "opioid_cyp2d6_inhibitor",
        ("codeine", "fluoxetine"),
        MODERATE,
    ),
    (
        "ultram_label-bupropion",
        ["tramadol", "bupropion"],
        "opioid_cyp2d6_inhibitor",
        ("tramadol", "bupropion"),
        MODERATE,
    ),
    (
        "cpic_2021-hydrocodone_paroxetine",
        ["hydrocodone", "paroxetine"],
        "hydrocodone_cyp2d6_inhibitor",
        ("hydrocodone", "paroxetine"),
        MINOR,
    ),
    # FDA DSC 22 March 2016 and the opioid labels' §7 'Serotonergic drugs' row: "if
    # concomitant use is warranted, carefully observe" -> MODERATE for every drug of the
    # row; Ultram §5 also names SSRIs, SNRIs, TCAs and cyclobenzaprine for seizures -> MAJOR.
    (
        "ultram_label-tramadol_sertraline",
        ["tramadol", "sertraline"],
        "tramadol_antidepressant",
        ("tramadol", "sertraline"),
        MAJOR,
    ),
    (
        "ultram_label-tramadol_amitriptyline",
        ["tramadol", "amitriptyline"],
        "tramadol_antidepressant",
        ("tramadol", "amitriptyline"),
        MAJOR,
    ),
    (
        "ultram_label-tramadol_cyclobenzaprine",
        ["tramadol", "cyclobenzaprine"],
        "tramadol_antidepressant",
        ("tramadol", "cyclobenzaprine"),
        MAJOR,
    ),
    (
        "nucynta_label-tapentadol_duloxetine",
        ["tapentadol", "duloxetine"],
        "serotonergic_opioid_antidepressant",
        ("tapentadol", "duloxetine"),
        MODERATE,
    ),
    (
        "demerol_label-meperidine_amitriptyline",
        ["meperidine", "amitriptyline"],
        "serotonergic_opioid_antidepressant",
        ("meperidine", "amitriptyline"),
        MODERATE,
    ),
    (
        "duragesic_label-fentanyl_sertraline",
        ["fentanyl", "sertraline"],
        "serotonergic_opioid_antidepressant",
        ("fentanyl", "sertraline"),
        MODERATE,
    ),
    (
        "opioid_serotonergic_label-fentanyl_cyclobenzaprine",
        ["fentanyl", "cyclobenzaprine"],
        "serotonergic_opioid_triptan_trazodone",
        ("fentanyl", "cyclobenzaprine"),
        MODERATE,
    ),
    (
        "opioid_serotonergic_label-tapentadol_metaxalone",
        ["tapentadol", "metaxalone"],
        "serotonergic_opioid_triptan_trazodone",
        ("tapentadol", "metaxalone"),
        MODERATE,
    ),
    # FDA DSC 2016 and the labels list 5-HT3 antagonists in the same row (Zofran §5 too).
    (
        "zofran_label-fentanyl_ondansetron",
        ["fentanyl", "ondansetron"],
        "serotonergic_opioid_5ht3_antagonist",
        ("fentanyl", "ondansetron"),
        MODERATE,
    ),
    (
        "zofran_label-tramadol_granisetron",
        ["tramadol", "granisetron"],
        "serotonergic_opioid_5ht3_antagonist",
        ("tramadol", "granisetron"),
        MODERATE,
    ),
    (
        "fda_dsc_2016-methadone_sumatriptan",
        ["methadone", "sumatriptan"],
        "serotonergic_opioid_triptan_trazodone",
        ("methadone", "sumatriptan"),
        MODERATE,
    ),
    (
        "opioid_label-tramadol_trazodone",
        ["tramadol", "trazodone"],
        "serotonergic_opioid_triptan_trazodone",
        ("tramadol", "trazodone"),
        MODERATE,
    ),
    (
        "naltrexone_label-oxycodone",
        ["naltrexone", "oxycodone"],
        "opioid_antagonist_agonist",
        ("naltrexone", "oxycodone"),
        CI,
    ),
    (
        "naltrexone_label-buprenorphine",
        ["Vivitrol", "buprenorphine"],
        "opioid_antagonist_agonist",
        ("naltrexone", "buprenorphine"),
        CI,
    ),
    (
        "lybalvi_label-morphine",
        ["Lybalvi", "morphine"],
        "opioid_antagonist_agonist",
        ("samidorphan", "morphine"),
        CI,
    ),
    (
        "duragesic_label-fentanyl_linezolid",
        ["fentanyl", "linezolid"],
        "fentanyl_methadone_maoi",
        ("fentanyl", "linezolid"),
        MAJOR,
    ),
    (
        "fda_dsc_2016-tramadol_phenelzine",
        ["tramadol", "phenelzine"],
        "serotonergic_opioid_maoi",
        ("tramadol", "phenelzine"),
        CI,
    ),
    # Kohan 2021 (buprenorphine perioperative); opioid labels §7 (mixed agonist-antagonists).
    (
        "kohan_2021-suboxone_oxycodone",
        ["Suboxone", "oxycodone"],
        "buprenorphine_full_agonist",
        ("buprenorphine", "oxycodone"),
        MODERATE,
    ),
    (
        "opioid_label-pentazocine_morphine",
        ["pentazocine", "morphine"],
        "partial_agonist_full_agonist",
        ("pentazocine", "morphine"),
        MAJOR,
    ),
    # Ketorolac label boxed warning; UK SmPC §4.3.
    (
        "ketorolac_label-ibuprofen",
        ["ketorolac", "ibuprofen"],
        "ketorolac_nsaid",
        ("ketorolac", "ibuprofen"),
        CI,
    ),
    (
        "ketorolac_label-aspirin",
        ["ketorolac", "aspirin"],
        "ketorolac_nsaid",
        ("ketorolac", "aspirin"),
        CI,
    ),
    (
        "toradol_smpc-warfarin",
        ["Toradol", "warfarin"],
        "ketorolac_anticoagulant",
        ("ketorolac", "warfarin"),
        CI,
    ),
    # Clinical review: CredibleMeds 'Known Risk of TdP' members the catalog had missed.
    *(
        (
            f"crediblemeds-methadone_{drug}",
            ["methadone", drug],
            "methadone_qt",
            ("methadone", drug),
            MAJOR,
        )
        for drug in ("donepezil", "hydroxychloroquine", "cilostazol")
    ),
    # Clinical review: the FDA table's moderate CYP3A inhibitors (fluvoxamine,
    # ciprofloxacin) and moderate inducers (phenobarbital, primidone) with the opioid labels.
    (
        "fda_ddi_table-oxycodone_fluvoxamine",
        ["oxycodone", "fluvoxamine"],
        "opioid_cyp3a4_moderate_inhibitor",
        ("oxycodone", "fluvoxamine"),
        MODERATE,
    ),
    (
        "fda_ddi_table-fentanyl_ciprofloxacin",
        ["fentanyl", "ciprofloxacin"],
        "opioid_cyp3a4_moderate_inhibitor",
        ("fentanyl", "ciprofloxacin"),
        MODERATE,
    ),
    (
        "fda_ddi_table-methadone_phenobarbital",
        ["methadone", "phenobarbital"],
        "opioid_cyp3a4_inducer",
        ("methadone", "phenobarbital"),
        MODERATE,
    ),
    (
        "fda_ddi_table-oxycodone_primidone",
        ["oxycodone", "primidone"],
        "opioid_cyp3a4_inducer",
        ("oxycodone", "primidone"),
        MODERATE,
    ),
    # Ultram and codeine labels: boxed warning 'Interactions with drugs affecting
    # cytochrome P450 isoenzymes', §7 CYP3A4 inhibitors and inducers.
    (
        "codeine_label-clarithromycin",
        ["codeine", "clarithromycin"],
        "codeine_tramadol_cyp3a4_strong_inhibitor",
        ("codeine", "clarithromycin"),
        MAJOR,
    ),
    (
        "ultram_label-ketoconazole",
        ["tramadol", "ketoconazole"],
        "codeine_tramadol_cyp3a4_strong_inhibitor",
        ("tramadol", "ketoconazole"),
        MAJOR,
    ),
    (
        "tylenol_codeine_label-erythromycin",
        ["Tylenol with codeine", "erythromycin"],
        "codeine_tramadol_cyp3a4_moderate_inhibitor",
        ("codeine", "erythromycin"),
        MODERATE,
    ),
    (
        "ultram_label-diltiazem",
        ["tramadol", "diltiazem"],
        "codeine_tramadol_cyp3a4_moderate_inhibitor",
        ("tramadol", "diltiazem"),
        MODERATE,
    ),
    (
        "codeine_label-rifampin",
        ["codeine", "rifampin"],
        "codeine_tramadol_cyp3a4_inducer",
        ("codeine", "rifampin"),
        MODERATE,
    ),
    (
        "ultram_label-phenytoin",
        ["tramadol", "phenytoin"],
        "codeine_tramadol_cyp3a4_inducer",
        ("tramadol", "phenytoin"),
        MODERATE,
    ),
    (
        "ultram_label-carbamazepine_not_recommended",
        ["tramadol", "carbamazepine"],
        "tramadol_carbamazepine",
        ("tramadol", "carbamazepine"),
        MAJOR,
    ),
    (
        "codeine_label-carbamazepine",
        ["codeine", "carbamazepine"],
        "codeine_tramadol_cyp3a4_inducer",
        ("codeine", "carbamazepine"),
        MODERATE,
    ),
    # US ketorolac label, Contraindications (UK SmPC §4.3 agrees).
    (
        "ketorolac_label-probenecid",
        ["ketorolac", "probenecid"],
        "ketorolac_probenecid",
        ("ketorolac", "probenecid"),
        CI,
    ),
    (
        "ketorolac_label-oxpentifylline",
        ["Toradol", "oxpentifylline"],
        "ketorolac_pentoxifylline",
        ("ketorolac", "pentoxifylline"),
        CI,
    ),
    (
        "fda_ddi_table-codeine_bupropion",
        ["codeine", "bupropion"],
        "opioid_cyp2d6_inhibitor",
        ("codeine", "bupropion"),
        MODERATE,
    ),
    # NSAID class labeling §7; SSRI/SNRI labeling §5.
    (
        "nsaid_class_label-lithium",
        ["naproxen", "lithium"],
        "nsaid_lithium",
        ("naproxen", "lithium"),
        MODERATE,
    ),
    # UK Toradol SmPC §4.3 (clinical review): ketorolac with lithium is contraindicated.
    (
        "toradol_smpc-lithium",
        ["ketorolac", "lithium"],
        "ketorolac_lithium",
        ("ketorolac", "lithium"),
        CI,
    ),
    (
        "nsaid_class_label-methotrexate",
        ["ibuprofen", "methotrexate"],
        "nsaid_methotrexate",
        ("ibuprofen", "methotrexate"),
        MODERATE,
    ),
    (
        "ssri_label-sertraline_apixaban",
        ["sertraline", "Eliquis 5mg"],
        "ssri_snri_anticoagulant",
        ("sertraline", "apixaban"),
        MODERATE,
    ),
    (
        "ssri_label-venlafaxine_warfarin",
        ["venlafaxine", "warfarin"],
        "ssri_snri_anticoagulant",
        ("venlafaxine", "warfarin"),
        MODERATE,
    ),
]


@pytest.mark.parametrize(
    ("meds", "rule", "drugs", "severity"),
    [pytest.param(*case[1:], id=case[0]) for case in _PAIRS],
)
def test_interaction_rules(
    meds: list[str], rule: str, drugs: tuple[str, ...], severity: Severity
) -> None:
    report = check_interactions(meds)
    found = {(f.rule_id, f.drugs): f for f in report.findings}
    assert found[rule, drugs].severity == severity, report.findings
    assert report.complete


@pytest.mark.parametrize("anticoagulant", sorted(catalog.members("anticoagulant")))
def test_ketorolac_with_every_anticoagulant_is_contraindicated_toradol_smpc(
    anticoagulant: str,
) -> None:
    report = check_interactions(["ketorolac", anticoagulant])
    assert report.severity_of("ketorolac_anticoagulant") == CI
    assert report.severity_of("nsaid_anticoagulant") is None  # superseded


def test_ketorolac_prophylactic_enoxaparin_and_a_ppi_stay_contraindicated_toradol_smpc() -> None:
    # Issue 14: rated MODERATE, and MINOR with omeprazole, before; the UK SmPC
    # contraindicates low-dose heparin, and a PPI does not lower the bleeding risk.
    meds: list[str | Medication] = [
        M("enoxaparin", dose="40 mg", frequency="daily"),
        "ketorolac",
        "omeprazole",
    ]
    finding = check_interactions(meds).findings[0]
    assert (finding.rule_id, finding.severity, finding.modifiers) == (
        "ketorolac_anticoagulant",
        CI,
        (),
    )


def test_ketorolac_lithium_supersedes_nsaid_lithium_toradol_smpc() -> None:
    assert _found(["ketorolac", "lithium"]) == {"ketorolac_lithium": CI}
    # Another NSAID keeps the US class rule (monitor lithium).
    assert _found(["naproxen", "lithium"]) == {"nsaid_lithium": MODERATE}


# --- serotonin syndrome and MAO inhibitors, opioid by opioid -------------------------

# Each serotonergic opioid with an MAO inhibitor: the rule and level its own label gives.
_MAOI_BY_OPIOID = [
    # Demerol §4: MAOIs now or within 14 days contraindicated.
    pytest.param("meperidine", "serotonergic_opioid_maoi", CI, id="demerol_label-meperidine"),
    # Ultram §4: the same.
    pytest.param("tramadol", "serotonergic_opioid_maoi", CI, id="ultram_label-tramadol"),
    # Nucynta §4: the same.
    pytest.param("tapentadol", "serotonergic_opioid_maoi", CI, id="nucynta_label-tapentadol"),
    # Duragesic §7: "not recommended".
    pytest.param("fentanyl", "fentanyl_methadone_maoi", MAJOR, id="duragesic_label-fentanyl"),
    # Dolophine §7: "not recommended".
    pytest.param("methadone", "fentanyl_methadone_maoi", MAJOR, id="dolophine_label-methadone"),
]


@pytest.mark.parametrize(("opioid", "rule", "severity"), _MAOI_BY_OPIOID)
@pytest.mark.parametrize("maoi", sorted(catalog.members("maoi")))
def test_each_serotonergic_opioid_gets_its_labels_maoi_level(
    opioid: str, rule: str, severity: Severity, maoi: str
) -> None:
    report = check_interactions([opioid, maoi])
    assert [(f.rule_id, f.severity) for f in report.findings] == [(rule, severity)]
    message = report.findings[0].message
    assert "14 days" in message
    expected = "contraindicated" if severity == CI else "not recommended"
    assert expected in message


def test_every_serotonergic_opioid_has_one_maoi_level() -> None:
    # A serotonergic opioid added to the catalog must be given its label's level here.
    rules = {r.id: r for r in default_rules().rules}
    contraindicated = rules["serotonergic_opioid_maoi"].members[0].matches
    not_recommended = rules["fentanyl_methadone_maoi"].members[0].matches
    assert not contraindicated & not_recommended
    assert contraindicated | not_recommended == catalog.members("serotonergic_opioid")
    assert {p.values[0] for p in _MAOI_BY_OPIOID} == catalog.members("serotonergic_opioid")


def test_other_opioids_with_an_maoi_stay_major_fda_dsc_2016() -> None:
    assert _found(["oxycodone", "phenelzine"]) == {"opioid_maoi": MAJOR}


# The opioid labels' 'Serotonergic drugs' row gives one instruction for all of these.
_SEROTONERGIC_ROW = sorted(
    catalog.members("ssri")
    | catalog.members("snri")
    | catalog.members("tca")
    | catalog.members("triptan")
    | {"trazodone", "mirtazapine", "cyclobenzaprine", "metaxalone"}
    | {"ondansetron", "granisetron", "palonosetron"}
)
# Ultram §5 'Risk of seizure' names these as well: one tier up (docs: grading rule).
_TRAMADOL_SEIZURE = (
    catalog.members("ssri") | catalog.members("snri") | catalog.members("tca") | {"cyclobenzaprine"}
)


def _serotonin_tier(meds: Sequence[str | Medication]) -> Severity | None:
    tiers = [
        f.severity for f in check_interactions(meds).findings if "serotonin_syndrome" in f.tags
    ]
    return max(tiers, default=None)


@settings(max_examples=60)
@given(
    opioid=st.sampled_from(sorted(catalog.members("serotonergic_opioid"))),
    drug=st.sampled_from(_SEROTONERGIC_ROW),
)
def test_one_label_wording_one_tier_opioid_serotonergic_label(opioid: str, drug: str) -> None:
    expected = MAJOR if opioid == "tramadol" and drug in _TRAMADOL_SEIZURE else MODERATE
    assert _serotonin_tier([opioid, drug]) == expected


@pytest.mark.parametrize("drug", ["sertraline", "sumatriptan", "trazodone", "ondansetron"])
def test_a_non_serotonergic_opioid_has_no_serotonin_finding(drug: str) -> None:
    assert _serotonin_tier(["oxycodone", drug]) is None


def test_one_antiemetic_dose_is_lowered_painrx_judgement() -> None:
    single = M("ondansetron", dose="4 mg", route="iv")
    report = check_interactions(["tramadol", single])
    finding = next(f for f in report.findings if f.rule_id == "serotonergic_opioid_5ht3_antagonist")
    assert finding.severity == MINOR
    assert [m.id for m in finding.modifiers] == ["single_dose_antiemetic"]
    scheduled = M("ondansetron", dose="4 mg", frequency="q8h", route="iv")
    assert _found(["tramadol", scheduled])["serotonergic_opioid_5ht3_antagonist"] == MODERATE


def test_tramadol_message_names_both_label_risks_ultram_label() -> None:
    finding = check_interactions(["tramadol", "sertraline"]).findings[0]
    assert finding.rule_id == "tramadol_antidepressant"
    assert "serotonin syndrome" in finding.message
    assert "seizures" in finding.message


# --- codeine and tramadol with CYP3A4 inhibitors and inducers ------------------------


@pytest.mark.parametrize(
    ("opioid", "metabolite"),
    [("codeine", "morphine"), ("tramadol", "O-desmethyltramadol")],
)
def test_cyp3a4_inhibitor_message_says_what_the_label_says(opioid: str, metabolite: str) -> None:
    # Codeine and Ultram labels §7: more parent drug, more CYP2D6 metabolism, more metabolite.
    finding = check_interactions([opioid, "clarithromycin"]).findings[0]
    assert finding.rule_id == "codeine_tramadol_cyp3a4_strong_inhibitor"
    assert finding.drugs == (opioid, "clarithromycin")
    for part in ("raises codeine or tramadol concentrations", "CYP2D6", metabolite):
        assert part in finding.message
    assert "respiratory depression" in finding.message


def test_cyp3a4_and_cyp2d6_inhibitors_together_give_both_findings_ultram_label() -> None:
    found = _found(["tramadol", "clarithromycin", "paroxetine"])
    assert found["codeine_tramadol_cyp3a4_strong_inhibitor"] == MAJOR
    assert found["opioid_cyp2d6_inhibitor"] == MODERATE
    assert found["tramadol_antidepressant"] == MAJOR


def test_carbamazepine_replaces_the_inducer_finding_for_tramadol_only() -> None:
    assert _found(["tramadol", "carbamazepine"]) == {"tramadol_carbamazepine": MAJOR}
    assert _found(["codeine", "carbamazepine"]) == {"codeine_tramadol_cyp3a4_inducer": MODERATE}


def test_the_other_cyp3a4_opioids_keep_their_rules_opioid_cyp3a4_labels() -> None:
    assert _found(["oxycodone", "clarithromycin"]) == {"opioid_cyp3a4_strong_inhibitor": MAJOR}
    assert "codeine_tramadol_cyp3a4_strong_inhibitor" not in _found(["morphine", "clarithromycin"])


# --- ketorolac contraindications ----------------------------------------------------


@pytest.mark.parametrize(
    ("other", "rule", "part"),
    [
        ("probenecid", "ketorolac_probenecid", "clearance"),
        ("pentoxifylline", "ketorolac_pentoxifylline", "bleed"),
    ],
)
def test_ketorolac_label_contraindicated_pairs(other: str, rule: str, part: str) -> None:
    finding = check_interactions(["ketorolac", other]).findings[0]
    assert (finding.rule_id, finding.severity) == (rule, CI)
    assert part in finding.message
    assert "contraindicates" in finding.message
    # Another NSAID has no such rule, and ophthalmic ketorolac is not the systemic use.
    assert _found(["ibuprofen", other]) == {}
    assert _found([M("ketorolac", route="topical"), other]) == {rule: MINOR}


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        # CKD of unstated stage: the NSAID class rule, not the boxed contraindication.
        (["ckd"], {"nsaid_ckd": MAJOR}),
        (["advanced_ckd"], {"ketorolac_renal": CI}),
        (["volume_depletion"], {"ketorolac_renal": CI}),
        (["ckd", "volume_depletion"], {"ketorolac_renal": CI}),
    ],
)
def test_ketorolac_renal_contraindication_ketorolac_full_label(
    conditions: list[str], expected: dict[str, Severity]
) -> None:
    assert _found(["ketorolac"], Patient(conditions=conditions)) == expected


def test_advanced_ckd_is_ckd_for_the_other_rules() -> None:
    patient = Patient(conditions=["advanced_ckd"])
    assert patient.conditions == ("advanced_ckd", "ckd")
    assert _found(["naproxen"], patient) == {"nsaid_ckd": MAJOR}
    assert _found(["morphine"], patient) == {"renally_cleared_opioid_ckd": MODERATE}


def test_labour_is_pregnancy_and_leaves_other_nsaids_to_their_rules() -> None:
    labour = Patient(conditions=["labour_and_delivery"])
    assert labour.conditions == ("labour_and_delivery", "pregnancy")
    assert _found(["ketorolac"], labour) == {"ketorolac_labour_delivery": CI}
    assert _found(["ibuprofen"], labour) == {}
    finding = check_interactions(["ketorolac"], patient=labour).findings[0]
    assert "uterine contractions" in finding.message


def test_ophthalmic_ketorolac_is_capped() -> None:
    report = check_interactions([M("ketorolac", route="topical"), "warfarin"])
    assert report.severity_of("ketorolac_anticoagulant") == MODERATE


# --- duplicate therapy --------------------------------------------------------------


def test_two_opioids_are_duplicate_therapy_opioid_label() -> None:
    finding = check_interactions(["oxycodone", "hydromorphone"]).findings[0]
    assert (finding.rule_id, finding.drugs, finding.severity) == (
        "duplicate_opioid",
        ("hydromorphone", "oxycodone"),
        MODERATE,
    )


@pytest.mark.parametrize(
    "meds",
    [
        ["OxyContin", "oxycodone"],
        ["OxyContin", "Percocet"],
        ["Duragesic", "hydromorphone"],
        [M("morphine", route="transdermal"), "oxycodone"],
        ["oxycodone ER 20 mg", "oxycodone 5 mg"],
    ],
)
def test_long_acting_with_breakthrough_is_a_named_pattern_painrx_judgement(
    meds: list[str | Medication],
) -> None:
    report = check_interactions(meds)
    found = {f.rule_id: f.severity for f in report.findings}
    assert found.get("opioid_er_ir_breakthrough") == INFO
    assert "duplicate_opioid" not in found


def test_two_long_acting_opioids_are_not_the_pattern() -> None:
    assert _found(["OxyContin", "Duragesic"])["duplicate_opioid"] == MODERATE


def test_three_opioids_are_duplicate_therapy_even_with_a_long_acting_one() -> None:
    found = _found(["OxyContin", "oxycodone", "hydromorphone"])
    assert found["duplicate_opioid"] == MODERATE
    assert "opioid_er_ir_breakthrough" not in found


def test_naloxone_is_not_a_second_opioid() -> None:
    assert _found(["Suboxone"]) == {}


@pytest.mark.parametrize("buprenorphine", ["Suboxone", "Butrans", "Belbuca"])
def test_buprenorphine_rule_supersedes_duplicate_opioid_kohan_2021(buprenorphine: str) -> None:
    # A buprenorphine patch with an IR opioid is not the benign ER + IR pattern.
    expected = {"buprenorphine_full_agonist": MODERATE}
    assert _found([buprenorphine, "oxycodone"]) == expected


def test_vicoprofen_with_ibuprofen_is_flagged_nsaid_label() -> None:
    # Issue 14: no alert before. Doses unknown -> the total is unknown -> MODERATE.
    finding = check_interactions(["Vicoprofen", "ibuprofen"]).findings[0]
    assert (finding.rule_id, finding.drugs, finding.severity) == (
        "nsaid_multiple_products",
        ("ibuprofen",),
        MODERATE,
    )


def test_summed_ibuprofen_over_the_label_maximum_motrin_label() -> None:
    # 800 mg q6h = 3200 mg/day (the Motrin maximum) + Vicoprofen 200 mg q6h = 4000 mg/day.
    meds = [
        M("ibuprofen", dose="800 mg", frequency="q6h"),
        M("Vicoprofen", dose="7.5/200 mg", frequency="q6h"),
    ]
    report = check_interactions(meds)
    maximum = next(f for f in report.findings if f.rule_id == "nsaid_daily_max")
    assert maximum.severity == MAJOR
    assert "4000 mg/day" in maximum.message
    assert "3200 mg/day" in maximum.message
    assert report.severity_of("nsaid_multiple_products") == MINOR  # quantified


def test_ibuprofen_at_the_maximum_is_not_over_it_motrin_label() -> None:
    assert _found([M("ibuprofen", dose="800 mg", frequency="q6h")]) == {}


def test_patient_on_ibuprofen_given_another_nsaid_nsaid_label() -> None:
    meds: list[str | Medication] = [M("ibuprofen", dose="600 mg", frequency="q6h"), "naproxen"]
    assert _found(meds) == {"duplicate_nsaid": MAJOR}


@pytest.mark.parametrize(
    ("med", "severity"),
    [
        (M("ketorolac", dose="10 mg", frequency="q4h", route="oral"), MAJOR),  # 60 > 40 oral
        (M("ketorolac", dose="10 mg", frequency="q6h", route="oral"), None),  # 40: at the max
        (M("ketorolac", dose="30 mg", frequency="q4h", route="iv"), MAJOR),  # 180 > 120 IV/IM
        (M("ketorolac", dose="30 mg", frequency="q6h", route="im"), None),  # 120: at the max
        (M("meloxicam", dose="15 mg", frequency="BID"), MAJOR),  # Mobic: 15 mg/day
    ],
)
def test_route_specific_maxima_ketorolac_full_label(
    med: Medication, severity: Severity | None
) -> None:
    assert _found([med]).get("nsaid_daily_max") == severity


@pytest.mark.parametrize(
    ("patient", "severity"),
    [
        (Patient(age=70), MAJOR),
        (Patient(weight="45 kg"), MAJOR),
        (Patient(conditions=["ckd"]), MAJOR),
        (Patient(age=40, weight="80 kg"), None),
        (Patient(), None),
    ],
)
def test_reduced_ketorolac_maximum_ketorolac_full_label(
    patient: Patient, severity: Severity | None
) -> None:
    # 30 mg IV every 8 hours = 90 mg/day: over the 60 mg/day for patients 65 or older,
    # under 50 kg or with renal impairment; within the 120 mg/day for the others.
    med = M("ketorolac", dose="30 mg", frequency="q8h", route="iv")
    report = check_interactions([med], patient=patient)
    assert report.severity_of("nsaid_daily_max") == severity
    if severity is not None:
        finding = next(f for f in report.findings if f.rule_id == "nsaid_daily_max")
        assert "60 mg/day" in finding.message


def test_topical_diclofenac_with_oral_diclofenac_is_not_two_products() -> None:
    assert "nsaid_multiple_products" not in _found(["Voltaren Gel", "diclofenac"])


def test_ketorolac_beyond_5_days_ketorolac_full_label() -> None:
    long = M("ketorolac", dose="10 mg", frequency="q6h", duration="7 day")
    assert _found([long]) == {"ketorolac_over_5_days": MAJOR}
    short = M("ketorolac", dose="10 mg", frequency="q6h", duration="5 day")
    assert _found([short]) == {}


# --- drug–condition rules -----------------------------------------------------------

_CONDITIONS = [
    ("nsaid_class_label-ckd", ["ibuprofen"], ["ckd"], "nsaid_ckd", MAJOR),
    (
        "nsaid_class_label-gi_bleed",
        ["naproxen"],
        ["gi_bleed_history"],
        "nsaid_gi_bleed_history",
        MAJOR,
    ),
    (
        "nsaid_class_label-ulcer",
        ["diclofenac"],
        ["peptic_ulcer_history"],
        "nsaid_peptic_ulcer_history",
        MAJOR,
    ),
    (
        "lanza_2009-ulcer_with_ppi",
        ["diclofenac", "omeprazole"],
        ["peptic_ulcer_history"],
        "nsaid_peptic_ulcer_history",
        MODERATE,
    ),
    (
        "lanza_2009-bleed_with_ppi",
        ["naproxen", "omeprazole"],
        ["gi_bleed_history"],
        "nsaid_gi_bleed_history",
        MAJOR,
    ),
    (
        "nsaid_class_label-heart_failure",
        ["celecoxib"],
        ["heart_failure"],
        "nsaid_heart_failure",
        MAJOR,
    ),
    ("nsaid_class_label-cabg", ["ibuprofen"], ["recent_cabg"], "nsaid_cabg", CI),
    (
        "nsaid_class_label-third_trimester",
        ["Aleve"],
        ["pregnancy_third_trimester"],
        "nsaid_third_trimester",
        MAJOR,
    ),
    # Ketorolac boxed warning (clinical review): contraindicated with either history,
    # and a PPI does not lower it as it lowers the NSAID class ulcer rule.
    (
        "ketorolac_full_label-gi_bleed",
        ["ketorolac"],
        ["gi_bleed_history"],
        "ketorolac_gi_history",
        CI,
    ),
    (
        "ketorolac_full_label-ulcer_with_ppi",
        ["Toradol", "omeprazole"],
        ["peptic_ulcer_history"],
        "ketorolac_gi_history",
        CI,
    ),
    # Ketorolac boxed warning: advanced renal impairment, a risk of renal failure from
    # volume depletion, labor and delivery.
    (
        "ketorolac_full_label-advanced_ckd",
        ["ketorolac"],
        ["advanced_ckd"],
        "ketorolac_renal",
        CI,
    ),
    (
        "ketorolac_full_label-volume_depletion",
        [M("ketorolac", dose="30 mg", route="iv")],
        ["hypovolaemia"],
        "ketorolac_renal",
        CI,
    ),
    (
        "ketorolac_full_label-labour_and_delivery",
        ["Toradol"],
        ["labor and delivery"],
        "ketorolac_labour_delivery",
        CI,
    ),
    ("opioid_label-copd", ["oxycodone"], ["copd"], "opioid_copd", MODERATE),
    ("opioid_label-sleep_apnoea", ["Percocet"], ["sleep_apnoea"], "opioid_sleep_apnoea", MODERATE),
    ("dean_2004-morphine_ckd", ["morphine"], ["ckd"], "renally_cleared_opioid_ckd", MODERATE),
    ("dean_2004-codeine_ckd", ["codeine"], ["ckd"], "renally_cleared_opioid_ckd", MODERATE),
    ("ultram_label-tramadol_ckd", ["tramadol"], ["ckd"], "renally_cleared_opioid_ckd", MODERATE),
    (
        "cpic_2021-codeine_ultrarapid",
        ["codeine"],
        ["cyp2d6_ultrarapid_metaboliser"],
        "codeine_tramadol_ultrarapid",
        MAJOR,
    ),
    (
        "cpic_2021-tramadol_ultrarapid",
        ["tramadol"],
        ["cyp2d6_ultrarapid_metaboliser"],
        "codeine_tramadol_ultrarapid",
        MAJOR,
    ),
    (
        "fda_otc_apap-liver",
        ["acetaminophen"],
        ["liver_disease"],
        "acetaminophen_liver_disease",
        MINOR,
    ),
    ("fda_otc_apap-alcohol", ["acetaminophen"], ["alcohol_use"], "acetaminophen_alcohol", MINOR),
    (
        "ketalar_label-hypertension",
        ["ketamine"],
        ["uncontrolled_hypertension"],
        "ketamine_hypertension",
        CI,
    ),
    ("schwenk_2018-psychosis", ["ketamine"], ["psychosis"], "ketamine_psychosis", MAJOR),
    ("schwenk_2018-pregnancy", ["ketamine"], ["pregnancy"], "ketamine_pregnancy", MAJOR),
    (
        "schwenk_2018-third_trimester_is_pregnancy",
        ["ketamine"],
        ["pregnancy_third_trimester"],
        "ketamine_pregnancy",
        MAJOR,
    ),
    (
        "dexamethasone_label-infection",
        [M("dexamethasone", dose="4 mg", frequency="BID")],
        ["active_infection"],
        "dexamethasone_infection",
        MODERATE,
    ),
    (
        "dexamethasone_label-diabetes",
        [M("dexamethasone", dose="4 mg", frequency="BID")],
        ["diabetes"],
        "dexamethasone_diabetes",
        MODERATE,
    ),
    (
        "dexamethasone_label-diabetes_single_dose",
        [M("dexamethasone", dose="8 mg", route="iv")],
        ["diabetes"],
        "dexamethasone_diabetes",
        MINOR,
    ),
]


@pytest.mark.parametrize(
    ("meds", "conditions", "rule", "severity"),
    [pytest.param(*case[1:], id=case[0]) for case in _CONDITIONS],
)
def test_drug_condition_rules(
    meds: list[str | Medication], conditions: list[str], rule: str, severity: Severity
) -> None:
    report = check_interactions(meds, patient=Patient(conditions=conditions))
    finding = next(f for f in report.findings if f.rule_id == rule)
    assert finding.severity == severity
    assert len(finding.drugs) == 1
    assert set(finding.conditions) <= set(Patient(conditions=conditions).conditions)
    assert finding.conditions
    # Without the condition, the drug alone is silent about it.
    assert rule not in _found(meds)


def test_nsaid_with_ckd_and_a_past_gi_bleed_issue_14() -> None:
    patient = Patient(conditions=["ckd", "gi_bleed_history"])
    found = _found(["ibuprofen"], patient)
    assert found == {"nsaid_ckd": MAJOR, "nsaid_gi_bleed_history": MAJOR}
    report = check_interactions(["ibuprofen"], patient=patient)
    assert [f.message.split(":")[0] for f in report.findings] == [
        "Ibuprofen (ckd)",
        "Ibuprofen (gi_bleed_history)",
    ]


def test_gi_bleed_supersedes_ulcer_history_lanza_2009() -> None:
    both = Patient(conditions=["gi_bleed_history", "peptic_ulcer_history"])
    assert "nsaid_peptic_ulcer_history" not in _found(["ibuprofen"], both)


def test_nsaid_condition_inside_a_combination() -> None:
    assert _found(["Vicoprofen"], Patient(conditions=["ckd"]))["nsaid_ckd"] == MAJOR


def test_low_dose_aspirin_is_not_an_nsaid_for_the_condition_rules() -> None:
    patient = Patient(conditions=["ckd", "recent_cabg", "heart_failure"])
    assert _found(["aspirin"], patient) == {}


def test_ketorolac_gi_history_supersedes_the_nsaid_rules_ketorolac_full_label() -> None:
    history = Patient(conditions=["gi_bleed_history", "peptic_ulcer_history"])
    assert _found(["ketorolac", "pantoprazole"], history) == {"ketorolac_gi_history": CI}
    # Another NSAID keeps the class rule, which a PPI lowers for an ulcer history.
    ulcer = Patient(conditions=["peptic_ulcer_history"])
    assert _found(["ibuprofen", "pantoprazole"], ulcer) == {"nsaid_peptic_ulcer_history": MODERATE}
    # Ophthalmic ketorolac is not the systemic use the boxed warning addresses.
    assert _found([M("ketorolac", route="topical")], ulcer) == {"ketorolac_gi_history": MINOR}


def test_topical_nsaid_with_ckd_is_minor() -> None:
    assert _found(["Voltaren Gel"], Patient(conditions=["ckd"])) == {"nsaid_ckd": MINOR}


@pytest.mark.parametrize("drug", ["codeine", "tramadol", "Tylenol with codeine"])
def test_codeine_and_tramadol_under_12_fda_dsc_2017(drug: str) -> None:
    assert _found([drug], Patient(age=11))["codeine_tramadol_child"] == CI
    assert "codeine_tramadol_child" not in _found([drug], Patient(age=12))
    assert "codeine_tramadol_child" not in _found([drug])


def test_acetaminophen_weight_based_maximum_ofirmev_label() -> None:
    # 45 kg x 75 mg/kg/day = 3375 mg/day; 1 g q6h = 4000 mg/day is over it.
    patient = Patient(weight="45 kg")
    report = check_interactions([M("acetaminophen", dose="1 g", frequency="q6h")], patient=patient)
    assert report.acetaminophen is not None
    assert report.acetaminophen.limit == rx.Q("3375 mg/day")
    assert "75 mg/kg/day" in report.acetaminophen.limit_reason
    assert report.severity_of("acetaminophen_weight_max") == MAJOR
    within: list[str | Medication] = [M("acetaminophen", dose="650 mg", frequency="q6h")]
    assert _found(within, patient) == {}
    assert _found([M("acetaminophen", dose="1 g", frequency="q6h")], Patient(weight="50 kg")) == {}


# --- controls: nothing at MODERATE or above -----------------------------------------

_CONTROLS: list[list[str | Medication]] = [
    ["metformin", "acetaminophen"],
    ["lisinopril", "oxycodone"],
    ["atorvastatin", "oxycodone", "acetaminophen"],
    ["levothyroxine", "ibuprofen"],
    ["amlodipine", "hydromorphone"],
    ["metoprolol", "morphine", "metformin"],
    ["naloxone", "oxycodone"],
    ["omeprazole", "acetaminophen"],
    # One antiemetic dose is lowered one tier (painrx judgement, docs).
    ["fentanyl", M("ondansetron", dose="4 mg", route="iv")],
    ["oxycodone", "azithromycin"],
    ["morphine", "sertraline"],
    ["losartan", "acetaminophen", "pantoprazole"],
    ["celecoxib", "pantoprazole"],
    ["hydromorphone", "lidocaine"],
    ["apixaban", "acetaminophen"],
    ["gabapentin", "acetaminophen", "ibuprofen"],
]


@pytest.mark.parametrize(
    "meds",
    _CONTROLS,
    ids=["+".join(m if isinstance(m, str) else m.name for m in meds) for meds in _CONTROLS],
)
def test_controls_stay_quiet(meds: list[str | Medication]) -> None:
    report = check_interactions(meds)
    assert report.complete
    assert all(f.severity < MODERATE for f in report.findings), report.findings


@pytest.mark.parametrize("drug", ["metformin", "atorvastatin", "levothyroxine", "lidocaine"])
def test_a_known_drug_no_rule_concerns_is_checked(drug: str) -> None:
    # Issue 14: metformin used to fail closed (unknown), withholding acetaminophen.
    report = check_interactions([drug, "acetaminophen"])
    assert (report.complete, report.findings, report.unchecked) == (True, (), ())


# --- the condition vocabulary -------------------------------------------------------


def test_unknown_condition_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"Unknown condition 'ckd3'; accepted: active_infection, "):
        Patient(conditions=["ckd3"])


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("Sleep apnea", "sleep_apnoea"),
        ("OSA", "sleep_apnoea"),
        ("Heart failure", "heart_failure"),
        ("Hypovolemia", "volume_depletion"),
    ],
)
def test_condition_spellings(given: str, canonical: str) -> None:
    assert Patient(conditions=[given]).conditions == (canonical,)


def test_every_condition_is_documented_and_used() -> None:
    assert set(CONDITION_TERMS) == CONDITIONS
    rules = default_rules()
    used = {c for r in rules.drug_rules for c in r.conditions}
    used |= {c for r in rules.rules for m in r.modifiers for c in m.values if c in CONDITIONS}
    assert rules.acetaminophen is not None
    used |= rules.acetaminophen.lower_conditions
    assert used == CONDITIONS


# --- properties -----------------------------------------------------------------------

_EVERY_RULE: list[Rule | DrugRule] = [*default_rules().rules, *default_rules().drug_rules]
_SOURCE_KEYS = set(read_table("PAINRX_DDI_2026_1")["sources"])


@settings(max_examples=80)
@given(rule=st.sampled_from(_EVERY_RULE))
def test_every_rule_cites_a_source(rule: Rule | DrugRule) -> None:
    source = rule.source
    assert source.id.split("/")[-1] in _SOURCE_KEYS
    assert source.citation.strip()
    for mod in rule.modifiers:
        assert mod.source.id.split("/")[-1] in _SOURCE_KEYS
    for evidence in rule.evidence:
        assert evidence.source.id.split("/")[-1] in _SOURCE_KEYS


_KNOWN = sorted(i.id for i in catalog.ingredients())
_LISTED = [
    "oxycodone",
    "OxyContin",
    "Suboxone",
    "zolpidem",
    "clarithromycin",
    "ketorolac",
    "Vicoprofen",
    "ibuprofen",
    "warfarin",
    "sertraline",
    "tramadol",
    "codeine",
    "fluoxetine",
    "lithium",
    "ketamine",
    M("dexamethasone", dose="8 mg"),
    M("acetaminophen", dose="1 g", frequency="q6h"),
]
_CONDITION_PATIENTS = st.builds(
    Patient,
    age=st.one_of(st.none(), st.integers(min_value=2, max_value=95)),
    weight=st.one_of(st.none(), st.sampled_from(["30 kg", "80 kg"])),
    conditions=st.lists(st.sampled_from(sorted(CONDITIONS)), max_size=4, unique=True),
)


def _pairs(meds: list[str | Medication], patient: Patient) -> set[tuple[str, tuple[str, ...]]]:
    return {(f.rule_id, f.drugs) for f in check_interactions(meds, patient=patient).findings}


@settings(max_examples=60)
@given(
    meds=st.lists(st.sampled_from(_LISTED), max_size=6),
    patient=_CONDITION_PATIENTS,
    data=st.data(),
)
def test_list_order_never_matters(
    meds: list[str | Medication], patient: Patient, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(meds))
    assert check_interactions(shuffled, patient=patient) == check_interactions(
        meds, patient=patient
    )


@settings(max_examples=60)
@given(
    meds=st.lists(st.sampled_from(_LISTED), max_size=6),
    patient=_CONDITION_PATIENTS,
    extra=st.sampled_from(_KNOWN),
)
def test_adding_an_unrelated_known_drug_never_removes_a_finding(
    meds: list[str | Medication], patient: Patient, extra: str
) -> None:
    before = _pairs(meds, patient)
    # "Unrelated": the extra drug shares no class with the list (so it cannot widen a
    # duplicate-therapy finding or fill a superseding rule).
    listed = {
        i for m in meds for i in catalog.product(m if isinstance(m, str) else m.name).ingredients
    }
    classes = {c for i in listed for c in catalog.ingredient(i).classes}
    if extra in listed or classes & catalog.ingredient(extra).classes:
        return
    after = _pairs([*meds, extra], patient)
    assert before <= after


def test_a_site_drug_condition_rule_applies_and_may_not_reuse_an_id() -> None:
    site = RuleSet.from_mapping(
        {
            "provenance": {
                "id": "SITE_KB_2",
                "kind": "interaction_rules",
                "title": "Site KB",
                "year": 2026,
                "citation": "Licensed KB extract.",
            },
            "sources": {"kb": {"title": "KB", "year": 2026, "citation": "KB monograph 7"}},
            "rules": [],
            "drug_rules": [
                {
                    "id": "site_gabapentin_ckd",
                    "title": "Gabapentin with CKD",
                    "severity": "moderate",
                    "drug": {"ingredients": ["gabapentin"]},
                    "conditions": ["ckd"],
                    "message": "renally cleared: reduce the dose.",
                    "management": "Dose by creatinine clearance.",
                    "source": "kb",
                }
            ],
        }
    )
    report = check_interactions(["gabapentin"], patient=Patient(conditions=["ckd"]), rules=site)
    assert [(f.rule_id, f.rule_set) for f in report.findings] == [
        ("site_gabapentin_ckd", "SITE_KB_2")
    ]
    clash = RuleSet.from_mapping(
        {
            "provenance": {
                "id": "SITE_KB_3",
                "kind": "interaction_rules",
                "title": "Site KB",
                "year": 2026,
                "citation": "Licensed KB extract.",
            },
            "sources": {"kb": {"title": "KB", "year": 2026, "citation": "KB monograph 7"}},
            "rules": [],
            "drug_rules": [
                {
                    "id": "nsaid_ckd",
                    "title": "NSAID with CKD (site)",
                    "severity": "minor",
                    "drug": {"classes": ["nsaid"]},
                    "conditions": ["ckd"],
                    "message": "site wording.",
                    "management": "site wording.",
                    "source": "kb",
                }
            ],
        }
    )
    with pytest.raises(
        InputError, match="'nsaid_ckd' of SITE_KB_3 is already used by PAINRX_DDI_2026_1"
    ):
        check_interactions(["ibuprofen"], rules=clash)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            {"conditions": ["ckd3"]},
            r"^rule set: drug_rules\[0\]\.conditions\[0\]: expected one of \[.*'ckd'.*\], got 'ckd3'$",
        ),
        (
            {"conditions": ["ckd"], "age_under": 12},
            r"^rule set: drug_rules\[0\]: give exactly one trigger of .*, got \['conditions', 'age_under'\]$",
        ),
        ({}, r"^rule set: drug_rules\[0\]: give exactly one trigger"),
        (
            {"duration_over": "5 mg"},
            r"^rule set: drug_rules\[0\]\.duration_over: expected a positive time, got '5 mg'$",
        ),
    ],
)
def test_malformed_drug_rules_are_refused(block: dict[str, object], message: str) -> None:
    rule = {
        "id": "x",
        "title": "x",
        "severity": "minor",
        "drug": {"ingredients": ["ibuprofen"]},
        "message": "x",
        "management": "x",
        "source": "kb",
        **block,
    }
    doc = {
        "provenance": {
            "id": "SITE_KB_4",
            "kind": "interaction_rules",
            "title": "Site KB",
            "year": 2026,
            "citation": "Licensed KB extract.",
        },
        "sources": {"kb": {"title": "KB", "year": 2026, "citation": "KB monograph 7"}},
        "rules": [],
        "drug_rules": [rule],
    }
    with pytest.raises(TableError, match=message):
        RuleSet.from_mapping(doc)
