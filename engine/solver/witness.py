"""Witnesses: a satisfying assignment made small and plausible, written as a facts file.

The solver's first model is whatever z3 finds (5001/7 m). A handler wants a file they can
read and run: so every fact the question depends on is tried, one at a time and in a fixed
order, at its baseline value when a baseline (a real city's statistics) is given, then at 0
(or false), then at the nearest whole number, then at one, two or three decimals, each only
if the question stays satisfiable; facts the question does not depend on are left out. The result is minimal in that sense (no single fact can be set to zero), not globally.
"""
from __future__ import annotations

from fractions import Fraction

import z3

from engine.compile.types import BoolT, NumT
from engine.solver.spaces import SymbolicSpace


def occurring(terms) -> set[str]:
    """Names of the uninterpreted constants in the terms."""
    seen: set[int] = set()
    names: set[str] = set()
    stack = list(terms)
    while stack:
        t = stack.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if z3.is_const(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            names.add(t.decl().name())
        stack.extend(t.children())
    return names


def _candidates(value, whole: bool):
    """Round numbers near a model value, simplest first."""
    if z3.is_int_value(value):
        v = Fraction(value.as_long())
    elif z3.is_rational_value(value):
        v = Fraction(value.as_fraction())
    else:  # an algebraic number: approximate it, then search decimals near it
        v = Fraction(value.approx(12).as_fraction())
    out = []
    for c in (Fraction(0), Fraction(1), Fraction(int(v // 1)), Fraction(int(-((-v) // 1)))):
        out.append(c)
    if not whole:
        for digits in (1, 2, 3, 4):
            scale = 10 ** digits
            out += [Fraction(int(v * scale // 1), scale), Fraction(int(-((-v * scale) // 1)), scale)]
    seen, result = set(), []
    for c in out:
        if c not in seen:
            seen.add(c)
            result.append(c)
    return result


def simplest_model(solver: z3.Solver, space: SymbolicSpace, names: set[str]) -> tuple[z3.ModelRef, dict] | None:
    """A model of `solver` (already checked sat) with each named fact at its simplest value.

    INVARIANT: `model` always satisfies the assertions and every value fixed so far, because it
    is the model of the last satisfiable check, and each check includes all fixed values; so a
    candidate the solver cannot decide in time is simply not taken."""
    model = solver.model()
    fixed = []
    for path in sorted(space.vars, key=lambda p: ".".join(p)):
        var, type_ = space.vars[path]
        base = space.base(var)
        if base.decl().name() not in names:
            continue
        current = model.eval(base, model_completion=True)
        if isinstance(type_, BoolT):
            tries = [z3.BoolVal(False), z3.BoolVal(True)]
        elif isinstance(type_, NumT):
            whole = base.sort() == z3.IntSort()
            tries = [(z3.IntVal(int(c)) if whole else z3.RealVal(f"{c.numerator}/{c.denominator}"))
                     for c in _candidates(current, whole)]
        else:
            tries = []
        preferred = space.preferred(path) if hasattr(space, "preferred") else None
        if preferred is not None:
            if base.sort() == z3.IntSort() and not z3.is_int_value(preferred):
                value = Fraction(preferred.as_fraction()) if z3.is_rational_value(preferred) else None
                preferred = z3.IntVal(int(value)) if value is not None and value.denominator == 1 else None
            if preferred is not None:
                tries = [preferred, *tries]
        for t in tries:
            if solver.check(*fixed, base == t) == z3.sat:
                fixed.append(base == t)
                model = solver.model()
                break
        else:
            fixed.append(base == current)
    facts: dict = {}
    for path in sorted(space.vars, key=lambda p: ".".join(p)):
        var, type_ = space.vars[path]
        if space.base(var).decl().name() in names:
            put(facts, path, space.json_value(model, path, type_))
    return model, facts


def put(tree: dict, path: tuple[str, ...], value) -> None:
    """Set a dotted fact path in a facts tree; numeric parts under a list name are list items."""
    node = tree
    for i, part in enumerate(path[:-1]):
        nxt = path[i + 1]
        if nxt.isdigit() and part not in node:
            node[part] = []
        child = node.setdefault(part, {}) if isinstance(node, dict) else None
        if isinstance(node, list):
            index = int(part)
            while len(node) <= index:
                node.append({})
            child = node[index]
        node = child
    last = path[-1]
    if isinstance(node, list):
        index = int(last)
        while len(node) <= index:
            node.append(None)
        node[index] = value
    else:
        node[last] = value
