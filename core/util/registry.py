"""Name registries with lazy ``"module:attr"`` targets, duplicate refusal and did-you-mean.

Example:
    >>> r = Registry("reward")
    >>> r.add("sql/format", "r1_foundry.domains.sql.rewards:format_reward")
    >>> r.names()
    ['sql/format']
"""

from __future__ import annotations

import difflib
import importlib
from typing import Any

from r1_foundry.core.util.errors import FoundryError


def resolve(target: Any) -> Any:
    """Import ``"package.module:attr"`` strings; return anything else unchanged."""
    if isinstance(target, str) and ":" in target:
        module, _, attr = target.partition(":")
        return getattr(importlib.import_module(module), attr)
    return target


def did_you_mean(name: str, choices) -> str:
    choices = sorted(choices)
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    hint = f" did you mean '{close[0]}'?" if close else ""
    return f"{hint} available: {', '.join(choices) or '(none)'}"


class Registry:
    """A mapping from names to lazily imported objects."""

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, Any] = {}

    def add(self, name: str, target: Any) -> None:
        if name in self._items:
            raise FoundryError(f"duplicate {self.kind} name '{name}'")
        self._items[name] = target

    def get(self, name: str) -> Any:
        if name not in self._items:
            raise FoundryError(f"unknown {self.kind} '{name}';{did_you_mean(name, self._items)}")
        obj = resolve(self._items[name])
        self._items[name] = obj
        return obj

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: str) -> bool:
        return name in self._items
