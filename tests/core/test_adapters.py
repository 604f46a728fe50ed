"""LoRA stages chained on LoRA stages: loading the last one gets every earlier stage's weights
(core.modeling.models.merged_adapter / record_adapter_base). peft itself records the root model as
an adapter's base, so an SFT adapter followed by a GRPO adapter used to load as root + GRPO only."""

import json
import os
import shutil

import torch

from r1_foundry.core.modeling.models import (
    build_scratch_model,
    load_model,
    lora_config,
    merged_adapter,
    record_adapter_base,
    train_tokenizer,
)


def _adapter(base_model, out_dir, seed, tok):
    from peft import get_peft_model

    torch.manual_seed(seed)
    peft_model = get_peft_model(base_model, lora_config(base_model.config.model_type, r=4, alpha=8))
    for name, p in peft_model.named_parameters():
        if "lora_B" in name:  # peft starts B at zero (a no-op adapter): make it change the weights
            torch.nn.init.normal_(p, std=0.05)
    peft_model.save_pretrained(out_dir)
    tok.save_pretrained(out_dir)  # as a stage's _finish does
    return peft_model


def test_second_lora_stage_loads_with_the_first_stages_weights(tmp_path):
    run = tmp_path / "run"
    model_dir = str(run / "model")
    tok = train_tokenizer(["select a from t where b = 1"] * 20, vocab_size=300, out_dir=model_dir)
    build_scratch_model("tiny", tok, model_dir)
    base, _, _ = load_model(model_dir)
    ref = {k: v.clone() for k, v in base.state_dict().items()}

    _adapter(base, str(run / "sft"), seed=1, tok=tok)
    record_adapter_base(str(run / "sft"), model_dir)
    assert json.load(open(run / "sft" / "adapter_config.json"))["base_model_name_or_path"] == "../model"
    sft = merged_adapter(str(run / "sft"), torch.float32)
    sft_weights = {k: v.clone() for k, v in sft.state_dict().items()}
    key = next(k for k in ref if "q_proj.weight" in k)
    assert not torch.equal(sft_weights[key], ref[key])

    _adapter(sft, str(run / "grpo"), seed=2, tok=tok)  # as peft writes it: the root model named as base
    assert os.path.samefile(json.load(open(run / "grpo" / "adapter_config.json"))["base_model_name_or_path"], model_dir)
    root_only = merged_adapter(str(run / "grpo"), torch.float32).state_dict()[key].clone()

    record_adapter_base(str(run / "grpo"), str(run / "sft"))
    assert json.load(open(run / "grpo" / "adapter_config.json"))["base_model_name_or_path"] == "../sft"
    chained, _, _ = load_model(str(run / "grpo"))
    from peft import PeftModel

    want = PeftModel.from_pretrained(merged_adapter(str(run / "sft"), torch.float32), str(run / "grpo")).merge_and_unload()
    assert torch.allclose(chained.state_dict()[key], want.state_dict()[key])
    assert not torch.allclose(chained.state_dict()[key], root_only)  # the old loading lost the SFT delta

    moved = tmp_path / "moved"  # a run folder moved elsewhere still loads: the links are relative
    shutil.move(str(run), str(moved))
    again, _, _ = load_model(str(moved / "grpo"))
    assert torch.allclose(again.state_dict()[key], want.state_dict()[key])
