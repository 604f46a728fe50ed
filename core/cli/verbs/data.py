"""``foundry <domain> data build``: run a dataset builder into ``OUT/data``.

    foundry sql data build --out runs/sql
    foundry sql data build --out runs/spider --builder spider --arg path=spider/
"""

from __future__ import annotations

import typer

from r1_foundry.core.cli.common import friendly, out


def run(domain, out_dir: str, builder: str = "synthetic", args: list[str] = (), system: str = "") -> str:
    from r1_foundry.core.data.datasets import build_data
    from r1_foundry.core.schema.recipe import parse_override

    kwargs = {}
    for a in args or []:
        keys, value = parse_override(a)
        kwargs[".".join(keys)] = value
    return build_data(domain, builder, kwargs, out_dir, system=system)


def register(app: typer.Typer, domain) -> None:
    data_app = typer.Typer(help="Build datasets.", no_args_is_help=True)
    app.add_typer(data_app, name="data")

    @data_app.command("build")
    @friendly
    def data_build(out_dir: str = typer.Option(..., "--out", help="run folder; data goes to OUT/data"),
                   builder: str = typer.Option("synthetic", help="dataset builder (see 'ls')"),
                   arg: list[str] = typer.Option(None, help="builder argument key=value (repeatable)"),
                   system: str = typer.Option("", help="system message in front of every prompt: 'r1' (the "
                                              "<think>/<answer> layout and this domain's answer form) or a text")):
        """Build a dataset (synthetic offline, or a real format from --arg path=...)."""
        out.print(f"wrote {run(domain, out_dir, builder, arg or [], system)}")
