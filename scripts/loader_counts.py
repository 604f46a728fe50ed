"""Rows in a real-layout file vs the examples a loader keeps, for every loader that has a sample of
the official file in ``../shared/data`` (header + the first N rows of the real file; see its
README), plus the committed fixtures written in the official layouts. Prints a markdown table.

    .venv/bin/python scripts/loader_counts.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
from contextlib import redirect_stdout

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")


def rows_in(path: str) -> int:
    """Records in the source file as its format counts them (JSON list/dict entries, JSONL lines,
    CSV/TSV records after the header)."""
    if os.path.isdir(path):
        path = os.path.join(path, "train.tsv")
    with open(path, encoding="utf-8", newline="") as fh:
        text = fh.read()
    if path.endswith(".json"):
        return len(json.loads(text))
    if path.endswith(".jsonl"):
        return sum(1 for line in text.splitlines() if line.strip())
    delim = "\t" if path.endswith((".tsv", ".txt")) else ","
    return max(0, sum(1 for _ in csv.reader(io.StringIO(text), delimiter=delim)) - 1)


def entries(shared: str) -> list[tuple[str, str, dict, str]]:
    s = lambda *p: os.path.join(shared, *p)  # noqa: E731
    return [
        ("chem", "chebi20", {"path": s("chebi20_sample", "test_head40.txt"), "direction": "text2mol"}, "ChEBI-20 test.txt, first 40 rows"),
        ("chem", "chebi20", {"path": os.path.join(FIX, "chebi20", "test_head12.txt"), "direction": "text2mol", "max_drop": 0.5},
         "fixture: ChEBI-20 layout, 12 rows"),
        ("medical", "medqa", {"path": s("medqa_sample", "US_4_options_phrases_no_exclude_test.sample15.jsonl")},
         "MedQA US 4-option test, 15 records"),
        ("medical", "medqa", {"path": s("medqa_sample", "US_5_options_test.sample5.jsonl")}, "MedQA US 5-option test, 5 records"),
        ("medical", "pubmedqa", {"path": s("pubmedqa_sample", "ori_pqal.sample15.json")}, "PubMedQA ori_pqal.json, 15 entries"),
        ("safety", "xstest", {"path": s("xstest_sample", "xstest_prompts.sample15.csv")}, "XSTest v2 prompts, 15 rows"),
        ("safety", "harmbench", {"path": s("harmbench_sample", "harmbench_behaviors_text_all.sample10.csv")},
         "HarmBench behaviours (CRLF), 10 rows"),
        ("safety", "strongreject", {"path": os.path.join(FIX, "safety", "strongreject_dataset.csv")}, "fixture: StrongREJECT layout"),
        ("legal", "legalbench", {"path": s("legalbench_sample", "tasks", "hearsay")}, "LegalBench tasks/hearsay/train.tsv"),
        ("legal", "mbe", {"path": os.path.join(FIX, "legal", "mbe_distilled.json")}, "fixture: bar-llama MBE layout"),
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared", "data"))
    args = ap.parse_args()
    from r1_foundry.core.schema.domain import get_domain
    from r1_foundry.core.util.errors import FoundryError

    print("| domain | loader | file | rows in the file | examples kept (splits) |")
    print("|---|---|---|---:|---|")
    for domain, builder, kwargs, what in entries(os.path.abspath(args.shared)):
        if not os.path.exists(kwargs["path"]):
            print(f"| {domain} | {builder} | {what} | - | not here ({kwargs['path']}) |")
            continue
        fn = get_domain(domain).builder(builder)
        with tempfile.TemporaryDirectory() as tmp, redirect_stdout(io.StringIO()):
            try:
                ds = fn(out=os.path.join(tmp, "data"), **kwargs)
                kept = ", ".join(f"{name} {len(part)}" for name, part in ds.items() if len(part))
            except FoundryError as exc:
                kept = f"stops: {exc}"
        print(f"| {domain} | {builder} | {what} | {rows_in(kwargs['path'])} | {kept} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
