"""Training methods (core.methods, core.merge, core.shaping): what each stage must do, with real
steps on the tiny model. Generation is replaced by fixed answers (so the test knows which are
right); the verifier (the SQL suite's execution scorer), the data building and the TRL training
are the real ones."""

import json
import math
import os

import pytest
import torch
from safetensors.torch import load_file

from r1_foundry.core.data.datasets import corpus
from r1_foundry.core.modeling import generation as generation_mod
from r1_foundry.core.modeling.models import build_scratch_model, train_tokenizer
from r1_foundry.core.schema.domain import get_domain
from r1_foundry.core.schema.recipe import EvalSpec, Recipe, StageSpec, load_recipe
from r1_foundry.core.stages import grpo
from r1_foundry.core.stages import sampling as methods
from r1_foundry.core.stages.merge import merge
from r1_foundry.core.stages.runner import run_stage
from r1_foundry.core.stages.trl import KLSchedule
from r1_foundry.core.util.errors import FoundryError

pytestmark = pytest.mark.integration
SQL = get_domain("sql")
FAST = {"per_device_train_batch_size": 4, "learning_rate": 1e-3, "logging_steps": 1, "save_steps": 1000,
        "max_length": 384}


def answer(sql: str) -> str:
    return f"<think>tables: t</think><answer>{sql}</answer>"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, sql_data):
    out = str(tmp_path_factory.mktemp("tiny-methods"))
    tok = train_tokenizer(corpus(sql_data["train"]), vocab_size=512, out_dir=out)
    return build_scratch_model("tiny", tok, out, seed=0)


@pytest.fixture
def pool(sql_data):
    return sql_data["train"].select(range(4))


def recipe(*stages) -> Recipe:
    return Recipe(domain="sql", stages=list(stages), eval=EvalSpec(suite="sql/heldout", max_new_tokens=32, batch_size=8))


def fake_samples(monkeypatch, by_prompt):
    """generate_hf returns ``by_prompt(i, prompt_text)`` for the i-th prompt; records the prompts."""
    seen = []

    def fake(model, tok, prompts, *, num_samples=1, **kw):
        texts = [p[-1]["content"] if isinstance(p, list) else p for p in prompts]
        seen.append(texts)
        return [by_prompt(i, t)[:num_samples] for i, t in enumerate(texts)]

    monkeypatch.setattr(generation_mod, "generate_hf", fake)
    return seen


def wrong(ex) -> str:
    return answer("SELECT 'not-the-answer-" + str(len(ex["gold_sql"])) + "'")


@pytest.fixture(autouse=True)
def fresh_sample_cache(tiny):
    """Samples are cached in the model folder; each test fakes its own, so none is reused across tests."""
    import shutil

    shutil.rmtree(os.path.join(tiny, "samples"), ignore_errors=True)
    yield
    shutil.rmtree(os.path.join(tiny, "samples"), ignore_errors=True)


def test_rft_keeps_only_distinct_verified_samples_and_trains(tiny, pool, monkeypatch, tmp_path):
    rows = pool.to_list()
    # prompt 0: right twice (same up to spaces), wrong twice -> one row; 1: two distinct right -> two rows;
    # 2: never right -> none (no gold); 3: all right, three distinct -> capped at max_per_prompt=2
    answers = {0: [answer(rows[0]["gold_sql"]), answer(rows[0]["gold_sql"].replace(" ", "  ", 1)), wrong(rows[0]), "junk"],
               1: [answer(rows[1]["gold_sql"]), answer(rows[1]["gold_sql"].replace(" ", "  ", 1)), wrong(rows[1]),
                   answer(f"SELECT * FROM ({rows[1]['gold_sql']})")],
               2: [wrong(rows[2])] * 4,
               3: [answer(rows[3]["gold_sql"]), answer(f"SELECT * FROM ({rows[3]['gold_sql']})"),
                   answer(f"SELECT * FROM (SELECT * FROM ({rows[3]['gold_sql']}))"), "junk"]}
    fake_samples(monkeypatch, lambda i, t: answers[i])
    stage = StageSpec(name="rft", kind="rft", sample={"k": 4, "max_per_prompt": 2}, args={**FAST, "max_steps": 2})
    r = recipe(stage)
    data = methods.rft_dataset(SQL, r, stage, tiny, pool, str(tmp_path / "rft"))
    judge = methods.verifier(SQL, r)
    texts = [row["completion"][0]["content"] for row in data]
    assert all(judge(row, row["completion"][0]["content"]) for row in data)
    per_prompt = [sum(row["prompt"] == rows[i]["prompt"] for row in data) for i in range(4)]
    assert per_prompt == [1, 2, 0, 2] and len(set(" ".join(t.split()) for t in texts)) == len(texts)
    info = json.loads((tmp_path / "rft" / "rft.json").read_text())
    assert info["solved"] == 3 and info["rows"] == 5
    out = run_stage(SQL, r, stage, tiny, pool, str(tmp_path / "rft"))  # real SFT steps on the kept rows
    assert json.load(open(os.path.join(out, "stage.json")))["global_step"] == 2


def test_rft_gold_fill_and_hint_for_unsolved_prompts(tiny, pool, monkeypatch, tmp_path):
    rows = pool.to_list()

    def by_prompt(i, text):  # right only when the prompt carries the gold answer as a hint
        return [answer(rows[i]["gold_sql"])] * 2 if "A correct final answer is" in text else [wrong(rows[i])] * 2

    seen = fake_samples(monkeypatch, by_prompt)
    hint = StageSpec(name="rft", kind="rft", sample={"k": 2, "gold": "hint"}, args={**FAST, "max_steps": 1})
    data = methods.rft_dataset(SQL, recipe(hint), hint, tiny, pool, str(tmp_path / "a"))
    assert len(data) == 4 and all(rows[i]["gold_sql"] in seen[1][i] for i in range(4))  # hinted second draw
    assert all("A correct final answer" not in row["prompt"][-1]["content"] for row in data)  # trained without it
    fill = StageSpec(name="rft", kind="rft", sample={"k": 2, "gold": "fill", "pass_rate": [0, 0.5]})
    data = methods.rft_dataset(SQL, recipe(fill), fill, tiny, pool, str(tmp_path / "b"))
    assert [row["completion"] for row in data] == [row["completion"] for row in rows]  # Metis-RISE: the gold
    none = StageSpec(name="rft", kind="rft", sample={"k": 2})
    with pytest.raises(FoundryError, match="no verified sample"):
        methods.rft_dataset(SQL, recipe(none), none, tiny, pool, str(tmp_path / "c"))


def test_self_dpo_pairs_are_verified_over_unverified_and_thinkpo_prefers_longer(tiny, pool, monkeypatch, tmp_path):
    rows = pool.to_list()
    long_right = [answer(f"SELECT * FROM ({r['gold_sql']})").replace("tables: t", "tables: t; a longer thought")
                  for r in rows]
    answers = {0: [answer(rows[0]["gold_sql"]), wrong(rows[0]), "junk", long_right[0]],
               1: [wrong(rows[1])] * 4,  # no verified sample: no pair
               2: [answer(rows[2]["gold_sql"])] * 4,  # no unverified sample: no verified pair; one distinct: no ThinkPO pair
               3: [answer(rows[3]["gold_sql"]), long_right[3], wrong(rows[3]), wrong(rows[3])]}
    fake_samples(monkeypatch, lambda i, t: answers[i])
    stage = StageSpec(name="self-dpo", kind="self-dpo", sample={"k": 4, "max_pairs": 2},
                      args={**FAST, "max_steps": 2, "beta": 0.1})
    r = recipe(stage)
    judge = methods.verifier(SQL, r)
    data = methods.self_dpo_dataset(SQL, r, stage, tiny, pool, str(tmp_path / "d"))
    assert len(data) == 3  # prompt 0: two pairs; prompt 3: one (one distinct wrong answer)
    for row in data:
        assert judge(row, row["chosen"][0]["content"]) and not judge(row, row["rejected"][0]["content"])
    think = StageSpec(name="self-dpo", kind="self-dpo", sample={"k": 4, "pairs": "longer"})
    data = methods.self_dpo_dataset(SQL, r, think, tiny, pool, str(tmp_path / "e"))
    assert len(data) == 2
    for row in data:
        c, rej = row["chosen"][0]["content"], row["rejected"][0]["content"]
        assert judge(row, c) and judge(row, rej) and len(c) > len(rej)
    out = run_stage(SQL, r, stage, tiny, pool, str(tmp_path / "d"))  # real DPO steps (samples cached)
    assert json.load(open(os.path.join(out, "stage.json")))["kind"] == "dpo"


def test_difficulty_window_curriculum_loss_and_kl_schedule(tiny, sql_data, monkeypatch, tmp_path):
    data = sql_data["train"].select(range(5))
    rows = data.to_list()
    right = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4}  # prompt i: i of 4 samples right -> pass rates 0, .25, .5, .75, 1
    calls = fake_samples(monkeypatch, lambda i, t: [answer(rows[i]["gold_sql"])] * right[i] + [wrong(rows[i])] * (4 - right[i]))
    stage = StageSpec(name="grpo", kind="grpo", rewards="arctic", loss="gspo", kl={"start": 0.1, "end": 0.0},
                      filter={"k": 4, "pass_rate": [0.2, 0.8], "curriculum": True},
                      args={"per_device_train_batch_size": 4, "num_generations": 4, "max_completion_length": 16,
                            "max_steps": 3, "logging_steps": 1, "save_steps": 1000, "learning_rate": 1e-4})
    r = recipe(stage)
    kept = grpo.select_prompts(SQL, stage, tiny, data, str(tmp_path / "g"), r)
    assert kept["gold_sql"] == [rows[3]["gold_sql"], rows[2]["gold_sql"], rows[1]["gold_sql"]]  # easy -> hard
    info = json.loads((tmp_path / "g" / "filter.json").read_text())
    assert info["pass_rate_kept"] == [0.75, 0.5, 0.25]
    args = grpo.grpo_args(stage)
    assert args == {"loss_type": "grpo", "importance_sampling_level": "sequence", "beta": 0.1, "shuffle_dataset": False}
    monkeypatch.undo()  # real generation inside GRPO
    out = run_stage(SQL, r, stage, tiny, data, str(tmp_path / "g"))
    assert len(calls) == 1  # the filter's samples were reused from its cache
    betas = [x["kl_beta"] for x in json.load(open(os.path.join(out, "log_history.json"))) if "kl_beta" in x]
    assert len(betas) == 3 and betas[0] == pytest.approx(0.1) and betas[0] > betas[1] > betas[2] > 0
    saved = torch.load(os.path.join(out, "training_args.bin"), weights_only=False)
    assert saved.importance_sampling_level == "sequence" and saved.shuffle_dataset is False


def test_schedule_values():
    s = KLSchedule(None, 0.04, 0.0, "cosine")
    assert s.value(0, 10) == pytest.approx(0.04) and s.value(5, 10) == pytest.approx(0.02) and 0 < s.value(10, 10) < 1e-9
    assert KLSchedule(None, 0.0, 0.1).value(5, 10) == pytest.approx(0.05)


def _w(path):
    return load_file(os.path.join(path, "model.safetensors"))


def test_merge_task_vector_linear_and_ties(tiny, tmp_path):
    a = _w(tiny)
    b_dir = str(tmp_path / "b")
    merge("task_vector", b_dir, base=tiny, source=tiny, to=tiny, scale=0.0)  # a copy of the tiny model...
    from safetensors.torch import save_file

    gen = torch.Generator().manual_seed(0)
    b = {k: (v + 0.01 * torch.randn(v.shape, generator=gen)).to(v.dtype) for k, v in a.items()}
    save_file(b, os.path.join(b_dir, "model.safetensors"), metadata={"format": "pt"})  # ...moved: model B
    zero = _w(merge("task_vector", str(tmp_path / "s0"), base=tiny, source=tiny, to=b_dir, scale=0.0))
    one = _w(merge("task_vector", str(tmp_path / "s1"), base=tiny, source=tiny, to=b_dir, scale=1.0))
    half = _w(merge("linear", str(tmp_path / "lin"), models=[tiny, b_dir], weights=[1, 1]))
    ties = _w(merge("ties", str(tmp_path / "ties"), base=tiny, models=[b_dir], weights=[1.0], density=1.0))
    for k in a:
        assert torch.equal(zero[k], a[k])
        assert torch.allclose(one[k], b[k], atol=1e-6) and torch.allclose(ties[k], b[k], atol=1e-6)
        assert torch.allclose(half[k], (a[k] + b[k]) / 2, atol=1e-6)
    from r1_foundry.core.modeling.models import load_for_generation

    model, tok = load_for_generation(str(tmp_path / "s1"))  # a loadable model folder
    assert sum(p.numel() for p in model.parameters()) > 0 and tok is not None
    with pytest.raises(FoundryError, match="needs base, from and to"):
        merge("task_vector", str(tmp_path / "x"), base=tiny, to=b_dir)
    with pytest.raises(FoundryError, match="no model.safetensors"):
        merge("linear", str(tmp_path / "x"), models=[tiny, str(tmp_path)])


def test_merge_stage_in_a_pipeline_run_folder(tiny, tmp_path):
    run = tmp_path / "run"
    merge("task_vector", str(run / "sft"), base=tiny, source=tiny, to=tiny)
    stage = StageSpec(name="x2", kind="merge", merge={"method": "task_vector", "base": "sft", "from": "sft",
                                                       "to": "previous", "scale": 2.0})
    out = run_stage(SQL, recipe(stage), stage, str(run / "sft"), None, str(run / "x2"))
    assert json.load(open(os.path.join(out, "stage.json")))["kind"] == "merge"
    assert all(torch.equal(v, _w(tiny)[k]) for k, v in _w(out).items())  # vector from sft to itself: zero


def test_length_shaping_rewards(shop_db):
    from r1_foundry.core.rewards.compose import build_rewards

    funcs, _ = build_rewards(SQL, [{"name": "length/overlong", "max_len": 10, "cache": 4}])
    over = funcs[0]
    ids = [[0] * 5, [0] * 8, [0] * 12]
    assert over(completions=["a", "b", "c"], completion_ids=ids) == [0.0, -0.5, -1.0]  # DAPO Eq. 13
    assert over(completions=["w " * 8]) == [-0.5]  # words when no token ids are given
    funcs, _ = build_rewards(SQL, [{"name": "length/cosine", "of": "sql/execution", "max_len": 20}])
    # wrong answers on a real database (a row without one is a broken dataset: an error, never a 0, since issue 30)
    vals = funcs[0](completions=["junk", "junk " * 30, "", "\x00" * 9], gold_sql=["SELECT 1"] * 4, db_path=[shop_db] * 4)
    assert vals[0] < vals[1] == -0.5 and all(math.isfinite(v) and -1 <= v <= 1 for v in vals)  # wrong: longer less bad


def test_length_cosine_right_answers(shop_db):
    from r1_foundry.core.rewards.compose import build_rewards

    funcs, _ = build_rewards(SQL, [{"name": "length/cosine", "of": "sql/execution", "max_len": 200}])
    gold = "SELECT name FROM customers"
    cols = {"gold_sql": [gold] * 2, "db_path": [shop_db] * 2}
    short, long = funcs[0](completions=[answer(gold), answer(gold) + " x" * 150], **cols)
    assert 1.0 >= short > long >= 0.5
    # listed beside its inner reward, the cosine reward shares that instance: each query runs once
    funcs, _ = build_rewards(SQL, [{"name": "sql/execution"},
                                   {"name": "length/cosine", "of": "sql/execution", "max_len": 200}])
    execution, cos = funcs
    assert cos.inner is execution
    calls = []
    real = execution.score
    execution.score = lambda text, ex: calls.append(text) or real(text, ex)
    batch = [answer(gold), answer("SELECT 1") + " x" * 150]
    right, wrong = cos(completions=batch, **cols)
    assert right == pytest.approx(short) and -1.0 <= wrong < -0.5
    assert execution(completions=batch, **cols) == [1.0, 0.0] and len(calls) == 2
    assert execution(completions=batch[::-1], **cols) == [0.0, 1.0] and len(calls) == 4  # a new batch is scored


@pytest.mark.parametrize("spec, match", [
    ({"kind": "sft", "sample": {"k": 2}}, "applies to rft and self-dpo"),
    ({"kind": "rft", "sample": {"k": 2, "max_per_promt": 1}}, "unknown key"),
    ({"kind": "rft", "sample": {"pass_rate": [0.8, 0.2]}}, "pass_rate must be"),
    ({"kind": "self-dpo", "sample": {"gold": "hint"}}, "gold must be none, fill"),
    ({"kind": "self-dpo", "sample": {"pairs": "shorter"}}, "pairs must be"),
    ({"kind": "grpo", "rewards": "arctic", "loss": "ppo"}, "loss 'ppo'"),
    ({"kind": "grpo", "rewards": "arctic", "kl": {"start": 0, "end": 0}}, "not both 0"),
    ({"kind": "grpo", "rewards": "arctic", "filter": {"curriculum": "yes"}}, "curriculum must be"),
    ({"kind": "merge", "merge": {"method": "soup"}}, "merge.method"),
    ({"kind": "merge", "merge": {"method": "task_vector", "to": "grpo"}}, "needs from"),
    ({"kind": "merge", "merge": {"method": "linear", "models": ["a", "b"]}, "args": {"max_steps": 1}}, "takes no args"),
])
def test_stage_options_are_validated(spec, match):
    with pytest.raises(FoundryError, match=match):
        StageSpec(name="s", **spec)


def test_recipe_merge_inputs_must_be_earlier_stages(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("domain: sql\nstages:\n  - {name: sft, kind: sft}\n"
                    "  - {name: m, kind: merge, merge: {method: task_vector, from: sft, to: grpo}}\n")
    with pytest.raises(FoundryError, match="merge input 'grpo' is not an earlier stage"):
        load_recipe(str(path))
    path.write_text("domain: sql\nstages:\n  - {name: sft, kind: sft}\n  - {name: g, kind: grpo, rewards: arctic}\n"
                    "  - {name: m, kind: merge, merge: {method: task_vector, from: sft, to: g, scale: 1.5}}\n")
    assert load_recipe(str(path)).stages[2].merge["scale"] == 1.5


def test_distinct_and_layout_helpers():
    assert methods._distinct(["a  b", "a b", "", "c"]) == ["a  b", "c"]
    assert methods._as_completion("x", [{"role": "user", "content": "q"}]) == [{"role": "assistant", "content": "x"}]
    assert methods._as_completion("x", "q") == "x"
