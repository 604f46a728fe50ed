"""``foundry-finance`` (also ``foundry finance``): the standard verbs plus ``run``.

    foundry finance run --program "subtract(5829, 5735), divide(#0, 5735)"
    foundry finance run --program "table_average(revenue, none)" --table table.json
"""

from __future__ import annotations

import typer

from r1_foundry.core.cli.app import make_domain_app
from r1_foundry.core.cli.common import friendly, out
from r1_foundry.core.util.errors import FoundryError


def extend(app: typer.Typer) -> None:
    @app.command("run")
    @friendly
    def run_cmd(program: str = typer.Option(..., help="a FinQA program, e.g. 'subtract(5, 3), divide(#0, 3)'"),
                table: str = typer.Option(None, help="a JSON file holding the table (a list of rows of strings)"),
                gold: str = typer.Option(None, help="the gold exe_ans, to check FinQA's execution rule")):
        """Execute a FinQA program with the official semantics: result or the reason it is invalid."""
        from r1_foundry.core.util.io import read_json
        from r1_foundry.domains.finance import program as prog
        from r1_foundry.domains.finance.verify import gold_value

        rows = []
        if table:
            rows = read_json(table, "a JSON list of rows")
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise FoundryError(f"{table}: expected a JSON list of rows (lists of strings)")
            rows = [[str(c) for c in r] for r in rows]
        res = prog.run(program, rows)
        if res.invalid:
            out.print(f"invalid: {res.reason}", highlight=False)
            raise typer.Exit(1)
        line = f"{res.value}"
        if gold is not None:
            line += f"  (exe_ans {gold}: {'match' if prog.exe_correct(res, gold_value(gold)) else 'no match'})"
        out.print(line, highlight=False)


def main() -> None:
    from r1_foundry.core.schema.domain import get_domain

    make_domain_app(get_domain("finance"))()
