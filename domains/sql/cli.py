"""``foundry-sql`` (also ``foundry sql``): the standard verbs plus ``exec``.

    foundry sql exec --db runs/sql/data/databases/shop_0.sqlite --sql "SELECT count(*) FROM orders" --json
    foundry sql exec --db shop.sqlite --sql-file query.sql
    echo "SELECT 1" | foundry sql exec --db shop.sqlite --sql -
"""

from __future__ import annotations

import json
import os
import sys

import typer

from r1_foundry.core.cli.app import make_domain_app
from r1_foundry.core.cli.common import check_seconds, friendly, out
from r1_foundry.core.util.errors import FoundryError


def extend(app: typer.Typer) -> None:
    @app.command("exec")
    @friendly
    def exec_cmd(db: str = typer.Option(..., help="SQLite database file"),
                 sql: str = typer.Option(None, help="one SQL statement (run read-only, sandboxed); '-' reads stdin"),
                 sql_file: str = typer.Option(None, help="read the statement from this file instead"),
                 timeout: float = typer.Option(2.0, help="deadline in seconds"),
                 max_rows: int = typer.Option(10_000, help="row cap"),
                 as_json: bool = typer.Option(False, "--json", help="print the result as JSON")):
        """Run untrusted SQL in the sandbox: read-only, one statement, deadline, row cap."""
        from r1_foundry.domains.sql.sandbox import Executor

        if (sql is None) == (sql_file is None):
            raise FoundryError("pass the statement with --sql TEXT, --sql - (stdin) or --sql-file PATH (one of them)")
        if sql_file is not None:
            if not os.path.isfile(sql_file):
                raise FoundryError(f"{sql_file}: file not found")
            with open(sql_file, encoding="utf-8", errors="replace") as fh:
                sql = fh.read()
        elif sql == "-":
            sql = sys.stdin.read()
        from r1_foundry.domains.sql.sandbox import DatabaseUnavailable, check_database

        try:
            check_database(db)
        except DatabaseUnavailable as exc:
            raise FoundryError(f"--db: {exc}") from None
        check_seconds(timeout)
        executor = Executor(timeout=timeout, max_rows=max_rows)
        try:
            result = executor.run(db, sql)
        except DatabaseUnavailable as exc:
            raise FoundryError(f"--db: {exc}") from None
        finally:
            executor.close()
        if as_json:
            out.print(json.dumps(result.to_json(), default=str), highlight=False, soft_wrap=True)
        elif result.ok:
            out.print(" | ".join(result.columns))
            for row in result.rows:
                out.print(" | ".join(map(str, row)), highlight=False)
        else:
            out.print(f"error: {result.error}")
        if not result.ok:
            raise typer.Exit(1)


def main() -> None:
    from r1_foundry.core.schema.domain import get_domain

    make_domain_app(get_domain("sql"))()
