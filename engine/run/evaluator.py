"""The reference evaluator: walks the checked IR over one applicant's facts.

Absent facts are not false. A value that needs an absent fact is `Missing`, carrying the
paths it lacked; `and`/`or` follow Kleene's three-valued logic, so `true or <missing>` is
true and a missing fact matters only where it could change the result. Definitions are
evaluated when first needed and remembered, so a pharmacy never computes the inpatient
formulas. This evaluator is the reference the fast path must agree with.

Registry questions (`nearest`, `count_within`) are answered by engine/run/spacing.py against the
registry passed to `evaluate`; without one, they are missing with the path `registry`.
"""
from __future__ import annotations

import weakref
from datetime import date
from typing import Any

from dsl.diagnostics import Diagnostic, PolicyError
from engine.compile import ir
from engine.compile.plan import CheckedPlan, RuleInfo
from engine.compile.types import NumT, unit_text
from engine.run import aggregates, spacing
from engine.run.arith import arith, call, compare, division_by_zero, divisor_paths
from engine.run.decide import note_status, notices, settle, why
from engine.run.trace import APPLIED, OVERRIDDEN, UNKNOWN, Article, Explanation, Step
from engine.values.missing import Missing
from engine.values.missing import missing as _missing


class _Frame:
    __slots__ = ("reads", "uses")

    def __init__(self):
        self.reads: dict[str, Any] = {}
        self.uses: dict[str, Any] = {}


class Evaluation:
    """One applicant against one plan: remembers definitions, records the trace."""

    def __init__(self, plan: CheckedPlan, facts: dict, registry=None):
        self.plan = plan
        self.facts = facts
        self.registry = registry  # engine.registry.load.Registry, or None when none was given
        self.values: dict[str, Any] = {}
        self.places: dict[str, str] = {}  # definition -> fact path its record value came from
        self.steps: list[Step] = []
        self.frames: list[_Frame] = []

    # ---- facts and places
    def _read(self, path: str, value: Any) -> None:
        if self.frames and not isinstance(value, (dict, list)):
            self.frames[-1].reads.setdefault(path, None if type(value) is Missing else value)

    def _place(self, node: ir.Node, env: dict) -> tuple[str, Any]:
        """A fact path and its value, for input references and the fields and keys under them."""
        match node:
            case ir.InputRef(path=path):
                value: Any = self.facts
                for part in path:
                    value = value.get(part) if isinstance(value, dict) else None
                dotted = ".".join(path)
                return dotted, (Missing([dotted]) if value is None else value)
            case ir.VarRef(name=name):
                return env[name]
            case ir.DefRef(name=name):
                value = self.define(name)
                return self.places.get(name, name), value
            case ir.FieldGet(base=base, name=name):
                where, record = self._place(base, env)
                path = f"{where}.{name}"
                if type(record) is Missing:
                    return path, record
                value = record.get(name) if isinstance(record, dict) else None
                return path, (Missing([path]) if value is None else value)
            case ir.IndexGet(base=base, key=key):
                where, mapping = self._place(base, env)
                k = self.eval(key, env)
                if type(k) is Missing or type(mapping) is Missing:
                    return where, _missing(mapping, k)
                path = f"{where}.{k}"
                value = mapping.get(k) if isinstance(mapping, dict) else None
                return path, (Missing([path]) if value is None else value)
        return "", self.eval(node, env)

    # ---- expressions
    def eval(self, node: ir.Node, env: dict) -> Any:
        match node:
            case ir.Const(value=v):
                return v
            case ir.InputRef() | ir.FieldGet() | ir.IndexGet() | ir.VarRef():
                path, value = self._place(node, env)
                self._read(path, value)
                return value
            case ir.DefRef(name=name):
                value = self.define(name)
                if self.frames:
                    self.frames[-1].uses.setdefault(name, None if type(value) is Missing else value)
                return value
            case ir.Arith(first=first, rest=rest):
                return self._arith(node, first, rest, env)
            case ir.Neg(operand=o):
                v = self.eval(o, env)
                return v if type(v) is Missing else -v
            case ir.Compare(left=l, op=op, right=r):
                a, b = self.eval(l, env), self.eval(r, env)
                return _missing(a, b) or compare(op, a, b)
            case ir.Member(element=e, values=values, negated=neg):
                v = self.eval(e, env)
                return v if type(v) is Missing else (v in values) != neg
            case ir.Logic(op=op, operands=operands):
                absent = []
                for operand in operands:
                    v = self.eval(operand, env)
                    if type(v) is Missing:
                        absent.append(v)
                    elif v is (op == "or"):  # true decides an `or`, false an `and`
                        return v
                return _missing(*absent) if absent else op == "and"
            case ir.Not(operand=o):
                v = self.eval(o, env)
                return v if type(v) is Missing else not v
            case ir.If(condition=c, then=t, otherwise=o):
                cond = self.eval(c, env)
                if type(cond) is Missing:
                    return cond
                return self.eval(t if cond else o, env)
            case ir.ZoneOf(mapping=mapping, arg=arg):
                v = self.eval(arg, env)
                return v if type(v) is Missing else dict(mapping).get(v, Missing([f"zone of {v}"]))
            case ir.Func(name=name, args=args):
                values = [self.eval(a, env) for a in args]
                return _missing(*values) or call(name, values)
            case ir.FirstKnown(args=args):
                absent = []
                for arg in args:  # the later ones are not even evaluated once one is known
                    v = self.eval(arg, env)
                    if type(v) is not Missing:
                        return v
                    absent.append(v)
                return _missing(*absent)
            case ir.RegistryQuery():
                return self._ask(node, env)
            case ir.SumOver(body=body, var=var, items=items):
                where, rows = self._place(items, env)
                if type(rows) is Missing:
                    self._read(where, rows)
                    return rows
                results = [self.eval(body, {**env, var: (f"{where}[{i}]", row)}) for i, row in enumerate(rows)]
                return _missing(*results) or sum(results)  # exact: no fsum, no float
            case ir.Over():
                return self._over(node, env)
            case ir.Known(arg=arg):
                return type(self.eval(arg, env)) is not Missing
            case ir.AggRef(name=name, arg=arg, per_line=per_line):
                value = aggregates.value_of(self.facts, name, self.eval(arg, env) if per_line else None)
                self._read(f"{aggregates.POPULATION_PATH}.{name}", value)
                return value
        raise TypeError(f"unknown node {type(node).__name__}")  # the checker admits no other

    def _over(self, node: ir.Over, env: dict) -> Any:
        """`any/all/count/min/max(body for v in items if where)`, three-valued row by row."""
        where, rows = self._place(node.items, env)
        if type(rows) is Missing:
            self._read(where, rows)
            return rows
        f, unknown, picked = node.function, [], []
        for i, row in enumerate(rows):
            scope = {**env, node.var: (f"{where}[{i}]", row)}
            selected = self.eval(node.where, scope) if node.where is not None else True
            if selected is False:
                continue
            value = self.eval(node.body, scope)
            if selected is not True and not over_known(f, value):
                unknown += [selected] + ([value] if type(value) is Missing else [])
                continue
            if type(value) is Missing:
                unknown.append(value)
                continue
            if f == "any" and value is True or f == "all" and value is False:
                return value
            picked.append(value)
        return over_result(f, picked, unknown, where)

    def _ask(self, node: ir.RegistryQuery, env: dict) -> Any:
        category, lat, lon = self.eval(node.category, env), self.eval(node.lat, env), self.eval(node.lon, env)
        radius = self.eval(node.radius, env) if node.radius is not None else None
        gap = _missing(category, lat, lon, radius)
        if self.registry is None:
            return Missing([*(gap.paths if gap else ()), spacing.REGISTRY_PATH])
        if gap:
            return gap
        value, key, record = spacing.ask(self.registry, node, category, lat, lon, self.eval(node.exclude_id, env), radius)
        if self.frames:
            self.frames[-1].reads.setdefault(key, record)
        return value

    def _arith(self, node: ir.Arith, first, rest, env) -> Any:
        acc = self.eval(first, env)
        for op, operand in rest:
            value = self.eval(operand, env)
            gap = _missing(acc, value)
            if gap:
                acc = gap
                continue
            if op == "/" and value == 0:
                raise division_by_zero(operand.span, divisor_paths(self.plan, operand), self.facts)
            acc = arith(op, acc, value) if type(acc) is not date else shift(acc, op, value, node.span)
        return acc

    # ---- definitions and rules
    def define(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        info = self.plan.defines[name]
        self.frames.append(_Frame())
        place, value = self._place(info.node, {}) if isinstance(info.node, (ir.InputRef, ir.FieldGet, ir.IndexGet)) else ("", None)
        if place:
            self.places[name] = place
            self._read(place, value)
        else:
            value = self.eval(info.node, {})
        frame = self.frames.pop()
        self.values[name] = value
        missing = tuple(sorted(value.paths)) if type(value) is Missing else ()
        self.steps.append(Step("define", name, info.label, self._articles(info.cites), tuple(frame.reads.items()),
                               tuple(frame.uses.items()), None if missing else value, missing=missing,
                               line=info.span.line))
        return value

    def _articles(self, ids) -> tuple[Article, ...]:
        return tuple(Article(i, self.plan.article_text(i), self.plan.interpretations.get(i, ())) for i in ids)

    def rule(self, rule: RuleInfo) -> tuple[Any, _Frame, tuple]:
        self.frames.append(_Frame())
        holds = self.eval(rule.when, {})
        terms = ()
        if holds is True:
            terms = tuple((name, self.eval(node, {})) for name, node in rule.assignments)
        frame = self.frames.pop()
        return holds, frame, terms

    def rule_step(self, rule: RuleInfo, holds, frame: _Frame, terms, status: str) -> Step:
        missing = tuple(sorted(holds.paths)) if type(holds) is Missing else ()
        terms = tuple((k, None if type(v) is Missing else v) for k, v in terms)
        return Step("rule", rule.name, None, self._articles(rule.cites), tuple(frame.reads.items()),
                    tuple(frame.uses.items()), None if missing else holds, rule.kind, status, rule.outcome,
                    rule.reason, terms, missing, rule.span.line)


def over_known(function: str, value) -> bool:
    """Whether a row whose selection is unknown still counts as known: a false condition adds
    nothing to `any` or `count` (a true one nothing to `all`), whether the row is selected or not."""
    return value is (function == "all") if function in ("any", "all", "count") else False


def over_result(function: str, picked: list, unknown: list, where: str):
    """The value of an `Over` once its rows are read (no row decided an `any` or `all` early)."""
    if function == "any":
        return _missing(*unknown) if unknown else False
    if function == "all":
        return _missing(*unknown) if unknown else True
    if unknown:
        return _missing(*unknown)
    if function == "count":
        return sum(1 for value in picked if value is True)
    if not picked:  # the least of nothing: no value, named by the list it was to come from
        return Missing([where])
    return min(picked) if function == "min" else max(picked)


def shift(day: date, op: str, duration, span):
    """A date moved by a duration (engine/values/calendar.py); past year 9999 is an error, not a traceback."""
    try:
        return day + duration if op == "+" else day - duration
    except OverflowError:
        raise PolicyError([Diagnostic("E004", f"the date {day.isoformat()} {op} {duration} is past the calendar "
                                      "(year 9999)", span, "check the dates in the facts")]) from None


def evaluate(plan: CheckedPlan, facts: dict, decision_name: str | None = None, run: Evaluation | None = None,
             registry=None) -> Explanation:
    """Decide one applicant: the outcome, the decisive rule and why, and the whole trace.

    `run` lets the compiled fast path (engine/run/compiled.py) supply the rule results while this
    function still assembles the trace; the decision itself is engine/run/decide.py's `settle`, the
    one core both paths use. `registry` (an engine.registry.load.Registry) answers the plan's
    `nearest` and `count_within` questions."""
    decision = plan.decisions[decision_name] if decision_name else plan.main_decision
    run = run or Evaluation(plan, facts, registry)
    rules = [plan.rules[name] for name in decision.precedence]
    results = [(rule, *run.rule(rule)) for rule in rules]
    verdict = settle(decision, rules, [holds for _, holds, _, _ in results])
    rule_steps = {rule.name: run.rule_step(rule, holds, frame, terms, status)
                  for (rule, holds, frame, terms), status in zip(results, verdict.statuses)}
    for name in decision.notes:
        rule = plan.rules[name]
        holds, frame, terms = run.rule(rule)
        rule_steps[name] = run.rule_step(rule, holds, frame, terms, note_status(holds))
    if plan.registry is not None:  # a rule's step names the neighbour its definitions found
        defined = {step.name: step for step in run.steps}
        rule_steps = {n: spacing.with_neighbours(plan.rules[n].when, s, defined) for n, s in rule_steps.items()}
    notes = [rule_steps[n] for n in decision.notes]
    decided_by = rule_steps[verdict.decisive.name] if verdict.decisive is not None else None
    overridden = [r.name for r, s in zip(rules, verdict.statuses) if s == OVERRIDDEN]
    steps = tuple(run.steps) + tuple(rule_steps[n] for n in (*decision.precedence, *decision.notes))
    values = {n: v for n, v in run.values.items() if type(v) is not Missing}
    labels, units = _display(plan)
    eligible = verdict.outcome == "eligible"
    return Explanation(
        plan=plan.stamp, decision=decision.name, decision_label=decision.label,
        applicant_id=subject_id(facts), as_of=_iso(facts.get("as_of")), outcome=verdict.outcome,
        decided_by=decided_by, why=why(verdict, decision, overridden), reason=verdict.reason,
        terms=decided_by.terms if decided_by is not None else (),
        # A priority (优先纳入) ranks applicants that may be admitted; it means nothing otherwise.
        priorities=tuple(s for s in notes if s.status == APPLIED and s.rule_kind == "priority") if eligible else (),
        values=tuple(values.items()), steps=steps, missing=verdict.missing, labels=labels,
        priorities_unknown=tuple(s for s in notes if s.status == UNKNOWN and s.rule_kind == "priority") if eligible else (),
        steering=tuple(s for s in notes if s.status == APPLIED and s.rule_kind == "steering"),
        otherwise_line=decision.otherwise_span.line if verdict.by_otherwise else 0,
        notices=notices(plan.stamp, facts.get("as_of")),
        units=units,
    )


_DISPLAYS: "weakref.WeakKeyDictionary[CheckedPlan, tuple[dict, dict]]" = weakref.WeakKeyDictionary()


def _display(plan: CheckedPlan) -> tuple[dict, dict]:
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


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else value
