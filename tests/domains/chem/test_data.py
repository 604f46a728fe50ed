"""Builders: synthetic tasks split by scaffold (every gold answer verifies), ChEBI-20 and property tables."""

import json

import pytest

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.domains.chem import data, evals


@pytest.fixture(scope="module")
def synth():
    return data.build_synthetic(limit=600, test_per_task=3, val_per_task=1, seed=1)


def test_splits_and_scaffolds_are_disjoint(synth):
    assert set(synth) == {"train", "rl", "val", "test"}
    train = set(synth["train"]["scaffold"])
    assert not train & set(synth["test"]["scaffold"]) and not train & set(synth["val"]["scaffold"])
    assert set(synth["test"]["template"]) == set(data.QUESTIONS)
    assert len(set(synth["train"]["task"])) == len({"design" if t.startswith("design") else t for t in data.QUESTIONS})


def test_every_gold_completion_verifies(synth):
    for split in ("train", "test"):
        for example in synth[split].select(range(min(300, len(synth[split])))):
            row = evals.score(example, example["completion"][0]["content"])
            assert row["correct"] == 1.0, (example["template"], example["prompt"], row["reason"])


def test_scaffold_split_keeps_groups_whole():
    smiles = [f"m{i}" for i in range(100)]
    scaffolds = ["big"] * 40 + [f"s{i // 5}" for i in range(60)]
    idx = data.scaffold_split(smiles, scaffolds, test=0.1, val=0.1, seed=0, max_group=0.2)
    assert sorted(sum(idx.values(), [])) == list(range(100))
    assert set(range(40)) <= set(idx["train"])
    for split in idx.values():
        for other in idx.values():
            if split is not other:
                assert not {scaffolds[i] for i in split} & {scaffolds[i] for i in other}


CHEBI = ("CID\tSMILES\tdescription\n"
         "702\tCCO\tThe molecule is a primary alcohol that is ethane substituted by a \"hydroxy\" group.\n"
         "243\tOC(=O)c1ccccc1\tThe molecule is a compound comprising a benzene ring with a carboxylic acid.\n"
         "999\tC(C)(C)(C)(C)C\tThe molecule is impossible.\n"
         "1000\t" + "C" * 20000 + "\tThe molecule is a chain that crashes RDKit in-process.\n")


def test_chebi20_loader(tmp_path):
    (tmp_path / "test.txt").write_text(CHEBI)
    (tmp_path / "train.txt").write_text(CHEBI)
    ds = data.load_chebi20(path=str(tmp_path), max_drop=0.5)  # the fixture's 2 of 4 bad rows: over the 5 % default
    assert set(ds) == {"train", "test"} and len(ds["test"]) == 4  # 2 valid rows x 2 directions
    t2m = [r for r in ds["test"] if r["task"] == "text2mol"]
    assert t2m[0]["answer"] == "CCO" and '"hydroxy"' in t2m[0]["prompt"][0]["content"]
    cap = [r for r in ds["test"] if r["task"] == "caption"]
    assert cap[1]["answer"].startswith("The molecule is a compound")
    only = data.load_chebi20(path=str(tmp_path / "test.txt"), direction="text2mol", max_drop=0.5)
    assert set(only) == {"test"} and set(only["test"]["task"]) == {"text2mol"}


@pytest.mark.parametrize("text,message", [
    ("CID\tSMILES\n1\tCCO\n", "test.txt:1: header lacks column"),
    ("CID\tSMILES\tdescription\n1\tCCO\tok\n2\tCCO\n", "test.txt:3: 2 tab-separated fields"),
    ("", "empty file"),
])
def test_chebi20_bad_files(tmp_path, text, message):
    (tmp_path / "test.txt").write_text(text)
    with pytest.raises(FoundryError, match=message):
        data.load_chebi20(path=str(tmp_path))


def test_chebi20_missing_path(tmp_path):
    with pytest.raises(FoundryError, match="no train.txt"):
        data.load_chebi20(path=str(tmp_path))
    with pytest.raises(FoundryError, match="direction"):
        data.load_chebi20(path=str(tmp_path), direction="sideways")


def test_property_loader_csv_and_jsonl(tmp_path):
    csv_path = tmp_path / "sol.csv"
    csv_path.write_text("smiles,logS\nCCO,1.1\nc1ccccc1,-1.64\nOC(=O)c1ccccc1,-1.55\nCCCC,-2.6\n")
    ds = data.load_property(path=str(csv_path), column="logS", name="aqueous solubility", test_fraction=0.3,
                            val_fraction=0.0)
    rows = [r for split in ds.values() for r in split]
    assert len(rows) == 4 and all(r["task"] == "property" for r in rows)
    assert "aqueous solubility" in rows[0]["prompt"][0]["content"]
    jsonl = tmp_path / "sol.jsonl"
    jsonl.write_text("\n".join(json.dumps({"smi": s, "y": v}) for s, v in [("CCO", 1), ("CCN", 2)]))
    ds = data.load_property(path=str(jsonl), column="y", smiles_column="smi", test_fraction=0.0, val_fraction=0.0)
    assert sum(len(s) for s in ds.values()) == 2


@pytest.mark.parametrize("text,message", [
    ("smiles,logS\nCCO,abc\n", r"sol.csv:2: logS='abc' is not a number"),
    ("smiles,logS\nCCO,1\nC1CC,2\n", r"sol.csv:3: SMILES 'C1CC' is not a valid molecule"),
    ("smi,logS\nCCO,1\n", r"sol.csv:2: missing column 'smiles'"),
    ("smiles,logS\nCCO,1\n" + "C" * 6000 + ",2\n", r"sol.csv:3: SMILES 'CCCC.*\.\.\.' is not a valid molecule \(too_long\)"),
    ("smiles,logS\nCCO,inf\n", r"sol.csv:2: logS='inf' is not a finite number"),
])
def test_property_loader_errors_name_the_line(tmp_path, text, message):
    path = tmp_path / "sol.csv"
    path.write_text(text)
    with pytest.raises(FoundryError, match=message):
        data.load_property(path=str(path), column="logS")


def test_unknown_task_is_named():
    with pytest.raises(FoundryError, match="unknown task"):
        data.build_synthetic(tasks=["smell"], limit=50)


def test_check_example():
    ok = data.check_example({"task": "design", "answer": "CCO", "constraints": {"formula": "C2H6O"}}, "f:1", ".")
    assert json.loads(ok["constraints"]) == {"formula": "C2H6O"}
    for bad, msg in [({"task": "smell", "answer": "x"}, "task"), ({"task": "mw"}, "answer"),
                     ({"task": "mw", "answer": "heavy"}, "numeric"),
                     ({"task": "design", "answer": "C", "constraints": "{bad"}, "constraints"),
                     ({"task": "design", "answer": "C", "constraints": {"colour": 1}}, "constraints")]:
        with pytest.raises(FoundryError, match=msg):
            data.check_example(bad, "f:1", ".")


def test_chebi_build_that_drops_too_many_rows_stops(tmp_path):
    """Issue 27, the rule for every builder: keeping nothing, or leaving out more than 5 % of a file's rows, stops."""
    from r1_foundry.core.util.errors import FoundryError
    from r1_foundry.domains.chem.data import load_chebi20

    f = tmp_path / "test.txt"
    f.write_text("CID\tSMILES\tdescription\n1\tCCO\tThe molecule is ethanol.\n2\tC1CC\tbroken ring\n"
                 "3\tXyz\tnot a molecule\n")
    with pytest.raises(FoundryError, match=r"test.txt: left out 2 of 3 rows \(SMILES RDKit cannot sanitise; --arg max_drop"):
        load_chebi20(path=str(f))
    f.write_text("CID\tSMILES\tdescription\n2\tC1CC\tbroken ring\n")
    with pytest.raises(FoundryError, match="kept none of 1 rows"):
        load_chebi20(path=str(f))
