"""Eval suites: ``domains/<name>/suites/*.yaml`` read into a typed :class:`Suite`.

A suite names the split it scores, its ``primary`` metric (required: what a stage is judged by,
what rft/self-dpo verify against, what the card leads with), the per-sample ``metrics`` the domain's
scorer reports, the fields results are broken down by (``buckets``), keyword ``params`` bound to the
scorer, and which metrics are better when lower (every other metric is better when higher, as
lm-eval's ``higher_is_better``)::

    name: sql/heldout
    version: 2
    split: test
    primary: execution_spider
    params: {distinct: strip}
    metrics: [execution_spider, execution_bird, valid_sql]
    buckets: [template, difficulty, db_id]
    lower_is_better: []
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from r1_foundry.core.util.errors import FoundryError

_KEYS = {"name", "version", "split", "primary", "metrics", "buckets", "params", "tradeoff", "lower_is_better"}


@dataclass(frozen=True)
class Suite:
    name: str
    primary: str
    metrics: tuple[str, ...]
    split: str = "test"
    version: int = 1
    buckets: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)
    tradeoff: dict | None = None  # {x: metric, y: metric}: a scatter of the stages in the card
    lower_is_better: tuple[str, ...] = ()

    def higher_is_better(self, metric: str) -> bool:
        return metric not in self.lower_is_better

    def directions(self) -> dict[str, bool]:
        """``{metric: higher_is_better}`` for every metric (what results.json records)."""
        return {m: self.higher_is_better(m) for m in self.metrics}

    @classmethod
    def of(cls, value: Any, where: str = "suite") -> Suite:
        """A :class:`Suite` from itself or a mapping (a suite file's contents); errors name ``where``
        and the field."""
        if isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            raise FoundryError(f"{where}: a suite must be a mapping, got {type(value).__name__}")
        unknown = sorted(set(value) - _KEYS)
        if unknown:
            raise FoundryError(f"{where}: unknown suite field(s) {unknown}; allowed: {', '.join(sorted(_KEYS))}")
        for key in ("name", "primary", "metrics"):
            if not value.get(key):
                raise FoundryError(f"{where}: missing field '{key}'"
                                   + (" (the metric a stage is judged by; one of 'metrics')" if key == "primary" else ""))
        metrics = value["metrics"]
        if not (isinstance(metrics, list) and all(isinstance(m, str) for m in metrics)):
            raise FoundryError(f"{where}: 'metrics' must be a list of metric names")
        for key in ("primary",):
            if value[key] not in metrics:
                raise FoundryError(f"{where}: {key} '{value[key]}' is not one of its metrics ({', '.join(metrics)})")
        lower = list(value.get("lower_is_better") or [])
        stray = [m for m in lower if m not in metrics]
        if stray:
            raise FoundryError(f"{where}: lower_is_better names {stray}, which are not among its metrics")
        tradeoff = value.get("tradeoff")
        if tradeoff is not None and not (isinstance(tradeoff, dict) and set(tradeoff) == {"x", "y"}
                                         and all(tradeoff[k] in metrics for k in "xy")):
            raise FoundryError(f"{where}: tradeoff must be {{x: metric, y: metric}} with both among its metrics")
        params = value.get("params") or {}
        if not isinstance(params, dict):
            raise FoundryError(f"{where}: 'params' must be a mapping of scorer keyword arguments")
        return cls(name=str(value["name"]), primary=value["primary"], metrics=tuple(metrics),
                   split=str(value.get("split") or "test"), version=int(value.get("version", 1)),
                   buckets=tuple(value.get("buckets") or ()), params=dict(params), tradeoff=tradeoff,
                   lower_is_better=tuple(lower))
