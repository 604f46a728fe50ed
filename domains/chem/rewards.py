"""Chemistry rewards (TRL contract), all built on :mod:`domains.chem.verify`.

Rewards read the dataset columns ``task``, ``answer``, ``constraints`` and ``tolerance``. A
reward that does not apply to an example's task returns ``None`` for it (TRL's contract for
multi-task data: the term is left out of that example's sum); otherwise any completion string
gives a finite number in range and nothing raises.

===================  ============  ================================================================
name                 range         meaning (tasks it applies to)
===================  ============  ================================================================
chem/validity        {0, 1}        the answer parses and sanitises; optional reasonable-molecule
                                   checks ``max_fragments``, ``max_heavy_atoms`` (molecule tasks)
chem/exact           {0, 1}        same molecule as the gold, ``by: smiles|inchikey``,
                                   ``largest_fragment`` (canonical, text2mol)
chem/tanimoto        [0, 1]        fingerprint similarity to the gold, ``fp: morgan|maccs|rdkit``
                                   (canonical, text2mol)
chem/formula         {0, 1}        formula answer, or the answer molecule's formula, equals the
                                   target (formula; design/text2mol with a formula constraint)
chem/property        {0, 1}        number within the example's tolerance (numeric tasks)
chem/constraint      [0, 1]        fraction of constraints met (design, text2mol)
chem/format          {0, 0.5, 1}   think+answer layout / answer only / none (all)
chem/molreasoner     [0, 2]        MolReasoner: invalid 0, exact 2, else 0.5 + 1.5 x mean of
                                   MACCS/RDK/Morgan Tanimoto (canonical, text2mol)
chem/ether0          {0, 1}        ether0-style binary correctness for every task; the reason code
                                   of each failure is kept in ``last_reasons`` (all)
===================  ============  ================================================================
"""

from __future__ import annotations

from r1_foundry.core.rewards.base import Reward, renamed
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.domains.chem import verify
from r1_foundry.domains.chem.sandbox import FP_KINDS, default_analyser

_GOLD_MOLECULE = ("canonical", "text2mol")


class _Reward(Reward):
    columns = ("task", "answer")
    defaults = {"constraints": "", "tolerance": 0.0}
    need: frozenset = frozenset()  # analyser extras it uses (fps, inchi, desc)

    def prepare(self, texts, examples):
        # one batched call parses every distinct answer and gold of the group in the child process
        wanted = [verify.extract_answer(t) for t, ex in zip(texts, examples, strict=True)
                  if ex["task"] in verify.MOLECULE_TASKS]
        wanted += [ex["answer"] for ex in examples if ex["task"] in _GOLD_MOLECULE]
        need = self.need | ({"desc"} if any(ex["constraints"] and ex["task"] == "design" for ex in examples)
                            else frozenset())
        default_analyser().analyse_many([w for w in wanted if w], need=need)


class _Validity(_Reward):
    name = "chem/validity"
    tasks = verify.MOLECULE_TASKS

    def __init__(self, max_fragments: int | None = None, max_heavy_atoms: int | None = None,
                 allow_radicals: bool = True):
        super().__init__()
        self.kw = dict(max_fragments=max_fragments, max_heavy_atoms=max_heavy_atoms, allow_radicals=allow_radicals)

    def score(self, text, example):
        analyser = default_analyser()
        answer = verify.extract_answer(text)
        return float(answer is not None and verify.is_reasonable(analyser.analyse(answer), **self.kw)[0])


class _Exact(_Reward):
    name = "chem/exact"
    tasks = _GOLD_MOLECULE

    def __init__(self, by: str = "smiles", largest_fragment: bool = False):
        super().__init__()
        if by not in ("smiles", "inchikey"):
            raise FoundryError(f"{self.name}: 'by' must be smiles or inchikey, got '{by}'")
        self.by, self.largest = by, largest_fragment
        self.need = frozenset({"inchi"} if by == "inchikey" else ())

    def score(self, text, example):
        analyser = default_analyser()
        answer = verify.extract_answer(text)
        if answer is None:
            return 0.0
        pred, gold = analyser.analyse_many([answer, example["answer"]], need=self.need)
        return float(verify.same_molecule(pred, gold, by=self.by, largest_fragment=self.largest))


class _Tanimoto(_Reward):
    name = "chem/tanimoto"
    tasks = _GOLD_MOLECULE
    need = frozenset({"fps"})

    def __init__(self, fp: str = "morgan"):
        super().__init__()
        if fp not in FP_KINDS:
            raise FoundryError(f"{self.name}: 'fp' must be one of {', '.join(FP_KINDS)}, got '{fp}'")
        self.fp = fp

    def score(self, text, example):
        analyser = default_analyser()
        answer = verify.extract_answer(text)
        if answer is None:
            return 0.0
        pred, gold = analyser.analyse_many([answer, example["answer"]], need=self.need)
        return verify.similarity(pred, gold, self.fp)


class _Formula(_Reward):
    name = "chem/formula"

    def score(self, text, example):
        analyser = default_analyser()
        task = example["task"]
        if task == "formula":
            return float(verify.check(text, example, analyser=analyser).correct)
        target = verify.load_constraints(example.get("constraints")).get("formula")
        answer = verify.extract_answer(text)
        if answer is None:
            return 0.0
        info = analyser.analyse(answer)
        return float(info.ok and verify.parse_formula(info.formula) == verify.parse_formula(target))

    def applies(self, example):
        # formula questions, and molecule tasks whose constraints name a formula
        task = example["task"]
        return task == "formula" or (task in verify.MOLECULE_TASKS and '"formula"' in (example["constraints"] or ""))


class _Property(_Reward):
    name = "chem/property"
    tasks = verify.NUMERIC_TASKS

    def score(self, text, example):
        return float(verify.check(text, example, analyser=default_analyser()).correct)


class _Constraint(_Reward):
    name = "chem/constraint"
    tasks = ("design", "text2mol")
    need = frozenset({"desc"})

    def score(self, text, example):
        analyser = default_analyser()
        v = verify.check(text, example, analyser=analyser, need=self.need)
        if not v.satisfied:
            return 0.0
        return sum(v.satisfied.values()) / len(v.satisfied)


class _Format(_Reward):
    name = "chem/format"

    def score(self, text, example):
        return verify.format_score(text)


class _MolReasoner(_Reward):
    name = "chem/molreasoner"
    tasks = _GOLD_MOLECULE
    high = 2.0
    need = frozenset({"fps"})

    def score(self, text, example):
        analyser = default_analyser()
        return verify.molreasoner_score(verify.check(text, example, analyser=analyser, need=self.need))


class _Ether0(_Reward):
    name = "chem/ether0"
    records_reasons = True

    def score(self, text, example):
        v = verify.check(text, example, analyser=default_analyser())
        return float(v.correct), v.reason or "correct"


def validity(max_fragments: int | None = None, max_heavy_atoms: int | None = None, allow_radicals: bool = True):
    return _Validity(max_fragments, max_heavy_atoms, allow_radicals)


def exact(by: str = "smiles", largest_fragment: bool = False):
    return _Exact(by, largest_fragment)


def tanimoto(fp: str = "morgan"):
    return _Tanimoto(fp)


def formula():
    return _Formula()


def property_reward():
    return _Property()


def constraint():
    return _Constraint()


def format_reward():
    return _Format()


def molreasoner():
    return _MolReasoner()


def ether0():
    return _Ether0()


correct = renamed(ether0, "chem/correct")  # the right-answer name every domain answers to


RANGES = {"chem/validity": (0.0, 1.0), "chem/exact": (0.0, 1.0), "chem/tanimoto": (0.0, 1.0),
          "chem/formula": (0.0, 1.0), "chem/property": (0.0, 1.0), "chem/constraint": (0.0, 1.0),
          "chem/format": (0.0, 1.0), "chem/molreasoner": (0.0, 2.0), "chem/ether0": (0.0, 1.0),
          "chem/correct": (0.0, 1.0)}


def audit_probes(example: dict, gold: str, rng, pool: list[dict]) -> dict:
    """Chemistry's reward-hacking probes for ``foundry chem audit`` (:mod:`core.audit`), for tasks
    whose answer is a molecule: a tiny valid molecule (methane), the prompt's own SMILES (the
    longest SMILES-looking token of the prompt that RDKit reads), a molecule from the dataset at
    random. One equal to the gold molecule is left out (a right answer, not a trick)."""
    from r1_foundry.core.answers.text import reasoning
    from r1_foundry.core.rewards.audit import prompt_text

    if example.get("task") not in verify.MOLECULE_TASKS:
        return {}
    analyser = verify.default_analyser()
    gold_info = analyser.analyse(str(example.get("answer") or ""))
    tokens = sorted({t.strip(".,;:()'\"") for t in prompt_text(example.get("prompt")).split()}, key=len, reverse=True)
    in_prompt = next((t for t in tokens if len(t) > 1 and any(c in t for c in "()=#[]cnoCNO")
                      and analyser.analyse(t).ok), None)
    others = [str(e.get("answer")) for e in pool if e.get("task") in verify.MOLECULE_TASKS]
    candidates = {"chem_tiny_molecule": "C", "chem_prompt_smiles": in_prompt,
                  "chem_random_dataset_molecule": rng.choice(others) if others else None}
    out = {}
    for name, smi in candidates.items():
        if not smi:
            continue
        info = analyser.analyse(smi)
        if gold_info.ok and info.ok and info.canonical == gold_info.canonical:
            continue
        out[name] = f"<think>{reasoning(gold)}</think><answer>{smi}</answer>"
    return out
