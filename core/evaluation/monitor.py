"""A held-out score during training: :class:`HeldoutMonitor` (a stage's ``monitor_every``)."""

from __future__ import annotations

from transformers import TrainerCallback

from r1_foundry.core.evaluation.runner import _mean
from r1_foundry.core.modeling.generation import generate_hf
from r1_foundry.core.util.timing import phase


class HeldoutMonitor(TrainerCallback):
    """A TrainerCallback that scores the model being trained on a held-out split every ``every``
    steps and appends ``{"step", "heldout/<metric>"}`` to the log history (and so to the card's
    curves). It shows where a stage stops improving, e.g. to choose an SFT budget."""

    def __init__(self, *, dataset, scorer, metric: str, tokenizer, every: int, max_new_tokens: int,
                 batch_size: int = 64):
        self.examples, self.scorer, self.metric = dataset.to_list(), scorer, metric
        self.tokenizer, self.every = tokenizer, every
        self.max_new_tokens, self.batch_size = max_new_tokens, batch_size

    def score(self, model) -> float:
        with phase("monitor"):
            was_training = model.training
            outs = generate_hf(model, self.tokenizer, [e["prompt"] for e in self.examples],
                               max_new_tokens=self.max_new_tokens, batch_size=self.batch_size, progress=False)
            if was_training:
                model.train()
            values = [self.scorer(e, o[0]).get(self.metric) for e, o in zip(self.examples, outs, strict=True)]
            return _mean(values) or 0.0

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if self.every and state.global_step % self.every == 0 and model is not None:
            state.log_history.append({"step": state.global_step, f"heldout/{self.metric}": self.score(model)})

    def on_train_end(self, args, state, control, model=None, **kwargs):
        key = f"heldout/{self.metric}"
        if self.every and model is not None and not any(r.get("step") == state.global_step and key in r
                                                        for r in state.log_history):
            state.log_history.append({"step": state.global_step, key: self.score(model)})  # the final point
