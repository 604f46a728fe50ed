"""A run's data: a domain builder's DatasetDict saved to ``RUN/data`` (``save_to_disk`` plus one
JSONL per split), read back, and the texts a from-scratch tokenizer is trained on."""

from __future__ import annotations

import os

from r1_foundry.core.util.errors import FoundryError


def build_data(domain, builder: str, args: dict, out: str) -> str:
    """Run a builder and save its DatasetDict to ``out/data``; return that folder."""
    data_dir = os.path.join(out, "data")
    fn = domain.builder(builder)
    try:
        ds = fn(out=data_dir, **args)
    except TypeError as exc:
        raise FoundryError(f"data builder '{builder}': bad arguments {sorted(args)}: {exc}") from None
    ds.save_to_disk(data_dir)
    for split, part in ds.items():
        part.to_json(os.path.join(data_dir, f"{split}.jsonl"), lines=True, force_ascii=False)
    return data_dir



def load_data(data_dir: str):
    from datasets import load_from_disk

    if not os.path.isfile(os.path.join(data_dir, "dataset_dict.json")):
        raise FoundryError(f"{data_dir}: no dataset here; run 'data build --out RUN' and pass RUN/data")
    return load_from_disk(data_dir)



def split_of(ds, name: str, data_dir: str = ""):
    if name not in ds:
        raise FoundryError(f"{data_dir or 'dataset'}: no split '{name}'; available: {', '.join(ds)}")
    return ds[name]



def corpus(dataset) -> list[str]:
    """Every prompt and completion text of a split, for training the tokenizer."""
    texts = []
    for ex in dataset:
        for col in ("prompt", "completion"):
            value = ex.get(col)
            if isinstance(value, list):
                texts += [m["content"] for m in value]
            elif isinstance(value, str):
                texts.append(value)
    return texts
