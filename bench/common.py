"""Shared bench set-up: a data folder and a model (given, or a fresh tiny one)."""

from __future__ import annotations

import os
import tempfile


def data_and_model(data: str | None, model: str | None, domain: str = "sql", *, size: str = "tiny",
                   schema_style: str = "create"):
    """``(DatasetDict, model_path)``; builds small synthetic data of ``domain`` (SQL: prompts with the
    ``schema_style`` serialisation) / a random model of ``size`` if not given."""
    from r1_foundry.core.data.datasets import corpus, load_data
    from r1_foundry.core.modeling.models import build_scratch_model, train_tokenizer

    if data:
        ds = load_data(data)
    elif domain == "chem":
        from r1_foundry.domains.chem.data import build_synthetic

        ds = build_synthetic(limit=800, test_per_task=4)
    elif domain == "finance":
        from r1_foundry.domains.finance.data import build_synthetic

        ds = build_synthetic(companies=8, test_companies=1, val_companies=1)
    elif domain == "medical":
        from r1_foundry.domains.medical.data import build_synthetic

        ds = build_synthetic(train_per_condition=20, rl_per_condition=10, test_cases=1, val_cases=1)
    else:
        from r1_foundry.domains.sql.data import build_synthetic

        ds = build_synthetic(out=tempfile.mkdtemp(prefix="bench-"), train_per_db=60, test_per_db=16,
                             schema_style=schema_style)
    if not model:
        model = tempfile.mkdtemp(prefix="bench-model-")
        tok = train_tokenizer(corpus(ds["train"]), vocab_size=1024, out_dir=model)
        build_scratch_model(size, tok, model)
    return ds, os.path.abspath(model)
