"""Legal data: the synthetic generator (golds verify, split by rule family, layouts and orders,
labelled synthetic) and the bar-llama MBE and LegalBench loaders on fixtures in their layouts."""

import json
import os
from collections import Counter

import pytest

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.domains.legal import data, layouts, rules, verify

FIX = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "legal")


@pytest.fixture(scope="module")
def synth():
    return data.build_synthetic(layouts=list(layouts.FORMATS), orders=list(layouts.ORDERS))


def test_every_gold_verifies_in_its_layout(synth):
    for split in synth:
        for ex in synth[split]:
            v = verify.check(ex["completion"][0]["content"], ex)
            assert v.correct, (ex["id"], v)
            if ex["task"] == "mbe":
                assert v.layout_ok and v.irac == 1.0


def test_split_by_rule_family_and_mixes(synth):
    test_families = {r.id for r in rules.ELEMENT_RULES + rules.PERIOD_RULES if r.split == "test"}
    assert set(synth["test"]["family"]) == test_families
    for split in ("train", "rl", "val"):
        assert not set(synth[split]["family"]) & test_families
    mbe = [e for e in synth["train"] if e["task"] == "mbe"]
    assert {(e["layout"], e["order"]) for e in mbe} == {(f, o) for f in layouts.FORMATS for o in layouts.ORDERS}
    assert set(synth["train"]["answer_type"]) == {"option", "yesno", "date", "number", "label"}
    letters = Counter(e["answer"] for e in mbe)
    assert set(letters) == set("ABCD") and max(letters.values()) < 0.4 * len(mbe)  # gold letters spread
    # every mbe distractor is a "No, because <element> fails" or the opposite outcome
    for e in mbe[:20]:
        opts = json.loads(e["options"])
        assert len(opts) == 4 and sum(o.startswith("Yes") for o in opts.values()) == 1


def test_labelled_and_options(tmp_path):
    ds = data.build_synthetic(out=str(tmp_path), tasks=["rule"], per_family=9, test_per_family=3)
    assert "not legal advice" in (tmp_path / "SYNTHETIC.txt").read_text()
    assert set(ds["train"]["task"]) == {"rule"} and all(ds["test"]["synthetic"])
    with pytest.raises(FoundryError, match="unknown layout"):
        data.build_synthetic(layouts=["yaml"])


def test_mbe_loader_maps_irac():
    ds = data.load_mbe(path=os.path.join(FIX, "mbe_distilled.json"), layout="numbered")["test"]
    assert len(ds) == 2 and ds["answer"] == ["A", "B"] and ds[0]["family"] == "Torts"
    opts = json.loads(ds[0]["options"])
    assert opts["A"] == "Yes, because the store breached its duty to customers."  # the "A. " prefix dropped
    gold = ds[0]["completion"][0]["content"]
    v = verify.check(gold, ds[0])
    assert v.correct and v.layout_ok and v.irac == 1.0
    assert "Issue: Premises liability in negligence." in gold
    assert verify.check(ds[1]["completion"][0]["content"], ds[1]).irac == 0.25  # a plain explanation: application only


def test_legalbench_loader():
    ds = data.load_legalbench(path=os.path.join(FIX, "tasks", "hearsay"))
    assert set(ds) == {"train", "test"} and len(ds["test"]) == 4
    ex = ds["test"][0]
    assert ex["answer"] == "Yes" and ex["legalbench_task"] == "hearsay" and json.loads(ex["label_set"]) == ["No", "Yes"]
    assert ex["prompt"][0]["content"].endswith("the fact that Ada wrote to Bo that she was at the bank. Is there hearsay?\nA:\n")
    assert ds["train"][2]["prompt"][0]["content"].count('"Je suis ici"') == 1  # TSV quoting undone


@pytest.mark.parametrize("content,match", [
    ('[{"question": "q", "options": {"optionA": "A. x"}}]', r"entry 0.*missing field 'correct_answer'"),
    ('[{"question": "q", "options": {"optionA": "A. x"}, "correct_answer": "C"}]', r"'correct_answer' is 'C'"),
    ('[{"question": "q", "options": {"first": "x"}, "correct_answer": "A"}]', r"has key 'first'"),
    ('{"question": "q"}', r"expected a JSON list"),
    ('[{"question": "q",\n "options": }]', r"mbe.json:2: not valid JSON"),
])
def test_mbe_loader_errors(tmp_path, content, match):
    f = tmp_path / "mbe.json"
    f.write_text(content)
    with pytest.raises(FoundryError, match=match):
        data.load_mbe(path=str(f))


def test_legalbench_loader_errors(tmp_path):
    task = tmp_path / "t"
    task.mkdir()
    with pytest.raises(FoundryError, match="no base_prompt.txt"):
        data.load_legalbench(path=str(task))
    (task / "base_prompt.txt").write_text("Q: {{text}}\nA:")
    (task / "test.tsv").write_text("index\tanswer\n0\tYes\n")
    with pytest.raises(FoundryError, match=r"test.tsv:1: missing column\(s\) 'text'"):
        data.load_legalbench(path=str(task))
    (task / "test.tsv").write_text("index\tanswer\ttext\n0\tYes\tx\n1\t\ty\n")
    with pytest.raises(FoundryError, match=r"test.tsv:3: field 'answer' is empty"):
        data.load_legalbench(path=str(task))


def test_check_example():
    ex = data.check_example({"task": "rule", "answer_type": "date", "answer": "2024-03-01"}, "f:1", ".")
    assert ex["answer"] == "2024-03-01"
    with pytest.raises(FoundryError, match="f:2: field 'answer' is not a date"):
        data.check_example({"task": "rule", "answer_type": "date", "answer": "March"}, "f:2", ".")
    with pytest.raises(FoundryError, match="f:3: task mbe needs 'options'"):
        data.check_example({"task": "mbe", "answer": "E", "options": {"A": "x"}}, "f:3", ".")
    with pytest.raises(FoundryError, match="f:4: field 'layout'"):
        data.check_example({"task": "mbe", "answer": "A", "options": {"A": "x"}, "layout": "yaml"}, "f:4", ".")


def test_mbe_loader_train_test_share():
    ds = data.load_mbe(path=os.path.join(FIX, "mbe_distilled.json"), test_share=0.5, layout="json", order="explanation_first")
    assert len(ds["train"]) == 1 and len(ds["test"]) == 1
    ex = ds["train"][0]
    assert verify.check(ex["completion"][0]["content"], ex).layout_ok
    assert json.loads(ex["completion"][0]["content"].split("<answer>")[1].split("</answer>")[0]).popitem()[0] == "answer"


def test_mbe_ids_are_unique_when_question_numbers_repeat(tmp_path):
    """Issue 27: bar-llama's question numbers repeat per subject (327 distinct ids in 1,512 rows)."""
    rows = json.load(open(os.path.join(FIX, "mbe_distilled.json")))
    again = [dict(r, domain=d) for r in rows for d in ("Torts", "Evidence")]
    for r in again:
        r["question_number"] = 7
    f = tmp_path / "mbe.json"
    f.write_text(json.dumps(again))
    ids = data.load_mbe(path=str(f))["test"]["id"]
    assert len(ids) == len(again) == len(set(ids)) and all("-7-" in i for i in ids)


def test_eval_split_option_reaches_the_eval(tmp_path, monkeypatch):
    """Issue 27: the README's `foundry legal eval ... --suite legal/legalbench` failed on a task folder holding
    train.tsv only ("no split 'test'"), and the suite's comment named a --split option that did not exist."""
    from typer.testing import CliRunner

    from r1_foundry.core.cli.app import build_root
    from r1_foundry.core.evaluation import runner

    res = CliRunner().invoke(build_root(), ["legal", "data", "build", "--builder", "legalbench", "--arg",
                                            f"path={os.path.join(FIX, 'tasks', 'hearsay')}", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    seen = {}

    def fake_evaluate_splits(*, datasets, **kw):  # the generation is not under test: the split choice is
        seen.update({k: len(v) for k, v in datasets.items()})
        return {k: {"metrics": {}, "n": len(v)} for k, v in datasets.items()}

    monkeypatch.setattr(runner, "evaluate_splits", fake_evaluate_splits)
    args = ["legal", "eval", "--model", str(tmp_path), "--data", str(tmp_path / "data"), "--suite", "legal/legalbench",
            "--out", str(tmp_path / "eval")]
    res = CliRunner().invoke(build_root(), args + ["--split", "train"])
    assert res.exit_code == 0, res.output
    assert list(seen) == ["train"] and seen["train"] > 0
    bad = CliRunner().invoke(build_root(), args + ["--split", "dev"])
    assert bad.exit_code == 2 and "no split 'dev'" in bad.output
