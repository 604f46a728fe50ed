"""Eval scoring for finance, on the same verifier as the rewards.

=============  ===================================================================================
correct        tolerant accuracy: the answer's value within the relative tolerance (numbers, or a
               program's result), or the right option (every task)
exe_acc        FinQA's execution accuracy: the answer is a program that executes (official
               semantics) to exactly the gold ``exe_ans``; a plain number scores 0, as in FinQA
               (program, conversation; not on look-up turns whose gold is a bare number)
prog_acc       FinQA's program accuracy: symbolically equal to the gold program (sympy)
mcq_acc        the gold option (mcq); with ``choice``/``gold_choice`` core adds the letter bias
parse_fail     no readable answer: no answer block, no option, no number, an invalid program
=============  ===================================================================================

Buckets (suite): ``task``, ``template``, ``steps`` (program length), ``ops`` (operations),
``turn`` (conversation turns), ``family`` (game family).
"""

from __future__ import annotations

from r1_foundry.domains.finance import verify

_PARSE_FAIL = ("no_answer", "no_option", "multiple", "bad_letter", "not_a_number")


def score(example: dict, text: str) -> dict:
    task = example["task"]
    v = verify.check(text, example, symbolic=task != "mcq")
    row = {"correct": float(v.correct), "reason": v.reason or "correct",
           "parse_fail": float(v.reason in _PARSE_FAIL or v.reason.startswith("program:")),
           "exe_acc": None, "prog_acc": None, "mcq_acc": None,
           "answer_key": v.choice if task == "mcq" else (None if v.value is None else repr(v.value))}
    if task == "mcq":
        row.update(mcq_acc=float(v.correct), choice=v.choice, gold_choice=str(example["answer"]).upper())
    elif "(" in str(example.get("program") or ""):
        row.update(exe_acc=float(bool(v.exe_ok)), prog_acc=float(bool(v.prog_ok)))
    # a gold "program" that is a bare number (a ConvFinQA look-up turn) has no program to execute:
    # FinQA's evaluator would call it invalid, so these turns count only in the tolerant accuracy
    return row
