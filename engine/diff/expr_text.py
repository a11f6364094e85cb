"""A debug printer of whole declarations, one line each, for the plan differ.

Expressions and types print through `dsl.printer`, the core this shares with the formatter:
it prints what the parser keeps, not what was typed, so layout and comments are gone, `×`
and `÷` come back as `×` and `/`, and parentheses appear only where precedence needs them;
two trees that compare equal always print alike.
"""
from __future__ import annotations

import re

from dsl import ast
from dsl.printer import expr_text, number_text, quote, type_text

__all__ = ["expr_text", "item_text", "number_text", "quote", "type_text"]


_NAME = re.compile(r"[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]*")


def _member(name: ast.Name) -> str:
    """A set member bare when it reads as a name, quoted otherwise (a registry category `"双通道药店（DTP）"`)."""
    return name.name if _NAME.fullmatch(name.name) else quote(name.name)


def _cites(cites: tuple[ast.ArticleRef, ...]) -> str:
    return f" cites {', '.join(c.id for c in cites)}" if cites else ""


def _label(label: str | None) -> str:
    return f" {quote(label)}" if label else ""


def _quota_value(value: ast.QuotaValue) -> str:
    text = {"none": "none", "review": "review"}.get(value.kind, "")
    if value.kind == "number":
        text = expr_text(value.expr)
    elif value.kind == "split":
        text = f"split {expr_text(value.expr)} by {expr_text(value.by)}"
    return text + _label(value.reason)


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
        case ast.SetDecl():
            members = ", ".join(_member(m) for m in item.members)
            return f"set {item.name} of {item.enum.name}{_cites(item.cites)} = {{{members}}}"
        case ast.PopulationDecl():
            aggregates = "  ".join(f"{a.name}{_label(a.label)} = {a.function}({expr_text(a.arg)})"
                                   for a in item.aggregates)
            return f"population {item.name}{_label(item.label)}{_cites(item.cites)} {{ {aggregates} }}"
        case ast.Decision():
            parts = []
            if item.population is not None:
                parts.append(f"over {item.population.name}")
            if item.outcomes:
                parts.append("outcomes " + ", ".join(n.name for n in item.outcomes))
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
            return f"interpretation {item.article.id} {quote(item.text)}" + (f" zh {quote(item.zh)}" if item.zh else "")
        case ast.Quota():
            scope = f"for {', '.join(c.name for c in item.categories)} per {item.per.name}"
            scope += (f" of {item.of.name}" if item.of else "") + f" unit {item.unit.name}"
            scope += f" counts {expr_text(item.counts)}" if item.counts is not None else ""
            branches = " ".join(("otherwise " if b.when is None else f"when {expr_text(b.when)} then ")
                                + _quota_value(b.value) for b in item.branches)
            return f"quota {item.name}{_label(item.label)}{_cites(item.cites)} {scope} {branches}"
        case ast.Ranking():
            ties = f" ties {', '.join(t.name for t in item.ties)}" if item.ties else ""
            return f"ranking {item.name}{_label(item.label)}{_cites(item.cites)} by {expr_text(item.by)}{ties}"
    raise TypeError(f"no printer for {type(item).__name__}")
