"""Chemistry reward throughput on a GRPO-shaped batch: R1 Foundry vs a naive implementation.

The batch is P prompts x G completions from the test split, each group a realistic mix (the gold
answer, near misses, invalid strings, repeats: a GRPO group often repeats an answer). Both sides
compute the MolReasoner and ether0 rewards; they must agree on every value.

- naive: per completion, RDKit in this process with no cache: parse the answer and the gold,
  canonicalise both, three fingerprints each (what a one-off script does);
- R1 Foundry: ``chem/molreasoner`` + ``chem/ether0`` (child process with deadline, one parse per
  distinct string, Tanimoto on cached on-bits), cold cache at the start of every round.

    python bench/chem_reward_throughput.py [--prompts 64] [--generations 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])


def naive_rewards(texts, examples):
    from rdkit import Chem, DataStructs, RDLogger
    from rdkit.Chem import MACCSkeys, rdFingerprintGenerator

    from r1_foundry.domains.chem import verify

    RDLogger.DisableLog("rdApp.*")
    morgan = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    rdk = rdFingerprintGenerator.GetRDKitFPGenerator(fpSize=2048)
    out = []
    for text, ex in zip(texts, examples, strict=True):
        answer = verify.extract_answer(text)
        pred = Chem.MolFromSmiles(answer) if answer else None
        gold = Chem.MolFromSmiles(ex["answer"])
        if pred is None or pred.GetNumAtoms() == 0:
            out.append((0.0, 0.0))
            continue
        if Chem.MolToSmiles(pred) == Chem.MolToSmiles(gold):
            out.append((2.0, 1.0))
            continue
        sims = [DataStructs.TanimotoSimilarity(f(pred), f(gold)) for f in
                (morgan.GetFingerprint, MACCSkeys.GenMACCSKeys, rdk.GetFingerprint)]
        out.append((0.5 + 1.5 * sum(sims) / 3, 0.0))
    return out


def foundry_rewards(texts, examples):
    from r1_foundry.domains.chem import rewards

    cols = {k: [e[k] for e in examples] for k in ("task", "answer", "constraints", "tolerance")}
    comps = [[{"role": "assistant", "content": t}] for t in texts]
    mr = rewards.molreasoner()(completions=comps, **cols)
    e0 = rewards.ether0()(completions=comps, **cols)
    return list(zip(mr, e0, strict=True))


def batch(prompts: int, generations: int, seed: int = 0):
    from r1_foundry.domains.chem.data import build_synthetic

    ds = build_synthetic(tasks=["text2mol", "canonical"], limit=1500, test_per_task=prompts)["test"]
    pool = list(ds)
    rng = random.Random(seed)
    others = [e["answer"] for e in pool]
    texts, examples = [], []
    for ex in rng.sample(pool, min(prompts, len(pool))):
        group = [ex["answer"], ex["answer"], rng.choice(others), rng.choice(others), ex["answer"] + "C",
                 ex["answer"][:-1], "C1CC", rng.choice(others)]
        for i in range(generations):
            texts.append(f"<think>scaffold</think><answer>{group[i % len(group)]}</answer>")
            examples.append(ex)
    return texts, examples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=64)
    ap.add_argument("--generations", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    from r1_foundry.domains.chem.sandbox import default_analyser

    texts, examples = batch(args.prompts, args.generations)
    default_analyser().analyse("C")  # start the child process outside the timed region
    times = {"naive": [], "R1 Foundry": []}
    for _ in range(args.rounds):
        t = time.perf_counter()
        want = naive_rewards(texts, examples)
        times["naive"].append(time.perf_counter() - t)
        default_analyser()._cache.clear()  # cold cache every round
        t = time.perf_counter()
        got = foundry_rewards(texts, examples)
        times["R1 Foundry"].append(time.perf_counter() - t)
        assert all(abs(a[0] - b[0]) < 1e-9 and a[1] == b[1] for a, b in zip(got, want, strict=True)), "rewards differ"
    med = {k: statistics.median(v) for k, v in times.items()}
    n = len(texts)
    print(f"batch {args.prompts} prompts x {args.generations} completions = {n}; {args.rounds} rounds; "
          f"rewards molreasoner + ether0 (values identical on both sides)")
    for k, v in med.items():
        print(f"{k:11s}: median {v * 1000:8.1f} ms per batch  ({n / v:8.0f} completions/s)")
    print(f"speed-up R1 Foundry vs naive: {med['naive'] / med['R1 Foundry']:.2f}x  (aim >= 2x)")


if __name__ == "__main__":
    main()
