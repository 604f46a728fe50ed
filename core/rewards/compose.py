"""Reward composition: names and weights from YAML, callables from the domain registries.

Accepted specs (``rewards:`` in a GRPO stage)::

    rewards: reasoning-sql                       # a preset of the domain
    rewards: {sql/execution: 3, sql/format: 1}   # name -> weight
    rewards:                                     # with factory parameters
      - {name: sql/execution, weight: 1, semantics: bird}

Names are ``<domain>/<reward>`` (any domain's, found through discovery) or core's length shaping
(``length/overlong``, ``length/cosine``: :mod:`r1_foundry.core.rewards.length`).
"""

from __future__ import annotations

import json
import math

from r1_foundry.core.rewards.length import REWARDS as CORE_REWARDS
from r1_foundry.core.schema.domain import Domain, get_domain
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.registry import did_you_mean, resolve


def _normalise(domain: Domain, spec) -> list[dict]:
    if isinstance(spec, str):
        if spec not in domain.reward_presets:
            raise FoundryError(f"unknown reward preset '{spec}';{did_you_mean(spec, domain.reward_presets)}")
        return [dict(item) for item in domain.reward_presets[spec]]
    if isinstance(spec, dict):
        return [{"name": k, "weight": v} for k, v in spec.items()]
    if isinstance(spec, list) and all(isinstance(x, dict) and "name" in x for x in spec):
        return [dict(x) for x in spec]
    raise FoundryError("rewards: expected a preset name, a {name: weight} mapping or a list of {name, weight, ...}")



def build_rewards(domain: Domain, spec) -> tuple[list, list[float]]:
    """Turn a reward spec into ``(callables, weights)`` for GRPOTrainer.

    One instance per distinct reward (name and parameters): a reward that two entries use (a
    preset's ``sql/execution`` and ``length/cosine`` with ``of: sql/execution``) is one object, and
    :class:`~r1_foundry.core.rewards.base.Reward` scores each batch once.

    Example:
        >>> funcs, weights = build_rewards(get_domain("sql"), "arctic")  # doctest: +SKIP
    """
    built: dict[str, object] = {}

    def make(name: str, params: dict | None = None):
        params = dict(params or {})
        key = json.dumps([name, params], sort_keys=True, default=repr)
        if key not in built:
            if name in CORE_REWARDS:  # length shaping: any domain's stage may add it
                factory, kwargs = resolve(CORE_REWARDS[name]), {"build": make, **params}
            else:
                owner = get_domain(name.split("/")[0]) if "/" in name else domain
                factory, kwargs = owner.reward_registry().get(name), params
            try:
                built[key] = factory(**kwargs)
            except TypeError as exc:
                raise FoundryError(f"reward '{name}': bad parameters {sorted(params)}: {exc}") from None
        return built[key]

    funcs, weights = [], []
    for item in _normalise(domain, spec):
        name = item.pop("name")
        weight = item.pop("weight", 1.0)
        if not isinstance(weight, (int, float)) or not math.isfinite(weight):
            raise FoundryError(f"reward '{name}': weight must be a finite number, got {weight!r}")
        funcs.append(make(name, item))
        weights.append(float(weight))
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
