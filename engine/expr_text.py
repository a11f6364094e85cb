"""A debug printer of the AST: expressions, types and whole declarations, back to policy text.

The plan differ shows a changed formula or an added rule as text; this is that text. It
prints what the parser keeps, not what was typed: layout and comments are gone, `×` and `÷`
come back as `×` and `/`, and parentheses appear only where precedence needs them, so two
trees that compare equal always print alike.
"""
from __future__ import annotations

import json

from dsl import ast

# Binding strength, loosest first; a child looser than its slot gets parentheses.
_IF, _OR, _AND, _NOT, _CMP, _SUM, _PRODUCT, _UNARY, _POSTFIX, _ATOM = range(10)
_SHOWN_OPS = {"*": "×"}


def quote(text: str) -> str:
    """A string literal as the grammar reads it."""
    return json.dumps(text, ensure_ascii=False)


def number_text(node: ast.Number | ast.Percent | ast.DateLit) -> str:
    """A literal as written: `800 m`, `50%`, `2025-03-01`."""
    if isinstance(node, ast.Number):
        text = node.text or f"{node.value:g}"
        return f"{text} {node.unit}" if node.unit else text
    if isinstance(node, ast.Percent):
        return node.text or f"{node.value * 100:g}%"
    return node.value.isoformat()


def _strength(node: ast.Expr) -> int:
    match node:
        case ast.If():
            return _IF
        case ast.Logic(op="or"):
            return _OR
        case ast.Logic():
            return _AND
        case ast.Not():
            return _NOT
        case ast.Compare() | ast.Member():
            return _CMP
        case ast.Arith(rest=rest):
            return _SUM if rest and rest[0][0] in "+-" else _PRODUCT
        case ast.Neg():
            return _UNARY
        case ast.Attr() | ast.Index():
            return _POSTFIX
    return _ATOM


def expr_text(node: ast.Expr, slot: int = _IF) -> str:
    """An expression as policy text; parenthesized when it binds looser than `slot` needs."""
    text = _bare(node)
    return f"({text})" if _strength(node) < slot else text


def _bare(node: ast.Expr) -> str:
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
            return f"{expr_text(base, _POSTFIX)}.{name}"
        case ast.Index(base=base, key=key):
            return f"{expr_text(base, _POSTFIX)}[{expr_text(key)}]"
        case ast.Call(function=function, args=args):
            return f"{function}({', '.join(expr_text(a) for a in args)})"
        case ast.SumOver(body=body, var=var, items=items):
            return f"sum({expr_text(body)} for {var} in {expr_text(items)})"
        case ast.Arith(first=first, rest=rest):
            level = _strength(node)
            # The parser flattens a chain, so a nested chain of the same level was parenthesized.
            parts = [expr_text(first, level + 1)]
            parts += [f"{_SHOWN_OPS.get(op, op)} {expr_text(operand, level + 1)}" for op, operand in rest]
            return " ".join(parts)
        case ast.Neg(operand=operand):
            return f"-{expr_text(operand, _UNARY)}"
        case ast.Compare(left=left, op=op, right=right):
            return f"{expr_text(left, _SUM)} {op} {expr_text(right, _SUM)}"
        case ast.Member(element=element, set_name=set_name, members=members, negated=negated):
            target = set_name if set_name else "{" + ", ".join(m.name for m in members) + "}"
            return f"{expr_text(element, _SUM)} {'not in' if negated else 'in'} {target}"
        case ast.Logic(op=op, operands=operands):
            level = _strength(node)
            return f" {op} ".join(expr_text(o, level + 1) for o in operands)
        case ast.Not(operand=operand):
            return f"not {expr_text(operand, _NOT)}"
        case ast.If(condition=condition, then=then, otherwise=otherwise):
            return f"if {expr_text(condition)} then {expr_text(then)} else {expr_text(otherwise)}"
    raise TypeError(f"no printer for {type(node).__name__}")


def type_text(node: ast.TypeExpr) -> str:
    match node:
        case ast.ScalarType(name=name, unit=unit):
            return f"{name} {'/'.join(unit)}" if unit else name
        case ast.RecordType(fields=fields):
            inner = ", ".join(f"{f.name}: {type_text(f.type)}" + (f" {quote(f.label)}" if f.label else "")
                              for f in fields)
            return "{ " + inner + " }"
        case ast.ListType(item=item):
            return f"list of {type_text(item)}"
        case ast.MapType(value=value):
            return f"map of {type_text(value)}"
    raise TypeError(f"no printer for {type(node).__name__}")


def _cites(cites: tuple[ast.ArticleRef, ...]) -> str:
    return f" cites {', '.join(c.id for c in cites)}" if cites else ""


def _label(label: str | None) -> str:
    return f" {quote(label)}" if label else ""


def item_text(item: ast.Item) -> str:
    """A whole declaration on one line, as the differ shows an added or removed one."""
    match item:
        case ast.Rule():
            text = (f"rule {item.name} : {item.kind}{_cites(item.cites)} when {expr_text(item.when)} "
                    f"then {item.outcome}{_label(item.reason)}")
            if item.assignments:
                text += " with " + ", ".join(f"{a.name} = {expr_text(a.expr)}" for a in item.assignments)
            return text
        case ast.Define():
            return f"define {item.name}{_label(item.label)}{_cites(item.cites)} = {expr_text(item.expr)}"
        case ast.InputDecl():
            alias = f" as {item.alias}" if item.alias else ""
            return f"input {item.dotted} : {type_text(item.type)}{alias}{_label(item.label)}"
        case ast.EnumDecl():
            members = " ".join(f"{m.code}{_label(m.label)}" for m in item.members)
            return f"enum {item.name}{_label(item.label)} {{ {members} }}"
        case ast.ZonesDecl():
            zones = "  ".join(f"{z.name}: {', '.join(m.name for m in z.members)}" for z in item.zones)
            return f"zones {item.name} of {item.member_enum}{_cites(item.cites)} {{ {zones} }}"
        case ast.Decision():
            parts = []
            if item.precedence:
                parts.append("precedence " + " > ".join(n.name for n in item.precedence))
            if item.notes:
                parts.append("notes " + ", ".join(n.name for n in item.notes))
            if item.otherwise:
                parts.append(f"otherwise {item.otherwise}{_label(item.otherwise_reason)}")
            return f"decision {item.name}{_label(item.label)} {{ {'  '.join(parts)} }}"
        case ast.Article():
            status = f'deferred {quote(item.reason or "")}' if item.status == "deferred" else item.status
            return f"article {item.id} {status} {quote(item.text)}"
        case ast.Interpretation():
            return f"interpretation {item.article.id} {quote(item.text)}"
    raise TypeError(f"no printer for {type(item).__name__}")
