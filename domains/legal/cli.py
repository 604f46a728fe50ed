"""``foundry-legal`` (also ``foundry legal``): the standard verbs plus ``rules``, ``deadline`` and ``layout``.

    foundry legal rules                                   # the rule base: families, elements, split
    foundry legal deadline --start 2020-02-29 --years 3   # the date arithmetic of the rule problems
    foundry legal layout --text '{"answer": "B", ...}' --layout json   # how an mbe answer parses
"""

from __future__ import annotations

import datetime as dt
import json

import typer

from r1_foundry.core.cli.app import make_domain_app
from r1_foundry.core.cli.common import friendly, out
from r1_foundry.core.util.errors import FoundryError


def extend(app: typer.Typer) -> None:
    @app.command("rules")
    @friendly
    def rules_cmd():
        """The synthetic generator's rule base: family, area, elements, split (NOT LEGAL ADVICE)."""
        from rich.table import Table

        from r1_foundry.domains.legal import rules

        table = Table("family", "area", "elements / kind", "split", "principle")
        for r in rules.ELEMENT_RULES:
            table.add_row(r.id, r.area, ", ".join(e.name for e in r.elements), r.split, r.source)
        for r in rules.PERIOD_RULES:
            table.add_row(r.id, r.area, "date arithmetic", r.split, r.source)
        out.print(table)

    @app.command("deadline")
    @friendly
    def deadline_cmd(start: str = typer.Option(..., help="the day the period starts, YYYY-MM-DD"),
                     years: int = typer.Option(..., help="the period in years"),
                     on: str = typer.Option(None, help="a day to compare with the deadline, YYYY-MM-DD")):
        """The end of a period of whole years, as the rule problems compute it (29 Feb -> 28 Feb)."""
        from r1_foundry.domains.legal import rules

        try:
            day = dt.date.fromisoformat(start)
            other = dt.date.fromisoformat(on) if on else None
        except ValueError as exc:
            raise FoundryError(f"dates must be YYYY-MM-DD ({exc})") from None
        if not 0 <= years <= 1000:
            raise FoundryError("--years must be between 0 and 1000")
        end = rules.add_years(day, years)
        line = {"start": day.isoformat(), "years": years, "ends": end.isoformat()}
        if other:
            line.update(on=other.isoformat(), within=other <= end, full_years=rules.full_years(day, other))
        typer.echo(json.dumps(line))

    @app.command("layout")
    @friendly
    def layout_cmd(text: str = typer.Option(..., help="an mbe answer (the <answer> block is read when present)"),
                   layout: str = typer.Option("json", help="json | markdown | numbered"),
                   order: str = typer.Option("option_first", help="option_first | explanation_first")):
        """How an mbe answer parses: sections found, order, IRAC completeness."""
        from r1_foundry.core.answers.text import final_answer
        from r1_foundry.domains.legal import layouts

        if layout not in layouts.FORMATS or order not in layouts.ORDERS:
            raise FoundryError(f"--layout must be one of {', '.join(layouts.FORMATS)}, --order one of {', '.join(layouts.ORDERS)}")
        p = layouts.parse(final_answer(text), layout)
        typer.echo(json.dumps({"ok": p.ok, "reason": p.reason, "order": p.order, "in_order": p.ordered(order),
                               "irac": p.irac_share(), "answer": p.sections.get("answer")}))
        if not p.ok:
            raise typer.Exit(1)


def main() -> None:
    from r1_foundry.core.schema.domain import get_domain

    make_domain_app(get_domain("legal"))()
