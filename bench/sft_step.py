"""Where an SFT step's work goes, and the levers that cut it, as ratios against the padded baseline.

Token accounting over one epoch of the stage's own batches (TRL's tokenised dataset, a seeded random
order, ``--batch`` rows per step): real tokens, padding, prompt tokens (no loss) and completion
tokens (the loss). Then step times of each lever on the same model and data, alternating rounds
so machine noise hits all of them (median of steps 2..N; step 1 holds the warm-up):

``padded``        TRL's default: every row padded to the longest of its batch (the baseline)
``padding_free``  rows concatenated into one sequence with position ids, no padding (TRL's
                  ``padding_free``; on CPU, attention masks packed sequences by position ids)
``packing``       TRL's BFD packing to ``max_length``: more rows per step, so compare per row
``bs32``          twice the batch per step (fewer optimizer steps per epoch)
``compile``       ``torch_compile`` (steps 2..N; a new sequence length may recompile)

Per lever: seconds per step, rows per second, real tokens per second, and the ratio of rows per
second to ``padded`` (above 1: an epoch is faster); the first step's loss, which must agree with
``padded`` for a lever that changes only the batching (a wrong attention mask shows there).

    python bench/sft_step.py --domain sql --data runs/sql/data --model runs/sql/model [--steps 8 --rounds 2]
    python bench/sft_step.py --domain sql          # small synthetic data and a fresh tiny model
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import data_and_model  # noqa: E402
from transformers import TrainerCallback  # noqa: E402

BASE = {"learning_rate": 1.5e-3, "lr_scheduler_type": "constant", "logging_steps": 1, "save_strategy": "no",
        "report_to": "none", "use_cpu": True, "bf16": False, "gradient_checkpointing": False,
        "dataloader_pin_memory": False, "seed": 0}
LEVERS = {"padded": {}, "padding_free": {"padding_free": True, "max_length": None}, "packing": {"packing": True, "packing_strategy": "bfd"},
          "bs32": {"per_device_train_batch_size": 32}, "compile": {"torch_compile": True}}


class StepLog(TrainerCallback):
    def __init__(self):
        self.times, self.losses = [], []

    def on_step_begin(self, args, state, control, **kw):
        self._t = time.perf_counter()

    def on_step_end(self, args, state, control, **kw):
        self.times.append(time.perf_counter() - self._t)

    def on_log(self, args, state, control, logs=None, **kw):
        if logs and "loss" in logs:
            self.losses.append(float(logs["loss"]))


def trainer(model_path: str, dataset, args: dict):
    from trl import SFTConfig, SFTTrainer

    from r1_foundry.core.modeling.models import load_model

    model, tok, _ = load_model(model_path)
    log = StepLog()
    cfg = SFTConfig(output_dir=tempfile.mkdtemp(prefix="bench-sft-"), **{**BASE, **args})
    return SFTTrainer(model=model, args=cfg, train_dataset=dataset, processing_class=tok, callbacks=[log]), log


def accounting(tr, batch: int, seed: int = 0) -> dict:
    """Tokens of one epoch of ``batch``-row steps in a seeded random order, from TRL's tokenised rows."""
    ds = tr.train_dataset
    lengths = [len(x) for x in ds["input_ids"]]
    if "labels" in ds.column_names:  # TRL marks the tokens without loss (the prompt) -100
        loss = [sum(t != -100 for t in lab) for lab in ds["labels"]]
    elif "completion_mask" in ds.column_names:
        loss = [sum(m) for m in ds["completion_mask"]]
    else:
        loss = lengths
    order = list(range(len(lengths)))
    random.Random(seed).shuffle(order)
    padded = sum(batch * max(lengths[i] for i in order[k:k + batch]) for k in range(0, len(order), batch))
    real = sum(lengths)
    return {"rows": len(lengths), "steps": -(-len(lengths) // batch), "real_tokens": real, "padded_tokens": padded,
            "padding_share": 1 - real / padded, "completion_tokens": sum(loss), "prompt_tokens": real - sum(loss),
            "mean_row": statistics.fmean(lengths), "max_row": max(lengths)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model")
    ap.add_argument("--data")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--levers", default=",".join(LEVERS), help="comma-separated: " + ", ".join(LEVERS))
    from r1_foundry.core.schema.domain import names

    ap.add_argument("--domain", choices=names(), default="sql")
    a = ap.parse_args()
    levers = [x for x in a.levers.split(",") if x]
    unknown = [x for x in levers if x not in LEVERS]
    if unknown or "padded" not in levers:
        print(f"--levers: unknown {unknown}; 'padded' (the baseline) is required", file=sys.stderr)
        return 2
    ds, path = data_and_model(a.data, a.model, a.domain)
    train = ds["train"]
    common = {"max_steps": a.steps, "per_device_train_batch_size": a.batch, "max_length": a.max_length}
    tr, _ = trainer(path, train, common)
    acc = accounting(tr, a.batch)
    print(f"{acc['rows']} rows, {acc['steps']} steps of {a.batch} per epoch; mean row {acc['mean_row']:.0f} tokens, "
          f"longest {acc['max_row']}; real tokens {acc['real_tokens']:,}, padded {acc['padded_tokens']:,} "
          f"(padding {acc['padding_share']:.1%}); prompt {acc['prompt_tokens']:,} "
          f"({acc['prompt_tokens'] / acc['real_tokens']:.1%}), completion (loss) {acc['completion_tokens']:,}")
    del tr
    res: dict[str, dict] = {x: {"times": [], "rows": [], "tokens": [], "loss": []} for x in levers}
    for _ in range(a.rounds):
        for lever in levers:
            tr, log = trainer(path, train, {**common, **LEVERS[lever]})
            rows_per_step = tr.args.per_device_train_batch_size
            if lever == "packing":  # a packed row holds several examples (BFD records their lengths)
                rows_per_step *= statistics.fmean(len(s) for s in tr.train_dataset["seq_lengths"])
            tr.train()
            step = statistics.median(log.times[1:]) if len(log.times) > 1 else log.times[0]
            res[lever]["times"].append(step)
            res[lever]["rows"].append(rows_per_step / step)
            res[lever]["tokens"].append(rows_per_step * acc["mean_row"] / step)
            res[lever]["loss"].append(log.losses[0] if log.losses else float("nan"))
            del tr
    base = statistics.median(res["padded"]["rows"])
    print("\n| lever | s/step | rows/s | real tokens/s | rows/s vs padded | first loss |\n|---|---:|---:|---:|---:|---:|")
    for lever in levers:
        r = res[lever]
        rows = statistics.median(r["rows"])
        print(f"| {lever} | {statistics.median(r['times']):.3f} | {rows:.1f} | {statistics.median(r['tokens']):.0f} | "
              f"{rows / base:.2f}x | {r['loss'][0]:.4f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
