"""The checked IR as z3 constraints, with the evaluator's three-valued semantics.

Every value is a pair: a z3 boolean saying whether it is defined (all the facts it needs are
present) and a z3 term for the value itself. `and`/`or` follow Kleene's logic as the reference
evaluator does, so a formula built here agrees with `engine.evaluate` on every assignment of the
facts, absent facts included (tests/test_solver_translate.py holds it to that). The one thing
it cannot see is a registry file: a registry question is absent unless the caller supplies the
answer the evaluator got (`registry_answers`). Numbers are z3 reals (exact rationals: a written 7.5 is 15/2),
dates are day numbers (z3 integers), enum codes and texts are integers interned per `Space`.

Where the facts come from is the `Space`'s business: `SymbolicSpace` gives every fact a fresh
variable (the semantic diff and the lints), `ConcreteSpace` the values of one facts file with
a few chosen facts left free (counterfactuals, still needed). A construct this module cannot
translate raises `Untranslatable` naming it and its place, so callers can say what they could
not prove rather than guess.
"""
from __future__ import annotations

from dsl.dataclass_cache import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

import z3

from engine.compile import ir
from engine.compile.plan import UNDETERMINED, CheckedPlan
from engine.compile.types import BoolT, DateT, EnumT, ListT, MapT, NumT, RecordT, TextT, Type


# What the solver cannot translate, said as the plan's reader knows it rather than by the class of its
# node; the views translate these phrases (render/case_whatif.py), the JSON keeps them as written.
NODE_WORDS = {"Over": "a figure of the whole population", "AggRef": "a figure of the whole population"}


class Untranslatable(Exception):
    """A construct the solver cannot express; `what` names it, `span` says where."""

    def __init__(self, what: str, span=None):
        super().__init__(what)
        self.what = what
        self.span = span


@dataclass(frozen=True)
class Val:
    defined: Any  # z3 BoolRef
    value: Any  # z3 term; meaningless where `defined` is false


TRUE, FALSE = z3.BoolVal(True), z3.BoolVal(False)


def exact(number) -> Fraction:
    """A JSON or policy number as the rational it is written as (0.1 is 1/10, not a binary float)."""
    if isinstance(number, bool):
        raise TypeError("a bool is not a number")
    if isinstance(number, float):
        return Fraction(repr(number))
    return Fraction(number)


def real(number) -> Any:
    f = exact(number)
    return z3.RealVal(f"{f.numerator}/{f.denominator}")


class Space:
    """Where facts come from; shared by the plans of one question so their facts are one."""

    def __init__(self):
        self.codes: dict[str, int] = {}
        self.texts: dict[int, str] = {}
        self.side: list = []  # conditions every assignment must meet (no division by zero, ranges)

    def code(self, text: str) -> int:
        if text not in self.codes:
            self.codes[text] = len(self.codes)
            self.texts[self.codes[text]] = text
        return self.codes[text]

    def text(self, code: int) -> str:
        return self.texts.get(code, f"other-{code}")

    def fact(self, path: tuple[str, ...], type_: Type) -> Val:
        raise NotImplementedError

    def rows(self, path: tuple[str, ...]) -> int | None:
        """How many items the list at `path` has; None when it is absent."""
        raise NotImplementedError

    def keys(self, path: tuple[str, ...]) -> tuple[str, ...]:
        """Keys of the map at `path` the facts give, besides those the plan can name."""
        return ()

    def constant(self, value, type_: Type) -> Any:
        match type_:
            case BoolT():
                return z3.BoolVal(bool(value))
            case NumT():
                return real(value)
            case DateT():
                day = value if isinstance(value, date) else date.fromisoformat(str(value))
                return z3.IntVal(day.toordinal())
            case EnumT() | TextT():
                return z3.IntVal(self.code(str(value)))
        raise Untranslatable(f"a value of type {type_.describe()}")


def sort_of(type_: Type):
    match type_:
        case BoolT():
            return z3.BoolSort()
        case NumT():
            return z3.RealSort()
        case DateT() | EnumT() | TextT():
            return z3.IntSort()
    raise Untranslatable(f"a fact of type {type_.describe()}")


def all_of(*terms):
    terms = [t for t in terms if not z3.is_true(t)]
    if any(z3.is_false(t) for t in terms):
        return FALSE
    return terms[0] if len(terms) == 1 else z3.And(*terms) if terms else TRUE


def any_of(*terms):
    terms = [t for t in terms if not z3.is_false(t)]
    if any(z3.is_true(t) for t in terms):
        return TRUE
    return terms[0] if len(terms) == 1 else z3.Or(*terms) if terms else FALSE


@dataclass(frozen=True)
class _Record:
    """A record-valued expression: which fact path it stands for, under which condition."""

    choices: tuple[tuple[Any, tuple[str, ...]], ...]  # (condition, path) alternatives
    defined: Any
    type: RecordT


@dataclass(frozen=True)
class DecisionTerm:
    """A decision as z3 terms: the outcome's code, the decisive rule's index, the `with` terms."""

    name: str
    outcome: Any  # z3 Int: an outcome code of the Space
    rule: Any  # z3 Int: index into `rules`, -1 when no rule decided
    rules: tuple[str, ...]
    terms: dict[str, Val]
    holds: dict[str, Val]  # each rule's condition


def conclusion(rule) -> tuple:
    """What a rule concludes, as engine/run/decide.py compares it: its outcome, and its own name
    when it sets terms (an unknown rule's terms are never taken to agree with another's)."""
    return (rule.outcome, rule.name if rule.assignments else None)


class Translation:
    """One plan over one Space: definitions, rules and decisions as z3 terms, built once."""

    def __init__(self, plan: CheckedPlan, space: Space, fixed_defs: dict[str, Val] | None = None,
                 registry_answers: dict[str, Any] | None = None):
        self.plan = plan
        self.space = space
        self.defs: dict[str, Val | _Record] = dict(fixed_defs or {})
        # definition -> the number its registry question gave in the evaluator's run of one case
        self.registry_answers = dict(registry_answers or {})
        self._defining: list[str] = []
        self._rules: dict[str, Val] = {}
        self._domains: dict[str, frozenset[str]] = {}

    # ---- finite domains of texts and enum values (for map keys)
    def domain(self, node: ir.Node) -> frozenset[str] | None:
        match node:
            case ir.Const(value=v) if isinstance(v, str):
                return frozenset({v})
            case ir.InputRef(type=EnumT(name=name)) | ir.FieldGet(type=EnumT(name=name)):
                enum = self.plan.enums.get(name)
                return frozenset(c for c, _ in enum.members) if enum else None
            case ir.ZoneOf(mapping=mapping):
                return frozenset(z for _, z in mapping)
            case ir.If(then=t, otherwise=o):
                a, b = self.domain(t), self.domain(o)
                return a | b if a is not None and b is not None else None
            case ir.DefRef(name=name):
                if name not in self._domains:
                    self._domains[name] = self.domain(self.plan.defines[name].node)
                return self._domains[name]
            case ir.FirstKnown(args=args):
                ds = [self.domain(a) for a in args]
                return frozenset().union(*ds) if all(d is not None for d in ds) else None
        return None

    # ---- expressions
    def define(self, name: str):
        if name not in self.defs:
            self._defining.append(name)
            try:
                self.defs[name] = self.expr(self.plan.defines[name].node, {})
            finally:
                self._defining.pop()
        return self.defs[name]

    def record(self, node: ir.Node, env: dict) -> _Record:
        match node:
            case ir.InputRef(path=path, type=RecordT() as t):
                return _Record(((TRUE, path),), TRUE, t)
            case ir.DefRef(name=name):
                value = self.define(name)
                if not isinstance(value, _Record):
                    raise Untranslatable(f"definition `{name}` used as a record", node.span)
                return value
            case ir.VarRef(name=name):
                return env[name]
            case ir.IndexGet(base=base, key=key, type=RecordT() as t):
                if not isinstance(base, ir.InputRef) or not isinstance(base.type, MapT):
                    raise Untranslatable("a map that is not a declared fact", node.span)
                k = self.expr(key, env)
                keys = self.domain(key)
                if keys is None:
                    raise Untranslatable("a map key whose values cannot be listed", key.span)
                keys = sorted(keys | set(self.space.keys(base.path)))
                choices = tuple((k.value == self.space.code(name), (*base.path, name)) for name in keys)
                return _Record(choices, all_of(k.defined, any_of(*(c for c, _ in choices))), t)
        raise Untranslatable(f"a record-valued `{type(node).__name__}`", node.span)

    def expr(self, node: ir.Node, env: dict) -> Val:
        space = self.space
        match node:
            case ir.Const(value=v, type=t):
                return Val(TRUE, space.constant(v, t))
            case ir.InputRef(path=path, type=t):
                if isinstance(t, (RecordT, MapT, ListT)):
                    return self.record(node, env)
                return space.fact(path, t)
            case ir.DefRef(name=name):
                return self.define(name)
            case ir.VarRef(name=name):
                return env[name]
            case ir.FieldGet(base=base, name=name, type=t):
                rec = self.record(base, env)
                values = [(c, space.fact((*p, name), t)) for c, p in rec.choices]
                if len(values) == 1:
                    c, v = values[0]
                    return Val(all_of(rec.defined, v.defined), v.value)
                defined, value = FALSE, values[-1][1].value
                for c, v in reversed(values):
                    defined = z3.If(c, v.defined, defined)
                    value = z3.If(c, v.value, value)
                return Val(all_of(rec.defined, defined), value)
            case ir.IndexGet():
                return self.record(node, env)
            case ir.Arith(first=first, rest=rest):
                acc = self.expr(first, env)
                for op, operand in rest:
                    v = self.expr(operand, env)
                    if op == "/":
                        # INVARIANT: the evaluator stops with E001 on a zero divisor, so no
                        # assignment the solver offers may divide by zero where it is evaluated.
                        space.side.append(z3.Implies(all_of(acc.defined, v.defined), v.value != 0))
                    term = {"+": lambda a, b: a + b, "-": lambda a, b: a - b,
                            "*": lambda a, b: a * b, "/": lambda a, b: a / b}[op](acc.value, v.value)
                    acc = Val(all_of(acc.defined, v.defined), term)
                return acc
            case ir.Neg(operand=o):
                v = self.expr(o, env)
                return Val(v.defined, -v.value)
            case ir.Compare(left=l, op=op, right=r):
                a, b = self.expr(l, env), self.expr(r, env)
                term = {"=": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y,
                        "<=": lambda x, y: x <= y, ">": lambda x, y: x > y, ">=": lambda x, y: x >= y}[op](a.value, b.value)
                return Val(all_of(a.defined, b.defined), term)
            case ir.Member(element=e, values=values, negated=neg):
                v = self.expr(e, env)
                inside = any_of(*(v.value == space.code(x) for x in sorted(values)))
                return Val(v.defined, z3.Not(inside) if neg else inside)
            case ir.Logic(op=op, operands=operands):
                vs = [self.expr(o, env) for o in operands]
                if op == "and":
                    decided = any_of(*(all_of(v.defined, z3.Not(v.value)) for v in vs))
                    value = all_of(*(all_of(v.defined, v.value) for v in vs))
                else:
                    decided = any_of(*(all_of(v.defined, v.value) for v in vs))
                    value = decided
                return Val(any_of(decided, all_of(*(v.defined for v in vs))), value)
            case ir.Not(operand=o):
                v = self.expr(o, env)
                return Val(v.defined, z3.Not(v.value))
            case ir.If(condition=c, then=t, otherwise=o):
                cv, tv, ov = self.expr(c, env), self.expr(t, env), self.expr(o, env)
                if isinstance(tv, _Record) or isinstance(ov, _Record):
                    raise Untranslatable("`if` choosing between records", node.span)
                return Val(all_of(cv.defined, z3.If(cv.value, tv.defined, ov.defined)), z3.If(cv.value, tv.value, ov.value))
            case ir.ZoneOf(mapping=mapping, arg=arg):
                v = self.expr(arg, env)
                value, known = z3.IntVal(-1), FALSE
                for member, zone in mapping:
                    hit = v.value == space.code(member)
                    value = z3.If(hit, space.code(zone), value)
                    known = any_of(known, hit)
                return Val(all_of(v.defined, known), value)
            case ir.Func(name=name, args=args):
                vs = [self.expr(a, env) for a in args]
                defined = all_of(*(v.defined for v in vs))
                x = vs[0].value
                if name == "floor":
                    return Val(defined, z3.ToReal(z3.ToInt(x)))
                if name == "ceil":
                    return Val(defined, -z3.ToReal(z3.ToInt(-x)))
                if name == "abs":
                    return Val(defined, z3.If(x >= 0, x, -x))
                if name == "round":  # Python's round: half to even
                    f = z3.ToReal(z3.ToInt(x))
                    d = x - f
                    even = z3.ToInt(f) % 2 == 0
                    return Val(defined, z3.If(d < Fraction(1, 2), f, z3.If(d > Fraction(1, 2), f + 1, z3.If(even, f, f + 1))))
                if name in ("min", "max"):
                    acc = x
                    for v in vs[1:]:
                        acc = z3.If(v.value < acc, v.value, acc) if name == "min" else z3.If(v.value > acc, v.value, acc)
                    return Val(defined, acc)
                raise Untranslatable(f"function `{name}`", node.span)
            case ir.FirstKnown(args=args):
                vs = [self.expr(a, env) for a in args]
                defined, value = FALSE, vs[-1].value
                for v in reversed(vs):
                    value = z3.If(v.defined, v.value, value)
                    defined = any_of(v.defined, defined)
                return Val(defined, value)
            case ir.RegistryQuery():
                # The registry is a file, not a fact: the solver reasons about the distance the
                # facts give (applicant.nearest_same_category_m), or about the answer the
                # evaluator got from the registry for one case; otherwise it is absent here.
                answer = self.registry_answers.get(self._defining[-1]) if self._defining else None
                if answer is not None:
                    return Val(TRUE, real(answer))
                return Val(FALSE, z3.RealVal(0))
            case ir.SumOver(body=body, var=var, items=items):
                if not isinstance(items, ir.InputRef) or not isinstance(items.type, ListT):
                    raise Untranslatable("a sum over something other than a declared list", node.span)
                n = space.rows(items.path)
                if n is None:
                    return Val(FALSE, z3.RealVal(0))
                defined, total = TRUE, z3.RealVal(0)
                for i in range(n):
                    row = _Record(((TRUE, (*items.path, str(i))),), TRUE, items.type.item)
                    v = self.expr(body, {**env, var: row})
                    defined, total = all_of(defined, v.defined), total + v.value
                return Val(defined, total)
        raise Untranslatable(NODE_WORDS.get(type(node).__name__, f"`{type(node).__name__}`"), getattr(node, "span", None))

    # ---- rules and decisions
    def rule(self, name: str) -> Val:
        if name not in self._rules:
            v = self.expr(self.plan.rules[name].when, {})
            self._rules[name] = v
        return self._rules[name]

    def decision(self, name: str | None = None) -> DecisionTerm:
        info = self.plan.decisions[name] if name else self.plan.main_decision
        space = self.space
        holds = {r: self.rule(r) for r in info.precedence}
        rules = [self.plan.rules[r] for r in info.precedence]
        undetermined = z3.IntVal(space.code(UNDETERMINED))

        # engine/run/decide.py's `settle`, as terms: the first rule that holds decides (or the
        # `otherwise` when none does), unless a rule above it cannot be told and concludes
        # otherwise; an unknown rule that concludes the same changes nothing (partial evaluation).
        def open_above(j: int, final: tuple) -> Any:
            return any_of(*(z3.Not(holds[rules[i].name].defined) for i in range(j) if conclusion(rules[i]) != final))

        outcome = z3.If(open_above(len(rules), (info.otherwise, None)), undetermined,
                        z3.IntVal(space.code(info.otherwise)))
        index = z3.IntVal(-1)
        for j in reversed(range(len(rules))):
            h = holds[rules[j].name]
            decides = all_of(h.defined, h.value)
            blocked = open_above(j, conclusion(rules[j]))
            outcome = z3.If(decides, z3.If(blocked, undetermined, space.code(rules[j].outcome)), outcome)
            index = z3.If(decides, z3.If(blocked, -1, j), index)
        terms: dict[str, Val] = {}
        for i, r in enumerate(info.precedence):
            for term, node in self.plan.rules[r].assignments:
                v = self.expr(node, {})
                old = terms.get(term, Val(FALSE, z3.RealVal(0)))
                chosen = index == i
                terms[term] = Val(z3.If(chosen, v.defined, old.defined), z3.If(chosen, v.value, old.value))
        # A term no rule of the decision decides stays undefined where another rule decides.
        for term, v in list(terms.items()):
            sets = [i for i, r in enumerate(info.precedence) if any(t == term for t, _ in self.plan.rules[r].assignments)]
            terms[term] = Val(all_of(v.defined, any_of(*(index == i for i in sets))), v.value)
        return DecisionTerm(info.name, outcome, index, info.precedence, terms, holds)
