"""Dataset builders for the medical domain: an offline SYNTHETIC generator (not for clinical
use) over :mod:`domains.medical.kb`; the loaders of MedQA, MedMCQA, PubMedQA, DDXPlus and a
generic ranked-answer JSONL are in :mod:`domains.medical.loaders`.

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

import json
import random

from datasets import Dataset, DatasetDict

from core.choice import LETTERS
from core.domain import base_example
from core.errors import FoundryError
from domains.medical import kb, verify

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
