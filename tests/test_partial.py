"""Partial evaluation (engine/run/decide.py): what is decided whatever the unknowns are is decided;
`missing` lists only facts that could change the outcome; an absent priority is unknown."""
from __future__ import annotations

from engine import evaluate
from engine.run.compiled import fast_path
from render.json_view import explanation_to_json
from tests.test_exact import load


def both(plan, facts):
    reference = evaluate(plan, facts)
    assert fast_path(plan).explain(facts) == reference
    decided = fast_path(plan).decide(facts)
    assert (decided.outcome, decided.missing, decided.priorities_unknown, decided.notices) == (
        reference.outcome, reference.missing, tuple(s.name for s in reference.priorities_unknown), reference.notices)
    return reference


def test_a_key_project_with_its_dates_missing_is_exempt_whatever_they_are():
    plan, facts = load("heze/07-key-project-exempt.json", applicant__licensed_on=None,
                       applicant__operating_since=None)
    result = both(plan, facts)
    assert result.outcome == "exempt" and result.missing == ()
    assert result.decided_by.name == "省市重点建设项目"
    assert result.step("规划前已获许可并运营").status == "unknown_not_needed"
    assert "concludes `exempt` too" in result.why


def test_missing_names_only_the_facts_that_could_change_the_outcome():
    # Dates absent (an exemption) and the key-project flag absent (an exemption too), above a
    # fund pause that holds: either exemption would change `paused`, so both are needed.
    plan, facts = load("heze/10-fund-warning-paused.json", applicant__licensed_on=None, applicant__category="inpatient",
                       applicant__operating_since=None, applicant__flags__key_project=None)
    result = both(plan, facts)
    assert result.outcome == "undetermined"
    assert set(result.missing) == {"applicant.licensed_on", "applicant.operating_since", "applicant.flags.key_project"}
    # One date known to be after 2025-03-01 settles that exemption (false and anything is false).
    plan, facts = load("heze/10-fund-warning-paused.json", applicant__licensed_on=None, applicant__category="inpatient",
                       applicant__operating_since="2025-06-01", applicant__flags__key_project=None)
    assert both(plan, facts).missing == ("applicant.flags.key_project",)
    # A pharmacy's key-project flag frees nothing (二（三）2 frees 医疗机构): not asked for.
    plan, facts = load("heze/10-fund-warning-paused.json", applicant__category="pharmacy",
                       applicant__flags__key_project=None)
    result = both(plan, facts)
    assert (result.outcome, result.missing) == ("paused", ())
    # With the pause lifted but the flag of basic public health absent: an exemption above the
    # admission of an outpatient clinic does change `eligible` to `exempt`: still needed.
    plan, facts = load("heze/06-community-clinic-priority.json", applicant__flags__basic_public_health=None)
    assert "applicant.flags.basic_public_health" in both(plan, facts).missing


def test_an_absent_priority_is_unknown_not_no_priority():
    plan, facts = load("shenyang/04-pharmacy-eligible.json", applicant__flags__key_project=None,
                       applicant__flags__public_community_health_center=None,
                       applicant__flags__elderly_care_embedded=None)
    result = both(plan, facts)
    assert result.outcome == "eligible" and result.missing == ()
    assert result.priorities == ()
    (unknown,) = result.priorities_unknown
    assert unknown.name == "同等条件优先纳入" and unknown.status == "unknown"
    record = explanation_to_json(result)
    assert record["priorities_unknown"][0]["missing"] == [
        "applicant.flags.elderly_care_embedded", "applicant.flags.key_project",
        "applicant.flags.public_community_health_center"]


def test_a_decision_under_a_draft_says_so_and_one_before_the_plan_takes_effect_is_flagged():
    plan, facts = load("shenyang/04-pharmacy-eligible.json")
    (notice,) = both(plan, facts).notices
    assert notice.startswith("draft: this decision applies a draft")
    plan, facts = load("heze/01-inpatient-county-eligible.json", as_of="2026-04-29")
    (notice,) = both(plan, facts).notices
    assert notice.startswith("not_in_force: judged on 2026-04-29, before plan heze-2026 takes effect on 2026-04-30")
    plan, facts = load("heze/01-inpatient-county-eligible.json", as_of="2026-04-30")
    assert both(plan, facts).notices == ()


def test_an_unknown_rule_that_concludes_what_every_rule_below_it_does_is_not_asked_for():
    from engine.run.decide import settle
    from engine.values.missing import Missing
    from engine.compile.plan import DecisionInfo, RuleInfo

    def rule(name, outcome, kind="exemption"):
        return RuleInfo(name, kind, (), None, outcome, None, ())

    rules = [rule("pause", "paused", "gate"), rule("dates", "exempt"), rule("key", "exempt")]
    decision = DecisionInfo("d", None, tuple(r.name for r in rules), (), "needs_review", None)
    verdict = settle(decision, rules, [Missing(["fund"]), Missing(["dates"]), True])
    assert verdict.outcome == "undetermined" and verdict.missing == ("fund",)  # dates: exempt either way
    assert verdict.statuses == ("unknown", "unknown_not_needed", "would_decide")
    verdict = settle(decision, rules, [False, Missing(["dates"]), True])
    assert (verdict.outcome, verdict.decisive.name, verdict.missing) == ("exempt", "key", ())
    # when nothing holds, the `otherwise` is the last candidate
    verdict = settle(decision, rules, [False, Missing(["dates"]), False])
    assert verdict.outcome == "undetermined" and verdict.missing == ("dates",)


def test_the_fast_paths_memory_of_verdicts_gives_what_settling_gives():
    from engine.compile.plan import DecisionInfo, RuleInfo
    from engine.run.decide import Judgements, judge
    from engine.values.missing import Missing

    rules = [RuleInfo(n, "exemption", (), None, o, None, ()) for n, o in (("a", "paused"), ("b", "exempt"), ("c", "x"))]
    decision = DecisionInfo("d", None, tuple(r.name for r in rules), (), "needs_review", None)
    patterns = [[h, i, j] for h in (True, False, Missing(["p"]), Missing(["q"])) for i in (True, False, Missing(["r"]))
                for j in (True, False, Missing(["p", "s"]))]
    judged = Judgements()
    judged.LIMIT = 7  # emptied along the way, and still the same answers
    for held in patterns * 2:
        fresh = [Missing(h.paths) if type(h) is Missing else h for h in held]  # equal paths, other objects
        assert judged(decision, rules, fresh) == judge(decision, rules, held)
