"""Sandboxed, cached execution of untrusted SQL against SQLite databases.

Model output is hostile input. Every query runs through :class:`Executor`, which

* opens the database read-only (``mode=ro`` URI) with ``PRAGMA query_only=ON``;
* installs an authorizer that allows only reads (SELECT, READ, RECURSIVE and ordinary
  functions) and denies ATTACH, every write, schema change, transaction, PRAGMA and
  ``load_extension``;
* accepts exactly one statement (sqlite3 itself refuses a second one);
* enforces a per-query deadline with a SQLite progress handler, which aborts the virtual
  machine from inside ``sqlite3_step`` (thread or asyncio timeouts cannot stop SQLite);
* caps the number of rows fetched;
* caches connections per database and results per ``(database, sql)``, so the gold query of
  an example runs once and identical predictions in a GRPO group run once.

Try it::

    foundry sql exec --db runs/sql/data/databases/school_0.sqlite --sql "SELECT 1" --json
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections import OrderedDict
from dataclasses import dataclass, field

# Authorizer action codes that a read-only query legitimately needs.
_ALLOWED_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
_ALLOWED_ACTIONS.add(getattr(sqlite3, "SQLITE_RECURSIVE", 33))
_DENIED_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}
# Statements must start with one of these (after comments and parentheses): defence in depth on
# top of the authorizer, which is never consulted for no-op writes such as "DROP VIEW IF EXISTS v".
_READ_KEYWORDS = ("SELECT", "WITH", "VALUES", "EXPLAIN")
_LEADING_JUNK = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()*", re.S)
# Progress handler granularity: number of VM instructions between deadline checks.
_PROGRESS_EVERY = 2_000


@dataclass(frozen=True)
class ExecResult:
    """Outcome of one query.

    Attributes:
        ok: the query ran to completion within its limits.
        rows: the result rows (empty unless ``ok``).
        columns: result column names.
        error: a short message when not ``ok``.
        timed_out: the deadline fired.
        elapsed: wall time in seconds.
    """

    ok: bool
    rows: tuple = ()
    columns: tuple = ()
    error: str = ""
    timed_out: bool = False
    elapsed: float = 0.0

    def to_json(self) -> dict:
        return {
            "ok": self.ok,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
            "error": self.error,
            "timed_out": self.timed_out,
            "elapsed": round(self.elapsed, 6),
        }


def _authorizer(action, arg1, arg2, dbname, source):
    if action not in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@dataclass
class Executor:
    """Runs untrusted SQL safely, with connection and result caches.

    Args:
        timeout: default per-query deadline in seconds.
        max_rows: queries returning more rows than this fail with ``"row cap exceeded"``.
        cache_size: number of ``(db, sql)`` results kept (LRU).

    Example:
        >>> ex = Executor(timeout=1.0)
        >>> ex.run("shop.sqlite", "SELECT count(*) FROM orders").rows  # doctest: +SKIP
        ((42,),)
    """

    timeout: float = 2.0
    max_rows: int = 10_000
    cache_size: int = 4_096
    _conns: dict = field(default_factory=dict, repr=False)
    _cache: OrderedDict = field(default_factory=OrderedDict, repr=False)
    executions: int = 0  # queries actually sent to SQLite (cache misses), for tests and benchmarks

    def _connect(self, db_path: str) -> sqlite3.Connection:
        key = (os.getpid(), db_path)
        conn = self._conns.get(key)
        if conn is None:
            if not os.path.isfile(db_path):
                raise FileNotFoundError(f"database file not found: {db_path}")
            uri = "file:" + os.path.abspath(db_path) + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA query_only = ON")
            # Huge strings/blobs (s || s doubling, randomblob(1e9)) cost seconds per VM step,
            # which the progress handler cannot interrupt: cap their size instead.
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1_000_000)
            conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 100_000)
            conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
            conn.set_authorizer(_authorizer)
            self._conns[key] = conn
        return conn

    def run(self, db_path: str, sql: str, timeout: float | None = None) -> ExecResult:
        """Execute one statement; never raises for bad SQL, only for a missing database."""
        key = (db_path, sql, timeout)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        result = self._execute(db_path, sql, self.timeout if timeout is None else timeout)
        self._cache[key] = result
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return result

    def explain(self, db_path: str, sql: str) -> bool:
        """True when ``sql`` is one statement that compiles and is allowed (runs nothing)."""
        sql = (sql or "").strip().rstrip(";")
        if not sql or "\x00" in sql:
            return False
        return self.run(db_path, "EXPLAIN " + sql, timeout=1.0).ok

    def _execute(self, db_path: str, sql: str, timeout: float) -> ExecResult:
        self.executions += 1
        start = time.monotonic()
        if not isinstance(sql, str) or not sql.strip():
            return ExecResult(ok=False, error="empty query")
        if "\x00" in sql:
            return ExecResult(ok=False, error="query contains a NUL byte")
        head = _LEADING_JUNK.sub("", sql, count=1)[:8].upper()
        if not head.startswith(_READ_KEYWORDS):
            return ExecResult(ok=False, error="only read-only queries (SELECT/WITH/VALUES) are allowed")
        conn = self._connect(db_path)
        deadline = start + timeout
        fired = []

        def _progress():
            if time.monotonic() > deadline:
                fired.append(True)
                return 1  # non-zero aborts the statement with OperationalError('interrupted')
            return 0

        conn.set_progress_handler(_progress, _PROGRESS_EVERY)
        cur = None
        try:
            cur = conn.execute(sql)
            rows = cur.fetchmany(self.max_rows + 1)
            if len(rows) > self.max_rows:
                return ExecResult(ok=False, error="row cap exceeded", elapsed=time.monotonic() - start)
            columns = tuple(d[0] for d in (cur.description or ()))
            return ExecResult(ok=True, rows=tuple(rows), columns=columns, elapsed=time.monotonic() - start)
        except (sqlite3.Error, sqlite3.Warning, ValueError, OverflowError, MemoryError, RecursionError) as exc:
            timed_out = bool(fired)
            msg = "timeout" if timed_out else f"{type(exc).__name__}: {exc}"[:300]
            return ExecResult(ok=False, error=msg, timed_out=timed_out, elapsed=time.monotonic() - start)
        finally:
            if cur is not None:
                cur.close()
            conn.set_progress_handler(None, 0)
            if conn.in_transaction:  # a denied BEGIN never opens one, but be certain nothing lingers
                conn.rollback()

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()

    def __getstate__(self):
        # Connections do not pickle; worker processes open their own.
        state = self.__dict__.copy()
        state["_conns"] = {}
        state["_cache"] = OrderedDict()
        return state


_DEFAULT: Executor | None = None


def default_executor() -> Executor:
    """The process-wide executor shared by rewards and evals (one connection cache)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Executor()
    return _DEFAULT
