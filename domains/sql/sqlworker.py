"""The SQLite side of the SQL sandbox: runs one untrusted statement at a time, read-only.

Standard library only (plus :mod:`r1_foundry.core.util.ipc`, itself standard library only), so the worker
process (``python -I sqlworker.py``) starts in tens of milliseconds. :class:`r1_foundry.domains.sql.sandbox.Executor` talks to it
over stdin/stdout (length-prefixed pickles) and kills it when a statement outlives its deadline;
inside, a progress handler stops ordinary long queries at the deadline, so a kill is needed only
for a single SQLite call that runs long (``printf('%.*c', 1e9, 'x')``, ``instr`` on huge strings).
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import time

# started as `python -I sqlworker.py`: the installed package is found in site-packages (the project
# folder is not on sys.path and need not be)
from r1_foundry.core.util.ipc import Reader, pack, read_msg, write_msg  # (standard library only

__all__ = ["Reader", "precheck", "read_msg", "serve", "write_msg"]

# Authorizer action codes that a read-only query legitimately needs.
_ALLOWED_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
_ALLOWED_ACTIONS.add(getattr(sqlite3, "SQLITE_RECURSIVE", 33))
_DENIED_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}
# Statements must start with one of these (after comments and parentheses): defence in depth on
# top of the authorizer, which is never consulted for no-op writes such as "DROP VIEW IF EXISTS v".
READ_KEYWORDS = ("SELECT", "WITH", "VALUES", "EXPLAIN")
LEADING_JUNK = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()*", re.S)
_PROGRESS_EVERY = 2_000  # VM instructions between deadline checks
_FLUSH_EVERY = 0.002  # seconds an answer may wait in the worker before it is sent


def precheck(sql) -> str:
    """An error message for statements refused before SQLite sees them, else ``""``."""
    if not isinstance(sql, str) or not sql.strip():
        return "empty query"
    if "\x00" in sql:
        return "query contains a NUL byte"
    if not LEADING_JUNK.sub("", sql, count=1)[:8].upper().startswith(READ_KEYWORDS):
        return "only read-only queries (SELECT/WITH/VALUES) are allowed"
    return ""


def _authorizer(action, arg1, arg2, dbname, source):
    if action not in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def ro_uri(db_path: str) -> str:
    """A read-only SQLite URI for a filesystem path, percent-escaped (``pathlib``), so a path with
    ``#``, ``?`` or ``%`` opens that file and not a truncated one."""
    import pathlib

    return pathlib.Path(os.path.abspath(db_path)).as_uri() + "?mode=ro"


class Runner:
    """Runs statements in this process (the worker), with one read-only connection per database."""

    def __init__(self):
        self._conns: dict[str, sqlite3.Connection] = {}

    def _connect(self, db_path: str) -> sqlite3.Connection:
        conn = self._conns.get(db_path)
        if conn is None:
            uri = ro_uri(db_path)
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA query_only = ON")
            # Huge strings/blobs (s || s doubling, randomblob(1e9)) are refused outright.
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1_000_000)
            conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 100_000)
            conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
            conn.set_authorizer(_authorizer)
            self._conns[db_path] = conn
        return conn

    def run(self, db_path: str, sql: str, timeout: float, max_rows: int) -> tuple:
        """``(ok, rows, columns, error, timed_out)``; never raises."""
        deadline = time.monotonic() + timeout
        fired = []

        def _progress():
            if time.monotonic() > deadline:
                fired.append(True)
                return 1  # non-zero aborts the statement with OperationalError('interrupted')
            return 0

        cur = conn = None
        try:
            conn = self._connect(db_path)
            conn.set_progress_handler(_progress, _PROGRESS_EVERY)
            cur = conn.execute(sql)
            rows = cur.fetchmany(max_rows + 1)
            if len(rows) > max_rows:
                return False, (), (), "row cap exceeded", False
            return True, tuple(rows), tuple(d[0] for d in (cur.description or ())), "", False
        except (sqlite3.Error, sqlite3.Warning, ValueError, OverflowError, MemoryError, RecursionError) as exc:
            return False, (), (), "timeout" if fired else f"{type(exc).__name__}: {exc}"[:300], bool(fired)
        finally:
            if cur is not None:
                cur.close()
            if conn is not None:
                conn.set_progress_handler(None, 0)
                if conn.in_transaction:  # a denied BEGIN never opens one, but be certain nothing lingers
                    conn.rollback()


def _die_with_parent(every: float = 0.2) -> None:
    """Exit when the process that started this worker is gone: a thread polls the parent PID (SQLite
    releases the GIL during a long call, so it runs then too), beside the exit at EOF on stdin.

    Not Linux's PR_SET_PDEATHSIG: it fires when the parent *thread* exits, and engines call rewards from
    short-lived threads (OpenRLHF's ``asyncio.to_thread``, an ``asyncio.run`` per call): the worker was
    killed under a live parent, and its in-flight query answered "worker crashed"."""
    import threading

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def serve(memory_mb: int = 0) -> None:
    """The worker loop: a batch of ``(index, db, sql, timeout, max_rows)`` in, one answer per
    statement out, in order. Answers are sent at the end of a batch and, while it runs, by a
    flusher thread at most ``_FLUSH_EVERY`` seconds after each is ready (so the parent sees every
    finished answer even when the next statement never returns, without one system call and one
    wake-up of the parent per fast query). SQLite releases the GIL while it works, so the flusher
    runs during a long call."""
    import threading

    _die_with_parent()
    if memory_mb:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    out_fd = sys.stdout.buffer.fileno()
    sys.stdout = sys.stderr  # nothing else may write into the answer stream
    pending: list[bytes] = []
    cond = threading.Condition()

    def flush() -> None:
        with cond:  # held while writing, so answers leave in order
            if pending:
                data = memoryview(b"".join(pending))
                pending.clear()
                while data:
                    data = data[os.write(out_fd, data):]

    def flusher() -> None:
        while True:
            with cond:
                while not pending:
                    cond.wait()
            time.sleep(_FLUSH_EVERY)
            flush()

    runner = Runner()
    with cond:
        pending.append(pack("ready"))
    flush()
    threading.Thread(target=flusher, daemon=True).start()
    fd = sys.stdin.buffer.fileno()
    while True:
        try:
            batch = read_msg(fd, None)
        except EOFError:
            return
        for i, db, sql, timeout, max_rows in batch:
            answer = pack((i, runner.run(db, sql, timeout, max_rows)))
            with cond:
                pending.append(answer)
                cond.notify()
        flush()


if __name__ == "__main__":
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
