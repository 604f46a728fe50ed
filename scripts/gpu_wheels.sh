#!/usr/bin/env bash
# Fetch (here, where registries work) the pure-Python packages the device image lacks, as
# Python 3.12 wheels, into .gpu_wheels/ (git-excluded); then call the device tool with
# carry=[".gpu_wheels"] and `bash scripts/gpu_check.sh`. bitsandbytes and vLLM are too large to
# carry within the 64 MiB limit, so the QLoRA and vLLM checks report themselves as failed/skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx "/.gpu_wheels/" .git/info/exclude 2>/dev/null || echo "/.gpu_wheels/" >> .git/info/exclude
mkdir -p .gpu_wheels
.venv/bin/python -m pip download -q --no-deps --dest .gpu_wheels --python-version 3.12 --only-binary=:all: \
  --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform any \
  "trl==1.16.0" "transformers==5.24.0" datasets sqlglot sqlparse dill multiprocess xxhash fsspec pandas tzdata pytz
du -sh .gpu_wheels
