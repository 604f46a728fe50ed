"""Training methods that learn from the model's own verified samples, for every domain.

One primitive, :func:`draw`: ``k`` answers per prompt from a model, each judged by the domain's
verifier (the recipe's eval suite scorer: a sample is *verified* when the suite's primary
metric reaches ``accept``, 1.0 by default). Cached per model, prompts and settings, so stages
of one run (and runs that share a stage folder) reuse the same samples. Built on it:

* :func:`select_prompts` (grpo ``filter``): the zero-variance filter (keep prompts whose answers
  get different rewards, DAPO's dynamic sampling done once), or a difficulty window on the
  verified pass rate (``pass_rate: [lo, hi]``), optionally ordered easy -> hard (``curriculum``).
* :func:`rft_dataset` (kind ``rft``): rejection-sampling fine-tuning (Yuan et al. 2023, "Scaling
  relationship on learning mathematical reasoning"; ReST, STaR): distinct verified samples, at
  most ``max_per_prompt`` each; for prompts never solved, optionally STaR's rationalisation
  (``gold: hint``: sample again with the gold answer in the prompt, train without it) or the
  gold completion itself (``gold: fill``; with ``pass_rate: [0, hi]`` this is Metis-RISE's RL ->
  SFT step: SFT on the prompts RL still fails).
* :func:`self_dpo_dataset` (kind ``self-dpo``): preference pairs from the model's own samples
  (verified chosen, unverified rejected: iterative/online DPO, Pang et al. 2024), or ThinkPO's
  (Yang et al. 2025) longer verified reasoning chosen over a shorter verified one
  (``pairs: longer``).
* :class:`KLSchedule` (grpo ``kl``): the KL coefficient moved linearly or by a cosine from
  ``start`` to ``end`` over the stage.
"""

from __future__ import annotations

import hashlib
import json
import math
import os

from r1_foundry.core.schema.kinds import KINDS, Sampling, check_options
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.io import atomic_write
from r1_foundry.core.util.timing import phase
from r1_foundry.core.util.ui import err as console
from r1_foundry.core.util.ui import tag


def _opts(stage) -> Sampling:
    """A stage's sampling options, typed: ``filter`` of a grpo stage, ``sample`` of rft/self-dpo."""
    key = next(k for k in ("filter", "sample") if k in KINDS[stage.kind].options)
    return KINDS[stage.kind].read_options(stage).get(key) or check_options(f"stage '{stage.name}'", stage.kind, {})


def _verified_split(draws: dict, i: int) -> tuple[list[str], list[str]]:
    """Prompt ``i``'s distinct verified samples and distinct unverified ones (an empty answer is
    a fine rejected one, never a training target)."""
    pairs = list(zip(draws["samples"][i], draws["verified"][i], strict=True))
    return _distinct([t for t, ok in pairs if ok]), _distinct([t for t, ok in pairs if not ok], keep_empty=True)


def verifier(domain, recipe, accept: float = 1.0):
    """``judge(example, text) -> bool``: the eval suite's primary metric reaches ``accept``."""
    suite = domain.suite(recipe.eval.suite)
    scorer, primary = domain.suite_scorer(suite), suite.primary

    def judge(example: dict, text: str) -> bool:
        value = scorer(example, text).get(primary)
        return value is not None and math.isfinite(value) and value >= accept

    return judge


def _hinted(prompt, gold_answer: str):
    hint = f"\n(A correct final answer is: {gold_answer}. Explain how to reach it.)"
    if isinstance(prompt, list):
        msgs = [dict(m) for m in prompt]
        last = max((i for i, m in enumerate(msgs) if m.get("role") == "user"), default=len(msgs) - 1)
        msgs[last]["content"] = msgs[last]["content"] + hint
        return msgs
    return prompt + hint


def gold_text(example: dict) -> str:
    from r1_foundry.core.answers.text import completion_text

    value = example.get("completion")
    return completion_text(value) if value is not None else ""


def _cache_path(model_path: str, out_dir: str, key: dict) -> str:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    own = os.path.isdir(model_path) and os.access(model_path, os.W_OK)
    folder = os.path.join(model_path, "samples") if own else out_dir  # shared by every stage that starts here
    return os.path.join(folder, f"samples-{digest}.json")


def draw(model_path: str, pool, out_dir: str, *, k: int, temperature: float, max_new_tokens: int, judge=None,
         judge_key: str = "", seed: int = 0, hint: bool = False, batch_size: int = 64, backend: str = "hf") -> dict:
    """``k`` samples per prompt of ``pool`` from ``model_path``, each judged by ``judge(example,
    text) -> bool`` when given (:func:`verifier`); cached (see the module doc).

    Returns ``{"samples": [[text] * k], "verified": [[bool] * k], "pass_rate": [float]}``
    (the last two empty without a judge). With ``hint`` the prompts carry the gold final answer
    (STaR's rationalisation).
    """
    import torch

    from r1_foundry.core.answers.text import final_answer
    from r1_foundry.core.modeling.generation import generate
    from r1_foundry.core.util.launch import barrier, is_main_process

    weights = os.path.join(model_path, "model.safetensors")
    model_path = os.path.realpath(model_path) if os.path.isdir(model_path) else model_path  # one cache per model
    key = {"model": os.path.abspath(model_path), "written": os.path.getmtime(weights) if os.path.isfile(weights) else 0,
           "data": getattr(pool, "_fingerprint", ""), "n": len(pool), "k": k,
           "temperature": temperature, "max_new_tokens": max_new_tokens, "seed": seed, "hint": hint,
           "judge": judge_key if judge else None}
    path = _cache_path(model_path, out_dir, key)
    if is_main_process() and not os.path.isfile(path):
        examples = pool.to_list()
        prompts = [_hinted(ex["prompt"], final_answer(gold_text(ex))) if hint else ex["prompt"] for ex in examples]
        console.print(tag("sample", "bold"), f"{len(prompts)} prompts x {k} from {model_path}"
                      + (" (gold answer as a hint)" if hint else ""))
        torch.manual_seed(seed)
        with phase("sampling"):
            outs = generate(model_path, prompts, max_new_tokens=max_new_tokens, backend=backend, batch_size=batch_size,
                            num_samples=k, temperature=temperature)
            verified = [[judge(ex, t) for t in texts] for ex, texts in zip(examples, outs, strict=True)] if judge else []
        info = {"key": key, "samples": outs, "verified": verified, "pass_rate": [sum(v) / len(v) for v in verified]}
        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write(path, json.dumps(info))
        if judge:
            mean = sum(info["pass_rate"]) / max(len(verified), 1)
            solved = sum(p > 0 for p in info["pass_rate"])
            console.print(f"sample: verified {100 * mean:.1f}% of samples; {solved}/{len(verified)} prompts solved "
                          "at least once")
    barrier()
    with open(path) as fh:
        return json.load(fh)


def _draw(domain, recipe, stage, model_path: str, pool, out_dir: str, *, verify: bool = True, hint: bool = False):
    """:func:`draw` with a stage's sampling options (``filter`` of grpo, ``sample`` otherwise)."""
    opts = _opts(stage)
    accept = opts.accept
    if verify and recipe is None:
        raise FoundryError(f"stage '{stage.name}': verifying samples needs the recipe's eval suite")
    return draw(model_path, pool, out_dir, k=opts.k,
                temperature=float(stage.args.get("temperature", 1.0) if opts.temperature is None else opts.temperature),
                max_new_tokens=int(opts.max_new_tokens if opts.max_new_tokens is not None else stage.args.get(
                    "max_completion_length", recipe.eval.max_new_tokens if recipe else 256)),
                judge=verifier(domain, recipe, accept) if verify else None,
                judge_key=f"{recipe.eval.suite}>={accept}" if verify else "", hint=hint,
                seed=recipe.seed if recipe else 0, batch_size=recipe.eval.batch_size if recipe else 64,
                backend=recipe.eval.backend if recipe else "hf")


def _pool(stage, dataset):
    n = _opts(stage).prompts or len(dataset)
    return dataset.select(range(min(n, len(dataset))))


def _in_window(p: float, window) -> bool:
    return window is None or window[0] - 1e-9 <= p <= window[1] + 1e-9


def _report(out_dir: str, name: str, info: dict) -> None:
    """A stage's stats file, written by rank 0 only (every rank computes the same ``info``)."""
    from r1_foundry.core.util.launch import is_main_process

    if is_main_process():
        os.makedirs(out_dir, exist_ok=True)
        atomic_write(os.path.join(out_dir, name), json.dumps(info, indent=1))


def _as_completion(text: str, like):
    """A sampled text in the dataset's layout (conversational when the prompt is)."""
    return [{"role": "assistant", "content": text}] if isinstance(like, list) else text


def _distinct(texts: list[str], keep_empty: bool = False) -> list[str]:
    """Texts that differ beyond whitespace, in order (empty ones only with ``keep_empty``)."""
    seen, out = set(), []
    for t in texts:
        norm = " ".join(t.split())
        if (norm or keep_empty) and norm not in seen:
            seen.add(norm)
            out.append(t)
    return out


def rft_dataset(domain, recipe, stage, model_path: str, dataset, out_dir: str):
    """The SFT data of an ``rft`` stage (see the module doc); stats in ``out_dir/rft.json``."""
    from datasets import Dataset

    opts, pool = _opts(stage), _pool(stage, dataset)
    draws = _draw(domain, recipe, stage, model_path, pool, out_dir)
    m, window, gold = opts.max_per_prompt, opts.pass_rate, opts.gold
    examples = pool.to_list()
    chosen: dict[int, list[str]] = {}
    for i in range(len(examples)):
        if _in_window(draws["pass_rate"][i], window):
            chosen[i] = _verified_split(draws, i)[0][:m]
    unsolved = [i for i, texts in chosen.items() if not texts]
    from_hint = from_gold = 0
    if unsolved and gold == "hint":
        hinted = _draw(domain, recipe, stage, model_path, pool.select(unsolved), out_dir, hint=True)
        for j, i in enumerate(unsolved):
            chosen[i] = _verified_split(hinted, j)[0][:m]
            from_hint += bool(chosen[i])
    if gold == "fill":
        for i in unsolved:
            if not chosen[i] and examples[i].get("completion") is not None:
                chosen[i] = [gold_text(examples[i])]
                from_gold += 1
    rows = [{**examples[i], "completion": _as_completion(t, examples[i]["prompt"])}
            for i, texts in sorted(chosen.items()) for t in texts]
    info = {"prompts": len(pool), "in_window": len(chosen), "solved": len(chosen) - len(unsolved),
            "rows": len(rows), "from_hint": from_hint, "from_gold": from_gold,
            "mean_pass_rate": sum(draws["pass_rate"]) / max(len(pool), 1)}
    console.print(f"rft: {info['rows']} rows from {info['in_window']} prompts ({info['solved']} solved"
                  + (f", {from_hint} by hint" if from_hint else "") + (f", {from_gold} gold" if from_gold else "") + ")")
    _report(out_dir, "rft.json", info)
    if not rows:
        raise FoundryError(f"stage '{stage.name}': no verified sample to train on (from {len(pool)} prompts); "
                           "sample more (sample.k), widen sample.pass_rate or set sample.gold: fill")
    return Dataset.from_list(rows)


def self_dpo_dataset(domain, recipe, stage, model_path: str, dataset, out_dir: str):
    """The preference data of a ``self-dpo`` stage; stats in ``out_dir/pairs.json``.

    ``pairs: verified`` (default): a verified sample chosen over an unverified one, up to
    ``max_pairs`` distinct pairs per prompt; with ``gold: fill`` a prompt with no verified sample
    gets the gold completion as its chosen answer (SPIN's pairs, Chen et al. 2024). ``pairs:
    longer`` (ThinkPO): the longest verified sample chosen over the shortest verified one (both
    right; the longer reasoning preferred).
    """
    from datasets import Dataset

    opts, pool = _opts(stage), _pool(stage, dataset)
    draws = _draw(domain, recipe, stage, model_path, pool, out_dir)
    mode, n_pairs, window = opts.pairs, opts.max_pairs, opts.pass_rate
    rows = []
    for i, ex in enumerate(pool.to_list()):
        if not _in_window(draws["pass_rate"][i], window):
            continue
        good, bad = _verified_split(draws, i)
        if not good and opts.gold == "fill" and ex.get("completion") is not None:
            good = [gold_text(ex)]  # SPIN-like: the reference answer chosen over the model's own
        if mode == "longer":
            good.sort(key=len)
            pairs = [(good[-1], good[0])] if len(good) >= 2 and len(good[-1]) > len(good[0]) else []
        else:
            pairs = [(good[j % len(good)], bad[j]) for j in range(min(n_pairs, len(bad)))] if good else []
        base = {c: v for c, v in ex.items() if c not in ("completion", "chosen", "rejected")}
        rows += [{**base, "chosen": _as_completion(c, ex["prompt"]), "rejected": _as_completion(r, ex["prompt"])}
                 for c, r in pairs]
    info = {"prompts": len(pool), "pairs": len(rows), "mode": mode,
            "mean_pass_rate": sum(draws["pass_rate"]) / max(len(pool), 1)}
    console.print(f"self-dpo: {len(rows)} pairs ({mode}) from {len(pool)} prompts")
    _report(out_dir, "pairs.json", info)
    if not rows:
        raise FoundryError(f"stage '{stage.name}': no preference pair (needs prompts with both a verified and an "
                           "unverified sample, or two verified ones for pairs: longer); sample more (sample.k)")
    return Dataset.from_list(rows)


