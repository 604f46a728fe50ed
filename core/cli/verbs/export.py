"""``foundry <domain> export``: training prompts and reward entry points for verl (parquet +
``compute_score``) or OpenRLHF (JSONL + ``reward_func``) (:mod:`r1_foundry.core.pipeline.export`).

    foundry sql export --format verl --recipe default --data runs/sql/data --out export/sql-verl
"""

from __future__ import annotations

import os
import sys
import tempfile

import typer

from r1_foundry.core.cli.common import OVERRIDES, friendly, out, recipe_with_stage
from r1_foundry.core.util.errors import FoundryError


def run(domain, fmt: str, out_dir: str, recipe: str = "default", preset: str | None = None, data: str | None = None,
        overrides=()) -> dict:
    from r1_foundry.core.data.datasets import build_data
    from r1_foundry.core.pipeline.export import FORMATS, export

    if fmt not in FORMATS:
        raise FoundryError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    r, recipe = recipe_with_stage(domain, recipe, "grpo", overrides, preset)
    command = "foundry " + " ".join(sys.argv[1:]) if sys.argv and "foundry" in os.path.basename(sys.argv[0]) \
        else f"foundry {domain.name} export --format {fmt} --recipe {recipe} --out {out_dir}"
    with tempfile.TemporaryDirectory() as tmp:
        if data is None:
            data = build_data(domain, r.data.builder, dict(r.data.args), tmp, system=r.data.system)
        return export(domain, r, data, fmt, out_dir, recipe_name=recipe, command=command)


def register(app: typer.Typer, domain) -> None:
    @app.command("export")
    @friendly
    def export_cmd(fmt: str = typer.Option(..., "--format", help="verl or openrlhf"),
                   out_dir: str = typer.Option(..., "--out", help="folder for the data files and the reward entry point"),
                   recipe: str = typer.Option("default", help="recipe whose GRPO stage names the split and rewards"),
                   preset: str = typer.Option(None, help="named override set of the recipe (e.g. smoke)"),
                   data: str = typer.Option(None, help="dataset folder (RUN/data); default: build the recipe's data"),
                   overrides: list[str] = OVERRIDES):
        """Training prompts and rewards for verl (parquet + compute_score) or OpenRLHF (JSONL + reward_func)."""
        info = run(domain, fmt, out_dir, recipe, preset, data, overrides)
        for path in info["files"]:
            out.print(f"wrote {path}")
        out.print(f"rows: {info['rows']}; files the examples point at, copied: {info['copied']}; rewards: "
                  + ", ".join(f"{x['name']} x {x['weight']}" for x in info["rewards"]))
