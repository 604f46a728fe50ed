"""Integration: a few real SFT, DPO and GRPO steps on the tiny from-scratch model (LoRA and QLoRA too)."""

import json
import os

import pytest
import torch
from safetensors.torch import load_file

from r1_foundry.core.data.datasets import corpus
from r1_foundry.core.modeling.models import build_scratch_model, load_model, load_tokenizer, train_tokenizer
from r1_foundry.core.rewards.compose import build_rewards
from r1_foundry.core.schema.domain import get_domain
from r1_foundry.core.stages import trl as train

pytestmark = pytest.mark.integration
FAST = {"per_device_train_batch_size": 4, "learning_rate": 1e-3, "logging_steps": 1, "save_steps": 1000,
        "max_length": 384}


@pytest.fixture(scope="session")
def tiny(tmp_path_factory, sql_data):
    out = str(tmp_path_factory.mktemp("tiny"))
    tok = train_tokenizer(corpus(sql_data["train"]), vocab_size=512, out_dir=out)
    return build_scratch_model("tiny", tok, out, seed=0)


def _weights(path):
    files = [f for f in os.listdir(path) if f.endswith(".safetensors")]
    return {k: v for f in files for k, v in load_file(os.path.join(path, f)).items()}


def _changed(before: dict, after: dict) -> bool:
    common = [k for k in before if k in after]
    return bool(common) and any(not torch.equal(before[k], after[k]) for k in common)


def _logs(path):
    return json.load(open(os.path.join(path, "log_history.json")))


def test_tiny_model_and_tokenizer(tiny):
    meta = json.load(open(os.path.join(tiny, "foundry.json")))
    assert 5e6 < meta["parameters"] < 15e6
    tok = load_tokenizer(tiny)
    assert "Qwen2" not in type(tok).__name__  # not silently rebuilt as a Qwen2Tokenizer
    ids = tok(" 914", add_special_tokens=False)["input_ids"]
    assert [tok.decode([i]) for i in ids][-3:] == ["9", "1", "4"]  # digits one by one
    text = tok.apply_chat_template([{"role": "user", "content": "q"}], tokenize=False, add_generation_prompt=True)
    assert text.endswith("<|im_start|>assistant\n")


def test_sft_steps_and_resume(tiny, sql_data, tmp_path):
    out = str(tmp_path / "sft")
    train.run_sft(model_path=tiny, train_dataset=sql_data["train"], out_dir=out,
                  args={**FAST, "max_steps": 4, "save_steps": 2})
    logs = _logs(out)
    assert [r["loss"] for r in logs if "loss" in r][0] > 0
    assert _changed(_weights(tiny), _weights(out))
    assert os.path.isdir(os.path.join(out, "checkpoint-4"))
    train.run_sft(model_path=tiny, train_dataset=sql_data["train"], out_dir=out,
                  args={**FAST, "max_steps": 6, "save_steps": 2}, resume=True)
    state = json.load(open(os.path.join(out, "stage.json")))
    assert state["global_step"] == 6
    steps = [r["step"] for r in _logs(out) if "loss" in r]
    assert steps[-2:] == [5, 6] and 1 in steps  # the log history continued from checkpoint-4


@pytest.mark.parametrize("mode", ["lora", "qlora"])
def test_sft_lora_and_qlora(tiny, sql_data, tmp_path, mode):
    out = str(tmp_path / mode)
    train.run_sft(model_path=tiny, train_dataset=sql_data["train"], out_dir=out, args={**FAST, "max_steps": 2},
                  lora=mode == "lora", qlora=mode == "qlora", lora_r=8, lora_alpha=16)
    assert os.path.isfile(os.path.join(out, "adapter_config.json"))
    adapter = load_file(os.path.join(out, "adapter_model.safetensors"))
    assert any(k.endswith("lora_B.weight") and v.abs().sum() > 0 for k, v in adapter.items())  # B starts at 0
    assert all(torch.isfinite(torch.tensor(r["loss"])) for r in _logs(out) if "loss" in r)
    model, _, _ = load_model(out)  # an adapter folder loads merged, so the next stage can start from it
    assert model.num_parameters() > 5e6


def test_dpo_steps_with_lora(tiny, sql_data, tmp_path):
    out = str(tmp_path / "dpo")
    train.run_dpo(model_path=tiny, train_dataset=sql_data["preference"], out_dir=out,
                  args={**FAST, "max_steps": 2, "learning_rate": 1e-3, "beta": 0.1}, lora=True)
    logs = _logs(out)
    assert any("loss" in r for r in logs) and any("rewards/chosen" in r or "rewards/margins" in r for r in logs)


def _length_reward(prompts, completions, **_):
    """Varies with every sample, so the GRPO advantage is non-zero from a random model."""
    return [len(c[0]["content"] if isinstance(c, list) else c) / 50 for c in completions]


_length_reward.__name__ = "test/length"


def test_grpo_steps_log_every_reward(tiny, sql_data, tmp_path):
    out = str(tmp_path / "grpo")
    funcs, weights = build_rewards(get_domain("sql"), "reasoning-sql")
    train.run_grpo(model_path=tiny, train_dataset=sql_data["train"].select(range(16)), out_dir=out,
                   args={"max_steps": 2, "per_device_train_batch_size": 4, "num_generations": 4,
                         "max_completion_length": 12, "learning_rate": 1e-3, "logging_steps": 1},
                   reward_funcs=[*funcs, _length_reward], reward_weights=[*weights, 1.0])
    logs = _logs(out)
    for name in ("sql/execution", "sql/syntax", "sql/schema_linking", "sql/ngram", "sql/format", "test/length"):
        assert any(f"rewards/{name}/mean" in r for r in logs), name
    assert any("loss" in r for r in logs)
    assert _changed(_weights(tiny), _weights(out))


def test_eval_runner_with_sampling_k2(tiny, sql_data, tmp_path):
    from r1_foundry.core.evaluation.runner import evaluate
    from r1_foundry.core.util.registry import resolve

    domain = get_domain("sql")
    out = str(tmp_path / "eval")
    result = evaluate(model_path=tiny, dataset=sql_data["test"], suite=domain.suite("sql/heldout"),
                      scorer=resolve(domain.scorer), out_dir=out, max_new_tokens=8, batch_size=4, k=2, limit=4,
                      backend="hf")
    assert result["n"] == 4 and "pass@2" in result and "maj@2" in result
    assert set(result["buckets"]) == {"template", "difficulty", "db_id"}
    rows = [json.loads(line) for line in open(os.path.join(out, "samples.jsonl"))]
    assert len(rows) == 4 and all(len(r["samples"]) == 2 for r in rows)
    assert "| pass@2 |" in open(os.path.join(out, "results.md")).read()


def test_weights_dtype_keeps_float32_master_weights_for_full_training(monkeypatch):
    """On a bf16 GPU a full fine-tune must not load bf16 weights: AdamW would update them in
    bf16 and lose every step below ~1/256 of a weight (an RL learning rate's). Adapters and
    generation use bf16; an explicit dtype wins; a CPU is always float32."""
    from r1_foundry.core.modeling.models import weights_dtype
    from r1_foundry.core.schema.recipe import ModelSpec
    from r1_foundry.core.util.errors import FoundryError

    assert weights_dtype() is torch.float32 and weights_dtype(training=False) is torch.float32  # this CPU
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert weights_dtype() is torch.float32
    assert weights_dtype(adapters=True) is torch.bfloat16
    assert weights_dtype(training=False) is torch.bfloat16
    assert weights_dtype("bfloat16") is torch.bfloat16 and weights_dtype("float32", adapters=True) is torch.float32
    w = torch.full((1000,), 0.02, dtype=torch.bfloat16)  # why: a 3e-5 step vanishes on bf16 weights
    assert torch.equal(w - 3e-5, w) and not torch.equal(w.float() - 3e-5, w.float())
    with pytest.raises(FoundryError, match="model.dtype"):
        ModelSpec(dtype="fp8")


_KILL_MID_SAVE = """
import os, signal, sys
import datasets
from transformers import Trainer
from r1_foundry.core.stages import trl as train

def die(self, output_dir):  # after the weights, before the optimizer and trainer_state.json
    if self.state.global_step == 4:
        os.kill(os.getpid(), signal.SIGKILL)
    return orig(self, output_dir)

orig = Trainer._save_optimizer_and_scheduler
Trainer._save_optimizer_and_scheduler = die
train.run_sft(model_path=sys.argv[1], train_dataset=datasets.load_from_disk(sys.argv[2]), out_dir=sys.argv[3],
              args={"per_device_train_batch_size": 4, "learning_rate": 1e-3, "logging_steps": 1, "save_steps": 2,
                    "max_length": 384, "max_steps": 6})
"""


def test_resume_skips_a_checkpoint_cut_off_mid_save(tiny, sql_data, tmp_path, capfd):
    """A real SIGKILL while checkpoint-4 is being saved (weights written, trainer_state.json not), plus a
    checkpoint-6 holding only config.json (the issue's case: `--resume` was a ValueError traceback until the
    folder was moved by hand). Resume takes checkpoint-2, says which it skipped, and finishes at step 6
    having trained steps 3-6 only."""
    import shutil
    import subprocess
    import sys

    from transformers import TrainerCallback

    data = str(tmp_path / "train")
    sql_data["train"].save_to_disk(data)
    out = str(tmp_path / "sft")
    proc = subprocess.run([sys.executable, "-c", _KILL_MID_SAVE, tiny, data, out], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == -9, proc.stderr[-2000:]
    assert os.path.isfile(os.path.join(out, "checkpoint-2", "trainer_state.json"))
    assert os.path.isdir(os.path.join(out, "checkpoint-4"))
    assert not os.path.exists(os.path.join(out, "checkpoint-4", "trainer_state.json"))
    os.makedirs(os.path.join(out, "checkpoint-6"))
    shutil.copy(os.path.join(out, "checkpoint-2", "config.json"), os.path.join(out, "checkpoint-6"))
    assert train._last_checkpoint(out).endswith("checkpoint-2")
    capfd.readouterr()

    steps = []

    class Count(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            steps.append(state.global_step)

    train.run_sft(model_path=tiny, train_dataset=sql_data["train"], out_dir=out,
                  args={**FAST, "max_steps": 6, "save_steps": 2}, resume=True, callbacks=[Count()])
    said = capfd.readouterr().err
    assert "skipped incomplete checkpoint-6, checkpoint-4" in said and "resuming from checkpoint-2" in said, said
    assert steps == [3, 4, 5, 6]
    assert json.load(open(os.path.join(out, "stage.json")))["global_step"] == 6
    assert train.checkpoint_complete(os.path.join(out, "checkpoint-6"))  # written again, this time whole


def test_saved_models_and_checkpoints_keep_the_users_umask(tiny, sql_data, tmp_path):
    """transformers 5 writes model.safetensors as 0600 (a private temp file): a team sharing a run folder could
    not read the weights. Every file of a finished stage, checkpoints included, gets 0666 & ~umask."""
    import stat

    old = os.umask(0o022)
    try:
        out = str(tmp_path / "sft")
        train.run_sft(model_path=tiny, train_dataset=sql_data["train"], out_dir=out,
                      args={**FAST, "max_steps": 2, "save_steps": 1})
    finally:
        os.umask(old)
    modes = {os.path.relpath(os.path.join(r, f), out): stat.S_IMODE(os.stat(os.path.join(r, f)).st_mode)
             for r, _, fs in os.walk(out) for f in fs}
    assert "model.safetensors" in modes and "checkpoint-2/model.safetensors" in modes
    assert {p: oct(m) for p, m in modes.items() if m != 0o644} == {}
    assert stat.S_IMODE(os.stat(os.path.join(tiny, "model.safetensors")).st_mode) & 0o044  # the built model too
