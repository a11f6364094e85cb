"""Counterfactuals: the smallest change of one fact that would flip an outcome, exactly.

For the decisive rule (what would make the outcome another) and for every rule that would give
an outcome the applicant prefers but did not decide (what would make it decide), each fact the
rule reads, directly or through its definitions, is set free while every other fact keeps its
value. The outcome is then a formula in that one fact; the solver finds the points where any
comparison in it can change truth (the roots of each side's difference, and the points where a
divisor is zero: engine/solver/numberline.py), and between two such points the outcome
cannot change. So the nearest flip is exact: `> 800` (strict) or `>= 7.5`, with a value that
shows it (800.1) and, for a `count`, the whole number it takes. A definition the rule compares (测算值) is treated the same way, as
if it were a fact, so the report can say "测算值 would have to exceed 8.2" beside the facts that
would get it there. Facts no value of which flips the outcome are listed as such.

Every fact-level change is applied to the facts and decided again by the reference evaluator;
the record says whether that run gave the outcome claimed (`confirmed`).
"""
from __future__ import annotations

import copy
import re
from dsl.dataclass_cache import dataclass
from datetime import date
from fractions import Fraction

import z3

from engine.compile import ir
from engine.compile.plan import CheckedPlan
from engine.compile.types import BoolT, DateT, EnumT, ListT, MapT, NumT, RecordT, Type
from engine.solver.numberline import breakpoints, holds_at, json_number, nearest, rational_text, writes_exactly
from engine.solver.semantic_diff import RANK
from engine.solver.spaces import FIRST_DAY, LAST_DAY, ConcreteSpace, matches, whole_number_paths
from engine.solver.translate import TRUE, Translation, Untranslatable, Val, exact, real

DECISIVE, PREFERRED = "decisive", "preferred"


@dataclass(frozen=True)
class Change:
    what: str  # a fact path (applicant.nearest_same_category_m) or a definition name (测算值)
    kind: str  # "fact" | "definition"
    current: object
    relation: str  # ">", ">=", "<", "<=", "="
    bound: object  # the exact bound (a number, date, bool or enum code)
    exact: str  # the bound as an exact rational when it is not a short decimal ("41/5")
    example: object  # a value on the far side of the bound, as the facts would write it
    outcome: str  # the outcome with the example value
    confirmed: bool | None  # the evaluator gives `outcome` for the changed facts (None: a definition)


@dataclass(frozen=True)
class Target:
    rule: str
    role: str  # "decisive": what would undo it; "preferred": what would make it decide
    concludes: str  # the rule's outcome
    articles: tuple[str, ...]
    changes: tuple[Change, ...]
    cannot: tuple[str, ...]  # facts it reads that no single value of flips the outcome
    unanalysed: tuple[str, ...] = ()  # facts the solver could not reason about (why, for each)


@dataclass(frozen=True)
class WhatIf:
    outcome: str
    targets: tuple[Target, ...]
    notes: tuple[str, ...] = ()


def split_path(path: str) -> tuple[str, ...]:
    return tuple(p for p in re.split(r"[.\[\]]+", path) if p)


def type_at(plan: CheckedPlan, path: tuple[str, ...]) -> Type | None:
    """The declared type of a concrete fact path (map keys and list indexes included)."""
    for info in plan.inputs.values():
        n = len(info.path)
        if path[:n] != info.path:
            continue
        t, rest = info.type, list(path[n:])
        while rest:
            if isinstance(t, MapT) or isinstance(t, ListT):
                rest.pop(0)
                t = t.value if isinstance(t, MapT) else t.item
            elif isinstance(t, RecordT):
                t = t.field(rest.pop(0))
                if t is None:
                    return None
            else:
                return None
        return None if isinstance(t, (RecordT, MapT, ListT)) else t
    return None


def label_of(plan: CheckedPlan, dotted: str) -> str | None:
    """The Chinese name the plan gives a fact: its alias or label, or its record field's label."""
    from dsl import ast

    path = split_path(dotted)
    info = plan.inputs.get(dotted)
    if info is not None:
        return info.alias or info.label
    for item in plan.policy.items:
        if isinstance(item, ast.InputDecl) and path[:len(item.path)] == item.path:
            t, rest = item.type, list(path[len(item.path):])
            label = None
            while rest and t is not None:
                if isinstance(t, (ast.MapType, ast.ListType)):
                    rest.pop(0)
                    t = t.value if isinstance(t, ast.MapType) else t.item
                elif isinstance(t, ast.RecordType):
                    name = rest.pop(0)
                    field = next((f for f in t.fields if f.name == name), None)
                    t, label = (field.type, field.label) if field else (None, None)
                else:
                    break
            return label
    return None


def _rank(outcome: str) -> int:
    return RANK.get(outcome, 0)


class _Case:
    def __init__(self, plan: CheckedPlan, facts: dict, explanation, decision: str | None):
        self.plan, self.facts, self.explanation = plan, facts, explanation
        self.decision = plan.decisions[decision] if decision else plan.main_decision
        self.whole = whole_number_paths(plan)
        values = dict(explanation.values)
        # A registry question keeps the answer the evaluator found (the registry is a file, not
        # a fact); it stands for the definition's value only when the facts gave no distance.
        self.registry_answers = {}
        for step in explanation.steps:
            if step.kind == "define" and any(path.startswith("registry.") for path, _ in step.reads):
                if step.name in values:
                    self.registry_answers[step.name] = values[step.name]

    def translate(self, free_path=None, free_def=None):
        var = None
        free = {}
        space_fixed = {}
        if free_path is not None:
            t = type_at(self.plan, free_path)
            var = self._var(".".join(free_path), t, free_path)
            free[free_path] = var
        space = ConcreteSpace(self.facts, free)
        if free_def is not None:
            t = self.plan.defines[free_def].type
            var = self._var(free_def, t, None)
            space_fixed[free_def] = Val(TRUE, var)
        tr = Translation(self.plan, space, space_fixed, self.registry_answers)
        return tr, tr.decision(self.decision.name), var, space

    def _var(self, name, t, path):
        if isinstance(t, NumT):
            if path is not None and any(matches(p, path) for p in self.whole):
                return z3.ToReal(z3.Int(name))
            return z3.Real(name)
        if isinstance(t, BoolT):
            return z3.Bool(name)
        if isinstance(t, (DateT, EnumT)):
            return z3.Int(name)
        raise Untranslatable(f"a fact of type {t.describe() if t else '?'}")


def what_if(plan: CheckedPlan, facts: dict, explanation, decision: str | None = None) -> WhatIf:
    """The counterfactuals of one decided case (see the module's docstring)."""
    case = _Case(plan, facts, explanation, decision)
    outcome = explanation.outcome
    if outcome == "undetermined":
        return WhatIf(outcome, (), ("the outcome is undetermined: see the facts still needed",))
    try:
        _, d, _, space = case.translate()
    except Untranslatable as error:
        return WhatIf(outcome, (), (f"{error.what} cannot be translated; no counterfactual is computed",))
    now = z3.simplify(d.outcome)
    if not z3.is_int_value(now) or space.text(now.as_long()) != outcome:
        return WhatIf(outcome, (), ("the solver's reading of this case differs from the evaluator's; no counterfactual "
                                    "is claimed",))
    decided = explanation.decided_by.name if explanation.decided_by is not None else None
    targets = []
    for index, name in enumerate(case.decision.precedence):
        rule = plan.rules[name]
        if name == decided:
            role = DECISIVE
        elif _rank(rule.outcome) > _rank(outcome):
            role = PREFERRED
        else:
            continue
        # What keeps a preferred rule from deciding may be the rule that decides instead (the
        # 800 m spacing above an admission), so its facts are tried too.
        blocker = plan.rules[decided] if role == PREFERRED and decided else None
        targets.append(_target(case, index, rule, role, outcome, blocker))
    return WhatIf(outcome, tuple(targets))


def _reads(case: _Case, rule) -> tuple[list[tuple[str, ...]], list[str]]:
    """Facts (concrete paths) and compared definitions a rule depends on, in a stable order."""
    defs: list[str] = []
    stack = [rule.when]
    paths: dict[tuple[str, ...], None] = {}
    compared: list[str] = []
    for sub in ir.walk(rule.when):
        if isinstance(sub, ir.Compare):
            for side in (sub.left, sub.right):
                if isinstance(side, ir.DefRef) and isinstance(side.type, NumT) and side.name not in compared:
                    if not isinstance(case.plan.defines[side.name].node, ir.Const):
                        compared.append(side.name)
    while stack:
        node = stack.pop()
        for sub in ir.walk(node):
            if isinstance(sub, ir.DefRef) and sub.name not in defs:
                defs.append(sub.name)
                stack.append(case.plan.defines[sub.name].node)
            elif isinstance(sub, ir.InputRef) and type_at(case.plan, sub.path) is not None:
                paths.setdefault(sub.path)
    names = {rule.name, *defs}
    for step in case.explanation.steps:
        if step.name in names:
            for path, _ in step.reads:
                p = split_path(path)
                if p and p[0] != "registry" and type_at(case.plan, p) is not None:
                    paths.setdefault(p)
    return list(paths), compared


def _goal(d, index: int, role: str, rule, space, outcome: str):
    if role == DECISIVE:
        return z3.And(d.outcome != space.code(outcome), d.outcome != space.code("undetermined"))
    return z3.And(d.rule == index, d.outcome == space.code(rule.outcome))


def _target(case: _Case, index: int, rule, role: str, outcome: str, blocker=None) -> Target:
    paths, compared = _reads(case, rule)
    own = set(paths)
    if blocker is not None:
        more, more_compared = _reads(case, blocker)
        paths += [p for p in more if p not in paths]
        compared += [c for c in more_compared if c not in compared]
    changes, cannot, unanalysed = [], [], []
    for name in compared:
        try:
            c = _search(case, index, rule, role, outcome, None, name)
        except Untranslatable as error:
            unanalysed.append(f"{name}: {error.what}")
            c = None
        if c is not None:
            changes.append(c)
    for path in paths:
        try:
            c = _search(case, index, rule, role, outcome, path, None)
        except Untranslatable as error:  # not "cannot change it": the solver does not know
            if path in own:
                unanalysed.append(f"{'.'.join(path)}: {error.what}")
            continue
        if c is None:
            if path in own:  # the deciding rule's facts are reported under that rule
                cannot.append(".".join(path))
        else:
            changes.append(c)
    return Target(rule.name, role, rule.outcome, rule.cites, tuple(changes), tuple(cannot), tuple(unanalysed))


# ---- one fact free: the nearest value that flips the outcome ---------------------------------

def _search(case: _Case, index, rule, role, outcome, path, def_name) -> Change | None:
    tr, d, var, space = case.translate(path, def_name)
    goal = _goal(d, index, role, rule, space, outcome)
    t = type_at(case.plan, path) if path is not None else case.plan.defines[def_name].type
    what = ".".join(path) if path is not None else def_name
    current = space.lookup(path) if path is not None else dict(case.explanation.values).get(def_name)
    side = [c for c in space.side]
    domain = _domain(t, var, case, path)
    g = z3.simplify(z3.And(goal, *side, *domain))
    if z3.is_false(g):
        return None
    base = var.arg(0) if z3.is_app_of(var, z3.Z3_OP_TO_REAL) else var
    holds = holds_at(g, base)
    if isinstance(t, BoolT):
        flipped = not bool(current) if current is not None else True
        if not holds(z3.BoolVal(flipped)):
            return None
        return _change(case, what, "fact" if path else "definition", current, "=", flipped, flipped, path, d, space,
                       base, role, rule, outcome, index)
    if isinstance(t, EnumT):
        members = [c for c, _ in case.plan.enums[t.name].members if c != current]
        for m in members:
            if holds(z3.IntVal(space.code(m))):
                return _change(case, what, "fact" if path else "definition", current, "=", m, m, path, d, space,
                               base, role, rule, outcome, index)
        return None
    if not isinstance(t, (NumT, DateT)):
        return None
    # An absent fact is searched from zero: what value, if the facts gave one, would flip it.
    x0 = Fraction(0) if current is None else Fraction(date.fromisoformat(str(current)).toordinal()) if isinstance(t, DateT) else exact(current)
    integral = base.sort() == z3.IntSort()
    if integral and z3.is_app_of(var, z3.Z3_OP_TO_REAL):
        # A whole number's thresholds are found over the reals (a count must exceed 143,400.5…),
        # then the first whole number past each is probed.
        r = z3.Real(f"{what} (real)")
        points = breakpoints(z3.substitute(g, (var, r)), r)
    else:
        points = breakpoints(g, base)
    found = nearest(g, base, x0, integral, holds, points)
    if found is None:
        return None
    relation, bound, example = found
    if isinstance(t, DateT):
        shown = date.fromordinal(int(bound)).isoformat()
        ex = date.fromordinal(int(example)).isoformat()
        return _change(case, what, "fact" if path else "definition", current, relation, shown, ex, path, d, space,
                       base, role, rule, outcome, index, exact_text=shown)
    shown = None if relation == "=" and not writes_exactly(bound) else json_number(example)
    return _change(case, what, "fact" if path else "definition", current, relation, json_number(bound), shown,
                   path, d, space, base, role, rule, outcome, index, exact_text=rational_text(bound), exact_point=bound)


def _domain(t, var, case, path):
    base = var.arg(0) if z3.is_app_of(var, z3.Z3_OP_TO_REAL) else var
    if isinstance(t, NumT):
        if t.display == "fraction":
            return [var >= 0, var <= 1]
        if path is not None:  # a fact is a quantity; a definition (a gap, a coefficient) may be negative
            return [var >= 0]
        return []
    if isinstance(t, DateT):
        return [base >= FIRST_DAY, base <= LAST_DAY]
    return []


def _change(case, what, kind, current, relation, bound, example, path, d, space, base, role, rule, outcome, index,
            exact_text=None, exact_point=None) -> Change:
    if example is None:
        # Only one exact point flips it, and no decimal a facts file can hold is that point: say
        # so, and offer no example that would not be it.
        got = z3.simplify(z3.substitute(d.outcome, (base, real(exact_point))))
        return Change(what, kind, current, relation, bound, exact_text or str(bound), None,
                      space.text(got.as_long()) if z3.is_int_value(got) else "?", None)
    z3_value = (z3.BoolVal(example) if isinstance(example, bool) else
                z3.IntVal(space.code(example)) if isinstance(example, str) and not _is_date(example) else
                z3.IntVal(date.fromisoformat(example).toordinal()) if isinstance(example, str) else
                (z3.IntVal(int(example)) if base.sort() == z3.IntSort() else real(example)))
    got = z3.simplify(z3.substitute(d.outcome, (base, z3_value)))
    new_outcome = space.text(got.as_long()) if z3.is_int_value(got) else "?"
    confirmed = None
    if kind == "fact":
        confirmed = _confirm(case, path, example, role, rule, outcome, new_outcome)
    return Change(what, kind, current, relation, bound, exact_text or str(bound), example, new_outcome, confirmed)


def _is_date(text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


def apply_change(facts: dict, path: tuple[str, ...], value) -> dict:
    """A copy of the facts with one fact set (lists by index); what `confirm` and the tests run."""
    out = copy.deepcopy(facts)
    node = out
    for part in path[:-1]:
        if isinstance(node, list):
            node = node[int(part)]
        else:
            node = node.setdefault(part, {})
    if isinstance(node, list):
        node[int(path[-1])] = value
    else:
        node[path[-1]] = value
    return out


def _confirm(case, path, example, role, rule, outcome, new_outcome) -> bool:
    from engine.run.evaluator import evaluate

    value = date.fromisoformat(example) if isinstance(example, str) and _is_date(example) else example
    changed = apply_change(case.facts, path, value)
    try:
        result = evaluate(case.plan, changed, case.decision.name)
    except Exception:  # noqa: BLE001 - a change the evaluator refuses (E001) is simply not confirmed
        return False
    if result.outcome != new_outcome:
        return False
    if role == DECISIVE:
        return result.outcome != outcome
    return result.decided_by is not None and result.decided_by.name == rule.name
