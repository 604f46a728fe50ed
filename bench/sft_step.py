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
``grouped``       transformers' ``group_by_length`` sampler (batches of similar lengths within
                  megabatches of 50 batches, shuffled): less padding. Its first steps are the longest
                  batch by design, so its epoch padding (below) says more than a few steps' times
``bf16``          TRL's ``bf16`` (autocast to bfloat16, float32 master weights): on a CPU with native bf16
                  (AVX512_BF16 / AMX) the matmuls run faster; elsewhere far slower (doctor says which)
``bs8``           half the batch per step (cheaper steps; whether learning needs steps or rows is a
                  question for the accuracy runs, not for this bench)

``--sizes tiny,micro,256x4x4x2x1024``: the same padded batches on fresh from-scratch models of other
shapes (``SIZES`` of core/modeling/models.py, or hidden x layers x heads x kv heads x MLP; same tokenizer): parameters, seconds per step and rows per
second against the first size, the "smaller or differently shaped model" lever.

``--schema-styles create,compact`` (SQL, built data only): the "shorter prompts" lever. The same synthetic
databases and questions built once per schema serialisation (``schema_style`` of the SQL builder), each
with its own tokenizer trained on its own corpus and a fresh model of the same shape (``--schema-size``),
so only the prompt text differs: tokens per row and padded steps timed in alternating rounds, rows per
second against the first style.

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
          "bs32": {"per_device_train_batch_size": 32}, "compile": {"torch_compile": True},
          "bs8": {"per_device_train_batch_size": 8}, "grouped": {"train_sampling_strategy": "group_by_length"},
          "bf16": {"bf16": True}}


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


def median_step(log: StepLog) -> float:
    """Seconds per step: the median of steps 2..N (step 1 holds the warm-up), or step 1 alone."""
    return statistics.median(log.times[1:]) if len(log.times) > 1 else log.times[0]


def trainer(model_path: str, dataset, args: dict):
    from trl import SFTConfig, SFTTrainer

    from r1_foundry.core.modeling.models import load_model

    model, tok, _ = load_model(model_path)
    log = StepLog()
    cfg = SFTConfig(output_dir=tempfile.mkdtemp(prefix="bench-sft-"), **{**BASE, **args})
    return SFTTrainer(model=model, args=cfg, train_dataset=dataset, processing_class=tok, callbacks=[log]), log


def accounting(tr, batch: int, seed: int = 0, order: list[int] | None = None) -> dict:
    """Tokens of one epoch of ``batch``-row steps in a seeded random order (or ``order``, e.g. the
    trainer's own sampler), from TRL's tokenised rows."""
    ds = tr.train_dataset
    lengths = [len(x) for x in ds["input_ids"]]
    if "labels" in ds.column_names:  # TRL marks the tokens without loss (the prompt) -100
        loss = [sum(t != -100 for t in lab) for lab in ds["labels"]]
    elif "completion_mask" in ds.column_names:
        loss = [sum(m) for m in ds["completion_mask"]]
    else:
        loss = lengths
    if order is None:
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
    ap.add_argument("--sizes", default="", help="comma-separated model sizes to compare on padded batches "
                    "(the first is the baseline), e.g. tiny,micro,256x4x4x2x1024")
    from r1_foundry.core.schema.domain import names

    ap.add_argument("--domain", choices=names(), default="sql")
    ap.add_argument("--schema-styles", default="", help="SQL: comma-separated schema serialisations to compare "
                    "(the first is the baseline), e.g. create,compact")
    ap.add_argument("--schema-size", default="micro", help="the model shape for --schema-styles")
    a = ap.parse_args()
    if a.schema_styles:
        if a.domain != "sql" or a.data or a.model:
            print("--schema-styles: SQL on data it builds itself (no --data / --model)", file=sys.stderr)
            return 2
        return schema_styles([x for x in a.schema_styles.split(",") if x], a.schema_size, a.steps, a.rounds,
                             {"max_steps": a.steps, "per_device_train_batch_size": a.batch, "max_length": a.max_length})
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
    if "grouped" in levers:
        import torch

        torch.manual_seed(0)
        g, _ = trainer(path, train, {**common, **LEVERS["grouped"]})
        grouped = accounting(g, a.batch, order=list(iter(g._get_train_sampler())))
        print(f"group_by_length: padded tokens {grouped['padded_tokens']:,} (padding {grouped['padding_share']:.1%}): "
              f"{acc['padded_tokens'] / grouped['padded_tokens']:.2f}x fewer tokens per epoch than random batches")
        del g
    del tr
    res: dict[str, dict] = {x: {"times": [], "rows": [], "tokens": [], "loss": []} for x in levers}
    for _ in range(a.rounds):
        for lever in levers:
            tr, log = trainer(path, train, {**common, **LEVERS[lever]})
            rows_per_step = tr.args.per_device_train_batch_size
            if lever == "packing":  # a packed row holds several examples (BFD records their lengths)
                rows_per_step *= statistics.fmean(len(s) for s in tr.train_dataset["seq_lengths"])
            tr.train()
            step = median_step(log)
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
    if a.sizes:
        shapes(path, train, common, [x for x in a.sizes.split(",") if x], a.rounds)
    return 0


def schema_styles(styles: list[str], size: str, steps: int, rounds: int, common: dict) -> int:
    """Token accounting and padded step times per schema serialisation (alternating rounds)."""
    runs = {}
    for style in styles:
        ds, path = data_and_model(None, None, "sql", size=size, schema_style=style)
        tr, _ = trainer(path, ds["train"], common)
        runs[style] = (ds["train"], path, accounting(tr, common["per_device_train_batch_size"]))
        del tr
    times: dict[str, list] = {s: [] for s in styles}
    for _ in range(rounds):
        for style in styles:
            train, path, _ = runs[style]
            tr, log = trainer(path, train, common)
            tr.train()
            times[style].append(median_step(log))
            del tr
    batch = common["per_device_train_batch_size"]
    base = batch / statistics.median(times[styles[0]])
    print(f"\nschema serialisations ({size}, {steps} steps x {rounds} rounds, batch {batch}):\n"
          "| schema | mean row | prompt tokens / row | padded tokens / epoch | s/step | rows/s | rows/s vs first |\n"
          "|---|---:|---:|---:|---:|---:|---:|")
    for style in styles:
        acc, step = runs[style][2], statistics.median(times[style])
        print(f"| {style} | {acc['mean_row']:.1f} | {acc['prompt_tokens'] / acc['rows']:.1f} | {acc['padded_tokens']:,} | "
              f"{step:.3f} | {batch / step:.1f} | {batch / step / base:.2f}x |")
    return 0


def shapes(model_path: str, train, common: dict, sizes: list[str], rounds: int) -> None:
    """Padded-batch step times of fresh models of each size (same tokenizer), alternating rounds."""
    from transformers import PreTrainedTokenizerFast

    from r1_foundry.core.modeling.models import SIZES, build_scratch_model

    for x in sizes:  # a shape not in SIZES: hidden x layers x heads x kv_heads x mlp, e.g. 256x4x4x2x1024
        parts = x.split("x")
        if x not in SIZES and len(parts) == 5 and all(p.isdigit() for p in parts):
            SIZES[x] = tuple(int(p) for p in parts)  # this process only
    unknown = [x for x in sizes if x not in SIZES]
    if unknown:
        print(f"--sizes: unknown {unknown}; sizes are {', '.join(SIZES)} or HIDDENxLAYERSxHEADSxKVxMLP", file=sys.stderr)
        return
    tok = PreTrainedTokenizerFast.from_pretrained(model_path)
    paths = {x: build_scratch_model(x, tok, tempfile.mkdtemp(prefix=f"bench-{x}-")) for x in sizes}
    res: dict[str, dict] = {x: {"times": [], "params": 0} for x in sizes}
    for _ in range(rounds):
        for x in sizes:
            tr, log = trainer(paths[x], train, common)
            res[x]["params"] = sum(p.numel() for p in tr.model.parameters())
            tr.train()
            res[x]["times"].append(median_step(log))
            del tr
    base = statistics.median(res[sizes[0]]["times"])
    print(f"\n| size (hidden, layers, heads, kv, mlp) | parameters | s/step | rows/s vs {sizes[0]} |\n|---|---:|---:|---:|")
    for x in sizes:
        t = statistics.median(res[x]["times"])
        print(f"| {x} {SIZES[x]} | {res[x]['params'] / 1e6:.1f}M | {t:.3f} | {base / t:.2f}x |")


if __name__ == "__main__":
    sys.exit(main())
