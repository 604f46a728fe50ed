"""bench/methods.py (and its table, bench/methods_table.py): every matrix arm builds for every domain and preset; the summary's
arithmetic (mean, sample s.d., paired difference, the "beats" rule); and a CI-sized run of a few
arms over two seeds that shares the SFT stage and writes the table, JSON and PNG."""

import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "bench"))

import methods as bench  # noqa: E402
import methods_table as table  # noqa: E402

from r1_foundry.core.schema.domain import discover, get_domain  # noqa: E402
from r1_foundry.core.schema.recipe import load_recipe, validate_stage_args  # noqa: E402
from r1_foundry.core.util.errors import FoundryError  # noqa: E402


@pytest.mark.parametrize("domain", sorted(discover()))
@pytest.mark.parametrize("preset", [None, "mini"])
def test_every_arm_builds_and_validates(domain, preset):
    d = get_domain(domain)
    own = os.path.join(os.path.dirname(HERE), "bench", "methods", f"{domain}.yaml")
    path = own if os.path.isfile(own) else os.path.join(os.path.dirname(HERE), "bench", "methods", "default.yaml")
    matrix = bench.load_matrix(path, preset)
    base = load_recipe(d.recipe_path(matrix.get("recipe", "default")), [], preset)
    for arm in matrix["arms"]:
        recipe = bench.arm_recipe(base, matrix, arm, {"seed": 3})
        assert recipe.seed == 3 and [s.name for s in recipe.stages] == bench.arm_stages(matrix, arm)
        for s in recipe.stages:
            validate_stage_args(s)


def test_matrix_errors(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("stages: {}\n")
    with pytest.raises(FoundryError, match="missing 'arms'"):
        bench.load_matrix(str(path))
    path.write_text("arms: {a: [sft, nope]}\nstages: {x: {from: nope}}\n")
    base = load_recipe(get_domain("sql").recipe_path("default"))
    with pytest.raises(FoundryError, match="no stage 'nope'"):
        bench.arm_recipe(base, bench.load_matrix(str(path)), "a", {})


def test_an_arm_with_its_own_overrides_shares_nothing_built_on_another_model(tmp_path):
    """``{stages, set}`` arms: two whole recipes (another model, another SFT budget) in one matrix.
    Equal stage specs on different models must neither be linked nor wait for each other."""
    path = tmp_path / "m.yaml"
    path.write_text("arms:\n  old: [sft, self-dpo]\n  old-sft: [sft]\n"
                    "  new: {stages: [sft, self-dpo], set: [model.name=small, stages.sft.args.max_steps=7]}\n"
                    "  same-model: {stages: [sft], set: [model.name=small]}\n")
    matrix = bench.load_matrix(str(path))
    base = load_recipe(get_domain("sql").recipe_path("default"))
    recipes = {(a, 0): bench.arm_recipe(base, matrix, a, {"seed": 0}) for a in matrix["arms"]}
    new = recipes[("new", 0)]
    assert new.model.name == "small" and new.stage("sft").args["max_steps"] == 7 and new.seed == 0
    assert recipes[("old", 0)].model.name == base.model.name  # the base recipe is not changed by an arm
    deps = bench.depends_on(list(recipes), recipes)
    assert deps[("old-sft", 0)] == ("old", 0) and deps[("new", 0)] is None and deps[("same-model", 0)] is None
    # a finished arm on the base model: the new arm links neither its data and model nor its SFT
    seed_dir = tmp_path / "out" / "s0"
    for name in ("data", "model", "sft"):
        (seed_dir / "old" / name).mkdir(parents=True)
    bench.mark_done(str(seed_dir / "old"), "old", recipes[("old", 0)])
    done = bench.load_done(str(seed_dir))
    assert bench.share_prefix(str(seed_dir / "new"), new, done) == 0 and not (seed_dir / "new" / "model").exists()
    assert bench.share_prefix(str(seed_dir / "old-sft"), recipes[("old-sft", 0)], done) == 1
    assert os.path.realpath(seed_dir / "old-sft" / "model") == os.path.realpath(seed_dir / "old" / "model")
    path.write_text("arms:\n  bad: {stages: [sft], sett: [model.name=small]}\n")
    with pytest.raises(FoundryError, match="arm 'bad' must be"):
        bench.load_matrix(str(path))
    path.write_text("arms:\n  bad: {stages: [sft], set: [model.nope=1]}\n")
    with pytest.raises(FoundryError, match="unknown key 'nope'"):
        bench.arm_recipe(base, bench.load_matrix(str(path)), "bad", {})


def test_parallel_arms_wait_for_the_arm_they_share_stages_with():
    d = get_domain("sql")
    matrix = bench.load_matrix(os.path.join(os.path.dirname(HERE), "bench", "methods", "sql.yaml"))
    base = load_recipe(d.recipe_path(matrix["recipe"]))
    tasks = [(a, s) for a in ("sft", "sft-rft", "sft-rft-grpo", "grpo-only", "sft-2000") for s in (0, 1)]
    recipes = {t: bench.arm_recipe(base, matrix, t[0], {"seed": t[1]}) for t in tasks}
    deps = bench.depends_on(tasks, recipes)
    assert deps[("sft-rft", 1)] == ("sft", 1) and deps[("sft-rft-grpo", 0)] == ("sft-rft", 0)
    assert deps[("grpo-only", 0)] is None and deps[("sft-2000", 1)] is None and deps[("sft", 0)] is None


def _rows(arm, values, kinds=("sft", "grpo")):
    return [{"arm": arm, "seed": s, "value": v, "kinds": list(kinds), "train_seconds": 10.0} for s, v in enumerate(values)]


def test_summary_means_spread_and_the_beats_rule():
    rows = _rows("sft", [0.60, 0.62, 0.64], ("sft",)) + _rows("long", [0.59, 0.61, 0.63], ("sft", "sft")) \
        + _rows("rl", [0.70, 0.71, 0.75]) + _rows("noisy", [0.61, 0.70, 0.63])
    s = table.summarise(rows, ["sft", "long", "rl", "noisy"], "execution")
    t = s["arms"]
    assert s["best_sft"] == "sft" and t["long"]["sft_only"] and not t["rl"]["sft_only"]
    assert t["sft"]["mean"] == pytest.approx(0.62) and t["sft"]["sd"] == pytest.approx(0.02)
    assert t["rl"]["vs_best_sft"]["diffs"] == pytest.approx([0.10, 0.09, 0.11])
    assert t["rl"]["vs_best_sft"]["beats"]  # every seed better, mean gain 0.10 > larger s.d. (0.026)
    assert not t["noisy"]["vs_best_sft"]["beats"]  # seed 0 and 2 barely better, mean gain below its s.d.
    assert not t["long"]["vs_best_sft"]["beats"]
    md = table.to_markdown(s, {"arms": {"sft": ["sft"], "long": ["sft", "more"], "rl": ["sft", "grpo"],
                                        "noisy": ["sft", "grpo"]}}, "cmd", "here", {})
    assert "| rl | sft → grpo | 3 | 72.0 |" in md and "**beats**" in md and "Beating it beyond the spread" in md
    # per-stage means and wall time of whole-recipe arms (`set` overrides shown with the stages)
    staged = [{**r, "stage_values": {"sft": r["value"] - 0.02, "grpo": r["value"]}, "pipeline_seconds": 60.0 + r["seed"]}
              for r in _rows("new", [0.70, 0.72, 0.74])]
    t2 = table.summarise(staged, ["new"], "x")["arms"]["new"]
    assert t2["stage_means"] == pytest.approx({"sft": 0.70, "grpo": 0.72}) and t2["pipeline_seconds"] == pytest.approx(61.0)
    md = table.to_markdown(table.summarise(staged, ["new"], "x"),
                           {"arms": {"new": {"stages": ["sft", "grpo"], "set": ["model.name=small"]}}}, "cmd", "here", {})
    assert "| new | sft → grpo (`model.name=small`) | 3 | 72.0 |" in md and "| sft 70.0 → grpo 72.0 | 61 |" in md
    two = table.summarise(_rows("sft", [0.5, 0.5], ("sft",)) + _rows("rl", [0.9, 0.9]), ["sft", "rl"], "x")
    assert not two["arms"]["rl"]["vs_best_sft"]["beats"]  # fewer than three seeds never "beats"


@pytest.mark.slow
def test_first_stage_and_stage_seconds_follow_the_recipe_order(tmp_path):
    """The shared SFT stage is the recipe's first, whatever order timings.json was written in."""
    rows = [{"arm": "a", "kinds": ["sft", "grpo"], "stages": ["warm", "rl"], "stage_seconds": {"rl": 5.0, "warm": 9.0}}]
    assert table.matrix_first_stage(rows, "a") == "warm"
    assert table.matrix_first_stage([{**rows[0], "kinds": ["grpo"]}], "a") is None
    recipe = load_recipe(get_domain("sql").recipe_path("grpo"))
    (tmp_path / "timings.json").write_text(json.dumps({"grpo": 3.0, "other": 1.0, "sft": 7.0}))
    assert list(bench.stage_seconds(str(tmp_path), recipe).items()) == [("sft", 7.0), ("grpo", 3.0)]


def test_reuse_links_an_earlier_run_of_the_same_recipe_only(tmp_path):
    from r1_foundry.core.cli.common import save_recipe

    matrix = bench.load_matrix(os.path.join(os.path.dirname(HERE), "bench", "methods", "default.yaml"))
    base = load_recipe(get_domain("medical").recipe_path("default"))
    card = tmp_path / "card"
    card.mkdir()
    save_recipe(bench.arm_recipe(base, matrix, "sft-grpo", {"seed": 0}), str(card / "recipe.yaml"))
    run_dir = tmp_path / "m" / "s0" / "sft-grpo"
    bench.reuse_run(str(run_dir), str(card), bench.arm_recipe(base, matrix, "sft-grpo", {"seed": 0}))
    assert run_dir.is_symlink() and os.path.realpath(run_dir) == os.path.realpath(card)
    done = bench.load_done(str(tmp_path / "m" / "s0"))
    assert [s.name for s in base.stages] == ["sft", "grpo"] and len(done["sft-grpo"][1]) == 2
    with pytest.raises(FoundryError, match="differs from the arm's in seed"):  # another seed's run is not this one
        bench.reuse_run(str(tmp_path / "m" / "s1" / "sft-grpo"), str(card),
                        bench.arm_recipe(base, matrix, "sft-grpo", {"seed": 1}))
    with pytest.raises(FoundryError, match="differs from the arm's in stages"):
        bench.reuse_run(str(tmp_path / "m" / "s0" / "sft"), str(card), bench.arm_recipe(base, matrix, "sft", {"seed": 0}))
    assert bench.main(["--domain", "medical", "--arms", "sft", "--seeds", "0", "--out", str(tmp_path / "m"),
                       "--reuse", "sft-grpo=oops"]) == 2


def test_mini_matrix_shares_sft_and_writes_the_table(tmp_path):
    """Two arms in two worker processes (--jobs 2: the RFT arm waits for the SFT arm of its seed),
    then a third arm in a later call: it finds the SFT models on disk and the table keeps every row."""
    out = tmp_path / "m"
    common = ["--domain", "sql", "--preset", "mini", "--out", str(out), "--seeds", "0", "1", "--",
              "stages.sft.args.max_steps=6", "eval.limit=8", "data.args.train_per_db=12"]
    assert bench.main(["--arms", "sft,sft-rft", "--jobs", "2"] + common) == 0
    assert (out / "s0" / "sft-rft" / "methods.log").stat().st_size > 0  # a worker's output goes to its log
    assert bench.main(["--arms", "sft-self-dpo"] + common) == 0
    result = json.loads((out / "methods.json").read_text())
    assert {(r["arm"], r["seed"]) for r in result["rows"]} == {(a, s) for a in ("sft", "sft-rft", "sft-self-dpo")
                                                             for s in (0, 1)}
    assert all(r.get("value") is not None for r in result["rows"]), [r.get("error") for r in result["rows"]]
    # the table holds both calls' rows, so it names both commands (oldest first)
    assert [c.split("--arms ")[1].split()[0] for c in result["commands"]] == ["sft,sft-rft", "sft-self-dpo"]
    assert all(list(r["stage_values"]) == r["stages"] for r in result["rows"])  # shared stages' numbers too
    by = {(r["arm"], r["seed"]): r for r in result["rows"]}  # a whole pipeline's time only where it ran whole
    assert by[("sft", 0)]["pipeline_seconds"] > 0 and by[("sft-rft", 0)]["pipeline_seconds"] is None
    for seed in (0, 1):  # the RFT and self-DPO arms start from the SFT arm's model, linked, not retrained
        sft = os.path.realpath(out / f"s{seed}" / "sft" / "sft")
        assert os.path.realpath(out / f"s{seed}" / "sft-rft" / "sft") == sft
        assert os.path.realpath(out / f"s{seed}" / "sft-self-dpo" / "sft") == sft
        assert json.loads((out / f"s{seed}" / "sft-rft" / "rft" / "rft.json").read_text())["rows"] > 0
    assert (out / "methods.png").stat().st_size > 1000
    md = (out / "methods.md").read_text()
    assert "| sft-rft | sft → rft | 2 |" in md and "Best SFT-only arm: sft" in md
    assert "--arms sft,sft-rft --jobs 2" in md and "; then python bench/methods.py --arms sft-self-dpo" in md


@pytest.mark.slow
def test_sft_step_bench_accounts_tokens_and_compares_levers_and_sizes():
    """bench/sft_step.py end to end on small synthetic data: token accounting, the group_by_length
    sampler's padding (fewer padded tokens than random batches, never fewer than the real ones) and
    the model-shape table, with ratios against the first size; then the schema-serialisation lever (compact prompts:
    fewer prompt tokens per row)."""
    import re
    import subprocess

    out = subprocess.run([sys.executable, os.path.join(os.path.dirname(HERE), "bench", "sft_step.py"), "--domain", "sql",
                          "--steps", "2", "--rounds", "1", "--levers", "padded,grouped", "--sizes", "tiny,micro"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    real, padded = (int(x.replace(",", "")) for x in re.search(r"real tokens ([\d,]+), padded ([\d,]+)", out.stdout).groups())
    grouped = int(re.search(r"group_by_length: padded tokens ([\d,]+)", out.stdout).group(1).replace(",", ""))
    assert real <= grouped < padded
    assert re.search(r"\| grouped \| [\d.]+ \| [\d.]+ \| \d+ \| [\d.]+x \|", out.stdout)
    assert re.search(r"\| tiny \(256, 8, 4, 2, 1024\) \| [\d.]+M \| [\d.]+ \| 1.00x \|", out.stdout) and re.search(r"\| micro \(.*\) \| [\d.]+M \| [\d.]+ \| [\d.]+x \|", out.stdout)
    # the shorter-prompt lever: the same questions with the compact schema, each style with its own tokenizer
    out = subprocess.run([sys.executable, os.path.join(os.path.dirname(HERE), "bench", "sft_step.py"), "--domain", "sql",
                          "--steps", "2", "--rounds", "1", "--schema-styles", "create,compact"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    styles = {m[0]: (float(m[1]), float(m[2])) for m in
              re.findall(r"\| (create|compact) \| ([\d.]+) \| ([\d.]+) \| [\d,]+ \| [\d.]+ \| [\d.]+ \| [\d.]+x \|",
                         out.stdout)}
    assert set(styles) == {"create", "compact"}, out.stdout[-1500:]
    assert styles["compact"][1] < 0.9 * styles["create"][1] and styles["compact"][0] < styles["create"][0]
