"""The readings of both plans an auditor would dispute, each pinned (issue 11)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from cli import main
from tests.conftest import POLICIES
from tests.test_partial import both
from tests.test_exact import load

HEZE = POLICIES / "examples" / "heze"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_heze_pause_covers_outpatient_clinics_but_not_pharmacies():
    plan, facts = load("heze/16-outpatient-paused-below-both.json")
    assert both(plan, facts).outcome == "paused"
    plan, facts = load("heze/16-outpatient-paused-below-both.json", applicant__category="pharmacy")
    assert both(plan, facts).outcome == "eligible"


def test_heze_key_project_and_public_health_flags_do_not_free_a_pharmacy():
    plan, facts = load("heze/15-pharmacy-key-project-not-freed.json")
    assert both(plan, facts).outcome == "eligible"
    plan, facts = load("heze/15-pharmacy-key-project-not-freed.json", applicant__flags__key_project=False,
                       applicant__flags__basic_public_health=True)
    assert both(plan, facts).outcome == "eligible"
    plan, facts = load("heze/15-pharmacy-key-project-not-freed.json", applicant__category="outpatient_pooling")
    assert both(plan, facts).outcome == "exempt"


def test_heze_a_move_across_areas_is_not_freed_by_the_2025_clause():
    plan, facts = load("heze/17-relocation-across-areas-not-freed.json")
    result = both(plan, facts)
    assert result.outcome == "spacing_conflict" and dict(result.values)["跨医保管理区域迁址"] is True
    plan, facts = load("heze/17-relocation-across-areas-not-freed.json", applicant__relocating_from=None)
    assert both(plan, facts).outcome == "exempt"  # not moving: licensed and operating before 2025-03-01
    plan, facts = load("heze/17-relocation-across-areas-not-freed.json", applicant__relocating_from="单县")
    assert both(plan, facts).outcome == "exempt"  # a move within its own area


def test_dual_channel_is_its_own_decision_chosen_by_flag_or_facts():
    qualified = run("explain", HEZE / "18-dual-channel-qualified.json", "--format", "json")
    assert qualified.exit_code == 0, qualified.output
    record = json.loads(qualified.output)
    assert (record["decision"], record["outcome"]) == ("双通道", "qualified")
    # --decision overrides the file's; the admission decision needs the city statistics this file lacks
    admission = json.loads(run("explain", HEZE / "18-dual-channel-qualified.json", "--decision", "准入",
                               "--format", "json").output)
    assert admission["decision"] == "准入"
    bad = run("explain", HEZE / "18-dual-channel-qualified.json", "--decision", "双通")
    assert bad.exit_code == 2 and "A010" in bad.output and "双通道" in bad.output and "Traceback" not in bad.output


def test_dual_channel_with_a_criterion_absent_is_undetermined_unless_another_fails():
    plan, facts = load("heze/18-dual-channel-qualified.json", applicant__criteria__secure_supply=None)
    from engine import evaluate

    result = evaluate(plan, facts, "双通道")
    assert (result.outcome, result.missing) == ("undetermined", ("applicant.criteria.secure_supply",))
    plan, facts = load("heze/19-dual-channel-not-qualified.json")
    assert evaluate(plan, facts, "双通道").outcome == "not_qualified"  # layout fails: reputation need not be known


def test_eval_takes_the_decision_too(tmp_path):
    line = (HEZE / "18-dual-channel-qualified.json").read_text(encoding="utf-8")
    data = json.loads(line)
    del data["decision"]
    (tmp_path / "pop.jsonl").write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run("eval", tmp_path / "pop.jsonl", "--decision", "双通道")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output.splitlines()[0])
    assert (record["decision"], record["outcome"]) == ("双通道", "qualified")


def test_coverage_reports_an_operative_article_quoted_only_in_fragments():
    from engine.compile.coverage import keeps_a_sentence

    assert not keeps_a_sentence("需要的千人床位数…各年龄段住院率…年龄段参保人数")
    assert keeps_a_sentence("患者调节系数 = (本地 - 异地) ÷ 本地")  # no elision: quoted whole
    assert keeps_a_sentence("…前半句。一整句话。后半")
    assert not keeps_a_sentence("…半句，。…又半句")
    result = run("coverage", POLICIES / "heze-2026.policy")
    assert "operative with every sentence elided by …: 术语解释1" in result.output
