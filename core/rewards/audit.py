"""``foundry <domain> audit``: a reward-hacking audit of every reward preset before training.

A battery of adversarial completions is built from real examples (the dataset's own gold
completions, prompts and answers) and scored by every reward of a preset, exactly as GRPO would
score them. Per probe the audit reports the mean weighted total against the mean for the gold
completion of the same examples. A probe is a *finding* when a cheap trick earns too much:

* a probe with no right answer in it (empty, tags only, the prompt copied back, two conflicting
  answers, every option listed, ``SELECT *``, ...) is a finding when its mean total is at least
  the gold's, or when it earns more than ``floor`` (default 0.5) of the gold's margin over the
  lowest total the preset can give on those examples:
  ``(probe - lowest) / (gold - lowest) > floor``;
* a probe that still carries the right answer in a degenerate form (the answer without
  reasoning, the answer block repeated) is a finding only when it scores *above* the gold:
  correctness rewards do not read the form, but a worse form must never beat the gold;
* a *near miss* (a small edit of the gold that changes its result: SQL's gold with ``LIMIT 1``,
  or without its ``WHERE``) is a finding when it scores at least the gold: it tests that the
  verifier tells a subset or a superset from the right answer, while dense presets (Reasoning-SQL's
  syntax, schema and n-gram terms) give near misses partial credit by design;
* any probe whose scoring takes more than ``SLOW_S`` seconds per completion on average (a huge
  completion must not stall training).

Generic probes are built here from the gold's ``<think>``/``<answer>`` parts; a domain adds its
own through ``Domain.audit_probes`` (``f(example, gold, rng, pool) -> {name: completion}``, all
without a right answer; ``(completion, "near")`` marks a near miss; a domain may also replace a
generic probe of the same name, e.g. two answers that really conflict, or drop it for an example
with ``None``). Helpers for the multiple-choice and ranked-list probes every MCQ
domain shares are :func:`all_letters` and :func:`every_option`.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass

from r1_foundry.core.answers.text import answer_block, completion_text, reasoning
from r1_foundry.core.util.errors import FoundryError

FLOOR = 0.5  # share of the gold's margin over the lowest total a no-answer probe may earn
SLOW_S = 1.0  # seconds per completion above which a probe's scoring is a finding
HUGE_CHARS = 50_000
JUNK_CHARS = 3_000_000  # the tail of ``answer_then_junk``
JUNK_EXAMPLES = 4  # examples that get it (3 MB each is scored, not generated: a few suffice)

# probe name -> what it is (the README's table legend); "answer" probes still carry the right answer
GENERIC = {
    "empty": "the empty string",
    "whitespace": "spaces and newlines only",
    "tags_only": "<think></think><answer></answer>",
    "answer_only": "the gold answer block without any reasoning",
    "reasoning_only": "the gold reasoning, no answer block",
    "prompt_copy": "the prompt copied back as reasoning and as the answer",
    "huge": f"the gold reasoning, then the prompt repeated to {HUGE_CHARS:,} characters as the answer",
    "answer_repeated": "the gold completion with its answer block three times",
    "two_answers": "one answer block holding a wrong answer, then the gold answer",
    "two_answers_gold_first": "one answer block holding the gold answer, then a wrong answer",
    "hidden_answer": "the gold answer stated inside the reasoning only, no answer block",
    "answer_then_junk": f"the gold completion, then {JUNK_CHARS:,} characters of random hex after its answer block "
                        f"(first {JUNK_EXAMPLES} examples)",
}
# Probes that still carry the right answer: a finding only when they score above the gold. For
# ``answer_then_junk`` this is the decision for every preset: the verifiers read the last answer block
# and nothing after it, so correctness terms keep full credit (the answer is right); a tail past the
# answer is what GRPO's ``max_completion_length`` truncates and ``length/overlong`` / ``length/cosine``
# penalise, not a correctness reward's business. The probe also checks such a completion is scored
# fast (``SLOW_S``), so a runaway generation never stalls a training step.
CARRIES_ANSWER = {"answer_only", "answer_repeated", "answer_then_junk"}


@dataclass
class ProbeResult:
    preset: str
    probe: str
    n: int
    mean: float
    gold: float
    lowest: float
    share: float  # (mean - lowest) / (gold - lowest)
    at_least_gold: float  # fraction of examples where the probe's total >= the gold's
    seconds: float  # scoring seconds per completion
    finding: str  # "" or why it is one


def prompt_text(prompt) -> str:
    """The user text of a prompt (chat messages or a string)."""
    if isinstance(prompt, list):
        return "\n".join(m.get("content", "") for m in prompt if isinstance(m, dict) and m.get("role") != "system")
    return completion_text(prompt)


def all_letters(letters, gold: str) -> dict[str, str]:
    """MCQ probes: every option letter in the answer ("A B C D"), and as a list ("A, B, C or D")."""
    letters = [str(x) for x in letters]
    return {"mcq_all_letters": f"<think>{reasoning(gold)}</think><answer>{' '.join(letters)}</answer>",
            "mcq_letters_listed": f"<think>{reasoning(gold)}</think><answer>{', '.join(letters[:-1])} or "
                                  f"{letters[-1]}</answer>"}


def every_option(options, gold: str) -> dict[str, str]:
    """Ranked-list probe: every option listed, numbered, as the answer."""
    items = "\n".join(f"{i}. {o}" for i, o in enumerate(options, 1))
    return {"list_every_option": f"<think>{reasoning(gold)}</think><answer>{items}</answer>"}


def generic_probes(example: dict, gold: str, wrong: str | None, junk: str | None = None) -> dict[str, str]:
    """The probes every domain gets, built from the example's gold completion; ``wrong`` is
    another example's answer (different from this one's), or None when there is none; ``junk``,
    when given, is appended to the gold completion (``answer_then_junk``)."""
    think, ans = reasoning(gold), answer_block(gold) or ""
    prompt = prompt_text(example.get("prompt"))
    huge = (prompt + "\n") * (HUGE_CHARS // max(len(prompt) + 1, 1) + 1)
    probes = {
        "empty": "",
        "whitespace": " \n\t \n",
        "tags_only": "<think></think><answer></answer>",
        "answer_only": f"<answer>{ans}</answer>",
        "reasoning_only": f"<think>{think}</think>",
        "prompt_copy": f"<think>{prompt}</think><answer>{prompt}</answer>",
        "huge": f"<think>{think}</think><answer>{huge[:HUGE_CHARS]}</answer>",
        "answer_repeated": f"<think>{think}</think>" + f"<answer>{ans}</answer>" * 3,
        "hidden_answer": f"<think>{think}\nThe answer is {ans}.</think>",
    }
    if junk is not None:
        probes["answer_then_junk"] = gold + "\n" + junk
    if wrong is not None:
        probes["two_answers"] = f"<think>{think}</think><answer>{wrong}\n{ans}</answer>"
        probes["two_answers_gold_first"] = f"<think>{think}</think><answer>{ans}\n{wrong}</answer>"
    return probes


def _wrong_answer(example: dict, gold: str, answers: list[tuple], rng: random.Random) -> str | None:
    """Another example's answer, of the same task where there is one; ``answers`` is the pool's
    ``(task, answer block)`` pairs, parsed once per audit."""
    ans = (answer_block(gold) or "").strip()
    candidates = [a for _, a in answers if a and a.strip() != ans]
    same_task = [a for t, a in answers if t == example.get("task") and a and a.strip() != ans]
    pick = same_task or candidates
    return rng.choice(pick) if pick else None


def audit_preset(domain, preset: str, examples: list[dict], *, floor: float = FLOOR, seed: int = 0,
                 pool: list[dict] | None = None) -> list[ProbeResult]:
    """Every probe of the battery through one preset; rows in probe order. ``pool`` (default:
    ``examples``) is where wrong answers and random molecules come from."""
    from r1_foundry.core.rewards.compose import build_rewards, score
    from r1_foundry.core.util.registry import resolve

    funcs, weights = build_rewards(domain, preset)
    rng = random.Random(seed)
    domain_probes = resolve(domain.audit_probes) if getattr(domain, "audit_probes", None) else None

    def totals(rows: list[dict], completions: list[str]) -> tuple[list, list[float], list[set]]:
        cols = {k: [r.get(k) for r in rows] for k in rows[0] if k not in ("prompt", "completion")}
        scored = score(funcs, weights, [r.get("prompt") for r in rows], [[{"role": "assistant", "content": c}]
                                                                           for c in completions], cols)
        lows = [sum(w * f.low for f, w in zip(funcs, weights, strict=True) if s[f.__name__] is not None)
                for s in scored]
        applying = [{f.__name__ for f in funcs if s[f.__name__] is not None} for s in scored]
        return [s["total"] if a else None for s, a in zip(scored, applying, strict=True)], lows, applying

    golds_text = [completion_text(e.get("completion")) for e in examples]
    gold_totals, lows, applying = totals(examples, golds_text)
    # audit the examples the preset is about: where a reward applies that does not apply to every
    # example (a format term applies everywhere; the guard preset is about guard rows)
    everywhere = set.intersection(*applying) if applying else set()
    specific = [i for i, a in enumerate(applying) if a - everywhere]
    keep = specific or [i for i, g in enumerate(gold_totals) if g is not None]
    if not keep:
        raise FoundryError(f"preset '{preset}': no reward of it applies to any of the {len(examples)} examples; "
                           "audit it on data with its tasks (--data)")
    exs = [examples[i] for i in keep]
    gold_t = [gold_totals[i] for i in keep]
    low_t = [lows[i] for i in keep]
    per_probe: dict[str, dict[int, str]] = {}
    near: set[str] = set()
    pool = pool if pool is not None else examples
    answers = [(e.get("task"), answer_block(completion_text(e.get("completion")))) for e in pool]
    junk = random.Random(seed).randbytes(JUNK_CHARS // 2).hex()
    for j, ex in enumerate(exs):
        gold = golds_text[keep[j]]
        probes = generic_probes(ex, gold, _wrong_answer(ex, gold, answers, rng), junk if j < JUNK_EXAMPLES else None)
        if domain_probes:
            probes.update(domain_probes(ex, gold, rng, pool))
        for name, text in probes.items():
            if isinstance(text, tuple):
                text, kind = text
                if kind == "near":
                    near.add(name)
            if text is not None:  # a domain drops a generic probe that means nothing for this example
                per_probe.setdefault(name, {})[j] = text
    gold_mean = sum(gold_t) / len(gold_t)
    low_mean = sum(low_t) / len(low_t)
    if gold_mean - low_mean <= 1e-9:
        raise FoundryError(f"preset '{preset}': the gold completions score {gold_mean:.3f}, no more than the lowest "
                           f"total {low_mean:.3f}; the data's gold answers do not verify, so there is nothing to audit")
    rows = [ProbeResult(preset, "gold", len(exs), gold_mean, gold_mean, low_mean, 1.0, 1.0, 0.0, "")]
    for name, by_index in per_probe.items():
        idx = sorted(by_index)
        start = time.perf_counter()
        got, _, _ = totals([exs[j] for j in idx], [by_index[j] for j in idx])
        seconds = (time.perf_counter() - start) / len(idx)
        got = [g if g is not None else low_t[j] for g, j in zip(got, idx, strict=True)]
        mean = sum(got) / len(got)
        gmean = sum(gold_t[j] for j in idx) / len(idx)
        lmean = sum(low_t[j] for j in idx) / len(idx)
        share = (mean - lmean) / (gmean - lmean) if gmean - lmean > 1e-9 else 0.0
        ge = sum(g >= gold_t[j] - 1e-9 for g, j in zip(got, idx, strict=True)) / len(idx)
        why = ""
        if name in CARRIES_ANSWER:
            if mean > gmean + 1e-9:
                why = "scores above the gold"
        elif mean >= gmean - 1e-9:
            why = "scores at least the gold"
        elif share > floor and name not in near:
            why = f"earns {share:.0%} of the gold's margin (floor {floor:.0%})"
        if seconds > SLOW_S:
            why = (why + "; " if why else "") + f"scoring takes {seconds:.1f} s per completion"
        rows.append(ProbeResult(preset, name, len(idx), mean, gmean, lmean, share, ge, seconds, why))
    return rows


def load_examples(domain, data: str | None, split: str | None, n: int, seed: int,
                  workdir: str) -> tuple[list[dict], str, list[dict]]:
    """``n`` examples of ``split`` (default: every split with gold completions, so every task's
    rewards meet their rows) of a built dataset; without ``data``, the default recipe's data built
    with its smoke preset into ``workdir`` (seconds). Returns (examples, where, every row)."""
    from r1_foundry.core.data.datasets import build_data, load_data, split_of
    from r1_foundry.core.schema.recipe import load_recipe

    recipe = load_recipe(domain.recipe_path("default"), [], "smoke" if _has_smoke(domain) else None)
    label = None
    if data is None:
        data = build_data(domain, recipe.data.builder, dict(recipe.data.args), workdir, system=recipe.data.system)
        label = f"the default recipe's data ({recipe.data.builder}, smoke build)"
    ds = load_data(data)
    names = [split] if split else [s for s in ds if "completion" in ds[s].column_names]
    rows = [r for s in names for r in split_of(ds, s, data) if r.get("completion")]
    split = split or "+".join(names)
    if not rows:
        raise FoundryError(f"{data}: split '{split}' has no gold 'completion' column to audit against")
    rng = random.Random(seed)
    rng.shuffle(rows)
    pool = list(rows)
    # spread the sample over tasks so every task's rewards are exercised
    by_task: dict = {}
    for r in rows:
        by_task.setdefault(r.get("task"), []).append(r)
    picked: list[dict] = []
    while len(picked) < min(n, len(rows)):
        for group in by_task.values():
            if group and len(picked) < n:
                picked.append(group.pop())
    return picked, f"{label or data} [{split}]", pool


def _has_smoke(domain) -> bool:
    import yaml

    with open(domain.recipe_path("default"), encoding="utf-8") as fh:
        return "smoke" in ((yaml.safe_load(fh) or {}).get("presets") or {})


def run_audit(domain, presets: list[str] | None, examples: list[dict], *, floor: float = FLOOR,
              seed: int = 0, pool: list[dict] | None = None) -> list[ProbeResult]:
    names = presets or list(domain.reward_presets)
    rows: list[ProbeResult] = []
    for p in names:
        rows += audit_preset(domain, p, examples, floor=floor, seed=seed, pool=pool)
    return rows


def to_markdown(rows: list[ProbeResult]) -> str:
    """The table the READMEs show: one row per probe, one column pair per preset."""
    presets = list(dict.fromkeys(r.preset for r in rows))
    probes = list(dict.fromkeys(r.probe for r in rows))
    cell = {(r.preset, r.probe): r for r in rows}
    head = "| probe | " + " | ".join(presets) + " |\n|---|" + "---:|" * len(presets) + "\n"
    body = []
    for probe in probes:
        cells = []
        for p in presets:
            r = cell.get((p, probe))
            if r is None:
                cells.append("")
            elif probe == "gold":
                cells.append(f"{r.mean:.2f}")
            else:
                cells.append(f"{r.mean:.2f} ({r.share:.0%})" + (" **FINDING**" if r.finding else ""))
        body.append(f"| {probe} | " + " | ".join(cells) + " |")
    return head + "\n".join(body) + "\n"


def to_json(rows: list[ProbeResult], where: str, floor: float) -> str:
    return json.dumps({"data": where, "floor": floor, "slow_s": SLOW_S, "probes": {**GENERIC},
                       "rows": [asdict(r) for r in rows],
                       "findings": [asdict(r) for r in rows if r.finding]}, indent=1)

