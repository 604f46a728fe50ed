"""What a domain declares, and how core finds domains without importing any by name.

A domain package ``domains/<name>/__init__.py`` defines ``DOMAIN = Domain(...)`` with lazy
``"module:attr"`` strings, so discovering every domain imports no heavy library. Third-party
domains register the same object under the ``r1_foundry.domains`` entry-point group.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import entry_points

import yaml

from core.errors import FoundryError
from core.registry import Registry, did_you_mean


@dataclass
class Domain:
    """A domain's manifest.

    Attributes:
        name: short name, the CLI group and the prefix of every reward (``sql/execution``).
        description: one line for ``foundry ls``.
        rewards: reward name -> ``"module:factory"``; ``factory(**params)`` returns a TRL reward.
        reward_presets: preset name -> list of ``{name, weight, **params}``.
        builders: builder name -> ``"module:function"`` returning a ``DatasetDict``.
        scorer: ``"module:function"``; ``scorer(example, completion, **params) -> dict``
            of per-sample metrics (floats), plus an optional ``"answer_key"`` for maj@k.
        package_dir: folder holding ``recipes/*.yaml`` and ``suites/*.yaml``.
        extend_cli: optional ``"module:function"`` adding domain-only commands to its app.
        check_example: optional ``"module:function"``; ``f(example, where, base_dir) -> example``
            validates a user-supplied example (``reward`` verb) and fills derived columns.
        corpus_scorer: optional ``"module:function"``; ``f(examples, completions) -> {metric: value}``
            for metrics that are not per-sample means (corpus BLEU).
        limitations: a sentence for the model card's limitations section.
        intended_use: the model card's intended-use section (default: research use).
        misuse: the model card's "Misuse and out-of-scope use" section (omitted when empty).
        card_sections: more model-card sections, title -> text (e.g. "Not legal advice").
        notice: a line shown in bold at the top of every card of the domain (e.g. "synthetic
            data, not for clinical use").
        prediction_readers: format name -> ``"module:function"``; ``f(path) -> (examples,
            completions)`` reads a predictions file of a published format (MolT5's TSV) for
            ``eval --predictions``; every domain also reads our own ``samples.jsonl``.
        audit_probes: optional ``"module:function"``; ``f(example, gold, rng, pool) -> {name:
            completion}`` adds the domain's reward-hacking probes (none with a right answer) to
            the generic battery of ``foundry <domain> audit`` (:mod:`core.audit`).
    """

    name: str
    description: str
    rewards: dict[str, str]
    reward_presets: dict[str, list[dict]]
    builders: dict[str, str]
    scorer: str
    package_dir: str
    extend_cli: str | None = None
    check_example: str | None = None
    corpus_scorer: str | None = None
    limitations: str = ""
    intended_use: str = ""
    notice: str = ""
    misuse: str = ""
    card_sections: dict[str, str] = field(default_factory=dict)
    prediction_readers: dict[str, str] = field(default_factory=dict)
    audit_probes: str | None = None
    _rewards: Registry | None = field(default=None, repr=False)

    def reward_registry(self) -> Registry:
        if self._rewards is None:
            self._rewards = Registry("reward")
            for name, target in self.rewards.items():
                if not name.startswith(self.name + "/"):
                    raise FoundryError(f"domain {self.name}: reward '{name}' must be named '{self.name}/...'")
                self._rewards.add(name, target)
        return self._rewards

    def builder(self, name: str):
        reg = Registry("dataset builder")
        for n, t in self.builders.items():
            reg.add(n, t)
        return reg.get(name)

    def recipes(self) -> dict[str, str]:
        folder = os.path.join(self.package_dir, "recipes")
        return {f[:-5]: os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".yaml")}

    def recipe_path(self, name_or_path: str) -> str:
        if os.path.isfile(name_or_path):
            return name_or_path
        recipes = self.recipes()
        if name_or_path not in recipes:
            raise FoundryError(f"unknown recipe '{name_or_path}' (not a file either);{did_you_mean(name_or_path, recipes)}")
        return recipes[name_or_path]

    def suites(self) -> dict[str, dict]:
        folder = os.path.join(self.package_dir, "suites")
        out = {}
        for f in sorted(os.listdir(folder)):
            if f.endswith(".yaml"):
                with open(os.path.join(folder, f), encoding="utf-8") as fh:
                    suite = yaml.safe_load(fh)
                out[suite["name"]] = suite
        return out

    def suite_scorer(self, suite: dict):
        """The per-sample scorer with the suite's ``params`` bound (e.g. ``distinct: strip``)."""
        from functools import partial

        from core.registry import resolve

        return partial(resolve(self.scorer), **(suite.get("params") or {}))

    def suite(self, name: str) -> dict:
        suites = self.suites()
        if name not in suites:
            raise FoundryError(f"unknown eval suite '{name}';{did_you_mean(name, suites)}")
        return suites[name]


def base_example(example: dict, where: str, tasks, *, defaults: dict, json_fields=(), answer_hint: str = "") -> dict:
    """The checks every domain's ``check_example`` starts with: ``task`` is one of ``tasks`` and
    ``answer`` is present (clear ``where: field ...`` errors); returns a copy with ``defaults``
    filled in and the ``json_fields`` given as objects or lists turned into the JSON strings the
    dataset columns hold."""
    import json

    task = example.get("task")
    if task not in tasks:
        raise FoundryError(f"{where}: field 'task' must be one of {', '.join(tasks)}, got {task!r}")
    if example.get("answer") in (None, ""):
        raise FoundryError(f"{where}: missing field 'answer'" + (f" ({answer_hint})" if answer_hint else ""))
    ex = {**defaults, **example}
    for key in json_fields:
        if isinstance(ex.get(key), (dict, list)):
            ex[key] = json.dumps(ex[key])
    return ex


@lru_cache(maxsize=1)
def discover() -> dict[str, Domain]:
    """All domains: sub-packages of ``domains`` plus the ``r1_foundry.domains`` entry points."""
    found: dict[str, Domain] = {}

    def _add(domain: Domain, origin: str) -> None:
        if domain.name in found:
            raise FoundryError(f"duplicate domain '{domain.name}' ({origin})")
        found[domain.name] = domain

    try:
        package = importlib.import_module("domains")
        for info in pkgutil.iter_modules(package.__path__):
            if info.ispkg:
                module = importlib.import_module(f"domains.{info.name}")
                if hasattr(module, "DOMAIN"):
                    _add(module.DOMAIN, f"domains.{info.name}")
    except ModuleNotFoundError:
        pass
    for ep in entry_points(group="r1_foundry.domains"):
        _add(ep.load(), ep.value)
    return found


def get_domain(name: str) -> Domain:
    domains = discover()
    if name not in domains:
        raise FoundryError(f"unknown domain '{name}';{did_you_mean(name, domains)}")
    return domains[name]
