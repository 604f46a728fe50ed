"""``foundry serve-rollouts``: TRL's vLLM rollout server (``trl vllm-serve``) for GRPO with
``vllm_mode: server``; then train on other GPUs with ``stages.grpo.args.use_vllm=true
stages.grpo.args.vllm_mode=server``."""

from __future__ import annotations

import subprocess
import sys

import typer

from r1_foundry.core.cli.common import friendly, load_domain_recipe
from r1_foundry.core.util.errors import FoundryError


def command(model: str | None, domain: str | None, recipe: str, tensor_parallel_size: int, data_parallel_size: int,
            port: int, gpu_memory_utilization: float) -> list[str]:
    """The server's command line (checks the model reference and that vLLM is installed)."""
    from r1_foundry.core.modeling.generation import require_vllm
    from r1_foundry.core.modeling.models import check_model_ref
    from r1_foundry.core.schema.domain import get_domain

    if model is None:
        if domain is None:
            raise FoundryError("pass --model, or --domain (and --recipe) to take the recipe's model")
        model = load_domain_recipe(get_domain(domain), recipe, []).model.name
    check_model_ref(model)
    require_vllm("serve-rollouts")
    return [sys.executable, "-m", "trl.scripts.vllm_serve", "--model", model, "--port", str(port),
            "--tensor_parallel_size", str(tensor_parallel_size), "--data_parallel_size", str(data_parallel_size),
            "--gpu_memory_utilization", str(gpu_memory_utilization)]


def register_root(root: typer.Typer) -> None:
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
        cmd = command(model, domain, recipe, tensor_parallel_size, data_parallel_size, port, gpu_memory_utilization)
        raise typer.Exit(subprocess.call(cmd))
