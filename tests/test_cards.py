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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOMAINS = ("sql", "chem", "medical", "finance", "safety", "legal")


@pytest.mark.parametrize("domain", DOMAINS)
def test_committed_card_matches_its_results(domain):
    folder = os.path.join(ROOT, "cards", domain)
    for f in ("README.md", "results.json", "recipe.yaml", "run.json", "audit.json", "audit.md", "reward_curve.png"):
        assert os.path.isfile(os.path.join(folder, f)), f"cards/{domain}/{f} missing: run `make cards`"
    card = ModelCard.load(os.path.join(folder, "README.md"))
    results = json.load(open(os.path.join(folder, "results.json")))["stages"]
    recipe = yaml.safe_load(open(os.path.join(folder, "recipe.yaml")))
    assert recipe["domain"] == domain
    stages = [s["name"] for s in recipe["stages"]]
    assert list(results) == stages

    parsed = {}
    for r in card.data.eval_results:
        metric, stage = r.metric_name.rsplit(" [", 1)
        parsed[(stage.rstrip("]"), metric)] = r.metric_value
        assert r.task_name == domain  # huggingface_hub groups results by task: the stage is in the metric name
    assert {s for s, _ in parsed} == set(stages)
    want = {(s, m): round(float(v), 6) for s, res in results.items() for m, v in res["metrics"].items() if v is not None}
    assert parsed == want
    for image in ("reward_curve.png",):  # the card's pictures travel with it
        assert f"({image})" in open(os.path.join(folder, "README.md")).read()
    assert json.load(open(os.path.join(folder, "audit.json")))["findings"] == []


def test_readme_tables_come_from_the_cards():
    res = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "readme_tables.py"), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
