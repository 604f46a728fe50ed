"""Medical rewards (TRL contract), all on :mod:`domains.medical.verify` and the core reward base.

Rewards read the dataset columns ``task`` and ``answer`` (plus ``options``, ``acceptable``, ``k``,
``tolerance``, ``aliases`` when present). A reward that does not apply to an example's task
returns ``None`` for it. Any completion string gives a finite number in range; nothing raises.
Everything is read from the last ``<answer>`` block, never from the reasoning.

====================  ==============  ==============================================================
name                  range           meaning (tasks)
====================  ==============  ==============================================================
medical/mcq           {0, 1}          AlphaMed's rule: 1 when the one option named is the gold
                                      letter; two options, no option or no answer block: 0 (mcq)
medical/list_format   {0, 1}          the answer is a numbered list 1., 2., ... of at most ``k``
                                      non-empty items (ranked)
medical/hit           {0, 1}          hit@k: the preferred answer is among the first ``k`` items
                                      (``k`` parameter; default: the example's ``k``) (ranked)
medical/rr            [0, 1]          reciprocal rank of the first acceptable answer (ranked)
medical/recall        [0, 1]          distinct acceptable answers in the first k / min(k, |acceptable|)
medical/list_penalty  [-1, 0]         -min(1, (items beyond k + repeated items) / k) (ranked)
medical/ranked        [-1, 1]         all of it in one number, see :func:`core.choice.list_reward`:
                                      0.5/rank(preferred) within k + 0.3 rr + 0.2 recall@k
                                      - min(1, extra/k) (ranked)
medical/ynm           {0, 1}          the yes/no/maybe label equals the gold (ynm)
medical/calc          {0, 1}          one number within the example's relative tolerance (calc)
medical/format        {0, 0.5, 1}     think+answer layout / answer block only / none (all)
medical/correct       {0, 1}          the verifier's verdict for every task; reason codes in
                                      ``last_reasons`` (all)
====================  ==============  ==============================================================
"""

from __future__ import annotations

from r1_foundry.core.answers.choice import list_reward, rank_metrics
from r1_foundry.core.rewards.base import Reward
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.domains.medical import verify


class _Reward(Reward):
    columns = ("task", "answer")
    defaults = {"options": "", "acceptable": "", "tolerance": 0.0, "k": verify.DEFAULT_K, "aliases": ""}


class _Verdict(_Reward):
    """1 when the verifier says correct (the task's own rule)."""

    def score(self, text, example):
        v = verify.check(text, example)
        return float(v.correct), v.reason or "correct"


class _MCQ(_Verdict):
    name = "medical/mcq"
    tasks = ("mcq",)


class _YNM(_Verdict):
    name = "medical/ynm"
    tasks = ("ynm",)


class _Calc(_Verdict):
    name = "medical/calc"
    tasks = ("calc",)


class _Correct(_Verdict):
    name = "medical/correct"
    records_reasons = True


class _Format(_Reward):
    name = "medical/format"

    def score(self, text, example):
        return verify.format_score(text)


class _List(_Reward):
    """Ranked-list rewards: the parsed, normalised list against the example's gold."""

    tasks = ("ranked",)

    def __init__(self, k: int | None = None):
        super().__init__()
        if k is not None and (not isinstance(k, int) or k < 1):
            raise FoundryError(f"{self.name}: k must be a positive integer, got {k!r}")
        self.k = k

    def score(self, text, example):
        v = verify.check(text, example)
        if not v.items:
            return 0.0  # nothing listed: no term pays and there is no padding to penalise
        k = self.k or int(example.get("k") or verify.DEFAULT_K)
        return self.value(v, rank_metrics(v.items, v.preferred, v.acceptable, k), k)

    def value(self, v, m: dict, k: int) -> float:
        """The reward from the verdict ``v`` and its :func:`core.choice.rank_metrics` ``m`` at ``k``."""
        raise NotImplementedError


class _ListFormat(_List):
    name = "medical/list_format"

    def value(self, v, m, k):
        return float(v.well_formed and len(v.items) <= k)


class _Hit(_List):
    name = "medical/hit"

    def value(self, v, m, k):
        return m["hit@k"]


class _RR(_List):
    name = "medical/rr"

    def value(self, v, m, k):
        return m["rr"]


class _Recall(_List):
    name = "medical/recall"

    def value(self, v, m, k):
        return m["recall@k"]


class _Penalty(_List):
    name = "medical/list_penalty"
    low, high = -1.0, 0.0

    def value(self, v, m, k):
        return -min(1.0, m["extra"] / k)


class _Ranked(_List):
    name = "medical/ranked"
    low, high = -1.0, 1.0

    def value(self, v, m, k):
        return list_reward(v.items, v.preferred, v.acceptable, k)


def mcq():
    return _MCQ()


def ynm():
    return _YNM()


def calc():
    return _Calc()


def correct():
    return _Correct()


def format_reward():
    return _Format()


def list_format(k: int | None = None):
    return _ListFormat(k)


def hit(k: int | None = None):
    return _Hit(k)


def rr(k: int | None = None):
    return _RR(k)


def recall(k: int | None = None):
    return _Recall(k)


def list_penalty(k: int | None = None):
    return _Penalty(k)


def ranked(k: int | None = None):
    return _Ranked(k)


RANGES = {"medical/mcq": (0.0, 1.0), "medical/ynm": (0.0, 1.0), "medical/calc": (0.0, 1.0),
          "medical/correct": (0.0, 1.0), "medical/format": (0.0, 1.0), "medical/list_format": (0.0, 1.0),
          "medical/hit": (0.0, 1.0), "medical/rr": (0.0, 1.0), "medical/recall": (0.0, 1.0),
          "medical/list_penalty": (-1.0, 0.0), "medical/ranked": (-1.0, 1.0)}


def audit_probes(example: dict, gold: str, rng, pool: list[dict]) -> dict:
    """Medical probes for ``foundry medical audit`` (:mod:`core.audit`): MCQ every letter ("A B C
    D", "A, B, C or D"); ranked lists: every condition of the dataset listed (the generic
    two-answer probes are dropped: two candidates in a ranked list are a differential); yes/no/maybe: all
    three; calculations: every number of the prompt."""
    import json
    import re

    from r1_foundry.core.answers.text import reasoning
    from r1_foundry.core.rewards.audit import all_letters, every_option, prompt_text

    task = example.get("task")
    if task == "mcq":
        options = example.get("options")
        letters = sorted(json.loads(options)) if isinstance(options, str) and options else list("ABCD")
        return all_letters(letters, gold)
    if task == "ranked":
        # two candidates in a ranked list are a differential, graded by their order: the generic
        # two-answer probes mean nothing here; every condition listed is the ranked-list probe
        conditions = sorted({str(e.get("answer")) for e in pool if e.get("task") == "ranked"})
        return {"two_answers": None, "two_answers_gold_first": None,
                **(every_option(conditions, gold) if len(conditions) > 1 else {})}
    if task == "ynm":
        return {"ynm_all_three": f"<think>{reasoning(gold)}</think><answer>yes no maybe</answer>"}
    if task == "calc":
        numbers = re.findall(r"\d+(?:\.\d+)?", prompt_text(example.get("prompt")))
        return {"calc_every_prompt_number": f"<think>{reasoning(gold)}</think><answer>{' '.join(numbers)}</answer>"}
    return {}
