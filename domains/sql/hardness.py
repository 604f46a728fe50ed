"""Spider's hardness levels (easy / medium / hard / extra), as the official ``evaluation.py``
(``Evaluator.eval_hardness``) computes them, so per-level tables line up with published ones.

The official code counts components of the gold query parsed into Spider's ``sql`` dict (the
``sql`` field of every ``dev.json`` / ``train_spider.json`` entry):

* component 1: WHERE, GROUP BY, ORDER BY, LIMIT present (1 each); tables beyond the first in
  FROM (joins); every OR and every LIKE condition (FROM ... ON, WHERE, HAVING).
* component 2: nested queries: subqueries used as condition values, and INTERSECT / UNION /
  EXCEPT (one each, of the first SELECT).
* others: more than one aggregate (see below); more than one SELECT column; more than one
  WHERE condition; more than one GROUP BY column.

The aggregate count keeps two quirks of the official code, on purpose: for WHERE it counts
negated conditions (``NOT IN``, ``NOT LIKE``: the first field of a condition is its NOT flag,
read as an aggregate id), and for HAVING it also counts each AND/OR joining its conditions.

:func:`level_of_parsed` reads Spider's ``sql`` dict (exact). :func:`level_of_sql` parses a
query text with sqlglot into the same shape first, for records without that field; it follows
process_sql's reading of a query (the first SELECT of a chain of set operations is the main
one, conditions are read left to right) and returns ``None`` when sqlglot cannot parse it.
"""

from __future__ import annotations

LEVELS = ("easy", "medium", "hard", "extra")
_LIKE, _IN = 9, 8  # indices in Spider's WHERE_OPS: not, between, =, >, <, >=, <=, !=, in, like, is, exists
_OPS = {"Between": 1, "EQ": 2, "GT": 3, "LT": 4, "GTE": 5, "LTE": 6, "NEQ": 7, "In": 8, "Like": 9, "Is": 10,
        "Exists": 11}
_AGGS = {"Max": 1, "Min": 2, "Count": 3, "Sum": 4, "Avg": 5}


def _is_agg(unit) -> bool:
    """Spider's ``has_agg``: the first field differs from 0 (a string 'and'/'or' counts too)."""
    first = unit[0]
    return not (first is False or first == 0)


def _n_agg(units) -> int:
    return sum(1 for u in units if _is_agg(u))


def _components(sql: dict) -> tuple[int, int, int]:
    frm = sql["from"]
    connectives = frm["conds"][1::2] + sql["where"][1::2] + sql["having"][1::2]
    cond_units = frm["conds"][::2] + sql["where"][::2] + sql["having"][::2]
    comp1 = sum(1 for k in ("where", "groupBy", "orderBy") if len(sql[k]) > 0) + (sql["limit"] is not None)
    comp1 += max(len(frm["table_units"]) - 1, 0)
    comp1 += sum(1 for c in connectives if c == "or") + sum(1 for c in cond_units if c[1] == _LIKE)

    comp2 = sum(isinstance(v, dict) for c in cond_units for v in (c[3], c[4]))
    comp2 += sum(sql.get(op) is not None for op in ("intersect", "except", "union"))

    aggs = _n_agg(sql["select"][1]) + _n_agg(sql["where"][::2]) + _n_agg(sql["groupBy"]) + _n_agg(sql["having"])
    if len(sql["orderBy"]) > 0:
        units = sql["orderBy"][1]
        aggs += _n_agg([u[1] for u in units if u[1]] + [u[2] for u in units if u[2]])
    others = (aggs > 1) + (len(sql["select"][1]) > 1) + (len(sql["where"]) > 1) + (len(sql["groupBy"]) > 1)
    return comp1, comp2, others


def level_of_parsed(sql: dict) -> str:
    """The official hardness of a query in Spider's parsed ``sql`` form."""
    c1, c2, others = _components(sql)
    if c1 <= 1 and others == 0 and c2 == 0:
        return "easy"
    if (others <= 2 and c1 <= 1 and c2 == 0) or (c1 <= 2 and others < 2 and c2 == 0):
        return "medium"
    if (others > 2 and c1 <= 2 and c2 == 0) or (2 < c1 <= 3 and others <= 2 and c2 == 0) or \
            (c1 <= 1 and others == 0 and c2 <= 1):
        return "hard"
    return "extra"


# ------------------------------------------------------------------ query text -> Spider's shape

def _unwrap(e):
    from sqlglot import exp

    while isinstance(e, (exp.Paren, exp.Subquery)):
        e = e.this
    return e


def _agg_id(e) -> int:
    from sqlglot import exp

    e = e.this if isinstance(e, exp.Alias) else e
    return _AGGS.get(type(e).__name__, 0)


def _is_query(e) -> bool:
    from sqlglot import exp

    return isinstance(e, (exp.Subquery, exp.Select, exp.SetOperation))


def _cond_unit(e) -> tuple:
    from sqlglot import exp

    e = _unwrap(e)
    negated = isinstance(e, exp.Not)
    if negated:
        e = _unwrap(e.this)
    negated = negated or bool(e.args.get("negate"))
    op = _OPS.get(type(e).__name__, 2)
    if isinstance(e, exp.In):
        values = [e.args.get("query"), *(e.args.get("expressions") or [])]
    elif isinstance(e, exp.Between):
        values = [e.args.get("low"), e.args.get("high")]
    else:
        values = [e.args.get("expression")]
    marks = [{} if v is not None and _is_query(v) else None for v in values[:2]]
    marks += [None] * (2 - len(marks))
    return (negated, op, None, marks[0], marks[1])


def _conditions(e) -> list:
    from sqlglot import exp

    if e is None:
        return []
    e = _unwrap(e)
    if isinstance(e, (exp.And, exp.Or)):
        return _conditions(e.this) + ["and" if isinstance(e, exp.And) else "or"] + _conditions(e.expression)
    return [_cond_unit(e)]


def _select(node) -> dict:
    from sqlglot import exp

    node = _unwrap(node)
    if not isinstance(node, exp.Select):
        raise ValueError("not a SELECT")
    frm = node.args.get("from_") or node.args.get("from")
    joins = node.args.get("joins") or []
    tables = ([frm.this] if frm is not None else []) + [j.this for j in joins]
    on: list = []
    for j in joins:
        if j.args.get("on") is not None:
            on += (["and"] if on else []) + _conditions(j.args["on"])
    where, having = node.args.get("where"), node.args.get("having")
    group, order, limit = node.args.get("group"), node.args.get("order"), node.args.get("limit")
    order_units = []
    for o in (order.expressions if order else []):
        e = _unwrap(o.this)
        if isinstance(e, (exp.Add, exp.Sub, exp.Mul, exp.Div)):
            order_units.append((1, (_agg_id(e.this), None, False), (_agg_id(e.expression), None, False)))
        else:
            order_units.append((0, (_agg_id(e), None, False), None))
    return {
        "select": (bool(node.args.get("distinct")), [(_agg_id(e), None) for e in node.expressions]),
        "from": {"table_units": tables, "conds": on},
        "where": _conditions(where.this) if where else [],
        "groupBy": [(0, None, False)] * len(group.expressions) if group else [],
        "having": _conditions(having.this) if having else [],
        "orderBy": ("asc", order_units) if order_units else [],
        "limit": 1 if limit is not None else None,
        "intersect": None, "union": None, "except": None,
    }


def parse_like_spider(sql: str) -> dict:
    """A query text in the shape of Spider's ``sql`` dict, as far as hardness needs it."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="sqlite")
    chain: list = []  # (set operation leading to it, SELECT), left to right

    def walk(node, op):
        node = _unwrap(node)
        if isinstance(node, exp.SetOperation):
            walk(node.this, op)
            walk(node.expression, type(node).__name__.lower())
        else:
            chain.append((op, node))

    walk(tree, None)
    head = current = _select(chain[0][1])
    for op, node in chain[1:]:
        nxt = _select(node)
        current[op] = nxt
        current = nxt
    return head


def level_of_sql(sql: str) -> str | None:
    """The hardness of a query text, or None when it cannot be parsed."""
    try:
        return level_of_parsed(parse_like_spider(sql))
    except Exception:  # sqlglot raises many kinds on unusual SQL; the caller records "unknown"
        return None


def level(record: dict, sql_field: str = "query") -> str:
    """Hardness of a Spider-format record: from its parsed ``sql`` field when present (the official
    way), else from the query text; ``unknown`` when neither works."""
    parsed = record.get("sql")
    if isinstance(parsed, dict):
        try:
            return level_of_parsed(parsed)
        except (KeyError, IndexError, TypeError):
            pass
    return level_of_sql(str(record.get(sql_field, ""))) or "unknown"
