"""The medical CLI: kb, calc, reward with reason codes, eval --predictions, bad input (exit 2)."""

import json

from typer.testing import CliRunner

from r1_foundry.core.cli.app import build_root

runner = CliRunner()
APP = build_root()


def run(*args):
    return runner.invoke(APP, list(args))


def test_ls_kb_calc_and_validate():
    res = run("medical", "ls")
    assert res.exit_code == 0 and "medical/ranked" in res.output and "alphamed" in res.output
    res = run("medical", "kb")
    assert res.exit_code == 0 and "septic arthritis" in res.output and "cockcroft_gault" in res.output
    res = run("medical", "calc", "bmi", "weight=70", "height=1.75")
    assert res.exit_code == 0 and "= 22.86 kg/m2" in res.output, res.output
    res = run("medical", "validate")
    assert res.exit_code == 0, res.output


def test_calc_bad_input_exits_2_without_traceback():
    for args in (["calc", "bmx"], ["calc", "bmi", "weight=70"], ["calc", "bmi", "weight=x", "height=1"],
                 ["calc", "bmi", "weight=70", "height=0"]):
        res = run("medical", *args)
        assert res.exit_code == 2 and "Traceback" not in res.output, (args, res.output)


def test_reward_verb_and_a_bad_example(tmp_path):
    exs = tmp_path / "ex.jsonl"
    exs.write_text(json.dumps({"task": "mcq", "answer": "B", "options": {"A": "a", "B": "b"}}) + "\n"
                   + json.dumps({"task": "ranked", "answer": "gout", "acceptable": ["gout", "osteoarthritis"]}) + "\n")
    comps = tmp_path / "c.jsonl"
    comps.write_text(json.dumps({"completion": "<answer>A or B</answer>"}) + "\n"
                     + json.dumps({"completion": "<think>t</think><answer>1. OA\n2. gout</answer>"}) + "\n")
    out = tmp_path / "scores.jsonl"
    res = run("medical", "reward", "--examples", str(exs), "--completions", str(comps), "--out", str(out),
              "--rewards", "mixed")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["medical/mcq"] == 0.0 and rows[0]["medical/hit"] is None
    assert rows[1]["medical/mcq"] is None and rows[1]["medical/rr"] == 1.0 and rows[1]["medical/hit"] == 1.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"task": "mcq", "answer": "Z", "options": {"A": "a"}}) + "\n"
                   + json.dumps({"task": "ynm", "answer": "yes"}) + "\n")
    res = run("medical", "reward", "--examples", str(bad), "--completions", str(comps), "--out", str(tmp_path / "o"))
    assert res.exit_code == 2 and "bad.jsonl:1" in res.output and "Traceback" not in res.output
