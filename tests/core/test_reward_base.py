"""The core Reward base every domain's rewards subclass: columns, applicability, guard, range, reasons."""

import math

import pytest

from r1_foundry.core.rewards.base import Reward
from r1_foundry.core.util.errors import FoundryError


class Echo(Reward):
    """Scores the completion text as a float; applies to task 't' only."""

    name = "x/echo"
    columns = ("task",)
    defaults = {"extra": 7}
    tasks = ("t",)
    low, high = -1.0, 2.0
    records_reasons = True

    def __init__(self):
        super().__init__()
        self.prepared = None

    def prepare(self, texts, examples):
        self.prepared = (list(texts), [e["extra"] for e in examples])

    def score(self, text, example):
        if text == "boom":
            raise RuntimeError("hostile")
        if text == "fatal":
            raise FoundryError("broken dataset")
        return float(text), "r" + text


def test_batch_applicability_guard_clip_and_reasons():
    r = Echo()
    out = r(prompts=None, completions=["1.5", "9", "-5", "nan", "boom", "0.5", [{"role": "assistant", "content": "1"}]],
            task=["t", "t", "t", "t", "t", "u", "t"], extra=[1, None, 3, 4, 5, 6, 7])
    assert out == [1.5, 2.0, -1.0, -1.0, -1.0, None, 1.0]
    assert r.last_reasons == ["r1.5", "r9", "r-5", "rnan", "error", None, "r1"]
    assert r.prepared[1] == [1, 7, 3, 4, 5, 6, 7]  # a None column value takes the default
    assert r.__name__ == "x/echo"


def test_missing_column_and_fatal_errors_raise_clearly():
    with pytest.raises(FoundryError, match="'task'"):
        Echo()(completions=["1"])
    with pytest.raises(FoundryError, match="broken dataset"):
        Echo()(completions=["fatal"], task=["t"])


def test_non_list_kwargs_are_ignored():
    out = Echo()(completions=["1"], task=["t"], trainer_state=object(), log_extra=None)
    assert out == [1.0] and all(math.isfinite(x) for x in out)
