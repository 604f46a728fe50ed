"""Launching a command on several processes through ``accelerate launch`` (no distributed code of ours).

``--launcher ddp|fsdp2|zero2|zero3|PATH`` re-runs the same ``foundry`` command under
``accelerate launch --config_file core/accelerate/<name>.yaml``; TRL's trainers then run
data-parallel (DDP, FSDP2, DeepSpeed ZeRO-2/3). On CPUs, ``ddp`` runs gloo processes.

    foundry sql train sft --launcher ddp --num-processes 2 --data runs/sql/data --model runs/sql/model --out runs/sql/sft-ddp
"""

from __future__ import annotations

import os
import subprocess
import sys

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.registry import did_you_mean

CONFIG_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "accelerate")


def configs() -> dict[str, str]:
    return {f[:-5]: os.path.join(CONFIG_DIR, f) for f in sorted(os.listdir(CONFIG_DIR)) if f.endswith(".yaml")}


def config_path(launcher: str) -> str:
    if os.path.isfile(launcher):
        return launcher
    known = configs()
    if launcher not in known:
        raise FoundryError(f"unknown launcher '{launcher}' (not a file either);{did_you_mean(launcher, known)}")
    return known[launcher]


def check_launcher(launcher: str) -> None:
    """Fail before relaunching when the launcher's backend is not installed (one line, the fix).

    Without this, ``--launcher zero2`` on a machine without DeepSpeed ends in accelerate's
    ``ImportError`` traceback from every process.
    """
    import importlib.util

    import yaml

    from r1_foundry.core.util.io import check_utf8

    path = config_path(launcher)
    check_utf8(path)
    try:
        with open(path, encoding="utf-8") as fh:
            cfg = yaml.safe_load(fh) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise FoundryError(f"{path}: not a readable accelerate config ({exc})") from None
    if not isinstance(cfg, dict) or "distributed_type" not in cfg:
        raise FoundryError(f"{path}: not an accelerate config (expected a mapping with distributed_type; "
                           "write one with `accelerate config --config_file PATH`, or pass ddp, fsdp2, zero2 or zero3)")
    kind = str(cfg.get("distributed_type", "NO")).upper()
    if kind == "DEEPSPEED" and importlib.util.find_spec("deepspeed") is None:
        raise FoundryError(f"launcher '{launcher}' runs DeepSpeed, which is not installed; "
                           "run: pip install 'r1-foundry[deepspeed]' (on a CUDA machine), or use --launcher ddp")


def inside_launch() -> bool:
    """True in a process started by accelerate/torchrun (so we must not launch again)."""
    return "LOCAL_RANK" in os.environ or "ACCELERATE_LAUNCHED" in os.environ


def relaunch(launcher: str, num_processes: int | None, argv: list[str]) -> int:
    """Run ``foundry <argv>`` under ``accelerate launch``; return its exit code.

    ``argv`` must already be stripped of ``--launcher``/``--num-processes``.
    """
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--config_file", config_path(launcher)]
    if num_processes:
        cmd += ["--num_processes", str(num_processes)]
    cmd += ["-m", "r1_foundry.core.cli", *argv]
    env = {**os.environ, "ACCELERATE_LAUNCHED": "1"}
    return subprocess.call(cmd, env=env)


def strip_launch_args(argv: list[str]) -> list[str]:
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in ("--launcher", "--num-processes"):
            skip = True
            continue
        if a.startswith(("--launcher=", "--num-processes=")):
            continue
        out.append(a)
    return out


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def barrier() -> None:
    """Wait for every process (a no-op when not distributed)."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        from accelerate import PartialState

        PartialState(cpu=not _cuda()).wait_for_everyone()


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()
