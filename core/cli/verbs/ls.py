"""``foundry ls`` and ``foundry <domain> ls``: rewards, reward presets, builders, suites and recipes;
``foundry ls`` also lists the model names (with the named pretrained models' install state) and names
any domain that failed to load."""

from __future__ import annotations

import typer

from r1_foundry.core.cli.common import err, friendly, out, print_domain, print_models, tag


def register(app: typer.Typer, domain) -> None:
    @app.command("ls")
    @friendly
    def ls_cmd():
        """List rewards, reward presets, builders, eval suites and recipes."""
        print_domain(domain)


def register_root(root: typer.Typer) -> None:
    @root.command("ls")
    @friendly
    def ls_all(names: bool = typer.Option(False, "--names", help="only the domain names, one per line (for scripts)")):
        """Every domain with its rewards, builders, suites and recipes."""
        from r1_foundry.core.schema.domain import BROKEN, discover

        if names:
            for name in discover():
                out.print(name)
            return
        for domain in discover().values():
            print_domain(domain)
        print_models()
        for name, why in BROKEN.items():
            err.print(tag(f"domain {name} failed to load:", "red"), why)
