#!/usr/bin/env bash
# A domain's training-methods matrix (DOMAIN, default sql) on a lent GPU box (H100/H200, 16 cores):
# many arms at once (bench/methods.py --jobs), the tiny default recipe, three seeds. Results to $OUT (or ./gpu-methods):
# methods.json/.md/.png, the run's log, and runs.tgz (every arm's results, logs and timings; no weights).
#   bash scripts/gpu_wheels.sh                    # here, once: wheels the device image lacks
#   device run, carry [.gpu_wheels]: bash scripts/gpu_methods.sh [SECONDS] [JOBS] [ARMS] [OVERRIDES...]
# chem also needs RDKit and its metric libraries: WHEELS=DIR names a folder holding those wheels too.
# SECONDS (default 420) bounds the matrix: arms still running then are stopped and left out of the
# table (methods.json is written after every arm). Then scripts/gpu_check.py runs if time is left.
set -uo pipefail
cd "$(dirname "$0")/.."
limit=${1:-420}
jobs=${2:-20}
arms=${3:-sft,sft-self-dpo,sft-grpo,sft-rft,sft-rft-grpo,sft-grpo-window,grpo-only,sft-2000,sft-3000,sft-650,sft650-grpo}
domain=${DOMAIN:-sql}
out=${OUT:-$PWD/gpu-methods}
runs=${RUNS:-/tmp/methods-gpu}
mkdir -p "$out"
source scripts/gpu_env.sh
py=${py:-.venv/bin/python}
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
begin=$(date +%s)
(command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=timestamp,name,utilization.gpu,memory.used \
  --format=csv -l 20 >"$out/gpu-load.csv" 2>/dev/null) &
smi=$!
set -o pipefail
timeout -k 5 "$limit" "$py" bench/methods.py --domain "$domain" --seeds 0 1 2 --jobs "$jobs" --arms "$arms" \
  --out "$runs" "${@:4}" 2>&1 | tee "$out/methods.log" | grep --line-buffered '^\[methods\]'
echo "matrix: exit $? after $(( $(date +%s) - begin )) s"
pkill -9 -f spawn_main 2>/dev/null; kill "$smi" 2>/dev/null
"$py" bench/methods.py --domain "$domain" --seeds 0 1 2 --arms "$arms" --out "$runs" --report >/dev/null 2>"$out/report.err"
cp "$runs"/methods.json "$runs"/methods.md "$runs"/methods.png "$out"/ 2>/dev/null
cat "$runs"/methods.md 2>/dev/null
(cd "$runs" && find . \( -name data -o -name 'checkpoint-*' -o -name model \) -prune -o -type f \
  \( -name '*.json' -o -name '*.log' -o -name '*.md' -o -name '*.jsonl' \) ! -name 'samples-*' -print0 \
  | tar czf "$out/runs.tgz" --null -T -)
ls -la "$out"
left=$(( ${TOTAL:-560} - ($(date +%s) - begin) ))
if [ "$left" -gt 90 ] && [ -f scripts/gpu_check.py ]; then
  echo "gpu_check with ${left} s left"
  timeout -k 5 $(( left - 10 )) "$py" scripts/gpu_check.py --out "$out/gpu_check.json" || echo "gpu_check: exit $?"
fi
echo "total $(( $(date +%s) - begin )) s"
