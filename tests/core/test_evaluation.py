"""The eval runner's aggregation: means, buckets, pass@k and maj@k on hand-made rows."""

import pytest

from core.evaluation import aggregate, to_markdown


def rows():
    def s(ok, key):
        return {"acc": float(ok), "answer_key": key}

    return [
        {"example": {"t": "a"}, "samples": [s(1, "x"), s(0, "y"), s(0, "y")]},  # majority wrong, pass
        {"example": {"t": "a"}, "samples": [s(1, "x"), s(1, "x"), s(0, "z")]},  # majority right
        {"example": {"t": "b"}, "samples": [s(0, None), s(0, None), s(0, "q")]},  # all wrong
    ]


def test_aggregate_k3():
    r = aggregate(rows(), ["acc"], ["t"], "acc", k=3)
    assert r["metrics"]["acc"] == pytest.approx((1 / 3 + 2 / 3 + 0) / 3)  # pass@1 = mean over samples
    assert r["pass@3"] == pytest.approx(2 / 3)
    assert r["maj@3"] == pytest.approx(1 / 3)
    assert r["buckets"]["t"]["a"]["n"] == 2 and r["buckets"]["t"]["b"]["acc"] == 0.0
    md = to_markdown({**r, "suite": "s", "version": 1, "stage": "x"}, ["acc"])
    assert "| pass@3 | 0.6667 |" in md and "### by t" in md


def test_aggregate_k1_has_no_pass_at_k():
    r = aggregate([{"example": {}, "samples": [{"acc": 1.0}]}], ["acc"], [], "acc", k=1)
    assert r["metrics"]["acc"] == 1.0 and "pass@1" not in r and "maj@1" not in r
