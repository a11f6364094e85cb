"""Checker pass 1: collect the declarations of a policy file and index them by name.

Articles, readings, enums, zones (each declares two enums and a lookup), named sets of enum
members, typed inputs and the registry; every name unique across enums, zones, sets,
definitions, rules and decisions.
Mixed into `engine.compile.checker.Checker`, whose state and reporting it uses.
"""
from __future__ import annotations

from dsl import ast
from dsl.diagnostics import Label, did_you_mean
from dsl.spans import Span
from engine.compile.plan import EnumInfo, InputInfo, RegistryInfo
from engine.compile.resolve import ERROR
from engine.compile.types import SCALAR_NAMES, EnumT, ListT, MapT, NumT, RecordT, Type, make_unit


class DeclarationsPass:
    def collect_declarations(self) -> None:
        names: dict[str, Span] = {}
        set_asts: list[ast.SetDecl] = []

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
                    keys = [k for k, _ in item.fields]
                    for key in sorted({k for k in keys if keys.count(k) > 1}, key=keys.index):
                        self.error("C089", f"the `plan` header gives `{key}` twice", item.span,
                                   f"keep one `{key}` line: only the first would count")
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
                case ast.SetDecl():
                    if claim(item.name, item.span, "set"):
                        set_asts.append(item)
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
                case ast.PopulationDecl():
                    if claim(item.name, item.span, "population"):
                        self.population_asts[item.name] = item
                        for ref in item.cites:
                            self._cite(ref)
                        for aggregate in item.aggregates:
                            if claim(aggregate.name, aggregate.span, "aggregate"):
                                self.aggregate_asts[aggregate.name] = (item.name, aggregate)
                case ast.Rule():
                    if claim(item.name, item.span, "rule"):
                        self.rule_asts[item.name] = item
                case ast.Decision():
                    claim(item.name, item.span, "decision")
        if self.registry_asts:  # after the inputs, which may be declared below it
            self._registry(self.registry_asts[0])
        for item in set_asts:  # after the enums and the registry, which may be declared below it
            self._set(item)
        if self.header is None:
            self.error("C080", "the file has no `plan` header", Span(self.policy.span.source, 1, 1, 1, 2),
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
                       "the zones declaration declares its member enum itself; to name a set of an enum's members, "
                       "write `set NAME of ENUM = {…}`")
        elif claim(item.member_enum, item.span, "enum"):
            self._enum(item.member_enum, None, members, item.span)

    def _set(self, item: ast.SetDecl) -> None:
        for ref in item.cites:
            self._cite(ref)
        enum = item.enum.name
        if self.registry is not None and enum == self.registry.name:
            self._registry_set(item)
            return
        if enum not in self.enums:
            self.error("C120", f"`{enum}` is neither an enum nor the registry", item.enum.span,
                       did_you_mean(enum, [*self.enums, *(r.name for r in self.registry_asts)])
                       or "a set holds members of an enum: `set 门诊类 of 机构类别 = {门诊部}`")
            return
        codes: dict[str, Span] = {}
        for member in item.members:
            code = self._member_of(enum, member)
            if code is None:
                continue
            if code in codes:
                self.error("C121", f"`{member.name}` is listed twice in set `{item.name}`", member.span,
                           "list each member once", [Label(codes[code], "first listed here")])
            codes.setdefault(code, member.span)
        self.sets[item.name] = (enum, frozenset(codes))

    def _registry_set(self, item: ast.SetDecl) -> None:
        """`set 慢病药店 of 定点医药机构 = {门慢药店, …}`: registry categories a question may count."""
        counted = self._registry_names(item.members, f"set {item.name}")
        known = self.registry_category_names()
        for name in item.members:
            if name.name not in known:
                self.error("C123", f"`{name.name}` is not a category of registry `{self.registry.name}`", name.span,
                           did_you_mean(name.name, known) or "add it to the registry's `categories` line, or correct it")
        self.registry_sets[item.name] = counted

    def registry_category_names(self) -> tuple[str, ...]:
        """The categories a registry file may hold: its closed `categories` list, else every one
        its `same_type` lines name."""
        if self.registry.categories is not None:
            return tuple(sorted(self.registry.categories))
        return tuple(dict.fromkeys(c for _, cats in self.registry.same_type for c in cats))

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
                self.error("C081", f"input `{dotted}` overlaps input `{other}`", item.span,
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

