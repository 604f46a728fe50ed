"""SQL rewards: correct / wrong / malformed cases, the Reasoning-SQL ordering property, fuzzing."""

import math
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from r1_foundry.core.rewards.compose import build_rewards, score
from r1_foundry.core.schema.domain import get_domain
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.domains.sql import rewards
from r1_foundry.domains.sql.rewards import RANGES

GOLD = "SELECT name FROM customers WHERE city = 'lima'"
CORRECT = "<think>tables: customers; columns: name, city</think><answer>SELECT name FROM customers WHERE city = 'lima'</answer>"
WRONG = "<think>tables: customers; columns: name</think><answer>SELECT name FROM customers WHERE city = 'oslo'</answer>"
BROKEN = "<think>x</think><answer>SELECT nme FROM customers</answer>"
NO_ANSWER = "I think the answer is SELECT name FROM customers"

ALL = {name: get_domain("sql").reward_registry().get(name)() for name in RANGES}


def call(reward, completion, db, gold=GOLD):
    return reward(prompts=[""], completions=[completion], gold_sql=[gold], db_path=[db])[0]


@pytest.mark.parametrize("name,correct,wrong,broken,none", [
    ("sql/execution", 1.0, 0.0, 0.0, 0.0),
    ("sql/syntax", 1.0, 1.0, 0.0, 0.0),
    ("sql/format", 1.0, 1.0, 1.0, 0.0),
    ("sql/tiered", 6.0, 0.0, -1.0, -1.0),
    ("sql/arctic", 1.0, 0.1, 0.0, 0.0),
    ("sql/schema_linking", 1.0, 1.0, 1 / 3, 0.0),  # broken: right table, unknown column
])
def test_reward_values(shop_db, name, correct, wrong, broken, none):
    r = ALL[name]
    assert call(r, CORRECT, shop_db) == pytest.approx(correct)
    assert call(r, WRONG, shop_db) == pytest.approx(wrong)
    assert call(r, BROKEN, shop_db) == pytest.approx(broken)
    assert call(r, NO_ANSWER, shop_db) == pytest.approx(none)


def test_ngram_partial(shop_db):
    r = ALL["sql/ngram"]
    assert call(r, CORRECT, shop_db) == 1.0
    assert 0.5 < call(r, WRONG, shop_db) < 1.0
    # untagged prose is read as the answer (core's one rule): bigrams shared with the gold earn partial credit, as
    # the same prose inside <answer> tags always did; reasoning alone is no answer
    assert 0.0 < call(r, NO_ANSWER, shop_db) < call(r, WRONG, shop_db)
    assert call(r, "<think>SELECT name FROM customers</think>", shop_db) == 0.0


def test_semantics_parameter(shop_db):
    # duplicate rows: a bag (spider) differs, a set (bird) matches
    gold = "SELECT city FROM customers WHERE city = 'lima'"
    pred = "<answer>SELECT DISTINCT city FROM customers WHERE city = 'lima'</answer>"
    assert call(rewards.execution("spider"), pred, shop_db, gold) == 0.0
    assert call(rewards.execution("bird"), pred, shop_db, gold) == 1.0
    with pytest.raises(FoundryError, match="semantics"):
        rewards.execution("strict")


def test_conversational_completions(shop_db):
    msg = [{"role": "assistant", "content": CORRECT}]
    assert call(ALL["sql/execution"], msg, shop_db) == 1.0


def test_missing_columns_is_a_clear_error():
    with pytest.raises(FoundryError, match="gold_sql"):
        ALL["sql/execution"](prompts=[""], completions=["x"])


def test_rewards_pickle_and_keep_their_names(shop_db):
    for name, r in ALL.items():
        clone = pickle.loads(pickle.dumps(r))
        assert clone.__name__ == name
        assert call(clone, CORRECT, shop_db) == call(r, CORRECT, shop_db)


def test_group_executes_identical_predictions_once(shop_db):
    from r1_foundry.domains.sql.sandbox import default_executor

    ex = default_executor()
    unique = "<answer>SELECT age FROM customers WHERE age > 26</answer>"
    before = ex.executions
    ALL["sql/execution"](prompts=[""] * 8, completions=[unique] * 8, gold_sql=["SELECT age FROM customers"] * 8,
                         db_path=[shop_db] * 8)
    assert ex.executions - before == 2  # one prediction + one gold


# ---------------------------------------------------------------- ordering property
_EQUIVALENT = [GOLD, "select name from customers where city='lima'", "SELECT c.name FROM customers AS c WHERE c.city = 'lima'",
               "SELECT name FROM customers WHERE city IN ('lima')", "SELECT name FROM customers WHERE city = 'lima' ORDER BY id"]
_WRONG = ["SELECT name FROM customers WHERE city = 'oslo'", "SELECT name FROM customers", "SELECT city FROM customers "
          "WHERE city = 'lima'", "SELECT name FROM customers WHERE city = 'lima' LIMIT 1",
          "SELECT name, city FROM customers WHERE city = 'lima'", "SELECT nme FROM customers WHERE city = 'lima'",
          "SELECT name FROM orders", "DROP TABLE customers", "SELECT name FROM customers WHERE city != 'lima'"]
_LAYOUTS = ["<think>{r}</think><answer>{s}</answer>", "<answer>{s}</answer>", "<think>{r}</think>\n```sql\n{s}\n```",
            "{r}<answer>```sql\n{s}\n```</answer>", "<think>{r}</think>{s}", "{s}"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(good=st.sampled_from(_EQUIVALENT), bad=st.one_of(st.sampled_from(_WRONG), st.text(max_size=60)),
       lay_good=st.sampled_from(_LAYOUTS), lay_bad=st.sampled_from(_LAYOUTS), reason=st.text(max_size=30))
def test_reasoning_sql_no_wrong_query_outscores_a_correct_one(shop_db, good, bad, lay_good, lay_bad, reason):
    funcs, weights = build_rewards(get_domain("sql"), "reasoning-sql")
    comps = [lay_good.format(r=reason, s=good), lay_bad.format(r=reason, s=bad)]
    rows = score(funcs, weights, ["", ""], comps, {"gold_sql": [GOLD] * 2, "db_path": [shop_db] * 2})
    correct = [r for r in rows if r["sql/execution"] == 1.0]
    wrong = [r for r in rows if r["sql/execution"] == 0.0]
    for c in correct:
        for w in wrong:
            assert c["total"] > w["total"], (comps, rows)


# ---------------------------------------------------------------- fuzzing
_hostile_text = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.builds(lambda a, s: f"<think>{a}</think><answer>{s}</answer>", st.text(max_size=20),
              st.one_of(st.text(max_size=120), st.sampled_from(_WRONG + _EQUIVALENT))),
    st.builds(lambda s: f"```sql\n{s}\n```", st.text(max_size=120)),
    st.just("<answer>" + "SELECT 1 UNION " * 2000 + "SELECT 1</answer>"),
    st.just("x" * 200_000),
)


@pytest.mark.parametrize("name", sorted(RANGES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_hostile_text)
def test_fuzz_rewards_finite_in_range_never_raise(shop_db, name, text):
    lo, hi = RANGES[name]
    value = call(ALL[name], text, shop_db)
    assert isinstance(value, float) and math.isfinite(value) and lo <= value <= hi
