"""The base of every reward: TRL's contract, hostile-input safety, ranges, reasons, and one way
of sharing a computed reward inside a batch.

A reward follows TRL's contract ``f(prompts, completions, **columns) -> list[float | None]``
and has a stable ``__name__`` such as ``sql/execution``, so GRPOTrainer logs
``rewards/sql/execution/mean``. Weights live in the recipe and :mod:`r1_foundry.core.rewards.compose`,
never inside a reward.
"""

from __future__ import annotations

import math

from r1_foundry.core.answers.text import completion_text
from r1_foundry.core.util.errors import FoundryError


def renamed(factory, name: str):
    """``factory`` under another reward name: what a domain registers when a reward has a second
    name (the ``<domain>/correct`` every domain answers to, beside the name its recipes and cards use)."""

    def build(**params):
        reward = factory(**params)
        reward.name = reward.__name__ = name
        return reward

    return build


class Reward:
    """The base of every domain's rewards: one TRL reward function per instance.

    A subclass sets ``name`` (``<domain>/<name>``), ``columns`` (dataset columns it needs; a
    missing one is a clear error, not a silent zero), ``low``/``high`` (its documented range) and
    writes ``score(text, example) -> float`` or ``(float, reason)``. The base does the rest:

    * one call scores a batch: ``prepare(texts, examples)`` first (a hook to batch expensive work,
      e.g. run every distinct query of a GRPO group in one message to a sandbox), then ``score``
      per completion;
    * applicability: ``applies(example)`` false (by default: ``example["task"]`` not in
      ``tasks``) gives None, TRL's "not this term" for multi-task data;
    * hostile output: any exception in ``prepare`` or ``score`` other than ``fatal`` ones becomes
      ``low`` for that completion (reason ``error``); non-finite values become ``low`` and
      values are clipped to ``[low, high]``, so any string in gives a finite number in range out;
    * reasons: with ``records_reasons``, the reason of each completion (None where the reward
      does not apply) is kept in ``last_reasons``; the ``reward`` verb writes ``<name>/reason``;
    * sharing: an instance remembers its last batch (the completion texts, and the very column
      objects it was called with), so a reward that two consumers use in one step (a preset's
      ``sql/execution`` and a ``length/cosine`` built on it: :func:`~r1_foundry.core.rewards.compose.build_rewards`
      gives both the same instance) scores each batch once. This is the only sharing mechanism.

    A reward built on other rewards' values overrides :meth:`score_batch` instead of ``score``.

    ``fatal(exc)`` returns an exception to raise instead (a broken dataset, not a bad answer);
    by default only :class:`FoundryError` is re-raised.
    """

    name = ""
    columns: tuple[str, ...] = ()
    defaults: dict = {}  # optional columns and the value used when a dataset lacks them
    tasks: tuple | None = None  # tasks it applies to (None: every example)
    low, high = 0.0, 1.0
    records_reasons = False

    def __init__(self):
        self.__name__ = self.name
        self.last_reasons: list = []
        self._last = None  # (texts, columns, values, reasons) of the last batch

    def __call__(self, prompts=None, completions=(), **columns):
        missing = [c for c in self.columns if columns.get(c) is None]
        if missing:
            raise FoundryError(f"{self.name}: the dataset needs the column(s) {', '.join(map(repr, missing))}")
        texts = [completion_text(c) for c in completions]
        last = self._last
        if (last is not None and last[0] == texts and last[1].keys() == columns.keys()
                and all(columns[k] is v for k, v in last[1].items())):  # the same batch again: scored once
            self.last_reasons = list(last[3])
            return list(last[2])
        values, reasons = self.score_batch(texts, self._examples(texts, columns),
                                           {"prompts": prompts, "completions": completions, **columns})
        out = [None if v is None else (min(self.high, max(self.low, float(v))) if math.isfinite(v) else self.low)
               for v in values]
        self.last_reasons = reasons if self.records_reasons else []
        self._last = (texts, dict(columns), list(out), list(self.last_reasons))  # holds the columns: ids stay unique
        return out

    def _examples(self, texts: list[str], columns: dict) -> list[dict]:
        n = len(texts)
        given = {k: v for k, v in columns.items() if isinstance(v, (list, tuple)) and len(v) == n}
        examples = [{**self.defaults, **{k: v[i] for k, v in given.items()}} for i in range(n)]
        for ex in examples:
            for key, value in self.defaults.items():
                if ex[key] is None:
                    ex[key] = value
        return examples

    def score_batch(self, texts: list[str], examples: list[dict], call: dict) -> tuple[list, list]:
        """``(values, reasons)`` of one batch (values None where the reward does not apply); the
        caller clips them to ``[low, high]``. By default: :meth:`prepare`, then :meth:`score` per
        completion, an exception becoming ``low`` (reason ``error``). ``call`` is the batch as TRL
        passed it (``prompts``, ``completions`` and the columns), for a reward that calls others."""
        try:
            self.prepare(texts, examples)
        except Exception as exc:  # scoring below copes alone with hostile output
            self._maybe_fatal(exc)
        out, reasons = [], []
        for text, ex in zip(texts, examples, strict=True):
            if not self.applies(ex):
                out.append(None)
                reasons.append(None)
                continue
            reason = None
            try:
                value = self.score(text, ex)
                if isinstance(value, tuple):
                    value, reason = value
                value = float(value)
            except Exception as exc:  # hostile output must never stop training
                self._maybe_fatal(exc)
                value, reason = self.low, "error"
            out.append(value)
            reasons.append(reason)
        return out, reasons

    def _maybe_fatal(self, exc: Exception) -> None:
        err = self.fatal(exc)
        if err is not None:
            raise err from None

    def fatal(self, exc: Exception) -> Exception | None:
        return exc if isinstance(exc, FoundryError) else None

    def prepare(self, texts: list[str], examples: list[dict]) -> None:
        """Batch work before scoring (default: none)."""

    def applies(self, example: dict) -> bool:
        return self.tasks is None or example.get("task") in self.tasks

    def score(self, text: str, example: dict):
        raise NotImplementedError


