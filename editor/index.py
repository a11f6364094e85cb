"""The editor's view of one policy file: every name it declares and every place it is used.

`build_index(text, path)` parses the text (keeping every token), runs the checker's passes and
walks the tokens of each item once, so that every NAME and ARTICLE_ID token is either the
declaration of a symbol or a use of one. The language server answers hover, definition,
references, completion and outline from this index alone, by a binary search over token
places.

A text that does not parse gives no index (`ParseFailed` carries the diagnostics): the server
keeps the last good index and reports the syntax error.
"""
from __future__ import annotations

import bisect
from dataclasses import field
from dsl.dataclass_cache import dataclass

from dsl import ast
from dsl.clauses import article_of
from dsl.diagnostics import Diagnostic, PolicyError, sort_diagnostics
from dsl.parser import Lexeme, normalize_article_id, parse_with_lexemes
from dsl.spans import Source, Span

Key = tuple[str, ...]
"""("define", name) | ("input", dotted) | ("rule", name) | ("decision", name) | ("enum", name)
| ("member", enum, code) | ("registry", name) | ("article", id) | ("field", record, name); and, declared by the language
rather than the plan, ("outcome", code) and ("kind", kind)"""


@dataclass(frozen=True, slots=True)
class Symbol:
    key: Key
    name: str  # as a reader names it: the definition's name, the input's dotted path, the member's code
    span: Span  # the name where it is declared
    item: object = field(compare=False, repr=False)  # the AST item that declares it


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One token that names a symbol, where it is declared or where it is used."""

    span: Span
    key: Key
    declaration: bool = False


class ParseFailed(Exception):
    def __init__(self, diagnostics: tuple[Diagnostic, ...]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.headline() for d in diagnostics))


@dataclass(eq=False)
class PlanIndex:
    path: str
    text: str
    tree: ast.PolicyFile
    checker: object  # engine.compile.context.CheckContext after every pass: the tables the checker built
    diagnostics: tuple[Diagnostic, ...]
    symbols: dict[Key, Symbol]
    occurrences: list[Occurrence]  # in text order
    lines: list[str] = field(default_factory=list, repr=False)  # the text's lines, split once
    _starts: list[tuple[int, int]] = field(default_factory=list, repr=False)
    _refs: dict[Key, list[Occurrence]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.lines = self.text.splitlines()
        self.occurrences.sort(key=lambda o: (o.span.line, o.span.column))
        self._starts = [(o.span.line, o.span.column) for o in self.occurrences]
        for occurrence in self.occurrences:
            self._refs.setdefault(occurrence.key, []).append(occurrence)

    def at(self, line: int, column: int) -> Occurrence | None:
        """The occurrence under a 1-based place, its last character included."""
        i = bisect.bisect_right(self._starts, (line, column)) - 1
        if i < 0:
            return None
        found = self.occurrences[i]
        span = found.span
        if span.line == line and (span.end_line > line or column <= span.end_column):
            return found
        return None

    def references(self, key: Key) -> list[Occurrence]:
        return self._refs.get(key, [])

    def members(self) -> dict[str, list[Key]]:
        """Every way a member may be written (code and label) -> the members written so."""
        written: dict[str, list[Key]] = {}
        for enum in self.checker.enums.values():
            for code, label in enum.members:
                for text in filter(None, (code, label)):
                    written.setdefault(text, []).append(("member", enum.name, code))
        return written


def build_index(text: str, path: str) -> PlanIndex:
    """Parse and check the text; raise ParseFailed when it does not parse."""
    from engine.compile.checker import check, policy_dir_of
    from engine.compile.extends import extend

    try:
        tree, lexemes = parse_with_lexemes(text, path)
    except PolicyError as error:
        raise ParseFailed(error.diagnostics) from None
    folder = policy_dir_of(path)
    early: list = []
    try:  # a plan that `extends` another is checked with that one's items, as `policy check` does
        resolved, parent = extend(tree, path) if folder is not None else (tree, None)
    except PolicyError as error:
        resolved, parent, early = tree, None, list(error.diagnostics)
    checker = check(resolved, text, folder, parent=parent)
    checker.diagnostics.extend(early)
    source = tree.span.source or Source(path, text)
    walker = _Walker(checker, source, [lx for lx in lexemes if lx.type != "COMMENT"])
    for item in tree.items:
        walker.item(item)
    walker.ir_fields()
    return PlanIndex(path, text, tree, checker, sort_diagnostics(checker.diagnostics), walker.symbols,
                     walker.occurrences)


class _Walker:
    """Turns the tokens of each item into symbols and occurrences."""

    def __init__(self, checker, source: Source, lexemes: list[Lexeme]):
        self.checker = checker
        self.source = source
        self.lexemes = lexemes
        self.starts = [(lx.line, lx.column) for lx in lexemes]
        self.symbols: dict[Key, Symbol] = {}
        self.occurrences: list[Occurrence] = []
        self.written: dict[str, list[Key]] = {}
        for enum in checker.enums.values():
            for code, label in enum.members:
                for text in filter(None, (code, label)):
                    self.written.setdefault(text, []).append(("member", enum.name, code))

    # ---- helpers
    def span(self, lx: Lexeme) -> Span:
        return Span(self.source, lx.line, lx.column, lx.end_line, lx.end_column)

    def tokens(self, span: Span) -> list[Lexeme]:
        lo = bisect.bisect_left(self.starts, (span.line, span.column))
        hi = bisect.bisect_left(self.starts, (span.end_line, span.end_column))
        return self.lexemes[lo:hi]

    def declare(self, key: Key, name: str, lx: Lexeme | Span, item, span: Span | None = None) -> None:
        at = lx if isinstance(lx, Span) else self.span(lx)
        self.symbols.setdefault(key, Symbol(key, name, span or at, item))
        self.occurrences.append(Occurrence(at, key, True))

    def use(self, key: Key | None, lx: Lexeme) -> None:
        if key is not None:
            self.occurrences.append(Occurrence(self.span(lx), key))

    def articles(self, tokens: list[Lexeme], declared: Lexeme | None = None) -> None:
        for lx in tokens:
            if lx.type == "ARTICLE_ID" and lx is not declared:
                # a sentence cited alone (二（二）第1句) goes to its article
                self.use(("article", article_of(normalize_article_id(lx.text))), lx)

    # ---- items
    def item(self, item) -> None:
        tokens = self.tokens(item.span)
        if not tokens:
            return
        names = [lx for lx in tokens if lx.type == "NAME"]
        match item:
            case ast.Article():
                head = next((lx for lx in tokens if lx.type == "ARTICLE_ID"), None)
                if head is not None:
                    self.declare(("article", item.id), item.id, head, item)
                self.articles(tokens, head)
            case ast.EnumDecl():
                self.declare(("enum", item.name), item.name, names[0], item)
                for member in item.members:
                    at = self._name_at(member.span)
                    if at is not None:
                        self.declare(("member", item.name, member.code), member.code, at, member)
            case ast.ZonesDecl():
                self.declare(("enum", item.name), item.name, names[0], item)
                self.declare(("enum", item.member_enum), item.member_enum, names[1], item)
                self.articles(tokens)
                for zone in item.zones:
                    at = self._name_at(zone.span)
                    if at is not None:
                        self.declare(("member", item.name, zone.name), zone.name, at, zone)
                    for member in zone.members:
                        key = ("member", item.member_enum, member.name)
                        if key in self.symbols:
                            self.occurrences.append(Occurrence(member.span, key))
                        else:
                            self.declare(key, member.name, member.span, member)
            case ast.RegistryDecl():
                self.declare(("registry", item.name), item.name, names[0], item)
                self.articles(tokens)
                enum = self._category_enum()
                for line in item.same_type:
                    code = enum.lookup(line.category.name) if enum else None
                    if code:
                        self.occurrences.append(Occurrence(line.category.span, ("member", enum.name, code)))
            case ast.InputDecl():
                self._input(item, tokens)
            case ast.Define() | ast.Rule() | ast.Decision():
                kind = {ast.Define: "define", ast.Rule: "rule", ast.Decision: "decision"}[type(item)]
                self.declare((kind, item.name), item.name, names[0], item)
                self.articles(tokens)
                if isinstance(item, ast.Rule):  # its kind and outcome: hover says what they mean
                    self.occurrences.append(Occurrence(item.kind_span, ("kind", item.kind)))
                    self.occurrences.append(Occurrence(item.outcome_span, ("outcome", item.outcome)))
                if isinstance(item, ast.Decision):
                    self._decision(tokens)
                    if item.otherwise:
                        self.occurrences.append(Occurrence(item.otherwise_span, ("outcome", item.otherwise)))
                else:
                    self._expression_tokens(tokens[2:], item)
            case _:  # interpretations, the header, and any item a newer grammar adds: uses only
                self.articles(tokens)
                self._expression_tokens(tokens[1:], item)

    def _name_at(self, span: Span) -> Lexeme | None:
        i = bisect.bisect_left(self.starts, (span.line, span.column))
        if i < len(self.lexemes) and self.lexemes[i].type == "NAME":
            return self.lexemes[i]
        return None

    def _category_enum(self):
        info = self.checker.inputs.get("applicant.category")
        name = getattr(getattr(info, "type", None), "name", None)
        return self.checker.enums.get(name) if isinstance(name, str) else None

    def _fields(self, type_, record: str) -> None:
        """Declare each field of a record type, named as the checker names its record."""
        match type_:
            case ast.ListType(item=inner) | ast.MapType(value=inner):
                self._fields(inner, record)
            case ast.RecordType(fields=fields):
                for f in fields:
                    at = self._name_at(f.span)
                    if at is not None:
                        self.declare(("field", record, f.name), f.name, at, f)
                    self._fields(f.type, f"{record}.{f.name}")

    def ir_fields(self) -> None:
        """Uses of record fields, from the checked IR: `g.admission_rate`, `x[k].bed_occupancy`."""
        from engine.compile import ir
        from engine.compile.types import RecordT

        roots = [d.node for d in self.checker.defines.values()]
        for rule in self.checker.rules.values():
            roots += [rule.when, *(node for _, node in rule.assignments)]
        for root in roots:
            for node in ir.walk(root):
                if isinstance(node, ir.FieldGet) and isinstance(node.base.type, RecordT) and node.span.line:
                    named = [lx for lx in self.tokens(node.span) if lx.type == "NAME" and lx.text == node.name]
                    if named:
                        self.use(("field", node.base.type.name, node.name), named[-1])

    def _input(self, item: ast.InputDecl, tokens: list[Lexeme]) -> None:
        self._fields(item.type, item.dotted)
        key = ("input", item.dotted)
        colon = next((i for i, lx in enumerate(tokens) if lx.type == "COLON"), len(tokens))
        path = [lx for lx in tokens[1:colon] if lx.type == "NAME"]
        if path:
            whole = Span(self.source, path[0].line, path[0].column, path[-1].end_line, path[-1].end_column)
            self.declare(key, item.dotted, whole, item)
        for i, lx in enumerate(tokens):
            if i > colon and lx.type == "NAME":
                if tokens[i - 1].type == "AS":
                    self.declare(key, item.dotted, lx, item, self.symbols[key].span if key in self.symbols else None)
                elif lx.text in self.checker.enums:
                    self.use(("enum", lx.text), lx)

    def _decision(self, tokens: list[Lexeme]) -> None:
        for before, lx in zip(tokens, tokens[1:]):
            if lx.type == "NAME" and before.type in ("PRECEDENCE", "MORETHAN", "NOTES", "COMMA"):
                self.use(("rule", lx.text), lx)

    def _expression_tokens(self, tokens: list[Lexeme], item) -> None:
        """Uses of names in conditions, formulas and assignments; loop variables are local."""
        local = {lx.text for before, lx in zip(tokens, tokens[1:]) if before.type == "FOR" and lx.type == "NAME"}
        skip = {(s.line, s.column) for s in (getattr(item, "kind_span", None), getattr(item, "outcome_span", None)) if s}
        assigned = {(a.span.line, a.span.column) for a in getattr(item, "assignments", ())}
        i = 0
        while i < len(tokens):
            lx = tokens[i]
            if lx.type != "NAME":
                i += 1
                continue
            chain = [lx]  # NAME (. NAME)*: a dotted path, or a name and its fields
            before = tokens[i - 1] if i else None
            while i + 2 < len(tokens) and tokens[i + 1].type == "DOT" and tokens[i + 2].type == "NAME":
                chain.append(tokens[i + 2])
                i += 2
            i += 1
            head = chain[0]
            if (head.line, head.column) in skip | assigned or head.text in local:
                continue  # a rule's kind or outcome, the name a `with` gives, a loop variable
            for lx_, key in zip(chain, self._resolve([t.text for t in chain], before)):
                self.use(key, lx_)

    def _resolve(self, chain: list[str], before: Lexeme | None) -> list[Key | None]:
        """One key (or None) per name of a chain: the longest declared input path wins."""
        c = self.checker
        name = chain[0]
        fields = [None] * (len(chain) - 1)
        if name in c.define_asts:
            return [("define", name), *fields]
        if name in c.aliases:
            return [("input", c.aliases[name].dotted), *fields]
        if len(chain) == 1:
            if name in c.rule_asts:
                return [("rule", name)]
            if name in c.enums:
                return [("enum", name)]
            if c.registry_asts and c.registry_asts[0].name == name:
                return [("registry", name)]
            owners = self.written.get(name, [])
            if owners:
                if before is not None and before.type == "IN":  # `x in ZONE`: a member of a zones enum
                    owners = [k for k in owners if k[1] in c.zones] or owners
                return [owners[0]]
        for cut in range(len(chain), 0, -1):
            dotted = ".".join(chain[:cut])
            if dotted in c.inputs:
                return [("input", dotted)] * cut + [None] * (len(chain) - cut)
        return [None] * len(chain)
