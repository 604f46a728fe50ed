"""r1_foundry.core.answers.text: completion text, answer block, layout, numbers, tolerance."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from r1_foundry.core.answers.text import answer_block, completion_text, layout_score, parse_number, within


def test_completion_text_and_answer_block():
    assert completion_text([{"role": "assistant", "content": "a"}, {"content": "b"}, "junk"]) == "ab"
    assert completion_text({"content": 3}) == "" and completion_text(None) == ""
    assert answer_block("<think>x <answer>A</answer></think><answer> B </answer>") == "B"  # the last block
    assert answer_block("<ANSWER>c</ANSWER>") == "c" and answer_block("none") is None


def test_layout_score():
    assert layout_score("<think>r</think>\n<answer>a</answer>") == 1.0
    assert layout_score("<answer>a</answer>") == 0.5
    assert layout_score("<think>r</think><answer>a</answer><answer>b</answer>") == 0.5
    assert layout_score("a") == 0.0


@pytest.mark.parametrize("text,value", [
    ("24.2", 24.2), ("24.2 kg/m2", 24.2), ("1,250 mg", 1250.0), ("= 98 mmHg", 98.0), ("-3.5", -3.5),
    ("HCO3 is 24", 24.0), ("2.3e1", 23.0), (".5", 0.5), ("24 or 25", None), ("about", None), ("inf", None),
    ("1e999", None), (None, None),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_within():
    assert within(104.9, 100, 0.05) and not within(105.1, 100, 0.05)
    assert within(12, 12, 0) and not within(12.5, 12, 0) and not within(None, 1, 0.1)


@given(st.text(max_size=300))
def test_never_raises(text):
    parse_number(text)
    answer_block(text)
    layout_score(text)


@pytest.mark.parametrize("domain, example, bare", [
    ("medical", {"task": "ynm", "answer": "yes"}, "yes"),
    ("medical", {"task": "mcq", "answer": "B", "options": '{"A": "a", "B": "b", "C": "c", "D": "d"}'}, "B"),
    ("finance", {"task": "mcq", "answer": "B", "options": '{"A": "a", "B": "b", "C": "c", "D": "d"}'}, "B"),
    ("legal", {"task": "classify", "answer": "Yes", "answer_type": "label"}, "Yes"),
    ("chem", {"task": "text2mol", "answer": "CCO"}, "CCO"),
])
def test_one_answer_rule_in_every_domain(domain, example, bare):
    """Issue 27: a bare answer ("B", "yes") scored 0 in medical (1,000 of 1,000 PubMedQA plain generations were
    no_answer) but was read in safety and legal. Every verifier now reads the final answer by core's read_answer;
    reasoning alone is never an answer."""
    import importlib

    verify = importlib.import_module(f"r1_foundry.domains.{domain}.verify")
    assert verify.check(bare, example).correct
    assert verify.check(f"<think>t</think><answer>{bare}</answer>", example).correct
    assert not verify.check(f"<think>{bare}</think>", example).correct
