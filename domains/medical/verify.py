"""The medical verifier, shared by rewards (:mod:`domains.medical.rewards`) and evals
(:mod:`domains.medical.evals`). Everything is read from the completion's last ``<answer>`` block,
never from the reasoning.

Tasks (the ``task`` column) and what a correct answer is:

======  ======================================================================================
mcq     the gold option letter (``answer``), one letter only; ``options`` is a JSON object
        {letter: text}; the option's exact text is accepted too. Two options named: wrong
ranked  a numbered list, most likely first; the gold is ``answer`` (preferred) and ``acceptable``
        (JSON list, includes the preferred); correct = the preferred answer is first. Graded
        measures: hit@k, reciprocal rank, recall@k (``k`` column, default 5)
ynm     yes / no / maybe equal to ``answer`` (PubMedQA's ``final_decision``)
calc    one number within ``tolerance`` (relative; 0 = exact) of ``answer``
======  ======================================================================================

Free-text names are matched with :class:`core.choice.Normaliser` using the knowledge base's
synonyms (``MI`` = ``heart attack`` = ``acute myocardial infarction``) plus any ``aliases`` column
(JSON {alias: name}) a loader provides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

from r1_foundry.core.answers.choice import Normaliser, parse_list, rank_metrics, read_choice
from r1_foundry.core.answers.text import layout_score, parse_number, read_answer, within
from r1_foundry.domains.medical import kb

TASKS = ("mcq", "ranked", "ynm", "calc")
YNM = ("yes", "no", "maybe")
DEFAULT_K = 5

format_score = layout_score


@lru_cache(maxsize=1)
def normaliser() -> Normaliser:
    return Normaliser(kb.synonyms())


@lru_cache(maxsize=4096)
def _json(raw: str):
    return json.loads(raw) if raw else None


def load_json(raw, default):
    if isinstance(raw, (dict, list)):
        return raw
    try:
        value = _json(raw) if isinstance(raw, str) else None
    except (ValueError, TypeError):
        return default
    return default if value is None else value


@lru_cache(maxsize=4096)
def _aliases(raw: str) -> Normaliser | None:
    table = load_json(raw, {})
    if not table:
        return None
    merged = dict(kb.synonyms())
    merged.update(table)
    return Normaliser(merged)


def names_normaliser(example: dict) -> Normaliser:
    raw = example.get("aliases") or ""
    return (_aliases(raw) if isinstance(raw, str) and raw else None) or normaliser()


@dataclass
class Verdict:
    """One checked answer: ``correct``, ``reason`` code when not, the parsed ``answer`` and the
    graded measures of its task (``choice`` letter; ``items`` and ``ranks`` for lists; ``value``
    and ``error`` for numbers)."""

    correct: bool
    reason: str = ""
    answer: str | None = None
    choice: str | None = None
    items: list = field(default_factory=list)
    well_formed: bool = False
    ranks: dict = field(default_factory=dict)
    preferred: str = ""  # ranked: the gold names, normalised as the items are
    acceptable: list = field(default_factory=list)
    value: float | None = None
    error: float | None = None


def check(text: str, example: dict) -> Verdict:
    """Verify a completion against ``example``. Never raises on model output (raises ValueError
    for an unknown task, which is a dataset error)."""
    task = example.get("task")
    if task not in TASKS:
        raise ValueError(f"unknown task '{task}'; expected one of {', '.join(TASKS)}")
    answer = read_answer(text)  # core's one answer rule: a bare "yes" or "B" is read too
    if answer is None:
        return Verdict(False, "no_answer")
    gold = str(example.get("answer") or "").strip()
    if task == "mcq":
        c = read_choice(answer, example.get("options"))
        if c.letter is None:
            return Verdict(False, c.reason, answer=answer)
        ok = c.letter == gold.upper()
        return Verdict(ok, "" if ok else "wrong_option", answer=answer, choice=c.letter)
    if task == "ynm":
        said = " ".join(answer.lower().replace(".", " ").split())
        if said not in YNM:
            return Verdict(False, "not_yes_no_maybe", answer=answer)
        ok = said == gold.lower()
        return Verdict(ok, "" if ok else "wrong_label", answer=answer)
    if task == "calc":
        value = parse_number(answer)
        if value is None:
            return Verdict(False, "not_a_number", answer=answer)
        target = float(gold)
        ok = within(value, target, float(example.get("tolerance") or 0.0))
        return Verdict(ok, "" if ok else "out_of_tolerance", answer=answer, value=value, error=abs(value - target))
    # ranked
    norm = names_normaliser(example)
    raw_items, well_formed = parse_list(answer)
    items = [norm.canon(i) for i in raw_items]
    if not items:
        return Verdict(False, "empty_list", answer=answer)
    preferred = norm.canon(gold)
    acceptable = [norm.canon(a) for a in load_json(example.get("acceptable"), [])]
    k = int(example.get("k") or DEFAULT_K)
    ranks = rank_metrics(items, preferred, acceptable, k)
    ok = ranks["rank"] == 1
    reason = "" if ok else ("preferred_lower" if ranks["rank"] else ("acceptable_only" if ranks["rr"] else "no_match"))
    return Verdict(ok, reason, answer=answer, items=items, well_formed=well_formed, ranks=ranks, preferred=preferred,
                   acceptable=acceptable)


def answer_key(v: Verdict, task: str) -> str | None:
    """What two answers must share to count as the same vote (maj@k)."""
    if v.answer is None:
        return None
    if task == "mcq":
        return v.choice
    if task == "calc":
        return None if v.value is None else repr(round(v.value, 1))
    if task == "ranked":
        return v.items[0] if v.items else None
    return v.answer.strip().lower()
