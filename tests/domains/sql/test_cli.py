"""The CLI: verbs, JSON exec, reward scoring, and bad input (one line, exit 2, no traceback)."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from r1_foundry.core.cli.app import build_root

runner = CliRunner()
APP = build_root()
BIN = os.path.join(os.path.dirname(sys.executable), "foundry")


def run(*args):
    return runner.invoke(APP, list(args))


def test_root_ls_and_domain_ls():
    res = run("ls")
    assert res.exit_code == 0 and "sql/execution" in res.output and "reasoning-sql" in res.output


def test_doctor_reports_torch_and_memory():
    res = run("doctor")
    assert res.exit_code == 0
    assert "torch" in res.output and "memory" in res.output and "vLLM" in res.output
    assert "native bf16 on this CPU" in res.output or "GPU 0" in res.output


def test_validate_all_recipes():
    res = run("sql", "validate")
    assert res.exit_code == 0, res.output
    assert "ok " in res.output and "smoke" in res.output


def test_exec_json(shop_db):
    res = run("sql", "exec", "--db", shop_db, "--sql", "SELECT name FROM customers WHERE city = 'lima'", "--json")
    assert res.exit_code == 0
    assert json.loads(res.output)["rows"] == [["ana"], ["carl"]]
    res = run("sql", "exec", "--db", shop_db, "--sql", "DELETE FROM customers", "--json")
    assert res.exit_code == 1 and json.loads(res.output)["ok"] is False


def test_exec_reads_sql_from_a_file_and_from_stdin(shop_db, tmp_path):
    sql = "SELECT name FROM customers\n-- a long query does not fit a shell argument\nWHERE city = 'lima'"
    (tmp_path / "q.sql").write_text(sql)
    by_arg = json.loads(run("sql", "exec", "--db", shop_db, "--sql", sql, "--json").output)
    by_file = json.loads(run("sql", "exec", "--db", shop_db, "--sql-file", str(tmp_path / "q.sql"), "--json").output)
    by_stdin = runner.invoke(APP, ["sql", "exec", "--db", shop_db, "--sql", "-", "--json"], input=sql)
    assert by_arg["rows"] == by_file["rows"] == json.loads(by_stdin.output)["rows"] == [["ana"], ["carl"]]


def _reward_files(tmp_path, shop_db, completions):
    (tmp_path / "databases").mkdir(exist_ok=True)
    shutil.copy(shop_db, tmp_path / "databases" / "shop.sqlite")
    ex = tmp_path / "examples.jsonl"
    ex.write_text("".join(json.dumps({"db_id": "shop", "gold_sql": "SELECT name FROM customers"}) + "\n"
                          for _ in completions))
    co = tmp_path / "completions.jsonl"
    co.write_text("".join(json.dumps({"completion": c}) + "\n" for c in completions))
    return str(ex), str(co)


def test_reward_writes_every_component(tmp_path, shop_db):
    ex, co = _reward_files(tmp_path, shop_db, ["<think>t</think><answer>SELECT name FROM customers</answer>", "nope"])
    out = tmp_path / "scores.jsonl"
    res = run("sql", "reward", "--examples", ex, "--completions", co, "--out", str(out), "--rewards", "reasoning-sql")
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert rows[0]["sql/execution"] == 1.0 and rows[0]["total"] == pytest.approx(7.0)
    assert rows[1]["total"] == 0.0 and set(rows[1]) >= {"sql/syntax", "sql/format", "sql/ngram"}
    # without --rewards: the GRPO rewards export freezes (recipes/grpo.yaml: arctic), said on stderr
    res = run("sql", "reward", "--examples", ex, "--completions", co, "--out", str(out))
    assert res.exit_code == 0 and "rewards: recipe 'grpo', stage 'grpo' (arctic)" in res.output, res.output
    assert json.loads(out.read_text().splitlines()[0]) == {"sql/arctic": 1.0, "total": 1.0}


@pytest.mark.parametrize("case,message", [
    ("malformed", "completions.jsonl:2: malformed JSON"),
    ("unknown_db", "examples.jsonl:1: unknown db_id 'ghost'"),
    ("missing_field", "completions.jsonl:1: missing field 'completion'"),
    ("unknown_reward", "did you mean 'sql/execution'"),
    ("count", "they pair by line"),
])
def test_reward_bad_input_keeps_previous_output(tmp_path, shop_db, case, message):
    ex, co = _reward_files(tmp_path, shop_db, ["<answer>SELECT 1</answer>", "x"])
    out = tmp_path / "scores.jsonl"
    out.write_text("previous results\n")
    rewards = "sql/executon=1" if case == "unknown_reward" else "arctic"
    if case == "malformed":
        open(co, "w").write('{"completion": "a"}\n{"completion": \n')
    elif case == "unknown_db":
        open(ex, "w").write(json.dumps({"db_id": "ghost", "gold_sql": "SELECT 1"}) + "\n" * 2)
        open(ex, "a").write(json.dumps({"db_id": "shop", "gold_sql": "SELECT 1"}) + "\n")
    elif case == "missing_field":
        open(co, "w").write('{"text": "a"}\n{"completion": "b"}\n')
    elif case == "count":
        open(co, "a").write('{"completion": "c"}\n')
    res = run("sql", "reward", "--examples", ex, "--completions", co, "--out", str(out), "--rewards", rewards)
    assert res.exit_code == 2, res.output
    assert message in " ".join(res.output.split()) and "Traceback" not in res.output
    assert out.read_text() == "previous results\n"


@pytest.mark.parametrize("args,message", [
    (["sql", "train", "sft", "--data", "{data}", "--model", "/no/such/model", "--out", "{tmp}/o"],
     "model path does not exist: /no/such/model"),
    (["sql", "train", "sft", "--data", "{tmp}/nodata", "--model", "tiny", "--out", "{tmp}/o"], "no dataset here"),
    (["sql", "pipeline", "--out", "{tmp}/p", "stages.sft.args.max_stepz=1"], "did you mean 'max_steps'"),
    (["sql", "pipeline", "--out", "{tmp}/p", "--recipe", "defualt"], "did you mean 'default'"),
    (["sql", "pipeline", "--out", "{tmp}/p", "modle.name=tiny"], "unknown key 'modle'"),
    (["sql", "exec", "--db", "{tmp}/none.sqlite", "--sql", "SELECT 1"], "database file not found"),
    (["sql", "exec", "--db", "{tmp}/none.sqlite", "--sql-file", "{tmp}/none.sql"], "none.sql: file not found"),
    (["sql", "exec", "--db", "{tmp}/none.sqlite"], "pass the statement with --sql TEXT"),
])
def test_bad_input_one_line_exit_2_no_traceback(tmp_path, sql_data, args, message):
    data_dir = tmp_path / "data"
    sql_data.save_to_disk(str(data_dir))
    argv = [a.format(tmp=tmp_path, data=data_dir) for a in args]
    proc = subprocess.run([BIN, *argv], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert message in " ".join(proc.stderr.split())
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_per_domain_script_matches_root():
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "foundry-sql"), "--help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for verb in ("data", "train", "eval", "reward", "card", "pipeline", "ls", "validate", "exec"):
        assert verb in proc.stdout


def test_pipeline_refuses_to_clobber_a_run(tmp_path):
    (tmp_path / "recipe.yaml").write_text("domain: sql\n")
    (tmp_path / "README.md").write_text("my card")
    res = run("sql", "pipeline", "--out", str(tmp_path))
    assert res.exit_code == 2 and "already holds a run" in " ".join(res.output.split())
    assert (tmp_path / "README.md").read_text() == "my card"


def test_pipeline_resume_and_overwrite_exclude_each_other(tmp_path):
    (tmp_path / "README.md").write_text("my card")
    res = run("sql", "pipeline", "--out", str(tmp_path), "--resume", "--overwrite")
    assert res.exit_code == 2 and "pass one of them" in " ".join(res.output.split())
    assert (tmp_path / "README.md").read_text() == "my card"


def test_overwrite_clears_what_the_earlier_run_wrote_and_nothing_else(tmp_path):
    """A kept model/ would be reused as built (old seed and tokenizer), old stage folders and evals linger."""
    from r1_foundry.core.pipeline.run import clear_run

    (tmp_path / "recipe.yaml").write_text("domain: sql\nstages:\n  - {name: sft, kind: sft}\n  - {name: grpo, kind: grpo}\n")
    for d in ("data", "model", "sft", "eval/sft"):
        (tmp_path / d).mkdir(parents=True)
        (tmp_path / d / "x").write_text("old")
    shared = tmp_path.parent / f"{tmp_path.name}-shared-grpo"  # a stage linked from another arm's run
    shared.mkdir()
    (shared / "model.safetensors").write_text("keep")
    (tmp_path / "grpo").symlink_to(shared)
    for f in ("README.md", "timings.json", "reward_curve.png", "notes.txt"):
        (tmp_path / f).write_text("old")
    removed = clear_run(str(tmp_path))
    assert set(removed) == {"data", "model", "eval", "timings.json", "README.md", "recipe.yaml", "sft", "grpo",
                            "reward_curve.png"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # the user's own file stays
    assert (shared / "model.safetensors").read_text() == "keep"  # a link loses only itself


def test_train_and_export_take_the_grpo_recipe_when_the_default_has_no_grpo_stage():
    """SQL's default recipe is SFT -> self-DPO; `train grpo` and `export` (which need a GRPO stage)
    use recipes/grpo.yaml then, with the overrides applied to it; a recipe named explicitly is kept."""
    from r1_foundry.core.cli.common import recipe_with_stage
    from r1_foundry.core.schema.domain import get_domain

    sql = get_domain("sql")
    recipe, name = recipe_with_stage(sql, "default", "grpo", ["stages.grpo.args.max_steps=2"])
    assert name == "grpo" and recipe.stage("grpo").args["max_steps"] == 2
    assert recipe_with_stage(sql, "default", "self-dpo", [])[1] == "default"
    assert recipe_with_stage(sql, "dpo", "grpo", [])[1] == "dpo"
