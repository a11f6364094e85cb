"""One decision with its trace, assembled from the rule results of either run: the reference
`Evaluation` (engine/run/evaluator.py) or the compiled fast path's (engine/run/compiled.py).

Both paths come here and neither calls the other: a run answers `rule` (a rule's condition,
its frame of facts read and definitions used, its terms), `rule_step` (that result as a trace
`Step`), `steps` (the definitions computed, in order) and `values`; this module settles the
precedence (engine/run/decide.py) and puts the `Explanation` together.
"""
from __future__ import annotations

import weakref
from datetime import date
from typing import Any, Protocol

from engine.compile.plan import CheckedPlan, RuleInfo
from engine.compile.types import NumT, unit_text
from engine.run import spacing
from engine.run.decide import judge, note_status, notices
from engine.run.records import builder
from engine.run.trace import APPLIED, UNKNOWN, Explanation, Step
from engine.values.missing import Missing


class Run(Protocol):
    """What a run gives the assembly: each rule's result and the trace of what it computed."""

    values: dict[str, Any]

    def rule(self, rule: RuleInfo) -> tuple[Any, Any, tuple]: ...

    def rule_step(self, rule: RuleInfo, holds, frame, terms, status: str) -> Step: ...

    @property
    def steps(self) -> list[Step]: ...


def assemble(plan: CheckedPlan, facts: dict, decision_name: str | None, run: Run, judged=judge) -> Explanation:
    """One applicant's decision with its whole trace, from `run`'s rule results: the outcome
    is engine/run/decide.py's `settle`, the one core every path uses (`judged` is `judge`, or
    the fast path's memory of it, engine/run/decide.py's `Judgements`)."""
    decision = plan.decisions[decision_name] if decision_name else plan.main_decision
    rules = [plan.rules[name] for name in decision.precedence]
    results = [run.rule(rule) for rule in rules]
    verdict, because, overridden = judged(decision, rules, [result[0] for result in results])
    rule_step = run.rule_step
    rule_steps = {rule.name: rule_step(rule, holds, frame, terms, status)
                  for rule, (holds, frame, terms), status in zip(rules, results, verdict.statuses)}
    for name in decision.notes:
        rule = plan.rules[name]
        holds, frame, terms = run.rule(rule)
        rule_steps[name] = rule_step(rule, holds, frame, terms, note_status(holds))
    if plan.registry is not None:  # a rule's step names the neighbour its definitions found
        defined = {step.name: step for step in run.steps}
        rule_steps = {n: spacing.with_neighbours(plan.rules[n].when, s, defined) for n, s in rule_steps.items()}
    decided_by = rule_steps[verdict.decisive.name] if verdict.decisive is not None else None
    steps = (*run.steps, *(rule_steps[n] for n in decision.precedence), *(rule_steps[n] for n in decision.notes))
    notes = [rule_steps[n] for n in decision.notes]
    labels, units = display(plan)
    return settled(plan, decision, facts, verdict, because, decided_by, steps, notes, [s.rule_kind for s in notes],
                   run.values, labels, units)


def settled(plan: CheckedPlan, decision, facts: dict, verdict, because: str, decided_by: Step | None, steps: tuple,
            notes: list[Step], kinds: list[str], values: dict, labels: dict, units: dict) -> Explanation:
    """The Explanation of a decision settled from its steps: `notes` are the steps of the
    decision's notes (priorities, steering) and `kinds` their rules' kinds. The one way both
    `assemble` and engine/run/lean.py put the record together."""
    priorities = priorities_unknown = steering = ()
    if notes:
        if verdict.outcome == "eligible":  # A priority (优先纳入) ranks applicants that may be admitted; it means nothing otherwise.
            priorities = tuple(s for s, k in zip(notes, kinds) if s.status == APPLIED and k == "priority")
            priorities_unknown = tuple(s for s, k in zip(notes, kinds) if s.status == UNKNOWN and k == "priority")
        steering = tuple(s for s, k in zip(notes, kinds) if s.status == APPLIED and k == "steering")
    as_of = facts.get("as_of")
    return explanation(
        plan.stamp, decision.name, decision.label, subject_id(facts), iso(as_of), verdict.outcome,
        decided_by, because, verdict.reason, decided_by.terms if decided_by is not None else (), priorities,
        tuple([(n, v) for n, v in values.items() if type(v) is not Missing]), steps, verdict.missing, labels,
        units, priorities_unknown, decision.otherwise_span.line if verdict.by_otherwise else 0, steering,
        notices(plan.stamp, as_of))


explanation = builder(Explanation)  # positional, in the order of Explanation's fields


_DISPLAYS: "weakref.WeakKeyDictionary[CheckedPlan, tuple[dict, dict]]" = weakref.WeakKeyDictionary()


def display(plan: CheckedPlan) -> tuple[dict, dict]:
    """The plan's enum labels and the definitions that show a unit: the same for every
    decision, so made once per plan (for 沈阳, 24 µs of a traced decision's 170). Every
    Explanation of the plan shares these two dicts; nothing writes to them."""
    held = _DISPLAYS.get(plan)
    if held is None:
        labels = {code: label for e in plan.enums.values() for code, label in e.members if label}
        # Only distances show their unit: a plan folds scale into other units (千人床位数 is
        # bed/person × 1000), so `9 bed/person` would mislead where `800 m` cannot.
        units = {n: "m" for n, d in plan.defines.items() if isinstance(d.type, NumT) and unit_text(d.type.unit) == "m"}
        held = _DISPLAYS[plan] = (labels, units)
    return held


def subject_id(facts: dict):
    """Whom the facts are about: the applicant (admission) or the designated institution
    (trial year, annual review), by the id its file gives."""
    for key in ("applicant", "institution"):
        subject = facts.get(key)
        if isinstance(subject, dict) and subject.get("id") is not None:
            return subject["id"]
    return None


def iso(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else value
