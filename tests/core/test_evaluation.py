"""The eval runner's aggregation: means, buckets, pass@k and maj@k on hand-made rows."""

import pytest

from r1_foundry.core.evaluation.runner import aggregate, to_markdown


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
    assert "| pass@3 | 0.6667 | 3 |" in md and "### by t" in md


def test_aggregate_k1_has_no_pass_at_k():
    r = aggregate([{"example": {}, "samples": [{"acc": 1.0}]}], ["acc"], [], "acc", k=1)
    assert r["metrics"]["acc"] == 1.0 and "pass@1" not in r and "maj@1" not in r


def test_metrics_that_do_not_apply_are_left_out():
    """None means "not applicable to this example" (multi-task domains): left out of the mean."""
    data = [{"example": {"t": "num"}, "samples": [{"ok": 1.0, "err": 2.0}]},
            {"example": {"t": "num"}, "samples": [{"ok": 0.0, "err": 4.0}]},
            {"example": {"t": "mol"}, "samples": [{"ok": 1.0, "err": None}]}]
    r = aggregate(data, ["ok", "err"], ["t"], "ok", k=1)
    assert r["metrics"] == {"ok": pytest.approx(2 / 3), "err": pytest.approx(3.0)}
    assert r["counts"] == {"ok": 3, "err": 2}
    assert r["buckets"]["t"]["mol"]["err"] is None and r["buckets"]["t"]["num"]["err"] == pytest.approx(3.0)
    md = to_markdown({**r, "suite": "s", "version": 1, "stage": "x"}, ["ok", "err", "bleu"])
    assert "| err | 3.0000 | 2 |" in md and "| bleu | — | corpus |" in md
    assert "| mol | 1 | 1.000 | — |" in md


def test_corpus_scorer_adds_suite_metrics(tmp_path, monkeypatch):
    from datasets import Dataset

    from r1_foundry.core.evaluation import runner as evaluation
    from r1_foundry.core.modeling import generation as generation_mod
    from r1_foundry.core.modeling import models as models_mod

    calls = {}

    def corpus(examples, completions):
        calls["completions"] = completions
        return {"bleu": 0.5, "unlisted": 1.0}

    monkeypatch.setattr(generation_mod, "generate_hf", lambda model, tok, prompts, **kw: [["hello"] for _ in prompts])
    monkeypatch.setattr(models_mod, "load_model", lambda path, **kw: (type("M", (), {"to": lambda self, d: self})(), 0, 0))
    res = evaluation.evaluate(model_path="m", dataset=Dataset.from_list([{"prompt": "p"}, {"prompt": "q"}]),
                              suite={"name": "s", "primary": "ok", "metrics": ["ok", "bleu"]}, scorer=lambda e, c: {"ok": 1.0},
                              out_dir=str(tmp_path), backend="hf", corpus_scorer=corpus)
    assert calls["completions"] == ["hello", "hello"] and res["metrics"] == {"ok": 1.0, "bleu": 0.5}
    assert res["counts"] == {"ok": 2}
    assert "| bleu | 0.5000 | corpus |" in (tmp_path / "results.md").read_text()


def test_reason_codes_are_counted():
    data = [{"example": {}, "samples": [{"ok": 0.0, "reason": "timeout"}, {"ok": 0.0, "reason": "timeout"}]},
            {"example": {}, "samples": [{"ok": 1.0, "reason": "correct"}, {"ok": 1.0}]}]
    r = aggregate(data, ["ok"], [], "ok", k=2)
    assert r["reasons"] == {"timeout": 2, "correct": 1}
    md = to_markdown({**r, "suite": "s", "version": 1, "stage": "x"}, ["ok"])
    assert "| timeout | 2 |" in md
    assert "reasons" not in aggregate([{"example": {}, "samples": [{"ok": 1.0}]}], ["ok"], [], "ok", k=1)


def test_several_splits_share_one_model_load_and_generation_call(tmp_path, monkeypatch):
    """eval.also_splits: one load and one generate call for all splits; each split scored on its own rows."""
    from datasets import Dataset

    from r1_foundry.core.evaluation import runner as evaluation
    from r1_foundry.core.modeling import generation as generation_mod
    from r1_foundry.core.modeling import models as models_mod

    calls = {"load": 0, "generate": []}

    def fake_generate(model, tok, prompts, **kw):
        calls["generate"].append(list(prompts))
        return [[p.upper()] for p in prompts]  # each completion names its prompt: misrouting shows

    def fake_load(path, **kw):
        calls["load"] += 1
        return type("M", (), {"to": lambda self, d: self})(), 0, 0

    monkeypatch.setattr(generation_mod, "generate_hf", fake_generate)
    monkeypatch.setattr(models_mod, "load_model", fake_load)
    test = Dataset.from_list([{"prompt": "a", "gold": "A"}, {"prompt": "b", "gold": "X"}, {"prompt": "c", "gold": "C"}])
    iid = Dataset.from_list([{"prompt": "d", "gold": "D"}])
    res = evaluation.evaluate_splits(model_path="m", datasets={"test": test, "iid": iid},
                                     out_dirs={"test": str(tmp_path), "iid": str(tmp_path / "iid")},
                                     suite={"name": "s", "primary": "ok", "metrics": ["ok"]}, backend="hf",
                                     scorer=lambda e, c: {"ok": float(c == e["gold"])})
    assert calls["load"] == 1 and calls["generate"] == [["a", "b", "c", "d"]]
    assert res["test"]["n"] == 3 and res["test"]["metrics"]["ok"] == pytest.approx(2 / 3)
    assert res["iid"]["n"] == 1 and res["iid"]["metrics"]["ok"] == 1.0
    assert res["iid"]["generated_with"] == ["test", "iid"]
    assert (tmp_path / "iid" / "results.json").is_file() and (tmp_path / "results.json").is_file()
    assert (tmp_path / "samples.jsonl").read_text().count("\n") == 3


def test_long_scoring_shows_progress(tmp_path, capsys):
    """Issue 27: `eval --predictions` on 3,300 molecules was silent for ~70 s; scoring 200+ examples draws a
    progress bar on stderr (and nothing for a handful)."""
    from r1_foundry.core.evaluation.runner import score_completions

    suite = {"name": "t/t", "version": 1, "split": "test", "primary": "ok", "metrics": ["ok"]}
    scorer = lambda ex, c: {"ok": float(c == ex["a"])}  # noqa: E731
    exs = [{"a": str(i)} for i in range(250)]
    score_completions(exs, [[str(i)] for i in range(250)], suite=suite, scorer=scorer, out_dir=str(tmp_path / "a"))
    assert "score" in capsys.readouterr().err
    score_completions(exs[:5], [["0"]] * 5, suite=suite, scorer=scorer, out_dir=str(tmp_path / "b"))
    assert "score" not in capsys.readouterr().err
