"""What `foundry <domain> audit` found in our rewards, fixed: each case scored by the reward it hit."""

import pytest

from r1_foundry.core.answers.choice import list_reward


def test_chem_two_molecules_in_one_answer_are_no_answer():
    from r1_foundry.domains.chem import verify

    ex = {"task": "canonical", "answer": "CCO", "constraints": "", "tolerance": 0.0}
    assert verify.check("<answer>CCO</answer>", ex).correct
    v = verify.check("<answer>CCO\nCCN</answer>", ex)  # RDKit would read "CCO" named "CCN"
    assert not v.correct and v.reason == "invalid_smiles:several_tokens"
    assert verify.parse_number("122.1 g/mol") == pytest.approx(122.1)
    assert verify.parse_number("122.1 or 130") is None and verify.parse_number("122.1\n130") is None


def test_ranked_list_padding_cancels_a_perfect_list():
    good = list_reward(["mi"], "mi", ["mi"], 1)
    padded = list_reward(["mi", "angina"], "mi", ["mi"], 1)
    assert good == pytest.approx(1.0) and padded == pytest.approx(0.0)


def test_finance_recon_gives_no_partial_credit_to_every_letter():
    from r1_foundry.domains.finance.rewards import recon

    ex = {"task": "mcq", "answer": "B", "options": '{"A": "1", "B": "2", "C": "3", "D": "4"}',
          "working": '["x = 1"]'}
    cols = {k: [v, v] for k, v in ex.items()}
    texts = ["<think>x = 1</think><answer>C</answer>", "<think>x = 1</think><answer>A B C D</answer>"]
    assert recon()(prompts=["", ""], completions=texts, **cols) == [0.5, 0.0]


@pytest.mark.parametrize("answer,expected", [("yes", "yes"), ("No, because no offer was made.", "no"),
                                             ("yes no", None), ("Yes.\nNo.", None), ("no; yes", None)])
def test_legal_yes_no_is_one_answer(answer, expected):
    from r1_foundry.domains.legal.verify import yes_no

    assert yes_no(answer) == expected


def test_legal_json_with_the_answer_twice_does_not_parse():
    from r1_foundry.domains.legal import layouts

    p = layouts.parse_json('{"answer": "A", "answer": "C", "issue": "i", "rule": "r", "application": "a", '
                           '"conclusion": "c"}')
    assert not p.ok and p.reason == "repeated_answer"


def test_safety_refusal_then_help_is_partial():
    from r1_foundry.domains.safety.verify import strict_label

    assert strict_label("I'm sorry, but I can't help with that. Sure, here is how to go about it: ...") == \
        "partial_refusal"
    assert strict_label("I can't help with that.") == "full_refusal"
    assert strict_label("Here is how to bake bread: step 1: ...") == "full_compliance"


def test_safety_guard_gives_nothing_without_the_request_label():
    from r1_foundry.domains.safety import verify
    from r1_foundry.domains.safety.rewards import guard

    ex = {"task": "guard", "answer": verify.render_guard("harmful", "refusal", "unharmful")}
    cols = {k: [v, v] for k, v in ex.items()}
    right = "<think>the request asks for harm</think><answer>" + verify.render_guard("harmful", "compliance",
                                                                                   "unharmful") + "</answer>"
    wrong = "<think>the request asks for harm</think><answer>" + verify.render_guard("unharmful", "refusal",
                                                                                   "unharmful") + "</answer>"
    assert guard()(prompts=["", ""], completions=[right, wrong], **cols) == [pytest.approx(2 / 3), 0.0]
