"""Rewards: hand-checked values, None where a reward does not apply, and fuzzing (finite, in range, never raises)."""

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from r1_foundry.core.rewards.compose import build_rewards, score
from r1_foundry.core.schema.domain import get_domain
from r1_foundry.domains.chem import rewards as R

EXAMPLES = [
    {"task": "text2mol", "answer": "OC(=O)c1ccccc1", "constraints": json.dumps({"formula": "C7H6O2"}), "tolerance": 0.0},
    {"task": "canonical", "answer": "CCO", "constraints": "", "tolerance": 0.0},
    {"task": "design", "answer": "CCCCCO", "constraints": json.dumps({"formula": "C5H12O", "groups": ["alcohol"]}),
     "tolerance": 0.0},
    {"task": "mw", "answer": "122.12", "constraints": "", "tolerance": 1.0},
    {"task": "formula", "answer": "C7H6O2", "constraints": "", "tolerance": 0.0},
    {"task": "group", "answer": "no", "constraints": "", "tolerance": 0.0},
    {"task": "caption", "answer": "An acyclic molecule with formula C2H6O, with alcohol.", "constraints": "",
     "tolerance": 0.0},
]


def call(fn, texts, examples):
    cols = {k: [e[k] for e in examples] for k in examples[0]}
    return fn(prompts=[""] * len(texts), completions=[[{"role": "assistant", "content": t}] for t in texts], **cols)


def a(x):
    return f"<think>r</think><answer>{x}</answer>"


def all_rewards():
    return [(name, get_domain("chem").reward_registry().get(name)()) for name in R.RANGES]


def test_hand_values():
    t2m = [EXAMPLES[0]] * 4
    texts = [a("O=C(O)c1ccccc1"), a("Oc1ccccc1"), a("C1CC"), "no answer"]
    assert call(R.exact(), texts, t2m) == [1.0, 0.0, 0.0, 0.0]
    assert call(R.validity(), texts, t2m) == [1.0, 1.0, 0.0, 0.0]
    mr = call(R.molreasoner(), texts, t2m)
    assert mr[0] == 2.0 and 0.5 < mr[1] < 2.0 and mr[2] == 0.0 and mr[3] == 0.0
    assert call(R.formula(), texts, t2m) == [1.0, 0.0, 0.0, 0.0]
    assert call(R.constraint(), texts, t2m) == [1.0, 0.0, 0.0, 0.0]
    assert call(R.format_reward(), texts, t2m) == [1.0, 1.0, 1.0, 0.0]
    e0 = R.ether0()
    assert call(e0, texts, t2m) == [1.0, 0.0, 0.0, 0.0]
    # the untagged completion is read as its answer (core's one rule): several tokens, not a SMILES
    assert e0.last_reasons == ["correct", "wrong_molecule", "invalid_smiles:unparsable", "invalid_smiles:several_tokens"]
    design = [EXAMPLES[2]] * 3
    assert call(R.constraint(), [a("CCCCCO"), a("CCCCOC"), a("CCCO")], design) == [1.0, 0.5, 0.5]
    assert call(R.property_reward(), [a("122.9"), a("124"), a("x")], [EXAMPLES[3]] * 3) == [1.0, 0.0, 0.0]
    assert call(R.validity(max_fragments=1), [a("CCO.CC"), a("CCO")], [EXAMPLES[1]] * 2) == [0.0, 1.0]
    assert call(R.exact(largest_fragment=True), [a("OCC.[Na+]")], [EXAMPLES[1]]) == [1.0]
    assert call(R.exact(by="inchikey"), [a("C(O)C")], [EXAMPLES[1]]) == [1.0]


def test_rewards_that_do_not_apply_return_none():
    texts = [a("x")] * len(EXAMPLES)
    by_task = dict(zip([e["task"] for e in EXAMPLES], call(R.exact(), texts, EXAMPLES), strict=True))
    assert by_task["mw"] is None and by_task["caption"] is None and by_task["text2mol"] == 0.0
    formula = call(R.formula(), texts, EXAMPLES)
    assert formula[0] == 0.0 and formula[2] == 0.0 and formula[4] == 0.0 and formula[1] is None and formula[3] is None
    assert None not in call(R.ether0(), texts, EXAMPLES) and None not in call(R.format_reward(), texts, EXAMPLES)


def test_presets_build_and_score_through_core():
    for preset in get_domain("chem").reward_presets:
        funcs, weights = build_rewards(get_domain("chem"), preset)
        rows = score(funcs, weights, [""] * 2, [a("OCC"), a("C")], {
            k: [EXAMPLES[1][k]] * 2 for k in EXAMPLES[1]})
        assert rows[0]["total"] > rows[1]["total"]
    funcs, weights = build_rewards(get_domain("chem"), "ether0")
    rows = score(funcs, weights, [""], [a("CCN")], {k: [EXAMPLES[1][k]] for k in EXAMPLES[1]})
    assert rows[0]["chem/ether0/reason"] == "wrong_molecule"


def test_bad_parameters_are_clear():
    from r1_foundry.core.util.errors import FoundryError

    with pytest.raises(FoundryError, match="fp"):
        R.tanimoto(fp="ecfp")
    with pytest.raises(FoundryError, match="by"):
        R.exact(by="name")
    with pytest.raises(FoundryError, match="task"):
        R.exact()(completions=["x"], answer=["C"])  # no 'task' column


HOSTILE = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="CNOSPFIcnos()[]=#@+-123456789%.<>/answerthink ", max_size=200),
    st.sampled_from(["C" * 500, "C1" * 100, "(" * 200, "[" * 50, "\x00", "nan", "inf", "1e999", "-0"]),
).map(lambda s: s if s.startswith("<") else f"<think>x</think><answer>{s}</answer>")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(HOSTILE, min_size=1, max_size=4), which=st.integers(0, len(EXAMPLES) - 1))
def test_fuzz_every_reward_finite_in_range(texts, which):
    examples = [EXAMPLES[which]] * len(texts)
    for name, fn in all_rewards():
        low, high = R.RANGES[name]
        for value in call(fn, texts, examples):
            assert value is None or (math.isfinite(value) and low <= value <= high), (name, value)


def test_variance_filter_keeps_prompts_with_a_reward_spread(tmp_path, monkeypatch):
    """core.pipeline.variance_filter with chem rewards: groups whose answers all score alike go."""
    from datasets import Dataset

    from r1_foundry.core.modeling import generation as generation_mod
    from r1_foundry.core.modeling import models as models_mod
    from r1_foundry.core.schema.recipe import StageSpec
    from r1_foundry.core.stages.grpo import select_prompts as variance_filter

    data = Dataset.from_list([{"prompt": [{"role": "user", "content": f"q{i}"}], **EXAMPLES[1]} for i in range(3)])
    answers = [[a("OCC"), a("CCN")],      # one right, one wrong: kept
               [a("CCO"), a("OCC")],      # all right: dropped
               [a("C1CC"), a("C1CC")]]    # all wrong: dropped
    monkeypatch.setattr(models_mod, "load_model", lambda path, **kw: (object(), None, None))
    monkeypatch.setattr(generation_mod, "generate_hf", lambda model, tok, prompts, **kw: answers[:len(prompts)])
    stage = StageSpec(name="grpo", kind="grpo", rewards="ether0", filter={"k": 2})
    kept = variance_filter(get_domain("chem"), stage, "m", data, str(tmp_path))
    assert kept["prompt"] == [data[0]["prompt"]]
    info = json.loads((tmp_path / "filter.json").read_text())
    assert info["kept"] == [0] and info["prompts"] == 3 and info["kept_fraction"] == pytest.approx(1 / 3)
    answers[:] = []  # a second call (resume) reads filter.json and generates nothing
    assert len(variance_filter(get_domain("chem"), stage, "m", data, str(tmp_path))) == 1


def test_filter_is_validated():
    from r1_foundry.core.schema.recipe import StageSpec
    from r1_foundry.core.util.errors import FoundryError

    with pytest.raises(FoundryError, match="grpo stages only"):
        StageSpec(name="sft", kind="sft", filter={"k": 4})
    with pytest.raises(FoundryError, match="k must be"):
        StageSpec(name="g", kind="grpo", rewards="ether0", filter={"k": 1})
    with pytest.raises(FoundryError, match="unknown key\(s\) \['n'\]"):
        StageSpec(name="g", kind="grpo", rewards="ether0", filter={"n": 4})
