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
    out, _ = smoke_run
    for path in ("README.md", "eval/results.json", "eval/sft/results.md", "eval/grpo/samples.jsonl",
                 "grpo/model.safetensors", "reward_curve.png", "data/test.jsonl"):
        assert os.path.isfile(os.path.join(out, path)), path


def test_results_have_every_metric_and_the_card_agrees(smoke_run):
    out, _ = smoke_run
    results = json.load(open(os.path.join(out, "eval", "results.json")))["stages"]
    assert set(results) == {"base", "sft", "grpo"}
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


def test_chebi20_recipe_runs_on_real_format_files(tmp_path):
    """The chebi20 recipe end to end on ChEBI-20-format files written here (tab-separated
    CID/SMILES/description with a header; descriptions computed from RDKit facts)."""
    from typer.testing import CliRunner

    from r1_foundry.core.cli.app import build_root as root
    from r1_foundry.domains.chem.data import describe, rdkit_molecules
    from r1_foundry.domains.chem.sandbox import analyse_local

    folder = tmp_path / "ChEBI-20"
    folder.mkdir()
    mols = rdkit_molecules(max_heavy_atoms=12)[:40]
    for name, part in (("train.txt", mols[:28]), ("validation.txt", mols[28:32]), ("test.txt", mols[32:])):
        lines = ["CID\tSMILES\tdescription"] + [f"{i}\t{s}\t{describe(analyse_local(s))}" for i, s in enumerate(part)]
        (folder / name).write_text("\n".join(lines) + "\n")
    out = tmp_path / "run"
    res = CliRunner().invoke(root(), ["chem", "pipeline", "--recipe", "chebi20", "--preset", "smoke", "--out", str(out),
                                      f"data.args.path={folder}"])
    assert res.exit_code == 0, res.output + repr(res.exception)
    results = json.load(open(out / "eval" / "results.json"))["stages"]
    for r in results.values():
        assert r["n"] == 16 and r["counts"]["exact"] == 8  # 8 test molecules x 2 directions
        assert r["metrics"]["bleu4"] is not None and r["suite"] == "chem/chebi20"
        # MolT5's measures over the 8 text -> molecule examples; FTS only over valid outputs
        assert r["counts"]["molt5_exact"] == 8 and r["metrics"]["molt5_bleu"] is not None
        assert r["counts"]["molt5_maccs_fts"] <= 8
    assert (out / "grpo" / "filter.json").is_file() and (out / "README.md").is_file()
