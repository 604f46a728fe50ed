"""``hf:`` sources for every real loader, tested offline: a hub copy's layout saved with
``save_to_disk``, as parquet and as JSONL goes through the hub code path (datasets' loaders, then
the loader's mapping) and gives the same examples as the official files."""

import csv
import json
import os

import pytest
from datasets import Dataset, DatasetDict
from typer.testing import CliRunner

from r1_foundry.core.cli.app import build_root
from r1_foundry.core.data import hub
from r1_foundry.core.util.errors import FoundryError
from tests.domains.sql.test_data import _spider_dir

FIX = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures")
KEYS = ("prompt", "completion", "answer", "task")


def forms(tmp_path, name: str, splits: dict[str, list[dict]]) -> list[str]:
    """The hub layout ``splits`` written three ways; returns the three hf: specs."""
    dd = DatasetDict({k: Dataset.from_list(v) for k, v in splits.items()})
    saved = tmp_path / f"{name}-saved"
    dd.save_to_disk(str(saved))
    pq, js = tmp_path / f"{name}-parquet", tmp_path / f"{name}-json"
    pq.mkdir()
    js.mkdir()
    for split, part in dd.items():
        part.to_parquet(str(pq / f"{split}-00000.parquet"))
        part.to_json(str(js / f"{split}.jsonl"), lines=True)
    return [f"hf:{saved}", f"hf:{pq}", f"hf:{js}"]


def same(a: DatasetDict, b: DatasetDict, keys=KEYS) -> None:
    assert set(a) == set(b), (set(a), set(b))
    for split in a:
        assert len(a[split]) == len(b[split])
        for ra, rb in zip(a[split], b[split], strict=True):
            for k in keys:
                assert ra[k] == rb[k], (split, k, ra[k], rb[k])


def test_parse_spec():
    assert hub.parse("hf:xlangai/spider") == ("xlangai/spider", None, None)
    assert hub.parse("hf:nguha/legalbench:hearsay@main") == ("nguha/legalbench", "hearsay", "main")
    with pytest.raises(FoundryError):
        hub.parse("hf:")


def test_offline_hub_is_one_line_naming_the_dataset(monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(FoundryError) as exc:
        hub.load("hf:xlangai/spider")
    msg = str(exc.value)
    assert "xlangai/spider" in msg and "pass a local path" in msg and "\n" not in msg


def test_offline_hub_from_the_cli_exits_2(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    res = CliRunner().invoke(build_root(), ["medical", "data", "build", "--builder", "medqa", "--out", str(tmp_path),
                                            "--arg", "path=hf:GBaker/MedQA-USMLE-4-options"])
    assert res.exit_code == 2 and "GBaker/MedQA-USMLE-4-options" in res.output and "Traceback" not in res.output


def test_missing_local_copy_and_bad_rename(tmp_path):
    with pytest.raises(FoundryError, match="no such file or folder"):
        hub.load(f"hf:{tmp_path}/nothing.parquet")
    with pytest.raises(FoundryError, match="rename: expected"):
        hub.records(f"hf:{tmp_path}", rename="oops")


# ---------------------------------------------------------------- sql
def test_spider(tmp_path):
    from r1_foundry.domains.sql.data import load_spider

    root = _spider_dir(tmp_path)
    official = load_spider(path=str(root))
    cols = ("db_id", "query", "question")
    train = [{k: r[k] for k in cols} for r in json.load(open(root / "train_spider.json"))]
    dev = [{k: r[k] for k in cols} for r in json.load(open(root / "dev.json"))]
    for spec in forms(tmp_path, "spider", {"train": train, "validation": dev}):
        same(official, load_spider(path=spec, db_path=str(root)), ("prompt", "completion", "gold_sql", "db_path"))
    with pytest.raises(FoundryError, match="also pass --arg db_path=DIR"):
        load_spider(path=f"hf:{tmp_path}/spider-saved")


def test_bird(tmp_path):
    from r1_foundry.domains.sql.data import load_bird

    root = _spider_dir(tmp_path, "bird")
    official = load_bird(path=str(root))
    rows = json.load(open(root / "dev.json"))
    for spec in forms(tmp_path, "bird", {"validation": rows}):
        got = load_bird(path=spec, db_path=str(root))
        same(official, got, ("prompt", "completion", "gold_sql", "db_path", "difficulty"))


# ---------------------------------------------------------------- chem
def test_chebi20(tmp_path):
    from r1_foundry.domains.chem.data import load_chebi20

    f = os.path.join(FIX, "chebi20", "test_head12.txt")
    official = load_chebi20(path=f)
    with open(f, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    renamed = [{"cid": r["CID"], "smiles": r["SMILES"], "caption": r["description"]} for r in rows]
    for spec in forms(tmp_path, "chebi", {"test": renamed}):
        same(official, load_chebi20(path=spec, rename="cid:CID,smiles:SMILES,caption:description"))
    with pytest.raises(FoundryError, match=r"row 0: missing column\(s\)"):
        load_chebi20(path=f"hf:{tmp_path}/chebi-saved")


def test_property(tmp_path):
    from r1_foundry.domains.chem.data import load_property

    rows = [{"smiles": s, "logp": v} for s, v in (("CCO", -0.1), ("c1ccccc1", 1.7), ("CC(=O)O", 0.1), ("CCN", -0.2))]
    (tmp_path / "p.csv").write_text("smiles,logp\n" + "".join(f"{r['smiles']},{r['logp']}\n" for r in rows))
    official = load_property(path=str(tmp_path / "p.csv"), column="logp", test_fraction=0.25, val_fraction=0.0)
    for spec in forms(tmp_path, "prop", {"train": rows}):
        same(official, load_property(path=spec, column="logp", test_fraction=0.25, val_fraction=0.0))


# ---------------------------------------------------------------- medical
def test_medqa(tmp_path):
    from r1_foundry.domains.medical.data import load_medqa

    f = os.path.join(FIX, "medqa", "US_4_options_phrases_no_exclude_test.sample15.jsonl")
    official = load_medqa(path=f)
    rows = [json.loads(line) for line in open(f) if line.strip()]
    for spec in forms(tmp_path, "medqa", {"test": rows}):
        same(official, load_medqa(path=spec))


def test_medmcqa_hub_copy_is_zero_based(tmp_path):
    from r1_foundry.domains.medical.data import load_medmcqa

    base = [{"id": f"q{i}", "question": f"Question {i}?", "opa": "a", "opb": "b", "opc": "c", "opd": "d",
             "choice_type": "single", "subject_name": "Anatomy"} for i in range(4)]
    orig = [{**r, "cop": i % 4 + 1} for i, r in enumerate(base)]
    (tmp_path / "dev.json").write_text("".join(json.dumps(r) + "\n" for r in orig))
    official = load_medmcqa(path=str(tmp_path / "dev.json"))
    hub_rows = [{**r, "cop": i % 4} for i, r in enumerate(base)] + [{**base[0], "id": "hidden", "cop": -1}]
    for spec in forms(tmp_path, "medmcqa", {"test": hub_rows}):
        same(official, load_medmcqa(path=spec))  # the hidden-answer row is skipped


def test_pubmedqa(tmp_path):
    from r1_foundry.domains.medical.data import load_pubmedqa

    f = os.path.join(FIX, "pubmedqa", "ori_pqal.json")
    official = load_pubmedqa(path=f)
    rows = [{"pubid": int(k), "question": v["QUESTION"], "long_answer": v["LONG_ANSWER"],
             "final_decision": v["final_decision"],
             "context": {"contexts": v["CONTEXTS"], "labels": v["LABELS"], "meshes": v["MESHES"]}}
            for k, v in json.load(open(f)).items()]
    for spec in forms(tmp_path, "pubmedqa", {"train": rows}):
        same(official, load_pubmedqa(path=spec))


def test_ranked_and_ddxplus(tmp_path):
    from r1_foundry.domains.medical import data
    from tests.domains.medical.test_data import write_ddxplus

    folder = write_ddxplus(tmp_path / "ddx")
    official = data.load_ddxplus(path=str(folder))
    with open(folder / "release_test_patients.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for spec in forms(tmp_path, "ddx", {"test": rows}):
        same(official, data.load_ddxplus(path=spec, meta_dir=str(folder)))
    with pytest.raises(FoundryError, match="meta_dir"):
        data.load_ddxplus(path=f"hf:{tmp_path}/ddx-saved")
    first = data.load_ddxplus(path=str(folder), limit=1)
    assert len(first["test"]) == 1
    for spec in forms(tmp_path, "ddx1", {"test": rows}):
        same(first, data.load_ddxplus(path=spec, meta_dir=str(folder), limit=1))

    ranked = [{"question": "Chest pain?", "answers": ["MI", "angina"]}, {"question": "Fever?", "answers": ["flu"]}]
    (tmp_path / "r_test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ranked))
    official = data.load_ranked(path=str(tmp_path / "r_test.jsonl"))
    for spec in forms(tmp_path, "ranked", {"test": ranked}):
        same(official, data.load_ranked(path=spec))


# ---------------------------------------------------------------- finance
FINQA = {"id": "ADI/2009/page_49.pdf-1", "pre_text": ["revenue grew ."], "post_text": ["."],
         "table": [["", "2009", "2008"], ["revenue", "$ 120", "$ 100"]],
         "qa": {"question": "what was the change in revenue?", "program": "subtract(120, 100)", "exe_ans": 20.0}}


def test_finqa_nested_and_flat(tmp_path):
    from r1_foundry.domains.finance.data import load_finqa

    (tmp_path / "test.json").write_text(json.dumps([FINQA]))
    official = load_finqa(path=str(tmp_path / "test.json"))
    flat = {**{k: v for k, v in FINQA.items() if k != "qa"}, **FINQA["qa"]}
    for spec in forms(tmp_path, "finqa-flat", {"test": [flat]}):
        same(official, load_finqa(path=spec))
    for spec in forms(tmp_path, "finqa-nested", {"test": [FINQA]}):
        same(official, load_finqa(path=spec))


def test_convfinqa(tmp_path):
    from r1_foundry.domains.finance.data import load_convfinqa

    entry = {**{k: v for k, v in FINQA.items() if k != "qa"},
             "annotation": {"dialogue_break": ["what was revenue in 2009?", "what was the change?"],
                            "turn_program": ["120", "subtract(120, 100)"], "exe_ans_list": [120.0, 20.0]}}
    (tmp_path / "dev.json").write_text(json.dumps([entry]))
    official = load_convfinqa(path=str(tmp_path / "dev.json"))
    for spec in forms(tmp_path, "convfinqa", {"test": [entry]}):
        same(official, load_convfinqa(path=spec))


def test_finance_mcq(tmp_path):
    from r1_foundry.domains.finance.data import load_mcq

    rows = [{"question": "Elasticity?", "options": {"A": "1", "B": "-1"}, "answer": "B"}]
    (tmp_path / "m.jsonl").write_text(json.dumps(rows[0]) + "\n")
    official = load_mcq(path=str(tmp_path / "m.jsonl"))
    for spec in forms(tmp_path, "mcq", {"test": rows}):
        same(official, load_mcq(path=spec))


# ---------------------------------------------------------------- safety
def _csv_rows(name):
    with open(os.path.join(FIX, "safety", name), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_xstest_harmbench_strongreject(tmp_path):
    from r1_foundry.domains.safety import data

    x = [{k: r[k] for k in ("prompt", "type", "label", "focus", "note")} for r in _csv_rows("xstest_prompts.csv")]
    official = data.load_xstest(path=os.path.join(FIX, "safety", "xstest_prompts.csv"))
    for spec in forms(tmp_path, "xstest", {"test": x}):
        same(official, data.load_xstest(path=spec))

    hb = [r for r in _csv_rows("harmbench_behaviors_text_all.csv") if r["FunctionalCategory"] == "standard"]
    official = data.load_harmbench(path=os.path.join(FIX, "safety", "harmbench_behaviors_text_all.csv"),
                                   functional="standard")
    walled = [{"prompt": r["Behavior"], "category": r["SemanticCategory"]} for r in hb]
    for spec in forms(tmp_path, "harmbench", {"train": walled}):
        same(official, data.load_harmbench(path=spec))

    sr = _csv_rows("strongreject_dataset.csv")
    official = data.load_strongreject(path=os.path.join(FIX, "safety", "strongreject_dataset.csv"))
    walled = [{"prompt": r["forbidden_prompt"], "category": r["category"], "source": r.get("source", "")} for r in sr]
    for spec in forms(tmp_path, "strongreject", {"train": walled}):
        same(official, data.load_strongreject(path=spec))


def test_safety_jsonl(tmp_path):
    from r1_foundry.domains.safety.data import load_jsonl

    rows = [{"prompt": "How do I bake bread?", "label": "benign"}, {"prompt": "Hurt someone?", "label": "harmful"}]
    (tmp_path / "s.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    official = load_jsonl(path=str(tmp_path / "s.jsonl"))
    for spec in forms(tmp_path, "sj", {"test": rows}):
        same(official, load_jsonl(path=spec))


# ---------------------------------------------------------------- legal
def test_mbe_and_legalbench(tmp_path):
    from r1_foundry.domains.legal import data

    # one arrow column holds one type: the distilled (object) explanations, as a hub copy would
    rows = [r for r in json.load(open(os.path.join(FIX, "legal", "mbe_distilled.json")))
            if isinstance(r.get("explanation"), dict)]
    assert rows
    (tmp_path / "mbe.json").write_text(json.dumps(rows))
    official = data.load_mbe(path=str(tmp_path / "mbe.json"))
    for spec in forms(tmp_path, "mbe", {"train": rows}):
        same(official, data.load_mbe(path=spec))

    task = os.path.join(FIX, "legal", "tasks", "hearsay")
    official = data.load_legalbench(path=task)
    with open(os.path.join(task, "train.tsv"), encoding="utf-8") as fh:
        train = list(csv.DictReader(fh, delimiter="\t"))
    splits = {"train": train}
    if os.path.isfile(os.path.join(task, "test.tsv")):
        with open(os.path.join(task, "test.tsv"), encoding="utf-8") as fh:
            splits["test"] = list(csv.DictReader(fh, delimiter="\t"))
    for spec in forms(tmp_path, "legalbench", splits):
        same(official, data.load_legalbench(path=spec, task_dir=task))
    with pytest.raises(FoundryError, match="task_dir"):
        data.load_legalbench(path=f"hf:{tmp_path}/legalbench-saved")


def test_records_limit_reads_only_the_first_rows(tmp_path):
    spec = forms(tmp_path, "many", {"train": [{"q": str(i)} for i in range(7)], "test": [{"q": "t"}]})[0]
    got = hub.records(spec, limit=3)
    assert [r["q"] for _, r in got["train"]] == ["0", "1", "2"] and len(got["test"]) == 1
    assert len(hub.records(spec)["train"]) == 7
