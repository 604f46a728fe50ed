"""Verbs about rewards leaving the building: ``audit`` (reward hacking, before training) and
``export`` (data + reward entry points for verl and OpenRLHF). Split from :mod:`core.cli`.

    foundry sql audit                                  # every preset, on the default data (smoke build)
    foundry sql audit --presets arctic --data runs/sql/data --out runs/sql/audit
    foundry sql export --format verl --recipe default --data runs/sql/data --out export/sql-verl
"""

from __future__ import annotations

import os
import tempfile

import typer
from rich.table import Table

from core.cli import OVERRIDES, friendly, out, recipe_with_stage
from core.errors import FoundryError
from core.ui import err, tag


def add_rl_verbs(app: typer.Typer, domain) -> None:
    @app.command("audit")
    @friendly
    def audit_cmd(presets: str = typer.Option(None, help="comma-separated reward presets (default: every preset)"),
                  data: str = typer.Option(None, help="dataset folder (RUN/data); default: the default recipe's "
                                                      "data, built with its smoke preset in a temporary folder"),
                  split: str = typer.Option(None, help="split to draw examples from (default: every split with gold completions)"),
                  n: int = typer.Option(32, help="examples per preset (spread over tasks)"),
                  floor: float = typer.Option(None, help="share of the gold's margin a no-answer probe may earn "
                                                         "(default 0.5)"),
                  out_dir: str = typer.Option(None, "--out", help="write OUT/audit.json and OUT/audit.md"),
                  allow: bool = typer.Option(False, help="exit 0 even when there are findings"),
                  seed: int = typer.Option(0, help="sampling seed")):
        """Reward-hacking audit: adversarial completions vs the gold, per preset; exit 1 on findings."""
        from core.audit import FLOOR, run_audit, to_json, to_markdown
        from core.audit import load_examples as load
        from core.io import atomic_write

        floor = FLOOR if floor is None else floor
        names = [p.strip() for p in presets.split(",")] if presets else None
        for p in names or []:
            if p not in domain.reward_presets:
                from core.registry import did_you_mean

                raise FoundryError(f"unknown reward preset '{p}';{did_you_mean(p, domain.reward_presets)}")
        with tempfile.TemporaryDirectory() as tmp:
            examples, where, pool = load(domain, data, split, n, seed, tmp)
            rows = run_audit(domain, names, examples, floor=floor, seed=seed, pool=pool)
        table = Table("preset", "probe", "n", "mean", "gold", "share of margin", ">= gold", "s/compl.", "finding",
                      title=f"{domain.name} reward audit on {where}")
        for r in rows:
            table.add_row(r.preset, r.probe, str(r.n), f"{r.mean:.3f}", f"{r.gold:.3f}",
                          "" if r.probe == "gold" else f"{r.share:.0%}", f"{r.at_least_gold:.0%}",
                          f"{r.seconds:.4f}", r.finding, style="red" if r.finding else None)
        out.print(table)
        if out_dir:
            os.makedirs(out_dir, exist_ok=True)
            atomic_write(os.path.join(out_dir, "audit.json"), to_json(rows, where, floor))
            atomic_write(os.path.join(out_dir, "audit.md"), to_markdown(rows))
            out.print(f"wrote {os.path.join(out_dir, 'audit.json')} and audit.md")
        findings = [r for r in rows if r.finding]
        if findings:
            err.print(tag(f"{len(findings)} finding(s)", "red"),
                      "; ".join(f"{r.preset}/{r.probe}: {r.finding}" for r in findings))
            if not allow:
                raise typer.Exit(1)
        else:
            out.print(tag("no findings", "green"))

    @app.command("export")
    @friendly
    def export_cmd(fmt: str = typer.Option(..., "--format", help="verl or openrlhf"),
                   out_dir: str = typer.Option(..., "--out", help="folder for the data files and the reward entry point"),
                   recipe: str = typer.Option("default", help="recipe whose GRPO stage names the split and rewards"),
                   preset: str = typer.Option(None, help="named override set of the recipe (e.g. smoke)"),
                   data: str = typer.Option(None, help="dataset folder (RUN/data); default: build the recipe's data"),
                   overrides: list[str] = OVERRIDES):
        """Training prompts and rewards for verl (parquet + compute_score) or OpenRLHF (JSONL + reward_func)."""
        import sys

        from core.export import FORMATS, export
        from core.pipeline import build_data

        if fmt not in FORMATS:
            raise FoundryError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
        r, recipe = recipe_with_stage(domain, recipe, "grpo", overrides, preset)
        command = "foundry " + " ".join(sys.argv[1:]) if sys.argv and "foundry" in os.path.basename(sys.argv[0]) \
            else f"foundry {domain.name} export --format {fmt} --recipe {recipe} --out {out_dir}"
        with tempfile.TemporaryDirectory() as tmp:
            if data is None:
                data = build_data(domain, r.data.builder, dict(r.data.args), tmp)
            info = export(domain, r, data, fmt, out_dir, recipe_name=recipe, command=command)
        for path in info["files"]:
            out.print(f"wrote {path}")
        out.print(f"rows: {info['rows']}; files the examples point at, copied: {info['copied']}; rewards: "
                  + ", ".join(f"{x['name']} x {x['weight']}" for x in info["rewards"]))

    @app.command("merge")
    @friendly
    def merge_cmd(method: str = typer.Option(..., help="task_vector, linear or ties"),
                  out_dir: str = typer.Option(..., "--out", help="folder for the merged model"),
                  base: str = typer.Option(None, help="task_vector/ties: the model the vector is added to"),
                  source: str = typer.Option(None, "--from", help="task_vector: the vector's start (e.g. RUN/sft)"),
                  to: str = typer.Option(None, help="task_vector: the vector's end (e.g. RUN/grpo)"),
                  models: list[str] = typer.Option(None, "--model", help="linear/ties: a model (repeat the option)"),
                  weights: list[float] = typer.Option(None, "--weight", help="linear/ties: one weight per --model"),
                  scale: float = typer.Option(1.0, help="task_vector/ties: scale of the added vector"),
                  density: float = typer.Option(0.5, help="ties: share of each task vector kept")):
        """Model arithmetic: base + scale * (to - from), a linear merge or a TIES merge (core.merge)."""
        from core.merge import merge

        path = merge(method, out_dir, base=base, models=models or [], weights=weights or [], scale=scale,
                     density=density, source=source, to=to)
        out.print(f"wrote {path}")
