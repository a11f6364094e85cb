"""AST -> checked plan, as named passes over one collection of diagnostics.

Passes, in order (each can be run alone by tests through `Checker`):
  collect_declarations  names are unique; enums, zones, inputs, articles, the registry indexed
  resolve_expressions   every name resolved, every type and unit checked, cycles found
  check_rules           kinds, outcomes, assignments
  check_decisions       precedence names rules, notes name priorities, otherwise is an outcome
  check_citations       every cited article exists and is operative
  check_quotes          every quoted article text appears in the source document
  check_coverage        every numbered article of the source is accounted for
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from dsl import ast
from dsl.diagnostics import Diagnostic, Label, PolicyError, did_you_mean, sort_diagnostics
from dsl.spans import NO_SPAN, Span

from . import ir
from .plan import (KIND_OUTCOMES, OUTCOMES, CheckedPlan, DecisionInfo, DefineInfo, EnumInfo, InputInfo, PlanStamp,
                   RegistryInfo, RuleInfo)
from .quotes import find_quote
from .types import BOOL, DATE, FRACTION, NUMBER, SCALAR_NAMES, TEXT, BoolT, DateT, EnumT, ListT, MapT, NumT, RecordT, TextT, Type, combine, make_unit

FUNCTIONS_1 = ("floor", "ceil", "round", "abs")
FUNCTIONS_N = ("min", "max")
REGISTRY_QUESTIONS = ("nearest", "count_within")  # questions asked of the registry of designated institutions
METRES = make_unit("m")


class _ErrorT(Type):
    """The type of an expression that already produced a diagnostic: silences cascades."""

    def describe(self) -> str:
        return "<error>"


ERROR = _ErrorT()


class Checker:
    def __init__(self, policy: ast.PolicyFile, text: str):
        self.policy = policy
        self.text = text
        self.diagnostics: list[Diagnostic] = []
        self.header: ast.PlanHeader | None = None
        self.articles: dict[str, ast.Article] = {}
        self.interpretations: dict[str, list[str]] = {}
        self.enums: dict[str, EnumInfo] = {}
        self.zones: dict[str, dict[str, str]] = {}
        self.zone_enum: dict[str, str] = {}  # zones name -> member enum name
        self.inputs: dict[str, InputInfo] = {}
        self.aliases: dict[str, InputInfo] = {}
        self.define_asts: dict[str, ast.Define] = {}
        self.defines: dict[str, DefineInfo] = {}
        self.rule_asts: dict[str, ast.Rule] = {}
        self.rules: dict[str, RuleInfo] = {}
        self.decisions: dict[str, DecisionInfo] = {}
        self.cited: dict[str, list[Span]] = {}
        self.used_defines: set[str] = set()
        self._stack: list[tuple[str, Span]] = []
        self.source_document: str | None = None
        self.registry_asts: list[ast.RegistryDecl] = []
        self.registry: RegistryInfo | None = None
        self._registry_ok = False  # the declaration and the inputs its queries read are sound
        self._registry_used = False

    # ---- reporting
    def error(self, code: str, message: str, span: Span, help: str | None = None, labels=()) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help, tuple(labels)))

    def warn(self, code: str, message: str, span: Span, help: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help, (), "warning"))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    # ---- pass 1
    def collect_declarations(self) -> None:
        names: dict[str, Span] = {}

        def claim(name: str, span: Span, what: str) -> bool:
            if name in names:
                self.error("C001", f"`{name}` is declared twice", span,
                           "give each enum, zone, definition, rule and decision its own name",
                           [Label(names[name], "first declared here")])
                return False
            names[name] = span
            return True

        for item in self.policy.items:
            match item:
                case ast.PlanHeader():
                    if self.header is not None:
                        self.error("C002", "a policy file has one `plan` header", item.span)
                    self.header = item
                case ast.Article():
                    if item.id in self.articles:
                        self.error("C003", f"article `{item.id}` is declared twice", item.span, None,
                                   [Label(self.articles[item.id].span, "first declared here")])
                    self.articles[item.id] = item
                case ast.Interpretation():
                    self.interpretations.setdefault(item.article.id, []).append(item.text)
                case ast.EnumDecl():
                    if claim(item.name, item.span, "enum"):
                        self._enum(item.name, item.label, [(m.code, m.label, m.span) for m in item.members], item.span)
                case ast.ZonesDecl():
                    self._zones(item, claim)
                case ast.RegistryDecl():
                    if self.registry_asts:
                        self.error("C060", "a plan declares one registry", item.span,
                                   "`--registry` gives one file: put every `same_type` line in one `registry` block",
                                   [Label(self.registry_asts[0].span, "first declared here")])
                    elif claim(item.name, item.span, "registry"):
                        self.registry_asts.append(item)
                case ast.InputDecl():
                    self._input(item, claim)
                case ast.Define():
                    if claim(item.name, item.span, "definition"):
                        self.define_asts[item.name] = item
                case ast.Rule():
                    if claim(item.name, item.span, "rule"):
                        self.rule_asts[item.name] = item
                case ast.Decision():
                    claim(item.name, item.span, "decision")
        if self.registry_asts:  # after the inputs, which may be declared below it
            self._registry(self.registry_asts[0])
        if self.header is None:
            self.error("C002", "the file has no `plan` header", Span(self.policy.span.source, 1, 1, 1, 2),
                       'start the file with `plan "<id>" title "…" version "…"`')

    def _enum(self, name, label, members, span) -> None:
        seen: dict[str, Span] = {}
        for code, member_label, m_span in members:
            for written in filter(None, (code, member_label)):
                if written in seen:
                    self.error("C004", f"`{written}` names two members of `{name}`", m_span, None,
                               [Label(seen[written], "first used here")])
                seen[written] = m_span
        self.enums[name] = EnumInfo(name, label, tuple((c, l) for c, l, _ in members), span)

    def _zones(self, item: ast.ZonesDecl, claim) -> None:
        for ref in item.cites:
            self._cite(ref)
        mapping: dict[str, str] = {}
        members = []
        for zone in item.zones:
            for member in zone.members:
                if member.name in mapping:
                    self.error("C005", f"`{member.name}` is in two zones of `{item.name}`", member.span,
                               "a district belongs to one zone")
                    continue
                mapping[member.name] = zone.name
                members.append((member.name, None, member.span))
        if claim(item.name, item.span, "zones"):
            self._enum(item.name, None, [(z.name, None, z.span) for z in item.zones], item.span)
            self.zones[item.name] = mapping
            self.zone_enum[item.name] = item.member_enum
        if item.member_enum in self.enums:
            self.error("C001", f"`{item.member_enum}` is declared twice", item.span,
                       "the zones declaration declares its member enum itself")
        elif claim(item.member_enum, item.span, "enum"):
            self._enum(item.member_enum, None, members, item.span)

    def _type(self, t: ast.TypeExpr, name: str) -> Type:
        match t:
            case ast.ScalarType(name=n, unit=unit):
                if unit:
                    if n != "number":
                        self.error("C006", f"only `number` takes a unit, not `{n}`", t.span,
                                   "write `number yuan/bed`")
                        return ERROR
                    return NumT(make_unit(unit[0], *unit[1:]))
                if n in SCALAR_NAMES:
                    return SCALAR_NAMES[n]
                if n in self.enums:
                    return EnumT(n)
                self.error("C007", f"unknown type `{n}`", t.span,
                           did_you_mean(n, [*SCALAR_NAMES, *self.enums]) or
                           "use bool, text, date, number <unit>, fraction, money, metres, count or an enum")
                return ERROR
            case ast.RecordType(fields=fields):
                return RecordT(name, tuple((f.name, self._type(f.type, f"{name}.{f.name}")) for f in fields))
            case ast.ListType(item=item):
                return ListT(self._type(item, name))
            case ast.MapType(value=value):
                return MapT(self._type(value, name))
        return ERROR

    def _input(self, item: ast.InputDecl, claim) -> None:
        dotted = item.dotted
        if dotted in self.inputs:
            self.error("C008", f"input `{dotted}` is declared twice", item.span, None,
                       [Label(self.inputs[dotted].span, "first declared here")])
            return
        for other in self.inputs:
            if other.startswith(dotted + ".") or dotted.startswith(other + "."):
                self.error("C008", f"input `{dotted}` overlaps input `{other}`", item.span,
                           "declare either the record or its fields, not both")
                return
        info = InputInfo(item.path, self._type(item.type, dotted), item.alias, item.label, item.span)
        self.inputs[dotted] = info
        if item.alias and claim(item.alias, item.span, "input alias"):
            self.aliases[item.alias] = info

    # ---- the registry declaration
    def _declared_type(self, path: tuple[str, ...]) -> Type | None:
        """The type of a fact path, whether declared whole or through a record above it."""
        for cut in range(len(path), 0, -1):
            info = self.inputs.get(".".join(path[:cut]))
            if info is not None:
                found: Type | None = info.type
                for name in path[cut:]:
                    found = found.field(name) if isinstance(found, RecordT) else None
                return found
        return None

    def _registry_names(self, names: tuple[ast.Name, ...], where: str) -> tuple[str, ...]:
        seen: dict[str, Span] = {}
        for name in names:
            if name.name in seen:
                self.error("C065", f"`{name.name}` is listed twice in `{where}`", name.span, None,
                           [Label(seen[name.name], "first listed here")])
            seen.setdefault(name.name, name.span)
        return tuple(seen)

    def _registry(self, item: ast.RegistryDecl) -> None:
        """Check the declaration against the inputs its queries read: category, location, id."""
        for ref in item.cites:
            self._cite(ref)
        ok = True
        category = self._declared_type(("applicant", "category"))
        enum = category.name if isinstance(category, EnumT) else None
        if enum is None:
            ok = False
            self.error("C061", "a registry needs the applicant's category, declared as an enum", item.span,
                       "declare `input applicant.category : <enum>`; `same_type` lines name its members")
        if not all(isinstance(self._declared_type(("applicant", "location", axis)), NumT) for axis in ("lat", "lon")):
            ok = False
            self.error("C062", "a registry needs the applicant's location", item.span,
                       "declare `input applicant.location : { lat: number deg, lon: number deg }`")
        closed = self._registry_names(item.categories, "categories") if item.categories is not None else None
        mapping: dict[str, tuple[str, ...]] = {}
        first: dict[str, Span] = {}
        for line in item.same_type:
            counted = self._registry_names(line.registry_categories, f"same_type {line.category.name}")
            for name in line.registry_categories if closed is not None else ():
                if name.name not in closed:
                    self.error("C064", f"`{name.name}` is not one of the registry's `categories`", name.span,
                               did_you_mean(name.name, closed) or "add it to the `categories` line, or correct it")
            code = self._member_of(enum, line.category) if enum else None
            if code is None:
                continue
            if code in first:
                self.error("C063", f"`same_type {line.category.name}` is given twice", line.span,
                           "list every registry category of one type on one line", [Label(first[code], "first given here")])
                continue
            first[code] = line.span
            mapping[code] = counted
        self._registry_ok = ok
        self.registry = RegistryInfo(item.name, item.label, tuple(r.id for r in item.cites), tuple(mapping.items()),
                                     frozenset(closed) if closed is not None else None, item.span)

    def _cite(self, ref: ast.ArticleRef) -> None:
        self.cited.setdefault(ref.id, []).append(ref.span)

    # ---- pass 2
    def resolve_expressions(self) -> None:
        for name in self.define_asts:
            self._define(name, NO_SPAN)

    def _define(self, name: str, use: Span) -> Type:
        if name in self.defines:
            return self.defines[name].type
        on_stack = [n for n, _ in self._stack]
        if name in on_stack:
            hops = self._stack[on_stack.index(name):] + [(name, use)]
            path = " -> ".join(n for n, _ in hops)
            labels = [Label(span, f"`{a}` uses `{b}` here") for (a, _), (b, span) in zip(hops, hops[1:])]
            self.error("C020", f"definitions depend on each other in a cycle: {path}",
                       self.define_asts[name].span, "a definition cannot use itself, directly or through others",
                       labels)
            return ERROR
        node = self.define_asts[name]
        self._stack.append((name, use))
        for ref in node.cites:
            self._cite(ref)
        typed = self.expr(node.expr, {})
        self._stack.pop()
        self.defines[name] = DefineInfo(name, node.label, tuple(r.id for r in node.cites), typed, typed.type, node.span)
        return typed.type

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
                    self.error("C013", f"a map key is a name, not `{key.type.describe()}`", k.span)
                return ir.IndexGet(base, key, base.type.value, s)
            case ast.Call(function=f) if f in REGISTRY_QUESTIONS:
                return self._registry_query(node, scope)
            case ast.Call(function=f, args=args):
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
            case ast.Arith(first=first, rest=rest):
                return self._arith(node, scope)
            case ast.Neg(operand=o):
                inner = self.expr(o, scope)
                self._need_number(inner, o.span)
                return ir.Neg(inner, inner.type, s)
            case ast.Compare():
                return self._compare(node, scope)
            case ast.Member(element=e, set_name=set_name, members=members, negated=neg):
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
        result_type = left.type
        self._need_number(left, node.first.span)
        rest = []
        for op, operand in node.rest:
            right = self.expr(operand, scope)
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
        if node.set_name is not None:
            # `x in 医保县市区`: a zone whose members are values of x's enum.
            owner = next((z for z, m in self.zones.items() if node.set_name in m.values()), None)
            if owner is None or self.zone_enum.get(owner) != enum:
                self.error("C022", f"`{node.set_name}` is not a zone of `{enum}`", node.span,
                           did_you_mean(node.set_name, [z for m in self.zones.values() for z in m.values()]))
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
        usage = "nearest(定点医药机构)" if f == "nearest" else "count_within(定点医药机构, 800 m)"
        if len(node.args) != (1 if f == "nearest" else 2):
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
        category = self._resolve_path(("applicant", "category"), s, {})
        lat = self._resolve_path(("applicant", "location", "lat"), s, {})
        lon = self._resolve_path(("applicant", "location", "lon"), s, {})
        # INVARIANT: every facts file may carry applicant.id (facts_model declares it), declared or not.
        exclude = (self._resolve_path(("applicant", "id"), s, {}) if self._declared_type(("applicant", "id"))
                   else ir.InputRef(("applicant", "id"), TEXT, s))
        if any(n.type is ERROR for n in (category, lat, lon, exclude)):
            return ir.Const(None, ERROR, s)
        result = NumT(METRES) if f == "nearest" else NUMBER
        labels = tuple((c, l) for c, l in self.enums[category.type.name].members if l)
        return ir.RegistryQuery(f, target.name, self.registry.same_type, labels, category, lat, lon, exclude, radius,
                                result, s)

    def _first_known(self, node: ast.Call, args: list[ir.Node]) -> ir.Node:
        s = node.span
        if len(args) < 2:
            self.error("C023", "`first_known` takes two or more values", s,
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
                self.error("C023", f"`{f}(…)` takes one `{self.zone_enum[f]}`", s)
                return ir.Const(None, ERROR, s)
            return ir.ZoneOf(f, tuple(sorted(self.zones[f].items())), args[0], EnumT(f), s)
        if f == "first_known":
            return self._first_known(node, args)
        if f in FUNCTIONS_1 or f in FUNCTIONS_N:
            for a, a_ast in zip(args, node.args):
                self._need_number(a, a_ast.span)
            if f in FUNCTIONS_1 and len(args) != 1:
                self.error("C023", f"`{f}` takes one number", s)
                return ir.Const(None, ERROR, s)
            if f in FUNCTIONS_N:
                units = {a.type.unit for a in args if isinstance(a.type, NumT)}
                if len(args) < 2 or len(units) > 1:
                    self.error("C023", f"`{f}` takes two or more numbers of one unit", s)
                    return ir.Const(None, ERROR, s)
            return ir.Func(f, tuple(args), args[0].type, s)
        self.error("C024", f"unknown function `{f}`", s,
                   did_you_mean(f, [*FUNCTIONS_1, *FUNCTIONS_N, "first_known", *REGISTRY_QUESTIONS, *self.zones]))
        return ir.Const(None, ERROR, s)

    # ---- pass 3
    def check_rules(self) -> None:
        for name, rule in self.rule_asts.items():
            for ref in rule.cites:
                self._cite(ref)
            if rule.kind not in KIND_OUTCOMES:
                self.error("C030", f"unknown kind of rule `{rule.kind}`", rule.kind_span,
                           did_you_mean(rule.kind, KIND_OUTCOMES) or "kinds: " + ", ".join(KIND_OUTCOMES))
                allowed: tuple[str, ...] = ()
            else:
                allowed = KIND_OUTCOMES[rule.kind]
                if rule.outcome not in allowed:
                    self.error("C031", f"a {rule.kind} rule concludes {' or '.join(f'`{o}`' for o in allowed)}, "
                               f"not `{rule.outcome}`", rule.outcome_span,
                               did_you_mean(rule.outcome, allowed))
            when = self.expr(rule.when, {})
            self._need_bool(when, rule.when.span)
            assignments = tuple((a.name, self.expr(a.expr, {})) for a in rule.assignments)
            self.rules[name] = RuleInfo(name, rule.kind, tuple(r.id for r in rule.cites), when, rule.outcome,
                                        rule.reason, assignments, rule.span)

    # ---- pass 4
    def check_decisions(self) -> None:
        placed: dict[str, Span] = {}
        for item in self.policy.of_type(ast.Decision):
            for ref in (*item.precedence, *item.notes):
                rule = self.rules.get(ref.name)
                if rule is None:
                    self.error("C032", f"unknown rule `{ref.name}`", ref.span, did_you_mean(ref.name, self.rules))
                    continue
                if ref.name in placed:
                    self.error("C033", f"rule `{ref.name}` is listed twice", ref.span, None,
                               [Label(placed[ref.name], "first listed here")])
                placed[ref.name] = ref.span
                is_note = ref in item.notes
                if is_note and rule.kind != "priority":
                    self.error("C034", f"`notes` lists priority rules; `{ref.name}` is a {rule.kind} rule", ref.span,
                               "move it to `precedence`")
                if not is_note and rule.kind == "priority":
                    self.error("C034", f"priority rule `{ref.name}` cannot decide; list it under `notes`", ref.span)
            if item.otherwise is None:
                self.error("C035", f"decision `{item.name}` has no `otherwise` outcome", item.span,
                           "say what holds when no rule applies, e.g. `otherwise needs_review \"…\"`")
            elif item.otherwise not in OUTCOMES:
                self.error("C036", f"unknown outcome `{item.otherwise}`", item.otherwise_span,
                           did_you_mean(item.otherwise, OUTCOMES) or "outcomes: " + ", ".join(OUTCOMES))
            self.decisions[item.name] = DecisionInfo(
                item.name, item.label, tuple(r.name for r in item.precedence), tuple(r.name for r in item.notes),
                item.otherwise or "needs_review", item.otherwise_reason, item.span)
        if not self.decisions:
            self.error("C037", "the file has no `decision`", Span(self.policy.span.source, 1, 1, 1, 2),
                       "a decision lists its rules by precedence: `decision 准入 { precedence a > b otherwise … }`")
        for name, rule in self.rule_asts.items():
            if name not in placed:
                self.warn("W001", f"rule `{name}` is in no decision, so it never applies", rule.span,
                          "list it in a decision's `precedence` or `notes`")
        for name, define in self.define_asts.items():
            if name not in self.used_defines:
                self.warn("W002", f"definition `{name}` is never used", define.span)

        if self.registry_asts and not self._registry_used:
            self.warn("W005", f"registry `{self.registry_asts[0].name}` is asked by no definition or rule",
                      self.registry_asts[0].span, "ask it with `nearest(…)` or `count_within(…, 800 m)`")

    # ---- pass 5
    def check_citations(self) -> None:
        for article_id, spans in self.cited.items():
            article = self.articles.get(article_id)
            if article is None:
                for span in spans:
                    self.error("C040", f"article `{article_id}` is cited but not declared", span,
                               did_you_mean(article_id, self.articles) or f'declare it: `article {article_id} "<quoted text>"`')
            elif article.status != "operative":
                for span in spans:
                    self.error("C041", f"article `{article_id}` is {article.status}, so no rule may cite it", span,
                               "mark the article operative, or cite the article the rule encodes")
        for item in self.policy.of_type(ast.Interpretation):  # a reading may concern any article
            if item.article.id not in self.articles:
                self.error("C040", f"article `{item.article.id}` is interpreted but not declared", item.article.span,
                           did_you_mean(item.article.id, self.articles))
        for article in self.articles.values():
            if article.status == "operative" and article.id not in self.cited:
                self.warn("W003", f"operative article `{article.id}` is cited by no rule", article.span,
                          "cite it, or mark it `informative` or `deferred \"reason\"`")

    # ---- pass 6
    def check_quotes(self, policy_dir: Path | None) -> None:
        header = self.header
        if header is None:
            return
        rel = header.get("source")
        if rel is None:
            self.warn("W004", "the plan names no source document, so quotes are not checked", header.span,
                      'add `source "sources/<file>.txt" sha256 "<hash>"`')
            return
        if policy_dir is None:
            return
        # INVARIANT: a policy reads nothing outside its own folder.
        target = (policy_dir / rel).resolve()
        if Path(rel).is_absolute() or not target.is_relative_to(policy_dir.resolve()):
            self.error("C050", f"source document `{rel}` is outside the policy's folder", header.span,
                       "keep the source beside the policy, e.g. `sources/<file>.txt`")
            return
        try:
            raw = target.read_bytes()
        except OSError as error:
            self.error("C051", f"cannot read source document `{rel}`: {error.strerror}", header.span)
            return
        digest = hashlib.sha256(raw).hexdigest()
        declared = header.get("sha256")
        if declared and declared != digest:
            self.error("C052", f"source document `{rel}` has changed: its sha256 is `{digest}`", header.span,
                       "re-read the articles against the new text, then update `sha256`")
        self.source_document = raw.decode("utf-8")
        for article in self.articles.values():
            miss = find_quote(article.text, self.source_document)
            if miss is not None:
                self.error("C053", f"the text quoted for article `{article.id}` is not in the source document",
                           article.text_span,
                           f"it matches the source up to `…{miss[-12:]}`; check what follows" if miss else
                           "its first characters are not in the source; copy the text from the document")

    # ---- pass 7
    def check_coverage(self) -> None:
        """Every numbered article of the source is encoded, informative or deferred: none forgotten."""
        if self.source_document is None or self.header is None:
            return
        from .coverage import required, source_articles

        for entry in required(source_articles(self.source_document)):
            if entry.id not in self.articles:
                self.error("C054", f"article `{entry.id}` of the source is not accounted for", self.header.span,
                           f"source line {entry.line}: `{entry.heading}`; declare it operative, informative, or "
                           f"deferred \"reason\"")

    def run(self, policy_dir: Path | None) -> None:
        self.collect_declarations()
        self.resolve_expressions()
        self.check_rules()
        self.check_decisions()
        self.check_citations()
        self.check_quotes(policy_dir)
        self.check_coverage()

    def plan(self, path: str) -> CheckedPlan:
        header = self.header
        stamp = PlanStamp(header.id, header.get("version") or "", hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
                          header.get("title") or "")
        return CheckedPlan(
            stamp=stamp, path=path, header=header, policy=self.policy, articles=self.articles,
            interpretations={k: tuple(v) for k, v in self.interpretations.items()}, enums=self.enums,
            zones=self.zones, inputs=self.inputs, defines=self.defines, rules=self.rules,
            decisions=self.decisions, source_document=self.source_document, registry=self.registry,
            warnings=sort_diagnostics(d for d in self.diagnostics if d.severity == "warning"),
        )


def check_policy(policy: ast.PolicyFile, text: str, path: str) -> tuple[CheckedPlan | None, tuple[Diagnostic, ...]]:
    """Run every pass; return the plan (None when there are errors) and all diagnostics."""
    checker = Checker(policy, text)
    checker.run(Path(path).parent if path and not path.startswith("<") else None)
    diagnostics = sort_diagnostics(checker.diagnostics)
    if checker.errors:
        return None, diagnostics
    return checker.plan(path), diagnostics


def check_or_raise(policy: ast.PolicyFile, text: str, path: str) -> CheckedPlan:
    plan, diagnostics = check_policy(policy, text, path)
    if plan is None:
        raise PolicyError([d for d in diagnostics if d.severity == "error"])
    return plan
