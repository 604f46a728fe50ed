"""Eval scoring for legal, on the same verifier as the rewards.

=============  ==================================================================================
correct        the verifier's verdict (every task)
mbe_acc        the gold option (mbe); with ``choice``/``gold_choice`` core adds the option-letter
               bias (counts, chi-square p-value, letter_bias.png)
rule_acc       yes/no, date or number exactly right (rule)
classify_acc   the normalised label right (classify)
parse_fail     mbe: the answer does not parse in the requested layout (bucket by ``layout`` for
               the rate per layout); rule/classify: no readable yes/no, date, number or answer
layout_ok      mbe: the requested layout in the requested order
irac           mbe: IRAC completeness (share of the four sections with 3+ words)
balanced_acc   corpus, classify: LegalBench's ``evaluate_exact_match_balanced_accuracy``
               (sklearn ``balanced_accuracy_score`` of the normalised gold labels against the
               normalised answers) per ``legalbench_task``, averaged over tasks; on one task it
               is the official number. We normalise the final answer (the ``<answer>`` block when
               there is one), LegalBench the whole generation: the same on plain generations
=============  ==================================================================================

Buckets (suite): ``task``, ``family`` (rule family), ``area``, ``layout``, ``order``,
``answer_type``, ``legalbench_task``.
"""

from __future__ import annotations

from collections import defaultdict

from r1_foundry.domains.legal import verify

_UNREADABLE = ("no_answer", "not_yes_no", "not_a_date", "not_a_number", "no_option", "multiple", "bad_letter")


def score(example: dict, text: str) -> dict:
    task = example["task"]
    v = verify.check(text, example)
    row = {"correct": float(v.correct), "reason": v.reason or "correct", "mbe_acc": None, "rule_acc": None,
           "classify_acc": None, "layout_ok": None, "irac": None,
           "parse_fail": float(v.reason in _UNREADABLE or v.reason.startswith("layout_")),
           "answer_key": v.choice if task == "mbe" else v.value}
    if task == "mbe":  # the verifier tried the requested layout first: it parsed iff it is the one found
        requested_ok = v.fmt == (example.get("layout") or "json")
        row.update(mbe_acc=float(v.correct), layout_ok=float(v.layout_ok), irac=v.irac,
                   parse_fail=float(not requested_ok), choice=v.choice, gold_choice=str(example["answer"]).upper())
    elif task == "rule":
        row["rule_acc"] = float(v.correct)
    else:
        row["classify_acc"] = float(v.correct)
    return row


def balanced_accuracy(golds: list[str], answers: list[str]) -> float:
    """LegalBench's exact-match balanced accuracy on one task."""
    from sklearn.metrics import balanced_accuracy_score

    return float(balanced_accuracy_score([verify.normalize(g) for g in golds], [verify.normalize(a) for a in answers]))


def corpus_score(examples: list[dict], completions: list[str]) -> dict:
    from r1_foundry.core.answers.text import final_answer

    groups = defaultdict(lambda: ([], []))
    for ex, c in zip(examples, completions, strict=True):
        if ex.get("task") == "classify":
            g = groups[ex.get("legalbench_task") or ex.get("family") or "classify"]
            g[0].append(str(ex["answer"]))
            g[1].append(final_answer(c))
    if not groups:
        return {}
    import warnings

    with warnings.catch_warnings():  # sklearn warns when a prediction is not a gold class
        warnings.simplefilter("ignore")
        per_task = [balanced_accuracy(g, a) for g, a in groups.values()]
    return {"balanced_acc": sum(per_task) / len(per_task)}
