"""Drug catalog: name resolution, classes, combination parsing and refusals."""

from __future__ import annotations

import contextlib
import pickle
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from painrx import catalog
from painrx.errors import InputError, PainRxError, UnitError, UnknownDrugError
from painrx.tables import read_table, tables
from painrx.units import Q

# --- ingredient resolution -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("oxycodone", "oxycodone"),
        ("OXYCODONE HCL", "oxycodone"),
        ("oxycodone hydrochloride", "oxycodone"),
        ("Oxycodone  Hydrochloride ", "oxycodone"),
        ("morphine sulphate", "morphine"),
        ("hydrocodone bitartrate", "hydrocodone"),
        ("paracetamol", "acetaminophen"),  # BNF name
        ("APAP", "acetaminophen"),
        ("pethidine", "meperidine"),  # BNF name
        ("Dilaudid", "hydromorphone"),  # single-ingredient brand
        ("Eliquis", "apixaban"),
        ("Lovenox", "enoxaparin"),
        ("Clexane", "enoxaparin"),
        ("ketorolac tromethamine", "ketorolac"),
        ("dabigatran etexilate mesylate", "dabigatran"),
        ("dexamethasone sodium phosphate", "dexamethasone"),
        ("methylthioninium chloride", "methylene_blue"),
        ("lignocaine", "lidocaine"),
        ("acetylsalicylic acid", "aspirin"),
        ("Zohydro", "hydrocodone"),
    ],
)
def test_ingredient_resolves_names_salts_brands(name: str, expected: str) -> None:
    assert catalog.ingredient(name).id == expected


def test_ingredient_refuses_a_salt_of_another_ingredient() -> None:
    # "tromethamine" is ketorolac's salt, not oxycodone's: no silent match.
    with pytest.raises(UnknownDrugError):
        catalog.ingredient("oxycodone tromethamine")


def test_ingredient_refuses_combination() -> None:
    with pytest.raises(InputError, match="combination"):
        catalog.ingredient("Percocet")


@pytest.mark.parametrize("bad", ["", "   ", None, 3, "x" * 500, "ibu\x00profen"])
def test_empty_or_bad_names_are_input_errors(bad: object) -> None:
    with pytest.raises(InputError):
        catalog.product(bad)  # type: ignore[arg-type]


def test_unknown_drug_suggests_close_matches() -> None:
    with pytest.raises(UnknownDrugError) as info:
        catalog.product("ibuprofn")
    assert info.value.suggestions[0] == "ibuprofen"
    assert isinstance(info.value, KeyError)
    with pytest.raises(UnknownDrugError) as info2:
        catalog.ingredient("Percocett")
    assert "Percocet" in info2.value.suggestions


def test_unknown_error_pickles() -> None:
    with pytest.raises(UnknownDrugError) as info:
        catalog.product("zzzz")
    again = pickle.loads(pickle.dumps(info.value))
    assert again.name == "zzzz"


# --- products, brands and combinations --------------------------------------------


@pytest.mark.parametrize(
    ("name", "pid"),
    [
        ("hydrocodone/acetaminophen", "hydrocodone/acetaminophen"),
        ("acetaminophen/hydrocodone", "hydrocodone/acetaminophen"),
        ("oxycodone/APAP", "oxycodone/acetaminophen"),
        ("oxycodone-acetaminophen", "oxycodone/acetaminophen"),
        ("Oxycodone HCl / Acetaminophen", "oxycodone/acetaminophen"),
        ("hydrocodone bitartrate and acetaminophen", "hydrocodone/acetaminophen"),
        ("Percocet", "oxycodone/acetaminophen"),
        ("Endocet", "oxycodone/acetaminophen"),
        ("Norco", "hydrocodone/acetaminophen"),
        ("Vicodin", "hydrocodone/acetaminophen"),
        ("Tylenol with Codeine", "codeine/acetaminophen"),
        ("co-codamol", "codeine/acetaminophen"),  # BNF
        ("co-dydramol", "dihydrocodeine/acetaminophen"),  # BNF
        ("Ultracet", "tramadol/acetaminophen"),
        ("Vicoprofen", "hydrocodone/ibuprofen"),
        ("oxycodone + ibuprofen", "oxycodone/ibuprofen"),
        ("Suboxone", "buprenorphine/naloxone"),
        ("buprenorphine/naloxone", "buprenorphine/naloxone"),
        ("Advil", "ibuprofen"),
        ("Motrin", "ibuprofen"),
        ("Aleve", "naproxen"),
        ("Toradol", "ketorolac"),
        ("Celebrex", "celecoxib"),
        ("Xarelto", "rivaroxaban"),
        ("Pradaxa", "dabigatran"),
        ("Coumadin", "warfarin"),
        ("MS Contin", "morphine"),
        ("Ultram", "tramadol"),
        ("Nucynta", "tapentadol"),
        ("Neurontin", "gabapentin"),
        ("Lyrica", "pregabalin"),
        ("Ativan", "lorazepam"),
        ("Xanax", "alprazolam"),
        ("Valium", "diazepam"),
        ("Zoloft", "sertraline"),
        ("Prozac", "fluoxetine"),
        ("Tylenol", "acetaminophen"),
        ("Panadol", "acetaminophen"),
        ("Decadron", "dexamethasone"),
        ("Plavix", "clopidogrel"),
        ("Brilinta", "ticagrelor"),
        ("Butrans", "buprenorphine"),
        ("Belbuca", "buprenorphine"),
        ("Subutex", "buprenorphine"),
        ("Zohydro ER", "hydrocodone"),
        ("Hysingla ER", "hydrocodone"),
        ("Solu-Medrol", "methylprednisolone"),
    ],
)
def test_product_names(name: str, pid: str) -> None:
    p = catalog.product(name)
    assert p.id == pid
    assert p.ingredients == tuple(pid.split("/"))


@pytest.mark.parametrize(
    ("brand", "form", "route"),
    [
        ("OxyContin", "er_tablet", "oral"),
        ("Duragesic", "patch", "transdermal"),
        ("Butrans", "patch", "transdermal"),
        ("Belbuca", "buccal_film", "buccal"),
        ("Subutex", "tablet", "sublingual"),
        ("MS Contin", "er_tablet", "oral"),
        ("Voltaren Gel", None, "topical"),
        ("Lovenox", "injection", None),
        ("Advil", None, None),
    ],
)
def test_brand_implies_form_and_route(brand: str, form: str | None, route: str | None) -> None:
    p = catalog.product(brand)
    assert (p.form, p.route) == (form, route)
    assert brand in p.brands


def test_generic_product_lists_all_brands_and_no_form() -> None:
    p = catalog.product("oxycodone")
    assert {"OxyContin", "Roxicodone"} <= set(p.brands)
    assert (p.form, p.route) == (None, None)


def test_combination_opioid_first() -> None:
    for p in catalog.products():
        has_opioid = any(catalog.in_class(i, "opioid") for i in p.ingredients)
        if has_opioid and not catalog.in_class(p.ingredients[0], "opioid"):
            pytest.fail(f"{p.id}: the opioid must come first")


@pytest.mark.parametrize("bad", ["warfarin/ibuprofen", "oxycodone/oxycodone", "oxycodone/zzz"])
def test_unknown_combinations_refused(bad: str) -> None:
    with pytest.raises(UnknownDrugError):
        catalog.product(bad)


def test_naloxone_is_an_ingredient() -> None:
    assert catalog.ingredient("naloxone").id == "naloxone"
    assert not catalog.in_class("naloxone", "opioid")


# --- strengths ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "n", "expected"),
    [
        ("10 mg", 1, [(10, "mg")]),
        ("10/325 mg", 2, [(10, "mg"), (325, "mg")]),
        ("10 / 325 MG", 2, [(10, "mg"), (325, "mg")]),
        ("300 mg/30 mg", 2, [(300, "mg"), (30, "mg")]),
        ("5-325 mg", 2, [(5, "mg"), (325, "mg")]),
        ("25 mcg/h", 1, [(25, "mcg/h")]),
        ("2 mg/mL", 1, [(2, "mg/mL")]),
        ("1 mg/kg", 1, [(1, "mg/kg")]),
        ("37.5/325 mg", 2, [(37.5, "mg"), (325, "mg")]),
    ],
)
def test_parse_strength(text: str, n: int, expected: list[tuple[float, str]]) -> None:
    got = catalog.parse_strength(text, n)
    assert [(q.magnitude, str(q.units) and q) for q in got] == [(v, Q(v, u)) for v, u in expected]


def test_parse_strength_accepts_a_quantity() -> None:
    assert catalog.parse_strength(Q("10 mg")) == (Q("10 mg"),)


@pytest.mark.parametrize(
    ("text", "n", "error"),
    [
        ("10/325", 2, UnitError),  # no unit: never guessed
        ("10 mg", 2, InputError),  # count mismatch
        ("10/325 mg", 1, InputError),
        ("0 mg", 1, InputError),
        ("5 mL", 1, InputError),  # a volume is not a strength
        ("10 mg", 0, InputError),
        ("5-10 mg", 1, UnitError),  # a range is not a strength
    ],
)
def test_parse_strength_refusals(text: str, n: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        catalog.parse_strength(text, n)


# --- free text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pid", "brand", "strengths", "form", "route"),
    [
        ("Ibuprofen 400 mg tablet", "ibuprofen", None, ["400 mg"], "tablet", None),
        ("OXYCODONE HCL 5MG TAB", "oxycodone", None, ["5 mg"], "tablet", None),
        (
            "Percocet 10/325 mg",
            "oxycodone/acetaminophen",
            "Percocet",
            ["10 mg", "325 mg"],
            "tablet",
            "oral",
        ),
        ("Eliquis 5mg", "apixaban", "Eliquis", ["5 mg"], "tablet", "oral"),
        (
            "oxycodone/acetaminophen 10/325 mg",
            "oxycodone/acetaminophen",
            None,
            ["10 mg", "325 mg"],
            None,
            None,
        ),
        (
            "OXYCODONE-ACETAMINOPHEN 5-325 MG TAB",
            "oxycodone/acetaminophen",
            None,
            ["5 mg", "325 mg"],
            "tablet",
            None,
        ),
        # Tylenol with Codeine labels write acetaminophen first (300 mg/30 mg).
        (
            "Tylenol with Codeine 300 mg/30 mg",
            "codeine/acetaminophen",
            "Tylenol with Codeine",
            ["30 mg", "300 mg"],
            "tablet",
            "oral",
        ),
        (
            "acetaminophen/codeine 300/30 mg",
            "codeine/acetaminophen",
            None,
            ["30 mg", "300 mg"],
            None,
            None,
        ),
        ("Duragesic 25 mcg/h", "fentanyl", "Duragesic", ["25 mcg/h"], "patch", "transdermal"),
        ("oxycodone ER 10 mg", "oxycodone", None, ["10 mg"], "er_tablet", None),
        ("morphine 4 mg IV", "morphine", None, ["4 mg"], None, "iv"),
        ("diclofenac gel", "diclofenac", None, [], None, "topical"),
        ("Voltaren Gel", "diclofenac", "Voltaren Gel", [], None, "topical"),
        ("warfarin", "warfarin", None, [], None, None),
    ],
)
def test_parse_medication(
    text: str,
    pid: str,
    brand: str | None,
    strengths: list[str],
    form: str | None,
    route: str | None,
) -> None:
    m = catalog.parse_medication(text)
    assert m.product.id == pid
    assert m.brand == brand
    assert [str(q) for q in m.strengths] == strengths
    assert (m.form, m.route) == (form, route)
    assert m.source == catalog.source()


def test_parse_medication_reports_a_strength_without_unit() -> None:
    m = catalog.parse_medication("Percocet 10/325")
    assert m.strengths == ()
    assert [a.code for a in m.alerts] == ["strength_unit_missing"]


def test_parse_medication_single_strength_of_a_combination_is_the_opioid() -> None:
    m = catalog.parse_medication("Percocet 5 mg")
    assert m.strengths == (Q("5 mg"),)
    assert [a.code for a in m.alerts] == ["combination_strength_partial"]


def test_parse_medication_reports_unused_words() -> None:
    m = catalog.parse_medication("Tylenol 500 mg see chart")
    assert [a.code for a in m.alerts] == ["unparsed_text"]
    assert catalog.parse_medication("Tylenol 500 mg after food").alerts == ()


@pytest.mark.parametrize("bad", ["", "400 mg", None, "x" * 300])
def test_parse_medication_refusals(bad: object) -> None:
    with pytest.raises(InputError):
        catalog.parse_medication(bad)  # type: ignore[arg-type]


def test_parse_medication_unknown() -> None:
    with pytest.raises(UnknownDrugError) as info:
        catalog.parse_medication("ibuprofn 400 mg")
    assert "ibuprofen" in info.value.suggestions


def test_results_are_json_ready_and_pickle() -> None:
    m = catalog.parse_medication("Percocet 10/325 mg")
    d = m.to_dict()
    assert d["strengths"] == [{"value": 10.0, "unit": "mg"}, {"value": 325.0, "unit": "mg"}]
    assert d["source"] == "PAINRX_CATALOG_2026_1"
    assert pickle.loads(pickle.dumps(m)) == m
    assert "<table>" in m._repr_html_()
    ing = catalog.ingredient("celecoxib")
    assert ing.to_dict()["classes"] == ["cox2_selective", "nsaid"]
    assert "Celecoxib" in ing._repr_html_()
    assert catalog.product("Percocet").to_dict()["form"] == "tablet"
    assert "Percocet" in catalog.product("Percocet")._repr_html_()


# --- classes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "inside", "outside"),
    [
        ("opioid", ["morphine", "codeine", "methadone", "buprenorphine", "tramadol"], ["naloxone"]),
        ("full_mu_agonist", ["oxycodone", "fentanyl", "levorphanol"], ["buprenorphine"]),
        ("partial_mu_agonist", ["buprenorphine", "butorphanol", "pentazocine"], ["morphine"]),
        ("atypical_mu_agonist", ["tramadol", "tapentadol"], ["methadone"]),
        (
            "serotonergic_opioid",
            ["tramadol", "tapentadol", "meperidine", "methadone", "fentanyl"],
            ["morphine", "oxycodone", "hydromorphone"],
        ),
        (
            "nsaid",
            ["ibuprofen", "ketorolac", "celecoxib", "etoricoxib", "aspirin"],
            ["acetaminophen"],
        ),
        ("cox2_selective", ["celecoxib", "etoricoxib"], ["meloxicam", "ibuprofen"]),
        (
            "anticoagulant",
            ["warfarin", "apixaban", "dabigatran", "heparin", "enoxaparin", "fondaparinux"],
            ["clopidogrel", "aspirin"],
        ),
        ("vitamin_k_antagonist", ["warfarin"], ["apixaban"]),
        ("doac", ["apixaban", "rivaroxaban", "dabigatran", "edoxaban"], ["warfarin", "enoxaparin"]),
        ("heparin", ["heparin"], ["enoxaparin"]),
        ("lmwh", ["enoxaparin", "dalteparin"], ["heparin", "fondaparinux"]),
        ("antiplatelet", ["aspirin", "clopidogrel", "prasugrel", "ticagrelor"], ["ibuprofen"]),
        ("p2y12_inhibitor", ["clopidogrel", "prasugrel", "ticagrelor"], ["aspirin"]),
        ("aspirin", ["aspirin"], ["ibuprofen"]),
        ("ssri", ["sertraline", "fluoxetine", "citalopram", "escitalopram", "paroxetine"], []),
        ("snri", ["venlafaxine", "duloxetine"], ["sertraline"]),
        ("tca", ["amitriptyline"], []),
        (
            "maoi",
            ["phenelzine", "tranylcypromine", "selegiline", "linezolid", "methylene_blue"],
            [],
        ),
        ("serotonergic", ["sertraline", "venlafaxine", "tramadol", "linezolid"], ["morphine"]),
        ("corticosteroid", ["dexamethasone", "prednisone", "hydrocortisone"], []),
        (
            "benzodiazepine",
            ["lorazepam", "diazepam", "midazolam", "clonazepam", "alprazolam"],
            ["gabapentin"],
        ),
        ("gabapentinoid", ["gabapentin", "pregabalin"], []),
        (
            "qt_prolonging",
            ["methadone", "ondansetron", "haloperidol", "citalopram", "amiodarone", "azithromycin"],
            ["morphine", "sertraline"],
        ),
        ("ace_inhibitor", ["lisinopril", "ramipril", "enalapril"], ["losartan"]),
        ("arb", ["losartan", "valsartan"], []),
        (
            "diuretic",
            ["furosemide", "hydrochlorothiazide", "spironolactone", "indapamide"],
            [],
        ),
        ("aldosterone_antagonist", ["spironolactone"], ["furosemide"]),
        ("ppi", ["omeprazole", "pantoprazole", "esomeprazole", "lansoprazole"], ["misoprostol"]),
        ("analgesic_non_opioid", ["acetaminophen"], []),
        ("nmda_antagonist", ["ketamine"], []),
        ("local_anaesthetic", ["lidocaine"], []),
    ],
)
def test_class_membership(cls: str, inside: list[str], outside: list[str]) -> None:
    for iid in inside:
        assert catalog.in_class(iid, cls), (iid, cls)
        assert iid in catalog.members(cls)
    for iid in outside:
        assert not catalog.in_class(iid, cls), (iid, cls)


def test_every_class_has_members_a_definition_and_a_source() -> None:
    for cls in catalog.CLASSES:
        assert catalog.members(cls), cls
        assert catalog.describe_class(cls)
        assert catalog.class_source(cls).citation


def test_interaction_classes_cite_their_sources() -> None:
    assert "CredibleMeds" in catalog.class_source("qt_prolonging").title
    assert catalog.class_source("serotonergic_opioid").year == 2016


def test_unknown_class_is_input_error() -> None:
    with pytest.raises(InputError, match="accepted"):
        catalog.members("nsaids")
    with pytest.raises(InputError):
        catalog.in_class("ibuprofen", "painkiller")


def test_in_class_accepts_names() -> None:
    assert catalog.in_class("Advil", "nsaid")


# --- coverage of the brief's drug list and ATC traps ------------------------------

_REQUIRED = [
    "morphine",
    "codeine",
    "dihydrocodeine",
    "hydrocodone",
    "hydromorphone",
    "oxycodone",
    "oxymorphone",
    "methadone",
    "tramadol",
    "tapentadol",
    "fentanyl",
    "buprenorphine",
    "butorphanol",
    "levorphanol",
    "meperidine",
    "pentazocine",
    "acetaminophen",
    "ibuprofen",
    "naproxen",
    "diclofenac",
    "ketorolac",
    "celecoxib",
    "meloxicam",
    "etoricoxib",
    "indomethacin",
    "ketoprofen",
    "aspirin",
    "warfarin",
    "apixaban",
    "rivaroxaban",
    "dabigatran",
    "edoxaban",
    "heparin",
    "enoxaparin",
    "dalteparin",
    "fondaparinux",
    "clopidogrel",
    "prasugrel",
    "ticagrelor",
    "sertraline",
    "fluoxetine",
    "citalopram",
    "escitalopram",
    "paroxetine",
    "venlafaxine",
    "duloxetine",
    "amitriptyline",
    "phenelzine",
    "tranylcypromine",
    "selegiline",
    "linezolid",
    "dexamethasone",
    "prednisone",
    "prednisolone",
    "methylprednisolone",
    "hydrocortisone",
    "lorazepam",
    "diazepam",
    "midazolam",
    "clonazepam",
    "alprazolam",
    "gabapentin",
    "pregabalin",
    "lisinopril",
    "ramipril",
    "enalapril",
    "losartan",
    "valsartan",
    "furosemide",
    "hydrochlorothiazide",
    "spironolactone",
    "indapamide",
    "omeprazole",
    "pantoprazole",
    "esomeprazole",
    "lansoprazole",
    "ondansetron",
    "haloperidol",
    "amiodarone",
    "azithromycin",
    "ketamine",
    "lidocaine",
    "naloxone",
]


def test_required_drugs_present() -> None:
    ids = {i.id for i in catalog.ingredients()}
    assert set(_REQUIRED) <= ids


@pytest.mark.parametrize(
    ("iid", "code"),
    [
        # WHO ATC/DDD Index 2025; the "ATC traps" of references/interactions-tapers.md §2.2
        ("methadone", "N07BC02"),
        ("codeine", "R05DA04"),
        ("clonazepam", "N03AE01"),
        ("midazolam", "N05CD08"),
        ("venlafaxine", "N06AX16"),
        ("duloxetine", "N06AX21"),
        ("ibuprofen", "M01AE01"),
        ("naproxen", "M01AE02"),
        ("diclofenac", "M01AB05"),
        ("ketorolac", "M01AB15"),
        ("celecoxib", "M01AH01"),
        ("warfarin", "B01AA03"),
        ("enoxaparin", "B01AB05"),
        ("dabigatran", "B01AE07"),
        ("rivaroxaban", "B01AF01"),
        ("apixaban", "B01AF02"),
        ("edoxaban", "B01AF03"),
        ("aspirin", "B01AC06"),
        ("aspirin", "N02BA01"),
        ("clopidogrel", "B01AC04"),
        ("morphine", "N02AA01"),
        ("hydromorphone", "N02AA03"),
        ("oxycodone", "N02AA05"),
        ("fentanyl", "N02AB03"),
        ("fentanyl", "N01AH01"),
        ("tramadol", "N02AX02"),
        ("tapentadol", "N02AX06"),
        ("gabapentin", "N03AX12"),
        ("pregabalin", "N03AX16"),
        ("dexamethasone", "H02AB02"),
    ],
)
def test_atc_codes_from_the_references(iid: str, code: str) -> None:
    assert code in catalog.ingredient(iid).atc


def test_combination_atc_codes() -> None:
    doc = read_table("PAINRX_CATALOG_2026_1")
    codes = {pid: tuple(b.get("atc", ())) for pid, b in doc["products"].items()}
    assert codes["oxycodone/acetaminophen"] == ("N02AJ17",)
    assert codes["hydrocodone/acetaminophen"] == ("N02AJ22",)
    assert codes["tramadol/acetaminophen"] == ("N02AJ13",)
    assert codes["codeine/acetaminophen"] == ("N02AJ06",)
    assert codes["oxycodone/ibuprofen"] == ("N02AJ19",)


def test_names_lists_ids_synonyms_brands() -> None:
    names = catalog.names()
    assert names == tuple(sorted(names, key=lambda s: (s.casefold(), s)))
    for n in ("oxycodone", "paracetamol", "Percocet", "oxycodone/acetaminophen", "co-codamol"):
        assert n in names
    for n in names:  # every listed name resolves
        catalog.product(n)


def test_catalog_is_listed_in_tables() -> None:
    assert [t.id for t in tables("drug_catalog")] == ["PAINRX_CATALOG_2026_1"]


def test_import_loads_no_data() -> None:
    import subprocess
    import sys

    code = (
        "import sys, painrx.catalog; r = sys.modules['painrx.tables._read']; "
        "assert r._document.cache_info().currsize == r._index.cache_info().currsize == 0; "
        "print('ok')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "ok"


# --- hypothesis properties ---------------------------------------------------------

_some_names = st.sampled_from(
    ["oxycodone", "Percocet", "paracetamol", "Eliquis", "hydrocodone/acetaminophen", "MS Contin"]
)


@given(name=_some_names, data=st.data())
def test_lookup_is_case_and_whitespace_insensitive(name: str, data: st.DataObject) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    varied = "".join(c.upper() if f else c.lower() for c, f in zip(name, flips, strict=True))
    pad = data.draw(st.sampled_from(["", " ", "  ", "\t"]))
    varied = pad + varied.replace(" ", data.draw(st.sampled_from([" ", "  ", " \t"]))) + pad
    assert catalog.product(varied) == catalog.product(name)


@given(st.text(max_size=120))
def test_parse_medication_only_raises_painrx_errors(text: str) -> None:
    with contextlib.suppress(PainRxError):
        catalog.parse_medication(text)


@given(
    st.text(alphabet=string.ascii_letters + string.digits + " /-.%#", min_size=1, max_size=60).map(
        lambda s: "oxycodone " + s
    )
)
def test_parse_medication_with_a_known_name_never_crashes(text: str) -> None:
    try:
        m = catalog.parse_medication(text)
    except PainRxError:
        return
    assert m.product.id.startswith("oxycodone")
    assert len(m.strengths) in (0, len(m.product.ingredients), 1)


@pytest.mark.parametrize(
    ("text", "frequency", "alerts"),
    [
        ("Tylenol 500mg q6h prn", "q6h", []),
        ("warfarin 5 mg daily", "daily", []),
        ("oxycodone 5mg PO q4h", "q4h", []),
        ("acetaminophen 1 g QID", "QID", []),
        ("fentanyl 25 mcg/h patch q72h", "q72h", []),
        ("ibuprofen 400 mg as needed", None, []),
        ("co-codamol 30/500 mg 2 tabs qid", "QID", ["unparsed_text"]),
    ],
)
def test_parse_medication_frequency(text: str, frequency: str | None, alerts: list[str]) -> None:
    m = catalog.parse_medication(text)
    assert m.frequency == frequency
    assert [a.code for a in m.alerts] == alerts
    assert m.to_dict()["frequency"] == frequency


# --- review fixes -------------------------------------------------------------------

# Every brand and what it names, checked by hand against the source named on the line
# (DailyMed prescribing information, the BNF, or the UK SmPC on the emc).
_BRANDS = [
    ("Advil", "ibuprofen", None, None),  # dailymed
    ("Motrin", "ibuprofen", None, None),  # dailymed
    ("Nurofen", "ibuprofen", None, None),  # bnf
    ("Aleve", "naproxen", None, None),  # dailymed
    ("Naprosyn", "naproxen", None, None),  # dailymed
    ("Toradol", "ketorolac", None, None),  # dailymed
    ("Celebrex", "celecoxib", None, None),  # dailymed
    ("Arcoxia", "etoricoxib", None, None),  # bnf
    ("Mobic", "meloxicam", None, None),  # dailymed
    ("Indocin", "indomethacin", None, None),  # dailymed
    ("Voltaren Gel", "diclofenac", None, "topical"),  # dailymed
    ("Pennsaid", "diclofenac", None, "topical"),  # dailymed
    ("Voltarol", "diclofenac", None, None),  # bnf
    ("Eliquis", "apixaban", "tablet", "oral"),  # dailymed
    ("Xarelto", "rivaroxaban", None, "oral"),  # dailymed
    ("Pradaxa", "dabigatran", None, "oral"),  # dailymed
    ("Savaysa", "edoxaban", "tablet", "oral"),  # dailymed
    ("Lixiana", "edoxaban", "tablet", "oral"),  # bnf
    ("Lovenox", "enoxaparin", "injection", None),  # dailymed
    ("Clexane", "enoxaparin", "injection", None),  # bnf
    ("Fragmin", "dalteparin", "injection", None),  # dailymed
    ("Arixtra", "fondaparinux", "injection", "sc"),  # dailymed
    ("Coumadin", "warfarin", "tablet", "oral"),  # dailymed
    ("Jantoven", "warfarin", "tablet", "oral"),  # dailymed
    ("Plavix", "clopidogrel", "tablet", "oral"),  # dailymed
    ("Effient", "prasugrel", "tablet", "oral"),  # dailymed
    ("Brilinta", "ticagrelor", "tablet", "oral"),  # dailymed
    ("Brilique", "ticagrelor", "tablet", "oral"),  # bnf
    ("OxyContin", "oxycodone", "er_tablet", "oral"),  # dailymed
    ("Roxicodone", "oxycodone", "tablet", "oral"),  # dailymed
    ("OxyNorm", "oxycodone", None, None),  # bnf
    ("Percocet", "oxycodone/acetaminophen", "tablet", "oral"),  # dailymed
    ("Endocet", "oxycodone/acetaminophen", "tablet", "oral"),  # dailymed
    ("Norco", "hydrocodone/acetaminophen", "tablet", "oral"),  # dailymed
    ("Vicodin", "hydrocodone/acetaminophen", "tablet", "oral"),  # dailymed
    ("Vicoprofen", "hydrocodone/ibuprofen", "tablet", "oral"),  # dailymed
    ("Zohydro ER", "hydrocodone", "er_capsule", "oral"),  # dailymed: extended-release capsules
    ("Hysingla ER", "hydrocodone", "er_tablet", "oral"),  # dailymed
    ("Dilaudid", "hydromorphone", None, None),  # dailymed
    ("Opana", "oxymorphone", None, None),  # dailymed
    ("Duragesic", "fentanyl", "patch", "transdermal"),  # dailymed
    ("Durogesic", "fentanyl", "patch", "transdermal"),  # bnf
    ("Ultram", "tramadol", "tablet", "oral"),  # dailymed
    ("Ultracet", "tramadol/acetaminophen", "tablet", "oral"),  # dailymed
    ("Nucynta", "tapentadol", "tablet", "oral"),  # dailymed
    ("Nucynta ER", "tapentadol", "er_tablet", "oral"),  # dailymed
    ("Palexia", "tapentadol", None, "oral"),  # bnf
    ("MS Contin", "morphine", "er_tablet", "oral"),  # dailymed
    ("Demerol", "meperidine", None, None),  # dailymed
    ("Dolophine", "methadone", "tablet", "oral"),  # dailymed
    ("Butrans", "buprenorphine", "patch", "transdermal"),  # dailymed
    ("Transtec", "buprenorphine", "patch", "transdermal"),  # emc
    ("Reletrans", "buprenorphine", "patch", "transdermal"),  # emc
    ("Belbuca", "buprenorphine", "buccal_film", "buccal"),  # dailymed
    ("Subutex", "buprenorphine", "tablet", "sublingual"),  # dailymed
    ("Suboxone", "buprenorphine/naloxone", None, "sublingual"),  # dailymed
    ("Tylenol with Codeine", "codeine/acetaminophen", "tablet", "oral"),  # dailymed
    ("Tylenol", "acetaminophen", None, None),  # dailymed
    ("Ofirmev", "acetaminophen", "injection", "iv"),  # dailymed
    ("Panadol", "acetaminophen", None, None),  # bnf
    ("Neurontin", "gabapentin", None, "oral"),  # dailymed
    ("Lyrica", "pregabalin", None, "oral"),  # dailymed
    ("Ativan", "lorazepam", None, None),  # dailymed
    ("Xanax", "alprazolam", "tablet", "oral"),  # dailymed
    ("Valium", "diazepam", "tablet", "oral"),  # dailymed
    ("Klonopin", "clonazepam", "tablet", "oral"),  # dailymed
    ("Zoloft", "sertraline", None, "oral"),  # dailymed
    ("Prozac", "fluoxetine", None, "oral"),  # dailymed
    ("Celexa", "citalopram", None, "oral"),  # dailymed
    ("Lexapro", "escitalopram", None, "oral"),  # dailymed
    ("Paxil", "paroxetine", None, "oral"),  # dailymed
    ("Effexor", "venlafaxine", None, "oral"),  # dailymed
    ("Cymbalta", "duloxetine", "capsule", "oral"),  # dailymed
    ("Nardil", "phenelzine", "tablet", "oral"),  # dailymed
    ("Parnate", "tranylcypromine", "tablet", "oral"),  # dailymed
    ("Emsam", "selegiline", "patch", "transdermal"),  # dailymed
    ("Zyvox", "linezolid", None, None),  # dailymed
    ("ProvayBlue", "methylene_blue", "injection", "iv"),  # dailymed
    ("Decadron", "dexamethasone", None, None),  # dailymed
    ("Medrol", "methylprednisolone", "tablet", "oral"),  # dailymed
    ("Solu-Medrol", "methylprednisolone", "injection", None),  # dailymed
    ("Cortef", "hydrocortisone", "tablet", "oral"),  # dailymed
    ("Zestril", "lisinopril", "tablet", "oral"),  # dailymed
    ("Prinivil", "lisinopril", "tablet", "oral"),  # dailymed
    ("Altace", "ramipril", None, "oral"),  # dailymed
    ("Vasotec", "enalapril", "tablet", "oral"),  # dailymed
    ("Cozaar", "losartan", "tablet", "oral"),  # dailymed
    ("Diovan", "valsartan", "tablet", "oral"),  # dailymed
    ("Lasix", "furosemide", None, None),  # dailymed
    ("Aldactone", "spironolactone", "tablet", "oral"),  # dailymed
    ("Microzide", "hydrochlorothiazide", "capsule", "oral"),  # dailymed
    ("Prilosec", "omeprazole", None, "oral"),  # dailymed
    ("Protonix", "pantoprazole", None, None),  # dailymed
    ("Nexium", "esomeprazole", None, None),  # dailymed
    ("Prevacid", "lansoprazole", None, "oral"),  # dailymed
    ("Cytotec", "misoprostol", "tablet", "oral"),  # dailymed
    ("Zofran", "ondansetron", None, None),  # dailymed
    ("Haldol", "haloperidol", None, None),  # dailymed
    ("Zithromax", "azithromycin", None, None),  # dailymed
    ("Pacerone", "amiodarone", "tablet", "oral"),  # dailymed
    ("Ketalar", "ketamine", "injection", None),  # dailymed
    ("Xylocaine", "lidocaine", None, None),  # dailymed
    ("Lidoderm", "lidocaine", "patch", "topical"),  # dailymed
]


def test_every_brand_names_the_right_product() -> None:
    # Golden brands (source in each row's comment); tests/catalog/test_knowledge.py
    # checks every other brand of the data file resolves as declared.
    doc = read_table("PAINRX_CATALOG_2026_1")
    assert {b[0] for b in _BRANDS} <= {b["name"] for b in doc["brands"]}
    for name, pid, form, route in _BRANDS:
        p = catalog.product(name)
        assert (p.id, p.form, p.route) == (pid, form, route), name
        assert p.brands == (name,)


@pytest.mark.parametrize(
    ("brand", "size"),
    [
        # Transtec SmPC (emc, Grunenthal, updated 22 Nov 2024): 35/52.5/70 micrograms/h, 96 h.
        ("Transtec", "52.5 mcg/h"),
        # Reletrans SmPC (emc, Sandoz, updated 26 Nov 2021): 5-20 microgram/hour, 7th day.
        ("Reletrans", "10 mcg/h"),
    ],
)
def test_uk_buprenorphine_patch_brands(brand: str, size: str) -> None:
    m = catalog.parse_medication(f"{brand} {size}")
    assert m.product.ingredients == ("buprenorphine",)
    assert (m.form, m.route, m.brand) == ("patch", "transdermal", brand)
    assert m.strengths == (Q(size),)
    assert catalog.in_class(brand, "partial_mu_agonist")


def test_a_brand_lists_only_itself() -> None:
    # Butrans (7-day) and Transtec (96-hour) share ingredient, form and route but not
    # their change interval: a brand must not stand for its siblings.
    assert catalog.product("Transtec").brands == ("Transtec",)
    assert catalog.product("Butrans").brands == ("Butrans",)
    assert {"Butrans", "Reletrans", "Transtec"} <= set(catalog.product("buprenorphine").brands)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("oxycodone and clopidogrel 5/75 mg", {"oxycodone", "clopidogrel"}),
        ("ibuprofen, warfarin", {"ibuprofen", "warfarin"}),
        ("warfarin apixaban", {"warfarin", "apixaban"}),
        ("tramadol ondansetron", {"tramadol", "ondansetron"}),
        ("diclofenac misoprostol", {"diclofenac", "misoprostol"}),  # no separator: two drugs
        ("ibuprofen 400 mg and warfarin 5 mg", {"ibuprofen", "warfarin"}),
    ],
)
def test_text_naming_two_drugs_is_refused(text: str, named: set[str]) -> None:
    # Reading only the first drug would silently drop the second (first-word matching,
    # references/interactions-tapers.md §2.3, openemr/openemr#326).
    with pytest.raises(UnknownDrugError) as info:
        catalog.parse_medication(text)
    assert set(info.value.suggestions) == named


@pytest.mark.parametrize(
    "text", ["Coumadin (warfarin) 5 mg", "Percocet (oxycodone/acetaminophen) 5/325 mg"]
)
def test_repeating_the_same_drug_in_the_text_is_fine(text: str) -> None:
    m = catalog.parse_medication(text)
    assert m.alerts == ()
    assert m.strengths


@pytest.mark.parametrize(("text", "words"), [("Tylenol Sinus", "sinus"), ("Tylenol Cold", "cold")])
def test_unread_words_in_the_name_are_flagged(text: str, words: str) -> None:
    m = catalog.parse_medication(text)
    assert [a.code for a in m.alerts] == ["unrecognised_name_words"]
    assert repr(words) in m.alerts[0].message


@pytest.mark.parametrize("text", ["aspirin ec 81 mg", "ibuprofen with food", "aspirin low dose"])
def test_harmless_descriptors_are_read(text: str) -> None:
    assert catalog.parse_medication(text).alerts == ()


@pytest.mark.parametrize("text", ["1 kg", "2 lb"])
def test_body_weight_units_are_not_strengths(text: str) -> None:
    with pytest.raises(UnitError, match="body weights"):
        catalog.parse_strength(text)
    m = catalog.parse_medication(f"acetaminophen {text}")
    assert m.strengths == ()
    assert [a.code for a in m.alerts] == ["strength_not_understood"]


@pytest.mark.parametrize(
    "text", ["ibuprofen 10² mg", "ibuprofen ４００ mg", "ibuprofen 4０ mg", "Tylenol ½ tab"]
)
def test_non_ascii_numbers_are_refused(text: str) -> None:
    # NFKC folding would read "10²" as 102 mg: refused, as painrx.units refuses them.
    with pytest.raises(InputError, match="ASCII digits"):
        catalog.parse_medication(text)
