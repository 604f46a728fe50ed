"""Medical rewards: AlphaMed's MCQ rule (answer block only, two options wrong), list rewards and
their presets' properties, ynm / calc / format, None where a reward does not apply, fuzzing."""

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from r1_foundry.core.rewards.compose import build_rewards, score
from r1_foundry.core.schema.domain import get_domain
from r1_foundry.domains.medical import rewards
from r1_foundry.domains.medical.rewards import RANGES

OPTS = json.dumps({"A": "gout", "B": "septic arthritis", "C": "osteoarthritis", "D": "rheumatoid arthritis"})
MCQ = {"task": "mcq", "answer": "B", "options": OPTS}
RANKED = {"task": "ranked", "answer": "acute myocardial infarction", "k": 3,
          "acceptable": json.dumps(["acute myocardial infarction", "stable angina", "acute pericarditis"])}
YNM = {"task": "ynm", "answer": "maybe"}
CALC = {"task": "calc", "answer": "22.9", "tolerance": 0.05}
EXAMPLES = [MCQ, RANKED, YNM, CALC]


def call(reward, texts, ex):
    cols = {k: [v] * len(texts) for k, v in ex.items()}
    return reward(prompts=[None] * len(texts), completions=texts, **cols)


def test_mcq_reads_the_answer_block_only_and_one_option():
    r = rewards.mcq()
    texts = ["<think>A? no, B</think><answer>B</answer>", "<think>it is B</think><answer>A</answer>",
             "<answer>B or D</answer>", "B", "<answer>septic arthritis</answer>", "<answer>The answer is (B).</answer>",
             "<answer>B</answer><answer>C</answer>"]
    # a bare "B" is read as B (core.answers.read_answer, one rule in every domain); the format reward scores the layout
    assert call(r, texts, MCQ) == [1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0]


def test_rewards_return_none_where_they_do_not_apply():
    for name in RANGES:
        f = get_domain("medical").reward_registry().get(name)()
        out = [call(f, ["<answer>B</answer>"], ex)[0] for ex in EXAMPLES]
        applies = {"medical/mcq": [0], "medical/ynm": [2], "medical/calc": [3], "medical/format": [0, 1, 2, 3],
                   "medical/correct": [0, 1, 2, 3]}.get(name, [1])
        assert [i for i, v in enumerate(out) if v is not None] == applies, name


def test_list_rewards_by_hand():
    good = "<think>x</think><answer>1. MI\n2. stable angina\n3. pericarditis</answer>"
    lower = "<answer>1. angina\n2. heart attack</answer>"
    padded = "<answer>1. MI\n2. angina\n3. pericarditis\n4. gout\n5. migraine\n6. asthma</answer>"
    texts = [good, lower, padded, "<answer></answer>", "no list"]
    assert call(rewards.hit(), texts, RANKED) == [1.0, 1.0, 1.0, 0.0, 0.0]
    assert call(rewards.hit(k=1), texts, RANKED) == [1.0, 0.0, 1.0, 0.0, 0.0]
    assert call(rewards.rr(), texts, RANKED) == [1.0, 1.0, 1.0, 0.0, 0.0]
    assert call(rewards.recall(), texts, RANKED) == pytest.approx([1.0, 2 / 3, 1.0, 0.0, 0.0])
    assert call(rewards.list_penalty(), texts, RANKED) == [0.0, 0.0, -1.0, 0.0, 0.0]
    assert call(rewards.list_format(), texts, RANKED) == [1.0, 1.0, 0.0, 0.0, 0.0]
    r = call(rewards.ranked(), texts, RANKED)
    assert r[0] == pytest.approx(1.0) and r[1] == pytest.approx(0.5 / 2 + 0.3 + 0.2 * 2 / 3)
    assert r[2] == pytest.approx(0.0) and r[3] == 0.0  # padding past k cancels a perfect list


def test_ynm_calc_format():
    assert call(rewards.ynm(), ["<answer>Maybe.</answer>", "<answer>yes</answer>", "<answer>maybe not</answer>"],
                YNM) == [1.0, 0.0, 0.0]
    assert call(rewards.calc(), ["<answer>22.86 kg/m2</answer>", "<answer>24.1</answer>", "<answer>22 or 23</answer>",
                                 "<answer>2.3e1</answer>"], CALC) == [1.0, 0.0, 0.0, 1.0]
    assert call(rewards.format_reward(), ["<think>a</think><answer>b</answer>", "<answer>b</answer>", "b"],
                YNM) == [1.0, 0.5, 0.0]


def test_correct_records_reason_codes():
    r = rewards.correct()
    call(r, ["<answer>A</answer>", "<answer>B, C</answer>", "x", "<think>only reasoning</think>"], MCQ)
    assert r.last_reasons == ["wrong_option", "multiple", "no_option", "no_answer"]  # "x" is read, names no option


STRUCTURED = st.builds(
    lambda items, pref: "<answer>" + "\n".join(f"{i}. {x}" for i, x in enumerate(items, 1)) + "</answer>",
    st.lists(st.sampled_from(["MI", "angina", "pericarditis", "gout", "asthma", "heart attack", "x"]), max_size=8),
    st.none())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(max_size=200), STRUCTURED,
                      st.builds(lambda t: f"<think>{t}</think><answer>{t}</answer>", st.text(max_size=80))))
def test_every_reward_on_any_text_is_none_or_finite_in_range(text):
    for name, (lo, hi) in RANGES.items():
        f = get_domain("medical").reward_registry().get(name)()
        for ex in EXAMPLES:
            v = call(f, [text], ex)[0]
            assert v is None or (math.isfinite(v) and lo <= v <= hi), (name, ex["task"], text, v)


def _total(preset, text):
    funcs, weights = build_rewards(get_domain("medical"), preset)
    cols = {k: [v] for k, v in RANKED.items()}
    return score(funcs, weights, [None], [text], cols)[0]["total"]


def _lst(items):
    return "<answer>" + "\n".join(f"{i}. {x}" for i, x in enumerate(items, 1)) + "</answer>"


CORRECT = ["acute myocardial infarction", "stable angina", "acute pericarditis"]


@settings(max_examples=80, deadline=None)
@given(pad=st.lists(st.sampled_from(["gout", "asthma", "MI", "stable angina", "migraine", "sepsis"]), min_size=1,
                    max_size=5), where=st.integers(0, 3), preset=st.sampled_from(["ranked", "mixed"]))
def test_preset_totals_padding_never_beats_the_short_correct_list(pad, where, preset):
    best = _total(preset, _lst(CORRECT))
    assert _total(preset, _lst(CORRECT[:where] + pad + CORRECT[where:])) <= best + 1e-9
    assert _total(preset, _lst(CORRECT + pad)) < best  # past k = 3, or a repeat: strictly worse


@settings(max_examples=80, deadline=None)
@given(others=st.lists(st.sampled_from(["gout", "asthma", "stable angina", "acute pericarditis", "sepsis"]),
                       max_size=5), data=st.data(), preset=st.sampled_from(["ranked", "mixed"]))
def test_preset_totals_demoting_the_preferred_answer_never_raises(others, data, preset):
    i = data.draw(st.integers(0, len(others)))
    j = data.draw(st.integers(i, len(others)))
    up = others[:i] + ["MI"] + others[i:]
    down = others[:j] + ["MI"] + others[j:]
    assert _total(preset, _lst(down)) <= _total(preset, _lst(up)) + 1e-9


def test_factory_parameters_are_checked():
    from r1_foundry.core.util.errors import FoundryError

    with pytest.raises(FoundryError, match="k must be a positive integer"):
        rewards.hit(k=0)
