"""The committed model cards (cards/<domain>/, made by `make cards` from each default pipeline):
model-index metadata parses, names the recipe's stages and equals the card's results.json, and
the domain READMEs' generated tables equal what those files say."""

import json
import os
import subprocess
import sys

import pytest
import yaml
from huggingface_hub import ModelCard

from r1_foundry.core.schema.domain import names

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOMAINS = tuple(names())  # every discovered domain (a card per domain is required)
# cards/<domain>/ (the default recipe) and cards/<domain>-<recipe>/ (make_cards.sh domain:recipe)
CARDS = tuple(sorted(f for f in os.listdir(os.path.join(ROOT, "cards")) if os.path.isdir(os.path.join(ROOT, "cards", f))))


def test_every_domain_has_a_default_card_and_every_card_a_domain():
    assert set(DOMAINS) <= set(CARDS)
    for card in CARDS:
        domain, _, recipe = card.partition("-")
        assert domain in DOMAINS, card
        info = json.load(open(os.path.join(ROOT, "cards", card, "run.json")))
        assert info.get("recipe", "default") == (recipe or "default"), card


@pytest.mark.parametrize("card_dir", CARDS)
def test_committed_card_matches_its_results(card_dir):
    domain = card_dir.partition("-")[0]
    folder = os.path.join(ROOT, "cards", card_dir)
    for f in ("README.md", "results.json", "recipe.yaml", "run.json", "audit.json", "audit.md", "reward_curve.png"):
        assert os.path.isfile(os.path.join(folder, f)), f"cards/{domain}/{f} missing: run `make cards`"
    card = ModelCard.load(os.path.join(folder, "README.md"))
    results = json.load(open(os.path.join(folder, "results.json")))["stages"]
    recipe = yaml.safe_load(open(os.path.join(folder, "recipe.yaml")))
    assert recipe["domain"] == domain
    stages = [s["name"] for s in recipe["stages"]]
    assert [s for s in results if s != "base"] == stages  # base: the starting model, first when evaluated
    assert "base" not in results or next(iter(results)) == "base"

    parsed = {}
    for r in card.data.eval_results:
        metric, stage = r.metric_name.rsplit(" [", 1)
        parsed[(stage.rstrip("]"), metric)] = r.metric_value
        assert r.task_name == domain  # huggingface_hub groups results by task: the stage is in the metric name
    assert {s for s, _ in parsed} == set(results)
    want = {(s, m): round(float(v), 6) for s, res in results.items() for m, v in res["metrics"].items() if v is not None}
    assert parsed == want
    for image in ("reward_curve.png",):  # the card's pictures travel with it
        assert f"({image})" in open(os.path.join(folder, "README.md")).read()
    assert json.load(open(os.path.join(folder, "audit.json")))["findings"] == []


def test_readme_tables_come_from_the_cards():
    res = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "readme_tables.py"), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def _card_seeds():
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import card_seeds

    return card_seeds


def test_seeds_record_by_hand():
    methods = {"command": "python bench/methods.py ...", "machine": "2 CPU cores", "summary": {"primary": "correct"},
               "rows": [{"arm": "sft", "seed": s, "value": v} for s, v in ((0, 0.2), (1, 0.3), (2, 0.4))]
               + [{"arm": "sft-grpo", "seed": s, "value": v} for s, v in ((0, 0.25), (1, 0.3), (2, None))]}
    rec = _card_seeds().seeds_record(methods, [("sft", "sft"), ("grpo", "sft-grpo")], "n", "docs/x.json")
    assert rec["stages"]["sft"]["mean"] == pytest.approx(0.3) and rec["stages"]["sft"]["sd"] == pytest.approx(0.1)
    grpo = rec["stages"]["grpo"]
    assert grpo["seeds"] == [0, 1] and grpo["mean"] == pytest.approx(0.275)  # the unfinished seed 2 is left out
    assert grpo["vs_sft"]["diffs"] == pytest.approx([0.05, 0.0]) and "vs_sft" not in rec["stages"]["sft"]
    assert rec["primary"] == "correct" and rec["source"] == "docs/x.json"
    assert rec["command"] == "python bench/methods.py ..."
    methods["commands"] = ["python bench/methods.py --arms sft", "python bench/methods.py --arms sft-grpo"]  # two calls
    rec = _card_seeds().seeds_record(methods, [("sft", "sft"), ("grpo", "sft-grpo")], "n", "docs/x.json")
    assert rec["command"] == "python bench/methods.py --arms sft; then python bench/methods.py --arms sft-grpo"


SEEDED = [d for d in CARDS if os.path.isfile(os.path.join(ROOT, "cards", d, "seeds.json"))]  # the rest: one run


def test_every_metric_over_the_seed_runs(tmp_path):
    for seed, (a, b) in enumerate(((0.2, 1.0), (0.4, 3.0))):
        folder = tmp_path / f"s{seed}" / "sft-grpo" / "eval"
        folder.mkdir(parents=True)
        stage = {"metrics": {"correct": a, "parse_fail": None}, "also": {"iid": {"metrics": {"correct": b}}}}
        (folder / "results.json").write_text(json.dumps({"stages": {"grpo": stage}}))
    got = _card_seeds().every_metric(str(tmp_path), "grpo", "sft-grpo", [0, 1])
    assert got["metrics"]["correct"]["mean"] == pytest.approx(0.3) and got["metrics"]["parse_fail"]["mean"] is None
    assert got["also"]["iid"]["correct"]["values"] == [1.0, 3.0] and got["also"]["iid"]["correct"]["sd"] == pytest.approx(2 ** 0.5)


@pytest.mark.parametrize("domain", SEEDED)
def test_committed_seeds_come_from_their_methods_file(domain):
    rec = json.load(open(os.path.join(ROOT, "cards", domain, "seeds.json")))
    assert rec["source"].startswith("docs/"), "the methods file a seeds.json comes from is committed under docs/"
    methods = json.load(open(os.path.join(ROOT, rec["source"])))
    again = _card_seeds().seeds_record(methods, [(s, e["arm"]) for s, e in rec["stages"].items()], rec["note"],
                                       rec["source"])
    extra = ("metrics", "also")  # from the seeds' run folders (--runs), which are not committed: checked for agreement
    assert again == {**rec, "stages": {s: {k: v for k, v in e.items() if k not in extra} for s, e in rec["stages"].items()}}
    for e in rec["stages"].values():
        if "metrics" in e:
            assert e["metrics"][rec["primary"]]["values"] == pytest.approx(e["values"])
    results = json.load(open(os.path.join(ROOT, "cards", domain, "results.json")))["stages"]
    assert set(rec["stages"]) <= set(results) and rec["primary"] == next(iter(results.values()))["primary"]
