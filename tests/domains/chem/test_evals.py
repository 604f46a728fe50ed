"""Eval metrics against values computed by hand on a small fixture."""

import json

import pytest

from r1_foundry.core.evaluation.runner import aggregate
from r1_foundry.domains.chem import evals


def a(x):
    return f"<think>r</think><answer>{x}</answer>"


def test_bleu_and_rouge_by_hand():
    pred, ref = "the cat sat on the mat", "the cat sat on a mat"
    m = evals.text_metrics([pred], [ref])
    # unigram precision 5/6, bigram precision 3/5, equal lengths (no brevity penalty)
    assert m["bleu2"] == pytest.approx((5 / 6 * 3 / 5) ** 0.5, abs=1e-4)
    assert m["rouge1"] == pytest.approx(5 / 6) and m["rouge2"] == pytest.approx(3 / 5)
    assert m["rougeL"] == pytest.approx(5 / 6)  # LCS "the cat sat on mat"
    same = evals.text_metrics([ref, "a b c d e"], [ref, "a b c d e"])
    assert same["bleu4"] == pytest.approx(1.0) and same["rougeL"] == pytest.approx(1.0)
    assert evals.text_metrics([], []) == {}


def test_corpus_score_uses_caption_examples_only():
    exs = [{"task": "caption", "answer": "the cat sat on a mat"}, {"task": "mw", "answer": "1"}]
    m = evals.corpus_score(exs, [a("the cat sat on the mat"), a("1")])
    assert m["rouge1"] == pytest.approx(5 / 6)


def ex(task, answer, constraints=None, tolerance=0.0):
    return {"task": task, "answer": answer, "constraints": json.dumps(constraints) if constraints else "",
            "tolerance": tolerance}


FIXTURE = [  # (example, completion)
    (ex("text2mol", "OCC"), a("CCO")),                                  # exact
    (ex("text2mol", "OC(=O)c1ccccc1"), a("Oc1ccccc1")),                  # valid, not exact
    (ex("canonical", "CCO"), a("C1CC")),                                # invalid
    (ex("mw", "122.12", tolerance=1.0), a("120.12")),                   # error 2.0
    (ex("mw", "46.07", tolerance=1.0), a("46.57")),                     # error 0.5
    (ex("logp", "1.0", tolerance=0.5), a("n/a")),                       # not a number
    (ex("design", "CCCCCO", {"formula": "C5H12O"}), a("CCOCCC")),       # meets the constraint
    (ex("design", "CCCCCO", {"formula": "C5H12O"}), a("CCO")),          # does not
    (ex("group", "yes"), a("yes")),
]


def test_aggregate_on_fixture_by_hand():
    rows = [{"example": e, "samples": [{"completion": c, **evals.score(e, c)}]} for e, c in FIXTURE]
    metrics = ["correct", "valid", "exact", "morgan", "abs_error", "numeric", "constraints"]
    res = aggregate(rows, metrics, ["task"], "correct", 1)
    m = res["metrics"]
    assert m["correct"] == pytest.approx(4 / 9)  # exact, mw within 1.0 (0.5), design ok, group yes
    assert m["valid"] == pytest.approx(4 / 5) and res["counts"]["valid"] == 5
    assert m["exact"] == pytest.approx(1 / 3) and res["counts"]["exact"] == 3
    assert m["abs_error"] == pytest.approx((2.0 + 0.5) / 2) and res["counts"]["abs_error"] == 2
    assert m["numeric"] == pytest.approx(2 / 3)
    assert m["constraints"] == pytest.approx(1 / 2) and res["counts"]["constraints"] == 2  # design rows only
    s1 = rows[1]["samples"][0]
    assert m["morgan"] == pytest.approx((1.0 + s1["morgan"] + 0.0) / 3) and 0 < s1["morgan"] < 1
    assert res["buckets"]["task"]["mw"]["abs_error"] == pytest.approx(1.25)
    assert res["buckets"]["task"]["group"]["abs_error"] is None
    assert rows[5]["samples"][0]["reason"] == "not_a_number"
    assert rows[0]["samples"][0]["answer_key"] == "CCO"
