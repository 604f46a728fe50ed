"""Finance data and verifier: synthetic split by company and game family, every gold executes to
its exe_ans and equals itself symbolically; FinQA / ConvFinQA / MCQ loaders on files written in
their layouts (quirks included); scale-aware numbers."""

import json

import pytest

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.domains.finance import data, verify
from r1_foundry.domains.finance.data import pure_nash


@pytest.fixture(scope="module")
def synth():
    return data.build_synthetic(companies=6, test_companies=2, val_companies=1, per_company=12, rl_per_company=4,
                                test_per_company=9, conversations=1, games_train=20, games_rl=5, games_test=10)


def test_every_gold_verifies_and_executes_exactly(synth):
    for split in synth:
        for ex in synth[split]:
            v = verify.check(ex["completion"][0]["content"], ex, symbolic=True)
            assert v.correct, (split, ex["template"], v)
            if "(" in ex["program"]:
                assert v.exe_ok and v.prog_ok, (split, ex["template"], v, ex["answer"])


def test_split_by_company_and_family(synth):
    train = {ex["company"] for ex in synth["train"] if ex["company"]} | {ex["company"] for ex in synth["rl"] if ex["company"]}
    test = {ex["company"] for ex in synth["test"] if ex["company"]}
    assert test and not (train & test)
    fams = {ex["family"] for ex in synth["train"] if ex["family"]}
    assert "chicken" not in fams and "chicken" in {ex["family"] for ex in synth["test"] if ex["family"]}
    assert {ex["steps"] for ex in synth["train"] if ex["task"] == "program"} == {1, 2, 3}
    assert {ex["turn"] for ex in synth["train"] if ex["task"] == "conversation"} == {0, 1, 2, 3}


def test_nash_solver_by_hand():
    pd = [[(3, 3), (0, 5)], [(5, 0), (1, 1)]]
    assert pure_nash(pd) == [(1, 1)]
    assert pure_nash([[(2, 2), (0, 0)], [(0, 0), (1, 1)]]) == [(0, 0), (1, 1)]
    assert pure_nash([[(1, -1), (-1, 1)], [(-1, 1), (1, -1)]]) == []


def _finqa_entry(i, program, exe_ans, question="what is it?"):
    return {"id": f"ABC/2019/page_{i}.pdf-1", "pre_text": ["the table below ."], "post_text": ["in millions ."],
            "table": [["", "2019", "2018"], ["net revenue", "$ 98387", "$ 90,000"], ["net loss", "-36 ( 36 )", "( 12 )"]],
            "qa": {"question": question, "program": program, "exe_ans": exe_ans, "program_re": "", "gold_inds": {}}}


def test_finqa_loader_with_quirks(tmp_path):
    folder = tmp_path / "dataset"
    folder.mkdir()
    entries = [_finqa_entry(1, "subtract(98387, 90000), divide(#0, 90000)", 0.09319),
               _finqa_entry(2, "table_max(net loss, none)", -12.0),   # "( 12 )" -> "" ... see below
               _finqa_entry(3, "greater(98387, 90000)", "yes")]
    (folder / "test.json").write_text(json.dumps(entries))
    rows = data.load_finqa(path=str(folder))["test"]
    assert len(rows) == 3 and rows[2]["answer"] == "yes"
    v = verify.check("<answer>subtract(98387, 90000), divide(#0, 90000)</answer>", rows[0], symbolic=True)
    assert v.exe_ok and v.prog_ok and v.correct
    # the official cell reader cuts at "(": "( 12 )" becomes "", which is not a number -> invalid row
    v = verify.check("<answer>table_max(net loss, none)</answer>", rows[1])
    assert v.reason == "program:bad_cell" and not v.exe_ok
    assert verify.check("<answer>greater(98387, 90000)</answer>", rows[2]).exe_ok
    assert verify.check("<answer>yes</answer>", rows[2]).correct


def test_finqa_loader_errors(tmp_path):
    f = tmp_path / "test.json"
    bad = _finqa_entry(1, "add(1, 2)", 3.0)
    del bad["qa"]["exe_ans"]
    f.write_text(json.dumps([_finqa_entry(0, "add(1, 2)", 3.0), bad]))
    with pytest.raises(FoundryError, match=r"test.json: entry 1 \(id ABC/2019/page_1.pdf-1\): field 'qa.exe_ans'"):
        data.load_finqa(path=str(f))
    f.write_text("[{")
    with pytest.raises(FoundryError, match="test.json:1: not valid JSON"):
        data.load_finqa(path=str(f))


def test_convfinqa_turns(tmp_path):
    entry = _finqa_entry(1, "", 0)
    entry["annotation"] = {"dialogue_break": ["what was revenue in 2019?", "and in 2018?", "what was the change?"],
                           "turn_program": ["98387", "90000", "subtract(98387, 90000)"],
                           "exe_ans_list": [98387.0, 90000.0, 8387.0]}
    f = tmp_path / "dev.json"
    f.write_text(json.dumps([entry]))
    rows = data.load_convfinqa(path=str(f))["test"]
    assert [r["turn"] for r in rows] == [0, 1, 2] and rows[2]["task"] == "conversation"
    assert "q0: what was revenue in 2019?\na0: 98387.0" in rows[2]["prompt"][0]["content"]
    assert verify.check("<answer>subtract(98387, 90000)</answer>", rows[2]).exe_ok
    entry["annotation"]["exe_ans_list"] = [1.0]
    f.write_text(json.dumps([entry]))
    with pytest.raises(FoundryError, match="same length"):
        data.load_convfinqa(path=str(f))


def test_mcq_loader(tmp_path):
    f = tmp_path / "m.jsonl"
    f.write_text(json.dumps({"question": "Elasticity?", "options": {"A": "-2", "B": "2"}, "answer": "A"}) + "\n"
                 + json.dumps({"question": "q", "options": {"A": "x"}, "answer": "C"}) + "\n")
    with pytest.raises(FoundryError, match=r"m.jsonl:2: field 'answer'"):
        data.load_mcq(path=str(f))


@pytest.mark.parametrize("answer,scale,value", [
    ("25%", "", 0.25), ("0.25", "", 0.25), ("$1.2 million", "million", 1.2), ("$1.2 million", "", 1.2e6),
    ("1,200,000", "million", 1.2), ("1200", "million", 1200.0), ("3.5 billion", "million", 3500.0),
    ("about 7", "", 7.0), ("n/a", "", None),
])
def test_scaled_value(answer, scale, value):
    got = verify.scaled_value(answer, scale)
    assert got == (pytest.approx(value) if value is not None else None)


def test_percent_without_sign_only_for_percentage_questions():
    ex = {"task": "program", "answer": "0.2512", "question": "what was the percentage change?", "table": ""}
    assert verify.check("<answer>25.12</answer>", ex).correct
    assert verify.check("<answer>25.12%</answer>", ex).correct
    assert not verify.check("<answer>25.12</answer>", dict(ex, question="what was the ratio?")).correct
    assert verify.check("<answer>0.2514</answer>", ex).correct      # within 1 %
    assert not verify.check("<answer>0.26</answer>", ex).correct
