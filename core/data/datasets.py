"""A run's data: a domain builder's DatasetDict saved to ``RUN/data`` (``save_to_disk`` plus one
JSONL per split), read back, and the texts a from-scratch tokenizer is trained on."""

from __future__ import annotations

import os

from r1_foundry.core.util.errors import FoundryError

# R1's layout, stated to a pretrained model (DeepSeek-R1's template asks for reasoning in
# <think> and the answer in <answer>); the domain's ``answer_form`` says what goes in the answer.
R1_SYSTEM = ("Reason step by step inside <think> </think>, then give the final answer inside "
             "<answer> </answer> and stop. {form}")


def system_text(domain, system: str) -> str:
    """``data.system`` of a recipe as the text put in front of every prompt: ``""`` none (the
    tokenizer's own default, if its chat template has one), ``r1`` :data:`R1_SYSTEM` with the
    domain's answer form, anything else verbatim."""
    if system == "r1":
        return R1_SYSTEM.format(form=domain.answer_form).strip()
    return system


def with_system(ds, text: str):
    """Every conversational ``prompt`` of every split with a system message ``text`` in front (one
    the builder already put there is replaced). Nothing changes when ``text`` is empty."""
    if not text:
        return ds

    def add(ex):
        prompt = ex["prompt"]
        if isinstance(prompt, list):
            rest = prompt[1:] if prompt and prompt[0].get("role") == "system" else prompt
            ex["prompt"] = [{"role": "system", "content": text}, *rest]
        return ex

    return type(ds)({name: part.map(add) if "prompt" in part.column_names else part for name, part in ds.items()})


MAX_DROP_SHARE = 0.05  # a real-data builder that leaves out more than this share of a file's rows stops


def check_kept(where: str, kept: int, total: int, why: str, max_share: float = MAX_DROP_SHARE) -> None:
    """The rule every real-data builder follows: keeping nothing, or leaving out more than ``max_share`` of the
    rows for ``why``, stops with one line (a wrong argument or a damaged file, not data to train on)."""
    if total and not kept:
        raise FoundryError(f"{where}: kept none of {total} rows ({why}); nothing to build")
    if total and (total - kept) / total > max_share:
        raise FoundryError(f"{where}: left out {total - kept} of {total} rows ({why}), more than the "
                           f"{max_share:.0%} a builder may drop; check the file and its arguments")


def build_data(domain, builder: str, args: dict, out: str, system: str = "") -> str:
    """Run a builder and save its DatasetDict to ``out/data``; return that folder. ``system``:
    ``data.system`` of the recipe (:func:`system_text`), written into every prompt, so SFT,
    sampling, GRPO and every eval read the same conversation."""
    data_dir = os.path.join(out, "data")
    fn = domain.builder(builder)
    try:
        ds = fn(out=data_dir, **args)
    except TypeError as exc:
        raise FoundryError(f"data builder '{builder}': bad arguments {sorted(args)}: {exc}") from None
    if not any(len(part) for part in ds.values()):
        raise FoundryError(f"data builder '{builder}' kept no rows; check its arguments ({sorted(args)})")
    ds = with_system(ds, system_text(domain, system))
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
