"""The legal CLI (rules, deadline, layout, reward, bad input) and the smoke pipelines: default
(SFT -> GRPO mixed; card with the not-legal-advice notice; letter bias) and bar-llama (SFT-only LoRA)."""

import json
import os

import pytest
from typer.testing import CliRunner

from r1_foundry.core.cli.app import build_root
from r1_foundry.domains.legal import layouts
from tests.conftest import run_smoke_pipeline

runner = CliRunner()
APP = build_root()
IRAC = {"issue": "Whether a contract was formed.", "rule": "Offer, acceptance and consideration are needed.",
        "application": "There was an offer and a mirror acceptance with a promise to pay.",
        "conclusion": "A contract was formed, so yes."}


def run(*args):
    return runner.invoke(APP, list(args))


def test_rules_deadline_layout():
    res = run("legal", "rules")
    assert res.exit_code == 0 and "negligence" in res.output and "adverse_poss" in res.output
    res = run("legal", "deadline", "--start", "2020-02-29", "--years", "3", "--on", "2023-03-01")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == {"start": "2020-02-29", "years": 3, "ends": "2023-02-28", "on": "2023-03-01",
                                      "within": False, "full_years": 3}
    res = run("legal", "deadline", "--start", "29/02/2020", "--years", "3")
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.output and "Traceback" not in res.output
    text = layouts.render("markdown", "explanation_first", "C", IRAC)
    res = run("legal", "layout", "--text", text, "--layout", "markdown", "--order", "explanation_first")
    assert res.exit_code == 0 and json.loads(res.output)["answer"] == "C"
    res = run("legal", "layout", "--text", text, "--layout", "json")
    assert res.exit_code == 1 and json.loads(res.output)["reason"] == "bad_json"


def test_reward_verb_and_bad_input(tmp_path):
    exs = tmp_path / "ex.jsonl"
    exs.write_text(json.dumps({"task": "rule", "answer_type": "number", "answer": "8"}) + "\n" +
                   json.dumps({"task": "classify", "answer": "offer"}) + "\n")
    comps = tmp_path / "c.jsonl"
    comps.write_text(json.dumps({"completion": "<think>count</think><answer>8</answer>"}) + "\n" +
                     json.dumps({"completion": "<think>x</think><answer>acceptance</answer>"}) + "\n")
    out = tmp_path / "s.jsonl"
    res = run("legal", "reward", "--examples", str(exs), "--completions", str(comps), "--out", str(out), "--rewards", "rule")
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert rows[0]["total"] == pytest.approx(1.1) and rows[1]["total"] == pytest.approx(0.1)
    exs.write_text(json.dumps({"task": "rule", "answer_type": "date", "answer": "next week"}) + "\n" +
                   json.dumps({"task": "classify", "answer": "offer"}) + "\n")
    before = out.read_text()
    res = run("legal", "reward", "--examples", str(exs), "--completions", str(comps), "--out", str(out), "--rewards", "rule")
    assert res.exit_code == 2 and "ex.jsonl:1" in res.output and "Traceback" not in res.output
    assert out.read_text() == before


@pytest.mark.slow
def test_smoke_pipeline(tmp_path_factory):
    out, _ = run_smoke_pipeline("legal", tmp_path_factory)
    results = json.load(open(os.path.join(out, "eval", "results.json")))["stages"]
    assert set(results) == {"base", "sft", "grpo"}
    for r in results.values():
        for key in ("correct", "mbe_acc", "rule_acc", "classify_acc", "balanced_acc", "parse_fail", "layout_ok", "irac"):
            assert r["metrics"][key] is not None, key
        assert {"mbe", "rule", "classify"} == set(r["buckets"]["task"])
        assert {"defamation", "burglary", "adverse_possession"} == set(r["buckets"]["family"])
        assert set(r["buckets"]["layout"]) >= {"json", "markdown", "numbered"}
        assert "letter_bias" in r
    text = open(os.path.join(out, "README.md")).read()
    assert "NOT LEGAL ADVICE" in text and "## Misuse and out-of-scope use" in text and "## Not legal advice" in text
    logs = json.load(open(os.path.join(out, "grpo", "log_history.json")))
    assert any("rewards/legal/option/mean" in row for row in logs)


@pytest.mark.slow
def test_bar_llama_recipe_is_sft_only_lora(tmp_path):
    """The bar-llama recipe (SFT-only LoRA) end to end on a file in bar-llama's MBE layout."""
    fixture = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "legal", "mbe_distilled.json")
    out = tmp_path / "bl"
    res = run("legal", "pipeline", "--recipe", "bar-llama", "--preset", "smoke", "--out", str(out),
              f"data.args.path={fixture}", "data.args.test_share=0.5", "data.args.layout=markdown", "model.vocab_size=400")
    assert res.exit_code == 0, res.output
    results = json.load(open(out / "eval" / "results.json"))["stages"]
    assert list(results) == ["base", "sft"] and results["sft"]["n"] == 1 and results["sft"]["metrics"]["mbe_acc"] is not None
    assert "lora" in open(out / "README.md").read().lower()
