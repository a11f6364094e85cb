"""The reference evaluator: three-valued logic, precedence, missing facts, the trace."""
from __future__ import annotations

from engine import evaluate


def facts(**applicant_and_city):
    applicant = {k: v for k, v in applicant_and_city.items() if k in ("category", "distance", "id")}
    city = {k: v for k, v in applicant_and_city.items() if k in ("deficit", "rate")}
    return {"applicant": applicant, "city": city}


def test_the_highest_ranked_rule_that_applies_decides(mini_plan):
    result = evaluate(mini_plan, facts(category="pharmacy", distance=300, deficit=True, rate=0.01))
    assert result.outcome == "paused"
    assert result.decided_by.name == "暂停"
    assert "overrides `半径`" in result.why
    statuses = {s.name: s.status for s in result.steps if s.kind == "rule"}
    assert statuses == {"暂停": "decided", "半径": "overridden", "药店": "not_applicable"}


def test_terms_of_the_decisive_rule_and_values(mini_plan):
    result = evaluate(mini_plan, facts(category="pharmacy", distance=900, deficit=False, rate=0.1))
    assert result.outcome == "eligible"
    assert dict(result.terms) == {"份额": 0.2}
    assert dict(result.values) == {"加倍比率": 0.2}


def test_otherwise_holds_when_no_rule_applies(mini_plan):
    result = evaluate(mini_plan, facts(category="clinic", distance=900, deficit=False, rate=0.1))
    assert (result.outcome, result.reason, result.decided_by) == ("needs_review", "无条款", None)


def test_a_missing_fact_above_the_decisive_rule_makes_it_undetermined(mini_plan):
    result = evaluate(mini_plan, facts(category="pharmacy", distance=300, rate=0.1))
    assert result.outcome == "undetermined"
    assert result.missing == ("city.deficit",)


def test_a_missing_fact_below_the_decisive_rule_is_not_needed(mini_plan):
    result = evaluate(mini_plan, facts(category="pharmacy", deficit=True))
    assert result.outcome == "paused" and result.missing == ()
    assert {s.name: s.status for s in result.steps if s.kind == "rule"}["半径"] == "unknown_not_needed"


def test_kleene_logic_false_and_missing_is_false(mini_plan):
    # 药店: category = pharmacy and 加倍比率 > 10%; a clinic never needs the rate.
    result = evaluate(mini_plan, facts(category="clinic", distance=900, deficit=False))
    assert result.outcome == "needs_review" and result.missing == ()
    assert "加倍比率" not in dict(result.values)  # not needed, so never computed


def test_every_step_reads_its_facts_and_cites_its_article(mini_plan):
    result = evaluate(mini_plan, facts(category="pharmacy", distance=900, deficit=False, rate=0.1))
    step = result.step("药店")
    assert dict(step.reads) == {"applicant.category": "pharmacy"}
    assert dict(step.uses) == {"加倍比率": 0.2}
    assert step.articles[0].id == "一" and step.articles[0].text.startswith("一、新增机构")
    assert [r.text for r in step.articles[0].readings] == ["800 m itself is within."]
    define = result.step("加倍比率")
    assert dict(define.reads) == {"city.rate": 0.1}


def test_same_input_same_trace(mini_plan):
    f = facts(category="pharmacy", distance=300, deficit=False, rate=0.1)
    assert evaluate(mini_plan, f) == evaluate(mini_plan, f)
