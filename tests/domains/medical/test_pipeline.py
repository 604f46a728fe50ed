"""The medical smoke pipeline end to end through the CLI: files, card (notice, intended use,
metadata equal to results.json), letter-bias PNG, the preset's rewards logged by GRPO; and
eval --predictions re-scoring the run's own samples to the same numbers."""

import json
import os

import pytest
from huggingface_hub import ModelCard
from typer.testing import CliRunner

from r1_foundry.core.cli.app import build_root
from tests.conftest import run_smoke_pipeline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    return run_smoke_pipeline("medical", tmp_path_factory)


def test_smoke_pipeline_is_fast_and_complete(smoke_run):
    out, _ = smoke_run
    for path in ("README.md", "eval/results.json", "eval/sft/results.md", "eval/grpo/samples.jsonl",
                 "grpo/model.safetensors", "reward_curve.png", "data/test.jsonl"):
        assert os.path.isfile(os.path.join(out, path)), path


def test_results_card_and_notice(smoke_run):
    out, _ = smoke_run
    results = json.load(open(os.path.join(out, "eval", "results.json")))["stages"]
    assert set(results) == {"base", "sft", "grpo"}
    for r in results.values():
        m = r["metrics"]
        for key in ("correct", "mcq_acc", "ynm_acc", "calc_ok", "hit5", "mrr", "recall5", "parse_fail", "consistency"):
            assert m[key] is not None and 0.0 <= m[key] <= 1.0, key
        assert set(r["buckets"]["task"]) == {"mcq", "ranked", "ynm", "calc"}
        assert "letter_bias" in r
        assert r["also"]["iid"]["metrics"]["correct"] is not None  # eval.also_splits
    text = open(os.path.join(out, "README.md")).read()
    assert "Not for clinical use" in text and "## Intended use" in text and "NOT FOR CLINICAL USE" in text
    assert "## Limitations" in text and "| sft | iid |" in text
    card = ModelCard.load(os.path.join(out, "README.md"))
    got = {(e.metric_name, e.metric_value) for e in card.data.eval_results}
    want = {(f"{m} [{stage}]", round(v, 6)) for stage, r in results.items() for m, v in r["metrics"].items()
            if v is not None}
    assert got == want


def test_grpo_logged_the_mixed_preset(smoke_run):
    out, _ = smoke_run
    logs = json.load(open(os.path.join(out, "grpo", "log_history.json")))
    keys = {k for row in logs for k in row}
    for name in ("medical/mcq", "medical/ynm", "medical/calc", "medical/hit", "medical/format"):
        assert f"rewards/{name}/mean" in keys, name


def test_eval_predictions_rescoring_gives_the_same_numbers(smoke_run, tmp_path):
    out, _ = smoke_run
    res = CliRunner().invoke(build_root(), ["medical", "eval", "--predictions",
                                            os.path.join(out, "eval", "grpo", "samples.jsonl"),
                                            "--out", str(tmp_path / "re")])
    assert res.exit_code == 0, res.output
    again = json.load(open(tmp_path / "re" / "results.json"))["metrics"]
    before = json.load(open(os.path.join(out, "eval", "results.json")))["stages"]["grpo"]["metrics"]
    assert again == pytest.approx(before, nan_ok=True)
