"""The sandbox: hostile statements leave every database byte-identical and return in time."""

import hashlib
import os
import shutil
import time

import pytest

from r1_foundry.domains.sql.sandbox import Executor

HOSTILE = [
    # writes and schema changes
    "DROP TABLE customers", "DROP TABLE IF EXISTS orders", "DELETE FROM customers", "DELETE FROM orders WHERE 1",
    "UPDATE customers SET name = 'x'", "INSERT INTO customers VALUES (9, 'z', 'z', 1)",
    "INSERT OR REPLACE INTO orders VALUES (1, 1, 0, 'x')", "REPLACE INTO customers VALUES (1, 'q', 'q', 1)",
    "CREATE TABLE evil (a)", "CREATE TEMP TABLE evil (a)", "CREATE INDEX i ON customers(name)",
    "CREATE VIEW v AS SELECT 1", "CREATE TRIGGER t AFTER INSERT ON customers BEGIN DELETE FROM orders; END",
    "ALTER TABLE customers ADD COLUMN evil TEXT", "ALTER TABLE customers RENAME TO gone", "DROP VIEW IF EXISTS v",
    "DROP INDEX IF EXISTS i", "CREATE VIRTUAL TABLE f USING fts5(a)", "REINDEX", "ANALYZE", "VACUUM",
    "VACUUM INTO '/tmp/stolen.sqlite'",
    # attach / pragma / extensions
    "ATTACH DATABASE '/tmp/evil.db' AS evil", "ATTACH ':memory:' AS m", "DETACH DATABASE main",
    "PRAGMA journal_mode = WAL", "PRAGMA writable_schema = ON", "PRAGMA query_only = OFF", "PRAGMA foreign_keys = OFF",
    "PRAGMA user_version = 7", "PRAGMA table_info(customers)", "PRAGMA integrity_check",
    "SELECT load_extension('/tmp/evil.so')", "SELECT load_extension('libc.so.6', 'system')",
    # transactions
    "BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK", "SAVEPOINT s", "RELEASE s",
    # multiple statements
    "SELECT 1; DROP TABLE customers", "SELECT 1; SELECT 2", "SELECT * FROM customers; DELETE FROM orders",
    "; DROP TABLE orders", "SELECT 1; ATTACH 'x' AS y",
    # runaway queries
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n FROM r) SELECT max(n) FROM r",
    "SELECT count(*) FROM orders a, orders b, orders c, orders d, orders e, orders f, orders g, orders h, orders i",
    "SELECT * FROM customers a, customers b, customers c, customers d, customers e, customers f, customers g, "
    "customers h, customers i, customers j",
    "SELECT count(*) FROM (WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r) x, orders",
    "SELECT randomblob(100000000)", "SELECT zeroblob(2000000000)",
    "WITH RECURSIVE r(s) AS (SELECT 'a' UNION ALL SELECT s || s FROM r) SELECT length(s) FROM r",
    # garbage
    "", "   ", "\x00SELECT 1", "SELEKT * FRM customers", "SELECT * FROM nope", "' OR 1=1 --", "))))((((",
]


def _digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture()
def db_copy(shop_db, tmp_path):
    path = str(tmp_path / "shop.sqlite")
    shutil.copy(shop_db, path)
    return path


def test_corpus_is_large_enough():
    assert len(HOSTILE) >= 50


def test_hostile_statements_change_nothing_and_return_in_time(db_copy):
    before = _digest(db_copy)
    listing = sorted(os.listdir(os.path.dirname(db_copy)))
    ex = Executor(timeout=0.5, max_rows=1000)
    for sql in HOSTILE:
        start = time.monotonic()
        result = ex.run(db_copy, sql)
        elapsed = time.monotonic() - start
        assert elapsed < 2.0, f"{sql!r} took {elapsed:.2f}s"
        if result.ok:  # only harmless reads may succeed
            assert sql.lstrip().upper().startswith(("SELECT", "WITH")), sql
    assert _digest(db_copy) == before
    assert sorted(os.listdir(os.path.dirname(db_copy))) == listing  # no journal, wal or attached files
    assert not os.path.exists("/tmp/stolen.sqlite")
    # the connection still works and the data are all there
    assert ex.run(db_copy, "SELECT count(*) FROM orders").rows == ((6,),)


def test_deadline_really_fires(db_copy):
    ex = Executor(timeout=0.3)
    start = time.monotonic()
    r = ex.run(db_copy, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r")
    assert r.timed_out and not r.ok and r.error == "timeout"
    assert time.monotonic() - start < 1.0


def test_row_cap(db_copy):
    ex = Executor(max_rows=5)
    assert ex.run(db_copy, "SELECT * FROM orders").error == "row cap exceeded"
    assert ex.run(db_copy, "SELECT * FROM orders LIMIT 5").ok


def test_results_are_cached_per_db_and_sql(db_copy):
    ex = Executor()
    for _ in range(8):
        ex.run(db_copy, "SELECT name FROM customers")
    ex.run(db_copy, "SELECT city FROM customers")
    assert ex.executions == 2


def test_explain_compiles_without_running(db_copy):
    ex = Executor(timeout=0.2)
    assert ex.explain(db_copy, "SELECT name FROM customers;")
    assert not ex.explain(db_copy, "SELECT nope FROM customers")
    assert not ex.explain(db_copy, "DROP TABLE customers")
    # EXPLAIN of a runaway query compiles quickly: it is never executed
    assert ex.explain(db_copy, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r")


def test_missing_database_raises_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="database file not found"):
        Executor().run(str(tmp_path / "nope.sqlite"), "SELECT 1")


def test_executor_pickles(db_copy):
    import pickle

    ex = Executor()
    ex.run(db_copy, "SELECT 1")
    clone = pickle.loads(pickle.dumps(ex))
    assert clone.run(db_copy, "SELECT 2").rows == ((2,),)


# One SQLite call doing unbounded work: a progress handler cannot stop these (issue: 12 s for the
# first on a 1 s limit); the worker process is killed at the deadline instead.
SINGLE_CALL_HOGS = [
    "SELECT printf('%.*c', 1000000000, 'x')",
    "SELECT printf('%.*c', 300000000, 'x')",
    "SELECT instr(printf('%.*c', 900000, 'a'), printf('%.*c', 400000, 'a') || 'b')",
    "SELECT replace(printf('%.*c', 900000, 'a'), printf('%.*c', 300000, 'a'), printf('%.*c', 3, 'b'))",
    "SELECT printf('%.*c', 900000, 'a') LIKE '%' || printf('%.*c', 300000, 'a') || 'b%'",
    "SELECT printf('%.*c', 900000, 'a') GLOB '*' || printf('%.*c', 300000, 'a') || 'b*'",
    "SELECT json_valid(printf('%.*c', 400000, '[') || printf('%.*c', 400000, ']'))",
    "SELECT length(trim(printf('%.*c', 900000, 'a'), printf('%.*c', 300000, 'b')))",
]
LIMIT = 1.0


@pytest.mark.parametrize("sql", SINGLE_CALL_HOGS, ids=[s[:40] for s in SINGLE_CALL_HOGS])
def test_single_call_hogs_time_out_within_the_bound(db_copy, sql):
    ex = Executor(timeout=LIMIT)
    ex.run(db_copy, "SELECT 1")  # the worker is up: its start-up is not the statement's time
    start = time.monotonic()
    r = ex.run(db_copy, sql)
    elapsed = time.monotonic() - start
    # fast enough to finish is fine too; what may not happen is running past the bound
    assert elapsed < 1.2 * LIMIT + 0.15, f"{sql!r} took {elapsed:.2f}s"
    if not r.ok:
        assert r.error in ("timeout", "worker crashed") or r.error.startswith(("OperationalError", "DataError")), r
    assert ex.run(db_copy, "SELECT count(*) FROM orders").rows == ((6,),)  # the next query works


def test_the_first_statement_in_the_issue_times_out(db_copy):
    ex = Executor(timeout=LIMIT)
    start = time.monotonic()
    r = ex.run(db_copy, SINGLE_CALL_HOGS[0])
    assert r.timed_out and r.error == "timeout" and time.monotonic() - start < 1.2 * LIMIT + 0.15 + 1.0  # + start-up
    assert ex.restarts == 1


def test_a_group_of_hogs_in_one_batch(db_copy):
    """A GRPO group of eight distinct hogs: each times out once, the good answers in between run."""
    ex = Executor(timeout=0.5)
    ex.run(db_copy, "SELECT 1")
    hogs = [f"SELECT printf('%.*c', {1000000000 + i}, 'x')" for i in range(4)]
    pairs = [(db_copy, s) for h in hogs for s in (h, "SELECT name FROM customers ORDER BY id")]
    start = time.monotonic()
    results = ex.run_many(pairs)
    assert time.monotonic() - start < 4 * (1.2 * 0.5 + 0.15) + 0.5
    assert [r.timed_out for r in results[::2]] == [True] * 4
    assert all(r.ok and r.rows[0] == ("ana",) for r in results[1::2])
    # cached in this process: the same group again costs nothing
    start = time.monotonic()
    ex.run_many(pairs)
    assert time.monotonic() - start < 0.05


def test_killed_worker_is_replaced(db_copy):
    import signal

    ex = Executor()
    assert ex.run(db_copy, "SELECT 1").ok
    os.kill(ex._worker.proc.pid, signal.SIGKILL)
    time.sleep(0.1)
    assert ex.run(db_copy, "SELECT 2").rows == ((2,),)


def test_crashing_worker_is_replaced(db_copy):
    """The worker's memory limit turns an allocation bomb into an error or a crash, never the parent's."""
    ex = Executor(memory_mb=200)
    r = ex.run(db_copy, "SELECT count(*) FROM (SELECT printf('%.*c', 900000, 'x') AS s FROM orders a, orders b, "
                        "orders c, orders d) GROUP BY s")
    assert isinstance(r.ok, bool)
    assert ex.run(db_copy, "SELECT 3").rows == ((3,),)


def test_prefetch_then_run_uses_the_batch(db_copy):
    ex = Executor()
    pairs = [(db_copy, f"SELECT {i}") for i in range(50)]
    ex.prefetch(pairs + pairs)
    assert [ex.run(d, s).rows for d, s in pairs] == [((i,),) for i in range(50)]
    assert ex.executions == 50


def test_every_process_gets_its_own_worker_and_none_outlives_its_parent(db_copy, tmp_path):
    """Two processes (as two DDP ranks) each start their own worker; when they exit, so do the workers."""
    import subprocess
    import sys

    script = tmp_path / "rank.py"
    script.write_text(
        "import sys\n"
        "from r1_foundry.domains.sql.sandbox import default_executor\n"
        "ex = default_executor()\n"
        f"assert ex.run({db_copy!r}, 'SELECT count(*) FROM orders').rows == ((6,),)\n"
        "print(ex._worker.proc.pid, flush=True)\n"
        "if sys.argv[1] == 'abrupt':\n"
        "    import os; os._exit(0)\n")
    procs = [subprocess.run([sys.executable, str(script), mode], capture_output=True, text=True, timeout=120)
             for mode in ("clean", "abrupt")]
    pids = [int(p.stdout.strip()) for p in procs]
    assert all(p.returncode == 0 for p in procs) and pids[0] != pids[1]
    time.sleep(0.5)
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z", pid


@pytest.mark.parametrize("folder", ["run#1", "q?mode=rw", "pct%20x", "sp ace"])
def test_paths_with_uri_characters_open_the_right_file(folder, tmp_path, shop_db):
    """The read-only URI is percent-escaped: a run folder named run#1 opens run#1/x.sqlite (not a new
    empty file 'run'), and a gold answer scores 1 through the sandbox and the verifier alike."""
    import shutil

    from r1_foundry.domains.sql.verify import check

    d = tmp_path / folder
    d.mkdir()
    db = str(d / "x.sqlite")
    shutil.copy(shop_db, db)
    before = sorted(p.name for p in tmp_path.iterdir())
    res = Executor(timeout=2).run(db, "SELECT name FROM customers ORDER BY id")
    assert res.ok and [r[0] for r in res.rows] == ["ana", "ben", "carl", "dina"]
    example = {"gold_sql": "SELECT name FROM customers", "db_path": db}
    verdict = check("<think>t</think><answer>SELECT name FROM customers</answer>", example)
    assert verdict.executed and all(verdict.match.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no stray database created beside it


@pytest.mark.parametrize("kind", ["empty", "text", "folder", "missing", "truncated-name"])
def test_unopenable_database_is_an_error_never_a_zero(kind, tmp_path, shop_db):
    """A database that is missing, empty (SQLite would open it as an empty database), a folder or not
    SQLite stops the rewards and the eval with a message naming the path; it is never scored 0.
    ``truncated-name`` is what the old unescaped URI opened for ``run#1/x.sqlite``: an empty file ``run``."""
    from r1_foundry.core.util.errors import FoundryError
    from r1_foundry.domains.sql import evals
    from r1_foundry.domains.sql.rewards import arctic, execution, schema_linking, syntax, tiered
    from r1_foundry.domains.sql.sandbox import DatabaseUnavailable

    db = str(tmp_path / "x.sqlite")
    if kind in ("empty", "truncated-name"):
        open(db, "wb").close()
    elif kind == "text":
        open(db, "w").write("id,name\n1,ana\n" * 10)
    elif kind == "folder":
        os.mkdir(db)
    with pytest.raises(DatabaseUnavailable, match="x.sqlite"):
        Executor(timeout=2).run(db, "SELECT 1")
    text = "<think>t</think><answer>SELECT name FROM customers</answer>"
    for reward in (execution(), syntax(), schema_linking(), tiered(), arctic()):
        with pytest.raises(FoundryError, match=f"{reward.name}: .*x.sqlite"):
            reward(completions=[text], gold_sql=["SELECT name FROM customers"], db_path=[db])
    with pytest.raises(FoundryError, match="x.sqlite"):
        evals.score({"id": "q1", "gold_sql": "SELECT name FROM customers", "db_path": db}, text)
    # the same calls on a good copy score the gold 1.0
    good = str(tmp_path / "good.sqlite")
    shutil.copy(shop_db, good)
    assert execution()(completions=[text], gold_sql=["SELECT name FROM customers"], db_path=[good]) == [1.0]


def test_reward_cli_broken_database_exits_2_naming_it(tmp_path):
    """`foundry sql reward` on rows whose database is an empty file: one line, exit 2 (was 0.0 for every row)."""
    import json

    from typer.testing import CliRunner

    from r1_foundry.core.cli.app import build_root

    db = tmp_path / "run"
    db.write_bytes(b"")
    ex = tmp_path / "ex.jsonl"
    comp = tmp_path / "comp.jsonl"
    ex.write_text(json.dumps({"gold_sql": "SELECT 1", "db_path": str(db)}) + "\n")
    comp.write_text(json.dumps({"completion": "<think>t</think><answer>SELECT 1</answer>"}) + "\n")
    res = CliRunner().invoke(build_root(), ["sql", "reward", "--examples", str(ex), "--completions", str(comp),
                                            "--rewards", "sql/execution=1", "--out", str(tmp_path / "s.jsonl")])
    assert res.exit_code == 2, res.output
    assert "empty file" in res.output and str(db) in res.output.replace("\n", "")
    assert "Traceback" not in res.output


@pytest.mark.parametrize("limit", [0.1, 0.25, 0.5])
def test_kill_deadline_scales_with_short_limits(db_copy, limit):
    """The grace before a kill is a tenth of the limit (at most 0.1 s): at --timeout 0.25 a statement that
    must be killed took 0.35 s by the executor's clock with the fixed 0.1 s grace (1.4x); now <= 1.1x + scheduling.
    The caller may also wait for the killed worker's successor to start (python -I, ~0.05 s here): the
    documented floor, so the run() call is measured after that start-up."""
    from r1_foundry.domains.sql.sandbox import grace

    assert grace(limit) == pytest.approx(min(0.1, limit / 10))
    ex = Executor(timeout=limit)
    for i in range(3):
        ex.run(db_copy, "SELECT 1")  # the worker (or the killed one's successor) is up
        time.sleep(0.2)
        start = time.monotonic()
        r = ex.run(db_copy, f"SELECT printf('%.*c', {1000000000 + i}, 'x')")
        wall = time.monotonic() - start
        assert r.timed_out and r.error == "timeout"
        assert r.elapsed < 1.1 * limit + 0.03, (limit, r.elapsed)
        assert wall < 1.2 * limit + 0.1, (limit, wall)


def test_reward_sql_limit_is_a_recipe_parameter(db_copy):
    """`timeout` of the executing rewards (recipe: {name: sql/arctic, weight: 1, timeout: 0.3}); bad values are
    one-line errors; a query that outlives it scores as not executable."""
    from r1_foundry.core.rewards.compose import build_rewards
    from r1_foundry.core.schema.domain import get_domain
    from r1_foundry.core.util.errors import FoundryError

    sql = get_domain("sql")
    loop = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
    (fn,), _ = build_rewards(sql, [{"name": "sql/arctic", "weight": 1, "timeout": 0.3}])
    assert fn.timeout == 0.3
    start = time.monotonic()
    assert fn(completions=[f"<think>t</think><answer>{loop}</answer>"], gold_sql=["SELECT 1"], db_path=[db_copy]) == [0.0]
    assert time.monotonic() - start < 1.5  # the default limit (2 s) would take longer
    for bad in (0, -1, float("nan"), float("inf"), "2", True):
        with pytest.raises(FoundryError, match="timeout must be seconds"):
            build_rewards(sql, [{"name": "sql/execution", "weight": 1, "timeout": bad}])


def test_worker_outlives_the_thread_that_started_it(db_copy):
    """Engines call rewards from short-lived threads (OpenRLHF: asyncio.to_thread inside an asyncio.run per
    sample). With PR_SET_PDEATHSIG the worker died when its starting thread ended, and the next query answered
    'worker crashed' (a right answer scored 0, seen through OpenRLHF's executor in CI)."""
    import threading

    ex = Executor(timeout=2)
    started = threading.Thread(target=lambda: ex.run(db_copy, "SELECT 1"))
    started.start()
    started.join()
    pid = ex._worker.proc.pid
    time.sleep(0.5)  # the old kill would have landed by now
    assert ex._worker.alive() and ex._worker.proc.pid == pid
    for i in range(20):  # one thread per call, as asyncio.to_thread in a fresh loop does
        box = []
        t = threading.Thread(target=lambda i=i, box=box: box.append(ex.run(db_copy, f"SELECT count(*) + {i} FROM orders")))
        t.start()
        t.join()
        assert box[0].ok and box[0].rows == ((6 + i,),), box[0]
    assert ex.restarts == 0


def test_a_worker_killed_from_outside_does_not_zero_the_query(db_copy):
    """Defence in depth beside the watchdog: a worker that dies under a query (a signal, the OOM killer) is
    replaced and the query sent once more; only a query that kills a fresh worker too is 'worker crashed'."""
    import signal
    import threading

    ex = Executor(timeout=5)
    ex.run(db_copy, "SELECT 1")
    slow = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3000000) SELECT count(*) FROM r"
    victim = ex._worker.proc.pid
    threading.Timer(0.2, lambda: os.kill(victim, signal.SIGKILL)).start()
    r = ex.run(db_copy, slow)
    assert r.ok and r.rows == ((3000000,),), r
    assert ex.restarts >= 1 and ex._worker.proc.pid != victim
