"""The checker's first expression pass: chains of definitions and depth through them, bounded.

The name resolver, both evaluators and the code generator descend an expression and, at each
definition it uses, that definition's expression. The parser bounds one expression's nesting
(dsl/limits.py, NESTING); this pass bounds what those stages descend across definitions:
the longest chain of definitions that use one another (CHAIN) and the nesting of an
expression counted through the definitions it uses (DEPTH). It walks the syntax tree with
explicit stacks, never by recursion, so it runs safely before the recursive passes, which
the checker skips when it finds a breach (the pass `check_limits`). A cycle is left to the
`cycles` pass (C020): the walk ignores the edge that closes it.
"""
from __future__ import annotations

from dataclasses import fields

from dsl import ast
from dsl.diagnostics import Diagnostic, Label
from dsl.limits import CHAIN, DEPTH, STEPS, breach_help
from dsl.spans import Span
from engine.compile.context import CheckContext


_FIELDS: dict[type, tuple[str, ...]] = {}  # a syntax class -> the names of its fields, span aside


def _is_node(value) -> bool:
    return hasattr(type(value), "__dataclass_fields__")  # as `is_dataclass` of an instance, without its call


def children(node) -> list:
    """The sub-expressions of an expression node, whatever its class."""
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(f.name for f in fields(node) if f.name != "span")
    out = []
    for name in names:
        value = getattr(node, name)
        if _is_node(value):
            out.append(value)
        elif isinstance(value, tuple):
            for item in value:
                if _is_node(item):
                    out.append(item)
                elif isinstance(item, tuple):
                    out.extend(x for x in item if _is_node(x))
    return out


def _shape(roots, defines) -> tuple[int, int, list[tuple[str, int, Span]]]:
    """(own depth, node count, [(definition used, depth at the use, span of the use)])."""
    deepest, count, uses = 0, 0, []
    stack = [(root, 1) for root in roots]
    while stack:
        node, depth = stack.pop()
        count += 1
        deepest = max(deepest, depth)
        if isinstance(node, ast.Name) and node.name in defines:
            uses.append((node.name, depth, node.span))
        stack.extend((child, depth + 1) for child in children(node))
    return deepest, count, uses


def check_bounds(define_asts: dict[str, ast.Define], rule_asts: dict[str, ast.Rule]) -> list[Diagnostic]:
    """L005 for a chain of definitions longer than CHAIN, L006 for an expression deeper than
    DEPTH counted through its definitions, L007 for a plan of more than STEPS expression nodes."""
    shapes = {name: _shape([d.expr], define_asts) for name, d in define_asts.items()}
    chain: dict[str, int] = {}
    depth: dict[str, int] = {}
    nxt: dict[str, str | None] = {}
    for start in define_asts:  # iterative post-order over the definitions a definition uses
        if start in chain:
            continue
        stack, on_path = [(start, False)], set()
        while stack:
            name, done = stack.pop()
            if done:
                on_path.discard(name)
                own, _, uses = shapes[name]
                best_chain, best_depth, best_next = 1, own, None
                for used, at, _ in uses:
                    if used in chain:
                        if 1 + chain[used] > best_chain:
                            best_chain, best_next = 1 + chain[used], used
                        best_depth = max(best_depth, at + depth[used])
                chain[name], depth[name], nxt[name] = best_chain, best_depth, best_next
                continue
            if name in chain or name in on_path:
                continue  # done already, or a cycle: C020's business
            on_path.add(name)
            stack.append((name, True))
            stack.extend((used, False) for used, _, _ in shapes[name][2] if used not in chain)
    problems: list[Diagnostic] = []
    longest = max(chain, key=lambda n: (chain[n], n), default=None)
    if longest is not None and chain[longest] > CHAIN.value:
        path, name = [], longest
        while name is not None and len(path) < chain[longest]:
            path.append(name)
            name = nxt[name]
        shown = " -> ".join(path[:3]) + " -> … -> " + path[-1]
        problems.append(Diagnostic(CHAIN.code, f"a chain of {chain[longest]:,} definitions, more than {CHAIN.value:,}: "
                                   f"{shown}", define_asts[longest].span, breach_help(CHAIN),
                                   (Label(define_asts[path[-1]].span, f"the chain ends at `{path[-1]}`"),)))
        return problems  # the depth through such a chain is over too: one reason is enough
    rule_shapes = {name: _shape([r.when, *(a.expr for a in r.assignments)], define_asts)
                   for name, r in rule_asts.items()}
    for kind, shapes_of, asts in (("definition", shapes, define_asts), ("rule", rule_shapes, rule_asts)):
        for name, (own, _, uses) in shapes_of.items():
            total = max([own, *(at + depth[used] for used, at, _ in uses if used in depth)])
            if total > DEPTH.value:
                problems.append(Diagnostic(DEPTH.code, f"{kind} `{name}` nests {total:,} levels deep counted through "
                                           f"the definitions it uses, more than {DEPTH.value:,}", asts[name].span,
                                           breach_help(DEPTH)))
                return problems
    nodes = sum(s[1] for s in shapes.values()) + sum(s[1] for s in rule_shapes.values())
    if nodes > STEPS.value:
        first = next(iter(define_asts.values()), None) or next(iter(rule_asts.values()))
        problems.append(Diagnostic(STEPS.code, f"the plan's expressions have {nodes:,} parts, so one decision could "
                                   f"take more than {STEPS.value:,} evaluation steps", first.span, breach_help(STEPS)))
    return problems


def check_limits(ctx: CheckContext) -> None:
    """Checker pass `bounds`: what `check_bounds` finds in the definitions and rules collected."""
    ctx.diagnostics.extend(check_bounds(ctx.define_asts, ctx.rule_asts))
