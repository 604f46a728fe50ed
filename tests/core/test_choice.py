"""Core multiple-choice and ranked-list machinery: letter parsing, list parsing, normaliser,
rank metrics, the list reward's properties, letter bias against scipy and by hand."""

import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from r1_foundry.core.answers.choice import (
    Normaliser,
    letter_bias,
    list_reward,
    parse_choice,
    parse_list,
    plot_letter_bias,
    rank_metrics,
)

OPTS = {"A": "aspirin", "B": "Tell the attending", "C": "heparin", "D": "observe"}


@pytest.mark.parametrize("text,letter", [
    ("B", "B"), ("(B)", "B"), ("B.", "B"), ("b", "B"), ("B) Tell the attending", "B"),
    ("B. Tell the attending that he cannot fail to disclose", "B"), ("Answer: C", "C"),
    ("The answer is (D).", "D"), ("option A", "A"), ("The correct answer is B", "B"),
    ("Tell the attending", "B"), ("  heparin ", "C"), ("[C]", "C"),
])
def test_parse_choice_accepts(text, letter):
    assert parse_choice(text, "ABCD", OPTS).letter == letter


@pytest.mark.parametrize("text,reason", [
    ("B or C", "multiple"), ("B, C", "multiple"), ("A/B", "multiple"), ("option A and option C", "multiple"),
    ("B and C", "multiple"), ("", "no_option"), ("I am not sure", "no_option"), ("E", "bad_letter"),
    (None, "no_answer"), ("A patient with heparin", "no_option"),
])
def test_parse_choice_rejects(text, reason):
    c = parse_choice(text, "ABCD", OPTS)
    assert c.letter is None and c.reason == reason, c


def test_parse_choice_same_letter_twice_is_one_option():
    assert parse_choice("B, i.e. option B", "ABCD").letter == "B"


def test_parse_list_numbered_and_fallbacks():
    assert parse_list("1. MI\n2. angina\n3) pericarditis") == (["MI", "angina", "pericarditis"], True)
    assert parse_list("1. MI\n3. angina") == (["MI", "angina"], False)  # numbering skips
    assert parse_list("- MI\n- angina") == (["MI", "angina"], False)     # bullets: read, not well formed
    assert parse_list("MI; angina") == (["MI", "angina"], False)
    assert parse_list("MI\nangina") == (["MI", "angina"], False)
    assert parse_list("") == ([], False) and parse_list(None) == ([], False)
    assert parse_list("1. MI\n2. ") == (["MI"], False)


def test_normaliser_synonyms_case_punctuation_articles():
    n = Normaliser({"MI": "acute myocardial infarction", "heart attack": "acute myocardial infarction"})
    for text in ("MI", "m.i.", "An acute myocardial infarction", "Heart-attack", "ACUTE MYOCARDIAL INFARCTION."):
        assert n.canon(text) == "acute myocardial infarction", text
    assert n.canon("The Gout") == "gout"
    assert n.canon(None) == ""


def test_rank_metrics_by_hand():
    m = rank_metrics(["x", "b", "p", "b"], "p", ["p", "b", "c"], k=3)
    assert m["rank"] == 3 and m["hit@k"] == 1.0 and m["rr"] == 0.5
    assert m["recall@k"] == pytest.approx(2 / 3) and m["extra"] == 1 + 1  # one past k, one repeat
    assert rank_metrics(["x"], "p", ["p"], 5) == {"rank": None, "hit@k": 0.0, "rr": 0.0, "recall@k": 0.0, "extra": 0}


NAMES = st.sampled_from(["p", "a1", "a2", "a3", "w1", "w2", "w3", "w4"])


@settings(max_examples=300, deadline=None)
@given(n_acc=st.integers(0, 3), k=st.integers(1, 6), pad=st.lists(NAMES, min_size=1, max_size=8),
       where=st.integers(0, 8))
def test_padding_or_duplicating_never_beats_the_short_correct_list(n_acc, k, pad, where):
    acceptable = ["p"] + [f"a{i}" for i in range(1, n_acc + 1)]
    short = acceptable[:k]
    best = list_reward(short, "p", acceptable, k)
    padded = short[:where] + pad + short[where:]
    assert list_reward(padded, "p", acceptable, k) <= best + 1e-12
    assert list_reward(short + pad, "p", acceptable, k) <= best + 1e-12
    if len(short + pad) > k or len(set(short + pad)) < len(short + pad):
        assert list_reward(short + pad, "p", acceptable, k) < best  # padding past k or repeating costs


@settings(max_examples=300, deadline=None)
@given(items=st.lists(NAMES, min_size=1, max_size=8), k=st.integers(1, 6), n_acc=st.integers(0, 3),
       data=st.data())
def test_moving_the_preferred_answer_lower_never_raises_the_reward(items, k, n_acc, data):
    acceptable = ["p"] + [f"a{i}" for i in range(1, n_acc + 1)]
    # the preferred answer listed once: moving one copy of a repeated "p" demotes nothing (the
    # list ['p', 'p', 'a1'] is penalised for its in-top-k duplicate, ['p', 'a1', 'p'] less so)
    items = [x for x in items if x != "p"]
    items.insert(data.draw(st.integers(0, len(items))), "p")
    i = items.index("p")
    j = data.draw(st.integers(i, len(items) - 1))
    moved = items[:i] + items[i + 1:]
    moved.insert(j, "p")
    assert list_reward(moved, "p", acceptable, k) <= list_reward(items, "p", acceptable, k) + 1e-12


@settings(max_examples=200, deadline=None)
@given(items=st.lists(st.text(max_size=12), max_size=12), k=st.integers(1, 10))
def test_list_reward_is_in_range(items, k):
    v = list_reward(items, "p", ["p", "q"], k)
    assert math.isfinite(v) and -1.0 <= v <= 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parsers_never_raise(text):
    c = parse_choice(text, "ABCDE", OPTS)
    assert c.letter is None or c.letter in "ABCDE"
    items, ok = parse_list(text)
    assert isinstance(items, list) and isinstance(ok, bool)


def test_letter_bias_matches_scipy_and_hand_computation():
    from scipy.stats import chisquare

    gold = list("AABBCCDD")
    chosen = list("AAAAAAB") + [None]
    bias = letter_bias(chosen, gold, "ABCD")
    assert bias["chosen"] == {"A": 6, "B": 1, "C": 0, "D": 0} and bias["unparsed"] == 1
    # expected 7/4 each: chi2 = sum (o - e)^2 / e
    e = 7 / 4
    hand = sum((o - e) ** 2 / e for o in (6, 1, 0, 0))
    assert bias["chi2"] == pytest.approx(hand)
    assert bias["p_value"] == pytest.approx(chisquare([6, 1, 0, 0], [e] * 4).pvalue)
    assert bias["p_value"] < 0.01
    fair = letter_bias(list("ABCDABCD"), gold, "ABCD")
    assert fair["chi2"] == pytest.approx(0.0) and fair["p_value"] == pytest.approx(1.0)


def test_letter_bias_counts_letters_never_gold_as_bias_and_plots(tmp_path):
    bias = letter_bias(list("AAAE"), list("ABCD"), "ABCDE")
    assert bias["p_value"] < 1e-6
    path = plot_letter_bias(bias, str(tmp_path / "b.png"))
    assert os.path.getsize(path) > 1000
    assert letter_bias([], []) is None


@pytest.mark.parametrize("answer, options, want", [
    # MedQA: the option's text holds "H&E", which is not the two letters H and E
    ("A. Brownish inclusions in the cytoplasm on H&E staining",
     {"A": "Brownish inclusions in the cytoplasm on H&E staining", "B": "Clear vacuoles", "C": "Blue granules",
      "D": "Nothing"}, "A"),
    # MedMCQA: "E. faecalis" is option B's text, not the letter E of a 4-option question
    ("E. faecalis", {"A": "S. aureus", "B": "E. faecalis", "C": "E. coli", "D": "Klebsiella"}, "B"),
    # option texts that differ only by signs, arrows, roman numerals or order
    ("O group and Rh-ve", {"A": "O group and Rh+ve", "B": "O group and Rh-ve", "C": "A group", "D": "AB group"}, "B"),
    ("CD 5+, CD 23-", {"A": "CD 5-, CD 23+", "B": "CD 5+, CD 23-", "C": "none", "D": "both"}, "B"),
    ("<50 degree.", {"A": ">50 degree", "B": "<50 degree", "C": "=50 degree", "D": "90 degree"}, "B"),
    ("a,c,d,b", {"A": "a,b,c,d", "B": "b,a,c,d", "C": "a,c,d,b", "D": "d,c,b,a"}, "C"),
    ("I, II and III", {"A": "I and II", "B": "I and III", "C": "II and III", "D": "I, II and III"}, "D"),
    ("↓ ALP, ↑ calcium", {"A": "↑ ALP, ↓ calcium", "B": "↓ ALP, ↑ calcium", "C": "normal", "D": "none"}, "B"),
])
def test_option_text_as_written_wins_over_letters_inside_it(answer, options, want):
    """Issue 27: misreadings found on the real MedQA and MedMCQA files (examples in their style)."""
    assert parse_choice(answer, "ABCD", options).letter == want


def test_letters_still_read_as_before_with_options():
    opts = {"A": "a,b,c,d", "B": "b,a,c,d", "C": "a,c,d,b", "D": "d,c,b,a"}
    assert parse_choice("B or C", "ABCD", opts).reason == "multiple"
    assert parse_choice("A", "ABCD", opts).letter == "A"
    assert parse_choice("(D)", "ABCD", opts).letter == "D"
    two = {"A": "x y", "B": "x-y", "C": "z", "D": "w"}  # alike without punctuation, told apart as written
    assert parse_choice("x-y", "ABCD", two).letter == "B"
    assert parse_choice("x:y", "ABCD", two).letter is None  # as written: neither; without punctuation: both
