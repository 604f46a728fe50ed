"""Length-aware reward shaping any domain's GRPO stage can add to its rewards.

* ``length/overlong`` — DAPO's soft overlong punishment (Yu et al. 2025, Eq. 13), TRL's
  ``get_soft_overlong_punishment``: 0 up to ``max_len - cache`` tokens, then linearly down to -1
  at ``max_len``, -1 beyond. Range [-1, 0].
* ``length/cosine`` — the cosine length-scaled reward of "Demystifying Long Chain-of-Thought
  Reasoning" (Yeo et al. 2025, App. C.1), with correctness from one of the domain's rewards
  (``of: sql/execution``; correct when it reaches ``threshold``, by default that reward's top):
  right answers get ``max_correct`` when short down to ``min_correct`` at ``max_len`` tokens,
  wrong ones ``min_wrong`` when short up to ``max_wrong`` at ``max_len`` (shorter right answers
  preferred, longer exploration when wrong). Lengths past ``max_len`` stay at the long bound.
  Defaults as TRL's ``get_cosine_scaled_reward`` (-1, -0.5, 0.5, 1); None where ``of`` is None.

Lengths are the completion's token count, which GRPOTrainer passes as ``completion_ids``.
Scored elsewhere (the ``reward`` verb, ``audit``, an exported entry point), without token ids,
the length is the number of whitespace-separated words: documented, and close for our
tokenizers' word-level vocabularies, but not the same number.

    rewards:
      - {name: sql/execution, weight: 1}
      - {name: length/overlong, weight: 0.5, max_len: 96, cache: 24}
"""

from __future__ import annotations

import math

from r1_foundry.core.rewards.base import Reward
from r1_foundry.core.util.errors import FoundryError

# name -> "module:factory"; a factory gets ``build(name) -> Reward`` (the composition's own builder,
# so a reward named by ``of:`` is the same instance the preset lists) and the entry's parameters
REWARDS = {"length/overlong": "r1_foundry.core.rewards.length:overlong",
           "length/cosine": "r1_foundry.core.rewards.length:cosine"}


def _length(text: str, example: dict) -> int:
    ids = example.get("completion_ids")
    return len(ids) if isinstance(ids, (list, tuple)) else len(text.split())


class Overlong(Reward):
    name = "length/overlong"
    low, high = -1.0, 0.0

    def __init__(self, max_len: int, cache: int = 0):
        super().__init__()
        from trl.rewards import get_soft_overlong_punishment

        if not (isinstance(max_len, int) and isinstance(cache, int) and 0 <= cache < max_len):
            raise FoundryError(f"length/overlong: need integers 0 <= cache < max_len, got max_len={max_len}, cache={cache}")
        self.fn = get_soft_overlong_punishment(max_completion_len=max_len, soft_punish_cache=cache)

    def score(self, text, example):
        return self.fn([[0] * _length(text, example)])[0]


class Cosine(Reward):
    name = "length/cosine"

    def __init__(self, inner, max_len: int, threshold: float | None = None, min_wrong: float = -1.0,
                 max_wrong: float = -0.5, min_correct: float = 0.5, max_correct: float = 1.0):
        super().__init__()
        if not (isinstance(max_len, int) and max_len > 0):
            raise FoundryError(f"length/cosine: max_len must be a positive integer, got {max_len!r}")
        self.inner, self.max_len = inner, max_len
        self.threshold = inner.high if threshold is None else float(threshold)
        self.values = (min_wrong, max_wrong, min_correct, max_correct)
        self.low, self.high = min(self.values), max(self.values)

    def score_batch(self, texts, examples, call):
        """The inner reward's values on the same batch (scored once when the preset lists it too),
        shaped by length."""
        inner = self.inner(**call)
        return [None if v is None else self.shaped(v, _length(t, ex))
                for v, t, ex in zip(inner, texts, examples, strict=True)], [None] * len(texts)

    def shaped(self, value: float, length: int) -> float:
        min_wrong, max_wrong, min_correct, max_correct = self.values
        lo, hi = (min_correct, max_correct) if value >= self.threshold - 1e-9 else (max_wrong, min_wrong)
        progress = min(length / self.max_len, 1.0)
        return lo + 0.5 * (hi - lo) * (1.0 + math.cos(progress * math.pi))


def overlong(build=None, **params):
    return Overlong(**params)


def cosine(build, of: str = "", **params):
    if not of:
        raise FoundryError("length/cosine: name the reward that says right or wrong, e.g. of: sql/execution")
    return Cosine(build(of), **params)
