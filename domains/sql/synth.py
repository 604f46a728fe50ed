"""Synthetic, offline text-to-SQL data: seeded SQLite databases and templated questions.

Design (why the held-out split looks the way it does): a from-scratch 10M model on a CPU
cannot learn to copy identifiers it never saw, so every database is a *theme* (school, shop,
library, clinic) whose table and column names are drawn from small synonym lists. Training
databases use some combinations of those words; held-out databases use combinations never
seen together in training (every single word appears in training). The held-out split thus
measures reading the schema in the prompt to choose the right names for a new database,
not knowledge of new vocabulary.

Every gold query is executed in the sandbox and kept only if it runs and returns rows.

Run it::

    foundry sql data build --out runs/sql
"""

from __future__ import annotations

import itertools
import os
import random
import sqlite3
from dataclasses import dataclass

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.domains.sql.sqlworker import ro_uri

# ---------------------------------------------------------------------------- themes
# A theme has a parent and a child table. Each slot lists (plural, singular) table names or
# column-name synonyms; values are drawn from the pools below.
_CITIES = ["paris", "tokyo", "lima", "oslo", "cairo", "delhi", "rome", "quito"]
_NAMES = ["ana", "ben", "carl", "dina", "eva", "finn", "gus", "hana", "ivan", "jade", "kim", "leo", "mia", "noah"]
_COLORS = ["red", "blue", "green", "black", "white"]
_KINDS = ["basic", "premium", "standard", "special"]

THEMES: dict[str, dict] = {
    "school": {
        "parent": {"names": [("departments", "department"), ("faculties", "faculty"), ("schools", "school")],
                   "text": {"title": (["name", "title"], ["math", "art", "music", "law", "physics"])},
                   "num": {"budget": (["budget", "funding"], (100, 999))}},
        "child": {"names": [("students", "student"), ("pupils", "pupil"), ("learners", "learner")],
                  "text": {"name": (["name", "full_name"], _NAMES), "city": (["city", "hometown"], _CITIES)},
                  "num": {"age": (["age", "years"], (17, 30)), "score": (["score", "grade", "mark"], (40, 99))}},
    },
    "shop": {
        "parent": {"names": [("customers", "customer"), ("clients", "client"), ("buyers", "buyer")],
                   "text": {"name": (["name", "username"], _NAMES)},
                   "num": {"age": (["age", "years"], (18, 70))}},
        "child": {"names": [("orders", "order"), ("purchases", "purchase"), ("sales", "sale")],
                  "text": {"status": (["status", "state"], ["open", "paid", "sent", "lost"]),
                           "color": (["color", "colour"], _COLORS)},
                  "num": {"amount": (["amount", "total", "price"], (5, 500)), "qty": (["quantity", "units"], (1, 9))}},
    },
    "library": {
        "parent": {"names": [("authors", "author"), ("writers", "writer"), ("poets", "poet")],
                   "text": {"country": (["country", "nation"], ["peru", "japan", "norway", "egypt", "india"])},
                   "num": {"born": (["born", "birth_year"], (1900, 1999))}},
        "child": {"names": [("books", "book"), ("novels", "novel"), ("titles", "title")],
                  "text": {"genre": (["genre", "category"], ["crime", "poetry", "drama", "travel"]),
                           "lang": (["language", "lang"], ["english", "french", "spanish"])},
                  "num": {"pages": (["pages", "length"], (80, 900)), "year": (["year", "published"], (1950, 2020))}},
    },
    "clinic": {
        "parent": {"names": [("doctors", "doctor"), ("physicians", "physician"), ("surgeons", "surgeon")],
                   "text": {"specialty": (["specialty", "field"], ["cardio", "neuro", "derma", "ortho"])},
                   "num": {"salary": (["salary", "wage"], (300, 999))}},
        "child": {"names": [("patients", "patient"), ("visits", "visit"), ("cases", "case")],
                  "text": {"name": (["name", "full_name"], _NAMES), "plan": (["plan", "tier"], _KINDS)},
                  "num": {"age": (["age", "years"], (1, 95)), "cost": (["cost", "fee", "charge"], (10, 900))}},
    },
}


@dataclass(frozen=True)
class Table:
    name: str
    singular: str
    text: tuple  # ((column, value pool), ...)
    num: tuple  # ((column, (lo, hi)), ...)


@dataclass(frozen=True)
class Schema:
    db_id: str
    theme: str
    parent: Table
    child: Table

    @property
    def fk(self) -> str:
        return f"{self.parent.singular}_id"


def _slot_sizes(theme: str) -> list[int]:
    """Number of synonyms of every naming slot of a theme (table names, then columns)."""
    spec = THEMES[theme]
    sizes = []
    for role in ("parent", "child"):
        sizes.append(len(spec[role]["names"]))
        sizes += [len(v[0]) for v in spec[role]["text"].values()]
        sizes += [len(v[0]) for v in spec[role]["num"].values()]
    return sizes


def _variants(theme: str) -> list[tuple]:
    """Every combination of synonym choices of a theme, as tuples of choice indices."""
    return list(itertools.product(*[range(s) for s in _slot_sizes(theme)]))


def _schema_from_choice(theme: str, choice: tuple, db_id: str) -> Schema:
    spec, it = THEMES[theme], iter(choice)
    tables = []
    for role in ("parent", "child"):
        plural, singular = spec[role]["names"][next(it)]
        text = tuple((syn[next(it)], pool) for syn, pool in spec[role]["text"].values())
        num = tuple((syn[next(it)], rng) for syn, rng in spec[role]["num"].values())
        tables.append(Table(plural, singular, text, num))
    return Schema(db_id, theme, tables[0], tables[1])


def split_schemas(*, n_train_per_theme: int, n_test_per_theme: int, seed: int,
                  n_val_per_theme: int = 0) -> tuple[list[Schema], list[Schema], list[Schema]]:
    """Pick train and held-out schemas: held-out combinations are unseen, their words are not.

    The first training schemas of a theme walk every slot's synonyms (each in a random order),
    so all words appear in training; the rest are random combinations. Validation schemas are
    held out like the test ones, and distinct from them (for choosing budgets, never for scores).
    """
    rng = random.Random(seed)
    train, test, val = [], [], []
    for theme in THEMES:
        sizes = _slot_sizes(theme)
        if n_train_per_theme < max(sizes):
            raise FoundryError(f"train_dbs_per_theme must be at least {max(sizes)} so that every name is seen in "
                               f"training (got {n_train_per_theme})")
        perms = [rng.sample(range(n), n) for n in sizes]
        chosen = list(dict.fromkeys(tuple(p[j % len(p)] for p in perms) for j in range(max(sizes))))
        rest = [v for v in _variants(theme) if v not in chosen]
        rng.shuffle(rest)
        chosen += rest[: n_train_per_theme - len(chosen)]
        held = [v for v in rest[n_train_per_theme:] if v not in chosen]
        train += [_schema_from_choice(theme, c, f"{theme}_{i}") for i, c in enumerate(chosen)]
        test += [_schema_from_choice(theme, c, f"{theme}_test_{i}") for i, c in enumerate(held[:n_test_per_theme])]
        val += [_schema_from_choice(theme, c, f"{theme}_val_{i}")
                for i, c in enumerate(held[n_test_per_theme:n_test_per_theme + n_val_per_theme])]
    return train, test, val


def create_database(schema: Schema, path: str, *, seed: int) -> None:
    """Write a SQLite file for ``schema`` with seeded random rows (overwrites ``path``)."""
    rng = random.Random(seed)
    if os.path.exists(path):
        os.remove(path)
    conn = sqlite3.connect(path)
    p, c = schema.parent, schema.child
    pcols = [f"{n} TEXT" for n, _ in p.text] + [f"{n} INTEGER" for n, _ in p.num]
    ccols = [f"{n} TEXT" for n, _ in c.text] + [f"{n} INTEGER" for n, _ in c.num]
    conn.execute(f"CREATE TABLE {p.name} (id INTEGER PRIMARY KEY, {', '.join(pcols)})")
    conn.execute(
        f"CREATE TABLE {c.name} (id INTEGER PRIMARY KEY, {', '.join(ccols)}, "
        f"{schema.fk} INTEGER REFERENCES {p.name}(id))"
    )
    n_parent = rng.randint(4, 6)
    for i in range(1, n_parent + 1):
        vals = [rng.choice(pool) for _, pool in p.text] + [rng.randint(*r) for _, r in p.num]
        conn.execute(f"INSERT INTO {p.name} VALUES ({', '.join('?' * (len(vals) + 1))})", [i, *vals])
    for i in range(1, rng.randint(18, 30) + 1):
        vals = [rng.choice(pool) for _, pool in c.text] + [rng.randint(*r) for _, r in c.num]
        conn.execute(
            f"INSERT INTO {c.name} VALUES ({', '.join('?' * (len(vals) + 2))})", [i, *vals, rng.randint(1, n_parent)]
        )
    conn.commit()
    conn.close()


SCHEMA_STYLES = ("create", "compact")


def check_schema_style(style: str) -> None:
    """The one check of a ``schema_style`` (builders' argument, :func:`schema_text`)."""
    if style not in SCHEMA_STYLES:
        raise FoundryError(f"schema_style={style!r}: expected one of {', '.join(SCHEMA_STYLES)} "
                           "(--arg schema_style=compact)")


def compact_line(table: str, columns: list[tuple[str, str | None]]) -> str:
    """One table in the compact serialisation: ``books: id, title, writer_id -> writers.id`` (column names in
    order, a foreign key as ``-> table.column``; no types, no keywords)."""
    return f"{table}: " + ", ".join(name + (f" -> {ref}" if ref else "") for name, ref in columns)


def schema_text(path: str, style: str = "create") -> str:
    """A database's schema as the prompt shows it: its CREATE TABLE statements (``create``, the default), or
    one line per table (``compact``: about a fifth fewer prompt tokens; see the README's speed section)."""
    check_schema_style(style)
    conn = sqlite3.connect(ro_uri(path), uri=True)
    try:
        tables = conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table' AND sql IS NOT NULL "
                              "ORDER BY rowid").fetchall()
        if style == "create":
            return "\n".join(sql + ";" for _, sql in tables)
        lines = []
        for table, _ in tables:
            refs = {row[3]: f"{row[2]}.{row[4] or 'rowid'}"
                    for row in conn.execute(f"PRAGMA foreign_key_list({_quote(table)})")}
            cols = [(row[1], refs.get(row[1])) for row in conn.execute(f"PRAGMA table_info({_quote(table)})")]
            lines.append(compact_line(table, cols))
        return "\n".join(lines)
    finally:
        conn.close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
