"""Checker pass `cycles`: no definition uses itself, no aggregate reads itself, through any chain.

Definitions and aggregates are resolved when their name is first met (`engine.compile.resolve`),
so a cycle among them would never end. This pass walks the graph of the names their
expressions use, in the order the resolver meets them, and reports each use that closes a
cycle: C020 with every hop when it returns to a definition, C091 when it returns to an
aggregate. Those uses go into `ctx.cycle_uses`, which the resolver types ERROR without
following. The search is depth-first with an explicit stack, from the definitions and then
the aggregates in the order declared, as the resolver starts; the names of an expression are
taken in the order the resolver reads them, and as it reads them (a loop variable hides a
definition; a set's members and a registry's categories are not values). Types are not known
yet, so the search also enters what the resolver will skip for a type error (the body of
`sum(… for v in X)` when X is no list): a cycle through it is reported all the same.
"""
from __future__ import annotations

from typing import Iterator

from dsl import ast
from dsl.diagnostics import Label
from dsl.spans import Span

from engine.compile.bounds import children
from engine.compile.context import CheckContext
from engine.compile.registry_questions import REGISTRY_QUESTIONS
from engine.compile.resolve import OVER_FUNCTIONS, as_path


def find_cycles(ctx: CheckContext) -> None:
    done: set[str] = set()
    for root in (*ctx.define_asts, *ctx.aggregate_asts):  # the order the resolver starts from
        if root in done:
            continue
        # (name, the use that led to it, the uses of its expression still to follow)
        path: list[tuple[str, Span | None, Iterator[tuple[str, Span]]]] = [(root, None, iter(uses_of(ctx, root)))]
        on_path = {root}
        while path:
            name, _, pending = path[-1]
            step = next(pending, None)
            if step is None:
                path.pop()
                on_path.discard(name)
                done.add(name)
                continue
            used, span = step
            if used in done:
                continue
            if used in on_path:
                ctx.cycle_uses.add((used, span))
                _report(ctx, [(n, at) for n, at, _ in path], used, span)
                continue
            path.append((used, span, iter(uses_of(ctx, used))))
            on_path.add(used)


def _report(ctx: CheckContext, path: list[tuple[str, Span | None]], used: str, span: Span) -> None:
    if used in ctx.aggregate_asts:
        ctx.error("C091", f"aggregate `{used}` depends on itself", ctx.aggregate_asts[used][1].span,
                  "an aggregate's argument is a value of one line, computed before any aggregate")
        return
    stack = [(n, at) for n, at in path if n in ctx.define_asts]  # the hops are definitions; aggregates pass through
    names = [n for n, _ in stack]
    hops = stack[names.index(used):] + [(used, span)]
    labels = [Label(at, f"`{a}` uses `{b}` here") for (a, _), (b, at) in zip(hops, hops[1:])]
    ctx.error("C020", f"definitions depend on each other in a cycle: {' -> '.join(n for n, _ in hops)}",
              ctx.define_asts[used].span, "a definition cannot use itself, directly or through others", labels)


def uses_of(ctx: CheckContext, name: str) -> list[tuple[str, Span]]:
    """The definitions and aggregates that `name`'s expression uses, with the place of each use."""
    found: list[tuple[str, Span]] = []
    expr = ctx.define_asts[name].expr if name in ctx.define_asts else ctx.aggregate_asts[name][1].arg
    _uses(ctx, expr, frozenset(), found)
    return found


def _uses(ctx: CheckContext, node, scope: frozenset[str], found: list[tuple[str, Span]]) -> None:
    # INVARIANT: every use the resolver follows is found here (one more is harmless), or the
    # resolver could go round a cycle for ever: a kind of expression not named below is walked
    # through all its children.
    match node:
        case ast.Name() | ast.Attr() if as_path(node):
            head = as_path(node)[0]
            if head not in scope and (head in ctx.define_asts or head in ctx.aggregate_asts):
                found.append((head, node.span))
            return
        case ast.Over(function=f) if f not in OVER_FUNCTIONS:
            return  # C027: the resolver reads no further
        case ast.Over() | ast.SumOver():  # the list first; its variable is in scope in the rest
            _uses(ctx, node.items, scope, found)
            inner = scope | {node.var}
            if isinstance(node, ast.Over) and node.where is not None:
                _uses(ctx, node.where, inner, found)
            _uses(ctx, node.body, inner, found)
            return
        case ast.Member():  # the members and the set are names of members, not values
            _uses(ctx, node.element, scope, found)
            return
        case ast.Call(function="known", args=args) if len(args) != 1:
            return  # C094: the resolver reads no further
        case ast.Call(function=f, args=args) if f in REGISTRY_QUESTIONS:  # a registry and its categories; a radius
            asks = bool(args) and isinstance(args[0], ast.Name) and any(r.name == args[0].name for r in ctx.registry_asts)
            if f == "count_within" and asks and (len(args) == 2 or (len(args) == 3 and isinstance(args[2], (ast.Name, ast.Text)))):
                _uses(ctx, args[1], scope, found)
            return
    for child in children(node):
        _uses(ctx, child, scope, found)
