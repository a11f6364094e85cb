"""Checker passes for populations: each aggregate resolved and typed (in pass 2, as names are
met), then `check_populations` after the decisions: aggregates read no aggregate, and only a
decision `over` their population reads them. Mixed into `engine.compile.checker.Checker`.
"""
from __future__ import annotations

from dsl import ast
from dsl.diagnostics import Label, did_you_mean
from dsl.spans import Span
from engine.compile import ir
from engine.compile.plan import AGGREGATES, AggregateInfo, PopulationInfo
from engine.compile.resolve import ERROR
from engine.compile.types import FRACTION, NUMBER, BoolT, NumT, Type


class PopulationsPass:
    def _aggregate(self, name: str) -> Type:
        """An aggregate's type, its argument resolved as a line's expression."""
        if name in self.aggregates:
            return self.aggregates[name].type
        population, node = self.aggregate_asts[name]
        if name in self._resolving_aggregates:
            self.error("C091", f"aggregate `{name}` depends on itself", node.span,
                       "an aggregate's argument is a value of one line, computed before any aggregate")
            return ERROR
        self._resolving_aggregates.add(name)
        arg = self.expr(node.arg, {})
        self._resolving_aggregates.discard(name)
        f = node.function
        if f not in AGGREGATES:
            self.error("C093", f"unknown aggregate `{f}`", node.function_span,
                       did_you_mean(f, AGGREGATES) or "aggregates: " + ", ".join(AGGREGATES))
            result: Type = ERROR
        elif arg.type is ERROR:
            result = ERROR
        elif f in ("count", "share"):
            self._need_bool(arg, node.arg.span)
            result = NUMBER if f == "count" else FRACTION
        else:
            self._need_number(arg, node.arg.span)
            result = arg.type if f in ("sum", "min", "max") else NUMBER if f == "rank" else FRACTION
        if not isinstance(arg.type, (BoolT, NumT)):
            result = ERROR
        self.aggregates[name] = AggregateInfo(name, node.label, f, arg, result, node.span)
        return result

    def _aggregates_under(self, node, seen: set | None = None) -> dict[str, Span]:
        """Every aggregate an expression reads, directly or through definitions, with the place."""
        seen = set() if seen is None else seen
        found: dict[str, Span] = {}
        for sub in ir.walk(node):
            if isinstance(sub, ir.AggRef):
                found.setdefault(sub.name, sub.span)
            elif isinstance(sub, ir.DefRef) and sub.name in self.defines and sub.name not in seen:
                seen.add(sub.name)
                for name, _ in self._aggregates_under(self.defines[sub.name].node, seen).items():
                    found.setdefault(name, sub.span)
        return found

    # ---- pass 4b
    def check_populations(self) -> None:
        """Aggregates are computed over the lines first, so none reads another; and only a
        decision `over` their population may read them (a single facts file has no population)."""
        for name, info in self.aggregates.items():
            for used, span in self._aggregates_under(info.node).items():
                self.error("C091", f"aggregate `{name}` uses aggregate `{used}`", span,
                           "an aggregate's argument is a value of one line, computed before any aggregate")
        for item in self.policy.of_type(ast.Decision):
            population = item.population.name if item.population is not None else None
            if population is not None and population not in self.population_asts:
                self.error("C092", f"unknown population `{population}`", item.population.span,
                           did_you_mean(population, self.population_asts) or
                           "declare it: `population NAME { 考核排名 = rank(考核评分) }`")
                continue
            for ref in (*item.precedence, *item.notes):
                rule = self.rules.get(ref.name)
                if rule is None:
                    continue
                used: dict[str, Span] = {}
                for root in (rule.when, *(n for _, n in rule.assignments)):
                    for aggregate, span in self._aggregates_under(root).items():
                        used.setdefault(aggregate, span)
                for aggregate, span in used.items():
                    owner = self.aggregate_asts[aggregate][0]
                    if population is None:
                        self.error("C090", f"rule `{ref.name}` reads aggregate `{aggregate}` of population `{owner}`, "
                                   f"but decision `{item.name}` is not over a population", span,
                                   f"aggregates exist only over a population: add `over {owner}` to the decision, "
                                   "or keep the rule in a decision over it", [Label(ref.span, "listed here")])
                    elif owner != population:
                        self.error("C090", f"rule `{ref.name}` reads aggregate `{aggregate}` of population `{owner}`, "
                                   f"but decision `{item.name}` is over `{population}`", span, None,
                                   [Label(ref.span, "listed here")])
        for name, item in self.population_asts.items():
            self.populations[name] = PopulationInfo(
                name, item.label, tuple(r.id for r in item.cites),
                tuple(self.aggregates[a.name] for a in item.aggregates if a.name in self.aggregates), item.span)
