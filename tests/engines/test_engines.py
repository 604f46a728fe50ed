"""Issue 26: our exports through verl's and OpenRLHF's own code, on the releases the README names, with the
README's commands as written. Each engine runs in a subprocess over its own --no-deps install (env.py); every
number is compared with `foundry <domain> reward` on the same rows and completions."""

import json
import os
import re
import shlex
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from r1_foundry.core.answers.text import completion_text
from r1_foundry.core.cli.app import build_root
from r1_foundry.core.data.datasets import build_data, corpus, load_data
from r1_foundry.core.modeling.models import train_tokenizer
from r1_foundry.core.schema.domain import discover, get_domain
from r1_foundry.core.schema.recipe import load_recipe

from . import env

pytestmark = pytest.mark.slow  # about 2-3 minutes on 2 cores, the engines' install included

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOMAINS = sorted(discover())
ROWS = 8  # rows per domain, spread over its tasks
JUNK = ["", "<think>no idea</think><answer>nothing</answer>"]


def readme_commands() -> dict[str, list[str]]:
    """The README's verl and OpenRLHF command lines, as written (continuations joined, comments dropped)."""
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = text[text.index("**verl and OpenRLHF.**"):text.index("**Reward-hacking audit.**")]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    commands = {}
    for block in blocks:
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("python -m verl."):
                commands["verl"] = shlex.split(line)[3:]
            elif line.startswith("python -m openrlhf."):
                commands["openrlhf"] = shlex.split(line)[3:]
    assert set(commands) == {"verl", "openrlhf"}, "the README lost an engine's command"
    return commands


def _fill(args: list[str], out: str, model: str) -> list[str]:
    return [a.replace("DIR", out).replace("MODEL", model) for a in args]


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """Per domain: the smoke data, a tokenizer with a chat template, both exports, and the cases (row, completion):
    each picked row's own gold, another row's gold and junk; rows spread over tasks so micro-batches mix them."""
    out = {}
    runner = CliRunner()
    for name in DOMAINS:
        domain = get_domain(name)
        recipe_name = "default"
        recipe = load_recipe(domain.recipe_path(recipe_name), [], "smoke")
        if not any(s.kind == "grpo" for s in recipe.stages):
            recipe_name = "grpo"
            recipe = load_recipe(domain.recipe_path(recipe_name), [], "smoke")
        tmp = tmp_path_factory.mktemp(f"eng-{name}")
        data = build_data(domain, recipe.data.builder, dict(recipe.data.args), str(tmp / "run"))
        ds = load_data(data)
        tok = str(tmp / "tok")
        train_tokenizer(corpus(ds["train"]), vocab_size=1024, out_dir=tok)
        grpo = next(s for s in recipe.stages if s.kind == "grpo")
        rows = list(ds[grpo.split])
        for fmt in ("verl", "openrlhf"):
            res = runner.invoke(build_root(), [name, "export", "--format", fmt, "--recipe", recipe_name, "--preset",
                                               "smoke", "--data", data, "--out", str(tmp / fmt)])
            assert res.exit_code == 0, res.output
        by_task: dict = {}
        for i, r in enumerate(rows):
            by_task.setdefault(r.get("task"), []).append(i)
        picked = []
        while len(picked) < min(ROWS, len(rows)):
            for group in by_task.values():
                if group and len(picked) < ROWS:
                    picked.append(group.pop(0))
        golds = [completion_text(rows[i].get("completion")) if rows[i].get("completion") else "" for i in picked]
        cases = []
        for k, i in enumerate(picked):
            for c in [golds[k], golds[(k + 1) % len(golds)], JUNK[k % 2]]:
                cases.append([i, c])
        labels = [json.loads(line)["label"] for line in open(tmp / "openrlhf" / "train.jsonl")]
        out[name] = {"dir": tmp, "tok": tok, "cases": cases, "labels": labels, "recipe": recipe_name,
                     "tasks": {rows[i].get("task") for i in picked}}
    return out


def reward_verb(name: str, folder, labels: list[str], completions: list[str], recipe: str) -> list[float]:
    """`foundry <d> reward` without --rewards (the recipe's GRPO rewards, which export froze)."""
    ex, comp, scores = folder / "ex.jsonl", folder / "comp.jsonl", folder / "scores.jsonl"
    ex.write_text("".join(json.dumps(json.loads(lab)) + "\n" for lab in labels))
    comp.write_text("".join(json.dumps({"completion": c}) + "\n" for c in completions))
    res = CliRunner().invoke(build_root(), [name, "reward", "--examples", str(ex), "--completions", str(comp),
                                            "--recipe", recipe, "--out", str(scores)])
    assert res.exit_code == 0, res.output
    return [json.loads(line)["total"] for line in open(scores)]


def test_readme_commands_are_the_tested_ones():
    cmds = readme_commands()
    assert "reward.custom_reward_function.path=DIR/reward_verl.py" in cmds["verl"]
    assert not any(a.startswith("custom_reward_function.") for a in cmds["verl"])  # 0.9.1 ignores the legacy keys
    assert "--reward.remote_url" in cmds["openrlhf"] and "--remote_rm_url" not in cmds["openrlhf"]


def run_jobs(script: str, jobs: list[dict], tmp_path):
    """One engine process for every job (the engines import once); its exit status must be 0."""
    job_file = tmp_path / "jobs.json"
    job_file.write_text(json.dumps(jobs))
    proc = env.run(script, str(job_file))
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


def engine_results(engine: str, exports, tmp_path, **job) -> dict:
    """Every domain's export through ``engine`` ("verl": the README's overrides; "openrlhf": its argv) with
    the same cases; the check script's output per domain."""
    args, script = {"verl": ("overrides", "verl_check.py"), "openrlhf": ("argv", "openrlhf_check.py")}[engine]
    command = readme_commands()[engine]
    run_jobs(script, [{args: _fill(command, str(e["dir"] / engine), e["tok"]), "tokenizer": e["tok"],
                       "cases": e["cases"], "out": str(tmp_path / f"{name}.json"), **job}
                      for name, e in exports.items()], tmp_path)
    return {name: json.load(open(tmp_path / f"{name}.json")) for name in exports}


def test_verl_scores_through_its_reward_loop(exports, tmp_path):
    results = engine_results("verl", exports, tmp_path)
    for name, e in exports.items():
        got = results[name]
        assert got["manager"] == "naive" and got["path"].endswith("reward_verl.py")
        comps = [c for _, c in e["cases"]]
        assert sum(d == c for d, c in zip(got["decoded"], comps, strict=True)) >= len(comps) - 2, name  # tokenizer round trip
        want = reward_verb(name, e["dir"] / "verl", [e["labels"][i] for i, _ in e["cases"]], got["decoded"], e["recipe"])
        assert got["scores"] == want, name
        assert max(want) > min(want), name  # golds and junk differ: the comparison can fail


def test_openrlhf_scores_through_its_agent_executor(exports, tmp_path):
    results = engine_results("openrlhf", exports, tmp_path, micro_batch=4)
    for name, e in exports.items():
        got = results[name]
        assert got["input_key"] == "input" and got["label_key"] == "label"
        assert all(q.endswith(("<|im_end|>", "</s>", "<|endoftext|>")) for q in got["queries"])  # EOS reached us
        assert got["micro_batches"] == -(-len(e["cases"]) // 4)
        assert len({tuple(k) for k in got["extra_keys"]}) == 1, name  # one key set in every call
        want = reward_verb(name, e["dir"] / "openrlhf", [e["labels"][i] for i, _ in e["cases"]],
                           [c for _, c in e["cases"]], e["recipe"])
        assert got["rewards"] == pytest.approx(want, abs=1e-5), name
        assert all(0.0 <= s <= 1.0 for s in got["scores"])


def test_openrlhf_reward_error_reaches_the_user(exports, tmp_path):
    """A label naming a missing database: OpenRLHF logs the exception at INFO and scores None; our line is on stderr."""
    e = exports["sql"]
    folder = e["dir"] / "openrlhf"
    bad = json.loads(e["labels"][0])
    bad["db_path"] = "files/missing.sqlite"
    lines = [json.loads(line) for line in open(folder / "train.jsonl")]
    lines[0]["label"] = json.dumps(bad)
    broken = tmp_path / "broken.jsonl"
    broken.write_text("".join(json.dumps(x) + "\n" for x in lines))
    argv = _fill(readme_commands()["openrlhf"], str(folder), e["tok"])
    argv[argv.index("--data.prompt_dataset") + 1] = str(broken)
    proc = run_jobs("openrlhf_check.py", [{"argv": argv, "tokenizer": e["tok"], "micro_batch": 0,
                                           "cases": [[0, "<answer>SELECT 1</answer>"]], "out": str(tmp_path / "out.json")}],
                    tmp_path)
    assert json.load(open(tmp_path / "out.json"))["rewards"] == [None]  # OpenRLHF's own handling
    assert "R1 Foundry reward error" in proc.stderr and "missing.sqlite" in proc.stderr


def test_exported_rewards_score_without_torch(exports, tmp_path):
    """The entry points import and score in a fresh venv holding only the worker packages the README names
    (CONFIG["install"]): no torch, transformers, TRL or datasets."""
    import venv

    wheel_dir = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(wheel_dir), ROOT],
                   check=True, capture_output=True, timeout=600)
    wheel = next(wheel_dir.glob("r1_foundry-*.whl"))
    w = tmp_path / "worker"
    venv.EnvBuilder(with_pip=True).create(w)
    py = str(w / "bin" / "python")
    reqs = set()
    for e in exports.values():
        config = open(e["dir"] / "verl" / "reward_verl.py").read()
        install = json.loads(eval_literal(config))["install"]
        reqs |= set(shlex.split(install.split("&&")[1])[2:])
    subprocess.run([py, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], check=True, timeout=600)
    subprocess.run([py, "-m", "pip", "install", "--quiet", *sorted(reqs)], check=True, timeout=900)
    script = tmp_path / "score.py"
    script.write_text(
        "import importlib.util, json, sys\n"
        "out = {}\n"
        "for name, folder, labels, comps in json.load(open(sys.argv[1])):\n"
        "    spec = importlib.util.spec_from_file_location('custom_module', folder + '/reward_verl.py')\n"
        "    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "    out[name] = [m.compute_score('x', c, lab) for c, lab in zip(comps, labels)]\n"
        "    spec = importlib.util.spec_from_file_location('reward_func', folder + '/../openrlhf/reward_openrlhf.py')\n"
        "    spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "heavy = [k for k in ('torch', 'transformers', 'trl', 'datasets', 'pandas') if k in sys.modules]\n"
        "json.dump({'scores': out, 'heavy': heavy}, open(sys.argv[2], 'w'))\n")
    jobs = [[name, str(e["dir"] / "verl"), [e["labels"][i] for i, _ in e["cases"]], [c for _, c in e["cases"]]]
            for name, e in exports.items()]
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    proc = subprocess.run([py, str(script), str(tmp_path / "jobs.json"), str(tmp_path / "out.json")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    got = json.load(open(tmp_path / "out.json"))
    assert got["heavy"] == []
    for name, _, labels, comps in jobs:
        assert got["scores"][name] == reward_verb(name, exports[name]["dir"] / "verl", labels, comps,
                                                  exports[name]["recipe"]), name
    assert subprocess.run([py, "-c", "import torch"], capture_output=True).returncode != 0  # the venv has no torch


def eval_literal(source: str) -> str:
    """The JSON text inside an entry point's ``CONFIG = json.loads(<repr'd string>)`` line (a Python literal)."""
    import ast

    line = next(x for x in source.splitlines() if x.startswith("CONFIG = json.loads("))
    return ast.literal_eval(line[len("CONFIG = json.loads("):-1])
