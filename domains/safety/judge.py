"""Model detectors of refusal, for rewards and evals that pass ``detector: PATH``.

* a **sequence-classification** model (any ``*ForSequenceClassification`` checkpoint): the final
  answer is classified alone; its ``id2label`` names must say which class is which: a name
  containing "partial" is ``partial_refusal``, "refus" ``full_refusal``, "compl" ``full_compliance``;
* a **guard model** (a causal LM, e.g. one trained by this domain's ``guard`` recipe): it is asked
  the guard question about (request, final answer) and its ``Completion:`` label is read
  (``refusal`` -> ``full_refusal``, ``compliance`` -> ``full_compliance``; no label -> ``empty``).

Both run batched, greedy, once per reward call (``Reward.prepare``).
"""

from __future__ import annotations

import os
from functools import lru_cache

from r1_foundry.core.util.errors import FoundryError


def _class_label(name: str) -> str | None:
    n = str(name).lower()
    if "partial" in n:
        return "partial_refusal"
    if "refus" in n:
        return "full_refusal"
    if "compl" in n:
        return "full_compliance"
    return None


class ModelDetector:
    def __init__(self, path: str, batch_size: int = 32, max_new_tokens: int = 96):
        from transformers import AutoConfig

        if not os.path.isdir(path):
            raise FoundryError(f"detector '{path}': not a folder; pass strict, xstest or a local model folder")
        try:
            config = AutoConfig.from_pretrained(path)
        except Exception as exc:  # a folder without a usable config.json
            raise FoundryError(f"detector '{path}': cannot read its config.json ({exc})") from None
        self.path, self.batch_size, self.max_new_tokens = path, batch_size, max_new_tokens
        archs = config.architectures or []
        self.kind = "classifier" if any(a.endswith("ForSequenceClassification") for a in archs) else "guard"
        if self.kind == "classifier":
            mapping = {int(i): _class_label(n) for i, n in (config.id2label or {}).items()}
            if not mapping or None in mapping.values():
                raise FoundryError(f"detector '{path}': its id2label {config.id2label} must name each class "
                                   "(refusal / compliance / partial)")
            self.mapping = mapping
        self._model = None

    def _load(self):
        if self._model is None:
            if self.kind == "classifier":
                from transformers import AutoModelForSequenceClassification

                from r1_foundry.core.modeling.models import load_tokenizer

                self._tok = load_tokenizer(self.path)
                self._tok.padding_side = "right"
                self._model = AutoModelForSequenceClassification.from_pretrained(self.path).eval()
                if self._model.config.pad_token_id is None:
                    self._model.config.pad_token_id = self._tok.pad_token_id
            else:
                from r1_foundry.core.modeling.models import load_for_generation

                self._model, self._tok = load_for_generation(self.path)
        return self._model

    def labels(self, questions: list[str], answers: list[str]) -> list[str]:
        """One label (full_compliance | full_refusal | partial_refusal | empty) per answer."""
        if not answers:
            return []
        model = self._load()
        if self.kind == "classifier":
            import torch

            out = []
            for i in range(0, len(answers), self.batch_size):
                batch = [a or " " for a in answers[i:i + self.batch_size]]
                enc = self._tok(batch, return_tensors="pt", padding=True, truncation=True, max_length=512)
                enc = {k: v.to(model.device) for k, v in enc.items() if k in ("input_ids", "attention_mask")}
                with torch.no_grad():
                    ids = model(**enc).logits.argmax(-1).tolist()
                out += [self.mapping[j] for j in ids]
            return [lab if a.strip() else "empty" for lab, a in zip(out, answers, strict=True)]
        from r1_foundry.core.answers.text import answer_block
        from r1_foundry.core.modeling.generation import generate_hf
        from r1_foundry.domains.safety import verify
        from r1_foundry.domains.safety.data import guard_prompt

        prompts = [[{"role": "user", "content": guard_prompt(q, a)}] for q, a in zip(questions, answers, strict=True)]
        outs = generate_hf(model, self._tok, prompts, max_new_tokens=self.max_new_tokens, batch_size=self.batch_size,
                           progress=False)
        result = []
        for (o,), a in zip(outs, answers, strict=True):
            labels, _ = verify.parse_guard(answer_block(o))
            said = labels["completion"] if labels else verify.guard_official(o)["completion"]
            result.append("empty" if not a.strip() else {"refusal": "full_refusal", "compliance": "full_compliance"}.get(
                said or "", "empty"))
        return result


@lru_cache(maxsize=4)
def model_detector(path: str) -> ModelDetector:
    return ModelDetector(path)
