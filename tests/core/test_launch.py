"""Multi-process training through accelerate launch (2 gloo processes on the CPU)."""

import json
import os
import subprocess
import sys

import pytest

from r1_foundry.core.util.launch import configs, strip_launch_args

BIN = os.path.join(os.path.dirname(sys.executable), "foundry")
SFT = ["stages.sft.args.max_steps=2", "stages.sft.args.logging_steps=1", "stages.sft.args.save_steps=100"]


def test_strip_launch_args():
    assert strip_launch_args(["sql", "train", "sft", "--launcher", "ddp", "--num-processes=2", "--out", "x"]) == [
        "sql", "train", "sft", "--out", "x"]


def test_shipped_configs_open_with_their_command():
    assert set(configs()) >= {"ddp", "fsdp2", "zero2", "zero3"}
    for path in configs().values():
        assert open(path).readline().startswith("# foundry ")


def _foundry(*args, timeout=300):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def ddp_run(tmp_path_factory):
    from r1_foundry.core.data.datasets import corpus, load_data
    from r1_foundry.core.modeling.models import build_scratch_model, train_tokenizer

    root = str(tmp_path_factory.mktemp("ddp"))
    res = _foundry("sql", "data", "build", "--out", root, "--arg", "train_per_db=16", "--arg", "test_per_db=2",
                   "--arg", "rl_per_db=4", "--arg", "train_dbs_per_theme=3", "--arg", "test_dbs_per_theme=1")
    assert res.returncode == 0, res.stderr
    ds = load_data(os.path.join(root, "data"))
    tok = train_tokenizer(corpus(ds["train"]), vocab_size=512, out_dir=os.path.join(root, "model"))
    build_scratch_model("tiny", tok, os.path.join(root, "model"))
    return root


@pytest.mark.integration
def test_two_process_sft_matches_one_process_and_its_checkpoint_evaluates(ddp_run):
    data, model = os.path.join(ddp_run, "data"), os.path.join(ddp_run, "model")
    two = _foundry("sql", "train", "sft", "--launcher", "ddp", "--num-processes", "2", "--data", data, "--model", model,
                   "--out", os.path.join(ddp_run, "sft2"), *SFT, "stages.sft.args.per_device_train_batch_size=4")
    assert two.returncode == 0, two.stderr[-3000:]
    one = _foundry("sql", "train", "sft", "--data", data, "--model", model, "--out", os.path.join(ddp_run, "sft1"),
                   *SFT, "stages.sft.args.per_device_train_batch_size=8")
    assert one.returncode == 0, one.stderr[-3000:]

    def first_loss(name):
        logs = json.load(open(os.path.join(ddp_run, name, "log_history.json")))
        return next(r for r in logs if "loss" in r)

    l1, l2 = first_loss("sft1"), first_loss("sft2")
    assert l2["num_tokens"] == l1["num_tokens"]  # the same global batch
    assert l2["loss"] == pytest.approx(l1["loss"], rel=1e-3)
    ev = _foundry("sql", "eval", "--model", os.path.join(ddp_run, "sft2"), "--data", data, "--out",
                  os.path.join(ddp_run, "eval2"), "eval.max_new_tokens=8", "eval.limit=4")
    assert ev.returncode == 0, ev.stderr[-2000:]
    assert json.load(open(os.path.join(ddp_run, "eval2", "results.json")))["n"] == 4


@pytest.mark.integration
def test_two_process_grpo(ddp_run):
    out = os.path.join(ddp_run, "grpo2")
    res = _foundry("sql", "train", "grpo", "--launcher", "ddp", "--num-processes", "2", "--data",
                   os.path.join(ddp_run, "data"), "--model", os.path.join(ddp_run, "model"), "--out", out,
                   "stages.grpo.args.max_steps=2", "stages.grpo.args.per_device_train_batch_size=4",
                   "stages.grpo.args.num_generations=4", "stages.grpo.args.max_completion_length=8",
                   "stages.grpo.args.num_iterations=1", "stages.grpo.args.logging_steps=1")
    assert res.returncode == 0, res.stderr[-3000:]
    logs = json.load(open(os.path.join(out, "log_history.json")))
    assert any("rewards/sql/arctic/mean" in r for r in logs)
    ev = _foundry("sql", "eval", "--model", out, "--data", os.path.join(ddp_run, "data"), "--out",
                  os.path.join(ddp_run, "eval-grpo2"), "eval.max_new_tokens=8", "eval.limit=4")
    assert ev.returncode == 0, ev.stderr[-2000:]


def test_unknown_launcher_is_a_clear_error(ddp_run):
    res = _foundry("sql", "train", "sft", "--launcher", "dpp", "--data", "x", "--model", "tiny", "--out", "y")
    assert res.returncode == 2 and "did you mean 'ddp'" in " ".join(res.stderr.split())


@pytest.mark.skipif(__import__("importlib").util.find_spec("vllm") is not None, reason="vLLM is installed here")
@pytest.mark.parametrize("args", [
    ["serve-rollouts", "--model", "{model}"],
    ["sql", "train", "grpo", "--data", "{data}", "--model", "{model}", "--out", "{out}", "stages.grpo.args.use_vllm=true"],
])
def test_vllm_requested_without_vllm_is_a_clear_error(ddp_run, args):
    argv = [a.format(model=os.path.join(ddp_run, "model"), data=os.path.join(ddp_run, "data"),
                     out=os.path.join(ddp_run, "nov")) for a in args]
    res = _foundry(*argv)
    assert res.returncode == 2, res.stderr[-2000:]
    assert "needs vLLM: pip install 'r1-foundry[gpu]'" in " ".join(res.stderr.split())
    assert "Traceback" not in res.stderr
