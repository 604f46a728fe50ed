"""User-facing text survives Rich, and a launcher whose backend is missing fails in one line."""

import ast
import importlib.util
import os

import pytest
from typer.testing import CliRunner

from r1_foundry.core.cli.app import build_root

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def test_doctor_prints_the_extras_with_their_brackets():
    res = CliRunner().invoke(build_root(), ["doctor"])
    assert res.exit_code == 0, res.output
    assert "r1-foundry[deepspeed]" in res.output or "DeepSpeed " in res.output
    assert "flash-attn" in res.output
    if importlib.util.find_spec("vllm") is None:
        assert "pip install 'r1-foundry[gpu]'" in res.output


def test_an_error_with_brackets_is_printed_whole():
    # a recipe override naming a list index: Rich markup would eat "[0]"
    res = CliRunner().invoke(build_root(), ["sql", "validate", "no[such]recipe[0]"])
    assert res.exit_code == 2
    assert "no[such]recipe[0]" in res.output
    assert "Traceback" not in res.output


def test_no_console_is_made_outside_core_ui():
    """Every module prints through core.ui's consoles (markup off), so a new Console() with
    markup on cannot slip in unnoticed."""
    offenders = []
    for top in ("core", "domains", "bench"):
        for folder, _, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                if not f.endswith(".py") or os.path.join(folder, f).endswith(os.path.join("core", "util", "ui.py")):
                    continue
                path = os.path.join(folder, f)
                tree = ast.parse(open(path, encoding="utf-8").read())
                for node in ast.walk(tree):
                    if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Console":
                        offenders.append(f"{path}:{node.lineno}")
    assert not offenders, offenders


def test_zero2_without_deepspeed_is_one_line_and_exit_2(monkeypatch, tmp_path):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "deepspeed" else real(name, *a))
    res = CliRunner().invoke(build_root(), ["sql", "train", "sft", "--launcher", "zero2", "--num-processes", "1",
                                            "--data", str(tmp_path), "--model", str(tmp_path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "pip install 'r1-foundry[deepspeed]'" in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1


@pytest.mark.parametrize("launcher", ["ddp", "fsdp2"])
def test_launchers_without_extra_backends_pass_the_check(launcher):
    from r1_foundry.core.util.launch import check_launcher

    check_launcher(launcher)


def test_a_broken_launcher_config_is_a_clear_error(tmp_path):
    from r1_foundry.core.util.errors import FoundryError
    from r1_foundry.core.util.launch import check_launcher

    bad = tmp_path / "cfg.yaml"
    bad.write_text("distributed_type: [unclosed\n")
    with pytest.raises(FoundryError, match="cfg.yaml: not a readable accelerate config"):
        check_launcher(str(bad))
