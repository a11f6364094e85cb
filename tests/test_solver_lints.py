"""The solver's lints in `policy check`: each finding with its code and a witness that
`policy explain` shows it with; the shipped plans' findings are the ones their readings explain."""
from __future__ import annotations

import json

from click.testing import CliRunner

from cli import main
from tests.conftest import POLICIES

LINTED = """\
plan "lints"
  title "检查"
  version "1"

article 一 "一、新增机构距离同类机构800米以上。"
article 二 "二、基金赤字时暂停。"

enum 类别 { pharmacy "零售药店" clinic "诊所" }
input applicant.category : 类别 as 申请类别
input applicant.distance : metres as 距离
input applicant.village : bool as 村卫生室
input city.deficit : bool as 赤字
input city.rate : fraction as 比率

rule 暂停 : gate cites 二
  when 赤字
  then paused "暂停"

rule 村卫生室不受限 : exemption cites 二
  when 村卫生室 and 赤字
  then exempt

rule 不可能 : spacing cites 一
  when 距离 < 0 m
  then spacing_conflict

rule 药店高比率 : ratio cites 一
  when 申请类别 = 零售药店 and 比率 > 10%
  then eligible with 份额 = 比率

rule 药店 : admission cites 一
  when 申请类别 = 零售药店
  then eligible

decision 准入 {
  precedence 暂停 > 村卫生室不受限 > 不可能 > 药店高比率 > 药店
  otherwise needs_review "无条款"
}
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def explain(witness, plan) -> dict:
    result = run("explain", witness, "--plan", plan, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_each_lint_with_its_witness(write_policy, tmp_path):
    plan = write_policy(LINTED)
    result = run("check", plan, "--witness-dir", tmp_path / "w")
    assert result.exit_code == 0, result.stderr  # warnings only
    err = result.stderr
    assert "warning[W101]: rule `不可能` can never apply" in err
    assert "warning[W102]: exemption `村卫生室不受限` is shadowed by `暂停` above it" in err
    assert "warning[W103]: tiers `药店高比率` and `药店` overlap" in err
    assert "warning[W104]: applicants of category `clinic` can meet no rule" in err
    folder = tmp_path / "w"
    shadowed = explain(folder / "W102-村卫生室不受限.json", plan)
    assert shadowed["decided_by"]["rule"] == "暂停"
    assert next(s for s in shadowed["trace"] if s.get("rule") == "村卫生室不受限")["status"] == "overridden"
    tiers = explain(folder / "W103-药店高比率-药店.json", plan)
    assert tiers["decided_by"]["rule"] == "药店高比率"
    assert next(s for s in tiers["trace"] if s.get("rule") == "药店")["status"] == "overridden"
    other = explain(folder / "W104-准入-clinic.json", plan)
    assert other["outcome"] == "needs_review" and other["decided_by"]["kind"] == "otherwise"
    assert run("check", plan, "--strict").exit_code == 1


def test_no_lint_skips_the_solver(write_policy):
    result = run("check", write_policy(LINTED), "--no-lint")
    assert result.exit_code == 0 and "W10" not in result.stderr


def test_shipped_plans_findings_are_the_explained_ones(tmp_path):
    """菏泽 is clean. 沈阳's three W104 are the plan's own gaps, which its readings of 三 and 三（一）
    record: no allocation article for 口腔门诊 and 门诊慢特病, and nothing when 医保千人床位数
    equals the fundable level. Each witness goes to `otherwise` in explain."""
    heze = run("check", POLICIES / "heze-2026.policy")
    assert heze.exit_code == 0 and "warning[W1" not in heze.stderr
    plan = POLICIES / "shenyang-2025-draft.policy"
    result = run("check", plan, "--witness-dir", tmp_path)
    codes = sorted(line.split("warning[")[1][:4] for line in result.stderr.splitlines() if "warning[W1" in line)
    assert codes == ["W104"] * 3
    for name in ("dental", "outpatient_chronic", "inpatient"):
        got = explain(tmp_path / f"W104-准入-{name}.json", plan)
        assert got["outcome"] == "needs_review" and got["decided_by"]["kind"] == "otherwise"
