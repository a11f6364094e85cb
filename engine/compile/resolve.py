"""Checker pass 2: resolve every name of an expression and check its type and unit.

Translates AST expressions into `engine.compile.ir` nodes: a name becomes a loop variable, a
definition, an input (by alias or dotted path) or an enum member; arithmetic combines units;
comparisons and `+`/`-` demand equal ones. Mixed into `engine.compile.checker.Checker`.
"""
from __future__ import annotations

from dsl import ast
from dsl.diagnostics import did_you_mean
from dsl.spans import NO_SPAN, Span
from engine.compile import ir
from engine.compile.types import (
    BOOL,
    DATE,
    DURATION,
    FRACTION,
    NUMBER,
    TEXT,
    BoolT,
    DateT,
    DurationT,
    EnumT,
    ListT,
    MapT,
    NumT,
    RecordT,
    TextT,
    Type,
    combine,
    make_unit,
)
from engine.values.calendar import SINGULAR_UNITS, TIME_UNITS, Duration

FUNCTIONS_1 = ("floor", "ceil", "round", "abs")
FUNCTIONS_N = ("min", "max")
OVER_FUNCTIONS = ("any", "all", "count", "min", "max")  # `f(body for v in list if selection)`
# Questions asked of the registry of designated institutions: of the applicant's neighbours,
# then of the whole registry (a count of some categories and their share of it).
REGISTRY_QUESTIONS = ("nearest", "count_within", "count_all", "share")
METRES = make_unit("m")


class _ErrorT(Type):
    """The type of an expression that already produced a diagnostic: silences cascades."""

    def describe(self) -> str:
        return "<error>"


ERROR = _ErrorT()



class ExpressionResolver:
    def _path_error(self, path: tuple[str, ...], span: Span) -> ir.Node:
        dotted = ".".join(path)
        self.error("C010", f"unknown name `{dotted}`", span,
                   did_you_mean(dotted, [*self.inputs, *self.aliases, *self.define_asts])
                   or "declare it with `input` or `define` first")
        return ir.Const(None, ERROR, span)

    def _as_path(self, node: ast.Expr) -> tuple[str, ...] | None:
        match node:
            case ast.Name(name=n):
                return (n,)
            case ast.Attr(base=b, name=n):
                base = self._as_path(b)
                return base + (n,) if base else None
        return None

    def _resolve_path(self, path: tuple[str, ...], span: Span, scope: dict[str, Type]) -> ir.Node:
        """Longest declared prefix wins: `city.regions` is an input, `.x` after it a field."""
        head = path[0]
        if head in scope:
            node: ir.Node = ir.VarRef(head, scope[head], span)
            rest = path[1:]
        elif head in self.define_asts:
            self.used_defines.add(head)
            node = ir.DefRef(head, self._define(head, span), span)
            rest = path[1:]
        elif head in self.aggregate_asts:
            population, declared = self.aggregate_asts[head]
            result = self._aggregate(head)
            if result is ERROR:
                return ir.Const(None, ERROR, span)
            info = self.aggregates[head]
            node = ir.AggRef(population, head, info.function, info.node, info.per_line, result, span)
            rest = path[1:]
        elif head in self.aliases:
            info = self.aliases[head]
            node = ir.InputRef(info.path, info.type, span)
            rest = path[1:]
        else:
            for cut in range(len(path), 0, -1):
                dotted = ".".join(path[:cut])
                if dotted in self.inputs:
                    node = ir.InputRef(path[:cut], self.inputs[dotted].type, span)
                    rest = path[cut:]
                    break
            else:
                if path == ("as_of",):  # the date judged: every facts file may carry it, declared or not
                    return ir.InputRef(path, DATE, span)
                if len(path) == 1:
                    member = self._unique_member(head)
                    if member:
                        return member
                return self._path_error(path, span)
        for field_name in rest:
            node = self._field(node, field_name, span)
        return node

    def _unique_member(self, name: str, span: Span = NO_SPAN) -> ir.Node | None:
        owners = [e for e in self.enums.values() if e.lookup(name)]
        if len(owners) == 1:
            return ir.Const(owners[0].lookup(name), EnumT(owners[0].name), span)
        return None

    def _field(self, base: ir.Node, name: str, span: Span) -> ir.Node:
        if base.type is ERROR:
            return base
        if not isinstance(base.type, RecordT):
            self.error("C011", f"`{base.type.describe()}` has no field `{name}`", span)
            return ir.Const(None, ERROR, span)
        field_type = base.type.field(name)
        if field_type is None:
            self.error("C011", f"`{base.type.name}` has no field `{name}`", span,
                       did_you_mean(name, [n for n, _ in base.type.fields]))
            return ir.Const(None, ERROR, span)
        return ir.FieldGet(base, name, field_type, span)

    def _member_of(self, enum: str, name: ast.Name) -> str | None:
        info = self.enums.get(enum)
        code = info.lookup(name.name) if info else None
        if code is None:
            self.error("C012", f"`{name.name}` is not a member of `{enum}`", name.span,
                       did_you_mean(name.name, [c for c, _ in info.members] if info else []))
        return code

    def expr(self, node: ast.Expr, scope: dict[str, Type]) -> ir.Node:
        s = node.span
        match node:
            case ast.Number(value=v, unit=u) if u in TIME_UNITS:
                if not float(v).is_integer():
                    self.error("C025", f"a duration is a whole number of {u}, not `{node.text or v}`", s,
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
            case ast.Name() | ast.Attr() if self._as_path(node):
                return self._resolve_path(self._as_path(node), s, scope)
            case ast.Attr(base=b, name=n):
                return self._field(self.expr(b, scope), n, s)
            case ast.Index(base=b, key=k):
                base, key = self.expr(b, scope), self.expr(k, scope)
                if ERROR in (base.type, key.type):
                    return ir.Const(None, ERROR, s)
                if not isinstance(base.type, MapT):
                    self.error("C013", f"only a map can be indexed, not `{base.type.describe()}`", s)
                    return ir.Const(None, ERROR, s)
                if not isinstance(key.type, (EnumT, TextT)):
                    self.error("C082", f"a map key is a name, not `{key.type.describe()}`", k.span)
                return ir.IndexGet(base, key, base.type.value, s)
            case ast.Call(function="known", args=args):
                if len(args) != 1:
                    self.error("C094", "`known` takes one value", s, "`known(trial.assessment.result)`")
                    return ir.Const(None, ERROR, s)
                inner = self.expr(args[0], scope)
                return ir.Const(None, ERROR, s) if inner.type is ERROR else ir.Known(inner, BOOL, s)
            case ast.Call(function=f) if f in REGISTRY_QUESTIONS:
                return self._registry_query(node, scope)
            case ast.Call(args=args):
                return self._call(node, [self.expr(a, scope) for a in args], scope)
            case ast.SumOver(body=body, var=var, items=items):
                items_ir = self.expr(items, scope)
                if items_ir.type is ERROR:
                    return ir.Const(None, ERROR, s)
                if not isinstance(items_ir.type, ListT):
                    self.error("C014", f"`sum(… for {var} in …)` needs a list, not `{items_ir.type.describe()}`", items.span)
                    return ir.Const(None, ERROR, s)
                body_ir = self.expr(body, {**scope, var: items_ir.type.item})
                self._need_number(body_ir, body.span)
                return ir.SumOver(body_ir, var, items_ir, body_ir.type, s)
            case ast.Over():
                return self._over(node, scope)
            case ast.Arith():
                return self._arith(node, scope)
            case ast.Neg(operand=o):
                inner = self.expr(o, scope)
                self._need_number(inner, o.span)
                return ir.Neg(inner, inner.type, s)
            case ast.Compare():
                return self._compare(node, scope)
            case ast.Member():
                return self._membership(node, scope)
            case ast.Logic(op=op, operands=ops):
                typed = tuple(self.expr(o, scope) for o in ops)
                for o, t in zip(ops, typed):
                    self._need_bool(t, o.span)
                return ir.Logic(op, typed, BOOL, s)
            case ast.Not(operand=o):
                inner = self.expr(o, scope)
                self._need_bool(inner, o.span)
                return ir.Not(inner, BOOL, s)
            case ast.If(condition=c, then=t, otherwise=o):
                cond, then, other = self.expr(c, scope), self.expr(t, scope), self.expr(o, scope)
                self._need_bool(cond, c.span)
                return ir.If(cond, then, other, self._unify(then, other, s), s)
        self.error("C099", "this expression is not supported here", s)
        return ir.Const(None, ERROR, s)

    def _over(self, node: ast.Over, scope) -> ir.Node:
        """`any/all/count(condition for v in list [if selection])`, `min/max(value for v in list [if …])`."""
        f, s = node.function, node.span
        if f not in OVER_FUNCTIONS:
            self.error("C027", f"`{f}(… for … in …)` is not a function over a list", s,
                       did_you_mean(f, OVER_FUNCTIONS) or "over a list: " + ", ".join(OVER_FUNCTIONS) + ", sum")
            return ir.Const(None, ERROR, s)
        items = self.expr(node.items, scope)
        if items.type is ERROR:
            return ir.Const(None, ERROR, s)
        if not isinstance(items.type, ListT):
            self.error("C028", f"`{f}(… for {node.var} in …)` needs a list, not `{items.type.describe()}`",
                       node.items.span)
            return ir.Const(None, ERROR, s)
        inner = {**scope, node.var: items.type.item}
        where = None
        if node.where is not None:
            where = self.expr(node.where, inner)
            self._need_bool(where, node.where.span)
        body = self.expr(node.body, inner)
        if body.type is ERROR or (where is not None and where.type is ERROR):
            return ir.Const(None, ERROR, s)
        if f in ("any", "all", "count"):
            self._need_bool(body, node.body.span)
            result = NUMBER if f == "count" else BOOL
        else:
            if not isinstance(body.type, (NumT, DateT)):
                self.error("C029", f"`{f}` over a list takes numbers or dates, not `{body.type.describe()}`",
                           node.body.span)
                return ir.Const(None, ERROR, s)
            result = body.type
        return ir.Over(f, body, node.var, items, where, result, s)

    def _need_bool(self, node: ir.Node, span: Span) -> None:
        if node.type is not ERROR and not isinstance(node.type, BoolT):
            self.error("C015", f"expected a condition (bool), found `{node.type.describe()}`", span,
                       "compare it with something, as in `x > 0`")

    def _need_number(self, node: ir.Node, span: Span) -> None:
        if node.type is not ERROR and not isinstance(node.type, NumT):
            self.error("C016", f"expected a number, found `{node.type.describe()}`", span)

    def _unify(self, a: ir.Node, b: ir.Node, span: Span) -> Type:
        if ERROR in (a.type, b.type):
            return ERROR
        if a.type == b.type:
            return a.type
        if isinstance(a.type, (EnumT, TextT)) and isinstance(b.type, (EnumT, TextT)):
            return TEXT  # two kinds of name (a county, a zone) both key a map of regions
        self.error("C017", f"the two branches differ: `{a.type.describe()}` and `{b.type.describe()}`", span)
        return ERROR

    def _arith(self, node: ast.Arith, scope) -> ir.Node:
        left = self.expr(node.first, scope)
        operands = [(op, self.expr(operand, scope), operand) for op, operand in node.rest]
        if any(isinstance(t.type, (DateT, DurationT)) for t in (left, *(o for _, o, _ in operands))):
            return self._time_arith(node, left, operands)
        return self._number_arith(node, left, operands)

    def _time_arith(self, node: ast.Arith, left: ir.Node, operands) -> ir.Node:
        """Dates and durations: date ± duration is a date, duration ± duration a duration.

        Anything else (a duration added to a number, two dates added, a date multiplied) is
        refused at the place it is written. `1 day`, `1 month`, `1 year` written here are durations."""
        result_type = left.type
        operands = [(op, self._as_duration(right, operand) if op in "+-" else right, operand)
                    for op, right, operand in operands]
        for op, right, operand in operands:
            if ERROR in (result_type, right.type):
                result_type = ERROR
                continue
            if op in "*/":
                self.error("C026", f"cannot {'multiply' if op == '*' else 'divide'} `{result_type.describe()}` "
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
                self.error("C018", f"cannot {'add' if op == '+' else 'subtract'} `{right.type.describe()}` "
                           f"{'to' if op == '+' else 'from'} `{result_type.describe()}`",
                           operand.span if isinstance(right.type, NumT) else node.span, help)
                result_type = ERROR
        return ir.Arith(left, tuple((op, right) for op, right, _ in operands), result_type, node.span)

    def _as_duration(self, node: ir.Node, written: ast.Expr) -> ir.Node:
        """A literal `1 day`/`2 month`/`1 year` (units of measure elsewhere) as the duration it means
        beside a date."""
        if isinstance(written, ast.Number) and written.unit in SINGULAR_UNITS and float(written.value).is_integer():
            return ir.Const(Duration.of(int(written.value), SINGULAR_UNITS[written.unit]), DURATION, node.span)
        return node

    def _number_arith(self, node: ast.Arith, left: ir.Node, operands) -> ir.Node:
        result_type = left.type
        self._need_number(left, node.first.span)
        rest = []
        for op, right, operand in operands:
            self._need_number(right, operand.span)
            rest.append((op, right))
            if ERROR in (result_type, right.type) or not isinstance(result_type, NumT) or not isinstance(right.type, NumT):
                result_type = ERROR
                continue
            if op in "+-":
                if result_type.unit != right.type.unit:
                    self.error("C018", f"cannot {'add' if op == '+' else 'subtract'} `{right.type.describe()}` "
                               f"{'to' if op == '+' else 'from'} `{result_type.describe()}`", node.span,
                               "both sides of + and - need the same unit")
                    result_type = ERROR
                elif result_type.display != right.type.display:
                    result_type = NumT(result_type.unit)
            else:
                unit = combine(result_type.unit, right.type.unit, 1 if op == "*" else -1)
                result_type = NumT(unit)
        return ir.Arith(left, tuple(rest), result_type, node.span)

    def _compare(self, node: ast.Compare, scope) -> ir.Node:
        left = self.expr(node.left, scope)
        if isinstance(left.type, EnumT) and isinstance(node.right, ast.Name) and not self._is_value_name(node.right.name, scope):
            code = self._member_of(left.type.name, node.right)
            right = ir.Const(code, left.type if code else ERROR, node.right.span)
        else:
            right = self.expr(node.right, scope)
        lt, rt = left.type, right.type
        if ERROR not in (lt, rt):
            if node.op in ("=", "!="):
                ok = lt == rt or (isinstance(lt, (EnumT, TextT)) and isinstance(rt, (EnumT, TextT)))
            else:
                ok = (isinstance(lt, NumT) and isinstance(rt, NumT) and lt.unit == rt.unit) or (
                    isinstance(lt, DateT) and isinstance(rt, DateT))
            if not ok:
                help = None
                if isinstance(lt, NumT) and isinstance(rt, NumT):
                    help = "write the unit after a number, as in `800 m`" if not rt.unit or not lt.unit else "compare quantities of the same unit"
                self.error("C019", f"cannot compare `{lt.describe()}` with `{rt.describe()}`", node.span, help)
        return ir.Compare(left, node.op, right, BOOL, node.span)

    def _is_value_name(self, name: str, scope) -> bool:
        return name in scope or name in self.define_asts or name in self.aliases

    def _membership(self, node: ast.Member, scope) -> ir.Node:
        element = self.expr(node.element, scope)
        if element.type is ERROR:
            return ir.Const(None, ERROR, node.span)
        if not isinstance(element.type, EnumT):
            self.error("C021", f"`in` tests a name, not `{element.type.describe()}`", node.element.span)
            return ir.Const(None, ERROR, node.span)
        enum = element.type.name
        if node.set_name is not None and node.set_name in self.sets:
            # `x in 门诊类`: a named set of members of x's enum.
            set_enum, values = self.sets[node.set_name]
            if set_enum != enum:
                self.error("C122", f"`{node.set_name}` is a set of `{set_enum}`, not of `{enum}`", node.span,
                           f"test a `{set_enum}` value, or declare a set of `{enum}`")
                return ir.Const(None, ERROR, node.span)
            described = node.set_name
        elif node.set_name is not None:
            # `x in 医保县市区`: a zone whose members are values of x's enum.
            owner = next((z for z, m in self.zones.items() if node.set_name in m.values()), None)
            if owner is None or self.zone_enum.get(owner) != enum:
                self.error("C022", f"`{node.set_name}` is not a zone of `{enum}`", node.span,
                           did_you_mean(node.set_name, [*(z for m in self.zones.values() for z in m.values()), *self.sets]))
                return ir.Const(None, ERROR, node.span)
            values = frozenset(m for m, z in self.zones[owner].items() if z == node.set_name)
            described = node.set_name
        else:
            values = frozenset(filter(None, (self._member_of(enum, m) for m in node.members)))
            described = "{" + ", ".join(m.name for m in node.members) + "}"
        return ir.Member(element, values, node.negated, described, BOOL, node.span)

    def _registry_query(self, node: ast.Call, scope) -> ir.Node:
        """`nearest(R)` and `count_within(R, radius)`: R names the plan's registry."""
        f, s = node.function, node.span
        if f in ("count_all", "share"):
            return self._registry_tally(node)
        usage = "nearest(定点医药机构)" if f == "nearest" else "count_within(定点医药机构, 800 m)"
        plain = 1 if f == "nearest" else 2
        named = len(node.args) == plain + 1 and isinstance(node.args[-1], (ast.Name, ast.Text))
        if len(node.args) != plain and not named:
            self.error("C023", f"`{f}` takes {'a registry' if f == 'nearest' else 'a registry and a radius'}", s,
                       f"write `{usage}`")
            return ir.Const(None, ERROR, s)
        target = node.args[0]
        declared = [r.name for r in self.registry_asts]
        if not isinstance(target, ast.Name) or target.name not in declared:
            what = f"`{target.name}` is not a registry" if isinstance(target, ast.Name) else f"`{f}` asks a registry"
            help = (did_you_mean(target.name, declared) if isinstance(target, ast.Name) else None) or (
                f"write `{usage}`" if declared else
                "declare it: `registry 定点医药机构 { same_type pharmacy: 零售药店 }`")
            self.error("C066", what, target.span, help)
            return ir.Const(None, ERROR, s)
        self._registry_used = True
        radius = None
        if f == "count_within":
            radius = self.expr(node.args[1], scope)
            if radius.type is ERROR:
                return ir.Const(None, ERROR, s)
            if not (isinstance(radius.type, NumT) and radius.type.unit == METRES):
                self.error("C067", f"a radius is in metres, not `{radius.type.describe()}`", node.args[1].span,
                           "write the unit after the number, as in `800 m`")
                return ir.Const(None, ERROR, s)
        if not self._registry_ok or self.registry is None:
            return ir.Const(None, ERROR, s)  # the declaration's own error says why
        if len(node.args) > plain:  # of named registry categories, whatever the applicant's type
            asked = self._registry_categories_asked(node.args[plain])
            if asked is None:
                return ir.Const(None, ERROR, s)
            categories, counted_as = asked
            category = ir.Const("", TEXT, s)  # not read: the question does not depend on the applicant's type
        else:
            categories, counted_as = None, ""
            category = self._resolve_path(("applicant", "category"), s, {})
        lat = self._resolve_path(("applicant", "location", "lat"), s, {})
        lon = self._resolve_path(("applicant", "location", "lon"), s, {})
        # INVARIANT: every facts file may carry applicant.id (facts_model declares it), declared or not.
        exclude = (self._resolve_path(("applicant", "id"), s, {}) if self._declared_type(("applicant", "id"))
                   else ir.InputRef(("applicant", "id"), TEXT, s))
        if any(n.type is ERROR for n in (category, lat, lon, exclude)):
            return ir.Const(None, ERROR, s)
        result = NumT(METRES) if f == "nearest" else NUMBER
        applicant_type = self._declared_type(("applicant", "category"))
        labels = tuple((c, l) for c, l in self.enums[applicant_type.name].members if l)
        return ir.RegistryQuery(f, target.name, self.registry.same_type, labels, category, lat, lon, exclude, radius,
                                result, s, categories, counted_as)

    def _registry_tally(self, node: ast.Call) -> ir.Node:
        """`count_all(R[, C])`: institutions of the registry (of categories C); `share(R, C[, D])`:
        their share of the registry (of categories D). The same for every applicant: no place read."""
        f, s = node.function, node.span
        usage = "count_all(定点医药机构, 门慢药店)" if f == "count_all" else "share(定点医药机构, 门慢药店, 药店类)"
        least = 1 if f == "count_all" else 2
        if not least <= len(node.args) <= least + 1:
            self.error("C124", f"`{f}` takes a registry and {'a category' if f == 'count_all' else 'one or two categories'}",
                       s, f"write `{usage}`")
            return ir.Const(None, ERROR, s)
        target = node.args[0]
        declared = [r.name for r in self.registry_asts]
        if not isinstance(target, ast.Name) or target.name not in declared:
            what = f"`{target.name}` is not a registry" if isinstance(target, ast.Name) else f"`{f}` asks a registry"
            self.error("C066", what, target.span, (did_you_mean(target.name, declared) if isinstance(target, ast.Name)
                                                   else None) or f"write `{usage}`")
            return ir.Const(None, ERROR, s)
        self._registry_used = True
        if not self._registry_ok or self.registry is None:
            return ir.Const(None, ERROR, s)
        asked = [self._registry_categories_asked(arg) for arg in node.args[1:]]
        if any(a is None for a in asked):
            return ir.Const(None, ERROR, s)
        (categories, counted_as), among = (asked[0] if asked else (None, "")), (asked[1] if len(asked) > 1 else (None, ""))
        nothing = ir.Const("", TEXT, s)  # a registry-wide question reads no fact of the applicant
        return ir.RegistryQuery(f, target.name, self.registry.same_type, (), nothing, ir.Const(0.0, NUMBER, s),
                                ir.Const(0.0, NUMBER, s), ir.Const(None, TEXT, s), None,
                                FRACTION if f == "share" else NUMBER, s, categories, counted_as, among[0], among[1])

    def _registry_categories_asked(self, arg: ast.Expr) -> tuple[tuple[str, ...], str] | None:
        """The last argument of a registry question: a set of the registry's categories, or one
        category by name (`门慢药店`) or in quotes (`"双通道药店（DTP）"`)."""
        written = arg.name if isinstance(arg, ast.Name) else arg.value if isinstance(arg, ast.Text) else None
        if isinstance(arg, ast.Name) and written in self.registry_sets:
            return self.registry_sets[written], written
        known = self.registry_category_names()
        if written in known:
            return (written,), written
        self.error("C123", f"`{written or '…'}` is not a category of registry `{self.registry.name}`", arg.span,
                   (did_you_mean(written, [*known, *self.registry_sets]) if written else None)
                   or "name a registry category, or a `set … of` the registry")
        return None

    def _first_known(self, node: ast.Call, args: list[ir.Node]) -> ir.Node:
        s = node.span
        if len(args) < 2:
            self.error("C083", "`first_known` takes two or more values", s,
                       "`first_known(a, b)` is a when a is known, else b")
            return ir.Const(None, ERROR, s)
        first = args[0].type
        for arg, arg_ast in zip(args[1:], node.args[1:]):
            same = arg.type == first or (isinstance(first, NumT) and isinstance(arg.type, NumT) and arg.type.unit == first.unit)
            if not same:
                self.error("C068", f"`first_known` takes values of one type, not `{first.describe()}` and "
                           f"`{arg.type.describe()}`", arg_ast.span,
                           "each value stands in for the one before it, so all share the first one's type")
                return ir.Const(None, ERROR, s)
        return ir.FirstKnown(tuple(args), first, s)

    def _call(self, node: ast.Call, args: list[ir.Node], scope) -> ir.Node:
        f, s = node.function, node.span
        if any(a.type is ERROR for a in args):
            return ir.Const(None, ERROR, s)
        if f in self.zones:
            if len(args) != 1 or not isinstance(args[0].type, EnumT) or args[0].type.name != self.zone_enum[f]:
                self.error("C084", f"`{f}(…)` takes one `{self.zone_enum[f]}`", s)
                return ir.Const(None, ERROR, s)
            return ir.ZoneOf(f, tuple(sorted(self.zones[f].items())), args[0], EnumT(f), s)
        if f == "first_known":
            return self._first_known(node, args)
        if f in FUNCTIONS_1 or f in FUNCTIONS_N:
            for a, a_ast in zip(args, node.args):
                self._need_number(a, a_ast.span)
            if f in FUNCTIONS_1 and len(args) != 1:
                self.error("C085", f"`{f}` takes one number", s)
                return ir.Const(None, ERROR, s)
            if f in FUNCTIONS_N:
                units = {a.type.unit for a in args if isinstance(a.type, NumT)}
                if len(args) < 2 or len(units) > 1:
                    self.error("C086", f"`{f}` takes two or more numbers of one unit", s)
                    return ir.Const(None, ERROR, s)
            return ir.Func(f, tuple(args), args[0].type, s)
        self.error("C024", f"unknown function `{f}`", s,
                   did_you_mean(f, [*FUNCTIONS_1, *FUNCTIONS_N, "first_known", "known", *REGISTRY_QUESTIONS, *self.zones]))
        return ir.Const(None, ERROR, s)

