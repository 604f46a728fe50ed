"""``foundry doctor``: what this machine can run, and what that means for the user."""

from __future__ import annotations

import importlib.util
import os


def _mem_gib() -> tuple[float, float]:
    import psutil

    vm = psutil.virtual_memory()
    return vm.total / 2**30, vm.available / 2**30


def _cpu_bf16() -> bool:
    """Whether the CPU has bf16 instructions (Linux /proc/cpuinfo flags; False where it cannot tell)."""
    try:
        with open("/proc/cpuinfo") as fh:
            flags = next((line for line in fh if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def report() -> list[str]:
    import torch

    lines = [f"torch {torch.__version__} ({'CUDA ' + str(torch.version.cuda) if torch.version.cuda else 'CPU build'})"]
    total, free = _mem_gib()
    lines.append(f"memory: {free:.1f} GiB free of {total:.1f} GiB; CPU cores: {os.cpu_count()}")
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            lines.append(f"GPU {i}: {p.name}, {p.total_memory / 2**30:.0f} GiB, bf16={torch.cuda.is_bf16_supported()}")
        lines.append("=> full fine-tuning of 0.5-7B models fits by memory; use accelerate configs for several GPUs.")
    else:
        lines.append("CUDA: not available => training runs on the CPU in fp32 (the recipes' default);")
        native = _cpu_bf16()
        lines.append(f"   native bf16 on this CPU (avx512_bf16 / amx_bf16): {'yes' if native else 'no'}; a stage's "
                     "`bf16: true` measured 1.06x on the SQL SFT stage with it (less accurate), ~13x slower on another CPU")
        lines.append("   use the tiny/small default models, or LoRA/QLoRA on models up to ~0.5B for short runs.")
    if importlib.util.find_spec("bitsandbytes"):
        import bitsandbytes

        lines.append(f"bitsandbytes {bitsandbytes.__version__}: QLoRA (4-bit NF4) available"
                     f"{'' if torch.cuda.is_available() else ' (CPU backend: works, slower than LoRA)'}")
    else:
        lines.append("bitsandbytes: not installed => --qlora unavailable")
    if importlib.util.find_spec("vllm"):
        usable = torch.cuda.is_available()
        lines.append(f"vLLM: installed; {'rollouts/eval can use it' if usable else 'needs a GPU, HF generate is used'}")
    else:
        lines.append("vLLM: not installed => HF generate for rollouts and eval (pip install 'r1-foundry[gpu]' on GPUs)")
    if importlib.util.find_spec("deepspeed"):
        import deepspeed

        lines.append(f"DeepSpeed {deepspeed.__version__}: --launcher zero2 / zero3 available")
    else:
        lines.append("DeepSpeed: not installed => --launcher zero2/zero3 unavailable "
                     "(pip install 'r1-foundry[deepspeed]' on GPUs; ddp and fsdp2 need nothing more)")
    if importlib.util.find_spec("flash_attn"):
        import flash_attn

        lines.append(f"flash-attn {flash_attn.__version__}: installed (vLLM and transformers' flash_attention_2 "
                     "can use it)")
    else:
        lines.append("flash-attn: not installed => PyTorch SDPA attention (optional on CUDA GPUs: "
                     "pip install flash-attn --no-build-isolation)")
    from r1_foundry.core.modeling import pretrained

    lines.append(f"gguf: {'installed' if importlib.util.find_spec('gguf') else 'not installed'} "
                 "(reads .gguf checkpoints; pip install 'r1-foundry[pretrained]')")
    for name in pretrained.PRETRAINED:
        lines.append(f"model {name}: {pretrained.status(name)}")
    for mod in ("trl", "transformers", "peft", "accelerate", "datasets"):
        spec = importlib.util.find_spec(mod)
        if spec:
            lines.append(f"{mod} {__import__(mod).__version__}")
    return lines


def register_root(root) -> None:
    from r1_foundry.core.cli.common import friendly, out

    @root.command("doctor")
    @friendly
    def doctor():
        """What this machine can run: torch build, CUDA, bitsandbytes, vLLM, free memory."""
        for line in report():
            out.print(line)
