"""Each verb module's plain ``run`` function, called without Typer (one module per verb)."""

import json

import pytest

from r1_foundry.core.cli.verbs import DOMAIN_VERBS, ROOT_VERBS
from r1_foundry.core.cli.verbs import reward as reward_verb
from r1_foundry.core.cli.verbs import validate as validate_verb
from r1_foundry.core.schema.domain import get_domain
from r1_foundry.core.util.errors import FoundryError


def test_every_verb_module_registers():
    import importlib

    for verb in DOMAIN_VERBS:
        assert callable(importlib.import_module(f"r1_foundry.core.cli.verbs.{verb}").register)
    for verb in ROOT_VERBS:
        assert callable(importlib.import_module(f"r1_foundry.core.cli.verbs.{verb}").register_root)


def test_validate_run_checks_every_recipe_and_preset():
    checked = dict(validate_verb.run(get_domain("sql")))
    assert {p.rsplit("/", 1)[-1] for p in checked} == {"default.yaml", "dpo.yaml", "grpo.yaml", "pretrained.yaml",
                                                              "zero.yaml"}
    assert all("smoke" in presets for presets in checked.values())
    with pytest.raises(FoundryError, match="unknown recipe"):
        validate_verb.run(get_domain("sql"), ["no-such-recipe"])


def test_reward_run_scores_and_writes(tmp_path, shop_db):
    ex = {"gold_sql": "SELECT name FROM customers", "db_path": shop_db}
    (tmp_path / "ex.jsonl").write_text(json.dumps(ex) + "\n" + json.dumps(ex) + "\n")
    (tmp_path / "c.jsonl").write_text(json.dumps({"completion": "<answer>SELECT name FROM customers</answer>"}) + "\n"
                                      + json.dumps({"completion": "no answer"}) + "\n")
    rows = reward_verb.run(get_domain("sql"), str(tmp_path / "ex.jsonl"), str(tmp_path / "c.jsonl"),
                           str(tmp_path / "s.jsonl"), "sql/execution=1,sql/correct=1")
    assert [(r["sql/execution"], r["sql/correct"]) for r in rows] == [(1.0, 1.0), (0.0, 0.0)]
    assert len((tmp_path / "s.jsonl").read_text().splitlines()) == 2


@pytest.mark.parametrize("args", [
    ["sql", "reward", "--examples", "e.jsonl", "--completions", "c.jsonl", "--out", "s.jsonl", "--rewards", "sql/execution=abc"],
    ["sql", "reward", "--examples", "e.jsonl", "--completions", "c.jsonl", "--out", "s.jsonl", "--rewards", "sql/execution=1,sql/format"],
    ["sql", "reward", "--examples", "e.jsonl", "--completions", "c.jsonl", "--out", "s.jsonl", "--rewards", "sql/execution=nan"],
    ["sql", "reward", "--examples", "e.jsonl", "--completions", "c.jsonl", "--out", ".", "--rewards", "arctic"],
    ["sql", "reward", "--examples", "e.jsonl", "--completions", "c.jsonl", "--out", "no/such/dir/s.jsonl"],
    ["sql", "exec", "--db", "DB", "--sql", "SELECT 1", "--timeout", "nan"],
    ["sql", "exec", "--db", "DB", "--sql", "SELECT 1", "--timeout", "inf"],
    ["sql", "exec", "--db", "DB", "--sql", "SELECT 1", "--timeout", "1e308"],
    ["sql", "exec", "--db", "DB", "--sql", "SELECT 1", "--timeout", "-1"],
])
def test_bad_option_values_are_one_line_exit_2(args, shop_db, tmp_path, monkeypatch):
    """Values that used to end in a traceback (ValueError, unpacking, OverflowError, IsADirectoryError,
    FileNotFoundError) are one line and exit 2."""
    from typer.testing import CliRunner

    from r1_foundry.core.cli.app import build_root

    monkeypatch.chdir(tmp_path)
    for f in ("e.jsonl", "c.jsonl"):
        (tmp_path / f).write_text(json.dumps({"completion": "x", "gold_sql": "SELECT 1", "db_path": shop_db}) + "\n")
    res = CliRunner().invoke(build_root(), [shop_db if a == "DB" else a for a in args])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and res.output.strip().count("\n") == 0, res.output
