"""The arithmetic both evaluators share: exact (engine/values/numbers.py), and an error, never a
traceback or an infinity, when the facts make a formula meaningless.

The reference evaluator calls `compare`, `arith` and `call`; the generated code of the fast
path inlines `+ - *` and comparisons (the same Python operators on the same exact values) and
calls `divide` and `division_by_zero` from here, so both paths fail with the same diagnostic.
Both call `over_known` and `over_result` (what `any`, `all`, `count`, `min` and `max` over a
list give when rows are unknown) and `shift` (a date moved by a duration).
"""
from __future__ import annotations

import math
from datetime import date

from dsl.diagnostics import Diagnostic, PolicyError
from engine.compile import ir
from engine.values.missing import Missing
from engine.values.missing import missing as _missing
from engine.values.numbers import divide


def compare(op: str, a, b) -> bool:
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def arith(op: str, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return divide(a, b)


def call(name: str, values: list):
    if name == "floor":
        return math.floor(values[0])
    if name == "ceil":
        return math.ceil(values[0])
    if name == "round":
        return round(values[0])  # half to even, exactly on a Fraction
    if name == "abs":
        return abs(values[0])
    if name == "min":
        return min(values)
    return max(values)


def divisor_paths(plan, node: ir.Node) -> tuple[str, ...]:
    """The fact paths a divisor is computed from, through the definitions it uses, in order."""
    paths: dict[str, None] = {}
    seen: set[str] = set()

    def visit(n: ir.Node) -> None:
        for sub in ir.walk(n):
            if isinstance(sub, ir.InputRef):
                paths.setdefault(".".join(sub.path))
            elif isinstance(sub, ir.DefRef) and sub.name not in seen:
                seen.add(sub.name)
                visit(plan.defines[sub.name].node)

    visit(node)
    return tuple(paths)


def _at(facts, path: str):
    for part in path.split("."):
        facts = facts.get(part) if isinstance(facts, dict) else None
    return facts


def division_by_zero(span, paths: tuple[str, ...], facts) -> PolicyError:
    """E001, naming the facts' JSON paths the zero divisor came from (those that are 0 first)."""
    zero = [p for p in paths if _at(facts, p) == 0 and _at(facts, p) is not False]
    named = zero or list(paths)
    # one fact at 0 is the diagnostic's path (shown before the message); else the message lists them
    where = "" if len(zero) == 1 else ", ".join(f"`{p}`" + (" = 0" if p in zero else "") for p in named)
    message = "division by zero: the divisor is 0 for these facts" + (f" ({where})" if where else "")
    return PolicyError([Diagnostic("E001", message, span, "check the facts this formula reads"
                                   + (f": {', '.join(named)}" if named else ""), path=named[0] if zero else None)])


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
