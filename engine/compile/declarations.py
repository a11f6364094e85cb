"""Checker passes over the declarations: collect them, index them by name; the header's date.

`collect_declarations` indexes articles, readings, enums, zones (each declares two enums and
a lookup), named sets of enum members, typed inputs and the registry, every name unique
across enums, zones, sets, the registry, inputs' aliases, definitions, populations,
aggregates, rules and decisions. `check_effective` reads the header's `effective` date. `member_of` and
`registry_category_names` are the lookups later passes make in what these collected.
"""
from __future__ import annotations

from datetime import date

from dsl import ast
from dsl.diagnostics import Label, did_you_mean
from dsl.spans import Span

from engine.compile.context import CheckContext
from engine.compile.plan import EnumInfo, InputInfo, RegistryInfo
from engine.compile.readings import Reading
from engine.compile.types import ERROR, SCALAR_NAMES, EnumT, ListT, MapT, NumT, RecordT, Type, make_unit


def collect_declarations(ctx: CheckContext) -> None:
    names: dict[str, Span] = {}
    set_asts: list[ast.SetDecl] = []

    def claim(name: str, span: Span, what: str) -> bool:
        if name in names:
            ctx.error("C001", f"`{name}` is declared twice", span,
                      "give each enum, zone, definition, rule and decision its own name",
                      [Label(names[name], "first declared here")])
            return False
        names[name] = span
        return True

    for item in ctx.policy.items:
        match item:
            case ast.PlanHeader():
                if ctx.header is not None:
                    ctx.error("C002", "a policy file has one `plan` header", item.span)
                ctx.header = item
                keys = [k for k, _ in item.fields]
                for key in sorted({k for k in keys if keys.count(k) > 1}, key=keys.index):
                    ctx.error("C089", f"the `plan` header gives `{key}` twice", item.span,
                              f"keep one `{key}` line: only the first would count")
            case ast.Article():
                if item.id in ctx.articles:
                    ctx.error("C003", f"article `{item.id}` is declared twice", item.span, None,
                              [Label(ctx.articles[item.id].span, "first declared here")])
                ctx.articles[item.id] = item
            case ast.Interpretation():
                ctx.interpretations.setdefault(item.article.id, []).append(Reading(item.text, item.zh))
            case ast.EnumDecl():
                if claim(item.name, item.span, "enum"):
                    _enum(ctx, item.name, item.label, [(m.code, m.label, m.span) for m in item.members], item.span)
            case ast.ZonesDecl():
                _zones(ctx, item, claim)
            case ast.SetDecl():
                if claim(item.name, item.span, "set"):
                    set_asts.append(item)
            case ast.RegistryDecl():
                if ctx.registry_asts:
                    ctx.error("C060", "a plan declares one registry", item.span,
                              "`--registry` gives one file: put every `same_type` line in one `registry` block",
                              [Label(ctx.registry_asts[0].span, "first declared here")])
                elif claim(item.name, item.span, "registry"):
                    ctx.registry_asts.append(item)
            case ast.InputDecl():
                _input(ctx, item, claim)
            case ast.Define():
                if claim(item.name, item.span, "definition"):
                    ctx.define_asts[item.name] = item
            case ast.PopulationDecl():
                if claim(item.name, item.span, "population"):
                    ctx.population_asts[item.name] = item
                    for ref in item.cites:
                        ctx.cite(ref)
                    for aggregate in item.aggregates:
                        if claim(aggregate.name, aggregate.span, "aggregate"):
                            ctx.aggregate_asts[aggregate.name] = (item.name, aggregate)
            case ast.Rule():
                if claim(item.name, item.span, "rule"):
                    ctx.rule_asts[item.name] = item
            case ast.Decision():
                claim(item.name, item.span, "decision")
    if ctx.registry_asts:  # after the inputs, which may be declared below it
        _registry(ctx, ctx.registry_asts[0])
    for item in set_asts:  # after the enums and the registry, which may be declared below it
        _set(ctx, item)
    if ctx.header is None:
        ctx.error("C080", "the file has no `plan` header", Span(ctx.policy.span.source, 1, 1, 1, 2),
                  'start the file with `plan "<id>" title "…" version "…"`')


def check_effective(ctx: CheckContext) -> None:
    """`effective` is the ISO date from which decisions under the plan are in force."""
    written = ctx.header.get("effective") if ctx.header else None
    if written is None:
        return
    try:
        date.fromisoformat(written)
    except ValueError:
        ctx.error("C098", f"`effective \"{written}\"` is not a date", ctx.header.span,
                  "write the date the plan takes effect as YYYY-MM-DD")


# ---- lookups for the later passes
def member_of(ctx: CheckContext, enum: str, name: ast.Name) -> str | None:
    """The code of the member of `enum` that `name` writes (its code or its label), or None (C012)."""
    info = ctx.enums.get(enum)
    code = info.lookup(name.name) if info else None
    if code is None:
        ctx.error("C012", f"`{name.name}` is not a member of `{enum}`", name.span,
                  did_you_mean(name.name, [c for c, _ in info.members] if info else []))
    return code


def registry_category_names(ctx: CheckContext) -> tuple[str, ...]:
    """The categories a registry file may hold: its closed `categories` list, else every one
    its `same_type` lines name."""
    if ctx.registry.categories is not None:
        return tuple(sorted(ctx.registry.categories))
    return tuple(dict.fromkeys(c for _, cats in ctx.registry.same_type for c in cats))


# ---- enums, zones and sets
def _enum(ctx: CheckContext, name, label, members, span) -> None:
    seen: dict[str, Span] = {}
    for code, member_label, m_span in members:
        for written in filter(None, (code, member_label)):
            if written in seen:
                ctx.error("C004", f"`{written}` names two members of `{name}`", m_span, None,
                          [Label(seen[written], "first used here")])
            seen[written] = m_span
    ctx.enums[name] = EnumInfo(name, label, tuple((c, l) for c, l, _ in members), span)


def _zones(ctx: CheckContext, item: ast.ZonesDecl, claim) -> None:
    for ref in item.cites:
        ctx.cite(ref)
    mapping: dict[str, str] = {}
    members = []
    for zone in item.zones:
        for member in zone.members:
            if member.name in mapping:
                ctx.error("C005", f"`{member.name}` is in two zones of `{item.name}`", member.span,
                          "a district belongs to one zone")
                continue
            mapping[member.name] = zone.name
            members.append((member.name, None, member.span))
    if claim(item.name, item.span, "zones"):
        _enum(ctx, item.name, None, [(z.name, None, z.span) for z in item.zones], item.span)
        ctx.zones[item.name] = mapping
        ctx.zone_enum[item.name] = item.member_enum
    if item.member_enum in ctx.enums:
        ctx.error("C001", f"`{item.member_enum}` is declared twice", item.span,
                  "the zones declaration declares its member enum itself; to name a set of an enum's members, "
                  "write `set NAME of ENUM = {…}`")
    elif claim(item.member_enum, item.span, "enum"):
        _enum(ctx, item.member_enum, None, members, item.span)


def _set(ctx: CheckContext, item: ast.SetDecl) -> None:
    for ref in item.cites:
        ctx.cite(ref)
    enum = item.enum.name
    if ctx.registry is not None and enum == ctx.registry.name:
        _registry_set(ctx, item)
        return
    if enum not in ctx.enums:
        ctx.error("C120", f"`{enum}` is neither an enum nor the registry", item.enum.span,
                  did_you_mean(enum, [*ctx.enums, *(r.name for r in ctx.registry_asts)])
                  or "a set holds members of an enum: `set 门诊类 of 机构类别 = {门诊部}`")
        return
    codes: dict[str, Span] = {}
    for member in item.members:
        code = member_of(ctx, enum, member)
        if code is None:
            continue
        if code in codes:
            ctx.error("C121", f"`{member.name}` is listed twice in set `{item.name}`", member.span,
                      "list each member once", [Label(codes[code], "first listed here")])
        codes.setdefault(code, member.span)
    ctx.sets[item.name] = (enum, frozenset(codes))


def _registry_set(ctx: CheckContext, item: ast.SetDecl) -> None:
    """`set 慢病药店 of 定点医药机构 = {门慢药店, …}`: registry categories a question may count."""
    counted = _registry_names(ctx, item.members, f"set {item.name}")
    known = registry_category_names(ctx)
    for name in item.members:
        if name.name not in known:
            ctx.error("C123", f"`{name.name}` is not a category of registry `{ctx.registry.name}`", name.span,
                      did_you_mean(name.name, known) or "add it to the registry's `categories` line, or correct it")
    ctx.registry_sets[item.name] = counted


# ---- inputs and their types
def _type(ctx: CheckContext, t: ast.TypeExpr, name: str) -> Type:
    match t:
        case ast.ScalarType(name=n, unit=unit):
            if unit:
                if n != "number":
                    ctx.error("C006", f"only `number` takes a unit, not `{n}`", t.span,
                              "write `number yuan/bed`")
                    return ERROR
                return NumT(make_unit(unit[0], *unit[1:]))
            if n in SCALAR_NAMES:
                return SCALAR_NAMES[n]
            if n in ctx.enums:
                return EnumT(n)
            ctx.error("C007", f"unknown type `{n}`", t.span,
                      did_you_mean(n, [*SCALAR_NAMES, *ctx.enums]) or
                      "use bool, text, date, number <unit>, fraction, money, metres, count or an enum")
            return ERROR
        case ast.RecordType(fields=fields):
            return RecordT(name, tuple((f.name, _type(ctx, f.type, f"{name}.{f.name}")) for f in fields))
        case ast.ListType(item=item):
            return ListT(_type(ctx, item, name))
        case ast.MapType(value=value):
            return MapT(_type(ctx, value, name))
    return ERROR


def _input(ctx: CheckContext, item: ast.InputDecl, claim) -> None:
    dotted = item.dotted
    if dotted in ctx.inputs:
        ctx.error("C008", f"input `{dotted}` is declared twice", item.span, None,
                  [Label(ctx.inputs[dotted].span, "first declared here")])
        return
    for other in ctx.inputs:
        if other.startswith(dotted + ".") or dotted.startswith(other + "."):
            ctx.error("C081", f"input `{dotted}` overlaps input `{other}`", item.span,
                      "declare either the record or its fields, not both")
            return
    info = InputInfo(item.path, _type(ctx, item.type, dotted), item.alias, item.label, item.span)
    ctx.inputs[dotted] = info
    if item.alias and claim(item.alias, item.span, "input alias"):
        ctx.aliases[item.alias] = info


# ---- the registry declaration
def _registry_names(ctx: CheckContext, names: tuple[ast.Name, ...], where: str) -> tuple[str, ...]:
    seen: dict[str, Span] = {}
    for name in names:
        if name.name in seen:
            ctx.error("C065", f"`{name.name}` is listed twice in `{where}`", name.span, None,
                      [Label(seen[name.name], "first listed here")])
        seen.setdefault(name.name, name.span)
    return tuple(seen)


def _registry(ctx: CheckContext, item: ast.RegistryDecl) -> None:
    """Check the declaration against the inputs its queries read: category, location, id."""
    for ref in item.cites:
        ctx.cite(ref)
    ok = True
    category = ctx.declared_type(("applicant", "category"))
    enum = category.name if isinstance(category, EnumT) else None
    if enum is None:
        ok = False
        ctx.error("C061", "a registry needs the applicant's category, declared as an enum", item.span,
                  "declare `input applicant.category : <enum>`; `same_type` lines name its members")
    if not all(isinstance(ctx.declared_type(("applicant", "location", axis)), NumT) for axis in ("lat", "lon")):
        ok = False
        ctx.error("C062", "a registry needs the applicant's location", item.span,
                  "declare `input applicant.location : { lat: number deg, lon: number deg }`")
    closed = _registry_names(ctx, item.categories, "categories") if item.categories is not None else None
    mapping: dict[str, tuple[str, ...]] = {}
    first: dict[str, Span] = {}
    for line in item.same_type:
        counted = _registry_names(ctx, line.registry_categories, f"same_type {line.category.name}")
        for name in line.registry_categories if closed is not None else ():
            if name.name not in closed:
                ctx.error("C064", f"`{name.name}` is not one of the registry's `categories`", name.span,
                          did_you_mean(name.name, closed) or "add it to the `categories` line, or correct it")
        code = member_of(ctx, enum, line.category) if enum else None
        if code is None:
            continue
        if code in first:
            ctx.error("C063", f"`same_type {line.category.name}` is given twice", line.span,
                      "list every registry category of one type on one line", [Label(first[code], "first given here")])
            continue
        first[code] = line.span
        mapping[code] = counted
    ctx.registry_ok = ok
    ctx.registry = RegistryInfo(item.name, item.label, tuple(r.id for r in item.cites), tuple(mapping.items()),
                                frozenset(closed) if closed is not None else None, item.span)
