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
