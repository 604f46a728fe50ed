"""Running one stage of a recipe: the kind's row of :data:`r1_foundry.core.schema.kinds.KINDS` names
the function; this module builds its :class:`~r1_foundry.core.schema.kinds.StageContext` (model
settings, the held-out monitor) and calls it.

    foundry sql train sft --data runs/sql/data --model runs/sql/model --out runs/sql/sft
"""

from __future__ import annotations

import random

from r1_foundry.core.schema.kinds import KINDS, StageContext
from r1_foundry.core.schema.recipe import validate_stage_args
from r1_foundry.core.util.registry import resolve
from r1_foundry.core.util.ui import err as console
from r1_foundry.core.util.ui import tag


def seed_everything(seed: int) -> None:
    from transformers import set_seed

    random.seed(seed)
    set_seed(seed)


def run_stage(domain, recipe, stage, model_path: str, dataset, out_dir: str, resume: bool = False,
              monitor=None) -> str:
    """Train one stage from ``model_path`` into ``out_dir`` (scoring ``monitor`` every
    ``stage.monitor_every`` steps when given); returns the output folder."""
    validate_stage_args(stage)
    kind = KINDS[stage.kind]
    m = recipe.model
    train = dict(model_path=model_path, train_dataset=dataset, out_dir=out_dir, args=stage.args,
                 lora=m.lora if stage.lora is None else stage.lora, qlora=m.qlora if stage.qlora is None else stage.qlora,
                 lora_r=m.lora_r, lora_alpha=m.lora_alpha, resume=resume, seed=recipe.seed, dtype=m.dtype)
    console.print(tag(f"stage {stage.name}", "bold"), f"({stage.kind}) from {model_path} -> {out_dir}")
    if stage.monitor_every and monitor is not None:
        from r1_foundry.core.evaluation.monitor import HeldoutMonitor
        from r1_foundry.core.modeling.models import load_tokenizer

        suite = domain.suite(recipe.eval.suite)
        limit = min(recipe.eval.monitor_limit or len(monitor), len(monitor))
        train["callbacks"] = [HeldoutMonitor(
            dataset=monitor.select(range(limit)), scorer=domain.suite_scorer(suite), metric=suite.primary,
            tokenizer=load_tokenizer(model_path), every=stage.monitor_every,
            max_new_tokens=recipe.eval.max_new_tokens, batch_size=recipe.eval.batch_size)]
    ctx = StageContext(domain=domain, recipe=recipe, stage=stage, model_path=model_path, dataset=dataset,
                       out_dir=out_dir, options=kind.read_options(stage), train=train)
    return resolve(kind.run)(ctx)
