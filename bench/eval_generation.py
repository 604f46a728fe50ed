"""Batched evaluation generation vs per-example ``generate``: tokens per second.

    python bench/eval_generation.py --model runs/sql/sft --data runs/sql/data [--n 96] [--batch 48]
"""

from __future__ import annotations

import argparse
import sys
import time

import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import data_and_model  # noqa: E402

from r1_foundry.core.modeling.generation import generate_hf, render_prompts  # noqa: E402
from r1_foundry.core.modeling.models import load_model  # noqa: E402


def count_tokens(tok, texts):
    return sum(len(tok(t, add_special_tokens=False)["input_ids"]) for t in texts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model")
    ap.add_argument("--data")
    ap.add_argument("--n", type=int, default=96)
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--max-new-tokens", type=int, default=96)
    args = ap.parse_args()
    ds, path = data_and_model(args.data, args.model)
    model, tok, _ = load_model(path)
    prompts = ds["test"].select(range(min(args.n, len(ds["test"]))))["prompt"]

    t = time.perf_counter()
    outs = []
    with torch.inference_mode():
        for text in render_prompts(tok, prompts):  # the naive loop: one prompt at a time
            enc = tok(text, return_tensors="pt", add_special_tokens=False)
            gen = model.generate(**enc, max_new_tokens=args.max_new_tokens, do_sample=False,
                                 pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
            outs.append(tok.decode(gen[0, enc["input_ids"].shape[1]:], skip_special_tokens=True))
    single = time.perf_counter() - t
    single_tokens = count_tokens(tok, outs)

    t = time.perf_counter()
    batched_out = generate_hf(model, tok, prompts, max_new_tokens=args.max_new_tokens, batch_size=args.batch,
                              progress=False)
    batched = time.perf_counter() - t
    batched_tokens = count_tokens(tok, [o[0] for o in batched_out])
    same = sum(a == b[0] for a, b in zip(outs, batched_out, strict=False))
    print(f"{len(prompts)} prompts, max {args.max_new_tokens} new tokens, model {path}")
    print(f"per-example generate : {single:7.2f} s  {single_tokens / single:8.1f} tokens/s")
    print(f"batched (b={args.batch})     : {batched:7.2f} s  {batched_tokens / batched:8.1f} tokens/s")
    print(f"speed-up (tokens/s)  : {(batched_tokens / batched) / (single_tokens / single):.1f}x  (aim >= 4x); "
          f"identical greedy outputs: {same}/{len(prompts)}")


if __name__ == "__main__":
    main()
