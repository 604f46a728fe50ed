"""The eval runner: generate -> verify (the domain's scorer) -> aggregate -> results.json + results.md.

Outputs in ``out_dir``: ``results.json`` (overall metrics, per-bucket breakdowns, pass@k and
maj@k when k > 1), ``results.md`` (the same as Markdown tables) and ``samples.jsonl`` (every
completion with its metrics).

    foundry sql eval --model runs/sql/grpo --data runs/sql/data --out runs/sql/eval/grpo
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter, defaultdict

from r1_foundry.core.data.datasets import split_of
from r1_foundry.core.modeling.generation import generate, pick_backend
from r1_foundry.core.schema.suite import Suite
from r1_foundry.core.util.io import atomic_write
from r1_foundry.core.util.registry import resolve
from r1_foundry.core.util.timing import phase
from r1_foundry.core.util.ui import err as console
from r1_foundry.core.util.ui import progress, tag


def _mean(xs) -> float | None:
    """Mean of the values that are not None; None when there are none (metric not applicable)."""
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None


def _metric(rows: list[dict], m: str) -> float | None:
    return _mean(_mean(s.get(m) for s in r["samples"]) for r in rows)


def aggregate(rows: list[dict], metrics: list[str], buckets: list[str], primary: str, k: int) -> dict:
    """Aggregate per-example rows ``{"example": {...}, "samples": [metric dicts]}``.

    A sample metric of ``None`` means "does not apply to this example" (a multi-task domain): it
    is left out of that metric's mean, and ``counts`` says how many examples each mean is over.
    """
    # Sample 0 is the greedy answer when k == 1; with k > 1 the per-sample mean is pass@1.
    overall = {m: _metric(rows, m) for m in metrics}
    counts = {m: sum(any(s.get(m) is not None for s in r["samples"]) for r in rows) for m in metrics}
    result = {"n": len(rows), "k": k, "metrics": overall, "counts": counts, "buckets": {}}
    for col in buckets:
        groups = defaultdict(list)
        for r in rows:
            groups[str(r["example"].get(col, "?"))].append(r)
        result["buckets"][col] = {key: {"n": len(g), **{m: _metric(g, m) for m in metrics}}
                                  for key, g in sorted(groups.items())}
    reasons = Counter(s["reason"] for r in rows for s in r["samples"] if isinstance(s.get("reason"), str))
    if reasons:  # a scorer that says why an answer failed (e.g. ether0-style codes): counted over samples
        result["reasons"] = dict(reasons.most_common())
    if k > 1:
        result[f"pass@{k}"] = _mean(float(any((s.get(primary) or 0) > 0 for s in r["samples"])) for r in rows)
        maj = []
        for r in rows:
            keys = Counter(s.get("answer_key") for s in r["samples"] if s.get("answer_key") is not None)
            if not keys:
                maj.append(0.0)
                continue
            top = keys.most_common(1)[0][0]
            maj.append(next(s.get(primary) or 0.0 for s in r["samples"] if s.get("answer_key") == top))
        result[f"maj@{k}"] = _mean(maj)
    return result


def fmt(value, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def fmt_p(p) -> str:
    """A p-value as results.md and the card write it (3 significant digits, "—" when none)."""
    return "—" if p is None else f"{p:.3g}"


def to_markdown(result: dict, metrics: list[str]) -> str:
    counts = result.get("counts", {})
    lines = [f"## {result.get('suite', 'eval')} (v{result.get('version', '?')}) — {result.get('stage', '')}", "",
             "| metric | value | examples |", "|---|---|---|"]
    lines += [f"| {m} | {fmt(result['metrics'].get(m))} | {counts.get(m, 'corpus')} |" for m in metrics]
    for key in (f"pass@{result['k']}", f"maj@{result['k']}"):
        if key in result:
            lines.append(f"| {key} | {fmt(result[key])} | {result['n']} |")
    bias = result.get("letter_bias")
    if bias:
        p = bias.get("p_value")
        lines += ["", "### option-letter bias (first samples)", "",
                  "| letter | " + " | ".join(bias["letters"]) + " | no letter |", "|---|" + "---|" * (len(bias["letters"]) + 1),
                  "| gold | " + " | ".join(str(bias["gold"][x]) for x in bias["letters"]) + " | |",
                  "| chosen | " + " | ".join(str(bias["chosen"][x]) for x in bias["letters"]) + f" | {bias['unparsed']} |",
                  "", f"chi-square {fmt(bias.get('chi2'), 2)}, p = {fmt_p(p)}"
                  + (f" ![letter bias]({bias['plot']})" if bias.get("plot") else "")]
    if result.get("reasons"):
        lines += ["", "### outcomes (reason codes, all samples)", "", "| reason | samples |", "|---|---|"]
        lines += [f"| {reason} | {count} |" for reason, count in result["reasons"].items()]
    for report in result.get("reports", {}).values():
        if report.get("markdown"):
            lines += ["", report["markdown"].rstrip()]
    for col, groups in result["buckets"].items():
        shown = [m for m in metrics if any(g.get(m) is not None for g in groups.values())]
        lines += ["", f"### by {col}", "", "| " + col + " | n | " + " | ".join(shown) + " |",
                  "|---|---|" + "---|" * len(shown)]
        for key, g in groups.items():
            lines.append(f"| {key} | {g['n']} | " + " | ".join(fmt(g[m], 3) for m in shown) + " |")
    return "\n".join(lines) + "\n"


def evaluate(*, model_path: str, dataset, suite, scorer, out_dir: str, max_new_tokens: int = 128,
             batch_size: int = 64, k: int = 1, temperature: float = 1.0, limit: int = 0, backend: str = "auto",
             stage: str = "", corpus_scorer=None) -> dict:
    """Evaluate ``model_path`` on ``dataset`` with the domain ``scorer``; write and return results.

    ``corpus_scorer(examples, completions) -> {metric: value}``, when given, adds metrics that
    are not means of per-sample values (corpus BLEU), computed on each example's first sample; a
    value that is a dict is a report, kept under ``reports`` in results.json, its ``markdown``
    appended to results.md (safety's agreement with human labels).
    """
    return evaluate_splits(model_path=model_path, datasets={"": dataset}, out_dirs={"": out_dir}, suite=suite,
                           scorer=scorer, max_new_tokens=max_new_tokens, batch_size=batch_size, k=k,
                           temperature=temperature, limit=limit, backend=backend, stage=stage,
                           corpus_scorer=corpus_scorer)[""]


def evaluate_splits(*, model_path: str, datasets: dict, out_dirs: dict, suite, scorer, max_new_tokens: int = 128,
                    batch_size: int = 64, k: int = 1, temperature: float = 1.0, limit: int = 0, backend: str = "auto",
                    stage: str = "", corpus_scorer=None) -> dict:
    """:func:`evaluate` on several splits (``{name: dataset}``, each written to ``out_dirs[name]``) with
    one model load: every split's prompts are generated in one call, then each split is scored on its
    own. ``generation_seconds`` is that call's; ``generated_with`` names the splits that shared it."""
    examples = {}
    for name, dataset in datasets.items():
        if limit:
            dataset = dataset.select(range(min(limit, len(dataset))))
        examples[name] = dataset.to_list()
    prompts = [ex["prompt"] for exs in examples.values() for ex in exs]
    backend = pick_backend(backend)
    start = time.perf_counter()
    completions = generate(model_path, prompts, max_new_tokens=max_new_tokens, backend=backend, batch_size=batch_size,
                           num_samples=k, temperature=temperature)
    gen = {"model": model_path, "backend": backend, "generation_seconds": round(time.perf_counter() - start, 2),
           "decoding": {"k": k, "temperature": temperature if k > 1 else 0.0, "max_new_tokens": max_new_tokens}}
    if len(examples) > 1:
        gen["generated_with"] = list(examples)
    results, i = {}, 0
    for name, exs in examples.items():
        results[name] = score_completions(exs, completions[i:i + len(exs)], suite=suite, scorer=scorer,
                                          out_dir=out_dirs[name], stage=stage, corpus_scorer=corpus_scorer, extra=gen)
        i += len(exs)
    return results


def score_completions(examples: list[dict], completions: list[list[str]], *, suite, scorer, out_dir: str,
                      stage: str = "", corpus_scorer=None, extra: dict | None = None) -> dict:
    """Score given completions (``completions[i]`` = the samples of ``examples[i]``, all lists of
    the same length k) and write ``results.json``, ``results.md`` and ``samples.jsonl``. The eval
    runner calls it after generating; ``eval --predictions`` calls it on a file of outputs."""
    k = len(completions[0]) if completions else 1
    if any(len(c) != k for c in completions):
        raise ValueError("every example needs the same number of samples")
    rows = [{"example": ex, "samples": [{"completion": c, **scorer(ex, c)} for c in comps]}
            for ex, comps in progress(list(zip(examples, completions, strict=True)), desc="score", unit="ex")]
    suite = Suite.of(suite)
    metrics, primary = list(suite.metrics), suite.primary
    result = {"suite": suite.name, "version": suite.version, "stage": stage, **(extra or {}),
              "primary": primary, **aggregate(rows, metrics, list(suite.buckets), primary, k)}
    if suite.lower_is_better:
        result["lower_is_better"] = list(suite.lower_is_better)
    if corpus_scorer is not None:
        extra_metrics = corpus_scorer(examples, [c[0] for c in completions])
        for m, v in extra_metrics.items():
            if isinstance(v, dict):  # a report (tables; its "markdown" goes into results.md)
                result.setdefault("reports", {})[m] = v
            elif m in metrics:
                result["metrics"][m] = v
                result["counts"].pop(m, None)  # a corpus metric, not a mean over examples
    os.makedirs(out_dir, exist_ok=True)
    bias = _letter_bias(rows, out_dir, title=f"{suite.name} {stage}".strip())
    if bias is not None:
        result["letter_bias"] = bias
        if "letter_bias_p" in metrics:
            result["metrics"]["letter_bias_p"] = bias["p_value"]
            result["counts"].pop("letter_bias_p", None)
    atomic_write(os.path.join(out_dir, "results.json"), json.dumps(result, indent=1))
    atomic_write(os.path.join(out_dir, "results.md"), to_markdown(result, metrics))
    lines = []
    for r in rows:
        keep = {c: r["example"][c] for c in r["example"] if c not in ("prompt", "completion", "samples")}
        lines.append(json.dumps({**keep, "samples": r["samples"]}, default=str) + "\n")
    atomic_write(os.path.join(out_dir, "samples.jsonl"), "".join(lines))
    return result


def _letter_bias(rows: list[dict], out_dir: str, title: str) -> dict | None:
    """Option-letter bias of multiple-choice answers, for any domain whose scorer reports
    ``choice`` (the letter read, or None) and ``gold_choice`` per sample: counts, a chi-square
    p-value (:func:`r1_foundry.core.answers.choice.letter_bias`) over first samples, and ``letter_bias.png``."""
    firsts = [r["samples"][0] for r in rows if r["samples"] and r["samples"][0].get("gold_choice")]
    if not firsts:
        return None
    from r1_foundry.core.answers.choice import letter_bias, plot_letter_bias

    bias = letter_bias([s.get("choice") for s in firsts], [s["gold_choice"] for s in firsts])
    if bias is not None and sum(bias["chosen"].values()):
        bias["plot"] = os.path.basename(plot_letter_bias(bias, os.path.join(out_dir, "letter_bias.png"), title))
    return bias


def run_eval(domain, recipe, model_path: str, ds, out_dir: str, stage: str,
             also_splits: list | tuple = ()) -> dict:
    """The recipe's eval suite on its split, into ``out_dir``; each of ``also_splits`` is scored from
    the same generation call (one model load) into ``out_dir/<split>`` and summarised under ``also``."""
    e = recipe.eval
    suite = domain.suite(e.suite)
    split = e.split or suite.split
    extra = [x for x in dict.fromkeys(also_splits) if x != split]
    console.print(tag("eval", "bold"), f"{stage} on {', '.join([split, *extra])} ({suite.name})")
    with phase("eval"):
        res = evaluate_splits(model_path=model_path, datasets={x: split_of(ds, x) for x in (split, *extra)},
                              out_dirs={split: out_dir, **{x: os.path.join(out_dir, x) for x in extra}}, suite=suite,
                              scorer=domain.suite_scorer(suite), max_new_tokens=e.max_new_tokens, batch_size=e.batch_size,
                              k=e.k, temperature=e.temperature, limit=e.limit, backend=e.backend, stage=stage,
                              corpus_scorer=resolve(domain.corpus_scorer) if domain.corpus_scorer else None)
    result = res[split]
    result["split"] = split
    also = {x: {"split": x, **{key: res[x][key] for key in ("n", "metrics", "buckets", "letter_bias") if key in res[x]}}
            for x in extra}
    if also:
        result["also"] = also
    return result
