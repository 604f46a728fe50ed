"""One GRPO step: R1 Foundry's stage vs a bare TRL GRPOTrainer script, and the rewards' share.

Both runs use the same model, data, rewards (a preset of the domain: Reasoning-SQL for sql,
MolReasoner+ether0 for chem, mixed for medical, finance and legal, tars for safety) and GRPOConfig values;
they alternate (bare, ours, bare, ours) so machine noise hits both. Per-step time is the median
of steps 2..N (step 1 includes warm-up).

    python bench/grpo_step.py --model runs/sql/sft --data runs/sql/data [--steps 6] [--rounds 2]
    python bench/grpo_step.py --domain chem --model runs/chem/sft --data runs/chem/data
    python bench/grpo_step.py --domain medical --model runs/medical/sft --data runs/medical/data
    python bench/grpo_step.py --domain finance --model runs/finance/sft --data runs/finance/data
    python bench/grpo_step.py --domain safety --model runs/safety/sft --data runs/safety/data
    python bench/grpo_step.py --domain legal --model runs/legal/sft --data runs/legal/data
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import data_and_model  # noqa: E402
from transformers import TrainerCallback  # noqa: E402

ARGS = {"per_device_train_batch_size": 16, "num_generations": 8, "max_completion_length": 96, "learning_rate": 2e-5,
        "temperature": 1.0, "logging_steps": 1, "save_strategy": "no", "report_to": "none", "use_cpu": True,
        "bf16": False, "gradient_checkpointing": False, "dataloader_pin_memory": False, "seed": 0}


class StepTimer(TrainerCallback):
    def __init__(self):
        self.times = []

    def on_step_begin(self, args, state, control, **kw):
        self._t = time.perf_counter()

    def on_step_end(self, args, state, control, **kw):
        self.times.append(time.perf_counter() - self._t)


class Timed:
    """A reward wrapper that adds up the seconds spent inside the reward."""

    def __init__(self, fn):
        self.fn, self.__name__, self.seconds = fn, fn.__name__, 0.0

    def __call__(self, *a, **k):
        t = time.perf_counter()
        try:
            return self.fn(*a, **k)
        finally:
            self.seconds += time.perf_counter() - t


# the preset each measured domain was benchmarked with; any other discovered domain: its first preset
PRESETS = {"sql": "reasoning-sql", "chem": "molreasoner+ether0", "medical": "mixed", "finance": "mixed", "safety": "tars", "legal": "mixed"}


def preset_of(name: str) -> str:
    from r1_foundry.core.schema.domain import get_domain

    return PRESETS.get(name) or next(iter(get_domain(name).reward_presets))
DOMAIN = "sql"


def rewards():
    from r1_foundry.core.rewards.compose import build_rewards
    from r1_foundry.core.schema.domain import get_domain

    # every run starts with cold caches, so the share is not flattered by an earlier run
    if DOMAIN == "sql":
        from r1_foundry.domains.sql import verify
        from r1_foundry.domains.sql.sandbox import default_executor

        verify._VERDICTS.clear()
        verify.used_schema_items.cache_clear()
        default_executor()._cache.clear()
    elif DOMAIN == "chem":
        from r1_foundry.domains.chem.sandbox import default_analyser

        default_analyser()._cache.clear()
    elif DOMAIN == "medical":  # pure-Python checks; only the small JSON parse caches
        from r1_foundry.domains.medical import verify

        verify._json.cache_clear()
    elif DOMAIN == "finance":  # the table parse cache
        from r1_foundry.domains.finance import verify

        verify.table_of.cache_clear()
    # safety and legal: string checks, nothing cached
    funcs, weights = build_rewards(get_domain(DOMAIN), preset_of(DOMAIN))
    return [Timed(f) for f in funcs], weights


def bare_trl(model_path, dataset, steps):
    """What a user would write with TRL alone."""
    from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast
    from trl import GRPOConfig, GRPOTrainer

    funcs, weights = rewards()
    tok = PreTrainedTokenizerFast.from_pretrained(model_path)
    tok.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(model_path)
    timer = StepTimer()
    cfg = GRPOConfig(output_dir=tempfile.mkdtemp(), max_steps=steps, reward_weights=weights, **ARGS)
    GRPOTrainer(model=model, reward_funcs=funcs, args=cfg, train_dataset=dataset.remove_columns(["completion"]),
                processing_class=tok, callbacks=[timer]).train()
    return timer.times, sum(f.seconds for f in funcs)


def foundry(model_path, dataset, steps):
    from r1_foundry.core.stages.trl import run_grpo

    funcs, weights = rewards()
    timer = StepTimer()
    run_grpo(model_path=model_path, train_dataset=dataset, out_dir=tempfile.mkdtemp(),
             args={**ARGS, "max_steps": steps}, reward_funcs=funcs, reward_weights=weights, callbacks=[timer])
    return timer.times, sum(f.seconds for f in funcs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model")
    ap.add_argument("--data")
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=2)
    from r1_foundry.core.schema.domain import names

    ap.add_argument("--domain", choices=names(), default="sql")
    args = ap.parse_args()
    global DOMAIN
    DOMAIN = args.domain
    ds, path = data_and_model(args.data, args.model, args.domain)
    train = ds["rl"] if "rl" in ds else ds["train"]  # GRPO prompts of the default recipe
    res = {"bare TRL": [], "R1 Foundry": []}
    reward_share = []
    for _ in range(args.rounds):
        for name, fn in (("bare TRL", bare_trl), ("R1 Foundry", foundry)):
            times, reward_s = fn(path, train, args.steps)
            res[name] += times[1:]
            if name == "R1 Foundry":
                reward_share.append(reward_s / sum(times))
                print(f"round: reward share {100 * reward_share[-1]:.2f}%")
    med = {k: statistics.median(v) for k, v in res.items()}
    print(f"domain {DOMAIN}, rewards {preset_of(DOMAIN)}; model {path}; {args.rounds} rounds x {args.steps} steps; batch {ARGS['per_device_train_batch_size']}, "
          f"{ARGS['num_generations']} generations, {ARGS['max_completion_length']} max new tokens")
    for k, v in med.items():
        print(f"{k:11s}: median {v:6.2f} s/step  (min {min(res[k]):.2f}, max {max(res[k]):.2f})")
    print(f"ratio R1 Foundry / bare TRL: {med['R1 Foundry'] / med['bare TRL']:.3f}x  (aim <= 1.05x)")
    print(f"reward time share of a GRPO step: {100 * statistics.median(reward_share):.2f}%  (aim <= 5%)")


if __name__ == "__main__":
    main()
