"""Dataset builders for the medical domain: an offline SYNTHETIC generator (not for clinical
use) over :mod:`domains.medical.kb`, and the loaders of MedQA, MedMCQA, PubMedQA, DDXPlus and a generic
ranked-answer JSONL from the user's disk or the hub (``path=hf:...``), as in every domain's ``data.py``.

Every builder returns a ``datasets.DatasetDict`` in TRL's conversational columns (``prompt``,
``completion``) plus what the verifier needs: ``task`` (mcq | ranked | ynm | calc), ``answer``
(gold letter, preferred name, label or number, as a string), ``options`` (JSON {letter: text} or
""), ``acceptable`` (JSON list or ""), ``tolerance`` (relative), ``k``, and for buckets and
analyses ``template``, ``system``, ``condition``, ``case_id``, ``source``, ``synthetic``.

    foundry medical data build --out runs/medical                              # synthetic
    foundry medical data build --builder medqa --arg path=/data/MedQA/US --out runs/medqa
    foundry medical data build --builder ddxplus --arg path=/data/ddxplus --arg limit=5000 --out runs/ddx
"""

from __future__ import annotations

import ast
import csv
import glob
import io
import itertools
import json
import os
import random
import zipfile
from typing import TYPE_CHECKING

from r1_foundry.core.answers.choice import LETTERS
from r1_foundry.core.data import hub
from r1_foundry.core.schema.domain import base_example
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.io import check_utf8, iter_jsonl, lf, read_json
from r1_foundry.core.util.ui import err as console
from r1_foundry.core.util.ui import tag
from r1_foundry.domains.medical import kb, verify

if TYPE_CHECKING:  # the builders import datasets when they run; check_example (the reward path) never does
    from datasets import DatasetDict

SYNTHETIC_LABEL = "SYNTHETIC, not for clinical use"
TEMPLATES = ("mcq_dx", "mcq_mgmt", "ranked", "ynm", "calc")
DX_QUESTION = "Which of the following is the most likely diagnosis?"
MGMT_QUESTION = "What is the most appropriate first-line management?"
RANKED_QUESTION = "Give your differential diagnosis as a numbered list, most likely first (at most {k})."
YNM_QUESTION = "Is {candidate} the most likely diagnosis? Answer yes, no or maybe."


def make_completion(think: str, answer: str) -> list[dict]:
    return [{"role": "assistant", "content": f"<think>{think}</think><answer>{answer}</answer>"}]


def _row(task: str, template: str, question: str, think: str, answer: str, **extra) -> dict:
    row = {"prompt": [{"role": "user", "content": question}], "completion": make_completion(think, answer),
           "task": task, "template": template, "answer": answer if task != "ranked" else extra.pop("preferred"),
           "options": "", "acceptable": "", "tolerance": 0.0, "k": verify.DEFAULT_K, "system": "", "condition": "",
           "case_id": "", "source": "synthetic", "synthetic": True}
    row.update(extra)
    return row


def options_text(options: dict) -> str:
    return "\n".join(f"{k}. {v}" for k, v in options.items())


# ------------------------------------------------------------------ synthetic vignettes
class _Case:
    """One synthetic patient: the generating condition, the presenting symptoms shown, the clues
    shown, and the differential consistent with the symptoms."""

    def __init__(self, cond: kb.Condition, rng: random.Random, clues: bool = True, pool: set[str] | None = None):
        self.cond = cond
        self.age = rng.randint(*cond.ages)
        self.sex = cond.sex if cond.sex != "any" else rng.choice(("female", "male"))
        n = min(len(cond.presentation), 2)
        self.shown = rng.sample(list(cond.presentation), n)
        self.clues = rng.sample(list(cond.clues), min(len(cond.clues), rng.choice((1, 2)))) if clues else []
        # a training case never names a held-out condition (not even as an alternative)
        self.acceptable = [c for c in kb.consistent_with(set(self.shown)) if pool is None or c in pool]

    def text(self) -> str:
        who = {"female": "woman", "male": "man"}[self.sex] if self.age >= 18 else {"female": "girl", "male": "boy"}[self.sex]
        s = f"A {self.age}-year-old {who} presents with {' and '.join(self.shown)}."
        if self.clues:
            s += " Findings: " + "; ".join(self.clues) + "."
        return s

    def reasoning(self) -> str:
        s = f"{' and '.join(self.shown)}"
        return s + (f"; {self.clues[0]} -> {self.cond.name}" if self.clues else f" fit {', '.join(self.acceptable[:4])}")


def _distractors(cond: kb.Condition, rng: random.Random, n: int, attr: str = "name",
                 pool: set[str] | None = None) -> list[kb.Condition]:
    """Plausible wrong options: the same organ system first, then conditions sharing a symptom,
    then any (only conditions in ``pool`` when given)."""
    allowed = [c for c in kb.CONDITIONS if c.name != cond.name and (pool is None or c.name in pool)]
    same = [c for c in allowed if c.system == cond.system]
    near = [c for c in allowed if c.system != cond.system and set(c.presentation) & set(cond.presentation)]
    rest = [c for c in allowed if c not in same and c not in near]
    rng.shuffle(rest)
    near += rest
    rng.shuffle(same)
    rng.shuffle(near)
    picked, seen = [], {getattr(cond, attr)}
    for c in same + near:
        if getattr(c, attr) not in seen:
            picked.append(c)
            seen.add(getattr(c, attr))
        if len(picked) == n:
            break
    return picked


def _mcq(case: _Case, rng: random.Random, template: str, n_options: int, case_id: str,
         pool: set[str] | None = None, walk: bool = True) -> dict:
    attr = "name" if template == "mcq_dx" else "management"
    choices = [case.cond] + _distractors(case.cond, rng, n_options - 1, attr, pool)
    rng.shuffle(choices)
    letters = LETTERS[:len(choices)]
    options = {letter: getattr(c, attr) for letter, c in zip(letters, choices, strict=True)}
    gold = letters[choices.index(case.cond)]
    question = f"{case.text()}\n{DX_QUESTION if template == 'mcq_dx' else MGMT_QUESTION}\n{options_text(options)}"
    think = case.reasoning() + ("" if template == "mcq_dx" else f"; first line: {case.cond.management}")
    if walk:  # go through the options in order, so the letter is read off the trace, not looked up
        think += "; " + "; ".join(f"{k} {v} {'yes' if k == gold else 'no'}" for k, v in options.items())
    return _row("mcq", template, question, think, gold, options=json.dumps(options), system=case.cond.system,
                condition=case.cond.name, case_id=case_id)


def _ranked(case: _Case, case_id: str, k: int = verify.DEFAULT_K) -> dict:
    others = [a for a in case.acceptable if a != case.cond.name]
    listed = [case.cond.name] + others[:k - 1]
    answer = "\n".join(f"{i}. {name}" for i, name in enumerate(listed, 1))
    think = f"{' and '.join(case.shown)} fit {', '.join(case.acceptable)}"
    think += f"; {case.clues[0]} favours {case.cond.name}" if case.clues else ""
    return _row("ranked", "ranked", f"{case.text()}\n{RANKED_QUESTION.format(k=k)}", think, answer,
                preferred=case.cond.name, acceptable=json.dumps(sorted(set(case.acceptable) | {case.cond.name})), k=k,
                system=case.cond.system, condition=case.cond.name, case_id=case_id)


def _ynm(cond: kb.Condition, rng: random.Random, case_id: str, pool: set[str] | None = None) -> dict:
    """yes: the clues point to the candidate; no: the candidate does not fit the symptoms, or the
    clues point elsewhere; maybe: only the presenting symptoms are given and the candidate fits them."""
    kind = rng.choice(("yes", "no", "maybe"))
    case = _Case(cond, rng, clues=kind != "maybe", pool=pool)
    if kind == "maybe" and len(case.acceptable) < 2:
        kind, case = "yes", _Case(cond, rng, pool=pool)
    if kind == "yes":
        cand, think = cond.name, case.reasoning()
    elif kind == "maybe":
        cand = rng.choice(case.acceptable)
        think = f"{' and '.join(case.shown)} fit {', '.join(case.acceptable[:4])}; no distinguishing finding"
    else:
        others = [c.name for c in kb.CONDITIONS if c.name != cond.name and (pool is None or c.name in pool)]
        cand = rng.choice(others)
        think = case.reasoning() + f", not {cand}"
    question = f"Context: {case.text()}\nQuestion: {YNM_QUESTION.format(candidate=cand)}"
    return _row("ynm", "ynm", question, think, kind, system=cond.system, condition=cond.name, case_id=case_id)


def _draw(lo, hi, decimals, rng):
    value = rng.uniform(lo, hi)
    return round(value, decimals) if decimals else int(round(value))


def calc_example(calc: kb.Calculator, rng: random.Random, *, held_out: bool, case_id: str = "") -> dict:
    """A calculation: training values and phrasing (template 1) or held-out ones (ranges outside
    the training ones, template 2)."""
    ranges = calc.test if held_out else calc.inputs
    values = {name: _draw(lo, hi, dec, rng) for name, (lo, hi, dec) in ranges.items()}
    values["sex"] = rng.choice(("woman", "man"))
    result = kb.compute(calc.name, values)
    template = calc.templates[1 if held_out else 0]
    answer = f"{result:.{calc.decimals}f}"
    think = kb.working(calc.name, values, result)
    question = template.format(**values) + f" Give the answer in {calc.unit}."
    return _row("calc", f"calc_{calc.name}", question, think, answer, tolerance=calc.tolerance, system="calculation",
                condition=calc.name, case_id=case_id)


def build_synthetic(*, out: str | None = None, train_per_condition: int = 60, rl_per_condition: int = 20,
                    test_cases: int = 8, val_cases: int = 6, iid_cases: int = 2, calc_train: int = 400,
                    calc_rl: int = 120, calc_test: int = 8, calc_val: int = 4, calc_iid: int = 2,
                    five_option_share: float = 0.3, walk_options: bool = False, k: int = verify.DEFAULT_K,
                    seed: int = 0) -> DatasetDict:
    """SYNTHETIC medical questions (not for clinical use), split by condition.

    ``train``/``rl``: vignettes of the training conditions, tasks in turn (diagnosis MCQ,
    management MCQ, ranked differential, yes/no/maybe) plus calculations with training values.
    No row of ``train``/``rl`` names a held-out condition, not even as a distractor, a
    yes/no/maybe candidate or an acceptable alternative in a list.
    ``test``/``val``: conditions never seen in training (``kb.TEST_CONDITIONS`` /
    ``kb.VAL_CONDITIONS``); each held-out case is asked both as a diagnosis MCQ and as a ranked
    list (same ``case_id``: cross-format consistency), plus a management MCQ and a yes/no/maybe;
    their options and differentials may name any condition. Calculations with held-out value
    ranges and phrasing, ``calc_*`` per calculator.
    ``iid``: new cases of the training conditions, asked the same four ways, and calculations with
    training ranges and phrasing: what the model learned, as opposed to what transfers.
    ``walk_options``: the gold reasoning of an MCQ ends by going through the options in order
    (``A heart failure no; B ... yes``), which a small model learns far more easily than looking
    the letter of a name up (see the recipe notes for the measured difference).
    """
    from datasets import Dataset, DatasetDict
    rng = random.Random(seed)
    held = set(kb.TEST_CONDITIONS) | set(kb.VAL_CONDITIONS)
    train_conds = [c for c in kb.CONDITIONS if c.name not in held]
    seen = {c.name for c in train_conds}
    splits: dict[str, list] = {"train": [], "rl": [], "val": [], "test": [], "iid": []}

    def n_opts():
        return 5 if rng.random() < five_option_share else 4

    turn = 0
    for split, per in (("train", train_per_condition), ("rl", rl_per_condition)):
        for cond in train_conds:
            for i in range(per):
                kind = ("mcq_dx", "mcq_mgmt", "ranked", "ynm")[turn % 4]
                turn += 1
                cid = f"{split}-{cond.name}-{i}"
                if kind == "ynm":
                    splits[split].append(_ynm(cond, rng, cid, seen))
                elif kind == "ranked":
                    splits[split].append(_ranked(_Case(cond, rng, pool=seen), cid, k))
                else:
                    splits[split].append(_mcq(_Case(cond, rng, pool=seen), rng, kind, n_opts(), cid, seen,
                                              walk_options))
    for split, names, cases, pool in (("test", kb.TEST_CONDITIONS, test_cases, None),
                                      ("val", kb.VAL_CONDITIONS, val_cases, None),
                                      ("iid", sorted(seen), iid_cases, seen)):
        for name in names:
            cond = kb.BY_NAME[name]
            for i in range(cases):
                cid = f"{split}-{name}-{i}"
                case = _Case(cond, rng, pool=pool)
                splits[split] += [_mcq(case, rng, "mcq_dx", n_opts(), cid, pool, walk_options), _ranked(case, cid, k),
                                  _mcq(_Case(cond, rng, pool=pool), rng, "mcq_mgmt", n_opts(), cid + "m", pool,
                                       walk_options),
                                  _ynm(cond, rng, cid + "y", pool)]
    for split, per, held_out in (("train", calc_train, False), ("rl", calc_rl, False)):
        for i in range(per):
            splits[split].append(calc_example(kb.CALCULATORS[i % len(kb.CALCULATORS)], rng, held_out=held_out))
    for split, per, held_out in (("test", calc_test, True), ("val", calc_val, True), ("iid", calc_iid, False)):
        for calc in kb.CALCULATORS:
            splits[split] += [calc_example(calc, rng, held_out=held_out) for _ in range(per)]
    for rows in splits.values():  # shuffled, so any prefix (the monitor's limit) covers every task
        rng.shuffle(rows)
    return DatasetDict({k_: Dataset.from_list(v) for k_, v in splits.items() if v})


# ------------------------------------------------------------------ real formats
def check_example(example: dict, where: str, base_dir: str) -> dict:
    """Validate a user-supplied example for scoring (``reward`` / ``eval --predictions``)."""
    ex = base_example(example, where, verify.TASKS, answer_hint="gold letter, preferred name, label or number",
                      defaults={"options": "", "acceptable": "", "tolerance": 0.0, "k": verify.DEFAULT_K},
                      json_fields=("options", "acceptable", "aliases"))
    task = ex["task"]
    if task == "mcq":
        options = verify.load_json(ex["options"], None)
        if not isinstance(options, dict) or not options:
            raise FoundryError(f"{where}: task mcq needs field 'options' as an object {{letter: text}}")
        if str(ex["answer"]).upper() not in options:
            raise FoundryError(f"{where}: field 'answer' must be one of the option letters {sorted(options)}")
    if task == "ranked" and not isinstance(verify.load_json(ex["acceptable"], None), list):
        raise FoundryError(f"{where}: task ranked needs field 'acceptable' as a list of names")
    if task == "ynm" and str(ex["answer"]).lower() not in verify.YNM:
        raise FoundryError(f"{where}: task ynm needs 'answer' yes, no or maybe")
    if task == "calc":
        try:
            float(ex["answer"])
            ex["tolerance"] = float(ex["tolerance"] or 0.0)
        except (TypeError, ValueError):
            raise FoundryError(f"{where}: task calc needs a numeric 'answer' and 'tolerance'") from None
    ex["answer"] = str(ex["answer"])
    return ex


# ------------------------------------------------------------------ loaders of the real formats

def _need(rec: dict, fields: tuple, where: str) -> None:
    missing = [f for f in fields if f not in rec or rec[f] in (None, "")]
    if missing:
        raise FoundryError(f"{where}: missing field(s) {', '.join(repr(m) for m in missing)}")


def _files(path: str, patterns: tuple[str, ...]) -> dict[str, str]:
    """split -> file: a single file is ``test``; a folder's files are matched by name
    (``*train*``, ``*dev*``/``*valid*``, ``*test*``)."""
    if os.path.isfile(path):
        return {"test": path}
    if not os.path.isdir(path):
        raise FoundryError(f"{path}: no such file or folder")
    found = {}
    for f in sorted(p for pat in patterns for p in glob.glob(os.path.join(path, pat))):
        name = os.path.basename(f).lower()
        split = "train" if "train" in name else "val" if ("dev" in name or "valid" in name) else \
            "test" if "test" in name else None
        if split and split not in found:
            found[split] = f
    if not found:
        raise FoundryError(f"{path}: no {' or '.join(patterns)} file with train/dev/test in its name")
    return found


def _mcq_row(question: str, options: dict, gold: str, source: str, case_id: str, think: str = "", **extra) -> dict:
    prompt = f"{question.strip()}\n{options_text(options)}"
    return _row("mcq", source, prompt, think or "the best answer", gold, options=json.dumps(options), source=source,
                synthetic=False, case_id=case_id, **extra)


def _jsonl_records(patterns):
    def read(path):
        return {split: [(f"{f}:{n}", rec) for n, rec in iter_jsonl(f)] for split, f in _files(path, patterns).items()}
    return read


def load_medqa(*, path: str, rename: str | None = None, out: str | None = None) -> DatasetDict:
    """MedQA (Jin et al., 2021) JSONL: ``question``, ``options`` {A..D or A..E}, ``answer_idx``;
    a file (becomes ``test``) or a folder with train/dev/test files.

    Hub: ``path=hf:GBaker/MedQA-USMLE-4-options`` (train/test; the same fields as the official
    JSONL: ``question``, ``answer``, ``options``, ``meta_info``, ``answer_idx``)."""
    from datasets import Dataset, DatasetDict
    splits = {}
    for split, items in hub.split_records(path, _jsonl_records(("*.jsonl",)), rename=rename).items():
        rows = []
        for n, (where, rec) in enumerate(items, 1):
            _need(rec, ("question", "options", "answer_idx"), where)
            options = rec["options"]
            if not isinstance(options, dict) or not options or not all(k in LETTERS for k in options):
                raise FoundryError(f"{where}: field 'options' must be an object keyed by letters A, B, ...")
            gold = str(rec["answer_idx"]).strip().upper()
            if gold not in options:
                raise FoundryError(f"{where}: field 'answer_idx' is {gold!r}, not one of the options {sorted(options)}")
            rows.append(_mcq_row(rec["question"], {k: str(v) for k, v in sorted(options.items())}, gold, "medqa",
                                 f"medqa-{split}-{n}", system=str(rec.get("meta_info", ""))))
        splits[split] = rows
    return DatasetDict({k: Dataset.from_list(v) for k, v in splits.items() if v})


def _cop_base(items, given: int | None, path: str) -> int:
    """The base of MedMCQA's ``cop`` field, read from the data: a 0 (or the hub's -1 for a hidden answer)
    means 0-based, a 4 means 1-based. ``given`` (``--arg cop_base``) must agree with the data; a file whose
    answers are all 1-3 is ambiguous without it (one line naming the argument)."""
    seen = set()
    for _, rec in items:
        try:
            seen.add(int(rec.get("cop")))
        except (TypeError, ValueError):
            continue
    zero, four = bool(seen & {0, -1}), 4 in seen
    if zero and four:
        raise FoundryError(f"{path}: field 'cop' holds both 0 (or -1) and 4: neither 0-based nor 1-based; check the file")
    found = 0 if zero else 1 if four else None
    if given is not None and found is not None and given != found:
        raise FoundryError(f"{path}: --arg cop_base={given}, but the data's 'cop' values {sorted(seen)} are "
                           f"{found}-based; pass --arg cop_base={found} or leave it out")
    if found is None and given is None and seen:
        raise FoundryError(f"{path}: every 'cop' is 1-3, so the file does not say whether it is 0-based (the hub "
                           "copy) or 1-based (the original files); pass --arg cop_base=0 or --arg cop_base=1")
    return given if given is not None else (found if found is not None else 1)


def load_medmcqa(*, path: str, cop_base: int | None = None, rename: str | None = None,
                 out: str | None = None) -> DatasetDict:
    """MedMCQA (Pal et al., 2022) JSONL: ``question``, ``opa``..``opd``, ``cop``, ``choice_type``.
    ``cop`` is 1-4 in the original files and 0-3 in the hub copy: the base is read from the data
    (a 0 or a -1 means 0-based, a 4 means 1-based); a file whose answers are all 1-3 needs
    ``--arg cop_base=0|1``, and a given base that contradicts the data is an error. Rows with
    ``choice_type: multi`` have one ``cop`` too and are kept (the benchmark scores all 4,183 dev rows;
    the count is reported). Rows without an answer (the hidden test set; -1 in the hub copy) are
    left out and counted; a split left empty that way is dropped, and a build that keeps no row stops.

    Hub: ``path=hf:openlifescienceai/medmcqa`` (train/validation/test, the official field names)."""
    from datasets import Dataset, DatasetDict
    if cop_base is not None and cop_base not in (0, 1):
        raise FoundryError(f"medmcqa: cop_base must be 0 or 1, got {cop_base}")
    splits = {}
    for split, items in hub.split_records(path, _jsonl_records(("*.json", "*.jsonl")), rename=rename).items():
        base = _cop_base(items, cop_base, f"{path} [{split}]")
        rows, multi, unanswered = [], 0, 0
        for n, (where, rec) in enumerate(items, 1):
            _need(rec, ("question", "opa", "opb", "opc", "opd"), where)
            if rec.get("cop") is None or rec.get("cop") == "":
                unanswered += 1
                continue
            try:
                cop = int(rec.get("cop")) - base
            except (TypeError, ValueError):
                raise FoundryError(f"{where}: field 'cop' must be an integer, got {rec.get('cop')!r}") from None
            if cop < 0:
                unanswered += 1
                continue
            if cop > 3:
                raise FoundryError(f"{where}: field 'cop' is {rec['cop']}, outside {base}..{base + 3} "
                                   f"(original files are 1-based: --arg cop_base=1; the hub copy is 0-based: --arg cop_base=0)")
            if str(rec.get("choice_type", "single")).lower() != "single":
                multi += 1
            options = {letter: str(rec[k]) for letter, k in zip("ABCD", ("opa", "opb", "opc", "opd"), strict=True)}
            rows.append(_mcq_row(rec["question"], options, "ABCD"[cop], "medmcqa", str(rec.get("id", f"{split}-{n}")),
                                 system=str(rec.get("subject_name") or "")))
        console.print(tag(f"{path} [{split}]: kept {len(rows)} of {len(items)} rows ('cop' {base}-based; "
                          f"{multi} with choice_type multi, one answer each); left out {unanswered} without an answer",
                          "yellow" if unanswered else "green"))
        splits[split] = rows
    if not any(splits.values()):
        raise FoundryError(f"{path}: no MedMCQA row with an answer in {', '.join(splits) or 'any split'}; "
                           "nothing to build (the hidden test set has none)")
    return DatasetDict({k: Dataset.from_list(v) for k, v in splits.items() if v})


def _pubmedqa_hub(path: str, rename) -> list[tuple[str, str, dict]]:
    """The hub copy's rows (``pubid``, ``question``, ``context.contexts``, ``long_answer``,
    ``final_decision``) in the official file's names."""
    out = []
    for items in hub.records(path, rename=rename).values():
        for where, rec in items:
            ctx = rec.get("context")
            out.append((where, str(rec.get("pubid", "")), {
                "QUESTION": rec.get("question"), "final_decision": rec.get("final_decision"),
                "CONTEXTS": ctx.get("contexts") if isinstance(ctx, dict) else ctx, "LONG_ANSWER": rec.get("long_answer")}))
    return out


def load_pubmedqa(*, path: str, split: str = "test", test_ids: str | None = None, rename: str | None = None,
                  out: str | None = None) -> DatasetDict:
    """PubMedQA (Jin et al., 2019) ``ori_pqal.json``: PMID -> ``QUESTION``, ``CONTEXTS`` (list),
    ``final_decision`` (yes/no/maybe); all entries go to ``split``. With ``test_ids`` (the official
    ``test_ground_truth.json``, PMID -> label: the 500-question test set), those questions are ``test``
    and the others ``train``; every test PMID must be in the file with the same label.

    Hub: ``path=hf:qiaojin/PubMedQA:pqa_labeled`` (one split of 1,000 rows: ``pubid``,
    ``question``, ``context`` {``contexts``, ``labels``, ``meshes``}, ``long_answer``,
    ``final_decision``), mapped to the official names."""
    from datasets import Dataset, DatasetDict
    if hub.is_hub(path):
        entries = _pubmedqa_hub(path, rename)
    else:
        data = read_json(path, "PubMedQA's ori_pqal.json")
        if not isinstance(data, dict):
            raise FoundryError(f"{path}: expected an object keyed by PMID")
        entries = [(f"{path}: PMID {pmid}", pmid, rec) for pmid, rec in data.items()]
    rows = []
    for where, pmid, rec in entries:
        if not isinstance(rec, dict):
            raise FoundryError(f"{where}: expected an object")
        _need(rec, ("QUESTION", "CONTEXTS", "final_decision"), where)
        label = str(rec["final_decision"]).strip().lower()
        if label not in verify.YNM:
            raise FoundryError(f"{where}: field 'final_decision' is {label!r}, expected yes, no or maybe")
        contexts = rec["CONTEXTS"] if isinstance(rec["CONTEXTS"], list) else [str(rec["CONTEXTS"])]
        question = f"Context: {' '.join(map(str, contexts))}\nQuestion: {rec['QUESTION']} Answer yes, no or maybe."
        rows.append(_row("ynm", "pubmedqa", question, str(rec.get("LONG_ANSWER") or "the abstract's conclusion"), label,
                         source="pubmedqa", synthetic=False, case_id=str(pmid)))
    if not test_ids:
        return DatasetDict({split: Dataset.from_list(rows)})
    truth = read_json(test_ids, "PubMedQA's test_ground_truth.json (PMID -> yes/no/maybe)")
    if not isinstance(truth, dict) or not truth:
        raise FoundryError(f"{test_ids}: expected an object of PMID -> label (the official test_ground_truth.json)")
    by_id = {r["case_id"]: r for r in rows}
    missing = [p for p in truth if str(p) not in by_id]
    if missing:
        raise FoundryError(f"{test_ids}: {len(missing)} test PMID(s) are not in {path} (first: {missing[0]}); "
                           "pass the ori_pqal.json the test ids belong to")
    differ = [p for p, lab in truth.items() if str(lab).strip().lower() != by_id[str(p)]["answer"]]
    if differ:
        raise FoundryError(f"{test_ids}: PMID {differ[0]} is labelled {truth[differ[0]]!r} there but "
                           f"{by_id[str(differ[0])]['answer']!r} in {path} ({len(differ)} differ)")
    test = [by_id[str(p)] for p in truth]
    train = [r for r in rows if r["case_id"] not in {str(p) for p in truth}]
    console.print(tag(f"{path}: {len(test)} official test questions ({test_ids}), {len(train)} train", "green"))
    return DatasetDict({k: Dataset.from_list(v) for k, v in (("train", train), ("test", test)) if v})


def _ranked_row(question: str, preferred: str, acceptable: list[str], source: str, case_id: str, k: int,
                aliases: dict | None = None, **extra) -> dict:
    listed = [preferred] + [a for a in acceptable if a != preferred][:k - 1]
    answer = "\n".join(f"{i}. {a}" for i, a in enumerate(listed, 1))
    return _row("ranked", source, f"{question.strip()}\n{RANKED_QUESTION.format(k=k)}", "the differential", answer,
                preferred=preferred, acceptable=json.dumps(list(dict.fromkeys([preferred, *acceptable]))), k=k,
                source=source, synthetic=False, case_id=case_id, aliases=json.dumps(aliases or {}), **extra)


def load_ranked(*, path: str, k: int = verify.DEFAULT_K, rename: str | None = None,
                out: str | None = None) -> DatasetDict:
    """A generic JSONL of ranked questions: ``question``, ``answers`` (acceptable, list),
    ``preferred`` (one of them; default the first), optional ``aliases`` {alias: name}; a file
    (becomes ``test``) or a folder with train/dev/test files; ``hf:`` rows with the same fields."""
    from datasets import Dataset, DatasetDict
    splits = {}
    for split, items in hub.split_records(path, _jsonl_records(("*.jsonl",)), rename=rename).items():
        rows = []
        for n, (where, rec) in enumerate(items, 1):
            _need(rec, ("question", "answers"), where)
            answers = rec["answers"]
            if not isinstance(answers, list) or not answers or not all(isinstance(a, str) and a.strip() for a in answers):
                raise FoundryError(f"{where}: field 'answers' must be a non-empty list of strings")
            preferred = rec.get("preferred") or answers[0]
            if preferred not in answers:
                raise FoundryError(f"{where}: field 'preferred' ({preferred!r}) is not one of 'answers'")
            aliases = rec.get("aliases") or {}
            if not isinstance(aliases, dict):
                raise FoundryError(f"{where}: field 'aliases' must be an object {{alias: name}}")
            rows.append(_ranked_row(rec["question"], preferred, answers, "ranked", f"{split}-{n}", k, aliases))
        splits[split] = rows
    return DatasetDict({k_: Dataset.from_list(v) for k_, v in splits.items() if v})


def _ddx_open(path: str):
    if path.endswith(".zip"):
        from r1_foundry.core.util.io import check_not_lfs

        check_not_lfs(path)
        try:
            z = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise FoundryError(f"{path}: not a zip file (a truncated download?); fetch it again") from None
        with z:
            name = next((n for n in z.namelist() if n.endswith(".csv")), None)
            if name is None:
                raise FoundryError(f"{path}: the zip holds no .csv file")
            try:
                return io.StringIO(z.read(name).decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise FoundryError(f"{path} ({name}): not UTF-8 ({exc.reason} at byte {exc.start})") from None
    check_utf8(path)
    return open(path, encoding="utf-8", newline="")


def _evidence_text(code: str, evidences: dict, where: str) -> str:
    """An evidence code (``E_91``, ``E_54_@_V_179``, ``E_56_@_7``) as English text."""
    name, _, value = code.partition("_@_")
    meta = evidences.get(name)
    if not isinstance(meta, dict):
        raise FoundryError(f"{where}: evidence {name!r} is not in release_evidences.json")
    question = str(meta.get("question_en") or name).strip()
    if not value:
        return f"{question} Yes."
    meaning = (meta.get("value_meaning") or {}).get(value)
    said = meaning.get("en", value) if isinstance(meaning, dict) else value
    return f"{question} {said}."


def load_ddxplus(*, path: str, limit: int = 0, k: int = verify.DEFAULT_K, meta_dir: str | None = None,
                 rename: str | None = None, out: str | None = None) -> DatasetDict:
    """DDXPlus (Fansi Tchango et al., 2022): a folder with ``release_evidences.json``,
    ``release_conditions.json`` and ``release_{train,validate,test}_patients`` (``.csv`` or the
    released ``.zip``). Each patient becomes a ranked question: the vignette is rendered from
    ``AGE``, ``SEX``, ``INITIAL_EVIDENCE`` and ``EVIDENCES`` with the evidences' English
    questions and value meanings; the acceptable set is ``DIFFERENTIAL_DIAGNOSIS`` (pathology
    names in English via ``cond-name-eng``), the preferred answer ``PATHOLOGY``. ``limit`` keeps
    the first N patients per split.

    Hub: ``path=hf:<a DDXPlus copy>`` whose rows keep the patients CSV's columns (train /
    validation / test); the evidence and condition tables are not rows, so ``meta_dir`` is the
    folder with ``release_evidences.json`` and ``release_conditions.json``."""
    from datasets import Dataset, DatasetDict
    if hub.is_hub(path):
        if not meta_dir:
            raise FoundryError(f"{path}: the hub rows name evidence codes only; also pass --arg meta_dir=DIR, the folder "
                               "with release_evidences.json and release_conditions.json")
        meta = meta_dir
    else:
        if not os.path.isdir(path):
            raise FoundryError(f"{path}: expected the DDXPlus folder (release_*.json and release_*_patients files)")
        meta = path
    evidences = read_json(os.path.join(meta, "release_evidences.json"), "DDXPlus evidences")
    conditions = read_json(os.path.join(meta, "release_conditions.json"), "DDXPlus conditions")
    english = {}
    for key, c in conditions.items():
        eng = str(c.get("cond-name-eng") or key) if isinstance(c, dict) else key
        english[key] = eng
        if isinstance(c, dict):
            for alt in (c.get("condition_name"), c.get("cond-name-fr")):
                if alt:
                    english[str(alt)] = eng
    need = ("AGE", "SEX", "PATHOLOGY", "EVIDENCES", "INITIAL_EVIDENCE", "DIFFERENTIAL_DIAGNOSIS")

    def local(_):
        found = {}
        for split, stem in (("train", "train"), ("val", "validate"), ("test", "test")):
            f = next((os.path.join(path, f"release_{stem}_patients{ext}") for ext in (".csv", ".zip", "")
                      if os.path.isfile(os.path.join(path, f"release_{stem}_patients{ext}"))), None)
            if f is None:
                continue
            with _ddx_open(f) as fh:
                reader = csv.DictReader(fh)
                missing = [c for c in need if c not in (reader.fieldnames or [])]
                if missing:
                    raise FoundryError(f"{f}:1: header lacks column(s) {missing}")
                found[split] = [(f"{f}:{n}", lf(rec)) for n, rec in itertools.islice(enumerate(reader, 2), limit or None)]
        return found

    splits = {}
    for split, items in hub.split_records(path, local, rename=rename, limit=limit).items():
        rows = []
        for n, (where, rec) in enumerate(items, 2):
            if limit and len(rows) >= limit:
                break
            rec = {k: v if isinstance(v, str) else str(v) for k, v in rec.items()}
            missing = [c for c in need if c not in rec]
            if missing:
                raise FoundryError(f"{where}: missing column(s) {missing}")
            try:
                ddx = ast.literal_eval(rec["DIFFERENTIAL_DIAGNOSIS"])
                codes = ast.literal_eval(rec["EVIDENCES"])
            except (ValueError, SyntaxError):
                raise FoundryError(f"{where}: DIFFERENTIAL_DIAGNOSIS / EVIDENCES must be Python-literal lists") from None
            if not isinstance(ddx, list) or not all(isinstance(d, (list, tuple)) and len(d) == 2 for d in ddx):
                raise FoundryError(f"{where}: field 'DIFFERENTIAL_DIAGNOSIS' must be [[pathology, probability], ...]")
            pathology = english.get(rec["PATHOLOGY"])
            if pathology is None:
                raise FoundryError(f"{where}: PATHOLOGY {rec['PATHOLOGY']!r} is not in release_conditions.json")
            ranked = [english.get(str(p), str(p)) for p, _ in sorted(ddx, key=lambda d: -float(d[1]))]
            adult = not str(rec["AGE"]).strip().isdigit() or int(str(rec["AGE"]).strip()) >= 18
            sex = ({"F": "woman", "M": "man"} if adult else {"F": "girl", "M": "boy"}).get(
                rec["SEX"].strip().upper(), "patient")
            initial = _evidence_text(rec["INITIAL_EVIDENCE"], evidences, where)
            others = [_evidence_text(c, evidences, where) for c in codes if c != rec["INITIAL_EVIDENCE"]]
            question = (f"A {rec['AGE']}-year-old {sex}. Chief complaint: {initial}\n"
                        + "\n".join(f"- {o}" for o in others))
            rows.append(_ranked_row(question, pathology, ranked, "ddxplus", f"ddxplus-{split}-{n}", k))
        splits[split] = rows
    if not splits:
        raise FoundryError(f"{path}: no release_train/validate/test_patients .csv or .zip file")
    return DatasetDict({k_: Dataset.from_list(v) for k_, v in splits.items() if v})
