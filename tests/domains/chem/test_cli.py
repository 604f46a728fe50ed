"""The chem CLI: mol, reward with reason codes, validate, and bad input (one line, exit 2, no traceback)."""

import json

from typer.testing import CliRunner

from r1_foundry.core.cli.app import build_root

runner = CliRunner()
APP = build_root()


def run(*args):
    return runner.invoke(APP, list(args))


def test_ls_lists_chem_rewards_and_presets():
    res = run("chem", "ls")
    assert res.exit_code == 0, res.output
    for word in ("chem/molreasoner", "chem/ether0", "molreasoner", "synthetic", "chebi20"):
        assert word in res.output


def test_validate_recipes():
    res = run("chem", "validate")
    assert res.exit_code == 0, res.output
    assert "smoke" in res.output


def test_mol_json_and_invalid():
    res = run("chem", "mol", "--smiles", "OC(=O)c1ccccc1", "--json")
    assert res.exit_code == 0, res.output
    info = json.loads(res.output)
    assert info["canonical"] == "O=C(O)c1ccccc1" and info["formula"] == "C7H6O2"
    res = run("chem", "mol", "--smiles", "C1CC")
    assert res.exit_code == 1 and "invalid: unparsable" in res.output


def test_reward_verb_writes_components_and_reasons(tmp_path):
    exs = tmp_path / "ex.jsonl"
    comps = tmp_path / "c.jsonl"
    exs.write_text(json.dumps({"task": "text2mol", "answer": "CCO"}) + "\n"
                   + json.dumps({"task": "mw", "answer": "46.07", "tolerance": 1}) + "\n")
    comps.write_text(json.dumps({"completion": "<think>x</think><answer>OCC</answer>"}) + "\n"
                     + json.dumps({"completion": "<answer>52</answer>"}) + "\n")
    out = tmp_path / "scores.jsonl"
    res = run("chem", "reward", "--examples", str(exs), "--completions", str(comps), "--out", str(out),
              "--rewards", "molreasoner+ether0")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["chem/molreasoner"] == 2.0 and rows[0]["chem/ether0/reason"] == "correct"
    assert rows[1]["chem/molreasoner"] is None and rows[1]["chem/ether0/reason"] == "out_of_tolerance"


def test_bad_input_is_one_line_exit_2(tmp_path):
    exs = tmp_path / "ex.jsonl"
    exs.write_text(json.dumps({"task": "smell", "answer": "x"}) + "\n")
    comps = tmp_path / "c.jsonl"
    comps.write_text(json.dumps({"completion": "x"}) + "\n")
    res = run("chem", "reward", "--examples", str(exs), "--completions", str(comps), "--out", str(tmp_path / "o"))
    assert res.exit_code == 2 and "ex.jsonl:1" in res.output and "Traceback" not in res.output
    res = run("chem", "data", "build", "--builder", "chebi20", "--arg", f"path={tmp_path}/nope", "--out",
              str(tmp_path / "d"))
    assert res.exit_code == 2 and "no such file or folder" in res.output
    res = run("chem", "data", "build", "--arg", "tasks=[smell]", "--out", str(tmp_path / "d"))
    assert res.exit_code == 2 and "unknown task" in res.output
