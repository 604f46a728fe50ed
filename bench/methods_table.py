"""The table of bench/methods.py: per-arm mean and sample s.d. over seeds, the paired difference
to the best SFT-only arm and the "beats" rule (``summarise``), as markdown and as a PNG."""

from __future__ import annotations

import statistics

SFT_KINDS = {"sft"}


def matrix_first_stage(rows: list[dict], arm: str) -> str | None:
    """The arm's first stage when it is an SFT stage (the shared one), else None."""
    r = next((r for r in rows if r["arm"] == arm and r.get("stage_seconds")), None)
    if r is None or not r["kinds"] or r["kinds"][0] != "sft":
        return None
    return (r.get("stages") or list(r["stage_seconds"]))[0]  # rows written before "stages": timings' order


def summarise(rows: list[dict], arms: list[str], primary: str) -> dict:
    """Mean and sample standard deviation over seeds per arm, and each arm minus the best
    SFT-only arm, paired by seed."""
    table = {}
    for arm in arms:
        vals = [r["value"] for r in rows if r["arm"] == arm and r.get("value") is not None]
        secs = [r["train_seconds"] for r in rows if r["arm"] == arm and r.get("value") is not None]
        first = matrix_first_stage(rows, arm)
        added = [r["train_seconds"] - (r.get("stage_seconds") or {}).get(first, 0.0)
                 for r in rows if r["arm"] == arm and r.get("value") is not None and first]
        ok = [r for r in rows if r["arm"] == arm and r.get("value") is not None]
        stage_means = {}
        for name in (ok[0].get("stage_values") or {}) if ok else ():
            got = [r["stage_values"][name] for r in ok if name in (r.get("stage_values") or {})]
            stage_means[name] = statistics.fmean(got)
        walls = [r["pipeline_seconds"] for r in ok if r.get("pipeline_seconds") is not None]
        table[arm] = {"stage_means": stage_means, "pipeline_seconds": statistics.fmean(walls) if walls else None,
                      "n": len(vals), "mean": statistics.fmean(vals) if vals else None,
                      "sd": statistics.stdev(vals) if len(vals) > 1 else None, "values": vals,
                      "train_seconds": statistics.fmean(secs) if secs else None,
                      "added_seconds": statistics.fmean(added) if added else None,
                      "sft_only": all(k in SFT_KINDS for r in rows if r["arm"] == arm for k in r["kinds"]),
                      "failed": [r["error"] for r in rows if r["arm"] == arm and r.get("error")]}
    sft_arms = [a for a in arms if table[a]["sft_only"] and table[a]["mean"] is not None]
    best = max(sft_arms, key=lambda a: table[a]["mean"]) if sft_arms else None
    by_seed = {(r["arm"], r["seed"]): r.get("value") for r in rows}
    for arm in arms:
        if best is None or arm == best:
            continue
        diffs = [by_seed[(arm, s)] - by_seed[(best, s)] for (a, s) in by_seed
                 if a == arm and by_seed[(arm, s)] is not None and by_seed.get((best, s)) is not None]
        if diffs:
            spread = max(x for x in (table[arm]["sd"], table[best]["sd"], 0.0) if x is not None)
            table[arm]["vs_best_sft"] = {
                "mean": statistics.fmean(diffs), "sd": statistics.stdev(diffs) if len(diffs) > 1 else None,
                "diffs": diffs, "beats": len(diffs) >= 3 and all(d > 0 for d in diffs) and statistics.fmean(diffs) > spread}
    return {"primary": primary, "best_sft": best, "arms": table}


def _pct(x) -> str:
    return "—" if x is None else f"{100 * x:.1f}"


def to_markdown(summary: dict, matrix: dict, command: str, machine: str, passk: dict) -> str:
    arms = summary["arms"]
    lines = [f"Held-out {summary['primary']} (%), mean ± sample s.d. over seeds; `{command}`; {machine}.", "",
             "| arm | stages | seeds | mean | s.d. | per seed | vs best SFT (paired) | train time (s) | added to SFT (s) |"
             " per stage (mean) | pipeline (s) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for arm, t in arms.items():
        vs = t.get("vs_best_sft")
        vs_text = "—" if arm == summary["best_sft"] else ("—" if not vs else
                                                           f"{100 * vs['mean']:+.1f}" + (f" ± {100 * vs['sd']:.1f}" if vs["sd"] is not None else "")
                                                           + (" **beats**" if vs["beats"] else ""))
        per = ", ".join(_pct(v) for v in t["values"]) + (f" ({len(t['failed'])} failed)" if t["failed"] else "")
        spec = matrix["arms"][arm]
        names = spec["stages"] if isinstance(spec, dict) else spec
        sets = " ".join(f"`{x}`" for x in spec.get("set") or []) if isinstance(spec, dict) else ""
        means = t.get("stage_means") or {}
        stages_text = " → ".join(f"{n} {_pct(means[n])}" for n in names if n in means) if len(means) > 1 else "—"
        wall = t.get("pipeline_seconds")
        lines.append(f"| {arm} | {' → '.join(names)}{' (' + sets + ')' if sets else ''} | {t['n']} | {_pct(t['mean'])} | "
                     f"{_pct(t['sd'])} | {per} | {vs_text} | {'—' if t['train_seconds'] is None else round(t['train_seconds'])} | "
                     f"{'—' if t.get('added_seconds') is None else round(t['added_seconds'])} | {stages_text} | "
                     f"{'—' if wall is None else round(wall)} |")
    winners = [a for a, t in arms.items() if (t.get("vs_best_sft") or {}).get("beats")]
    lines += ["", f"Best SFT-only arm: {summary['best_sft']}. " + (
        f"Beating it beyond the spread (every seed better, mean gain above the larger s.d.): {', '.join(winners)}."
        if winners else "No arm beats it beyond the run-to-run spread (every seed better and the mean gain above "
                        "the larger s.d. of the two arms).")]
    if passk:
        lines += ["", "Headroom of the sampled arm's final model (`--pass-k-arm`, default `sft`; held-out, temperature 1):", "",
                  "| seed | greedy | per-sample mean | " + " | ".join(k for k in next(iter(passk.values())) if "@" in k) + " |",
                  "|---|---|---|" + "---|" * sum("@" in k for k in next(iter(passk.values())))]
        for seed, p in passk.items():
            lines.append(f"| {seed} | {_pct(p.get('greedy'))} | {_pct(p['sample_mean'])} | "
                         + " | ".join(_pct(v) for k, v in p.items() if "@" in k) + " |")
    return "\n".join(lines) + "\n"


def plot(summary: dict, path: str, title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    arms = [a for a, t in summary["arms"].items() if t["mean"] is not None]
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(arms)), 4))
    for i, arm in enumerate(arms):
        t = summary["arms"][arm]
        colour = "tab:blue" if t["sft_only"] else "tab:orange"
        ax.bar(i, 100 * t["mean"], color=colour, alpha=0.6, yerr=100 * (t["sd"] or 0), capsize=4)
        ax.scatter([i] * len(t["values"]), [100 * v for v in t["values"]], color="black", s=12, zorder=3)
    if summary["best_sft"]:
        ax.axhline(100 * summary["arms"][summary["best_sft"]]["mean"], color="tab:blue", ls="--", lw=1)
    ax.set_xticks(range(len(arms)), arms, rotation=30, ha="right")
    ax.set_ylabel(f"held-out {summary['primary']} (%)")
    ax.set_title(title + " (bars: mean ± s.d.; dots: seeds; blue: SFT only)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
