"""``foundry <domain> card``: (re)write a run's model card from its recipe.yaml and eval/results.json.

    foundry sql card --out runs/sql
"""

from __future__ import annotations

import json
import os

import typer

from r1_foundry.core.cli.common import friendly, out


def run(domain, run_dir: str, push_to_hub: str | None = None) -> str:
    from r1_foundry.core.pipeline.card import data_description, domain_card_args, write_card
    from r1_foundry.core.schema.recipe import load_recipe

    recipe = load_recipe(os.path.join(run_dir, "recipe.yaml"))
    path = os.path.join(run_dir, "eval", "results.json")
    results = json.load(open(path))["stages"] if os.path.isfile(path) else {}
    rows = None
    if os.path.isfile(os.path.join(run_dir, "data", "dataset_dict.json")):  # the run's data: rows per split
        from r1_foundry.core.data.datasets import load_data

        rows = {k: len(v) for k, v in load_data(os.path.join(run_dir, "data")).items()}
    return write_card(run_dir=run_dir, recipe=recipe, results=results, base_model=recipe.model.name,
                      data_desc=data_description(recipe, rows), push_to_hub=push_to_hub,
                      **domain_card_args(domain, recipe))


def register(app: typer.Typer, domain) -> None:
    @app.command("card")
    @friendly
    def card_cmd(run_dir: str = typer.Option(..., "--out", help="run folder written by 'pipeline': reads recipe.yaml "
                                                               "and eval/results.json there, writes README.md there"),
                 push_to_hub: str = typer.Option(None, help="also push the card to this hub repo")):
        """(Re)write OUT/README.md (the model card) from OUT/recipe.yaml and OUT/eval/results.json."""
        out.print(f"wrote {run(domain, run_dir, push_to_hub)}")
