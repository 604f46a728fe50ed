"""Model cards: ``README.md`` written with ``huggingface_hub.ModelCard``, eval results as
model-index metadata for every evaluated stage, and a reward-curve PNG.

    foundry sql card --out runs/sql
"""

from __future__ import annotations

import json
import os

from r1_foundry.core.evaluation.runner import fmt, fmt_p
from r1_foundry.core.schema.recipe import BASE_ROW
from r1_foundry.core.util.errors import FoundryError

SINGLE_RUN = ("These are one run's numbers (seed {seed}). A single run carries its recipe's run-to-run spread: at "
              "this scale, runs that differ only in the seed can differ by several points (measured over seeds in "
              "docs/methods.md). Compare recipes over seeds (`bench/methods.py`), not single runs.")


def decoding(eval_spec) -> str:
    """How the evaluation generated, in words (the recipe's ``eval`` section)."""
    if eval_spec.k <= 1:
        return f"greedy decoding, max {eval_spec.max_new_tokens} new tokens"
    return (f"{eval_spec.k} samples per prompt at temperature {eval_spec.temperature:g}, max {eval_spec.max_new_tokens} "
            f"new tokens; metrics are means over the samples, with pass@{eval_spec.k} and maj@{eval_spec.k}")


def _series(log_history: dict[str, list], wanted) -> list[tuple[str, list]]:
    out = []
    for stage, logs in log_history.items():
        for key in sorted({k for row in logs for k in row if wanted(k)}):
            pts = [(row["step"], row[key]) for row in logs if key in row]
            if pts:
                out.append((f"{stage}: {key}", pts))
    return out


def plot_curves(log_history: dict[str, list], out_png: str) -> str | None:
    """Draw GRPO's per-reward means and any held-out monitor curve against the step; None if
    there is nothing to draw."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("reward", _series(log_history, lambda k: k == "reward" or (k.startswith("rewards/")
                                                                          and k.endswith("/mean")))),
              ("held-out (monitor)", _series(log_history, lambda k: k.startswith("heldout/")))]
    panels = [p for p in panels if p[1]]
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(7 * len(panels), 4), squeeze=False)
    for ax, (title, series) in zip(axes[0], panels, strict=True):
        for label, pts in series:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], label=label, marker="." if len(pts) < 30 else None)
        ax.set_xlabel("step")
        ax.set_title(title)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    plt.close(fig)
    return out_png


def plot_tradeoff(results: dict, x: str, y: str, out_png: str) -> str | None:
    """One point per evaluated stage (in training order) of metric ``y`` against metric ``x``,
    joined by arrows: e.g. the safe-vs-over-refusal trade-off across checkpoints. None when
    fewer than one stage has both metrics."""
    pts = [(stage, r["metrics"].get(x), r["metrics"].get(y)) for stage, r in results.items()]
    pts = [(s, a, b) for s, a, b in pts if a is not None and b is not None]
    if not pts:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot([p[1] for p in pts], [p[2] for p in pts], color="0.7", zorder=1)
    for (_, a, b), (_, a2, b2) in zip(pts, pts[1:], strict=False):
        ax.annotate("", xy=(a2, b2), xytext=(a, b), arrowprops={"arrowstyle": "->", "color": "0.4"})
    for i, (stage, a, b) in enumerate(pts):
        ax.scatter([a], [b], s=40, zorder=2)
        ax.annotate(stage, (a, b), textcoords="offset points", xytext=(6, 4 + 11 * i), fontsize=8)
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{y} vs {x} by stage")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    plt.close(fig)
    return out_png


def _stage_table(recipe) -> str:
    rows = ["| stage | kind | key hyperparameters |", "|---|---|---|"]
    for s in recipe.stages:
        args = ", ".join(f"{k}={v}" for k, v in sorted(s.args.items()))
        rewards = f"; rewards={s.rewards}" if s.rewards else ""
        rows.append(f"| {s.name} | {s.kind} | {args}{rewards} |")
    return "\n".join(rows)


def _results_table(results: dict) -> str:
    if not results:
        return "No stage was evaluated."
    first = next(iter(results.values()))
    metrics, lower = first["metrics"].keys(), set(first.get("lower_is_better") or ())
    rows = ["| stage | n | " + " | ".join(m + (" ↓" if m in lower else "") for m in metrics) + " |",
            "|---|---|" + "---|" * len(metrics)]
    for stage, r in results.items():
        rows.append(f"| {stage} | {r['n']} | " + " | ".join(fmt(r["metrics"].get(m)) for m in metrics) + " |")
    return "\n".join(rows) + ("\n\n↓: lower is better (the suite's lower_is_better); every other metric: higher." if lower else "")


def _monitor_table(logs: dict[str, list]) -> str:
    lines = []
    for stage, rows in logs.items():
        pts = [(r["step"], k[len("heldout/"):], v) for r in rows for k, v in r.items() if k.startswith("heldout/")]
        if pts:
            lines.append(f"- {stage}, {pts[0][1]} on the monitor split by step: "
                         + ", ".join(f"{step}: {v:.3f}" for step, _, v in pts))
    return "\n".join(lines)


def _also_table(results: dict) -> str:
    """Results on the recipe's ``eval.also_splits`` (same suite, other splits)."""
    rows = [(stage, split, r) for stage, res in results.items() for split, r in (res.get("also") or {}).items()]
    if not rows:
        return ""
    metrics = [m for m in rows[0][2]["metrics"] if any(r["metrics"].get(m) is not None for _, _, r in rows)]
    lines = ["Also measured on other splits (not the held-out headline; same suite):", "",
             "| stage | split | n | " + " | ".join(metrics) + " |", "|---|---|---|" + "---|" * len(metrics)]
    lines += [f"| {stage} | {split} | {r['n']} | " + " | ".join(fmt(r["metrics"].get(m)) for m in metrics) + " |"
              for stage, split, r in rows]
    return "\n".join(lines)


def _bias_lines(results: dict) -> str:
    lines = []
    for stage, r in results.items():
        bias = r.get("letter_bias")
        if bias and bias.get("plot"):
            p = bias.get("p_value")
            lines.append(f"Option-letter bias, {stage} (chosen vs gold letters, chi-square p = "
                         f"{fmt_p(p)}): ![letter bias {stage}](eval/{stage}/{bias['plot']})")
    return "\n\n".join(lines)


def domain_card_args(domain, recipe) -> dict:
    """What a card takes from the domain and the recipe's eval suite (notice, intended use,
    misuse, limitations, the suite's ``tradeoff`` pair)."""
    return {"limitations": domain.limitations, "intended_use": domain.intended_use, "notice": domain.notice,
            "misuse": domain.misuse, "sections": domain.card_sections,
            "tradeoff": domain.suite(recipe.eval.suite).tradeoff}


def data_description(recipe, rows: dict | None = None) -> str:
    """The card's data line: builder, domain, arguments and, when known, rows per split."""
    desc = f"Builder `{recipe.data.builder}` of domain `{recipe.domain}` with {recipe.data.args or 'defaults'}"
    return desc + ("; " + ", ".join(f"{k}: {n} rows" for k, n in rows.items()) if rows else "") + "."


BASE_LINE = "\nThe `base` row is the starting model, evaluated zero-shot on the same split before any stage."


def write_card(*, run_dir: str, recipe, results: dict, base_model: str, data_desc: str, push_to_hub: str | None = None,
               base_note: str = "",
               limitations: str = "", intended_use: str = "", notice: str = "", misuse: str = "",
               tradeoff: dict | None = None, sections: dict | None = None) -> str:
    """Write ``run_dir/README.md`` and ``run_dir/reward_curve.png`` (and ``tradeoff.png`` when the
    suite names a ``tradeoff: {x, y}`` pair of metrics); return the card path."""
    from huggingface_hub import EvalResult, ModelCard, ModelCardData

    logs = {}
    for s in recipe.stages:
        path = os.path.join(run_dir, s.name, "log_history.json")
        if os.path.isfile(path):
            with open(path) as fh:
                logs[s.name] = json.load(fh)
    png = plot_curves(logs, os.path.join(run_dir, "reward_curve.png"))
    trade = None
    if tradeoff and results:
        trade = plot_tradeoff(results, tradeoff["x"], tradeoff["y"], os.path.join(run_dir, "tradeoff.png"))
    eval_results = []
    for stage, r in results.items():
        for metric, value in r["metrics"].items():
            if value is None:
                continue
            eval_results.append(EvalResult(
                task_type="text-generation", task_name=recipe.domain, dataset_type=r["suite"],
                dataset_name=f"{r['suite']} v{r['version']} ({r.get('split', 'test')})", dataset_split=r.get("split", "test"),
                metric_type=metric, metric_name=f"{metric} [{stage}]", metric_value=round(float(value), 6),
            ))
    name = os.path.basename(os.path.abspath(run_dir))
    data = ModelCardData(model_name=name, language="en", license="apache-2.0", library_name="transformers",
                         tags=["r1-foundry", recipe.domain, *[s.kind for s in recipe.stages]],
                         eval_results=eval_results or None,
                         base_model=base_model if "/" in base_model and not os.path.exists(base_model) else None)
    final = recipe.stages[-1].name
    split = next((r.get("split") for r in results.values() if r.get("split")), recipe.eval.split or "test")
    misuse_section = f"\n## Misuse and out-of-scope use\n{misuse}\n" if misuse else ""
    misuse_section += "".join(f"\n## {title}\n{text}\n" for title, text in (sections or {}).items())
    body = f"""
# {name}

{f"> **{notice}**" if notice else ""}

A {recipe.domain} reasoning model trained with [R1 Foundry](https://pypi.org/project/r1-foundry/):
{" → ".join(s.kind.upper() for s in recipe.stages)}. The final weights are in `{final}/`.

## Base model
`{base_model}`{(" " + base_note) if base_note else ""}

## Data
{data_desc}

## Recipe
Seed {recipe.seed}. Each stage starts from the previous stage's output.

{_stage_table(recipe)}

{recipe.notes.strip() if getattr(recipe, "notes", "") else ""}

{_monitor_table(logs)}

## Evaluation
Measured by this run on the held-out `{split}` split (suite `{recipe.eval.suite}`, {decoding(recipe.eval)}).
Per-bucket tables are in `eval/<stage>/results.md`.{BASE_LINE if BASE_ROW in results else ""}
{SINGLE_RUN.format(seed=recipe.seed)}

{_results_table(results)}

{_also_table(results)}

{_bias_lines(results)}

{"![reward curve](reward_curve.png)" if png else ""}

{f"Trade-off across stages ({tradeoff['y']} against {tradeoff['x']}): ![trade-off](tradeoff.png)" if trade else ""}

## Intended use
{intended_use or "For research on domain-specialised reasoning."}
{misuse_section}
## Limitations
Numbers above come from this run's held-out `{split}` split only; a model trained on synthetic data does
not transfer to real data without further training and evaluation. {limitations}
"""
    card = ModelCard.from_template(data, template_str="---\n{{ card_data }}\n---\n" + body)
    path = os.path.join(run_dir, "README.md")
    card.save(path)
    if push_to_hub:
        try:
            card.push_to_hub(push_to_hub)
        except Exception as exc:  # network or auth: the card on disk is already written
            raise FoundryError(f"card written to {path}, but pushing to {push_to_hub} failed: {exc}") from None
    return path
