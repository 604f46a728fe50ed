"""The verifier: answer extraction, formulas, numbers, identity, similarity, constraints, reasons."""

import json

import pytest
from rdkit import Chem, DataStructs
from rdkit.Chem import MACCSkeys, rdFingerprintGenerator

from r1_foundry.domains.chem import verify
from r1_foundry.domains.chem.sandbox import analyse_local


def ans(x, think="t"):
    return f"<think>{think}</think><answer>{x}</answer>"


def test_extract_and_format():
    assert verify.extract_answer(ans("CCO")) == "CCO"
    assert verify.extract_answer("<answer>a</answer> <answer> b </answer>") == "b"
    assert verify.extract_answer("CCO") == "CCO"  # untagged: the completion is its own answer (core's one rule)
    assert verify.extract_answer("<think>CCO</think>") is None and verify.extract_answer("<think>CCO") is None
    assert verify.format_score(ans("CCO")) == 1.0
    assert verify.format_score("<answer>CCO</answer>") == 0.5
    assert verify.format_score("CCO") == 0.0


@pytest.mark.parametrize("text,value", [("122.12", 122.12), ("122.12 g/mol", 122.12), ("-0.5", -0.5), ("3", 3.0),
                                        ("1e2", 100.0), ("nan", None), ("inf", None), ("abc", None), ("", None),
                                        ("1e999", None)])
def test_parse_number(text, value):
    assert verify.parse_number(text) == value


def test_parse_formula_ignores_order_and_compares_charge():
    assert verify.parse_formula("C7H6O2") == verify.parse_formula("H6C7O2")
    assert verify.parse_formula("CH4") == ((("C", 1), ("H", 4)), 0)
    assert verify.parse_formula("C2H3O2-") == ((("C", 2), ("H", 3), ("O", 2)), -1)
    assert verify.parse_formula("C2H3O2-") != verify.parse_formula("C2H3O2")
    assert verify.parse_formula("c7h6o2") is None and verify.parse_formula("7C") is None


def test_tanimoto_matches_rdkit_on_every_fingerprint():
    a, b = Chem.MolFromSmiles("OC(=O)c1ccccc1"), Chem.MolFromSmiles("Oc1ccccc1")
    ia, ib = analyse_local("OC(=O)c1ccccc1"), analyse_local("Oc1ccccc1")
    morgan = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    rdk = rdFingerprintGenerator.GetRDKitFPGenerator(fpSize=2048)
    want = {"morgan": DataStructs.TanimotoSimilarity(morgan.GetFingerprint(a), morgan.GetFingerprint(b)),
            "maccs": DataStructs.TanimotoSimilarity(MACCSkeys.GenMACCSKeys(a), MACCSkeys.GenMACCSKeys(b)),
            "rdkit": DataStructs.TanimotoSimilarity(rdk.GetFingerprint(a), rdk.GetFingerprint(b))}
    for kind, value in want.items():
        assert verify.similarity(ia, ib, kind) == pytest.approx(value)
        assert 0 < value < 1
    assert verify.tanimoto((1, 2, 3), (2, 3, 4)) == 0.5 and verify.tanimoto((), ()) == 0.0


def test_exact_match_by_smiles_inchikey_and_largest_fragment():
    a, b = analyse_local("OCC"), analyse_local("C(O)C")
    assert verify.same_molecule(a, b) and verify.same_molecule(a, b, by="inchikey")
    salt, acid = analyse_local("O=C([O-])c1ccccc1.[Na+]"), analyse_local("O=C([O-])c1ccccc1")
    assert not verify.same_molecule(salt, acid)
    assert verify.same_molecule(salt, acid, largest_fragment=True)
    assert verify.same_molecule(salt, acid, by="inchikey", largest_fragment=True)
    # tautomers share an InChIKey but not a canonical SMILES
    keto, enol = analyse_local("CC(=O)C"), analyse_local("CC(O)=C")
    assert not verify.same_molecule(keto, enol)


def test_constraints():
    info = analyse_local("O=[N+]([O-])c1ccc(O)cc1")
    got = verify.constraint_results(info, {"formula": "C6H5NO3", "groups": ["nitro", "phenol"], "max_heavy_atoms": 10,
                                           "rings": 1, "scaffold": "c1ccccc1", "absent_groups": ["ester"]})
    assert got == {"formula": True, "groups": True, "max_heavy_atoms": True, "rings": True, "scaffold": True,
                   "absent_groups": True}
    assert verify.constraint_results(info, {"max_heavy_atoms": 9, "groups": ["amide"]}) == {
        "max_heavy_atoms": False, "groups": False}
    with pytest.raises(ValueError):
        verify.constraint_results(info, {"colour": "red"})


def ex(task, answer, constraints=None, tolerance=0.0):
    return {"task": task, "answer": answer, "constraints": json.dumps(constraints) if constraints else "",
            "tolerance": tolerance}


@pytest.mark.parametrize("text,example,correct,reason", [
    (ans("C7H6O2"), ex("formula", "C7H6O2"), True, ""),
    (ans("C7H6O"), ex("formula", "C7H6O2"), False, "wrong_formula"),
    (ans("benzoic"), ex("formula", "C7H6O2"), False, "not_a_formula"),
    (ans("122.5"), ex("mw", "122.12", tolerance=1.0), True, ""),
    (ans("124"), ex("mw", "122.12", tolerance=1.0), False, "out_of_tolerance"),
    (ans("many"), ex("rings", "2"), False, "not_a_number"),
    (ans("Yes."), ex("group", "yes"), True, ""),
    (ans("maybe"), ex("group", "yes"), False, "not_yes_no"),
    (ans("OCC"), ex("canonical", "CCO"), True, ""),
    (ans("CCN"), ex("canonical", "CCO"), False, "wrong_molecule"),
    (ans("C1CC"), ex("text2mol", "CCO"), False, "invalid_smiles:unparsable"),
    (ans("CCCCCO"), ex("design", "CCO", {"formula": "C5H12O"}), True, ""),
    (ans("CCCCO"), ex("design", "CCO", {"formula": "C5H12O", "max_heavy_atoms": 9}), False, "constraint:formula"),
    (ans("A molecule, with C2H6O."), ex("caption", "a molecule with c2h6o"), True, ""),
    ("no tags", ex("caption", "x"), False, "caption_differs"),  # read as the answer (core's one rule)
    ("<think>only reasoning</think>", ex("caption", "x"), False, "no_answer"),
])
def test_check_gives_a_reason_for_every_failure(text, example, correct, reason):
    v = verify.check(text, example)
    assert v.correct is correct and v.reason == reason


def test_molreasoner_score_by_hand():
    assert verify.molreasoner_score(verify.check(ans("OCC"), ex("text2mol", "CCO"))) == 2.0
    assert verify.molreasoner_score(verify.check(ans("C1CC"), ex("text2mol", "CCO"))) == 0.0
    v = verify.check(ans("Oc1ccccc1"), ex("text2mol", "OC(=O)c1ccccc1"), need={"fps"})  # alone, not via a warm cache
    sims = [verify.similarity(v.pred, v.gold, k) for k in ("morgan", "maccs", "rdkit")]
    assert verify.molreasoner_score(v) == pytest.approx(0.5 + 1.5 * sum(sims) / 3)
    assert 0.5 < verify.molreasoner_score(v) < 2.0


@pytest.mark.parametrize("smiles", ["[Co]", "[B]", "[7Li]", "[Sm+3]", "Cl[Pb]Cl", "[O]", "[O][O]", "[CH3]"])
def test_a_target_identical_to_a_radical_gold_is_correct(smiles):
    """Issue 27: 17 of ChEBI-20's 3,300 test molecules (metals, radical species) could never be scored correct:
    the verdict refused radicals even when the gold had them. Radicals are now judged against the gold."""
    from r1_foundry.domains.chem import verify

    v = verify.check(f"<think>t</think><answer>{smiles}</answer>", {"task": "text2mol", "answer": smiles})
    assert v.correct and v.reason == ""
    # a radical answer to a gold without radicals is still refused as unreasonable
    w = verify.check(f"<think>t</think><answer>{smiles}</answer>", {"task": "text2mol", "answer": "CCO"})
    assert not w.correct and w.reason == "invalid_smiles:radicals"
