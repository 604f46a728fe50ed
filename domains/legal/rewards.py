"""Legal rewards (TRL contract), on :mod:`domains.legal.verify` and the core reward base.

===============  ============  =====================================================================
name             range         meaning (tasks)
===============  ============  =====================================================================
legal/option     {0, 1}        the gold option, read from the answer layout's ``answer`` section
                               (any of the three layouts) (mbe)
legal/layout     {0, 0.5, 1}   the layout gate: 1 when the answer parses in the example's layout
                               (JSON with every key / Markdown or numbered list with every
                               section, once) in its order (option first or last); 0.5 when it
                               parses in that layout in the other order; 0 otherwise (mbe)
legal/irac       [0, 1]        IRAC completeness: the share of issue, rule, application and
                               conclusion sections with at least 3 words, in whichever layout
                               parses (mbe). A small bonus: under ``bar-llama`` its weight and
                               the layout's sum to 0.5 < the option's 1, so a wrong option never
                               outscores a right one (property-tested)
legal/exact      {0, 1}        rule problems: yes/no, the exact date (any common date format) or
                               the exact number (rule)
legal/label      {0, 1}        the LegalBench-normalised label equals the gold (classify)
legal/correct    {0, 1}        the verifier's verdict for every task, with reason codes
legal/format     {0, 0.5, 1}   think+answer layout / answer block elsewhere / none (all)
===============  ============  =====================================================================
"""

from __future__ import annotations

from r1_foundry.core.answers.text import completion_text, layout_score
from r1_foundry.core.rewards.base import Reward
from r1_foundry.domains.legal import layouts, verify


class _Reward(Reward):
    columns = ("task", "answer")
    defaults = {"answer_type": "", "options": "", "label_set": "", "layout": "", "order": ""}


class _Right(_Reward):
    """1 when the verifier says the answer is right (the task-specific rewards differ only in
    name and the tasks they apply to)."""

    def score(self, text, example):
        return float(verify.check(text, example).correct)


class _Option(_Right):
    name = "legal/option"
    tasks = ("mbe",)


class _Layout(_Reward):
    name = "legal/layout"
    tasks = ("mbe",)

    def score(self, text, example):
        from r1_foundry.core.answers.text import final_answer

        parsed = layouts.parse(final_answer(text), example.get("layout") or "json")
        if not parsed.ok:
            return 0.0
        return 1.0 if parsed.ordered(example.get("order") or "option_first") else 0.5


class _Irac(_Reward):
    name = "legal/irac"
    tasks = ("mbe",)

    def score(self, text, example):
        from r1_foundry.core.answers.text import final_answer

        fmt, parsed = layouts.parse_any(final_answer(text), example.get("layout") or "json")
        return parsed.irac_share() if fmt else 0.0


class _Exact(_Right):
    name = "legal/exact"
    tasks = ("rule",)


class _Label(_Right):
    name = "legal/label"
    tasks = ("classify",)


class _Correct(_Reward):
    name = "legal/correct"
    records_reasons = True

    def score(self, text, example):
        v = verify.check(text, example)
        return float(v.correct), v.reason or "correct"


class _Format(_Reward):
    name = "legal/format"

    def score(self, text, example):
        return layout_score(completion_text(text))


def option():
    return _Option()


def layout():
    return _Layout()


def irac():
    return _Irac()


def exact():
    return _Exact()


def label():
    return _Label()


def correct():
    return _Correct()


def format_reward():
    return _Format()


RANGES = {"legal/option": (0.0, 1.0), "legal/layout": (0.0, 1.0), "legal/irac": (0.0, 1.0),
          "legal/exact": (0.0, 1.0), "legal/label": (0.0, 1.0), "legal/correct": (0.0, 1.0),
          "legal/format": (0.0, 1.0)}


def audit_probes(example: dict, gold: str, rng, pool: list[dict]) -> dict:
    """Legal probes for ``foundry legal audit`` (:mod:`core.audit`): mbe every letter in the
    requested layout's answer field; yes/no questions both words; classify every label."""
    import json

    from r1_foundry.core.answers.text import reasoning
    from r1_foundry.core.rewards.audit import all_letters

    task, think = example.get("task"), reasoning(gold)
    if task == "mbe":
        options = example.get("options")
        letters = sorted(json.loads(options)) if isinstance(options, str) and options else list("ABCD")
        probes = all_letters(letters, gold)
        gold_letter = str(example.get("answer"))
        # the gold completion with its answer field saying every letter (layout and IRAC intact)
        from r1_foundry.core.answers.text import answer_block

        block = answer_block(gold) or ""
        key = f'"answer": "{gold_letter}"'
        # two answers in the layout itself: a repeated JSON key (json.loads keeps the last); the
        # generic probes append a second answer after the last section, where it is not an answer
        probes.update({"two_answers": None, "two_answers_gold_first": None})
        if key in block:
            wrong = next(x for x in letters if x != gold_letter)
            probes["mbe_every_letter_in_layout"] = gold.replace(key, f'"answer": "{" ".join(letters)}"')
            probes["two_answers"] = gold.replace(key, f'"answer": "{wrong}", {key}')
            probes["two_answers_gold_first"] = gold.replace(key, f'{key}, "answer": "{wrong}"')
        return probes
    if example.get("answer_type") == "yesno":
        return {"rule_yes_and_no": f"<think>{think}</think><answer>yes no</answer>"}
    if task == "classify":
        labels = json.loads(example.get("label_set") or "[]")
        if labels:
            return {"classify_every_label": f"<think>{think}</think><answer>{', '.join(labels)}</answer>"}
    return {}
