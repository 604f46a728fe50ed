"""The GRPO zero-variance filter keeps prompts whose sampled answers get different rewards, and
reuses its filter.json only when it was made from the same model, data, k, pool and rewards (a
file left by another run in the same folder, e.g. after --overwrite, is recomputed)."""

import json

from datasets import Dataset

from r1_foundry.core.modeling import generation as generation_mod
from r1_foundry.core.modeling import models as models_mod
from r1_foundry.core.schema.domain import get_domain
from r1_foundry.core.schema.recipe import StageSpec
from r1_foundry.core.stages.grpo import select_prompts as variance_filter

REFUSE = "<think>this could hurt someone</think><answer>I can't help with that.</answer>"
HELP = "<think>it is a program here</think><answer>Find the PID, then run kill.</answer>"


def test_filter_keeps_spread_and_ignores_a_stale_file(tmp_path, monkeypatch):
    calls = []

    def fake_generate(model, tok, prompts, *, max_new_tokens, batch_size=32, num_samples=1, temperature=1.0, **kw):
        calls.append(len(prompts))
        # prompt i: two different answers when i is even (a spread), the same answer twice when odd
        return [[REFUSE, HELP] if i % 2 == 0 else [REFUSE, REFUSE] for i in range(len(prompts))][:len(prompts)]

    monkeypatch.setattr(models_mod, "load_for_generation", lambda path: (object(), None))
    monkeypatch.setattr(generation_mod, "generate_hf", fake_generate)
    rows = [{"prompt": [{"role": "user", "content": f"q{i}"}], "task": "respond", "answer": "refuse"} for i in range(6)]
    ds = Dataset.from_list(rows)
    stage = StageSpec(name="grpo", kind="grpo", rewards="tars", filter={"k": 2, "prompts": 6})
    (tmp_path / "filter.json").write_text(json.dumps({"kept": [60]}))  # left by another run
    kept = variance_filter(get_domain("safety"), stage, "m", ds, str(tmp_path))
    assert [r["prompt"][0]["content"] for r in kept] == ["q0", "q2", "q4"] and calls == [6]
    again = variance_filter(get_domain("safety"), stage, "m", ds, str(tmp_path))  # same run: reused
    assert len(again) == 3 and calls == [6]
    other = StageSpec(name="grpo", kind="grpo", rewards="tars", filter={"k": 2, "prompts": 4})
    assert len(variance_filter(get_domain("safety"), other, "m", ds, str(tmp_path))) == 2 and calls == [6, 4]
