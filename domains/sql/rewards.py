"""Text-to-SQL rewards (TRL contract), all built on :mod:`domains.sql.verify`.

Each factory returns a small picklable callable with a stable ``__name__``. Rewards read the
dataset columns ``gold_sql`` and ``db_path``. Ranges:

===================  ==============  =============================================
name                 range           meaning
===================  ==============  =============================================
sql/execution        {0, 1}          results match the gold's (``semantics``, ``distinct``)
sql/syntax           {0, 1}          one allowed statement that compiles (EXPLAIN)
sql/schema_linking   [0, 1]          Jaccard of tables/columns used vs the gold's
sql/ngram            [0, 1]          bigram Jaccard with the gold query
sql/format           {0, 0.5, 1}     think+answer layout / answer only / none
sql/tiered           {-1, 0, 6}      SQL-R1-style tiers: format, executable, correct
sql/arctic           {0, 0.1, 1}     Arctic-Text2SQL-R1: correct / executable / else
===================  ==============  =============================================

The rewards that execute (``execution``/``correct``, ``tiered``, ``arctic``) take ``timeout``, each
statement's limit in seconds (default 2; a recipe sets it as ``{name: sql/arctic, weight: 1, timeout: 5}``,
the ``reward`` verb as ``--rewards '[{"name": "sql/arctic", "weight": 1, "timeout": 5}]'``).

``distinct`` (``keep`` by default, or ``strip``) applies to the spider semantics: rewards keep
DISTINCT so that a query missing a DISTINCT the question asks for is not rewarded; the eval
suite strips it, as the official test-suite evaluator and the leaderboard do.

Any completion string gives a finite number in range; rewards never raise on model output.
"""

from __future__ import annotations

from r1_foundry.core.rewards.base import Reward, renamed
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.domains.sql import verify
from r1_foundry.domains.sql.sandbox import default_executor
from r1_foundry.domains.sql.sqlworker import ro_uri

DEFAULT_TIMEOUT = 2.0  # seconds per statement (the prediction's and the gold's), unless a recipe sets ``timeout``


class _Reward(Reward):
    columns = ("gold_sql", "db_path")

    def __init__(self, semantics: str = "spider", distinct: str = "keep", timeout: float = DEFAULT_TIMEOUT):
        import math

        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) \
                or not 0 < timeout <= 3600:
            raise FoundryError(f"{self.name}: timeout must be seconds between 0 and 3600, got {timeout!r}")
        if semantics not in verify.SEMANTICS:
            raise FoundryError(f"{self.name}: semantics must be one of {verify.SEMANTICS}, got '{semantics}'")
        if distinct not in verify.DISTINCT:
            raise FoundryError(f"{self.name}: distinct must be one of {verify.DISTINCT}, got '{distinct}'")
        super().__init__()
        self.semantics, self.distinct, self.timeout = semantics, distinct, float(timeout)

    def fatal(self, exc):
        if isinstance(exc, FileNotFoundError):  # a dataset naming a missing database, not a bad answer
            return FoundryError(f"{self.name}: {exc}; fix the dataset's db_path column (a reward never scores a "
                                "broken database as 0)")
        return super().fatal(exc)

    def prepare(self, texts, examples):
        # one message to the sandbox's worker for the whole batch; judging below hits its cache
        self.prefetch(default_executor(), texts, [ex["gold_sql"] for ex in examples],
                      [ex["db_path"] for ex in examples])

    def score(self, text, example):
        return self.judge(text, example["gold_sql"], example["db_path"], default_executor())

    def judge(self, text, gold, db, executor) -> float:
        raise NotImplementedError

    def prefetch(self, executor, texts, golds, dbs) -> None:
        """Queries this reward will run, sent in one batch (rewards that execute override it)."""


class _Executes(_Reward):
    """A reward that executes the prediction and the gold."""

    def prefetch(self, executor, texts, golds, dbs):
        preds = [(db, verify.extract_sql(t)) for t, db in zip(texts, dbs, strict=False)]
        executor.prefetch(preds + list(zip(dbs, golds, strict=False)), self.timeout)


class _Execution(_Executes):
    name = "sql/execution"

    def judge(self, text, gold, db, executor):
        return 1.0 if verify.judge(text, gold, db, executor=executor, semantics=(self.semantics,), distinct=self.distinct,
                          timeout=self.timeout).match[
            self.semantics] else 0.0


class _Syntax(_Reward):
    name = "sql/syntax"

    def prefetch(self, executor, texts, golds, dbs):
        executor.prefetch_explain([(db, verify.extract_sql(t)) for t, db in zip(texts, dbs, strict=False)])

    def judge(self, text, gold, db, executor):
        sql = verify.extract_sql(text)
        return 1.0 if sql is not None and executor.explain(db, sql) else 0.0


class _Schema(_Reward):
    name = "sql/schema_linking"

    def judge(self, text, gold, db, executor):
        return verify.schema_jaccard(verify.extract_sql(text), gold, verify.schema_key(db))


class _NGram(_Reward):
    name = "sql/ngram"

    def judge(self, text, gold, db, executor):
        return verify.ngram_jaccard(verify.extract_sql(text), gold)


class _Format(_Reward):
    name = "sql/format"

    def judge(self, text, gold, db, executor):
        return verify.format_score(text)


class _Tiered(_Executes):
    """SQL-R1 (Ma et al., 2025) tiers: a later tier counts only once the earlier one passes.
    format +1 / -1; then executable +2 / -2; then result +3 / -3."""

    name = "sql/tiered"
    low, high = -1.0, 6.0

    def judge(self, text, gold, db, executor):
        if verify.format_score(text) < 1.0:
            return -1.0
        v = verify.judge(text, gold, db, executor=executor, semantics=(self.semantics,), distinct=self.distinct,
                          timeout=self.timeout)
        if not v.executed:
            return 1.0 - 2.0
        return 1.0 + 2.0 + (3.0 if v.match[self.semantics] else -3.0)


class _Arctic(_Executes):
    """Arctic-Text2SQL-R1 (Yao et al., 2025): 1 correct, 0.1 executable, 0 otherwise."""

    name = "sql/arctic"

    def judge(self, text, gold, db, executor):
        v = verify.judge(text, gold, db, executor=executor, semantics=(self.semantics,), distinct=self.distinct,
                          timeout=self.timeout)
        return 1.0 if v.match[self.semantics] else (0.1 if v.executed else 0.0)


def execution(semantics: str = "spider", distinct: str = "keep", timeout: float = DEFAULT_TIMEOUT):
    return _Execution(semantics, distinct, timeout)


correct = renamed(execution, "sql/correct")  # the right-answer name every domain answers to


def syntax():
    return _Syntax()


def schema_linking():
    return _Schema()


def ngram():
    return _NGram()


def format_reward():
    return _Format()


def tiered(semantics: str = "spider", distinct: str = "keep", timeout: float = DEFAULT_TIMEOUT):
    return _Tiered(semantics, distinct, timeout)


def arctic(semantics: str = "spider", distinct: str = "keep", timeout: float = DEFAULT_TIMEOUT):
    return _Arctic(semantics, distinct, timeout)


RANGES = {"sql/execution": (0.0, 1.0), "sql/correct": (0.0, 1.0), "sql/syntax": (0.0, 1.0), "sql/schema_linking": (0.0, 1.0),
          "sql/ngram": (0.0, 1.0), "sql/format": (0.0, 1.0), "sql/tiered": (-1.0, 6.0), "sql/arctic": (0.0, 1.0)}


def audit_probes(example: dict, gold: str, rng, pool: list[dict]) -> dict:
    """SQL's reward-hacking probes for ``foundry sql audit`` (:mod:`core.audit`): ``SELECT *`` from
    the gold's first table, the gold with ``LIMIT 1``, the gold without its ``WHERE`` (every row).
    A probe whose result equals the gold's on the example's database is a right answer, not a
    trick, and is left out for that example (the gold and the probes are ours, run read-only).
    The last two are near misses: a finding only if they reach the gold (a lenient comparison)."""
    import sqlite3

    import sqlglot
    from sqlglot import exp

    from r1_foundry.core.answers.text import reasoning

    sql, db = example.get("gold_sql"), example.get("db_path")
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except Exception:  # a gold sqlglot cannot read: no SQL probes for it
        return {}
    table = next(iter(tree.find_all(exp.Table)), None)
    candidates = {}
    if table is not None:
        candidates["sql_select_star"] = f"SELECT * FROM {table.sql(dialect='sqlite')}"
    if tree.args.get("limit") is None and isinstance(tree, exp.Select):
        candidates["sql_gold_limit_1"] = f"{sql.rstrip().rstrip(';')} LIMIT 1"
    if tree.args.get("where") is not None:
        every = tree.copy()
        every.set("where", None)
        candidates["sql_every_row"] = every.sql(dialect="sqlite")
    try:
        conn = sqlite3.connect(ro_uri(db), uri=True)
        gold_rows = verify._norm_rows(conn.execute(sql).fetchall())
    except Exception:
        return {}
    out = {}
    for name, probe in candidates.items():
        try:
            rows = verify._norm_rows(conn.execute(probe).fetchall())
        except Exception:
            rows = None
        if rows is None or sorted(map(repr, rows)) != sorted(map(repr, gold_rows)):
            text = f"<think>{reasoning(gold)}</think><answer>{probe}</answer>"
            out[name] = text if name == "sql_select_star" else (text, "near")
    conn.close()
    return out
