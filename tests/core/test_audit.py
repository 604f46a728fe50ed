"""The reward-hacking audit: it finds a hackable reward, passes every shipped preset, and the CLI
exits 1 on findings unless --allow."""

import json

import pytest
from typer.testing import CliRunner

from r1_foundry.core.cli.app import build_root
from r1_foundry.core.rewards import audit
from r1_foundry.core.schema.domain import discover, get_domain

DOMAINS = sorted(discover())


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """Each domain's default data (smoke build) and its audit sample, built once."""
    tmp = tmp_path_factory.mktemp("audit")
    return {name: audit.load_examples(get_domain(name), None, None, 32, 0, str(tmp / name)) for name in DOMAINS}


@pytest.mark.parametrize("name", DOMAINS)
def test_every_shipped_preset_passes_the_audit(name, samples):
    examples, where, pool = samples[name]
    rows = audit.run_audit(get_domain(name), None, examples, pool=pool)
    assert {r.preset for r in rows} == set(get_domain(name).reward_presets)
    probes = {r.probe for r in rows}
    assert set(audit.GENERIC) - {"two_answers", "two_answers_gold_first"} <= probes
    findings = [f"{r.preset}/{r.probe}: {r.finding}" for r in rows if r.finding]
    assert not findings, findings
    for r in rows:  # scoring stays fast on every probe, the huge one included
        assert r.seconds < audit.SLOW_S


def test_domain_probes_are_there(samples):
    probes = {name: {r.probe for r in audit.run_audit(get_domain(name), None, *samples[name][:1],
                                                        pool=samples[name][2])} for name in ("sql", "chem", "medical")}
    assert {"sql_select_star", "sql_gold_limit_1", "sql_every_row"} <= probes["sql"]
    assert {"chem_tiny_molecule", "chem_random_dataset_molecule"} <= probes["chem"]
    assert {"mcq_all_letters", "list_every_option"} <= probes["medical"]


def test_a_format_only_preset_is_caught(samples, monkeypatch):
    """A preset paying for the layout alone: the prompt copied back in tags earns the gold's total."""
    sql = get_domain("sql")
    monkeypatch.setitem(sql.reward_presets, "format-only", [{"name": "sql/format", "weight": 1.0}])
    rows = audit.audit_preset(sql, "format-only", samples["sql"][0], pool=samples["sql"][2])
    found = {r.probe: r.finding for r in rows if r.finding}
    assert "scores at least the gold" in found["prompt_copy"]
    assert "sql_select_star" in found


def test_near_misses_and_right_answers_use_their_own_rule():
    rows = [audit.ProbeResult("p", "gold", 4, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, "")]
    assert audit.to_markdown(rows).startswith("| probe | p |")
    assert "answer_only" in audit.CARRIES_ANSWER and "empty" not in audit.CARRIES_ANSWER


def test_cli_exit_codes(tmp_path, monkeypatch):
    res = CliRunner().invoke(build_root(), ["finance", "audit", "--presets", "finqa", "--n", "12",
                                            "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    report = json.load(open(tmp_path / "audit.json"))
    assert report["findings"] == [] and report["rows"][0]["probe"] == "gold"
    assert (tmp_path / "audit.md").read_text().startswith("| probe | finqa |")

    fin = get_domain("finance")
    monkeypatch.setitem(fin.reward_presets, "format-only", [{"name": "finance/format", "weight": 1.0}])
    bad = CliRunner().invoke(build_root(), ["finance", "audit", "--presets", "format-only", "--n", "12"])
    assert bad.exit_code == 1 and "finding(s)" in bad.output
    allowed = CliRunner().invoke(build_root(), ["finance", "audit", "--presets", "format-only", "--n", "12", "--allow"])
    assert allowed.exit_code == 0
    unknown = CliRunner().invoke(build_root(), ["finance", "audit", "--presets", "finqaa"])
    assert unknown.exit_code == 2 and "finqa" in unknown.output


def test_right_answer_then_3mb_of_junk_is_probed(samples):
    """Issue 30 (11): the gold followed by 3 MB is a probe of every preset, on the first JUNK_EXAMPLES examples;
    it carries the right answer, so the rule is "never above the gold" (arctic keeps 1.0 of 1.0 by design:
    the verifier reads the answer block; the tail is max_completion_length's and length shaping's), and it is
    scored fast."""
    probes = audit.generic_probes({"prompt": "q"}, "<think>t</think><answer>1</answer>", None, "x" * audit.JUNK_CHARS)
    assert probes["answer_then_junk"].startswith("<think>t</think><answer>1</answer>\n")
    assert len(probes["answer_then_junk"]) > 3_000_000
    assert "answer_then_junk" in audit.CARRIES_ANSWER
    rows = {(r.preset, r.probe): r for r in audit.run_audit(get_domain("sql"), None, samples["sql"][0],
                                                           pool=samples["sql"][2])}
    junk = rows[("arctic", "answer_then_junk")]
    assert junk.n == audit.JUNK_EXAMPLES and junk.mean == pytest.approx(1.0) and junk.finding == ""
    assert rows[("sql-r1", "answer_then_junk")].mean < rows[("sql-r1", "gold")].mean  # its format tier reads the tail
    assert junk.seconds < audit.SLOW_S
