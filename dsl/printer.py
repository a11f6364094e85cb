"""Expressions and types back to policy text: the printing core the formatter and the differ share.

It prints what the tree holds. Parentheses appear where precedence needs them; a printer
that knows the source (the formatter) can also keep the ones the author wrote, and spell
each `*` or `/` as typed (`×`, `÷`), which the tree does not remember. Two trees that compare
equal always print alike with the default printer, so the differ can compare texts.
"""
from __future__ import annotations

import unicodedata

from . import ast

# Binding strength, loosest first; a child looser than its slot gets parentheses.
IF, OR, AND, NOT, CMP, SUM, PRODUCT, UNARY, POSTFIX, ATOM = range(10)

_ESCAPED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def quote(text: str) -> str:
    """A string literal as the grammar reads it back: only `\\`, `"`, newline and tab escaped."""
    return '"' + "".join(_ESCAPED.get(ch, ch) for ch in text) + '"'


def display_width(text: str) -> int:
    """Terminal columns: a CJK character takes two, so alignment and widths hold on screen."""
    return sum(2 if ch >= "\u1100" and unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def number_text(node: ast.Number | ast.Percent | ast.DateLit) -> str:
    """A literal as written: `800 m`, `50%`, `2025-03-01`."""
    if isinstance(node, ast.Number):
        text = node.text or f"{float(node.value):g}"
        return f"{text} {node.unit}" if node.unit else text
    if isinstance(node, ast.Percent):
        return node.text or f"{float(node.value * 100):g}%"
    return node.value.isoformat()


def strength(node: ast.Expr) -> int:
    match node:
        case ast.If():
            return IF
        case ast.Logic(op="or"):
            return OR
        case ast.Logic():
            return AND
        case ast.Not():
            return NOT
        case ast.Compare() | ast.Member():
            return CMP
        case ast.Arith(rest=rest):
            return SUM if rest and rest[0][0] in "+-" else PRODUCT
        case ast.Neg():
            return UNARY
        case ast.Attr() | ast.Index():
            return POSTFIX
    return ATOM


class ExprPrinter:
    """Prints an expression; subclasses choose operator spellings and extra parentheses."""

    def op_text(self, node: ast.Arith, index: int) -> str:
        """How the index-th operator of a chain is shown; by default `*` as `×`."""
        op = node.rest[index][0]
        return "×" if op == "*" else op

    def keeps_parens(self, node: ast.Expr) -> bool:
        """Whether a node is parenthesized although precedence does not need it."""
        return False

    def text(self, node: ast.Expr, slot: int = IF) -> str:
        """An expression as policy text; parenthesized when it binds looser than `slot` needs."""
        bare = self.bare(node)
        return f"({bare})" if strength(node) < slot or self.keeps_parens(node) else bare

    def bare(self, node: ast.Expr) -> str:
        text = self.text
        match node:
            case ast.Number() | ast.Percent() | ast.DateLit():
                return number_text(node)
            case ast.Text(value=value):
                return quote(value)
            case ast.Bool(value=value):
                return "true" if value else "false"
            case ast.Name(name=name):
                return name
            case ast.Attr(base=base, name=name):
                return f"{text(base, POSTFIX)}.{name}"
            case ast.Index(base=base, key=key):
                return f"{text(base, POSTFIX)}[{text(key)}]"
            case ast.Call(function=function, args=args):
                return f"{function}({', '.join(text(a) for a in args)})"
            case ast.SumOver(body=body, var=var, items=items):
                return f"sum({text(body)} for {var} in {text(items)})"
            case ast.Over(function=function, body=body, var=var, items=items, where=where):
                condition = f" if {text(where)}" if where is not None else ""
                return f"{function}({text(body)} for {var} in {text(items)}{condition})"
            case ast.Arith(first=first, rest=rest):
                level = strength(node)
                # The parser flattens a chain, so a nested chain of the same level was parenthesized.
                parts = [text(first, level + 1)]
                parts += [f"{self.op_text(node, i)} {text(operand, level + 1)}" for i, (_, operand) in enumerate(rest)]
                return " ".join(parts)
            case ast.Neg(operand=operand):
                return f"-{text(operand, UNARY)}"
            case ast.Compare(left=left, op=op, right=right):
                return f"{text(left, SUM)} {op} {text(right, SUM)}"
            case ast.Member(element=element, set_name=set_name, members=members, negated=negated):
                target = set_name if set_name else "{" + ", ".join(m.name for m in members) + "}"
                return f"{text(element, SUM)} {'not in' if negated else 'in'} {target}"
            case ast.Logic(op=op, operands=operands):
                level = strength(node)
                return f" {op} ".join(text(o, level + 1) for o in operands)
            case ast.Not(operand=operand):
                return f"not {text(operand, NOT)}"
            case ast.If(condition=condition, then=then, otherwise=otherwise):
                return f"if {text(condition)} then {text(then)} else {text(otherwise)}"
        raise TypeError(f"no printer for {type(node).__name__}")


_DEFAULT = ExprPrinter()


def expr_text(node: ast.Expr, slot: int = IF) -> str:
    """An expression as policy text, parentheses only where precedence needs them."""
    return _DEFAULT.text(node, slot)


def type_text(node: ast.TypeExpr, field_colon: str = ": ") -> str:
    """A type on one line: `number yuan/bed`, `map of { beds: number bed "床位数" }`."""
    match node:
        case ast.ScalarType(name=name, unit=unit):
            return f"{name} {'/'.join(unit)}" if unit else name
        case ast.RecordType(fields=fields):
            inner = ", ".join(f"{f.name}{field_colon}{type_text(f.type, field_colon)}"
                              + (f" {quote(f.label)}" if f.label else "") for f in fields)
            return "{ " + inner + " }"
        case ast.ListType(item=item):
            return f"list of {type_text(item, field_colon)}"
        case ast.MapType(value=value):
            return f"map of {type_text(value, field_colon)}"
    raise TypeError(f"no printer for {type(node).__name__}")
