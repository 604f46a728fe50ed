import pytest

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.io import atomic_write, read_jsonl


def test_read_jsonl_names_the_line(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"a": 1}\n\n{"a": 2\n')
    with pytest.raises(FoundryError, match=r"x.jsonl:3: malformed JSON"):
        read_jsonl(str(p))
    p.write_text('{"a": 1}\n[1]\n')
    with pytest.raises(FoundryError, match=r"x.jsonl:2: expected a JSON object"):
        read_jsonl(str(p))


def test_atomic_write_keeps_old_file_on_failure(tmp_path, monkeypatch):
    p = tmp_path / "out.txt"
    atomic_write(str(p), "old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        atomic_write(str(p), "new")
    assert p.read_text() == "old"
    assert [f.name for f in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_write_keeps_the_users_umask(tmp_path):
    """Files written through a temporary file get 0666 & ~umask (a team can read a shared run), not mkstemp's 0600."""
    import os
    import stat

    from r1_foundry.core.util.io import atomic_write

    old = os.umask(0o022)
    try:
        atomic_write(str(tmp_path / "results.json"), "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "results.json").st_mode) == 0o644


@pytest.mark.parametrize("data, where, says", [
    (b'{"a": 1}\n{"q": "caf\xe9"}\n', ":2:", "byte 0xe9 at column 11"),  # Latin-1 in a value
    (b'{"a\xff": 1}\n', ":1:", "byte 0xff"),  # in a key
    ('{"a": "b"}\n'.encode("utf-16"), ": the file is UTF-16", "UTF-16"),  # with a byte-order mark
    ('{"a": "b"}\n'.encode("utf-16-le"), ": the file is UTF-16", "UTF-16"),  # without one
    ('{"a": "b"}\n'.encode("utf-32"), ": the file is UTF-32", "UTF-32"),
])
def test_jsonl_that_is_not_utf8_names_file_line_and_encoding(tmp_path, data, where, says):
    """Bytes that are not UTF-8 were decoded as U+FFFD and accepted; a UTF-16 file was 'malformed JSON'."""
    p = tmp_path / "x.jsonl"
    p.write_bytes(data)
    with pytest.raises(FoundryError) as info:
        read_jsonl(str(p))
    msg = str(info.value)
    assert f"x.jsonl{where}" in msg and says in msg and "UTF-8" in msg, msg


def test_utf8_text_and_bom_are_read(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'\xef\xbb\xbf{"a": "caf\xc3\xa9 \xe4\xb8\xad"}\n')
    assert read_jsonl(str(p)) == [{"a": "café 中"}]


def test_csv_that_is_not_utf8_names_the_line(tmp_path):
    from r1_foundry.core.util.io import iter_table

    p = tmp_path / "t.csv"
    p.write_bytes(b"a,b\n1,2\n3,\xe9\n")
    with pytest.raises(FoundryError, match=r"t.csv:3: not UTF-8"):
        list(iter_table(str(p)))
    p.write_bytes("a,b\n1,2\n".encode("utf-16"))
    with pytest.raises(FoundryError, match=r"t.csv: the file is UTF-16"):
        list(iter_table(str(p)))


@pytest.mark.parametrize("domain", ["sql", "chem", "medical", "finance", "safety", "legal"])
def test_every_domain_refuses_non_utf8_examples(domain, tmp_path):
    """`foundry <d> reward` on an examples file with a Latin-1 byte: one line naming file:line, exit 2
    (was exit 0 with U+FFFD in the data), and no scores file written."""
    from typer.testing import CliRunner

    from r1_foundry.core.cli.app import build_root

    ex, comp, out = tmp_path / "ex.jsonl", tmp_path / "c.jsonl", tmp_path / "s.jsonl"
    ex.write_bytes(b'{"answer": "caf\xe9", "gold_sql": "SELECT 1"}\n')
    comp.write_text('{"completion": "<answer>x</answer>"}\n')
    res = CliRunner().invoke(build_root(), [domain, "reward", "--examples", str(ex), "--completions", str(comp),
                                            "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "ex.jsonl:1: not UTF-8" in res.output.replace("\n", "") and "Traceback" not in res.output
    assert not out.exists()
