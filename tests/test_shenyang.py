"""The 沈阳 plan end to end: formula values by hand, the readings its examples show, and its
Markdown and HTML views. Each example's expected decision is its own `expect` block and the
trace snapshots are in tests/test_traces.py."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import evaluate
from engine.facts.case import Workspace
from render import explanation_to_markdown
from tests.conftest import SHENYANG_EXAMPLES
from tests.test_traces import layout_free

EXAMPLES = sorted(SHENYANG_EXAMPLES.glob("[0-9]*.json"))  # applicants; contexts and rounds beside them



def explain(path: Path):
    case = Workspace().open_case_file(str(path))  # with the registry the file names, if any
    return evaluate(case.plan, case.facts, registry=case.registry)


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


def test_markdown_snapshot(snapshot):
    result = layout_free(explain(SHENYANG_EXAMPLES / "01-inpatient-main-city-50pct.json"))
    assert explanation_to_markdown(result) == snapshot


def test_html_snapshot(snapshot):
    from render import explanation_to_html

    assert explanation_to_html(layout_free(explain(SHENYANG_EXAMPLES / "06-excluded-staffing.json"))) == snapshot
