"""Dataset builders for finance: an offline synthetic generator (fictional companies' statements in
FinQA's layout, ConvFinQA-style conversations, normal-form games with a solver) and loaders for
FinQA, ConvFinQA and a generic MCQ JSONL from the user's disk.

Columns: ``prompt``/``completion`` (TRL conversational), ``task`` (program | conversation | mcq),
``answer`` (exe_ans as a string, yes/no, or the gold letter), ``program`` (gold FinQA program),
``table`` (JSON list of rows), ``question``, ``scale``, ``tolerance``, ``options`` (mcq), and for
buckets ``template``, ``steps`` (program length), ``ops``, ``turn``, ``company``, ``family``, ``source``.

    foundry finance data build --out runs/finance                               # synthetic
    foundry finance data build --builder finqa --arg path=/data/FinQA/dataset --out runs/finqa
"""

from __future__ import annotations

import itertools
import json
import os
import random
from typing import TYPE_CHECKING

from r1_foundry.core.data import hub
from r1_foundry.core.schema.domain import base_example
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.io import iter_jsonl, read_json
from r1_foundry.domains.finance import program as prog

if TYPE_CHECKING:  # the builders import datasets when they run; check_example (the reward path) never does
    from datasets import DatasetDict

LETTERS = "ABCD"
_FIRST = ("Norwell", "Baxley", "Corvane", "Delmar", "Esterly", "Fairholt", "Granmoor", "Halvern", "Ironvale",
          "Jasper", "Kelston", "Larkmont", "Merrow", "Northam", "Oakridge", "Pellam", "Quarry", "Redfern",
          "Selwyn", "Thornby", "Umber", "Valemont", "Westcott", "Yarrow", "Zenith", "Ashgrove", "Brackley",
          "Calder", "Dunmore", "Elmstead")
_SECOND = ("Industries", "Foods", "Logistics", "Energy", "Holdings", "Retail", "Systems", "Materials")
# six rows keep a prompt near 180 tokens (digits are single tokens): the CPU budget of the default recipe
ROWS = ("revenue", "gross profit", "operating income", "net income", "total assets", "cash from operations")
YEARS = ("2023", "2022", "2021")


def make_completion(think: str, answer: str) -> list[dict]:
    return [{"role": "assistant", "content": f"<think>{think}</think><answer>{answer}</answer>"}]


def _fmt_cell(v: float, rng: random.Random) -> str:
    """FinQA-style cells: ``$ 1,234``, ``1234``, negatives as ``-36 ( 36 )``."""
    if v < 0:
        return f"-{abs(v):g} ( {abs(v):g} )"
    s = f"{v:,.0f}" if rng.random() < 0.3 else f"{v:g}"
    return f"$ {s}" if rng.random() < 0.3 else s


def _num(v: float) -> str:
    return f"{v:g}"


def company_table(rng: random.Random) -> tuple[list[list[str]], dict]:
    """A statement over three years (millions): the table rows as strings and the numbers."""
    base = rng.randint(100, 900)
    growth = rng.uniform(-0.1, 0.25)
    vals: dict[str, list[float]] = {}
    rev = [round(base * (1 + growth) ** (2 - i)) for i in range(3)]
    cogs = [round(r * rng.uniform(0.4, 0.7)) for r in rev]
    opex = [round(r * rng.uniform(0.1, 0.3)) for r in rev]
    vals["revenue"], vals["cost of revenue"] = rev, cogs
    vals["gross profit"] = [r - c for r, c in zip(rev, cogs, strict=True)]
    vals["operating expenses"] = opex
    vals["operating income"] = [g - o for g, o in zip(vals["gross profit"], opex, strict=True)]
    vals["net income"] = [round(oi * rng.uniform(0.6, 0.8)) if oi > 0 else oi for oi in vals["operating income"]]
    vals["total assets"] = [round(r * rng.uniform(1.2, 2.5)) for r in rev]
    vals["total liabilities"] = [round(a * rng.uniform(0.3, 0.7)) for a in vals["total assets"]]
    vals["cash from operations"] = [round(n * rng.uniform(0.9, 1.4)) for n in vals["net income"]]
    vals["capital expenditures"] = [round(r * rng.uniform(0.03, 0.1)) for r in rev]
    table = [[""] + list(YEARS)] + [[row] + [_fmt_cell(v, rng) for v in vals[row]] for row in ROWS]
    vals = {row: vals[row] for row in ROWS}
    return table, vals


TEMPLATES = ("change", "pct_change", "ratio", "margin", "cagr", "sum", "average", "greater", "share_change")


def _question(kind: str, vals: dict, rng: random.Random) -> tuple[str, str, str]:
    """(question, gold program, short plan) of one template on a company's numbers."""
    i, j = sorted(rng.sample(range(3), 2))  # i is the later year (columns run newest first)
    y_new, y_old = YEARS[i], YEARS[j]
    row = rng.choice(ROWS)
    a, b = vals[row][i], vals[row][j]
    if kind == "change":
        return (f"what was the change in {row} from {y_old} to {y_new}?", f"subtract({_num(a)}, {_num(b)})",
                f"{row} {y_new} minus {y_old}")
    if kind == "pct_change":
        return (f"what was the percentage change in {row} from {y_old} to {y_new}?",
                f"subtract({_num(a)}, {_num(b)}), divide(#0, {_num(b)})", f"change in {row} over its {y_old} value")
    if kind == "ratio":
        num, den = rng.choice((("net income", "total assets"), ("cash from operations", "net income"),
                               ("operating income", "total assets")))
        if vals[den][i] == 0:
            return _question("change", vals, rng)
        return (f"what was the ratio of {num} to {den} in {y_new}?", f"divide({_num(vals[num][i])}, {_num(vals[den][i])})",
                f"{num} over {den} in {y_new}")
    if kind == "margin":
        prof = rng.choice(("gross profit", "operating income", "net income"))
        name = prof.split()[0] if prof != "operating income" else "operating"
        return (f"what was the {name} margin in {y_new}?", f"divide({_num(vals[prof][i])}, {_num(vals['revenue'][i])})",
                f"{prof} over revenue in {y_new}")
    if kind == "cagr":
        first, last = vals["revenue"][2], vals["revenue"][0]
        return (f"what was the compound annual growth rate of revenue from {YEARS[2]} to {YEARS[0]}?",
                f"divide({_num(last)}, {_num(first)}), exp(#0, 0.5), subtract(#1, const_1)",
                "revenue ratio over two years, square root, minus one")
    if kind == "sum":
        return (f"what was the total {row} over the three years?", f"table_sum({row}, none)", f"sum of the {row} row")
    if kind == "average":
        return (f"what was the average {row} over the three years?", f"table_average({row}, none)",
                f"average of the {row} row")
    if kind == "greater":
        return (f"was {row} in {y_new} greater than in {y_old}?", f"greater({_num(a)}, {_num(b)})",
                f"compare {row} {y_new} with {y_old}")
    # share_change: four steps
    r1, r2 = vals["revenue"][i], vals["revenue"][j]
    return (f"what was the change in {row} as a share of revenue from {y_old} to {y_new}?",
            f"divide({_num(a)}, {_num(r1)}), divide({_num(b)}, {_num(r2)}), subtract(#0, #1)",
            f"{row} over revenue in each year, then the difference")


def _context(name: str, table: list[list[str]]) -> str:
    rows = "\n".join(" | ".join(r) for r in table)
    return f"{name} ( in millions ) :\n{rows}"


def _answer_text(value) -> str:
    """exe_ans as a string that reads back to the same float (FinQA compares exactly)."""
    return value if isinstance(value, str) else repr(float(value))


def program_example(name: str, table, vals, kind: str, rng: random.Random, source: str = "synthetic") -> dict:
    question, program, plan = _question(kind, vals, rng)
    res = prog.run(program, table)
    assert res.invalid == 0, (program, res)
    return {"prompt": [{"role": "user", "content": f"{_context(name, table)}\nquestion: {question}"}],
            "completion": make_completion(plan, program), "task": "program", "template": kind,
            "answer": _answer_text(res.value), "program": program, "table": json.dumps(table), "question": question,
            "scale": "million", "tolerance": 0.01, "options": "", "steps": len(prog.ops_of(program)),
            "ops": " ".join(prog.ops_of(program)), "turn": 0, "company": name, "family": "", "source": source}


def conversation_examples(name: str, table, vals, rng: random.Random) -> list[dict]:
    """A ConvFinQA-style dialogue: the value of a row in two years, then its change, then the
    change as a share of the earlier value; each turn's program builds on the previous ones."""
    i, j = sorted(rng.sample(range(3), 2))
    row = rng.choice(("revenue", "net income", "total assets", "cash from operations"))  # rows of ROWS
    a, b = _num(vals[row][i]), _num(vals[row][j])
    turns = [(f"what was {row} in {YEARS[i]}?", a), (f"and in {YEARS[j]}?", b),
             ("what was the change?", f"subtract({a}, {b})"),
             ("what percentage change does that represent?", f"subtract({a}, {b}), divide(#0, {b})")]
    out, history = [], []
    for t, (q, program) in enumerate(turns):
        gold = prog.to_number(program) if "(" not in program else prog.run(program, table).value
        dialogue = "".join(f"q{k}: {hq}\na{k}: {ha}\n" for k, (hq, ha) in enumerate(history))
        out.append({"prompt": [{"role": "user", "content": f"{_context(name, table)}\n{dialogue}question: {q}"}],
                    "completion": make_completion(f"turn {t}", program), "task": "conversation",
                    "template": f"conv_turn{t}", "answer": _answer_text(gold), "program": program,
                    "table": json.dumps(table), "question": q, "scale": "million", "tolerance": 0.01, "options": "",
                    "steps": len(prog.ops_of(program)), "ops": " ".join(prog.ops_of(program)), "turn": t,
                    "company": name, "family": "", "source": "synthetic"})
        history.append((q, _answer_text(gold)))
    return out


# ---------------------------------------------------------------- games (Recon-style MCQ)
GAME_FAMILIES = ("prisoners_dilemma", "coordination", "chicken", "matching_pennies", "dominant")


def _game(family: str, rng: random.Random):
    """Payoffs ``p[r][c] = (row player, column player)`` for a 2x2 game of the family."""
    if family == "prisoners_dilemma":
        t, r, p, s = sorted(rng.sample(range(0, 10), 4), reverse=True)
        return [[(r, r), (s, t)], [(t, s), (p, p)]]
    if family == "coordination":
        a, b = rng.sample(range(3, 10), 2)
        c, d = rng.randint(0, 2), rng.randint(0, 2)
        return [[(a, a), (c, d)], [(d, c), (b, b)]]
    if family == "chicken":
        win, tie, lose, crash = 6 + rng.randint(0, 3), 3 + rng.randint(0, 2), 1, 0
        return [[(tie, tie), (lose, win)], [(win, lose), (crash, crash)]]
    if family == "matching_pennies":
        k = rng.randint(1, 5)
        return [[(k, -k), (-k, k)], [(-k, k), (k, -k)]]
    return [[(rng.randint(5, 9), rng.randint(0, 9)), (rng.randint(5, 9), rng.randint(0, 9))],
            [(rng.randint(0, 4), rng.randint(0, 9)), (rng.randint(0, 4), rng.randint(0, 9))]]


def pure_nash(p) -> list[tuple[int, int]]:
    """Pure-strategy Nash equilibria of a 2x2 game: cells where each player best-responds."""
    out = []
    for r, c in itertools.product(range(2), range(2)):
        if p[r][c][0] >= p[1 - r][c][0] and p[r][c][1] >= p[r][1 - c][1]:
            out.append((r, c))
    return out


def game_example(family: str, rng: random.Random) -> dict:
    p = _game(family, rng)
    rows, cols = ("Up", "Down"), ("Left", "Right")
    cells = "; ".join(f"({rows[r]}, {cols[c]}) -> {p[r][c][0]}, {p[r][c][1]}" for r in range(2) for c in range(2))
    eq = pure_nash(p)
    names = [f"({rows[r]}, {cols[c]})" for r, c in itertools.product(range(2), range(2))]
    if len(eq) == 1:
        gold_text = f"({rows[eq[0][0]]}, {cols[eq[0][1]]})"
    elif not eq:
        gold_text = "no pure-strategy equilibrium"
    else:
        gold_text = " and ".join(f"({rows[r]}, {cols[c]})" for r, c in eq)
    pool = [n for n in names if n != gold_text] + ["no pure-strategy equilibrium"]
    pool = [x for x in dict.fromkeys(pool) if x != gold_text]
    choices = rng.sample(pool, 3) + [gold_text]
    rng.shuffle(choices)
    options = dict(zip(LETTERS, choices, strict=True))
    gold = LETTERS[choices.index(gold_text)]
    br = []
    for c in range(2):
        best = max(range(2), key=lambda r, c=c: p[r][c][0])
        br.append(f"BR1({cols[c]})={rows[best]}")
    for r in range(2):
        best = max(range(2), key=lambda c, r=r: p[r][c][1])
        br.append(f"BR2({rows[r]})={cols[best]}")
    question = (f"In a game, the row player chooses Up or Down and the column player Left or Right. Payoffs (row, "
                f"column): {cells}. Which are the pure-strategy Nash equilibria?\n"
                + "\n".join(f"{k}. {v}" for k, v in options.items()))
    return {"prompt": [{"role": "user", "content": question}], "completion": make_completion("; ".join(br), gold),
            "task": "mcq", "template": "nash", "answer": gold, "program": "", "table": "", "question": question,
            "scale": "", "tolerance": 0.0, "options": json.dumps(options), "steps": 0, "ops": "", "turn": 0,
            "company": "", "family": family, "source": "synthetic", "working": json.dumps(br)}


ECON_FAMILIES = ("present_value", "elasticity")


def econ_example(family: str, rng: random.Random) -> dict:
    """An economics calculation asked as a four-option MCQ (Recon's layout) with a solver: the
    present value of one future amount, or the midpoint (arc) price elasticity of demand.
    Distractors are the usual slips (no discounting / simple interest; the plain-percentage
    formula / the inverted ratio); the gold working lists the checkable intermediate values."""
    if family == "present_value":
        amount, rate, years = rng.randint(10, 90) * 100, rng.choice((2, 4, 5, 6, 8, 10)), rng.randint(2, 6)
        gold_v = amount / (1 + rate / 100) ** years
        wrong = [amount / (1 + rate * years / 100), amount * (1 + rate / 100) ** years, amount * (1 - rate / 100)]
        question = f"What is the present value of {amount} received in {years} years at {rate}% a year, compounded annually?"
        working = [f"discount factor = 1.{rate:02d}^{years} = {(1 + rate / 100) ** years:.4f}",
                   f"PV = {amount} / {(1 + rate / 100) ** years:.4f} = {gold_v:.2f}"]
        fmt = "{:.2f}"
    else:
        p1, p2 = rng.randint(5, 20), 0
        p2 = p1 + rng.randint(1, 5)
        q1 = rng.randint(50, 200)
        q2 = q1 - rng.randint(5, 40)
        dq, dp = (q2 - q1) / ((q1 + q2) / 2), (p2 - p1) / ((p1 + p2) / 2)
        gold_v = dq / dp
        wrong = [((q2 - q1) / q1) / ((p2 - p1) / p1), dp / dq, -gold_v]
        question = (f"The price rises from {p1} to {p2} and the quantity demanded falls from {q1} to {q2}. "
                    f"What is the midpoint (arc) price elasticity of demand?")
        working = [f"%dQ = {dq:.4f}", f"%dP = {dp:.4f}", f"E = {gold_v:.2f}"]
        fmt = "{:.2f}"
    texts = [fmt.format(gold_v)] + [fmt.format(w) for w in wrong]
    if len(set(texts)) < 4:  # distinct options only
        texts = list(dict.fromkeys(texts)) + [fmt.format(gold_v * k) for k in (1.5, 2, 3)]
        texts = list(dict.fromkeys(texts))[:4]
    gold_text = texts[0]
    rng.shuffle(texts)
    options = dict(zip(LETTERS, texts, strict=True))
    gold = LETTERS[texts.index(gold_text)]
    prompt = question + "\n" + "\n".join(f"{k}. {v}" for k, v in options.items())
    return {"prompt": [{"role": "user", "content": prompt}], "completion": make_completion("; ".join(working), gold),
            "task": "mcq", "template": family, "answer": gold, "program": "", "table": "", "question": question,
            "scale": "", "tolerance": 0.0, "options": json.dumps(options), "steps": 0, "ops": "", "turn": 0,
            "company": "", "family": family, "source": "synthetic", "working": json.dumps(working)}


def build_synthetic(*, out: str | None = None, companies: int = 30, test_companies: int = 5, val_companies: int = 3,
                    per_company: int = 60, rl_per_company: int = 16, test_per_company: int = 20,
                    conversations: int = 3, games_train: int = 300, games_rl: int = 80, games_test: int = 40,
                    test_family: str = "chicken", seed: int = 0) -> DatasetDict:
    """Synthetic financial statements (fictional companies, millions) with FinQA-style questions
    of one to three operations, ConvFinQA-style conversations, 2x2-game MCQs and economics MCQs
    (present value, arc elasticity), split by company (test and val companies never appear in
    training) and by game family (``test_family`` only in test).

    ``train``: ``per_company`` questions per training company (templates in turn) and
    ``conversations`` dialogues; ``rl``: fresh questions on the same companies; ``val``/``test``:
    ``test_per_company`` questions and one dialogue per held-out company.
    """
    from datasets import Dataset, DatasetDict
    rng = random.Random(seed)
    if test_family not in GAME_FAMILIES:
        raise FoundryError(f"data.args.test_family must be one of {', '.join(GAME_FAMILIES)}, got '{test_family}'")
    names = [f"{a} {b}" for a in _FIRST for b in _SECOND]
    rng.shuffle(names)
    total = companies + test_companies + val_companies
    groups = {"test": names[:test_companies], "val": names[test_companies:test_companies + val_companies],
              "train": names[test_companies + val_companies:total]}
    splits: dict[str, list] = {"train": [], "rl": [], "val": [], "test": []}
    turn = 0
    for split, members in groups.items():
        for name in members:
            table, vals = company_table(rng)
            targets = (("train", per_company), ("rl", rl_per_company)) if split == "train" else \
                ((split, test_per_company),)
            for target, n in targets:
                for _ in range(n):
                    splits[target].append(program_example(name, table, vals, TEMPLATES[turn % len(TEMPLATES)], rng))
                    turn += 1
            for _ in range(conversations if split == "train" else 1):
                splits["train" if split == "train" else split] += conversation_examples(name, table, vals, rng)
    train_families = [f for f in GAME_FAMILIES if f != test_family]
    for split, n, fams in (("train", games_train, train_families), ("rl", games_rl, train_families),
                           ("test", games_test, [test_family] + train_families), ("val", games_test // 2, train_families)):
        for k in range(n):
            splits[split].append(game_example(fams[k % len(fams)], rng))
        for k in range(n // 2):  # economics calculations (both families in every split)
            splits[split].append(econ_example(ECON_FAMILIES[k % 2], rng))
    for rows in splits.values():
        rng.shuffle(rows)
    return DatasetDict({k: Dataset.from_list(v) for k, v in splits.items() if v})


# ---------------------------------------------------------------- real formats
def _load_json_list(path: str) -> list:
    data = read_json(path, "a JSON list of FinQA entries")
    if not isinstance(data, list):
        raise FoundryError(f"{path}: expected a JSON list of FinQA entries")
    return data


def _finqa_row(entry: dict, qa: dict, where: str, task: str = "program", turn: int = 0, history: str = "") -> dict:
    for key in ("pre_text", "post_text", "table"):
        if not isinstance(entry.get(key), list):
            raise FoundryError(f"{where}: field '{key}' must be a list")
    for key in ("question", "program", "exe_ans"):
        if key not in qa:
            raise FoundryError(f"{where}: field 'qa.{key}' is missing")
    table = [[str(c) for c in row] for row in entry["table"]]
    text = " ".join(entry["pre_text"]) + "\n" + "\n".join(" | ".join(r) for r in table) + "\n" + " ".join(entry["post_text"])
    program = str(qa["program"])
    gold = qa["exe_ans"]
    return {"prompt": [{"role": "user", "content": f"{text}\n{history}question: {qa['question']}"}],
            "completion": make_completion("", program), "task": task, "template": "finqa" if task == "program" else
            f"conv_turn{turn}", "answer": _answer_text(gold if isinstance(gold, str) else float(gold)),
            "program": program, "table": json.dumps(table), "question": str(qa["question"]), "scale": "",
            "tolerance": 0.01, "options": "", "steps": len(prog.ops_of(program)), "ops": " ".join(prog.ops_of(program)),
            "turn": turn, "company": str(entry.get("id", "")).split("/")[0], "family": "", "source": "finqa"}


def _split_files(path: str, names: dict) -> dict[str, str]:
    if os.path.isfile(path):
        return {"test": path}
    if not os.path.isdir(path):
        raise FoundryError(f"{path}: no such file or folder")
    found = {split: os.path.join(path, f) for split, f in names.items() if os.path.isfile(os.path.join(path, f))}
    if not found:
        raise FoundryError(f"{path}: none of {', '.join(names.values())} found")
    return found


def _json_records(names: dict):
    def read(path):
        out = {}
        for split, f in _split_files(path, names).items():
            out[split] = [(f"{f}: entry {n}" + (f" (id {e.get('id', '?')})" if isinstance(e, dict) else ""), e)
                          for n, e in enumerate(_load_json_list(f))]
        return out
    return read


_QA_FIELDS = ("question", "program", "exe_ans")


def load_finqa(*, path: str, rename: str | None = None, out: str | None = None) -> DatasetDict:
    """FinQA ``dataset/{train,dev,test}.json`` (a folder) or one such file (becomes ``test``).

    Hub: ``path=hf:<a FinQA copy>``. Rows with the official nested ``qa`` object are read as the
    files are; copies that flatten it (``question``, ``program``, ``exe_ans`` at the top level,
    beside ``pre_text``, ``post_text``, ``table``) are put back together; other names map with
    ``--arg rename=hub:ours,...`` (e.g. ``answers:exe_ans``)."""
    from datasets import Dataset, DatasetDict
    splits = {}
    read = _json_records({"train": "train.json", "val": "dev.json", "test": "test.json"})
    for split, items in hub.split_records(path, read, rename=rename).items():
        rows = []
        for where, entry in items:
            if isinstance(entry, dict) and not isinstance(entry.get("qa"), dict) and all(k in entry for k in _QA_FIELDS):
                entry = {**entry, "qa": {k: entry[k] for k in _QA_FIELDS}}
            if not isinstance(entry, dict) or not isinstance(entry.get("qa"), dict):
                raise FoundryError(f"{where}: field 'qa' must be an object")
            rows.append(_finqa_row(entry, entry["qa"], where))
        splits[split] = rows
    return DatasetDict({k: Dataset.from_list(v) for k, v in splits.items() if v})


def load_convfinqa(*, path: str, rename: str | None = None, out: str | None = None) -> DatasetDict:
    """ConvFinQA ``train.json``/``dev.json`` (a folder) or one file: one example per turn from
    ``annotation.dialogue_break``, ``turn_program`` and ``exe_ans_list``; earlier turns and their
    gold answers are in the prompt.

    Hub: ``path=hf:<a ConvFinQA copy>`` whose rows keep the official ``annotation`` object
    (copies that split conversations into turns differ too much to map; use the files)."""
    from datasets import Dataset, DatasetDict
    splits = {}
    for split, items in hub.split_records(path, _json_records({"train": "train.json", "val": "dev.json"}),
                                          rename=rename).items():
        rows = []
        for where, entry in items:
            ann = entry.get("annotation") if isinstance(entry, dict) else None
            if not isinstance(ann, dict):
                raise FoundryError(f"{where}: field 'annotation' must be an object")
            qs, programs, answers = (ann.get(k) for k in ("dialogue_break", "turn_program", "exe_ans_list"))
            if not (isinstance(qs, list) and isinstance(programs, list) and isinstance(answers, list)) or \
                    not len(qs) == len(programs) == len(answers):
                raise FoundryError(f"{where}: annotation.dialogue_break, turn_program and exe_ans_list must be "
                                   f"lists of the same length")
            history = ""
            for t, (q, p_, a) in enumerate(zip(qs, programs, answers, strict=True)):
                rows.append(_finqa_row(entry, {"question": q, "program": p_, "exe_ans": a}, f"{where} turn {t}",
                                       task="conversation", turn=t, history=history))
                history += f"q{t}: {q}\na{t}: {_answer_text(a if isinstance(a, str) else float(a))}\n"
        splits[split] = rows
    return DatasetDict({k: Dataset.from_list(v) for k, v in splits.items() if v})


def load_mcq(*, path: str, rename: str | None = None, out: str | None = None) -> DatasetDict:
    """A generic MCQ JSONL: ``question``, ``options`` {letter: text}, ``answer`` (letter), optional
    ``solution`` (worked solution used as the gold reasoning); ``hf:`` rows with the same fields
    (every split goes to ``test``)."""
    from datasets import Dataset, DatasetDict
    rows = []
    found = hub.split_records(path, lambda p: {"test": [(f"{p}:{n}", rec) for n, rec in iter_jsonl(p)]}, rename=rename)
    for where, rec in (pair for items in found.values() for pair in items):
        for key in ("question", "options", "answer"):
            if key not in rec:
                raise FoundryError(f"{where}: missing field '{key}'")
        options = rec["options"]
        if not isinstance(options, dict) or str(rec["answer"]).upper() not in options:
            raise FoundryError(f"{where}: field 'answer' must be one of the keys of 'options'")
        question = f"{rec['question']}\n" + "\n".join(f"{k}. {v}" for k, v in options.items())
        rows.append({"prompt": [{"role": "user", "content": question}],
                     "completion": make_completion(str(rec.get("solution", "")), str(rec["answer"]).upper()),
                     "task": "mcq", "template": "mcq", "answer": str(rec["answer"]).upper(), "program": "", "table": "",
                     "question": str(rec["question"]), "scale": "", "tolerance": 0.0, "options": json.dumps(options),
                     "steps": 0, "ops": "", "turn": 0, "company": "", "family": str(rec.get("family", "")),
                     "source": "mcq", "working": "[]"})
    return DatasetDict({"test": Dataset.from_list(rows)})


def check_example(example: dict, where: str, base_dir: str) -> dict:
    """Validate a user-supplied example for scoring (``reward`` / ``eval --predictions``)."""
    from r1_foundry.domains.finance import verify

    ex = base_example(example, where, verify.TASKS, json_fields=("table", "options", "working"),
                      defaults={"program": "", "table": "", "question": "", "scale": "", "tolerance": 0.01,
                                "options": "", "working": "[]"})
    ex["answer"] = str(ex["answer"])
    return ex
