"""``foundry <domain> reward``: score a file of completions against a file of examples with every
reward component (the same function the exported verl / OpenRLHF entry points call).

    foundry sql reward --examples ex.jsonl --completions out.jsonl --out scores.jsonl --rewards arctic
"""

from __future__ import annotations

import json
import os

import typer

from r1_foundry.core.cli.common import err, friendly, out
from r1_foundry.core.util.errors import FoundryError


def parse_weights(spec: str) -> dict[str, float]:
    """``name=weight,name=weight`` -> {name: weight}; a part without '=' or a weight that is not a
    finite number is a one-line error naming it."""
    import math

    out = {}
    for part in spec.split(","):
        name, eq, value = part.partition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = math.nan
        if not eq or not name.strip() or not math.isfinite(weight):
            raise FoundryError(f"--rewards: '{part}' is not name=weight with a finite number (e.g. sql/execution=1.0); "
                               "or pass a preset name")
        out[name.strip()] = weight
    return out


def parse_spec(spec: str):
    """``--rewards``: a preset name, ``name=weight,...``, or a JSON list/mapping in the recipe's form
    (``[{"name": "sql/arctic", "weight": 1, "timeout": 5}]``: rewards with parameters)."""
    text = spec.strip()
    if text.startswith(("[", "{")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise FoundryError(f"--rewards: not valid JSON ({exc.msg} at character {exc.pos}); e.g. "
                               '\'[{"name": "sql/arctic", "weight": 1, "timeout": 5}]\'') from None
    return parse_weights(spec) if "=" in spec else spec


def default_rewards(domain, recipe: str = "default"):
    """``(spec, where)``: the rewards of the recipe's GRPO stage, the ones ``export`` freezes (for the
    default recipe without one, the recipe named ``grpo``, as ``export`` takes); the domain's first preset
    only when there is no such stage."""
    from r1_foundry.core.cli.common import recipe_with_stage

    r, recipe = recipe_with_stage(domain, recipe, "grpo", [], say=False)  # the choice export makes; said below
    stage = next((s for s in r.stages if s.kind == "grpo"), None)
    if stage is not None and stage.rewards:
        return stage.rewards, f"recipe '{recipe}', stage '{stage.name}'"
    first = next(iter(domain.reward_presets))
    return first, f"preset '{first}' (recipe '{recipe}' has no GRPO stage)"


def run(domain, examples: str, completions: str, out_file: str, rewards: str | None = None,
        recipe: str = "default") -> list[dict]:
    from r1_foundry.core.pipeline.export import score_examples
    from r1_foundry.core.util.io import atomic_write, read_jsonl

    spec, where = (parse_spec(rewards), "") if rewards else default_rewards(domain, recipe)
    if os.path.isdir(out_file):
        raise FoundryError(f"--out {out_file}: is a folder; name the JSONL file to write")
    if not os.path.isdir(os.path.dirname(os.path.abspath(out_file))):
        raise FoundryError(f"--out {out_file}: its folder does not exist")
    exs, comps = read_jsonl(examples), read_jsonl(completions)
    if len(exs) != len(comps):
        raise FoundryError(f"{completions}: {len(comps)} lines, but {examples} has {len(exs)}; they pair by line")
    for i, c in enumerate(comps):
        if "completion" not in c:
            raise FoundryError(f"{completions}:{i + 1}: missing field 'completion'")
    if where:  # said once every check has passed (an error stays one line)
        err.print(f"rewards: {where} ({spec if isinstance(spec, str) else ', '.join(x['name'] for x in spec)}); "
                  "--rewards picks others")
    rows = score_examples(domain, spec, exs, [c["completion"] for c in comps],
                          base_dir=os.path.dirname(os.path.abspath(examples)), where=f"{examples}:" + "{n}")
    atomic_write(out_file, "".join(json.dumps(r) + "\n" for r in rows))
    return rows


def register(app: typer.Typer, domain) -> None:
    @app.command("reward")
    @friendly
    def reward_cmd(examples: str = typer.Option(..., help="JSONL of examples (reference columns)"),
                   completions: str = typer.Option(..., help="JSONL with a 'completion' per line, same order"),
                   out_file: str = typer.Option(..., "--out", help="JSONL of scores: every component and total"),
                   rewards: str = typer.Option(None, help="preset name, name=weight,... or a JSON list of {name, weight, parameters...} "
                                                 "(default: the recipe's GRPO rewards, the ones export freezes)"),
                   recipe: str = typer.Option("default", help="recipe whose GRPO stage gives the default rewards")):
        """Score completions against examples with every reward component."""
        rows = run(domain, examples, completions, out_file, rewards, recipe)
        mean = sum(r["total"] for r in rows) / max(len(rows), 1)
        out.print(f"scored {len(rows)} completions, mean total {mean:.4f} -> {out_file}")
