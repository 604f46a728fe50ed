"""The chem smoke pipeline end to end through the CLI: every file, card metadata equals results.json."""

import json
import os

import pytest
from huggingface_hub import ModelCard

from tests.conftest import run_smoke_pipeline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    return run_smoke_pipeline("chem", tmp_path_factory)


def test_smoke_pipeline_is_fast_and_complete(smoke_run):
    out, seconds = smoke_run
    assert seconds < 180, f"smoke pipeline took {seconds:.0f}s"
    for path in ("README.md", "eval/results.json", "eval/sft/results.md", "eval/grpo/samples.jsonl",
                 "grpo/model.safetensors", "reward_curve.png", "data/test.jsonl"):
        assert os.path.isfile(os.path.join(out, path)), path


def test_results_have_every_metric_and_the_card_agrees(smoke_run):
    out, _ = smoke_run
    results = json.load(open(os.path.join(out, "eval", "results.json")))["stages"]
    assert set(results) == {"sft", "grpo"}
    for r in results.values():
        m = r["metrics"]
        for key in ("correct", "valid", "exact", "morgan", "maccs", "rdk", "constraints", "bleu4", "rougeL"):
            assert m[key] is not None and 0.0 <= m[key] <= 1.0, key
        assert r["counts"]["exact"] < r["n"]  # only molecule tasks count
    card = ModelCard.load(os.path.join(out, "README.md"))
    got = {(e.metric_name, e.metric_value) for e in card.data.eval_results}
    want = {(f"{m} [{stage}]", round(v, 6)) for stage, r in results.items() for m, v in r["metrics"].items()
            if v is not None}
    assert got == want
    assert "RDKit" in open(os.path.join(out, "README.md")).read()  # the domain's limitations line


def test_grpo_logged_the_preset_rewards(smoke_run):
    out, _ = smoke_run
    logs = json.load(open(os.path.join(out, "grpo", "log_history.json")))
    keys = {k for row in logs for k in row}
    for name in ("chem/molreasoner", "chem/ether0", "chem/format"):
        assert f"rewards/{name}/mean" in keys
    samples = [json.loads(line) for line in open(os.path.join(out, "eval", "grpo", "samples.jsonl"))]
    assert all(s["samples"][0]["reason"] for s in samples)
