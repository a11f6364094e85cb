"""The type and unit rules over resolved expressions: what conditions, numbers, branches,
arithmetic and comparisons demand of the nodes `engine.compile.resolve` has built.

Arithmetic combines units (`*`, `/`), `+`, `-` and comparisons demand equal ones; dates move
by durations and are never multiplied. A node already typed ERROR produced its diagnostic,
so no rule here reports on it again.
"""
from __future__ import annotations

from dsl import ast
from dsl.spans import Span

from engine.compile import ir
from engine.compile.context import CheckContext
from engine.compile.types import (DATE, DURATION, ERROR, TEXT, BoolT, DateT, DurationT, EnumT, NumT, TextT, Type,
                                  combine)
from engine.values.calendar import SINGULAR_UNITS, Duration


def need_bool(ctx: CheckContext, node: ir.Node, span: Span) -> None:
    if node.type is not ERROR and not isinstance(node.type, BoolT):
        ctx.error("C015", f"expected a condition (bool), found `{node.type.describe()}`", span,
                  "compare it with something, as in `x > 0`")


def need_number(ctx: CheckContext, node: ir.Node, span: Span) -> None:
    if node.type is not ERROR and not isinstance(node.type, NumT):
        ctx.error("C016", f"expected a number, found `{node.type.describe()}`", span)


def unify(ctx: CheckContext, a: ir.Node, b: ir.Node, span: Span) -> Type:
    """The type of `if … then a else b`: both branches'."""
    if ERROR in (a.type, b.type):
        return ERROR
    if a.type == b.type:
        return a.type
    if isinstance(a.type, (EnumT, TextT)) and isinstance(b.type, (EnumT, TextT)):
        return TEXT  # two kinds of name (a county, a zone) both key a map of regions
    ctx.error("C017", f"the two branches differ: `{a.type.describe()}` and `{b.type.describe()}`", span)
    return ERROR


def check_comparison(ctx: CheckContext, node: ast.Compare, left: ir.Node, right: ir.Node) -> None:
    """`=`/`!=` compare equal types (or two kinds of name); the order comparisons numbers of one unit, or dates."""
    lt, rt = left.type, right.type
    if ERROR in (lt, rt):
        return
    if node.op in ("=", "!="):
        ok = lt == rt or (isinstance(lt, (EnumT, TextT)) and isinstance(rt, (EnumT, TextT)))
    else:
        ok = (isinstance(lt, NumT) and isinstance(rt, NumT) and lt.unit == rt.unit) or (
            isinstance(lt, DateT) and isinstance(rt, DateT))
    if not ok:
        help = None
        if isinstance(lt, NumT) and isinstance(rt, NumT):
            help = "write the unit after a number, as in `800 m`" if not rt.unit or not lt.unit else "compare quantities of the same unit"
        ctx.error("C019", f"cannot compare `{lt.describe()}` with `{rt.describe()}`", node.span, help)


def arith(ctx: CheckContext, node: ast.Arith, left: ir.Node, operands: list[tuple[str, ir.Node, ast.Expr]]) -> ir.Node:
    """`a + b - c …` of resolved operands ((operator, node, as written) after the first)."""
    if any(isinstance(t.type, (DateT, DurationT)) for t in (left, *(o for _, o, _ in operands))):
        return _time_arith(ctx, node, left, operands)
    return _number_arith(ctx, node, left, operands)


def _time_arith(ctx: CheckContext, node: ast.Arith, left: ir.Node, operands) -> ir.Node:
    """Dates and durations: date ± duration is a date, duration ± duration a duration.

    Anything else (a duration added to a number, two dates added, a date multiplied) is
    refused at the place it is written. `1 day`, `1 month`, `1 year` written here are durations."""
    result_type = left.type
    operands = [(op, _as_duration(right, operand) if op in "+-" else right, operand)
                for op, right, operand in operands]
    for op, right, operand in operands:
        if ERROR in (result_type, right.type):
            result_type = ERROR
            continue
        if op in "*/":
            ctx.error("C026", f"cannot {'multiply' if op == '*' else 'divide'} `{result_type.describe()}` "
                      f"by `{right.type.describe()}`", node.span,
                      "dates and durations are added and subtracted, never multiplied: write `1 year`, not `12 × 1 month`")
            result_type = ERROR
        elif isinstance(result_type, DateT) and isinstance(right.type, DurationT):
            result_type = DATE
        elif isinstance(result_type, DurationT) and isinstance(right.type, DurationT):
            result_type = DURATION
        else:
            help = "a date moves by a duration: `admitted_on + 6 months`"
            if isinstance(result_type, DateT) and isinstance(right.type, DateT):
                help = "compare two dates with `<` or `>=`; a date moves by a duration, as in `d + 1 year`"
            elif isinstance(result_type, DurationT) and isinstance(right.type, DateT):
                help = "write the date first: `admitted_on + 6 months`"
            elif isinstance(right.type, NumT) or isinstance(result_type, NumT):
                help = "write the unit of time after the number, as in `6 months`, `1 year` or `30 days`"
            ctx.error("C018", f"cannot {'add' if op == '+' else 'subtract'} `{right.type.describe()}` "
                      f"{'to' if op == '+' else 'from'} `{result_type.describe()}`",
                      operand.span if isinstance(right.type, NumT) else node.span, help)
            result_type = ERROR
    return ir.Arith(left, tuple((op, right) for op, right, _ in operands), result_type, node.span)


def _as_duration(node: ir.Node, written: ast.Expr) -> ir.Node:
    """A literal `1 day`/`2 month`/`1 year` (units of measure elsewhere) as the duration it means
    beside a date."""
    if isinstance(written, ast.Number) and written.unit in SINGULAR_UNITS and float(written.value).is_integer():
        return ir.Const(Duration.of(int(written.value), SINGULAR_UNITS[written.unit]), DURATION, node.span)
    return node


def _number_arith(ctx: CheckContext, node: ast.Arith, left: ir.Node, operands) -> ir.Node:
    result_type = left.type
    need_number(ctx, left, node.first.span)
    rest = []
    for op, right, operand in operands:
        need_number(ctx, right, operand.span)
        rest.append((op, right))
        if ERROR in (result_type, right.type) or not isinstance(result_type, NumT) or not isinstance(right.type, NumT):
            result_type = ERROR
            continue
        if op in "+-":
            if result_type.unit != right.type.unit:
                ctx.error("C018", f"cannot {'add' if op == '+' else 'subtract'} `{right.type.describe()}` "
                          f"{'to' if op == '+' else 'from'} `{result_type.describe()}`", node.span,
                          "both sides of + and - need the same unit")
                result_type = ERROR
            elif result_type.display != right.type.display:
                result_type = NumT(result_type.unit)
        else:
            unit = combine(result_type.unit, right.type.unit, 1 if op == "*" else -1)
            result_type = NumT(unit)
    return ir.Arith(left, tuple(rest), result_type, node.span)
