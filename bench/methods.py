"""Training methods against each other, over seeds: a matrix of recipes ("arms") -> table + PNG.

A matrix file (``bench/methods/<domain>.yaml``, else ``bench/methods/default.yaml``) names a domain's base recipe (data, model,
eval and its stages), extra stage definitions (``from: grpo`` starts from a recipe stage and
replaces the keys given; mappings such as ``args`` are merged key by key), and arms: lists of stage names run in order.
An arm may also be a mapping ``{stages: [...], set: [key=value, ...]}``: recipe overrides of its own
(another model size, data, an SFT budget), so two whole recipes can be compared, e.g. an old default
against a new one. For each seed every arm runs as a pipeline into ``OUT/s<seed>/<arm>``; an arm whose
first stages equal an arm already run for that seed (same model, data and seed too) starts from that
arm's folders (linked, not re-trained), so every arm of a seed shares one SFT model. Each arm's training time is the sum of its stages'
wall times (sampling included; shared stages counted in every arm that uses them).

Outputs in OUT: ``methods.json`` (every seed's number, per-stage seconds), ``methods.md`` (mean,
sample standard deviation over seeds, per-seed values, the difference to the best SFT-only arm
paired by seed) and ``methods.png``. With ``--pass-k K`` the first arm's model (SFT) is also
sampled K times per held-out question at temperature 1: greedy accuracy, the per-sample mean,
maj@K and pass@K, the ceiling GRPO can sharpen towards.

    python bench/methods.py --domain sql --preset mini --seeds 0 --out runs/methods-mini
    python bench/methods.py --domain sql --seeds 0 1 2 --pass-k 8 --out runs/methods/sql
    python bench/methods.py --domain sql --arms sft,sft-grpo --seeds 0 1 2 --out runs/methods/sql
    python bench/methods.py --domain sql --seeds 0 1 2 --out runs/methods/sql --report   # table only
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from methods_table import plot, summarise, to_markdown  # noqa: E402

from r1_foundry.core.schema.recipe import (  # noqa: E402
    Recipe,
    StageSpec,
    apply_overrides,
    build_recipe,
    build_stage,
    load_recipe,
    yaml_load,
)  # noqa: E402
from r1_foundry.core.util.errors import FoundryError  # noqa: E402
from r1_foundry.core.util.io import atomic_write  # noqa: E402


def load_matrix(path: str, preset: str | None = None) -> dict:
    if not os.path.isfile(path):
        raise FoundryError(f"{path}: matrix file not found")
    with open(path, encoding="utf-8") as fh:
        tree = yaml_load(fh) or {}
    if "arms" not in tree:
        raise FoundryError(f"{path}: missing 'arms'")
    for arm, spec in (tree["arms"] or {}).items():
        stages = spec.get("stages") if isinstance(spec, dict) else spec
        extra = set(spec) - {"stages", "set"} if isinstance(spec, dict) else set()
        if not isinstance(stages, list) or extra or not isinstance((spec.get("set") if isinstance(spec, dict) else []) or [], list):
            raise FoundryError(f"{path}: arm '{arm}' must be a list of stage names or a mapping "
                               "{stages: [names], set: [key=value overrides]}")
    if preset and preset in (tree.get("presets") or {}):
        apply_overrides(tree, tree["presets"][preset])
    return tree


def arm_recipe(base: Recipe, matrix: dict, arm: str, overrides: dict) -> Recipe:
    """The base recipe with its stages replaced by the arm's (names from the recipe or the matrix)."""
    own = {s.name: s for s in base.stages}
    extra = matrix.get("stages") or {}
    spec_of_arm = matrix["arms"][arm]
    if isinstance(spec_of_arm, dict):
        names, sets = spec_of_arm["stages"], list(spec_of_arm.get("set") or [])
    else:
        names, sets = spec_of_arm, []
    stages = []
    for name in names:
        if name in extra:
            spec = dict(extra[name])
            parent = spec.pop("from", None)  # a recipe stage with some keys replaced
            if parent is not None:
                if parent not in own:
                    raise FoundryError(f"matrix stage '{name}': from '{parent}' is not a stage of the recipe")
                inherited = dataclasses.asdict(own[parent])
                spec = {**inherited, **{k: {**inherited[k], **v} if isinstance(v, dict) and isinstance(inherited.get(k), dict)
                                        else v for k, v in spec.items()}}
            stages.append(build_stage({**spec, "name": name}, f"matrix stage '{name}'"))
        elif name in own:
            stages.append(copy.deepcopy(own[name]))
        else:
            raise FoundryError(f"arm '{arm}': no stage '{name}' in the recipe or the matrix")
    recipe = copy.deepcopy(base)
    recipe.stages = stages
    if sets:  # the arm's own recipe overrides, checked like a recipe's
        recipe = build_recipe(apply_overrides(dataclasses.asdict(recipe), sets), f"arm '{arm}'")
    for key, value in overrides.items():
        setattr(recipe, key, value)
    return recipe


def arm_stages(matrix: dict, arm: str) -> list[str]:
    spec = matrix["arms"][arm]
    return spec["stages"] if isinstance(spec, dict) else spec


def _stage_key(stage: StageSpec) -> str:
    return json.dumps(dataclasses.asdict(stage), sort_keys=True, default=str)


def _start_key(recipe: Recipe) -> str:
    """What every stage builds on: seed, model and data. Arms share stages only where these agree."""
    return json.dumps({"seed": recipe.seed, "model": dataclasses.asdict(recipe.model),
                       "data": dataclasses.asdict(recipe.data)}, sort_keys=True, default=str)


def stage_keys(recipe: Recipe) -> list[str]:
    """One key per stage, each carrying the start key, so equal stages on another model never match."""
    start = _start_key(recipe)
    return [start + _stage_key(s) for s in recipe.stages]


def common_prefix(a: list, b: list) -> int:
    """How many leading stages two arms share."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def share_prefix(run_dir: str, recipe: Recipe, done: dict[str, tuple[str, list[str]]]) -> int:
    """Link the longest prefix of ``recipe``'s stages that an earlier arm of this seed ran."""
    keys = stage_keys(recipe)
    start = _start_key(recipe)
    best, source = 0, None
    for other_dir, other_keys in done.values():
        n = common_prefix(keys, other_keys)
        if n > best:
            best, source = n, other_dir
    if source is None:  # still share data and the starting model, where they are the same
        source = next((d for d, other in done.values() if other and other[0].startswith(start)), None)
    if source is None:
        return 0
    os.makedirs(os.path.join(run_dir, "eval"), exist_ok=True)
    for name in ["data", "model"] + [s.name for s in recipe.stages[:best]]:
        link = os.path.join(run_dir, name)
        if not os.path.lexists(link):
            os.symlink(os.path.realpath(os.path.join(source, name)), link)
    shared = {s.name for s in recipe.stages[:best]}
    results = {}
    src_results = os.path.join(source, "eval", "results.json")
    if os.path.isfile(src_results):
        with open(src_results) as fh:
            results = {k: v for k, v in json.load(fh)["stages"].items() if k in shared}
    times = {k: v for k, v in stage_seconds(source, recipe).items() if k in shared}
    for name, data, key in (("eval/results.json", results, "stages"), ("timings.json", times, None)):
        path = os.path.join(run_dir, name)
        old = {}
        if os.path.isfile(path):  # an arm interrupted earlier: keep what it finished
            with open(path) as fh:
                old = json.load(fh)
            old = old.get(key, {}) if key else old
        with open(path, "w") as fh:
            merged = {**data, **old}
            json.dump({key: merged} if key else merged, fh)
    return best


def _comparable(recipe: Recipe) -> dict:
    d = dataclasses.asdict(recipe)
    d.pop("notes", None), d.pop("presets", None)  # prose and override sets: not what a run trained with
    return json.loads(json.dumps(d, sort_keys=True, default=str))


def reuse_run(run_dir: str, source: str, recipe: Recipe) -> None:
    """``--reuse ARM:SEED=DIR``: count an earlier pipeline run (e.g. the committed card's, runs/cards/<domain>)
    as this arm and seed: linked and recorded (arm.json), not rerun; later arms of the seed share its stages.
    Its recipe.yaml must equal the arm's recipe (seed, model, data, stages, eval)."""
    path = os.path.join(source, "recipe.yaml")
    if not os.path.isfile(path):
        raise FoundryError(f"--reuse {source}: no recipe.yaml there, so not a pipeline run folder")
    theirs, ours = _comparable(load_recipe(path)), _comparable(recipe)
    differ = [k for k in ours if theirs.get(k) != ours[k]]
    if differ:
        raise FoundryError(f"--reuse {source}: its recipe differs from the arm's in {', '.join(differ)} "
                           f"(compare {path} with the matrix); run the arm instead")
    if os.path.lexists(run_dir):
        if os.path.realpath(run_dir) != os.path.realpath(source):
            raise FoundryError(f"--reuse {source}: {run_dir} already holds another run; move it away first")
    else:
        os.makedirs(os.path.dirname(run_dir), exist_ok=True)
        os.symlink(os.path.realpath(source), run_dir)
    mark_done(run_dir, os.path.basename(run_dir), recipe)


def mark_done(run_dir: str, arm: str, recipe: Recipe) -> list[str]:
    """Record a finished arm (``arm.json``: its seed and stage keys) for later calls; returns the keys."""
    keys = stage_keys(recipe)
    with open(os.path.join(run_dir, "arm.json"), "w") as fh:
        json.dump({"arm": arm, "seed": recipe.seed, "stages": keys}, fh)
    return keys


def load_done(seed_dir: str) -> dict[str, tuple[str, list[str]]]:
    """Arms finished earlier in this seed's folder (their ``arm.json``): later runs share their stages."""
    done = {}
    if os.path.isdir(seed_dir):
        for arm in sorted(os.listdir(seed_dir)):
            path = os.path.join(seed_dir, arm, "arm.json")
            if os.path.isfile(path):
                with open(path) as fh:
                    done[arm] = (os.path.join(seed_dir, arm), json.load(fh)["stages"])
    return done


def run_arm(run_dir: str, recipe: Recipe, log_path: str | None = None, threads: int = 0) -> dict:
    """Run (or resume) one arm's pipeline; the row's value, stage seconds and wall time, or its error.
    In a worker process its output goes to ``log_path`` and torch uses ``threads`` threads."""
    if log_path:
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
    if threads:
        import torch

        torch.set_num_threads(threads)
    from r1_foundry.core.pipeline.run import run_pipeline

    row: dict = {}
    begin = time.perf_counter()
    try:
        results = run_pipeline(recipe, run_dir, resume=True)
        last = results[recipe.stages[-1].name]
        row["value"] = last["metrics"][last["primary"]]
        row["stage_values"] = {s.name: results[s.name]["metrics"][results[s.name]["primary"]]
                               for s in recipe.stages if s.name in results}
        times = stage_seconds(run_dir, recipe)
        row["stage_seconds"] = times
        row["train_seconds"] = sum(times.get(s.name, 0) for s in recipe.stages)
        row["pipeline_seconds"] = pipeline_seconds(run_dir, recipe)
    except FoundryError as exc:  # one arm failing (e.g. nothing verified to train on) is a result
        row["error"] = str(exc)
    row["wall_seconds"] = round(time.perf_counter() - begin, 1)
    return row


def depends_on(tasks: list[tuple[str, int]], recipes: dict) -> dict:
    """For each (arm, seed): the earlier task of that seed sharing the longest prefix of stages, if any."""
    deps = {}
    for i, task in enumerate(tasks):
        keys = stage_keys(recipes[task])
        best, dep = 0, None
        for other in tasks[:i]:
            if other[1] != task[1]:
                continue
            n = common_prefix(keys, stage_keys(recipes[other]))
            if n > best:
                best, dep = n, other
        deps[task] = dep
    return deps


def run_parallel(tasks, recipes, jobs: int, start, record) -> None:
    """Run tasks in up to ``jobs`` fresh processes; a task starts once the task it shares stages with is done."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    deps = depends_on(tasks, recipes)
    threads = max(1, (os.cpu_count() or 1) // jobs)
    finished: dict = {}
    pending, running = list(tasks), {}
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"), max_tasks_per_child=1) as pool:
        while pending or running:
            for task in list(pending):
                if len(running) >= jobs:
                    break
                dep = deps[task]
                if dep is not None and dep not in finished:
                    continue
                pending.remove(task)
                if dep is not None and finished[dep].get("error"):
                    row = {"error": f"its first stages come from arm '{dep[0]}', which failed", "wall_seconds": 0.0}
                    finished[task] = row
                    record(task, row)
                    continue
                run_dir, recipe = start(task)
                running[pool.submit(run_arm, run_dir, recipe, os.path.join(run_dir, "methods.log"), threads)] = task
            if not running:
                continue
            complete, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in complete:
                task = running.pop(fut)
                try:
                    row = fut.result()
                except Exception as exc:  # a worker that died (out of memory, a crash) is that arm's result
                    row = {"error": f"worker failed: {type(exc).__name__}: {exc}", "wall_seconds": 0.0}
                finished[task] = row
                record(task, row)


def write_json(path: str, data: dict) -> None:
    """Write ``path`` atomically (a matrix stopped mid-write keeps the previous file)."""
    atomic_write(path, json.dumps(data, indent=1))


def stage_seconds(run_dir: str, recipe: Recipe) -> dict:
    """Each stage's wall seconds from the run's timings.json, else (a run made before it existed)
    the trainer's ``train_runtime`` in the stage's log history."""
    path = os.path.join(run_dir, "timings.json")
    times = {}
    if os.path.isfile(path):
        with open(path) as fh:
            times = json.load(fh)
    for s in recipe.stages:
        log = os.path.join(run_dir, s.name, "log_history.json")
        if s.name not in times and os.path.isfile(log):
            with open(log) as fh:
                times[s.name] = next((float(r["train_runtime"]) for r in json.load(fh) if "train_runtime" in r), 0.0)
    return {s.name: times[s.name] for s in recipe.stages if s.name in times}  # the recipe's stages, in its order


def pipeline_seconds(run_dir: str, recipe: Recipe) -> float | None:
    """The whole pipeline's seconds as ``foundry <domain> pipeline`` spends them: every stage (sampling
    and monitor included) plus data building, model building, evals and the card (timings.json's phases),
    where the run did all of them itself; None for an arm that linked its first stages from another."""
    path = os.path.join(run_dir, "timings.json")
    if not os.path.isfile(path):
        return None
    with open(path) as fh:
        times = json.load(fh)
    phases = times.get("phases") or {}
    if not all(k in phases for k in ("data", "model", "eval")) or any(s.name not in times for s in recipe.stages):
        return None
    return round(sum(times[s.name] for s in recipe.stages) + sum(phases.get(k, 0.0) for k in ("data", "model", "eval", "card")), 1)


def pass_at_k(domain_name: str, recipe: Recipe, model_path: str, data_dir: str, out_dir: str, k: int) -> dict:
    """The pipeline's own eval of ``model_path`` with k samples per question at temperature 1."""
    from r1_foundry.core.data.datasets import load_data
    from r1_foundry.core.evaluation.runner import run_eval
    from r1_foundry.core.schema.domain import get_domain

    sampled = copy.deepcopy(recipe)
    sampled.eval.k, sampled.eval.temperature, sampled.eval.backend = k, 1.0, "hf"
    res = run_eval(get_domain(domain_name), sampled, model_path, load_data(data_dir), out_dir, f"pass@{k}")
    return {"sample_mean": res["metrics"][res["primary"]], f"maj@{k}": res[f"maj@{k}"], f"pass@{k}": res[f"pass@{k}"]}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--domain", default="sql")
    p.add_argument("--matrix", default=None, help="matrix file (default: bench/methods/<domain>.yaml)")
    p.add_argument("--preset", default=None, help="preset of the base recipe and of the matrix (e.g. mini)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--arms", default="", help="comma-separated arms to run, in this order (default: the matrix's)")
    p.add_argument("--pass-k", type=int, default=0, help="also sample one arm's final model K times per question")
    p.add_argument("--pass-k-arm", default="sft", help="the arm whose model --pass-k samples (default: sft)")
    p.add_argument("--out", required=True)
    p.add_argument("--jobs", type=int, default=1,
                   help="arms run at once, each in its own process (a GPU box with many cores); an arm waits for "
                        "the earlier arm it shares first stages with, so list the shared one (sft) first")
    p.add_argument("--report", action="store_true", help="only write the table from OUT/methods.json (an earlier run)")
    p.add_argument("--reuse", action="append", default=[], metavar="ARM:SEED=DIR",
                   help="count an earlier pipeline run of the same recipe (e.g. the committed card's, runs/cards/<domain>) "
                        "as ARM's run of SEED: linked, not rerun (repeatable)")
    p.add_argument("override", nargs="*", help="key=value overrides of the base recipe")
    a = p.parse_args(argv)
    from r1_foundry.core.schema.domain import get_domain
    from r1_foundry.core.util.ui import err

    try:
        own = os.path.join(HERE, "methods", f"{a.domain}.yaml")
        matrix = load_matrix(a.matrix or (own if os.path.isfile(own) else os.path.join(HERE, "methods", "default.yaml")),
                             a.preset)
        if matrix.setdefault("domain", a.domain) != a.domain:
            raise FoundryError(f"the matrix is for domain '{matrix['domain']}', not '{a.domain}'")
        domain = get_domain(matrix["domain"])
        base = load_recipe(domain.recipe_path(matrix.get("recipe", "default")), a.override, a.preset)
        arms = [x for x in a.arms.split(",") if x] or list(matrix["arms"])  # in the order given
        unknown = set(arms) - set(matrix["arms"])
        if unknown:
            raise FoundryError(f"unknown arm(s) {sorted(unknown)}; the matrix has {', '.join(matrix['arms'])}")
        json_path = os.path.join(a.out, "methods.json")
        command = "python bench/methods.py " + " ".join(argv if argv is not None else sys.argv[1:])
        earlier = {}
        if os.path.isfile(json_path):
            with open(json_path) as fh:
                earlier = json.load(fh)
        elif a.report:
            raise FoundryError(f"{json_path}: nothing to report; run the matrix first")
        picked = {(arm, seed) for arm in arms for seed in a.seeds}
        # --report: the table of what an earlier (perhaps interrupted) run finished; else rows not rerun now are kept
        rows = [r for r in earlier.get("rows", []) if ((r["arm"], r["seed"]) in picked) == a.report]
        passk = earlier.get("passk", {})
        machine = f"{os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()}"
        if a.report:
            command = earlier.get("command", command + " (report of an earlier run)")
            history = earlier.get("commands", [command])
            machine = earlier.get("machine", machine)
        else:
            import torch

            if torch.cuda.is_available():
                machine += f", {torch.cuda.get_device_name(0)}"
            if a.jobs > 1:
                machine += f", {a.jobs} arms at once"
            # every command whose rows the table holds (rows not rerun now are kept), oldest first
            kept = (earlier.get("commands") or [earlier["command"]]) if rows else []
            history = [*kept, command]

        def run_dir_of(arm: str, seed: int) -> str:
            return os.path.join(a.out, f"s{seed}", arm)

        for spec in [] if a.report else a.reuse:
            head, sep, source = spec.partition("=")
            arm, _, seed = head.partition(":")
            if not (sep and source and seed.isdigit() and arm in matrix["arms"]):
                raise FoundryError(f"--reuse {spec!r}: expected ARM:SEED=DIR with an arm of the matrix "
                                   f"({', '.join(matrix['arms'])})")
            reuse_run(run_dir_of(arm, int(seed)), source, arm_recipe(base, matrix, arm, {"seed": int(seed)}))
        done = {seed: load_done(os.path.join(a.out, f"s{seed}")) for seed in a.seeds}
        tasks = [] if a.report else [(arm, seed) for arm in arms for seed in a.seeds]  # arm-major
        recipes = {(arm, seed): arm_recipe(base, matrix, arm, {"seed": seed}) for arm, seed in tasks}

        linked: dict = {}  # tasks that started from another arm's folders: no whole-pipeline time of their own

        def record(task, row):
            arm, seed = task
            if linked.get(task):
                row["pipeline_seconds"] = None
            run_dir = run_dir_of(arm, seed)
            recipe = recipes[task]
            row = {"arm": arm, "seed": seed, "kinds": [s.kind for s in recipe.stages],
                   "stages": [s.name for s in recipe.stages], "value": None, **row}
            if row.get("error"):
                err.print(f"[methods] seed {seed} arm {arm} failed: {row['error']}")
            else:
                done[seed][arm] = (run_dir, mark_done(run_dir, arm, recipe))
                err.print(f"[methods] seed {seed} arm {arm}: {row['value']} ({row['wall_seconds']:.0f} s)")
            rows.append(row)  # written after every arm: an interrupted matrix keeps what it has
            write_json(json_path, {"command": command, "commands": history, "machine": machine, "rows": rows,
                                   "passk": passk})

        def start(task) -> tuple[str, Recipe]:
            arm, seed = task
            run_dir = run_dir_of(arm, seed)
            shared = share_prefix(run_dir, recipes[task], done[seed])
            # borrowed folders are links inside the run; a --reuse run (the run folder itself a link) or a
            # resumed arm that ran whole has none, so it keeps its own whole-pipeline time
            linked[task] = any(os.path.islink(os.path.join(run_dir, n))
                               for n in ["data", "model", *(s.name for s in recipes[task].stages)])
            err.print(f"[methods] seed {seed} arm {arm}: {' -> '.join(s.name for s in recipes[task].stages)}"
                      + (f" (first {shared} stage(s) shared)" if shared else ""))
            return run_dir, recipes[task]

        if a.jobs <= 1:
            for task in tasks:
                record(task, run_arm(*start(task)))
        else:
            run_parallel(tasks, recipes, a.jobs, start, record)
        for seed in a.seeds if a.pass_k > 1 and not a.report else []:
            row = next((r for r in rows if r["arm"] == a.pass_k_arm and r["seed"] == seed
                        and r.get("value") is not None), None)
            if row is not None and str(seed) not in passk:
                run_dir = run_dir_of(a.pass_k_arm, seed)
                p_k = pass_at_k(matrix["domain"], base, os.path.join(run_dir, arm_stages(matrix, a.pass_k_arm)[-1]),
                                os.path.join(run_dir, "data"), os.path.join(a.out, f"s{seed}", "passk"), a.pass_k)
                passk[str(seed)] = {"greedy": row["value"], **p_k}
        suite = domain.suite(base.eval.suite)
        shown = arms + [x for x in matrix["arms"] if x not in arms and any(r["arm"] == x for r in rows)]
        summary = summarise(rows, shown, suite.primary)
        write_json(json_path, {"command": command, "commands": history, "machine": machine, "rows": rows,
                               "passk": passk, "summary": summary})
        md = to_markdown(summary, matrix, "; then ".join(history), machine, passk)
        with open(os.path.join(a.out, "methods.md"), "w") as fh:
            fh.write(md)
        plot(summary, os.path.join(a.out, "methods.png"), f"{matrix['domain']}: training methods")
        print(md)
    except FoundryError as exc:
        err.print(f"error: {exc}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
