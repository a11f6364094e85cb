"""The house layout of each item: an AST item -> lines of text, each tied to the token it starts with.

The shipped plans are the model. The formatter owns spacing, indentation, alignment and where
clause keywords go (`when`, `then`, `with`, `precedence`/`>` each start a line); the author owns
the optional line breaks (after a definition's `=`, before an `and`/`or`/arithmetic operator of
a clause's expression, between the strings of a text, before an input's label, an expanded
record), which are kept; a line wider than `WIDTH` is broken at the next such place.

Every line records the index of the source token it starts with (its *anchor*). A line holds
the source tokens from its anchor up to the next anchor, so a comment can be put back next
to the tokens it was next to (formatter.py), even where clauses are reordered.
"""
from __future__ import annotations

import re
from dataclasses import field
from dsl.dataclass_cache import dataclass

from . import ast
from .parser import Lexeme, unquote
from .printer import AND, OR, ExprPrinter, display_width, quote, strength, type_text

_ZH = "zh "  # the keyword of a reading's Chinese text
WIDTH = 140  # display columns (a CJK character counts two): about 68 characters of Chinese a line
INDENT = "  "
CONTINUATION = "    "  # a clause's expression continued: two more than the clause

# Where an over-long string is best split: after Chinese or ASCII punctuation, or after a space.
_BREAK_AFTER = set("，。、；：！？）」』》】,; ")
_NAME = re.compile(r"[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]*")
_KEYWORDS = set(
    "plan article interpretation enum zones set registry input define population rule decision cites when then with "
    "precedence notes otherwise outcomes over if else and or not in sum for of as map list informative operative deferred "
    "same_type categories quota ranking per unit counts none review split by ties true false title version issuer status "
    "issued source sha256".split())
_ESCAPED_WIDTH = {"\\": 2, '"': 2, "\n": 2, "\t": 2}


@dataclass
class Line:
    text: str
    anchor: int | None = None  # index in the code tokens of the token the line starts with
    comment_indent: str | None = None  # a closing `}`: comments before it sit at the block's indent
    align: tuple[str, str] | None = None  # a one-line input: (path, the rest), paths padded per run


@dataclass
class Segment:
    """A piece of a clause that may start a line: an operator and its operand, an assignment."""

    text: str
    anchor: int | None
    breaks: bool = False  # the author broke the line here


class Tokens:
    """The code tokens of a file (comments apart), found by the spans of the AST."""

    def __init__(self, lexemes: tuple[Lexeme, ...]):
        self.code = [lx for lx in lexemes if lx.type != "COMMENT"]
        self.comments = [lx for lx in lexemes if lx.type == "COMMENT"]
        self._start = {(t.line, t.column): i for i, t in enumerate(self.code)}
        self._end = {(t.end_line, t.end_column): i for i, t in enumerate(self.code)}

    def first(self, span) -> int:
        return self._start[(span.line, span.column)]

    def last(self, span) -> int:
        return self._end[(span.end_line, span.end_column)]

    def before(self, index: int) -> int:
        """The token before `index`, skipping opening parentheses: an operand's operator or keyword."""
        index -= 1
        while self.code[index].type == "LPAR":
            index -= 1
        return index

    def breaks_before(self, index: int) -> bool:
        return 0 < index < len(self.code) and self.code[index].line > self.code[index - 1].end_line

    def of_type(self, kind: str, start: int, end: int) -> list[int]:
        return [i for i in range(start, end + 1) if self.code[i].type == kind]


class SourcePrinter(ExprPrinter):
    """Prints expressions as the author wrote them: `×` stays `×`, parentheses stay."""

    def __init__(self, tokens: Tokens):
        self.tokens = tokens

    def op_text(self, node: ast.Arith, index: int) -> str:
        op = node.rest[index][0]
        if op in "*/":  # the tree says `*` for `×` and `/` for `÷`: the token says which
            return self.tokens.code[self.tokens.before(self.tokens.first(node.rest[index][1].span))].text
        return op

    def keeps_parens(self, node: ast.Expr) -> bool:
        code, first, last = self.tokens.code, self.tokens.first(node.span), self.tokens.last(node.span)
        if first == 0 or last + 1 >= len(code) or code[first - 1].type != "LPAR" or code[last + 1].type != "RPAR":
            return False
        return not (first >= 2 and code[first - 2].type in ("NAME", "SUM"))  # f(x): a call's parentheses


def _cites(cites: tuple[ast.ArticleRef, ...]) -> str:
    return f" cites {', '.join(c.id for c in cites)}" if cites else ""


def _label(label: str | None) -> str:
    return f" {quote(label)}" if label is not None else ""


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _category(name: ast.Name) -> str:
    """A registry category bare when it reads as a name, quoted otherwise (`"双通道药店（DTP）"`)."""
    return name.name if _NAME.fullmatch(name.name) and name.name not in _KEYWORDS else quote(name.name)


def split_string(value: str, room: int) -> list[str]:
    """Cut a text into pieces each at most `room` columns quoted-inside; the pieces join to `value`.

    A piece ends after punctuation or a space when one lies in its second half, so a Chinese
    clause or an English word stays whole; otherwise it is cut at the width, between characters.
    """
    pieces = []
    while display_width(quote(value)) - 2 > room:
        count, width = 0, 0
        while count < len(value):
            ch = value[count]
            width += _ESCAPED_WIDTH.get(ch) or display_width(ch)
            if width > room:
                break
            count += 1
        count = max(count, 1)
        cut = next((p for p in range(count, count // 2, -1) if value[p - 1] in _BREAK_AFTER), count)
        pieces.append(value[:cut])
        value = value[cut:]
    return pieces + [value]


def fill(prefix: str, segments: list[Segment], continuation: str, sep: str = " ", trail: str = "") -> list[Line]:
    """Segments on as few lines as fit, keeping the author's breaks; a break ends the line with `trail`."""
    lines = [Line(prefix + segments[0].text)]
    for number, segment in enumerate(segments[1:], start=2):
        current = lines[-1]
        more = trail if number < len(segments) else ""
        if segment.breaks or display_width(current.text + sep + segment.text + more) > WIDTH:
            current.text += trail
            lines.append(Line(continuation + segment.text, segment.anchor))
        else:
            current.text += sep + segment.text
    return lines


def _overflows(lines: list[Line]) -> bool:
    return any(display_width(line.text) > WIDTH for line in lines)


@dataclass
class _TextLine:
    text: str
    anchor: int | None
    atoms: list = field(default_factory=list)  # (value, splittable) of each string on the line
    lead: str = INDENT  # what the line's first string follows: the indent, or the indent and `zh `


class Layout:
    """Lays out one item at a time; `lines(item)` is the entry point."""

    def __init__(self, tokens: Tokens):
        self.tokens = tokens
        self.printer = SourcePrinter(tokens)

    def lines(self, item: ast.Item) -> list[Line]:
        match item:
            case ast.PlanHeader():
                return self._plan(item)
            case ast.Article() | ast.Interpretation():
                return self._text_item(item)
            case ast.EnumDecl():
                return self._enum(item)
            case ast.ZonesDecl():
                return self._zones(item)
            case ast.SetDecl():
                return self._set(item)
            case ast.RegistryDecl():
                return self._registry(item)
            case ast.InputDecl():
                return self._input(item)
            case ast.Define():
                return self._define(item)
            case ast.PopulationDecl():
                return self._population(item)
            case ast.Rule():
                return self._rule(item)
            case ast.Decision():
                return self._decision(item)
            case ast.Quota():
                return self._quota(item)
            case ast.Ranking():
                return self._ranking(item)
        raise TypeError(f"no layout for {type(item).__name__}")

    def _range(self, item) -> tuple[int, int]:
        return self.tokens.first(item.span), self.tokens.last(item.span)

    def _closing(self, item) -> Line:
        return Line("}", self.tokens.last(item.span), comment_indent=INDENT)

    # ---- header and texts

    def _plan(self, item: ast.PlanHeader) -> list[Line]:
        start, end = self._range(item)
        keys = self.tokens.of_type("PLAN_KEY", start, end)
        width = max((len(key) for key, _ in item.fields), default=0)
        return [Line(f"plan {quote(item.id)}", start)] + [
            Line(f"{INDENT}{key.ljust(width)} {quote(value)}", anchor) for (key, value), anchor in zip(item.fields, keys)]

    def _text_item(self, item: ast.Article | ast.Interpretation) -> list[Line]:
        """`article ID status` or `interpretation ID`, then the strings, several to a line as written;
        a reading's Chinese text (`zh "…"`) starts a line of its own after the English one."""
        start, end = self._range(item)
        strings = self.tokens.of_type("STRING", start, end)
        zh_at = None
        if isinstance(item, ast.Article):
            head = f"article {item.id} {item.status}"
            atoms = [(unquote(self.tokens.code[i].text), i, True) for i in strings]
            if item.status == "deferred":  # the reason is one string: it cannot be split
                atoms[0] = (item.reason or "", strings[0], False)
        else:
            head = f"interpretation {item.article.id}"
            atoms = [(unquote(self.tokens.code[i].text), i, True) for i in strings]
            zh_at = next(iter(self.tokens.of_type("ZH", start, end)), None)
        rows = [_TextLine(head, start)]
        for value, anchor, splittable in atoms:
            text = quote(value)
            if zh_at is not None and anchor > zh_at > rows[-1].anchor:  # the first string of the Chinese text
                rows.append(_TextLine(INDENT + _ZH + text, zh_at, [(value, splittable)], INDENT + _ZH))
            elif self.tokens.breaks_before(anchor) or display_width(rows[-1].text + " " + text) > WIDTH:
                rows.append(_TextLine(INDENT + text, anchor, [(value, splittable)]))
            else:
                rows[-1].text += " " + text
                rows[-1].atoms.append((value, splittable))
        lines = []
        for row in rows:
            if row.anchor != start and len(row.atoms) == 1 and row.atoms[0][1] and display_width(row.text) > WIDTH:
                pieces = split_string(row.atoms[0][0], WIDTH - len(row.lead) - 2)
                lines.append(Line(row.lead + quote(pieces[0]), row.anchor))
                lines += [Line(INDENT + quote(piece)) for piece in pieces[1:]]
            else:
                lines.append(Line(row.text, row.anchor))
        return lines

    # ---- vocabulary

    def _enum(self, item: ast.EnumDecl) -> list[Line]:
        start, _ = self._range(item)
        width = max((display_width(m.code) for m in item.members if m.label is not None), default=0)
        lines = [Line(f"enum {item.name}{_label(item.label)} {{", start)]
        for member in item.members:
            text = INDENT + (f"{_pad(member.code, width)} {quote(member.label)}" if member.label is not None
                             else member.code)
            lines.append(Line(text, self.tokens.first(member.span)))
        return lines + [self._closing(item)]

    def _zones(self, item: ast.ZonesDecl) -> list[Line]:
        start, _ = self._range(item)
        width = max(display_width(zone.name) for zone in item.zones)
        lines = [Line(f"zones {item.name} of {item.member_enum}{_cites(item.cites)} {{", start)]
        for zone in item.zones:
            prefix = INDENT + _pad(zone.name + ":", width + 1) + " "
            zone_lines = fill(prefix, [Segment(m.name, None) for m in zone.members],
                              " " * display_width(prefix), sep=", ", trail=",")
            zone_lines[0].anchor = self.tokens.first(zone.span)
            lines += zone_lines
        return lines + [self._closing(item)]

    def _set(self, item: ast.SetDecl) -> list[Line]:
        """`set NAME of ENUM = {A, B}` on one line while it fits, then members under the first."""
        start, _ = self._range(item)
        prefix = f"set {item.name} of {item.enum.name}{_cites(item.cites)} = {{"
        lines = fill(prefix, [Segment(_category(m), None) for m in item.members], " " * display_width(prefix),
                     sep=", ", trail=",")
        lines[0].anchor = start
        lines[-1].text += "}"
        return lines

    def _registry(self, item: ast.RegistryDecl) -> list[Line]:
        start, _ = self._range(item)
        lines = [Line(f"registry {item.name}{_label(item.label)}{_cites(item.cites)} {{", start)]
        if item.categories is not None:
            lines.append(Line(f"{INDENT}categories {', '.join(_category(c) for c in item.categories)}",
                              self.tokens.first(item.categories_span)))
        width = max((display_width(s.category.name) for s in item.same_type), default=0)
        for same in item.same_type:
            text = f"{INDENT}same_type {_pad(same.category.name + ':', width + 1)} "
            lines.append(Line(text + ", ".join(_category(c) for c in same.registry_categories),
                              self.tokens.first(same.span)))
        return lines + [self._closing(item)]

    # ---- inputs

    def _input(self, item: ast.InputDecl) -> list[Line]:
        """One line, aligned on `:` with its neighbours; or a record one field a line; or a label below."""
        start, end = self._range(item)
        tail = type_text(item.type) + (f" as {item.alias}" if item.alias else "")
        label = _label(item.label)
        match item.type:
            case ast.RecordType():
                record = item.type
            case ast.ListType(item=record) | ast.MapType(value=record):
                pass
            case _:
                record = None
        one_line = f"input {item.dotted} : {tail}{label}"
        if record is not None:
            r_start, r_end = self.tokens.first(record.span), self.tokens.last(record.span)
            if self.tokens.code[r_start].line != self.tokens.code[r_end].line or display_width(one_line) > WIDTH:
                return self._record_input(item, record, r_end)
        if item.label is not None and (self.tokens.breaks_before(end) or display_width(one_line) > WIDTH):
            return [Line(f"input {item.dotted} : {tail}", start), Line(INDENT + label.strip(), end)]
        return [Line(one_line, start, align=(item.dotted, tail + label))]

    def _record_input(self, item: ast.InputDecl, record: ast.RecordType, closing: int) -> list[Line]:
        kind = {ast.ListType: "list of ", ast.MapType: "map of "}.get(type(item.type), "")
        names = max(display_width(f.name) for f in record.fields)
        types = max((display_width(type_text(f.type)) for f in record.fields if f.label is not None), default=0)
        lines = [Line(f"input {item.dotted} : {kind}{{", self.tokens.first(item.span))]
        for f in record.fields:
            text = f"{INDENT}{_pad(f.name, names)} : "
            text += f"{_pad(type_text(f.type), types)} {quote(f.label)}," if f.label is not None else f"{type_text(f.type)},"
            lines.append(Line(text, self.tokens.first(f.span)))
        alias = f" as {item.alias}" if item.alias else ""
        return lines + [Line("}" + alias + _label(item.label), closing, comment_indent=INDENT)]

    # ---- definitions, rules, decisions

    def segments(self, expr: ast.Expr) -> list[Segment]:
        """A clause's expression cut where a line may break: before each operator of its top chain."""
        printer, tokens = self.printer, self.tokens
        if printer.keeps_parens(expr):
            return [Segment(printer.text(expr), tokens.first(expr.span))]

        def operator(operand: ast.Expr) -> tuple[int, bool]:
            op = tokens.before(tokens.first(operand.span))
            return op, tokens.breaks_before(op) or tokens.breaks_before(op + 1)

        match expr:
            case ast.Logic(op=op, operands=operands):
                level = OR if op == "or" else AND
                segments = [Segment(printer.text(operands[0], level + 1), tokens.first(expr.span))]
                for operand in operands[1:]:
                    anchor, breaks = operator(operand)
                    segments.append(Segment(f"{op} {printer.text(operand, level + 1)}", anchor, breaks))
                return segments
            case ast.Arith(first=first, rest=rest):
                level = strength(expr)
                segments = [Segment(printer.text(first, level + 1), tokens.first(expr.span))]
                for index, (_, operand) in enumerate(rest):
                    anchor, breaks = operator(operand)
                    segments.append(Segment(f"{printer.op_text(expr, index)} {printer.text(operand, level + 1)}",
                                            anchor, breaks))
                return segments
            case ast.Over(where=where) if where is not None:
                # `any(… for v in list` then `if selection)`: a long selection may go on the next line
                head = f"{expr.function}({printer.text(expr.body)} for {expr.var} in {printer.text(expr.items)}"
                anchor, breaks = operator(where)
                return [Segment(head, tokens.first(expr.span)), Segment(f"if {printer.text(where)})", anchor, breaks)]
            case ast.If(condition=condition, then=then, otherwise=otherwise):
                segments = [Segment(f"if {printer.text(condition)}", tokens.first(expr.span))]
                for word, part in (("then", then), ("else", otherwise)):
                    anchor, breaks = operator(part)
                    segments.append(Segment(f"{word} {printer.text(part)}", anchor, breaks))
                return segments
        return [Segment(printer.text(expr), tokens.first(expr.span))]

    def _define(self, item: ast.Define) -> list[Line]:
        start, _ = self._range(item)
        head = f"define {item.name}{_label(item.label)}{_cites(item.cites)} ="
        equals = self.tokens.before(self.tokens.first(item.expr.span))
        segments = self.segments(item.expr)
        lines = fill(head + " ", segments, CONTINUATION)
        if not self.tokens.breaks_before(equals + 1) and not _overflows(lines):
            lines[0].anchor = start
            return lines
        body = fill(INDENT, segments, CONTINUATION)  # the expression under the name, as written or if too wide
        body[0].anchor = equals + 1
        return [Line(head, start)] + body

    def _population(self, item: ast.PopulationDecl) -> list[Line]:
        """`population NAME "label" cites … {`, one aggregate a line with its `=` aligned, `}`."""
        start, _ = self._range(item)
        lines = [Line(f"population {item.name}{_label(item.label)}{_cites(item.cites)} {{", start)]
        heads = [f"{a.name}{_label(a.label)}" for a in item.aggregates]
        width = max(display_width(h) for h in heads)
        for head, aggregate in zip(heads, item.aggregates):
            text = f"{INDENT}{_pad(head, width)} = {aggregate.function}({self.printer.text(aggregate.arg)})"
            lines.append(Line(text, self.tokens.first(aggregate.span)))
        return lines + [self._closing(item)]

    def _rule(self, item: ast.Rule) -> list[Line]:
        start, _ = self._range(item)
        tokens = self.tokens
        lines = [Line(f"rule {item.name} : {item.kind}{_cites(item.cites)}", start)]
        when = fill(INDENT + "when ", self.segments(item.when), CONTINUATION)
        when[0].anchor = tokens.before(tokens.first(item.when.span))
        lines += when
        lines.append(Line(f"{INDENT}then {item.outcome}{_label(item.reason)}", tokens.first(item.outcome_span) - 1))
        if item.assignments:
            segments = []
            for assignment in item.assignments:
                anchor = tokens.first(assignment.span)
                segments.append(Segment(f"{assignment.name} = {self.printer.text(assignment.expr)}", anchor,
                                        tokens.breaks_before(anchor) or tokens.breaks_before(anchor - 1)))
            assigned = fill(INDENT + "with ", segments, CONTINUATION, sep=", ", trail=",")
            assigned[0].anchor = tokens.first(item.assignments[0].span) - 1
            lines += assigned
        return lines

    def _decision(self, item: ast.Decision) -> list[Line]:
        start, _ = self._range(item)
        tokens = self.tokens
        lines = [Line(f"decision {item.name}{_label(item.label)} {{", start)]
        if item.population is not None:
            lines.append(Line(f"{INDENT}over {item.population.name}", tokens.first(item.population.span) - 1))
        if item.outcomes:
            lines.append(Line(f"{INDENT}outcomes {', '.join(n.name for n in item.outcomes)}",
                              tokens.first(item.outcomes[0].span) - 1))
        if item.precedence:
            first, *others = item.precedence
            lines.append(Line(f"{INDENT}precedence {first.name}", tokens.first(first.span) - 1))
            under = " " * (len(INDENT + "precedence ") - 2)  # `> ` puts each name under the first
            lines += [Line(f"{under}> {name.name}", tokens.first(name.span) - 1) for name in others]
        if item.notes:
            lines.append(Line(f"{INDENT}notes {', '.join(n.name for n in item.notes)}",
                              tokens.first(item.notes[0].span) - 1))
        if item.otherwise is not None:
            lines.append(Line(f"{INDENT}otherwise {item.otherwise}{_label(item.otherwise_reason)}",
                              tokens.first(item.otherwise_span) - 1))
        return lines + [self._closing(item)]

    # ---- quotas and ranking

    def _quota_value(self, value: ast.QuotaValue) -> str:
        text = {"none": "none", "review": "review"}.get(value.kind)
        if value.kind == "number":
            text = self.printer.text(value.expr)
        elif value.kind == "split":
            text = f"split {self.printer.text(value.expr)} by {self.printer.text(value.by)}"
        return text + _label(value.reason)

    def _quota(self, item: ast.Quota) -> list[Line]:
        start, _ = self._range(item)
        tokens = self.tokens
        lines = [Line(f"quota {item.name}{_label(item.label)}{_cites(item.cites)}", start)]
        scope = f"{INDENT}for {', '.join(c.name for c in item.categories)} per {item.per.name}"
        scope += f" of {item.of.name}" if item.of else ""
        scope += f" unit {item.unit.name}"
        scope += f" counts {self.printer.text(item.counts)}" if item.counts is not None else ""
        lines.append(Line(scope, tokens.first(item.categories[0].span) - 1))
        for branch in item.branches:
            then = tokens.first(branch.value.span) - 1
            if branch.when is None:
                lines.append(Line(f"{INDENT}otherwise {self._quota_value(branch.value)}", then))
                continue
            when = fill(INDENT + "when ", self.segments(branch.when), CONTINUATION)
            when[0].anchor = tokens.first(branch.span)
            lines += when
            lines.append(Line(f"{CONTINUATION}then {self._quota_value(branch.value)}", then))
        return lines

    def _ranking(self, item: ast.Ranking) -> list[Line]:
        start, _ = self._range(item)
        tokens = self.tokens
        lines = [Line(f"ranking {item.name}{_label(item.label)}{_cites(item.cites)}", start),
                 Line(f"{INDENT}by {self.printer.text(item.by)}", tokens.before(tokens.first(item.by.span)))]
        if item.ties:
            lines.append(Line(f"{INDENT}ties {', '.join(t.name for t in item.ties)}", tokens.first(item.ties[0].span) - 1))
        return lines
