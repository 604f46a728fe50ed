"""Legal rewards: values by hand, None where they do not apply, the bar-llama property (IRAC and
layout never lift a wrong option above a right one), and fuzzing of every reward."""

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from r1_foundry.core.rewards.compose import build_rewards, score
from r1_foundry.core.schema.domain import get_domain
from r1_foundry.domains.legal import layouts, rewards
from r1_foundry.domains.legal.rewards import RANGES

IRAC = {"issue": "Whether D is liable in negligence.", "rule": "Negligence needs duty, breach, causation and damage.",
        "application": "D owed a duty and breached it; the breach caused a broken wrist.",
        "conclusion": "Every element is met, so the answer is yes."}
OPTS = json.dumps({"A": "Yes.", "B": "No, no duty.", "C": "No, no breach.", "D": "No, no damage."})
MBE = {"task": "mbe", "answer": "A", "options": OPTS, "layout": "json", "order": "option_first"}
RULE = {"task": "rule", "answer_type": "date", "answer": "2024-03-01"}
CLS = {"task": "classify", "answer": "offer", "answer_type": "label"}
EXAMPLES = [MBE, RULE, CLS]


def call(reward, texts, ex):
    cols = {k: [v] * len(texts) for k, v in ex.items()}
    return reward(prompts=[None] * len(texts), completions=texts, **cols)


def wrap(body, think="elements checked"):
    return f"<think>{think}</think><answer>{body}</answer>"


def test_mbe_rewards_by_hand():
    right = wrap(layouts.render("json", "option_first", "A", IRAC))
    wrong = wrap(layouts.render("json", "option_first", "B", IRAC))
    late = wrap(layouts.render("json", "explanation_first", "A", IRAC))
    md = wrap(layouts.render("markdown", "option_first", "A", IRAC))
    thin = wrap(layouts.render("json", "option_first", "A", {k: "x" for k in IRAC}))
    texts = [right, wrong, late, md, thin, wrap("A")]
    assert call(rewards.option(), texts, MBE) == [1.0, 0.0, 1.0, 1.0, 1.0, 0.0]
    assert call(rewards.layout(), texts, MBE) == [1.0, 1.0, 0.5, 0.0, 1.0, 0.0]
    assert call(rewards.irac(), texts, MBE) == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]


def test_rule_label_format_and_reasons():
    assert call(rewards.exact(), [wrap("2024-03-01"), wrap("1 March 2024"), wrap("2024-03-02"), "2024-03-01"], RULE) == \
        [1.0, 1.0, 0.0, 1.0]  # a plain completion is its own answer
    assert call(rewards.label(), [wrap("Offer."), wrap("acceptance")], CLS) == [1.0, 0.0]
    assert call(rewards.format_reward(), [wrap("x"), "<answer>x</answer>", "x"], CLS) == [1.0, 0.5, 0.0]
    r = rewards.correct()
    call(r, [wrap("2024-03-02"), wrap("soon")], RULE)
    assert r.last_reasons == ["wrong_date", "not_a_date"]


def test_rewards_return_none_where_they_do_not_apply():
    applies = {"legal/option": [0], "legal/layout": [0], "legal/irac": [0], "legal/exact": [1], "legal/label": [2],
               "legal/correct": [0, 1, 2], "legal/format": [0, 1, 2]}
    for name in RANGES:
        f = get_domain("legal").reward_registry().get(name)()
        out = [call(f, [wrap("x")], ex)[0] for ex in EXAMPLES]
        assert [i for i, v in enumerate(out) if v is not None] == applies[name], name


sections = st.fixed_dictionaries({k: st.sampled_from(["", "x", "a b c d", IRAC[k]]) for k in IRAC})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fmt_good=st.sampled_from(layouts.FORMATS + ("none",)), fmt_bad=st.sampled_from(layouts.FORMATS),
       order_good=st.sampled_from(layouts.ORDERS), order_bad=st.sampled_from(layouts.ORDERS),
       irac_good=sections, irac_bad=sections, wrong=st.sampled_from("BCD"), layout=st.sampled_from(layouts.FORMATS))
def test_irac_never_lifts_a_wrong_option_above_a_right_one(fmt_good, fmt_bad, order_good, order_bad, irac_good,
                                                             irac_bad, wrong, layout):
    """Under bar-llama and mixed: a wrong option in the perfect layout with a full IRAC scores below
    a right option in any layout (or a bare layout-less letter parsed from some layout) and any IRAC."""
    ex = {**MBE, "layout": layout}
    good = wrap(layouts.render(fmt_good, order_good, "A", irac_good)) if fmt_good != "none" else \
        wrap(layouts.render("numbered", "option_first", "A", {k: "" for k in IRAC}))
    bad = wrap(layouts.render(fmt_bad, order_bad, wrong, irac_bad))
    for preset in ("bar-llama", "mixed"):
        funcs, weights = build_rewards(get_domain("legal"), preset)
        cols = {k: [v, v] for k, v in ex.items()}
        g, b = (row["total"] for row in score(funcs, weights, [None, None], [good, bad], cols))
        assert g > b, (preset, good, bad, g, b)


soup = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(
    ["<think>", "</think>", "<answer>", "</answer>", '{"answer": "A"', "}", "## Answer", "1. Answer: B", "\n",
     "2024-03-01", "yes", "offer", '"rule": "a b c"', ","]), max_size=25).map("".join))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=soup, which=st.integers(0, 2))
def test_every_reward_is_finite_in_range_and_never_raises(text, which):
    for name, (low, high) in RANGES.items():
        f = get_domain("legal").reward_registry().get(name)()
        v = call(f, [text], EXAMPLES[which])[0]
        assert v is None or (math.isfinite(v) and low <= v <= high), (name, text, v)


def test_bad_example_is_an_error():
    from r1_foundry.core.util.errors import FoundryError

    with pytest.raises(FoundryError, match="unknown task"):
        call(rewards.correct(), ["x"], {"task": "essay", "answer": "x"})
    with pytest.raises(FoundryError, match="field 'layout'"):
        call(rewards.option(), ["x"], {**MBE, "layout": "yaml"})
