"""Sandboxed, cached execution of untrusted SQL against SQLite databases.

Model output is hostile input. Every query runs through :class:`Executor`, which

* runs the statement in a persistent worker process (:mod:`domains.sql.sqlworker`, standard
  library only) and gives it a hard deadline: past ``timeout`` plus a grace (a tenth of the limit, at
  most 0.1 s: :func:`grace`) the worker is killed, the query reports ``timeout``, and a fresh worker
  is started for the next query. A
  progress handler inside the worker stops ordinary long queries at the deadline itself; the
  kill is for what a progress handler cannot stop, one SQLite call doing unbounded work
  (``printf('%.*c', 1000000000, 'x')``, ``instr``/``replace``/``like`` on huge strings, JSON
  functions) — no list of banned functions;
* opens the database read-only (``mode=ro`` URI) with ``PRAGMA query_only=ON`` and an
  authorizer that allows only reads (SELECT, READ, RECURSIVE and ordinary functions) and denies
  ATTACH, every write, schema change, transaction, PRAGMA and ``load_extension``;
* accepts exactly one statement beginning with SELECT/WITH/VALUES/EXPLAIN;
* caps strings and blobs at 1 MB, the worker's address space (2 GiB by default) and the rows
  fetched (10,000; more is an error);
* keeps the result cache here, in the calling process, per ``(database, sql)``: the gold query of
  an example runs once and identical predictions in a GRPO group run once; :meth:`Executor.prefetch`
  sends a whole batch to the worker in one message.

Each process (each DDP rank) has its own worker; workers die with their parent process (a
watchdog thread polling the parent PID, and at EOF on their stdin), not with the thread that started
them: engines call rewards from short-lived threads.

Try it::

    foundry sql exec --db runs/sql/data/databases/school_0.sqlite --sql "SELECT 1" --json
"""

from __future__ import annotations

import atexit
import os
import pickle
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from r1_foundry.domains.sql import sqlworker

GRACE = 0.1  # at most this many seconds past the deadline before the worker is killed ...
GRACE_SHARE = 0.1  # ... and at most this share of the limit, so short limits hold too (0.25 s -> 0.025 s)


def grace(timeout: float) -> float:
    """Seconds past ``timeout`` before the worker is killed: ``min(GRACE, GRACE_SHARE * timeout)``,
    at least 5 ms (an answer the progress handler stopped at the deadline still arrives in time)."""
    return max(0.005, min(GRACE, GRACE_SHARE * timeout))
SQLITE_HEADER = b"SQLite format 3\x00"
# worker errors that mean the database itself could not be opened (not that the query was wrong)
_UNOPENABLE = ("OperationalError: unable to open database file", "DatabaseError: file is not a database",
               "DatabaseError: database disk image is malformed")


class DatabaseUnavailable(FileNotFoundError):
    """A database file that is missing, not a regular file, unreadable or not SQLite: a broken
    dataset, not a bad answer, so rewards and evals stop with this message instead of scoring 0."""


def check_database(db_path) -> None:
    """Raise :class:`DatabaseUnavailable` (naming the path and the reason) unless ``db_path`` is a
    readable regular file that starts with SQLite's header. An empty file is refused too: SQLite
    would open it as an empty database, and every gold query would fail as ``no such table``."""
    if not isinstance(db_path, str) or not db_path:
        raise DatabaseUnavailable(f"database path must be a non-empty string, got {db_path!r}")
    if not os.path.exists(db_path):
        raise DatabaseUnavailable(f"database file not found: {db_path}")
    if not os.path.isfile(db_path):
        raise DatabaseUnavailable(f"database path is not a regular file: {db_path}")
    try:
        with open(db_path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseUnavailable(f"database file cannot be read: {db_path} ({exc.strerror})") from None
    if head != SQLITE_HEADER:
        what = "an empty file" if not head else "not a SQLite database"
        raise DatabaseUnavailable(f"database file is {what}: {db_path}")


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


class _Worker:
    """One worker process; started on demand, killed on a deadline or at close."""

    def __init__(self, memory_mb: int):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        self.proc = subprocess.Popen([sys.executable, "-I", sqlworker.__file__, str(memory_mb)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env=env)
        self.ready = False
        self.reader = sqlworker.Reader(self.proc.stdout.fileno())

    def wait_ready(self) -> None:
        if not self.ready:
            try:
                msg = self.reader.read(time.monotonic() + 60)
            except (TimeoutError, EOFError, OSError):
                msg = None
            if msg != "ready":
                self.kill()
                raise RuntimeError("the SQL worker process did not start")
            self.ready = True

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self, wait: bool = True) -> None:
        """SIGKILL the worker; ``wait=False`` reaps it in a thread (the caller is not kept waiting)."""
        if self.proc.poll() is None:
            self.proc.kill()
        if wait:
            self.proc.wait(5)
        else:
            threading.Thread(target=self.proc.wait, args=(5,), daemon=True).start()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


_LIVE: set = set()  # executors with a worker, closed at exit


@atexit.register
def _close_all() -> None:
    for ex in list(_LIVE):
        ex.close()


@dataclass
class Executor:
    """Runs untrusted SQL safely, with a result cache in this process.

    Args:
        timeout: default per-query deadline in seconds.
        max_rows: queries returning more rows than this fail with ``"row cap exceeded"``.
        cache_size: number of ``(db, sql)`` results kept (LRU).
        memory_mb: address-space limit of the worker process.

    Example:
        >>> ex = Executor(timeout=1.0)
        >>> ex.run("shop.sqlite", "SELECT count(*) FROM orders").rows  # doctest: +SKIP
        ((42,),)
    """

    timeout: float = 2.0
    max_rows: int = 10_000
    cache_size: int = 4_096
    memory_mb: int = 2_048
    _cache: OrderedDict = field(default_factory=OrderedDict, repr=False)
    executions: int = 0  # queries actually sent to SQLite (cache misses), for tests and benchmarks
    restarts: int = 0  # workers killed on a deadline or found dead
    _worker: _Worker | None = field(default=None, repr=False)
    _inflight: dict = field(default_factory=dict, repr=False)  # keys sent, answers not yet read, in order
    _anchor: float = 0.0  # when the last answer was read (the next statement's deadline counts from it)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _checked: set = field(default_factory=set, repr=False)  # databases found openable: (path, size, mtime)
    _retried: set = field(default_factory=set, repr=False)  # keys whose worker died once: a second death is theirs

    def run(self, db_path: str, sql: str, timeout: float | None = None) -> ExecResult:
        """Execute one statement; never raises for bad SQL, only for a database that is missing or
        cannot be opened (:class:`DatabaseUnavailable`)."""
        return self.run_many([(db_path, sql)], timeout)[0]

    def prefetch(self, pairs, timeout: float | None = None) -> None:
        """Send the uncached ``(db, sql)`` pairs to the worker in one message and return at once;
        later :meth:`run` calls collect the answers as they arrive, so a reward judges the first
        completions of a GRPO batch while the worker still runs the rest."""
        with self._lock:
            self._send(self._todo([(d, s) for d, s in pairs if s], self._t(timeout), {}))

    def run_many(self, pairs: list[tuple[str, str]], timeout: float | None = None) -> list[ExecResult]:
        timeout = self._t(timeout)
        with self._lock:
            found: dict = {}
            self._send(self._todo(pairs, timeout, found))
            for db, sql in pairs:
                key = (db, sql, timeout)
                while key[:2] not in found:
                    if key in self._cache:  # answered meanwhile (collected before a new batch went out)
                        found[key[:2]] = self._cache[key]
                        break
                    got_key, result = self._receive()
                    if got_key == key:
                        found[key[:2]] = result
            results = [found[p] for p in pairs]
        for (db, _), result in zip(pairs, results, strict=True):
            if not result.ok and result.error.startswith(_UNOPENABLE):  # checked file, yet SQLite refused it
                raise DatabaseUnavailable(f"database cannot be opened: {db} ({result.error})")
        return results

    def _t(self, timeout):
        return self.timeout if timeout is None else timeout

    def _todo(self, pairs, timeout, found: dict) -> list:
        """Answer what the cache and the pre-checks can; return the keys that need SQLite."""
        todo = []
        for db, sql in dict.fromkeys(pairs):
            key = (db, sql, timeout)
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                found[(db, sql)] = hit
            elif key in self._inflight:
                continue
            else:
                self.executions += 1
                refused = sqlworker.precheck(sql)
                if refused:
                    self._put(key, ExecResult(ok=False, error=refused))
                    found[(db, sql)] = self._cache[key]
                    continue
                self._check(db)
                todo.append(key)
        return todo

    def _check(self, db: str) -> None:
        """:func:`check_database`, once per (path, size, mtime) in this executor."""
        try:
            st = os.stat(db)
            stamp = (db, st.st_size, st.st_mtime_ns)
        except (OSError, TypeError, ValueError):
            stamp = None
        if stamp is None or stamp not in self._checked:
            check_database(db)
            if stamp is not None:
                self._checked.add(stamp)

    def _put(self, key, result: ExecResult) -> None:
        self._cache[key] = result
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def _ensure_worker(self) -> _Worker:
        if self._worker is None or not self._worker.alive():
            if self._worker is not None:
                self._worker.kill()
                self.restarts += 1
            self._worker = _Worker(self.memory_mb)
            _LIVE.add(self)
        self._worker.wait_ready()
        return self._worker

    def _replace_worker(self) -> None:
        """Kill the worker and start its successor now, so it is ready by the next query."""
        self._worker.kill(wait=False)
        self.restarts += 1
        self._worker = _Worker(self.memory_mb)

    def _send(self, keys: list) -> None:
        """Queue ``keys`` in the worker. Answers still in flight are collected first: the worker
        reads a new batch only after answering the last one, so both pipes can never be full."""
        if not keys:
            return
        while self._inflight:
            self._receive()
        batch = [(i, db, sql, timeout, self.max_rows) for i, (db, sql, timeout) in enumerate(keys)]
        w = self._ensure_worker()
        try:
            sqlworker.write_msg(w.proc.stdin, batch)
        except (BrokenPipeError, OSError):
            self._replace_worker()
            w = self._ensure_worker()
            sqlworker.write_msg(w.proc.stdin, batch)
        self._inflight = dict.fromkeys(keys)
        self._anchor = time.monotonic()

    def _receive(self) -> tuple:
        """The next answer of the batch in flight, cached. A statement gets ``timeout`` plus the
        grace from the moment the answer before it was seen; past that the worker is killed, the
        statement is a ``timeout`` and the rest of the batch goes to the next worker. A worker that dies
        (end of stream) is replaced and the statement sent once more: only a statement that kills a
        fresh worker too is cached as ``worker crashed``, so a worker killed from outside never
        scores a right answer 0."""
        key = next(iter(self._inflight))
        timeout = key[2]
        try:
            _, (ok, rows, cols, error, timed_out) = self._worker.reader.read(self._anchor + timeout + grace(timeout))
            result = ExecResult(ok, rows, cols, error, timed_out, time.monotonic() - self._anchor)
            broken = False
        except TimeoutError:
            result = ExecResult(ok=False, error="timeout", timed_out=True, elapsed=time.monotonic() - self._anchor)
            broken = True
        except (EOFError, OSError, pickle.UnpicklingError):
            if key not in self._retried:  # killed from outside (the OOM killer, a signal)? once more, fresh worker
                self._retried.add(key)
                self._restart(list(self._inflight))
                return self._receive()
            result = ExecResult(ok=False, error="worker crashed", elapsed=time.monotonic() - self._anchor)
            broken = True
        self._retried.discard(key)
        self._anchor = time.monotonic()
        del self._inflight[key]
        self._put(key, result)
        if broken:
            self._restart(list(self._inflight))
        return key, result

    def _restart(self, keys: list) -> None:
        """A fresh worker, and ``keys`` (the batch still in flight) sent to it."""
        self._replace_worker()
        self._inflight = {}
        self._send(keys)

    @staticmethod
    def _explain_sql(sql: str | None) -> str | None:
        sql = (sql or "").strip().rstrip(";")
        return None if not sql or "\x00" in sql else "EXPLAIN " + sql

    def explain(self, db_path: str, sql: str) -> bool:
        """True when ``sql`` is one statement that compiles and is allowed (runs nothing)."""
        query = self._explain_sql(sql)
        return query is not None and self.run(db_path, query, timeout=1.0).ok

    def prefetch_explain(self, pairs) -> None:
        """:meth:`explain` for a batch of ``(db, sql)`` pairs in one message, filling the cache."""
        self.prefetch([(db, self._explain_sql(sql)) for db, sql in pairs], timeout=1.0)

    def close(self) -> None:
        """Stop the worker (the result cache stays)."""
        if self._worker is not None:
            self._worker.kill()
            self._worker = None
        self._inflight = {}
        _LIVE.discard(self)

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __getstate__(self):
        # A copy in another process starts its own worker and cache.
        return {"timeout": self.timeout, "max_rows": self.max_rows, "cache_size": self.cache_size,
                "memory_mb": self.memory_mb}

    def __setstate__(self, state):
        self.__init__(**state)


_DEFAULT: dict[int, Executor] = {}


def default_executor() -> Executor:
    """The executor shared by rewards and evals in this process (one per process: a DDP rank or
    a forked data worker gets its own, with its own worker process)."""
    pid = os.getpid()
    if pid not in _DEFAULT:
        _DEFAULT[pid] = Executor()
    return _DEFAULT[pid]
