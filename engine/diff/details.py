"""What changed inside one item: literal by literal where two expressions have the same shape
(`50%` -> `60%`, `800 m` -> `500 m`), the whole expression with its changed tokens marked where
the shape differs, a quota branch by branch, any other declaration field by field."""
from __future__ import annotations

from dataclasses import fields

from dsl import ast
from engine.diff.changes import EXPR_TOKEN, Detail, ExpressionChanged, FieldChanged, ValueChanged, inline_edits
from engine.diff.expr_text import expr_text, item_text, number_text, quote

# ---- expressions --------------------------------------------------------------------------------

_LEAVES = (ast.Number, ast.Percent, ast.DateLit, ast.Text, ast.Bool)


class _ShapeDiffers(Exception):
    pass


def _leaf_key(node) -> tuple:
    if isinstance(node, ast.Number):
        return ("number", node.value, node.unit)  # not `.text`: 1_000 and 1000 are one number
    return (type(node).__name__, node.value)


def leaf_text(node) -> str:
    if isinstance(node, ast.Text):
        return quote(node.value)
    if isinstance(node, ast.Bool):
        return "true" if node.value else "false"
    return number_text(node)


def _walk(a, b, pairs: list) -> None:
    """Collect the differing literal pairs of two same-shaped trees; raise if shapes differ."""
    if type(a) is not type(b):
        raise _ShapeDiffers
    if isinstance(a, _LEAVES):
        if _leaf_key(a) != _leaf_key(b):
            pairs.append((a, b))
        return
    for f in fields(a):
        if f.compare:
            _walk_value(getattr(a, f.name), getattr(b, f.name), pairs)


def _walk_value(x, y, pairs: list) -> None:
    if isinstance(x, tuple):
        if not isinstance(y, tuple) or len(x) != len(y):
            raise _ShapeDiffers
        for p, q in zip(x, y):
            _walk_value(p, q, pairs)
    elif hasattr(x, "__dataclass_fields__"):
        _walk(x, y, pairs)
    elif x != y:
        raise _ShapeDiffers


def expression_details(path: str, old: ast.Expr, new: ast.Expr) -> list[Detail]:
    """The changed literals, or the whole expression when the shapes differ."""
    pairs: list = []
    try:
        _walk(old, new, pairs)
    except _ShapeDiffers:
        old_text, new_text = generic(old), generic(new)  # the printer, or field by field for a new node
        return [ExpressionChanged(path, old_text, new_text, inline_edits(old_text, new_text, EXPR_TOKEN),
                                  old.span, new.span)]
    return [ValueChanged(path, leaf_text(o), leaf_text(n), o.span, n.span) for o, n in pairs]


def text_detail(path: str, old: str | None, new: str | None) -> list[Detail]:
    if old == new:
        return []
    return [FieldChanged(path, old, new, inline_edits(old, new) if old and new else ())]


def value_detail(path: str, old: str | None, new: str | None) -> list[Detail]:
    return [] if old == new else [FieldChanged(path, old, new)]


def cite_ids(cites: tuple[ast.ArticleRef, ...]) -> str:
    return ", ".join(c.id for c in cites)


def quota_details(a: ast.Quota, b: ast.Quota) -> list[Detail]:
    """A quota's changes as a reader wants them: each branch's condition and number, literal by
    literal (`branch 2: 50% → 60%`), then the scope (categories, region, unit, counts)."""
    out = (value_detail("cites", cite_ids(a.cites), cite_ids(b.cites))
           + value_detail("for", generic(a.categories), generic(b.categories))
           + value_detail("per", generic((a.per, a.of)), generic((b.per, b.of)))
           + value_detail("unit", a.unit.name, b.unit.name))
    if a.counts is not None and b.counts is not None:
        out += expression_details("counts", a.counts, b.counts)
    else:
        out += value_detail("counts", generic(a.counts), generic(b.counts))
    for index in range(max(len(a.branches), len(b.branches))):
        x = a.branches[index] if index < len(a.branches) else None
        y = b.branches[index] if index < len(b.branches) else None
        where = f"branch {index + 1}"
        if x is None or y is None:
            out += value_detail(where, generic(x), generic(y))
            continue
        if x.when is not None and y.when is not None:
            out += expression_details(f"{where} when", x.when, y.when)
        else:
            out += value_detail(f"{where} when", generic(x.when) or "otherwise", generic(y.when) or "otherwise")
        v, w = x.value, y.value
        if v.kind != w.kind:
            out += value_detail(where, generic(v), generic(w))
            continue
        for part in ("expr", "by"):
            p, q = getattr(v, part), getattr(w, part)
            if p is not None and q is not None:
                out += expression_details(where if part == "expr" else f"{where} by", p, q)
        out += text_detail(f"{where} reason", v.reason, w.reason)
    return out


def generic(value) -> str | None:
    """Any AST value as short text: names bare, tuples with commas, nodes by their fields."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (ast.Name, ast.ArticleRef)):
        return value.name if isinstance(value, ast.Name) else value.id
    if isinstance(value, tuple):
        return ", ".join(t for t in (generic(v) for v in value) if t)
    if hasattr(value, "__dataclass_fields__"):
        try:
            return expr_text(value)
        except TypeError:
            return " ".join(t for f in fields(value) if f.compare and (t := generic(getattr(value, f.name))))
    return str(value)


def generic_text(item) -> str:
    """A declaration as text; one the printer does not know as `what name field=value ...`."""
    try:
        return item_text(item)
    except TypeError:
        parts = [type(item).__name__.removesuffix("Decl").lower(), getattr(item, "name", "")]
        for f in fields(item):
            value = generic(getattr(item, f.name))
            if f.compare and f.name != "name" and value:
                parts.append(f"{f.name}={quote(value) if f.name == 'label' else value}")
        return " ".join(p for p in parts if p)
