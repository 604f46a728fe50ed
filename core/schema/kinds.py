"""Stage kinds as one table: name, TRL config, default split, typed options and the run function.

A recipe's stage says ``kind: grpo``; :data:`KINDS` says what that means. Adding a kind is one
:class:`StageKind` row here and one run function in :mod:`r1_foundry.core.stages` (named by a lazy
``"module:function"`` string, so the schema imports no trainer)::

    StageKind("sft", config="trl:SFTConfig", run="r1_foundry.core.stages.sft:sft", help="...")

The options of a stage (``filter``, ``sample``, ``kl``, ``merge``) stay plain mappings in the
recipe (what ``recipe.yaml`` records); :meth:`StageKind.options` reads them into the typed
dataclasses below, with errors that name the stage and the key.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.registry import did_you_mean, resolve

LOSSES = ("grpo", "dr_grpo", "dapo", "bnpo", "cispo", "sapo", "luspo", "vespo", "gspo")
MERGE_METHODS = ("task_vector", "linear", "ties")


@dataclass(frozen=True)
class Sampling:
    """``k`` samples per prompt of the stage's starting model, judged by the eval suite's scorer
    (verified when the suite's primary metric reaches ``accept``): grpo ``filter``, rft and
    self-dpo ``sample`` (:mod:`r1_foundry.core.stages.sampling`). ``None`` fields take the stage's
    or the eval's setting."""

    k: int = 8
    prompts: int = 0  # 0: the whole split
    temperature: float | None = None  # None: the stage's args.temperature, else 1.0
    max_new_tokens: int | None = None  # None: args.max_completion_length, else eval.max_new_tokens
    accept: float = 1.0
    pass_rate: tuple[float, float] | None = None  # keep prompts whose verified pass rate is in [lo, hi]
    curriculum: bool = False  # grpo: order the kept prompts easy -> hard
    gold: str = "none"  # rft: none|hint|fill; self-dpo: none|fill
    max_per_prompt: int = 1  # rft
    max_pairs: int = 1  # self-dpo
    pairs: str = "verified"  # self-dpo: verified|longer


SAMPLE_KEYS = {"k", "prompts", "temperature", "max_new_tokens", "accept"}
_SAMPLING_KEYS = {  # the Sampling fields each kind accepts
    "grpo": SAMPLE_KEYS | {"pass_rate", "curriculum"},
    "rft": SAMPLE_KEYS | {"max_per_prompt", "pass_rate", "gold"},
    "self-dpo": SAMPLE_KEYS | {"max_pairs", "pairs", "pass_rate", "gold"},
}


def _default_k(kind: str) -> int:
    return 4 if kind == "grpo" else 8


def check_options(where: str, kind: str, options: dict) -> Sampling:
    """A stage's sampling options (``filter`` of grpo, ``sample`` of rft/self-dpo) as :class:`Sampling`."""
    allowed = _SAMPLING_KEYS[kind]
    unknown = set(options) - allowed
    if unknown:
        raise FoundryError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {', '.join(sorted(allowed))}")
    k, n = options.get("k", _default_k(kind)), options.get("prompts", 0)
    if not (isinstance(k, int) and k >= (2 if kind == "grpo" else 1) and isinstance(n, int) and n >= 0):
        raise FoundryError(f"{where}: k must be an integer >= {2 if kind == 'grpo' else 1} and prompts >= 0")
    window = options.get("pass_rate")
    if window is not None and not (isinstance(window, list) and len(window) == 2
                                   and all(isinstance(v, (int, float)) for v in window) and 0 <= window[0] <= window[1] <= 1):
        raise FoundryError(f"{where}: pass_rate must be [lo, hi] with 0 <= lo <= hi <= 1, got {window!r}")
    golds = ("none", "hint", "fill") if kind == "rft" else ("none", "fill")
    if options.get("gold", "none") not in golds:
        raise FoundryError(f"{where}: gold must be {', '.join(golds)}, got {options['gold']!r}")
    if options.get("pairs", "verified") not in ("verified", "longer"):
        raise FoundryError(f"{where}: pairs must be verified or longer, got {options['pairs']!r}")
    for key in ("max_per_prompt", "max_pairs"):
        if key in options and not (isinstance(options[key], int) and options[key] >= 1):
            raise FoundryError(f"{where}: {key} must be an integer >= 1")
    if "curriculum" in options and not isinstance(options["curriculum"], bool):
        raise FoundryError(f"{where}: curriculum must be true or false")
    values = {**options, "k": k}
    if window is not None:
        values["pass_rate"] = tuple(window)
    for key in ("temperature", "accept"):
        if key in values:
            values[key] = float(values[key])
    return Sampling(**values)


@dataclass(frozen=True)
class KL:
    """grpo ``kl``: the KL coefficient moved from ``start`` to ``end`` over the stage
    (:class:`r1_foundry.core.stages.grpo.KLSchedule`)."""

    start: float = 0.0
    end: float = 0.0
    shape: str = "linear"  # linear|cosine


def check_kl(where: str, kl: dict) -> KL:
    unknown = set(kl) - {"start", "end", "shape"}
    if unknown:
        raise FoundryError(f"{where}: kl keys are start, end and shape, not {sorted(unknown)}")
    values = [kl.get("start", 0), kl.get("end", 0)]
    if not all(isinstance(v, (int, float)) and v >= 0 for v in values) or max(values) <= 0:
        raise FoundryError(f"{where}: kl.start and kl.end must be numbers >= 0, not both 0")
    if kl.get("shape", "linear") not in ("linear", "cosine"):
        raise FoundryError(f"{where}: kl.shape must be linear or cosine")
    return KL(float(values[0]), float(values[1]), kl.get("shape", "linear"))


@dataclass(frozen=True)
class Merge:
    """merge ``merge``: model arithmetic over earlier stages (:mod:`r1_foundry.core.stages.merge`).
    Inputs are stage names, ``model`` (the starting model), ``previous`` or model folders."""

    method: str
    base: str = "previous"
    source: str | None = None  # the recipe key is ``from``
    to: str | None = None
    models: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    scale: float = 1.0
    density: float = 0.5

    def refs(self) -> list[str]:
        """Every input the recipe names (base only when given)."""
        return [r for r in (self.source, self.to) if r] + list(self.models)


_MERGE_KEYS = {"method", "base", "from", "to", "models", "weights", "scale", "density"}


def check_spec(where: str, spec: dict) -> Merge:
    """A merge stage's ``merge:`` mapping as :class:`Merge` (names are resolved when the stage runs)."""
    unknown = set(spec) - _MERGE_KEYS
    if unknown:
        raise FoundryError(f"{where}: unknown merge key(s) {sorted(unknown)}; allowed: {', '.join(sorted(_MERGE_KEYS))}")
    method = spec.get("method")
    if method not in MERGE_METHODS:
        raise FoundryError(f"{where}: merge.method must be one of {', '.join(MERGE_METHODS)}, got {method!r}")
    need = {"task_vector": ("from", "to"), "linear": ("models",), "ties": ("models",)}[method]
    missing = [k for k in need if not spec.get(k)]
    if missing:
        raise FoundryError(f"{where}: merge {method} needs {', '.join(missing)}")
    for key in ("scale", "density"):
        if key in spec and not isinstance(spec[key], (int, float)):
            raise FoundryError(f"{where}: merge.{key} must be a number")
    return Merge(method=method, base=str(spec.get("base", "previous")), source=spec.get("from"), to=spec.get("to"),
                 models=tuple(spec.get("models") or ()), weights=tuple(float(w) for w in spec.get("weights") or ()),
                 scale=float(spec.get("scale", 1.0)), density=float(spec.get("density", 0.5)))


# option field of StageSpec -> how it is read (for the kinds that list it)
_READERS = {
    "filter": lambda where, kind, value: check_options(f"{where}: filter", kind, value),
    "sample": lambda where, kind, value: check_options(f"{where}: sample", kind, value),
    "kl": lambda where, kind, value: check_kl(f"{where}: kl", value),
    "merge": lambda where, kind, value: check_spec(where, value),
}
OPTION_FIELDS = ("rewards", "filter", "loss", "kl", "sample", "merge")  # StageSpec fields a kind may own


@dataclass(frozen=True)
class StageKind:
    """One kind of training stage.

    Attributes:
        name: the recipe's ``kind:``.
        config: the TRL config class its ``args`` fill, as ``"module:Class"`` (None: takes no args).
        split: the dataset split it trains on unless the stage names one.
        options: the StageSpec option fields that apply (others are an error).
        required: option fields it cannot run without.
        always: option fields read even when empty (rft/self-dpo always sample, a merge stage
            always merges; grpo samples only with a ``filter``).
        run: ``"module:function"``; ``function(ctx: StageContext) -> output folder``.
        help: one line for the docs and ``--help``.
    """

    name: str
    config: str | None
    run: str
    help: str
    split: str = "train"
    options: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    always: tuple[str, ...] = ()

    def config_class(self):
        if self.config is None:
            raise FoundryError(f"stage kind '{self.name}' trains nothing; it takes no TRL config")
        return resolve(self.config)

    def read_options(self, stage) -> dict:
        """The stage's options as typed values (``{field: Sampling | KL | Merge | str | ...}``);
        errors name the stage and the key."""
        where = f"stage '{stage.name}'"
        for key in OPTION_FIELDS:
            if getattr(stage, key) and key not in self.options:
                owners = [k.name for k in KINDS.values() if key in k.options]
                raise FoundryError(f"{where}: '{key}' applies to {' and '.join(owners)} stages only")
        for key in self.required:
            if not getattr(stage, key):
                raise FoundryError(f"{where}: {self.name} needs '{key}'"
                                   + (" (a preset name or a mapping)" if key == "rewards" else ""))
        typed = {}
        for key in self.options:
            value = getattr(stage, key)
            if key in _READERS and (value or key in self.always):
                typed[key] = _READERS[key](where, self.name, value)
            else:
                typed[key] = value
        if stage.loss and stage.loss not in LOSSES:
            raise FoundryError(f"{where}: loss '{stage.loss}' is not one of {', '.join(LOSSES)}")
        if self.config is None and stage.args:
            raise FoundryError(f"{where}: a {self.name} stage trains nothing; it takes no args")
        return typed


_S = "r1_foundry.core.stages."
KINDS: dict[str, StageKind] = {k.name: k for k in (
    StageKind("sft", "trl:SFTConfig", _S + "sft:sft", "supervised fine-tuning on prompt/completion"),
    StageKind("dpo", "trl:DPOConfig", _S + "dpo:dpo", "direct preference optimisation on prompt/chosen/rejected",
              split="preference"),
    StageKind("grpo", "trl:GRPOConfig", _S + "grpo:grpo", "GRPO with the domain's verifiable rewards",
              options=("rewards", "filter", "loss", "kl"), required=("rewards",)),
    StageKind("rft", "trl:SFTConfig", _S + "sft:rft", "rejection-sampling fine-tuning on the model's verified samples",
              options=("sample",), always=("sample",)),
    StageKind("self-dpo", "trl:DPOConfig", _S + "dpo:self_dpo", "DPO on pairs of the model's own samples",
              options=("sample",), always=("sample",)),
    StageKind("merge", None, _S + "merge:stage", "model arithmetic over earlier stages (task vector, linear, TIES)",
              options=("merge",), always=("merge",)),
)}
STAGE_KINDS = tuple(KINDS)


def get_kind(name: str, where: str = "") -> StageKind:
    if name not in KINDS:
        raise FoundryError(f"{where}kind '{name}' is not one of {', '.join(KINDS)};{did_you_mean(name, KINDS)}")
    return KINDS[name]


def trl_fields(kind: StageKind) -> set[str]:
    return {f.name for f in dataclasses.fields(kind.config_class())}


@dataclass
class StageContext:
    """What a kind's run function gets: the stage, where it starts and ends, and how to train."""

    domain: object
    recipe: object
    stage: object
    model_path: str
    dataset: object
    out_dir: str
    options: dict = field(default_factory=dict)  # StageKind.read_options(stage)
    train: dict = field(default_factory=dict)  # keyword arguments of stages.trl.run_sft/run_dpo/run_grpo
