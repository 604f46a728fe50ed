"""``foundry <domain> train <kind>``: one stage of the recipe, one sub-command per trainable stage
kind of :data:`r1_foundry.core.schema.kinds.KINDS`.

    foundry sql train sft --data runs/sql/data --model runs/sql/model --out runs/sql/sft
"""

from __future__ import annotations

import typer

from r1_foundry.core.cli.common import LAUNCHER, NPROC, OVERRIDES, friendly, maybe_relaunch, out, recipe_with_stage
from r1_foundry.core.schema.kinds import KINDS
from r1_foundry.core.util.errors import FoundryError


def run(domain, kind: str, data: str, model: str, out_dir: str, recipe_name: str = "default", resume: bool = False,
        overrides=()) -> str:
    from r1_foundry.core.data.datasets import load_data, split_of
    from r1_foundry.core.stages.runner import run_stage, seed_everything

    recipe, recipe_name = recipe_with_stage(domain, recipe_name, kind, overrides)
    stage = next((s for s in recipe.stages if s.kind == kind), None)
    if stage is None:
        raise FoundryError(f"recipe '{recipe_name}' has no {kind} stage; pass a recipe that has one")
    ds = load_data(data)
    seed_everything(recipe.seed)
    return run_stage(domain, recipe, stage, model, split_of(ds, stage.split, data), out_dir, resume=resume)


def _command(domain, kind: str):
    def command(data: str = typer.Option(..., help="dataset folder (RUN/data)"),
                model: str = typer.Option(..., help="model folder or hub id"),
                out_dir: str = typer.Option(..., "--out", help="output folder (checkpoints + final model)"),
                recipe: str = typer.Option("default", help="recipe name or YAML path (its stage of this kind)"),
                resume: bool = typer.Option(False, help="continue from the last checkpoint in --out"),
                launcher: str = LAUNCHER, num_processes: int = NPROC,
                overrides: list[str] = OVERRIDES):
        maybe_relaunch(launcher, num_processes)
        out.print(f"wrote {run(domain, kind, data, model, out_dir, recipe, resume, overrides)}")

    command.__doc__ = f"Train a {kind} stage ({KINDS[kind].help}) with the recipe's {kind} settings."
    return friendly(command)


def register(app: typer.Typer, domain) -> None:
    trainable = [k for k in KINDS.values() if k.config is not None]
    train_app = typer.Typer(help=f"Train one stage ({', '.join(k.name for k in trainable)}).", no_args_is_help=True)
    app.add_typer(train_app, name="train")
    for kind in trainable:
        train_app.command(kind.name)(_command(domain, kind.name))
