"""Model loading: the offline ``tiny``/``small`` default, named pretrained models and GGUF files
(:mod:`r1_foundry.core.modeling.pretrained`), any HF id or local path, LoRA and QLoRA.

``tiny`` and ``small`` are Qwen2-architecture models initialised from scratch with a byte-level
BPE tokenizer trained on the domain's own corpus; nothing touches a hub unless the user names a
hub id. Our own model folders carry ``foundry.json``; their tokenizer is loaded with
``PreTrainedTokenizerFast`` because ``AutoTokenizer`` would silently rebuild it as a
``Qwen2Tokenizer`` (different pre-tokenizer, different ids).
"""

from __future__ import annotations

import json
import os
import re

from r1_foundry.core.util.errors import FoundryError
from r1_foundry.core.util.io import share_files

SIZES = {  # name -> (hidden, layers, heads, kv_heads, intermediate)
    "tiny": (256, 8, 4, 2, 1024),
    "small": (448, 10, 7, 1, 1792),
    # 2.1x tiny's SFT rows per second on 2 CPU cores, but on SQL it plateaus near 0.76 held-out EX where
    # tiny reaches 0.93 (domains/sql/README.md, "Where the default's time goes"): for fast trials.
    "micro": (192, 6, 3, 1, 768),
}
SPECIAL = {"pad": "<|pad|>", "bos": "<|bos|>", "start": "<|im_start|>", "end": "<|im_end|>"}
# ChatML with {% generation %} so SFT can mask everything but the assistant's reply.
CHAT_TEMPLATE = (
    "{% for m in messages %}"
    "{% if m['role'] == 'assistant' %}<|im_start|>assistant\n{% generation %}{{ m['content'] }}<|im_end|>{% endgeneration %}\n"
    "{% else %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
# LoRA targets per architecture; anything else falls back to peft's "all-linear".
LORA_TARGETS = {
    "qwen2": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    "qwen3": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    "llama": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    "mistral": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    "gpt2": ["c_attn", "c_proj", "c_fc"],
}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def train_tokenizer(texts, *, vocab_size: int, out_dir: str):
    """Train a byte-level BPE tokenizer (digits split one by one) and save it to ``out_dir``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    # Single digits make copying numbers from the prompt a per-digit job (fewer 914 -> 9144 errors).
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=list(SPECIAL.values()),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token=SPECIAL["pad"], bos_token=SPECIAL["bos"], eos_token=SPECIAL["end"],
        additional_special_tokens=[SPECIAL["start"]],
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.padding_side = "left"
    os.makedirs(out_dir, exist_ok=True)
    fast.save_pretrained(out_dir)
    return fast


def build_scratch_model(size: str, tokenizer, out_dir: str, *, seed: int = 0, max_positions: int = 1024) -> str:
    """Initialise a Qwen2 model of ``size`` from scratch, save it beside the tokenizer, return the path."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    if size not in SIZES:
        raise FoundryError(f"unknown model size '{size}'; choose one of {', '.join(SIZES)}")
    hidden, layers, heads, kv, inter = SIZES[size]
    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
        num_key_value_heads=kv, intermediate_size=inter, max_position_embeddings=max_positions,
        tie_word_embeddings=True, pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    model = Qwen2ForCausalLM(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    share_files(out_dir)
    with open(os.path.join(out_dir, "foundry.json"), "w") as fh:
        json.dump({"size": size, "parameters": model.num_parameters(), "tokenizer": "fast"}, fh)
    return out_dir


def check_model_ref(name: str) -> None:
    """Fail early (exit 2) on a model reference that is neither a size, a named pretrained model
    (installed), a GGUF file, a folder nor a hub id."""
    from r1_foundry.core.modeling import pretrained

    if name in pretrained.PRETRAINED:
        pretrained.package_file(name)  # the install command when the package is missing
        return
    if name.lower().endswith(".gguf"):
        if not os.path.isfile(name):
            raise FoundryError(f"GGUF file not found: {name}")
        return
    if name in SIZES or os.path.isdir(name):
        return
    if os.path.sep in name.strip("/") and not _HUB_ID.match(name) or name.startswith((".", "/", "~")):
        raise FoundryError(f"model path does not exist: {name}")
    if not _HUB_ID.match(name):
        raise FoundryError(f"model '{name}' is not a folder, a hub id (org/name), a .gguf file or one of "
                           f"{', '.join([*SIZES, *pretrained.PRETRAINED])}")


def resolve_model(name: str) -> str:
    """A loadable path for ``name``: named pretrained models and GGUF files are built into the cache
    once (:mod:`r1_foundry.core.modeling.pretrained`); folders and hub ids pass through."""
    from r1_foundry.core.modeling import pretrained

    check_model_ref(name)
    return pretrained.ensure(name) if pretrained.is_pretrained_ref(name) else name


def _marker(path: str) -> dict:
    try:
        with open(os.path.join(path, "foundry.json")) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def load_tokenizer(path: str):
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    marker = _marker(path)
    if marker and marker.get("tokenizer", "fast") == "fast":  # our from-scratch tokenizers
        tok = PreTrainedTokenizerFast.from_pretrained(path)
    else:
        tok = AutoTokenizer.from_pretrained(path)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    tok.padding_side = "left"
    return tok


def lora_config(model_type: str, *, r: int = 16, alpha: int = 32):
    from peft import LoraConfig

    return LoraConfig(r=r, lora_alpha=alpha, lora_dropout=0.05, task_type="CAUSAL_LM",
                      target_modules=LORA_TARGETS.get(model_type, "all-linear"))


def load_for_generation(path: str):
    """``(model, tokenizer)`` for generating: :func:`load_model`, moved to the GPU when there is one
    (4-bit models stay where bitsandbytes put them)."""
    import torch

    model, tokenizer, _ = load_model(path, training=False)
    if torch.cuda.is_available() and not getattr(model, "is_loaded_in_4bit", False):
        model = model.to("cuda")
    return model, tokenizer


def weights_dtype(dtype: str = "auto", *, adapters: bool = False, training: bool = True):
    """The torch dtype a model's weights are loaded in.

    ``auto``: float32 on a CPU; on a GPU with bf16, bfloat16 for generation and for a frozen base
    under LoRA/QLoRA, but float32 for full-weight training, where the trainer's ``bf16`` autocast
    computes in bfloat16 and the optimizer updates float32 master weights. Updating bfloat16
    weights directly loses every step smaller than about 1/256 of a weight (an RL learning rate of
    3e-5 on weights near 0.02 rounds to no change). ``bfloat16`` / ``float32`` force one; pure
    bfloat16 halves the memory of a full fine-tune on one GPU, at that cost.
    """
    import torch

    from r1_foundry.core.schema.recipe import check_dtype

    check_dtype(dtype)
    if dtype != "auto":
        return getattr(torch, dtype)
    if not (torch.cuda.is_available() and torch.cuda.is_bf16_supported()):
        return torch.float32
    return torch.float32 if training and not adapters else torch.bfloat16


def adapter_base(path: str) -> str:
    """The model a peft adapter folder was trained on. A stage that trains LoRA on an earlier stage's
    adapter records that stage's folder (relative to its own when both sit in one run folder, so a
    run can be moved): its weights are the base's plus every adapter down the chain."""
    with open(os.path.join(path, "adapter_config.json")) as fh:
        ref = json.load(fh).get("base_model_name_or_path") or ""
    local = os.path.normpath(os.path.join(path, ref))
    return local if ref and not os.path.isabs(ref) and os.path.isdir(local) else ref


def merged_adapter(path: str, dtype, _depth: int = 0):
    """A full model from an adapter folder: its base (itself loaded this way when it is an adapter
    folder) with the adapter merged in."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    if _depth > 16:
        raise FoundryError(f"{path}: more than 16 chained adapters (a cycle in base_model_name_or_path?)")
    base_ref = resolve_model(adapter_base(path))
    if os.path.isfile(os.path.join(base_ref, "adapter_config.json")):
        base = merged_adapter(base_ref, dtype, _depth + 1)
    else:
        base = AutoModelForCausalLM.from_pretrained(base_ref, dtype=dtype)
    return PeftModel.from_pretrained(base, path).merge_and_unload()


def record_adapter_base(out_dir: str, source: str) -> None:
    """After a LoRA stage: name the model it started from (``source``, perhaps itself an adapter
    folder) as the adapter's base, instead of the root model peft writes, so loading the stage gets
    every earlier stage's weights too (:func:`merged_adapter`)."""
    cfg = os.path.join(out_dir, "adapter_config.json")
    if not os.path.isfile(cfg) or not os.path.isdir(source):
        return
    src, out = os.path.abspath(source), os.path.abspath(out_dir)
    same_run = os.path.dirname(src) == os.path.dirname(out)
    with open(cfg) as fh:
        data = json.load(fh)
    data["base_model_name_or_path"] = os.path.relpath(src, out) if same_run else src
    with open(cfg, "w") as fh:
        json.dump(data, fh, indent=2)


def load_model(path: str, *, lora: bool = False, qlora: bool = False, lora_r: int = 16, lora_alpha: int = 32,
               dtype: str = "auto", training: bool = True):
    """Load a causal LM for training. Returns ``(model, tokenizer, peft_config or None)``.
    ``dtype``: see :func:`weights_dtype` (float32 master weights for full fine-tuning on a GPU).

    A folder holding a peft adapter (``adapter_config.json``) is loaded with the adapter
    merged into its base, so stages can chain LoRA outputs.

    Example:
        >>> model, tok, peft_cfg = load_model("runs/sql/sft", lora=True)  # doctest: +SKIP
    """
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    path = resolve_model(path)
    cuda = torch.cuda.is_available()
    kwargs = {"dtype": weights_dtype(dtype, adapters=lora or qlora, training=training)}
    if qlora:
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=kwargs["dtype"],
        )
        kwargs["device_map"] = {"": 0} if cuda else "cpu"
    if os.path.isfile(os.path.join(path, "adapter_config.json")):
        model = merged_adapter(path, kwargs["dtype"])
    else:
        model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    tokenizer = load_tokenizer(path)
    peft_config = None
    if qlora:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    if lora or qlora:
        peft_config = lora_config(model.config.model_type, r=lora_r, alpha=lora_alpha)
    return model, tokenizer, peft_config
