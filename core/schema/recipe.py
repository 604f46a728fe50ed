"""Recipes: YAML files validated against these dataclasses, with ``key=value`` overrides.

A recipe names a domain, a model, a data builder, a list of stages (each starts from the
previous stage's output) and an eval suite. ``presets`` are named lists of overrides
(``--preset smoke``). Overrides use dotted paths; stages are addressed by name or index::

    foundry sql pipeline stages.sft.args.max_steps=50 eval.limit=40 model.name=small
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from r1_foundry.core.schema.kinds import KINDS, get_kind, trl_fields
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.registry import did_you_mean


class _Loader(yaml.SafeLoader):
    """YAML 1.1 reads ``1e-3`` as a string; recipes mean a float (as ``float('1e-3')`` does)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)$|^[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def yaml_load(text_or_stream):
    return yaml.load(text_or_stream, Loader=_Loader)


DTYPES = ("auto", "float32", "bfloat16")  # model.dtype (core.modeling.models.weights_dtype)


def check_dtype(dtype: str) -> None:
    if dtype not in DTYPES:
        raise FoundryError(f"model.dtype: '{dtype}' is not one of {', '.join(DTYPES)}")


@dataclass
class ModelSpec:
    name: str = field(default="tiny", metadata={"help": "'micro' (3.4M), 'tiny' (8M), 'small' (~30M), an HF hub id or a local path"})
    vocab_size: int = field(default=2048, metadata={"help": "tokenizer vocabulary for the from-scratch sizes (micro/tiny/small)"})
    lora: bool = field(default=False, metadata={"help": "train LoRA adapters (peft) instead of full weights"})
    qlora: bool = field(default=False, metadata={"help": "4-bit NF4 base (bitsandbytes) + LoRA adapters"})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank"})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA alpha"})
    dtype: str = field(default="auto", metadata={
        "help": "training weights on a GPU: auto (float32 master weights for full fine-tuning with bf16 compute, "
                "bfloat16 base under LoRA/QLoRA), float32 or bfloat16 (pure bf16: half the memory, small "
                "updates lost)"})

    def __post_init__(self):
        check_dtype(self.dtype)
        if self.lora and self.qlora:
            raise FoundryError("model: set either lora or qlora, not both (qlora already trains LoRA adapters)")


@dataclass
class DataSpec:
    builder: str = field(default="synthetic", metadata={"help": "dataset builder of the domain"})
    args: dict = field(default_factory=dict, metadata={"help": "keyword arguments of the builder"})
    system: str = field(default="", metadata={
        "help": "system message put in front of every prompt: '' none (the tokenizer's default), 'r1' (reason in "
                "<think>, answer in <answer>, in the domain's answer form; for pretrained models) or the text itself"})


# The results.json key and card row of the starting model (eval.base); no stage may take this name.
BASE_ROW = "base"

# A stage's name becomes RUN/<name> and RUN/eval/<name>: one path component of these characters.
STAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_stage_name(name: str) -> None:
    """A recipe is shared as a file, so it is input: a stage name may not point outside the run."""
    if not isinstance(name, str) or not STAGE_NAME.match(name) or ".." in name:
        raise FoundryError(f"stage name {name!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter "
                           "or digit (it becomes the folder RUN/<name>)")


@dataclass
class StageSpec:
    name: str = field(default="", metadata={"help": "stage name; its output goes to RUN/<name>"})
    kind: str = field(default="sft", metadata={"help": ", ".join(KINDS) + " (the table in core.schema.kinds)"})
    split: str = field(default="", metadata={"help": "dataset split (default: the kind's, train; dpo: preference)"})
    args: dict = field(default_factory=dict, metadata={
        "help": "fields of the kind's TRL config (SFTConfig for sft/rft, DPOConfig for dpo/self-dpo, GRPOConfig for grpo)"})
    rewards: Any = field(default=None, metadata={"help": "grpo: a preset name, {name: weight} or [{name, weight, ...}]"})
    evaluate: bool = field(default=True, metadata={"help": "evaluate this stage's model in the pipeline"})
    monitor_every: int = field(default=0, metadata={"help": "score eval.monitor_split every N steps (0 = off)"})
    lora: bool | None = field(default=None, metadata={"help": "override model.lora for this stage"})
    qlora: bool | None = field(default=None, metadata={"help": "override model.qlora for this stage"})
    filter: dict = field(default_factory=dict, metadata={
        "help": "grpo: sample k answers per prompt from the starting model first and keep the prompts whose rewards "
                "differ ({k: 4, prompts: 600}), or whose verified pass rate is in pass_rate: [lo, hi]; "
                "curriculum: true orders them easy -> hard (core.stages.grpo)"})
    sample: dict = field(default_factory=dict, metadata={
        "help": "rft/self-dpo: {k, prompts, temperature, max_new_tokens, accept, pass_rate: [lo, hi]}; rft: "
                "max_per_prompt, gold: none|hint|fill; self-dpo: max_pairs, pairs: verified|longer, gold: none|fill "
                "(core.stages.sampling)"})
    loss: str = field(default="", metadata={
        "help": "grpo: grpo, dr_grpo, dapo, bnpo, cispo, sapo, luspo, vespo (TRL loss_type) or gspo "
                "(sequence-level importance sampling)"})
    kl: dict = field(default_factory=dict, metadata={
        "help": "grpo: KL coefficient schedule {start, end, shape: linear|cosine} over the stage"})
    merge: dict = field(default_factory=dict, metadata={
        "help": "merge: {method: task_vector|linear|ties, base, from, to, models, weights, scale, density}; "
                "models named by stage name, 'model' (the starting model) or a path (core.stages.merge)"})

    def __post_init__(self):
        kind = get_kind(self.kind, f"stage '{self.name}': ")
        self.name = self.name or self.kind
        check_stage_name(self.name)
        self.split = self.split or kind.split
        self.options = kind.read_options(self)  # typed (Sampling, KL, Merge); not a field: recipe.yaml keeps the mapping


@dataclass
class EvalSpec:
    suite: str = field(default="", metadata={"help": "eval suite name of the domain"})
    split: str = field(default="test", metadata={"help": "dataset split to evaluate"})
    max_new_tokens: int = field(default=128, metadata={"help": "generation budget per answer"})
    batch_size: int = field(default=64, metadata={"help": "prompts per generation batch"})
    k: int = field(default=1, metadata={"help": "samples per prompt; k>1 adds pass@k and maj@k"})
    temperature: float = field(default=1.0, metadata={"help": "sampling temperature when k>1 (k=1 is greedy)"})
    limit: int = field(default=0, metadata={"help": "evaluate only the first N examples (0 = all)"})
    backend: str = field(default="auto", metadata={"help": "auto, hf or vllm"})
    also_splits: list = field(default_factory=list, metadata={
        "help": "more splits scored with the same suite after each stage (e.g. iid: new cases of seen conditions); "
                "results under eval/<stage>/<split>/ and in the card"})
    base: bool = field(default=True, metadata={
        "help": "evaluate the starting model first (the card's 'base' row: base -> SFT -> RL on the same split)"})
    monitor_split: str = field(default="val", metadata={"help": "split scored during training (monitor_every)"})
    monitor_limit: int = field(default=96, metadata={"help": "examples of monitor_split scored each time"})


@dataclass
class Recipe:
    domain: str = field(default="", metadata={"help": "domain name, e.g. sql"})
    seed: int = field(default=0, metadata={"help": "global seed"})
    model: ModelSpec = field(default_factory=ModelSpec)
    data: DataSpec = field(default_factory=DataSpec)
    stages: list = field(default_factory=list)
    eval: EvalSpec = field(default_factory=EvalSpec)
    presets: dict = field(default_factory=dict, metadata={"help": "name -> list of key=value overrides"})
    notes: str = field(default="", metadata={"help": "free text copied into the model card (e.g. budget choices)"})

    def stage(self, name: str) -> StageSpec:
        for s in self.stages:
            if s.name == name:
                return s
        raise FoundryError(f"recipe has no stage '{name}';{did_you_mean(name, [s.name for s in self.stages])}")


def _build(cls, data: Any, where: str):
    if not isinstance(data, dict):
        raise FoundryError(f"{where}: expected a mapping, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in data.items():
        if key not in fields:
            raise FoundryError(f"{where}: unknown key '{key}';{did_you_mean(str(key), fields)}")
        if key == "stages":
            if not isinstance(value, list):
                raise FoundryError(f"{where}.stages: expected a list of stages")
            value = [_build(StageSpec, v, f"{where}.stages[{i}]") for i, v in enumerate(value)]
        elif dataclasses.is_dataclass(fields[key].default_factory if fields[key].default_factory
                                      is not dataclasses.MISSING else None):
            value = _build(fields[key].default_factory, value, f"{where}.{key}")
        kwargs[key] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise FoundryError(f"{where}: {exc}") from None


def parse_override(text: str) -> tuple[list[str], Any]:
    if "=" not in text:
        raise FoundryError(f"override '{text}' must look like key=value (e.g. stages.sft.args.max_steps=10)")
    key, _, raw = text.partition("=")
    try:
        value = yaml_load(raw) if raw else ""
    except yaml.YAMLError:
        value = raw
    return key.strip().split("."), value


def _set(tree: dict, path: list[str], value: Any, text: str) -> None:
    node: Any = tree
    for i, part in enumerate(path[:-1]):
        if isinstance(node, list):
            names = [s.get("name") or s.get("kind") for s in node]
            idx = int(part) if part.isdigit() else (names.index(part) if part in names else None)
            if idx is None or idx >= len(node):
                raise FoundryError(f"override '{text}': no stage '{part}';{did_you_mean(part, names)}")
            node = node[idx]
        else:
            node = node.setdefault(part, {})
            if not isinstance(node, (dict, list)):
                raise FoundryError(f"override '{text}': '{'.'.join(path[: i + 1])}' is not a section")
    node[path[-1]] = value


def apply_overrides(tree: dict, overrides) -> dict:
    """Apply ``key.path=value`` overrides (YAML values) to a parsed YAML tree, in place; stages
    are addressed by name or index. Also used for other YAML files (bench/methods matrices)."""
    for text in overrides:
        keys, value = parse_override(text)
        _set(tree, keys, value, text)
    return tree


def build_recipe(tree: dict, where: str) -> Recipe:
    """A validated :class:`Recipe` from a parsed (and overridden) tree; errors name ``where``."""
    return _build(Recipe, tree, where)


def build_stage(spec: dict, where: str) -> StageSpec:
    """A validated :class:`StageSpec` from a mapping; errors name ``where`` and the bad key."""
    return _build(StageSpec, spec, where)


def load_recipe(path: str, overrides: list[str] = (), preset: str | None = None) -> Recipe:
    """Read, override and validate a recipe; raises :class:`FoundryError` naming the bad key."""
    if not os.path.isfile(path):
        raise FoundryError(f"{path}: recipe file not found")
    from r1_foundry.core.util.io import check_utf8

    check_utf8(path)  # a Latin-1 or UTF-16 recipe: one line naming file:line and the encoding
    try:
        with open(path, encoding="utf-8-sig") as fh:
            tree = yaml_load(fh) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
        raise FoundryError(f"{path}:{line}: malformed YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(tree, dict):
        raise FoundryError(f"{path}: a recipe must be a mapping")
    extra = []
    if preset:
        presets = tree.get("presets") or {}
        if preset not in presets:
            raise FoundryError(f"{path}: unknown preset '{preset}';{did_you_mean(preset, presets)}")
        extra = list(presets[preset])
    apply_overrides(tree, [*extra, *overrides])
    recipe = _build(Recipe, tree, os.path.basename(path))
    if not recipe.stages:
        raise FoundryError(f"{path}: a recipe needs at least one stage")
    names = [s.name for s in recipe.stages]
    if len(set(names)) != len(names):
        raise FoundryError(f"{path}: stage names must be unique, got {names}")
    if BASE_ROW in names:
        raise FoundryError(f"{path}: no stage may be named '{BASE_ROW}': the card's row of the starting model "
                           "(eval.base)")
    for i, s in enumerate(recipe.stages):
        if "merge" in s.options:
            spec = s.options["merge"]
            for ref in [spec.base, *spec.refs()]:
                if ref not in ("model", "previous", *names[:i]) and not os.path.isdir(str(ref)):
                    raise FoundryError(f"{path}: stage '{s.name}': merge input '{ref}' is not an earlier stage "
                                       f"({', '.join(names[:i]) or 'none'}), 'model', 'previous' or a model folder")
    return recipe


def validate_stage_args(stage: StageSpec, where: str = "") -> None:
    """Check a stage's ``args`` against the TRL config dataclass it will build."""
    kind = KINDS[stage.kind]
    if kind.config is None:
        return
    cls, fields = kind.config_class(), trl_fields(kind)
    for key in stage.args:
        if key not in fields:
            raise FoundryError(f"{where}stage '{stage.name}': unknown {cls.__name__} field '{key}';"
                               f"{did_you_mean(key, fields).split(' available:')[0] or ' see the TRL docs'}")
