"""The chemistry verifier, shared by rewards (:mod:`domains.chem.rewards`) and evals
(:mod:`domains.chem.evals`).

A completion is ``<think>...</think><answer>...</answer>``; the answer is a SMILES, a formula,
a number, yes/no or a sentence depending on the example's ``task``. Every check goes through
:func:`check`, which returns a :class:`Verdict` with a reason code for every failure (the
ether0-style binary reward and the eval's ``reason`` field both come from it). All RDKit work
on model output happens in :mod:`domains.chem.sandbox` (child process, deadline, cache).

Tasks (the ``task`` column) and what a correct answer is:

=================  =====================================================================
formula            the molecular formula (element counts and charge compared, order free)
mw, logp, tpsa     a number within the example's ``tolerance`` of RDKit's value
rings, aromatic_rings, hbd, hba   an integer equal to RDKit's count
property           a number within ``tolerance`` (user data: ``load_property``)
group              yes/no: does the molecule contain the functional group
canonical          a SMILES of the same molecule (canonical SMILES compared)
text2mol           the described molecule (exact match; similarity terms for partial credit)
design             any valid molecule meeting every constraint (formula, groups, size, ...)
caption            the description of the molecule (exact after normalisation; BLEU/ROUGE in evals)
=================  =====================================================================
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from r1_foundry.core.answers.text import completion_text, layout_score, read_answer
from r1_foundry.domains.chem.sandbox import FP_KINDS, GROUPS, MolInfo, default_analyser

MOLECULE_TASKS = ("canonical", "text2mol", "design")
NUMERIC_TASKS = ("mw", "logp", "tpsa", "rings", "aromatic_rings", "hbd", "hba", "property")
TASKS = ("formula", "group", "caption") + MOLECULE_TASKS + NUMERIC_TASKS

_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.S)
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_FORMULA = re.compile(r"^([A-Z][a-z]?\d*)+([+-]\d*)?$")
_ELEMENT = re.compile(r"([A-Z][a-z]?)(\d*)")


extract_answer = read_answer  # core's one answer rule: the last <answer> block, else the untagged text; None if empty


def raw_answer(text: str) -> str | None:
    """The last ``<answer>`` block as written (not stripped): MolT5's measures see the output string
    exactly, spaces included (Levenshtein and character BLEU count them)."""
    found = _ANSWER.findall(text or "")  # case-sensitive tags, unlike core's answer_blocks: MolT5 outputs as written
    return found[-1] if found else None


format_score = layout_score  # 1 think-then-answer, 0.5 answer block only, 0 none


def parse_number(answer: str | None) -> float | None:
    """A finite float from an answer such as ``122.12`` or ``122.12 g/mol``; None otherwise, and
    None for two numbers (``122.12 or 130``: hedging is not an answer).

    Deliberately stricter than core's :func:`r1_foundry.core.answers.text.parse_number`: the number
    must come first (``about 122`` is not an answer) and thousands separators are not read; the
    committed chemistry numbers were measured with this rule, so it stays the domain's own."""
    if not answer:
        return None
    tokens = [t.rstrip(".,;") for t in answer.strip().split()]
    if not tokens or not _NUMBER.match(tokens[0]) or any(_NUMBER.match(t) for t in tokens[1:]):
        return None
    token = tokens[0]
    value = float(token)
    return value if math.isfinite(value) else None


def parse_formula(text: str | None) -> tuple | None:
    """``'C7H6O2'`` -> sorted ((element, count), ...) plus the charge; None if not a formula."""
    if not text:
        return None
    text = text.strip().replace(" ", "")
    if len(text) > 200 or not _FORMULA.match(text):
        return None
    body, charge = text, 0
    m = re.search(r"([+-])(\d*)$", text)
    if m:
        body = text[: m.start()]
        charge = (int(m.group(2)) if m.group(2) else 1) * (1 if m.group(1) == "+" else -1)
    counts: dict[str, int] = {}
    for el, n in _ELEMENT.findall(body):
        counts[el] = counts.get(el, 0) + (int(n) if n else 1)
    return tuple(sorted(counts.items())), charge


def tanimoto(a: tuple, b: tuple) -> float:
    """Tanimoto of two on-bit sets (equal to RDKit's on the same bit vectors; 0 when both empty)."""
    sa, sb = set(a), set(b)
    union = len(sa | sb)
    return len(sa & sb) / union if union else 0.0


def similarity(pred: MolInfo, gold: MolInfo, kind: str = "morgan") -> float:
    if kind not in FP_KINDS:
        raise ValueError(f"fingerprint must be one of {FP_KINDS}, got '{kind}'")
    if not (pred.ok and gold.ok):
        return 0.0
    if "fps" not in pred.has or "fps" not in gold.has:
        raise ValueError("similarity needs fingerprints: analyse with need={'fps'}")
    return tanimoto(pred.fps[kind], gold.fps[kind])


def same_molecule(pred: MolInfo, gold: MolInfo, *, by: str = "smiles", largest_fragment: bool = False) -> bool:
    """Exact match by canonical SMILES or by InChIKey, optionally of the largest fragments only."""
    if not (pred.ok and gold.ok):
        return False
    if by == "inchikey":
        if "inchi" not in pred.has or "inchi" not in gold.has:
            raise ValueError("InChIKey match needs InChIKeys: analyse with need={'inchi'}")
        a, b = (pred.inchikey_largest, gold.inchikey_largest) if largest_fragment else (pred.inchikey, gold.inchikey)
        return bool(a) and a == b
    a, b = (pred.canonical_largest, gold.canonical_largest) if largest_fragment else (pred.canonical, gold.canonical)
    return a == b


def is_reasonable(info: MolInfo, *, max_fragments: int | None = 1, max_heavy_atoms: int | None = None,
                  allow_radicals: bool = False) -> tuple[bool, str]:
    """Validity plus optional "reasonable molecule" checks; returns (ok, reason code)."""
    if not info.ok:
        return False, info.reason
    if max_fragments is not None and info.fragments > max_fragments:
        return False, "too_many_fragments"
    if max_heavy_atoms is not None and info.heavy_atoms > max_heavy_atoms:
        return False, "too_many_atoms"
    if not allow_radicals and info.radicals:
        return False, "radicals"
    return True, ""


def load_constraints(raw) -> dict:
    """The ``constraints`` column: a JSON object (or a dict), ``{}`` when empty."""
    if isinstance(raw, dict):
        return raw
    if not raw:
        return {}
    return json.loads(raw)


_BASE_CONSTRAINTS = {"formula", "max_heavy_atoms", "min_heavy_atoms"}  # need no descriptors


def constraint_results(info: MolInfo, constraints: dict) -> dict[str, bool]:
    """Which constraints a molecule meets. Keys: ``formula``, ``groups`` (each present),
    ``absent_groups``, ``max_heavy_atoms``, ``min_heavy_atoms``, ``rings``, ``aromatic_rings``,
    ``scaffold`` (Bemis-Murcko, canonical SMILES)."""
    out = {}
    if info.ok and "desc" not in info.has and set(constraints) - _BASE_CONSTRAINTS:
        raise ValueError("these constraints need descriptors: analyse with need={'desc'}")
    for key, want in constraints.items():
        if key == "formula":
            out[key] = info.ok and parse_formula(info.formula) == parse_formula(want)
        elif key == "groups":
            out[key] = info.ok and all(g in info.groups for g in want)
        elif key == "absent_groups":
            out[key] = info.ok and not any(g in info.groups for g in want)
        elif key == "max_heavy_atoms":
            out[key] = info.ok and info.heavy_atoms <= want
        elif key == "min_heavy_atoms":
            out[key] = info.ok and info.heavy_atoms >= want
        elif key in ("rings", "aromatic_rings"):
            out[key] = info.ok and info.props[key] == want
        elif key == "scaffold":
            out[key] = info.ok and info.scaffold == want
        else:
            raise ValueError(f"unknown constraint '{key}'")
    return out


@dataclass
class Verdict:
    """The outcome of checking one answer: ``correct`` (bool), a ``reason`` code when not, and
    what the graded metrics need (``pred``/``gold`` MolInfo, ``error`` for numbers, ``satisfied``
    per constraint)."""

    correct: bool
    reason: str = ""
    answer: str | None = None
    pred: MolInfo | None = None
    gold: MolInfo | None = None
    error: float | None = None
    satisfied: dict | None = None


def check(text: str, example: dict, *, analyser=None, need=()) -> Verdict:
    """Verify a completion against ``example`` (columns ``task``, ``answer``, ``constraints``,
    ``tolerance``). ``need`` asks the analyser for extras beyond what checking needs (``fps``
    for similarity terms). Never raises on model output."""
    task = example.get("task")
    if task not in TASKS:
        raise ValueError(f"unknown task '{task}'; expected one of {', '.join(TASKS)}")
    answer = extract_answer(text)
    if answer is None:
        return Verdict(False, "no_answer")
    gold = str(example.get("answer") or "")
    if task in MOLECULE_TASKS:
        an = analyser or default_analyser()
        constraints = load_constraints(example.get("constraints"))
        # design is judged on its constraints; for the other tasks they are checked only when
        # the caller asks for descriptors (the constraint reward, evals)
        need = frozenset(need) | ({"desc"} if constraints and task == "design" else frozenset())
        if len(answer.split()) > 1:  # RDKit reads "CCO CCN" as CCO named "CCN": two answers are none
            return Verdict(False, "invalid_smiles:several_tokens", answer=answer)
        pred, gold_info = an.analyse_many([answer, gold], need=need) if gold else (an.analyse(answer, need=need), None)
        v = Verdict(False, answer=answer, pred=pred, gold=gold_info)
        # radicals are judged against the gold: ChEBI-20 holds metals and radical species ([Co], [B], Cl[Pb]Cl,
        # [O]) whose own SMILES would be refused otherwise, so a target identical to the gold is always correct
        gold_radicals = gold_info is not None and gold_info.ok and gold_info.radicals > 0
        ok, why = is_reasonable(pred, max_fragments=None, allow_radicals=gold_radicals)
        if not ok:
            v.reason = "invalid_smiles:" + why
            return v
        if constraints and ("desc" in pred.has or set(constraints) <= _BASE_CONSTRAINTS):
            v.satisfied = constraint_results(pred, constraints)
        if task == "design":
            failed = [k for k, good in (v.satisfied or {}).items() if not good]
            v.correct, v.reason = not failed, ("constraint:" + ",".join(failed) if failed else "")
        else:
            v.correct = same_molecule(pred, gold_info)
            v.reason = "" if v.correct else "wrong_molecule"
        return v
    if task in NUMERIC_TASKS:
        value = parse_number(answer)
        if value is None:
            return Verdict(False, "not_a_number", answer=answer)
        error = abs(value - float(gold))
        tol = float(example.get("tolerance") or 0.0)
        ok = error <= tol + 1e-9
        return Verdict(ok, "" if ok else "out_of_tolerance", answer=answer, error=error)
    if task == "formula":
        parsed = parse_formula(answer)
        if parsed is None:
            return Verdict(False, "not_a_formula", answer=answer)
        ok = parsed == parse_formula(gold)
        return Verdict(ok, "" if ok else "wrong_formula", answer=answer)
    if task == "group":
        said = answer.strip().lower().rstrip(".")
        if said not in ("yes", "no"):
            return Verdict(False, "not_yes_no", answer=answer)
        ok = said == gold.strip().lower()
        return Verdict(ok, "" if ok else "wrong_yes_no", answer=answer)
    ok = normalise_text(answer) == normalise_text(gold)  # caption
    return Verdict(ok, "" if ok else "caption_differs", answer=answer)


def normalise_text(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", (text or "").lower()))


def molreasoner_score(v: Verdict) -> float:
    """MolReasoner's text->molecule reward: invalid 0; exact match 2; otherwise
    0.5 + 1.5 x mean(MACCS, RDK, Morgan Tanimoto to the gold). Range [0, 2]."""
    if v.pred is None or not v.pred.ok or v.gold is None or not v.gold.ok:
        return 0.0
    if v.correct:
        return 2.0
    return 0.5 + 1.5 * sum(similarity(v.pred, v.gold, k) for k in FP_KINDS) / len(FP_KINDS)


def answer_key(v: Verdict, task: str) -> str | None:
    """What two answers must share to count as the same vote (maj@k)."""
    if v.answer is None:
        return None
    if task in MOLECULE_TASKS:
        return v.pred.canonical if v.pred is not None and v.pred.ok else None
    if task in NUMERIC_TASKS:
        n = parse_number(v.answer)
        return None if n is None else repr(round(n, 2))
    if task == "formula":
        f = parse_formula(v.answer)
        return None if f is None else repr(f)
    return normalise_text(v.answer)


__all__ = ["GROUPS", "TASKS", "Verdict", "check", "completion_text", "extract_answer", "format_score", "molreasoner_score",
           "parse_formula", "parse_number", "same_molecule", "similarity", "tanimoto"]
