"""Legal answers: the three IRAC layouts (one parser each, order, completeness), dates in
several formats, yes/no and numbers, LegalBench's normalisation and balanced accuracy, and
fuzzing of the parsers."""

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from r1_foundry.domains.legal import evals, layouts, rules, verify

IRAC = {"issue": "Whether D is liable in negligence.", "rule": "Negligence needs duty, breach, causation and damage.",
        "application": "D owed a duty and breached it; the breach caused a broken wrist.",
        "conclusion": "Every element is met, so the answer is yes."}
OPTS = json.dumps({"A": "Yes, because D breached a duty.", "B": "No, because no duty.", "C": "No, no breach.",
                   "D": "No, no damage."})


@pytest.mark.parametrize("fmt", layouts.FORMATS)
@pytest.mark.parametrize("order", layouts.ORDERS)
def test_render_then_parse_round_trips(fmt, order):
    text = layouts.render(fmt, order, "A", IRAC)
    p = layouts.parse(text, fmt)
    assert p.ok and p.sections["answer"] == "A" and p.irac_share() == 1.0
    assert p.ordered(order) and not p.ordered([o for o in layouts.ORDERS if o != order][0])
    for other in layouts.FORMATS:
        if other != fmt:
            assert not layouts.parse(text, other).ok, (fmt, other)  # one parser each


def test_parser_failures_have_reasons():
    assert layouts.parse('{"answer": "A", "issue": "x"}', "json").reason == "missing_rule"
    assert layouts.parse("{bad json", "json").reason == "bad_json"
    assert layouts.parse('["A"]', "json").reason == "not_an_object"
    assert layouts.parse("```json\n" + layouts.render("json", "option_first", "B", IRAC) + "\n```", "json").ok
    md = layouts.render("markdown", "option_first", "A", IRAC)
    assert layouts.parse("Intro line\n" + md, "markdown").reason == "text_before_first_heading"
    assert layouts.parse(md + "\n## Rule\nagain", "markdown").reason == "repeated_rule"
    num = layouts.render("numbered", "option_first", "A", IRAC)
    assert layouts.parse(num.replace("3. Rule", "4. Rule"), "numbered").reason == "bad_numbering"
    assert layouts.parse("", "numbered").reason == "empty"
    short = layouts.render("numbered", "option_first", "A", {**IRAC, "rule": "duty", "conclusion": "yes"})
    assert layouts.parse(short, "numbered").irac_share() == 0.5  # sections under 3 words do not count


def test_check_mbe_reads_the_option_from_any_layout():
    ex = {"task": "mbe", "answer": "A", "options": OPTS, "layout": "markdown", "order": "option_first"}
    md = f"<think>x</think><answer>{layouts.render('markdown', 'option_first', 'A', IRAC)}</answer>"
    v = verify.check(md, ex)
    assert v.correct and v.layout_ok and v.fmt == "markdown" and v.irac == 1.0
    as_json = f"<answer>{layouts.render('json', 'option_first', 'A', IRAC)}</answer>"
    v = verify.check(as_json, ex)
    assert v.correct and not v.layout_ok and v.fmt == "json"  # right option, wrong layout
    late = f"<answer>{layouts.render('markdown', 'explanation_first', 'A', IRAC)}</answer>"
    v = verify.check(late, ex)
    assert v.correct and not v.layout_ok and not v.order_ok
    text_option = f"<answer>{layouts.render('markdown', 'option_first', 'Yes, because D breached a duty.', IRAC)}</answer>"
    assert verify.check(text_option, ex).choice == "A"  # the option's own text
    two = f"<answer>{layouts.render('markdown', 'option_first', 'A or B', IRAC)}</answer>"
    assert verify.check(two, ex).reason == "multiple"
    assert verify.check("<answer>A</answer>", ex).reason.startswith("layout_")
    assert verify.check("<think>A</think>", ex).reason == "no_answer"


def test_dates_yes_no_numbers():
    for text in ("2024-03-01", "March 1, 2024", "1 March 2024", "Mar. 1st, 2024", "03/01/2024",
                 "The deadline is 1st of March 2024."):
        assert verify.parse_date(text) == dt.date(2024, 3, 1), text
    assert verify.parse_date("2024-03-01 or 2024-03-02") is None and verify.parse_date("soon") is None
    assert verify.parse_date("2023-02-30") is None
    ex = {"task": "rule", "answer_type": "date", "answer": "2024-03-01"}
    assert verify.check("<answer>March 1, 2024</answer>", ex).correct
    assert verify.check("<answer>2024-03-02</answer>", ex).reason == "wrong_date"
    yn = {"task": "rule", "answer_type": "yesno", "answer": "no"}
    assert verify.check("<answer>No, it was filed late.</answer>", yn).correct
    assert verify.check("<answer>Maybe</answer>", yn).reason == "not_yes_no"
    num = {"task": "rule", "answer_type": "number", "answer": "8"}
    assert verify.check("<answer>8 years</answer>", num).correct and not verify.check("<answer>8 or 9</answer>", num).correct


def test_period_arithmetic_by_hand():
    assert rules.add_years(dt.date(2020, 2, 29), 3) == dt.date(2023, 2, 28)
    assert rules.add_years(dt.date(2020, 2, 29), 4) == dt.date(2024, 2, 29)
    assert rules.full_years(dt.date(2010, 6, 15), dt.date(2018, 6, 14)) == 7
    assert rules.full_years(dt.date(2010, 6, 15), dt.date(2018, 6, 15)) == 8
    assert rules.full_years(dt.date(2010, 6, 15), dt.date(2009, 1, 1)) == 0


def test_legalbench_normalisation_and_balanced_accuracy():
    assert verify.normalize("  Yes. ") == "yes" and verify.normalize("No!") == "no"
    # balanced accuracy by hand: gold yes,yes,no,no ; pred yes,no,no,no -> recall yes 1/2, no 2/2 -> 0.75
    assert evals.balanced_accuracy(["Yes", "Yes", "No", "No"], ["yes", "No.", "no", " NO "]) == pytest.approx(0.75)
    cls = [{"task": "classify", "answer": g, "legalbench_task": t} for g, t in
           (("Yes", "a"), ("No", "a"), ("offer", "b"), ("none", "b"))]
    m = evals.corpus_score(cls, ["<answer>Yes</answer>", "<answer>Yes</answer>", "offer", "<think>x</think>none"])
    assert m["balanced_acc"] == pytest.approx((0.5 + 1.0) / 2)  # task a: recall yes 1, no 0; task b: 1


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.lists(st.sampled_from(
    ['{"answer": "A"', '"issue": "x y z"', "}", "## Answer", "## Rule", "1. Answer: B", "2. Issue: a b c", "\n", "```",
     "March 1, 2024", "yes", "3/3/2024"]), max_size=20).map("".join)))
def test_parsers_never_raise(text):
    for fmt in layouts.FORMATS:
        p = layouts.parse(text, fmt)
        assert p.ok or p.reason
        assert 0.0 <= p.irac_share() <= 1.0
    verify.parse_date(text)
    for ex in ({"task": "mbe", "answer": "A", "options": OPTS, "layout": "json"},
               {"task": "rule", "answer_type": "date", "answer": "2024-03-01"},
               {"task": "classify", "answer": "offer"}):
        verify.check(text, ex)


def test_eval_row_parse_fail_is_about_the_requested_layout():
    ex = {"task": "mbe", "answer": "A", "options": OPTS, "layout": "markdown", "order": "option_first"}
    md = f"<answer>{layouts.render('markdown', 'option_first', 'A', IRAC)}</answer>"
    js = f"<answer>{layouts.render('json', 'option_first', 'A', IRAC)}</answer>"
    assert evals.score(ex, md)["parse_fail"] == 0.0
    row = evals.score(ex, js)  # right option, other layout: counted right, but a parse failure of markdown
    assert row["mbe_acc"] == 1.0 and row["parse_fail"] == 1.0 and row["layout_ok"] == 0.0
    assert evals.score(ex, "<answer>A</answer>")["parse_fail"] == 1.0


def test_legalbench_official_metrics_by_hand():
    """Issue 27: six tasks have other official metrics than exact-match balanced accuracy; each traced by hand from
    LegalBench's evaluation.py definitions (the gold fed back scored 1.0 under exact match where these give less)."""
    # sara_numeric: first digits with , and . removed; |pred / (gold + 0.1) - 1| < 0.1
    assert evals.sara_numeric(["$1000", "$1000", "$1000", "$50"], ["$1,050", "1100.00", "about 905", "none"]) == 0.5
    # ("1100.00" -> 110000: far off; "none" -> 0: off; 1050 and 905 within 10 %)
    assert evals.sara_numeric(["$1000"], ["$1000"]) == 1.0
    # successor_liability: classes named in the answer vs the gold's comma list (not stripped: " mere continuation"
    # with a space is no match for "mere continuation")
    golds = ["de facto merger,mere continuation", "express agreement", "fraudulent conveyance, mere continuation"]
    answers = ["de facto merger and mere continuation", "fraudulent conveyance", "fraudulent conveyance; mere continuation"]
    # row 1: tp 2; row 2: fp 1, fn 1; row 3: tp 1 (fraudulent conveyance), fp 1 (mere continuation vs " mere ..."),
    # fn 1 -> tp 3, fp 2, fn 2 -> F1 = 6 / 10
    assert evals.successor_liability(golds, answers) == pytest.approx(0.6)
    # the gold fed back scores below 1.0, as officially (the unstripped space of row 3)
    assert evals.successor_liability(golds, golds) == pytest.approx(2 * 4 / (2 * 4 + 1 + 1))
    # ssla: gold items contained in answer parts; remaining parts added to fp after every gold item (kept quirk)
    # gold "a,b" vs answer "a,c": item a hits part "a" (parts left: [c]) -> fp += 1; item b misses -> fn 1, fp += 1
    assert evals.ssla(["alice smith,bob jones"], ["alice smith,carol white"]) == pytest.approx(2 * 1 / (2 + 2 + 1))
    assert evals.ssla(["alice smith"], ["Alice Smith"]) == 1.0
    # citation_prediction_open: normalised case name contained in the answer
    assert evals.citation_open(["Marbury v. Madison"], ["See marbury v madison, 5 U.S. 137"]) == 1.0
    # definition_extraction: Porter-stemmed parts; "authorized" and "authorize" stem alike
    assert evals.definition_extraction(["authorize,authorized", "term"], ["Authorized", "other, word"]) == 0.5
    # dispatch as evaluation.py does, and the corpus score averages each task's own metric
    assert evals.official_metric("ssla_company_defendants") is evals.ssla
    assert evals.official_metric("hearsay") is evals.balanced_accuracy
    exs = [{"task": "classify", "answer": "$1000", "legalbench_task": "sara_numeric"},
           {"task": "classify", "answer": "Yes", "legalbench_task": "hearsay"},
           {"task": "classify", "answer": "No", "legalbench_task": "hearsay"}]
    m = evals.corpus_score(exs, ["<answer>1020</answer>", "<answer>Yes</answer>", "<answer>Yes</answer>"])
    assert m["legalbench"] == pytest.approx((1.0 + 0.5) / 2) and m["balanced_acc"] == pytest.approx(0.5)
