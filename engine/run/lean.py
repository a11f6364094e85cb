"""The fast path's traced decision for a plan without a registry: engine/run/assemble.py's
assembly, step for step, with what is the same for every applicant looked up once.

`assemble` asks a run for each rule by name, through methods, and finds the rule's trace
data (name, articles, line...) in dicts each time; for the bench's five-rule plan that was a
third of a traced decision. A `LeanDecision` holds, per decision, the generated rule
functions in precedence order and each step's fixed fields, so one traced decision is the
rule calls, one verdict (remembered: engine/run/decide.py's `Judgements`), and the records.
A plan with a registry goes through `assemble` (its steps name the neighbours found, which
engine/run/spacing.py adds). tests/test_fastpath.py and test_traces.py hold both to the
reference evaluator on every shipped example and on generated populations.
"""
from __future__ import annotations

from engine.compile.plan import CheckedPlan, DecisionInfo
from engine.run.assemble import display, settled
from engine.run.decide import Judgements, note_status
from engine.run.records import builder
from engine.run.trace import Step
from engine.values.missing import Missing

_step = builder(Step)


def rule_step(fixed: tuple, holds, frame: tuple, terms: tuple, status: str) -> Step:
    """A rule's step: `fixed` is (name, articles, kind, outcome, reason, line, file). The fast
    path's only way to make one (engine/run/compiled.py's `_Run` for `assemble` too)."""
    reads, uses = frame
    name, articles, kind, outcome, reason, line, file = fixed
    missing = tuple(sorted(holds.paths)) if type(holds) is Missing else ()
    if terms:
        terms = tuple([(k, None if type(v) is Missing else v) for k, v in terms])
    return _step("rule", name, None, articles, tuple(reads.items()), tuple(uses.items()),
                 None if missing else holds, kind, status, outcome, reason, terms, missing, line, file)


def define_steps(fixed: tuple, recorded: list) -> list[Step]:
    """The definitions' steps, in the order computed: `recorded` holds (definition index,
    reads, uses, value); `fixed[index]` is (name, label, articles, line, file)."""
    steps = []
    for index, reads, uses, value in recorded:
        name, label, articles, line, file = fixed[index]
        missing = tuple(sorted(value.paths)) if type(value) is Missing else ()
        steps.append(_step("define", name, label, articles, tuple(reads.items()), tuple(uses.items()),
                           None if missing else value, None, None, None, None, (), missing, line, file))
    return steps


class LeanDecision:
    """One decision of a plan without a registry, traced: `explain(facts)` is what
    `assemble(plan, facts, decision.name, run)` gives."""

    def __init__(self, plan: CheckedPlan, decision: DecisionInfo, functions: dict, rule_fixed: dict,
                 define_fixed: tuple, judged: Judgements):
        self.plan, self.decision, self.judged, self.define_fixed = plan, decision, judged, define_fixed
        self.rules = [plan.rules[name] for name in decision.precedence]
        self.calls = [functions[name] for name in decision.precedence]
        self.fixed = [rule_fixed[name] for name in decision.precedence]
        self.note_calls = [functions[name] for name in decision.notes]
        self.note_fixed = [rule_fixed[name] for name in decision.notes]
        self.note_kinds = [plan.rules[name].kind for name in decision.notes]
        self.position = {name: i for i, name in enumerate(decision.precedence)}
        self.labels, self.units = display(plan)

    def explain(self, facts: dict, registry=None):
        plan, decision = self.plan, self.decision
        values, places, recorded = {}, {}, []
        results = [call(facts, values, places, recorded, registry) for call in self.calls]
        noted = [call(facts, values, places, recorded, registry) for call in self.note_calls]
        verdict, because, _ = self.judged(decision, self.rules, [result[0] for result in results])
        rule_steps = [rule_step(fixed, holds, frame, terms, status)
                      for fixed, (holds, frame, terms), status in zip(self.fixed, results, verdict.statuses)]
        notes = [rule_step(fixed, holds, frame, terms, note_status(holds))
                 for fixed, (holds, frame, terms) in zip(self.note_fixed, noted)]
        decisive = verdict.decisive
        decided_by = rule_steps[self.position[decisive.name]] if decisive is not None else None
        return settled(plan, decision, facts, verdict, because, decided_by,
                       (*define_steps(self.define_fixed, recorded), *rule_steps, *notes), notes, self.note_kinds,
                       values, self.labels, self.units)


def lean(plan: CheckedPlan, decision: DecisionInfo) -> bool:
    """Whether `LeanDecision` gives this decision's trace: no registry, each rule named once."""
    names = (*decision.precedence, *decision.notes)
    return plan.registry is None and len(set(names)) == len(names)
