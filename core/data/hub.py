"""Datasets from the Hugging Face hub, or from local copies in a hub copy's layout, for every
real-data loader, with one spelling: ``--arg path=hf:...``.

    hf:owner/name                   the hub dataset (every split), read with datasets.load_dataset
    hf:owner/name:config@revision   a config (subset) and a revision (branch, tag or commit)
    hf:./saved                      a folder written by Dataset(Dict).save_to_disk
    hf:/data/spider/train.parquet   a local parquet, JSON, JSONL or CSV file (or a folder of them)

All four go through :func:`records`, so the local forms test the code path the hub uses
(datasets' loaders, then the loader's own column mapping). Hub copies rename fields; each loader
writes its mapping down next to itself (``HUB`` notes in its docstring) and takes
``--arg rename=hub_column:our_column,...`` for copies that differ. Split names of the hub
(``train``, ``validation``/``valid``/``dev``, ``test``) become ours (``train``, ``val``,
``test``); a single local file or a saved single split becomes ``single`` (default ``test``).

Without a network (or with ``HF_DATASETS_OFFLINE=1``) a hub id fails in one line that names the
dataset and says to pass a local path.
"""

from __future__ import annotations

import os

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.io import check_not_lfs, lf

PREFIX = "hf:"
SPLITS = {"train": "train", "validation": "val", "valid": "val", "dev": "val", "val": "val", "test": "test"}
_FILES = {".parquet": "parquet", ".json": "json", ".jsonl": "json", ".csv": "csv", ".tsv": "csv"}


def is_hub(path) -> bool:
    return isinstance(path, str) and path.startswith(PREFIX)


def parse(spec: str) -> tuple[str, str | None, str | None]:
    """``hf:owner/name:config@revision`` -> (id or local path, config, revision)."""
    body = spec[len(PREFIX):].strip()
    if not body:
        raise FoundryError(f"{spec!r}: expected hf:owner/name[:config][@revision] or hf:LOCAL_PATH")
    revision = None
    if "@" in body and not os.path.exists(body):
        body, revision = body.rsplit("@", 1)
    config = None
    if ":" in body and not os.path.exists(body):
        body, config = body.split(":", 1)
    return body, config or None, revision or None


def _local(target: str):
    """A local save_to_disk folder or data file(s), read with datasets; None when not local."""
    import datasets

    if os.path.isdir(target):
        if os.path.isfile(os.path.join(target, "dataset_dict.json")) or os.path.isfile(
                os.path.join(target, "dataset_info.json")) and os.path.isfile(os.path.join(target, "state.json")):
            return datasets.load_from_disk(target)
        files = sorted(os.path.join(target, f) for f in os.listdir(target) if os.path.splitext(f)[1] in _FILES)
        for f in files:
            check_not_lfs(f)
        if not files:
            raise FoundryError(f"{target}: neither a save_to_disk folder nor a folder of parquet/JSON/CSV files")
        kinds = {_FILES[os.path.splitext(f)[1]] for f in files}
        if len(kinds) > 1:
            raise FoundryError(f"{target}: mixed file kinds {sorted(kinds)}; keep one kind per folder")
        stems = {os.path.splitext(os.path.basename(f))[0].split("-")[0]: f for f in files}
        by_split = {s: f for s, f in stems.items() if s in SPLITS}
        data_files = by_split if len(by_split) == len(files) else {"single": files}
        return datasets.load_dataset(kinds.pop(), data_files=data_files,
                                     **({"delimiter": "\t"} if files[0].endswith(".tsv") else {}))
    ext = os.path.splitext(target)[1]
    if os.path.isfile(target):
        check_not_lfs(target)
        if ext not in _FILES:
            raise FoundryError(f"{target}: hf: reads parquet, JSON, JSONL or CSV/TSV files, or a save_to_disk folder")
        return datasets.load_dataset(_FILES[ext], data_files={"single": target},
                                     **({"delimiter": "\t"} if ext == ".tsv" else {}))
    if target.startswith((".", "/", "~")) or ext in _FILES:
        raise FoundryError(f"{target}: no such file or folder")
    return None


def load(spec: str):
    """The ``DatasetDict`` (or ``Dataset``) behind an ``hf:`` spec."""
    target, config, revision = parse(spec)
    try:
        local = _local(os.path.expanduser(target))
    except FoundryError:
        raise
    except Exception as exc:  # a corrupt local file: say which, in one line
        raise FoundryError(f"{target}: cannot be read as a dataset ({type(exc).__name__}: {str(exc)[:200]})") from None
    if local is not None:
        return local
    import datasets

    try:
        return datasets.load_dataset(target, config, revision=revision)
    except Exception as exc:  # offline, unknown id, gated, no such config: one line, and the way out
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise FoundryError(f"hf:{target}: cannot load it from the Hugging Face hub ({type(exc).__name__}: {reason}); "
                           f"pass a local path instead (--arg path=DIR, or hf:DIR for a local copy in the hub layout)"
                           ) from None


def records(spec: str, *, rename: str | dict | None = None, single: str = "test",
            splits: dict | None = None, limit: int = 0) -> dict[str, list[tuple[str, dict]]]:
    """Our split name -> ``(where, record)`` pairs of an ``hf:`` spec, hub columns renamed to the
    loader's (``rename``: ``{"hub": "ours"}`` or ``"hub:ours,..."``); ``where`` names the dataset,
    split and row for error messages. ``limit`` > 0 reads only the first N rows of each hub split
    (a million-row split is not turned into Python dicts to keep 5,000)."""
    import datasets

    mapping = _rename(rename)
    ds = load(spec)
    parts = dict(ds) if isinstance(ds, datasets.DatasetDict) else {"single": ds}
    names = {**SPLITS, **(splits or {})}
    out: dict[str, list[tuple[str, dict]]] = {}
    for name, part in parts.items():
        ours = single if name == "single" else names.get(name, name)
        rows = out.setdefault(ours, [])
        if limit and len(part) > limit:
            part = part.select(range(limit))
        for i, rec in enumerate(part):
            rows.append((f"{spec} [{name}] row {i}", {mapping.get(k, k): lf(v) for k, v in rec.items()}))
    if not any(out.values()):
        raise FoundryError(f"{spec}: no rows")
    return out


def split_records(path: str, local, *, rename=None, single: str = "test",
                  limit: int = 0) -> dict[str, list[tuple[str, dict]]]:
    """A loader's records per split: from :func:`records` for an ``hf:`` spec (``limit`` rows per hub
    split at most), else from ``local(path)`` (the loader's reader of the official files, returning the
    same shape)."""
    if is_hub(path):
        return records(path, rename=rename, single=single, limit=limit)
    return local(path)


def _rename(rename) -> dict:
    if not rename:
        return {}
    if isinstance(rename, dict):
        return {str(k): str(v) for k, v in rename.items()}
    pairs = [p for p in str(rename).split(",") if p.strip()]
    bad = [p for p in pairs if ":" not in p]
    if bad:
        raise FoundryError(f"rename: expected hub_column:our_column,..., got {bad[0]!r}")
    return {a.strip(): b.strip() for a, b in (p.split(":", 1) for p in pairs)}
