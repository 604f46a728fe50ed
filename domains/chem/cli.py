"""``foundry-chem`` (also ``foundry chem``): the standard verbs plus ``mol``.

    foundry chem mol --smiles "OC(=O)c1ccccc1" --json
"""

from __future__ import annotations

import json

import typer

from r1_foundry.core.cli.app import make_domain_app
from r1_foundry.core.cli.common import check_seconds, friendly, out


def extend(app: typer.Typer) -> None:
    @app.command("mol")
    @friendly
    def mol_cmd(smiles: str = typer.Option(..., help="a SMILES string (analysed in the sandbox)"),
                timeout: float = typer.Option(2.0, help="deadline in seconds"),
                as_json: bool = typer.Option(False, "--json", help="print everything as JSON")):
        """What the verifier sees in a SMILES: validity (with reason), canonical form, InChIKey,
        formula, properties, functional groups, scaffold."""
        from dataclasses import asdict

        from r1_foundry.domains.chem.sandbox import EXTRAS, Analyser

        analyser = Analyser(timeout=check_seconds(timeout))
        try:
            info = asdict(analyser.analyse(smiles, need=EXTRAS))
        finally:
            analyser.close()
        info.pop("fps")
        info["has"] = sorted(info["has"])
        if as_json:
            out.print(json.dumps(info), highlight=False, soft_wrap=True)
        elif info["ok"]:
            for key in ("canonical", "inchikey", "formula", "heavy_atoms", "scaffold"):
                out.print(f"{key}: {info[key]}", highlight=False)
            out.print("properties: " + ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}"
                                                 for k, v in info["props"].items()), highlight=False)
            out.print("groups: " + (", ".join(info["groups"]) or "none"), highlight=False)
        else:
            out.print(f"invalid: {info['reason']}", highlight=False)
        if not info["ok"]:
            raise typer.Exit(1)


def main() -> None:
    from r1_foundry.core.schema.domain import get_domain

    make_domain_app(get_domain("chem"))()
