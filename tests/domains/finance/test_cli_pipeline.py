"""The finance CLI (run, reward, bad input) and the smoke pipeline end to end."""

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


def test_run_program_and_errors(tmp_path):
    res = run("finance", "run", "--program", "subtract(5829, 5735), divide(#0, 5735)", "--gold", "0.01639")
    assert res.exit_code == 0 and "0.01639" in res.output and "match" in res.output, res.output
    table = tmp_path / "t.json"
    table.write_text(json.dumps([["", "2019"], ["revenue", "$ 1,200"]]))
    res = run("finance", "run", "--program", "table_sum(revenue, none)", "--table", str(table))
    assert res.exit_code == 0 and "1200.0" in res.output
    res = run("finance", "run", "--program", "divide(1, 0)")
    assert res.exit_code == 1 and "invalid: division_by_zero" in res.output
    table.write_text("{bad")
    res = run("finance", "run", "--program", "add(1, 2)", "--table", str(table))
    assert res.exit_code == 2 and "t.json:1" in res.output and "Traceback" not in res.output


def test_reward_verb(tmp_path):
    exs = tmp_path / "ex.jsonl"
    exs.write_text(json.dumps({"task": "program", "answer": "94.0", "program": "subtract(5829, 5735)"}) + "\n")
    comps = tmp_path / "c.jsonl"
    comps.write_text(json.dumps({"completion": "<think>x</think><answer>subtract(5829, 5735)</answer>"}) + "\n")
    out = tmp_path / "s.jsonl"
    res = run("finance", "reward", "--examples", str(exs), "--completions", str(comps), "--out", str(out),
              "--rewards", "finqa")
    assert res.exit_code == 0, res.output
    row = json.loads(out.read_text())
    assert row["finance/numeric"] == 1.0 and row["finance/program"] == 1.0 and row["total"] == pytest.approx(1.6)


@pytest.mark.slow
def test_smoke_pipeline(tmp_path_factory):
    out, _ = run_smoke_pipeline("finance", tmp_path_factory)
    results = json.load(open(os.path.join(out, "eval", "results.json")))["stages"]
    for r in results.values():
        for key in ("correct", "exe_acc", "prog_acc", "mcq_acc", "parse_fail"):
            assert r["metrics"][key] is not None, key
        assert {"program", "conversation", "mcq"} == set(r["buckets"]["task"])
        assert "steps" in r["buckets"] and "turn" in r["buckets"]
    text = open(os.path.join(out, "README.md")).read()
    assert "not investment advice" in text
    logs = json.load(open(os.path.join(out, "grpo", "log_history.json")))
    assert any("rewards/finance/recon/mean" in row for row in logs)


@pytest.mark.slow
def test_finqa_recipe_runs_on_finqa_format_files(tmp_path):
    """The finqa recipe (smoke preset) end to end on train/dev/test.json written in FinQA's layout."""
    from tests.domains.finance.test_data_verify import _finqa_entry

    folder = tmp_path / "dataset"
    folder.mkdir()
    entries = [_finqa_entry(i, f"subtract(98387, {90000 + i}), divide(#0, {90000 + i})",
                            round((98387 - 90000 - i) / (90000 + i), 5)) for i in range(12)]
    entries += [_finqa_entry(20, "table_average(net revenue, none)", 94193.5)]
    for name in ("train.json", "dev.json", "test.json"):
        (folder / name).write_text(json.dumps(entries))
    out = tmp_path / "run"
    res = run("finance", "pipeline", "--recipe", "finqa", "--preset", "smoke", "--out", str(out),
              f"data.args.path={folder}", "model.vocab_size=512")
    assert res.exit_code == 0, res.output
    results = json.load(open(out / "eval" / "results.json"))["stages"]
    assert results["grpo"]["n"] == 13 and results["grpo"]["metrics"]["exe_acc"] is not None
