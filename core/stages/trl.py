"""Training stages as thin, linear functions over TRL's SFTTrainer, DPOTrainer and GRPOTrainer.

Each stage: config -> model -> trainer -> train (resuming from the last checkpoint when asked)
-> save model, tokenizer and log history into ``out_dir``. No trainer is subclassed; domain
logic reaches GRPO only as reward callables.

    foundry sql train sft --data runs/sql/data --model runs/sql/model --out runs/sql/sft
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil

from r1_foundry.core.schema.kinds import KINDS
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.io import share_files

DONE_MARKER = "stage.json"


def config_class(kind: str):
    """The TRL config class of a stage kind (its row in :data:`r1_foundry.core.schema.kinds.KINDS`)."""
    return KINDS[kind].config_class()


def _defaults(kind: str) -> dict:
    """Defaults that differ from TRL's: sensible for from-scratch models and for CPUs."""
    import torch

    cuda = torch.cuda.is_available()
    out = {
        "report_to": "none", "logging_steps": 5, "save_steps": 100, "save_total_limit": 2,
        "bf16": cuda and torch.cuda.is_bf16_supported(), "fp16": False, "dataloader_pin_memory": cuda,
        "use_cpu": not cuda, "seed": 0,
    }
    if not cuda:  # on a CPU, recomputing activations only costs time (~20%); memory is not the limit
        out["gradient_checkpointing"] = False
    if kind == "grpo":
        out["log_completions"] = False
    return out


def build_config(kind: str, out_dir: str, args: dict, seed: int = 0):
    """A TRL config from our defaults overlaid with the recipe's ``args``."""
    cls = config_class(kind)
    merged = {**_defaults(kind), "seed": seed, **args, "output_dir": out_dir}
    try:
        return cls(**merged)
    except (TypeError, ValueError) as exc:
        raise FoundryError(f"stage {kind}: invalid {cls.__name__} arguments: {exc}") from None


_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")
TRAINER_STATE = "trainer_state.json"  # the Trainer writes it last into a checkpoint folder


def checkpoint_complete(path: str) -> bool:
    """True when a ``checkpoint-N`` folder was written to the end: the Trainer saves the weights, the
    optimizer, scheduler and RNG states, and ``trainer_state.json`` last, so a folder whose
    ``trainer_state.json`` is missing or does not parse was cut off mid-save (a SIGKILL, a full disk)."""
    try:
        with open(os.path.join(path, TRAINER_STATE), encoding="utf-8") as fh:
            state = json.load(fh)
    except (OSError, ValueError):
        return False
    return isinstance(state, dict) and "global_step" in state


def _last_checkpoint(out_dir: str) -> str | None:
    """The newest *complete* checkpoint in ``out_dir`` (see :func:`checkpoint_complete`); newer
    incomplete ones are named on stderr and left in place (the run writes that step again)."""
    if not os.path.isdir(out_dir):
        return None
    found = sorted(((int(m.group(1)), name) for name in os.listdir(out_dir)
                    if (m := _CHECKPOINT.match(name)) and os.path.isdir(os.path.join(out_dir, name))), reverse=True)
    skipped = []
    for _, name in found:
        path = os.path.join(out_dir, name)
        if checkpoint_complete(path):
            if skipped:
                _say(f"resume: skipped incomplete {', '.join(skipped)} (no valid {TRAINER_STATE}: cut off while "
                     f"saving); resuming from {name}")
            return path
        skipped.append(name)
    if skipped:
        _say(f"resume: skipped incomplete {', '.join(skipped)} (no valid {TRAINER_STATE}); no complete "
             "checkpoint left, so this stage starts from its first step")
    return None


def _say(text: str) -> None:
    from r1_foundry.core.util.ui import err

    err.print(text, soft_wrap=True, highlight=False)


def _finish(trainer, tokenizer, out_dir: str, kind: str, source: str) -> str:
    trainer.save_model(out_dir)  # collective under FSDP/ZeRO-3: every process calls it
    if not trainer.is_world_process_zero():
        return out_dir
    tokenizer.save_pretrained(out_dir)
    from r1_foundry.core.modeling.models import record_adapter_base

    record_adapter_base(out_dir, source)  # a LoRA stage on an earlier LoRA stage keeps that stage's weights
    marker = os.path.join(source, "foundry.json")
    if os.path.isfile(marker):  # keep the "load with PreTrainedTokenizerFast" hint
        shutil.copy(marker, os.path.join(out_dir, "foundry.json"))
    with open(os.path.join(out_dir, "log_history.json"), "w") as fh:
        json.dump(trainer.state.log_history, fh, indent=1)
    share_files(out_dir)  # model.safetensors (and checkpoints) get the user's umask, not 0600
    with open(os.path.join(out_dir, DONE_MARKER), "w") as fh:
        json.dump({"kind": kind, "source": source, "global_step": trainer.state.global_step}, fh)
    return out_dir


def _train(trainer, out_dir: str, resume: bool) -> None:
    from transformers import TrainerCallback

    class _Share(TrainerCallback):  # each checkpoint readable by the team as soon as it is saved
        def on_save(self, args, state, control, **kwargs):
            if state.is_world_process_zero:
                share_files(os.path.join(args.output_dir, f"checkpoint-{state.global_step}"))

    trainer.add_callback(_Share())
    checkpoint = _last_checkpoint(out_dir) if resume else None
    trainer.train(resume_from_checkpoint=checkpoint)


def run_sft(*, model_path: str, train_dataset, out_dir: str, args: dict, lora=False, qlora=False,
            lora_r=16, lora_alpha=32, resume: bool = False, seed: int = 0, callbacks=None,
            dtype: str = "auto") -> str:
    """Supervised fine-tuning on ``prompt``/``completion`` (loss on the completion only)."""
    from trl import SFTTrainer

    from r1_foundry.core.modeling.models import load_model

    model, tokenizer, peft_config = load_model(model_path, lora=lora, qlora=qlora, lora_r=lora_r, lora_alpha=lora_alpha,
                                                dtype=dtype)
    config = build_config("sft", out_dir, args, seed)
    trainer = SFTTrainer(model=model, args=config, train_dataset=train_dataset, processing_class=tokenizer,
                         peft_config=peft_config, callbacks=callbacks)
    _train(trainer, out_dir, resume)
    return _finish(trainer, tokenizer, out_dir, "sft", model_path)


def run_dpo(*, model_path: str, train_dataset, out_dir: str, args: dict, lora=False, qlora=False,
            lora_r=16, lora_alpha=32, resume: bool = False, seed: int = 0, callbacks=None,
            dtype: str = "auto") -> str:
    """Direct preference optimisation on ``prompt``/``chosen``/``rejected``."""
    from trl import DPOTrainer

    from r1_foundry.core.modeling.models import load_model

    model, tokenizer, peft_config = load_model(model_path, lora=lora, qlora=qlora, lora_r=lora_r, lora_alpha=lora_alpha,
                                                dtype=dtype)
    config = build_config("dpo", out_dir, args, seed)
    keep = {"prompt", "chosen", "rejected"}
    train_dataset = train_dataset.remove_columns([c for c in train_dataset.column_names if c not in keep])
    trainer = DPOTrainer(model=model, args=config, train_dataset=train_dataset, processing_class=tokenizer,
                         peft_config=peft_config, callbacks=callbacks)
    _train(trainer, out_dir, resume)
    return _finish(trainer, tokenizer, out_dir, "dpo", model_path)


def run_grpo(*, model_path: str, train_dataset, out_dir: str, args: dict, reward_funcs: list, reward_weights: list,
             lora=False, qlora=False, lora_r=16, lora_alpha=32, resume: bool = False, seed: int = 0,
             callbacks=None, kl: dict | None = None, dtype: str = "auto") -> str:
    """GRPO with verifiable rewards; every dataset column reaches the rewards as a keyword.
    ``kl`` = ``{start, end, shape}`` schedules the KL coefficient (:class:`KLSchedule`)."""
    from trl import GRPOTrainer

    from r1_foundry.core.modeling.models import load_model

    if args.get("use_vllm"):
        from r1_foundry.core.modeling.generation import require_vllm

        require_vllm("use_vllm in a grpo stage")
    model, tokenizer, peft_config = load_model(model_path, lora=lora, qlora=qlora, lora_r=lora_r, lora_alpha=lora_alpha,
                                                dtype=dtype)
    config = build_config("grpo", out_dir, {"reward_weights": list(reward_weights), **args}, seed)
    if "completion" in train_dataset.column_names:  # the SFT target is not a GRPO input
        train_dataset = train_dataset.remove_columns(["completion"])
    trainer = GRPOTrainer(model=model, reward_funcs=list(reward_funcs), args=config, train_dataset=train_dataset,
                          processing_class=tokenizer, peft_config=peft_config, callbacks=callbacks)
    if kl:
        trainer.add_callback(KLSchedule(trainer, kl.get("start", 0), kl.get("end", 0), kl.get("shape", "linear")).callback())
    _train(trainer, out_dir, resume)
    return _finish(trainer, tokenizer, out_dir, "grpo", model_path)


def is_done(out_dir: str) -> bool:
    return os.path.isfile(os.path.join(out_dir, DONE_MARKER))


class KLSchedule:
    """Sets ``trainer.beta`` before each step: ``start`` -> ``end`` over ``max_steps``, linearly or
    by a half cosine. Never exactly 0 (TRL computes the reference log-probs only while beta != 0,
    and a rollout batch is reused across ``num_iterations``), so the reference model stays loaded."""

    def __init__(self, trainer, start: float, end: float, shape: str = "linear"):
        self.trainer, self.start, self.end, self.shape = trainer, float(start), float(end), shape

    def value(self, step: int, total: int) -> float:
        t = min(max(step / max(total, 1), 0.0), 1.0)
        frac = t if self.shape == "linear" else 0.5 * (1 - math.cos(math.pi * t))
        return max(self.start + (self.end - self.start) * frac, 1e-12)

    def callback(self):
        from transformers import TrainerCallback

        schedule = self

        class _Step(TrainerCallback):
            def on_step_begin(self, args, state, control, **kwargs):
                schedule.trainer.beta = schedule.value(state.global_step, state.max_steps)

            def on_log(self, args, state, control, logs=None, **kwargs):
                # the Trainer appends a copy of ``logs`` to log_history before callbacks run
                if logs is not None and "train_runtime" not in logs and state.log_history:
                    state.log_history[-1]["kl_beta"] = schedule.trainer.beta

        return _Step()
