"""Eval scoring for text-to-SQL, on the same verifier as the rewards.

Per sample: execution accuracy under both semantics (``execution_spider``,
``execution_bird``) and ``valid_sql`` (the answer runs). ``answer_key`` (the normalised
result set of the prediction) lets the eval runner take a majority vote for maj@k.
"""

from __future__ import annotations

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.domains.sql import verify
from r1_foundry.domains.sql.sandbox import DatabaseUnavailable, default_executor


def score(example: dict, text: str, distinct: str = "strip") -> dict:
    """Metrics for one generated completion of ``example``. ``distinct`` (a suite parameter)
    is passed to the spider comparison: ``strip`` reproduces the official test-suite evaluator's
    default (the leaderboard number), ``keep`` its ``--keep_distinct`` mode."""
    executor = default_executor()
    try:
        v = verify.check(text, example, executor=executor, distinct=distinct)
        key = None
        if v.executed:
            rows = executor.run(example["db_path"], v.sql).rows
            key = repr(sorted(map(repr, rows)))
    except DatabaseUnavailable as exc:  # a broken dataset: stop with its name, never score it 0
        raise FoundryError(f"sql eval, example {example.get('id', '?')}: {exc}; fix the dataset's db_path") from None
    return {"execution_spider": float(v.match["spider"]), "execution_bird": float(v.match["bird"]),
            "valid_sql": float(v.executed), "answer_key": key}
