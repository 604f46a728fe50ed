#!/usr/bin/env bash
# Regenerate the committed model cards: each domain's default pipeline, run here, copied to
# cards/<domain>/ (README.md = the card, results.json, recipe.yaml, PNGs, run.json with the wall
# time, machine and commit), then the README tables that come from those files.
#   bash scripts/make_cards.sh               # every domain, one after another (about an hour on 2 cores)
#   bash scripts/make_cards.sh sql chem      # some of them
set -euo pipefail
cd "$(dirname "$0")/.."
domains=("$@")
[ ${#domains[@]} -gt 0 ] || mapfile -t domains < <(.venv/bin/foundry ls --names)  # every discovered domain
for d in "${domains[@]}"; do
  run="runs/cards/$d"
  # A methods matrix may link the previous card run as its seed 0 (docs/methods.md): keep that run
  # under a dated name and point the links there, instead of deleting what they measure.
  if [ -d "$run" ] && [ ! -L "$run" ]; then
    links=$(find runs/methods -mindepth 3 -maxdepth 3 -type l -lname "$(realpath "$run")" 2>/dev/null || true)
    if [ -n "$links" ]; then
      kept="$run.$(date +%Y%m%d-%H%M%S)"
      mv "$run" "$kept"
      for link in $links; do ln -sfn "$(realpath "$kept")" "$link"; done
      echo "cards: kept the previous $d run as $kept (linked by $(echo "$links" | wc -l) methods arm(s))"
    fi
  fi
  rm -rf "$run"
  start=$(date +%s)
  commit=$(git rev-parse --short HEAD)   # the code the run starts with (edits during a run do not count)
  dirty=$(git status --porcelain -- core domains)
  echo "cards: $d pipeline -> $run"
  .venv/bin/foundry "$d" pipeline --out "$run" >"runs/cards-$d.log" 2>&1 || { echo "cards: $d failed, see runs/cards-$d.log"; exit 1; }
  seconds=$(( $(date +%s) - start ))
  rm -rf "cards/$d"
  mkdir -p "cards/$d"
  cp "$run/README.md" "$run/recipe.yaml" "cards/$d/"
  cp "$run/eval/results.json" "cards/$d/results.json"
  cp "$run"/*.png "cards/$d/" 2>/dev/null || true
  (cd "$run" && find eval -name "*.png" -exec cp --parents {} "../../../cards/$d/" \;)
  .venv/bin/foundry "$d" audit --out "cards/$d" >"runs/cards-$d-audit.log" 2>&1 || { echo "cards: $d audit has findings, see runs/cards-$d-audit.log"; exit 1; }
  .venv/bin/python - "$d" "$seconds" "$commit" "$dirty" <<'PY'
import json, os, platform, sys
d, seconds, commit, dirty = sys.argv[1], int(sys.argv[2]), sys.argv[3], bool(sys.argv[4].strip())
info = {"domain": d, "command": f"foundry {d} pipeline --out runs/cards/{d}", "seconds": seconds,
        "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()}",
        "commit": commit + ("+local changes" if dirty else ""), "date": __import__("datetime").date.today().isoformat()}
json.dump(info, open(f"cards/{d}/run.json", "w"), indent=1)
print(f"cards: {d} done in {seconds // 60} min {seconds % 60} s")
PY
done
.venv/bin/python scripts/readme_tables.py
