"""Eval scoring for chemistry, on the same verifier as the rewards.

Per sample (``None`` where a metric does not apply to the example's task, so it is left out of
that metric's mean):

=============  ===============================================================
correct        ether0-style binary correctness (every task); ``reason`` says why not
valid          the answer is a valid molecule (canonical, text2mol, design)
exact          same molecule as the gold by canonical SMILES (canonical, text2mol)
maccs, rdk,    Tanimoto similarity to the gold on MACCS keys, RDKit and Morgan (r=2,
morgan         2048 bits) fingerprints; 0 for an invalid answer (canonical, text2mol)
abs_error      |answer - gold| for numeric tasks; the mean is the MAE (split it by the
               ``task`` bucket: MW, logP and TPSA have different scales). Unparseable
               answers are left out; ``numeric`` says how often that happened
numeric        1 when a numeric task's answer is a number
constraints    all constraints met (design, text2mol)
=============  ===============================================================

Corpus metrics on the ``caption`` (molecule -> text) examples, greedy sample: ``bleu2``,
``bleu4`` (sacrebleu, corpus level, 13a tokenisation, as 0-1) and ``rouge1``, ``rouge2``,
``rougeL`` (rouge-score F1, mean over examples), the measures MolT5 reports for ChEBI-20.
"""

from __future__ import annotations

from domains.chem import verify
from domains.chem.sandbox import FP_KINDS, default_analyser

_FP_METRIC = {"maccs": "maccs", "rdkit": "rdk", "morgan": "morgan"}


def score(example: dict, text: str) -> dict:
    """Metrics for one generated completion of ``example``."""
    task = example["task"]
    need = {"fps"} if task in ("canonical", "text2mol") else set()
    if example.get("constraints"):
        need.add("desc")
    v = verify.check(text, example, analyser=default_analyser(), need=need)
    row = {"correct": float(v.correct), "reason": v.reason or "correct", "answer_key": verify.answer_key(v, task),
           "valid": None, "exact": None, "abs_error": None, "numeric": None, "constraints": None,
           **{m: None for m in _FP_METRIC.values()}}
    if task in verify.MOLECULE_TASKS:
        row["valid"] = float(v.pred is not None and v.pred.ok)
        if task != "design":
            row["exact"] = float(v.correct)
            for kind in FP_KINDS:
                row[_FP_METRIC[kind]] = verify.similarity(v.pred, v.gold, kind) if v.pred and v.gold else 0.0
        if task == "design" or verify.load_constraints(example.get("constraints")):
            row["constraints"] = float(bool(v.satisfied) and all(v.satisfied.values()))
    elif task in verify.NUMERIC_TASKS:
        row["numeric"] = float(v.error is not None)
        row["abs_error"] = v.error
    return row


def text_metrics(predictions: list[str], references: list[str]) -> dict:
    """BLEU-2/4 (sacrebleu, corpus) and ROUGE-1/2/L F1 (rouge-score, mean) of texts, as 0-1."""
    from rouge_score import rouge_scorer
    from sacrebleu.metrics import BLEU

    if not predictions:
        return {}
    refs = [references]
    out = {f"bleu{n}": BLEU(max_ngram_order=n).corpus_score(predictions, refs).score / 100 for n in (2, 4)}
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False)
    scores = [scorer.score(ref, pred) for pred, ref in zip(predictions, references, strict=True)]
    for key in ("rouge1", "rouge2", "rougeL"):
        out[key] = sum(s[key].fmeasure for s in scores) / len(scores)
    return out


def corpus_score(examples: list[dict], completions: list[str]) -> dict:
    """Corpus metrics of a run (the eval runner calls it with the first sample of each example)."""
    preds, refs = [], []
    for ex, text in zip(examples, completions, strict=True):
        if ex["task"] == "caption":
            preds.append(verify.extract_answer(text) or "")
            refs.append(ex["answer"])
    return text_metrics(preds, refs)
