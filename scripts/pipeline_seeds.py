"""A card's recipe run over more seeds as plain pipelines -> the methods-matrix file that
scripts/card_seeds.py reads (the layout bench/methods.py writes), one arm per card stage.

    python scripts/pipeline_seeds.py medical-pretrained 0=runs/cards/medical-pretrained \\
        1=runs/seeds/medical-pretrained-1 2=runs/seeds/medical-pretrained-2 \\
        --out docs/methods-medical-pretrained.json --links runs/seeds/medical-pretrained-matrix
    python scripts/card_seeds.py medical-pretrained docs/methods-medical-pretrained.json sft=sft grpo=grpo \\
        --runs runs/seeds/medical-pretrained-matrix

Each run folder is ``foundry <domain> pipeline --recipe R seed=S --out DIR``; every stage evaluated
in a run becomes a row (arm = stage name, value = the suite's primary metric). ``--links`` lays the
runs out as ``<links>/s<seed>/<stage>`` -> run folder, which ``card_seeds.py --runs`` reads for
every metric. A run whose recipe differs from seed 0's in anything but the seed (and ``eval.base``)
is refused (notes aside).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys

import yaml


def _recipe(run: str) -> dict:
    with open(os.path.join(run, "recipe.yaml")) as fh:
        tree = yaml.safe_load(fh)
    tree.pop("seed", None)
    tree.pop("notes", None)  # free text
    tree.get("eval", {}).pop("base", None)  # later seeds may skip the (identical, greedy) base eval
    return tree


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("card")
    p.add_argument("runs", nargs="+", help="SEED=RUN_DIR")
    p.add_argument("--out", required=True)
    p.add_argument("--links", default="")
    p.add_argument("--note", default="")
    a = p.parse_args(argv)
    runs = {}
    for item in a.runs:
        seed, _, path = item.partition("=")
        if not seed.isdigit() or not os.path.isfile(os.path.join(path, "eval", "results.json")):
            print(f"{item}: expected SEED=RUN_DIR with RUN_DIR/eval/results.json", file=sys.stderr)
            return 2
        runs[int(seed)] = path
    first = _recipe(runs[min(runs)])
    rows, primary = [], None
    for seed, path in sorted(runs.items()):
        if _recipe(path) != first:
            print(f"{path}: its recipe differs from seed {min(runs)}'s beyond the seed", file=sys.stderr)
            return 2
        with open(os.path.join(path, "eval", "results.json")) as fh:
            stages = json.load(fh)["stages"]
        times = {}
        if os.path.isfile(os.path.join(path, "timings.json")):
            with open(os.path.join(path, "timings.json")) as fh:
                times = json.load(fh)
        for stage, res in stages.items():
            primary = primary or res["primary"]
            rows.append({"arm": stage, "seed": seed, "value": res["metrics"].get(primary),
                         "train_seconds": times.get(stage), "run": path})
        if a.links:
            for stage in stages:
                link = os.path.join(a.links, f"s{seed}", stage)
                os.makedirs(os.path.dirname(link), exist_ok=True)
                if os.path.islink(link):
                    os.unlink(link)
                os.symlink(os.path.abspath(path), link)
    cmd = " ".join(["python scripts/pipeline_seeds.py", a.card, *a.runs, "--out", a.out])
    record = {"command": cmd, "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()}",
              "note": a.note, "summary": {"primary": primary}, "rows": rows}
    with open(a.out, "w") as fh:
        json.dump(record, fh, indent=1)
    print("wrote", a.out, f"({len(rows)} rows, primary {primary})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
