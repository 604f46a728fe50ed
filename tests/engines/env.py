"""The engines' environment for tests/engines: the verl and OpenRLHF releases the README names, installed
with ``--no-deps`` into a folder of their own (``pip install --target``), plus the small modules their
reward, data and argument code imports. The check scripts run with that folder first on ``PYTHONPATH``
over this project's environment (torch, transformers, datasets from here; the engines' own pins on
transformers, DeepSpeed, flash-attn and vLLM are not installed: DeepSpeed and vLLM are never imported on
the paths checked).

The folder is cached under ``$R1_FOUNDRY_ENGINES`` (default ``~/.cache/r1-foundry``), keyed by the list
below; pip's own wheel cache serves reinstalls. Measured on the 2-core development machine: about 285 MB,
10-15 s to install from PyPI (ray is most of it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

VERL = "verl==0.9.1"
OPENRLHF = "openrlhf==0.11.2"
PACKAGES = (
    VERL, OPENRLHF,
    # verl's protocol, config, reward loop and dataset code; OpenRLHF's utils import
    "ray==2.60.0", "tensordict==0.15.3", "pyvers==0.2.3", "hydra-core==1.3.8", "omegaconf==2.4.0",
    "antlr4-python3-runtime==4.9.3", "codetiming==1.4.0", "pylatexenc==2.11", "orjson==3.13.0",
    # ray's own imports
    "msgpack==1.2.4", "protobuf==7.36.2", "jsonschema==4.26.0", "jsonschema-specifications==2025.9.1",
    "referencing==0.37.0", "rpds-py==2026.9.1", "attrs==26.1.0",
    # aiohttp (verl's reward loop, OpenRLHF's agent)
    "aiohttp==3.14.5", "aiosignal==1.4.0", "aiohappyeyeballs==2.7.1", "frozenlist==1.8.0", "multidict==7.2.1",
    "yarl==1.25.1", "propcache==0.5.4",
)


def site() -> str:
    """The engines' folder, installed on first use (a failed install leaves nothing behind)."""
    key = hashlib.sha1("\n".join(PACKAGES).encode()).hexdigest()[:12]
    root = os.environ.get("R1_FOUNDRY_ENGINES") or os.path.join(os.path.expanduser("~"), ".cache", "r1-foundry")
    target = os.path.join(root, f"engines-{key}")
    if os.path.isfile(os.path.join(target, ".complete")):
        return target
    tmp = f"{target}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", tmp, *PACKAGES],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError(f"installing the engines failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    open(os.path.join(tmp, ".complete"), "w").close()
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    return target


def run(script: str, job_file: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """One of the check scripts beside this file, under the engines' folder."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([site(), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
           "RAY_USAGE_STATS_ENABLED": "0", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    return subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), script), job_file], env=env,
                          capture_output=True, text=True, timeout=timeout)
