"""Generation on a real pretrained model (SmolLM2-135M-Instruct by default): our path vs plain
``model.generate``, tokens per second, measured in the same run.

Arms (greedy, same prompts, same batch size, same ``max_new_tokens``):
  plain        ``model.generate`` on batches in the data's order, left-padded (what a script does)
  ours         :func:`generate_hf`: batches of similar prompt length (less padding to attend over)
  ours+static  the same with a static KV cache (``cache_implementation="static"``)
  ours+stop    the same, stopping each sequence at ``</answer>`` (``stop_strings``): changes the text
               after the answer (so not the eval default), shown for what it would save
  ours@2b      ours at twice the batch size (``eval.batch_size``): CPU throughput grows with the batch

Every arm's tokens are counted from its own outputs; the ratio is tokens/s against ``plain``.
Identical greedy outputs between arms are counted too (batch composition may flip a few).

    python bench/generation.py                                 # smollm2-135m, sql test prompts (r1 system)
    python bench/generation.py --domain medical --n 64 --batch 32 --max-new-tokens 96
    python bench/generation.py --model runs/cards/sql-pretrained/sft --data runs/cards/sql-pretrained/data
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time

import torch


def _data(domain: str, data: str | None):
    from r1_foundry.core.data.datasets import build_data, load_data
    from r1_foundry.core.schema.domain import get_domain
    from r1_foundry.core.schema.recipe import load_recipe

    if data:
        return load_data(data)
    d = get_domain(domain)
    recipe = load_recipe(d.recipe_path("pretrained"))
    out = tempfile.mkdtemp(prefix="bench-gen-")
    return load_data(build_data(d, recipe.data.builder, dict(recipe.data.args), out, system=recipe.data.system))


def plain(model, tok, prompts, *, batch, max_new_tokens):
    from r1_foundry.core.modeling.generation import render_prompts

    texts, outs = render_prompts(tok, prompts), []
    tok.padding_side = "left"
    with torch.inference_mode():
        for i in range(0, len(texts), batch):
            enc = tok(texts[i:i + batch], return_tensors="pt", padding=True, add_special_tokens=False)
            gen = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, top_p=None, top_k=None,
                                 temperature=None, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
            outs += tok.batch_decode(gen[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
    return outs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--domain", default="sql")
    ap.add_argument("--data")
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--max-new-tokens", type=int, default=64)
    ap.add_argument("--arms", default="plain,ours,ours+static,ours+stop,ours@2b")
    ap.add_argument("--rounds", type=int, default=2, help="arms alternate this many times; each arm's best round counts")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()

    from r1_foundry.core.modeling.generation import generate_hf
    from r1_foundry.core.modeling.models import load_for_generation, resolve_model

    path = resolve_model(args.model)
    ds = _data(args.domain, args.data)
    test = ds["test"]
    prompts = test.select(range(min(args.n, len(test))))["prompt"]
    model, tok = load_for_generation(path)
    kw = {"max_new_tokens": args.max_new_tokens, "batch_size": args.batch, "progress": False}
    arms = {
        "plain": lambda: plain(model, tok, prompts, batch=args.batch, max_new_tokens=args.max_new_tokens),
        "ours": lambda: [o[0] for o in generate_hf(model, tok, prompts, **kw)],
        "ours+static": lambda: [o[0] for o in generate_hf(model, tok, prompts, cache="static", **kw)],
        "ours+stop": lambda: [o[0] for o in generate_hf(model, tok, prompts, stop=["</answer>"], **kw)],
        "ours@2b": lambda: [o[0] for o in generate_hf(model, tok, prompts, **{**kw, "batch_size": 2 * args.batch})],
    }
    plain(model, tok, prompts[:2], batch=2, max_new_tokens=4)  # warm-up (allocator, kernels)
    rows, outputs = {}, {}
    for r in range(args.rounds):  # alternating arms: machine noise hits every arm alike
        for name in args.arms.split(","):
            start = time.perf_counter()
            outs = arms[name]()
            seconds = time.perf_counter() - start
            tokens = sum(len(tok(o, add_special_tokens=False)["input_ids"]) for o in outs)
            print(f"round {r + 1} {name:12s} {seconds:7.1f} s  {tokens:6d} tokens  {tokens / seconds:7.1f} tokens/s",
                  flush=True)
            if name not in rows or seconds < rows[name]["seconds"]:
                rows[name] = {"seconds": round(seconds, 2), "tokens": tokens, "tokens_per_s": round(tokens / seconds, 1)}
                outputs[name] = outs
    base = rows.get("plain")
    print(f"\n{len(prompts)} prompts of {args.domain}, batch {args.batch}, max {args.max_new_tokens} new tokens, "
          f"model {args.model}, {torch.get_num_threads()} threads")
    for name, r in rows.items():
        same = sum(a == b for a, b in zip(outputs[name], outputs.get("plain", outputs[name]), strict=True))
        ratio = r["tokens_per_s"] / base["tokens_per_s"] if base else float("nan")
        r.update(ratio=round(ratio, 2), same_as_plain=same)
        print(f"{name:12s} {ratio:5.2f}x tokens/s of plain   identical outputs {same}/{len(prompts)}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"args": vars(args), "arms": rows}, fh, indent=1)


if __name__ == "__main__":
    sys.exit(main())
