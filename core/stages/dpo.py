"""The kinds that end in DPOTrainer: ``dpo`` (the split's chosen/rejected pairs) and ``self-dpo``
(pairs of the model's own samples, :func:`r1_foundry.core.stages.sampling.self_dpo_dataset`)."""

from __future__ import annotations

from r1_foundry.core.stages import sampling
from r1_foundry.core.stages.trl import run_dpo


def dpo(ctx) -> str:
    return run_dpo(**ctx.train)


def self_dpo(ctx) -> str:
    data = sampling.self_dpo_dataset(ctx.domain, ctx.recipe, ctx.stage, ctx.model_path, ctx.dataset, ctx.out_dir)
    return run_dpo(**{**ctx.train, "train_dataset": data})
