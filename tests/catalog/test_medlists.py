"""Real medication lists: every ClinCalc Top 300 drug is known; minerals, vitamins,
supplements, insulins and inhalers as discharge lists write them; clear refusals for the
names that name no single ingredient.

Source of the list (data in this module): Kane SP. ClinCalc DrugStats Database, "The Top
300 of 2023" (DrugStats version 2025.08, from the AHRQ Medical Expenditure Panel Survey),
https://clincalc.com/DrugStats/Top300Drugs.aspx, read from two public copies of its table
that agree rank for rank. ClinCalc writes a combination as "A; B" (here "A / B"). Rows that
name a group rather than a drug ("Isosorbide", "Magnesium Salts", "Calcium", "Sodium
Salts") are checked through the salts a list names; "Lactate" (ClinCalc does not say which
lactate) stays unknown and is a refusal below.
"""

from __future__ import annotations

import pytest

from painrx import catalog
from painrx.errors import UnknownDrugError

# (ClinCalc rank, the name as a list writes it, the catalog ingredients it must resolve to)
TOP_300: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "Atorvastatin", ("atorvastatin",)),
    (2, "Metformin", ("metformin",)),
    (3, "Levothyroxine", ("levothyroxine",)),
    (4, "Lisinopril", ("lisinopril",)),
    (5, "Amlodipine", ("amlodipine",)),
    (6, "Metoprolol", ("metoprolol",)),
    (7, "Albuterol", ("albuterol",)),
    (8, "Losartan", ("losartan",)),
    (9, "Gabapentin", ("gabapentin",)),
    (10, "Omeprazole", ("omeprazole",)),
    (11, "Sertraline", ("sertraline",)),
    (12, "Rosuvastatin", ("rosuvastatin",)),
    (13, "Pantoprazole", ("pantoprazole",)),
    (14, "Escitalopram", ("escitalopram",)),
    (15, "Dextroamphetamine / Amphetamine", ("amphetamine", "dextroamphetamine")),
    (16, "Hydrochlorothiazide", ("hydrochlorothiazide",)),
    (17, "Bupropion", ("bupropion",)),
    (18, "Fluoxetine", ("fluoxetine",)),
    (19, "Semaglutide", ("semaglutide",)),
    (20, "Montelukast", ("montelukast",)),
    (21, "Trazodone", ("trazodone",)),
    (22, "Simvastatin", ("simvastatin",)),
    (23, "Amoxicillin", ("amoxicillin",)),
    (24, "Tamsulosin", ("tamsulosin",)),
    (25, "Acetaminophen / Hydrocodone", ("acetaminophen", "hydrocodone")),
    (26, "Fluticasone", ("fluticasone",)),
    (27, "Meloxicam", ("meloxicam",)),
    (28, "Apixaban", ("apixaban",)),
    (29, "Furosemide", ("furosemide",)),
    (30, "Insulin Glargine", ("insulin_glargine",)),
    (31, "Duloxetine", ("duloxetine",)),
    (32, "Ibuprofen", ("ibuprofen",)),
    (33, "Famotidine", ("famotidine",)),
    (34, "Empagliflozin", ("empagliflozin",)),
    (35, "Carvedilol", ("carvedilol",)),
    (36, "Tramadol", ("tramadol",)),
    (37, "Alprazolam", ("alprazolam",)),
    (38, "Prednisone", ("prednisone",)),
    (39, "Hydroxyzine", ("hydroxyzine",)),
    (40, "Buspirone", ("buspirone",)),
    (41, "Clopidogrel", ("clopidogrel",)),
    (42, "Glipizide", ("glipizide",)),
    (43, "Citalopram", ("citalopram",)),
    (44, "Potassium Chloride", ("potassium_chloride",)),
    (45, "Allopurinol", ("allopurinol",)),
    (46, "Aspirin", ("aspirin",)),
    (47, "Cyclobenzaprine", ("cyclobenzaprine",)),
    (48, "Ergocalciferol", ("ergocalciferol",)),
    (49, "Oxycodone", ("oxycodone",)),
    (50, "Methylphenidate", ("methylphenidate",)),
    (51, "Venlafaxine", ("venlafaxine",)),
    (52, "Spironolactone", ("spironolactone",)),
    (53, "Ondansetron", ("ondansetron",)),
    (54, "Zolpidem", ("zolpidem",)),
    (55, "Cetirizine", ("cetirizine",)),
    (56, "Estradiol", ("estradiol",)),
    (57, "Pravastatin", ("pravastatin",)),
    (58, "Hydrochlorothiazide / Lisinopril", ("hydrochlorothiazide", "lisinopril")),
    (59, "Lamotrigine", ("lamotrigine",)),
    (60, "Quetiapine", ("quetiapine",)),
    (61, "Fluticasone / Salmeterol", ("fluticasone", "salmeterol")),
    (62, "Clonazepam", ("clonazepam",)),
    (63, "Dulaglutide", ("dulaglutide",)),
    (64, "Azithromycin", ("azithromycin",)),
    (65, "Hydrochlorothiazide / Losartan", ("hydrochlorothiazide", "losartan")),
    (66, "Amoxicillin / Clavulanate", ("amoxicillin", "clavulanate")),
    (67, "Latanoprost", ("latanoprost",)),
    (68, "Cholecalciferol", ("cholecalciferol",)),
    (69, "Propranolol", ("propranolol",)),
    (70, "Ezetimibe", ("ezetimibe",)),
    (71, "Topiramate", ("topiramate",)),
    (72, "Paroxetine", ("paroxetine",)),
    (73, "Diclofenac", ("diclofenac",)),
    (74, "Budesonide / Formoterol", ("budesonide", "formoterol")),
    (75, "Atenolol", ("atenolol",)),
    (76, "Lisdexamfetamine", ("lisdexamfetamine",)),
    (77, "Doxycycline", ("doxycycline",)),
    (78, "Pregabalin", ("pregabalin",)),
    (79, "Ethinyl Estradiol / Norethindrone", ("ethinyl_estradiol", "norethindrone")),
    (80, "Glimepiride", ("glimepiride",)),
    (81, "Tizanidine", ("tizanidine",)),
    (82, "Clonidine", ("clonidine",)),
    (83, "Fenofibrate", ("fenofibrate",)),
    (84, "Insulin Lispro", ("insulin_lispro",)),
    (85, "Valsartan", ("valsartan",)),
    (86, "Cephalexin", ("cephalexin",)),
    (87, "Baclofen", ("baclofen",)),
    (88, "Rivaroxaban", ("rivaroxaban",)),
    (89, "Ferrous Sulfate", ("ferrous_sulfate",)),
    (90, "Amitriptyline", ("amitriptyline",)),
    (91, "Finasteride", ("finasteride",)),
    (92, "Dapagliflozin", ("dapagliflozin",)),
    (93, "Acetaminophen / Oxycodone", ("acetaminophen", "oxycodone")),
    (94, "Folic Acid", ("folic_acid",)),
    (95, "Aripiprazole", ("aripiprazole",)),
    (96, "Olmesartan", ("olmesartan",)),
    (97, "Ethinyl Estradiol / Norgestimate", ("ethinyl_estradiol", "norgestimate")),
    (98, "Valacyclovir", ("valacyclovir",)),
    (99, "Mirtazapine", ("mirtazapine",)),
    (100, "Lorazepam", ("lorazepam",)),
    (101, "Levetiracetam", ("levetiracetam",)),
    (102, "Insulin Aspart", ("insulin_aspart",)),
    (103, "Naproxen", ("naproxen",)),
    (104, "Cyanocobalamin", ("cyanocobalamin",)),
    (105, "Loratadine", ("loratadine",)),
    (106, "Diltiazem", ("diltiazem",)),
    (107, "Sumatriptan", ("sumatriptan",)),
    (108, "Triamcinolone", ("triamcinolone",)),
    (109, "Hydralazine", ("hydralazine",)),
    (110, "Tirzepatide", ("tirzepatide",)),
    (111, "Celecoxib", ("celecoxib",)),
    (112, "Acetaminophen", ("acetaminophen",)),
    (113, "Alendronate", ("alendronate",)),
    (114, "Oxybutynin", ("oxybutynin",)),
    (115, "Hydrochlorothiazide / Triamterene", ("hydrochlorothiazide", "triamterene")),
    (116, "Warfarin", ("warfarin",)),
    (117, "Progesterone", ("progesterone",)),
    (118, "Fluticasone / Umeclidinium / Vilanterol", ("fluticasone", "umeclidinium", "vilanterol")),
    (119, "Testosterone", ("testosterone",)),
    (120, "Nifedipine", ("nifedipine",)),
    (121, "Methocarbamol", ("methocarbamol",)),
    (122, "Benzonatate", ("benzonatate",)),
    (123, "Sitagliptin", ("sitagliptin",)),
    (124, "Chlorthalidone", ("chlorthalidone",)),
    (125, "isosorbide mononitrate", ("isosorbide_mononitrate",)),
    (125, "isosorbide dinitrate", ("isosorbide_dinitrate",)),
    (126, "Donepezil", ("donepezil",)),
    (127, "Dexmethylphenidate", ("dexmethylphenidate",)),
    (128, "Sulfamethoxazole / Trimethoprim", ("sulfamethoxazole", "trimethoprim")),
    (129, "Clobetasol", ("clobetasol",)),
    (130, "Methotrexate", ("methotrexate",)),
    (131, "Hydroxychloroquine", ("hydroxychloroquine",)),
    (132, "Lovastatin", ("lovastatin",)),
    (133, "Pioglitazone", ("pioglitazone",)),
    (134, "Irbesartan", ("irbesartan",)),
    (135, "Methylprednisolone", ("methylprednisolone",)),
    (136, "Norethindrone", ("norethindrone",)),
    (137, "Meclizine", ("meclizine",)),
    (138, "Ethinyl Estradiol / Levonorgestrel", ("ethinyl_estradiol", "levonorgestrel")),
    (139, "Fluticasone / Vilanterol", ("fluticasone", "vilanterol")),
    (140, "Ketoconazole", ("ketoconazole",)),
    (141, "Thyroid", ("thyroid",)),
    (142, "Azelastine", ("azelastine",)),
    (143, "Nitrofurantoin", ("nitrofurantoin",)),
    (144, "Adalimumab", ("adalimumab",)),
    (145, "Memantine", ("memantine",)),
    (146, "Prednisolone", ("prednisolone",)),
    (147, "Esomeprazole", ("esomeprazole",)),
    (148, "Docusate", ("docusate",)),
    (149, "Clindamycin", ("clindamycin",)),
    (150, "Acyclovir", ("acyclovir",)),
    (151, "Sildenafil", ("sildenafil",)),
    (152, "Insulin Degludec", ("insulin_degludec",)),
    (153, "Insulin Detemir", ("insulin_detemir",)),
    (154, "Drospirenone / Ethinyl Estradiol", ("drospirenone", "ethinyl_estradiol")),
    (155, "Ciprofloxacin", ("ciprofloxacin",)),
    (156, "Morphine", ("morphine",)),
    (157, "Insulin Human / Insulin Isophane Human", ("insulin_human", "insulin_isophane")),
    (158, "Levocetirizine", ("levocetirizine",)),
    (159, "Nirmatrelvir / Ritonavir", ("nirmatrelvir", "ritonavir")),
    (160, "Valproate", ("valproate",)),
    (161, "Atomoxetine", ("atomoxetine",)),
    (162, "Budesonide", ("budesonide",)),
    (163, "Tiotropium", ("tiotropium",)),
    (164, "Melatonin", ("melatonin",)),
    (165, "Cefdinir", ("cefdinir",)),
    (166, "Doxepin", ("doxepin",)),
    (167, "Olanzapine", ("olanzapine",)),
    (168, "Phentermine", ("phentermine",)),
    (169, "Ofloxacin", ("ofloxacin",)),
    (170, "Ethinyl Estradiol / Etonogestrel", ("ethinyl_estradiol", "etonogestrel")),
    (171, "Mupirocin", ("mupirocin",)),
    (172, "Benazepril", ("benazepril",)),
    (173, "Timolol", ("timolol",)),
    (174, "magnesium oxide", ("magnesium_oxide",)),
    (174, "magnesium hydroxide", ("magnesium_hydroxide",)),
    (174, "magnesium citrate", ("magnesium_citrate",)),
    (175, "Fluconazole", ("fluconazole",)),
    (176, "Risperidone", ("risperidone",)),
    (177, "Verapamil", ("verapamil",)),
    (178, "Linaclotide", ("linaclotide",)),
    (179, "Cyclosporine", ("cyclosporine",)),
    (180, "Doxazosin", ("doxazosin",)),
    (181, "Albuterol / Ipratropium", ("albuterol", "ipratropium")),
    (182, "Hydrocortisone", ("hydrocortisone",)),
    (183, "Diazepam", ("diazepam",)),
    (184, "Telmisartan", ("telmisartan",)),
    (185, "Carbamazepine", ("carbamazepine",)),
    (186, "Amlodipine / Benazepril", ("amlodipine", "benazepril")),
    (187, "Lithium", ("lithium",)),
    (188, "Evolocumab", ("evolocumab",)),
    (189, "Desvenlafaxine", ("desvenlafaxine",)),
    (190, "Dorzolamide", ("dorzolamide",)),
    (191, "Nebivolol", ("nebivolol",)),
    (192, "Dicyclomine", ("dicyclomine",)),
    (193, "Torsemide", ("torsemide",)),
    (194, "Anastrozole", ("anastrozole",)),
    (195, "Enalapril", ("enalapril",)),
    (196, "Polyethylene Glycol 3350", ("polyethylene_glycol",)),
    (197, "Tretinoin", ("tretinoin",)),
    (198, "Tadalafil", ("tadalafil",)),
    (199, "Sacubitril / Valsartan", ("sacubitril", "valsartan")),
    (200, "calcium carbonate", ("calcium_carbonate",)),
    (200, "calcium citrate", ("calcium_citrate",)),
    (201, "Pramipexole", ("pramipexole",)),
    (202, "Mesalamine", ("mesalamine",)),
    (203, "Metronidazole", ("metronidazole",)),
    (204, "Nortriptyline", ("nortriptyline",)),
    (205, "Emtricitabine / Tenofovir", ("emtricitabine", "tenofovir")),
    (206, "Rimegepant", ("rimegepant",)),
    (207, "Nitroglycerin", ("nitroglycerin",)),
    (208, "Rizatriptan", ("rizatriptan",)),
    (209, "Liraglutide", ("liraglutide",)),
    (210, "Acetaminophen / Codeine", ("acetaminophen", "codeine")),
    (211, "Ramipril", ("ramipril",)),
    (212, "Ropinirole", ("ropinirole",)),
    (213, "Brimonidine", ("brimonidine",)),
    (214, "Mirabegron", ("mirabegron",)),
    (215, "Colchicine", ("colchicine",)),
    (216, "Ticagrelor", ("ticagrelor",)),
    (217, "Terazosin", ("terazosin",)),
    (218, "Amiodarone", ("amiodarone",)),
    (219, "Fexofenadine", ("fexofenadine",)),
    (220, "Liothyronine", ("liothyronine",)),
    (221, "Bisoprolol", ("bisoprolol",)),
    (222, "Omega-3-acid Ethyl Esters", ("omega_3_fatty_acids",)),
    (223, "Flecainide", ("flecainide",)),
    (224, "Oxcarbazepine", ("oxcarbazepine",)),
    (225, "Desogestrel / Ethinyl Estradiol", ("desogestrel", "ethinyl_estradiol")),
    (226, "Ascorbic Acid", ("ascorbic_acid",)),
    (227, "sodium chloride", ("sodium_chloride",)),
    (227, "sodium bicarbonate", ("sodium_bicarbonate",)),
    (228, "Ketorolac", ("ketorolac",)),
    (229, "Dorzolamide / Timolol", ("dorzolamide", "timolol")),
    (230, "Promethazine", ("promethazine",)),
    (231, "Levofloxacin", ("levofloxacin",)),
    (232, "Labetalol", ("labetalol",)),
    (233, "Nystatin", ("nystatin",)),
    (234, "Cyproheptadine", ("cyproheptadine",)),
    (235, "Erythromycin", ("erythromycin",)),
    (236, "Dutasteride", ("dutasteride",)),
    (237, "Moxifloxacin", ("moxifloxacin",)),
    (238, "Bimatoprost", ("bimatoprost",)),
    (239, "Primidone", ("primidone",)),
    (240, "Sucralfate", ("sucralfate",)),
    (241, "Betamethasone / Clotrimazole", ("betamethasone", "clotrimazole")),
    (242, "Senna / Docusate", ("docusate", "senna")),
    (243, "Bumetanide", ("bumetanide",)),
    (244, "Icosapent Ethyl", ("icosapent",)),
    (245, "Solifenacin", ("solifenacin",)),
    (246, "Dexamethasone", ("dexamethasone",)),
    (247, "Epinephrine", ("epinephrine",)),
    (248, "Penicillin V", ("penicillin_v",)),
    (249, "Calcitriol", ("calcitriol",)),
    (250, "Oseltamivir", ("oseltamivir",)),
    (251, "Polymyxin B / Trimethoprim", ("polymyxin_b", "trimethoprim")),
    (252, "Dextromethorphan / Promethazine", ("dextromethorphan", "promethazine")),
    (253, "Terbinafine", ("terbinafine",)),
    (254, "Linagliptin", ("linagliptin",)),
    (255, "Methimazole", ("methimazole",)),
    (256, "Metoclopramide", ("metoclopramide",)),
    (257, "Medroxyprogesterone", ("medroxyprogesterone",)),
    (258, "Pancrelipase", ("pancrelipase",)),
    (259, "Clotrimazole", ("clotrimazole",)),
    (260, "Dexamethasone / Neomycin / Polymyxin B", ("dexamethasone", "neomycin", "polymyxin_b")),
    (261, "Calcium Phosphate / Cholecalciferol", ("calcium_phosphate", "cholecalciferol")),
    (262, "Acetaminophen / Butalbital / Caffeine", ("acetaminophen", "butalbital", "caffeine")),
    (263, "Guanfacine", ("guanfacine",)),
    (264, "Sodium Fluoride", ("sodium_fluoride",)),
    (265, "Codeine / Guaifenesin", ("codeine", "guaifenesin")),
    (266, "Lactulose", ("lactulose",)),
    (267, "Fluorouracil", ("fluorouracil",)),
    (268, "Ipratropium", ("ipratropium",)),
    (269, "Olopatadine", ("olopatadine",)),
    (270, "Chlorhexidine", ("chlorhexidine",)),
    (271, "Nabumetone", ("nabumetone",)),
    (272, "Mometasone", ("mometasone",)),
    (273, "Polyethylene Glycol 3350 With Electrolytes", ("polyethylene_glycol",)),
    (274, "Hydroquinone", ("hydroquinone",)),
    (275, "Phenazopyridine", ("phenazopyridine",)),
    (276, "Loperamide", ("loperamide",)),
    (277, "Lidocaine", ("lidocaine",)),
    (278, "Ciclopirox", ("ciclopirox",)),
    (279, "Cefuroxime", ("cefuroxime",)),
    (280, "Betamethasone", ("betamethasone",)),
    (
        281,
        "Brompheniramine / Dextromethorphan / Pseudoephedrine",
        ("brompheniramine", "dextromethorphan", "pseudoephedrine"),
    ),
    (282, "Ethinyl Estradiol / Norgestrel", ("ethinyl_estradiol", "norgestrel")),
    (283, "Ciprofloxacin / Dexamethasone", ("ciprofloxacin", "dexamethasone")),
    (284, "Diphenhydramine", ("diphenhydramine",)),
    (285, "Ethinyl Estradiol / Norelgestromin", ("ethinyl_estradiol", "norelgestromin")),
    (286, "Atropine / Diphenoxylate", ("atropine", "diphenoxylate")),
    (287, "Indomethacin", ("indomethacin",)),
    (288, "Niacin", ("niacin",)),
    (290, "Vitamin E", ("vitamin_e",)),
    (291, "Guaifenesin", ("guaifenesin",)),
    (292, "Pseudoephedrine", ("pseudoephedrine",)),
    (293, "Bisacodyl", ("bisacodyl",)),
    (294, "Riboflavin", ("riboflavin",)),
    (295, "Ivermectin", ("ivermectin",)),
    (296, "Etodolac", ("etodolac",)),
    (297, "Lactobacillus Acidophilus", ("lactobacillus",)),
    (298, "Tobramycin", ("tobramycin",)),
    (299, "Ketotifen", ("ketotifen",)),
    (300, "Loratadine / Pseudoephedrine", ("loratadine", "pseudoephedrine")),
)

# Alerts that mean part of the name was not read: none may remain for a Top 300 name.
_NAME_NOT_READ = "unrecognised_name_words"


def test_the_list_is_the_whole_top_300() -> None:
    ranks = {rank for rank, _, _ in TOP_300}
    # 289 "Lactate" is the one rank without a drug the catalog can name (see below).
    assert ranks == set(range(1, 301)) - {289}


@pytest.mark.parametrize(
    ("rank", "text", "ingredients"),
    TOP_300,
    ids=[f"clincalc_top300_2023-{rank}-{text}" for rank, text, _ in TOP_300],
)
def test_every_top_300_drug_is_known(rank: int, text: str, ingredients: tuple[str, ...]) -> None:
    parsed = catalog.parse_medication(text)
    assert tuple(sorted(parsed.product.ingredients)) == ingredients, rank
    assert _NAME_NOT_READ not in {a.code for a in parsed.alerts}, rank


# --- real-list spellings ---------------------------------------------------------------
# Each: the text, the product it must read as, and the strengths painrx may use from it.
# A unit painrx does not accept (mEq, IU, units, puffs, drops, tabs) is reported in an
# alert and never used; the drug is still known.
SPELLINGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("potassium chloride ER 20 mEq", "potassium_chloride", ()),
    ("KCl 20 mEq daily", "potassium_chloride", ()),
    ("Klor-Con 10 mEq", "potassium_chloride", ()),
    ("vitamin D3 2000 IU daily", "cholecalciferol", ()),
    ("insulin glargine 20 units at bedtime", "insulin_glargine", ()),
    ("NPH insulin 10 units bid", "insulin_isophane", ()),
    ("Humulin R 5 units", "insulin_human", ()),
    ("albuterol 2 puffs q4h prn", "albuterol", ()),
    ("ProAir HFA 2 puffs q4h prn", "albuterol", ()),
    ("Trelegy Ellipta 1 puff daily", "fluticasone/umeclidinium/vilanterol", ()),
    ("DuoNeb q6h", "albuterol/ipratropium", ()),
    ("multivitamin daily", "multivitamin", ()),
    ("multivitamin with minerals 1 tab daily", "multivitamin", ()),
    ("fish oil 1 g", "omega_3_fatty_acids", ("1 g",)),
    ("omega-3 1000 mg daily", "omega_3_fatty_acids", ("1000 mg",)),
    ("ASA 81 mg", "aspirin", ("81 mg",)),
    ("aspirin 81 mg EC daily", "aspirin", ("81 mg",)),
    ("ferrous sulfate 325 mg daily", "ferrous_sulfate", ("325 mg",)),
    ("magnesium oxide 400 mg daily", "magnesium_oxide", ("400 mg",)),
    ("calcium carbonate 500 mg bid", "calcium_carbonate", ("500 mg",)),
    ("Tums 500 mg", "calcium_carbonate", ("500 mg",)),
    ("calcium carbonate-vitamin D3 600 mg-400 unit", "calcium_carbonate/cholecalciferol", ()),
    ("senna-docusate 8.6-50 mg", "docusate/senna", ("50 mg", "8.6 mg")),
    ("Senokot-S 2 tabs qhs", "docusate/senna", ()),
    ("vitamin B12 1000 mcg daily", "cyanocobalamin", ("1000 mcg",)),
    ("vitamin C 500 mg", "ascorbic_acid", ("500 mg",)),
    ("thiamine 100 mg daily", "thiamine", ("100 mg",)),
    ("melatonin 3 mg qhs", "melatonin", ("3 mg",)),
    ("latanoprost 1 drop both eyes at bedtime", "latanoprost", ()),
    ("Lomotil 2.5 mg", "diphenoxylate/atropine", ("2.5 mg",)),  # the first component
    # Beyond the Top 300, common on older patients' lists
    ("Imdur 30 mg daily", "isosorbide_mononitrate", ("30 mg",)),
    ("Centrum daily", "multivitamin", ()),
    ("Slow Fe 142 mg", "ferrous_sulfate", ("142 mg",)),
    ("Metamucil 1 packet daily", "psyllium", ()),
    ("PhosLo 667 mg tid", "calcium_acetate", ("667 mg",)),
    ("sevelamer carbonate 800 mg tid", "sevelamer", ("800 mg",)),
    ("Kayexalate 15 g", "sodium_polystyrene_sulfonate", ("15 g",)),
    ("Xopenex HFA 2 puffs q6h prn", "levalbuterol", ()),
)


@pytest.mark.parametrize(("text", "product", "strengths"), SPELLINGS)
def test_real_list_spellings_are_known(text: str, product: str, strengths: tuple[str, ...]) -> None:
    parsed = catalog.parse_medication(text)
    assert parsed.product.id == product
    assert tuple(str(q) for q in parsed.strengths) == strengths
    assert _NAME_NOT_READ not in {a.code for a in parsed.alerts}


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("potassium chloride ER 20 mEq", "meq"),
        ("vitamin D3 2000 IU daily", "iu"),
        ("insulin glargine 20 units at bedtime", "units"),
        ("albuterol 2 puffs q4h prn", "puffs"),
    ],
)
def test_a_unit_painrx_does_not_accept_is_reported_never_used(text: str, unit: str) -> None:
    parsed = catalog.parse_medication(text)
    alerts = {a.code: a.message for a in parsed.alerts}
    assert parsed.strengths == ()
    assert f"Unit {unit!r} is not accepted" in alerts["strength_not_understood"]


def test_a_strength_without_a_unit_is_never_guessed() -> None:
    # "ASA 81": aspirin is known; 81 of what is not guessed (the rules need no dose).
    parsed = catalog.parse_medication("ASA 81")
    assert parsed.product.id == "aspirin"
    assert parsed.strengths == ()
    assert "'81' has no unit" in {a.code: a.message for a in parsed.alerts}["strength_unit_missing"]


# --- what stays unknown, and why ---------------------------------------------------------
# A bare element or class word names no salt or no single product: painrx refuses it and
# names what it can read instead.
@pytest.mark.parametrize(
    ("text", "name", "suggestion"),
    [
        ("calcium 600 mg", "calcium", "calcium citrate"),
        ("magnesium 400 mg", "magnesium", "magnesium oxide"),
        ("potassium 20 mEq", "potassium", "potassium chloride"),
        ("vitamin D 50000 units weekly", "vitamin d", "vitamin D3"),
        ("insulin 10 units", "insulin", "NPH insulin"),
    ],
)
def test_a_bare_element_or_class_word_is_refused_with_suggestions(
    text: str, name: str, suggestion: str
) -> None:
    with pytest.raises(UnknownDrugError) as caught:
        catalog.parse_medication(text)
    assert caught.value.name == name
    assert suggestion in caught.value.suggestions
    assert f"Unknown drug {name!r}" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "iron 325 mg",  # ferrous sulfate, gluconate or fumarate?
        "isosorbide 30 mg",  # mononitrate or dinitrate: different doses
        "lactate",  # ClinCalc 289: which lactate salt is not said
        "sodium 1 g",  # chloride or bicarbonate
    ],
)
def test_names_of_no_single_ingredient_stay_unknown(text: str) -> None:
    with pytest.raises(UnknownDrugError, match="it is not in the painrx catalog"):
        catalog.parse_medication(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("albuterol HFA 2 puffs", "'hfa'"),
        ("timolol eye drops", "'eye drops'"),
        ("ciprofloxacin otic", "'otic'"),
    ],
)
def test_a_route_painrx_has_no_term_for_is_named_in_the_alert(text: str, words: str) -> None:
    # painrx has no inhaled, ophthalmic or otic route: reading these words as neutral would
    # let "morphine neb" pass as an oral dose, so they stay unread and the entry is partial.
    parsed = catalog.parse_medication(text)
    message = {a.code: a.message for a in parsed.alerts}[_NAME_NOT_READ]
    assert f"{words} was not understood" in message


def test_a_salt_word_alone_is_never_a_drug() -> None:
    # "potassium chloride" is a name, but "potassium" stays losartan's salt word only.
    assert catalog.parse_medication("losartan potassium 50 mg").product.id == "losartan"
    assert catalog.parse_medication("potassium chloride 20 mEq").product.id == "potassium_chloride"
    with pytest.raises(UnknownDrugError):
        catalog.parse_medication("potassium")
