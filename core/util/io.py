"""Reading user files with errors that name the file and line; writing without losing old output."""

from __future__ import annotations

import json
import os
import stat
import tempfile

from r1_foundry.core.util.errors import FoundryError


def lf(value):
    """``value`` with every string's line endings made ``\\n`` (CRLF and CR), in lists and dicts too: a CRLF
    copy of a file and an LF copy give the same prompts (HarmBench's contextual rows differed)."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    if isinstance(value, list):
        return [lf(v) for v in value]
    if isinstance(value, dict):
        return {lf(k): lf(v) for k, v in value.items()}
    return value


def read_json(path: str, what: str = ""):
    """A JSON file; a missing file or a syntax error raises ``FoundryError('path[:line]: ...')``
    (``what`` says what the file should be, for the message)."""
    try:
        if os.path.isfile(path):
            check_utf8_start(path)
        with open(path, encoding="utf-8-sig") as fh:
            return lf(json.load(fh))
    except FileNotFoundError:
        raise FoundryError(f"{path}: file not found" + (f" (expected {what})" if what else "")) from None
    except UnicodeDecodeError as exc:
        raise FoundryError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise FoundryError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None


_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
         (b"\xfe\xff", "UTF-16"))


def _foreign_encoding(head: bytes) -> str | None:
    """The name of a non-UTF-8 Unicode encoding that ``head`` (a file's first bytes) shows, else None:
    a UTF-16/32 byte-order mark, or UTF-16 without one (every other byte NUL in ASCII text)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    pairs = head[:64]
    if len(pairs) >= 4 and (pairs[1::2].count(0) >= len(pairs) // 4 or pairs[0::2].count(0) >= len(pairs) // 4):
        return "UTF-16"
    return None


def _decode_line(raw: bytes, path: str, n: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FoundryError(f"{path}:{n}: not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); "
                           "save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)") from None


LFS_POINTER = b"version https://git-lfs.github.com/spec/"


def check_not_lfs(path: str, head: bytes | None = None) -> None:
    """Refuse a Git LFS pointer file standing in for the data (a clone without ``git lfs pull``):
    one line naming the file and the fix, instead of a parser's error about its content."""
    if head is None:
        try:
            with open(path, "rb") as fh:
                head = fh.read(len(LFS_POINTER))
        except OSError:
            return  # the reader that follows names a missing or unreadable file itself
    if head.startswith(LFS_POINTER):
        raise FoundryError(f"{path} is a Git LFS pointer, not the data: fetch it with `git lfs pull` "
                           "(in the dataset's repository), then build again")


def check_utf8_start(path: str) -> None:
    """Refuse, in one line naming the file and the encoding, a text file saved as UTF-16 or UTF-32
    (or a Git LFS pointer in place of the file: :func:`check_not_lfs`)."""
    with open(path, "rb") as fh:
        head = fh.read(64)
    check_not_lfs(path, head)
    name = _foreign_encoding(head)
    if name:
        raise FoundryError(f"{path}: the file is {name} text, not UTF-8; save it as UTF-8 "
                           f"(e.g. iconv -f {name} -t UTF-8)")


def check_utf8(path: str) -> None:
    """:func:`check_utf8_start`, then every line decoded: the first that is not UTF-8 raises
    ``FoundryError('path:line: ...')`` naming the byte (the file is read once more, in binary)."""
    check_utf8_start(path)
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            _decode_line(raw, path, n)


def iter_jsonl(path: str):
    """``(line number, object)`` of a JSONL file, blank lines skipped; a bad line (malformed JSON, not
    an object, bytes that are not UTF-8) or a UTF-16/32 file raises ``FoundryError('path[:line]: ...')``.
    A UTF-8 byte-order mark is allowed; line endings inside strings become ``\\n`` (:func:`lf`)."""
    if not os.path.isfile(path):
        raise FoundryError(f"{path}: file not found")
    check_utf8_start(path)
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            line = _decode_line(raw, path, n)
            if n == 1:
                line = line.removeprefix("\ufeff")
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FoundryError(f"{path}:{n}: malformed JSON ({exc.msg}); fix or remove that line") from None
            if not isinstance(obj, dict):
                raise FoundryError(f"{path}:{n}: expected a JSON object, got {type(obj).__name__}")
            yield n, lf(obj)


def read_jsonl(path: str) -> list[dict]:
    """Objects of a JSONL file; a bad line raises ``FoundryError('path:line: ...')``."""
    return [obj for _, obj in iter_jsonl(path)]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def share_files(folder: str) -> int:
    """Give the files under ``folder`` that a library wrote through a private temporary file (mode
    0600: transformers 5's ``save_pretrained`` writes ``model.safetensors`` so) the user's umask, as
    any other file the project writes; other modes are left alone. Returns how many changed."""
    mode = 0o666 & ~_umask()
    changed = 0
    if mode == 0o600:
        return 0
    uid = os.getuid() if hasattr(os, "getuid") else None
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600 and (uid is None or st.st_uid == uid):
                os.chmod(path, mode)
                changed += 1
    return changed


def atomic_write(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so a failure leaves the old file intact."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a shared run folder needs the user's umask
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def iter_table(path: str, required=(), delimiter: str = ",", what: str = ""):
    """``(line number, row dict)`` of a CSV/TSV file with a header (any newline style, quoted
    fields over several lines). A missing file or a missing ``required`` column raises
    ``FoundryError('path: ...')``; a row with more cells than the header raises
    ``FoundryError('path:line: ...')``. The line number is where the record ends."""
    import csv

    if not os.path.isfile(path):
        raise FoundryError(f"{path}: file not found" + (f" (expected {what})" if what else ""))
    check_utf8(path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise FoundryError(f"{path}:1: missing column(s) {', '.join(map(repr, missing))} in the header "
                               f"({', '.join(header) or 'empty'})" + (f"; expected {what}" if what else ""))
        reader.fieldnames = header
        try:
            for row in reader:
                if None in row:
                    raise FoundryError(f"{path}:{reader.line_num}: more cells than header columns; "
                                       "quote fields that contain the delimiter")
                yield reader.line_num, {k: lf(v) if v is not None else "" for k, v in row.items()}
        except csv.Error as exc:
            raise FoundryError(f"{path}:{reader.line_num}: malformed {'TSV' if delimiter == chr(9) else 'CSV'} ({exc})") from None
