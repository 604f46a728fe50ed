"""Medical data: the synthetic generator (labelled, split by condition, every gold verifies) and
the real-format loaders on fixtures written in MedQA / MedMCQA / PubMedQA / DDXPlus layouts."""

import json
import os

import pytest

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.domains.medical import data, kb, verify

FIX = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures")


@pytest.fixture(scope="module")
def synth():
    return data.build_synthetic(train_per_condition=8, rl_per_condition=4, test_cases=2, val_cases=1, calc_train=36,
                                calc_rl=9, calc_test=2, calc_val=1)


def test_every_gold_completion_verifies(synth):
    for split in synth:
        for ex in synth[split]:
            v = verify.check(ex["completion"][0]["content"], ex)
            assert v.correct, (split, ex["task"], v.reason, ex["completion"][0]["content"])


def test_split_by_condition_and_labelled_synthetic(synth):
    train = {ex["condition"] for ex in synth["train"] if ex["task"] != "calc"}
    test = {ex["condition"] for ex in synth["test"] if ex["task"] != "calc"}
    val = {ex["condition"] for ex in synth["val"] if ex["task"] != "calc"}
    assert test == set(kb.TEST_CONDITIONS) and val == set(kb.VAL_CONDITIONS)
    assert not (train & test) and not (train & val)
    rl = {ex["condition"] for ex in synth["rl"] if ex["task"] != "calc"}
    assert not (rl & test)
    assert all(ex["synthetic"] and ex["source"] == "synthetic" for s in synth for ex in synth[s])
    iid = {ex["condition"] for ex in synth["iid"] if ex["task"] != "calc"}
    assert iid <= train


def test_no_training_row_names_a_held_out_condition(synth):
    held = [kb.BY_NAME[n] for n in kb.TEST_CONDITIONS + kb.VAL_CONDITIONS]
    words = [n.name.lower() for n in held] + [a.lower() for c in held for a in c.aliases if len(a) > 3]
    seen_mgmt = {c.management for c in kb.CONDITIONS if c not in held}
    words += [c.management.lower() for c in held if c.management not in seen_mgmt]  # PE and DVT share one
    for split in ("train", "rl", "iid"):
        for ex in synth[split]:
            text = (ex["prompt"][0]["content"] + ex["completion"][0]["content"] + ex["acceptable"]).lower()
            assert not any(w in text for w in words), (split, [w for w in words if w in text])
    assert set(synth["train"]["task"]) == set(verify.TASKS)


def test_calc_held_out_by_value_range_and_phrasing(synth):
    train_q = {ex["prompt"][0]["content"].split(" ")[0] for ex in synth["train"] if ex["task"] == "calc"}
    for ex in synth["test"]:
        if ex["template"] == "calc_bmi":
            weight = float(ex["prompt"][0]["content"].split("weight ")[1].split(" kg")[0])
            assert weight >= kb.CALC_BY_NAME["bmi"].test["weight"][0]
            assert ex["prompt"][0]["content"].startswith("Calculate the BMI")
    assert "Calculate" not in train_q or True  # phrasing checked per calculator below
    for calc in kb.CALCULATORS:
        train_t = {ex["prompt"][0]["content"][:20] for ex in synth["train"] if ex["template"] == f"calc_{calc.name}"}
        test_t = {ex["prompt"][0]["content"][:20] for ex in synth["test"] if ex["template"] == f"calc_{calc.name}"}
        assert test_t and not (train_t & test_t), calc.name


def test_ranked_acceptable_is_the_consistent_differential(synth):
    for ex in synth["train"]:
        if ex["task"] != "ranked":
            continue
        acceptable = json.loads(ex["acceptable"])
        assert ex["answer"] in acceptable
        cond = kb.BY_NAME[ex["answer"]]
        shown = ex["prompt"][0]["content"].split("presents with ")[1].split(".")[0].split(" and ")
        assert set(shown) <= set(cond.presentation)
        held = set(kb.TEST_CONDITIONS) | set(kb.VAL_CONDITIONS)
        assert acceptable == sorted(set(kb.consistent_with(set(shown))) - held)


def test_each_held_out_case_is_asked_as_mcq_and_ranked(synth):
    cases = {}
    for ex in synth["test"]:
        cases.setdefault(ex["case_id"], set()).add(ex["template"])
    pairs = [c for c, t in cases.items() if t == {"mcq_dx", "ranked"}]
    assert len(pairs) == 2 * len(kb.TEST_CONDITIONS)


def test_calculators_by_hand():
    assert kb.compute("bmi", {"weight": 70, "height": 1.75}) == pytest.approx(22.857, abs=1e-3)
    assert kb.compute("map", {"sbp": 120, "dbp": 80}) == pytest.approx(93.333, abs=1e-3)
    assert kb.compute("anion_gap", {"na": 140, "cl": 104, "hco3": 24}) == 12
    assert kb.compute("corrected_calcium", {"ca": 8.0, "albumin": 2.0}) == pytest.approx(9.6)
    assert kb.compute("cockcroft_gault", {"age": 60, "weight": 72, "scr": 1.0, "sex": "man"}) == pytest.approx(80.0)
    assert kb.compute("cockcroft_gault", {"age": 60, "weight": 72, "scr": 1.0, "sex": "woman"}) == pytest.approx(68.0)
    assert kb.compute("fahrenheit_celsius", {"f": 98.6}) == pytest.approx(37.0)
    assert kb.compute("glucose_mmol", {"glucose": 180.16}) == pytest.approx(10.0, rel=1e-3)


# ------------------------------------------------------------------ real formats
def test_medqa_4_and_5_option_files():
    ds = data.load_medqa(path=os.path.join(FIX, "medqa"))
    # no train/dev in the fixture folder: both files are test files; the first one found is used
    rows = ds["test"]
    assert len(rows) in (15, 5)
    ex = rows[0]
    assert ex["task"] == "mcq" and ex["answer"] in json.loads(ex["options"])
    five = data.load_medqa(path=os.path.join(FIX, "medqa", "US_5_options_test.sample5.jsonl"))["test"]
    assert len(five) == 5 and all(len(json.loads(o)) == 5 for o in five["options"])
    four = data.load_medqa(path=os.path.join(FIX, "medqa", "US_4_options_phrases_no_exclude_test.sample15.jsonl"))["test"]
    assert len(four) == 15 and four[0]["answer"] == "B" and "B. Tell the attending" in four[0]["prompt"][0]["content"]
    assert not any(four["synthetic"])


def test_medqa_errors_name_file_line_and_field(tmp_path):
    f = tmp_path / "x_test.jsonl"
    f.write_text(json.dumps({"question": "q", "options": {"A": "a", "B": "b"}, "answer_idx": "A"}) + "\n"
                 + json.dumps({"question": "q", "options": {"A": "a", "B": "b"}, "answer_idx": "C"}) + "\n")
    with pytest.raises(FoundryError, match=r"x_test.jsonl:2: field 'answer_idx'"):
        data.load_medqa(path=str(f))
    f.write_text("{not json\n")
    with pytest.raises(FoundryError, match=r"x_test.jsonl:1: malformed JSON"):
        data.load_medqa(path=str(f))
    f.write_text(json.dumps({"question": "q", "answer_idx": "A"}) + "\n")
    with pytest.raises(FoundryError, match=r":1: missing field\(s\) 'options'"):
        data.load_medqa(path=str(f))


def _medmcqa_rows():
    base = {"question": "Drug of choice?", "opa": "w", "opb": "x", "opc": "y", "opd": "z", "exp": "",
            "subject_name": "Pharmacology", "topic_name": ""}
    return [{**base, "id": "1", "cop": 3, "choice_type": "single"},
            {**base, "id": "2", "cop": 1, "choice_type": "multi"},
            {**base, "id": "3", "cop": 4, "choice_type": "single"}]


def test_medmcqa_cop_base_from_the_data_and_multi_rows_kept(tmp_path, capsys):
    """Issue 27: a 0-based file read with the old default kept 2,835 of 4,183 dev rows, none with the right
    letter, and exit 0; multi rows (one cop each) were skipped although the benchmark scores them."""
    folder = tmp_path / "medmcqa"
    folder.mkdir()
    (folder / "dev.json").write_text("".join(json.dumps(r) + "\n" for r in _medmcqa_rows()))
    ds = data.load_medmcqa(path=str(folder))
    assert list(ds) == ["val"] and ds["val"]["answer"] == ["C", "A", "D"]  # 1-based (a 4 is there), multi kept
    assert "kept 3 of 3 rows ('cop' 1-based; 1 with choice_type multi" in capsys.readouterr().err.replace("\n", "")
    hub = [dict(r, cop=r["cop"] - 1) for r in _medmcqa_rows()] + [dict(_medmcqa_rows()[0], id="4", cop=-1)]
    (folder / "dev.json").write_text("".join(json.dumps(r) + "\n" for r in hub))
    assert data.load_medmcqa(path=str(folder))["val"]["answer"] == ["C", "A", "D"]  # 0-based found; -1 left out
    with pytest.raises(FoundryError, match=r"cop_base=1, but the data's 'cop' values \[-1, 0, 2, 3\] are 0-based"):
        data.load_medmcqa(path=str(folder), cop_base=1)  # the silent mislabel, now refused
    ambiguous = _write(folder / "dev.json", [dict(_medmcqa_rows()[0], cop=c) for c in (1, 2, 3, 2)])
    with pytest.raises(FoundryError, match=r"every 'cop' is 1-3.*--arg cop_base=0 or --arg cop_base=1"):
        data.load_medmcqa(path=str(ambiguous))
    assert data.load_medmcqa(path=str(ambiguous), cop_base=0)["test"]["answer"] == ["B", "C", "D", "C"]
    bad = _write(folder / "dev.json", [dict(_medmcqa_rows()[0], cop=c) for c in (0, 2, 4)])
    with pytest.raises(FoundryError, match=r"both 0 \(or -1\) and 4"):
        data.load_medmcqa(path=str(bad))
    hidden = _write(folder / "dev.json", [dict(_medmcqa_rows()[0], cop=-1), dict(_medmcqa_rows()[1], cop=None)])
    with pytest.raises(FoundryError, match=r"no MedMCQA row with an answer"):
        data.load_medmcqa(path=str(hidden))  # an empty dataset is an error, never exit 0
    only_multi = _write(folder / "dev.json", [dict(_medmcqa_rows()[1], cop=c, id=str(c)) for c in (1, 4)])
    assert data.load_medmcqa(path=str(only_multi))["test"]["answer"] == ["A", "D"]


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_pubmedqa_sample():
    ds = data.load_pubmedqa(path=os.path.join(FIX, "pubmedqa", "ori_pqal.json"))
    rows = ds["test"]
    assert len(rows) == 15 and set(rows["answer"]) <= set(verify.YNM)
    assert rows[0]["case_id"] == "21645374" and rows[0]["prompt"][0]["content"].startswith("Context: Programmed cell")
    assert all(verify.check(ex["completion"][0]["content"], ex).correct for ex in rows)


def test_pubmedqa_bad_label(tmp_path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"1": {"QUESTION": "q", "CONTEXTS": ["c"], "final_decision": "perhaps"}}))
    with pytest.raises(FoundryError, match="PMID 1: field 'final_decision'"):
        data.load_pubmedqa(path=str(f))


def write_ddxplus(folder):
    """A DDXPlus release in the real layout (two pathologies, four evidences, three patients)."""
    folder.mkdir(exist_ok=True)
    evidences = {
        "E_91": {"name": "E_91", "code_question": "E_91", "question_fr": "...", "question_en": "Do you have a fever?",
                 "is_antecedent": False, "default_value": 0, "value_meaning": {}, "possible-values": [], "data_type": "B"},
        "E_53": {"name": "E_53", "code_question": "E_53", "question_en": "Do you have pain somewhere?",
                 "is_antecedent": False, "default_value": 0, "value_meaning": {}, "possible-values": [], "data_type": "B"},
        "E_55": {"name": "E_55", "code_question": "E_53", "question_en": "Where is the pain located?",
                 "is_antecedent": False, "default_value": "V_123", "data_type": "M",
                 "value_meaning": {"V_123": {"en": "nowhere", "fr": "nulle part"}, "V_29": {"en": "chest", "fr": "thorax"}},
                 "possible-values": ["V_123", "V_29"]},
        "E_56": {"name": "E_56", "code_question": "E_53", "question_en": "How intense is the pain?",
                 "is_antecedent": False, "default_value": 0, "value_meaning": {}, "possible-values": list(range(11)),
                 "data_type": "C"},
    }
    conditions = {
        "Pneumonie": {"condition_name": "Pneumonie", "cond-name-fr": "Pneumonie", "cond-name-eng": "Pneumonia",
                      "icd10-id": "J17", "symptoms": {"E_91": {}}, "antecedents": {}, "severity": 3},
        "Bronchite": {"condition_name": "Bronchite", "cond-name-fr": "Bronchite", "cond-name-eng": "Bronchitis",
                      "icd10-id": "J40", "symptoms": {"E_53": {}}, "antecedents": {}, "severity": 4},
    }
    (folder / "release_evidences.json").write_text(json.dumps(evidences))
    (folder / "release_conditions.json").write_text(json.dumps(conditions))
    lines = ["AGE,DIFFERENTIAL_DIAGNOSIS,SEX,PATHOLOGY,EVIDENCES,INITIAL_EVIDENCE",
             "49,\"[['Bronchite', 0.21], ['Pneumonie', 0.61]]\",M,Pneumonie,\"['E_91', 'E_53', 'E_55_@_V_29', 'E_56_@_7']\",E_91",
             "18,\"[['Bronchite', 0.7]]\",F,Bronchite,\"['E_53', 'E_56_@_3']\",E_53"]
    (folder / "release_test_patients.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_ddxplus_rendered_with_english_names_and_ranked_gold(tmp_path):
    folder = write_ddxplus(tmp_path / "ddx")
    rows = data.load_ddxplus(path=str(folder))["test"]
    assert len(rows) == 2
    ex = rows[0]
    assert ex["task"] == "ranked" and ex["answer"] == "Pneumonia"
    assert json.loads(ex["acceptable"]) == ["Pneumonia", "Bronchitis"]  # by probability, preferred first
    text = ex["prompt"][0]["content"]
    assert "A 49-year-old man. Chief complaint: Do you have a fever? Yes." in text
    assert "Where is the pain located? chest." in text and "How intense is the pain? 7." in text
    assert ex["completion"][0]["content"].endswith("<answer>1. Pneumonia\n2. Bronchitis</answer>")
    assert verify.check(ex["completion"][0]["content"], ex).correct
    assert verify.check("<answer>1. bronchitis\n2. pneumonia</answer>", ex).reason == "preferred_lower"


def test_ddxplus_errors(tmp_path):
    folder = write_ddxplus(tmp_path / "ddx")
    csv = folder / "release_test_patients.csv"
    csv.write_text(csv.read_text().replace("'E_56_@_3'", "'E_99'"))
    with pytest.raises(FoundryError, match=r"release_test_patients.csv:3: evidence 'E_99'"):
        data.load_ddxplus(path=str(folder))
    os.remove(folder / "release_conditions.json")
    with pytest.raises(FoundryError, match="release_conditions.json: file not found"):
        data.load_ddxplus(path=str(folder))


def test_generic_ranked_jsonl(tmp_path):
    f = _write(tmp_path / "q_test.jsonl", [
        {"question": "Causes of X?", "answers": ["alpha", "beta"], "preferred": "beta", "aliases": {"b": "beta"}}])
    ex = data.load_ranked(path=str(f))["test"][0]
    assert ex["answer"] == "beta" and json.loads(ex["acceptable"]) == ["beta", "alpha"]
    assert verify.check("<answer>1. B\n2. alpha</answer>", ex).correct  # the row's own alias
    _write(f, [{"question": "q", "answers": ["a"], "preferred": "z"}])
    with pytest.raises(FoundryError, match=r"q_test.jsonl:1: field 'preferred'"):
        data.load_ranked(path=str(f))


def test_check_example_errors():
    with pytest.raises(FoundryError, match="x:1: field 'task'"):
        data.check_example({"task": "essay", "answer": "a"}, "x:1", ".")
    with pytest.raises(FoundryError, match="needs field 'options'"):
        data.check_example({"task": "mcq", "answer": "A"}, "x:1", ".")
    ex = data.check_example({"task": "mcq", "answer": "B", "options": {"A": "a", "B": "b"}}, "x:1", ".")
    assert json.loads(ex["options"]) == {"A": "a", "B": "b"}


LFS = ("version https://git-lfs.github.com/spec/v1\n"
       "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 26415378\n")


def test_git_lfs_pointers_are_named_in_every_reader(tmp_path):
    """Issue 27: a Git LFS pointer in place of DDXPlus's patients zip ended in a BadZipFile traceback that did not
    name the file. Every reader (zip, JSON, JSONL, CSV/TSV, parquet through hf:) says which file and `git lfs pull`."""
    from r1_foundry.core.data import hub
    from r1_foundry.domains.chem.data import load_chebi20

    folder = write_ddxplus(tmp_path / "ddx")
    (folder / "release_test_patients.csv").unlink()
    (folder / "release_test_patients.zip").write_text(LFS)
    cases = [(lambda: data.load_ddxplus(path=str(folder)), "release_test_patients.zip")]
    medqa = tmp_path / "medqa_test.jsonl"
    medqa.write_text(LFS)
    cases.append((lambda: data.load_medqa(path=str(medqa)), "medqa_test.jsonl"))
    conditions = write_ddxplus(tmp_path / "ddx2") / "release_conditions.json"
    conditions.write_text(LFS)
    cases.append((lambda: data.load_ddxplus(path=str(conditions.parent)), "release_conditions.json"))
    chebi = tmp_path / "chebi" / "test.txt"
    chebi.parent.mkdir()
    chebi.write_text(LFS)
    cases.append((lambda: load_chebi20(path=str(chebi.parent)), "test.txt"))
    parquet = tmp_path / "x.parquet"
    parquet.write_text(LFS)
    cases.append((lambda: hub.load(f"hf:{parquet}"), "x.parquet"))
    for call, name in cases:
        with pytest.raises(FoundryError, match=rf"{name} is a Git LFS pointer, not the data: fetch it with `git lfs pull`"):
            call()
    bad_zip = folder / "release_test_patients.zip"
    bad_zip.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(FoundryError, match="release_test_patients.zip: not a zip file"):
        data.load_ddxplus(path=str(folder))


def test_ddxplus_minors_are_boys_and_girls(tmp_path):
    """Issue 27: DDXPlus vignettes called patients under 18 'man'/'woman' ("A 8-year-old man")."""
    folder = write_ddxplus(tmp_path / "ddx")
    lines = (folder / "release_test_patients.csv").read_text().splitlines()
    lines.append("8,\"[['Bronchite', 0.7]]\",M,Bronchite,\"['E_53']\",E_53")
    (folder / "release_test_patients.csv").write_text("\n".join(lines) + "\n")
    starts = [r["prompt"][-1]["content"].split(".")[0] for r in data.load_ddxplus(path=str(folder))["test"]]
    assert starts == ["A 49-year-old man", "A 18-year-old woman", "A 8-year-old boy"]


def test_pubmedqa_official_test_split_from_its_ground_truth(tmp_path):
    """Issue 27: the official 500-question test set (test_ground_truth.json ids) as a builder option."""
    src = os.path.join(FIX, "pubmedqa", "ori_pqal.json")
    pqal = json.load(open(src))
    ids = list(pqal)[:5]
    truth = tmp_path / "test_ground_truth.json"
    truth.write_text(json.dumps({p: pqal[p]["final_decision"] for p in ids}))
    ds = data.load_pubmedqa(path=src, test_ids=str(truth))
    assert ds["test"]["case_id"] == ids and len(ds["train"]) == len(pqal) - 5
    assert not set(ds["train"]["case_id"]) & set(ids)
    truth.write_text(json.dumps({ids[0]: "maybe" if pqal[ids[0]]["final_decision"] != "maybe" else "yes"}))
    with pytest.raises(FoundryError, match=f"PMID {ids[0]} is labelled"):
        data.load_pubmedqa(path=src, test_ids=str(truth))
    truth.write_text(json.dumps({"99999999": "yes"}))
    with pytest.raises(FoundryError, match="1 test PMID"):
        data.load_pubmedqa(path=src, test_ids=str(truth))
