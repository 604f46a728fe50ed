"""The smoke pipeline end to end through the CLI: card metadata equals results.json; resume skips work."""

import json
import os
import time

import pytest
from huggingface_hub import ModelCard
from typer.testing import CliRunner

from r1_foundry.core.cli.app import build_root
from tests.conftest import run_smoke_pipeline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    return run_smoke_pipeline("sql", tmp_path_factory)


def test_smoke_pipeline_is_fast_and_complete(smoke_run):
    out, _ = smoke_run
    for path in ("README.md", "recipe.yaml", "eval/results.json", "eval/sft/results.md", "eval/self-dpo/samples.jsonl",
                 "sft/model.safetensors", "self-dpo/model.safetensors", "self-dpo/pairs.json", "data/test.jsonl"):
        assert os.path.isfile(os.path.join(out, path)), path


def test_timings_hold_every_phase(smoke_run):
    """timings.json: each stage's wall seconds and where the pipeline's time went (phases nest in
    stages: the SFT monitor and self-DPO's sampling are inside their stages)."""
    out, _ = smoke_run
    times = json.load(open(os.path.join(out, "timings.json")))
    assert set(times) == {"sft", "self-dpo", "phases"}
    phases = times["phases"]
    assert set(phases) == {"data", "model", "eval", "monitor", "sampling", "card"}
    assert all(v >= 0 for v in phases.values())
    assert phases["monitor"] <= times["sft"] and phases["sampling"] <= times["self-dpo"]


class _Stop(Exception):
    pass


def _run_until_data(monkeypatch, out: str, resume: bool = False) -> None:
    """Start the default SQL pipeline into ``out`` and stop it where it would build the data."""
    from r1_foundry.core.pipeline import run
    from r1_foundry.core.schema.domain import get_domain
    from r1_foundry.core.schema.recipe import load_recipe

    def stop(*a, **k):
        raise _Stop

    monkeypatch.setattr(run, "build_data", stop)
    with pytest.raises(_Stop):
        run.run_pipeline(load_recipe(get_domain("sql").recipe_path("default")), out, resume=resume)


def test_phases_are_each_runs_own(tmp_path, monkeypatch):
    """A second pipeline in the same process starts its phases from zero (bench/methods.py runs
    several; so does this test session): the tally is cleared when a pipeline starts."""
    from r1_foundry.core.util.timing import PHASES

    PHASES["sampling"] = 1000.0  # as if an earlier pipeline in this process had sampled for long
    _run_until_data(monkeypatch, str(tmp_path / "run"))
    assert "sampling" not in PHASES and "data" in PHASES


def test_resume_adds_to_the_phases_earlier_processes_recorded(tmp_path, monkeypatch):
    """--resume of a run (bench/methods.py resumes every finished arm it counts) keeps the phases the
    earlier processes wrote in timings.json and adds its own; it used to overwrite them."""
    from r1_foundry.core.pipeline import run

    out = tmp_path / "run"
    out.mkdir()
    (out / "timings.json").write_text(json.dumps({"sft": 600.0, "phases": {"data": 2.0, "sampling": 40.0}}))
    _run_until_data(monkeypatch, str(out), resume=True)
    run._record_time(str(out))
    times = json.load(open(out / "timings.json"))
    assert times["sft"] == 600.0 and times["phases"]["sampling"] == 40.0 and times["phases"]["data"] >= 2.0
    _run_until_data(monkeypatch, str(out))  # a fresh (not resumed) run into the folder starts from its own phases
    run._record_time(str(out))
    assert "sampling" not in json.load(open(out / "timings.json"))["phases"]


def test_card_metadata_equals_results(smoke_run):
    out, _ = smoke_run
    results = json.load(open(os.path.join(out, "eval", "results.json")))["stages"]
    assert set(results) == {"base", "sft", "self-dpo"}
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


def test_self_dpo_trained_on_pairs_from_its_own_samples(smoke_run):
    """The default recipe's second stage: pairs drawn from the SFT model's samples on the rl split
    (the smoke preset fills the chosen side with the gold where nothing verified), then DPO steps
    that change the weights."""
    from safetensors.torch import load_file

    out, _ = smoke_run
    pairs = json.load(open(os.path.join(out, "self-dpo", "pairs.json")))
    assert pairs["prompts"] == 16 and pairs["pairs"] > 0
    logs = json.load(open(os.path.join(out, "self-dpo", "log_history.json")))
    assert any("rewards/margins" in r for r in logs)
    sft = load_file(os.path.join(out, "sft", "model.safetensors"))
    dpo = load_file(os.path.join(out, "self-dpo", "model.safetensors"))
    assert any(not (sft[k] == dpo[k]).all() for k in sft)


def test_resume_skips_finished_stages(smoke_run):
    out, _ = smoke_run
    before = json.load(open(os.path.join(out, "eval", "results.json")))
    mtime = os.path.getmtime(os.path.join(out, "self-dpo", "model.safetensors"))
    start = time.perf_counter()
    res = CliRunner().invoke(build_root(), ["sql", "pipeline", "--preset", "smoke", "--out", out, "--resume"])
    assert res.exit_code == 0, res.output
    assert time.perf_counter() - start < 60
    assert os.path.getmtime(os.path.join(out, "self-dpo", "model.safetensors")) == mtime
    assert json.load(open(os.path.join(out, "eval", "results.json"))) == before


def test_card_verb_rewrites_the_same_card(smoke_run):
    out, _ = smoke_run
    text = open(os.path.join(out, "README.md")).read()
    before = ModelCard.load(os.path.join(out, "README.md")).data.eval_results
    os.remove(os.path.join(out, "README.md"))
    res = CliRunner().invoke(build_root(), ["sql", "card", "--out", out])
    assert res.exit_code == 0, res.output
    after = ModelCard.load(os.path.join(out, "README.md")).data.eval_results
    assert [(e.metric_name, e.metric_value) for e in after] == [(e.metric_name, e.metric_value) for e in before]
    assert open(os.path.join(out, "README.md")).read() == text  # the data line (rows per split) included
