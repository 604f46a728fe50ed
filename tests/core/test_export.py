"""``foundry <domain> export``: the exported entry points, called as verl and OpenRLHF call them,
give the numbers ``foundry <domain> reward`` gives, in every domain (neither engine installed)."""

import importlib.util
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from r1_foundry.core.answers.text import completion_text
from r1_foundry.core.cli.app import build_root
from r1_foundry.core.data.datasets import build_data, load_data
from r1_foundry.core.schema.domain import discover, get_domain
from r1_foundry.core.schema.recipe import load_recipe

DOMAINS = sorted(discover())


def _module(path):
    """How verl (and OpenRLHF) load a reward file: by path, as a fresh module."""
    spec = importlib.util.spec_from_file_location("custom_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _completions(row, other):
    gold = completion_text(row["completion"]) if row.get("completion") else ""
    return [gold, "", "<think>no idea</think><answer>nothing</answer>", other]


@pytest.mark.parametrize("name", DOMAINS)
def test_exported_rewards_equal_the_reward_verb(name, tmp_path):
    domain = get_domain(name)
    recipe = load_recipe(domain.recipe_path("default"), [], "smoke")
    if not any(s.kind == "grpo" for s in recipe.stages):  # SQL's default is SFT -> self-DPO: export finds 'grpo'
        recipe = load_recipe(domain.recipe_path("grpo"), [], "smoke")
    data = build_data(domain, recipe.data.builder, dict(recipe.data.args), str(tmp_path / "run"))
    grpo = next(s for s in recipe.stages if s.kind == "grpo")
    source = list(load_data(data)[grpo.split])
    runner = CliRunner()
    outs = {}
    for fmt in ("verl", "openrlhf"):
        outs[fmt] = tmp_path / fmt
        res = runner.invoke(build_root(), [name, "export", "--format", fmt, "--preset", "smoke", "--data", data,
                                           "--out", str(outs[fmt])])
        assert res.exit_code == 0, res.output

    table = pd.read_parquet(outs["verl"] / "train.parquet")
    assert list(table.columns) == ["data_source", "prompt", "ability", "reward_model", "extra_info"]
    assert len(table) == len(source)
    rows = table.head(6).to_dict("records")
    comps, truths = [], []
    for i, row in enumerate(rows):
        assert row["reward_model"]["style"] == "rule" and row["data_source"] == f"r1foundry/{name}"
        assert [m["content"] for m in row["prompt"]] == [m["content"] for m in source[i]["prompt"]]
        for c in _completions(source[i], completion_text(source[(i + 1) % len(source)]["completion"])):
            comps.append(c)
            truths.append((row, c))

    verl = _module(outs["verl"] / "reward_verl.py")
    got = [verl.compute_score(data_source=r["data_source"], solution_str=c, ground_truth=r["reward_model"]["ground_truth"],
                              extra_info=r["extra_info"]) for r, c in truths]
    assert not hasattr(verl, "compute_score_batch")  # verl 0.9 has no batch reward manager to serve

    # the reward verb on the same examples (written next to the export, so relative files resolve)
    ex_file, comp_file = outs["verl"] / "examples.jsonl", outs["verl"] / "completions.jsonl"
    ex_file.write_text("".join(json.dumps(json.loads(r["reward_model"]["ground_truth"])) + "\n" for r, _ in truths))
    comp_file.write_text("".join(json.dumps({"completion": c}) + "\n" for c in comps))
    spec = grpo.rewards if isinstance(grpo.rewards, str) else ",".join(
        f"{x['name']}={x.get('weight', 1.0)}" for x in verl.SPEC)
    res = runner.invoke(build_root(), [name, "reward", "--examples", str(ex_file), "--completions", str(comp_file),
                                       "--rewards", spec, "--out", str(tmp_path / "scores.jsonl")])
    assert res.exit_code == 0, res.output
    want = [json.loads(line)["total"] for line in open(tmp_path / "scores.jsonl")]
    assert got == want
    assert max(want) > min(want)  # the gold and the junk score differently: the check can fail

    # OpenRLHF: queries are prompt + response as decoded text
    lines = [json.loads(line) for line in open(outs["openrlhf"] / "train.jsonl")][:len(rows)]
    assert all(set(x) == {"input", "label"} for x in lines)
    oprl = _module(outs["openrlhf"] / "reward_openrlhf.py")
    prompts = ["<|user|>" + line["input"][-1]["content"] + "<|assistant|>" for line in lines for _ in range(4)]
    labels = [line["label"] for line in lines for _ in range(4)]
    result = oprl.reward_func([p + c for p, c in zip(prompts, comps, strict=True)], prompts, labels)
    assert set(result) == {"rewards", "scores", "extra_logs"}
    assert result["rewards"].tolist() == pytest.approx(want, abs=1e-5)
    assert all(0.0 <= s <= 1.0 for s in result["scores"].tolist())
    # as OpenRLHF calls it: one sample at a time, decoded with skip_special_tokens=False (EOS at the end);
    # every call logs the same keys, whatever applied to its row
    one = [oprl.reward_func([p + c + "<|im_end|>"], [p], [lab]) for p, c, lab in zip(prompts, comps, labels, strict=True)]
    assert [o["rewards"].item() for o in one] == pytest.approx(want, abs=1e-5)
    keys = {tuple(sorted(o["extra_logs"])) for o in one}
    assert len(keys) == 1 and set(next(iter(keys))) >= {x["name"] for x in oprl.SPEC}

    # `foundry <d> reward` without --rewards scores with the rewards export froze
    res = runner.invoke(build_root(), [name, "reward", "--examples", str(ex_file), "--completions", str(comp_file),
                                       "--out", str(tmp_path / "default.jsonl")])
    assert res.exit_code == 0, res.output
    assert [json.loads(line)["total"] for line in open(tmp_path / "default.jsonl")] == want


def test_export_errors(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(build_root(), ["sql", "export", "--format", "trlx", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "verl, openrlhf" in bad.output
    missing = runner.invoke(build_root(), ["sql", "export", "--format", "verl", "--data", str(tmp_path / "none"),
                                           "--out", str(tmp_path / "o")])
    assert missing.exit_code == 2 and "no dataset here" in missing.output


HOSTILE = ['e"""+str(__import__("os").system("touch PWNED"))+"""', "exp\\xq", "a'b\"c", "new\nline", "{}{0}{x}", "tab\tq\\"]


def test_hostile_out_paths_stay_data_in_the_entry_points(tmp_path, monkeypatch):
    """A quote, a triple quote, a backslash, a newline or braces in --out (or the command) never
    become code: each entry point imports, runs nothing, keeps the path as data and scores alike."""
    monkeypatch.chdir(tmp_path)
    domain = get_domain("finance")
    recipe = load_recipe(domain.recipe_path("default"), [], "smoke")
    data = build_data(domain, recipe.data.builder, dict(recipe.data.args), str(tmp_path / "run"))
    runner = CliRunner()
    plain = tmp_path / "plain"
    assert runner.invoke(build_root(), ["finance", "export", "--format", "verl", "--preset", "smoke", "--data", data,
                                        "--out", str(plain)]).exit_code == 0
    row = pd.read_parquet(plain / "train.parquet").iloc[0]
    truth = row["reward_model"]["ground_truth"]
    want = [_module(plain / "reward_verl.py").compute_score("d", c, truth) for c in ("", "<answer>1</answer>")]
    for i, name in enumerate(HOSTILE):
        for fmt in ("verl", "openrlhf"):
            out = tmp_path / f"h{i}" / name
            res = runner.invoke(build_root(), ["finance", "export", "--format", fmt, "--preset", "smoke", "--data", data,
                                               "--out", str(out)])
            assert res.exit_code == 0, res.output
            module = _module(out / f"reward_{fmt}.py")
            assert module.CONFIG["out"] == str(out.resolve()) and name in module.CONFIG["command"]
            if fmt == "verl":
                assert [module.compute_score("d", c, truth) for c in ("", "<answer>1</answer>")] == want
            else:
                got = module.reward_func(["", "<answer>1</answer>"], ["", ""], [truth, truth])["rewards"].tolist()
                assert got == pytest.approx(want)
    assert not list(tmp_path.rglob("PWNED")) and not (tmp_path / "PWNED").exists()


def test_export_copies_only_declared_file_columns(tmp_path):
    """A column that names some file (/etc/hostname, a secret beside the data) is not copied into
    OUT/files; the declared column (SQL's db_path) is, and only when it is that kind of file."""
    from datasets import DatasetDict

    domain = get_domain("sql")
    recipe = load_recipe(domain.recipe_path("grpo"), [], "smoke")
    data = build_data(domain, recipe.data.builder, dict(recipe.data.args), str(tmp_path / "run"))
    secret = tmp_path / "secret.txt"
    secret.write_text("do not copy")
    ds = load_data(data)
    ds = DatasetDict({k: v.add_column("note", [str(secret)] * len(v)) for k, v in ds.items()})
    tampered = str(tmp_path / "tampered")
    ds.save_to_disk(tampered)
    runner = CliRunner()
    out = tmp_path / "out"
    res = runner.invoke(build_root(), ["sql", "export", "--format", "openrlhf", "--recipe", "grpo", "--preset", "smoke",
                                       "--data", tampered, "--out", str(out)])
    assert res.exit_code == 0, res.output
    copied = sorted(p.name for p in (out / "files").iterdir())
    assert copied and all(name.endswith(".sqlite") for name in copied) and "secret.txt" not in copied
    label = json.loads(json.loads(open(out / "train.jsonl").readline())["label"])
    assert label["note"] == str(secret) and label["db_path"].startswith("files/")

    bad = DatasetDict({k: v.map(lambda ex: {"db_path": str(secret)}) for k, v in ds.items()})
    bad_dir = str(tmp_path / "bad")
    bad.save_to_disk(bad_dir)
    res = runner.invoke(build_root(), ["sql", "export", "--format", "openrlhf", "--recipe", "grpo", "--preset", "smoke",
                                       "--data", bad_dir, "--out", str(tmp_path / "out2")])
    assert res.exit_code == 2 and "db_path" in res.output and "row 0" in res.output
