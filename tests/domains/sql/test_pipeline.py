"""The smoke pipeline end to end through the CLI: card metadata equals results.json; resume skips work."""

import json
import os
import time

import pytest
from huggingface_hub import ModelCard
from typer.testing import CliRunner

from core.cli import build_root
from core.config import load_recipe
from core.domain import get_domain
from core.rewards import build_rewards
from tests.conftest import run_smoke_pipeline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    return run_smoke_pipeline("sql", tmp_path_factory)


def test_smoke_pipeline_is_fast_and_complete(smoke_run):
    out, seconds = smoke_run
    assert seconds < 180, f"smoke pipeline took {seconds:.0f}s"
    for path in ("README.md", "recipe.yaml", "eval/results.json", "eval/sft/results.md", "eval/grpo/samples.jsonl",
                 "sft/model.safetensors", "grpo/model.safetensors", "reward_curve.png", "data/test.jsonl"):
        assert os.path.isfile(os.path.join(out, path)), path


def test_card_metadata_equals_results(smoke_run):
    out, _ = smoke_run
    results = json.load(open(os.path.join(out, "eval", "results.json")))["stages"]
    assert set(results) == {"sft", "grpo"}
    card = ModelCard.load(os.path.join(out, "README.md"))
    evals = card.data.eval_results
    got = {(e.metric_name, e.metric_value) for e in evals}
    want = {(f"{m} [{stage}]", round(v, 6)) for stage, r in results.items() for m, v in r["metrics"].items()}
    assert got == want
    text = open(os.path.join(out, "README.md")).read()
    for stage, r in results.items():
        assert f"| {stage} | {r['n']} | {r['metrics']['execution_spider']:.4f}" in text


def test_sft_monitor_curve_is_logged_and_in_the_card(smoke_run):
    out, _ = smoke_run
    logs = json.load(open(os.path.join(out, "sft", "log_history.json")))
    values = [r["heldout/execution_spider"] for r in logs if "heldout/execution_spider" in r]
    assert len(values) >= 2 and all(0.0 <= v <= 1.0 for v in values)
    assert "execution_spider on the monitor split by step" in open(os.path.join(out, "README.md")).read()


def test_grpo_logged_every_reward(smoke_run):
    out, _ = smoke_run
    logs = json.load(open(os.path.join(out, "grpo", "log_history.json")))
    recipe = load_recipe(os.path.join(out, "recipe.yaml"))
    funcs, _ = build_rewards(get_domain("sql"), recipe.stage("grpo").rewards)
    for name in [f.__name__ for f in funcs]:
        assert any(f"rewards/{name}/mean" in row for row in logs), name


def test_resume_skips_finished_stages(smoke_run):
    out, _ = smoke_run
    before = json.load(open(os.path.join(out, "eval", "results.json")))
    mtime = os.path.getmtime(os.path.join(out, "grpo", "model.safetensors"))
    start = time.perf_counter()
    res = CliRunner().invoke(build_root(), ["sql", "pipeline", "--preset", "smoke", "--out", out, "--resume"])
    assert res.exit_code == 0, res.output
    assert time.perf_counter() - start < 60
    assert os.path.getmtime(os.path.join(out, "grpo", "model.safetensors")) == mtime
    assert json.load(open(os.path.join(out, "eval", "results.json"))) == before


def test_card_verb_rewrites_the_same_card(smoke_run):
    out, _ = smoke_run
    before = ModelCard.load(os.path.join(out, "README.md")).data.eval_results
    os.remove(os.path.join(out, "README.md"))
    res = CliRunner().invoke(build_root(), ["sql", "card", "--out", out])
    assert res.exit_code == 0, res.output
    after = ModelCard.load(os.path.join(out, "README.md")).data.eval_results
    assert [(e.metric_name, e.metric_value) for e in after] == [(e.metric_name, e.metric_value) for e in before]
