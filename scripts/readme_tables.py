"""Fill each domain README's generated sections from the committed files under cards/<domain>/:
the model card's results (results.json, run.json), its spread over seeds where measured (seeds.json,
from scripts/card_seeds.py) and the reward-hacking audit (audit.md).

    .venv/bin/python scripts/readme_tables.py          # after scripts/make_cards.sh (make cards)
    .venv/bin/python scripts/readme_tables.py --check  # exit 1 when a README differs from its files (CI)

The sections sit between ``<!-- cards:results begin -->`` / ``end`` and ``<!-- cards:audit
begin -->`` / ``end`` markers; everything else in the README is left alone.
"""

from __future__ import annotations

import json
import os
import re
import sys

from r1_foundry.core.schema.domain import names
from r1_foundry.core.schema.recipe import BASE_ROW

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOMAINS = tuple(names())  # every discovered domain (a card per domain is required)


def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def results_section(domain: str) -> str:
    """A card's table for its domain README; ``domain`` is the card folder (``sql``, ``sql-pretrained``)."""
    folder = os.path.join(ROOT, "cards", domain)
    res = json.load(open(os.path.join(folder, "results.json")))["stages"]
    run = json.load(open(os.path.join(folder, "run.json")))
    stages = list(res)
    first = res[stages[0]]
    metrics = list(first["metrics"])
    seeds = _seeds(domain)
    lines = [f"From [`cards/{domain}/`](../../cards/{domain}/README.md), the model card of "
             f"`{run['command']}` (regenerate with `make cards`): {run['seconds'] // 60} min {run['seconds'] % 60} s "
             f"on {run['machine']}" + (f" ({run['note']})" if run.get("note") else "")
             + f", commit {run['commit']}, {run['date']}. Held-out split `{first.get('split', 'test')}` "
             + ("(`base`: the starting model, zero-shot) " if BASE_ROW in res else "") + 
             f"of suite `{first['suite']}`, n = {first['n']}, greedy. "
             + ("One run (seed 0); the recipe's spread over seeds is below the table: differences smaller than "
                "it are noise." if seeds else
                "One run (seed 0): it carries the recipe's run-to-run spread (see "
                "[`docs/methods.md`](../../docs/methods.md)), so differences of a few points between stages are "
                "within noise."), "",
             "| metric | " + " | ".join(stages) + " |", "|---|" + "---:|" * len(stages)]
    for m in metrics:
        lines.append(f"| {m} | " + " | ".join(_fmt(res[s]["metrics"].get(m)) for s in stages) + " |")
    also = first.get("also") or {}
    for split in also:
        lines += ["", f"Also scored on `{split}` (n = {also[split]['n']}):", "",
                  "| metric | " + " | ".join(stages) + " |", "|---|" + "---:|" * len(stages)]
        for m in also[split]["metrics"]:
            lines.append(f"| {m} | " + " | ".join(_fmt(((res[s].get("also") or {}).get(split) or {}).get("metrics", {})
                                                       .get(m)) for s in stages) + " |")
    if seeds:
        lines += ["", seeds_section(domain, seeds)]
    return "\n".join(lines)


def _seeds(domain: str) -> dict | None:
    path = os.path.join(ROOT, "cards", domain, "seeds.json")
    return json.load(open(path)) if os.path.isfile(path) else None


def _n_seeds(seeds: dict) -> int:
    return max(len(e["values"]) for e in seeds["stages"].values())


def _spread(entry: dict) -> str:
    return f"{entry['mean']:.3f} ± {entry['sd']:.3f}" if entry.get("sd") is not None else f"{entry['mean']:.3f}"


def seeds_section(domain: str, seeds: dict) -> str:
    """Mean ± sample s.d. over seeds per stage (every metric where recorded, else the primary one),
    and each later stage minus the first on the primary metric, paired by seed."""
    stages = seeds["stages"]
    first = next(iter(stages))
    lines = [f"Over {_n_seeds(seeds)} seeds (from [`cards/{domain}/seeds.json`](../../cards/{domain}/seeds.json): "
             f"`{seeds['command']}` on {seeds['machine']}" + (f"; {seeds['note']}" if seeds.get("note") else "")
             + "), mean ± s.d.:", ""]
    if all("metrics" in e for e in stages.values()):
        lines += table_of(stages, lambda e: e["metrics"])
        splits = dict.fromkeys(x for e in stages.values() for x in e.get("also") or {})
        for split in splits:
            lines += ["", f"Also on `{split}`:", ""] + table_of(stages, lambda e, x=split: (e.get("also") or {}).get(x, {}))
    else:  # the primary metric only: each stage's entry is its mean ± s.d.
        lines += table_of(stages, lambda e: {seeds["primary"]: e})
    for stage, e in stages.items():
        vs = e.get(f"vs_{first}")
        if vs:
            lines += ["", f"{stage} − {first} on `{seeds['primary']}`, paired by seed: {_spread(vs)} "
                          f"(per seed: " + ", ".join(f"{d:+.3f}" for d in vs["diffs"]) + ")."]
    return "\n".join(lines)


def table_of(stages: dict, metrics_of) -> list[str]:
    names = list(dict.fromkeys(m for e in stages.values() for m in metrics_of(e)))
    rows = ["| metric | " + " | ".join(stages) + " |", "|---|" + "---|" * len(stages)]
    for m in names:
        cells = [metrics_of(e).get(m) for e in stages.values()]
        rows.append(f"| {m} | " + " | ".join(_spread(c) if c and c.get("mean") is not None else "–" for c in cells)
                    + " |")
    return rows


def audit_section(domain: str) -> str:
    folder = os.path.join(ROOT, "cards", domain)
    table = open(os.path.join(folder, "audit.md")).read().strip()
    report = json.load(open(os.path.join(folder, "audit.json")))
    n = len(report["findings"])
    return (f"`foundry {domain} audit` on the default data (smoke build, every split with gold completions), "
            f"from [`cards/{domain}/audit.json`](../../cards/{domain}/audit.json): mean weighted total per probe and "
            f"preset, with its share of the gold's margin over the lowest total in brackets; a probe without a right "
            f"answer is a finding at >= the gold or above {report['floor']:.0%} of the margin (see `core/rewards/audit.py`). "
            f"Findings: {n}.\n\n{table}")


def summary_table(cards: list[tuple[str, str]], labels: tuple[str, str, str, str]) -> str:
    """A main-README table: per (domain, card folder) the primary metric of base, SFT and the last
    stage, the spread over seeds and the wall time; ``labels`` name the base, SFT, seeds and time columns."""
    base, sft, over_label, time_label = labels
    lines = [f"| domain | held-out split (n) | primary metric | {base} | {sft} | last stage | {over_label} | "
             f"{time_label} |", "|---|---|---|---:|---:|---:|---|---|"]
    for d, card in cards:
        folder = os.path.join(ROOT, "cards", card)
        res = json.load(open(os.path.join(folder, "results.json")))["stages"]
        run = json.load(open(os.path.join(folder, "run.json")))
        first = next(iter(res.values()))
        primary, last = first["primary"], list(res)[-1]
        seeds = _seeds(card)
        over = "–"
        if seeds and seeds["primary"] == primary:
            over = " → ".join(_spread(x) for x in seeds["stages"].values()) + f" ({_n_seeds(seeds)} seeds)"
        cells = [_fmt(res[s]["metrics"].get(primary)) if s in res else "–" for s in (BASE_ROW, "sft")]
        cells += [f"{_fmt(res[last]['metrics'].get(primary))} ({last})", over]
        lines.append(f"| [{d}](cards/{card}/README.md) | {first['suite']} {first.get('split', 'test')} ({first['n']}) | "
                     f"{primary} | " + " | ".join(cells) + f" | {run['seconds'] // 60} min {run['seconds'] % 60} s"
                     + (f" ({run['note']})" if run.get("note") else "") + " |")
    return "\n".join(lines)


def summary_section() -> str:
    """The main README's table: each domain's default card."""
    return summary_table([(d, d) for d in DOMAINS], ("base", "SFT", "over seeds: SFT → last stage", "pipeline wall time"))


def pretrained_cards() -> list[str]:
    return [d for d in DOMAINS if os.path.isfile(os.path.join(ROOT, "cards", f"{d}-pretrained", "results.json"))]


def pretrained_section(domain: str) -> str:
    """The domain README's section on ``--recipe pretrained`` (SmolLM2): its card, or that there is none yet."""
    if domain in pretrained_cards():
        return results_section(f"{domain}-pretrained")
    return (f"No committed card of `foundry {domain} pipeline --recipe pretrained` yet; its smoke preset runs on the "
            "real model (`--preset smoke`).")


def pretrained_summary_section() -> str:
    """The main README's table of the pretrained (SmolLM2) cards: base -> SFT -> RL on the primary metric."""
    return summary_table([(d, f"{d}-pretrained") for d in pretrained_cards()],
                         ("base (zero-shot)", "SFT (LoRA)", "over seeds: SFT → last", "wall time"))


def fill(text: str, name: str, body: str) -> str:
    begin, end = f"<!-- cards:{name} begin -->", f"<!-- cards:{name} end -->"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"README lacks the {begin} ... {end} markers")
    return pattern.sub(lambda _: f"{begin}\n{body}\n{end}", text)


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    for d in DOMAINS:
        path = os.path.join(ROOT, "domains", d, "README.md")
        text = open(path, encoding="utf-8").read()
        new = fill(fill(text, "results", results_section(d)), "audit", audit_section(d))
        new = fill(new, "pretrained", pretrained_section(d))
        if new != text:
            stale.append(path)
            if not check:
                open(path, "w", encoding="utf-8").write(new)
    path = os.path.join(ROOT, "README.md")
    text = open(path, encoding="utf-8").read()
    new = fill(fill(text, "summary", summary_section()), "pretrained", pretrained_summary_section())
    if new != text:
        stale.append(path)
        if not check:
            open(path, "w", encoding="utf-8").write(new)
    if check and stale:
        print("stale README tables (run: make cards, or python scripts/readme_tables.py):", *stale)
        return 1
    print(("up to date" if check else "wrote") + f": {len(DOMAINS) + 1} READMEs" + (f" ({len(stale)} changed)" if stale else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
