"""``foundry <domain> eval``: a model on the recipe's suite, or a predictions file without a model.

    foundry sql eval --model runs/sql/grpo --data runs/sql/data --out runs/sql/eval/grpo
    foundry chem eval --predictions molt5_test_output.txt --suite chem/chebi20 --out runs/molt5
    foundry sql eval --predictions runs/sql/eval/sft/samples.jsonl --out runs/sql/rescored
"""

from __future__ import annotations

import os

import typer

from r1_foundry.core.cli.common import OVERRIDES, friendly, load_domain_recipe, out
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.registry import resolve


def run(domain, out_dir: str, model: str | None = None, data: str | None = None, recipe: str = "default",
        suite: str | None = None, predictions: str | None = None, fmt: str = "auto", overrides=(),
        split: str | None = None) -> dict:
    r = load_domain_recipe(domain, recipe, overrides)
    if suite:
        r.eval.suite = suite
    if split:
        r.eval.split = split
    spec = domain.suite(r.eval.suite)
    if predictions:
        if split:
            raise FoundryError("--split picks the dataset split to generate on; a --predictions file is scored as it is")
        if model:
            raise FoundryError("pass --model or --predictions, not both")
        from r1_foundry.core.evaluation.predictions import read_predictions
        from r1_foundry.core.evaluation.runner import score_completions

        examples, completions, used = read_predictions(domain, predictions, fmt)
        corpus = resolve(domain.corpus_scorer) if domain.corpus_scorer else None
        return score_completions(examples, completions, suite=spec, scorer=domain.suite_scorer(spec),
                                 out_dir=out_dir, stage=os.path.basename(predictions), corpus_scorer=corpus,
                                 extra={"predictions": predictions, "format": used})
    if not (model and data):
        raise FoundryError("pass --model and --data to generate, or --predictions FILE to score outputs")
    from r1_foundry.core.data.datasets import load_data
    from r1_foundry.core.evaluation.runner import run_eval

    return run_eval(domain, r, model, load_data(data), out_dir, os.path.basename(model.rstrip("/")))


def register(app: typer.Typer, domain) -> None:
    @app.command("eval")
    @friendly
    def eval_cmd(model: str = typer.Option(None, help="model folder or hub id (not with --predictions)"),
                 data: str = typer.Option(None, help="dataset folder (RUN/data); not needed with --predictions"),
                 out_dir: str = typer.Option(..., "--out", help="writes OUT/results.json, results.md, samples.jsonl"),
                 recipe: str = typer.Option("default", help="recipe whose eval settings to use"),
                 suite: str = typer.Option(None, help="eval suite (default: the recipe's)"),
                 predictions: str = typer.Option(None, help="score this file of outputs instead of generating: "
                                                            "samples.jsonl, or a published format (--format)"),
                 fmt: str = typer.Option("auto", "--format", help="predictions format: auto (by extension), samples"
                                         + "".join(f", {name}" for name in domain.prediction_readers)),
                 split: str = typer.Option(None, help="dataset split to evaluate (default: the recipe's eval.split, "
                                                      "'test'); a LegalBench task folder built from train.tsv only "
                                                      "has 'train'"),
                 overrides: list[str] = OVERRIDES):
        """Evaluate a model on the recipe's suite, or score a predictions file without a model."""
        result = run(domain, out_dir, model, data, recipe, suite, predictions, fmt, overrides, split)
        out.print_json(data=result["metrics"])
        for report in result.get("reports", {}).values():  # e.g. safety's agreement with human labels
            if report.get("markdown"):
                typer.echo(report["markdown"])
