"""Synthetic builder invariants and the Spider/BIRD loaders (fixtures in tests/fixtures)."""

import json
import os
import shutil
import sqlite3

import pytest

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.domains.sql import synth
from r1_foundry.domains.sql.data import check_example, load_bird, load_spider
from r1_foundry.domains.sql.sandbox import Executor
from r1_foundry.domains.sql.templates import TEMPLATES

FIX = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures")


def test_splits_by_database_and_gold_queries_return_rows(sql_data):
    train_dbs, test_dbs = set(sql_data["train"]["db_id"]), set(sql_data["test"]["db_id"])
    val_dbs = set(sql_data["val"]["db_id"])
    assert not train_dbs & test_dbs and not val_dbs & (train_dbs | test_dbs)
    assert len(train_dbs | test_dbs) >= 8
    themes = {ex["theme"] for ex in sql_data["test"]}
    assert len(themes) >= 4
    ex = Executor()
    for row in list(sql_data["train"]) + list(sql_data["test"]):
        result = ex.run(row["db_path"], row["gold_sql"])
        assert result.ok and result.rows, row["gold_sql"]


def test_every_template_is_used(sql_data):
    assert set(sql_data["train"]["template"]) == set(TEMPLATES)


def test_prompt_has_schema_and_completion_has_answer_format(sql_data):
    row = sql_data["test"][0]
    prompt = row["prompt"][0]["content"]
    assert prompt.startswith("CREATE TABLE") and row["question"] in prompt
    comp = row["completion"][0]["content"]
    assert comp.startswith("<think>") and comp.endswith(f"<answer>{row['gold_sql']}</answer>")


def test_heldout_schemas_are_unseen_combinations_of_seen_words():
    train, test, val = synth.split_schemas(n_train_per_theme=5, n_test_per_theme=2, n_val_per_theme=1, seed=0)
    assert len(val) == 4 and not {v.db_id for v in val} & {t.db_id for t in test}

    def words(s):
        return {s.parent.name, s.child.name, *[c for c, _ in s.parent.text + s.parent.num + s.child.text + s.child.num]}

    seen = set().union(*map(words, train))
    for s in test + val:
        assert words(s) <= seen
        assert all(words(s) != words(t) for t in train)


def test_preference_split_rejected_differs_in_result(sql_data):
    ex = Executor()
    for row in list(sql_data["preference"])[:50]:
        wrong = row["rejected"][0]["content"].split("<answer>")[1][: -len("</answer>")]
        assert set(ex.run(row["db_path"], wrong).rows) != set(ex.run(row["db_path"], row["gold_sql"]).rows)


def _spider_dir(tmp_path, layout="spider"):
    root = tmp_path / layout
    shutil.copytree(os.path.join(FIX, layout), root)
    db_dir = root / ("database" if layout == "spider" else "dev_databases") / "zoo_1"
    db_dir.mkdir(parents=True)
    conn = sqlite3.connect(db_dir / "zoo_1.sqlite")
    conn.executescript(open(os.path.join(FIX, "spider", "zoo_1.sql")).read())
    conn.close()
    return root


def test_load_spider(tmp_path):
    ds = load_spider(path=str(_spider_dir(tmp_path)))
    assert set(ds) == {"train", "test"} and len(ds["test"]) == 2
    row = ds["test"][1]
    prompt = row["prompt"][0]["content"]
    assert "CREATE TABLE Animal (AnimalID NUMBER PRIMARY KEY" in prompt
    assert "KeeperID NUMBER REFERENCES Keeper(KeeperID)" in prompt and "*" not in prompt
    assert Executor().run(row["db_path"], row["gold_sql"]).rows == (("Kari",),)
    # Spider has no hardness field: computed as the official evaluation.py does (where + join = medium)
    assert [r["difficulty"] for r in ds["test"]] == ["easy", "medium"]


def test_compact_schema_same_questions_fewer_characters(tmp_path):
    """schema_style=compact changes only how the prompt shows the schema: same databases, questions and gold
    queries; every column and the foreign key named, from the database itself (PRAGMA), in table order."""
    from r1_foundry.domains.sql.data import build_synthetic
    args = dict(train_per_db=6, test_per_db=3, rl_per_db=2, train_dbs_per_theme=3, test_dbs_per_theme=1)
    create = build_synthetic(out=str(tmp_path / "c"), **args)
    compact = build_synthetic(out=str(tmp_path / "k"), schema_style="compact", **args)
    assert set(create) == set(compact)
    for split in create:
        assert create[split]["gold_sql"] == compact[split]["gold_sql"], split
        assert ([r[0]["content"].split("\n-- ")[-1] for r in create[split]["prompt"]]
                == [r[0]["content"].split("\n-- ")[-1] for r in compact[split]["prompt"]]), split
    row, old = compact["test"][0], create["test"][0]
    text, old_text = row["prompt"][0]["content"], old["prompt"][0]["content"]
    schema = text.split("\n-- ")[0]
    conn = sqlite3.connect(row["db_path"])
    tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY rowid")]
    lines = schema.split("\n")
    assert [line.split(":")[0] for line in lines] == tables
    for table, line in zip(tables, lines, strict=True):
        cols = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
        assert [c.split(" -> ")[0] for c in line.split(": ", 1)[1].split(", ")] == cols
        for fk in conn.execute(f"PRAGMA foreign_key_list({table})"):
            assert f"{fk[3]} -> {fk[2]}.{fk[4]}" in line
    conn.close()
    assert " -> " in schema and "CREATE" not in schema and "INTEGER" not in schema
    assert len(text) < 0.8 * len(old_text)
    with pytest.raises(FoundryError, match="schema_style='ddl'.*create, compact"):
        build_synthetic(out=str(tmp_path / "x"), schema_style="ddl", **args)


def test_load_spider_compact_schema(tmp_path):
    row = load_spider(path=str(_spider_dir(tmp_path)), schema_style="compact")["test"][1]
    prompt = row["prompt"][0]["content"]
    assert "Animal: AnimalID, " in prompt and "KeeperID -> Keeper.KeeperID" in prompt
    assert "CREATE" not in prompt and "NUMBER" not in prompt and "*" not in prompt


def test_load_bird_with_evidence(tmp_path):
    ds = load_bird(path=str(_spider_dir(tmp_path, "bird")))
    row = ds["test"][0]
    assert "-- evidence: heavy refers to Weight > 100" in row["prompt"][0]["content"]
    assert row["difficulty"] == "simple"


@pytest.mark.parametrize("breakage,message", [
    (lambda r: os.remove(r / "tables.json"), "tables.json: tables file not found"),
    (lambda r: (r / "dev.json").write_text('[{"db_id": "zoo_1",\n "question": }]'), r"dev.json:2: malformed JSON"),
    (lambda r: (r / "dev.json").write_text('[{"db_id": "zoo_1", "question": "q"}]'), "entry 0 is missing field 'query'"),
    (lambda r: (r / "dev.json").write_text('[{"db_id": "zoo_9", "question": "q", "query": "SELECT 1"}]'),
     "unknown db_id 'zoo_9'"),
    (lambda r: os.remove(r / "database" / "zoo_1" / "zoo_1.sqlite"), "database file missing"),
])
def test_loader_errors_name_the_file(tmp_path, breakage, message):
    root = _spider_dir(tmp_path)
    breakage(root)
    with pytest.raises(FoundryError, match=message):
        load_spider(path=str(root))


def test_check_example(tmp_path, shop_db):
    (tmp_path / "databases").mkdir()
    shutil.copy(shop_db, tmp_path / "databases" / "shop.sqlite")
    ok = check_example({"gold_sql": "SELECT 1", "db_id": "shop"}, "f:1", str(tmp_path))
    assert ok["db_path"].endswith("databases/shop.sqlite")
    with pytest.raises(FoundryError, match="f:2: unknown db_id 'nope'"):
        check_example({"gold_sql": "SELECT 1", "db_id": "nope"}, "f:2", str(tmp_path))
    with pytest.raises(FoundryError, match="missing field 'gold_sql'"):
        check_example({"db_id": "shop"}, "f:3", str(tmp_path))
    with pytest.raises(FoundryError, match="database file missing"):
        check_example({"gold_sql": "SELECT 1", "db_path": "x.sqlite"}, "f:4", str(tmp_path))
    json.dumps(ok)


def test_rl_split_has_fresh_questions_on_training_databases(sql_data):
    train_q = set(sql_data["train"]["question"])
    assert len(sql_data["rl"]) > 0
    assert not train_q & set(sql_data["rl"]["question"])
    assert set(sql_data["rl"]["db_id"]) <= set(sql_data["train"]["db_id"])


def test_spider_missing_database_stops_or_is_skipped_and_counted(tmp_path, capsys):
    """Issue 27: one missing database stopped the whole build; the error stays the default and names the switch,
    --arg skip_missing_db=true leaves such questions out and counts them, and leaving out every question is an error."""
    import json

    from r1_foundry.core.util.errors import FoundryError

    root = _spider_dir(tmp_path)
    tables = json.loads((root / "tables.json").read_text())
    tables.append({**tables[0], "db_id": "zoo_2"})
    (root / "tables.json").write_text(json.dumps(tables))
    dev = json.loads((root / "dev.json").read_text())
    (root / "dev.json").write_text(json.dumps(dev + [{**dev[0], "db_id": "zoo_2"}]))
    with pytest.raises(FoundryError, match=r"dev.json: entry 2: database file missing: .*zoo_2.sqlite.*skip_missing_db=true"):
        load_spider(path=str(root))
    capsys.readouterr()
    ds = load_spider(path=str(root), skip_missing_db=True)
    assert len(ds["test"]) == 2 and set(ds["test"]["db_id"]) == {"zoo_1"}
    assert "left out 1 of 3 question(s) whose database is missing (zoo_2 x1)" in capsys.readouterr().err.replace("\n", " ")
    shutil.rmtree(root / "database" / "zoo_1")
    with pytest.raises(FoundryError, match="every question's database is missing"):
        load_spider(path=str(root), skip_missing_db=True)
