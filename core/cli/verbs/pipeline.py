"""``foundry <domain> pipeline``: every stage of a recipe, data -> model -> stages -> evals -> card.

    foundry sql pipeline --out runs/sql [--preset smoke] [--resume | --overwrite]
"""

from __future__ import annotations

import os

import typer
from rich.table import Table

from r1_foundry.core.cli.common import (
    LAUNCHER,
    NPROC,
    OVERRIDES,
    friendly,
    load_domain_recipe,
    maybe_relaunch,
    out,
    save_recipe,
)
from r1_foundry.core.util.errors import FoundryError


def run(domain, out_dir: str, recipe: str = "default", preset: str | None = None, resume: bool = False,
        overwrite: bool = False, push_to_hub: str | None = None, launcher: str | None = None,
        num_processes: int | None = None, overrides=()) -> dict | None:
    """The pipeline's results per stage (None on the ranks other than 0 of a launch)."""
    from r1_foundry.core.pipeline.run import clear_run, preflight, run_pipeline
    from r1_foundry.core.util.launch import barrier, check_launcher, inside_launch, is_main_process
    from r1_foundry.core.util.lock import HELD_ENV, RunLock

    r = load_domain_recipe(domain, recipe, overrides, preset)
    preflight(r)  # a typo in an override fails here, before recipe.yaml (or anything) is written
    if resume and overwrite:
        raise FoundryError("--resume continues the run in OUT and --overwrite deletes it: pass one of them")
    if launcher and not inside_launch():
        check_launcher(launcher)
    lock = RunLock(out_dir, "pipeline")
    if not inside_launch() or is_main_process():  # one holder: this process, or rank 0 of a bare launch
        lock.acquire()  # a second pipeline on this folder stops here (exit 2, naming the holder)
    try:
        note = lock.stale_note()
        if note:
            out.print(note)
        if not inside_launch() and os.path.isfile(os.path.join(out_dir, "recipe.yaml")) and not (resume or overwrite):
            raise FoundryError(f"{out_dir} already holds a run; pass --resume to continue it or --overwrite to "
                               "start over (its files will be replaced)")
        if launcher and not inside_launch():
            os.environ[HELD_ENV] = os.path.abspath(out_dir)  # the relaunched ranks run under this lock
        maybe_relaunch(launcher, num_processes)
        if is_main_process():
            if overwrite and os.path.isdir(out_dir):
                removed = clear_run(out_dir)
                if removed:
                    out.print(f"--overwrite: removed the earlier run's {', '.join(removed)} from {out_dir}")
            os.makedirs(out_dir, exist_ok=True)
            save_recipe(r, os.path.join(out_dir, "recipe.yaml"))
        barrier()
        results = run_pipeline(r, out_dir, resume=resume, push_to_hub=push_to_hub)
        return results if is_main_process() else None
    finally:
        if os.environ.get(HELD_ENV) == os.path.abspath(out_dir) and not inside_launch():
            del os.environ[HELD_ENV]
        lock.release()


def print_results(results: dict) -> None:
    """One row per metric, one column per stage: stays readable with many metrics."""
    from r1_foundry.core.evaluation.runner import fmt

    table = Table("metric", *results)
    for metric in next(iter(results.values()))["metrics"]:
        table.add_row(metric, *[fmt(res["metrics"].get(metric)) for res in results.values()])
    out.print(table)


def register(app: typer.Typer, domain) -> None:
    @app.command("pipeline")
    @friendly
    def pipeline_cmd(out_dir: str = typer.Option(..., "--out", help="run folder: card at OUT/README.md, "
                                                                     "evaluation at OUT/eval/results.json"),
                     recipe: str = typer.Option("default", help="recipe name or YAML path"),
                     preset: str = typer.Option(None, help="named override set of the recipe, e.g. smoke"),
                     resume: bool = typer.Option(False, help="skip finished stages, continue the interrupted one"),
                     overwrite: bool = typer.Option(False, help="start over in an OUT that already holds a run (its data, "
                                                    "model, stage folders, eval and card are deleted first)"),
                     push_to_hub: str = typer.Option(None, help="push the card to this hub repo"),
                     launcher: str = LAUNCHER, num_processes: int = NPROC,
                     overrides: list[str] = OVERRIDES):
        """Run every stage of a recipe: data -> model -> stages -> eval of each stage -> model card."""
        results = run(domain, out_dir, recipe, preset, resume, overwrite, push_to_hub, launcher, num_processes,
                      overrides)
        if results:
            print_results(results)
