#!/usr/bin/env bash
# Run on a lent H100/H200 (no hub access needed), from the repository root:
#   bash scripts/gpu_check.sh            -> $OUT/gpu_check.json (or ./gpu_check.json)
# Sets up .venv with the CUDA torch build and the gpu extra, then runs scripts/gpu_check.py.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null \
  || .venv/bin/python -m pip install -q torch
.venv/bin/python -m pip install -q -e ".[sql,gpu]" || .venv/bin/python -m pip install -q -e ".[sql]"
timeout 540 .venv/bin/python scripts/gpu_check.py --out "${OUT:-.}/gpu_check.json" "$@"
