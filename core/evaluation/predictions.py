"""Reading a predictions file for ``eval --predictions``: our own ``samples.jsonl`` in every domain,
and the published formats a domain lists in ``prediction_readers`` (chem's MolT5 TSV)."""

from __future__ import annotations

import os

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.io import read_jsonl
from r1_foundry.core.util.registry import resolve


def read_predictions(domain, path: str, fmt: str = "auto") -> tuple[list[dict], list[list[str]], str]:
    """``(examples, completions, format)`` from a predictions file.

    ``samples``: JSONL whose lines carry the example's columns and either ``samples`` (a list of
    ``{"completion": ...}``, as our ``samples.jsonl`` writes) or one ``completion``. Other names
    are the domain's ``prediction_readers`` (published formats, e.g. chem's ``molt5`` TSV).
    """
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
