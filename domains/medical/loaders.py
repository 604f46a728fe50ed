"""Loaders of the real medical formats from the user's disk or the hub (``path=hf:...``): MedQA,
MedMCQA, PubMedQA, DDXPlus and a generic ranked-answer JSONL, into the columns
:mod:`domains.medical.data` documents. Split from ``data.py`` (the synthetic builder).

    foundry medical data build --builder medqa --arg path=/data/MedQA/US --out runs/medqa
    foundry medical data build --builder ddxplus --arg path=/data/ddxplus --arg limit=5000 --out runs/ddx
"""

from __future__ import annotations

import ast
import csv
import glob
import io
import itertools
import json
import os
import zipfile

from datasets import Dataset, DatasetDict

from core import hub
from core.choice import LETTERS
from core.errors import FoundryError
from core.io import iter_jsonl, read_json
from core.ui import err as console
from core.ui import tag
from domains.medical import verify
from domains.medical.data import RANKED_QUESTION, _row, options_text


def _need(rec: dict, fields: tuple, where: str) -> None:
    missing = [f for f in fields if f not in rec or rec[f] in (None, "")]
    if missing:
        raise FoundryError(f"{where}: missing field(s) {', '.join(repr(m) for m in missing)}")


def _files(path: str, patterns: tuple[str, ...]) -> dict[str, str]:
    """split -> file: a single file is ``test``; a folder's files are matched by name
    (``*train*``, ``*dev*``/``*valid*``, ``*test*``)."""
    if os.path.isfile(path):
        return {"test": path}
    if not os.path.isdir(path):
        raise FoundryError(f"{path}: no such file or folder")
    found = {}
    for f in sorted(p for pat in patterns for p in glob.glob(os.path.join(path, pat))):
        name = os.path.basename(f).lower()
        split = "train" if "train" in name else "val" if ("dev" in name or "valid" in name) else \
            "test" if "test" in name else None
        if split and split not in found:
            found[split] = f
    if not found:
        raise FoundryError(f"{path}: no {' or '.join(patterns)} file with train/dev/test in its name")
    return found


def _mcq_row(question: str, options: dict, gold: str, source: str, case_id: str, think: str = "", **extra) -> dict:
    prompt = f"{question.strip()}\n{options_text(options)}"
    return _row("mcq", source, prompt, think or "the best answer", gold, options=json.dumps(options), source=source,
                synthetic=False, case_id=case_id, **extra)


def _jsonl_records(patterns):
    def read(path):
        return {split: [(f"{f}:{n}", rec) for n, rec in iter_jsonl(f)] for split, f in _files(path, patterns).items()}
    return read


def load_medqa(*, path: str, rename: str | None = None, out: str | None = None) -> DatasetDict:
    """MedQA (Jin et al., 2021) JSONL: ``question``, ``options`` {A..D or A..E}, ``answer_idx``;
    a file (becomes ``test``) or a folder with train/dev/test files.

    Hub: ``path=hf:GBaker/MedQA-USMLE-4-options`` (train/test; the same fields as the official
    JSONL: ``question``, ``answer``, ``options``, ``meta_info``, ``answer_idx``)."""
    splits = {}
    for split, items in hub.split_records(path, _jsonl_records(("*.jsonl",)), rename=rename).items():
        rows = []
        for n, (where, rec) in enumerate(items, 1):
            _need(rec, ("question", "options", "answer_idx"), where)
            options = rec["options"]
            if not isinstance(options, dict) or not options or not all(k in LETTERS for k in options):
                raise FoundryError(f"{where}: field 'options' must be an object keyed by letters A, B, ...")
            gold = str(rec["answer_idx"]).strip().upper()
            if gold not in options:
                raise FoundryError(f"{where}: field 'answer_idx' is {gold!r}, not one of the options {sorted(options)}")
            rows.append(_mcq_row(rec["question"], {k: str(v) for k, v in sorted(options.items())}, gold, "medqa",
                                 f"medqa-{split}-{n}", system=str(rec.get("meta_info", ""))))
        splits[split] = rows
    return DatasetDict({k: Dataset.from_list(v) for k, v in splits.items() if v})


def load_medmcqa(*, path: str, cop_base: int | None = None, rename: str | None = None,
                 out: str | None = None) -> DatasetDict:
    """MedMCQA (Pal et al., 2022) JSONL: ``question``, ``opa``..``opd``, ``cop``, ``choice_type``.
    ``cop`` is 1-4 in the original files (``cop_base=1``, the default for a local path) and 0-3
    in the hub copy (``cop_base=0``, the default for ``hf:``). Multi-choice rows and rows without
    an answer (the hidden test set; -1 in the hub copy) are skipped and counted.

    Hub: ``path=hf:openlifescienceai/medmcqa`` (train/validation/test, the official field names)."""
    if cop_base is None:
        cop_base = 0 if hub.is_hub(path) else 1
    if cop_base not in (0, 1):
        raise FoundryError(f"medmcqa: cop_base must be 0 or 1, got {cop_base}")
    splits = {}
    for split, items in hub.split_records(path, _jsonl_records(("*.json", "*.jsonl")), rename=rename).items():
        rows, multi, unanswered = [], 0, 0
        for n, (where, rec) in enumerate(items, 1):
            _need(rec, ("question", "opa", "opb", "opc", "opd"), where)
            if str(rec.get("choice_type", "single")).lower() != "single":
                multi += 1
                continue
            try:
                cop = int(rec.get("cop")) - cop_base
            except (TypeError, ValueError):
                raise FoundryError(f"{where}: field 'cop' must be an integer, got {rec.get('cop')!r}") from None
            if cop < 0:
                unanswered += 1
                continue
            if cop > 3:
                raise FoundryError(f"{where}: field 'cop' is {rec['cop']}, outside {cop_base}..{cop_base + 3} "
                                   f"(original files are 1-based: --arg cop_base=1; the hub copy is 0-based: --arg cop_base=0)")
            options = {letter: str(rec[k]) for letter, k in zip("ABCD", ("opa", "opb", "opc", "opd"), strict=True)}
            rows.append(_mcq_row(rec["question"], options, "ABCD"[cop], "medmcqa", str(rec.get("id", f"{split}-{n}")),
                                 system=str(rec.get("subject_name") or "")))
        if multi or unanswered:
            console.print(tag(f"{path} [{split}]: skipped {multi} multi-choice row(s) and {unanswered} without an answer", "yellow"))
        splits[split] = rows
    return DatasetDict({k: Dataset.from_list(v) for k, v in splits.items() if v})


def _pubmedqa_hub(path: str, rename) -> list[tuple[str, str, dict]]:
    """The hub copy's rows (``pubid``, ``question``, ``context.contexts``, ``long_answer``,
    ``final_decision``) in the official file's names."""
    out = []
    for items in hub.records(path, rename=rename).values():
        for where, rec in items:
            ctx = rec.get("context")
            out.append((where, str(rec.get("pubid", "")), {
                "QUESTION": rec.get("question"), "final_decision": rec.get("final_decision"),
                "CONTEXTS": ctx.get("contexts") if isinstance(ctx, dict) else ctx, "LONG_ANSWER": rec.get("long_answer")}))
    return out


def load_pubmedqa(*, path: str, split: str = "test", rename: str | None = None, out: str | None = None) -> DatasetDict:
    """PubMedQA (Jin et al., 2019) ``ori_pqal.json``: PMID -> ``QUESTION``, ``CONTEXTS`` (list),
    ``final_decision`` (yes/no/maybe); all entries go to ``split``.

    Hub: ``path=hf:qiaojin/PubMedQA:pqa_labeled`` (one split of 1,000 rows: ``pubid``,
    ``question``, ``context`` {``contexts``, ``labels``, ``meshes``}, ``long_answer``,
    ``final_decision``), mapped to the official names."""
    if hub.is_hub(path):
        entries = _pubmedqa_hub(path, rename)
    else:
        data = read_json(path, "PubMedQA's ori_pqal.json")
        if not isinstance(data, dict):
            raise FoundryError(f"{path}: expected an object keyed by PMID")
        entries = [(f"{path}: PMID {pmid}", pmid, rec) for pmid, rec in data.items()]
    rows = []
    for where, pmid, rec in entries:
        if not isinstance(rec, dict):
            raise FoundryError(f"{where}: expected an object")
        _need(rec, ("QUESTION", "CONTEXTS", "final_decision"), where)
        label = str(rec["final_decision"]).strip().lower()
        if label not in verify.YNM:
            raise FoundryError(f"{where}: field 'final_decision' is {label!r}, expected yes, no or maybe")
        contexts = rec["CONTEXTS"] if isinstance(rec["CONTEXTS"], list) else [str(rec["CONTEXTS"])]
        question = f"Context: {' '.join(map(str, contexts))}\nQuestion: {rec['QUESTION']} Answer yes, no or maybe."
        rows.append(_row("ynm", "pubmedqa", question, str(rec.get("LONG_ANSWER") or "the abstract's conclusion"), label,
                         source="pubmedqa", synthetic=False, case_id=str(pmid)))
    return DatasetDict({split: Dataset.from_list(rows)})


def _ranked_row(question: str, preferred: str, acceptable: list[str], source: str, case_id: str, k: int,
                aliases: dict | None = None, **extra) -> dict:
    listed = [preferred] + [a for a in acceptable if a != preferred][:k - 1]
    answer = "\n".join(f"{i}. {a}" for i, a in enumerate(listed, 1))
    return _row("ranked", source, f"{question.strip()}\n{RANKED_QUESTION.format(k=k)}", "the differential", answer,
                preferred=preferred, acceptable=json.dumps(list(dict.fromkeys([preferred, *acceptable]))), k=k,
                source=source, synthetic=False, case_id=case_id, aliases=json.dumps(aliases or {}), **extra)


def load_ranked(*, path: str, k: int = verify.DEFAULT_K, rename: str | None = None,
                out: str | None = None) -> DatasetDict:
    """A generic JSONL of ranked questions: ``question``, ``answers`` (acceptable, list),
    ``preferred`` (one of them; default the first), optional ``aliases`` {alias: name}; a file
    (becomes ``test``) or a folder with train/dev/test files; ``hf:`` rows with the same fields."""
    splits = {}
    for split, items in hub.split_records(path, _jsonl_records(("*.jsonl",)), rename=rename).items():
        rows = []
        for n, (where, rec) in enumerate(items, 1):
            _need(rec, ("question", "answers"), where)
            answers = rec["answers"]
            if not isinstance(answers, list) or not answers or not all(isinstance(a, str) and a.strip() for a in answers):
                raise FoundryError(f"{where}: field 'answers' must be a non-empty list of strings")
            preferred = rec.get("preferred") or answers[0]
            if preferred not in answers:
                raise FoundryError(f"{where}: field 'preferred' ({preferred!r}) is not one of 'answers'")
            aliases = rec.get("aliases") or {}
            if not isinstance(aliases, dict):
                raise FoundryError(f"{where}: field 'aliases' must be an object {{alias: name}}")
            rows.append(_ranked_row(rec["question"], preferred, answers, "ranked", f"{split}-{n}", k, aliases))
        splits[split] = rows
    return DatasetDict({k_: Dataset.from_list(v) for k_, v in splits.items() if v})


def _ddx_open(path: str):
    if path.endswith(".zip"):
        with zipfile.ZipFile(path) as z:
            name = next((n for n in z.namelist() if n.endswith(".csv")), None)
            if name is None:
                raise FoundryError(f"{path}: the zip holds no .csv file")
            return io.StringIO(z.read(name).decode("utf-8"))
    return open(path, encoding="utf-8", newline="")


def _evidence_text(code: str, evidences: dict, where: str) -> str:
    """An evidence code (``E_91``, ``E_54_@_V_179``, ``E_56_@_7``) as English text."""
    name, _, value = code.partition("_@_")
    meta = evidences.get(name)
    if not isinstance(meta, dict):
        raise FoundryError(f"{where}: evidence {name!r} is not in release_evidences.json")
    question = str(meta.get("question_en") or name).strip()
    if not value:
        return f"{question} Yes."
    meaning = (meta.get("value_meaning") or {}).get(value)
    said = meaning.get("en", value) if isinstance(meaning, dict) else value
    return f"{question} {said}."


def load_ddxplus(*, path: str, limit: int = 0, k: int = verify.DEFAULT_K, meta_dir: str | None = None,
                 rename: str | None = None, out: str | None = None) -> DatasetDict:
    """DDXPlus (Fansi Tchango et al., 2022): a folder with ``release_evidences.json``,
    ``release_conditions.json`` and ``release_{train,validate,test}_patients`` (``.csv`` or the
    released ``.zip``). Each patient becomes a ranked question: the vignette is rendered from
    ``AGE``, ``SEX``, ``INITIAL_EVIDENCE`` and ``EVIDENCES`` with the evidences' English
    questions and value meanings; the acceptable set is ``DIFFERENTIAL_DIAGNOSIS`` (pathology
    names in English via ``cond-name-eng``), the preferred answer ``PATHOLOGY``. ``limit`` keeps
    the first N patients per split.

    Hub: ``path=hf:<a DDXPlus copy>`` whose rows keep the patients CSV's columns (train /
    validation / test); the evidence and condition tables are not rows, so ``meta_dir`` is the
    folder with ``release_evidences.json`` and ``release_conditions.json``."""
    if hub.is_hub(path):
        if not meta_dir:
            raise FoundryError(f"{path}: the hub rows name evidence codes only; also pass --arg meta_dir=DIR, the folder "
                               "with release_evidences.json and release_conditions.json")
        meta = meta_dir
    else:
        if not os.path.isdir(path):
            raise FoundryError(f"{path}: expected the DDXPlus folder (release_*.json and release_*_patients files)")
        meta = path
    evidences = read_json(os.path.join(meta, "release_evidences.json"), "DDXPlus evidences")
    conditions = read_json(os.path.join(meta, "release_conditions.json"), "DDXPlus conditions")
    english = {}
    for key, c in conditions.items():
        eng = str(c.get("cond-name-eng") or key) if isinstance(c, dict) else key
        english[key] = eng
        if isinstance(c, dict):
            for alt in (c.get("condition_name"), c.get("cond-name-fr")):
                if alt:
                    english[str(alt)] = eng
    need = ("AGE", "SEX", "PATHOLOGY", "EVIDENCES", "INITIAL_EVIDENCE", "DIFFERENTIAL_DIAGNOSIS")

    def local(_):
        found = {}
        for split, stem in (("train", "train"), ("val", "validate"), ("test", "test")):
            f = next((os.path.join(path, f"release_{stem}_patients{ext}") for ext in (".csv", ".zip", "")
                      if os.path.isfile(os.path.join(path, f"release_{stem}_patients{ext}"))), None)
            if f is None:
                continue
            with _ddx_open(f) as fh:
                reader = csv.DictReader(fh)
                missing = [c for c in need if c not in (reader.fieldnames or [])]
                if missing:
                    raise FoundryError(f"{f}:1: header lacks column(s) {missing}")
                found[split] = [(f"{f}:{n}", rec) for n, rec in itertools.islice(enumerate(reader, 2), limit or None)]
        return found

    splits = {}
    for split, items in hub.split_records(path, local, rename=rename, limit=limit).items():
        rows = []
        for n, (where, rec) in enumerate(items, 2):
            if limit and len(rows) >= limit:
                break
            rec = {k: v if isinstance(v, str) else str(v) for k, v in rec.items()}
            missing = [c for c in need if c not in rec]
            if missing:
                raise FoundryError(f"{where}: missing column(s) {missing}")
            try:
                ddx = ast.literal_eval(rec["DIFFERENTIAL_DIAGNOSIS"])
                codes = ast.literal_eval(rec["EVIDENCES"])
            except (ValueError, SyntaxError):
                raise FoundryError(f"{where}: DIFFERENTIAL_DIAGNOSIS / EVIDENCES must be Python-literal lists") from None
            if not isinstance(ddx, list) or not all(isinstance(d, (list, tuple)) and len(d) == 2 for d in ddx):
                raise FoundryError(f"{where}: field 'DIFFERENTIAL_DIAGNOSIS' must be [[pathology, probability], ...]")
            pathology = english.get(rec["PATHOLOGY"])
            if pathology is None:
                raise FoundryError(f"{where}: PATHOLOGY {rec['PATHOLOGY']!r} is not in release_conditions.json")
            ranked = [english.get(str(p), str(p)) for p, _ in sorted(ddx, key=lambda d: -float(d[1]))]
            sex = {"F": "woman", "M": "man"}.get(rec["SEX"].strip().upper(), "patient")
            initial = _evidence_text(rec["INITIAL_EVIDENCE"], evidences, where)
            others = [_evidence_text(c, evidences, where) for c in codes if c != rec["INITIAL_EVIDENCE"]]
            question = (f"A {rec['AGE']}-year-old {sex}. Chief complaint: {initial}\n"
                        + "\n".join(f"- {o}" for o in others))
            rows.append(_ranked_row(question, pathology, ranked, "ddxplus", f"ddxplus-{split}-{n}", k))
        splits[split] = rows
    if not splits:
        raise FoundryError(f"{path}: no release_train/validate/test_patients .csv or .zip file")
    return DatasetDict({k_: Dataset.from_list(v) for k_, v in splits.items() if v})
