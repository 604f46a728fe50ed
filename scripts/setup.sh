#!/usr/bin/env bash
# Idempotent set-up: .venv/, torch==2.13.0 first (the CPU wheel on a CPU machine, so no
# multi-GB CUDA build is pulled), then R1 Foundry with the extras given (default: sql,chem).
#   bash scripts/setup.sh                 # to run pipelines
#   bash scripts/setup.sh sql,chem,dev    # to run the tests too
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-sql,chem}"
python="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$python" -m venv .venv
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q "torch==2.13.0"
fi
stamp=".venv/.r1-foundry-$extras-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q -e ".[$extras]"
  touch "$stamp"
fi
