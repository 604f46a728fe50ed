"""The Typer CLI: ``foundry`` (root) and the verbs every domain answers the same way, one module
per verb in :mod:`r1_foundry.core.cli.verbs`.

    foundry ls                      domains, rewards, recipes, suites
    foundry doctor                  torch build, CUDA, bitsandbytes, vLLM, memory
    foundry serve-rollouts          TRL's vLLM server for GRPO rollouts
    foundry <domain> data build | train <kind> | pipeline | eval | reward | card | audit | export | merge
                     | ls | validate   (train kinds: the trainable rows of core.schema.kinds.KINDS)

Every command turns a :class:`~r1_foundry.core.util.errors.FoundryError` into one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import sys

import typer

from r1_foundry.core.cli.common import friendly, out  # noqa: F401  (the names a domain's cli.py uses)
from r1_foundry.core.cli.verbs import DOMAIN_VERBS, ROOT_VERBS
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.registry import resolve
from r1_foundry.core.util.ui import err, tag

_VERBS = "r1_foundry.core.cli.verbs."


def make_domain_app(domain) -> typer.Typer:
    """The standard verbs for ``domain`` (plus its own, via ``domain.extend_cli``)."""
    app = typer.Typer(help=domain.description, no_args_is_help=True, add_completion=False)
    for verb in DOMAIN_VERBS:
        importlib.import_module(_VERBS + verb).register(app, domain)
    if domain.extend_cli:
        resolve(domain.extend_cli)(app)
    return app


def build_root() -> typer.Typer:
    from r1_foundry.core.schema.domain import discover

    root = typer.Typer(help="R1 Foundry: domain reasoning models with SFT, DPO and GRPO.", no_args_is_help=True,
                       add_completion=False)
    for verb in ROOT_VERBS:
        importlib.import_module(_VERBS + verb).register_root(root)
    for name, domain in discover().items():
        root.add_typer(make_domain_app(domain), name=name)
    return root


def main() -> None:
    try:
        app = build_root()
    except FoundryError as exc:
        err.print(tag("error:", "red"), str(exc), soft_wrap=True)
        sys.exit(2)
    app()
