"""A small structured knowledge base for the synthetic medical generator (SYNTHETIC, NOT FOR
CLINICAL USE): common conditions with their presenting symptoms, characteristic clues (history,
examination, laboratory or imaging findings) and first-line management, written from standard
textbook knowledge at the level of a medical-school summary; and the clinical calculators with
their formulas. It exists to make checkable training data, not to advise anyone.

``presentation`` terms come from one shared vocabulary, so that the conditions consistent with a
vignette's presenting symptoms (its acceptable differential) can be computed; ``clues`` are what
singles out the condition.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Condition:
    name: str
    system: str
    presentation: tuple[str, ...]
    clues: tuple[str, ...]
    management: str
    aliases: tuple[str, ...] = ()
    ages: tuple[int, int] = (25, 75)
    sex: str = "any"  # any | female | male
    extra: dict = field(default_factory=dict)


C = Condition
CONDITIONS: tuple[Condition, ...] = (
    # cardiovascular
    C("acute myocardial infarction", "cardiovascular", ("chest pain", "sweating", "shortness of breath", "nausea"),
      ("crushing central chest pain radiating to the left arm", "ST elevation in leads II, III and aVF",
       "raised troponin"), "aspirin and urgent reperfusion by primary PCI", ("MI", "heart attack", "STEMI"), (45, 85)),
    C("stable angina", "cardiovascular", ("chest pain", "shortness of breath"),
      ("chest tightness on exertion relieved by rest within minutes", "normal troponin",
       "ST depression on exercise testing"), "sublingual glyceryl trinitrate and a beta blocker",
      ("angina", "angina pectoris"), (45, 80)),
    C("acute pericarditis", "cardiovascular", ("chest pain", "fever"),
      ("sharp chest pain relieved by sitting forward", "pericardial friction rub",
       "widespread saddle-shaped ST elevation"), "an NSAID with colchicine", ("pericarditis",), (20, 60)),
    C("aortic dissection", "cardiovascular", ("chest pain", "back pain", "sweating"),
      ("tearing pain radiating to the back", "blood pressure differing between the arms",
       "widened mediastinum on chest X-ray"), "urgent blood pressure control and surgical review",
      ("dissecting aneurysm",), (50, 85)),
    C("heart failure", "cardiovascular", ("shortness of breath", "leg swelling", "fatigue"),
      ("breathlessness lying flat", "raised jugular venous pressure with bibasal crackles", "raised BNP"),
      "a loop diuretic", ("congestive heart failure", "CHF", "cardiac failure"), (55, 90)),
    C("atrial fibrillation", "cardiovascular", ("palpitations", "shortness of breath", "fatigue"),
      ("irregularly irregular pulse", "absent P waves on ECG"), "rate control and anticoagulation by stroke risk",
      ("AF", "AFib"), (55, 90)),
    # respiratory
    C("community-acquired pneumonia", "respiratory", ("cough", "fever", "shortness of breath"),
      ("productive cough with rusty sputum", "bronchial breathing at the right base",
       "consolidation on chest X-ray"), "antibiotics chosen by CURB-65 severity", ("pneumonia", "CAP"), (20, 85)),
    C("asthma exacerbation", "respiratory", ("shortness of breath", "cough", "wheeze"),
      ("nocturnal cough and wheeze after a cold", "reduced peak flow improving with a bronchodilator"),
      "inhaled salbutamol and oral steroids", ("asthma",), (8, 40)),
    C("COPD exacerbation", "respiratory", ("shortness of breath", "cough", "wheeze"),
      ("a long smoking history with increased sputum", "hyperinflated chest on X-ray"),
      "bronchodilators, oral steroids and antibiotics if sputum is purulent",
      ("COPD", "chronic obstructive pulmonary disease"), (55, 85)),
    C("pulmonary embolism", "respiratory", ("shortness of breath", "chest pain", "palpitations"),
      ("sudden pleuritic chest pain after a long flight", "a swollen tender calf", "raised D-dimer"),
      "anticoagulation", ("PE",), (25, 80)),
    C("spontaneous pneumothorax", "respiratory", ("shortness of breath", "chest pain"),
      ("sudden one-sided pleuritic pain in a tall thin young man", "absent breath sounds and hyper-resonance on one side"),
      "aspiration or a chest drain depending on size", ("pneumothorax",), (18, 35), "male"),
    C("tuberculosis", "respiratory", ("cough", "fever", "weight loss"),
      ("night sweats and haemoptysis", "upper lobe cavitation on chest X-ray", "acid-fast bacilli in sputum"),
      "a six-month course of combination antituberculous therapy", ("TB",), (20, 70)),
    # gastrointestinal
    C("acute appendicitis", "gastrointestinal", ("abdominal pain", "fever", "nausea"),
      ("periumbilical pain migrating to the right iliac fossa", "tenderness at McBurney's point"),
      "appendicectomy", ("appendicitis",), (10, 40)),
    C("acute cholecystitis", "gastrointestinal", ("abdominal pain", "fever", "nausea"),
      ("right upper quadrant pain after fatty meals", "positive Murphy's sign", "gallstones with a thick gallbladder wall on ultrasound"),
      "antibiotics and early cholecystectomy", ("cholecystitis",), (35, 75)),
    C("acute pancreatitis", "gastrointestinal", ("abdominal pain", "nausea", "back pain"),
      ("severe epigastric pain radiating to the back after heavy drinking", "serum lipase over three times normal"),
      "intravenous fluids, analgesia and nil by mouth", ("pancreatitis",), (30, 70)),
    C("peptic ulcer disease", "gastrointestinal", ("abdominal pain", "nausea"),
      ("epigastric pain relieved by eating", "Helicobacter pylori on breath testing", "regular NSAID use"),
      "a proton pump inhibitor with H. pylori eradication", ("PUD", "peptic ulcer"), (30, 75)),
    C("gastro-oesophageal reflux disease", "gastrointestinal", ("chest pain", "cough"),
      ("burning retrosternal pain after meals and lying down", "acid taste in the mouth"),
      "a proton pump inhibitor", ("GORD", "GERD", "reflux"), (25, 70)),
    C("small bowel obstruction", "gastrointestinal", ("abdominal pain", "vomiting", "nausea"),
      ("colicky pain with distension and no flatus after previous surgery", "dilated small bowel loops on X-ray"),
      "drip and suck: nasogastric tube and intravenous fluids", ("SBO", "bowel obstruction"), (30, 85)),
    # endocrine and metabolic
    C("diabetic ketoacidosis", "endocrine", ("vomiting", "abdominal pain", "fatigue"),
      ("polyuria and polydipsia with deep sighing breathing", "high glucose, ketones and a metabolic acidosis"),
      "intravenous fluids and a fixed-rate insulin infusion", ("DKA",), (12, 40)),
    C("hypothyroidism", "endocrine", ("fatigue", "weight gain"),
      ("cold intolerance and constipation", "raised TSH with low free T4"), "levothyroxine",
      ("underactive thyroid",), (30, 80), "female"),
    C("hyperthyroidism", "endocrine", ("palpitations", "weight loss", "fatigue"),
      ("heat intolerance and tremor", "suppressed TSH with raised free T4", "a diffuse goitre"),
      "a beta blocker and carbimazole", ("Graves disease", "overactive thyroid", "thyrotoxicosis"), (20, 60), "female"),
    C("hypoglycaemia", "endocrine", ("sweating", "confusion", "palpitations"),
      ("a diabetic on insulin who skipped a meal", "capillary glucose below 3 mmol/L"),
      "oral glucose, or intravenous glucose if unable to swallow", ("hypoglycemia", "low blood sugar"), (20, 80)),
    C("Addison's disease", "endocrine", ("fatigue", "weight loss", "vomiting"),
      ("skin hyperpigmentation and postural hypotension", "low sodium with high potassium"),
      "hydrocortisone and fludrocortisone replacement", ("primary adrenal insufficiency", "adrenal insufficiency"), (20, 60)),
    # renal and urological
    C("urinary tract infection", "renal", ("dysuria", "fever"),
      ("frequency and urgency with suprapubic pain", "nitrites and leucocytes on urine dipstick"),
      "a short course of oral antibiotics", ("UTI", "cystitis"), (18, 70), "female"),
    C("acute pyelonephritis", "renal", ("dysuria", "fever", "back pain", "vomiting"),
      ("loin pain with rigors", "renal angle tenderness"), "oral or intravenous antibiotics for 7 to 14 days",
      ("pyelonephritis", "kidney infection"), (18, 70)),
    C("renal colic", "renal", ("back pain", "vomiting", "abdominal pain"),
      ("severe loin-to-groin colicky pain with restlessness", "microscopic haematuria", "a stone on CT KUB"),
      "analgesia with an NSAID", ("kidney stone", "nephrolithiasis", "ureteric colic"), (25, 60)),
    C("acute kidney injury", "renal", ("fatigue", "nausea", "leg swelling"),
      ("falling urine output after starting an ACE inhibitor during diarrhoea", "creatinine doubled from baseline"),
      "stop nephrotoxic drugs and restore volume", ("AKI", "acute renal failure"), (50, 90)),
    # neurological
    C("ischaemic stroke", "neurological", ("weakness", "confusion", "headache"),
      ("sudden facial droop, arm weakness and slurred speech", "no haemorrhage on CT head"),
      "thrombolysis within the time window", ("stroke", "CVA", "cerebral infarction"), (55, 90)),
    C("subarachnoid haemorrhage", "neurological", ("headache", "vomiting", "confusion"),
      ("sudden thunderclap headache, the worst ever", "blood in the basal cisterns on CT"),
      "urgent neurosurgical referral and nimodipine", ("SAH", "subarachnoid hemorrhage"), (30, 65)),
    C("migraine", "neurological", ("headache", "nausea", "vomiting"),
      ("a unilateral throbbing headache with photophobia", "a visual aura before the headache"),
      "a triptan with an NSAID", ("migraine headache",), (16, 50), "female"),
    C("bacterial meningitis", "neurological", ("headache", "fever", "confusion", "vomiting"),
      ("neck stiffness and photophobia", "a non-blanching petechial rash", "turbid CSF with low glucose"),
      "immediate intravenous ceftriaxone", ("meningitis",), (15, 40)),
    C("epileptic seizure", "neurological", ("confusion", "weakness"),
      ("a witnessed tonic-clonic episode with tongue biting", "post-ictal drowsiness"),
      "benzodiazepine if the seizure lasts over 5 minutes", ("seizure", "epilepsy", "fit"), (15, 60)),
    # haematological and infectious
    C("iron deficiency anaemia", "haematological", ("fatigue", "shortness of breath"),
      ("heavy menstrual periods", "microcytic anaemia with low ferritin", "koilonychia"), "oral iron and finding the cause",
      ("iron deficiency anemia", "IDA"), (18, 50), "female"),
    C("vitamin B12 deficiency", "haematological", ("fatigue", "weakness"),
      ("pins and needles in both feet", "macrocytic anaemia with low B12", "a smooth sore tongue"),
      "intramuscular hydroxocobalamin", ("pernicious anaemia", "B12 deficiency"), (45, 85)),
    C("deep vein thrombosis", "haematological", ("leg swelling",),
      ("a unilateral swollen tender calf after surgery", "non-compressible femoral vein on ultrasound"),
      "anticoagulation", ("DVT",), (30, 85)),
    C("infectious mononucleosis", "infectious", ("fever", "fatigue", "sore throat"),
      ("posterior cervical lymphadenopathy and splenomegaly", "a positive monospot test"),
      "supportive care and no contact sport for weeks", ("glandular fever", "mono", "EBV infection"), (15, 25)),
    C("cellulitis", "infectious", ("fever", "leg swelling"),
      ("a hot red spreading area of skin on one shin", "a break in the skin from a scratch"),
      "oral flucloxacillin", (), (20, 85)),
    C("sepsis", "infectious", ("fever", "confusion", "shortness of breath"),
      ("hypotension with a lactate above 2 mmol/L", "a suspected source of infection"),
      "the sepsis six within one hour, including antibiotics and fluids", ("septic shock", "septicaemia"), (20, 90)),
    # musculoskeletal
    C("gout", "musculoskeletal", ("joint pain",),
      ("a hot swollen first metatarsophalangeal joint overnight", "negatively birefringent needle-shaped crystals"),
      "an NSAID or colchicine", ("gouty arthritis",), (40, 80), "male"),
    C("septic arthritis", "musculoskeletal", ("joint pain", "fever"),
      ("a single hot swollen knee unable to bear weight", "purulent synovial fluid"),
      "joint aspiration and intravenous antibiotics", (), (20, 80)),
    C("rheumatoid arthritis", "musculoskeletal", ("joint pain", "fatigue"),
      ("symmetrical small joint swelling with morning stiffness over an hour", "positive anti-CCP antibodies"),
      "methotrexate", ("RA",), (30, 65), "female"),
    C("osteoarthritis", "musculoskeletal", ("joint pain",),
      ("knee pain worse at the end of the day with brief morning stiffness", "joint space narrowing and osteophytes on X-ray"),
      "exercise, weight loss and paracetamol", ("OA", "degenerative joint disease"), (55, 85)),
)

SYSTEMS = tuple(sorted({c.system for c in CONDITIONS}))
BY_NAME = {c.name: c for c in CONDITIONS}
# held-out conditions: never seen in training (test) or used for model selection (val); two or
# three per organ system so that every held-out vignette has same-system distractors in training
TEST_CONDITIONS = ("aortic dissection", "pulmonary embolism", "acute cholecystitis", "hyperthyroidism",
                   "acute pyelonephritis", "subarachnoid haemorrhage", "vitamin B12 deficiency", "septic arthritis",
                   "infectious mononucleosis")
VAL_CONDITIONS = ("atrial fibrillation", "tuberculosis", "small bowel obstruction", "migraine", "cellulitis")


def synonyms() -> dict[str, str]:
    """alias -> canonical condition name, for the answer normaliser (names map to themselves)."""
    table = {c.name: c.name for c in CONDITIONS}
    for c in CONDITIONS:
        for alias in c.aliases:
            table[alias] = c.name
    return table


def consistent_with(shown: set[str]) -> list[str]:
    """Conditions whose presentation includes every shown presenting symptom (the acceptable
    differential of a vignette that shows ``shown``), in knowledge-base order."""
    return [c.name for c in CONDITIONS if shown <= set(c.presentation)]


# ---------------------------------------------------------------- calculators
@dataclass(frozen=True)
class Calculator:
    """A clinical calculation: ``inputs`` name -> (low, high, decimals) for the training range;
    test values are drawn from ``test`` ranges (outside the training ones, where sensible);
    ``tolerance`` is relative (0.05 = within 5 %, as MedCalc-Bench accepts equation-based answers)."""

    name: str
    inputs: dict
    test: dict
    unit: str
    templates: tuple[str, ...]
    tolerance: float = 0.05
    decimals: int = 1


CALCULATORS: tuple[Calculator, ...] = (
    Calculator("bmi", {"weight": (45, 95, 0), "height": (1.50, 1.85, 2)}, {"weight": (96, 140, 0), "height": (1.55, 1.95, 2)},
               "kg/m2", ("A patient weighs {weight} kg and is {height} m tall. What is the body mass index?",
                         "Calculate the BMI of an adult of height {height} m and weight {weight} kg.")),
    Calculator("map", {"sbp": (95, 160, 0), "dbp": (55, 95, 0)}, {"sbp": (161, 210, 0), "dbp": (96, 120, 0)}, "mmHg",
               ("Blood pressure is {sbp}/{dbp} mmHg. What is the mean arterial pressure?",
                "Calculate the mean arterial pressure for a systolic of {sbp} mmHg and a diastolic of {dbp} mmHg.")),
    Calculator("anion_gap", {"na": (130, 145, 0), "cl": (95, 108, 0), "hco3": (14, 28, 0)},
               {"na": (146, 160, 0), "cl": (85, 94, 0), "hco3": (5, 13, 0)}, "mmol/L",
               ("Sodium {na}, chloride {cl} and bicarbonate {hco3} mmol/L. What is the anion gap?",
                "Calculate the anion gap: Na {na} mmol/L, Cl {cl} mmol/L, HCO3 {hco3} mmol/L.")),
    Calculator("corrected_calcium", {"ca": (7.5, 9.5, 1), "albumin": (2.0, 3.5, 1)},
               {"ca": (9.6, 11.5, 1), "albumin": (1.5, 1.9, 1)}, "mg/dL",
               ("Serum calcium is {ca} mg/dL with an albumin of {albumin} g/dL. What is the corrected calcium?",
                "Correct a calcium of {ca} mg/dL for an albumin of {albumin} g/dL.")),
    Calculator("cockcroft_gault", {"age": (25, 65, 0), "weight": (50, 90, 0), "scr": (0.7, 1.5, 1)},
               {"age": (66, 90, 0), "weight": (91, 120, 0), "scr": (1.6, 3.0, 1)}, "mL/min",
               ("A {age}-year-old {sex} weighing {weight} kg has a serum creatinine of {scr} mg/dL. "
                "What is the creatinine clearance by Cockcroft-Gault?",
                "Estimate creatinine clearance (Cockcroft-Gault) for a {sex} aged {age}, {weight} kg, creatinine {scr} mg/dL.")),
    Calculator("dose", {"weight": (10, 60, 0), "per_kg": (5, 15, 0)}, {"weight": (61, 100, 0), "per_kg": (16, 25, 0)}, "mg",
               ("A medication is dosed at {per_kg} mg/kg. What dose is due for a patient of {weight} kg?",
                "Weight-based dosing: {per_kg} mg/kg for a {weight} kg patient. How many mg?"), decimals=0),
    Calculator("glucose_mmol", {"glucose": (60, 250, 0)}, {"glucose": (251, 600, 0)}, "mmol/L",
               ("Convert a blood glucose of {glucose} mg/dL to mmol/L.",
                "A glucose of {glucose} mg/dL is how many mmol/L?")),
    Calculator("creatinine_umol", {"scr": (0.5, 2.0, 1)}, {"scr": (2.1, 6.0, 1)}, "umol/L",
               ("Convert a serum creatinine of {scr} mg/dL to umol/L.",
                "A creatinine of {scr} mg/dL is how many umol/L?"), decimals=0),
    Calculator("fahrenheit_celsius", {"f": (95.0, 101.0, 1)}, {"f": (101.1, 106.0, 1)}, "C",
               ("Convert a temperature of {f} F to degrees Celsius.",
                "A patient's temperature is {f} F. What is it in Celsius?")),
)
CALC_BY_NAME = {c.name: c for c in CALCULATORS}


def compute(name: str, v: dict) -> float:
    """The calculator's formula (standard definitions):

    * BMI = weight (kg) / height (m)^2
    * MAP = (systolic + 2 x diastolic) / 3
    * anion gap = Na - (Cl + HCO3)
    * corrected calcium (mg/dL) = Ca + 0.8 x (4.0 - albumin g/dL)
    * Cockcroft-Gault CrCl (mL/min) = (140 - age) x weight / (72 x creatinine mg/dL), x 0.85 for women
    * dose (mg) = mg/kg x weight
    * glucose mmol/L = mg/dL / 18.016 (molar mass of glucose 180.16 g/mol)
    * creatinine umol/L = mg/dL x 88.42 (molar mass 113.12 g/mol)
    * Celsius = (Fahrenheit - 32) x 5 / 9
    """
    if name == "bmi":
        return v["weight"] / v["height"] ** 2
    if name == "map":
        return (v["sbp"] + 2 * v["dbp"]) / 3
    if name == "anion_gap":
        return v["na"] - (v["cl"] + v["hco3"])
    if name == "corrected_calcium":
        return v["ca"] + 0.8 * (4.0 - v["albumin"])
    if name == "cockcroft_gault":
        crcl = (140 - v["age"]) * v["weight"] / (72 * v["scr"])
        return crcl * (0.85 if v["sex"] == "woman" else 1.0)
    if name == "dose":
        return v["per_kg"] * v["weight"]
    if name == "glucose_mmol":
        return v["glucose"] / 18.016
    if name == "creatinine_umol":
        return v["scr"] * 88.42
    if name == "fahrenheit_celsius":
        return (v["f"] - 32) * 5 / 9
    raise KeyError(name)


def working(name: str, v: dict, result: float) -> str:
    """The worked formula for a gold reasoning trace."""
    r = f"{result:.2f}"
    forms = {
        "bmi": lambda: f"BMI = {v['weight']} / {v['height']}^2 = {r}",
        "map": lambda: f"MAP = ({v['sbp']} + 2 x {v['dbp']}) / 3 = {r}",
        "anion_gap": lambda: f"AG = {v['na']} - ({v['cl']} + {v['hco3']}) = {r}",
        "corrected_calcium": lambda: f"Ca = {v['ca']} + 0.8 x (4.0 - {v['albumin']}) = {r}",
        "cockcroft_gault": lambda: f"CrCl = (140 - {v['age']}) x {v['weight']} / (72 x {v['scr']})"
                           + (" x 0.85" if v.get("sex") == "woman" else "") + f" = {r}",
        "dose": lambda: f"dose = {v['per_kg']} x {v['weight']} = {r}",
        "glucose_mmol": lambda: f"{v['glucose']} / 18.016 = {r}",
        "creatinine_umol": lambda: f"{v['scr']} x 88.42 = {r}",
        "fahrenheit_celsius": lambda: f"({v['f']} - 32) x 5 / 9 = {r}",
    }
    return forms[name]()
