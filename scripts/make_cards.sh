#!/usr/bin/env bash
# Regenerate the committed model cards: each domain's default pipeline, run here, copied to
# cards/<domain>/ (README.md = the card, results.json, recipe.yaml, PNGs, run.json with the wall
# time, machine and commit), then the README tables that come from those files.
#   bash scripts/make_cards.sh               # every domain, one after another (about an hour on 2 cores)
#   bash scripts/make_cards.sh sql chem      # some of them
#   bash scripts/make_cards.sh sql:pretrained medical:pretrained   # another recipe -> cards/<domain>-<recipe>/
#   bash scripts/make_cards.sh --pretrained  # every committed cards/<domain>-pretrained/ (SmolLM2, about 20 min each)
set -euo pipefail
cd "$(dirname "$0")/.."
domains=("$@")
if [ "${domains[0]:-}" = "--pretrained" ]; then
  mapfile -t domains < <(ls -d cards/*-pretrained | sed 's#cards/##; s#-pretrained$#:pretrained#')
fi
[ ${#domains[@]} -gt 0 ] || mapfile -t domains < <(.venv/bin/foundry ls --names)  # every discovered domain
for entry in "${domains[@]}"; do
  d="${entry%%:*}"
  recipe="default"; name="$d"
  if [ "$entry" != "$d" ]; then recipe="${entry#*:}"; name="$d-$recipe"; fi
  run="runs/cards/$name"
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
  # code and recipes only: the README tables this script regenerates after each card are not the run's code
  dirty=$(git status --porcelain -- core domains ':(exclude)*.md')
  echo "cards: $d pipeline --recipe $recipe -> $run"
  mkdir -p runs
  .venv/bin/foundry "$d" pipeline --recipe "$recipe" --out "$run" >"runs/cards-$name.log" 2>&1 || { echo "cards: $name failed, see runs/cards-$name.log"; exit 1; }
  seconds=$(( $(date +%s) - start ))
  rm -rf "cards/$name"
  mkdir -p "cards/$name"
  cp "$run/README.md" "$run/recipe.yaml" "cards/$name/"
  cp "$run/eval/results.json" "cards/$name/results.json"
  cp "$run"/*.png "cards/$name/" 2>/dev/null || true
  (cd "$run" && find eval -name "*.png" -exec cp --parents {} "../../../cards/$name/" \;)
  .venv/bin/foundry "$d" audit --out "cards/$name" >"runs/cards-$name-audit.log" 2>&1 || { echo "cards: $name audit has findings, see runs/cards-$name-audit.log"; exit 1; }
  .venv/bin/python - "$d" "$seconds" "$commit" "$dirty" "$recipe" "$name" <<'PY'
import json, os, platform, sys
d, seconds, commit, dirty, recipe, name = sys.argv[1], int(sys.argv[2]), sys.argv[3], bool(sys.argv[4].strip()), sys.argv[5], sys.argv[6]
flag = "" if recipe == "default" else f" --recipe {recipe}"
info = {"domain": d, "recipe": recipe, "command": f"foundry {d} pipeline{flag} --out runs/cards/{name}", "seconds": seconds,
        "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()}",
        "commit": commit + ("+local changes" if dirty else ""), "date": __import__("datetime").date.today().isoformat()}
json.dump(info, open(f"cards/{name}/run.json", "w"), indent=1)
print(f"cards: {name} done in {seconds // 60} min {seconds % 60} s")
PY
done
.venv/bin/python scripts/readme_tables.py
