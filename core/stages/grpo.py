"""The ``grpo`` kind: GRPO with the domain's verifiable rewards, and its options.

* ``filter`` (:func:`select_prompts`): before training, sample ``k`` answers per prompt from the
  starting model and keep the prompts whose answers get different rewards (DAPO's dynamic
  sampling done once), or whose verified pass rate lies in ``pass_rate: [lo, hi]``, optionally
  ordered easy -> hard (``curriculum``). The sampling itself is :mod:`r1_foundry.core.stages.sampling`'s.
* ``loss`` (:func:`grpo_args`): TRL's ``loss_type``, or ``gspo`` (sequence-level importance ratios).
* ``kl`` (:class:`KLSchedule`): the KL coefficient moved linearly or by a cosine from ``start`` to
  ``end`` over the stage.
"""

from __future__ import annotations

from r1_foundry.core.rewards.compose import build_rewards, score
from r1_foundry.core.stages.sampling import _draw, _in_window, _opts, _pool, _report
from r1_foundry.core.stages.trl import run_grpo
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.launch import is_main_process
from r1_foundry.core.util.ui import err as console
from r1_foundry.core.util.ui import tag


def grpo(ctx) -> str:
    stage, train = ctx.stage, dict(ctx.train)
    if stage.filter:
        train["train_dataset"] = select_prompts(ctx.domain, stage, ctx.model_path, ctx.dataset, ctx.out_dir, ctx.recipe)
    train["args"] = {**grpo_args(stage), **stage.args}
    funcs, weights = build_rewards(ctx.domain, stage.rewards)
    return run_grpo(**train, reward_funcs=funcs, reward_weights=weights, kl=stage.kl)


def select_prompts(domain, stage, model_path: str, dataset, out_dir: str, recipe=None):
    """The grpo ``filter``: the prompts a GRPO stage trains on, in training order.

    Without ``pass_rate``: the zero-variance filter (answers with different total rewards under
    the stage's rewards). With ``pass_rate: [lo, hi]``: prompts whose verified pass rate over k
    samples lies in the window. ``curriculum: true`` orders the kept prompts easy -> hard (pass
    rate high -> low; the stage then runs with ``shuffle_dataset: false``). What was kept goes to
    ``out_dir/filter.json``. If nothing is kept the whole pool is used, with a warning.
    """
    opts, pool = _opts(stage), _pool(stage, dataset)
    window = opts.pass_rate
    spread = window is None and not opts.curriculum  # today's zero-variance rule: no verifier needed
    draws = _draw(domain, recipe, stage, model_path, pool, out_dir, verify=not spread)
    rates = draws["pass_rate"] or [0.0] * len(pool)
    if spread:
        funcs, weights = build_rewards(domain, stage.rewards)
        k = len(draws["samples"][0]) if draws["samples"] else 1
        columns = {c: [v for v in pool[c] for _ in range(k)] for c in pool.column_names if c not in ("prompt", "completion")}
        rows = score(funcs, weights, [p for p in pool["prompt"] for _ in range(k)],
                     [c for cs in draws["samples"] for c in cs], columns)
        totals = [r["total"] for r in rows]
        kept = [i for i in range(len(pool)) if max(totals[i * k:(i + 1) * k]) - min(totals[i * k:(i + 1) * k]) > 1e-9]
        rule = "different rewards"
    else:
        kept = [i for i in range(len(pool)) if _in_window(rates[i], window)]
        rule = f"pass rate in [{window[0]}, {window[1]}]" if window else "every prompt"
    if opts.curriculum:
        kept.sort(key=lambda i: -rates[i])  # stable: ties keep the data order
    info = {"rule": rule, "prompts": len(pool), "kept": kept, "kept_fraction": len(kept) / max(len(pool), 1),
            "curriculum": opts.curriculum, "pass_rate_kept": [rates[i] for i in kept],
            "mean_pass_rate": sum(rates) / max(len(rates), 1)}
    if is_main_process():
        console.print(f"filter ({rule}): kept {len(kept)} of {len(pool)} prompts ({100 * info['kept_fraction']:.0f}%)"
                      + (", easy -> hard" if info["curriculum"] else ""))
        if not kept:
            console.print(tag("filter: no prompt kept; training on the whole pool", "yellow"))
    _report(out_dir, "filter.json", info)
    return pool.select(kept or list(range(len(pool))))


def grpo_args(stage) -> dict:
    """The TRL GRPOConfig fields a grpo stage's ``loss``, ``kl`` and ``filter`` options set."""
    args = {}
    if stage.loss:
        if "loss_type" in stage.args or "importance_sampling_level" in stage.args:
            raise FoundryError(f"stage '{stage.name}': set either loss or args.loss_type/importance_sampling_level")
        # GSPO (Zheng et al. 2025) = sequence-level importance ratios with GRPO's sequence-mean loss (TRL's docs)
        args = {"loss_type": "grpo", "importance_sampling_level": "sequence"} if stage.loss == "gspo" else \
            {"loss_type": stage.loss}
    if stage.kl:
        args["beta"] = max(float(stage.kl.get("start", 0)), float(stage.kl.get("end", 0)))  # keeps the reference model
    if stage.filter.get("curriculum"):
        args["shuffle_dataset"] = False
    return args


