"""Comparison semantics (a table of cases), extraction, format, n-gram and schema linking."""

import pytest

from r1_foundry.domains.sql import verify
from r1_foundry.domains.sql.sandbox import ExecResult


def R(*rows):
    return ExecResult(ok=True, rows=tuple(tuple(r) for r in rows))


ERR = ExecResult(ok=False, error="boom")
TIMEOUT = ExecResult(ok=False, error="timeout", timed_out=True)

# (case, pred, gold, gold_sql, spider, bird)
CASES = [
    ("identical", R((1, "a"), (2, "b")), R((1, "a"), (2, "b")), "SELECT x, y FROM t", True, True),
    ("order differs, no ORDER BY", R((2, "b"), (1, "a")), R((1, "a"), (2, "b")), "SELECT x, y FROM t", True, True),
    ("order differs, gold ORDER BY", R((2, "b"), (1, "a")), R((1, "a"), (2, "b")), "SELECT x, y FROM t ORDER BY x",
     False, True),
    # the official test-suite rule: 'order by' anywhere in the gold's text makes order count
    ("ORDER BY only in subquery", R((2,), (1,)), R((1,), (2,)),
     "SELECT x FROM (SELECT x FROM t ORDER BY x) WHERE x > 0", False, True),
    ("order by inside a literal (official quirk)", R((2,), (1,)), R((1,), (2,)),
     "SELECT x FROM t WHERE note != 'order by'", False, True),
    ("ORDER  BY with two spaces is not 'order by'", R((2,), (1,)), R((1,), (2,)), "SELECT x FROM t ORDER  BY x",
     True, True),
    ("duplicates missing", R((1,),), R((1,), (1,)), "SELECT x FROM t", False, True),
    ("extra duplicate", R((1,), (1,), (2,)), R((1,), (2,)), "SELECT x FROM t", False, True),
    ("column order swapped", R(("a", 1), ("b", 2)), R((1, "a"), (2, "b")), "SELECT x, y FROM t", True, False),
    ("extra column", R((1, "a", 0),), R((1, "a"),), "SELECT x, y FROM t", False, False),
    ("NULL equals NULL", R((None,), (1,)), R((1,), (None,)), "SELECT x FROM t", True, True),
    ("NULL vs 0", R((0,),), R((None,),), "SELECT x FROM t", False, False),
    ("float rounding", R((0.1 + 0.2,),), R((0.3,),), "SELECT avg(x) FROM t", True, True),
    ("int equals float", R((3,),), R((3.0,),), "SELECT sum(x) FROM t", True, True),
    ("float differs", R((0.3001,),), R((0.3,),), "SELECT avg(x) FROM t", False, False),
    ("both empty", R(), R(), "SELECT x FROM t WHERE 0", True, True),
    ("pred empty", R(), R((1,),), "SELECT x FROM t", False, False),
    ("gold error", R((1,),), ERR, "SELECT x FROM t", False, False),
    ("gold timeout", R(), TIMEOUT, "SELECT x FROM t", False, False),
    ("pred error", ERR, R((1,),), "SELECT x FROM t", False, False),
    ("string vs number", R(("1",),), R((1,),), "SELECT x FROM t", False, False),
]


@pytest.mark.parametrize("case,pred,gold,gold_sql,spider,bird", CASES, ids=[c[0] for c in CASES])
def test_comparison_semantics(case, pred, gold, gold_sql, spider, bird):
    assert verify.results_match(pred, gold, semantics="spider", gold_sql=gold_sql) is spider
    assert verify.results_match(pred, gold, semantics="bird", gold_sql=gold_sql) is bird


def test_unknown_semantics_raises():
    with pytest.raises(ValueError, match="unknown semantics"):
        verify.results_match(R(), R(), semantics="exact")


@pytest.mark.parametrize("text,sql", [
    ("<think>x</think><answer>SELECT 1</answer>", "SELECT 1"),
    ("<answer>```sql\nSELECT 2\n```</answer>", "SELECT 2"),
    ("blah ```sql\nSELECT 3\n``` more", "SELECT 3"),
    ("<answer>SELECT 1</answer> then <answer>SELECT 4</answer>", "SELECT 4"),
    ("SELECT 5", "SELECT 5"),  # an untagged completion is its own answer (core's one answer rule)
    ("<think>SELECT 6</think>", None),  # reasoning alone never is
    ("<think>x</think>SELECT 7", "SELECT 7"),
    ("<answer>   </answer>", None),
    ("<answer>" + "x" * 5000 + "</answer>", None),
    ("", None),
])
def test_extract_sql(text, sql):
    assert verify.extract_sql(text) == sql


def test_format_score():
    assert verify.format_score("<think>r</think>\n<answer>SELECT 1</answer>") == 1.0
    assert verify.format_score("<answer>SELECT 1</answer>") == 0.5
    assert verify.format_score("<think>r</think> SELECT 1") == 0.0


def test_ngram_jaccard():
    assert verify.ngram_jaccard("SELECT a FROM t", "select a from t") == 1.0
    assert verify.ngram_jaccard(None, "SELECT a FROM t") == 0.0
    assert 0 < verify.ngram_jaccard("SELECT a FROM t WHERE b = 1", "SELECT a FROM t") < 1


def test_schema_linking_uses_qualify_and_excludes_ctes(shop_db):
    key = verify.schema_key(shop_db)
    items = verify.used_schema_items(
        "WITH big AS (SELECT customer_id FROM orders WHERE amount > 10) "
        "SELECT c.name FROM customers AS c JOIN big ON big.customer_id = c.id", key)
    assert items == frozenset({"orders", "orders.customer_id", "orders.amount", "customers", "customers.name",
                               "customers.id"})
    # unqualified columns resolve to their table through the schema
    assert verify.used_schema_items("SELECT name FROM customers WHERE age > 3", key) == frozenset(
        {"customers", "customers.name", "customers.age"})
    assert verify.schema_jaccard("SELECT name FROM customers", "SELECT name FROM customers", key) == 1.0
    assert verify.schema_jaccard("SELECT amount FROM orders", "SELECT name FROM customers", key) == 0.0
    assert verify.schema_jaccard("SELEC nonsense (((", "SELECT name FROM customers", key) == 0.0


@pytest.mark.parametrize("sql,stripped", [
    ("SELECT DISTINCT name FROM t", "SELECT  name FROM t"),
    ("select distinct name from t", "select  name from t"),
    ("SELECT count(DISTINCT city) FROM customers", "SELECT count( city) FROM customers"),
    ("SELECT a FROM t WHERE b IN (SELECT DISTINCT b FROM u)", "SELECT a FROM t WHERE b IN (SELECT  b FROM u)"),
    ("SELECT a FROM t WHERE c = 'distinct'", "SELECT a FROM t WHERE c = 'distinct'"),  # a literal is one token
    ("SELECT distinct_name FROM t", "SELECT distinct_name FROM t"),  # so is an identifier
])
def test_strip_distinct_is_token_level(sql, stripped):
    assert verify.strip_distinct(sql) == stripped


def test_official_cleanup():
    assert verify.official_cleanup("a > = 1 AND b < = 2 AND c ! = 3") == "a >= 1 AND b <= 2 AND c != 3"
    assert verify.official_cleanup("SELECT YEAR ( CURDATE ( ) ) - 1") == "SELECT 2020- 1"


# (case, pred, gold, keep, strip): verdicts of the official evaluator with and without --keep_distinct
DISTINCT_CASES = [
    ("gold DISTINCT, pred has duplicates", "SELECT city FROM customers WHERE city IS NOT NULL",
     "SELECT DISTINCT city FROM customers WHERE city IS NOT NULL", False, True),
    ("pred DISTINCT, gold has duplicates", "SELECT DISTINCT city FROM customers", "SELECT city FROM customers",
     False, True),
    ("count(DISTINCT x) vs count(x)", "SELECT count(city) FROM customers",
     "SELECT count(DISTINCT city) FROM customers", False, True),
    ("DISTINCT in a subquery", "SELECT count(*) FROM orders",
     "SELECT count(*) FROM (SELECT DISTINCT customer_id FROM orders)", False, True),
    ("DISTINCT on a gold with ORDER BY", "SELECT status FROM orders ORDER BY status",
     "SELECT DISTINCT status FROM orders ORDER BY status", False, True),
    ("ORDER BY still counts after stripping", "SELECT DISTINCT status FROM orders ORDER BY status DESC",
     "SELECT DISTINCT status FROM orders ORDER BY status", False, False),
    ("both DISTINCT", "SELECT DISTINCT status FROM orders", "SELECT DISTINCT status FROM orders", True, True),
    ("official clean-up of '> ='", "SELECT name FROM customers WHERE age > = 41",
     "SELECT name FROM customers WHERE age >= 41", True, True),
]


@pytest.mark.parametrize("case,pred,gold,keep,strip", DISTINCT_CASES, ids=[c[0] for c in DISTINCT_CASES])
def test_distinct_keep_and_strip(shop_db, case, pred, gold, keep, strip):
    from r1_foundry.domains.sql.sandbox import default_executor

    text = f"<answer>{pred}</answer>"
    for mode, want in (("keep", keep), ("strip", strip)):
        v = verify.judge(text, gold, shop_db, executor=default_executor(), distinct=mode)
        assert v.match["spider"] is want, mode


def test_distinct_mode_is_checked():
    with pytest.raises(ValueError, match="distinct"):
        verify.spider_form("SELECT 1", "drop")
