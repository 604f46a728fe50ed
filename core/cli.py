"""The Typer CLI: ``foundry`` (root) and the verbs every domain answers the same way.

    foundry ls                      domains, rewards, recipes, suites
    foundry doctor                  torch build, CUDA, bitsandbytes, vLLM, memory
    foundry <domain> data build | train sft|dpo|grpo|rft|self-dpo | merge | eval | reward | card | pipeline | ls | validate
                                    | audit | export

Every command turns a :class:`~core.errors.FoundryError` into one line on stderr and exit code 2.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys

import typer
import yaml
from rich.table import Table

from core.errors import FoundryError
from core.ui import err, out, tag

OVERRIDES = typer.Argument(None, help="key=value recipe overrides, e.g. stages.sft.args.max_steps=10")
LAUNCHER = typer.Option(None, help="run under accelerate launch: ddp, fsdp2, zero2, zero3 or a config path")
NPROC = typer.Option(None, "--num-processes", help="processes for --launcher (default: the config's)")


def maybe_relaunch(launcher: str | None, num_processes: int | None) -> None:
    """Re-run this very command under ``accelerate launch`` when --launcher is given."""
    from core.launch import check_launcher, inside_launch, relaunch, strip_launch_args

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
        except KeyboardInterrupt:
            err.print("interrupted; rerun with --resume to continue from the last checkpoint")
            raise typer.Exit(130) from None

    return wrapper


def _recipe(domain, name: str, overrides, preset=None):
    from core.config import load_recipe

    recipe = load_recipe(domain.recipe_path(name), list(overrides or []), preset)
    if recipe.domain != domain.name:
        raise FoundryError(f"recipe '{name}' is for domain '{recipe.domain}', not '{domain.name}'")
    return recipe


def recipe_with_stage(domain, name: str, kind: str, overrides, preset=None):
    """``(recipe, name)``: the named recipe; when that is ``default`` and it has no stage of ``kind``,
    the domain's recipe named after the kind (SQL's default is SFT -> self-DPO; its GRPO stage is in
    ``recipes/grpo.yaml``)."""
    if name == "default" and kind in domain.recipes() and not any(  # before overrides that name the stage
            s.kind == kind for s in _recipe(domain, name, []).stages):
        err.print(f"note: recipe 'default' has no {kind} stage; using recipe '{kind}'")
        name = kind
    return _recipe(domain, name, overrides, preset), name


def save_recipe(recipe, path: str) -> None:
    from core.io import atomic_write

    atomic_write(path, yaml.safe_dump(dataclasses.asdict(recipe), sort_keys=False))


def make_domain_app(domain) -> typer.Typer:
    """The standard verbs for ``domain`` (plus its own, via ``domain.extend_cli``)."""
    from core.registry import resolve

    app = typer.Typer(help=domain.description, no_args_is_help=True, add_completion=False)
    data_app = typer.Typer(help="Build datasets.", no_args_is_help=True)
    train_app = typer.Typer(help="Train one stage (sft, dpo or grpo).", no_args_is_help=True)
    app.add_typer(data_app, name="data")
    app.add_typer(train_app, name="train")

    @data_app.command("build")
    @friendly
    def data_build(out_dir: str = typer.Option(..., "--out", help="run folder; data goes to OUT/data"),
                   builder: str = typer.Option("synthetic", help="dataset builder (see 'ls')"),
                   arg: list[str] = typer.Option(None, help="builder argument key=value (repeatable)")):
        """Build a dataset (synthetic offline, or a real format from --arg path=...)."""
        from core.config import _parse_override
        from core.pipeline import build_data

        kwargs = {}
        for a in arg or []:
            keys, value = _parse_override(a)
            kwargs[".".join(keys)] = value
        path = build_data(domain, builder, kwargs, out_dir)
        out.print(f"wrote {path}")

    def _train(kind: str, data, model, out_dir, recipe_name, resume, overrides):
        from core.pipeline import load_data, run_stage, seed_everything, split_of

        recipe, recipe_name = recipe_with_stage(domain, recipe_name, kind, overrides)
        stage = next((s for s in recipe.stages if s.kind == kind), None)
        if stage is None:
            raise FoundryError(f"recipe '{recipe_name}' has no {kind} stage; pass a recipe that has one")
        ds = load_data(data)
        seed_everything(recipe.seed)
        path = run_stage(domain, recipe, stage, model, split_of(ds, stage.split, data), out_dir, resume=resume)
        out.print(f"wrote {path}")

    def train_command(kind: str):
        def command(data: str = typer.Option(..., help="dataset folder (RUN/data)"),
                    model: str = typer.Option(..., help="model folder or hub id"),
                    out_dir: str = typer.Option(..., "--out", help="output folder (checkpoints + final model)"),
                    recipe: str = typer.Option("default", help="recipe name or YAML path (its stage of this kind)"),
                    resume: bool = typer.Option(False, help="continue from the last checkpoint in --out"),
                    launcher: str = LAUNCHER, num_processes: int = NPROC,
                    overrides: list[str] = OVERRIDES):
            maybe_relaunch(launcher, num_processes)
            _train(kind, data, model, out_dir, recipe, resume, overrides)

        command.__doc__ = f"Train a {kind.upper()} stage with the recipe's {kind} settings."
        return friendly(command)

    for kind in ("sft", "dpo", "grpo", "rft", "self-dpo"):
        train_app.command(kind)(train_command(kind))

    from core.cli_score import add_scoring_verbs

    add_scoring_verbs(app, domain)

    from core.cli_rl import add_rl_verbs

    add_rl_verbs(app, domain)

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
        from core.launch import barrier, inside_launch, is_main_process
        from core.pipeline import clear_run, run_pipeline

        r = _recipe(domain, recipe, overrides, preset)
        if resume and overwrite:
            raise FoundryError("--resume continues the run in OUT and --overwrite deletes it: pass one of them")
        if not inside_launch() and os.path.isfile(os.path.join(out_dir, "recipe.yaml")) and not (resume or overwrite):
            raise FoundryError(f"{out_dir} already holds a run; pass --resume to continue it or --overwrite to "
                               "start over (its files will be replaced)")
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
        if not is_main_process():
            return
        from core.evaluation import fmt

        if results:  # one row per metric, one column per stage: stays readable with many metrics
            table = Table("metric", *results)
            for metric in next(iter(results.values()))["metrics"]:
                table.add_row(metric, *[fmt(res["metrics"].get(metric)) for res in results.values()])
            out.print(table)

    @app.command("ls")
    @friendly
    def ls_cmd():
        """List rewards, reward presets, builders, eval suites and recipes."""
        _print_domain(domain)

    @app.command("validate")
    @friendly
    def validate_cmd(recipes: list[str] = typer.Argument(None, help="recipe names or paths (default: all)")):
        """Check recipes against the schemas, TRL configs, rewards and suites, without training."""
        from core.config import validate_stage_args
        from core.rewards import build_rewards

        names = recipes or list(domain.recipes())
        for name in names:
            path = domain.recipe_path(name)
            with open(path) as fh:
                presets = [None, *((yaml.safe_load(fh) or {}).get("presets") or {})]
            for preset in presets:
                r = _recipe(domain, path, [], preset)
                for s in r.stages:
                    validate_stage_args(s, f"{path}: ")
                    if s.kind == "grpo":
                        build_rewards(domain, s.rewards)
                domain.suite(r.eval.suite)
                domain.builder(r.data.builder)
            out.print(f"ok {path} (presets: {', '.join(p for p in presets if p) or 'none'})")

    if domain.extend_cli:
        resolve(domain.extend_cli)(app)
    return app


def _print_domain(domain) -> None:
    t = Table(title=f"{domain.name}: {domain.description}", show_lines=False)
    t.add_column("kind")
    t.add_column("names")
    t.add_row("rewards", ", ".join(domain.reward_registry().names()))
    t.add_row("reward presets", ", ".join(domain.reward_presets))
    t.add_row("builders", ", ".join(domain.builders))
    t.add_row("eval suites", ", ".join(domain.suites()))
    t.add_row("recipes", ", ".join(domain.recipes()))
    out.print(t)


def build_root() -> typer.Typer:
    from core.domain import discover

    root = typer.Typer(help="R1 Foundry: domain reasoning models with SFT, DPO and GRPO.", no_args_is_help=True,
                       add_completion=False)

    @root.command("ls")
    @friendly
    def ls_all():
        """Every domain with its rewards, builders, suites and recipes."""
        for domain in discover().values():
            _print_domain(domain)

    @root.command("doctor")
    @friendly
    def doctor():
        """What this machine can run: torch build, CUDA, bitsandbytes, vLLM, free memory."""
        from core.doctor import report

        for line in report():
            out.print(line)

    @root.command("serve-rollouts")
    @friendly
    def serve_rollouts(model: str = typer.Option(None, help="model folder or hub id (default: the recipe's model)"),
                       domain: str = typer.Option(None, help="domain whose --recipe names the model"),
                       recipe: str = typer.Option("default", help="recipe name or path (with --domain)"),
                       tensor_parallel_size: int = typer.Option(1, help="GPUs per vLLM engine"),
                       data_parallel_size: int = typer.Option(1, help="vLLM engines"),
                       port: int = typer.Option(8000, help="port; set stages.grpo.args.vllm_server_port to match"),
                       gpu_memory_utilization: float = typer.Option(0.9, help="fraction of each GPU for vLLM")):
        """Start TRL's vLLM rollout server (`trl vllm-serve`) for GRPO with `vllm_mode: server`.

        Then train on other GPUs with `stages.grpo.args.use_vllm=true stages.grpo.args.vllm_mode=server`.
        """
        import subprocess

        from core.domain import get_domain
        from core.generation import require_vllm
        from core.models import check_model_ref

        if model is None:
            if domain is None:
                raise FoundryError("pass --model, or --domain (and --recipe) to take the recipe's model")
            model = _recipe(get_domain(domain), recipe, []).model.name
        check_model_ref(model)
        require_vllm("serve-rollouts")
        cmd = [sys.executable, "-m", "trl.scripts.vllm_serve", "--model", model, "--port", str(port),
               "--tensor_parallel_size", str(tensor_parallel_size), "--data_parallel_size", str(data_parallel_size),
               "--gpu_memory_utilization", str(gpu_memory_utilization)]
        raise typer.Exit(subprocess.call(cmd))

    for name, domain in discover().items():
        root.add_typer(make_domain_app(domain), name=name)
    return root


def main() -> None:
    try:
        app = build_root()
    except FoundryError as exc:
        err.print(tag("error:", "red"), str(exc), soft_wrap=True)
        sys.exit(2)
    app()


if __name__ == "__main__":  # accelerate launch -m core.cli ...
    main()
