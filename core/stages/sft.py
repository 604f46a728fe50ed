"""The kinds that end in SFTTrainer: ``sft`` (the split's completions) and ``rft`` (the model's own
verified samples, :func:`r1_foundry.core.stages.sampling.rft_dataset`)."""

from __future__ import annotations

from r1_foundry.core.stages import sampling
from r1_foundry.core.stages.trl import run_sft


def sft(ctx) -> str:
    return run_sft(**ctx.train)


def rft(ctx) -> str:
    data = sampling.rft_dataset(ctx.domain, ctx.recipe, ctx.stage, ctx.model_path, ctx.dataset, ctx.out_dir)
    return run_sft(**{**ctx.train, "train_dataset": data})
