"""Recipes end to end: data -> model -> stages -> eval of each stage -> model card.

Run directory layout (``--out RUN``)::

    RUN/data/            the DatasetDict (save_to_disk) + <split>.jsonl + the domain's files
    RUN/model/           tokenizer + from-scratch model (micro/tiny/small only)
    RUN/<stage>/         each stage's checkpoints and final model
    RUN/eval/base/       the starting model evaluated zero-shot on the same split (eval.base)
    RUN/eval/<stage>/    results.json, results.md, samples.jsonl per evaluated stage
    RUN/eval/results.json  every evaluated stage's results
    RUN/README.md        the model card; RUN/reward_curve.png

    foundry sql pipeline --out runs/sql [--preset smoke] [--resume]
"""

from __future__ import annotations

import json
import os
import time

from r1_foundry.core.data.datasets import build_data, corpus, load_data, split_of
from r1_foundry.core.evaluation.runner import run_eval
from r1_foundry.core.modeling.models import SIZES, build_scratch_model, check_model_ref, resolve_model, train_tokenizer
from r1_foundry.core.schema.domain import get_domain
from r1_foundry.core.schema.recipe import BASE_ROW, Recipe, validate_stage_args
from r1_foundry.core.stages.runner import run_stage, seed_everything
from r1_foundry.core.util.io import atomic_write
from r1_foundry.core.util.timing import PHASES, phase
from r1_foundry.core.util.ui import err as console
from r1_foundry.core.util.ui import tag


def prepare_model(spec, train_split, out_dir: str, seed: int) -> str:
    """The starting model's path: a fresh from-scratch model of a SIZES size (tokenizer trained on ``train_split``),
    a named pretrained model or GGUF file built into the cache once, or the user's hub id / local
    path as given."""
    if spec.name not in SIZES:
        return resolve_model(spec.name)
    if os.path.isfile(os.path.join(out_dir, "foundry.json")):
        return out_dir  # already built (resume); rebuilding would change nothing but time
    tok = train_tokenizer(corpus(train_split), vocab_size=spec.vocab_size, out_dir=out_dir)
    return build_scratch_model(spec.name, tok, out_dir, seed=seed)


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


def _record_time(out: str, stage: str | None = None, seconds: float = 0.0) -> None:
    """``timings.json``: each stage's wall seconds, and under ``"phases"`` this process's seconds
    in data building, model preparation, evals, held-out monitors, sampling and the card
    (:mod:`r1_foundry.core.util.timing`; phases nest inside stages)."""
    path = os.path.join(out, "timings.json")
    times = {}
    if os.path.isfile(path):
        with open(path) as fh:
            times = json.load(fh)
    if stage:
        times[stage] = round(seconds, 1)
    if PHASES or _EARLIER_PHASES:  # a resumed run adds this process's phases to what earlier processes spent
        names = list(dict.fromkeys([*_EARLIER_PHASES, *PHASES]))
        times["phases"] = {k: round(_EARLIER_PHASES.get(k, 0.0) + PHASES.get(k, 0.0), 1) for k in names}
    atomic_write(path, json.dumps(times, indent=1))


_EARLIER_PHASES: dict[str, float] = {}  # phases recorded by the processes before a --resume


def preflight(recipe: Recipe):
    """Every check a pipeline can make before it writes anything (stage arguments against their TRL
    config, the eval suite, the model reference); returns the domain. The pipeline verb calls it
    before it writes ``recipe.yaml``, so a failing command leaves a run folder as it was."""
    domain = get_domain(recipe.domain)
    for s in recipe.stages:
        validate_stage_args(s)
    domain.suite(recipe.eval.suite)
    if recipe.model.name not in SIZES:
        check_model_ref(recipe.model.name)  # a missing package or path fails before any data is built
    return domain


def run_pipeline(recipe: Recipe, out: str, *, resume: bool = False, push_to_hub: str | None = None) -> dict:
    """All stages of ``recipe`` into ``out``; with ``resume`` finished stages are skipped and an
    interrupted one continues from its last checkpoint."""
    from r1_foundry.core.pipeline.card import data_description, domain_card_args, write_card
    from r1_foundry.core.stages.trl import is_done
    from r1_foundry.core.util.launch import barrier, is_main_process

    domain = preflight(recipe)
    seed_everything(recipe.seed)
    PHASES.clear()  # this run's phases only (bench/methods.py and the tests run several pipelines in one process)
    _EARLIER_PHASES.clear()
    earlier = os.path.join(out, "timings.json")
    if resume and os.path.isfile(earlier):  # resuming must not overwrite what the earlier processes recorded
        try:
            with open(earlier) as fh:
                _EARLIER_PHASES.update({k: float(v) for k, v in (json.load(fh).get("phases") or {}).items()})
        except (OSError, ValueError, AttributeError, TypeError):
            pass
    main = is_main_process()  # under accelerate launch only rank 0 writes data, evals and the card
    os.makedirs(out, exist_ok=True)
    data_dir = os.path.join(out, "data")
    if main and not (resume and os.path.isfile(os.path.join(data_dir, "dataset_dict.json"))):
        console.print(tag("data", "bold"), f"{recipe.data.builder} -> {data_dir}")
        with phase("data"):
            build_data(domain, recipe.data.builder, recipe.data.args, out, system=recipe.data.system)
    barrier()
    ds = load_data(data_dir)
    if main:
        with phase("model"):
            prepare_model(recipe.model, split_of(ds, "train"), os.path.join(out, "model"), recipe.seed)
    barrier()  # the other ranks now find the model rank 0 built; on rank 0 this is a lookup
    model_path = prepare_model(recipe.model, split_of(ds, "train"), os.path.join(out, "model"), recipe.seed)
    results_path = os.path.join(out, "eval", "results.json")
    results: dict = {}
    if resume and os.path.isfile(results_path):
        with open(results_path) as fh:
            results = json.load(fh)["stages"]
    if main and recipe.eval.base and BASE_ROW not in results:  # the starting model, zero-shot, on the same split
        results = {BASE_ROW: run_eval(domain, recipe, model_path, ds, os.path.join(out, "eval", BASE_ROW), BASE_ROW,
                                      also_splits=recipe.eval.also_splits), **results}
        atomic_write(results_path, json.dumps({"stages": results}, indent=1))
    barrier()
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
    from r1_foundry.core.modeling.pretrained import PRETRAINED

    named = PRETRAINED.get(recipe.model.name)
    base_model = named.hub_id if named else recipe.model.name
    base_note = f"`model.name: {recipe.model.name}`: {named.about} ({named.license})." if named else ""
    with phase("card"):
        card = write_card(run_dir=out, recipe=recipe, results=results, base_model=base_model, base_note=base_note,
                          data_desc=data_description(recipe, {k: len(v) for k, v in ds.items()}), push_to_hub=push_to_hub,
                          **domain_card_args(domain, recipe))
    _record_time(out)
    console.print(tag("done:", "green"), f"card {card}, results {results_path}")
    return results
