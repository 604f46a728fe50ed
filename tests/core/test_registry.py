"""Registries, domain discovery and reward composition."""

import pytest

from r1_foundry.core.rewards.compose import build_rewards
from r1_foundry.core.schema.domain import discover, get_domain
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.registry import Registry


def test_registry_lazy_duplicate_and_did_you_mean():
    r = Registry("reward")
    r.add("sql/format", "r1_foundry.domains.sql.rewards:format_reward")
    assert callable(r.get("sql/format"))
    with pytest.raises(FoundryError, match="duplicate"):
        r.add("sql/format", "x:y")
    with pytest.raises(FoundryError, match="did you mean 'sql/format'"):
        r.get("sql/fromat")


def test_domains_are_discovered_and_rewards_prefixed():
    domains = discover()
    assert "sql" in domains
    for d in domains.values():
        assert all(n.startswith(d.name + "/") for n in d.reward_registry().names())
    with pytest.raises(FoundryError, match="did you mean 'sql'"):
        get_domain("sq")


def test_core_never_imports_a_domain():
    import pathlib
    import re

    for path in pathlib.Path(__file__).parents[2].joinpath("core").glob("*.py"):
        assert not re.search(r"^\s*(from|import) domains\b", path.read_text(), re.M), path


@pytest.mark.parametrize("spec,names,weights", [
    ("reasoning-sql", ["sql/execution", "sql/syntax", "sql/schema_linking", "sql/ngram", "sql/format"],
     [3, 1, 1, 1, 1]),
    ({"sql/execution": 2, "sql/format": 0.5}, ["sql/execution", "sql/format"], [2, 0.5]),
    ([{"name": "sql/execution", "weight": 1, "semantics": "bird"}], ["sql/execution"], [1]),
])
def test_build_rewards(spec, names, weights):
    funcs, w = build_rewards(get_domain("sql"), spec)
    assert [f.__name__ for f in funcs] == names and w == weights


@pytest.mark.parametrize("spec,message", [
    ("reasoning", "did you mean 'reasoning-sql'"),
    ({"sql/exec": 1}, "did you mean 'sql/execution'"),
    ([{"name": "sql/execution", "semantic": "bird"}], "bad parameters"),
    ({"sql/execution": float("nan")}, "finite"),
    (42, "expected a preset name"),
])
def test_bad_reward_specs(spec, message):
    with pytest.raises(FoundryError, match=message):
        build_rewards(get_domain("sql"), spec)
