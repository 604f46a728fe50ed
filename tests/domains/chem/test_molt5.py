"""MolT5's ChEBI-20 text->molecule measures, checked against MolT5's definitions computed here
directly with the libraries its scripts call (RDKit's DataStructs, NLTK's corpus_bleu, the
Levenshtein package), on a MolT5-format predictions file built from ChEBI-20 rows
(tests/fixtures/chebi20/test_head12.txt, CC BY 4.0)."""

import csv
import os
import subprocess
import sys

import numpy as np
import pytest

from r1_foundry.core.evaluation.runner import score_completions
from r1_foundry.core.schema.domain import get_domain
from r1_foundry.domains.chem import evals

FIX = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "chebi20", "test_head12.txt")


def _rows():
    with open(FIX, encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _outputs(golds):
    """Outputs of every kind: exact, same molecule written differently, near misses, invalid, empty."""
    from rdkit import Chem

    outs = []
    for i, g in enumerate(golds):
        kind = i % 6
        if kind == 0:
            outs.append(g)
        elif kind == 1:
            outs.append(Chem.MolToSmiles(Chem.MolFromSmiles(g), doRandom=True, canonical=False))
        elif kind == 2:
            outs.append(g.replace("O", "N", 1))
        elif kind == 3:
            outs.append(g[:-3])  # truncated: often invalid
        elif kind == 4:
            outs.append("CCO" if i % 12 == 4 else "")
        else:
            outs.append("C1CC" if i % 12 == 5 else "  c1ccccc1")
    return outs


def molt5_reference(golds, outs):
    """MolT5's evaluation/mol_translation_metrics.py and fingerprint_metrics.py, as definitions."""
    from Levenshtein import distance
    from nltk.translate.bleu_score import corpus_bleu
    from rdkit import Chem, DataStructs, RDLogger
    from rdkit.Chem import MACCSkeys, rdFingerprintGenerator

    RDLogger.DisableLog("rdApp.*")
    morgan = rdFingerprintGenerator.GetMorganGenerator(radius=2)  # == AllChem.GetMorganFingerprint(m, 2)
    bleu = corpus_bleu([[list(g)] for g in golds], [list(o) for o in outs])
    exact = 0
    for g, o in zip(golds, outs, strict=True):
        try:
            if Chem.MolToInchi(Chem.MolFromSmiles(o)) == Chem.MolToInchi(Chem.MolFromSmiles(g)):
                exact += 1
        except Exception:
            pass
    lev = np.mean([distance(o, g) for g, o in zip(golds, outs, strict=True)])
    valid = [(Chem.MolFromSmiles(g), Chem.MolFromSmiles(o)) for g, o in zip(golds, outs, strict=True)
             if Chem.MolFromSmiles(o) is not None]
    maccs = [DataStructs.FingerprintSimilarity(MACCSkeys.GenMACCSKeys(g), MACCSkeys.GenMACCSKeys(o)) for g, o in valid]
    rdk = [DataStructs.FingerprintSimilarity(Chem.RDKFingerprint(g), Chem.RDKFingerprint(o)) for g, o in valid]
    mor = [DataStructs.TanimotoSimilarity(morgan.GetSparseCountFingerprint(g), morgan.GetSparseCountFingerprint(o))
           for g, o in valid]
    return {"molt5_bleu": bleu, "molt5_exact": exact / len(golds), "molt5_levenshtein": lev,
            "molt5_validity": len(valid) / len(golds), "molt5_maccs_fts": np.mean(maccs),
            "molt5_rdk_fts": np.mean(rdk), "molt5_morgan_fts": np.mean(mor)}


@pytest.fixture(scope="module")
def molt5_file(tmp_path_factory):
    rows = _rows()
    golds = [r["SMILES"] for r in rows]
    outs = _outputs(golds)
    path = tmp_path_factory.mktemp("molt5") / "predictions.txt"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("description\tground truth\toutput\n")
        for r, o in zip(rows, outs, strict=True):
            fh.write(f"{r['description']}\t{r['SMILES']}\t{o}\n")
    return str(path), golds, outs


def test_molt5_measures_equal_the_official_definitions(molt5_file, tmp_path):
    path, golds, outs = molt5_file
    domain = get_domain("chem")
    examples, completions = evals.read_molt5_tsv(path)
    suite = domain.suite("chem/chebi20")
    result = score_completions(examples, completions, suite=suite, scorer=domain.suite_scorer(suite),
                               out_dir=str(tmp_path), corpus_scorer=evals.corpus_score)
    want = molt5_reference(golds, outs)
    for name, value in want.items():
        assert result["metrics"][name] == pytest.approx(value, abs=1e-9), name
    # the fixture exercises every branch: some exact, some invalid, some valid but different
    assert 0 < want["molt5_exact"] < 1 and 0 < want["molt5_validity"] < 1
    assert want["molt5_morgan_fts"] < 1 and result["counts"]["molt5_maccs_fts"] < len(golds)
    # our stricter similarity averages over all examples (0 for invalid), so it is lower
    assert result["metrics"]["maccs"] < result["metrics"]["molt5_maccs_fts"]


def test_count_tanimoto_equals_rdkit():
    from rdkit import Chem, DataStructs
    from rdkit.Chem import rdFingerprintGenerator

    gen = rdFingerprintGenerator.GetMorganGenerator(radius=2)
    smis = ["CCO", "OCC(=O)O", "c1ccccc1CCCCN", "CC(C)Cc1ccc(cc1)C(C)C(=O)O", "CCCCCCCCCC"]
    for a in smis:
        for b in smis:
            fa, fb = gen.GetSparseCountFingerprint(Chem.MolFromSmiles(a)), gen.GetSparseCountFingerprint(Chem.MolFromSmiles(b))
            ours = evals.count_tanimoto(tuple(fa.GetNonzeroElements().items()), tuple(fb.GetNonzeroElements().items()))
            assert ours == pytest.approx(DataStructs.TanimotoSimilarity(fa, fb), abs=1e-12)
    assert evals.count_tanimoto((), ()) == 0.0


def test_no_answer_is_invalid_and_hostile_output_is_harmless():
    row = evals.molt5_sample(None, "CCO")
    assert row["molt5_validity"] == 0.0 and row["molt5_levenshtein"] == 3.0 and row["molt5_maccs_fts"] is None
    row = evals.molt5_sample("C" * 20000, "CCO")  # segfaults RDKit in-process; here: refused, invalid
    assert row["molt5_validity"] == 0.0 and row["molt5_exact"] == 0.0


def test_cli_scores_a_molt5_file_without_a_model(molt5_file, tmp_path):
    path, golds, outs = molt5_file
    out = tmp_path / "eval"
    res = subprocess.run([sys.executable, "-m", "r1_foundry.core.cli", "chem", "eval", "--predictions", path, "--suite",
                          "chem/chebi20", "--out", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    import json

    result = json.load(open(out / "results.json"))
    assert result["format"] == "molt5" and result["n"] == len(golds)
    assert result["metrics"]["molt5_validity"] == pytest.approx(molt5_reference(golds, outs)["molt5_validity"])
    # our samples.jsonl goes back in and gives the same numbers
    again = tmp_path / "again"
    res = subprocess.run([sys.executable, "-m", "r1_foundry.core.cli", "chem", "eval", "--predictions", str(out / "samples.jsonl"),
                          "--suite", "chem/chebi20", "--out", str(again)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert json.load(open(again / "results.json"))["metrics"] == result["metrics"]


def test_bad_molt5_file_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("description\tgold\toutput\nx\tCCO\tCCO\n")
    res = subprocess.run([sys.executable, "-m", "r1_foundry.core.cli", "chem", "eval", "--predictions", str(bad), "--suite",
                          "chem/chebi20", "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert res.returncode == 2 and "bad.txt:1: header lacks ['ground truth']" in res.stderr
    assert "Traceback" not in res.stderr
