"""Medical eval scoring: per-task metrics by hand, cross-format consistency, and the core
option-letter bias (results.json, results.md, PNG) through score_completions."""

import json
import os

import pytest

from r1_foundry.core.evaluation.runner import score_completions
from r1_foundry.core.schema.domain import get_domain
from r1_foundry.domains.medical.evals import corpus_score, score

OPTS = json.dumps({"A": "gout", "B": "septic arthritis", "C": "osteoarthritis", "D": "rheumatoid arthritis"})
MCQ = {"task": "mcq", "answer": "B", "options": OPTS, "template": "mcq_dx", "case_id": "c1"}
RANKED = {"task": "ranked", "answer": "septic arthritis", "template": "ranked", "case_id": "c1", "k": 5,
          "acceptable": json.dumps(["septic arthritis", "gout", "osteoarthritis"])}


def test_ranked_metrics_by_hand():
    row = score(RANKED, "<answer>1. gout\n2. x\n3. septic arthritis\n4. OA</answer>")
    assert row["top1"] == 0.0 and row["hit1"] == 0.0 and row["hit3"] == 1.0 and row["hit5"] == 1.0
    assert row["mrr"] == pytest.approx(1 / 3) and row["rr_acceptable"] == 1.0
    assert row["recall5"] == pytest.approx(1.0) and row["list_ok"] == 1.0 and row["parse_fail"] == 0.0
    assert row["mcq_acc"] is None and row["reason"] == "preferred_lower"
    empty = score(RANKED, "<answer></answer>")
    assert empty["parse_fail"] == 1.0 and empty["mrr"] == 0.0 and empty["recall5"] == 0.0


def test_mcq_calc_ynm_metrics():
    row = score(MCQ, "<answer>C</answer>")
    assert row["mcq_acc"] == 0.0 and row["choice"] == "C" and row["gold_choice"] == "B" and row["top1"] is None
    assert score(MCQ, "<answer>B or C</answer>")["parse_fail"] == 1.0
    calc = {"task": "calc", "answer": "100", "tolerance": 0.05}
    assert score(calc, "<answer>103</answer>") | {} == score(calc, "<answer>103</answer>")
    r = score(calc, "<answer>110 mL/min</answer>")
    assert r["calc_ok"] == 0.0 and r["abs_error"] == pytest.approx(10.0)
    assert score({"task": "ynm", "answer": "no"}, "<answer>No</answer>")["ynm_acc"] == 1.0


def test_consistency_pairs_mcq_and_ranked_by_case():
    other = dict(MCQ, case_id="c2")
    other_r = dict(RANKED, case_id="c2")
    exs = [MCQ, RANKED, other, other_r, dict(MCQ, case_id="lonely")]
    comps = ["<answer>B</answer>", "<answer>1. septic arthritis</answer>",   # agree (both right)
             "<answer>A</answer>", "<answer>1. osteoarthritis\n2. gout</answer>",  # disagree
             "<answer>A</answer>"]
    assert corpus_score(exs, comps) == {"consistency": 0.5}
    comps[2], comps[3] = "<answer>A</answer>", "<answer>1. gouty arthritis</answer>"  # agree on a wrong answer
    assert corpus_score(exs, comps) == {"consistency": 1.0}
    assert corpus_score([MCQ], ["<answer>B</answer>"]) == {}


def test_letter_bias_in_results(tmp_path):
    dom = get_domain("medical")
    suite = dom.suite("medical/heldout")
    letters = "ABCD" * 5
    exs = [dict(MCQ, answer=g, case_id=f"k{i}") for i, g in enumerate(letters)]
    comps = [["<answer>A</answer>"] for _ in exs]  # always A
    res = score_completions(exs, comps, suite=suite, scorer=dom.suite_scorer(suite), out_dir=str(tmp_path),
                            corpus_scorer=None)
    bias = res["letter_bias"]
    assert bias["chosen"] == {"A": 20, "B": 0, "C": 0, "D": 0} and bias["gold"]["B"] == 5
    assert bias["p_value"] < 1e-6 and res["metrics"]["letter_bias_p"] == bias["p_value"]
    assert os.path.getsize(tmp_path / "letter_bias.png") > 1000
    md = (tmp_path / "results.md").read_text()
    assert "option-letter bias" in md and "| chosen | 20 | 0 | 0 | 0 | 0 |" in md
    assert res["metrics"]["mcq_acc"] == pytest.approx(0.25)


def test_pubmedqa_macro_f1_as_its_evaluation_py():
    """Issue 27: macro-F1 beside accuracy. By hand: truth yes,yes,no,maybe; predictions yes,no,no,"" (no answer):
    labels {yes, no, maybe, ""}: F1 yes 2/3, no 2/3, maybe 0, "" 0 -> mean 1/3 (sklearn averages over every label
    seen, so an unreadable answer is a class of its own, as a wrong submitted label is officially)."""
    from r1_foundry.domains.medical.evals import ynm_macro_f1

    exs = [{"task": "ynm", "answer": a} for a in ("yes", "yes", "no", "maybe")] + [{"task": "mcq", "answer": "A"}]
    comps = ["<answer>Yes.</answer>", "<answer>no</answer>", "<answer>No</answer>", "no block", "<answer>A</answer>"]
    assert ynm_macro_f1(exs, comps) == pytest.approx(1 / 3)
    assert corpus_score(exs, comps)["ynm_macro_f1"] == pytest.approx(1 / 3)
    assert ynm_macro_f1(exs[:4], ["<answer>yes</answer>", "<answer>yes</answer>", "<answer>no</answer>",
                                  "<answer>maybe</answer>"]) == 1.0
