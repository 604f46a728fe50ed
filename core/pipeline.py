"""Recipes end to end: data -> model -> stages -> eval of each stage -> model card.

Run directory layout (``--out RUN``)::

    RUN/data/            the DatasetDict (save_to_disk) + <split>.jsonl + the domain's files
    RUN/model/           tokenizer + from-scratch model (tiny/small only)
    RUN/<stage>/         each stage's checkpoints and final model
    RUN/eval/<stage>/    results.json, results.md, samples.jsonl per evaluated stage
    RUN/eval/results.json  every evaluated stage's results
    RUN/README.md        the model card; RUN/reward_curve.png

    foundry sql pipeline --out runs/sql [--preset smoke] [--resume]
"""

from __future__ import annotations

import json
import os
import random
import time

from core.config import Recipe, StageSpec, validate_stage_args
from core.domain import Domain, get_domain
from core.errors import FoundryError
from core.io import atomic_write
from core.models import SIZES, build_scratch_model, check_model_ref, train_tokenizer
from core.registry import resolve
from core.ui import err as console
from core.ui import tag


def seed_everything(seed: int) -> None:
    from transformers import set_seed

    random.seed(seed)
    set_seed(seed)


def build_data(domain: Domain, builder: str, args: dict, out: str) -> str:
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


def prepare_model(spec, train_split, out_dir: str, seed: int) -> str:
    """The starting model's path: a fresh tiny/small model (tokenizer trained on ``train_split``)
    or the user's hub id / local path as given."""
    if spec.name not in SIZES:
        check_model_ref(spec.name)
        return spec.name
    if os.path.isfile(os.path.join(out_dir, "foundry.json")):
        return out_dir  # already built (resume); rebuilding would change nothing but time
    tok = train_tokenizer(corpus(train_split), vocab_size=spec.vocab_size, out_dir=out_dir)
    return build_scratch_model(spec.name, tok, out_dir, seed=seed)


def run_stage(domain: Domain, recipe: Recipe, stage: StageSpec, model_path: str, dataset, out_dir: str,
              resume: bool = False, monitor=None) -> str:
    """Train one stage from ``model_path`` into ``out_dir`` (scoring ``monitor`` every
    ``stage.monitor_every`` steps when given)."""
    from core import methods, train
    from core.rewards import build_rewards

    validate_stage_args(stage)
    m = recipe.model
    lora = m.lora if stage.lora is None else stage.lora
    qlora = m.qlora if stage.qlora is None else stage.qlora
    common = dict(model_path=model_path, train_dataset=dataset, out_dir=out_dir, args=stage.args, lora=lora,
                  qlora=qlora, lora_r=m.lora_r, lora_alpha=m.lora_alpha, resume=resume, seed=recipe.seed,
                  dtype=m.dtype)
    console.print(tag(f"stage {stage.name}", "bold"), f"({stage.kind}) from {model_path} -> {out_dir}")
    if stage.monitor_every and monitor is not None:
        from core.evaluation import HeldoutMonitor
        from core.models import load_tokenizer

        suite = domain.suite(recipe.eval.suite)
        limit = min(recipe.eval.monitor_limit or len(monitor), len(monitor))
        common["callbacks"] = [HeldoutMonitor(
            dataset=monitor.select(range(limit)), scorer=domain.suite_scorer(suite), metric=suite["primary"],
            tokenizer=load_tokenizer(model_path), every=stage.monitor_every,
            max_new_tokens=recipe.eval.max_new_tokens, batch_size=recipe.eval.batch_size)]
    if stage.kind == "sft":
        return train.run_sft(**common)
    if stage.kind == "dpo":
        return train.run_dpo(**common)
    if stage.kind == "merge":
        from core.merge import run_merge

        return run_merge(stage.merge, model_path, os.path.dirname(os.path.abspath(out_dir)), out_dir)
    if stage.kind == "rft":
        common["train_dataset"] = methods.rft_dataset(domain, recipe, stage, model_path, dataset, out_dir)
        return train.run_sft(**common)
    if stage.kind == "self-dpo":
        common["train_dataset"] = methods.self_dpo_dataset(domain, recipe, stage, model_path, dataset, out_dir)
        return train.run_dpo(**common)
    if stage.filter:
        common["train_dataset"] = methods.select_prompts(domain, stage, model_path, dataset, out_dir, recipe)
    common["args"] = {**methods.grpo_args(stage), **stage.args}
    funcs, weights = build_rewards(domain, stage.rewards)
    return train.run_grpo(**common, reward_funcs=funcs, reward_weights=weights, kl=stage.kl)


RUN_ENTRIES = ("data", "model", "eval", "timings.json", "README.md", "recipe.yaml")  # what every run writes


def clear_run(out: str) -> list[str]:
    """Remove what an earlier run wrote in ``out`` (``--overwrite``): data, model, eval, card, pictures
    and the folders of its recipe's stages; other files stay, and a linked folder (a stage shared by
    bench/methods.py) loses only its link. A kept ``model/`` would otherwise be reused as built, with the
    old seed and tokenizer. Returns the names removed."""
    import glob
    import shutil

    import yaml

    names = list(RUN_ENTRIES)
    try:
        with open(os.path.join(out, "recipe.yaml")) as fh:
            names += [str(s["name"]) for s in (yaml.safe_load(fh) or {}).get("stages") or [] if "name" in s]
    except (OSError, yaml.YAMLError, TypeError, AttributeError):
        pass  # no readable recipe: the fixed entries only
    names += [os.path.basename(p) for p in glob.glob(os.path.join(out, "*.png"))]
    removed = []
    for name in dict.fromkeys(names):
        if not name or name in (".", "..") or os.sep in name:
            continue
        path = os.path.join(out, name)
        if os.path.islink(path) or os.path.isfile(path):
            os.unlink(path)
        elif os.path.isdir(path):
            shutil.rmtree(path)
        else:
            continue
        removed.append(name)
    return removed


def _record_time(out: str, stage: str, seconds: float) -> None:
    path = os.path.join(out, "timings.json")
    times = {}
    if os.path.isfile(path):
        with open(path) as fh:
            times = json.load(fh)
    times[stage] = round(seconds, 1)
    atomic_write(path, json.dumps(times, indent=1))


def run_eval(domain: Domain, recipe: Recipe, model_path: str, ds, out_dir: str, stage: str,
             also_splits: list | tuple = ()) -> dict:
    """The recipe's eval suite on its split, into ``out_dir``; each of ``also_splits`` is scored from
    the same generation call (one model load) into ``out_dir/<split>`` and summarised under ``also``."""
    from core.evaluation import evaluate_splits

    e = recipe.eval
    suite = domain.suite(e.suite)
    split = e.split or suite.get("split", "test")
    extra = [x for x in dict.fromkeys(also_splits) if x != split]
    console.print(tag("eval", "bold"), f"{stage} on {', '.join([split, *extra])} ({suite['name']})")
    res = evaluate_splits(model_path=model_path, datasets={x: split_of(ds, x) for x in (split, *extra)},
                          out_dirs={split: out_dir, **{x: os.path.join(out_dir, x) for x in extra}}, suite=suite,
                          scorer=domain.suite_scorer(suite), max_new_tokens=e.max_new_tokens, batch_size=e.batch_size,
                          k=e.k, temperature=e.temperature, limit=e.limit, backend=e.backend, stage=stage,
                          corpus_scorer=resolve(domain.corpus_scorer) if domain.corpus_scorer else None)
    result = res[split]
    result["split"] = split
    also = {x: {"split": x, **{key: res[x][key] for key in ("n", "metrics", "buckets", "letter_bias") if key in res[x]}}
            for x in extra}
    if also:
        result["also"] = also
    return result


def run_pipeline(recipe: Recipe, out: str, *, resume: bool = False, push_to_hub: str | None = None) -> dict:
    """All stages of ``recipe`` into ``out``; with ``resume`` finished stages are skipped and an
    interrupted one continues from its last checkpoint."""
    from core.card import data_description, domain_card_args, write_card
    from core.launch import barrier, is_main_process
    from core.train import is_done

    domain = get_domain(recipe.domain)
    for s in recipe.stages:
        validate_stage_args(s)
    domain.suite(recipe.eval.suite)
    seed_everything(recipe.seed)
    main = is_main_process()  # under accelerate launch only rank 0 writes data, evals and the card
    os.makedirs(out, exist_ok=True)
    data_dir = os.path.join(out, "data")
    if main and not (resume and os.path.isfile(os.path.join(data_dir, "dataset_dict.json"))):
        console.print(tag("data", "bold"), f"{recipe.data.builder} -> {data_dir}")
        build_data(domain, recipe.data.builder, recipe.data.args, out)
    barrier()
    ds = load_data(data_dir)
    if main:
        prepare_model(recipe.model, split_of(ds, "train"), os.path.join(out, "model"), recipe.seed)
    barrier()  # the other ranks now find the model rank 0 built; on rank 0 this is a lookup
    model_path = prepare_model(recipe.model, split_of(ds, "train"), os.path.join(out, "model"), recipe.seed)
    results_path = os.path.join(out, "eval", "results.json")
    results: dict = {}
    if resume and os.path.isfile(results_path):
        with open(results_path) as fh:
            results = json.load(fh)["stages"]
    for stage in recipe.stages:
        stage_dir = os.path.join(out, stage.name)
        if not (resume and is_done(stage_dir)):
            monitor = ds[recipe.eval.monitor_split] if main and recipe.eval.monitor_split in ds else None
            start = time.perf_counter()
            run_stage(domain, recipe, stage, model_path, split_of(ds, stage.split), stage_dir, resume=resume,
                      monitor=monitor)
            if main:  # wall time of the stage (sampling included): what bench/methods.py budgets by
                _record_time(out, stage.name, time.perf_counter() - start)
        model_path = stage_dir
        barrier()
        if main and stage.evaluate and stage.name not in results:
            results[stage.name] = run_eval(domain, recipe, stage_dir, ds, os.path.join(out, "eval", stage.name),
                                           stage.name, also_splits=recipe.eval.also_splits)
            atomic_write(results_path, json.dumps({"stages": results}, indent=1))
        barrier()
    if not main:
        return results
    card = write_card(run_dir=out, recipe=recipe, results=results, base_model=recipe.model.name,
                      data_desc=data_description(recipe, {k: len(v) for k, v in ds.items()}), push_to_hub=push_to_hub,
                      **domain_card_args(domain, recipe))
    console.print(tag("done:", "green"), f"card {card}, results {results_path}")
    return results
