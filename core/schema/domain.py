"""What a domain declares, and how core finds domains without importing any by name.

A domain package ``domains/<name>/__init__.py`` (imported as ``r1_foundry.domains.<name>``) defines ``DOMAIN = Domain(...)`` with lazy
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

from r1_foundry.core.schema.suite import Suite
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.registry import Registry, did_you_mean, resolve
from r1_foundry.core.util.ui import err, tag

DOMAINS_PACKAGE = "r1_foundry.domains"


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
        file_columns: column -> the first bytes of the file it names (``""``: any regular file);
            ``export`` copies these files, and only these, next to the exported data (SQL: ``db_path``).
        answer_form: one sentence on what goes inside ``<answer>`` (a SQLite query, an option
            letter...), stated to the model by ``data.system: r1`` (:func:`r1_foundry.core.data.datasets.system_text`).
        extra: the pip extra of ``r1-foundry`` the domain's rewards need (``sql``: sqlglot; ``chem``:
            RDKit), named in what ``export`` writes for the workers; empty when none.
        audit_probes: optional ``"module:function"``; ``f(example, gold, rng, pool) -> {name:
            completion}`` adds the domain's reward-hacking probes (none with a right answer) to
            the generic battery of ``foundry <domain> audit`` (:mod:`r1_foundry.core.rewards.audit`).
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
    extra: str = ""
    answer_form: str = ""
    file_columns: dict[str, str] = field(default_factory=dict)
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

    def suites(self) -> dict[str, Suite]:
        folder = os.path.join(self.package_dir, "suites")
        out = {}
        for f in sorted(os.listdir(folder)):
            if f.endswith(".yaml"):
                path = os.path.join(folder, f)
                with open(path, encoding="utf-8") as fh:
                    suite = Suite.of(yaml.safe_load(fh), path)
                out[suite.name] = suite
        return out

    def suite_scorer(self, suite):
        """The per-sample scorer with the suite's ``params`` bound (e.g. ``distinct: strip``)."""
        from functools import partial

        return partial(resolve(self.scorer), **Suite.of(suite).params)

    def suite(self, name: str) -> Suite:
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


BROKEN: dict[str, str] = {}  # domain package -> why it failed to load (filled by discover)


@lru_cache(maxsize=1)
def discover() -> dict[str, Domain]:
    """All domains: sub-packages of ``r1_foundry.domains`` plus the ``r1_foundry.domains`` entry
    points. A domain that fails to import is reported by name (stderr, :data:`BROKEN`, ``foundry
    ls``) and skipped; the others still load."""
    found: dict[str, Domain] = {}

    def _add(load, origin: str, name: str) -> None:
        try:
            domain = load()
        except Exception as exc:  # one broken domain must not hide the others
            BROKEN[name] = f"{origin}: {type(exc).__name__}: {exc}"
            err.print(tag("warning:", "yellow"), f"domain '{name}' failed to load ({BROKEN[name]}); skipped")
            return
        if domain is None:
            return
        if domain.name in found:
            raise FoundryError(f"duplicate domain '{domain.name}' ({origin})")
        found[domain.name] = domain

    try:
        package = importlib.import_module(DOMAINS_PACKAGE)
    except ModuleNotFoundError:  # core installed without the bundled domains
        package = None
    for info in pkgutil.iter_modules(package.__path__ if package else []):
        if info.ispkg:
            module_name = f"{DOMAINS_PACKAGE}.{info.name}"
            _add(lambda m=module_name: getattr(importlib.import_module(m), "DOMAIN", None), module_name, info.name)
    for ep in entry_points(group="r1_foundry.domains"):
        _add(ep.load, ep.value, ep.name)
    return found


def names() -> list[str]:
    """The names of every loaded domain, in discovery order (what scripts, the Makefile and tests loop over)."""
    return list(discover())


def get_domain(name: str) -> Domain:
    domains = discover()
    if name not in domains and name in BROKEN:
        raise FoundryError(f"domain '{name}' failed to load: {BROKEN[name]}")
    if name not in domains:
        raise FoundryError(f"unknown domain '{name}';{did_you_mean(name, domains)}")
    return domains[name]
