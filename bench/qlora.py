"""QLoRA (4-bit NF4 base, bitsandbytes) against LoRA (float32 base) on a real model, on this machine:
a few real SFT steps each, seconds per step, final loss and peak memory (max RSS of the process),
each arm in a fresh process so the peaks do not mix.

    python bench/qlora.py                                  # smollm2-135m, 4 steps of 4 x 256 tokens each arm
    python bench/qlora.py --steps 6 --batch 8 --json runs/bench/qlora.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def arm(kind: str, model: str, steps: int, batch: int) -> dict:
    """One arm in this process: LoRA or QLoRA SFT for ``steps`` steps on sql prompts."""
    import torch
    from transformers import TrainerCallback
    from trl import SFTTrainer

    from r1_foundry.core.data.datasets import build_data, load_data
    from r1_foundry.core.modeling.models import load_model, resolve_model
    from r1_foundry.core.schema.domain import get_domain
    from r1_foundry.core.stages.trl import build_config

    path = resolve_model(model)
    out = tempfile.mkdtemp(prefix=f"bench-{kind}-")
    ds = load_data(build_data(get_domain("sql"), "synthetic", {"train_per_db": 8, "test_per_db": 1,
                                                               "train_dbs_per_theme": 3, "test_dbs_per_theme": 1},
                              out, system="r1"))
    start = time.perf_counter()
    model_obj, tok, peft = load_model(path, lora=kind == "lora", qlora=kind == "qlora")
    load_s = time.perf_counter() - start
    times = []

    class Timer(TrainerCallback):
        def on_step_begin(self, *a, **k):
            self.t = time.perf_counter()

        def on_step_end(self, *a, **k):
            times.append(time.perf_counter() - self.t)

    config = build_config("sft", out, {"max_steps": steps, "per_device_train_batch_size": batch, "max_length": 256,
                                       "learning_rate": 2e-4, "logging_steps": 1, "save_strategy": "no"})
    trainer = SFTTrainer(model=model_obj, args=config, train_dataset=ds["train"], processing_class=tok,
                         peft_config=peft, callbacks=[Timer()])
    trainer.train()
    losses = [r["loss"] for r in trainer.state.log_history if "loss" in r]
    linear = next(type(m).__name__ for n, m in trainer.model.named_modules() if n.endswith("q_proj.base_layer"))
    return {"arm": kind, "load_s": round(load_s, 1), "step_s": [round(t, 2) for t in times],
            "median_step_s": round(sorted(times[1:] or times)[len(times[1:] or times) // 2], 2),
            "first_loss": losses[0], "last_loss": losses[-1], "base_linear": linear,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "torch": torch.__version__}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--arm", help=argparse.SUPPRESS)  # internal: run one arm in this process
    ap.add_argument("--json")
    args = ap.parse_args()
    if args.arm:
        print(json.dumps(arm(args.arm, args.model, args.steps, args.batch)))
        return
    rows = []
    for kind in ("lora", "qlora"):
        res = subprocess.run([sys.executable, __file__, "--arm", kind, "--model", args.model, "--steps", str(args.steps),
                              "--batch", str(args.batch)], capture_output=True, text=True, env=os.environ)
        if res.returncode:
            print(f"{kind}: failed\n{res.stderr[-2000:]}")
            rows.append({"arm": kind, "error": res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "failed"})
            continue
        row = json.loads(res.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"{kind:6s} base layers {row['base_linear']:12s} load {row['load_s']:5.1f} s  step {row['median_step_s']:6.2f} s "
              f"(median of {len(row['step_s'])})  loss {row['first_loss']:.3f} -> {row['last_loss']:.3f}  "
              f"peak RSS {row['peak_rss_mib']} MiB", flush=True)
    ok = [r for r in rows if "error" not in r]
    if len(ok) == 2:
        lo, q = ok
        print(f"\nQLoRA / LoRA: step time {q['median_step_s'] / lo['median_step_s']:.2f}x, "
              f"peak memory {q['peak_rss_mib'] / lo['peak_rss_mib']:.2f}x ({args.steps} steps of {args.batch} "
              f"x <=256 tokens, {args.model}, {os.cpu_count()} CPU cores)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"args": vars(args), "rows": rows}, fh, indent=1)


if __name__ == "__main__":
    main()
