"""The pain-safety vocabulary: cited class memberships, brands, combinations, derived files.

Golden memberships carry their source in the test id; exact member lists of the
CYP, QT and CNS-depressant classes make any added or dropped membership fail a test.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import tomllib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from painrx import catalog
from painrx.catalog import _data
from painrx.errors import InputError, TableError, UnknownDrugError
from painrx.tables import data_file
from tests.catalog import generate


def _toml() -> dict[str, Any]:
    """The catalog data file as parsed TOML (what the index must reproduce)."""
    return tomllib.loads(generate.TOML.read_text(encoding="utf-8"))


def _source_key(ingredient: str, cls: str) -> str:
    return catalog.membership_source(ingredient, cls).id.rsplit("/", 1)[-1]


# --- every membership is cited ------------------------------------------------------


@given(st.data())
def test_every_class_membership_has_a_source(data: st.DataObject) -> None:
    ing = data.draw(st.sampled_from(catalog.ingredients()))
    for cls in ing.classes:
        src = catalog.membership_source(ing.id, cls)
        assert src.title.strip(), (ing.id, cls)
        assert src.citation.strip(), (ing.id, cls)
        assert src.id.startswith(catalog.source().id + "/"), (ing.id, cls)


@given(st.data())
def test_a_class_an_ingredient_is_not_in_has_no_membership_source(data: st.DataObject) -> None:
    ing = data.draw(st.sampled_from(catalog.ingredients()))
    outside = sorted(catalog.CLASSES - ing.classes)
    cls = data.draw(st.sampled_from(outside))
    with pytest.raises(InputError, match=f"not in class '{cls}'"):
        catalog.membership_source(ing.id, cls)


def test_no_atc_membership_without_an_atc_code() -> None:
    # A class whose source is the ATC index cannot place a drug the catalog gives no
    # ATC code; such a membership must cite its own source (e.g. levorphanol: its label).
    for ing in catalog.ingredients():
        if not ing.atc:
            for cls in ing.classes:
                assert _source_key(ing.id, cls) != "atc", (ing.id, cls)


def test_every_class_cites_a_source_and_has_members() -> None:
    for cls in catalog.CLASSES:
        assert catalog.class_source(cls).citation.strip(), cls
        assert catalog.members(cls), cls


# --- golden memberships, source in the id -------------------------------------------

_GOLDEN = [
    # FDA table of clinical inhibitors/inducers (CYP3A, CYP2D6 rows)
    *(
        (drug, "cyp3a4_strong_inhibitor", "fda_ddi_table")
        for drug in ("clarithromycin", "itraconazole", "ketoconazole", "ritonavir", "voriconazole")
    ),
    *(
        (drug, "cyp3a4_moderate_inhibitor", "fda_ddi_table")
        for drug in (
            "diltiazem",
            "verapamil",
            "erythromycin",
            "fluconazole",
            "ciprofloxacin",
            "fluvoxamine",
        )
    ),
    *(
        (drug, "cyp3a4_strong_inducer", "fda_ddi_table")
        for drug in ("rifampin", "carbamazepine", "phenytoin", "st_johns_wort")
    ),
    *(
        (drug, "cyp3a4_moderate_inducer", "fda_ddi_table")
        for drug in ("efavirenz", "bosentan", "phenobarbital", "primidone")
    ),
    *(
        (drug, "cyp2d6_strong_inhibitor", "fda_ddi_table")
        for drug in ("fluoxetine", "paroxetine", "bupropion", "quinidine", "terbinafine")
    ),
    # CDC 2018 compilation: 'Muscle Relaxants', 'Benzos', 'Opioids' sheets
    *(
        (drug, "muscle_relaxant", "cdc_ndc_2018")
        for drug in ("cyclobenzaprine", "methocarbamol", "carisoprodol", "tizanidine", "baclofen")
    ),
    ("quazepam", "benzodiazepine", "cdc_ndc_2018"),
    ("opium", "full_mu_agonist", "cdc_ndc_2018"),
    ("propoxyphene", "full_mu_agonist", "cdc_ndc_2018"),
    # WHO ATC groups
    *((drug, "z_drug", "atc") for drug in ("zolpidem", "zaleplon", "eszopiclone", "zopiclone")),
    *((drug, "antipsychotic", "atc") for drug in ("haloperidol", "quetiapine", "olanzapine")),
    ("temazepam", "benzodiazepine", "atc"),
    ("lisinopril", "raas_blocker", "atc"),
    ("losartan", "raas_blocker", "atc"),
    ("aliskiren", "raas_blocker", "atc"),
    ("lithium", "lithium", "atc"),
    ("methotrexate", "methotrexate", "atc"),
    ("pentobarbital", "barbiturate", "atc"),
    # US OTC sleep-aid monograph (21 CFR 338.10), labels; BNF sedating antihistamines
    ("diphenhydramine", "sedating_antihistamine", "cfr_338"),
    ("doxylamine", "sedating_antihistamine", "dailymed"),  # Unisom SleepTabs Drug Facts
    ("promethazine", "sedating_antihistamine", "bnf_antihistamines"),
    ("hydroxyzine", "sedating_antihistamine", "bnf_antihistamines"),
    ("chlorpheniramine", "sedating_antihistamine", "bnf_antihistamines"),
    # FDA Established Pharmacologic Class
    *((drug, "triptan", "fda_epc") for drug in ("sumatriptan", "rizatriptan", "zolmitriptan")),
    ("butalbital", "barbiturate", "fda_epc"),
    # Opioid labels' section 7 'Serotonergic Drugs' row
    *(
        (drug, "serotonergic", "opioid_label_serotonergic")
        for drug in ("trazodone", "mirtazapine", "cyclobenzaprine", "metaxalone")
    ),
    # FDA DSC 22 March 2016 (serotonin syndrome): triptans and 5-HT3 antagonists
    ("sumatriptan", "serotonergic", "fda_dsc_2016_opioids"),
    ("ondansetron", "serotonergic", "fda_dsc_2016_opioids"),
    # Labels (DailyMed)
    ("ketorolac", "ketorolac", "dailymed"),
    ("naltrexone", "opioid_antagonist", "dailymed"),
    ("samidorphan", "opioid_antagonist", "dailymed"),
    ("nalbuphine", "partial_mu_agonist", "dailymed"),
    # CredibleMeds 'Known Risk of TdP' (donepezil, hydroxychloroquine and cilostazol
    # added by the clinical review: all three are in that category)
    *(
        (drug, "qt_prolonging", "crediblemeds")
        for drug in (
            "methadone",
            "ondansetron",
            "citalopram",
            "droperidol",
            "sotalol",
            "donepezil",
            "hydroxychloroquine",
            "cilostazol",
        )
    ),
]


@pytest.mark.parametrize(
    ("drug", "cls", "source"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}-{row[2]}") for row in _GOLDEN],
)
def test_golden_membership(drug: str, cls: str, source: str) -> None:
    assert catalog.in_class(drug, cls)
    assert drug in catalog.members(cls)
    assert _source_key(drug, cls) == source


@pytest.mark.parametrize(
    ("drug", "cls"),
    [
        # FDA table: duloxetine is a moderate CYP2D6 inhibitor, sertraline a weak one.
        pytest.param("duloxetine", "cyp2d6_strong_inhibitor", id="duloxetine-moderate-fda_ddi"),
        pytest.param("sertraline", "cyp2d6_strong_inhibitor", id="sertraline-weak-fda_ddi"),
        # BNF: cetirizine and loratadine are non-sedating antihistamines.
        pytest.param("cetirizine", "sedating_antihistamine", id="cetirizine-bnf"),
        pytest.param("loratadine", "sedating_antihistamine", id="loratadine-bnf"),
        # Peripherally acting antagonists do not reverse analgesia (their labels).
        pytest.param("methylnaltrexone", "opioid_antagonist", id="methylnaltrexone-dailymed"),
        pytest.param("naloxegol", "opioid_antagonist", id="naloxegol-dailymed"),
        # Lithium is N05AN01 inside N05A but is its own class, not an antipsychotic.
        pytest.param("lithium", "antipsychotic", id="lithium-atc"),
        # Inhaled and topical steroids are not systemic corticosteroids (H02AB).
        pytest.param("fluticasone", "corticosteroid", id="fluticasone-atc"),
        pytest.param("clobetasol", "corticosteroid", id="clobetasol-atc"),
        pytest.param("tramadol", "full_mu_agonist", id="tramadol-cdc_2022"),
        # CredibleMeds: quetiapine and ziprasidone are not 'Known Risk of TdP' drugs.
        pytest.param("quetiapine", "qt_prolonging", id="quetiapine-crediblemeds"),
        pytest.param("ziprasidone", "qt_prolonging", id="ziprasidone-crediblemeds"),
        # FDA table: fluvoxamine and ciprofloxacin are moderate, not strong, CYP3A
        # inhibitors; phenobarbital and primidone moderate, not strong, CYP3A inducers.
        pytest.param("fluvoxamine", "cyp3a4_strong_inhibitor", id="fluvoxamine-moderate-fda_ddi"),
        pytest.param("ciprofloxacin", "cyp3a4_strong_inhibitor", id="cipro-moderate-fda_ddi"),
        pytest.param("phenobarbital", "cyp3a4_strong_inducer", id="phenobarbital-moderate-fda_ddi"),
        pytest.param("primidone", "cyp3a4_strong_inducer", id="primidone-moderate-fda_ddi"),
    ],
)
def test_golden_non_membership(drug: str, cls: str) -> None:
    assert not catalog.in_class(drug, cls)


# Exact member lists: adding or dropping a membership of these classes fails here.
_EXACT = {
    "cyp3a4_strong_inhibitor": {
        "clarithromycin",
        "cobicistat",
        "itraconazole",
        "ketoconazole",
        "nefazodone",
        "posaconazole",
        "ritonavir",
        "voriconazole",
    },
    "cyp3a4_moderate_inhibitor": {
        "aprepitant",
        "ciprofloxacin",
        "cyclosporine",
        "diltiazem",
        "dronedarone",
        "erythromycin",
        "fluconazole",
        "fluvoxamine",
        "imatinib",
        "verapamil",
    },
    "cyp3a4_strong_inducer": {
        "apalutamide",
        "carbamazepine",
        "enzalutamide",
        "phenytoin",
        "rifampin",
        "st_johns_wort",
    },
    "cyp3a4_moderate_inducer": {
        "bosentan",
        "efavirenz",
        "etravirine",
        "phenobarbital",
        "primidone",
    },
    "cyp2d6_strong_inhibitor": {
        "bupropion",
        "fluoxetine",
        "paroxetine",
        "quinidine",
        "terbinafine",
    },
    "z_drug": {"eszopiclone", "zaleplon", "zolpidem", "zopiclone"},
    "barbiturate": {"butalbital", "pentobarbital", "phenobarbital", "primidone"},
    "ketorolac": {"ketorolac"},
    "lithium": {"lithium"},
    "methotrexate": {"methotrexate"},
    "opioid_antagonist": {"nalmefene", "naloxone", "naltrexone", "samidorphan"},
    "muscle_relaxant": {
        "baclofen",
        "carisoprodol",
        "chlorzoxazone",
        "cyclobenzaprine",
        "dantrolene",
        "metaxalone",
        "methocarbamol",
        "orphenadrine",
        "tizanidine",
    },
    "sedating_antihistamine": {
        "brompheniramine",  # 21 CFR 341.12 / 341.72(c) drowsiness warning
        "chlorcyclizine",  # 21 CFR 341.12
        "chlorpheniramine",
        "cyproheptadine",
        "dexbrompheniramine",  # 21 CFR 341.12
        "dexchlorpheniramine",  # 21 CFR 341.12
        "diphenhydramine",
        "doxylamine",
        "hydroxyzine",
        "meclizine",
        "promethazine",
        "pyrilamine",  # 21 CFR 341.12
        "triprolidine",  # 21 CFR 341.12
    },
    "qt_prolonging": {
        "amiodarone",
        "azithromycin",
        "chlorpromazine",
        "cilostazol",
        "ciprofloxacin",
        "citalopram",
        "clarithromycin",
        "disopyramide",
        "dofetilide",
        "domperidone",
        "donepezil",
        "dronedarone",
        "droperidol",
        "erythromycin",
        "escitalopram",
        "flecainide",
        "fluconazole",
        "haloperidol",
        "hydroxychloroquine",
        "levofloxacin",
        "levomethadyl",
        "methadone",
        "moxifloxacin",
        "ondansetron",
        "pimozide",
        "procainamide",
        "propofol",
        "quinidine",
        "sevoflurane",
        "sotalol",
        "thioridazine",
    },
}


@pytest.mark.parametrize("cls", sorted(_EXACT))
def test_exact_members(cls: str) -> None:
    assert catalog.members(cls) == _EXACT[cls]


def test_implied_classes() -> None:
    # ketorolac -> nsaid; ACE inhibitors and ARBs -> raas_blocker; triptans -> serotonergic.
    assert catalog.members("ketorolac") <= catalog.members("nsaid")
    assert catalog.members("ace_inhibitor") | catalog.members("arb") <= catalog.members(
        "raas_blocker"
    )
    assert catalog.members("triptan") <= catalog.members("serotonergic")
    assert catalog.members("benzodiazepine").isdisjoint(catalog.members("z_drug"))


@pytest.mark.parametrize("drug", ["metformin", "atorvastatin", "levothyroxine", "amlodipine"])
def test_drugs_without_a_pain_safety_class_are_still_known(drug: str) -> None:
    # A known drug with no class is checked, not failed closed (issue 14).
    assert catalog.ingredient(drug).classes == frozenset()


def test_an_unknown_drug_is_still_refused() -> None:
    with pytest.raises(UnknownDrugError):
        catalog.ingredient("omega")


def test_catalog_size() -> None:
    # Issue 14: ~400 ingredients; every opioid of the CDC 2018 NDC file is one.
    assert len(catalog.ingredients()) >= 400
    cdc_opioids = {
        "buprenorphine",
        "butorphanol",
        "codeine",
        "dihydrocodeine",
        "fentanyl",
        "hydrocodone",
        "hydromorphone",
        "levomethadyl",
        "levorphanol",
        "meperidine",
        "methadone",
        "morphine",
        "opium",
        "oxycodone",
        "oxymorphone",
        "pentazocine",
        "propoxyphene",
        "tapentadol",
        "tramadol",
    }
    assert cdc_opioids <= catalog.members("opioid")


# --- brands and combination products -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ingredients"),
    [
        pytest.param("Vicoprofen", ("hydrocodone", "ibuprofen"), id="Vicoprofen-dailymed"),
        pytest.param("Suboxone", ("buprenorphine", "naloxone"), id="Suboxone-dailymed"),
        pytest.param("Percocet", ("oxycodone", "acetaminophen"), id="Percocet-dailymed"),
        pytest.param("Norco", ("hydrocodone", "acetaminophen"), id="Norco-dailymed"),
        pytest.param("Tylenol #3", ("codeine", "acetaminophen"), id="Tylenol3-dailymed"),
        pytest.param("co-codamol", ("codeine", "acetaminophen"), id="co-codamol-bnf"),
        pytest.param("Treximet", ("sumatriptan", "naproxen"), id="Treximet-dailymed"),
        pytest.param("Arthrotec", ("diclofenac", "misoprostol"), id="Arthrotec-dailymed"),
        pytest.param("Percodan", ("oxycodone", "aspirin"), id="Percodan-cdc_ndc_2018"),
        pytest.param(
            "Fioricet with Codeine",
            ("codeine", "butalbital", "acetaminophen", "caffeine"),
            id="FioricetCodeine-cdc_ndc_2018",
        ),
        pytest.param(
            "Soma Compound with Codeine",
            ("codeine", "carisoprodol", "aspirin"),
            id="SomaCompoundCodeine-cdc_ndc_2018",
        ),
        pytest.param("Tylenol PM", ("acetaminophen", "diphenhydramine"), id="TylenolPM-dailymed"),
        pytest.param("Nurofen Plus", ("codeine", "ibuprofen"), id="NurofenPlus-bnf"),
        pytest.param("Panadeine Forte", ("codeine", "acetaminophen"), id="PanadeineForte-artg"),
        pytest.param("Targin", ("oxycodone", "naloxone"), id="Targin-artg"),
        pytest.param("Embeda", ("morphine", "naltrexone"), id="Embeda-cdc_ndc_2018"),
        pytest.param("Lybalvi", ("olanzapine", "samidorphan"), id="Lybalvi-dailymed"),
        pytest.param("Paxlovid", ("nirmatrelvir", "ritonavir"), id="Paxlovid-dailymed"),
        pytest.param("Symbyax", ("olanzapine", "fluoxetine"), id="Symbyax-dailymed"),
        pytest.param("co-amoxiclav", ("amoxicillin", "clavulanate"), id="co-amoxiclav-bnf"),
        pytest.param("Ambien", ("zolpidem",), id="Ambien-cdc_ndc_2018"),
        pytest.param("Flexeril", ("cyclobenzaprine",), id="Flexeril-cdc_ndc_2018"),
        pytest.param("Endone", ("oxycodone",), id="Endone-artg"),
        pytest.param("Zydol", ("tramadol",), id="Zydol-bnf"),
    ],
)
def test_brands_and_combinations_resolve_to_their_ingredients(
    name: str, ingredients: tuple[str, ...]
) -> None:
    assert catalog.product(name).ingredients == ingredients


def test_every_brand_in_the_data_resolves_as_declared() -> None:
    for block in _toml()["brands"]:
        for name in (block["name"], *block.get("aliases", [])):
            prod = catalog.product(name)
            assert prod.id == block["product"], name
            assert prod.form == block.get("form"), name
            assert prod.route == block.get("route"), name
            assert prod.brands == (block["name"],), name


@given(st.data())
def test_every_name_of_an_ingredient_resolves_to_it(data: st.DataObject) -> None:
    ing = data.draw(st.sampled_from(catalog.ingredients()))
    for name in (ing.id, ing.name, *ing.synonyms):
        assert catalog.ingredient(name) == ing
        assert catalog.ingredient(name.upper()) == ing
    for salt in ing.salts:
        assert catalog.ingredient(f"{ing.name} {salt}") == ing


@pytest.mark.parametrize(
    ("text", "ingredients", "strengths"),
    [
        # Seglentis label: celecoxib 56 mg and tramadol hydrochloride 44 mg.
        ("Seglentis 56 mg/44 mg", ("tramadol", "celecoxib"), ["44 mg", "56 mg"]),
        # Maxigesic (ARTG): paracetamol 500 mg + ibuprofen 150 mg.
        ("Maxigesic 500/150 mg", ("ibuprofen", "acetaminophen"), ["150 mg", "500 mg"]),
        # Nurofen Plus (BNF): ibuprofen 200 mg, codeine phosphate 12.8 mg.
        ("Nurofen Plus 200/12.8 mg", ("codeine", "ibuprofen"), ["12.8 mg", "200 mg"]),
        # Vicoprofen: hydrocodone bitartrate 7.5 mg / ibuprofen 200 mg.
        ("Vicoprofen 7.5/200 mg", ("hydrocodone", "ibuprofen"), ["7.5 mg", "200 mg"]),
    ],
)
def test_brand_strengths_follow_the_label_order(
    text: str, ingredients: tuple[str, ...], strengths: list[str]
) -> None:
    m = catalog.parse_medication(text)
    assert m.product.ingredients == ingredients
    assert [str(q) for q in m.strengths] == strengths


def test_opioid_combinations_put_the_opioid_first() -> None:
    for prod in catalog.products():
        if any(catalog.in_class(i, "opioid") for i in prod.ingredients):
            assert catalog.in_class(prod.ingredients[0], "opioid"), prod.id


# --- per-membership sources are validated --------------------------------------------


def test_class_sources_must_name_a_class_of_the_ingredient(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for cited, message in [
        (
            {"nsaid": "atc"},
            (
                "data/catalog/drugs.toml: ingredients.morphine.class_sources: "
                "'nsaid' is not one of this ingredient's classes"
            ),
        ),
        (
            {"opioid": "nowhere"},
            (
                "data/catalog/drugs.toml: ingredients.morphine.class_sources.opioid: "
                "a source must be one of ["
            ),
        ),
    ]:
        doc = copy.deepcopy(_toml())
        doc["ingredients"]["morphine"]["class_sources"] = cited
        monkeypatch.setattr(_data, "_document", lambda doc=doc: doc)
        _data._catalog.cache_clear()
        try:
            with pytest.raises(TableError, match="^" + re.escape(message)):
                _data._catalog()
        finally:
            monkeypatch.undo()
            _data._catalog.cache_clear()


# --- derived files stay in sync; loading stays cheap ---------------------------------


def test_reference_page_is_in_sync() -> None:
    assert generate.PAGE.read_text(encoding="utf-8") == generate.render(), (
        "docs/catalog-reference.md is stale: run .venv/bin/python tests/catalog/generate.py"
    )


def test_index_is_in_sync_with_the_toml() -> None:
    assert generate.INDEX.read_text(encoding="utf-8") == generate.index_json(), (
        "drugs.index.json is stale: run .venv/bin/python tests/catalog/generate.py"
    )


def test_the_catalog_is_read_from_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_toml() -> None:
        msg = "the TOML was parsed"
        raise AssertionError(msg)

    monkeypatch.setattr(_data, "_parse_toml", no_toml)
    assert _data._document() == json.loads(generate.index_json())["document"]


@pytest.mark.parametrize(
    "index",
    [
        json.dumps({"source_sha256": "0" * 64, "document": {"provenance": {}}}).encode(),
        b"{not json",
        None,  # no index shipped
    ],
    ids=["stale", "corrupt", "missing"],
)
def test_a_stale_or_missing_index_is_ignored(
    monkeypatch: pytest.MonkeyPatch, index: bytes | None
) -> None:
    real = data_file

    def data_bytes(path: str) -> bytes:
        if not path.endswith(".json"):
            return real(path)
        if index is None:
            raise FileNotFoundError(path)
        return index

    monkeypatch.setattr(_data, "data_file", data_bytes)
    assert _data._document() == _toml()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("sources", "atc", "year"),
            "2025",
            r"^data/catalog/drugs\.toml: sources\.atc\.year: expected a whole number, got '2025'",
        ),
        (
            ("sources", "atc", "citation"),
            " ",
            r"^data/catalog/drugs\.toml: sources\.atc\.citation: must not be empty",
        ),
        (
            ("ingredients", "ibuprofen", "source"),
            "nowhere",
            r"^data/catalog/drugs\.toml: ingredients\.ibuprofen\.source: a source must be one of",
        ),
        (
            ("ingredients", "ibuprofen", "classes"),
            ["painkiller"],
            (
                r"^data/catalog/drugs\.toml: ingredients\.ibuprofen\.classes\[0\]: "
                r"unknown class 'painkiller'"
            ),
        ),
        (
            ("brands", 0, "product"),
            "nothing",
            r"^data/catalog/drugs\.toml: brands\[0\]\.product: unknown product 'nothing'",
        ),
    ],
)
def test_malformed_data_is_refused_on_the_index_path_too(
    monkeypatch: pytest.MonkeyPatch, path: tuple[Any, ...], value: object, message: str
) -> None:
    doc = copy.deepcopy(_toml())
    node: Any = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    monkeypatch.setattr(_data, "_document", lambda: doc)
    _data._catalog.cache_clear()
    try:
        with pytest.raises(TableError, match=message):
            _data._catalog()
    finally:
        monkeypatch.undo()
        _data._catalog.cache_clear()


def test_a_mutated_membership_fails_the_golden_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    # Drop clarithromycin from the strong CYP3A4 inhibitors in a copy of the data: the
    # exact member list and the reference page both see it.
    doc = copy.deepcopy(_toml())
    doc["ingredients"]["clarithromycin"]["classes"] = ["qt_prolonging"]
    monkeypatch.setattr(_data, "_document", lambda: doc)
    _data._catalog.cache_clear()
    try:
        assert catalog.members("cyp3a4_strong_inhibitor") != _EXACT["cyp3a4_strong_inhibitor"]
        assert not catalog.in_class("clarithromycin", "cyp3a4_strong_inhibitor")
        assert generate.render() != generate.PAGE.read_text(encoding="utf-8")
    finally:
        monkeypatch.undo()
        _data._catalog.cache_clear()
    assert catalog.in_class("clarithromycin", "cyp3a4_strong_inhibitor")


def test_importing_painrx_loads_no_catalog() -> None:
    code = (
        "import painrx, sys\n"
        "from painrx.catalog import _data\n"
        "print(_data._catalog.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
