"""Models and tokenizers (from scratch, hub, local; LoRA/QLoRA) and generation (HF or vLLM)."""
