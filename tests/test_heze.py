"""The 菏泽 plan end to end: every outcome reached, the formula against a hand computation, the
between case refused to the plan's silence. Each example's expected decision is its own
`expect` block and the trace snapshots are in tests/test_traces.py."""
from __future__ import annotations

import json
from fractions import Fraction

import pytest

from engine import check_file, evaluate
from engine.facts.case import Workspace
from engine.compile.coverage import coverage
from engine.facts.case import choose_decision
from tests.conftest import POLICIES

EXAMPLES_DIR = POLICIES / "examples" / "heze"
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("[0-9]*.json"))



def explain(path, **city_fund):
    case = Workspace().open_case_file(str(path))  # with the registry the file names, if any
    if city_fund:
        case.facts["city"]["fund"].update(city_fund)
    decision = choose_decision(case.plan, None, case.facts)  # the file's "decision" (双通道), else 准入
    return evaluate(case.plan, case.facts, decision, registry=case.registry)


def test_the_plan_checks_clean_and_every_article_is_accounted_for():
    assert [d.headline() for d in check_file(POLICIES / "heze-2026.policy")] == []
    plan = Workspace().plan("heze-2026")
    rows = coverage(plan)
    assert rows and all(r.status != "missing" for r in rows)
    assert {r.id for r in rows} >= {"二（一）1", "二（一）2", "二（二）", "二（三）4", "三（四）", "结语"}


def test_the_examples_reach_every_outcome_the_plan_gives():
    # 菏泽 has no exclusion article, so `excluded` is not an outcome it can give.
    outcomes = {explain(p).outcome for p in EXAMPLES}
    assert outcomes == {"eligible", "exempt", "paused", "spacing_conflict", "needs_approval", "needs_review",
                        "undetermined", "qualified", "not_qualified"}  # the last two: decision 双通道


def hand_computed(city: dict) -> dict:
    """术语解释, computed directly from the context file, independent of the engine."""
    admissions = sum(g["admission_rate"] * g["insured"] for g in city["age_groups"])
    base = admissions * city["average_stay_days"] * 1000 / (city["bed_occupancy"] * 365 * city["insured_population"])
    d = city["discharges"]
    patient = (d["local_in_local"] - d["local_elsewhere"] + d["remote_in_local"]) / d["local_in_local"]
    fund = city["fund"]["months_payable"] / city["fund"]["months_required"]
    return {"各年龄段住院人次之和": admissions, "未调节的需要千人床位数": base, "患者调节系数": patient,
            "基金调节系数": fund, "测算值": base * patient * fund}


def test_needed_beds_formula_against_a_hand_computation():
    city = json.loads((EXAMPLES_DIR / "context-2026.json").read_text(encoding="utf-8"))["city"]
    expected = hand_computed(city)
    assert expected["各年龄段住院人次之和"] == 1_294_000
    assert expected["患者调节系数"] == pytest.approx(0.9)
    values = dict(explain(EXAMPLES_DIR / "01-inpatient-county-eligible.json").values)
    for name, value in expected.items():
        assert values[name] == pytest.approx(value, rel=1e-12), name
    assert values["测算值"] == pytest.approx(9.4974, abs=1e-4)


def test_every_intermediate_value_is_a_trace_step_with_its_inputs_and_article():
    result = explain(EXAMPLES_DIR / "01-inpatient-county-eligible.json")
    step = result.step("患者调节系数")
    assert step.articles[0].id == "术语解释2"
    assert dict(step.reads) == {"city.discharges.local_in_local": 1_000_000, "city.discharges.local_elsewhere": 150_000,
                                "city.discharges.remote_in_local": 50_000}
    measured = result.step("测算值")
    assert {name for name, _ in measured.uses} == {"未调节的需要千人床位数", "患者调节系数", "基金调节系数"}
    age_reads = dict(result.step("各年龄段住院人次之和").reads)
    assert age_reads["city.age_groups[3].admission_rate"] == Fraction("0.35")  # exactly, as written


@pytest.mark.parametrize("months, outcome", [(9, "paused"), (12, "needs_review"), (14, "eligible")])
def test_measured_value_against_target_and_actual(months, outcome):
    # 测算值 ≈ 0.678 × months: 6.1 is below both 7.5 and 8.2, 8.1 lies between, 9.5 is above both.
    result = explain(EXAMPLES_DIR / "01-inpatient-county-eligible.json", months_payable=months)
    assert result.outcome == outcome


def test_between_is_sent_to_review_saying_no_article_decides():
    result = explain(EXAMPLES_DIR / "04-inpatient-between-no-article.json")
    assert "没有条款决定" in result.reason
    readings = [r.text for a in result.decided_by.articles for r in a.readings]
    assert any("the plan says nothing" in r for r in readings)


def test_counties_show_their_bed_occupancy_as_the_reference():
    result = explain(EXAMPLES_DIR / "01-inpatient-county-eligible.json")
    assert dict(result.terms) == {"参考_本区域床位使用率": Fraction("0.78")}
    mudan = explain(EXAMPLES_DIR / "02-inpatient-mudan-case-by-case.json")
    assert dict(mudan.terms) == {"参考_本区域床位使用率": Fraction("0.83")}


def test_the_fund_gate_counts_months_payable_below_the_requirement():
    result = explain(EXAMPLES_DIR / "06-community-clinic-priority.json", months_payable=5)
    assert result.outcome == "paused" and result.decided_by.name == "基金安全暂停"


def test_priority_for_community_stations_in_outpatient_pooling():
    result = explain(EXAMPLES_DIR / "06-community-clinic-priority.json")
    assert [s.reason for s in result.priorities] == ["可优先纳入门诊统筹、门诊慢特病定点医疗机构"]


def test_licensed_before_the_pause_outranks_spacing():
    result = explain(EXAMPLES_DIR / "08-licensed-before-pause-exempt.json")
    assert result.step("服务半径800米").status == "overridden"


def test_an_article_the_file_forgets_is_an_error(tmp_path):
    import shutil

    shutil.copytree(POLICIES / "sources", tmp_path / "sources")
    text = (POLICIES / "heze-2026.policy").read_text(encoding="utf-8")
    forgotten = text.replace('article 三（二） informative "（二）深化部门协同，凝聚工作合力。"\n', "")
    assert forgotten != text
    (tmp_path / "heze.policy").write_text(forgotten, encoding="utf-8")
    errors = [d for d in check_file(tmp_path / "heze.policy") if d.severity == "error"]
    assert [(d.code, d.message) for d in errors] == [("C054", "article `三（二）` of the source is not accounted for")]
    assert "（二）深化部门协同" in errors[0].help
