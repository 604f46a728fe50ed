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

MolT5's text -> molecule measures (ChEBI-20; Edwards et al. 2022), on ``text2mol`` examples, under
MolT5's definitions (``evaluation/mol_translation_metrics.py`` and ``fingerprint_metrics.py`` of
blender-nlp/MolT5); the output is the ``<answer>`` text (a completion without one counts as an
invalid, empty output):

=================  ===============================================================
molt5_bleu         NLTK ``corpus_bleu`` over SMILES characters (corpus metric)
molt5_exact        InChI strings equal (RDKit ``MolToInchi``), over all examples
molt5_levenshtein  Levenshtein distance of the two strings (``Levenshtein`` package), mean
molt5_validity     RDKit parses the output (``MolFromSmiles`` is not None; ``""`` parses)
molt5_maccs_fts,   Tanimoto on MACCS keys, ``RDKFingerprint`` bits and count-based Morgan r=2
molt5_rdk_fts,     (``GetMorganFingerprint(mol, 2)``), averaged over VALID outputs only
molt5_morgan_fts
=================  ===============================================================

Corpus metrics on the ``caption`` (molecule -> text) examples, greedy sample: ``bleu2``,
``bleu4`` (sacrebleu, corpus level, 13a tokenisation, as 0-1) and ``rouge1``, ``rouge2``,
``rougeL`` (rouge-score F1, mean over examples), the measures MolT5 reports for ChEBI-20.
"""

from __future__ import annotations

from r1_foundry.domains.chem import verify
from r1_foundry.domains.chem.sandbox import FP_KINDS, default_analyser

_FP_METRIC = {"maccs": "maccs", "rdkit": "rdk", "morgan": "morgan"}


MOLT5_METRICS = ("molt5_exact", "molt5_levenshtein", "molt5_validity", "molt5_maccs_fts", "molt5_rdk_fts",
                 "molt5_morgan_fts")


def count_tanimoto(a: tuple, b: tuple) -> float:
    """Tanimoto of two count vectors ``((feature, count), ...)``: sum of minima over (sum a + sum b
    - sum of minima), as RDKit's ``TanimotoSimilarity`` on sparse int vectors; 0 when both are empty."""
    da, db = dict(a), dict(b)
    both = sum(min(v, db[k]) for k, v in da.items() if k in db)
    total = sum(da.values()) + sum(db.values()) - both
    return both / total if total else 0.0


def molt5_sample(output: str | None, gold: str, analyser=None) -> dict:
    """MolT5's per-prediction measures of one output SMILES (None: the completion had no answer)."""
    import Levenshtein

    row = {"molt5_exact": 0.0, "molt5_levenshtein": float(Levenshtein.distance(output or "", gold)),
           "molt5_validity": 0.0, "molt5_maccs_fts": None, "molt5_rdk_fts": None, "molt5_morgan_fts": None}
    if output is None:
        return row
    pred, ref = (analyser or default_analyser()).analyse_many([output, gold], need={"molt5"})
    if output == "":  # RDKit parses "" into an empty molecule, which MolT5 counts as valid
        row["molt5_validity"] = 1.0
        if ref.ok:
            row.update(molt5_maccs_fts=0.0, molt5_rdk_fts=0.0, molt5_morgan_fts=0.0)
        return row
    if not pred.ok:
        return row
    row["molt5_validity"] = 1.0
    if ref.ok:
        row["molt5_exact"] = float(pred.inchi == ref.inchi)
        row["molt5_maccs_fts"] = verify.tanimoto(pred.fps["maccs"], ref.fps["maccs"])
        row["molt5_rdk_fts"] = verify.tanimoto(pred.fps["rdkit"], ref.fps["rdkit"])
        row["molt5_morgan_fts"] = count_tanimoto(pred.morgan_counts, ref.morgan_counts)
    return row


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
    row.update(molt5_sample(verify.raw_answer(text), str(example["answer"])) if task == "text2mol" else dict.fromkeys(MOLT5_METRICS))
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


def molt5_bleu(outputs: list[str], golds: list[str]) -> float:
    """MolT5's BLEU: NLTK ``corpus_bleu`` (4-gram, uniform weights, no smoothing) over characters."""
    from nltk.translate.bleu_score import corpus_bleu

    return float(corpus_bleu([[list(g)] for g in golds], [list(o) for o in outputs]))


def corpus_score(examples: list[dict], completions: list[str]) -> dict:
    """Corpus metrics of a run (the eval runner calls it with the first sample of each example)."""
    preds, refs, mols, gold_mols = [], [], [], []
    for ex, text in zip(examples, completions, strict=True):
        if ex["task"] == "caption":
            preds.append(verify.extract_answer(text) or "")
            refs.append(ex["answer"])
        elif ex["task"] == "text2mol":
            mols.append(verify.raw_answer(text) or "")
            gold_mols.append(str(ex["answer"]))
    out = text_metrics(preds, refs)
    if mols:
        out["molt5_bleu"] = molt5_bleu(mols, gold_mols)
    return out


def read_molt5_tsv(path: str) -> tuple[list[dict], list[list[str]]]:
    """A predictions file in MolT5's layout (tab-separated ``description``, ``ground truth``,
    ``output`` with a header, no quoting, read as MolT5's scripts read it) -> text2mol examples and
    one completion each, the output wrapped as the answer."""
    import csv

    from r1_foundry.core.util.errors import FoundryError
    from r1_foundry.core.util.io import check_utf8

    examples, completions = [], []
    check_utf8(path)
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = {"ground truth", "output"} - set(reader.fieldnames or [])
        if missing:
            raise FoundryError(f"{path}:1: header lacks {sorted(missing)}; MolT5's layout is "
                               "'description<TAB>ground truth<TAB>output'")
        for n, line in enumerate(reader, 2):
            gold, output = line.get("ground truth"), line.get("output")
            if gold is None or output is None:
                raise FoundryError(f"{path}:{n}: expected 3 tab-separated fields")
            examples.append({"task": "text2mol", "answer": gold, "description": line.get("description") or "",
                             "template": "molt5_tsv", "constraints": "", "tolerance": 0.0})
            completions.append([f"<answer>{output}</answer>"])
    if not examples:
        raise FoundryError(f"{path}: no predictions after the header")
    return examples, completions
