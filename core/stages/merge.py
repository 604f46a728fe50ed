"""Model arithmetic between checkpoints of one architecture: task vectors, linear and TIES merges.

A ``merge`` stage of a recipe (or ``foundry <domain> merge``) writes a new model folder from
stage outputs, tensor by tensor over their safetensors files:

* ``task_vector`` (Ilharco et al. 2023, "Editing models with task arithmetic"; the "reasoning
  vector" of Zbeeb et al. 2025 is θ_RL − θ_SFT): ``base + scale * (to - from)``. With
  ``scale: 0`` the result is ``base``; with ``base == from`` and ``scale: 1`` it is ``to``.
* ``linear`` (model soups, Wortsman et al. 2022): ``sum_i w_i θ_i`` with the weights normalised
  to sum to 1.
* ``ties`` (Yadav et al. 2023, TIES-merging): task vectors ``θ_i − base`` trimmed to their top
  ``density`` share by magnitude, a sign elected per parameter, the agreeing values averaged,
  then ``base + scale * merged``. The trimming and election are peft's
  (``peft.utils.merge_utils.ties``), the maintained implementation this field uses for adapters.

mergekit (0.1.5 installs beside our pins) was not used: its task arithmetic takes every vector
relative to one ``base_model``, so a vector from A to B added to a third model C is not
expressible there; the rest is a few tensor operations. Every input must have the same tensor names and
shapes (a clear error names the first that differs). Non-float tensors (buffers of integer type)
are copied from the first model.

    foundry sql merge --method task_vector --base runs/b/sft --from runs/a/sft --to runs/a/grpo --out runs/x
"""

from __future__ import annotations

import json
import os
import shutil

from r1_foundry.core.schema.kinds import MERGE_METHODS
from r1_foundry.core.stages.trl import DONE_MARKER
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.io import share_files

_COPY = ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
         "chat_template.jinja", "foundry.json", "vocab.json", "merges.txt", "tokenizer.model")


def _files(model_dir: str) -> list[str]:
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.isfile(index):
        with open(index) as fh:
            return sorted({os.path.join(model_dir, f) for f in json.load(fh)["weight_map"].values()})
    single = os.path.join(model_dir, "model.safetensors")
    if os.path.isfile(single):
        return [single]
    raise FoundryError(f"{model_dir}: no model.safetensors (or sharded index) to merge; merges take full-weight "
                       "model folders (merge a LoRA adapter into its base first)")


class _Reader:
    """Lazy tensor access over one model folder's safetensors files."""

    def __init__(self, model_dir: str):
        from safetensors import safe_open

        self.dir = model_dir
        self.handles = [safe_open(f, framework="pt") for f in _files(model_dir)]
        self.where = {k: h for h in self.handles for k in h.keys()}

    def get(self, key: str):
        return self.where[key].get_tensor(key)


def merge(method: str, out_dir: str, *, base: str | None = None, models: list[str] = (), weights: list[float] = (),
          scale: float = 1.0, density: float = 0.5, source: str | None = None, to: str | None = None) -> str:
    """Write the merged model into ``out_dir`` and return it (see the module docstring)."""
    import torch
    from safetensors.torch import save_file

    if method not in MERGE_METHODS:
        raise FoundryError(f"merge: method '{method}' is not one of {', '.join(MERGE_METHODS)}")
    if method == "task_vector":
        if not (base and source and to):
            raise FoundryError("merge task_vector needs base, from and to (base + scale * (to - from))")
        inputs = [base, source, to]
    elif method == "linear":
        if len(models) < 2:
            raise FoundryError("merge linear needs at least two models")
        inputs = list(models)
    else:
        if not base or not models:
            raise FoundryError("merge ties needs a base and at least one model")
        inputs = [base, *models]
        if not 0 < density <= 1:
            raise FoundryError(f"merge ties: density must be in (0, 1], got {density}")
    ws = list(weights) or [1.0] * len(models or [0])
    if method in ("linear", "ties") and len(ws) != len(models):
        raise FoundryError(f"merge {method}: {len(models)} models but {len(ws)} weights")
    readers = [_Reader(p) for p in inputs]
    keys = set(readers[0].where)
    for r in readers[1:]:
        if set(r.where) != keys:
            diff = sorted(keys ^ set(r.where))[:3]
            raise FoundryError(f"merge: {r.dir} and {readers[0].dir} hold different tensors (e.g. {diff}); "
                               "merges need one architecture")
    merged = {}
    for key in sorted(keys):
        tensors = [r.get(key) for r in readers]
        if any(t.shape != tensors[0].shape for t in tensors):
            raise FoundryError(f"merge: tensor '{key}' has shapes {[tuple(t.shape) for t in tensors]}")
        first = tensors[0]
        if not first.is_floating_point():
            merged[key] = first.clone()
            continue
        x = [t.to(torch.float32) for t in tensors]
        if method == "task_vector":
            out = x[0] + scale * (x[2] - x[1])
        elif method == "linear":
            w = torch.tensor(ws, dtype=torch.float32)
            out = sum(wi * t for wi, t in zip((w / w.sum()).tolist(), x, strict=True))
        else:
            from peft.utils.merge_utils import ties

            out = x[0] + scale * ties([t - x[0] for t in x[1:]], torch.tensor(ws, dtype=torch.float32), density)
        merged[key] = out.to(first.dtype).contiguous()
    os.makedirs(out_dir, exist_ok=True)
    for name in _COPY:
        src = os.path.join(inputs[0] if method != "task_vector" else base, name)
        if os.path.isfile(src):
            shutil.copy(src, os.path.join(out_dir, name))
    save_file(merged, os.path.join(out_dir, "model.safetensors"), metadata={"format": "pt"})
    share_files(out_dir)
    return out_dir


def run_merge(spec: dict, model_path: str, run_dir: str, out_dir: str) -> str:
    """A recipe's merge stage: names resolve to ``run_dir/<stage>`` ('model': the starting model
    folder ``run_dir/model``; 'previous': the stage before), else to paths; ``base`` defaults
    to the previous stage's output."""
    def where(ref: str) -> str:
        if ref == "previous":
            return model_path
        for candidate in (os.path.join(run_dir, str(ref)), str(ref)):
            if os.path.isdir(candidate):
                return candidate
        raise FoundryError(f"merge: '{ref}' is neither a stage of {run_dir} nor a model folder")

    method = spec["method"]
    base = where(spec.get("base", "previous"))
    kwargs = dict(scale=float(spec.get("scale", 1.0)), density=float(spec.get("density", 0.5)),
                  weights=[float(w) for w in spec.get("weights", [])])
    if method == "task_vector":
        merge(method, out_dir, base=base, source=where(spec["from"]), to=where(spec["to"]), **kwargs)
    else:
        merge(method, out_dir, base=base, models=[where(m) for m in spec["models"]], **kwargs)
    with open(os.path.join(out_dir, "log_history.json"), "w") as fh:
        json.dump([], fh)
    with open(os.path.join(out_dir, DONE_MARKER), "w") as fh:
        json.dump({"kind": "merge", "source": base, "merge": spec, "global_step": 0}, fh)
    return out_dir


def stage(ctx) -> str:
    """The ``merge`` kind: :func:`run_merge` with the stage's ``merge:`` mapping; stage names
    resolve in the run folder (the parent of the stage's output)."""
    return run_merge(ctx.stage.merge, ctx.model_path, os.path.dirname(os.path.abspath(ctx.out_dir)), ctx.out_dir)
