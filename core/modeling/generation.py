"""Batched generation: Hugging Face ``generate`` (left-padded, length-sorted batches) or vLLM.

vLLM is used when ``backend="vllm"``, or ``"auto"`` with vLLM installed and a GPU present.

Example:
    >>> outs = generate_hf(model, tok, [[{"role": "user", "content": "hi"}]], max_new_tokens=8)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util

from r1_foundry.core.util.errors import FoundryError


def vllm_usable() -> bool:
    import torch

    return importlib.util.find_spec("vllm") is not None and torch.cuda.is_available()


def require_vllm(what: str) -> None:
    """Fail early, in one line, where vLLM is asked for but cannot run."""
    import torch
    import trl

    if importlib.util.find_spec("vllm") is None:
        raise FoundryError(f"{what} needs vLLM: pip install 'r1-foundry[gpu]' (a version TRL {trl.__version__} accepts)")
    if not torch.cuda.is_available():
        raise FoundryError(f"{what} needs a CUDA GPU; none is visible (see 'foundry doctor')")


def pick_backend(backend: str) -> str:
    if backend == "auto":
        return "vllm" if vllm_usable() else "hf"
    if backend == "vllm":
        require_vllm("eval backend vllm")
    if backend not in ("hf", "vllm"):
        raise FoundryError(f"unknown generation backend '{backend}'; choose auto, hf or vllm")
    return backend


def render_prompts(tokenizer, prompts: list) -> list[str]:
    """Chat-templated prompt strings (conversational prompts) or the strings themselves."""
    out = []
    for p in prompts:
        if isinstance(p, list):
            out.append(tokenizer.apply_chat_template(p, tokenize=False, add_generation_prompt=True))
        else:
            out.append(p)
    return out


def generate_hf(model, tokenizer, prompts: list, *, max_new_tokens: int, batch_size: int = 32, num_samples: int = 1,
                temperature: float = 1.0, progress: bool = True, cache: str | None = None,
                stop: list[str] | None = None) -> list[list[str]]:
    """``num_samples`` completions per prompt (greedy when 1), in the input order. ``cache``: a
    transformers ``cache_implementation`` (``"static"``); ``stop``: strings that end a sequence
    (``stop_strings``; the text after them is never generated). bench/generation.py measures both."""
    import torch
    from tqdm.auto import tqdm

    texts = render_prompts(tokenizer, prompts)
    tokenizer.padding_side = "left"
    lengths = [len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts]
    order = sorted(range(len(texts)), key=lambda i: -lengths[i])  # similar lengths share a batch
    results: list[list[str]] = [[] for _ in texts]
    model.eval()
    sample = num_samples > 1
    with torch.inference_mode():
        for start in tqdm(range(0, len(order), batch_size), desc="generate", disable=not progress, leave=False):
            idx = order[start:start + batch_size]
            enc = tokenizer([texts[i] for i in idx], return_tensors="pt", padding=True, add_special_tokens=False)
            enc = enc.to(model.device)
            out = model.generate(
                **enc, max_new_tokens=max_new_tokens, do_sample=sample, num_return_sequences=num_samples,
                temperature=temperature if sample else None, top_p=None, top_k=None,
                pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                **({"cache_implementation": cache} if cache else {}),
                **({"stop_strings": stop, "tokenizer": tokenizer} if stop else {}),
            )
            new = out[:, enc["input_ids"].shape[1]:]
            decoded = tokenizer.batch_decode(new, skip_special_tokens=True)
            for j, i in enumerate(idx):
                results[i] = decoded[j * num_samples:(j + 1) * num_samples]
    return results


def generate_vllm(model_path: str, tokenizer, prompts: list, *, max_new_tokens: int, num_samples: int = 1,
                  temperature: float = 1.0, gpu_memory_utilization: float = 0.5) -> list[list[str]]:
    """The same contract as :func:`generate_hf`, on vLLM (GPU only)."""
    from vllm import LLM, SamplingParams

    llm = LLM(model=model_path, tokenizer=model_path, gpu_memory_utilization=gpu_memory_utilization)
    params = SamplingParams(n=num_samples, max_tokens=max_new_tokens,
                            temperature=temperature if num_samples > 1 else 0.0)
    outs = llm.generate(render_prompts(tokenizer, prompts), params)
    return [[c.text for c in o.outputs] for o in outs]


def generate(model_path: str, prompts: list, *, max_new_tokens: int, backend: str = "auto", batch_size: int = 32,
             num_samples: int = 1, temperature: float = 1.0) -> list[list[str]]:
    """Load ``model_path`` and generate with the chosen backend (:func:`pick_backend`): the one
    entry point of the eval runner and of the methods that sample the model (core.methods)."""
    from r1_foundry.core.modeling import pretrained
    from r1_foundry.core.modeling.models import load_for_generation, load_tokenizer

    if pretrained.is_pretrained_ref(model_path):  # a named model or GGUF file: its built folder
        model_path = pretrained.ensure(model_path)
    if pick_backend(backend) == "vllm":
        return generate_vllm(model_path, load_tokenizer(model_path), prompts, max_new_tokens=max_new_tokens,
                             num_samples=num_samples, temperature=temperature)
    model, tokenizer = load_for_generation(model_path)
    return generate_hf(model, tokenizer, prompts, max_new_tokens=max_new_tokens, batch_size=batch_size,
                       num_samples=num_samples, temperature=temperature)
