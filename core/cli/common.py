"""What every verb module shares: the error wrapper, the common options, relaunching under
``accelerate launch``, and reading a domain's recipe.

Every command turns a :class:`~r1_foundry.core.util.errors.FoundryError` into one line on stderr
and exit code 2 (:func:`friendly`).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys

import typer
import yaml
from rich.table import Table

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.ui import err, out, tag

__all__ = ["OVERRIDES", "LAUNCHER", "NPROC", "friendly", "maybe_relaunch", "load_domain_recipe",
           "recipe_with_stage", "save_recipe", "print_domain", "out", "err", "tag"]

OVERRIDES = typer.Argument(None, help="key=value recipe overrides, e.g. stages.sft.args.max_steps=10")
LAUNCHER = typer.Option(None, help="run under accelerate launch: ddp, fsdp2, zero2, zero3 or a config path")
NPROC = typer.Option(None, "--num-processes", help="processes for --launcher (default: the config's)")


def maybe_relaunch(launcher: str | None, num_processes: int | None) -> None:
    """Re-run this very command under ``accelerate launch`` when --launcher is given."""
    from r1_foundry.core.util.launch import check_launcher, inside_launch, relaunch, strip_launch_args

    if not launcher or inside_launch():
        return
    check_launcher(launcher)  # a bad name or a missing backend fails here, once, in one line
    argv = strip_launch_args(sys.argv[1:])
    prog = os.path.basename(sys.argv[0])
    if prog.startswith("foundry-"):  # the per-domain script: put the domain group back
        argv = [prog.split("-", 1)[1], *argv]
    raise typer.Exit(relaunch(launcher, num_processes, argv))


def friendly(fn):
    """Print FoundryError (and a few user errors) as one line and exit 2, without a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FoundryError as exc:
            err.print(tag("error:", "red"), str(exc), soft_wrap=True)
            raise typer.Exit(2) from None
        except OSError as exc:
            if exc.filename is None:  # not about a path the user gave: a bug, keep the traceback
                raise
            err.print(tag("error:", "red"), path_error(exc), soft_wrap=True)
            raise typer.Exit(2) from None
        except ValueError as exc:
            if "embedded null byte" not in str(exc):
                raise
            err.print(tag("error:", "red"), "a path holds a NUL byte (\\x00); pass a path without it", soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("interrupted; rerun with --resume to continue from the last checkpoint")
            raise typer.Exit(130) from None

    return wrapper


def check_seconds(value: float, option: str = "--timeout", upper: float = 3600.0) -> float:
    """A time limit given on the command line: a finite number of seconds in ``(0, upper]``, else one line."""
    import math

    if not math.isfinite(value) or not 0 < value <= upper:
        raise FoundryError(f"{option} {value}: give seconds between 0 and {upper:g}")
    return value


def path_error(exc: OSError) -> str:
    """One line for an operating-system error on a path the user gave (too long, missing folder, a file
    where a folder should be, no permission): the path (shortened), the reason, what to do."""
    name = str(exc.filename)
    shown = name if len(name) <= 120 else name[:60] + "..." + name[-40:]
    shown = shown.encode("unicode_escape").decode("ascii") if not shown.isprintable() else shown
    target = f" -> {exc.filename2}" if exc.filename2 else ""
    return f"{shown or repr(name)}{target}: {exc.strerror or type(exc).__name__}; check the path given"


def load_domain_recipe(domain, name: str, overrides, preset=None):
    """The domain's recipe ``name`` (or a YAML path) with overrides; refuses another domain's recipe."""
    from r1_foundry.core.schema.recipe import load_recipe

    recipe = load_recipe(domain.recipe_path(name), list(overrides or []), preset)
    if recipe.domain != domain.name:
        raise FoundryError(f"recipe '{name}' is for domain '{recipe.domain}', not '{domain.name}'")
    return recipe


def recipe_with_stage(domain, name: str, kind: str, overrides, preset=None, say: bool = True):
    """``(recipe, name)``: the named recipe; when that is ``default`` and it has no stage of ``kind``,
    the domain's recipe named after the kind (SQL's default is SFT -> self-DPO; its GRPO stage is in
    ``recipes/grpo.yaml``), said on stderr unless ``say`` is false."""
    if name == "default" and kind in domain.recipes() and not any(  # before overrides that name the stage
            s.kind == kind for s in load_domain_recipe(domain, name, []).stages):
        if say:
            err.print(f"note: recipe 'default' has no {kind} stage; using recipe '{kind}'")
        name = kind
    return load_domain_recipe(domain, name, overrides, preset), name


def save_recipe(recipe, path: str) -> None:
    from r1_foundry.core.util.io import atomic_write

    atomic_write(path, yaml.safe_dump(dataclasses.asdict(recipe), sort_keys=False))


def print_domain(domain) -> None:
    t = Table(title=f"{domain.name}: {domain.description}", show_lines=False)
    t.add_column("kind")
    t.add_column("names")
    t.add_row("rewards", ", ".join(domain.reward_registry().names()))
    t.add_row("reward presets", ", ".join(domain.reward_presets))
    t.add_row("builders", ", ".join(domain.builders))
    t.add_row("eval suites", ", ".join(domain.suites()))
    t.add_row("recipes", ", ".join(domain.recipes()))
    out.print(t)


def print_models() -> None:
    """The model names every recipe accepts (``model.name``), with the named pretrained models' state."""
    from r1_foundry.core.modeling import pretrained
    from r1_foundry.core.modeling.models import SIZES

    t = Table(title="models (model.name); also any hub id, model folder or .gguf file", show_lines=False)
    t.add_column("name")
    t.add_column("what")
    for name in SIZES:
        t.add_row(name, "Qwen2 from scratch, tokenizer trained on the domain corpus")
    for name, item in pretrained.PRETRAINED.items():
        t.add_row(name, f"{item.hub_id}: {pretrained.status(name)}")
    out.print(t)
