"""SQL reward throughput on a GRPO-shaped batch vs a naive checker.

The naive checker is what a one-off pipeline usually writes: for every completion, open a
connection, run the prediction and re-run the gold query, compare as sets. Ours: cached
connections, gold results computed once per example, identical predictions run once.

    python bench/sql_reward_throughput.py [--prompts 64] [--group 8] [--repeats 3]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time

from r1_foundry.domains.sql import verify
from r1_foundry.domains.sql.data import build_synthetic
from r1_foundry.domains.sql.rewards import execution
from r1_foundry.domains.sql.sandbox import default_executor


def naive_execution_reward(completions, gold_sql, db_path):
    out = []
    for text, gold, db in zip(completions, gold_sql, db_path, strict=False):
        sql = verify.extract_sql(text)
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            pred = set(conn.execute(sql).fetchall()) if sql else None
        except sqlite3.Error:
            pred = None
        ok = pred is not None and pred == set(conn.execute(gold).fetchall())
        conn.close()
        out.append(1.0 if ok else 0.0)
    return out


def grpo_batch(ds, prompts: int, group: int, rng: random.Random):
    """``prompts`` examples x ``group`` completions: mostly the gold, some corrupted, some junk
    (a trained policy's group repeats itself a lot)."""
    rows = ds.select(range(prompts)).to_list()
    comps, golds, dbs = [], [], []
    for r in rows:
        for _ in range(group):
            roll = rng.random()
            sql = r["gold_sql"] if roll < 0.6 else r["gold_sql"].replace("SELECT", "SELECT DISTINCT", 1) \
                if roll < 0.85 else "SELECT nonsense FROM nowhere"
            comps.append(f"<think>t</think><answer>{sql}</answer>")
            golds.append(r["gold_sql"])
            dbs.append(r["db_path"])
    return comps, golds, dbs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=64)
    ap.add_argument("--group", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ds = build_synthetic(out=tmp, train_per_db=40, test_per_db=2)["train"].shuffle(seed=0)
        rng = random.Random(0)
        naive_t, ours_t = [], []
        reward = execution()
        for rep in range(args.repeats):
            comps, golds, dbs = grpo_batch(ds.shuffle(seed=rep), args.prompts, args.group, rng)
            t = time.perf_counter()
            a = naive_execution_reward(comps, golds, dbs)
            naive_t.append(time.perf_counter() - t)
            default_executor()._cache.clear()  # each batch is new to our caches too
            verify._VERDICTS.clear()
            t = time.perf_counter()
            b = reward(prompts=None, completions=comps, gold_sql=golds, db_path=dbs)
            ours_t.append(time.perf_counter() - t)
            assert len(a) == len(b)
        n = args.prompts * args.group
        naive, ours = min(naive_t), min(ours_t)
        print(f"batch: {args.prompts} prompts x {args.group} completions = {n}")
        print(f"naive checker : {naive * 1e3:8.1f} ms  ({n / naive:9.0f} completions/s)")
        print(f"sql/execution : {ours * 1e3:8.1f} ms  ({n / ours:9.0f} completions/s)")
        print(f"speed-up      : {naive / ours:.1f}x  (aim >= 5x)")


if __name__ == "__main__":
    main()
