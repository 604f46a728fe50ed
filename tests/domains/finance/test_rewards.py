"""Finance rewards: values by hand, None where they do not apply, fuzzing, and the property that
no wrong answer outscores a right one under any preset."""

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from r1_foundry.core.rewards.compose import build_rewards, score
from r1_foundry.core.schema.domain import get_domain
from r1_foundry.domains.finance import rewards
from r1_foundry.domains.finance.rewards import RANGES

TABLE = json.dumps([["", "2023", "2022"], ["revenue", "$ 1,200", "1,000"], ["net income", "120", "-36 ( 36 )"]])
PROG = {"task": "program", "answer": "0.2", "program": "subtract(1200, 1000), divide(#0, 1000)", "table": TABLE,
        "question": "what was the percentage change in revenue?", "scale": "million", "tolerance": 0.01}
MCQ = {"task": "mcq", "answer": "C", "options": json.dumps({"A": "(Up, Left)", "B": "(Down, Right)", "C": "none",
                                                             "D": "(Up, Right)"}),
       "working": json.dumps(["BR1(Left)=Down", "BR1(Right)=Up", "BR2(Up)=Right", "BR2(Down)=Left"])}
EXAMPLES = [PROG, MCQ]


def call(reward, texts, ex):
    return reward(prompts=[None] * len(texts), completions=texts, **{k: [v] * len(texts) for k, v in ex.items()})


def test_numeric_and_program_by_hand():
    texts = ["<think>p</think><answer>subtract(1200, 1000), divide(#0, 1000)</answer>", "<answer>20%</answer>",
             "<answer>0.2</answer>", "<answer>divide(1200, 1000)</answer>", "<answer>divide(1, 0)</answer>",
             "<answer>20</answer>", "no answer"]
    assert call(rewards.numeric(), texts, PROG) == [1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0]
    assert call(rewards.program_reward(), texts, PROG) == [1.0, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0]
    assert call(rewards.numeric(), texts[:1], MCQ) == [None]


def test_recon_gate_option_and_partial_working():
    right = "<think>x</think><answer>C</answer>"
    wrong_half = "<think>BR1(Left)=Down; BR2(Up)=Right</think><answer>A</answer>"
    wrong_ungated = "<answer>C</answer>"
    assert call(rewards.recon(), [right, wrong_half, wrong_ungated, "<think>BR1(Left)=Down</think><answer>A</answer>"],
                MCQ) == [1.0, 0.25, 0.0, 0.125]


def test_fin_r1_binary_format():
    assert call(rewards.format_reward(binary=True), ["<answer>1</answer>", "<think>a</think><answer>1</answer>"],
                PROG) == [0.0, 1.0]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(max_size=200), st.builds(lambda t: f"<think>{t}</think><answer>{t}</answer>",
                                                          st.text(max_size=60)),
                      st.builds(lambda a, b: f"<answer>divide({a}, {b})</answer>", st.integers(-5, 5),
                                st.integers(-5, 5))))
def test_every_reward_on_any_text_is_none_or_finite_in_range(text):
    for name, (lo, hi) in RANGES.items():
        f = get_domain("finance").reward_registry().get(name)()
        for ex in EXAMPLES:
            v = call(f, [text], ex)[0]
            assert v is None or (math.isfinite(v) and lo <= v <= hi), (name, text, v)


def _total(preset, text, ex):
    funcs, weights = build_rewards(get_domain("finance"), preset)
    return score(funcs, weights, [None], [text], {k: [v] for k, v in ex.items()})[0]["total"]


RIGHT = {id(PROG): ["<think>p</think><answer>subtract(1200, 1000), divide(#0, 1000)</answer>",
                    "<think>p</think><answer>0.2</answer>", "<think>p</think><answer>20%</answer>",
                    "<think>p</think><answer>divide(200, 1000)</answer>"],
         id(MCQ): ["<think>p</think><answer>C</answer>", "<think>p</think><answer>(C)</answer>"]}
WRONG_PARTS = st.sampled_from(["divide(1200, 1000)", "0.3", "A", "B", "subtract(1200, 1000)", "", "C or A",
                               "BR1(Left)=Down; BR1(Right)=Up; BR2(Up)=Right; BR2(Down)=Left", "21%", "greater(1, 2)"])


@settings(max_examples=150, deadline=None)
@given(think=WRONG_PARTS, answer=WRONG_PARTS, preset=st.sampled_from(["finqa", "fin-r1", "recon", "mixed"]),
       which=st.sampled_from([0, 1]))
def test_no_wrong_answer_outscores_a_right_one(think, answer, preset, which):
    from r1_foundry.domains.finance import verify

    ex = EXAMPLES[which]
    wrong = f"<think>{think}</think><answer>{answer}</answer>"
    if verify.check(wrong, ex).correct:
        return
    worst_right = min(_total(preset, r, ex) for r in RIGHT[id(ex)])
    assert _total(preset, wrong, ex) <= worst_right, (preset, wrong)
    assert _total(preset, answer, ex) <= worst_right  # without the layout too
