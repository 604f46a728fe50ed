"""Dataset builders for text-to-SQL: synthetic (offline) and Spider / BIRD from the user's disk.

Every builder is a plain function with keyword-only arguments returning a
``datasets.DatasetDict`` in TRL's conversational columns (``prompt``, ``completion``; a
``preference`` split has ``chosen``/``rejected``) plus what the verifier needs: ``db_id``,
``db_path``, ``gold_sql``, and ``template``/``difficulty`` buckets.

Run it::

    foundry sql data build --out runs/sql                       # synthetic
    foundry sql data build --builder spider --arg path=/data/spider --out runs/spider
"""

from __future__ import annotations

import json
import os
import random
from typing import TYPE_CHECKING

from r1_foundry.core.data import hub
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.io import check_utf8_start
from r1_foundry.domains.sql import hardness, synth, templates
from r1_foundry.domains.sql.sandbox import Executor
from r1_foundry.domains.sql.sqlworker import ro_uri

if TYPE_CHECKING:  # the builders import datasets when they run; check_example (the reward path) never does
    from datasets import Dataset, DatasetDict

SYSTEM_HINT = "Answer with <think>reasoning</think> then <answer>one SQLite query</answer>."


def make_prompt(schema: str, question: str, evidence: str | None = None) -> list[dict]:
    """The user message: schema, optional evidence (BIRD), question."""
    text = f"{schema}\n-- {question}"
    if evidence:
        text = f"{schema}\n-- evidence: {evidence}\n-- {question}"
    return [{"role": "user", "content": text}]


def make_completion(sql: str, rationale: str) -> list[dict]:
    return [{"role": "assistant", "content": f"<think>{rationale}</think><answer>{sql}</answer>"}]


def _column_values(db_path: str) -> dict:
    import sqlite3

    conn = sqlite3.connect(ro_uri(db_path), uri=True)
    values = {}
    try:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
            cur = conn.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
            for i, n in enumerate(names):
                values[(table, n)] = sorted({r[i] for r in rows if r[i] is not None})
    finally:
        conn.close()
    return values


def _examples_for_db(schema, db_path, n, rng, executor, *, exclude=frozenset(), schema_style="create") -> list[dict]:
    """``n`` examples, templates in turn (so every template is equally frequent).

    Questions are unique within a split (and not in ``exclude``): repeated questions teach
    memorising instead of copying values from the prompt. A template that runs out of new
    questions is simply rarer.
    """
    text, values = synth.schema_text(db_path, schema_style), _column_values(db_path)
    names = list(templates.TEMPLATES)
    out, seen = [], set(exclude)
    for i in range(n):
        name = names[i % len(names)]
        difficulty, gen = templates.TEMPLATES[name]
        for _ in range(20):
            question, sql, tables, cols = gen(schema, rng, values)
            if question in seen:
                continue
            res = executor.run(db_path, sql)
            if res.ok and res.rows:  # keep only gold queries that run and return rows
                break
        else:
            continue
        seen.add(question)
        out.append({
            "prompt": make_prompt(text, question),
            "completion": make_completion(sql, templates.reasoning(tables, cols)),
            "question": question, "gold_sql": sql, "db_id": schema.db_id, "db_path": db_path,
            "template": name, "difficulty": difficulty, "theme": schema.theme,
        })
    return out


_CORRUPTIONS = [(" > ", " < "), (" < ", " > "), ("DESC", "ASC"), ("ASC", "DESC"), ("AVG(", "MAX("),
                ("MAX(", "MIN("), ("MIN(", "SUM("), ("SUM(", "AVG("), ("COUNT(*)", "COUNT(*) + 1")]


def _rejected(example: dict, rng, executor) -> dict | None:
    """A plausible wrong answer whose result differs from the gold's, for DPO."""
    gold = executor.run(example["db_path"], example["gold_sql"])
    for old, new in rng.sample(_CORRUPTIONS, len(_CORRUPTIONS)):
        if old in example["gold_sql"]:
            wrong = example["gold_sql"].replace(old, new, 1)
            res = executor.run(example["db_path"], wrong)
            if res.ok and set(res.rows) != set(gold.rows):
                rationale = example["completion"][0]["content"].split("</think>")[0][len("<think>"):]
                return make_completion(wrong, rationale)
    return None


def build_synthetic(*, out: str, train_per_db: int = 240, test_per_db: int = 30, rl_per_db: int = 40,
                    train_dbs_per_theme: int = 5, test_dbs_per_theme: int = 2, val_dbs_per_theme: int = 1,
                    seed: int = 0, schema_style: str = "create") -> DatasetDict:
    """Build databases under ``out/databases`` and the train / rl / val / test / preference splits.

    Test databases are never seen in training (split by database). ``rl`` holds fresh questions
    on the training databases that are not in ``train`` (new values and combinations): GRPO
    prompts the SFT model has not memorised, from the same distribution. ``val`` comes from
    further held-out databases (distinct from ``test``), for choosing budgets without looking at
    the test split. ``schema_style``: how prompts show a schema, ``create`` (its CREATE TABLE statements) or
    ``compact`` (``books: id, title, writer_id -> writers.id``; the same questions, fewer prompt tokens).

    Example:
        >>> ds = build_synthetic(out="/tmp/sql", train_per_db=20, test_per_db=5)  # doctest: +SKIP
        >>> ds["test"][0]["db_id"]  # doctest: +SKIP
        'school_test_0'
    """
    from datasets import Dataset, DatasetDict
    synth.check_schema_style(schema_style)
    rng = random.Random(seed)
    db_dir = os.path.abspath(os.path.join(out, "databases"))
    os.makedirs(db_dir, exist_ok=True)
    train_s, test_s, val_s = synth.split_schemas(n_train_per_theme=train_dbs_per_theme,
                                                 n_test_per_theme=test_dbs_per_theme,
                                                 n_val_per_theme=val_dbs_per_theme, seed=seed)
    executor = Executor(timeout=2.0)
    splits: dict[str, list] = {"train": [], "rl": [], "val": [], "test": []}
    offsets = {"train": 0, "test": 500, "val": 700}
    for split, schemas, n in (("train", train_s, train_per_db), ("test", test_s, test_per_db),
                              ("val", val_s, test_per_db)):
        for i, schema in enumerate(schemas):
            path = os.path.join(db_dir, f"{schema.db_id}.sqlite")
            synth.create_database(schema, path, seed=seed * 1000 + i + offsets[split])
            examples = _examples_for_db(schema, path, n, rng, executor, schema_style=schema_style)
            splits[split] += examples
            if split == "train" and rl_per_db:
                splits["rl"] += _examples_for_db(schema, path, rl_per_db, rng, executor, schema_style=schema_style,
                                                 exclude={e["question"] for e in examples})
    rng.shuffle(splits["train"])
    rng.shuffle(splits["rl"])
    prefs = []
    for ex in splits["train"]:
        rejected = _rejected(ex, rng, executor)
        if rejected is not None:
            prefs.append({"prompt": ex["prompt"], "chosen": ex["completion"], "rejected": rejected,
                          "db_id": ex["db_id"], "db_path": ex["db_path"], "gold_sql": ex["gold_sql"]})
    executor.close()
    return DatasetDict({**{k: Dataset.from_list(v) for k, v in splits.items() if v},
                        "preference": Dataset.from_list(prefs)})


# ------------------------------------------------------------------ real formats

def _read_json(path: str, what: str):
    if not os.path.isfile(path):
        raise FoundryError(f"{path}: {what} not found; pass the folder that holds it")
    check_utf8_start(path)
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except UnicodeDecodeError as exc:
        raise FoundryError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}); save the file as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise FoundryError(f"{path}:{exc.lineno}: malformed JSON ({exc.msg})") from None


def _require(record: dict, fields: tuple, path: str, index: int) -> None:
    for f in fields:
        if f not in record:
            raise FoundryError(f"{path}: entry {index} is missing field '{f}'")


def _tables_text(entry: dict, style: str = "create") -> str:
    """The schema text of a Spider/BIRD ``tables.json`` entry (original names): CREATE TABLE statements, or the
    compact lines of :func:`synth.compact_line`."""
    tables = entry["table_names_original"]
    cols = entry["column_names_original"]
    types = entry.get("column_types", ["text"] * len(cols))
    pks = set()
    for pk in entry.get("primary_keys", []):
        pks.update(pk if isinstance(pk, list) else [pk])
    fks = {a: b for a, b in entry.get("foreign_keys", [])}
    lines = []
    for ti, tname in enumerate(tables):
        parts = []
        for ci, (owner, cname) in enumerate(cols):
            if owner != ti:  # skips the [-1, "*"] entry too
                continue
            ref = None
            if ci in fks:
                ref_t, ref_c = cols[fks[ci]]
                ref = (tables[ref_t], ref_c)
            if style == "compact":
                parts.append((cname, ref and f"{ref[0]}.{ref[1]}"))
                continue
            part = f"{cname} {types[ci].upper()}" + (" PRIMARY KEY" if ci in pks else "")
            if ref:
                part += f" REFERENCES {ref[0]}({ref[1]})"
            parts.append(part)
        lines.append(synth.compact_line(tname, parts) if style == "compact"
                     else f"CREATE TABLE {tname} ({', '.join(parts)});")
    return "\n".join(lines)


def _load_real(path, questions_file, tables_file, db_dir, sql_field, with_evidence, skip_missing_db=False,
               schema_style="create") -> Dataset:
    qpath = os.path.join(path, questions_file)
    items = _read_json(qpath, "questions file")
    return _real_rows([(f"{qpath}: entry {i}", item) for i, item in enumerate(items)], path, tables_file, db_dir,
                      sql_field, with_evidence, skip_missing_db, what=qpath, schema_style=schema_style)


def _real_rows(items, path, tables_file, db_dir, sql_field, with_evidence, skip_missing_db=False,
               what: str = "", schema_style: str = "create") -> Dataset:
    """Examples from ``(where, record)`` pairs; schemas and databases from the folder ``path``. A question
    whose database file is missing stops the build (naming it), or with ``skip_missing_db`` is left out and
    counted (every question left out is an error)."""
    from datasets import Dataset

    from r1_foundry.core.util.ui import err as console

    schemas = {e["db_id"]: e for e in _read_json(os.path.join(path, tables_file), "tables file")}
    rows = []
    missing: dict[str, int] = {}
    for where, item in items:
        for f in ("db_id", "question", sql_field):
            if f not in item:
                raise FoundryError(f"{where} is missing field '{f}'")
        db_id = item["db_id"]
        if db_id not in schemas:
            raise FoundryError(f"{where} names unknown db_id '{db_id}' (not in {tables_file})")
        db_path = os.path.abspath(os.path.join(path, db_dir, db_id, f"{db_id}.sqlite"))
        if not os.path.isfile(db_path):
            if not skip_missing_db:
                raise FoundryError(f"{where}: database file missing: {db_path} (--arg skip_missing_db=true leaves "
                                   "such questions out and counts them)")
            missing[db_id] = missing.get(db_id, 0) + 1
            continue
        evidence = item.get("evidence") if with_evidence else None
        rows.append({"prompt": make_prompt(_tables_text(schemas[db_id], schema_style), item["question"], evidence),
                     "completion": make_completion(item[sql_field], "tables and columns from the schema"),
                     "question": item["question"], "gold_sql": item[sql_field], "db_id": db_id, "db_path": db_path,
                     "template": "real",
                     # BIRD ships its own difficulty; Spider's hardness is computed the official way
                     "difficulty": item.get("difficulty") or item.get("hardness") or hardness.level(item, sql_field),
                     "theme": db_id})
    if missing:
        left = sum(missing.values())
        console.print(f"{what or path}: left out {left} of {left + len(rows)} question(s) whose database is missing "
                      f"({', '.join(f'{k} x{v}' for k, v in sorted(missing.items()))})", soft_wrap=True)
        if not rows:
            raise FoundryError(f"{what or path}: every question's database is missing under {os.path.join(path, db_dir)}; "
                               "nothing to build")
    return Dataset.from_list(rows)


def _from_hub(path, db_path, tables_file, db_dir, sql_field, with_evidence, rename, what,
              skip_missing_db=False, schema_style="create") -> DatasetDict:
    from datasets import DatasetDict
    if not db_path:
        raise FoundryError(f"{path}: the hub copy of {what} has the questions only; also pass --arg db_path=DIR, "
                           f"the folder holding {tables_file} and {db_dir}/<db_id>/<db_id>.sqlite")
    # the official dev set is what papers report as "test": the hub's validation split is ours
    splits = hub.records(path, rename=rename, splits={"validation": "test", "dev": "test"})
    return DatasetDict({split: _real_rows(items, db_path, tables_file, db_dir, sql_field, with_evidence,
                                          skip_missing_db, what=f"{path} [{split}]", schema_style=schema_style)
                        for split, items in splits.items()})


def load_spider(*, path: str, db_path: str | None = None, rename: str | None = None, skip_missing_db: bool = False,
                schema_style: str = "create", out: str | None = None) -> DatasetDict:
    """Spider 1.0 from disk: ``train_spider.json``, ``dev.json``, ``tables.json``, ``database/<db>/<db>.sqlite``.

    Hub: ``path=hf:xlangai/spider`` (splits train -> train, validation (= dev.json) -> test; columns ``db_id``,
    ``question``, ``query`` as in the official files, plus token lists we do not use). The hub
    copy has no ``tables.json`` and no databases: ``db_path`` is the Spider folder that holds them.
    A question whose database file is missing stops the build; ``skip_missing_db=true`` leaves such
    questions out and reports how many (per database). ``schema_style`` as in :func:`build_synthetic`.
    """
    from datasets import DatasetDict
    synth.check_schema_style(schema_style)
    if hub.is_hub(path):
        return _from_hub(path, db_path, "tables.json", "database", "query", False, rename, "Spider", skip_missing_db,
                         schema_style)
    splits = {}
    if os.path.isfile(os.path.join(path, "train_spider.json")):
        splits["train"] = _load_real(path, "train_spider.json", "tables.json", "database", "query", False,
                                     skip_missing_db, schema_style)
    splits["test"] = _load_real(path, "dev.json", "tables.json", "database", "query", False, skip_missing_db,
                                schema_style)
    return DatasetDict(splits)


def load_bird(*, path: str, db_path: str | None = None, rename: str | None = None, skip_missing_db: bool = False,
              schema_style: str = "create", out: str | None = None) -> DatasetDict:
    """BIRD dev from disk: ``dev.json`` (with ``evidence``), ``dev_tables.json``, ``dev_databases/<db>/<db>.sqlite``.

    Hub: ``path=hf:<a BIRD copy>`` whose rows carry ``db_id``, ``question``, ``evidence``, ``SQL``
    (BIRD's own names; ``--arg rename=sql:SQL`` for copies that lower-case it); the databases and
    ``dev_tables.json`` come from disk: ``db_path`` is the BIRD dev folder. ``skip_missing_db`` as in
    :func:`load_spider`; ``schema_style`` as in :func:`build_synthetic`.
    """
    from datasets import DatasetDict
    synth.check_schema_style(schema_style)
    if hub.is_hub(path):
        return _from_hub(path, db_path, "dev_tables.json", "dev_databases", "SQL", True, rename, "BIRD",
                         skip_missing_db, schema_style)
    return DatasetDict({"test": _load_real(path, "dev.json", "dev_tables.json", "dev_databases", "SQL", True,
                                           skip_missing_db, schema_style)})


def check_example(example: dict, where: str, base_dir: str) -> dict:
    """Validate a user-supplied example for scoring: needs ``gold_sql`` and ``db_path`` or ``db_id``.

    A ``db_id`` is looked up next to the examples file as ``databases/<id>.sqlite`` (our layout)
    or ``database/<id>/<id>.sqlite`` (Spider's).
    """
    if not isinstance(example.get("gold_sql"), str):
        raise FoundryError(f"{where}: missing field 'gold_sql' (the reference query)")
    path = example.get("db_path")
    if path:
        path = path if os.path.isabs(path) else os.path.join(base_dir, path)
        if not os.path.isfile(path):
            raise FoundryError(f"{where}: database file missing: {path}")
        return {**example, "db_path": os.path.abspath(path)}
    db_id = example.get("db_id")
    if not db_id:
        raise FoundryError(f"{where}: missing field 'db_path' (or 'db_id')")
    for candidate in (os.path.join(base_dir, "databases", f"{db_id}.sqlite"),
                      os.path.join(base_dir, "database", str(db_id), f"{db_id}.sqlite")):
        if os.path.isfile(candidate):
            return {**example, "db_path": os.path.abspath(candidate)}
    raise FoundryError(f"{where}: unknown db_id '{db_id}' (no databases/{db_id}.sqlite next to the examples file)")
