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

from datetime import date
from typing import Any

from engine.compile import ir
from engine.compile.plan import CheckedPlan, RuleInfo
from engine.run import aggregates, spacing
from engine.run.arith import arith, call, compare, division_by_zero, divisor_paths, over_known, over_result, shift
from engine.run.assemble import assemble
from engine.run.trace import Article, Explanation, Step
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
                               line=info.span.line, file=self.plan.file_of(info.span)))
        return value

    def _articles(self, ids) -> tuple[Article, ...]:
        return tuple(Article(i, self.plan.article_text(i), self.plan.readings(i)) for i in ids)

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
                    rule.reason, terms, missing, rule.span.line, self.plan.file_of(rule.span))


def evaluate(plan: CheckedPlan, facts: dict, decision_name: str | None = None, registry=None) -> Explanation:
    """Decide one applicant by the reference evaluator: the outcome, the decisive rule and why,
    and the whole trace (engine/run/assemble.py). `registry` (an engine.registry.load.Registry)
    answers the plan's `nearest` and `count_within` questions."""
    return assemble(plan, facts, decision_name, Evaluation(plan, facts, registry))
