"""Record a card's run-to-run spread: cards/<domain>/seeds.json from a methods matrix over seeds
(bench/methods.py's methods.json) whose arms are the card recipe's stages, keyed by the card's
stage names so scripts/readme_tables.py can put mean ± s.d. beside the card's single run.

    python scripts/card_seeds.py medical docs/methods-medical.json sft=sft grpo=sft-grpo --runs runs/methods/medical
    python scripts/card_seeds.py sql docs/methods-sql-gpu.json sft=sft-1300 self-dpo=sft1300-self-dpo \\
        --note "the card ran on 2 CPU cores; these seeds on the H200"

The methods file should be committed (docs/methods-<domain>.json): tests re-derive seeds.json from
it. Each STAGE=ARM maps a card stage to the matrix arm that ends with it (the arm of the card's first
stage first: later stages are paired with it by seed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _stats(values: list) -> dict:
    """Mean and sample s.d. of the values that are not None (None where too few), and the values."""
    vals = [v for v in values if v is not None]
    return {"mean": statistics.fmean(vals) if vals else None, "sd": statistics.stdev(vals) if len(vals) > 1 else None,
            "values": values}


def seeds_record(methods: dict, mapping: list[tuple[str, str]], note: str = "", source: str = "") -> dict:
    rows = [r for r in methods["rows"] if r.get("value") is not None]
    by_arm = {arm: {r["seed"]: r["value"] for r in rows if r["arm"] == arm} for _, arm in mapping}
    first_stage, first_arm = mapping[0]
    stages = {}
    for stage, arm in mapping:
        vals = by_arm[arm]
        if not vals:
            raise ValueError(f"arm '{arm}' has no finished seed in the methods file")
        seeds = sorted(vals)
        entry = {"arm": arm, "seeds": seeds, **_stats([vals[s] for s in seeds])}
        paired = [s for s in seeds if s in by_arm[first_arm]]
        if stage != first_stage and paired:
            diff = _stats([vals[s] - by_arm[first_arm][s] for s in paired])
            entry[f"vs_{first_stage}"] = {"mean": diff["mean"], "sd": diff["sd"], "diffs": diff["values"]}
        stages[stage] = entry
    # a matrix filled by several calls into one --out names them all (bench/methods.py's "commands")
    command = "; then ".join(methods.get("commands") or [methods["command"]])
    return {"primary": methods["summary"]["primary"], "command": command, "machine": methods["machine"],
            "note": note, "source": source, "stages": stages}


def every_metric(runs_dir: str, stage: str, arm: str, seeds: list[int]) -> dict:
    """Mean ± s.d. of every metric of ``stage`` (and of its ``also`` splits) over the seed runs
    ``runs_dir/s<seed>/<arm>/eval/results.json`` that bench/methods.py left."""
    per_seed = []
    for seed in seeds:
        path = os.path.join(runs_dir, f"s{seed}", arm, "eval", "results.json")
        with open(path) as fh:
            per_seed.append(json.load(fh)["stages"][stage])
    out = {"metrics": {m: _stats([r["metrics"].get(m) for r in per_seed]) for m in per_seed[0]["metrics"]}}
    also = per_seed[0].get("also") or {}
    if also:
        out["also"] = {split: {m: _stats([((r.get("also") or {}).get(split) or {}).get("metrics", {}).get(m)
                                          for r in per_seed]) for m in also[split]["metrics"]} for split in also}
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("domain")
    p.add_argument("methods_json")
    p.add_argument("mapping", nargs="+", help="STAGE=ARM, the card's first stage first")
    p.add_argument("--note", default="")
    p.add_argument("--runs", default="", help="the matrix's run folder (runs/methods/<domain>): adds every metric's "
                                               "mean ± s.d. from its seeds' eval/results.json")
    a = p.parse_args(argv)
    mapping = [tuple(m.split("=", 1)) for m in a.mapping]
    if any(len(m) != 2 or not all(m) for m in mapping):
        print(f"each mapping is STAGE=ARM, got {a.mapping}", file=sys.stderr)
        return 2
    try:
        with open(a.methods_json) as fh:
            methods = json.load(fh)
    except (OSError, json.JSONDecodeError) as e:
        print(f"{a.methods_json}: {e}", file=sys.stderr)
        return 2
    results = os.path.join(ROOT, "cards", a.domain, "results.json")
    card_stages = list(json.load(open(results))["stages"])
    unknown = [s for s, _ in mapping if s not in card_stages]
    if unknown:
        print(f"{results} has stages {card_stages}, not {unknown}", file=sys.stderr)
        return 2
    try:
        record = seeds_record(methods, mapping, a.note, os.path.relpath(os.path.abspath(a.methods_json), ROOT))
    except (KeyError, ValueError) as e:
        print(f"{a.methods_json}: {e}", file=sys.stderr)
        return 2
    if a.runs:
        for stage, entry in record["stages"].items():
            try:
                entry.update(every_metric(a.runs, stage, entry["arm"], entry["seeds"]))
            except (OSError, KeyError, json.JSONDecodeError) as e:
                print(f"{a.runs}: stage {stage} of arm {entry['arm']}: {e!r}", file=sys.stderr)
                return 2
    path = os.path.join(ROOT, "cards", a.domain, "seeds.json")
    with open(path, "w") as fh:
        json.dump(record, fh, indent=1)
    print("wrote", path, {s: f"{e['mean']:.3f} ± {e['sd'] or 0:.3f} (n={len(e['values'])})" for s, e in record["stages"].items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
