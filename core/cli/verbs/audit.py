"""``foundry <domain> audit``: the reward-hacking audit (:mod:`r1_foundry.core.rewards.audit`):
adversarial completions against the gold, per reward preset, before any training; exit 1 on findings.

    foundry sql audit                                  # every preset, on the default data (smoke build)
    foundry sql audit --presets arctic --data runs/sql/data --out runs/sql/audit
"""

from __future__ import annotations

import os
import tempfile

import typer
from rich.table import Table

from r1_foundry.core.cli.common import err, friendly, out, tag
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.registry import did_you_mean


def run(domain, presets: str | None = None, data: str | None = None, split: str | None = None, n: int = 32,
        floor: float | None = None, out_dir: str | None = None, seed: int = 0) -> tuple[list, str]:
    """``(rows, where)``: one row per preset and probe, and what the examples were drawn from."""
    from r1_foundry.core.rewards.audit import FLOOR, load_examples, run_audit, to_json, to_markdown
    from r1_foundry.core.util.io import atomic_write

    floor = FLOOR if floor is None else floor
    names = [p.strip() for p in presets.split(",")] if presets else None
    for p in names or []:
        if p not in domain.reward_presets:
            raise FoundryError(f"unknown reward preset '{p}';{did_you_mean(p, domain.reward_presets)}")
    with tempfile.TemporaryDirectory() as tmp:
        examples, where, pool = load_examples(domain, data, split, n, seed, tmp)
        rows = run_audit(domain, names, examples, floor=floor, seed=seed, pool=pool)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        atomic_write(os.path.join(out_dir, "audit.json"), to_json(rows, where, floor))
        atomic_write(os.path.join(out_dir, "audit.md"), to_markdown(rows))
    return rows, where


def register(app: typer.Typer, domain) -> None:
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
        rows, where = run(domain, presets, data, split, n, floor, out_dir, seed)
        table = Table("preset", "probe", "n", "mean", "gold", "share of margin", ">= gold", "s/compl.", "finding",
                      title=f"{domain.name} reward audit on {where}")
        for r in rows:
            table.add_row(r.preset, r.probe, str(r.n), f"{r.mean:.3f}", f"{r.gold:.3f}",
                          "" if r.probe == "gold" else f"{r.share:.0%}", f"{r.at_least_gold:.0%}",
                          f"{r.seconds:.4f}", r.finding, style="red" if r.finding else None)
        out.print(table)
        if out_dir:
            out.print(f"wrote {os.path.join(out_dir, 'audit.json')} and audit.md")
        findings = [r for r in rows if r.finding]
        if findings:
            err.print(tag(f"{len(findings)} finding(s)", "red"),
                      "; ".join(f"{r.preset}/{r.probe}: {r.finding}" for r in findings))
            if not allow:
                raise typer.Exit(1)
        else:
            out.print(tag("no findings", "green"))
