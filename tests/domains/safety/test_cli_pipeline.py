"""The safety CLI (detect, families, reward, bad input) and the smoke pipelines end to end:
default (SFT -> GRPO tars, card with intended use and misuse sections, trade-off PNG), guard
(GRPO with the guard preset) and aidsafe (DPO on the pairs split)."""

import json
import os

import pytest
from typer.testing import CliRunner

from r1_foundry.core.cli.app import build_root
from tests.conftest import run_smoke_pipeline

runner = CliRunner()
APP = build_root()


def run(*args):
    return runner.invoke(APP, list(args))


def test_detect_and_families(tmp_path):
    res = run("safety", "detect", "--text", "<think>I can't help? no, it is fine</think><answer>Great question. "
              "Unfortunately I cannot help with that.</answer>")
    assert res.exit_code == 0, res.output
    row = json.loads(res.output.strip().splitlines()[-1])
    assert row["label"] == "full_refusal" and row["xstest"] == "full_compliance"
    f = tmp_path / "c.jsonl"
    f.write_text(json.dumps({"completion": "Sorry, no."}) + "\n" + json.dumps({"completion": 3}) + "\n")
    res = run("safety", "detect", "--file", str(f))
    assert res.exit_code == 2 and "c.jsonl:2: field 'completion'" in res.output and "Traceback" not in res.output
    res = run("safety", "detect", "--text", "x", "--detector", "/nonexistent")
    assert res.exit_code == 2 and "not a folder" in res.output
    res = run("safety", "families")
    assert res.exit_code == 0 and "homonyms" in res.output and "ambiguous" in res.output


def test_reward_verb_and_bad_input(tmp_path):
    exs = tmp_path / "ex.jsonl"
    exs.write_text(json.dumps({"task": "respond", "answer": "comply"}) + "\n" +
                   json.dumps({"task": "respond", "answer": "refuse"}) + "\n")
    comps = tmp_path / "c.jsonl"
    comps.write_text(json.dumps({"completion": "<think>it is a process</think><answer>Run kill PID.</answer>"}) + "\n" +
                     json.dumps({"completion": "<think>it is harmful</think><answer>I can't help with that.</answer>"}) + "\n")
    out = tmp_path / "s.jsonl"
    res = run("safety", "reward", "--examples", str(exs), "--completions", str(comps), "--out", str(out), "--rewards", "tars")
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["safety/tars"] for r in rows] == [1.0, 1.0] and rows[0]["total"] == pytest.approx(1.2)
    assert rows[1]["safety/tars/reason"] == "correct"
    exs.write_text(json.dumps({"task": "respond", "answer": "yes"}) + "\n" + json.dumps({"task": "respond", "answer": "refuse"}) + "\n")
    before = out.read_text()
    res = run("safety", "reward", "--examples", str(exs), "--completions", str(comps), "--out", str(out), "--rewards", "tars")
    assert res.exit_code == 2 and "ex.jsonl:1" in res.output and "'answer'" in res.output and "Traceback" not in res.output
    assert out.read_text() == before  # nothing already written is lost


@pytest.mark.slow
def test_smoke_pipeline(tmp_path_factory):
    out, _ = run_smoke_pipeline("safety", tmp_path_factory)
    results = json.load(open(os.path.join(out, "eval", "results.json")))["stages"]
    assert set(results) == {"base", "sft", "grpo"}
    for r in results.values():
        m = r["metrics"]
        for key in ("correct", "harmful_refusal", "full_over_refusal", "partial_over_refusal", "compliance",
                    "over_refusal_xstest", "reasoning_words", "guard_acc_request", "guard_f1_request"):
            assert m[key] is not None, key
        assert {"harmful", "benign", "ambiguous"} <= set(r["buckets"]["kind"])
        assert {"respond", "guard"} == set(r["buckets"]["task"])
    text = open(os.path.join(out, "README.md")).read()
    for section in ("SYNTHETIC", "## Intended use", "## Misuse and out-of-scope use", "tradeoff.png"):
        assert section in text, section
    assert os.path.isfile(os.path.join(out, "tradeoff.png"))
    logs = json.load(open(os.path.join(out, "grpo", "log_history.json")))
    assert any("rewards/safety/tars/mean" in row for row in logs)


@pytest.mark.slow
def test_guard_and_aidsafe_recipes(tmp_path):
    for recipe, stage, key in (("guard", "grpo", "rewards/safety/guard/mean"), ("aidsafe", "dpo", "rewards/chosen")):
        out = tmp_path / recipe
        res = run("safety", "pipeline", "--recipe", recipe, "--preset", "smoke", "--out", str(out), "model.vocab_size=512")
        assert res.exit_code == 0, res.output
        results = json.load(open(out / "eval" / "results.json"))["stages"]
        assert results[stage]["metrics"]["correct"] is not None
        logs = json.load(open(out / stage / "log_history.json"))
        assert any(k.startswith(key) for row in logs for k in row), (recipe, logs[-1])
