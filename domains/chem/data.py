"""Dataset builders for chemistry: synthetic tasks from the molecules shipped inside RDKit
(offline), ChEBI-20 and a generic SMILES + property table from the user's disk.

Every builder returns a ``datasets.DatasetDict`` in TRL's conversational columns (``prompt``,
``completion``) plus what the verifier needs: ``task``, ``answer`` (string), ``constraints``
(JSON string, may be empty), ``tolerance`` (float), and ``smiles``/``scaffold``/``source`` for
buckets. Splits are by Bemis-Murcko scaffold: no test scaffold occurs in training.

    foundry chem data build --out runs/chem                                   # synthetic
    foundry chem data build --builder chebi20 --arg path=/data/ChEBI-20 --out runs/chebi
    foundry chem data build --builder property --arg path=sol.csv --arg column=logS --out runs/sol
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
from collections import defaultdict
from typing import TYPE_CHECKING

from r1_foundry.core.data import hub
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.ui import err as console
from r1_foundry.core.util.ui import tag
from r1_foundry.domains.chem import verify
from r1_foundry.domains.chem.sandbox import GROUPS, analyse_local

if TYPE_CHECKING:  # the builders import datasets when they run; check_example (the reward path) never does
    from datasets import DatasetDict

ALLOWED_ELEMENTS = {"C", "N", "O", "S", "F", "Cl", "Br", "I", "P"}
# task -> (prompt template, tolerance); numbers are answered with two decimals
QUESTIONS = {
    "formula": "What is the molecular formula of {smiles}?",
    "mw": "What is the molecular weight of {smiles} in g/mol?",
    "logp": "What is the Crippen logP of {smiles}?",
    "tpsa": "What is the topological polar surface area of {smiles}?",
    "rings": "How many rings does {smiles} have?",
    "aromatic_rings": "How many aromatic rings does {smiles} have?",
    "hbd": "How many hydrogen-bond donors does {smiles} have?",
    "hba": "How many hydrogen-bond acceptors does {smiles} have?",
    "group": "Does {smiles} contain a {group} group? Answer yes or no.",
    "canonical": "Write the canonical SMILES of {smiles}.",
    "design_formula": "Propose a molecule with formula {formula}.",
    "design_groups": "Propose a molecule with at most {n} heavy atoms that contains {groups}.",
    "text2mol": "Write the SMILES of this molecule: {description}",
    "caption": "Describe the molecule {smiles}.",
}
TOLERANCE = {"mw": 1.0, "logp": 0.5, "tpsa": 5.0}
SYNTH_TASKS = list(QUESTIONS)


def make_completion(think: str, answer: str) -> list[dict]:
    return [{"role": "assistant", "content": f"<think>{think}</think><answer>{answer}</answer>"}]


def describe(info) -> str:
    """A description computed from RDKit facts: formula, rings, scaffold, functional groups."""
    rings, arom = info.props["rings"], info.props["aromatic_rings"]
    if rings:
        text = f"A molecule with formula {info.formula} and {rings} ring{'s' if rings > 1 else ''} " \
               f"({arom} aromatic) on the scaffold {info.scaffold}"
    else:
        text = f"An acyclic molecule with formula {info.formula}"
    groups = [g for g in info.groups if g != "halogen"]
    if groups:
        text += ", with " + ", ".join(groups)
    return text + "."


def _facts(info) -> str:
    groups = ", ".join(info.groups) or "none"
    return f"formula {info.formula}; rings {info.props['rings']}; groups: {groups}"


def _example(task: str, smiles: str, info, rng: random.Random, source: str) -> dict | None:
    """One example of ``task`` about the molecule ``smiles`` (``info`` from analyse_local)."""
    props, answer, constraints, tol, think = info.props, "", {}, 0.0, _facts(info)
    fields = {"smiles": smiles}
    if task == "formula":
        answer, think = info.formula, f"heavy atoms {info.heavy_atoms}; rings {props['rings']}"
    elif task in ("mw", "logp", "tpsa"):
        answer, tol = f"{props[task]:.2f}", TOLERANCE[task]
    elif task in ("rings", "aromatic_rings"):  # the scaffold holds every ring of the molecule
        answer, think = str(props[task]), f"scaffold {info.scaffold or 'none'}"
    elif task in ("hbd", "hba"):
        answer, think = str(props[task]), f"groups: {', '.join(info.groups) or 'none'}"
    elif task == "group":
        present = [g for g in GROUPS if g in info.groups]
        if present and rng.random() < 0.5:
            group, answer = rng.choice(present), "yes"
        else:
            group, answer = rng.choice([g for g in GROUPS if g not in info.groups]), "no"
        fields["group"] = group
        think = f"groups: {', '.join(info.groups) or 'none'}"
    elif task == "canonical":
        from rdkit import Chem

        mol = Chem.MolFromSmiles(smiles)
        shown = Chem.MolToSmiles(mol, doRandom=True, canonical=False)
        fields["smiles"], answer, think = shown, smiles, f"formula {info.formula}"
    elif task == "design_formula":
        fields["formula"], answer = info.formula, smiles
        constraints = {"formula": info.formula}
        think = f"{info.formula}: scaffold {info.scaffold or 'none'}, groups: {', '.join(info.groups) or 'none'}"
    elif task == "design_groups":
        groups = [g for g in info.groups if g != "halogen"]
        if not groups:
            return None
        chosen = rng.sample(groups, min(len(groups), 2))
        n = info.heavy_atoms + rng.randint(0, 4)
        fields["groups"], fields["n"], answer = " and ".join(f"a {g} group" for g in chosen), n, smiles
        constraints = {"groups": chosen, "max_heavy_atoms": n}
        think = f"{' and '.join(chosen)} on scaffold {info.scaffold or 'none'}; {info.heavy_atoms} heavy atoms"
    elif task == "text2mol":
        fields["description"], answer = describe(info), smiles
        constraints = {"formula": info.formula, "scaffold": info.scaffold, "groups": list(info.groups)}
        think = f"scaffold {info.scaffold or 'none'}; formula {info.formula}"
    elif task == "caption":
        answer = describe(info)
    kind = "design" if task.startswith("design") else task
    return {"prompt": [{"role": "user", "content": QUESTIONS[task].format(**fields)}],
            "completion": make_completion(think, answer), "task": kind, "template": task, "answer": answer,
            "constraints": json.dumps(constraints) if constraints else "", "tolerance": float(tol),
            "smiles": smiles, "scaffold": info.scaffold, "source": source}


def rdkit_molecules(max_heavy_atoms: int = 24, min_heavy_atoms: int = 4) -> list[str]:
    """Canonical SMILES of the NCI molecules that ship with RDKit (``RDConfig.RDDataDir``):
    one fragment, ``min..max`` heavy atoms, common organic elements only."""
    from rdkit import Chem, RDConfig

    from r1_foundry.domains.chem.sandbox import _rdkit

    _rdkit()  # silences RDKit's log: the NCI file holds a few molecules with impossible valences
    path = os.path.join(RDConfig.RDDataDir, "NCI", "first_5K.smi")
    if not os.path.isfile(path):
        raise FoundryError(f"{path}: RDKit's NCI sample is missing from this rdkit install; reinstall rdkit")
    seen, out = set(), []
    with open(path) as fh:
        for line in fh:
            parts = line.split()
            mol = Chem.MolFromSmiles(parts[0]) if parts else None
            if mol is None or len(Chem.GetMolFrags(mol)) != 1:
                continue
            if not min_heavy_atoms <= mol.GetNumHeavyAtoms() <= max_heavy_atoms:
                continue
            if any(a.GetSymbol() not in ALLOWED_ELEMENTS or a.GetNumRadicalElectrons() for a in mol.GetAtoms()):
                continue
            smi = Chem.MolToSmiles(mol)
            if smi not in seen:
                seen.add(smi)
                out.append(smi)
    return out


def scaffold_split(smiles: list[str], scaffolds: list[str], *, test: float, val: float, seed: int,
                   max_group: float = 0.05) -> dict[str, list[int]]:
    """Indices per split, whole scaffold groups at a time (Bemis-Murcko). Groups larger than
    ``max_group`` of the data (benzene, acyclic) always go to train, the rest are shuffled with
    ``seed`` and fill test, then val, then train."""
    groups = defaultdict(list)
    for i, sc in enumerate(scaffolds):
        groups[sc].append(i)
    keys = sorted(groups)
    random.Random(seed).shuffle(keys)
    n = len(smiles)
    out = {"train": [], "val": [], "test": []}
    for key in keys:
        idx = groups[key]
        if len(idx) > max_group * n:
            out["train"] += idx
        elif len(out["test"]) + len(idx) <= test * n:
            out["test"] += idx
        elif len(out["val"]) + len(idx) <= val * n:
            out["val"] += idx
        else:
            out["train"] += idx
    return out


def build_synthetic(*, out: str | None = None, tasks: list[str] | None = None, train_per_mol: int = 3,
                    rl_per_mol: int = 1, test_per_task: int = 30, val_per_task: int = 10, test_fraction: float = 0.1,
                    val_fraction: float = 0.05, max_heavy_atoms: int = 24, limit: int = 0, seed: int = 0) -> DatasetDict:
    """Tasks on RDKit's NCI molecules, answers computed by RDKit, split by scaffold.

    ``train`` has ``train_per_mol`` tasks per training molecule (tasks in turn), ``rl`` fresh
    tasks on the same molecules for GRPO, ``val``/``test`` ``*_per_task`` examples of every task
    on molecules whose scaffolds never occur in ``train``. ``limit`` keeps the first N molecules.

    Example:
        >>> ds = build_synthetic(limit=300, test_per_task=2)  # doctest: +SKIP
        >>> sorted(set(ds["test"]["task"]))  # doctest: +SKIP
    """
    from datasets import Dataset, DatasetDict
    tasks = list(tasks or SYNTH_TASKS)
    unknown = [t for t in tasks if t not in QUESTIONS]
    if unknown:
        raise FoundryError(f"data.args.tasks: unknown task(s) {unknown}; choose from {', '.join(QUESTIONS)}")
    rng = random.Random(seed)
    smiles = rdkit_molecules(max_heavy_atoms=max_heavy_atoms)
    if limit:
        smiles = smiles[:limit]
    infos = [analyse_local(s, need={"desc"}) for s in smiles]
    idx = scaffold_split(smiles, [i.scaffold for i in infos], test=test_fraction, val=val_fraction, seed=seed)
    splits: dict[str, list] = {"train": [], "rl": [], "val": [], "test": []}
    turn = 0
    train_idx = sorted(idx["train"])
    rng.shuffle(train_idx)
    for i in train_idx:
        for split, count in (("train", train_per_mol), ("rl", rl_per_mol)):
            made = 0
            while made < count:
                ex = _example(tasks[turn % len(tasks)], smiles[i], infos[i], rng, "nci")
                turn += 1
                if ex is not None:
                    splits[split].append(ex)
                    made += 1
    for split, per_task in (("test", test_per_task), ("val", val_per_task)):
        pool = sorted(idx[split])
        for task in tasks:
            rng.shuffle(pool)
            made = 0
            for i in pool:
                if made == per_task:
                    break
                ex = _example(task, smiles[i], infos[i], rng, "nci")
                if ex is not None:
                    splits[split].append(ex)
                    made += 1
    for split in splits.values():  # shuffled, so any prefix (the monitor's limit) covers every task
        rng.shuffle(split)
    return DatasetDict({k: Dataset.from_list(v) for k, v in splits.items() if v})


# ------------------------------------------------------------------ real formats

def _rows_tsv(path: str, required: tuple[str, ...]):
    """(line number, row dict) of a tab-separated file with a header; errors name file:line."""
    from r1_foundry.core.util.io import check_utf8

    check_utf8(path)
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None:
            raise FoundryError(f"{path}: empty file; expected a header line {' '.join(required)}")
        header = [h.strip() for h in header]
        missing = [c for c in required if c not in header]
        if missing:
            raise FoundryError(f"{path}:1: header lacks column(s) {missing}; found {header}")
        for n, row in enumerate(reader, 2):
            if not row or not any(x.strip() for x in row):
                continue
            if len(row) != len(header):
                raise FoundryError(f"{path}:{n}: {len(row)} tab-separated fields, the header has {len(header)}")
            yield n, {k: v.rstrip("\r") for k, v in zip(header, row, strict=True)}  # a CRLF copy reads as the LF one


def analyse_user_smiles(smiles: list[str]) -> list:
    """SMILES from a user's file go through the sandbox like model output (child process, 10 s
    per molecule, 5,000 characters): one pathological row must not take the build down."""
    from r1_foundry.core.util.ui import progress
    from r1_foundry.domains.chem.sandbox import Analyser

    analyser = Analyser(timeout=10.0, max_chars=5000, cache_size=len(smiles) + 1)
    out, chunk = [], 256
    try:
        with progress(total=len(smiles), desc="analyse SMILES", unit="mol") as bar:  # ChEBI-20 test: ~40 s
            for start in range(0, len(smiles), chunk):
                out += analyser.analyse_many(smiles[start:start + chunk], need={"desc"})
                bar.update(len(smiles[start:start + chunk]))
        return out
    finally:
        analyser.close()


def _chebi_rows(path: str, direction: str, source: str, items=None, max_drop: float = 0.05) -> list[dict]:
    """Examples from a ChEBI-20 TSV, or from ``items`` ((where, record) pairs of a hub copy)."""
    records = []
    if items is None:
        items = [(f"{path}:{n}", rec) for n, rec in _rows_tsv(path, ("CID", "SMILES", "description"))]
    for where, rec in items:
        missing = [c for c in ("CID", "SMILES", "description") if c not in rec]
        if missing:
            raise FoundryError(f"{where}: missing column(s) {missing} (map a hub copy's names with --arg rename=...)")
        smi, desc = str(rec["SMILES"] or "").strip(), str(rec["description"] or "").strip()
        if not smi or not desc:
            raise FoundryError(f"{where}: empty SMILES or description")
        records.append((str(rec["CID"]).strip(), smi, desc))
    rows, skipped = [], 0
    for (cid, smi, desc), info in zip(records, analyse_user_smiles([r[1] for r in records]), strict=True):
        if not info.ok:  # a handful of ChEBI-20 SMILES do not sanitise in RDKit; they cannot be verified
            skipped += 1
            continue
        base = {"constraints": "", "tolerance": 0.0, "smiles": smi, "scaffold": info.scaffold, "source": source,
                "cid": cid}
        if direction in ("text2mol", "both"):
            rows.append({**base, "prompt": [{"role": "user", "content": QUESTIONS["text2mol"].format(description=desc)}],
                         "completion": make_completion(f"formula {info.formula}", smi), "task": "text2mol",
                         "template": "text2mol", "answer": smi})
        if direction in ("mol2text", "both"):
            rows.append({**base, "prompt": [{"role": "user", "content": QUESTIONS["caption"].format(smiles=smi)}],
                         "completion": make_completion(_facts(info), desc), "task": "caption",
                         "template": "caption", "answer": desc})
    if skipped:
        console.print(tag(f"{path}: skipped {skipped} row(s) whose SMILES RDKit cannot sanitise", "yellow"))
    from r1_foundry.core.data.datasets import check_kept

    check_kept(path, len(records) - skipped, len(records), "SMILES RDKit cannot sanitise; --arg max_drop=SHARE "
               "allows more", max_drop)
    return rows


def load_chebi20(*, path: str, direction: str = "both", rename: str | None = None, max_drop: float = 0.05,
                 out: str | None = None) -> DatasetDict:
    """ChEBI-20 (Edwards et al.) from disk: ``train.txt``, ``validation.txt``, ``test.txt``
    (tab-separated ``CID``, ``SMILES``, ``description``), or one such file (becomes ``test``).
    ``direction``: ``text2mol`` (description -> SMILES), ``mol2text`` (SMILES -> description,
    scored with BLEU/ROUGE) or ``both``.

    Hub: ``path=hf:<a ChEBI-20 copy>`` with the columns ``CID``, ``SMILES``, ``description``;
    copies that rename them map back with ``--arg rename=smiles:SMILES,caption:description,...``
    (no copy is official; MolT5's authors distribute the TSV files). Rows whose SMILES RDKit cannot
    sanitise are left out and counted; more than ``max_drop`` of a file (default 5 %; ChEBI-20 loses a
    handful) stops the build."""
    from datasets import Dataset, DatasetDict
    if direction not in ("text2mol", "mol2text", "both"):
        raise FoundryError(f"data.args.direction: expected text2mol, mol2text or both, got '{direction}'")
    if hub.is_hub(path):
        return DatasetDict({split: Dataset.from_list(_chebi_rows(path, direction, "chebi20", items, max_drop))
                            for split, items in hub.records(path, rename=rename).items()})
    if os.path.isfile(path):
        files = {"test": path}
    elif os.path.isdir(path):
        files = {split: os.path.join(path, name) for split, name in
                 (("train", "train.txt"), ("val", "validation.txt"), ("test", "test.txt"))
                 if os.path.isfile(os.path.join(path, name))}
        if not files:
            raise FoundryError(f"{path}: no train.txt, validation.txt or test.txt here (ChEBI-20 layout)")
    else:
        raise FoundryError(f"{path}: no such file or folder")
    return DatasetDict({split: Dataset.from_list(_chebi_rows(f, direction, "chebi20", max_drop=max_drop))
                        for split, f in files.items()})


def _read_table(path: str) -> list[tuple[int, dict]]:
    if not os.path.isfile(path):
        raise FoundryError(f"{path}: file not found")
    if path.endswith((".jsonl", ".json")):
        from r1_foundry.core.util.io import read_jsonl

        return list(enumerate(read_jsonl(path), 1))
    from r1_foundry.core.util.io import check_utf8

    check_utf8(path)
    with open(path, encoding="utf-8", newline="") as fh:
        sample = fh.read(4096)
        fh.seek(0)
        delimiter = "\t" if path.endswith((".tsv", ".txt")) or sample.count("\t") > sample.count(",") else ","
        return [(n, row) for n, row in enumerate(csv.DictReader(fh, delimiter=delimiter), 2)]


def load_property(*, path: str, column: str, smiles_column: str = "smiles", name: str | None = None,
                  tolerance: float = 0.5, test_fraction: float = 0.1, val_fraction: float = 0.05, seed: int = 0,
                  out: str | None = None) -> DatasetDict:
    """A CSV/TSV/JSONL of SMILES with a numeric property column, as ``property`` tasks, split by
    scaffold. ``name`` is how prompts call the property (default: the column name).

    Hub: ``path=hf:<id>`` (every split pooled, then split by scaffold), e.g. a MoleculeNet copy
    with ``--arg smiles_column=smiles --arg column=...``."""
    from datasets import Dataset, DatasetDict
    if hub.is_hub(path):
        table = [(f"row {i}", rec) for items in hub.records(path).values() for i, (_, rec) in enumerate(items)]
    else:
        table = _read_table(path)
    records = []
    for n, rec in table:
        if smiles_column not in rec or column not in rec:
            raise FoundryError(f"{path}:{n}: missing column '{smiles_column if smiles_column not in rec else column}'"
                               f"; pass --arg smiles_column=... / --arg column=...")
        smi = str(rec[smiles_column]).strip()
        try:
            value = float(rec[column])
        except (TypeError, ValueError):
            raise FoundryError(f"{path}:{n}: {column}={rec[column]!r} is not a number") from None
        if not math.isfinite(value):
            raise FoundryError(f"{path}:{n}: {column}={rec[column]!r} is not a finite number")
        records.append((n, smi, value))
    rows = []
    for (n, smi, value), info in zip(records, analyse_user_smiles([r[1] for r in records]), strict=True):
        if not info.ok:
            shown = smi if len(smi) <= 60 else smi[:57] + "..."
            raise FoundryError(f"{path}:{n}: SMILES {shown!r} is not a valid molecule ({info.reason})")
        label = name or column
        rows.append({"prompt": [{"role": "user", "content": f"What is the {label} of {smi}?"}],
                     "completion": make_completion(_facts(info), f"{value:g}"), "task": "property",
                     "template": "property", "answer": repr(value), "constraints": "", "tolerance": float(tolerance),
                     "smiles": smi, "scaffold": info.scaffold, "source": os.path.basename(path)})
    if not rows:
        raise FoundryError(f"{path}: no rows")
    idx = scaffold_split([r["smiles"] for r in rows], [r["scaffold"] for r in rows], test=test_fraction,
                         val=val_fraction, seed=seed, max_group=1.0)
    return DatasetDict({k: Dataset.from_list([rows[i] for i in sorted(v)]) for k, v in idx.items() if v})


def check_example(example: dict, where: str, base_dir: str) -> dict:
    """Validate a user-supplied example for scoring: ``task``, ``answer``; optional
    ``constraints`` (object or JSON string) and ``tolerance``."""
    task = example.get("task")
    if task not in verify.TASKS:
        raise FoundryError(f"{where}: field 'task' must be one of {', '.join(verify.TASKS)}, got {task!r}")
    if not isinstance(example.get("answer"), str):
        raise FoundryError(f"{where}: missing field 'answer' (the reference, as a string)")
    cons = example.get("constraints") or ""
    if isinstance(cons, dict):
        cons = json.dumps(cons)
    try:
        parsed = verify.load_constraints(cons)
        verify.constraint_results(verify.MolInfo(False), parsed)
    except (json.JSONDecodeError, ValueError, AttributeError) as exc:
        raise FoundryError(f"{where}: field 'constraints': {exc}") from None
    try:
        tol = float(example.get("tolerance") or 0.0)
    except (TypeError, ValueError):
        raise FoundryError(f"{where}: field 'tolerance' must be a number") from None
    if task in verify.NUMERIC_TASKS and verify.parse_number(example["answer"]) is None:
        raise FoundryError(f"{where}: task {task} needs a numeric 'answer', got {example['answer']!r}")
    return {**example, "constraints": cons, "tolerance": tol}
