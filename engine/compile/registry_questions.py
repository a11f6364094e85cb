"""The questions an expression asks of the plan's registry of designated institutions.

Of the applicant's neighbours: `nearest(R)` (metres to the nearest one counted as the same
type) and `count_within(R, radius)`; of the whole registry: `count_all(R[, C])` and
`share(R, C[, D])`. R names the registry the plan declares; C and D are registry categories,
named, quoted or as a `set … of` the registry. Part of the `definitions` pass: the resolver
(`engine.compile.resolve`) hands in how to resolve an argument and a fact path, so this
module never calls back into it.
"""
from __future__ import annotations

from typing import Callable

from dsl import ast
from dsl.diagnostics import did_you_mean

from engine.compile import ir
from engine.compile.context import CheckContext
from engine.compile.declarations import registry_category_names
from engine.compile.types import ERROR, FRACTION, NUMBER, TEXT, NumT, make_unit

REGISTRY_QUESTIONS = ("nearest", "count_within", "count_all", "share")
METRES = make_unit("m")


def registry_question(ctx: CheckContext, node: ast.Call, resolve_arg: Callable[[ast.Expr], ir.Node],
                      resolve_fact: Callable[[tuple[str, ...]], ir.Node]) -> ir.Node:
    """`nearest(R)` and `count_within(R, radius)`: R names the plan's registry; the others go to `_tally`."""
    f, s = node.function, node.span
    if f in ("count_all", "share"):
        return _tally(ctx, node)
    usage = "nearest(定点医药机构)" if f == "nearest" else "count_within(定点医药机构, 800 m)"
    plain = 1 if f == "nearest" else 2
    named = len(node.args) == plain + 1 and isinstance(node.args[-1], (ast.Name, ast.Text))
    if len(node.args) != plain and not named:
        ctx.error("C023", f"`{f}` takes {'a registry' if f == 'nearest' else 'a registry and a radius'}", s,
                  f"write `{usage}`")
        return ir.Const(None, ERROR, s)
    target = node.args[0]
    declared = [r.name for r in ctx.registry_asts]
    if not isinstance(target, ast.Name) or target.name not in declared:
        what = f"`{target.name}` is not a registry" if isinstance(target, ast.Name) else f"`{f}` asks a registry"
        help = (did_you_mean(target.name, declared) if isinstance(target, ast.Name) else None) or (
            f"write `{usage}`" if declared else
            "declare it: `registry 定点医药机构 { same_type pharmacy: 零售药店 }`")
        ctx.error("C066", what, target.span, help)
        return ir.Const(None, ERROR, s)
    ctx.registry_used = True
    radius = None
    if f == "count_within":
        radius = resolve_arg(node.args[1])
        if radius.type is ERROR:
            return ir.Const(None, ERROR, s)
        if not (isinstance(radius.type, NumT) and radius.type.unit == METRES):
            ctx.error("C067", f"a radius is in metres, not `{radius.type.describe()}`", node.args[1].span,
                      "write the unit after the number, as in `800 m`")
            return ir.Const(None, ERROR, s)
    if not ctx.registry_ok or ctx.registry is None:
        return ir.Const(None, ERROR, s)  # the declaration's own error says why
    if len(node.args) > plain:  # of named registry categories, whatever the applicant's type
        asked = _categories_asked(ctx, node.args[plain])
        if asked is None:
            return ir.Const(None, ERROR, s)
        categories, counted_as = asked
        category = ir.Const("", TEXT, s)  # not read: the question does not depend on the applicant's type
    else:
        categories, counted_as = None, ""
        category = resolve_fact(("applicant", "category"))
    lat = resolve_fact(("applicant", "location", "lat"))
    lon = resolve_fact(("applicant", "location", "lon"))
    # INVARIANT: every facts file may carry applicant.id (facts_model declares it), declared or not.
    exclude = (resolve_fact(("applicant", "id")) if ctx.declared_type(("applicant", "id"))
               else ir.InputRef(("applicant", "id"), TEXT, s))
    if any(n.type is ERROR for n in (category, lat, lon, exclude)):
        return ir.Const(None, ERROR, s)
    result = NumT(METRES) if f == "nearest" else NUMBER
    applicant_type = ctx.declared_type(("applicant", "category"))
    labels = tuple((c, l) for c, l in ctx.enums[applicant_type.name].members if l)
    return ir.RegistryQuery(f, target.name, ctx.registry.same_type, labels, category, lat, lon, exclude, radius,
                            result, s, categories, counted_as)


def _tally(ctx: CheckContext, node: ast.Call) -> ir.Node:
    """`count_all(R[, C])`: institutions of the registry (of categories C); `share(R, C[, D])`:
    their share of the registry (of categories D). The same for every applicant: no place read."""
    f, s = node.function, node.span
    usage = "count_all(定点医药机构, 门慢药店)" if f == "count_all" else "share(定点医药机构, 门慢药店, 药店类)"
    least = 1 if f == "count_all" else 2
    if not least <= len(node.args) <= least + 1:
        ctx.error("C124", f"`{f}` takes a registry and {'a category' if f == 'count_all' else 'one or two categories'}",
                  s, f"write `{usage}`")
        return ir.Const(None, ERROR, s)
    target = node.args[0]
    declared = [r.name for r in ctx.registry_asts]
    if not isinstance(target, ast.Name) or target.name not in declared:
        what = f"`{target.name}` is not a registry" if isinstance(target, ast.Name) else f"`{f}` asks a registry"
        ctx.error("C066", what, target.span, (did_you_mean(target.name, declared) if isinstance(target, ast.Name)
                                              else None) or f"write `{usage}`")
        return ir.Const(None, ERROR, s)
    ctx.registry_used = True
    if not ctx.registry_ok or ctx.registry is None:
        return ir.Const(None, ERROR, s)
    asked = [_categories_asked(ctx, arg) for arg in node.args[1:]]
    if any(a is None for a in asked):
        return ir.Const(None, ERROR, s)
    (categories, counted_as), among = (asked[0] if asked else (None, "")), (asked[1] if len(asked) > 1 else (None, ""))
    nothing = ir.Const("", TEXT, s)  # a registry-wide question reads no fact of the applicant
    return ir.RegistryQuery(f, target.name, ctx.registry.same_type, (), nothing, ir.Const(0.0, NUMBER, s),
                            ir.Const(0.0, NUMBER, s), ir.Const(None, TEXT, s), None,
                            FRACTION if f == "share" else NUMBER, s, categories, counted_as, among[0], among[1])


def _categories_asked(ctx: CheckContext, arg: ast.Expr) -> tuple[tuple[str, ...], str] | None:
    """The last argument of a registry question: a set of the registry's categories, or one
    category by name (`门慢药店`) or in quotes (`"双通道药店（DTP）"`)."""
    written = arg.name if isinstance(arg, ast.Name) else arg.value if isinstance(arg, ast.Text) else None
    if isinstance(arg, ast.Name) and written in ctx.registry_sets:
        return ctx.registry_sets[written], written
    known = registry_category_names(ctx)
    if written in known:
        return (written,), written
    ctx.error("C123", f"`{written or '…'}` is not a category of registry `{ctx.registry.name}`", arg.span,
              (did_you_mean(written, [*known, *ctx.registry_sets]) if written else None)
              or "name a registry category, or a `set … of` the registry")
    return None
