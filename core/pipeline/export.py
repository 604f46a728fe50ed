"""``foundry <domain> export``: training prompts and our rewards for verl and OpenRLHF.

A user who outgrows one machine trains on Ray with verl or OpenRLHF; the data and the rewards go
there unchanged:

* verl: ``train.parquet`` (and ``val.parquet``) with ``data_source``, ``prompt`` (chat messages),
  ``ability``, ``reward_model: {style: rule, ground_truth}``, ``extra_info``; ``reward_verl.py``
  with ``compute_score(data_source, solution_str, ground_truth, extra_info=None)``.
* OpenRLHF: ``train.jsonl`` (and ``val.jsonl``) with ``input`` (chat messages, for
  ``--input_key input --apply_chat_template``) and ``label`` (for ``--label_key label``);
  ``reward_openrlhf.py`` with ``reward_func(queries, prompts, labels)`` returning ``rewards``,
  ``scores`` and ``extra_logs``.

``ground_truth`` / ``label`` is the example's reference columns as JSON. Files the examples
point at (SQL databases) are copied into ``OUT/files`` and named relative to the export folder.
The entry points build the GRPO stage's rewards with their weights (frozen in the file) and call
:func:`score_examples`, the function behind ``foundry <domain> reward``: the same numbers.
"""

from __future__ import annotations

import json
import os
import re
import shutil

from r1_foundry.core.util.errors import FoundryError

FORMATS = ("verl", "openrlhf")
_SKIP = ("prompt", "completion", "chosen", "rejected")


def score_examples(domain, spec, examples: list[dict], completions: list, *, base_dir: str,
                   where: str = "example {n}", built=None) -> list[dict]:
    """Every reward component and the weighted ``total`` per completion: ``examples`` are checked
    with the domain's ``check_example`` (relative paths resolve against ``base_dir``; ``where``
    names example ``{n}`` in errors; ``built``: the ``(funcs, weights)`` of ``spec`` when the caller
    keeps them, as the exported entry points do)."""
    from r1_foundry.core.rewards.compose import build_rewards, score
    from r1_foundry.core.util.registry import resolve

    funcs, weights = built or build_rewards(domain, spec)
    check = resolve(domain.check_example) if domain.check_example else (lambda e, w, b: e)
    exs = [check(e, where.replace("{n}", str(i + 1)), base_dir) for i, e in enumerate(examples)]
    columns = {k: [e.get(k) for e in exs] for k in {k for e in exs for k in e} if k not in ("prompt", "completion")}
    return score(funcs, weights, [e.get("prompt", "") for e in exs], list(completions), columns)


def total_range(funcs, weights) -> tuple[float, float]:
    """The lowest and highest weighted total built rewards can give (every reward applying)."""
    lo = sum(min(w * f.low, w * f.high) for f, w in zip(funcs, weights, strict=True))
    hi = sum(max(w * f.low, w * f.high) for f, w in zip(funcs, weights, strict=True))
    return lo, hi


# Special tokens an engine may leave at the end of a decoded response (OpenRLHF decodes with
# skip_special_tokens=False, so a response that stopped at EOS ends in e.g. <|im_end|>): <|...|>-style
# tokens (Qwen, Llama 3, SmolLM, GPT), </s>, <eos>, <end_of_turn>, <pad> and DeepSeek's end of sentence.
_TRAILING_SPECIAL = re.compile(r"(?:\s*(?:<\|[^<>|\s]{1,40}\|>|</s>|<eos>|<end_of_turn>|<pad>|<unk>"
                               r"|<\uff5cend\u2581of\u2581sentence\uff5c>))+\s*$")


def strip_special(text: str) -> str:
    """``text`` without the special tokens (and whitespace) an engine left at its end.

    Example:
        >>> strip_special("<answer>B</answer><|im_end|><|endoftext|>")
        '<answer>B</answer>'
    """
    return _TRAILING_SPECIAL.sub("", text) if isinstance(text, str) else text


class Scorer:
    """What an exported entry point holds: one domain's rewards with fixed weights.

    Imports only the domain's verifier libraries (sqlglot, RDKit, ...), PyYAML and Rich: never torch,
    transformers, TRL or datasets, so it runs on a worker whose environment an engine pins
    (tests/engines/test_engines.py checks it in a venv that has only those)."""

    def __init__(self, domain: str, spec: list[dict], base_dir: str):
        from r1_foundry.core.rewards.compose import build_rewards
        from r1_foundry.core.schema.domain import get_domain

        self.domain = get_domain(domain)
        self.spec = [dict(x) for x in spec]
        self.base_dir = base_dir
        # once per process: reward objects keep sandboxes and caches
        self._built = build_rewards(self.domain, [dict(x) for x in spec])
        self.names = [f.__name__ for f in self._built[0]]
        self.low, self.high = total_range(*self._built)

    def rows(self, completions: list[str], ground_truths: list) -> list[dict]:
        """Every component and the weighted ``total`` per completion (trailing special tokens removed)."""
        examples = [json.loads(g) if isinstance(g, str) else dict(g) for g in ground_truths]
        return score_examples(self.domain, self.spec, examples, [strip_special(c) for c in completions],
                              base_dir=self.base_dir, where="ground_truth of row {n}", built=self._built)

    def logs(self, rows: list[dict]) -> dict[str, list[float]]:
        """Per-component values for an engine's logs, with the same keys in every call (an engine batches
        samples by key): a component that does not apply to a row logs 0.0 there, and ``<name>/applies``
        (1.0 / 0.0) says where it applied, so a mean over applying rows can be recovered."""
        out: dict[str, list[float]] = {}
        for name in self.names:
            values = [r.get(name) for r in rows]
            out[name] = [float(v) if isinstance(v, (int, float)) else 0.0 for v in values]
            out[f"{name}/applies"] = [1.0 if isinstance(v, (int, float)) else 0.0 for v in values]
        return out

    def scaled(self, total: float) -> float:
        span = self.high - self.low
        return min(1.0, max(0.0, (total - self.low) / span)) if span > 0 else 0.0

    @staticmethod
    def report(exc: BaseException) -> None:
        """Say an error where a user sees it: OpenRLHF catches a reward function's exception, logs it at INFO
        and scores the sample None; this line goes to stderr (the worker's log) before the error is re-raised."""
        import sys

        print(f"R1 Foundry reward error ({type(exc).__name__}): {exc}", file=sys.stderr, flush=True)


def _resolved_spec(domain, spec) -> list[dict]:
    from r1_foundry.core.rewards.compose import _normalise

    return [{"weight": 1.0, **item} for item in _normalise(domain, spec)]


def _check_file(path: str, column: str, magic: str, where: str) -> None:
    """A file a dataset names is copied only when it is a regular file of the kind its column declares."""
    if os.path.islink(path) or not os.path.isfile(path):
        raise FoundryError(f"{where}: column '{column}' names {path!r}, which is not a regular file")
    if magic:
        with open(path, "rb") as fh:
            head = fh.read(len(magic))
        if head != magic.encode("latin-1"):
            raise FoundryError(f"{where}: column '{column}' names {path!r}, which is not the kind of file the "
                               f"column holds (its first bytes are not {magic!r})")


def _portable(example: dict, data_dir: str, out_dir: str, copied: dict, file_columns: dict | None = None,
              where: str = "") -> dict:
    """The example's reference columns; files named by the domain's declared file columns
    (``Domain.file_columns``, e.g. SQL's ``db_path``) are copied into OUT/files, nothing else is."""
    ex = {}
    file_columns = file_columns or {}
    for k, v in example.items():
        if k in _SKIP:
            continue
        if k in file_columns and isinstance(v, str) and os.path.isabs(v):
            _check_file(v, k, file_columns[k], where)
            if v not in copied:
                name = os.path.basename(v)
                stem, ext = os.path.splitext(name)
                n = 1
                while os.path.join("files", name) in copied.values():
                    name, n = f"{stem}-{n}{ext}", n + 1
                os.makedirs(os.path.join(out_dir, "files"), exist_ok=True)
                shutil.copy2(v, os.path.join(out_dir, "files", name))
                copied[v] = os.path.join("files", name)
            v = copied[v]
        ex[k] = v
    return ex


# The entry points are fixed source: everything that varies (domain, rewards, weights, recipe, the
# command, the output folder, the reward range) is one JSON string literal, written with repr(), so
# no path or recipe value is ever spliced into code (a quote or a newline in --out stays data).
ENTRY = {
    "verl": '''"""verl reward entry point for R1 Foundry's rewards, written by `foundry <domain> export`.

verl 0.9 (tested: 0.9.1), with its default reward manager (naive):
    reward.custom_reward_function.path=<this file> reward.custom_reward_function.name=compute_score
verl 0.7 / 0.8 (not tested here; from their source): the legacy keys
    custom_reward_function.path=<this file> custom_reward_function.name=compute_score

CONFIG (below) names the domain, the GRPO stage's rewards and their frozen weights, the recipe and
the command that wrote this file. compute_score returns the weighted total, the number
`foundry <domain> reward` gives. Needs R1 Foundry and the domain's verifier libraries on every worker
(CONFIG["install"]); not torch, transformers or TRL.
"""

import json
import os

from r1_foundry.core.pipeline.export import Scorer

CONFIG = json.loads(@CONFIG@)
SPEC = CONFIG["spec"]
_SCORER = Scorer(CONFIG["domain"], SPEC, base_dir=os.path.dirname(os.path.abspath(__file__)))


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    return _SCORER.rows([solution_str], [ground_truth])[0]["total"]
''',
    "openrlhf": '''"""OpenRLHF reward entry point for R1 Foundry's rewards, written by `foundry <domain> export`.

OpenRLHF 0.11 (tested: 0.11.2):
    --reward.remote_url <this file> --data.prompt_dataset <its folder>/train.jsonl
    --data.input_key input --data.label_key label --data.apply_chat_template

CONFIG (below) names the domain, the GRPO stage's rewards and their frozen weights, the recipe, the
command that wrote this file and the preset's total range [low, high]. ``rewards`` is the weighted
total, the number `foundry <domain> reward` gives (special tokens the engine left at the end of a
response, such as <|im_end|>, are removed first); ``scores`` is it scaled to [0, 1] by that range
(for OpenRLHF's dynamic filtering); ``extra_logs`` holds every component under the same keys in every
call (0.0 where it does not apply, and ``<name>/applies``). An error (a broken dataset row) is written
to stderr and raised. Needs R1 Foundry and the domain's verifier libraries on every worker
(CONFIG["install"]).
"""

import json
import os

from r1_foundry.core.pipeline.export import Scorer

CONFIG = json.loads(@CONFIG@)
SPEC = CONFIG["spec"]
_SCORER = Scorer(CONFIG["domain"], SPEC, base_dir=os.path.dirname(os.path.abspath(__file__)))


def reward_func(queries, prompts, labels, **kwargs):
    import torch  # OpenRLHF's own environment has it; importing this file does not need it

    try:
        responses = [q[len(p):] if q.startswith(p) else q for q, p in zip(queries, prompts)]
        rows = _SCORER.rows(responses, labels)
    except Exception as exc:
        _SCORER.report(exc)
        raise
    totals = [r["total"] for r in rows]
    return {"rewards": torch.tensor(totals, dtype=torch.float32),
            "scores": torch.tensor([_SCORER.scaled(t) for t in totals], dtype=torch.float32),
            "extra_logs": {k: torch.tensor(v, dtype=torch.float32) for k, v in _SCORER.logs(rows).items()}}
''',
}


WORKER_BASE = ("pyyaml>=6", "rich>=13")  # what the scoring path imports beside a domain's verifier libraries


def worker_requirements(extra: str | None) -> list[str]:
    """The packages an exported reward needs on an engine's worker: PyYAML, Rich and the domain's pip
    extra (SQL: sqlglot, sqlparse; chemistry: RDKit, ...), read from this installation's metadata.
    Not torch, transformers, TRL or datasets: the worker keeps the versions its engine pins."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        reqs = requires("r1-foundry") or []
    except PackageNotFoundError:
        reqs = []
    mine = [r.split(";")[0].strip() for r in reqs
            if extra and re.search(r"""extra\s*==\s*["']""" + re.escape(extra) + r"""["']""", r)]
    return [*WORKER_BASE, *mine]


def worker_install(extra: str | None) -> str:
    """The install line for a worker: R1 Foundry without its training dependencies, then what scoring needs."""
    reqs = " ".join(f"'{r}'" for r in worker_requirements(extra))
    return f"pip install --no-deps r1-foundry && pip install {reqs}"


def entry_source(fmt: str, config: dict) -> str:
    """The entry point's source: the fixed template with ``config`` as one JSON string literal."""
    return ENTRY[fmt].replace("@CONFIG@", repr(json.dumps(config, ensure_ascii=True, default=str)))


def export(domain, recipe, data_dir: str, fmt: str, out_dir: str, *, recipe_name: str = "default",
           command: str = "") -> dict:
    """Write the prompts of the recipe's GRPO split (and ``val`` when there is one) and the
    reward entry point for ``fmt``; returns what was written."""
    from datasets import Dataset

    from r1_foundry.core.data.datasets import load_data, split_of

    if fmt not in FORMATS:
        raise FoundryError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    grpo = next((s for s in recipe.stages if s.kind == "grpo"), None)
    if grpo is None:
        raise FoundryError(f"recipe '{recipe_name}' has no grpo stage: nothing says which rewards to export; "
                           "pass a recipe with one")
    from r1_foundry.core.rewards.compose import build_rewards

    spec = _resolved_spec(domain, grpo.rewards)
    lo, hi = total_range(*build_rewards(domain, [dict(x) for x in spec]))  # a bad spec fails here, before any I/O
    ds = load_data(data_dir)
    splits = {"train": split_of(ds, grpo.split, data_dir)}
    if "val" in ds and grpo.split != "val":
        splits["val"] = ds["val"]
    os.makedirs(out_dir, exist_ok=True)
    copied: dict = {}
    written, counts = [], {}
    for name, part in splits.items():
        rows = []
        for i, row in enumerate(part):
            prompt = row["prompt"] if isinstance(row["prompt"], list) else [{"role": "user", "content": str(row["prompt"])}]
            prompt = [{"role": m["role"], "content": m["content"]} for m in prompt]
            truth = json.dumps(_portable(row, data_dir, out_dir, copied, domain.file_columns,
                                         f"{data_dir} split {grpo.split if name == 'train' else name} row {i}"),
                               ensure_ascii=False, default=str)
            if fmt == "verl":
                rows.append({"data_source": f"r1foundry/{domain.name}", "prompt": prompt, "ability": domain.name,
                             "reward_model": {"style": "rule", "ground_truth": truth},
                             "extra_info": {"split": name, "index": i, "task": str(row.get("task") or "")}})
            else:
                rows.append({"input": prompt, "label": truth})
        path = os.path.join(out_dir, f"{name}.parquet" if fmt == "verl" else f"{name}.jsonl")
        if fmt == "verl":
            Dataset.from_list(rows).to_parquet(path)
        else:
            from r1_foundry.core.util.io import atomic_write

            atomic_write(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        written.append(path)
        counts[name] = len(rows)
    entry = entry_source(fmt, {
        "domain": domain.name, "spec": spec, "recipe": recipe_name, "out": os.path.abspath(out_dir),
        "command": command or f"foundry {domain.name} export --format {fmt}", "low": lo, "high": hi,
        "install": worker_install(domain.extra)})
    entry_path = os.path.join(out_dir, f"reward_{fmt}.py")
    from r1_foundry.core.util.io import atomic_write

    atomic_write(entry_path, entry)
    written.append(entry_path)
    return {"files": written, "rows": counts, "rewards": spec, "copied": len(copied)}
