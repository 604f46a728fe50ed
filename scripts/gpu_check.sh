#!/usr/bin/env bash
# Run on a lent H100/H200 (no hub access needed), from the repository root:
#   bash scripts/gpu_check.sh            -> $OUT/gpu_check.json (or ./gpu_check.json)
# The device machines have no package registry. Their image's python3 holds CUDA torch,
# transformers, peft and accelerate but not trl/datasets/sqlglot: fetch those here first with
#   bash scripts/gpu_wheels.sh           (writes .gpu_wheels/, about 16 MB, git-excluded)
# and carry .gpu_wheels to the device. With a registry, the old way (a .venv with the gpu extra) is used.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/gpu_env.sh
if [ -z "$py" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null \
    || .venv/bin/python -m pip install -q torch
  .venv/bin/python -m pip install -q -e ".[sql,gpu]" || .venv/bin/python -m pip install -q -e ".[sql]"
  py=.venv/bin/python
fi
timeout 540 "$py" scripts/gpu_check.py --out "${OUT:-.}/gpu_check.json" "$@"
