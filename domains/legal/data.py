"""Dataset builders for the legal domain: an offline SYNTHETIC generator over
:mod:`domains.legal.rules` (NOT LEGAL ADVICE), and loaders for bar-llama's MBE JSON and
LegalBench task folders from the user's disk.

Columns: TRL's ``prompt`` / ``completion`` plus ``task`` (mbe | rule | classify), ``answer`` (the
gold letter, yes/no, ISO date, number or label), ``answer_type`` (option | yesno | date | number
| label), ``options`` (JSON {letter: text} for mbe), ``label_set`` (JSON list, classify), ``layout``
and ``order`` (mbe answer layout), ``family`` (rule family), ``area``, ``legalbench_task``,
``source``, ``synthetic``, ``id``.

    foundry legal data build --out runs/legal                                       # synthetic
    foundry legal data build --builder mbe --arg path=/data/bar-llama/distilled_dataset.json --out runs/mbe
    foundry legal data build --builder legalbench --arg path=/data/legalbench/tasks/hearsay --out runs/hearsay
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
from typing import TYPE_CHECKING

from r1_foundry.core.answers.choice import LETTERS
from r1_foundry.core.data import hub
from r1_foundry.core.schema.domain import base_example
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.io import check_utf8, iter_table, read_json
from r1_foundry.domains.legal import layouts as lay
from r1_foundry.domains.legal import rules, verify

if TYPE_CHECKING:  # the builders import datasets when they run; check_example (the reward path) never does
    from datasets import DatasetDict

SYNTHETIC_LABEL = "SYNTHETIC legal problems from simplified general common-law principles; not legal advice"
PLAINTIFFS = ("Ana", "Ben", "Chloe", "Dev", "Eva", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Liam")
DEFENDANTS = ("Mara", "Nico", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Viktor", "Wen", "Yusuf")
WITNESSES = ("Zoe", "Omar", "Lena", "Ravi")
LAYOUT_HINT = {"json": "a JSON object with the keys {keys}",
               "markdown": "Markdown sections ## {keys}",
               "numbered": "a numbered list: {keys}"}


def completion(think: str, answer: str) -> list[dict]:
    return [{"role": "assistant", "content": f"<think>{think}</think><answer>{answer}</answer>"}]


def _row(task: str, question: str, think: str, answer: str, gold: str, **extra) -> dict:
    row = {"prompt": [{"role": "user", "content": question}], "completion": completion(think, answer), "task": task,
           "answer": gold, "answer_type": "", "options": "", "label_set": "", "layout": "", "order": "", "family": "",
           "area": "", "legalbench_task": "", "source": "synthetic", "synthetic": True, "id": ""}
    row.update(extra)
    return row


def layout_instruction(fmt: str, order: str) -> str:
    keys = ["answer", *lay.IRAC] if order == "option_first" else [*lay.IRAC, "answer"]
    shown = ", ".join(k.capitalize() for k in keys) if fmt != "json" else ", ".join(keys)
    return "Answer with " + LAYOUT_HINT[fmt].format(keys=shown) + "."


def mbe_prompt(stem: str, options: dict, fmt: str, order: str) -> str:
    opts = "\n".join(f"{k}. {v}" for k, v in options.items())
    return f"{stem.strip()}\n{opts}\n{layout_instruction(fmt, order)}"


# ------------------------------------------------------------------ synthetic
def _people(rng: random.Random) -> dict:
    return {"p": rng.choice(PLAINTIFFS), "d": rng.choice(DEFENDANTS), "w": rng.choice(WITNESSES)}


def _fill(text: str, who: dict) -> str:
    return text.format(**who)


def _case(rule: rules.ElementRule, rng: random.Random, fail: int | None):
    who = _people(rng)
    facts = " ".join(_fill(e.unmet if i == fail else e.met, who) for i, e in enumerate(rule.elements))
    checks = [(e, i != fail) for i, e in enumerate(rule.elements)]
    return who, facts, checks


def _think(checks, who) -> str:
    return "; ".join(f"{e.name}: {'yes' if ok else 'no'}" for e, ok in checks)


def _application(checks, who) -> str:
    return "; ".join(_fill(e.why_met if ok else e.why_unmet, who) for e, ok in checks) + "."


def mbe_example(rule: rules.ElementRule, rng: random.Random, fmt: str, order: str, fail: int | None, idx: str) -> dict:
    """Four options: the right outcome with the right reason, and distractors that each blame
    one element (wrongly, or the outcome the other way)."""
    who, facts, checks = _case(rule, rng, fail)
    question = _fill(rule.question, who)
    no = [f"No, because {_fill(e.why_unmet, who)}." for e in rule.elements]
    yes = f"Yes, because {'; '.join(_fill(e.why_met, who) for e in rule.elements)}."
    if fail is None:
        gold_text, wrong = yes, rng.sample(no, 3)
    else:
        others = [no[i] for i in range(len(no)) if i != fail]
        gold_text, wrong = no[fail], [yes] + rng.sample(others, min(2, len(others)))
    texts = [gold_text, *wrong]
    rng.shuffle(texts)
    options = {LETTERS[i]: t for i, t in enumerate(texts)}
    gold = LETTERS[texts.index(gold_text)]
    irac = {"issue": f"The issue is {_fill(rule.issue, who)}.", "rule": rule.rule,
            "application": _application(checks, who),
            "conclusion": ("Every element is met, so the answer is yes." if fail is None else
                           f"The {rule.elements[fail].name.replace('_', ' ')} element fails, so the answer is no.")}
    answer = lay.render(fmt, order, gold, irac)
    return _row("mbe", mbe_prompt(f"{facts}\n{question}", options, fmt, order), _think(checks, who), answer, gold,
                answer_type="option", options=json.dumps(options), layout=fmt, order=order, family=rule.id,
                area=rule.area, id=idx)


def rule_example(rule: rules.ElementRule, rng: random.Random, fail: int | None, idx: str) -> dict:
    who, facts, checks = _case(rule, rng, fail)
    gold = "yes" if fail is None else "no"
    q = f"Rule: {rule.rule}\nFacts: {facts}\nQuestion: {_fill(rule.question, who)} Answer yes or no."
    return _row("rule", q, _think(checks, who), gold, gold, answer_type="yesno", family=rule.id, area=rule.area, id=idx)


def classify_example(rule: rules.ElementRule, rng: random.Random, fail: int | None, idx: str) -> dict:
    who, facts, checks = _case(rule, rng, fail)
    labels = [e.name for e in rule.elements] + ["none"]
    gold = "none" if fail is None else rule.elements[fail].name
    q = (f"Rule: {rule.rule}\nFacts: {facts}\nWhich element is not satisfied? Answer one of: {', '.join(labels)}.")
    return _row("classify", q, _think(checks, who), gold, gold, answer_type="label", label_set=json.dumps(labels),
                family=rule.id, area=rule.area, legalbench_task=f"synthetic/{rule.id}", id=idx)


def _date(rng: random.Random, lo: int = 2000, hi: int = 2022) -> dt.date:
    start = dt.date(lo, 1, 1)
    return start + dt.timedelta(days=rng.randrange((dt.date(hi, 12, 31) - start).days))


PERIOD_NOTE = ("the period ends on the same calendar date {n} years later (28 February when that date does not exist)")


def limitation_example(rng: random.Random, kind: str, idx: str) -> dict:
    claim = rng.choice(("breach of a written contract", "personal injury", "property damage", "unpaid wages"))
    n = rng.choice((2, 3, 4, 6))
    accrual = _date(rng)
    deadline = rules.add_years(accrual, n)
    filed = deadline + dt.timedelta(days=rng.choice((-400, -40, -1, 0, 1, 30, 200)))
    who = _people(rng)
    rule = (f"In this jurisdiction a claim for {claim} must be filed within {n} years of the day it accrues; "
            + PERIOD_NOTE.format(n=n) + ", and a claim filed on that day is in time.")
    facts = f"{who['p']}'s claim against {who['d']} for {claim} accrued on {accrual.isoformat()}."
    if kind == "date":
        q, gold = "What is the last day on which the claim can be filed? Give the date as YYYY-MM-DD.", deadline.isoformat()
        think = f"{accrual.isoformat()} + {n} years = {gold}"
    elif kind == "yesno":
        facts += f" {who['p']} filed on {filed.isoformat()}."
        gold = "yes" if filed <= deadline else "no"
        q = "Was the claim filed in time? Answer yes or no."
        think = f"deadline {deadline.isoformat()}; filed {filed.isoformat()}: {'in time' if gold == 'yes' else 'late'}"
    else:
        facts += f" {who['p']} filed on {filed.isoformat()}."
        gold = str(rules.full_years(accrual, filed))
        q = "How many full years after the claim accrued was it filed? Answer with a number."
        think = f"from {accrual.isoformat()} to {filed.isoformat()}: {gold} full years"
    return _row("rule", f"Rule: {rule}\nFacts: {facts}\nQuestion: {q}", think, gold, gold, answer_type=kind,
                family="limitation_period", area="Civil procedure", id=idx)


def adverse_possession_example(rng: random.Random, kind: str, idx: str) -> dict:
    n = rng.choice((10, 15, 20))
    start = _date(rng, 1985, 2010)
    vest = rules.add_years(start, n)
    who = _people(rng)
    permitted = kind == "yesno" and rng.random() < 0.3
    rule = (f"In this jurisdiction a person who possesses land openly, continuously, exclusively and without the "
            f"owner's permission for {n} years acquires title; " + PERIOD_NOTE.format(n=n)
            + ", and title vests on that day.")
    facts = (f"On {start.isoformat()} {who['d']} fenced off and began farming a strip of {who['p']}'s land, openly, "
             "continuously and as the only user.")
    if permitted:
        facts += f" {who['p']} had given {who['d']} written permission to use the strip."
    if kind == "date":
        q, gold = "On what date does title vest in the possessor? Give the date as YYYY-MM-DD.", vest.isoformat()
        think = f"{start.isoformat()} + {n} years = {gold}"
    elif kind == "yesno":
        asked = vest + dt.timedelta(days=rng.choice((-500, -1, 0, 1, 300)))
        gold = "yes" if asked >= vest and not permitted else "no"
        q = f"Had {who['d']} acquired title by {asked.isoformat()}? Answer yes or no."
        think = ("permission, so not hostile" if permitted else f"vests {vest.isoformat()}; asked {asked.isoformat()}")
    else:
        asked = start + dt.timedelta(days=rng.randrange(1, 365 * n))
        gold = str(rules.full_years(start, asked))
        q = f"How many full years of possession had {who['d']} completed by {asked.isoformat()}? Answer with a number."
        think = f"from {start.isoformat()} to {asked.isoformat()}: {gold} full years of {n}"
    return _row("rule", f"Rule: {rule}\nFacts: {facts}\nQuestion: {q}", think, gold, gold, answer_type=kind,
                family="adverse_possession", area="Property", id=idx)


def build_synthetic(*, out: str | None = None, tasks=("mbe", "rule", "classify"), layouts=("json",),
                    orders=("option_first",), per_family: int = 60, test_per_family: int = 24, val_share: float = 0.1,
                    rl_per_family: int = 16, seed: int = 0) -> DatasetDict:
    """SYNTHETIC legal problems (not legal advice), split by rule family: families marked
    ``test`` in :mod:`domains.legal.rules` (defamation, burglary, adverse possession) appear only
    in ``test``. Per element family and split, mbe / rule / classify examples in turn with the
    element that fails drawn uniformly (or none); per period family, date / yes-no / number
    questions in turn. ``layouts`` (json | markdown | numbered) and ``orders`` (option_first |
    explanation_first) are cycled over the mbe examples. ``rl``: more prompts of the training
    families; ``val``: a share of them (iid)."""
    from datasets import Dataset, DatasetDict
    formats = (layouts,) if isinstance(layouts, str) else tuple(layouts)
    orders = (orders,) if isinstance(orders, str) else tuple(orders)
    tasks = (tasks,) if isinstance(tasks, str) else tuple(tasks)
    bad = [f for f in formats if f not in lay.FORMATS] + [o for o in orders if o not in lay.ORDERS]
    bad += [t for t in tasks if t not in verify.TASKS]
    if bad:
        raise FoundryError(f"synthetic: unknown layout/order/task {bad}; layouts {', '.join(lay.FORMATS)}, "
                           f"orders {', '.join(lay.ORDERS)}, tasks {', '.join(verify.TASKS)}")
    rng = random.Random(seed)
    splits: dict[str, list] = {"train": [], "rl": [], "val": [], "test": []}
    combos = [(f, o) for f in formats for o in orders]
    turn = {"s": 0, "t": 0, "r": 0}  # layouts cycle across families, per split

    def element_rows(rule, n, tag):
        rows = []
        wanted = [t for t in ("mbe", "rule", "classify") if t in tasks]
        for i in range(n if wanted else 0):
            task = wanted[i % len(wanted)]
            fail = rng.choice([None, *range(len(rule.elements))])
            idx = f"{rule.id}/{tag}{i}"
            if task == "mbe":
                fmt, order = combos[turn[tag] % len(combos)]
                turn[tag] += 1
                rows.append(mbe_example(rule, rng, fmt, order, fail, idx))
            elif task == "rule":
                rows.append(rule_example(rule, rng, fail, idx))
            else:
                rows.append(classify_example(rule, rng, fail, idx))
        return rows

    def period_rows(rule, n, tag):
        if "rule" not in tasks:
            return []
        make = limitation_example if rule.id == "limitation_period" else adverse_possession_example
        return [make(rng, ("date", "yesno", "number")[i % 3], f"{rule.id}/{tag}{i}") for i in range(n)]

    for rule in rules.ELEMENT_RULES + rules.PERIOD_RULES:
        make = element_rows if isinstance(rule, rules.ElementRule) else period_rows
        if rule.split == "test":
            splits["test"] += make(rule, test_per_family, "t")
            continue
        rows = make(rule, per_family, "s")
        n_val = int(round(val_share * len(rows)))
        splits["val"] += rows[:n_val]
        splits["train"] += rows[n_val:]
        splits["rl"] += make(rule, rl_per_family, "r")
    for part in ("train", "rl"):
        rng.shuffle(splits[part])
    if out:
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "SYNTHETIC.txt"), "w") as fh:
            fh.write(SYNTHETIC_LABEL + "\n")
    return DatasetDict({k: Dataset.from_list(v) for k, v in splits.items() if v})


# ------------------------------------------------------------------ loaders
_BARLLAMA_IRAC = {"issue": "Legal_Concept", "rule": "Rule_Application", "application": "Fact_Analysis",
                  "conclusion": "Legal_Conclusion"}


def load_mbe(*, path: str, split: str = "test", layout: str = "json", order: str = "option_first",
             test_share: float = 0.0, seed: int = 0, rename: str | None = None, out: str | None = None) -> DatasetDict:
    """bar-llama's MBE JSON (``raw_dataset.json`` or ``distilled_dataset.json``): a list of
    ``domain``, ``question_number``, ``question``, ``options`` {optionA: "A. ...", ..},
    ``correct_answer`` (A-D), ``explanation`` (a string, or in the distilled file an object
    with ``Legal_Concept``, ``Fact_Analysis``, ``Rule_Application``, ``Legal_Conclusion``).
    The gold completion is written in ``layout``/``order``: the distilled fields map to issue =
    Legal_Concept, rule = Rule_Application, application = Fact_Analysis, conclusion =
    Legal_Conclusion; a plain explanation becomes the application with the other sections empty.
    Every question goes to ``split``; with ``test_share`` > 0 a seeded share goes to ``test`` and
    the rest to ``train`` (for SFT on the file itself, as the bar-llama recipe does).

    Hub: ``path=hf:<a copy>`` whose rows carry the same fields (bar-llama publishes the JSON files
    on GitHub, not on the hub; every hub split is pooled)."""
    from datasets import Dataset, DatasetDict
    if layout not in lay.FORMATS or order not in lay.ORDERS:
        raise FoundryError(f"mbe: layout must be one of {', '.join(lay.FORMATS)} and order one of {', '.join(lay.ORDERS)}")
    if hub.is_hub(path):
        data = [rec for items in hub.records(path, rename=rename).values() for _, rec in items]
    else:
        data = read_json(path, "bar-llama's MBE JSON (a list of questions)")
    if not isinstance(data, list):
        raise FoundryError(f"{path}: expected a JSON list of questions")
    rows = []
    for i, rec in enumerate(data):
        where = f"{path}: entry {i}" + (f" (question_number {rec.get('question_number')})" if isinstance(rec, dict) else "")
        if isinstance(rec, dict) and isinstance(rec.get("options"), dict):
            rec = {**rec, "options": {k: v for k, v in rec["options"].items() if v is not None}}
        if not isinstance(rec, dict):
            raise FoundryError(f"{where}: expected an object")
        for key in ("question", "options", "correct_answer"):
            if rec.get(key) in (None, "", {}):
                raise FoundryError(f"{where}: missing field '{key}'")
        if not isinstance(rec["options"], dict):
            raise FoundryError(f"{where}: field 'options' must be an object {{optionA: 'A. ...'}}")
        options = {}
        for key, text in rec["options"].items():
            letter = str(key)[-1].upper()
            if not str(key).lower().startswith("option") or letter not in LETTERS:
                raise FoundryError(f"{where}: field 'options' has key {key!r}; expected optionA..optionD")
            body = str(text).strip()
            options[letter] = body[2:].strip() if body[:2].upper() == f"{letter}." else body
        gold = str(rec["correct_answer"]).strip().upper()[:1]
        if gold not in options:
            raise FoundryError(f"{where}: field 'correct_answer' is {rec['correct_answer']!r}, not one of {sorted(options)}")
        expl = rec.get("explanation") or ""
        if isinstance(expl, dict):
            irac = {k: str(expl.get(v) or "") for k, v in _BARLLAMA_IRAC.items()}
        else:
            irac = {"issue": "", "rule": "", "application": str(expl), "conclusion": ""}
        options = dict(sorted(options.items()))
        rows.append(_row("mbe", mbe_prompt(str(rec["question"]), options, layout, order), "the call of the question",
                         lay.render(layout, order, gold, irac), gold, answer_type="option", options=json.dumps(options),
                         layout=layout, order=order, family=str(rec.get("domain") or "mbe"),
                         area=str(rec.get("domain") or ""), source="bar-llama", synthetic=False,
                         # question numbers repeat per subject (327 distinct in 1,512 rows): subject + number + row
                         id=f"{rec.get('domain') or 'mbe'}-{rec.get('question_number', 'q')}-{i}"))
    if not rows:
        raise FoundryError(f"{path}: no questions")
    if test_share > 0:
        order_ = list(range(len(rows)))
        random.Random(seed).shuffle(order_)
        n_test = min(len(rows) - 1, max(1, round(test_share * len(rows))))
        if n_test < 1:
            raise FoundryError(f"{path}: {len(rows)} question(s) cannot be split into train and test")
        test = set(order_[:n_test])
        return DatasetDict({"train": Dataset.from_list([r for i, r in enumerate(rows) if i not in test]),
                            "test": Dataset.from_list([r for i, r in enumerate(rows) if i in test])})
    return DatasetDict({split: Dataset.from_list(rows)})


def load_legalbench(*, path: str, task_dir: str | None = None, rename: str | None = None,
                    out: str | None = None) -> DatasetDict:
    """A LegalBench task folder: ``base_prompt.txt`` with ``{{column}}`` placeholders and
    ``train.tsv`` / ``test.tsv`` (``answer``, ``index`` and the columns the prompt names). Each
    file becomes a split; the label set is every answer seen in the task.

    Hub: ``path=hf:nguha/legalbench:<task>`` (train/test with the TSVs' columns; the test split
    exists only there). The hub copy has no ``base_prompt.txt``: ``task_dir`` is the task's folder
    of the LegalBench repository, which holds it."""
    from datasets import Dataset, DatasetDict
    folder = task_dir if hub.is_hub(path) else path
    if hub.is_hub(path) and not task_dir:
        raise FoundryError(f"{path}: the hub copy of LegalBench has the rows only; also pass --arg task_dir=DIR, "
                           "the task's folder of the LegalBench repository (it holds base_prompt.txt)")
    task = os.path.basename(os.path.normpath(folder))
    prompt_file = os.path.join(folder, "base_prompt.txt")
    if not os.path.isfile(prompt_file):
        raise FoundryError(f"{folder}: no base_prompt.txt (expected a LegalBench task folder)")
    check_utf8(prompt_file)
    with open(prompt_file, encoding="utf-8") as fh:
        template = fh.read()
    fields = sorted(set(re.findall(r"\{\{(\w+)\}\}", template)))
    if not fields:
        raise FoundryError(f"{prompt_file}: no {{{{column}}}} placeholder")
    raw: dict[str, list] = {}

    def local(_):
        found = {}
        for split in ("train", "test"):
            f = os.path.join(path, f"{split}.tsv")
            if os.path.isfile(f):
                found[split] = [(f"{f}:{n}", rec) for n, rec in iter_table(
                    f, ("answer", *fields), delimiter="\t", what=f"LegalBench columns answer, index, {', '.join(fields)}")]
        return found

    for split, items in hub.split_records(path, local, rename=rename).items():
        for where, rec in items:
            rec = {k: "" if v is None else str(v) for k, v in rec.items()}
            missing = [c for c in ("answer", *fields) if c not in rec]
            if missing:
                raise FoundryError(f"{where}: missing column(s) {missing}")
            if not rec["answer"].strip():
                raise FoundryError(f"{where}: field 'answer' is empty")
            prompt = template
            for col in fields:
                prompt = prompt.replace("{{" + col + "}}", rec[col])
            raw.setdefault(split, []).append((prompt, rec))
    if not raw:
        raise FoundryError(f"{path}: no train.tsv or test.tsv")
    labels = sorted({rec["answer"].strip() for rows in raw.values() for _, rec in rows})
    out_splits = {}
    for split, items in raw.items():
        out_splits[split] = Dataset.from_list([
            _row("classify", prompt, "apply the rule to the facts", rec["answer"].strip(), rec["answer"].strip(),
                 answer_type="label", label_set=json.dumps(labels), family=f"legalbench/{task}", area="LegalBench",
                 legalbench_task=task, source="legalbench", synthetic=False, id=str(rec.get("index") or n),
                 slice=rec.get("slice", ""))
            for n, (prompt, rec) in enumerate(items)])
    return DatasetDict(out_splits)


def check_example(example: dict, where: str, base_dir: str) -> dict:
    """Validate a user-supplied example for scoring (``reward`` / ``eval --predictions``)."""
    ex = base_example(example, where, verify.TASKS, answer_hint="a letter, yes/no, an ISO date, a number or a label",
                      defaults={"answer_type": "", "options": "", "label_set": "", "layout": "", "order": "", "family": "",
                                "legalbench_task": ""},
                      json_fields=("options", "label_set"))
    task = ex["task"]
    if task == "mbe":
        from r1_foundry.core.answers.choice import read_options

        options = read_options(ex["options"])
        if not options or str(ex["answer"]).upper() not in options:
            raise FoundryError(f"{where}: task mbe needs 'options' {{letter: text}} and 'answer' one of its letters")
        ex["layout"] = ex["layout"] or "json"
        if ex["layout"] not in lay.FORMATS:
            raise FoundryError(f"{where}: field 'layout' must be one of {', '.join(lay.FORMATS)}")
        ex["order"] = ex["order"] or "option_first"
        if ex["order"] not in lay.ORDERS:
            raise FoundryError(f"{where}: field 'order' must be one of {', '.join(lay.ORDERS)}")
    elif task == "rule":
        ex["answer_type"] = ex["answer_type"] or "yesno"
        if ex["answer_type"] not in ("yesno", "date", "number"):
            raise FoundryError(f"{where}: task rule needs 'answer_type' yesno, date or number")
        try:
            if ex["answer_type"] == "date":
                dt.date.fromisoformat(str(ex["answer"]))
            elif ex["answer_type"] == "number":
                float(ex["answer"])
        except ValueError:
            raise FoundryError(f"{where}: field 'answer' is not a {ex['answer_type']} (dates as YYYY-MM-DD)") from None
    ex["answer"] = str(ex["answer"])
    return ex
