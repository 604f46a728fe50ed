"""``foundry <domain> merge``: model arithmetic between checkpoints (:mod:`r1_foundry.core.stages.merge`).

    foundry sql merge --method task_vector --base runs/b/sft --from runs/a/sft --to runs/a/grpo --out runs/x
"""

from __future__ import annotations

import typer

from r1_foundry.core.cli.common import friendly, out


def register(app: typer.Typer, domain) -> None:
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
        """Model arithmetic: base + scale * (to - from), a linear merge or a TIES merge (core.stages.merge)."""
        from r1_foundry.core.stages.merge import merge

        path = merge(method, out_dir, base=base, models=models or [], weights=weights or [], scale=scale,
                     density=density, source=source, to=to)
        out.print(f"wrote {path}")
