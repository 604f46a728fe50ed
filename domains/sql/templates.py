"""Question/SQL templates over a synthetic :class:`~domains.sql.synth.Schema`.

Each template returns ``(question, sql, tables, columns)``; the tables and columns feed the
short schema-linking reasoning in the completion. Templates cover projection, filters,
aggregates, GROUP BY/HAVING, ORDER BY/LIMIT, joins over the foreign key and nested queries.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from r1_foundry.domains.sql.synth import Schema, Table

_AGG = [("average", "AVG"), ("maximum", "MAX"), ("minimum", "MIN"), ("total", "SUM")]


def _pick_table(s: Schema, rng: random.Random) -> Table:
    return rng.choice([s.parent, s.child])


def _cols(t: Table) -> list[str]:
    return [n for n, _ in t.text] + [n for n, _ in t.num]


def _num(t: Table, rng) -> tuple[str, tuple]:
    return rng.choice(t.num)


def _text(t: Table, rng) -> tuple[str, list]:
    return rng.choice(t.text)


def _value(values: dict, table: str, col: str, rng) -> object:
    return rng.choice(values[(table, col)])


def projection(s, rng, values):
    t = _pick_table(s, rng)
    c = rng.choice(_cols(t))
    q = rng.choice(["List the {c} of all {t}.", "Show every {c} of the {t}.", "What are the {c} values of all {t}?"])
    return q.format(c=c, t=t.name), f"SELECT {c} FROM {t.name}", [t.name], [c]


def filter_num(s, rng, values):
    t = _pick_table(s, rng)
    c = rng.choice(_cols(t))
    n, _ = _num(t, rng)
    v = _value(values, t.name, n, rng)
    word, op = rng.choice([("greater than", ">"), ("less than", "<")])
    return (f"List the {c} of {t.name} with {n} {word} {v}.", f"SELECT {c} FROM {t.name} WHERE {n} {op} {v}",
            [t.name], [c, n])


def filter_text(s, rng, values):
    t = s.child
    c = rng.choice(_cols(t))
    x, _ = _text(t, rng)
    v = _value(values, t.name, x, rng)
    return (f"List the {c} of {t.name} whose {x} is '{v}'.", f"SELECT {c} FROM {t.name} WHERE {x} = '{v}'",
            [t.name], [c, x])


def count_filter(s, rng, values):
    t = s.child
    n, _ = _num(t, rng)
    v = _value(values, t.name, n, rng)
    word, op = rng.choice([("greater than", ">"), ("less than", "<")])
    return (f"How many {t.name} have {n} {word} {v}?", f"SELECT COUNT(*) FROM {t.name} WHERE {n} {op} {v}",
            [t.name], [n])


def aggregate(s, rng, values):
    t = _pick_table(s, rng)
    n, _ = _num(t, rng)
    word, fn = rng.choice(_AGG)
    q = rng.choice(["What is the {w} {n} of all {t}?", "Give the {w} {n} over the {t}.", "Find the {w} {n} of {t}."])
    return q.format(w=word, n=n, t=t.name), f"SELECT {fn}({n}) FROM {t.name}", [t.name], [n]


def group_count(s, rng, values):
    t = s.child
    x, _ = _text(t, rng)
    q = rng.choice(["For each {x}, how many {t} are there?", "How many {t} are there for each {x}?",
                    "Count the {t} per {x}.", "Show each {x} with the number of {t}."])
    return q.format(x=x, t=t.name), f"SELECT {x}, COUNT(*) FROM {t.name} GROUP BY {x}", [t.name], [x]


def having(s, rng, values):
    t = s.child
    x, _ = _text(t, rng)
    k = rng.randint(2, 5)
    q = rng.choice(["Which {x} values appear in more than {k} {t}?", "List the {x} shared by more than {k} {t}."])
    return (q.format(x=x, k=k, t=t.name),
            f"SELECT {x} FROM {t.name} GROUP BY {x} HAVING COUNT(*) > {k}", [t.name], [x])


def top_k(s, rng, values):
    t = s.child
    c = rng.choice([n for n, _ in t.text])
    n, _ = _num(t, rng)
    k = rng.randint(1, 5)
    word, order = rng.choice([("highest", "DESC"), ("lowest", "ASC")])
    return (f"Show the {c} of the {k} {t.name} with the {word} {n}.",
            f"SELECT {c} FROM {t.name} ORDER BY {n} {order} LIMIT {k}", [t.name], [c, n])


def join_filter(s, rng, values):
    p, t = s.parent, s.child
    c = rng.choice(_cols(t))
    x, _ = _text(p, rng)
    v = _value(values, p.name, x, rng)
    return (f"List the {c} of {t.name} whose {p.singular} has {x} '{v}'.",
            f"SELECT T1.{c} FROM {t.name} AS T1 JOIN {p.name} AS T2 ON T1.{s.fk} = T2.id WHERE T2.{x} = '{v}'",
            [t.name, p.name], [c, s.fk, x])


def nested(s, rng, values):
    t = s.child
    c = rng.choice([n for n, _ in t.text])
    n, _ = _num(t, rng)
    word, op = rng.choice([("above", ">"), ("below", "<")])
    q = rng.choice(["List the {c} of {t} whose {n} is {w} the average {n}.", "Which {t} have {n} {w} average? Give their {c}."])
    return (q.format(c=c, t=t.name, n=n, w=word),
            f"SELECT {c} FROM {t.name} WHERE {n} {op} (SELECT AVG({n}) FROM {t.name})", [t.name], [c, n])


def join_group(s, rng, values):
    p, t = s.parent, s.child
    x, _ = _text(p, rng)
    n, _ = _num(t, rng)
    word, fn = rng.choice(_AGG)
    q = rng.choice(["For each {p} {x}, what is the {w} {n} of their {t}?", "Show each {p} {x} with the {w} {n} of its {t}."])
    return (q.format(p=p.singular, x=x, w=word, n=n, t=t.name),
            f"SELECT T2.{x}, {fn}(T1.{n}) FROM {t.name} AS T1 JOIN {p.name} AS T2 ON T1.{s.fk} = T2.id GROUP BY T2.{x}",
            [t.name, p.name], [x, s.fk, n])


def sorted_filter(s, rng, values):
    t = s.child
    c = rng.choice([n for n, _ in t.text])
    x, _ = _text(t, rng)
    v = _value(values, t.name, x, rng)
    n, _ = _num(t, rng)
    return (f"List the {c} of {t.name} with {x} '{v}', sorted by {n}.",
            f"SELECT {c} FROM {t.name} WHERE {x} = '{v}' ORDER BY {n} ASC", [t.name], [c, x, n])


# name -> (difficulty, generator)
TEMPLATES: dict[str, tuple[str, Callable]] = {
    "projection": ("easy", projection),
    "filter_num": ("easy", filter_num),
    "filter_text": ("easy", filter_text),
    "aggregate": ("easy", aggregate),
    "count_filter": ("medium", count_filter),
    "group_count": ("medium", group_count),
    "top_k": ("medium", top_k),
    "sorted_filter": ("medium", sorted_filter),
    "having": ("hard", having),
    "nested": ("hard", nested),
    "join_filter": ("hard", join_filter),
    "join_group": ("hard", join_group),
}


def reasoning(tables: list[str], columns: list[str]) -> str:
    """The short schema-linking rationale that precedes the answer."""
    cols = ", ".join(dict.fromkeys(columns))
    return f"tables: {', '.join(tables)}; columns: {cols}"
