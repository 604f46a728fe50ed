"""Finance rewards (TRL contract), on :mod:`domains.finance.verify` and the core reward base.

=================  ============  ===================================================================
name               range         meaning (tasks)
=================  ============  ===================================================================
finance/numeric    {0, 1}        the answer's value (a number, or the result of the program it
                                 writes) within the example's relative tolerance, scale-aware:
                                 25% = 0.25, "$1.2 million" = 1.2 in a millions table (program,
                                 conversation)
finance/program    {0, 0.1, 1}   the answer is a FinQA program: 1 when it executes to exactly the
                                 gold ``exe_ans`` (FinQA's execution rule), 0.1 when it executes
                                 to something else, 0 when it is not a valid program (program,
                                 conversation)
finance/recon      [0, 1]        Recon-style gated MCQ: 0 unless the think/answer layout is right;
                                 then 1 for the gold option; else 0.5 x the share of the gold
                                 working's checkable steps (best responses) stated in the
                                 reasoning (mcq)
finance/accuracy   {0, 1}        Fin-R1's accuracy term: the verifier's verdict, every task
finance/format     {0, 0.5, 1}   think+answer / answer only / none; ``binary: true`` gives Fin-R1's
                                 {0, 1} (all)
=================  ============  ===================================================================
"""

from __future__ import annotations

import json
import re

from r1_foundry.core.answers.text import completion_text
from r1_foundry.core.rewards.base import Reward, renamed
from r1_foundry.domains.finance import verify

_NUMERIC = ("program", "conversation")
_THINK = re.compile(r"<think>(.*?)</think>", re.S | re.I)


class _Reward(Reward):
    columns = ("task", "answer")
    defaults = {"program": "", "table": "", "question": "", "scale": "", "tolerance": verify.DEFAULT_TOL,
                "options": "", "working": "[]"}


class _Numeric(_Reward):
    name = "finance/numeric"
    tasks = _NUMERIC

    def score(self, text, example):
        return float(verify.check(text, example).correct)


class _Program(_Reward):
    name = "finance/program"
    tasks = _NUMERIC

    def score(self, text, example):
        v = verify.check(text, example)
        if not v.is_program or v.reason.startswith("program:"):
            return 0.0
        return 1.0 if v.exe_ok else 0.1


class _Recon(_Reward):
    name = "finance/recon"
    tasks = ("mcq",)

    def score(self, text, example):
        if verify.format_score(text) < 1.0:
            return 0.0
        v = verify.check(text, example)
        if v.correct:
            return 1.0
        if v.choice is None:  # partial credit is for a committed wrong option, not "A B C D" or no option
            return 0.0
        try:
            steps = json.loads(example.get("working") or "[]")
        except ValueError:
            steps = []
        if not steps:
            return 0.0
        found = _THINK.search(completion_text(text))  # the gate guarantees exactly one think block
        said = {s.replace(" ", "").lower() for s in re.split(r"[;\n]", found.group(1) if found else "")}
        return 0.5 * sum(1 for s in steps if s.replace(" ", "").lower() in said) / len(steps)


class _Accuracy(_Reward):
    name = "finance/accuracy"
    records_reasons = True

    def score(self, text, example):
        v = verify.check(text, example)
        return float(v.correct), v.reason or "correct"


class _Format(_Reward):
    name = "finance/format"

    def __init__(self, binary: bool = False):
        super().__init__()
        self.binary = bool(binary)

    def score(self, text, example):
        f = verify.format_score(text)
        return float(f == 1.0) if self.binary else f


def numeric():
    return _Numeric()


def program_reward():
    return _Program()


def recon():
    return _Recon()


def accuracy():
    return _Accuracy()


correct = renamed(accuracy, "finance/correct")  # the right-answer name every domain answers to


def format_reward(binary: bool = False):
    return _Format(binary)


RANGES = {"finance/numeric": (0.0, 1.0), "finance/program": (0.0, 1.0), "finance/recon": (0.0, 1.0),
          "finance/accuracy": (0.0, 1.0), "finance/correct": (0.0, 1.0), "finance/format": (0.0, 1.0)}


def audit_probes(example: dict, gold: str, rng, pool: list[dict]) -> dict:
    """Finance probes for ``foundry finance audit`` (:mod:`core.audit`): MCQ every letter; numeric
    and program tasks: a number of the table at random (a plausible-looking wrong answer) and every
    number of the question."""
    import json
    import re

    from r1_foundry.core.answers.text import reasoning
    from r1_foundry.core.rewards.audit import all_letters

    think = reasoning(gold)
    if example.get("task") == "mcq":
        options = example.get("options")
        letters = sorted(json.loads(options)) if isinstance(options, str) and options else list("ABCD")
        return all_letters(letters, gold)
    out = {}
    try:
        cells = [c for row in json.loads(example.get("table") or "[]")[1:] for c in row[1:]]
    except (ValueError, TypeError):
        cells = []
    numbers = [n for c in cells for n in re.findall(r"-?\d+(?:\.\d+)?", str(c))]
    gold_value = verify.gold_value(example.get("answer"))
    tol = float(example.get("tolerance") or 0.0)
    # a table number that is (within tolerance) the answer is right, not a trick
    numbers = [n for n in numbers if not (isinstance(gold_value, float) and abs(float(n) - gold_value) <= tol * abs(gold_value) + 1e-9)]
    if numbers:
        out["fin_table_number"] = f"<think>{think}</think><answer>{rng.choice(numbers)}</answer>"
    q_numbers = re.findall(r"-?\d+(?:\.\d+)?", str(example.get("question") or ""))
    if len(q_numbers) > 1:
        out["fin_question_numbers"] = f"<think>{think}</think><answer>{' '.join(q_numbers)}</answer>"
    return out
