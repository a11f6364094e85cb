"""Checker pass `definitions`: every name of an expression resolved, its type and unit checked.

Translates AST expressions into `engine.compile.ir` nodes: a name becomes a loop variable, a
definition, an aggregate, an input (by alias or dotted path) or an enum member. A definition
or an aggregate is resolved when its name is first met, and once (`define_type`,
`aggregate_type`); the `cycles` pass before this one has reported every use that would close
a cycle, and such a use is typed ERROR here. The rules of types and units are in
`engine.compile.typecheck`; the questions asked of the registry in
`engine.compile.registry_questions`. The later passes resolve their own expressions with
`resolve`.
"""
from __future__ import annotations

from dsl import ast
from dsl.diagnostics import did_you_mean
from dsl.spans import NO_SPAN, Span

from engine.compile import ir
from engine.compile.context import CheckContext
from engine.compile.declarations import member_of
from engine.compile.plan import AGGREGATES, AggregateInfo, DefineInfo
from engine.compile.registry_questions import REGISTRY_QUESTIONS, registry_question
from engine.compile.typecheck import arith, check_comparison, need_bool, need_number, unify
from engine.compile.types import (BOOL, DATE, DURATION, ERROR, FRACTION, NUMBER, TEXT, BoolT, DateT, EnumT, ListT,
                                  MapT, NumT, RecordT, TextT, Type, make_unit)
from engine.values.calendar import TIME_UNITS, Duration

FUNCTIONS_1 = ("floor", "ceil", "round", "abs")
FUNCTIONS_N = ("min", "max")
OVER_FUNCTIONS = ("any", "all", "count", "min", "max")  # `f(body for v in list if selection)`


def resolve_definitions(ctx: CheckContext) -> None:
    """Every definition, then every aggregate not met on the way, resolved and typed."""
    for name in ctx.define_asts:
        define_type(ctx, name, None)
    for name in ctx.aggregate_asts:
        aggregate_type(ctx, name, None)


def define_type(ctx: CheckContext, name: str, use: Span | None) -> Type:
    """A definition's type, its expression resolved the first time it is asked for (`use`: where;
    None for the pass itself)."""
    if name in ctx.defines:
        return ctx.defines[name].type
    if (name, use) in ctx.cycle_uses:
        return ERROR  # the use closes a cycle: C020 says so
    node = ctx.define_asts[name]
    for ref in node.cites:
        ctx.cite(ref)
    typed = resolve(ctx, node.expr, {})
    ctx.defines[name] = DefineInfo(name, node.label, tuple(r.id for r in node.cites), typed, typed.type, node.span)
    return typed.type


def aggregate_type(ctx: CheckContext, name: str, use: Span | None) -> Type:
    """An aggregate's type, its argument resolved as a line's expression the first time it is asked for."""
    if name in ctx.aggregates:
        return ctx.aggregates[name].type
    if (name, use) in ctx.cycle_uses:
        return ERROR  # the aggregate depends on itself: C091 says so
    _, node = ctx.aggregate_asts[name]
    arg = resolve(ctx, node.arg, {})
    f = node.function
    if f not in AGGREGATES:
        ctx.error("C093", f"unknown aggregate `{f}`", node.function_span,
                  did_you_mean(f, AGGREGATES) or "aggregates: " + ", ".join(AGGREGATES))
        result: Type = ERROR
    elif arg.type is ERROR:
        result = ERROR
    elif f in ("count", "share"):
        need_bool(ctx, arg, node.arg.span)
        result = NUMBER if f == "count" else FRACTION
    else:
        need_number(ctx, arg, node.arg.span)
        result = arg.type if f in ("sum", "min", "max") else NUMBER if f == "rank" else FRACTION
    if not isinstance(arg.type, (BoolT, NumT)):
        result = ERROR
    ctx.aggregates[name] = AggregateInfo(name, node.label, f, arg, result, node.span)
    return result


# ---- names
def as_path(node: ast.Expr) -> tuple[str, ...] | None:
    """`a.b.c` as ("a", "b", "c"); None when the base is not a name (`f(x).b`)."""
    match node:
        case ast.Name(name=n):
            return (n,)
        case ast.Attr(base=b, name=n):
            base = as_path(b)
            return base + (n,) if base else None
    return None


def resolve_path(ctx: CheckContext, path: tuple[str, ...], span: Span, scope: dict[str, Type]) -> ir.Node:
    """Longest declared prefix wins: `city.regions` is an input, `.x` after it a field."""
    head = path[0]
    if head in scope:
        node: ir.Node = ir.VarRef(head, scope[head], span)
        rest = path[1:]
    elif head in ctx.define_asts:
        ctx.used_defines.add(head)
        node = ir.DefRef(head, define_type(ctx, head, span), span)
        rest = path[1:]
    elif head in ctx.aggregate_asts:
        population, _ = ctx.aggregate_asts[head]
        result = aggregate_type(ctx, head, span)
        if result is ERROR:
            return ir.Const(None, ERROR, span)
        info = ctx.aggregates[head]
        node = ir.AggRef(population, head, info.function, info.node, info.per_line, result, span)
        rest = path[1:]
    elif head in ctx.aliases:
        info = ctx.aliases[head]
        node = ir.InputRef(info.path, info.type, span)
        rest = path[1:]
    else:
        for cut in range(len(path), 0, -1):
            dotted = ".".join(path[:cut])
            if dotted in ctx.inputs:
                node = ir.InputRef(path[:cut], ctx.inputs[dotted].type, span)
                rest = path[cut:]
                break
        else:
            if path == ("as_of",):  # the date judged: every facts file may carry it, declared or not
                return ir.InputRef(path, DATE, span)
            if len(path) == 1:
                member = _unique_member(ctx, head)
                if member:
                    return member
            dotted = ".".join(path)
            ctx.error("C010", f"unknown name `{dotted}`", span,
                      did_you_mean(dotted, [*ctx.inputs, *ctx.aliases, *ctx.define_asts])
                      or "declare it with `input` or `define` first")
            return ir.Const(None, ERROR, span)
    for field_name in rest:
        node = _field(ctx, node, field_name, span)
    return node


def _unique_member(ctx: CheckContext, name: str, span: Span = NO_SPAN) -> ir.Node | None:
    owners = [e for e in ctx.enums.values() if e.lookup(name)]
    if len(owners) == 1:
        return ir.Const(owners[0].lookup(name), EnumT(owners[0].name), span)
    return None


def _field(ctx: CheckContext, base: ir.Node, name: str, span: Span) -> ir.Node:
    if base.type is ERROR:
        return base
    if not isinstance(base.type, RecordT):
        ctx.error("C011", f"`{base.type.describe()}` has no field `{name}`", span)
        return ir.Const(None, ERROR, span)
    field_type = base.type.field(name)
    if field_type is None:
        ctx.error("C011", f"`{base.type.name}` has no field `{name}`", span,
                  did_you_mean(name, [n for n, _ in base.type.fields]))
        return ir.Const(None, ERROR, span)
    return ir.FieldGet(base, name, field_type, span)


# ---- expressions
def resolve(ctx: CheckContext, node: ast.Expr, scope: dict[str, Type]) -> ir.Node:
    """The typed IR of an expression; names in `scope` are loop variables."""
    s = node.span
    match node:
        case ast.Number(value=v, unit=u) if u in TIME_UNITS:
            if not float(v).is_integer():
                ctx.error("C025", f"a duration is a whole number of {u}, not `{node.text or v}`", s,
                          "write `6 months` or `180 days`, never a fraction of a month")
                return ir.Const(None, ERROR, s)
            return ir.Const(Duration.of(int(v), u), DURATION, s)
        case ast.Number(value=v, unit=u):
            return ir.Const(v, NumT(make_unit(u)) if u else NUMBER, s)
        case ast.Percent(value=v):
            return ir.Const(v, FRACTION, s)
        case ast.DateLit(value=v):
            return ir.Const(v, DATE, s)
        case ast.Text(value=v):
            return ir.Const(v, TEXT, s)
        case ast.Bool(value=v):
            return ir.Const(v, BOOL, s)
        case ast.Name() | ast.Attr() if as_path(node):
            return resolve_path(ctx, as_path(node), s, scope)
        case ast.Attr(base=b, name=n):
            return _field(ctx, resolve(ctx, b, scope), n, s)
        case ast.Index(base=b, key=k):
            base, key = resolve(ctx, b, scope), resolve(ctx, k, scope)
            if ERROR in (base.type, key.type):
                return ir.Const(None, ERROR, s)
            if not isinstance(base.type, MapT):
                ctx.error("C013", f"only a map can be indexed, not `{base.type.describe()}`", s)
                return ir.Const(None, ERROR, s)
            if not isinstance(key.type, (EnumT, TextT)):
                ctx.error("C082", f"a map key is a name, not `{key.type.describe()}`", k.span)
            return ir.IndexGet(base, key, base.type.value, s)
        case ast.Call(function="known", args=args):
            if len(args) != 1:
                ctx.error("C094", "`known` takes one value", s, "`known(trial.assessment.result)`")
                return ir.Const(None, ERROR, s)
            inner = resolve(ctx, args[0], scope)
            return ir.Const(None, ERROR, s) if inner.type is ERROR else ir.Known(inner, BOOL, s)
        case ast.Call(function=f) if f in REGISTRY_QUESTIONS:
            return registry_question(ctx, node, lambda e: resolve(ctx, e, scope),
                                     lambda path: resolve_path(ctx, path, s, {}))
        case ast.Call(args=args):
            return _call(ctx, node, [resolve(ctx, a, scope) for a in args])
        case ast.SumOver(body=body, var=var, items=items):
            items_ir = resolve(ctx, items, scope)
            if items_ir.type is ERROR:
                return ir.Const(None, ERROR, s)
            if not isinstance(items_ir.type, ListT):
                ctx.error("C014", f"`sum(… for {var} in …)` needs a list, not `{items_ir.type.describe()}`", items.span)
                return ir.Const(None, ERROR, s)
            body_ir = resolve(ctx, body, {**scope, var: items_ir.type.item})
            need_number(ctx, body_ir, body.span)
            return ir.SumOver(body_ir, var, items_ir, body_ir.type, s)
        case ast.Over():
            return _over(ctx, node, scope)
        case ast.Arith():
            left = resolve(ctx, node.first, scope)
            return arith(ctx, node, left, [(op, resolve(ctx, operand, scope), operand) for op, operand in node.rest])
        case ast.Neg(operand=o):
            inner = resolve(ctx, o, scope)
            need_number(ctx, inner, o.span)
            return ir.Neg(inner, inner.type, s)
        case ast.Compare():
            return _compare(ctx, node, scope)
        case ast.Member():
            return _membership(ctx, node, scope)
        case ast.Logic(op=op, operands=ops):
            typed = tuple(resolve(ctx, o, scope) for o in ops)
            for o, t in zip(ops, typed):
                need_bool(ctx, t, o.span)
            return ir.Logic(op, typed, BOOL, s)
        case ast.Not(operand=o):
            inner = resolve(ctx, o, scope)
            need_bool(ctx, inner, o.span)
            return ir.Not(inner, BOOL, s)
        case ast.If(condition=c, then=t, otherwise=o):
            cond, then, other = resolve(ctx, c, scope), resolve(ctx, t, scope), resolve(ctx, o, scope)
            need_bool(ctx, cond, c.span)
            return ir.If(cond, then, other, unify(ctx, then, other, s), s)
    ctx.error("C099", "this expression is not supported here", s)
    return ir.Const(None, ERROR, s)


def _over(ctx: CheckContext, node: ast.Over, scope) -> ir.Node:
    """`any/all/count(condition for v in list [if selection])`, `min/max(value for v in list [if …])`."""
    f, s = node.function, node.span
    if f not in OVER_FUNCTIONS:
        ctx.error("C027", f"`{f}(… for … in …)` is not a function over a list", s,
                  did_you_mean(f, OVER_FUNCTIONS) or "over a list: " + ", ".join(OVER_FUNCTIONS) + ", sum")
        return ir.Const(None, ERROR, s)
    items = resolve(ctx, node.items, scope)
    if items.type is ERROR:
        return ir.Const(None, ERROR, s)
    if not isinstance(items.type, ListT):
        ctx.error("C028", f"`{f}(… for {node.var} in …)` needs a list, not `{items.type.describe()}`",
                  node.items.span)
        return ir.Const(None, ERROR, s)
    inner = {**scope, node.var: items.type.item}
    where = None
    if node.where is not None:
        where = resolve(ctx, node.where, inner)
        need_bool(ctx, where, node.where.span)
    body = resolve(ctx, node.body, inner)
    if body.type is ERROR or (where is not None and where.type is ERROR):
        return ir.Const(None, ERROR, s)
    if f in ("any", "all", "count"):
        need_bool(ctx, body, node.body.span)
        result = NUMBER if f == "count" else BOOL
    else:
        if not isinstance(body.type, (NumT, DateT)):
            ctx.error("C029", f"`{f}` over a list takes numbers or dates, not `{body.type.describe()}`",
                      node.body.span)
            return ir.Const(None, ERROR, s)
        result = body.type
    return ir.Over(f, body, node.var, items, where, result, s)


def _compare(ctx: CheckContext, node: ast.Compare, scope) -> ir.Node:
    left = resolve(ctx, node.left, scope)
    right_name = node.right.name if isinstance(node.right, ast.Name) else None
    if isinstance(left.type, EnumT) and right_name is not None and not (
            right_name in scope or right_name in ctx.define_asts or right_name in ctx.aliases):
        code = member_of(ctx, left.type.name, node.right)  # `类别 = 零售药店`: a member of the left side's enum
        right = ir.Const(code, left.type if code else ERROR, node.right.span)
    else:
        right = resolve(ctx, node.right, scope)
    check_comparison(ctx, node, left, right)
    return ir.Compare(left, node.op, right, BOOL, node.span)


def _membership(ctx: CheckContext, node: ast.Member, scope) -> ir.Node:
    element = resolve(ctx, node.element, scope)
    if element.type is ERROR:
        return ir.Const(None, ERROR, node.span)
    if not isinstance(element.type, EnumT):
        ctx.error("C021", f"`in` tests a name, not `{element.type.describe()}`", node.element.span)
        return ir.Const(None, ERROR, node.span)
    enum = element.type.name
    if node.set_name is not None and node.set_name in ctx.sets:
        # `x in 门诊类`: a named set of members of x's enum.
        set_enum, values = ctx.sets[node.set_name]
        if set_enum != enum:
            ctx.error("C122", f"`{node.set_name}` is a set of `{set_enum}`, not of `{enum}`", node.span,
                      f"test a `{set_enum}` value, or declare a set of `{enum}`")
            return ir.Const(None, ERROR, node.span)
        described = node.set_name
    elif node.set_name is not None:
        # `x in 医保县市区`: a zone whose members are values of x's enum.
        owner = next((z for z, m in ctx.zones.items() if node.set_name in m.values()), None)
        if owner is None or ctx.zone_enum.get(owner) != enum:
            ctx.error("C022", f"`{node.set_name}` is not a zone of `{enum}`", node.span,
                      did_you_mean(node.set_name, [*(z for m in ctx.zones.values() for z in m.values()), *ctx.sets]))
            return ir.Const(None, ERROR, node.span)
        values = frozenset(m for m, z in ctx.zones[owner].items() if z == node.set_name)
        described = node.set_name
    else:
        values = frozenset(filter(None, (member_of(ctx, enum, m) for m in node.members)))
        described = "{" + ", ".join(m.name for m in node.members) + "}"
    return ir.Member(element, values, node.negated, described, BOOL, node.span)


# ---- calls
def _first_known(ctx: CheckContext, node: ast.Call, args: list[ir.Node]) -> ir.Node:
    s = node.span
    if len(args) < 2:
        ctx.error("C083", "`first_known` takes two or more values", s,
                  "`first_known(a, b)` is a when a is known, else b")
        return ir.Const(None, ERROR, s)
    first = args[0].type
    for arg, arg_ast in zip(args[1:], node.args[1:]):
        same = arg.type == first or (isinstance(first, NumT) and isinstance(arg.type, NumT) and arg.type.unit == first.unit)
        if not same:
            ctx.error("C068", f"`first_known` takes values of one type, not `{first.describe()}` and "
                      f"`{arg.type.describe()}`", arg_ast.span,
                      "each value stands in for the one before it, so all share the first one's type")
            return ir.Const(None, ERROR, s)
    return ir.FirstKnown(tuple(args), first, s)


def _call(ctx: CheckContext, node: ast.Call, args: list[ir.Node]) -> ir.Node:
    f, s = node.function, node.span
    if any(a.type is ERROR for a in args):
        return ir.Const(None, ERROR, s)
    if f in ctx.zones:
        if len(args) != 1 or not isinstance(args[0].type, EnumT) or args[0].type.name != ctx.zone_enum[f]:
            ctx.error("C084", f"`{f}(…)` takes one `{ctx.zone_enum[f]}`", s)
            return ir.Const(None, ERROR, s)
        return ir.ZoneOf(f, tuple(sorted(ctx.zones[f].items())), args[0], EnumT(f), s)
    if f == "first_known":
        return _first_known(ctx, node, args)
    if f in FUNCTIONS_1 or f in FUNCTIONS_N:
        for a, a_ast in zip(args, node.args):
            need_number(ctx, a, a_ast.span)
        if f in FUNCTIONS_1 and len(args) != 1:
            ctx.error("C085", f"`{f}` takes one number", s)
            return ir.Const(None, ERROR, s)
        if f in FUNCTIONS_N:
            units = {a.type.unit for a in args if isinstance(a.type, NumT)}
            if len(args) < 2 or len(units) > 1:
                ctx.error("C086", f"`{f}` takes two or more numbers of one unit", s)
                return ir.Const(None, ERROR, s)
        return ir.Func(f, tuple(args), args[0].type, s)
    ctx.error("C024", f"unknown function `{f}`", s,
              did_you_mean(f, [*FUNCTIONS_1, *FUNCTIONS_N, "first_known", "known", *REGISTRY_QUESTIONS, *ctx.zones]))
    return ir.Const(None, ERROR, s)
