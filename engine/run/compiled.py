"""The fast path: a checked plan compiled once into Python functions, then run many times.

`fast_path(plan)` gives a `CompiledPlan` (made once per plan and remembered):
  explain(facts)  the same `Explanation` the reference `evaluate` gives, trace and all
  decide(facts)   a `Decision`: outcome, decisive rule, terms, values, missing; no trace,
                  for batch runs where the audit record is not wanted

engine/run/codegen.py writes the functions from the IR; this module runs them, and the trace is
assembled by engine/run/lean.py (a plan without a registry) or engine/run/assemble.py as for
the reference evaluator (engine/run/evaluator.py, which it never calls: tests check the two
agree on every shipped example and on generated populations).
"""
from __future__ import annotations

import marshal
import math
import weakref
from dsl.dataclass_cache import dataclass
from typing import Any

from engine.compile.plan import UNDETERMINED, CheckedPlan, DecisionInfo, PlanStamp, RuleInfo
from engine.run.aggregates import value_of
from engine.run.arith import division_by_zero, over_known, over_result, shift
from engine.run.assemble import assemble, iso, subject_id
from engine.run.decide import Judgements, note_status, notices
from engine.run.lean import LeanDecision, define_steps, lean, rule_step
from engine.run.records import builder
from engine.run.trace import APPLIED, UNKNOWN, Article, Explanation, Step
from engine.values.missing import Missing
from engine.values.missing import missing as _missing
from engine.values.numbers import divide, multiply


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision without its trace: what a batch line reports."""

    plan: PlanStamp
    decision: str
    applicant_id: str | None
    as_of: str | None
    outcome: str
    rule: str | None  # the decisive rule, if one decided
    rule_kind: str | None
    articles: tuple[str, ...]  # the ids the decisive rule cites
    reason: str | None
    terms: tuple[tuple[str, Any], ...]
    priorities: tuple[str, ...]  # priority notes that hold, when the outcome is eligible
    values: tuple[tuple[str, Any], ...]
    missing: tuple[str, ...]
    priorities_unknown: tuple[str, ...] = ()  # priority notes whose facts are absent (eligible only)
    steering: tuple[str, ...] = ()  # steering notes that hold (what the plan means to shrink or grow)
    notices: tuple[str, ...] = ()  # a draft applied, a decision before the plan takes effect

    @property
    def by_otherwise(self) -> bool:
        return self.rule is None and self.outcome != UNDETERMINED


_decision = builder(Decision)
_UNSET = object()


# Fact reads of the generated code: the reference's walk down the facts (a part that is not
# an object, or null, makes the fact absent), one function per depth.
def _at1(f, a, absent):
    v = f.get(a) if isinstance(f, dict) else None
    return absent if v is None else v


def _at2(f, a, b, absent):
    v = f.get(a) if isinstance(f, dict) else None
    v = v.get(b) if isinstance(v, dict) else None
    return absent if v is None else v


def _at3(f, a, b, c, absent):
    v = f.get(a) if isinstance(f, dict) else None
    v = v.get(b) if isinstance(v, dict) else None
    v = v.get(c) if isinstance(v, dict) else None
    return absent if v is None else v


def _at4(f, a, b, c, d, absent):
    return _at1(_at3(f, a, b, c, None), d, absent)


def _at(f, path, absent):
    for part in path:
        f = f.get(part) if isinstance(f, dict) else None
    return absent if f is None else f


def _ask(*question):
    from engine.run import spacing  # only plans that ask the registry load it

    return spacing.ask(*question)


def _no_registry(gap: Missing | None) -> Missing:
    from engine.run import spacing

    return Missing([*(gap.paths if gap else ()), spacing.REGISTRY_PATH])


_RUNTIME = {"Missing": Missing, "_missing": _missing, "_U": _UNSET, "_dict": dict, "_DL": (dict, list),
            "_floor": math.floor, "_ceil": math.ceil, "_sum": sum, "_div": divide, "_mul": multiply, "_div0": division_by_zero, "_ask": _ask,
            "_no_registry": _no_registry, "_shift": shift, "_aggregate": value_of, "_over_known": over_known, "_over_result": over_result, "_at1": _at1, "_at2": _at2, "_at3": _at3, "_at4": _at4, "_at": _at}


def _generate(plan: CheckedPlan, trace: bool) -> tuple[bytes, dict, tuple[str, ...]]:
    """The generated functions of a plan, compiled, as marshal bytes (the plan cache keeps
    them: compiling took a cold explain longer than deciding), with their constants table and
    the rule names in the order of `Q0`, `Q1`, ..."""
    from engine.run.codegen import generate  # a plan whose code is cached never loads the generator

    from engine.compile.collector import collector_paused

    with collector_paused():  # as the compiler does: many long-lived objects, no cycles
        generated = generate(plan, trace)
        where = f"<fast path of plan {plan.stamp.id!r}{' with trace' if trace else ''}>"
        code = tuple(compile(function, where, "exec") for function in generated.functions)
    return marshal.dumps(code), generated.constants, generated.rules


class _Module:
    """The generated functions of one plan, in one mode."""

    def __init__(self, plan: CheckedPlan, trace: bool):
        from engine.facts.plancache import artefact

        code, constants, rules = artefact(plan, f"fast path{' with trace' if trace else ''}",
                                          lambda: _generate(plan, trace))
        namespace = {**_RUNTIME, **constants}
        for function in marshal.loads(code):
            exec(function, namespace)
        self.rules = {name: namespace[f"Q{i}"] for i, name in enumerate(rules)}


class CompiledPlan:
    def __init__(self, plan: CheckedPlan):
        self.plan = plan
        self._modules: dict[bool, _Module] = {}
        self._judged = Judgements()  # the verdicts of this plan's decisions, by what their rules gave
        self._lean: dict[str | None, LeanDecision | bool] = {}  # by decision name: how `explain` traces it
        self._plain: dict[str | None, tuple] = {}  # by decision name: what `decide` runs
        articles = {}
        for info in (*plan.defines.values(), *plan.rules.values()):
            for i in info.cites:
                articles.setdefault(i, Article(i, plan.article_text(i), plan.readings(i)))
        self.articles = {name: tuple(articles[i] for i in info.cites) for name, info in
                         (*plan.defines.items(), *plan.rules.items())}
        self.define_steps = tuple((name, info.label, self.articles[name], info.span.line, plan.file_of(info.span))
                                  for name, info in plan.defines.items())
        self.rule_steps = {name: (name, self.articles[name], info.kind, info.outcome, info.reason, info.span.line,
                                  plan.file_of(info.span)) for name, info in plan.rules.items()}

    def module(self, trace: bool) -> _Module:
        if trace not in self._modules:
            self._modules[trace] = _Module(self.plan, trace)
        return self._modules[trace]

    def _decision(self, name: str | None) -> DecisionInfo:
        return self.plan.decisions[name] if name else self.plan.main_decision

    # ---- with trace: engine/run/lean.py's assembly, or (a plan with a registry) engine/run/assemble.py's
    def explain(self, facts: dict, decision_name: str | None = None, registry=None) -> Explanation:
        """Decide one applicant with the whole trace; equal to the reference `evaluate(plan, facts)`.
        `registry` (an engine.registry.load.Registry) answers `nearest` and `count_within`."""
        traced = self._lean.get(decision_name)
        if traced is None:
            decision = self._decision(decision_name)
            traced = self._lean[decision_name] = (
                LeanDecision(self.plan, decision, self.module(True).rules, self.rule_steps, self.define_steps,
                             self._judged) if lean(self.plan, decision) else False)
        if traced:
            return traced.explain(facts, registry)
        return assemble(self.plan, facts, decision_name, _Run(self, facts, registry), self._judged)

    # ---- without trace: only what the outcome needs, and every value the plan computed
    def decide(self, facts: dict, decision_name: str | None = None, registry=None) -> Decision:
        """The outcome, decisive rule, terms, values and missing facts of one applicant; the
        same as `explain` gives, without recording the trace."""
        plain = self._plain.get(decision_name)
        if plain is None:
            plain = self._plain[decision_name] = self._plain_decision(decision_name)
        decision, rules, calls, note_calls = plain
        plan = self.plan
        values: dict = {}
        places: dict = {}
        results = [call(facts, values, places, registry) for call in calls]  # every rule runs: the values must be the reference's
        verdict = self._judged(decision, rules, [holds for holds, _ in results])[0]
        rule = verdict.decisive
        terms: tuple = ()
        if rule is not None:
            terms = tuple([(k, None if type(v) is Missing else v) for k, v in results[decision.precedence.index(rule.name)][1]])
        priorities = priorities_unknown = steering = ()
        if note_calls:
            notes = [(name, note_status(call(facts, values, places, registry)[0]), kind) for name, call, kind in note_calls]
            if verdict.outcome == "eligible":
                priorities = tuple(n for n, s, k in notes if s == APPLIED and k == "priority")
                priorities_unknown = tuple(n for n, s, k in notes if s == UNKNOWN and k == "priority")
            steering = tuple(n for n, s, k in notes if s == APPLIED and k == "steering")
        as_of = facts.get("as_of")
        return _decision(
            plan.stamp, decision.name, subject_id(facts), iso(as_of), verdict.outcome,
            rule and rule.name, rule and rule.kind, rule.cites if rule else (), verdict.reason, terms, priorities,
            tuple([(n, v) for n, v in values.items() if type(v) is not Missing]), verdict.missing,
            priorities_unknown, steering, notices(plan.stamp, as_of))

    def _plain_decision(self, name: str | None) -> tuple:
        """What `decide` needs of a decision, looked up once: the decision, its precedence's
        rules and their functions, and its notes as (name, function, kind)."""
        decision, run = self._decision(name), self.module(False).rules
        return (decision, [self.plan.rules[n] for n in decision.precedence], [run[n] for n in decision.precedence],
                [(n, run[n], self.plan.rules[n].kind) for n in decision.notes])


class _Run:
    """A run (engine/run/assemble.py's `Run`) whose `rule`, `rule_step`, `steps` and `values`
    are computed by the generated functions, as the reference's `Evaluation` computes them."""

    __slots__ = ("compiled", "facts", "registry", "run", "values", "places", "recorded", "_steps")

    def __init__(self, compiled: CompiledPlan, facts: dict, registry=None):
        self.compiled = compiled
        self.facts = facts
        self.registry = registry
        self.run = compiled.module(True).rules
        self.values: dict = {}
        self.places: dict = {}
        self.recorded: list = []  # (definition index, reads, uses, value), in the order computed
        self._steps: list[Step] = []  # the steps of recorded[:len(_steps)], made once

    def rule(self, rule: RuleInfo):
        """(holds, frame, terms), the frame being the (reads, uses) dicts of the rule."""
        return self.run[rule.name](self.facts, self.values, self.places, self.recorded, self.registry)

    def rule_step(self, rule: RuleInfo, holds, frame, terms, status: str) -> Step:
        return rule_step(self.compiled.rule_steps[rule.name], holds, frame, terms, status)

    @property
    def steps(self) -> list[Step]:
        """The definitions' steps, in the order computed. `assemble` reads them twice for a plan
        with a registry (沈阳: about twenty steps a decision, made twice), so each is made once;
        definitions recorded since the last read are added."""
        steps = self._steps
        steps += define_steps(self.compiled.define_steps, self.recorded[len(steps):])
        return steps


_COMPILED: "weakref.WeakKeyDictionary[CheckedPlan, CompiledPlan]" = weakref.WeakKeyDictionary()


def fast_path(plan: CheckedPlan) -> CompiledPlan:
    """The compiled form of a plan, made on first use and kept as long as the plan lives."""
    compiled = _COMPILED.get(plan)
    if compiled is None:
        compiled = _COMPILED[plan] = CompiledPlan(plan)
    return compiled


def explain(plan: CheckedPlan, facts: dict, decision_name: str | None = None, registry=None) -> Explanation:
    return fast_path(plan).explain(facts, decision_name, registry)


def decide(plan: CheckedPlan, facts: dict, decision_name: str | None = None, registry=None) -> Decision:
    return fast_path(plan).decide(facts, decision_name, registry)
