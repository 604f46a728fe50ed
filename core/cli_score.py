"""The scoring verbs every domain answers: ``eval`` (of a model, or of a predictions file),
``reward`` and ``card``. Split from :mod:`core.cli` to keep each module readable.

    foundry sql eval --model runs/sql/grpo --data runs/sql/data --out runs/sql/eval/grpo
    foundry chem eval --predictions molt5_test_output.txt --suite chem/chebi20 --out runs/molt5
    foundry sql eval --predictions runs/sql/eval/sft/samples.jsonl --out runs/sql/rescored
"""

from __future__ import annotations

import json
import os

import typer

from core.cli import OVERRIDES, _recipe, friendly, out
from core.errors import FoundryError


def read_predictions(domain, path: str, fmt: str = "auto") -> tuple[list[dict], list[list[str]], str]:
    """``(examples, completions, format)`` from a predictions file.

    ``samples``: JSONL whose lines carry the example's columns and either ``samples`` (a list of
    ``{"completion": ...}``, as our ``samples.jsonl`` writes) or one ``completion``. Other names
    are the domain's ``prediction_readers`` (published formats, e.g. chem's ``molt5`` TSV).
    """
    from core.registry import resolve

    formats = ["samples", *domain.prediction_readers]
    if fmt == "auto":
        fmt = "samples" if path.endswith(".jsonl") or not domain.prediction_readers else \
            next(iter(domain.prediction_readers))
    if fmt not in formats:
        raise FoundryError(f"--format {fmt!r}: domain {domain.name} reads {', '.join(formats)}")
    if not os.path.isfile(path):
        raise FoundryError(f"{path}: predictions file not found")
    if fmt != "samples":
        examples, completions = resolve(domain.prediction_readers[fmt])(path)
        return examples, completions, fmt
    from core.io import read_jsonl

    check = resolve(domain.check_example) if domain.check_example else (lambda e, w, b: e)
    base = os.path.dirname(os.path.abspath(path))
    examples, completions = [], []
    for n, row in enumerate(read_jsonl(path), 1):
        if isinstance(row.get("samples"), list):
            texts = [s.get("completion") if isinstance(s, dict) else None for s in row["samples"]]
        elif "completion" in row:
            texts = [row["completion"]]
        else:
            raise FoundryError(f"{path}:{n}: needs 'samples' (a list of {{\"completion\": ...}}) or 'completion'")
        if not texts or not all(isinstance(t, str) for t in texts):
            raise FoundryError(f"{path}:{n}: every sample needs a string 'completion'")
        if completions and len(texts) != len(completions[0]):
            raise FoundryError(f"{path}:{n}: {len(texts)} samples, but line 1 has {len(completions[0])}; "
                               "every line needs the same number")
        examples.append(check({k: v for k, v in row.items() if k not in ("samples", "completion")}, f"{path}:{n}", base))
        completions.append(texts)
    if not examples:
        raise FoundryError(f"{path}: no predictions in the file")
    return examples, completions, fmt


def add_scoring_verbs(app: typer.Typer, domain) -> None:
    from core.registry import resolve

    @app.command("eval")
    @friendly
    def eval_cmd(model: str = typer.Option(None, help="model folder or hub id (not with --predictions)"),
                 data: str = typer.Option(None, help="dataset folder (RUN/data); not needed with --predictions"),
                 out_dir: str = typer.Option(..., "--out", help="writes OUT/results.json, results.md, samples.jsonl"),
                 recipe: str = typer.Option("default", help="recipe whose eval settings to use"),
                 suite: str = typer.Option(None, help="eval suite (default: the recipe's)"),
                 predictions: str = typer.Option(None, help="score this file of outputs instead of generating: "
                                                            "samples.jsonl, or a published format (--format)"),
                 fmt: str = typer.Option("auto", "--format", help="predictions format: samples, or one of the "
                                                                   "domain's (chem: molt5); auto by extension"),
                 overrides: list[str] = OVERRIDES):
        """Evaluate a model on the recipe's suite, or score a predictions file without a model."""
        r = _recipe(domain, recipe, overrides)
        if suite:
            r.eval.suite = suite
        spec = domain.suite(r.eval.suite)
        if predictions:
            if model:
                raise FoundryError("pass --model or --predictions, not both")
            from core.evaluation import score_completions

            examples, completions, used = read_predictions(domain, predictions, fmt)
            corpus = resolve(domain.corpus_scorer) if domain.corpus_scorer else None
            result = score_completions(examples, completions, suite=spec, scorer=domain.suite_scorer(spec),
                                       out_dir=out_dir, stage=os.path.basename(predictions), corpus_scorer=corpus,
                                       extra={"predictions": predictions, "format": used})
        else:
            if not (model and data):
                raise FoundryError("pass --model and --data to generate, or --predictions FILE to score outputs")
            from core.pipeline import load_data, run_eval

            result = run_eval(domain, r, model, load_data(data), out_dir, os.path.basename(model.rstrip("/")))
        out.print_json(data=result["metrics"])

    @app.command("reward")
    @friendly
    def reward_cmd(examples: str = typer.Option(..., help="JSONL of examples (reference columns)"),
                   completions: str = typer.Option(..., help="JSONL with a 'completion' per line, same order"),
                   out_file: str = typer.Option(..., "--out", help="JSONL of scores: every component and total"),
                   rewards: str = typer.Option(None, help="preset name or name=weight,... (default: first preset)")):
        """Score completions against examples with every reward component."""
        from core.export import score_examples
        from core.io import atomic_write, read_jsonl

        spec = rewards or next(iter(domain.reward_presets))
        if "=" in spec:
            spec = {k: float(v) for k, v in (p.split("=", 1) for p in spec.split(","))}
        exs, comps = read_jsonl(examples), read_jsonl(completions)
        if len(exs) != len(comps):
            raise FoundryError(f"{completions}: {len(comps)} lines, but {examples} has {len(exs)}; they pair by line")
        for i, c in enumerate(comps):
            if "completion" not in c:
                raise FoundryError(f"{completions}:{i + 1}: missing field 'completion'")
        # the same function the verl / OpenRLHF entry points of `export` call
        rows = score_examples(domain, spec, exs, [c["completion"] for c in comps],
                              base_dir=os.path.dirname(os.path.abspath(examples)), where=f"{examples}:" + "{n}")
        atomic_write(out_file, "".join(json.dumps(r) + "\n" for r in rows))
        mean = sum(r["total"] for r in rows) / max(len(rows), 1)
        out.print(f"scored {len(rows)} completions, mean total {mean:.4f} -> {out_file}")

    @app.command("card")
    @friendly
    def card_cmd(run: str = typer.Option(..., "--out", help="run folder written by 'pipeline': reads recipe.yaml and "
                                                           "eval/results.json there, writes README.md there"),
                 push_to_hub: str = typer.Option(None, help="also push the card to this hub repo")):
        """(Re)write OUT/README.md (the model card) from OUT/recipe.yaml and OUT/eval/results.json."""
        from core.card import data_description, domain_card_args, write_card
        from core.config import load_recipe

        recipe = load_recipe(os.path.join(run, "recipe.yaml"))
        path = os.path.join(run, "eval", "results.json")
        results = json.load(open(path))["stages"] if os.path.isfile(path) else {}
        rows = None
        if os.path.isfile(os.path.join(run, "data", "dataset_dict.json")):  # the run's data: rows per split
            from core.pipeline import load_data

            rows = {k: len(v) for k, v in load_data(os.path.join(run, "data")).items()}
        card = write_card(run_dir=run, recipe=recipe, results=results, base_model=recipe.model.name,
                          data_desc=data_description(recipe, rows), push_to_hub=push_to_hub,
                          **domain_card_args(domain, recipe))
        out.print(f"wrote {card}")
