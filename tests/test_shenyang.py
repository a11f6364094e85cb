"""The 沈阳 plan end to end: every shipped example, formula values by hand, trace snapshots."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import evaluate
from engine.case import Workspace
from render import explanation_to_json, explanation_to_markdown, explanation_to_text
from tests.conftest import SHENYANG_EXAMPLES

EXAMPLES = sorted(p for p in SHENYANG_EXAMPLES.glob("*.json") if not p.name.startswith("context"))

EXPECTED = {
    "01-inpatient-main-city-50pct": ("eligible", "住院_千人床位数高于可承担"),
    "02-inpatient-suburb-best-of": ("eligible", "住院_千人床位数低于可承担"),
    "03-outpatient-suburb-100pct": ("eligible", "门诊统筹_集聚度差值非正"),
    "04-pharmacy-eligible": ("eligible", "个人账户与零售药店"),
    "05-village-clinic-exempt": ("exempt", "村卫生室与高校内设不受限"),
    "06-excluded-staffing": ("excluded", "不予纳入"),
    "07-pharmacy-spacing-conflict": ("spacing_conflict", "服务半径800米"),
    "08-dental-needs-review": ("needs_review", None),
    "09-undetermined-missing": ("undetermined", None),
    "10-paused-fund-warning": ("paused", "基金安全暂停"),
    "11-pharmacy-registry-spacing-conflict": ("spacing_conflict", "服务半径800米"),
    "12-inpatient-exactly-at-fundable-level-review": ("needs_review", None),
    "13-pharmacy-departments-not-asked": ("eligible", "个人账户与零售药店"),
    "14-county-tertiary-grow": ("eligible", "住院_千人床位数低于可承担"),
}


def explain(path: Path):
    case = Workspace().open_case_file(str(path))  # with the registry the file names, if any
    return evaluate(case.plan, case.facts, registry=case.registry)


def test_every_example_is_expected():
    assert {p.stem for p in EXAMPLES} == set(EXPECTED)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_outcome(path):
    result = explain(path)
    outcome, rule = EXPECTED[path.stem]
    assert result.outcome == outcome
    assert (result.decided_by.name if result.decided_by else None) == rule


def test_the_examples_reach_every_outcome_the_plan_gives():
    outcomes = {explain(p).outcome for p in EXAMPLES}
    assert outcomes == {"eligible", "exempt", "paused", "excluded", "spacing_conflict", "needs_review", "undetermined"}


def test_annex_formulas_against_a_hand_computation():
    values = dict(explain(SHENYANG_EXAMPLES / "01-inpatient-main-city-50pct.json").values)
    context = json.loads((SHENYANG_EXAMPLES / "context-2026.json").read_text(encoding="utf-8"))["city"]
    fund = context["fund"]
    covered = 20_000_000_000 * (1 - 0.05) / 0.70  # 附件1
    assert values["医保筹资可覆盖的医药费用"] == pytest.approx(covered)
    fundable = covered * 1000 / (600_000 * 7_000_000)  # 附件2
    assert values["医保筹资可承担的医保千人床位数"] == pytest.approx(fundable)
    assert fundable == pytest.approx(6.462585, rel=1e-6)
    assert values["医保定点区域"] == "医保主城区"  # 铁西区 is in 医保主城区 (附件3)
    assert values["区域医保千人床位数"] == pytest.approx(36_000 * 1000 / 4_000_000)
    assert fund["pooled_income"] == 20_000_000_000


def test_a_county_is_its_own_region_and_the_50pct_quota_is_floored():
    plan, facts = Workspace().case_from_file(str(SHENYANG_EXAMPLES / "01-inpatient-main-city-50pct.json"))
    facts["applicant"]["district"] = "新民市"
    county = evaluate(plan, facts)
    assert dict(county.values)["医保定点区域"] == "新民市"
    assert dict(county.values)["区域医保千人床位数"] == pytest.approx(3900 * 1000 / 520_000)
    assert dict(county.terms) == {"纳入比例": 0.5, "可新增医保床位": 75}  # floor(150 × 50%)
    pharmacy = explain(SHENYANG_EXAMPLES / "04-pharmacy-eligible.json")
    assert "医保定点区域" not in dict(pharmacy.values)  # a pharmacy never needs the bed formulas
    inpatient = explain(SHENYANG_EXAMPLES / "01-inpatient-main-city-50pct.json")
    assert dict(inpatient.terms) == {"纳入比例": 0.5, "可新增医保床位": 600}


def test_priority_is_shown_with_an_eligible_outcome():
    result = explain(SHENYANG_EXAMPLES / "01-inpatient-main-city-50pct.json")
    assert [s.reason for s in result.priorities] == ["同等条件优先纳入"]


def test_undetermined_names_exactly_the_missing_facts():
    result = explain(SHENYANG_EXAMPLES / "09-undetermined-missing.json")
    # Either the distance or a registry to measure it in would do: both are named.
    assert result.missing == ("applicant.conditions.safety_facilities", "applicant.nearest_same_category_m", "registry")


def test_the_exemption_outranks_the_fund_pause_but_not_the_exclusion():
    result = explain(SHENYANG_EXAMPLES / "05-village-clinic-exempt.json")
    assert "ranks 2 of 9" in result.why
    assert result.step("不予纳入").status == "not_applicable"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_json_snapshot(path, snapshot):
    assert explanation_to_json(explain(path)) == snapshot


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_text_snapshot(path, snapshot):
    assert explanation_to_text(explain(path), width=100) == snapshot


def test_markdown_snapshot(snapshot):
    assert explanation_to_markdown(explain(SHENYANG_EXAMPLES / "01-inpatient-main-city-50pct.json")) == snapshot


def test_html_snapshot(snapshot):
    from render import explanation_to_html

    assert explanation_to_html(explain(SHENYANG_EXAMPLES / "06-excluded-staffing.json")) == snapshot
