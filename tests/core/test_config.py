"""Recipes: every committed recipe validates; overrides, presets and errors name the key."""

import pytest

from r1_foundry.core.schema.domain import discover
from r1_foundry.core.schema.recipe import load_recipe, validate_stage_args
from r1_foundry.core.util.errors import FoundryError

ALL_RECIPES = [(d.name, n, p) for d in discover().values() for n, p in d.recipes().items()]


@pytest.mark.parametrize("domain,name,path", ALL_RECIPES, ids=[f"{d}/{n}" for d, n, _ in ALL_RECIPES])
def test_every_committed_recipe_validates(domain, name, path):
    text = open(path).read()
    assert text.startswith("# foundry "), "a recipe opens with the command that runs it"
    recipe = load_recipe(path)
    assert recipe.domain == domain
    for preset in [None, *recipe.presets]:
        r = load_recipe(path, preset=preset)
        for stage in r.stages:
            validate_stage_args(stage)


def _write(tmp_path, text):
    p = tmp_path / "r.yaml"
    p.write_text(text)
    return str(p)


BASE = """
domain: sql
stages:
  - {name: sft, kind: sft, args: {max_steps: 5}}
  - {name: grpo, kind: grpo, rewards: arctic, args: {max_steps: 2}}
eval: {suite: sql/heldout}
presets:
  quick: [stages.sft.args.max_steps=1]
"""


def test_overrides_by_stage_name_index_and_types(tmp_path):
    path = _write(tmp_path, BASE)
    r = load_recipe(path, ["stages.sft.args.learning_rate=1e-3", "stages.1.args.max_steps=7", "model.name=small",
                           "eval.limit=10"])
    assert r.stage("sft").args == {"max_steps": 5, "learning_rate": 1e-3}
    assert r.stage("grpo").args["max_steps"] == 7
    assert r.model.name == "small" and r.eval.limit == 10


def test_preset_then_overrides(tmp_path):
    path = _write(tmp_path, BASE)
    assert load_recipe(path, preset="quick").stage("sft").args["max_steps"] == 1
    assert load_recipe(path, ["stages.sft.args.max_steps=3"], preset="quick").stage("sft").args["max_steps"] == 3


@pytest.mark.parametrize("text,overrides,preset,message", [
    (BASE.replace("eval:", "evall:"), [], None, "unknown key 'evall'; did you mean 'eval'"),
    (BASE.replace("kind: sft", "kind: sfft"), [], None, "kind 'sfft'"),
    (BASE, ["stages.rl.args.max_steps=1"], None, "no stage 'rl'"),
    (BASE, ["nokey"], None, "key=value"),
    (BASE, [], "quik", "unknown preset 'quik'; did you mean 'quick'"),
    (BASE.replace("rewards: arctic, ", ""), [], None, "grpo needs 'rewards'"),
    ("domain: sql\nstages: [\n", [], None, "malformed YAML"),
    ("domain: sql\n", [], None, "at least one stage"),
    (BASE, ["model.lora=true", "model.qlora=true"], None, "either lora or qlora"),
])
def test_bad_recipes_name_the_problem(tmp_path, text, overrides, preset, message):
    with pytest.raises(FoundryError, match=message.replace("(", r"\(")):
        load_recipe(_write(tmp_path, text), overrides, preset)


def test_unknown_trl_field_did_you_mean(tmp_path):
    r = load_recipe(_write(tmp_path, BASE), ["stages.sft.args.max_step=3"])
    with pytest.raises(FoundryError, match="did you mean 'max_steps'"):
        validate_stage_args(r.stage("sft"))


def test_missing_recipe_file():
    with pytest.raises(FoundryError, match="recipe file not found"):
        load_recipe("/nope/recipe.yaml")


@pytest.mark.parametrize("name", ["/some/where", "../x", "a/b", "..", ".hidden", "a b", "x" * 65, "a\\b", ""])
def test_stage_names_that_would_leave_the_run_folder_are_refused(name, tmp_path):
    """A stage name is the folder RUN/<name>: a path, '..', or an odd character is one line, before anything runs."""
    from r1_foundry.core.schema.recipe import StageSpec, check_stage_name

    if name == "":  # an empty name falls back to the kind (sft), which is fine
        assert StageSpec(name="", kind="sft").name == "sft"
        return
    with pytest.raises(FoundryError, match="stage name"):
        check_stage_name(name)
    with pytest.raises(FoundryError, match="stage name"):
        StageSpec(name=name, kind="sft")


def test_pipeline_with_a_path_as_stage_name_exits_2_and_writes_nothing(tmp_path):
    from typer.testing import CliRunner

    from r1_foundry.core.cli.app import build_root

    target = tmp_path / "elsewhere"
    out = tmp_path / "run"
    res = CliRunner().invoke(build_root(), ["sql", "pipeline", "--preset", "smoke", "--out", str(out),
                                            f"stages.sft.name={target}"])
    assert res.exit_code == 2 and "stage name" in res.output
    assert not target.exists() and not out.exists()


def test_a_failing_pipeline_command_writes_nothing_and_keeps_the_run_recipe(tmp_path):
    """A mistyped TRL argument exits 2 before recipe.yaml is written: a new folder stays empty (so the
    corrected command is not refused), and --resume on an existing run leaves its recipe.yaml as it was."""
    from typer.testing import CliRunner

    from r1_foundry.core.cli.app import build_root

    runner = CliRunner()
    fresh = tmp_path / "fresh"
    res = runner.invoke(build_root(), ["medical", "pipeline", "--preset", "smoke", "--out", str(fresh),
                                       "stages.sft.args.max_stepz=3"])
    assert res.exit_code == 2 and "max_stepz" in res.output and not fresh.exists()
    old = tmp_path / "old"
    old.mkdir()
    (old / "recipe.yaml").write_text("domain: medical\n# the run that happened\n")
    res = runner.invoke(build_root(), ["medical", "pipeline", "--preset", "smoke", "--out", str(old), "--resume",
                                       "stages.sft.args.max_stepz=3"])
    assert res.exit_code == 2 and (old / "recipe.yaml").read_text() == "domain: medical\n# the run that happened\n"
