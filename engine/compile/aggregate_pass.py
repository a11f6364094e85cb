"""Checker pass `populations`: aggregates read no aggregate, and only decisions over their
population read them.

Each aggregate was resolved and typed in the `definitions` pass, as its name was met
(`engine.compile.resolve.aggregate_type`); this pass, after the decisions, holds the plan to
what a population means: aggregates are computed over the lines first, so none reads another,
and a single facts file has no population, so only a decision `over` it may read them.
"""
from __future__ import annotations

from dsl import ast
from dsl.diagnostics import Label, did_you_mean
from dsl.spans import Span

from engine.compile import ir
from engine.compile.context import CheckContext
from engine.compile.plan import PopulationInfo


def check_populations(ctx: CheckContext) -> None:
    for name, info in ctx.aggregates.items():
        for used, span in _aggregates_under(ctx, info.node).items():
            ctx.error("C091", f"aggregate `{name}` uses aggregate `{used}`", span,
                      "an aggregate's argument is a value of one line, computed before any aggregate")
    for item in ctx.policy.of_type(ast.Decision):
        population = item.population.name if item.population is not None else None
        if population is not None and population not in ctx.population_asts:
            ctx.error("C092", f"unknown population `{population}`", item.population.span,
                      did_you_mean(population, ctx.population_asts) or
                      "declare it: `population NAME { 考核排名 = rank(考核评分) }`")
            continue
        if not ctx.aggregate_asts:
            continue  # no aggregate declared, none read (resolve makes an AggRef only of a declared one)
        for ref in (*item.precedence, *item.notes):
            rule = ctx.rules.get(ref.name)
            if rule is None:
                continue
            used: dict[str, Span] = {}
            for root in (rule.when, *(n for _, n in rule.assignments)):
                for aggregate, span in _aggregates_under(ctx, root).items():
                    used.setdefault(aggregate, span)
            for aggregate, span in used.items():
                owner = ctx.aggregate_asts[aggregate][0]
                if population is None:
                    ctx.error("C090", f"rule `{ref.name}` reads aggregate `{aggregate}` of population `{owner}`, "
                              f"but decision `{item.name}` is not over a population", span,
                              f"aggregates exist only over a population: add `over {owner}` to the decision, "
                              "or keep the rule in a decision over it", [Label(ref.span, "listed here")])
                elif owner != population:
                    ctx.error("C090", f"rule `{ref.name}` reads aggregate `{aggregate}` of population `{owner}`, "
                              f"but decision `{item.name}` is over `{population}`", span, None,
                              [Label(ref.span, "listed here")])
    for name, item in ctx.population_asts.items():
        ctx.populations[name] = PopulationInfo(
            name, item.label, tuple(r.id for r in item.cites),
            tuple(ctx.aggregates[a.name] for a in item.aggregates if a.name in ctx.aggregates), item.span)


def _aggregates_under(ctx: CheckContext, node, seen: set | None = None) -> dict[str, Span]:
    """Every aggregate an expression reads, directly or through definitions, with the place."""
    seen = set() if seen is None else seen
    found: dict[str, Span] = {}
    for sub in ir.walk(node):
        if isinstance(sub, ir.AggRef):
            found.setdefault(sub.name, sub.span)
        elif isinstance(sub, ir.DefRef) and sub.name in ctx.defines and sub.name not in seen:
            seen.add(sub.name)
            for name, _ in _aggregates_under(ctx, ctx.defines[sub.name].node, seen).items():
                found.setdefault(name, sub.span)
    return found
