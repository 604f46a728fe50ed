"""The wheel as users install it: built from this tree, installed into a fresh virtual
environment (the project's dependencies come from the test environment's site-packages through a
.pth path, which does not carry its editable install), then used: the import names are
``r1_foundry.core`` / ``r1_foundry.domains`` and nothing named ``core`` or ``domains`` is installed,
recipes, suites and accelerate configs travel as package data, the CLI validates every domain's
recipes, and the SQL reward runs through its sandbox worker process (which imports the wheel's
code under ``python -I``)."""

import glob
import json
import os
import site
import subprocess
import sys
import venv
import zipfile

import pytest

from r1_foundry.core.schema.domain import names

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp), ROOT],
                   check=True, capture_output=True, text=True, timeout=300)
    (whl,) = glob.glob(str(tmp / "r1_foundry-*.whl"))
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    target = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    deps = [p for p in site.getsitepackages() if os.path.isdir(p)]
    with open(os.path.join(target, "_r1_test_deps.pth"), "w") as fh:
        fh.write("\n".join(deps) + "\n")  # plain paths: the editable install's own .pth is not run
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "-q", "--target", target, whl],
                   check=True, capture_output=True, text=True, timeout=300)
    return whl, py, env_dir


def test_wheel_holds_only_r1_foundry_with_its_data(wheel_env):
    whl, _, _ = wheel_env
    files = zipfile.ZipFile(whl).namelist()
    tops = {f.split("/")[0] for f in files if not f.split("/")[0].endswith(".dist-info")}
    assert tops == {"r1_foundry"}, tops
    for d in names():
        assert f"r1_foundry/domains/{d}/recipes/default.yaml" in files
        assert any(f.startswith(f"r1_foundry/domains/{d}/suites/") and f.endswith(".yaml") for f in files)
    assert "r1_foundry/core/accelerate/ddp.yaml" in files
    assert not any(f.startswith("r1_foundry/__init__") for f in files)  # a namespace package


def test_installed_wheel_runs(wheel_env, tmp_path):
    _, py, env_dir = wheel_env
    probe = ("import importlib.util, r1_foundry.core as c; "
             "print(c.__file__); print(importlib.util.find_spec('core'), importlib.util.find_spec('domains'))")
    res = subprocess.run([str(py), "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert res.returncode == 0, res.stderr
    where, specs = res.stdout.splitlines()
    assert where.startswith(str(env_dir)) and specs == "None None"
    foundry = str(env_dir / "bin" / "python")
    res = subprocess.run([foundry, "-m", "r1_foundry.core.cli", "ls", "--names"], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert res.returncode == 0 and res.stdout.split() == names(), res.stderr
    res = subprocess.run([foundry, "-m", "r1_foundry.core.cli", "sql", "validate"], capture_output=True, text=True,
                         cwd=tmp_path, timeout=300)
    assert res.returncode == 0 and res.stdout.count("ok ") >= 3, res.stdout + res.stderr
    import sqlite3

    db = tmp_path / "t.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (x INTEGER)")
    con.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
    con.commit()
    con.close()
    (tmp_path / "ex.jsonl").write_text(json.dumps({"gold_sql": "SELECT x FROM t", "db_path": str(db)}) + "\n" * 1
                                       + json.dumps({"gold_sql": "SELECT x FROM t", "db_path": str(db)}) + "\n")
    (tmp_path / "c.jsonl").write_text(json.dumps({"completion": "<think>t</think><answer>SELECT x FROM t</answer>"})
                                      + "\n" + json.dumps({"completion": "<answer>SELECT 1</answer>"}) + "\n")
    res = subprocess.run([foundry, "-m", "r1_foundry.core.cli", "sql", "reward", "--examples", "ex.jsonl",
                          "--completions", "c.jsonl", "--out", "s.jsonl", "--rewards", "sql/execution=1"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    rows = [json.loads(line) for line in (tmp_path / "s.jsonl").read_text().splitlines()]
    assert [r["sql/execution"] for r in rows] == [1.0, 0.0]
