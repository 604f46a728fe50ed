"""Eval scoring for the medical domain, on the same verifier as the rewards.

Per sample (``None`` where a metric does not apply to the example's task):

==============  ===================================================================
correct         the verifier's verdict, every task (``reason`` says why not)
mcq_acc         the option named is the gold letter (mcq)
ynm_acc         the yes/no/maybe label is right (ynm): PubMedQA's accuracy
ynm_macro_f1    corpus: PubMedQA's macro-F1 over the ynm questions (sklearn, as its evaluation.py)
calc_ok         within the calculator's tolerance (calc)
abs_error       |answer - gold| for calculations that gave a number: the mean is the MAE
                (per calculator in the ``template`` bucket; units differ)
top1            the preferred answer is first (ranked)
hit1/hit3/hit5  the preferred answer is within the first 1/3/5 items (ranked)
mrr             reciprocal rank of the preferred answer, 0 when absent (ranked)
rr_acceptable   reciprocal rank of the first acceptable answer (ranked)
recall5         distinct acceptable answers in the first 5 / min(5, |acceptable|) (ranked)
list_ok         the answer is a well-formed numbered list (ranked)
parse_fail      no answer could be read: no answer block, no single option, not a
                label, not a number, or an empty list (every task)
==============  ===================================================================

Beyond means: the option-letter bias of MCQ answers (core: counts, chi-square p-value,
``letter_bias.png``) from the ``choice``/``gold_choice`` fields, and ``consistency`` (corpus
metric): over held-out cases asked both as a diagnosis MCQ and as a ranked list (same
``case_id``), how often the option chosen in the MCQ names the top item of the list.
"""

from __future__ import annotations

from r1_foundry.core.answers.choice import rank_metrics, read_options
from r1_foundry.domains.medical import verify

_PARSE_FAIL = {"no_answer", "no_option", "multiple", "bad_letter", "not_yes_no_maybe", "not_a_number", "empty_list"}
RANK_METRICS = ("top1", "hit1", "hit3", "hit5", "mrr", "rr_acceptable", "recall5", "list_ok")


def score(example: dict, text: str) -> dict:
    """Metrics for one completion of ``example``."""
    task = example["task"]
    v = verify.check(text, example)
    row = {"correct": float(v.correct), "reason": v.reason or "correct", "answer_key": verify.answer_key(v, task),
           "parse_fail": float(v.reason in _PARSE_FAIL), "mcq_acc": None, "ynm_acc": None, "calc_ok": None,
           "abs_error": None, **dict.fromkeys(RANK_METRICS)}
    if task == "mcq":
        row.update(mcq_acc=float(v.correct), choice=v.choice, gold_choice=str(example["answer"]).upper())
    elif task == "ynm":
        row["ynm_acc"] = float(v.correct)
    elif task == "calc":
        row.update(calc_ok=float(v.correct), abs_error=v.error)
    else:
        rec = rank_metrics(v.items, v.preferred, v.acceptable, 5) if v.items else \
            {"rank": None, "rr": 0.0, "recall@k": 0.0}
        rank = rec["rank"]
        row.update(top1=float(rank == 1), hit1=float(rank == 1), hit3=float(rank is not None and rank <= 3),
                   hit5=float(rank is not None and rank <= 5), mrr=1.0 / rank if rank else 0.0,
                   rr_acceptable=rec["rr"], recall5=rec["recall@k"], list_ok=float(v.well_formed))
        row["top"] = v.items[0] if v.items else None
    return row


def ynm_macro_f1(examples: list[dict], completions: list[str]) -> float | None:
    """PubMedQA's macro-F1, as its ``evaluation.py`` reports beside accuracy: sklearn's
    ``f1_score(truth, predictions, average="macro")``. The prediction is the answer block as the verifier
    reads it (lower case, periods dropped): an answer that is not yes/no/maybe stays what it is, and an
    answer without a block is ``""``, so, as in the official script, a label no gold has counts as a class
    of its own (deliberate: it lowers the average as a submitted wrong label would)."""
    from sklearn.metrics import f1_score

    from r1_foundry.core.answers.text import answer_block, completion_text

    truth, preds = [], []
    for ex, text in zip(examples, completions, strict=True):
        if ex.get("task") != "ynm":
            continue
        answer = answer_block(completion_text(text))
        truth.append(str(ex.get("answer") or "").strip().lower())
        preds.append("" if answer is None else " ".join(answer.lower().replace(".", " ").split()))
    if not truth:
        return None
    import warnings

    with warnings.catch_warnings():  # a label predicted but never gold: sklearn warns, scores it 0 (as officially)
        warnings.simplefilter("ignore")
        return float(f1_score(truth, preds, average="macro"))


def corpus_score(examples: list[dict], completions: list[str]) -> dict:
    """Cross-format consistency over cases asked as both a diagnosis MCQ and a ranked list; PubMedQA's
    macro-F1 over the yes/no/maybe questions (:func:`ynm_macro_f1`)."""
    out = {}
    f1 = ynm_macro_f1(examples, completions)
    if f1 is not None:
        out["ynm_macro_f1"] = f1
    by_case: dict[str, dict] = {}
    for ex, text in zip(examples, completions, strict=True):
        cid = ex.get("case_id")
        if not cid or ex.get("template") not in ("mcq_dx", "ranked"):
            continue
        by_case.setdefault(cid, {})[ex["template"]] = (ex, text)
    agree = []
    for pair in by_case.values():
        if len(pair) != 2:
            continue
        (mex, mtext), (rex, rtext) = pair["mcq_dx"], pair["ranked"]
        mv, rv = verify.check(mtext, mex), verify.check(rtext, rex)
        if mv.choice is None or not rv.items:
            agree.append(0.0)  # an unreadable answer in either format is not consistent
            continue
        chosen = read_options(mex.get("options")).get(mv.choice, "")
        agree.append(float(verify.names_normaliser(rex).canon(chosen) == rv.items[0]))
    if agree:
        out["consistency"] = sum(agree) / len(agree)
    return out
