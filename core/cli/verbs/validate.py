"""``foundry <domain> validate``: check recipes (every preset of each) against the schemas, the TRL
configs, the rewards, the suites and the builders, without training."""

from __future__ import annotations

import typer
import yaml

from r1_foundry.core.cli.common import friendly, load_domain_recipe, out


def run(domain, recipes=()) -> list[tuple[str, list]]:
    """``[(path, presets)]`` of the recipes checked; the first problem raises FoundryError."""
    from r1_foundry.core.rewards.compose import build_rewards
    from r1_foundry.core.schema.recipe import validate_stage_args

    checked = []
    for name in recipes or list(domain.recipes()):
        path = domain.recipe_path(name)
        with open(path) as fh:
            presets = [None, *((yaml.safe_load(fh) or {}).get("presets") or {})]
        for preset in presets:
            r = load_domain_recipe(domain, path, [], preset)
            for s in r.stages:
                validate_stage_args(s, f"{path}: ")
                if s.rewards:
                    build_rewards(domain, s.rewards)
            domain.suite(r.eval.suite)
            domain.builder(r.data.builder)
        checked.append((path, [p for p in presets if p]))
    return checked


def register(app: typer.Typer, domain) -> None:
    @app.command("validate")
    @friendly
    def validate_cmd(recipes: list[str] = typer.Argument(None, help="recipe names or paths (default: all)")):
        """Check recipes against the schemas, TRL configs, rewards and suites, without training."""
        for path, presets in run(domain, recipes or []):
            out.print(f"ok {path} (presets: {', '.join(presets) or 'none'})")
