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
legalbench     corpus, classify: each ``legalbench_task``'s official metric as LegalBench's
               ``evaluation.py`` dispatches it (balanced accuracy; ``sara_numeric``: within 10 %;
               ``successor_liability`` and ``ssla_*``: F1; ``citation_prediction_open``: the case
               name contained; ``definition_extraction``: stemmed match), averaged over tasks; on
               one task it is the official number
balanced_acc   corpus, classify: LegalBench's ``evaluate_exact_match_balanced_accuracy``
               (sklearn ``balanced_accuracy_score`` of the normalised gold labels against the
               normalised answers) per ``legalbench_task`` of the tasks scored that way, averaged.
               We normalise the final answer (the ``<answer>`` block when there is one),
               LegalBench the whole generation: the same on plain generations
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


# LegalBench's evaluation.py scores these tasks with their own metric (every other task: exact-match balanced
# accuracy). Written here from its definitions, quirks kept so the numbers are its numbers; generations are our
# final answers (the <answer> block), as for balanced accuracy.
SUCCESSOR_CLASSES = ("express agreement", "fraudulent conveyance", "de facto merger", "mere continuation")


def sara_numeric(golds: list[str], answers: list[str]) -> float:
    """Share of answers within 10 % of the gold dollar amount: the first run of digits of the answer with
    commas and periods removed (0 when none), against ``int(gold without "$")``, as ``|pred / (gold + 0.1) - 1| < 0.1``."""
    import re

    hits = []
    for g, a in zip(golds, answers, strict=True):
        m = re.search(r"\d+", str(a).replace(",", "").replace(".", ""))
        pred = int(m.group()) if m else 0
        gold = int(str(g).replace("$", ""))
        hits.append(abs(pred / (gold + 1e-1) - 1.0) < 0.1)
    return sum(hits) / len(hits) if hits else 0.0


def successor_liability(golds: list[str], answers: list[str]) -> float:
    """F1 over the four exceptions: the classes named (case-sensitive substring) in an answer against the gold's
    comma-separated list (not stripped), each gold item matched once."""
    tp = fp = fn = 0
    for g, a in zip(golds, answers, strict=True):
        predicted = [c for c in SUCCESSOR_CLASSES if c in str(a)]
        left = str(g).split(",")
        for p in predicted:
            if p in left:
                left.remove(p)
                tp += 1
            else:
                fp += 1
        fn += len(left)
    return 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 0.0


def citation_open(golds: list[str], answers: list[str]) -> float:
    """Share of answers that contain the normalised case name (the reporter citation is not checked)."""
    pairs = [(verify.normalize(g), verify.normalize(a)) for g, a in zip(golds, answers, strict=True)]
    return sum(g in a for g, a in pairs) / len(pairs) if pairs else 0.0


def definition_extraction(golds: list[str], answers: list[str]) -> float:
    """Share of answers with a comma-separated part equal to one of the gold's parts, each part normalised and
    Porter-stemmed as one string (NLTK's PorterStemmer, as LegalBench's ``normalize(stem=True)``)."""
    try:
        from nltk.stem.porter import PorterStemmer
    except ImportError:
        from r1_foundry.core.util.errors import FoundryError

        raise FoundryError("LegalBench's definition_extraction metric stems with NLTK: pip install nltk") from None
    stem = PorterStemmer().stem
    hits = 0
    for g, a in zip(golds, answers, strict=True):
        want = {stem(verify.normalize(x)) for x in str(g).split(",")}
        hits += any(stem(verify.normalize(x)) in want for x in str(a).split(","))
    return hits / len(golds) if golds else 0.0


def ssla(golds: list[str], answers: list[str]) -> float:
    """F1 of the ``ssla_*`` tasks: each gold item (comma-separated) is found when it is contained in a remaining
    answer part, which is then used up. LegalBench adds the remaining parts to the false positives after every
    gold item, not once per answer; kept, so the numbers are LegalBench's."""
    tp = fp = fn = 0
    for g, a in zip(golds, answers, strict=True):
        parts = [verify.normalize(x) for x in str(a).split(",")]
        for item in (verify.normalize(x) for x in str(g).split(",")):
            hit = next((j for j, part in enumerate(parts) if item in part), None)
            if hit is None:
                fn += 1
            else:
                tp += 1
                del parts[hit]
            fp += len(parts)
    return 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 0.0


def official_metric(task: str):
    """LegalBench's metric for ``task`` (evaluation.py's dispatch); balanced accuracy for every other task."""
    if task == "sara_numeric":
        return sara_numeric
    if task == "successor_liability":
        return successor_liability
    if task == "citation_prediction_open":
        return citation_open
    if task == "definition_extraction":
        return definition_extraction
    if task.startswith("ssla"):
        return ssla
    return balanced_accuracy


def corpus_score(examples: list[dict], completions: list[str]) -> dict:
    """``legalbench``: each task's official metric (:func:`official_metric`), averaged over tasks;
    ``balanced_acc``: exact-match balanced accuracy over the tasks LegalBench scores that way."""
    from r1_foundry.core.answers.text import final_answer

    groups = defaultdict(lambda: ([], []))
    for ex, c in zip(examples, completions, strict=True):
        if ex.get("task") == "classify":
            g = groups[ex.get("legalbench_task") or ex.get("family") or "classify"]
            g[0].append(str(ex["answer"]))
            g[1].append(final_answer(c) or "")
    if not groups:
        return {}
    import warnings

    with warnings.catch_warnings():  # sklearn warns when a prediction is not a gold class
        warnings.simplefilter("ignore")
        official = {task: official_metric(task)(g, a) for task, (g, a) in groups.items()}
        balanced = [v for task, v in official.items() if official_metric(task) is balanced_accuracy]
    out = {"legalbench": sum(official.values()) / len(official)}
    if balanced:
        out["balanced_acc"] = sum(balanced) / len(balanced)
    return out
