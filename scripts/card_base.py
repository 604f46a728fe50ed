"""Add the ``base`` row (the starting model, zero-shot) to a committed card made before pipelines
evaluated it, without rerunning the card's stages.

The starting model of a ``tiny``/``small`` card is rebuilt exactly as its pipeline built it: the
card's recipe.yaml, the same data builder and arguments (seeded), the tokenizer trained on the same
train split, the same seeded initialisation. It is evaluated with the card's suite and decoding, and
its results go first into ``cards/<card>/results.json``; the card's README gets the row in its
results table and in its model-index metadata (the rest of the card, curves included, is kept).

    python scripts/card_base.py sql chem          # cards/sql, cards/chem; work folders under runs/card-base/
"""

from __future__ import annotations

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def base_results(card: str) -> dict:
    from r1_foundry.core.data.datasets import build_data, load_data, split_of
    from r1_foundry.core.evaluation.runner import run_eval
    from r1_foundry.core.pipeline.run import prepare_model
    from r1_foundry.core.schema.domain import get_domain
    from r1_foundry.core.schema.recipe import BASE_ROW, load_recipe
    from r1_foundry.core.stages.runner import seed_everything

    recipe = load_recipe(os.path.join(ROOT, "cards", card, "recipe.yaml"))
    domain = get_domain(recipe.domain)
    work = os.path.join(ROOT, "runs", "card-base", card)
    seed_everything(recipe.seed)
    if not os.path.isfile(os.path.join(work, "data", "dataset_dict.json")):
        build_data(domain, recipe.data.builder, recipe.data.args, work, system=recipe.data.system)
    ds = load_data(os.path.join(work, "data"))
    model = prepare_model(recipe.model, split_of(ds, "train"), os.path.join(work, "model"), recipe.seed)
    return run_eval(domain, recipe, model, ds, os.path.join(work, "eval", BASE_ROW), BASE_ROW,
                    also_splits=recipe.eval.also_splits)


def patch_card(card: str, base: dict) -> None:
    from huggingface_hub import EvalResult, ModelCard

    from r1_foundry.core.pipeline.card import BASE_LINE, fmt
    from r1_foundry.core.schema.recipe import BASE_ROW

    folder = os.path.join(ROOT, "cards", card)
    path = os.path.join(folder, "results.json")
    with open(path) as fh:
        results = json.load(fh)["stages"]
    results = {BASE_ROW: base, **{k: v for k, v in results.items() if k != BASE_ROW}}
    with open(path, "w") as fh:
        json.dump({"stages": results}, fh, indent=1)
    readme = os.path.join(folder, "README.md")
    card_obj = ModelCard.load(readme)
    first = card_obj.data.eval_results[0]
    card_obj.data.eval_results = [r for r in card_obj.data.eval_results if not r.metric_name.endswith(" [base]")] + [
        EvalResult(task_type=first.task_type, task_name=first.task_name, dataset_type=first.dataset_type,
                   dataset_name=first.dataset_name, dataset_split=first.dataset_split, metric_type=m,
                   metric_name=f"{m} [base]", metric_value=round(float(v), 6))
        for m, v in base["metrics"].items() if v is not None]
    text = str(card_obj)
    metrics = list(base["metrics"])
    row = f"| base | {base['n']} | " + " | ".join(fmt(base["metrics"].get(m)) for m in metrics) + " |"
    lines = text.split("\n")
    header = next(i for i, line in enumerate(lines) if line.startswith("| stage | n | "))
    lines = [x for x in lines if not x.startswith("| base | ")]
    lines.insert(header + 2, row)
    text = "\n".join(lines)
    marker = "Per-bucket tables are in `eval/<stage>/results.md`."
    if BASE_LINE.strip() not in text:
        text = text.replace(marker, marker + BASE_LINE, 1)
    with open(readme, "w") as fh:
        fh.write(text)


def main(argv: list[str]) -> int:
    for card in argv:
        base = base_results(card)
        patch_card(card, base)
        print(f"cards/{card}: base row added", {m: v for m, v in base["metrics"].items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
