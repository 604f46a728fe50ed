"""RDKit on hostile input: every model-written SMILES is analysed in a child process with a
per-call deadline, and each distinct string is analysed once.

Why a process: RDKit's C++ code cannot be interrupted by a Python signal, and some inputs do
worse than hang. On rdkit 2026.09 a 20,000-atom chain (``"C" * 20000``) kills the Python process
with a segmentation fault; a 5,000-atom ring takes 0.6 s to parse. In the child, a call past its
deadline is killed and reported as ``timeout``, a crash as ``crashed``; the next call starts a
fresh child. Strings longer than ``max_chars`` (4,000 by default: 3.5x the longest ChEBI-20 test
molecule, 1,135 characters) are refused before RDKit sees them (``too_long``); below that the
deadline is the guard (measured: a 4,000-atom chain takes 0.5 s for fingerprints and InChI, but
~110 s for descriptors, so such a string is killed at the deadline and cached as ``timeout``).

Everything the verifier needs is computed once per string (:class:`MolInfo`: canonical SMILES,
InChIKey, formula, properties, functional groups, fingerprints as on-bit tuples), so a GRPO
group of eight identical answers costs one parse, and Tanimoto needs no RDKit call.

    from r1_foundry.domains.chem.sandbox import default_analyser
    info = default_analyser().analyse("c1ccccc1O")     # MolInfo(ok=True, canonical='Oc1ccccc1', ...)
    info = default_analyser().analyse("c1ccccc1O", need={"fps", "desc"})   # + fingerprints, properties
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from r1_foundry.core.util.ipc import read_msg, write_msg

# Functional groups as SMARTS (written here from standard definitions). Names are what prompts,
# constraints and descriptions use.
GROUPS: dict[str, str] = {
    "carboxylic acid": "[CX3](=O)[OX2H1]",
    "ester": "[#6][CX3](=O)[OX2H0][#6]",
    "amide": "[NX3][CX3](=[OX1])[#6]",
    "aldehyde": "[CX3H1](=O)[#6]",
    "ketone": "[#6][CX3](=O)[#6]",
    "alcohol": "[OX2H][CX4]",
    "phenol": "[OX2H]c",
    "ether": "[OD2;!$(OC=O)]([#6])[#6]",
    "primary amine": "[NX3;H2;!$(NC=[O,S,N])][#6]",
    "nitro": "[$([NX3](=O)=O),$([NX3+](=O)[O-])]",
    "nitrile": "[NX1]#[CX2]",
    "halogen": "[F,Cl,Br,I]",
    "thiol": "[SX2H]",
    "sulfonamide": "[SX4](=O)(=O)[NX3]",
    "alkene": "[CX3]=[CX3]",
}
FP_KINDS = ("morgan", "maccs", "rdkit")


@dataclass(frozen=True)
class MolInfo:
    """What RDKit says about one string. ``ok`` False carries a ``reason`` code:
    ``empty``, ``too_long``, ``unparsable``, ``sanitize_failed``, ``timeout``, ``crashed``."""

    ok: bool
    reason: str = ""
    canonical: str = ""
    inchikey: str = ""
    canonical_largest: str = ""  # largest fragment (by heavy atoms)
    inchikey_largest: str = ""
    formula: str = ""
    heavy_atoms: int = 0
    fragments: int = 0
    radicals: int = 0
    props: dict = field(default_factory=dict)  # mw, logp, tpsa, rings, aromatic_rings, hbd, hba
    groups: tuple = ()
    scaffold: str = ""
    fps: dict = field(default_factory=dict)  # kind -> tuple of on bits
    inchi: str = ""  # full InChI string (extra ``molt5``: MolT5 judges exact match by InChI equality)
    morgan_counts: tuple = ()  # ((feature id, count), ...): unfolded count-based Morgan r=2 (``molt5``)
    has: frozenset = frozenset()  # which of EXTRAS were computed (see analyse_local)


_STATE: dict = {}


def _rdkit():
    """Import RDKit once per process, silence its log, build the fingerprint generators."""
    if not _STATE:
        from rdkit import Chem, RDLogger
        from rdkit.Chem import Crippen, Descriptors, MACCSkeys, rdFingerprintGenerator, rdMolDescriptors
        from rdkit.Chem.Scaffolds import MurckoScaffold

        RDLogger.DisableLog("rdApp.*")
        _STATE.update(
            Chem=Chem, Crippen=Crippen, Descriptors=Descriptors, MACCSkeys=MACCSkeys, rdm=rdMolDescriptors,
            Murcko=MurckoScaffold,
            morgan=rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048),
            rdkfp=rdFingerprintGenerator.GetRDKitFPGenerator(fpSize=2048),
            groups={name: Chem.MolFromSmarts(s) for name, s in GROUPS.items()},
        )
    return _STATE


EXTRAS = frozenset({"desc", "fps", "inchi", "molt5"})


def analyse_local(smiles: str, *, need=EXTRAS) -> MolInfo:
    """Analyse ``smiles`` in this process. Use it for trusted input (dataset files); model
    output goes through :class:`Analyser`.

    Always computed: validity, canonical SMILES (whole and largest fragment), formula, heavy
    atoms, fragments, radicals. ``need`` adds any of ``desc`` (properties, functional groups,
    scaffold), ``fps`` (fingerprints), ``inchi`` (InChIKeys) and ``molt5`` (fingerprints plus the
    full InChI and count-based Morgan features, for MolT5's measures); ``MolInfo.has`` says which.
    Fingerprints and InChIKeys are about two thirds of the full cost, so callers ask only for
    what they use.
    """
    r = _rdkit()
    Chem = r["Chem"]
    need = frozenset(need)
    if not smiles or not smiles.strip():
        return MolInfo(False, "empty")
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:  # parse again without sanitising to tell bad syntax from bad chemistry
        return MolInfo(False, "unparsable" if Chem.MolFromSmiles(smiles, sanitize=False) is None else "sanitize_failed")
    if mol.GetNumAtoms() == 0:
        return MolInfo(False, "empty")
    frags = Chem.GetMolFrags(mol, asMols=True)
    largest = max(frags, key=lambda m: (m.GetNumHeavyAtoms(), m.GetNumAtoms())) if len(frags) > 1 else mol
    rdm = r["rdm"]
    canonical = Chem.MolToSmiles(mol)
    extra: dict = {}
    if "desc" in need:
        extra["props"] = {"mw": r["Descriptors"].MolWt(mol), "logp": r["Crippen"].MolLogP(mol),
                          "tpsa": rdm.CalcTPSA(mol), "rings": rdm.CalcNumRings(mol),
                          "aromatic_rings": rdm.CalcNumAromaticRings(mol), "hbd": rdm.CalcNumHBD(mol),
                          "hba": rdm.CalcNumHBA(mol)}
        extra["groups"] = tuple(n for n, patt in r["groups"].items() if mol.HasSubstructMatch(patt))
        try:
            extra["scaffold"] = r["Murcko"].MurckoScaffoldSmiles(mol=largest)
        except Exception:  # odd valence states can defeat the scaffold code; the rest still holds
            extra["scaffold"] = ""
    if "molt5" in need:  # what MolT5's evaluation scripts compute (with the fps below)
        need = need | {"fps"}
        extra["inchi"] = Chem.MolToInchi(mol) or ""
        counts = r["morgan"].GetSparseCountFingerprint(mol).GetNonzeroElements()
        extra["morgan_counts"] = tuple(sorted(counts.items()))
    if "fps" in need:
        extra["fps"] = {"morgan": tuple(r["morgan"].GetFingerprint(mol).GetOnBits()),
                        "maccs": tuple(r["MACCSkeys"].GenMACCSKeys(mol).GetOnBits()),
                        "rdkit": tuple(r["rdkfp"].GetFingerprint(mol).GetOnBits())}
    if "inchi" in need:
        extra["inchikey"] = Chem.MolToInchiKey(mol) or ""
        extra["inchikey_largest"] = extra["inchikey"] if largest is mol else (Chem.MolToInchiKey(largest) or "")
    return MolInfo(
        ok=True, canonical=canonical, canonical_largest=canonical if largest is mol else Chem.MolToSmiles(largest),
        formula=rdm.CalcMolFormula(mol), heavy_atoms=mol.GetNumHeavyAtoms(), fragments=len(frags),
        radicals=sum(a.GetNumRadicalElectrons() for a in mol.GetAtoms()), has=need & EXTRAS, **extra)


_write, _read = write_msg, read_msg  # length-prefixed pickles over the child's pipes (core.ipc)


def _serve() -> None:
    """The child process: analyse each string it is sent, answer one
    by one on stdout."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the answer stream
    _rdkit()
    _write(out, "ready")
    fd = sys.stdin.buffer.fileno()
    while True:
        try:
            batch = _read(fd, None)
        except EOFError:
            return
        for i, s, need in batch:
            try:
                info = analyse_local(s, need=need)
            except Exception:
                info = MolInfo(False, "unparsable")
            _write(out, (i, info))


class Analyser:
    """Analyse untrusted SMILES in a child process with a per-call ``timeout`` (seconds) and an
    LRU cache of ``cache_size`` strings. Thread-safe; picklable (a copy starts its own child)."""

    def __init__(self, *, timeout: float = 2.0, max_chars: int = 4_000, cache_size: int = 200_000):
        self.timeout, self.max_chars, self.cache_size = timeout, max_chars, cache_size
        self._cache: OrderedDict[str, MolInfo] = OrderedDict()
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self.restarts = 0
        self.parsed = 0  # strings sent to the child (cache misses)

    def __getstate__(self):
        return {"timeout": self.timeout, "max_chars": self.max_chars, "cache_size": self.cache_size}

    def __setstate__(self, state):
        self.__init__(**state)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _start(self) -> None:
        env = {**os.environ, "OMP_NUM_THREADS": "1"}  # the installed package is importable in the child as here
        self._proc = subprocess.Popen([sys.executable, "-c", "from r1_foundry.domains.chem.sandbox import _serve; _serve()"],
                                      stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        # the deadline counts from here: importing RDKit in the child is not the input's fault
        try:
            ready = _read(self._proc.stdout.fileno(), time.monotonic() + 120)
        except (TimeoutError, EOFError):
            ready = None
        if ready != "ready":
            self.close()
            raise RuntimeError("the RDKit child process did not start; is rdkit installed? (pip install rdkit)")

    def close(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(5)
            for stream in (self._proc.stdin, self._proc.stdout):
                stream.close()
            self._proc = None

    def analyse(self, smiles: str, *, need=()) -> MolInfo:
        return self.analyse_many([smiles], need=need)[0]

    def analyse_many(self, smiles: list[str], *, need=()) -> list[MolInfo]:
        """One :class:`MolInfo` per string; each distinct string is analysed once (again only
        when a later call needs extras, ``desc``/``fps``/``inchi``, that the first did not)."""
        need = frozenset(need)
        if not need <= EXTRAS:
            raise ValueError(f"need: unknown extras {sorted(need - EXTRAS)}; choose from {sorted(EXTRAS)}")
        with self._lock:
            todo, found = [], {}  # found: this call's answers, whatever the cache evicts meanwhile
            for s in dict.fromkeys(smiles):
                cached = self._cache.get(s)
                if cached is not None and (not cached.ok or need <= cached.has):
                    self._cache.move_to_end(s)
                    found[s] = cached
                elif len(s) > self.max_chars:
                    self._put(s, MolInfo(False, "too_long"), found)
                elif not s.strip():
                    self._put(s, MolInfo(False, "empty"), found)
                else:
                    todo.append(s)
            need |= frozenset().union(*(self._cache[t].has for t in todo if t in self._cache))
            while todo:
                todo = self._run(todo, need, found)
            return [found[s] for s in smiles]

    def _put(self, s: str, info: MolInfo, found: dict) -> None:
        found[s] = self._cache[s] = info
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def _run(self, todo: list[str], need: frozenset, found: dict) -> list[str]:
        """Send ``todo`` to the child; return what is left after a timeout or crash."""
        if self._proc is None or self._proc.poll() is not None:
            self._start()
        self.parsed += len(todo)
        try:
            _write(self._proc.stdin, [(i, s, need) for i, s in enumerate(todo)])
        except (BrokenPipeError, OSError):
            self.close()
            self._start()
            _write(self._proc.stdin, [(i, s, need) for i, s in enumerate(todo)])
        for n, s in enumerate(todo):
            try:
                i, info = _read(self._proc.stdout.fileno(), time.monotonic() + self.timeout)
                self._put(todo[i], info, found)
                continue
            except TimeoutError:
                reason = "timeout"
            except (EOFError, OSError, pickle.UnpicklingError):
                reason = "crashed"
            self._put(s, MolInfo(False, reason), found)
            self.close()
            self.restarts += 1
            return todo[n + 1:]
        return []


_DEFAULT: dict[int, Analyser] = {}


def default_analyser() -> Analyser:
    """One shared analyser per process (rewards, evals and the CLI use it)."""
    pid = os.getpid()
    if pid not in _DEFAULT:
        _DEFAULT[pid] = Analyser()
    return _DEFAULT[pid]
