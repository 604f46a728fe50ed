"""Prepared GPU check: from-scratch ~0.5B Qwen2, GRPO steps with HF generation and (when
installed) vLLM colocate, LoRA and QLoRA SFT steps; writes tokens/s and peak GPU memory as JSON.

No hub access: the tokenizer is trained on the synthetic SQL corpus and the model is built from
scratch. On a CPU, ``--size tiny`` runs the same path in a minute (vLLM is skipped).

    python scripts/gpu_check.py --out gpu_check.json [--size 0.5b|tiny] [--steps 3]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import traceback

import torch

SIZES = {"0.5b": dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, num_key_value_heads=2,
                      intermediate_size=4096),
         "tiny": dict(hidden_size=256, num_hidden_layers=8, num_attention_heads=4, num_key_value_heads=2,
                      intermediate_size=1024)}


def build(size: str, work: str, ds) -> str:
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from r1_foundry.core.data.datasets import corpus
    from r1_foundry.core.modeling.models import train_tokenizer

    tok = train_tokenizer(corpus(ds["train"]), vocab_size=8192 if size == "0.5b" else 1024, out_dir=work)
    cfg = Qwen2Config(vocab_size=len(tok), max_position_embeddings=2048, tie_word_embeddings=True,
                      pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                      **SIZES[size])
    model = Qwen2ForCausalLM(cfg)
    model.save_pretrained(work)
    tok.save_pretrained(work)
    json.dump({"size": size, "parameters": model.num_parameters(), "tokenizer": "fast"},
              open(os.path.join(work, "foundry.json"), "w"))
    return work


def measure(name, fn, results):
    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    try:
        extra = fn() or {}
        status = "ok"
    except Exception as exc:  # record and go on: one failing part must not hide the others
        extra, status = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()[-2000:]}, "failed"
    seconds = time.perf_counter() - start
    results[name] = {"status": status, "seconds": round(seconds, 2),
                     "peak_gpu_gib": round(torch.cuda.max_memory_allocated() / 2**30, 3) if cuda else None, **extra}
    print(name, json.dumps({k: v for k, v in results[name].items() if k != "trace"}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="gpu_check.json")
    ap.add_argument("--size", default="0.5b", choices=list(SIZES))
    ap.add_argument("--steps", type=int, default=3)
    args = ap.parse_args()
    from r1_foundry.core.modeling.generation import vllm_usable
    from r1_foundry.core.rewards.compose import build_rewards
    from r1_foundry.core.schema.domain import get_domain
    from r1_foundry.core.stages import trl as train
    from r1_foundry.domains.sql.data import build_synthetic

    work = tempfile.mkdtemp(prefix="gpu-check-")
    ds = build_synthetic(out=os.path.join(work, "data"), train_per_db=60, test_per_db=4)
    model = build(args.size, os.path.join(work, "model"), ds)
    results = {"device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
               "parameters": json.load(open(os.path.join(model, "foundry.json")))["parameters"]}
    funcs, weights = build_rewards(get_domain("sql"), "reasoning-sql")
    grpo = {"max_steps": args.steps, "per_device_train_batch_size": 16, "num_generations": 8,
            "max_completion_length": 128, "learning_rate": 1e-5, "logging_steps": 1, "save_strategy": "no"}

    def grpo_run(use_vllm):
        def run():
            extra = {"use_vllm": True, "vllm_mode": "colocate", "vllm_gpu_memory_utilization": 0.3} if use_vllm else {}
            out = os.path.join(work, f"grpo-{'vllm' if use_vllm else 'hf'}")
            train.run_grpo(model_path=model, train_dataset=ds["train"], out_dir=out, args={**grpo, **extra},
                           reward_funcs=funcs, reward_weights=weights)
            logs = json.load(open(os.path.join(out, "log_history.json")))
            steps = [r for r in logs if "step_time" in r]
            return {"median_step_seconds": sorted(r["step_time"] for r in steps)[len(steps) // 2] if steps else None,
                    "num_tokens": steps[-1].get("num_tokens") if steps else None}
        return run

    def generation(backend):
        def run():
            from r1_foundry.core.modeling.generation import generate_hf, generate_vllm
            from r1_foundry.core.modeling.models import load_model, load_tokenizer

            prompts = ds["train"]["prompt"][:128]
            tok = load_tokenizer(model)
            t = time.perf_counter()
            if backend == "vllm":
                outs = generate_vllm(model, tok, prompts, max_new_tokens=128, num_samples=8, temperature=1.0,
                                     gpu_memory_utilization=0.4)
            else:
                m, _, _ = load_model(model)
                m = m.to("cuda") if torch.cuda.is_available() else m
                t = time.perf_counter()
                outs = generate_hf(m, tok, prompts, max_new_tokens=128, batch_size=64, num_samples=8,
                                   temperature=1.0, progress=False)
            seconds = time.perf_counter() - t
            tokens = sum(len(tok(o, add_special_tokens=False)["input_ids"]) for group in outs for o in group)
            return {"generated_tokens": tokens, "tokens_per_s": round(tokens / seconds, 1)}
        return run

    def sft_run(mode):
        def run():
            out = os.path.join(work, f"sft-{mode}")
            t = time.perf_counter()
            train.run_sft(model_path=model, train_dataset=ds["train"], out_dir=out,
                          args={"max_steps": args.steps, "per_device_train_batch_size": 16, "save_strategy": "no",
                                "logging_steps": 1, "max_length": 512},
                          lora=mode == "lora", qlora=mode == "qlora")
            logs = json.load(open(os.path.join(out, "log_history.json")))
            tokens = max((r.get("num_tokens", 0) for r in logs), default=0)
            return {"tokens_per_s": round(tokens / (time.perf_counter() - t), 1)}
        return run

    measure("grpo_hf_generate", grpo_run(False), results)
    if vllm_usable():
        measure("grpo_vllm_colocate", grpo_run(True), results)
    else:
        results["grpo_vllm_colocate"] = {"status": "skipped", "reason": "vLLM not installed or no GPU"}
    measure("generate_hf", generation("hf"), results)
    if vllm_usable():
        measure("generate_vllm", generation("vllm"), results)
        hf, vl = results["generate_hf"].get("tokens_per_s"), results["generate_vllm"].get("tokens_per_s")
        if hf and vl:
            results["vllm_over_hf_tokens_per_s"] = round(vl / hf, 2)
    measure("sft_lora", sft_run("lora"), results)
    measure("sft_qlora", sft_run("qlora"), results)
    if results.get("sft_lora", {}).get("peak_gpu_gib") and results.get("sft_qlora", {}).get("peak_gpu_gib"):
        results["qlora_over_lora_peak_memory"] = round(results["sft_qlora"]["peak_gpu_gib"] /
                                                       results["sft_lora"]["peak_gpu_gib"], 3)
    with open(args.out, "w") as fh:
        json.dump(results, fh, indent=1)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
