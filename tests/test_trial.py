"""沈阳 三（六） as the decision 试运行: every outcome, every computed date cited, both evaluators."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from dsl.clauses import article_of
from dsl.spans import Source
from engine import compile_plan, evaluate
from engine.facts.case import Workspace
from engine.facts.validate import validate_facts
from tests.conftest import SHENYANG, SHENYANG_EXAMPLES
from tests.test_fastpath import Subject, assert_same

TRIAL = sorted((SHENYANG_EXAMPLES / "trial").glob("*.json"))


@pytest.fixture(scope="module")
def shenyang():
    plan = compile_plan(SHENYANG)
    return Subject((plan, Workspace().model(plan)))


def facts_of(shenyang, data):
    plan, model = shenyang
    return validate_facts(plan, data, Source("<t>", ""), model)


def test_the_examples_reach_every_outcome_of_the_decision(shenyang):
    plan, _ = shenyang
    outcomes = {json.loads(p.read_text(encoding="utf-8"))["expect"]["outcome"] for p in TRIAL}
    assert set(plan.decisions["试运行"].outcomes) <= outcomes


@pytest.mark.parametrize("path", TRIAL, ids=lambda p: p.stem)
def test_each_example_is_the_same_on_the_fast_path(shenyang, path):
    assert_same(shenyang[0], facts_of(shenyang, json.loads(path.read_text(encoding="utf-8"))), "试运行")


def test_every_computed_date_is_a_value_citing_the_article(shenyang):
    plan, _ = shenyang
    data = json.loads((SHENYANG_EXAMPLES / "trial" / "04-terminated.json").read_text(encoding="utf-8"))
    result = evaluate(plan, facts_of(shenyang, data), "试运行")
    values = dict(result.values)
    assert str(values["banned_until"]) == "2028-04-20"
    for name in ("政策辅导期原定届满日", "政策辅导期届满日", "解除协议日", "banned_until"):
        step = result.step(name)
        assert {article_of(a.id) for a in step.articles} == {"三（六）"} and step.articles[0].readings


def trial(admitted="2026-01-01", violations=(), assessment=None, as_of="2026-03-01"):
    data = {"as_of": as_of, "institution": {"id": "T"}, "trial": {"admitted_on": admitted, "violations": list(violations)}}
    if assessment:
        data["trial"]["assessment"] = assessment
    return data


@pytest.mark.parametrize("data, outcome, values", [
    (trial(as_of="2026-06-30"), "guidance", {}),
    (trial(as_of="2026-07-01"), "trial", {}),  # the first day after the 6 months
    (trial(violations=[{"date": "2026-06-30", "severity": "minor"}], as_of="2026-12-31"), "guidance",
     {"政策辅导期届满日": "2027-01-01"}),
    # a minor violation after the guidance period extends nothing
    (trial(violations=[{"date": "2026-07-01", "severity": "minor"}], as_of="2026-08-01"), "trial", {}),
    # a violation found after the date judged is not yet known
    (trial(violations=[{"date": "2026-05-01", "severity": "severe"}], as_of="2026-04-01"), "guidance", {}),
    # a severe violation in the extension still ends the agreement
    (trial(violations=[{"date": "2026-02-01", "severity": "minor"}, {"date": "2026-10-01", "severity": "severe"}],
           as_of="2026-11-01"), "terminated", {"banned_until": "2028-10-01"}),
    (trial(admitted="2024-02-29", violations=[{"date": "2024-03-01", "severity": "severe"}], as_of="2024-04-01"),
     "terminated", {"banned_until": "2026-03-01"}),
    (trial(as_of="2027-06-01", assessment={"date": "2027-07-01", "result": "pass"}), "awaiting_assessment", {}),
    (trial(as_of="2028-01-20", assessment={"date": "2027-01-20", "result": "fail"}), "needs_review",
     {"delayed_until": "2028-01-20"}),
    (trial(as_of="2025-12-31"), "needs_review", {}),
])
def test_the_states_on_the_date_judged(shenyang, data, outcome, values):
    plan, _ = shenyang
    facts = facts_of(shenyang, data)
    result = evaluate(plan, facts, "试运行")
    assert result.outcome == outcome, result.why
    shown = {k: str(v) for k, v in result.values}
    assert {k: shown.get(k) for k in values} == values
    assert_same(plan, facts, "试运行")


DATES = st.dates(min_value=__import__("datetime").date(2024, 1, 1), max_value=__import__("datetime").date(2028, 12, 31))
violation = st.fixed_dictionaries({"date": DATES.map(str), "severity": st.sampled_from(["minor", "severe", "情节较轻"])})
generated = st.fixed_dictionaries({
    "as_of": DATES.map(str),
    "institution": st.fixed_dictionaries({"id": st.text(max_size=4)}),
    "trial": st.fixed_dictionaries({
        "admitted_on": DATES.map(str),
        "violations": st.lists(violation, max_size=4),
        "assessment": st.one_of(st.none(), st.fixed_dictionaries(
            {"date": DATES.map(str), "result": st.sampled_from(["pass", "fail", "不合格"])})),
    }),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=generated)
def test_generated_trial_years_agree_on_the_fast_path(shenyang, data):
    assert_same(shenyang[0], facts_of(shenyang, data), "试运行")


def test_explain_takes_the_decision_from_the_option_or_the_file(tmp_path):
    path = SHENYANG_EXAMPLES / "trial" / "01-guidance.json"
    result = CliRunner().invoke(main, ["explain", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["outcome"] == "guidance"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["decision"]
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(bare), "--decision", "试运行", "--format", "json"])
    assert json.loads(result.output)["decision"] == "试运行"


def test_an_unknown_decision_and_a_population_decision_are_bad_input():
    path = SHENYANG_EXAMPLES / "trial" / "01-guidance.json"
    result = CliRunner().invoke(main, ["explain", str(path), "--decision", "试运型"])
    assert result.exit_code == 2
    assert "A010" in result.output and "has no decision `试运型`" in result.output and "试运行" in result.output
    result = CliRunner().invoke(main, ["explain", str(path), "--decision", "年度考核"])
    assert result.exit_code == 2 and "A011" in result.output and "policy eval --decision 年度考核" in result.output


def test_a_date_that_is_not_a_date_names_its_place(tmp_path):
    data = json.loads((SHENYANG_EXAMPLES / "trial" / "04-terminated.json").read_text(encoding="utf-8"))
    data["trial"]["violations"][1]["date"] = "2026-04-31"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(path)])
    assert result.exit_code == 2
    assert "trial.violations[1].date: expected a date" in result.output
    line = path.read_text(encoding="utf-8").splitlines().index('        "date": "2026-04-31",') + 1
    assert f"bad.json:{line}:" in result.output
