"""``foundry-medical`` (also ``foundry medical``): the standard verbs plus ``kb`` and ``calc``.

    foundry medical kb                               # conditions, systems, splits; calculators
    foundry medical calc bmi weight=70 height=1.75   # a calculator's formula on given values
"""

from __future__ import annotations

import typer

from r1_foundry.core.cli.app import make_domain_app
from r1_foundry.core.cli.common import friendly, out
from r1_foundry.core.util.errors import FoundryError


def extend(app: typer.Typer) -> None:
    @app.command("kb")
    @friendly
    def kb_cmd():
        """The synthetic generator's knowledge base: conditions (system, split, aliases) and calculators."""
        from rich.table import Table

        from r1_foundry.domains.medical import kb

        table = Table("condition", "system", "split", "aliases")
        for c in kb.CONDITIONS:
            split = "test" if c.name in kb.TEST_CONDITIONS else "val" if c.name in kb.VAL_CONDITIONS else "train"
            table.add_row(c.name, c.system, split, ", ".join(c.aliases))
        out.print(table)
        calcs = Table("calculator", "inputs", "unit", "tolerance")
        for c in kb.CALCULATORS:
            calcs.add_row(c.name, ", ".join(c.inputs) + (", sex" if c.name == "cockcroft_gault" else ""), c.unit,
                          f"{c.tolerance:.0%}")
        out.print(calcs)

    @app.command("calc")
    @friendly
    def calc_cmd(name: str = typer.Argument(..., help="calculator name (see 'kb')"),
                 values: list[str] = typer.Argument(None, help="input=value pairs, e.g. weight=70 height=1.75")):
        """Compute a calculator of the knowledge base (the gold of 'calc' questions)."""
        from r1_foundry.domains.medical import kb

        if name not in kb.CALC_BY_NAME:
            from r1_foundry.core.util.registry import did_you_mean

            raise FoundryError(f"unknown calculator '{name}';{did_you_mean(name, kb.CALC_BY_NAME)}")
        calc = kb.CALC_BY_NAME[name]
        given = {"sex": "man"}
        for pair in values or []:
            key, sep, raw = pair.partition("=")
            if not sep:
                raise FoundryError(f"'{pair}': expected input=value")
            try:
                given[key] = raw if key == "sex" else float(raw)
            except ValueError:
                raise FoundryError(f"'{pair}': {key} must be a number") from None
        missing = [k for k in calc.inputs if k not in given]
        if missing:
            raise FoundryError(f"{name} needs {', '.join(missing)} (as input=value)")
        if given["sex"] not in ("man", "woman"):
            raise FoundryError("sex must be man or woman")
        try:
            result = kb.compute(name, given)
        except ZeroDivisionError:
            raise FoundryError(f"{name}: an input of 0 divides by zero") from None
        out.print(f"{kb.working(name, given, result)} {calc.unit}", highlight=False)


def main() -> None:
    from r1_foundry.core.schema.domain import get_domain

    make_domain_app(get_domain("medical"))()
