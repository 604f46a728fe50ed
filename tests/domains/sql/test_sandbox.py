"""The sandbox: hostile statements leave every database byte-identical and return in time."""

import hashlib
import os
import shutil
import time

import pytest

from domains.sql.sandbox import Executor

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
