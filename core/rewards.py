"""Reward composition: names and weights from YAML, callables from the domain registries.

A reward follows TRL's contract ``f(prompts, completions, **columns) -> list[float | None]``
and has a stable ``__name__`` such as ``sql/execution``, so GRPOTrainer logs
``rewards/sql/execution/mean``. Weights stay here and in the recipe, never inside a reward.

Accepted specs (``rewards:`` in a GRPO stage)::

    rewards: reasoning-sql                       # a preset of the domain
    rewards: {sql/execution: 3, sql/format: 1}   # name -> weight
    rewards:                                     # with factory parameters
      - {name: sql/execution, weight: 1, semantics: bird}
"""

from __future__ import annotations

import math

from core.answers import completion_text
from core.domain import Domain, get_domain
from core.errors import FoundryError


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
      does not apply) is kept in ``last_reasons``; the ``reward`` verb writes ``<name>/reason``.

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

    memo_last = False  # set by build_rewards on an instance two rewards of one preset call on the same batch

    def __call__(self, prompts=None, completions=(), **columns):
        if self.memo_last:  # the second call on the same batch returns the first's scores
            key = repr((prompts, completions, sorted(columns.items(), key=lambda kv: kv[0])))
            if getattr(self, "_memo", (None,))[0] == key:
                return list(self._memo[1])
            out = self._score_batch(prompts, completions, columns)
            self._memo = (key, list(out))
            return out
        return self._score_batch(prompts, completions, columns)

    def _score_batch(self, prompts, completions, columns):
        missing = [c for c in self.columns if columns.get(c) is None]
        if missing:
            raise FoundryError(f"{self.name}: the dataset needs the column(s) {', '.join(map(repr, missing))}")
        texts = [completion_text(c) for c in completions]
        n = len(texts)
        given = {k: v for k, v in columns.items() if isinstance(v, (list, tuple)) and len(v) == n}
        examples = [{**self.defaults, **{k: v[i] for k, v in given.items()}} for i in range(n)]
        for ex in examples:
            for key, value in self.defaults.items():
                if ex[key] is None:
                    ex[key] = value
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
            out.append(min(self.high, max(self.low, value)) if math.isfinite(value) else self.low)
            reasons.append(reason)
        self.last_reasons = reasons if self.records_reasons else []
        return out

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


def _normalise(domain: Domain, spec) -> list[dict]:
    if isinstance(spec, str):
        if spec not in domain.reward_presets:
            from core.registry import did_you_mean

            raise FoundryError(f"unknown reward preset '{spec}';{did_you_mean(spec, domain.reward_presets)}")
        return [dict(item) for item in domain.reward_presets[spec]]
    if isinstance(spec, dict):
        return [{"name": k, "weight": v} for k, v in spec.items()]
    if isinstance(spec, list) and all(isinstance(x, dict) and "name" in x for x in spec):
        return [dict(x) for x in spec]
    raise FoundryError("rewards: expected a preset name, a {name: weight} mapping or a list of {name, weight, ...}")


def build_rewards(domain: Domain, spec) -> tuple[list, list[float]]:
    """Turn a reward spec into ``(callables, weights)`` for GRPOTrainer.

    Example:
        >>> funcs, weights = build_rewards(get_domain("sql"), "arctic")  # doctest: +SKIP
    """
    funcs, weights, plain = [], [], {}
    for item in _normalise(domain, spec):
        name = item.pop("name")
        weight = item.pop("weight", 1.0)
        if not isinstance(weight, (int, float)) or not math.isfinite(weight):
            raise FoundryError(f"reward '{name}': weight must be a finite number, got {weight!r}")
        from core.shaping import REWARDS as CORE_REWARDS

        if name in CORE_REWARDS:  # length shaping: any domain's stage may add it
            from core.registry import resolve

            factory, item = resolve(CORE_REWARDS[name]), {"domain": domain, **item}
        else:
            owner = get_domain(name.split("/")[0]) if "/" in name else domain
            factory = owner.reward_registry().get(name)
        if not item:
            plain.setdefault(name, len(funcs))
        try:
            funcs.append(factory(**item))
        except TypeError as exc:
            raise FoundryError(f"reward '{name}': bad parameters {sorted(item)}: {exc}") from None
        weights.append(float(weight))
    for f in funcs:  # a shaping reward whose inner reward the preset also lists scores each batch once
        inner = getattr(f, "inner", None)
        if isinstance(inner, Reward) and inner.__name__ in plain and getattr(f, "inner_plain", False):
            f.inner = funcs[plain[inner.__name__]]
            f.inner.memo_last = True
    return funcs, weights


def score(funcs, weights, prompts, completions, columns: dict) -> list[dict]:
    """Score completions with every reward; returns one dict per completion with each
    component, ``<name>/reason`` for rewards that record failure reasons (``last_reasons``), and
    the weighted ``total`` (components that return None are skipped)."""
    parts, reasons = {}, {}
    for f in funcs:
        parts[f.__name__] = f(prompts=prompts, completions=completions, **columns)
        if len(getattr(f, "last_reasons", ())) == len(completions):  # a reward that says why it failed
            reasons[f.__name__ + "/reason"] = list(f.last_reasons)
    rows = []
    for i in range(len(completions)):
        row = {name: vals[i] for name, vals in parts.items()}
        row.update({name: vals[i] for name, vals in reasons.items()})
        row["total"] = sum(w * row[f.__name__] for f, w in zip(funcs, weights, strict=False) if row[f.__name__] is not None)
        rows.append(row)
    return rows
