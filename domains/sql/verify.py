"""The one SQL verifier, shared by rewards (``rewards.py``) and evaluation (``evals.py``).

Answer format (what the synthetic data teaches and what extraction expects)::

    <think>short reasoning</think>
    <answer>SELECT ...</answer>

Extraction takes the text inside the last ``<answer>`` tags (a ```sql fence inside is
unwrapped); failing that, the last ```sql fenced block; failing that, core's one answer rule
(:func:`r1_foundry.core.answers.text.read_answer`: the text after ``</think>``, or an untagged
completion as a whole). Reasoning alone is never an answer.

Execution comparison has two documented semantics (see ``domains/sql/README.md``):

* ``spider`` (test-suite accuracy, Zhong et al. 2020, as ``exec_eval.eval_exec_match`` of
  taoyds/test-suite-sql-eval does it): both queries first get the official clean-up (``> =`` ->
  ``>=`` and the like, ``YEAR(CURDATE())`` -> 2020) and, with ``distinct="strip"`` (the official
  default and the leaderboard's), every DISTINCT token removed; rows are compared as a bag
  (duplicates count); order matters when the gold's text contains ``order by`` anywhere (the
  official test, subqueries included); the predicted columns may come in any order.
* ``bird`` (Li et al. 2023): ``set(pred_rows) == set(gold_rows)``; order and duplicates are
  ignored, column order matters.

In both: floats are rounded to 6 decimal places (so ``0.1 + 0.2`` matches ``0.3`` and
``3`` matches ``3.0``); NULL equals NULL; two empty results match; a gold that errors or
times out is never a match; a prediction that errors, times out or exceeds the row cap is
never a match.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from r1_foundry.core.answers.text import (
    answer_blocks,
    completion_text,  # noqa: F401  (re-exported: verify.completion_text
    final_answer,
    has_layout,
)
from r1_foundry.domains.sql.sandbox import ExecResult, check_database
from r1_foundry.domains.sql.sqlworker import ro_uri

SEMANTICS = ("spider", "bird")
DISTINCT = ("keep", "strip")  # spider semantics: keep DISTINCT, or strip it as the official evaluator does
MAX_SQL_CHARS = 4_000  # longer "queries" are rejected before any parser sees them
_FENCE_RE = re.compile(r"```(?:sql|sqlite)?\s*\n?(.*?)```", re.S | re.I)
_TOKEN_RE = re.compile(r"'[^']*'|\"[^\"]*\"|\w+|[^\s\w]")


@lru_cache(maxsize=16_384)  # a GRPO group repeats its answers; prefetch and judging both extract
def extract_sql(text: str) -> str | None:
    """The SQL answer in a completion, or None when it has none.

    Example:
        >>> extract_sql("<think>t</think><answer>SELECT 1</answer>")
        'SELECT 1'
    """
    if not isinstance(text, str):
        return None
    answers = answer_blocks(text)  # core's reading of <answer> blocks; what is inside is SQL's own
    if answers:
        sql = answers[-1]
        fenced = _FENCE_RE.findall(sql)
        if fenced:
            sql = fenced[-1]
    else:
        fenced = _FENCE_RE.findall(text)
        # core's one answer rule: an untagged completion (a plain predictions file) is its own answer
        sql = fenced[-1] if fenced else final_answer(text)
    sql = sql.strip()
    if not sql or len(sql) > MAX_SQL_CHARS:
        return None
    return sql


def format_score(text: str) -> float:
    """1.0 for ``<think>…</think><answer>…</answer>``; 0.5 when an answer is extractable
    but the layout is incomplete; 0.0 otherwise."""
    if extract_sql(text) is None or not (answer_blocks(text) or _FENCE_RE.search(text or "")):
        return 0.0  # the layout is scored as before: an untagged answer (read since the one answer rule) earns none
    return 1.0 if has_layout(text) else 0.5  # unlike core's layout_score, a second <answer> keeps 1.0


def _norm_value(v):
    if isinstance(v, float):
        if v != v:  # NaN
            return "NaN"
        r = round(v, 6)
        return int(r) if r.is_integer() else r
    return v


def _norm_rows(rows) -> list[tuple]:
    return [tuple(_norm_value(v) for v in row) for row in rows]


def order_matters(gold_sql: str) -> bool:
    """The official test-suite rule: row order counts when the gold text contains ``order by``
    (lower-cased substring, so an ORDER BY inside a subquery counts too)."""
    return "order by" in (gold_sql or "").lower()


_CUR_YEAR_RE = re.compile(r"YEAR\s*\(\s*CURDATE\s*\(\s*\)\s*\)\s*", re.I)


def official_cleanup(sql: str) -> str:
    """What the test-suite evaluator does to both queries before running them: join ``> =``,
    ``< =`` and ``! =`` and replace ``YEAR(CURDATE())`` with 2020 (done blindly, inside string
    literals too, as the official code does)."""
    sql = sql.replace("> =", ">=").replace("< =", "<=").replace("! =", "!=")
    return _CUR_YEAR_RE.sub("2020", sql)


def strip_distinct(sql: str) -> str:
    """The official ``remove_distinct``: sqlparse's tokens of the first statement, joined back
    without any token whose text is ``distinct`` (any case): ``SELECT DISTINCT``,
    ``count(DISTINCT x)`` and subqueries alike; string literals and identifiers that merely
    contain the word are single tokens and stay.

    Example:
        >>> strip_distinct("SELECT count(DISTINCT name) FROM t")
        'SELECT count( name) FROM t'
    """
    import sqlparse

    try:
        statements = sqlparse.parse(sql)
    except Exception:  # sqlparse refuses some hostile input (grouping depth); leave the text as is
        return sql
    if not statements:
        return sql
    return "".join(t.value for t in statements[0].flatten() if t.value.lower() != "distinct")


@lru_cache(maxsize=16_384)
def spider_form(sql: str, distinct: str = "keep") -> str:
    """The text the spider comparison executes: official clean-up, DISTINCT removed with ``strip``."""
    if distinct not in DISTINCT:
        raise ValueError(f"distinct must be one of {DISTINCT}, got {distinct!r}")
    sql = official_cleanup(sql)
    return strip_distinct(sql) if distinct == "strip" else sql


def _spider_equal(pred: list[tuple], gold: list[tuple], ordered: bool) -> bool:
    if len(pred) != len(gold):
        return False
    if not gold:
        return True
    width = len(gold[0])
    if any(len(r) != width for r in pred):
        return False
    # Candidate permutations: pred column j may stand for gold column i only if their value
    # bags are equal, which prunes the search to (usually) a single permutation.
    gold_cols = [Counter(r[i] for r in gold) for i in range(width)]
    pred_cols = [Counter(r[j] for r in pred) for j in range(width)]
    options = [[j for j in range(width) if pred_cols[j] == gold_cols[i]] for i in range(width)]
    if any(not o for o in options):
        return False
    gold_bag = None if ordered else Counter(gold)
    for perm in itertools.islice(itertools.product(*options), 10_000):
        if len(set(perm)) != width:
            continue
        permuted = [tuple(r[j] for j in perm) for r in pred]
        if ordered and permuted == gold:
            return True
        if not ordered and Counter(permuted) == gold_bag:
            return True
    return False


def results_match(pred: ExecResult, gold: ExecResult, *, semantics: str = "spider", gold_sql: str = "") -> bool:
    """Compare two execution results under ``semantics`` (``"spider"`` or ``"bird"``); for
    ``spider``, ``gold_sql`` is the gold as executed (see :func:`spider_form`)."""
    if semantics not in SEMANTICS:
        raise ValueError(f"unknown semantics {semantics!r}; choose one of {SEMANTICS}")
    if not gold.ok or not pred.ok:
        return False
    p, g = _norm_rows(pred.rows), _norm_rows(gold.rows)
    if semantics == "bird":
        return set(p) == set(g)
    return _spider_equal(p, g, ordered=order_matters(gold_sql))


def bigrams(sql: str) -> set[tuple[str, str]]:
    toks = [t.lower() for t in _TOKEN_RE.findall(sql or "")]
    return set(zip(toks, toks[1:], strict=False))


def ngram_jaccard(pred_sql: str | None, gold_sql: str) -> float:
    """Bigram Jaccard similarity of two queries' tokens, in [0, 1]."""
    if not pred_sql:
        return 0.0
    a, b = bigrams(pred_sql), bigrams(gold_sql)
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@lru_cache(maxsize=8_192)
def used_schema_items(sql: str, schema_key: tuple) -> frozenset | None:
    """Tables and ``table.column`` items a query really reads, or None if it does not parse.

    Uses sqlglot's ``qualify`` (resolving aliases and unqualified columns against the
    schema) and walks every scope; CTE and derived-table names are not tables and are
    excluded. ``schema_key`` is ``((table, ((column, type), ...)), ...)``.
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.optimizer.scope import traverse_scope

    schema = {t: dict(cols) for t, cols in schema_key}
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
        if tree is None:
            return None
        tree = qualify(tree, schema=schema, dialect="sqlite", validate_qualify_columns=False, quote_identifiers=False)
        items: set[str] = set()
        for scope in traverse_scope(tree):
            aliases = {}
            for alias, source in scope.sources.items():
                if isinstance(source, exp.Table) and source.name.lower() not in scope.cte_sources:
                    aliases[alias] = source.name.lower()
                    items.add(source.name.lower())
            for col in scope.columns:
                table = aliases.get(col.table)
                if table is not None:
                    items.add(f"{table}.{col.name.lower()}")
        return frozenset(items)
    except Exception:  # sqlglot raises many types on garbage; any failure means "unparseable"
        return None


def schema_jaccard(pred_sql: str | None, gold_sql: str, schema_key: tuple) -> float:
    """Jaccard over the tables and columns the two queries use, in [0, 1]."""
    if not pred_sql:
        return 0.0
    pred = used_schema_items(pred_sql, schema_key)
    gold = used_schema_items(gold_sql, schema_key)
    if pred is None or gold is None:
        return 0.0
    if not pred and not gold:
        return 1.0
    return len(pred & gold) / len(pred | gold)


@lru_cache(maxsize=1_024)
def schema_key(db_path: str) -> tuple:
    """``((table, ((column, type), ...)), ...)`` of a database, read once (trusted code path)."""
    import sqlite3

    check_database(db_path)  # a missing or non-SQLite file is an error (the reward stops), not a 0
    conn = sqlite3.connect(ro_uri(db_path), uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out = []
        for t in tables:
            cols = tuple((r[1].lower(), (r[2] or "TEXT").upper()) for r in conn.execute(f'PRAGMA table_info("{t}")'))
            out.append((t.lower(), cols))
        return tuple(out)
    finally:
        conn.close()


@dataclass(frozen=True)
class Verdict:
    """Everything the rewards and the eval need to know about one completion."""

    sql: str | None  # extracted answer, None when there is none
    executed: bool  # ran without error within limits
    match: dict  # semantics -> bool


_VERDICTS: OrderedDict = OrderedDict()
_VERDICTS_MAX = 16_384


def judge(text: str, gold_sql: str, db_path: str, *, executor, semantics=SEMANTICS, distinct: str = "keep",
          timeout: float | None = None) -> Verdict:
    """Extract, execute (sandboxed, cached) and compare one completion with its gold query.

    ``distinct`` applies to the ``spider`` semantics (``strip`` = the official evaluator's
    default); ``timeout`` is each statement's limit in seconds (None: the executor's). Verdicts are
    cached per ``(db, predicted sql, gold sql, semantics, distinct, timeout)``: a
    GRPO group that repeats an answer is compared once (databases are opened read-only, so
    results are stable).
    """
    if distinct not in DISTINCT:
        raise ValueError(f"distinct must be one of {DISTINCT}, got {distinct!r}")
    sql = extract_sql(text)
    if sql is None:
        return Verdict(None, False, {s: False for s in semantics})
    key = (db_path, sql, gold_sql, tuple(semantics), distinct, timeout)
    verdict = _VERDICTS.get(key)
    if verdict is None:
        pred = executor.run(db_path, sql, timeout)
        gold = executor.run(db_path, gold_sql, timeout)
        match = {}
        for s in semantics:
            if s == "spider":
                p_sql, g_sql = spider_form(sql, distinct), spider_form(gold_sql, distinct)
                p = pred if p_sql == sql else executor.run(db_path, p_sql, timeout)
                g = gold if g_sql == gold_sql else executor.run(db_path, g_sql, timeout)
                match[s] = results_match(p, g, semantics=s, gold_sql=g_sql)
            else:
                match[s] = results_match(pred, gold, semantics=s, gold_sql=gold_sql)
        verdict = Verdict(sql, pred.ok, match)
        _VERDICTS[key] = verdict
        if len(_VERDICTS) > _VERDICTS_MAX:
            _VERDICTS.popitem(last=False)
    return verdict


def check(text: str, example: dict, *, executor=None, semantics=SEMANTICS, distinct: str = "keep") -> Verdict:
    """The verifier under the name and signature every domain's ``verify.check(text, example)`` has:
    :func:`judge` with the example's ``gold_sql`` and ``db_path`` (the sandboxed default executor
    unless one is given)."""
    if executor is None:
        from r1_foundry.domains.sql.sandbox import default_executor

        executor = default_executor()
    return judge(text, example["gold_sql"], example["db_path"], executor=executor, semantics=semantics,
                 distinct=distinct)
