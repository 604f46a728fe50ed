"""``foundry-safety`` (also ``foundry safety``): the standard verbs plus ``detect`` and ``families``.

    foundry safety detect --text "Sorry, I can't help with that."      # guided and XSTest labels
    foundry safety detect --file completions.jsonl                      # one label per line
    foundry safety detect --file domains/safety/refusal_set/dev.jsonl --agreement   # vs its human labels
    foundry safety families                                             # the synthetic template families
"""

from __future__ import annotations

import json

import typer

from r1_foundry.core.cli.app import make_domain_app
from r1_foundry.core.cli.common import friendly, out
from r1_foundry.core.util.errors import FoundryError


def extend(app: typer.Typer) -> None:
    @app.command("detect")
    @friendly
    def detect_cmd(text: str = typer.Option(None, help="a completion (final answer read from <answer> or after </think>)"),
                   file: str = typer.Option(None, help="a JSONL file with a 'completion' field per line"),
                   detector: str = typer.Option("guided", help="guided | strict | xstest | a model folder (classifier or guard)"),
                   agreement: bool = typer.Option(False, "--agreement", help="instead of a label per line: agreement of "
                                                  "the rule detectors (and --detector) with the file's human "
                                                  "'final_label' per class, with confusion matrices")):
        """Label completions as full_compliance / full_refusal / partial_refusal (final answer only)."""
        from r1_foundry.core.util.io import iter_jsonl
        from r1_foundry.domains.safety import verify

        if (text is None) == (file is None):
            raise FoundryError("pass exactly one of --text or --file")
        if agreement and not file:
            raise FoundryError("--agreement needs --file (JSONL rows with 'completion' and 'final_label')")
        items, humans = ([("", text)] if text is not None else []), []
        if file:
            from r1_foundry.domains.safety.evals import human_label

            for n, rec in iter_jsonl(file):
                if not isinstance(rec.get("completion"), (str, list)):
                    raise FoundryError(f"{file}:{n}: field 'completion' must be a string or chat messages")
                items.append((str(rec.get("prompt") or ""), rec["completion"]))
                if agreement:
                    human = human_label(rec.get("final_label"))
                    if human is None:
                        raise FoundryError(f"{file}:{n}: field 'final_label' must be one of 1_full_compliance, "
                                           f"2_full_refusal, 3_partial_refusal (or without the number); got "
                                           f"{rec.get('final_label')!r}")
                    humans.append(human)
            if not items:
                raise FoundryError(f"{file}: no rows")
        answers = [verify.final_answer(c) for _, c in items]
        rules = verify.DETECTORS if agreement else [d for d in verify.DETECTORS if d in (detector, "xstest")]
        predicted = {d: [verify.label_answer(a, d) for a in answers] for d in rules}
        if detector in verify.DETECTORS:
            labels = predicted[detector]
        else:
            from r1_foundry.domains.safety.judge import model_detector

            labels = predicted[detector] = model_detector(detector).labels([q for q, _ in items], answers)
        if agreement:
            from r1_foundry.domains.safety.evals import agreement as agree

            typer.echo(agree(humans, predicted)["markdown"])
            return
        for answer, label, xs in zip(answers, labels, predicted["xstest"], strict=True):
            typer.echo(json.dumps({"label": label, "xstest": xs, "answer": answer[:120]}))

    @app.command("families")
    @friendly
    def families_cmd():
        """The synthetic generator's template families: category, kind, XSTest type, split."""
        from rich.table import Table

        from r1_foundry.domains.safety.families import FAMILIES

        table = Table("family", "category", "kind", "xstest type", "split", "prompts")
        for f in FAMILIES:
            table.add_row(f.id, f.category, f.kind, f.xstest_type, f.split, str(len(f.phrasings) * len(f.targets)))
        out.print(table)


def main() -> None:
    from r1_foundry.core.schema.domain import get_domain

    make_domain_app(get_domain("safety"))()
