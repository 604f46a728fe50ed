"""The finance verifier, shared by rewards and evals. Everything is read from the completion's
last ``<answer>`` block.

Tasks (the ``task`` column):

============  ===============================================================================
program       a question over a table (FinQA); the answer is a FinQA program (executed with
              :mod:`domains.finance.program`, official semantics) or a number; gold ``answer`` is
              ``exe_ans`` (a number as a string, or yes/no) and ``program`` the gold program
conversation  one turn of a ConvFinQA dialogue: same as program, scored per turn (``turn``)
mcq           lettered options (``options`` JSON); one letter (core.choice); games and economics
============  ===============================================================================

Numbers are compared with a relative tolerance and scale handling (``scaled_value``): ``25%`` is
0.25; when the gold is a ratio and the question asks for a percentage, ``25`` also matches
0.25; ``$1.2 million`` is 1.2 when the example's ``scale`` is ``million`` (1,200,000 otherwise).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from r1_foundry.core.answers.choice import read_choice
from r1_foundry.core.answers.text import layout_score, parse_number, read_answer
from r1_foundry.domains.finance import program as prog

TASKS = ("program", "conversation", "mcq")
DEFAULT_TOL = 0.01  # relative
SCALES = {"thousand": 1e3, "thousands": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6,
          "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9}
_SCALE_WORD = re.compile(r"(\d)\s*(thousands?|millions?|billions?|bn|mn|k|m|b)\b", re.I)
_PROGRAM = re.compile(r"^\s*(?:" + "|".join(prog.OPS) + r")\s*\(", re.I)

format_score = layout_score


@lru_cache(maxsize=4096)
def table_of(raw: str) -> list:
    try:
        table = json.loads(raw) if raw else []
    except (ValueError, TypeError):
        return []
    return table if isinstance(table, list) else []


def gold_value(raw):
    """The gold ``exe_ans`` as FinQA stores it: a float, or ``"yes"``/``"no"``."""
    if isinstance(raw, (int, float)):
        return float(raw)
    text = str(raw).strip().lower()
    if text in ("yes", "no"):
        return text
    try:
        return float(text)
    except ValueError:
        return text


def scaled_value(answer: str, scale: str = "") -> float | None:
    """The number an answer states, in the example's ``scale`` (``""``, ``thousand``,
    ``million``, ``billion``): ``25%`` -> 0.25; ``$1.2 million`` -> 1.2 for scale ``million``,
    1,200,000 for no scale; ``1,200,000`` -> 1.2 for scale ``million`` or ``billion`` (a number at
    least as large as the scale itself is taken as written out in full)."""
    value = parse_number(answer.replace("$", " "))
    if value is None:
        return None
    if "%" in answer:
        value /= 100.0
    said = _SCALE_WORD.search(answer)
    factor = SCALES.get(said.group(2).lower(), 1.0) if said else 1.0
    target = SCALES.get(scale.lower(), 1.0) if scale else 1.0
    if said:
        value = value * factor / target
    elif target >= 1e6 and abs(value) >= target:  # written out in full: 1,200,000 for 1.2 (million)
        value /= target
    return value


def close(pred: float | None, gold: float, tol: float = DEFAULT_TOL, percent_ok: bool = False) -> bool:
    """``pred`` within relative ``tol`` of ``gold`` (absolute 1e-4 near 0); with ``percent_ok``,
    ``pred / 100`` may match too (a ratio answered as a percentage without the % sign)."""
    if pred is None or not math.isfinite(pred):
        return False
    cands = [pred] + ([pred / 100.0] if percent_ok else [])
    return any(abs(c - gold) <= max(tol * abs(gold), 1e-4) for c in cands)


def is_program(answer: str) -> bool:
    return bool(_PROGRAM.match(answer or ""))


@dataclass
class Verdict:
    """``correct`` (tolerant: a number or an executed program close to the gold), the official
    ``exe_ok`` (a program, valid, exactly equal to ``exe_ans``) and ``prog_ok`` (symbolically the
    gold program), ``reason`` when not correct, ``value`` the answer's value, ``choice`` (mcq)."""

    correct: bool
    reason: str = ""
    answer: str | None = None
    value: object = None
    exe_ok: bool | None = None
    prog_ok: bool | None = None
    choice: str | None = None
    is_program: bool = False


def check(text: str, example: dict, *, symbolic: bool = False) -> Verdict:
    """Verify a completion. ``symbolic`` also computes program accuracy (sympy; slower, evals only)."""
    task = example.get("task")
    if task not in TASKS:
        raise ValueError(f"unknown task '{task}'; expected one of {', '.join(TASKS)}")
    answer = read_answer(text)  # core's one answer rule: a bare answer is read too
    if answer is None:
        return Verdict(False, "no_answer")
    if task == "mcq":
        c = read_choice(answer, example.get("options"))
        if c.letter is None:
            return Verdict(False, c.reason, answer=answer)
        ok = c.letter == str(example.get("answer", "")).upper()
        return Verdict(ok, "" if ok else "wrong_option", answer=answer, choice=c.letter)
    gold = gold_value(example.get("answer"))
    if is_program(answer):
        res = prog.run(answer, table_of(example.get("table") or ""))
        v = Verdict(False, answer=answer, value=res.value, is_program=True, exe_ok=prog.exe_correct(res, gold))
        if symbolic and example.get("program"):
            v.prog_ok = prog.equal_programs(prog.tokenize(example["program"]), prog.tokenize(answer))
        if res.invalid:
            v.reason = "program:" + (res.reason or "invalid")
            return v
        value = res.value
    else:
        v = Verdict(False, answer=answer, exe_ok=False, prog_ok=False if symbolic else None)
        said = answer.strip().lower().rstrip(".")
        value = said if said in ("yes", "no") else scaled_value(answer, str(example.get("scale") or ""))
        v.value = value
        if value is None:
            v.reason = "not_a_number"
            return v
    if isinstance(gold, str) or isinstance(value, str):
        v.correct = value == gold
    else:
        v.correct = close(value, gold, float(example.get("tolerance") or DEFAULT_TOL),
                          percent_ok="percent" in str(example.get("question", "")).lower())
    v.reason = "" if v.correct else "wrong_value"
    return v
