"""A fuzz test of the CLI's option values (issue 30, point 9): every option of every verb of two domains
(and the root verbs) gets hostile values one at a time, the other required options valid ones. Whatever the
value, a command ends with exit 0, 1 (a finding, a failed query) or 2 (one line), never a traceback, and
writes nothing outside the test's folder. Work that would train, generate or build data is replaced by a
sentinel: reaching it means every check before it passed (the value was accepted)."""

import json
import os

import pytest
import typer

from r1_foundry.core.cli.app import build_root

HOSTILE = ["", "nan", "-inf", "-1", "1e308", "abc", "a=b,=c", "[1,", "../..", "/", "x" * 5000, "\u202e\u0000",
           "sql/execution=1e999", "nope/missing.jsonl"]


class Reached(Exception):
    """The command got past its checks to real work."""


HEAVY = ["r1_foundry.core.pipeline.run:run_pipeline", "r1_foundry.core.stages.runner:run_stage",
         "r1_foundry.core.data.datasets:build_data", "r1_foundry.core.evaluation.runner:run_eval",
         "r1_foundry.core.evaluation.runner:evaluate", "r1_foundry.core.modeling.models:load_model",
         "r1_foundry.core.modeling.generation:generate", "r1_foundry.core.stages.merge:merge_models",
         "r1_foundry.core.rewards.audit:load_examples", "r1_foundry.core.modeling.pretrained:ensure"]


def _commands(group, path=()):
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*path, name))
        else:
            yield (*path, name), cmd


@pytest.fixture(scope="module")
def app():
    return build_root()


@pytest.fixture
def place(tmp_path, monkeypatch, shop_db):
    """A deep working folder (so '../..' stays inside tmp_path), valid files for the required options,
    and the heavy entry points replaced by Reached."""
    import importlib

    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    (work / "ex.jsonl").write_text(json.dumps({"gold_sql": "SELECT 1", "db_path": shop_db, "answer": "A"}) + "\n")
    (work / "c.jsonl").write_text(json.dumps({"completion": "<think>t</think><answer>SELECT 1</answer>"}) + "\n")
    (work / "latin1.jsonl").write_bytes(b'{"q": "caf\xe9"}\n')
    (work / "utf16.jsonl").write_bytes('{"q": "x"}\n'.encode("utf-16"))

    def reached(*a, **k):
        raise Reached

    for target in HEAVY:
        module, attr = target.split(":")
        mod = importlib.import_module(module)
        if hasattr(mod, attr):
            monkeypatch.setattr(mod, attr, reached)
    return work


VALID = {"--examples": "ex.jsonl", "--completions": "c.jsonl", "--db": None, "--sql": "SELECT 1",
         "--predictions": "c.jsonl"}


def _valid(opt: str, work, shop_db) -> str:
    if opt == "--db":
        return shop_db
    if opt == "--out":
        return str(work / "fresh-out")
    return VALID.get(opt, "nope")


def _snapshot(root) -> set:
    return {os.path.join(r, f) for r, ds, fs in os.walk(root) for f in fs + ds}


@pytest.mark.slow  # about 25 s on 2 cores (about 2,000 invocations in all; conftest converts the app once)
@pytest.mark.parametrize("domain", ["sql", "chem", "finance", "legal", "medical", "safety"])
def test_hostile_option_values_never_give_a_traceback(domain, app, place, shop_db, tmp_path):
    """SQL: every verb and the root verbs. The other domains: their own verbs (`chem mol`, `medical calc`, ...)
    and `reward` and `eval`, whose readers differ per domain; the other verbs are core's, fuzzed through SQL."""
    from typer.testing import CliRunner

    from r1_foundry.core.cli.verbs import DOMAIN_VERBS

    root = typer.main.get_command(app)
    runner = CliRunner()
    outside = tmp_path.parent
    before = _snapshot(outside) - _snapshot(tmp_path)
    cases = failures = 0
    bad = []
    for path, cmd in _commands(root):
        if len(path) > 1 and path[0] != domain or path[-1] in ("serve-rollouts", "doctor"):
            continue
        if domain != "sql" and (len(path) == 1 or path[1] in DOMAIN_VERBS and path[1] not in ("reward", "eval")):
            continue
        options = [p for p in cmd.params if p.param_type_name == "option" and not p.is_flag and p.opts
                   and p.opts[0] != "--help"]
        required = [p.opts[0] for p in options if p.required]
        for p in options:
            values = HOSTILE + [str(place / "latin1.jsonl"), str(place / "utf16.jsonl"), str(place)]
            for value in values:
                args = [*path]
                for r in required:
                    if r != p.opts[0]:
                        args += [r, _valid(r, place, shop_db)]
                args += [p.opts[0], value]
                res = runner.invoke(app, args)
                cases += 1
                exc = res.exception
                if isinstance(exc, Reached) or exc is None or isinstance(exc, SystemExit):
                    if res.exit_code in (0, 1, 2) or isinstance(exc, Reached):
                        continue
                failures += 1
                bad.append(f"{' '.join(args)[:160]!r}: exit {res.exit_code}, {type(exc).__name__}: {str(exc)[:160]}")
    assert cases > (300 if domain == "sql" else 40)
    assert not bad, f"{failures} of {cases} cases:\n" + "\n".join(bad[:40])
    assert _snapshot(outside) - _snapshot(tmp_path) == before  # nothing written beside the test's folder
